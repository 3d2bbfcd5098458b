"""The DuckDB warehouse file and the restricted delivery file: connections and dq tables."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.memory import DUCKDB_MEMORY_LIMIT

DQ_TABLES = {
    # Current state: rebuilt by each run, identical for identical input.
    "rejected_rows": """extract VARCHAR, drop_date DATE, file VARCHAR, line BIGINT,
        "column" VARCHAR, reason VARCHAR, raw_record VARCHAR""",
    # rows_unchanged: a snapshot's rows identical to the previous drop's, which raw keeps
    # as they were (docs/design.md, "Snapshot versions"); rows_loaded counts them too.
    # extra_columns: the file's columns the contract does not name (kept in raw._extras).
    "ingest_files": """extract VARCHAR, drop_date DATE, file VARCHAR, rows_landed BIGINT,
        rows_loaded BIGINT, rows_rejected BIGINT, missing_optional_columns VARCHAR,
        rows_unchanged BIGINT, extra_columns VARCHAR""",
    "landing_issues": """path VARCHAR, issue VARCHAR""",
}


def ident(*parts: str) -> str:
    """An identifier (optionally qualified) quoted by the driver, for names SQL cannot take
    as parameters. Only names of the contract or of the warehouse's own catalogue are
    passed here; nothing read from a landed file is."""
    return str(duckdb.ColumnExpression(*parts))


# A process killed mid-run can leave its dbt child writing for a while (it does not hold
# the run lock, DuckDB's own file lock tells): the next writer waits for it to finish.
FILE_LOCK_WAIT_SECONDS = 600


def open_duckdb(
    path: Path, read_only: bool = False, wait_seconds: float = FILE_LOCK_WAIT_SECONDS, **config
) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, waiting while another process holds the file."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.5)


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse under DuckDB's memory limit, closed after the block; the
    folder is created for writing."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = open_duckdb(path, read_only=read_only, memory_limit=DUCKDB_MEMORY_LIMIT)
    try:
        yield con
    finally:
        con.close()


# Pipeline state, not published: event extracts whose raw rows changed in a drop that the
# incremental staging models may already have merged (a reload, a backfill, a full
# reload). The next dbt build rebuilds staging in full and clears the marks; a run that
# fails before then leaves them for the next one.
REBUILD_DUE = "ops.staging_rebuild_due"


# A snapshot extract's raw table holds versions (docs/design.md, "Snapshot versions"):
# each row as it landed, with the first drop that no longer holds it as it is.
SNAPSHOT_UNTIL = "_until_drop"


def in_snapshot_of(alias: str, drop: str) -> str:
    """SQL: the version `alias` is a row of drop `drop`'s snapshot (a date expression)."""
    return f"{alias}._drop_date <= {drop} AND ({alias}.{SNAPSHOT_UNTIL} IS NULL OR {alias}.{SNAPSHOT_UNTIL} > {drop})"


def ensure_dq(con: duckdb.DuckDBPyConnection) -> None:
    """Creates the raw, dq and ops schemas and the dq tables if missing, adding the columns
    older warehouses lack."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SCHEMA IF NOT EXISTS dq")
    for name, columns in DQ_TABLES.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS dq.{name} ({columns})")
    # A warehouse written before snapshots were versioned (its snapshot extracts are
    # reloaded whole by their next load: pipelines/ingest/load.py).
    con.execute("ALTER TABLE dq.ingest_files ADD COLUMN IF NOT EXISTS rows_unchanged BIGINT")
    con.execute("ALTER TABLE dq.ingest_files ADD COLUMN IF NOT EXISTS extra_columns VARCHAR")
    con.execute("CREATE SCHEMA IF NOT EXISTS ops")
    con.execute(f"CREATE TABLE IF NOT EXISTS {REBUILD_DUE} (extract VARCHAR, reason VARCHAR, marked_at TIMESTAMP)")


def mark_staging_rebuild_due(con: duckdb.DuckDBPyConnection, extract: str, reason: str) -> None:
    """Inside the load's transaction, so the mark and the raw change land together."""
    con.execute(f"INSERT INTO {REBUILD_DUE} VALUES (?, ?, now())", [extract, reason])


def staging_rebuild_due(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(extract, reason) of every mark; empty when the incremental staging is current."""
    ensure_dq(con)
    return con.execute(f"SELECT extract, reason FROM {REBUILD_DUE} ORDER BY marked_at, extract").fetchall()


def clear_staging_rebuild_due(con: duckdb.DuckDBPyConnection) -> None:
    """After a successful full build. The caller holds the warehouse lock from reading the
    marks until here, so no ingestion can have added one in between."""
    con.execute(f"DELETE FROM {REBUILD_DUE}")


def default_delivery_path(warehouse: Path) -> Path:
    """The restricted delivery file beside the warehouse: <stem>.delivery.duckdb."""
    return warehouse.with_name(warehouse.stem + ".delivery.duckdb")


@contextmanager
def connect_delivery(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The restricted file that holds IINs: created, and kept, owner-only. The umask stays
    owner-only while it is open: DuckDB creates its write-ahead log, IINs in it, at the
    first write, long after the connection was opened."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old = os.umask(0o077)
    try:
        con = duckdb.connect(str(path))
        try:
            con.execute("CREATE SCHEMA IF NOT EXISTS delivery")
            con.execute(
                "CREATE TABLE IF NOT EXISTS delivery.worker_keys (iin VARCHAR PRIMARY KEY, worker_key VARCHAR NOT NULL)"
            )
            yield con
        finally:
            con.close()
            for p in (path, path.with_name(path.name + ".wal")):
                if p.exists():
                    os.chmod(p, 0o600)
    finally:
        os.umask(old)
