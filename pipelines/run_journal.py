"""A run that fails leaves the warehouse exactly as it was.

A run's steps commit one by one (an extract, a dbt model, a check's records), so a run
stopped midway — a held-back file, a blocking check, dbt, a kill — would leave some
extracts, staging tables and marts new and others old. Before the run's first write, the
files it may change are copied aside (the journal): the warehouse, the restricted delivery
file and the pseudonym key file. The run's end settles the journal: a success discards it;
a failure puts the files back, then writes the failed run's own history rows (every
`dq` table keyed by `run_id`) into the restored warehouse, so the history keeps the run
that failed. A journal left by a run that died is settled by the next writer: kept work
only ever comes from a run that finished.

`lrm run` settles its journal itself; runs launched by Dagster's daemon are settled by the
run-status sensors, or by their next writer (`ensure`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.warehouse import ident, open_duckdb

_MANIFEST = "journal.json"


@dataclass(frozen=True)
class RunFiles:
    """The files a run may change."""

    warehouse: Path
    delivery: Path
    key_file: Path | None  # None when the key comes from the environment

    def paths(self) -> list[Path]:
        """Each file with its write-ahead log: restoring a file without removing a newer
        log beside it would let DuckDB replay the failed run onto the restored file."""
        out: list[Path] = []
        for p in (self.warehouse, self.delivery):
            out += [p, p.with_name(p.name + ".wal")]
        if self.key_file is not None:
            out.append(self.key_file)
        return out


def journal_dir(warehouse: Path) -> Path:
    """The run journal's folder, hidden beside the warehouse."""
    return warehouse.with_name(f".{warehouse.name}.journal")


def pending_run(warehouse: Path) -> str | None:
    """The run whose journal is open, if any."""
    manifest = _manifest(warehouse)
    return manifest["run_id"] if manifest else None


def _manifest(warehouse: Path) -> dict | None:
    path = journal_dir(warehouse) / _MANIFEST
    return json.loads(path.read_text()) if path.exists() else None


def settle_stale(warehouse: Path, current_run: str, status_of) -> str | None:
    """Settles the journal a run other than `current_run` left open, before this run
    writes. `status_of(run_id)` is the run's Dagster status name, or None when unknown.
    A run that finished with success keeps its work; a run whose process is still alive
    is still writing (raises WarehouseBusyError); any other run died or failed and is
    rolled back. Returns what was done, for the log."""
    from pipelines.run_lock import WarehouseBusyError

    manifest = _manifest(warehouse)
    if manifest is None or manifest["run_id"] == current_run:
        return None
    other = manifest["run_id"]
    if status_of(other) == "SUCCESS":
        commit(warehouse, other)
        return f"run {other} had succeeded: its changes are kept"
    if manifest["pid"] != os.getpid() and _alive(manifest["pid"]):
        raise WarehouseBusyError(f"run {other} (pid {manifest['pid']}) has not finished writing {warehouse}")
    rollback(warehouse, other)
    return f"run {other} did not finish: the warehouse is back as it was before it"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def begin(files: RunFiles, run_id: str) -> None:
    """Copies the files aside for `run_id`. The caller holds the warehouse lock and has
    settled any other run's journal first."""
    final = journal_dir(files.warehouse)
    if pending_run(files.warehouse) == run_id:
        return
    if final.exists():
        raise RuntimeError(f"{final}: the journal of run {pending_run(files.warehouse)} is still open")
    tmp = final.with_name(final.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    os.chmod(tmp, 0o700)  # it holds the delivery file and the key
    present = []
    for i, path in enumerate(files.paths()):
        if path.exists():
            shutil.copy2(path, tmp / f"{i}")
            present.append(i)
    (tmp / _MANIFEST).write_text(
        json.dumps(
            {
                "run_id": run_id,
                "pid": os.getpid(),
                "started": dt.datetime.now(dt.UTC).isoformat(),
                "files": [str(p) for p in files.paths()],
                "present": present,
            }
        )
    )
    os.replace(tmp, final)  # a journal is whole or absent


def commit(warehouse: Path, run_id: str) -> bool:
    """The run succeeded: its changes stay. False when no journal of this run is open."""
    if pending_run(warehouse) != run_id:
        return False
    shutil.rmtree(journal_dir(warehouse))
    return True


def rollback(warehouse: Path, run_id: str) -> bool:
    """The run failed: every file back as it was before the run, with the run's history
    rows carried over. Idempotent (a rollback interrupted midway is finished by the next
    call). False when no journal of this run is open."""
    if pending_run(warehouse) != run_id:
        return False
    folder = journal_dir(warehouse)
    manifest = json.loads((folder / _MANIFEST).read_text())
    history = _run_history(warehouse, run_id)
    for i, name in enumerate(manifest["files"]):
        target = Path(name)
        if target.suffix == ".wal" or i not in manifest["present"]:
            target.unlink(missing_ok=True)  # logs first: see RunFiles.paths
    for i, name in enumerate(manifest["files"]):
        if i in manifest["present"]:
            target = Path(name)
            tmp = target.with_name(f".{target.name}.restore")
            shutil.copy2(folder / f"{i}", tmp)
            os.replace(tmp, target)
    _write_history(warehouse, run_id, history)
    shutil.rmtree(folder)
    return True


def _history_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'dq' AND column_name = 'run_id' "
            "ORDER BY 1"
        ).fetchall()
    ]


def _run_history(warehouse: Path, run_id: str) -> dict:
    """The failed run's rows of every dq history table, read before the restore."""
    if not warehouse.exists():
        return {}
    try:
        # Waits for a killed run's orphaned dbt child, which may still be writing the file.
        con = open_duckdb(warehouse, read_only=True)
    except duckdb.Error:
        return {}  # a file the failed run left unreadable: its history is lost with it
    try:
        out = {}
        for table in _history_tables(con):
            rel = con.sql(f"SELECT * FROM {ident('dq', table)} WHERE run_id = ?", params=[run_id])
            out[table] = (
                rel.to_arrow_table(),
                con.execute(
                    "SELECT sql FROM duckdb_tables() WHERE schema_name = 'dq' AND table_name = ?", [table]
                ).fetchall()[0][0],
            )
        return out
    finally:
        con.close()


def _write_history(warehouse: Path, run_id: str, history: dict) -> None:
    if not history:
        return
    con = open_duckdb(warehouse)
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS dq")
        for table, (rows, create_sql) in history.items():
            exists = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'dq' AND table_name = ?", [table]
            ).fetchall()[0][0]
            if not exists:
                con.execute(create_sql)
            target = ident("dq", table)
            con.execute(f"DELETE FROM {target} WHERE run_id = ?", [run_id])
            if rows.num_rows:
                have = {
                    r[0]
                    for r in con.execute(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_schema = 'dq' AND table_name = ?",
                        [table],
                    ).fetchall()
                }
                common = ", ".join(ident(c) for c in rows.column_names if c in have)
                con.register("failed_run_rows", rows)
                con.execute(f"INSERT INTO {target} ({common}) SELECT {common} FROM failed_run_rows")
                con.unregister("failed_run_rows")
    finally:
        con.close()
