"""Running the suites: DataFrames fetched from DuckDB (Arrow → pandas), validated by GX's
pandas datasource, one drop at a time; results as plain records for dq.check_results.

GX's SQL datasource on DuckDB is not used: DuckDB computes the batch (with the derived
columns of `suites.py`), GX only sees a DataFrame. GX's own HTML Data Docs are not built:
their pages load scripts, styles and a logo from the internet (a ministry network has
none) and print values unescaped. The report renders the same content from
dq.check_results instead (pipelines/quality/report.py, "Data Docs").
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import duckdb  # noqa: E402
import great_expectations as gx  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402
from great_expectations.core.run_identifier import RunIdentifier  # noqa: E402
from great_expectations.execution_engine import pandas_execution_engine as _gx_pandas  # noqa: E402

from pipelines import contract  # noqa: E402
from pipelines.masking import contains_iin  # noqa: E402
from pipelines.quality import suites  # noqa: E402

DATASOURCE = "warehouse"
MART_SLICE_ROWS = 500_000  # a mart is validated this many rows at a time
GX, DBT, CONTRACT, THRESHOLD = "gx", "dbt", "contract", "threshold"  # kinds of check in dq.check_results
# A 12-digit run that stands alone: inside a hex worker_key or another code it is chance.
_IIN_CANDIDATE = r"(^|[^0-9A-Za-z])\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[1-6]\d{5}([^0-9A-Za-z]|$)"

logging.getLogger("great_expectations").setLevel(logging.WARNING)
# GX hashes every DataFrame under 1 GB for a batch marker that nothing here reads (a batch
# is named by its extract and drop): at national scale the hashing is a large part of a drop's
# validation.
_gx_pandas.HASH_THRESHOLD = 0


@dataclass
class CheckRecord:
    """One check evaluated on one batch: a GX expectation, a dbt test, a model contract or
    a rejection threshold (`kind`)."""

    asset_key: str  # raw/enterprises, marts/guarantee_assignments
    suite: str  # GX suite; "dbt"; "rejection_thresholds"
    batch: str  # the drop date, "all drops", "mart", or "run" (dbt)
    expectation: str  # the expectation type, dbt test macro, "model_contract", "rejected_share"
    column: str | None
    severity: str  # critical | warning
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    observed_value: str | None
    details: str | None  # a few unexpected values, dbt's message, or the exception
    description: str | None
    kind: str = GX
    check_name: str | None = None  # the Dagster check; None: gx_critical / gx_warnings by severity
    arguments: str | None = None  # what was expected (GX kwargs, dbt test kwargs), JSON
    skipped: bool = False  # not run: dbt skips the tests of a model that failed to build

    @property
    def outcome(self) -> str:
        """The check's outcome: skipped, passed, or on failure failed (critical) or warned."""
        if self.skipped:
            return "skipped"
        return "passed" if self.success else ("failed" if self.severity == suites.CRITICAL else "warned")

    def as_dict(self) -> dict[str, Any]:
        """The record's fields as a dict."""
        return asdict(self)


# ------------------------------------------------------------------------- GX context

_context: Any = None
_definitions: dict[tuple, Any] = {}


def gx_context():
    """One in-memory GX context per process. Nothing of GX is kept on disk: the results are
    recorded in dq.check_results and rendered by the report, so a file-backed context would
    only rewrite its YAML on every suite, asset and definition added, slowing every step."""
    global _context
    if _context is None:
        _context = gx.get_context(mode="ephemeral")
        try:
            from great_expectations.data_context.types.base import ProgressBarsConfig

            _context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        except Exception:  # pragma: no cover - progress bars are cosmetic
            pass
        _context.data_sources.add_or_update_pandas(DATASOURCE)
    return _context


