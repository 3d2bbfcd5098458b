"""dbt's own checks as records of dq.check_results: every data test of a
`dbt build` (from its run_results.json) and every enforced model contract, each with a
description in prose (`describe_test`: the test's own description in the yml, else one
written from its macro and arguments).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pipelines import contract
from pipelines.quality.runner import CONTRACT, DBT, CheckRecord
from pipelines.quality.suites import CRITICAL, WARNING

SUITE = "dbt"
BATCH = "run"
CONTRACT_CHECK = "model_contract"
_REF = re.compile(r"""ref\(\s*['"]([^'"]+)['"]\s*\)""")


def asset_path(props: Mapping[str, Any]) -> list[str]:
    """The Dagster asset key of a dbt node: raw/<extract> for a landed source, else
    <schema>/<name>."""
    if props["resource_type"] == "source" and props["name"] in contract.EXTRACTS:
        return ["raw", props["name"]]
    schema = props.get("config", {}).get("schema") or props.get("schema")
    return [schema or "main", props["name"]]


def _ref_name(value: Any) -> str:
    match = _REF.search(str(value))
    return match.group(1) if match else str(value)


def _values(values) -> str:
    return ", ".join(str(v) for v in values)


def describe_test(node: Mapping[str, Any]) -> str:
    """Prose for a dbt data test: its own description, else one from the test macro."""
    own = (node.get("description") or node.get("meta", {}).get("description") or "").strip()
    if own:
        return own
    meta = node.get("test_metadata") or {}
    kwargs = meta.get("kwargs", {})
    column = kwargs.get("column_name") or node.get("column_name")
    name = meta.get("name")
    if name == "not_null":
        return f"{column} is never empty."
    if name == "unique":
        return f"{column} is unique: no two rows share a value."
    if name == "accepted_values":
        return f"{column} is one of: {_values(kwargs.get('values', []))}."
    if name == "relationships":
        return f"Every {column} is a {kwargs.get('field')} of {_ref_name(kwargs.get('to'))}."
    if name == "accepted_range":
        lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
        bounds = " and ".join(
            b for b in (f"at least {lo}" if lo is not None else "", f"at most {hi}" if hi is not None else "") if b
        )
        return f"{column}, where given, is {bounds}{'' if kwargs.get('inclusive', True) else ' (bounds excluded)'}."
    if name == "expression_is_true":
        return f"True on every row: {kwargs.get('expression')}."
    if name == "unique_combination":
        return f"({_values(kwargs.get('columns', []))}) is unique: no two rows share the combination."
    if name == "valid_from_present":
        return "Every row has valid_from, and valid_to (where the table has it) is empty or not before it."
    if name == "no_overlapping_validity":
        return f"Rows of the same {_values(kwargs.get('partition_by', []))} are never in force on the same day."
    if name == "volume_within_ceiling":
        return f"No {column} is above the ceiling of its guarantee (max_volume of {_ref_name(kwargs.get('rules'))} in force on as_of)."
    if name == "row_count_between":
        hi = kwargs.get("max_value")
        return f"The table holds {kwargs.get('min_value', 0)}" + (
            f" to {hi} rows." if hi is not None else " rows or more."
        )
    if name:
        args = {k: v for k, v in kwargs.items() if k != "model"}
        return f"dbt test {name}" + (f" with {json.dumps(args, ensure_ascii=False, default=str)}" if args else "") + "."
    return f"Singular dbt test {node.get('name')}: its query returns the rows that break the rule."


def _severity(node: Mapping[str, Any]) -> str:
    return WARNING if str(node.get("config", {}).get("severity", "error")).lower() == "warn" else CRITICAL


def _arguments(node: Mapping[str, Any]) -> str | None:
    kwargs = {
        k: v
        for k, v in (node.get("test_metadata") or {}).get("kwargs", {}).items()
        if k not in ("model", "column_name")
    }
    return json.dumps(kwargs, ensure_ascii=False, default=str) if kwargs else None


def _asset_of(manifest: Mapping[str, Any], unique_id: str | None) -> str:
    if unique_id is None:
        return "dbt"
    node = manifest["nodes"].get(unique_id) or manifest.get("sources", {}).get(unique_id)
    return "/".join(asset_path(node)) if node else "dbt"


def records(run_results: Mapping[str, Any], manifest: Mapping[str, Any]) -> list[CheckRecord]:
    """Every data test and enforced model contract of one `dbt build`, and every
    model or seed that failed to build (its error is why the run stopped)."""
    out: list[CheckRecord] = []
    for result in run_results.get("results", []):
        uid, status = result["unique_id"], result["status"]
        message = (result.get("message") or "").strip() or None
        failures = result.get("failures")
        kind = uid.split(".", 1)[0]
        if kind == "test":
            node = manifest["nodes"][uid]
            columns = (node.get("test_metadata") or {}).get("kwargs", {}).get("columns")
            out.append(
                CheckRecord(
                    asset_key=_asset_of(
                        manifest, node.get("attached_node") or (node.get("depends_on", {}).get("nodes") or [None])[-1]
                    ),
                    suite=SUITE,
                    batch=BATCH,
                    expectation=(node.get("test_metadata") or {}).get("name") or "singular",
                    column=node.get("column_name") or (", ".join(columns) if columns else None),
                    # A test that errored (its SQL failed) holds the run back whatever its severity.
                    severity=CRITICAL if status == "error" else _severity(node),
                    success=status == "pass",
                    element_count=None,
                    unexpected_count=failures,
                    unexpected_percent=None,
                    observed_value=None,
                    details=message,
                    description=describe_test(node),
                    kind=DBT,
                    check_name=node["name"],
                    arguments=_arguments(node),
                    skipped=status == "skipped",
                )
            )
        elif kind == "unit_test":
            node = manifest.get("unit_tests", {}).get(uid, {})
            model = next(
                (
                    n
                    for n in manifest["nodes"].values()
                    if n.get("resource_type") == "model" and n["name"] == node.get("model")
                ),
                None,
            )
            out.append(
                CheckRecord(
                    asset_key="/".join(asset_path(model)) if model else "dbt",
                    suite=SUITE,
                    batch=BATCH,
                    expectation="unit_test",
                    column=None,
                    severity=CRITICAL,
                    success=status == "pass",
                    element_count=None,
                    unexpected_count=failures,
                    unexpected_percent=None,
                    observed_value=None,
                    details=message,
                    description=(node.get("description") or "").strip() or f"Unit test {node.get('name')}.",
                    kind=DBT,
                    check_name=node.get("name") or uid.rsplit(".", 1)[-1],
                    skipped=status == "skipped",
                )
            )
        elif kind in ("model", "seed"):
            node = manifest["nodes"][uid]
            enforced = node.get("config", {}).get("contract", {}).get("enforced", False)
            if enforced:
                declared = {c: (v.get("data_type") or "") for c, v in node.get("columns", {}).items()}
                out.append(
                    CheckRecord(
                        asset_key="/".join(asset_path(node)),
                        suite=SUITE,
                        batch=BATCH,
                        expectation=CONTRACT_CHECK,
                        column=None,
                        severity=CRITICAL,
                        success=status == "success",
                        element_count=len(declared),
                        unexpected_count=None,
                        unexpected_percent=None,
                        observed_value=None,
                        details=message,
                        description=(
                            "dbt enforced the model's contract when it built the table: exactly the columns "
                            "declared in its yml, with their data types and constraints."
                        ),
                        kind=CONTRACT,
                        check_name=CONTRACT_CHECK,
                        arguments=json.dumps(declared, ensure_ascii=False),
                        skipped=status == "skipped",
                    )
                )
            elif status == "error":
                out.append(
                    CheckRecord(
                        asset_key="/".join(asset_path(node)),
                        suite=SUITE,
                        batch=BATCH,
                        expectation=f"{kind}_build",
                        column=None,
                        severity=CRITICAL,
                        success=False,
                        element_count=None,
                        unexpected_count=None,
                        unexpected_percent=None,
                        observed_value=None,
                        details=message,
                        description=f"dbt built the {kind}.",
                        kind=DBT,
                        check_name=f"{kind}_build",
                    )
                )
    return out
