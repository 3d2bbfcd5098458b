"""The history of runs in dq tables, so a quality trend is one SQL query away.

- dq.run_history: one row per run (run id, when, code version, as-of, rule-seed versions,
  expectation counts, status, report page).
- dq.check_results: every expectation evaluated in a run (asset, suite, batch = drop, …).
- dq.run_ingest_files / dq.run_rejections: the ingestion counts as they were in that run
  (dq.ingest_files and dq.rejected_rows only hold the current state).

Example trend: SELECT r.started_at, c.asset_key, count(*) FILTER (NOT c.success)
  FROM dq.check_results c JOIN dq.run_history r USING (run_id) GROUP BY ALL ORDER BY 1;
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import json
import subprocess
from pathlib import Path

import duckdb

from pipelines.quality.runner import CheckRecord
from pipelines.quality.suites import REPO_ROOT

HISTORY_TABLES = {
    "run_history": """run_id VARCHAR PRIMARY KEY, started_at TIMESTAMP, updated_at TIMESTAMP,
        code_version VARCHAR, as_of DATE, landing_dir VARCHAR, seed_versions VARCHAR,
        expectations_passed BIGINT, expectations_warned BIGINT, expectations_failed BIGINT,
        status VARCHAR, report_page VARCHAR""",
    "check_results": """run_id VARCHAR, checked_at TIMESTAMP, asset_key VARCHAR, check_name VARCHAR,
        suite VARCHAR, batch VARCHAR, expectation VARCHAR, "column" VARCHAR, severity VARCHAR,
        success BOOLEAN, outcome VARCHAR, element_count BIGINT, unexpected_count BIGINT,
        unexpected_percent DOUBLE, observed_value VARCHAR, details VARCHAR, description VARCHAR""",
    "run_ingest_files": """run_id VARCHAR, recorded_at TIMESTAMP, extract VARCHAR, drop_date DATE, file VARCHAR,
        rows_landed BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, rows_unchanged BIGINT""",
    "run_rejections": """run_id VARCHAR, extract VARCHAR, drop_date DATE, reason_code VARCHAR, rows BIGINT""",
}


def ensure_history(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS dq")
    for name, columns in HISTORY_TABLES.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS dq.{name} ({columns})")
    # History written before snapshots were versioned (pipelines/warehouse.py, ingest_files).
    con.execute("ALTER TABLE dq.run_ingest_files ADD COLUMN IF NOT EXISTS rows_unchanged BIGINT")


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """The git commit (with "+modified" when the tree has changes), else the package version."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
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
    tables = [r[0] for r in con.execute(
        "SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'reference' "
        "AND column_name = 'valid_from' ORDER BY 1").fetchall()]
    out: dict[str, str | None] = {}
    for t in tables:
        value = con.execute(f'SELECT CAST(max(valid_from) AS VARCHAR) FROM reference."{t}"').fetchall()[0][0]
        out[t] = value
    return out


def record_checks(con: duckdb.DuckDBPyConnection, run_id: str, asset_key: str, records: list[CheckRecord],
                  check_names: dict[str, str]) -> None:
    """Replaces this run's results for one asset (a re-executed check step does not double them)."""
    now = dt.datetime.now()
    con.execute("DELETE FROM dq.check_results WHERE run_id = ? AND asset_key = ?", [run_id, asset_key])
    rows = [(run_id, now, r.asset_key, check_names[r.severity], r.suite, r.batch, r.expectation, r.column, r.severity,
             r.success, r.outcome, r.element_count, r.unexpected_count, r.unexpected_percent, r.observed_value,
             r.details, r.description) for r in records]
    if rows:
        con.executemany(f"INSERT INTO dq.check_results VALUES ({', '.join('?' * 17)})", rows)


def record_ingest(con: duckdb.DuckDBPyConnection, run_id: str, extract: str) -> None:
    con.execute("DELETE FROM dq.run_ingest_files WHERE run_id = ? AND extract = ?", [run_id, extract])
    con.execute("DELETE FROM dq.run_rejections WHERE run_id = ? AND extract = ?", [run_id, extract])
    con.execute(
        "INSERT INTO dq.run_ingest_files BY NAME SELECT ? AS run_id, now() AS recorded_at, extract, drop_date, file, "
        "rows_landed, rows_loaded, rows_rejected, rows_unchanged "
        "FROM dq.ingest_files WHERE extract = ?", [run_id, extract])
    con.execute(
        "INSERT INTO dq.run_rejections SELECT ?, extract, drop_date, split_part(reason, ':', 1), count(*) "
        "FROM dq.rejected_rows WHERE extract = ? GROUP BY ALL", [run_id, extract])


def update_run(con: duckdb.DuckDBPyConnection, run_id: str, as_of: dt.date | None, landing_dir: str,
               report_page: Path) -> None:
    counts = con.execute(
        "SELECT count(*) FILTER (outcome = 'passed'), count(*) FILTER (outcome = 'warned'), count(*) FILTER (outcome = 'failed') "
        "FROM dq.check_results WHERE run_id = ?", [run_id]).fetchall()[0]
    status = "blocked" if counts[2] else ("passed with warnings" if counts[1] else "passed")
    now = dt.datetime.now()
    seeds = json.dumps(seed_versions(con), sort_keys=True)
    con.execute(
        "INSERT INTO dq.run_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET "
        "updated_at = excluded.updated_at, code_version = excluded.code_version, as_of = excluded.as_of, "
        "seed_versions = excluded.seed_versions, expectations_passed = excluded.expectations_passed, "
        "expectations_warned = excluded.expectations_warned, expectations_failed = excluded.expectations_failed, "
        "status = excluded.status, report_page = excluded.report_page",
        [run_id, now, now, code_version(), as_of, landing_dir, seeds, *counts, status, str(report_page)])
