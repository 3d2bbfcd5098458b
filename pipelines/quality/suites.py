"""The GX suites: raw suites derived from the landing contract, mart suites from expectations/.

The landing contract (pipelines/contract.py) is enforced once, by ingestion, on every landed
row (pipelines/ingest/validate.py): each rule there names the GX expectation it states, and
`enforced_expectations` lists them so the report records each with the rows it quarantined.
GX then checks on raw what adds something to that (`raw_suite`): the rows match what
ingestion recorded, IIN columns hold only worker_keys, references still resolve across
drops, drift against the previous drop, and what expectations/raw/<extract>.json adds
(plausibility). Nothing here keeps its own column list: every column, type, domain, key and
reference comes from `contract.EXTRACTS`.

A drop's rows in raw are what it added: an event drop's rows, or the rows a snapshot drop
changed or added (raw keeps a snapshot as versions). A snapshot's drift and key are
checked on the whole snapshot of the drop (`snapshot_suite`), since that is what drifts.

Values in raw are VARCHAR as landed. A raw batch (`raw_batch_sql`) holds only the columns
its suite reads, raw or derived in DuckDB (`_derived_columns`), with each row's file and line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from functools import cache
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402

from pipelines import REPO_ROOT, contract  # noqa: E402
from pipelines.contract import Extract  # noqa: E402
from pipelines.identifiers import OKED_DIVISION_SECTION  # noqa: E402
from pipelines.ingest.validate import RECORD_SHAPE, contract_rules, reference_column  # noqa: E402
from pipelines.warehouse import in_snapshot_of  # noqa: E402

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
META_COLUMNS = ("_drop_date", "_file", "_line")
CRITICAL, WARNING = "critical", "warning"
NO_PREVIOUS_MAX_ROWS = 10**15  # row-count ceiling when there is no previous drop to compare


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# ---------------------------------------------------------------------------- raw specs


@dataclass
class RawSpec:
    """An extract's raw suite as declared: the contract plus expectations/raw/<extract>.json
    (description, drift checks, further expectations)."""

    extract: Extract
    description: str = ""
    drift: list[dict] = field(default_factory=list)
    extra: list[dict] = field(default_factory=list)

    @property
    def dimensions(self) -> list[str]:
        """The dimensions whose values must not vanish from one drop to the next."""
        return [d["dimension"] for d in self.drift if d["check"] == "values_not_vanished"]


def raw_spec(name: str) -> RawSpec:
    """An extract's raw spec; the contract alone when it has no expectations file."""
    extract = contract.EXTRACTS[name]
    path = EXPECTATIONS_DIR / "raw" / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return RawSpec(extract, data.get("description", ""), data.get("drift", []), data.get("expectations", []))


def _section_sql(column: str) -> str:
    pairs = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in sorted(OKED_DIVISION_SECTION.items()))
    return f"CASE substr(t.{_q(column)}, 1, 2) {pairs} END"


def dimension_sql(extract: Extract, dimension: str) -> str:
    """The SQL of a drift dimension over raw rows aliased t: the region from KATO, the OKED
    section, or a column."""
    names = extract.column_names
    if dimension == "region":
        return "substr(t.kato, 1, 2)" if "kato" in names else "t.region"
    if dimension == "oked_section":
        return _section_sql("oked")
    if dimension in names:
        return f"t.{_q(extract.raw_column(dimension))}"
    raise KeyError(f"{extract.name}: unknown drift dimension {dimension!r}")


def _derived_columns(spec: RawSpec) -> dict[str, str]:
    """The columns a raw batch can add, by name, as SQL over raw rows aliased t: a number's
    typed value (`<col>:number`), whether an IIN column holds a worker_key
    (`<col>:pseudonymised`), a reference (`ref:…`), a drift dimension (`dim:…`)."""
    extract = spec.extract
    derived: dict[str, str] = {}
    for col in extract.columns:
        v = f"t.{_q(extract.raw_column(col.name))}"
        if col.type in ("int", "decimal"):
            derived[f"{col.name}:number"] = f"TRY_CAST(trim({v}) AS {'BIGINT' if col.type == 'int' else 'DOUBLE'})"
        elif col.type == "iin":
            derived[f"{extract.raw_column(col.name)}:pseudonymised"] = f"regexp_full_match({v}, '[0-9a-f]{{32}}')"
    for ref in extract.references:
        cond = " AND ".join(f"r.{_q(tc)} = t.{_q(c)}" for c, tc in zip(ref.columns, ref.target_columns))
        nulls = " OR ".join(f"t.{_q(c)} IS NULL" for c in ref.columns)
        derived[reference_column(ref)] = (
            f"CASE WHEN {nulls} THEN NULL ELSE EXISTS (SELECT 1 FROM raw.{_q(ref.extract)} r WHERE {cond} "
            f"AND r._drop_date <= t._drop_date) END"
        )
    for dim in spec.dimensions:
        derived[f"dim:{dim}"] = dimension_sql(extract, dim)
    return derived


