"""The GX suites: raw suites derived from the landing contract, mart suites from expectations/.

A raw suite is the contract (pipelines/contract.py) restated as expectations on one drop of
raw.<extract>, plus what expectations/raw/<extract>.json adds (drift against the previous
drop, extra expectations). Nothing here keeps its own column list: every column, type,
domain, key and reference comes from `contract.EXTRACTS`.

A drop's rows in raw are what it added: an event drop's rows, or the rows a snapshot drop
changed or added (raw keeps a snapshot as versions). A snapshot's drift and key are
checked on the whole snapshot of the drop (`snapshot_suite`), since that is what drifts.

Values in raw are VARCHAR as landed. The batch query (`raw_batch_sql`) adds derived
columns that GX can check with its standard expectations — `<col>:number` (the typed
value), `<col>:parses`, `<col>:in_window`, `<col>:checksum_ok`, `ref:<extract>`,
`row:<rule>`, `dim:<dimension>` — computed in DuckDB, independently of the ingestion code.
"""

from __future__ import annotations

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


def id_ok_macro_sql() -> str:
    """BIN/IIN control digit (docs/law_and_models.md §9) as a DuckDB macro: a second implementation,
    in SQL, of the rule the ingestion applies in Polars."""
    d = [f"CAST(substr(v, {i + 1}, 1) AS INTEGER)" for i in range(12)]
    s1 = " + ".join(f"{d[i]} * {w}" for i, w in enumerate(range(1, 12)))
    s2 = " + ".join(f"{d[i]} * {w}" for i, w in enumerate((3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)))
    return (
        "CREATE OR REPLACE TEMP MACRO lrm_id_ok(v) AS CASE WHEN v IS NULL THEN NULL "
        "WHEN NOT regexp_full_match(v, '[0-9]{12}') THEN false "
        f"WHEN ({s1}) % 11 <> 10 THEN ({s1}) % 11 = {d[11]} "
        f"WHEN ({s2}) % 11 <> 10 THEN ({s2}) % 11 = {d[11]} ELSE false END"
    )


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


def raw_batch_sql(spec: RawSpec) -> str:
    """The rows one drop added to raw.<extract> (parameter: the drop date) with the derived columns."""
    extract = spec.extract
    derived: list[str] = []
    for col in extract.columns:
        v = f"t.{_q(extract.raw_column(col.name))}"
        if col.type in ("int", "decimal"):
            sql_type = "BIGINT" if col.type == "int" else "DOUBLE"
            derived.append(f"TRY_CAST(trim({v}) AS {sql_type}) AS {_q(col.name + ':number')}")
            derived.append(
                f"({v} IS NULL OR TRY_CAST(trim({v}) AS {sql_type}) IS NOT NULL) AS {_q(col.name + ':parses')}"
            )
        elif col.type == "date":
            parsed = f"TRY_STRPTIME({v}, '%Y-%m-%d')"
            derived.append(f"({v} IS NULL OR {parsed} IS NOT NULL) AS {_q(col.name + ':parses')}")
            derived.append(
                f"CASE WHEN {parsed} IS NULL THEN NULL ELSE CAST({parsed} AS DATE) BETWEEN DATE {_lit(contract.MIN_DATE)} "
                f"AND t._drop_date + INTERVAL {col.max_future_days} DAY END AS {_q(col.name + ':in_window')}"
            )
        elif col.type == "bin":
            derived.append(f"lrm_id_ok({v}) AS {_q(col.name + ':checksum_ok')}")
    for ref in extract.references:
        cond = " AND ".join(f"r.{_q(tc)} = t.{_q(c)}" for c, tc in zip(ref.columns, ref.target_columns))
        nulls = " OR ".join(f"t.{_q(c)} IS NULL" for c in ref.columns)
        derived.append(
            f"CASE WHEN {nulls} THEN NULL ELSE EXISTS (SELECT 1 FROM raw.{_q(ref.extract)} r WHERE {cond} "
            f"AND r._drop_date <= t._drop_date) END AS {_q(_ref_column(ref))}"
        )
    for check in extract.checks:
        if check == "oked_section":
            derived.append(f"{_section_sql('oked')} AS {_q('oked:section')}")
        elif check == "kato_region":
            derived.append(f"substr(t.kato, 1, 2) AS {_q('kato:region')}")
        elif check == "end_after_start":
            derived.append(
                "CASE WHEN t.end_date IS NULL THEN NULL ELSE TRY_CAST(t.end_date AS DATE) >= TRY_CAST(t.start_date AS DATE) END "
                f"AS {_q('row:end_after_start')}"
            )
        elif check == "class_or_measure":
            stated = ", ".join(_lit(f) for f in contract.STATED_CLASS_FACTORS)
            derived.append(
                f"(t.class IS NOT NULL OR (t.factor NOT IN ({stated}) AND t.measured IS NOT NULL AND t.limit_value IS NOT NULL)) "
                f"AS {_q('row:class_or_measure')}"
            )
    if extract.kind == "event":  # a snapshot drifts as a whole: snapshot_batch_sql
        for dim in spec.dimensions:
            derived.append(f"{dimension_sql(extract, dim)} AS {_q('dim:' + dim)}")
    select = ",\n  ".join(["t.*", *derived])
    return f"SELECT\n  {select}\nFROM raw.{_q(extract.name)} t\nWHERE t._drop_date = CAST(? AS DATE)\nORDER BY t._line"


