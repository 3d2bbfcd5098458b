"""The run journal (pipelines/run_journal.py; README "Failed runs"), without a pipeline run:
a run that fails, or dies, leaves the warehouse, the delivery file and the key file as
they were before it; a run that succeeded keeps its work; the failed run's own history
rows survive the restore."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import duckdb
import pytest

from pipelines import run_journal
from pipelines.run_lock import WarehouseBusyError


def _files(tmp_path, with_key: bool = True) -> run_journal.RunFiles:
    warehouse = tmp_path / "lrm.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.m AS SELECT 'before' AS v")
        con.execute("CREATE SCHEMA dq; CREATE TABLE dq.run_history (run_id VARCHAR, status VARCHAR)")
        con.execute("INSERT INTO dq.run_history VALUES ('earlier-run', 'passed')")
    delivery = tmp_path / "lrm.duckdb.delivery.duckdb"
    with duckdb.connect(str(delivery)) as con:
        con.execute("CREATE TABLE pairs AS SELECT 'before' AS v")
    key = tmp_path / ".lrm_pseudonym.key"
    if with_key:
        key.write_text("the-key-before")
    return run_journal.RunFiles(warehouse, delivery, key if with_key else None)


def _run_writes(files: run_journal.RunFiles, run_id: str) -> None:
    """What a run does between its journal opening and its end: every file changes, a WAL
    is left beside the warehouse, and the run records itself in the history."""
    con = duckdb.connect(str(files.warehouse))
    con.execute("UPDATE marts.m SET v = 'after'")
    con.execute("CREATE TABLE marts.new_table AS SELECT 1 AS x")
    con.execute("INSERT INTO dq.run_history VALUES (?, 'failed')", [run_id])
    con.close()
    with duckdb.connect(str(files.delivery)) as dcon:
        dcon.execute("UPDATE pairs SET v = 'after'")
    files.warehouse.with_name(files.warehouse.name + ".wal").write_bytes(b"a log the failed run left behind")
    if files.key_file is not None:
        files.key_file.write_text("a-new-key")


def _state(files: run_journal.RunFiles) -> dict:
    with duckdb.connect(str(files.warehouse), read_only=True) as con:
        tables = sorted(
            r[0] for r in con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()
        )
        value = con.execute("SELECT v FROM marts.m").fetchall()
        history = con.execute("SELECT run_id, status FROM dq.run_history ORDER BY run_id").fetchall()
    with duckdb.connect(str(files.delivery), read_only=True) as con:
        pairs = con.execute("SELECT v FROM pairs").fetchall()
    key = files.key_file.read_text() if files.key_file is not None else None
    return {"tables": tables, "value": value, "history": history, "pairs": pairs, "key": key}


def test_a_failed_run_is_rolled_back_with_its_history_kept(tmp_path):
    files = _files(tmp_path)
    before = _state(files)
    run_journal.begin(files, "run-1")
    journal = run_journal.journal_dir(files.warehouse)
    assert journal.exists() and stat.S_IMODE(journal.stat().st_mode) == 0o700  # it holds the key
    _run_writes(files, "run-1")
    assert run_journal.rollback(files.warehouse, "run-1") is True
    after = _state(files)
    assert {k: v for k, v in after.items() if k != "history"} == {k: v for k, v in before.items() if k != "history"}
    assert after["history"] == [("earlier-run", "passed"), ("run-1", "failed")]  # the failure stays on record
    assert not files.warehouse.with_name(files.warehouse.name + ".wal").exists(), "the failed run's log would replay it"
    assert not journal.exists()
    assert run_journal.rollback(files.warehouse, "run-1") is False  # settled once


def test_a_successful_run_keeps_its_work(tmp_path):
    files = _files(tmp_path, with_key=False)
    run_journal.begin(files, "run-1")
    _run_writes(files, "run-1")
    files.warehouse.with_name(files.warehouse.name + ".wal").unlink()
    assert run_journal.commit(files.warehouse, "run-1") is True
    assert _state(files)["value"] == [("after",)] and _state(files)["pairs"] == [("after",)]
    assert not run_journal.journal_dir(files.warehouse).exists()
    assert run_journal.commit(files.warehouse, "run-2") is False


def test_a_file_that_did_not_exist_before_the_run_is_removed_by_the_rollback(tmp_path):
    files = _files(tmp_path)
    files.delivery.unlink()
    run_journal.begin(files, "first-run")
    with duckdb.connect(str(files.delivery)) as con:
        con.execute("CREATE TABLE pairs AS SELECT 'iins of a run that failed' AS v")
    run_journal.rollback(files.warehouse, "first-run")
    assert not files.delivery.exists()


def test_a_journal_is_opened_once_per_run(tmp_path):
    files = _files(tmp_path)
    run_journal.begin(files, "run-1")
    _run_writes(files, "run-1")
    run_journal.begin(files, "run-1")  # the next step of the same run: the copy stays as it was
    with pytest.raises(RuntimeError, match="still open"):
        run_journal.begin(files, "run-2")
    run_journal.rollback(files.warehouse, "run-1")
    assert _state(files)["value"] == [("before",)]


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(proc.stdout)


@pytest.mark.parametrize("status", [None, "STARTED", "FAILURE", "CANCELED"])
def test_the_next_writer_rolls_back_a_run_that_died(tmp_path, status):
    """A killed run leaves its journal open; the next writer rolls it back unless Dagster
    knows the run succeeded (its status unknown, still `STARTED` or failed alike)."""
    files = _files(tmp_path)
    before = _state(files)
    run_journal.begin(files, "killed-run")
    _run_writes(files, "killed-run")
    manifest = run_journal.journal_dir(files.warehouse) / "journal.json"
    manifest.write_text(manifest.read_text().replace(f'"pid": {os.getpid()}', f'"pid": {_dead_pid()}'))
    note = run_journal.settle_stale(files.warehouse, "next-run", lambda run_id: status)
    assert note and "back as it was" in note
    after = _state(files)
    assert after["value"] == before["value"] and after["key"] == before["key"] and after["pairs"] == before["pairs"]
    assert "marts.new_table" not in after["tables"]
    assert run_journal.pending_run(files.warehouse) is None


def test_the_next_writer_keeps_a_run_dagster_knows_succeeded(tmp_path):
    files = _files(tmp_path)
    run_journal.begin(files, "daemon-run")
    _run_writes(files, "daemon-run")
    note = run_journal.settle_stale(files.warehouse, "next-run", lambda run_id: "SUCCESS")
    assert note and "kept" in note
    assert _state(files)["value"] == [("after",)]


def test_the_next_writer_waits_for_a_run_still_alive(tmp_path):
    files = _files(tmp_path)
    run_journal.begin(files, "running-run")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        manifest = run_journal.journal_dir(files.warehouse) / "journal.json"
        manifest.write_text(manifest.read_text().replace(f'"pid": {os.getpid()}', f'"pid": {sleeper.pid}'))
        with pytest.raises(WarehouseBusyError, match="has not finished"):
            run_journal.settle_stale(files.warehouse, "next-run", lambda run_id: "STARTED")
        assert run_journal.pending_run(files.warehouse) == "running-run"
    finally:
        sleeper.kill()
        sleeper.wait()


def _leave_a_log(path, sql: str) -> bytes:
    """Writes `sql` to the DuckDB file and leaves it in the file's write-ahead log (as a run
    that was stopped before its checkpoint does); returns the log's bytes."""
    con = duckdb.connect(str(path))
    con.execute("PRAGMA disable_checkpoint_on_shutdown")
    con.execute("SET checkpoint_threshold = '10GB'")
    con.execute(sql)
    con.close()
    return path.with_name(path.name + ".wal").read_bytes()