def suite_columns(suite: gx.ExpectationSuite) -> list[str]:
    """The columns a suite's expectations read, in order of first use."""
    out: list[str] = []
    for exp in suite.expectations:
        kwargs = exp.configuration.kwargs
        for c in [kwargs.get("column"), *(kwargs.get("column_list") or [])]:
            if c and c not in out:
                out.append(c)
    return out


def raw_batch_sql(spec: RawSpec, columns: list[str]) -> str:
    """The rows one drop added to raw.<extract> (parameter: the drop date): where each row
    landed (_file, _line) and the given columns, raw or derived (`_derived_columns`)."""
    derived = _derived_columns(spec)
    raw = {spec.extract.raw_column(c) for c in spec.extract.column_names}
    select = ["t._file", "t._line"]
    for name in columns:
        if name in derived:
            select.append(f"{derived[name]} AS {_q(name)}")
        elif name in raw:
            select.append(f"t.{_q(name)}")
        elif name not in META_COLUMNS:
            raise KeyError(f"{spec.extract.name}: no column {name!r} in a raw batch")
    body = ",\n  ".join(select)
    return (
        f"SELECT\n  {body}\nFROM raw.{_q(spec.extract.name)} t\nWHERE t._drop_date = CAST(? AS DATE)\nORDER BY t._line"
    )


def _exp(cls, severity: str, description: str | None = None, **kwargs):
    return (
        cls(severity=severity, description=description, **kwargs) if description else cls(severity=severity, **kwargs)
    )


ENFORCED_NOTE = (
    "Enforced at ingestion: a landed row that breaks it is quarantined (dq.rejected_rows) with its file, line "
    "and reason, so raw holds none; the rejection thresholds judge how many may be."
)


@dataclass(frozen=True)
class EnforcedExpectation:
    """A contract rule as the GX expectation that states it, checked by ingestion on every
    landed row: the report records it with the rows it quarantined."""

    type: str
    arguments: dict
    description: str
    reasons: tuple[str, ...]  # the quarantine reasons (`code: message`) it accounts for
    shape: bool = False  # also a malformed record (the reader's field-count message)

    @property
    def column(self) -> str | None:
        """The column it is about, as the report shows it."""
        return self.arguments.get("column") or ",".join(self.arguments.get("column_list") or []) or None


def enforced_expectations(extract: Extract, drop_date: dt.date | None = None) -> list[EnforcedExpectation]:
    """The contract's row rules (pipelines/ingest/validate.py) as GX expectations, one per
    expectation and arguments (a number's lower and upper bound are one
    expect_column_values_to_be_between). With a drop date, the reasons are those its rows
    were quarantined with; without, as the suite documents them."""
    grouped: dict[str, list] = {}
    for rule in contract_rules(extract, drop_date):
        grouped.setdefault(json.dumps([rule.expectation, rule.arguments], sort_keys=True), []).append(rule)
    out = []
    for rules in grouped.values():
        first = rules[0]
        out.append(
            EnforcedExpectation(
                type=first.expectation,
                arguments=first.arguments,
                description="; ".join(r.message for r in rules) + ". " + ENFORCED_NOTE,
                reasons=tuple(r.reason for r in rules),
                shape=any(r.expectation == RECORD_SHAPE for r in rules),
            )
        )
    return out


def raw_suite(spec: RawSpec) -> gx.ExpectationSuite:
    """What GX checks on the rows one drop added to raw.<extract>, beyond the row rules
    ingestion enforced (`enforced_expectations`): the rows match what ingestion recorded, no
    IIN column holds anything but a worker_key, every reference still resolves across drops,
    drift against the previous drop (an event extract; a snapshot's is `snapshot_suite`), and
    what expectations/raw/<extract>.json adds. Parameters: rows_added (from dq.ingest_files),
    and per drift check the previous drop's values (`drift_parameters`)."""
    e = spec.extract
    exps: list = [
        _exp(
            gxe.ExpectTableRowCountToEqual,
            CRITICAL,
            "Rows this drop added to raw = rows_loaded − rows_unchanged recorded in dq.ingest_files "
            "(a snapshot keeps its rows that did not change since the previous drop as they were).",
            value={"$PARAMETER": "rows_added"},
        ),
    ]
    for col in e.iin_columns:
        exps.append(
            _exp(
                gxe.ExpectColumnValuesToBeInSet,
                CRITICAL,
                f"{col} is pseudonymised: a 32-hex worker_key, never an IIN.",
                column=f"{e.raw_column(col)}:pseudonymised",
                value_set=[True],
            )
        )
    for ref in e.references:
        exps.append(
            _exp(
                gxe.ExpectColumnValuesToBeInSet,
                CRITICAL,
                f"({', '.join(ref.columns)}) is a {ref.extract} row of this drop or an earlier one "
                "(still, after any drop was reloaded).",
                column=reference_column(ref),
                value_set=[True],
            )
        )
    if e.kind == "event":
        exps.extend(_drift_expectations(spec))
    exps.extend(_from_json(x) for x in spec.extra)
    return gx.ExpectationSuite(
        name=f"raw.{e.name}",
        expectations=exps,
        meta={"source": "pipelines/contract.py + expectations/raw/" + e.name + ".json"},
    )


