"""The history of runs in dq tables, so a quality trend is one SQL query away. Every
table is keyed by run_id (a failed run's rows are copied back after its warehouse is
restored, so the history keeps it); timestamps are TIMESTAMPTZ.

- dq.run_history: one row per run (run id, when, code version, as-of, rule-seed versions,
  counts of checks, status and why, report page). The status is `running` until the run
  ends; then its real outcome (`outcome`): passed, passed with warnings, blocked (a
  blocking check failed) or failed (a step failed: an unreadable file, a dbt error …).
- dq.check_results: every check evaluated in a run — GX expectations, dbt tests and unit
  tests, dbt model contracts, rejection thresholds (`check_kind`).
- dq.run_ingest_files / dq.run_rejections: the ingestion counts as they were in that run
  (dq.ingest_files and dq.rejected_rows only hold the current state).
- dq.run_rejected_rows: the rejected rows of the drops a run checked (up to
  REJECTED_ROWS_KEPT per file), as the auditor's report lists them.
- dq.run_landing_issues: folders and files of the landing directory not loaded, and why.
- dq.run_published: the tables a run published, with their rows.

Example trend: SELECT r.started_at, c.asset_key, count(*) FILTER (NOT c.success)
  FROM dq.check_results c JOIN dq.run_history r USING (run_id) GROUP BY ALL ORDER BY 1;
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines import REPO_ROOT
from pipelines.masking import mask_iins
from pipelines.quality.runner import GX, THRESHOLD, CheckRecord

RUNNING, PASSED, PASSED_WITH_WARNINGS, BLOCKED, FAILED = (
    "running",
    "passed",
    "passed with warnings",
    "blocked",
    "failed",
)
REJECTED_ROWS_KEPT = 1_000  # per file and run; dq.rejected_rows holds them all while the drop is current

HISTORY_TABLES = {
    "run_history": """run_id VARCHAR PRIMARY KEY, started_at TIMESTAMPTZ, updated_at TIMESTAMPTZ,
        code_version VARCHAR, as_of DATE, landing_dir VARCHAR, seed_versions VARCHAR,
        expectations_passed BIGINT, expectations_warned BIGINT, expectations_failed BIGINT,
        status VARCHAR, report_page VARCHAR, finished_at TIMESTAMPTZ, status_reasons VARCHAR,
        checks_passed BIGINT, checks_warned BIGINT, checks_failed BIGINT, checks_skipped BIGINT""",
    "check_results": """run_id VARCHAR, checked_at TIMESTAMPTZ, asset_key VARCHAR, check_name VARCHAR,
        suite VARCHAR, batch VARCHAR, expectation VARCHAR, "column" VARCHAR, severity VARCHAR,
        success BOOLEAN, outcome VARCHAR, element_count BIGINT, unexpected_count BIGINT,
        unexpected_percent DOUBLE, observed_value VARCHAR, details VARCHAR, description VARCHAR,
        check_kind VARCHAR, arguments VARCHAR""",
    "run_ingest_files": """run_id VARCHAR, recorded_at TIMESTAMPTZ, extract VARCHAR, drop_date DATE, file VARCHAR,
        rows_landed BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, rows_unchanged BIGINT""",
    "run_rejections": """run_id VARCHAR, extract VARCHAR, drop_date DATE, reason_code VARCHAR, rows BIGINT""",
    "run_rejected_rows": """run_id VARCHAR, extract VARCHAR, drop_date DATE, file VARCHAR, line BIGINT,
        "column" VARCHAR, reason VARCHAR, raw_record VARCHAR""",
    "run_landing_issues": """run_id VARCHAR, path VARCHAR, issue VARCHAR""",
    "run_published": """run_id VARCHAR, published_at TIMESTAMPTZ, table_name VARCHAR, rows BIGINT, location VARCHAR""",
}
# Columns added since the first history tables, and timestamps once written without a zone.
_ADDED_COLUMNS = {
    "run_history": [
        "finished_at TIMESTAMPTZ",
        "status_reasons VARCHAR",
        "checks_passed BIGINT",
        "checks_warned BIGINT",
        "checks_failed BIGINT",
        "checks_skipped BIGINT",
    ],
    "check_results": ["check_kind VARCHAR", "arguments VARCHAR"],
    "run_ingest_files": ["rows_unchanged BIGINT"],
}
_TIMESTAMPS = {
    "run_history": ["started_at", "updated_at"],
    "check_results": ["checked_at"],
    "run_ingest_files": ["recorded_at"],
}
_CHECK_COLUMNS = [
    "run_id",
    "checked_at",
    "asset_key",
    "check_name",
    "suite",
    "batch",
    "expectation",
    "column",
    "severity",
    "success",
    "outcome",
    "element_count",
    "unexpected_count",
    "unexpected_percent",
    "observed_value",
    "details",
    "description",
    "check_kind",
    "arguments",
]


def ensure_history(con: duckdb.DuckDBPyConnection) -> None:
    """Creates the dq history tables if missing and brings older ones up to date (added columns,
    zoned timestamps)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS dq")
    for name, columns in HISTORY_TABLES.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS dq.{name} ({columns})")
    for name, added in _ADDED_COLUMNS.items():
        for column in added:
            con.execute(f"ALTER TABLE dq.{name} ADD COLUMN IF NOT EXISTS {column}")
    # History written before timestamps carried their zone: the naive values were the
    # writer's local time, which is how DuckDB reads them into TIMESTAMPTZ.
    for name, columns in _TIMESTAMPS.items():
        for column in columns:
            kind = con.execute(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = 'dq' "
                "AND table_name = ? AND column_name = ?",
                [name, column],
            ).fetchall()[0][0]
            if kind == "TIMESTAMP":
                con.execute(f"ALTER TABLE dq.{name} ALTER COLUMN {column} TYPE TIMESTAMPTZ")
    con.execute("UPDATE dq.check_results SET check_kind = ? WHERE check_kind IS NULL", [GX])