class Validator:
    """Validates DataFrames against suites in one GX context, under one run name."""

    def __init__(self, warehouse: Path, run_id: str):
        self.ctx = gx_context()
        self.run_id = run_id
        self.source = self.ctx.data_sources.get(DATASOURCE)

    def _definition(self, suite, asset_name: str):
        """The validation definition for (asset, suite), made once per process: a batch is
        the DataFrame passed when it runs."""
        cache_key = (asset_name, suite.name)
        if cache_key in _definitions:
            return _definitions[cache_key]
        stored_suite = self.ctx.suites.add_or_update(suite)
        try:
            asset = self.source.get_asset(asset_name)
        except LookupError:
            asset = self.source.add_dataframe_asset(asset_name)
        try:
            definition = asset.get_batch_definition("dataframe")
        except (KeyError, LookupError):
            definition = asset.add_batch_definition_whole_dataframe("dataframe")
        vd = self.ctx.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=f"{asset_name} :: {suite.name}", data=definition, suite=stored_suite)
        )
        _definitions[cache_key] = vd
        return vd

    def validate(
        self,
        asset_key: str,
        suite,
        asset_name: str,
        batch: str,
        frame: pd.DataFrame,
        params: dict[str, Any] | None = None,
    ) -> list[CheckRecord]:
        """Runs a suite on one batch (a DataFrame): a record per expectation, a raw row's file
        and line kept for failures."""
        vd = self._definition(suite, asset_name)
        run_id = RunIdentifier(run_name=self.run_id, run_time=dt.datetime.now(dt.UTC))
        result_format = {"result_format": "SUMMARY", "partial_unexpected_count": 5}
        # A raw row's file and line: a blocking failure names where to look, not only a value.
        located = [c for c in ("_file", "_line") if c in frame.columns]
        if located:
            result_format["unexpected_index_column_names"] = located
        result = vd.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=params or {},
            run_id=run_id,
            result_format=result_format,
        )
        _forget_batches(vd)
        return [_record(asset_key, suite.name, batch, r) for r in result.results]


def _forget_batches(vd) -> None:
    """GX's pandas execution engine keeps every batch it was given, for the life of the
    process: each drop of every extract would stay in memory until `lrm run` ends (at
    national scale, beside dbt's DuckDB). Its result is already taken."""
    manager = vd.data.data_asset.datasource.get_execution_engine().batch_manager
    manager.reset_batch_cache()
    manager.batch_data_cache.clear()
    manager._active_batch_data_id = None  # GX exposes no public reset for the data cache


def _jsonable(value: Any, limit: int = 500) -> str | None:
    if value is None:
        return None
    try:
        return json.dumps(value, default=str, ensure_ascii=False)[:limit]
    except Exception:
        return str(value)[:limit]


def _located(row: dict) -> str:
    """An unexpected value with where it landed: `file:line: value`."""
    value = {k: v for k, v in row.items() if k not in ("_file", "_line")}
    shown = next(iter(value.values())) if len(value) == 1 else value
    return f"{row.get('_file')}:{row.get('_line')}: {shown}"


# Arguments that name the batch or the column (shown apart), not what was expected.
NOT_ARGUMENTS = {"batch_id", "column", "column_list", "column_A", "column_B"}


def _record(asset_key: str, suite_name: str, batch: str, r) -> CheckRecord:
    cfg = r.expectation_config
    kwargs = cfg.kwargs
    column = (
        kwargs.get("column")
        or (",".join(kwargs["column_list"]) if kwargs.get("column_list") else None)
        or (f"{kwargs['column_A']} = {kwargs['column_B']}" if kwargs.get("column_A") else None)
    )
    res = r.result or {}
    exc = r.exception_info or {}
    raised = exc.get("raised_exception") if isinstance(exc, dict) else getattr(exc, "raised_exception", False)
    details = None
    if raised:
        details = "exception: " + str(exc.get("exception_message") if isinstance(exc, dict) else exc)[:500]
    elif res.get("partial_missing_list"):
        details = "missing: " + (_jsonable(res["partial_missing_list"]) or "")
    elif res.get("partial_unexpected_index_list") and isinstance(res["partial_unexpected_index_list"][0], dict):
        # rows with their _file/_line (raw batches); a frame without them has bare positions
        details = _jsonable([_located(row) for row in res["partial_unexpected_index_list"]])
    elif res.get("partial_unexpected_list"):
        details = _jsonable(res["partial_unexpected_list"])
    elif not r.success and "observed_value" in res and "details" in res:
        details = _jsonable(res.get("details"))
    severity = getattr(cfg, "severity", None)
    severity = getattr(severity, "value", severity) or suites.CRITICAL
    return CheckRecord(
        asset_key=asset_key,
        suite=suite_name,
        batch=batch,
        expectation=cfg.type,
        column=column,
        severity=str(severity),
        success=bool(r.success) and not raised,
        element_count=res.get("element_count"),
        unexpected_count=res.get("unexpected_count", res.get("missing_count")),
        unexpected_percent=res.get("unexpected_percent"),
        observed_value=_jsonable(res.get("observed_value")),
        details=details,
        description=cfg.description,
        arguments=_jsonable({k: v for k, v in kwargs.items() if k not in NOT_ARGUMENTS and v is not None}, 2000),
    )