def snapshot_suite(spec: RawSpec) -> gx.ExpectationSuite:
    """The suite for the whole snapshot of one drop of a snapshot extract (the batch of
    `snapshot_batch_sql`): its key is unique, and its drift against the previous drop's."""
    e = spec.extract
    key = [e.raw_column(k) for k in e.key]
    exps: list = [
        _exp(
            gxe.ExpectCompoundColumnsToBeUnique,
            CRITICAL,
            f"Key ({', '.join(key)}) is unique within the drop's snapshot.",
            column_list=key,
        )
        if len(key) > 1
        else _exp(
            gxe.ExpectColumnValuesToBeUnique,
            CRITICAL,
            f"Key {key[0]} is unique within the drop's snapshot.",
            column=key[0],
        )
    ]
    exps.extend(_drift_expectations(spec))
    return gx.ExpectationSuite(
        name=f"raw.{e.name}.snapshot", expectations=exps, meta={"source": "expectations/raw/" + e.name + ".json"}
    )


def snapshot_batch_sql(spec: RawSpec) -> str:
    """The snapshot of one drop (parameter: the drop date): its key and drift dimensions."""
    e = spec.extract
    columns = [f"t.{_q(e.raw_column(k))}" for k in e.key]
    columns += [f"{dimension_sql(e, dim)} AS {_q('dim:' + dim)}" for dim in spec.dimensions]
    return (
        f"SELECT {', '.join(columns)}\nFROM raw.{_q(e.name)} t, (SELECT CAST(? AS DATE) AS drop_date) p\n"
        f"WHERE {in_snapshot_of('t', 'p.drop_date')}"
    )


def drift_batch_sql(spec: RawSpec) -> str:
    """The batch a drop's drift is measured on: an event drop's rows, a snapshot drop's snapshot."""
    if spec.extract.kind == "snapshot":
        return snapshot_batch_sql(spec)
    return raw_batch_sql(spec, [f"dim:{d}" for d in spec.dimensions])


def _drift_expectations(spec: RawSpec) -> list:
    exps: list = []
    e = spec.extract
    for i, d in enumerate(spec.drift):
        sev = d.get("severity", WARNING)
        if d["check"] == "values_not_vanished":
            exps.append(
                _exp(
                    gxe.ExpectColumnDistinctValuesToContainSet,
                    sev,
                    f"No {d['dimension']} present in the previous drop vanished from this one (a broken upstream feed).",
                    column=f"dim:{d['dimension']}",
                    value_set={"$PARAMETER": f"previous_{d['dimension']}"},
                )
            )
        elif d["check"] == "row_count_jump":
            exps.append(
                _exp(
                    gxe.ExpectTableRowCountToBeBetween,
                    sev,
                    f"At most {d['factor']}× the rows of the previous drop.",
                    max_value={"$PARAMETER": f"drift{i}_max_rows"},
                )
            )
        elif d["check"] == "row_count_drop":
            exps.append(
                _exp(
                    gxe.ExpectTableRowCountToBeBetween,
                    sev,
                    f"At least {d['min_ratio']:g}× the rows of the previous drop.",
                    min_value={"$PARAMETER": f"drift{i}_min_rows"},
                )
            )
        else:
            raise KeyError(f"{e.name}: unknown drift check {d['check']!r}")
    return exps


def drift_parameters(spec: RawSpec, previous: dict[str, Any] | None) -> dict[str, Any]:
    """previous: {"rows": n, "dim:<d>": set(...)} of the previous drop, or None."""
    params: dict[str, Any] = {}
    for i, d in enumerate(spec.drift):
        if d["check"] == "values_not_vanished":
            params[f"previous_{d['dimension']}"] = sorted(previous.get(f"dim:{d['dimension']}", ())) if previous else []
        elif d["check"] == "row_count_jump":
            params[f"drift{i}_max_rows"] = (
                int(d["factor"] * max(previous["rows"], 1)) if previous else NO_PREVIOUS_MAX_ROWS
            )
        elif d["check"] == "row_count_drop":
            params[f"drift{i}_min_rows"] = int(d["min_ratio"] * previous["rows"]) if previous else 0
    return params