def now() -> dt.datetime:
    """The current time in UTC, zoned."""
    return dt.datetime.now(dt.UTC)


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """The git commit (with "+modified" when the tree has changes), else the package version."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        if head:
            return f"git {head}{'+modified' if dirty else ''}"
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return "labour-risk-map " + importlib.metadata.version("labour-risk-map")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def seed_versions(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """The rule-seed versions in force: max(valid_from) of every seed table in schema reference."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'reference' "
            "AND column_name = 'valid_from' ORDER BY 1"
        ).fetchall()
    ]
    out: dict[str, str | None] = {}
    for t in tables:
        value = con.execute(f'SELECT CAST(max(valid_from) AS VARCHAR) FROM reference."{t}"').fetchall()[0][0]
        out[t] = value
    return out


def _insert_checks(
    con: duckdb.DuckDBPyConnection, run_id: str, records: list[CheckRecord], check_names: dict[str, str]
) -> None:
    at = now()
    rows = [
        (
            run_id,
            at,
            r.asset_key,
            r.check_name or check_names[r.severity],
            r.suite,
            r.batch,
            r.expectation,
            r.column,
            r.severity,
            r.success,
            r.outcome,
            r.element_count,
            r.unexpected_count,
            r.unexpected_percent,
            r.observed_value,
            r.details and mask_iins(r.details),
            r.description,
            r.kind,
            r.arguments,
        )
        for r in records
    ]
    if rows:
        columns = ", ".join(f'"{c}"' for c in _CHECK_COLUMNS)
        con.executemany(
            f"INSERT INTO dq.check_results ({columns}) VALUES ({', '.join('?' * len(_CHECK_COLUMNS))})", rows
        )


def record_checks(
    con: duckdb.DuckDBPyConnection, run_id: str, asset_key: str, records: list[CheckRecord], check_names: dict[str, str]
) -> None:
    """Replaces this run's results of one asset's check step, GX and rejection thresholds (a
    re-executed check step does not double them; the asset's dbt tests stay). check_names:
    the check of a record without its own, by severity."""
    con.execute(
        "DELETE FROM dq.check_results WHERE run_id = ? AND asset_key = ? AND check_kind IN (?, ?)",
        [run_id, asset_key, GX, THRESHOLD],
    )
    _insert_checks(con, run_id, records, check_names)