# ------------------------------------------------------------------------------- raw


def _raw_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = ?", [name]
        ).fetchall()[0][0]
    )


def drops_to_check(con: duckdb.DuckDBPyConnection, extract_name: str, drop_range: tuple[str, str] | None) -> list[str]:
    """The drops of an extract a run checks: FIRST..LAST (every loaded drop when None), and
    every unsettled drop (`_passed_drops`)."""
    drops = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT CAST(drop_date AS VARCHAR) FROM dq.ingest_files WHERE extract = ? ORDER BY 1",
            [extract_name],
        ).fetchall()
    ]
    if drop_range is None:
        return drops
    passed = _passed_drops(con, f"raw/{extract_name}")
    return [d for d in drops if drop_range[0] <= d <= drop_range[1] or d not in passed]


def validate_raw(
    con: duckdb.DuckDBPyConnection, validator: Validator, extract_name: str, checked: list[str]
) -> list[CheckRecord]:
    """The drops `checked` (`drops_to_check`) of raw.<extract>, a drop at a time; then the
    extract's row-count reconciliation over every drop. Any other drop passed when the run
    that loaded it checked it: only its size and dimension values are read here, as the
    drift baseline of the next drop."""
    spec = suites.raw_spec(extract_name)
    extract = spec.extract
    asset_key = f"raw/{extract_name}"
    files = con.execute(
        "SELECT CAST(drop_date AS VARCHAR), sum(rows_loaded) - sum(coalesce(rows_unchanged, 0)) FROM dq.ingest_files "
        "WHERE extract = ? GROUP BY 1 ORDER BY 1",
        [extract_name],
    ).fetchall()
    records: list[CheckRecord] = []
    if not files:
        return records
    exists = _raw_exists(con, extract_name)
    for drop in checked:
        records += enforced_records(con, spec, drop)
    if exists:
        present = _raw_columns(con, extract.name)
        records += [_columns_record(extract, present, drop) for drop in checked]
        suite = suites.raw_suite(spec)
        sql = suites.raw_batch_sql(spec, suites.suite_columns(suite))
        drift_sql = suites.drift_batch_sql(spec)
        snapshot = suites.snapshot_suite(spec) if extract.kind == "snapshot" else None
        previous: dict[str, Any] | None = None
        selected = [drop in checked for drop, _ in files]
        for i, (drop, added) in enumerate(files):
            if not selected[i]:
                next_selected = i + 1 < len(files) and selected[i + 1]
                previous = _drop_baseline(con, spec, drift_sql, drop) if next_selected else None
                continue
            df = _batch(con, sql, drop)
            params = {"rows_added": int(added or 0)}
            if snapshot is None:
                params.update(suites.drift_parameters(spec, previous))
            records += validator.validate(asset_key, suite, f"raw.{extract_name}", drop, df, params)
            if snapshot is not None:
                del df
                df = _batch(con, drift_sql, drop)
                records += validator.validate(
                    asset_key,
                    snapshot,
                    f"raw.{extract_name} snapshot",
                    drop,
                    df,
                    suites.drift_parameters(spec, previous),
                )
            previous = {"rows": len(df)}
            for dim in spec.dimensions:
                previous[f"dim:{dim}"] = {v for v in df[f"dim:{dim}"].dropna().unique().tolist()}
            del df
    recon = con.sql(suites.reconciliation_sql(extract, exists), params=[extract_name]).to_arrow_table()
    records += validator.validate(
        asset_key,
        suites.reconciliation_suite(extract),
        f"raw.{extract_name} reconciliation",
        "all drops",
        recon.to_pandas(),
    )
    return records


def _batch(con: duckdb.DuckDBPyConnection, sql: str, drop: str) -> pd.DataFrame:
    """A raw batch as pandas, where each row landed and the drift dimensions as categories: a
    drop's rows repeat a few files, regions and sections, and GX reads them alike."""
    import pyarrow as pa

    table = con.sql(sql, params=[drop]).to_arrow_table()
    columns = [
        col.dictionary_encode()
        if (name == "_file" or name.startswith("dim:")) and pa.types.is_string(col.type)
        else col
        for name, col in zip(table.column_names, table.columns)
    ]
    return pa.table(columns, names=table.column_names).to_pandas()