def test_a_rollback_interrupted_midway_never_leaves_the_failed_runs_log_beside_the_restored_file(tmp_path, monkeypatch):
    """design.md "Failed runs": the logs go first. A warehouse that had a log before the run;
    the failed run leaves its own; the rollback stops after restoring the warehouse file
    but before its log: the failed run's log must not be beside the restored file (DuckDB
    would replay the failed run onto it). The next rollback finishes the job."""
    files = _files(tmp_path)
    wal = files.warehouse.with_name(files.warehouse.name + ".wal")
    log_before = _leave_a_log(files.warehouse, "INSERT INTO dq.run_history VALUES ('logged-run', 'passed')")
    warehouse_before = files.warehouse.read_bytes()
    run_journal.begin(files, "run-1")
    failed_log = _leave_a_log(files.warehouse, "UPDATE marts.m SET v = 'after'")
    assert failed_log != log_before
    replace = os.replace

    def stopped_at_the_log(src, dst):
        if str(src).endswith(".wal.restore"):
            raise OSError("stopped midway")
        return replace(src, dst)

    monkeypatch.setattr(run_journal.os, "replace", stopped_at_the_log)
    with pytest.raises(OSError, match="stopped midway"):
        run_journal.rollback(files.warehouse, "run-1")
    monkeypatch.undo()
    assert files.warehouse.read_bytes() == warehouse_before
    assert not wal.exists() or wal.read_bytes() != failed_log, "the failed run's log is beside the restored warehouse"
    assert run_journal.rollback(files.warehouse, "run-1") is True
    with duckdb.connect(str(files.warehouse), read_only=True) as con:  # the log of before replayed, not the run's
        assert con.execute("SELECT v FROM marts.m").fetchall() == [("before",)]
        assert ("logged-run", "passed") in con.execute("SELECT run_id, status FROM dq.run_history").fetchall()