def record_dbt_checks(con: duckdb.DuckDBPyConnection, run_id: str, records: list[CheckRecord]) -> None:
    """Replaces this run's dbt results (a retried dbt step does not double them)."""
    con.execute("DELETE FROM dq.check_results WHERE run_id = ? AND suite = 'dbt'", [run_id])
    _insert_checks(con, run_id, records, {})


def record_ingest(con: duckdb.DuckDBPyConnection, run_id: str, extract: str, checked: list[str]) -> None:
    """The extract's ingestion as it stands (every drop), and the rejected rows of the drops
    this run checked."""
    for table in ("run_ingest_files", "run_rejections", "run_rejected_rows"):
        con.execute(f"DELETE FROM dq.{table} WHERE run_id = ? AND extract = ?", [run_id, extract])
    con.execute(
        "INSERT INTO dq.run_ingest_files BY NAME SELECT ? AS run_id, now() AS recorded_at, extract, drop_date, file, "
        "rows_landed, rows_loaded, rows_rejected, rows_unchanged "
        "FROM dq.ingest_files WHERE extract = ?",
        [run_id, extract],
    )
    con.execute(
        "INSERT INTO dq.run_rejections SELECT ?, extract, drop_date, split_part(reason, ':', 1), count(*) "
        "FROM dq.rejected_rows WHERE extract = ? GROUP BY ALL",
        [run_id, extract],
    )
    con.execute(
        'INSERT INTO dq.run_rejected_rows SELECT ?, extract, drop_date, file, line, "column", reason, raw_record '
        "FROM dq.rejected_rows WHERE extract = ? AND CAST(drop_date AS VARCHAR) IN (SELECT unnest(?)) "
        "QUALIFY row_number() OVER (PARTITION BY file, drop_date ORDER BY line) <= ?",
        [run_id, extract, checked, REJECTED_ROWS_KEPT],
    )