def enforced_records(con: duckdb.DuckDBPyConnection, spec: suites.RawSpec, drop: str) -> list[CheckRecord]:
    """The contract's row rules as ingestion enforced them on one drop: per expectation
    (`suites.enforced_expectations`), the landed rows and those quarantined under it, read
    from dq.ingest_files and dq.rejected_rows, with where the first few landed. A row counts
    under the first rule it broke. References are left to the raw suite, which checks them
    across drops."""
    extract = spec.extract
    landed = con.execute(
        "SELECT coalesce(sum(rows_landed), 0) FROM dq.ingest_files WHERE extract = ? AND drop_date = CAST(? AS DATE)",
        [extract.name, drop],
    ).fetchall()[0][0]
    expectations = suites.enforced_expectations(extract, dt.date.fromisoformat(drop))
    by_reason = {reason: i for i, e in enumerate(expectations) for reason in e.reasons}
    shape = next(i for i, e in enumerate(expectations) if e.shape)
    counts = [0] * len(expectations)
    where: list[list[str]] = [[] for _ in expectations]
    for column, reason, n, located in con.execute(
        "SELECT \"column\", reason, count(*), list(file || ':' || line ORDER BY file, line)[1:5] "
        "FROM dq.rejected_rows WHERE extract = ? AND drop_date = CAST(? AS DATE) GROUP BY ALL ORDER BY 1, 2",
        [extract.name, drop],
    ).fetchall():
        i = by_reason.get(reason)
        if i is None and column == "*" and reason.startswith("bad_format:"):
            i = shape  # the reader's message names the field counts
        if i is not None:
            counts[i] += n
            where[i] = (where[i] + located)[:5]
    return [
        CheckRecord(
            asset_key=f"raw/{extract.name}",
            suite=f"raw.{extract.name}",
            batch=drop,
            expectation=e.type,
            column=e.column,
            severity=suites.CRITICAL,
            success=True,
            element_count=landed,
            unexpected_count=n,
            unexpected_percent=100.0 * n / landed if landed else 0.0,
            observed_value=_jsonable(f"enforced at ingestion: {n} of {landed} landed rows quarantined"),
            details=_jsonable(where[i]) if n else None,
            description=e.description,
            arguments=_jsonable({k: v for k, v in e.arguments.items() if k not in NOT_ARGUMENTS}, 2000),
        )
        for i, (e, n) in enumerate(zip(expectations, counts))
    ]


def _raw_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ? "
            "ORDER BY ordinal_position",
            [name],
        ).fetchall()
    ]


def _columns_record(extract: contract.Extract, present: list[str], drop: str) -> CheckRecord:
    """Every contract column is in raw (`present`: the table's own columns; ingestion writes
    raw only with the contract's columns)."""
    expected = [extract.raw_column(c) for c in extract.column_names] + list(suites.META_COLUMNS)
    missing = [c for c in expected if c not in present]
    return CheckRecord(
        asset_key=f"raw/{extract.name}",
        suite=f"raw.{extract.name}",
        batch=drop,
        expectation="expect_table_columns_to_match_set",
        column=None,
        severity=suites.CRITICAL,
        success=not missing,
        element_count=None,
        unexpected_count=len(missing),
        unexpected_percent=None,
        observed_value=_jsonable(present),
        details=("missing: " + (_jsonable(missing) or "")) if missing else None,
        description="Every contract column is in raw (IIN columns as worker_key), with _drop_date, _file, _line.",
        arguments=_jsonable({"column_set": expected, "exact_match": False}, 2000),
    )


def _passed_drops(con: duckdb.DuckDBPyConnection, asset_key: str) -> set[str]:
    """Drops whose latest check passed every critical check. Any other loaded drop is
    unsettled: its run was blocked, or killed before checking it, and its rows are still in
    raw, where event staging would merge them with the next drop. It is checked again, and
    blocks again, until a corrected drop is loaded or the drop is removed."""
    return {
        r[0]
        for r in con.execute(
            """
        SELECT batch FROM dq.check_results WHERE asset_key = ?
        GROUP BY batch, checked_at
        QUALIFY checked_at = max(checked_at) OVER (PARTITION BY batch)
            AND bool_and(success) FILTER (WHERE severity = ?)
    """,
            [asset_key, suites.CRITICAL],
        ).fetchall()
    }