def _ref_column(ref: contract.Reference) -> str:
    return f"ref:{ref.extract}({','.join(ref.columns)})"


def _exp(cls, severity: str, description: str | None = None, **kwargs):
    return (
        cls(severity=severity, description=description, **kwargs) if description else cls(severity=severity, **kwargs)
    )


def raw_suite(spec: RawSpec) -> gx.ExpectationSuite:
    """The suite for the rows one drop added to raw.<extract>. Parameters: rows_added (from
    dq.ingest_files), and for an event extract, per drift check the previous drop's values
    (see `drift_parameters`)."""
    e = spec.extract
    exps: list = [
        _exp(
            gxe.ExpectTableColumnsToMatchSet,
            CRITICAL,
            "Every contract column is in raw (IIN columns as worker_key), with _drop_date, _file, _line.",
            column_set=[e.raw_column(c) for c in e.column_names] + list(META_COLUMNS),
            exact_match=False,
        ),
        _exp(
            gxe.ExpectTableRowCountToEqual,
            CRITICAL,
            "Rows this drop added to raw = rows_loaded − rows_unchanged recorded in dq.ingest_files "
            "(a snapshot keeps its rows that did not change since the previous drop as they were).",
            value={"$PARAMETER": "rows_added"},
        ),
    ]
    for col in e.columns:
        name = e.raw_column(col.name)
        if col.required:
            exps.append(_exp(gxe.ExpectColumnValuesToNotBeNull, CRITICAL, column=name))
        if col.type == "iin":
            exps.append(
                _exp(
                    gxe.ExpectColumnValuesToMatchRegex,
                    CRITICAL,
                    f"{col.name} is pseudonymised: a 32-hex worker_key, never an IIN.",
                    column=name,
                    regex=r"^[0-9a-f]{32}$",
                )
            )
        elif col.type == "bin":
            exps.append(_exp(gxe.ExpectColumnValuesToMatchRegex, CRITICAL, column=name, regex=r"^[0-9]{12}$"))
            exps.append(
                _exp(
                    gxe.ExpectColumnValuesToBeInSet,
                    CRITICAL,
                    f"{col.name}: valid BIN control digit (docs/law_and_models.md §9).",
                    column=f"{col.name}:checksum_ok",
                    value_set=[True],
                )
            )
        elif col.type == "date":
            exps.append(
                _exp(gxe.ExpectColumnValuesToMatchRegex, CRITICAL, column=name, regex=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
            )
            exps.append(
                _exp(
                    gxe.ExpectColumnValuesToBeInSet,
                    CRITICAL,
                    f"{col.name} is a real calendar date.",
                    column=f"{col.name}:parses",
                    value_set=[True],
                )
            )
            exps.append(
                _exp(
                    gxe.ExpectColumnValuesToBeInSet,
                    CRITICAL,
                    f"{col.name} between {contract.MIN_DATE} and {col.max_future_days} days after the drop.",
                    column=f"{col.name}:in_window",
                    value_set=[True],
                )
            )
        elif col.type in ("int", "decimal"):
            exps.append(
                _exp(
                    gxe.ExpectColumnValuesToBeInSet,
                    CRITICAL,
                    f"{col.name} parses as {'a whole number' if col.type == 'int' else 'a number'}.",
                    column=f"{col.name}:parses",
                    value_set=[True],
                )
            )
            if col.min_value is not None or col.max_value is not None:
                exps.append(
                    _exp(
                        gxe.ExpectColumnValuesToBeBetween,
                        CRITICAL,
                        column=f"{col.name}:number",
                        min_value=col.min_value,
                        max_value=col.max_value,
                    )
                )
        elif col.type == "bool":
            exps.append(_exp(gxe.ExpectColumnValuesToMatchRegex, CRITICAL, column=name, regex=r"^(?i:true|false)$"))
        elif col.type == "month":
            exps.append(
                _exp(gxe.ExpectColumnValuesToMatchRegex, CRITICAL, column=name, regex=r"^[0-9]{4}-(0[1-9]|1[0-2])$")
            )
        if col.length is not None or col.digits:
            pattern = (
                rf"^[0-9]{{{col.length}}}$"
                if col.digits and col.length
                else (r"^[0-9]+$" if col.digits else rf"^.{{{col.length}}}$")
            )
            exps.append(_exp(gxe.ExpectColumnValuesToMatchRegex, CRITICAL, column=name, regex=pattern))
        if col.domain is not None:
            exps.append(_exp(gxe.ExpectColumnValuesToBeInSet, CRITICAL, column=name, value_set=list(col.domain)))
    key = [e.raw_column(k) for k in e.key]
    if len(key) == 1:
        exps.append(
            _exp(gxe.ExpectColumnValuesToBeUnique, CRITICAL, f"Key {key[0]} is unique within the drop.", column=key[0])
        )
    else:
        exps.append(
            _exp(
                gxe.ExpectCompoundColumnsToBeUnique,
                CRITICAL,
                f"Key ({', '.join(key)}) is unique within the drop.",
                column_list=key,
            )
        )
    for ref in e.references:
        exps.append(
            _exp(
                gxe.ExpectColumnValuesToBeInSet,
                CRITICAL,
                f"({', '.join(ref.columns)}) is a {ref.extract} row of this drop or an earlier one.",
                column=_ref_column(ref),
                value_set=[True],
            )
        )
    for check in e.checks:
        if check == "oked_section":
            exps.append(
                _exp(
                    gxe.ExpectColumnValuesToNotBeNull,
                    CRITICAL,
                    "oked's first two digits are an OKED division.",
                    column="oked:section",
                )
            )
        elif check == "kato_region":
            exps.append(
                _exp(
                    gxe.ExpectColumnValuesToBeInSet,
                    CRITICAL,
                    "kato's first two digits are a region code.",
                    column="kato:region",
                    value_set=list(contract.REGION_CODES),
                )
            )
        elif check == "region_known":
            exps.append(
                _exp(gxe.ExpectColumnValuesToBeInSet, CRITICAL, column="region", value_set=list(contract.REGION_CODES))
            )
        elif check == "factor_known":
            exps.append(
                _exp(gxe.ExpectColumnValuesToBeInSet, CRITICAL, column="factor", value_set=list(contract.FACTOR_CODES))
            )
        elif check == "end_after_start":
            exps.append(
                _exp(
                    gxe.ExpectColumnValuesToBeInSet,
                    CRITICAL,
                    "end_date ≥ start_date.",
                    column="row:end_after_start",
                    value_set=[True],
                )
            )
        elif check == "class_or_measure":
            exps.append(
                _exp(
                    gxe.ExpectColumnValuesToBeInSet,
                    CRITICAL,
                    "A stated-class factor has a class; a measured one has measured and limit_value, or a class.",
                    column="row:class_or_measure",
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
    return snapshot_batch_sql(spec) if spec.extract.kind == "snapshot" else raw_batch_sql(spec)


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