def record_landing_issues(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Copies dq.landing_issues into the run's history, replacing any rows the run had."""
    con.execute("DELETE FROM dq.run_landing_issues WHERE run_id = ?", [run_id])
    con.execute("INSERT INTO dq.run_landing_issues SELECT ?, path, issue FROM dq.landing_issues", [run_id])


def record_published(con: duckdb.DuckDBPyConnection, run_id: str, tables: dict[str, int], location: Path) -> None:
    """Records what the run published: each table's rows and the copy's location."""
    con.execute("DELETE FROM dq.run_published WHERE run_id = ?", [run_id])
    at = now()
    con.executemany(
        "INSERT INTO dq.run_published VALUES (?, ?, ?, ?, ?)",
        [(run_id, at, table, rows, str(location)) for table, rows in sorted(tables.items())],
    )


def _counts(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[int, ...]:
    return con.execute(
        "SELECT count(*) FILTER (check_kind = 'gx' AND outcome = 'passed'), count(*) FILTER (check_kind = 'gx' AND outcome = 'warned'), "
        "count(*) FILTER (check_kind = 'gx' AND outcome = 'failed'), count(*) FILTER (outcome = 'passed'), "
        "count(*) FILTER (outcome = 'warned'), count(*) FILTER (outcome = 'failed'), count(*) FILTER (outcome = 'skipped') "
        "FROM dq.check_results WHERE run_id = ?",
        [run_id],
    ).fetchall()[0]


# Dagster's summary of failed blocking checks: the checks themselves say more.
_BLOCKING_SUMMARY = re.compile(r"blocking asset checks? failed with ERROR severity", re.IGNORECASE)


def _check_lines(con: duckdb.DuckDBPyConnection, run_id: str, outcome: str) -> list[str]:
    """One line per check with this outcome: asset, check, and what it found (for a
    rejection threshold, the file with the largest rejected share)."""
    lines = []
    for asset, check, kind, n, batches, detail in con.execute(
        "SELECT asset_key, check_name, check_kind, count(*), string_agg(DISTINCT batch, ', ' ORDER BY batch), "
        "arg_max(coalesce(details, description), coalesce(unexpected_percent, 0)) "
        "FROM dq.check_results WHERE run_id = ? AND outcome = ? GROUP BY ALL ORDER BY 1, 2",
        [run_id, outcome],
    ).fetchall():
        if kind == "gx":
            lines.append(f"{asset} {check}: {n:,} expectation{'s' if n > 1 else ''} {outcome} (batch {batches})")
        elif kind == "threshold":
            lines.append(
                f"{asset} rejected rows, drop {batches}: {detail}"
                if n == 1
                else f"{asset} rejected rows: {n:,} files {outcome} (drops {batches}); the most: {detail}"
            )
        else:
            lines.append(f"{asset} {check}: {outcome}" + (f" — {detail}" if detail else ""))
    return lines


def outcome(con: duckdb.DuckDBPyConnection, run_id: str, success: bool, failures: list[str]) -> tuple[str, list[str]]:
    """A finished run's status and why: passed, passed with warnings, blocked (a blocking
    check failed: the marts and the published copy were not replaced) or failed (a step
    failed). failures: the steps' error messages."""
    failed_checks = _check_lines(con, run_id, "failed")
    warnings = _check_lines(con, run_id, "warned")
    if success:
        return (PASSED_WITH_WARNINGS if warnings else PASSED), [f"warning: {w}" for w in warnings]
    other = [mask_iins(f) for f in failures if not _BLOCKING_SUMMARY.search(f)]
    status = BLOCKED if failed_checks else FAILED
    if not failed_checks and not other:
        other = ["the run stopped before it finished (canceled, or killed) and recorded no error"]
    return status, [f"blocking check failed: {f}" for f in failed_checks] + other + [f"warning: {w}" for w in warnings]


@dataclass
class RunStatus:
    """A run's status and the reasons for it, as dq.run_history holds them."""

    status: str
    reasons: list[str]


def update_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    as_of: dt.date | None,
    landing_dir: str,
    report_page: Path,
    final: RunStatus | None = None,
    started_at: dt.datetime | None = None,
) -> RunStatus:
    """Records the run's counts; its status stays `running` until `final` is given (at the
    end of the run, or when the publish step is about to publish the outcome it will have)."""
    passed_gx, warned_gx, failed_gx, *checks = _counts(con, run_id)
    state = final or RunStatus(RUNNING, [])
    at = now()
    seeds = json.dumps(seed_versions(con), sort_keys=True)
    finished = at if final is not None else None
    con.execute(
        "INSERT INTO dq.run_history (run_id, started_at, updated_at, code_version, as_of, landing_dir, seed_versions, "
        "expectations_passed, expectations_warned, expectations_failed, status, report_page, finished_at, status_reasons, "
        "checks_passed, checks_warned, checks_failed, checks_skipped) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET "
        "started_at = least(dq.run_history.started_at, excluded.started_at), "
        "updated_at = excluded.updated_at, code_version = excluded.code_version, as_of = excluded.as_of, "
        "seed_versions = excluded.seed_versions, expectations_passed = excluded.expectations_passed, "
        "expectations_warned = excluded.expectations_warned, expectations_failed = excluded.expectations_failed, "
        "status = excluded.status, report_page = excluded.report_page, finished_at = excluded.finished_at, "
        "status_reasons = excluded.status_reasons, checks_passed = excluded.checks_passed, "
        "checks_warned = excluded.checks_warned, checks_failed = excluded.checks_failed, checks_skipped = excluded.checks_skipped",
        [
            run_id,
            started_at or at,
            at,
            code_version(),
            as_of,
            landing_dir,
            seeds,
            passed_gx,
            warned_gx,
            failed_gx,
            state.status,
            str(report_page),
            finished,
            json.dumps(state.reasons, ensure_ascii=False),
            *checks,
        ],
    )
    return state