# ---------------------------------------------------------------------- reconciliation


def reconciliation_sql(extract: Extract, raw_exists: bool) -> str:
    """A file's rows in raw: an event file's rows, or the rows of a snapshot drop's
    snapshot (its versions rebuild exactly the rows the drop loaded)."""
    same_file = "r._file = f.file AND r._drop_date = f.drop_date"
    where = in_snapshot_of("r", "f.drop_date") if extract.kind == "snapshot" else same_file
    in_raw = f"(SELECT count(*) FROM raw.{_q(extract.name)} r WHERE {where})" if raw_exists else "0"
    return (
        "SELECT CAST(f.drop_date AS VARCHAR) AS drop_date, f.file, f.rows_landed, f.rows_loaded, f.rows_rejected,\n"
        '  f.rows_loaded + f.rows_rejected AS "rows_loaded+rows_rejected",\n'
        f"  {in_raw} AS rows_in_raw,\n"
        "  (SELECT count(*) FROM dq.rejected_rows q\n"
        "   WHERE q.extract = f.extract AND q.file = f.file AND q.drop_date = f.drop_date) AS rows_in_quarantine\n"
        "FROM dq.ingest_files f WHERE f.extract = ? ORDER BY f.drop_date, f.file"
    )


def reconciliation_suite(extract: Extract) -> gx.ExpectationSuite:
    """The suite that reconciles an extract's files: landed = loaded + rejected, each count
    matching raw and the quarantine."""
    return gx.ExpectationSuite(
        name=f"raw.{extract.name}.reconciliation",
        expectations=[
            _exp(
                gxe.ExpectColumnPairValuesToBeEqual,
                CRITICAL,
                "Every landed row was loaded or quarantined: landed = loaded + rejected.",
                column_A="rows_landed",
                column_B="rows_loaded+rows_rejected",
            ),
            _exp(
                gxe.ExpectColumnPairValuesToBeEqual,
                CRITICAL,
                "rows_loaded = the file's rows in raw (a snapshot file: the rows of its drop's snapshot).",
                column_A="rows_loaded",
                column_B="rows_in_raw",
            ),
            _exp(
                gxe.ExpectColumnPairValuesToBeEqual,
                CRITICAL,
                "rows_rejected = the file's rows in dq.rejected_rows.",
                column_A="rows_rejected",
                column_B="rows_in_quarantine",
            ),
        ],
    )


# ------------------------------------------------------------------------------- marts

IIN_LIKE_COLUMN = "invariant:iin_like_value"


@dataclass
class MartSpec:
    """A mart's suite as declared in expectations/marts/<mart>.json: description, the query it
    reads and its expectations."""

    mart: str
    description: str
    query: str
    expectations: list[dict]


def mart_names() -> list[str]:
    """The marts that have an expectations file."""
    return sorted(p.stem for p in (EXPECTATIONS_DIR / "marts").glob("*.json"))


@cache
def _mart_json(name: str) -> str:
    return (EXPECTATIONS_DIR / "marts" / f"{name}.json").read_text(encoding="utf-8")


def mart_spec(name: str) -> MartSpec:
    """A mart's spec; its query is the whole table unless the file gives one."""
    data = json.loads(_mart_json(name))
    query = data.get("query") or f"SELECT * FROM marts.{_q(name)}"
    return MartSpec(name, data.get("description", ""), query, data.get("expectations", []))


def _resolve(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("@contract."):
        return list(getattr(contract, value.removeprefix("@contract.")))
    if isinstance(value, dict):
        return {k: _resolve(v) for k, v in value.items()}
    return value


def _from_json(item: dict):
    cls_name = "".join(part.capitalize() for part in item["type"].split("_"))
    cls = getattr(gxe, cls_name)
    kwargs = _resolve(item.get("kwargs", {}))
    return _exp(cls, item.get("severity", CRITICAL), item.get("description"), **kwargs)


def mart_suite(spec: MartSpec) -> gx.ExpectationSuite:
    """A mart's GX suite: its expectations plus the invariant that no text value looks like an
    IIN."""
    exps = [_from_json(x) for x in spec.expectations]
    exps.append(
        _exp(
            gxe.ExpectColumnValuesToBeInSet,
            CRITICAL,
            "No value in any text column looks like an IIN (12 digits, a birth date, century digit, valid control digit).",
            column=IIN_LIKE_COLUMN,
            value_set=[False],
        )
    )
    return gx.ExpectationSuite(
        name=f"marts.{spec.mart}", expectations=exps, meta={"source": f"expectations/marts/{spec.mart}.json"}
    )