def _drop_baseline(con: duckdb.DuckDBPyConnection, spec: suites.RawSpec, batch_sql: str, drop: str) -> dict[str, Any]:
    """What drift_parameters needs of a drop (batch_sql: `suites.drift_batch_sql`), without fetching it."""
    baseline: dict[str, Any] = {"rows": con.sql(f"SELECT count(*) FROM ({batch_sql})", params=[drop]).fetchall()[0][0]}
    for dim in spec.dimensions:
        column = '"dim:' + dim + '"'
        baseline[f"dim:{dim}"] = {
            r[0]
            for r in con.sql(
                f"SELECT DISTINCT {column} FROM ({batch_sql}) WHERE {column} IS NOT NULL", params=[drop]
            ).fetchall()
        }
    return baseline


# ------------------------------------------------------------------------------ marts


def mart_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True when marts.<name> is in the warehouse."""
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' AND table_name = ?", [name]
        ).fetchall()[0][0]
    )


def add_iin_like_column(table) -> pl.DataFrame:
    """The marker column for the mart-wide invariant "no IIN-looking value anywhere"."""
    frame = pl.from_arrow(table)
    text_cols = [c for c, t in frame.schema.items() if t == pl.String]
    flag = pl.lit(False)
    if text_cols and frame.height:
        candidates = pl.any_horizontal(pl.col(c).str.contains(_IIN_CANDIDATE).fill_null(False) for c in text_cols)
        suspect = frame.with_row_index("_i").filter(candidates)
        hits: set[int] = set()
        for row in suspect.iter_rows(named=True):
            if any(isinstance(row[c], str) and contains_iin(row[c]) for c in text_cols):
                hits.add(row["_i"])
        return (
            frame.with_row_index("_i")
            .with_columns(pl.col("_i").is_in(list(hits)).alias(suites.IIN_LIKE_COLUMN))
            .drop("_i")
        )
    return frame.with_columns(flag.alias(suites.IIN_LIKE_COLUMN))


def validate_mart(con: duckdb.DuckDBPyConnection, validator: Validator, mart: str) -> list[CheckRecord]:
    """Runs a mart's suite on its rows, MART_SLICE_ROWS at a time so memory does not grow with
    the mart: a row-by-row expectation's counts are added up over the slices into one record
    for the mart; an expectation on a whole column (a mean, a row count) keeps a record per
    slice, named by it. Uniqueness is then checked within each slice (the mart's dbt tests
    check it across the table)."""
    import pyarrow as pa

    spec = suites.mart_spec(mart)
    suite = suites.mart_suite(spec)
    asset_key = f"marts/{mart}"
    slices: list[list[CheckRecord]] = []
    cursor = con.cursor()
    try:
        reader = cursor.sql(spec.query).to_arrow_reader(MART_SLICE_ROWS)
        for batch in reader:
            df = add_iin_like_column(pa.Table.from_batches([batch])).to_pandas()
            slices.append(validator.validate(asset_key, suite, f"marts.{mart}", "mart", df))
            del df
        if not slices:  # an empty mart is still validated (row counts, columns)
            df = add_iin_like_column(reader.schema.empty_table()).to_pandas()
            slices.append(validator.validate(asset_key, suite, f"marts.{mart}", "mart", df))
    finally:
        cursor.close()
    return merge_slices(slices)


def merge_slices(slices: list[list[CheckRecord]]) -> list[CheckRecord]:
    """One record per expectation for a mart validated in slices (each slice's records in the
    suite's order): counts added up, failed if any slice failed, the first examples kept. An
    expectation without row counts cannot be added up: its records stay, one per slice."""
    if len(slices) == 1:
        return slices[0]
    merged: list[CheckRecord] = []
    for same in zip(*slices):
        if any(r.element_count is None or r.unexpected_count is None for r in same):
            merged += [replace(r, batch=f"slice {i + 1}") for i, r in enumerate(same)]
            continue
        rows = sum(r.element_count for r in same)
        bad = sum(r.unexpected_count for r in same)
        failing = [r for r in same if not r.success]
        merged.append(
            replace(
                same[0],
                success=not failing,
                element_count=rows,
                unexpected_count=bad,
                unexpected_percent=100.0 * bad / rows if rows else 0.0,
                details=(failing or list(same))[0].details,
                observed_value=(failing or list(same))[0].observed_value,
            )
        )
    return merged


def summarise(records: list[CheckRecord]) -> dict[str, int]:
    """The number of records per outcome: passed, warned, failed, and skipped if any."""
    out = {"passed": 0, "warned": 0, "failed": 0}
    for r in records:
        out[r.outcome] = out.get(r.outcome, 0) + 1
    return out


__all__ = [
    "CheckRecord",
    "Validator",
    "drops_to_check",
    "validate_raw",
    "validate_mart",
    "mart_exists",
    "summarise",
    "contract",
]
