"""Nightly operations (issue 6): kill and rerun, concurrent readers, the new-drop sensor."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from dagster import DagsterInstance, SensorResult, SkipReason, build_sensor_context

from pipelines import contract
from pipelines.defs.ingest.assets import drops_partitions
from pipelines.defs.ops.sensors import build_new_drop_sensor
from pipelines.defs.resources import LrmSettings
from pipelines.warehouse import REBUILD_DUE
from pipelines.warehouse_diff import differing_tables
from tests.conftest import lrm


def _start_run(landing: Path, warehouse: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run", "--landing", str(landing), "--warehouse", str(warehouse), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for(proc: subprocess.Popen, marker: str, timeout: float = 600) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        seen.append(line)
        if marker in line:
            return "".join(seen)
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"never saw {marker!r}:\n{''.join(seen)[-3000:]}")


# Assignment history counts runs (warehouse_diff.RUN_COUNTING_TABLES), so the versions and the history
# and events marts differ by design. What is owed today must not: the open versions are
# compared without their start.
VERSIONS = "intermediate.int_guarantees__assignment_versions"
RUNS = "intermediate.int_guarantees__assignment_runs"


def _open_versions(path: Path) -> list:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            f"SELECT worker_key, bin, workplace_id, guarantee, regime, volume, unit, legal_basis, evidence "
            f"FROM {VERSIONS} WHERE valid_to IS NULL"
        ).fetchall()
    finally:
        con.close()
    return sorted(map(repr, rows))


def _what_readers_see(published: Path) -> dict:
    """The published copy (its bytes, and that it opens with its marts), the Parquet folder
    it points at, the static map."""
    with duckdb.connect(str(published / "lrm_analyst.duckdb"), read_only=True) as con:
        marts = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts'").fetchall()[0][0]
        assignments = con.execute("SELECT count(*) FROM marts.guarantee_assignments").fetchall()[0][0]
        as_of = con.execute("SELECT DISTINCT as_of FROM marts.enterprise_risk").fetchall()
    return {
        "copy": hashlib.sha256((published / "lrm_analyst.duckdb").read_bytes()).hexdigest(),
        "marts": marts,
        "assignments": assignments,
        "as_of": as_of,
        "parquet": (published / "parquet" / "current").readlink(),
        "map": hashlib.sha256((published / "map" / "index.html").read_bytes()).hexdigest(),
    }


def _publishing_started(published: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Waits until the publish step is building (its build folder exists)."""
    deadline = time.monotonic() + timeout
    while not list(published.glob(".build.*")):
        assert proc.poll() is None and time.monotonic() < deadline, "the publish step never started building"
        time.sleep(0.05)


# Where a run is killed (issue 20): with raw written, with dbt building, while publishing.
KILL_POINTS = [
    ("ingest", "✓ raw__stat_regions"),
    ("dbt", "OK created sql table model intermediate."),
    ("publish", "→ published__analyst_copy"),
]


def test_killed_runs_leave_readers_the_last_publish_and_the_next_run_repairs(tiny_run, tmp_path):
    """README "Failed runs": a warehouse with a published copy; the run of the next drop is
    killed (SIGKILL) three times — during ingestion, during dbt, while publishing. Right
    after each kill readers still open the previous published copy, whole and unchanged
    (and its Parquet folder and map), and the next run rolls the killed one back. The run
    that finally completes, loading the drop on its own (`--drops NEWEST`: its rows
    appended, event staging merging only them, the rest rebuilt), gives the tables of one
    uninterrupted full run over every drop (issue 6) and publishes them."""
    newest = sorted(p for p in tiny_run.landing.iterdir() if p.is_dir())[-1]
    landing = tmp_path / "landing"
    shutil.copytree(
        tiny_run.landing, landing, ignore=lambda d, names: [newest.name] if Path(d) == tiny_run.landing else []
    )
    warehouse = tmp_path / "wh.duckdb"
    published = tmp_path / "published"
    lrm("run", "--landing", str(landing), "--warehouse", str(warehouse))
    before = _what_readers_see(published)
    assert before["marts"] > 5 and before["assignments"] > 0

    shutil.copytree(newest, landing / newest.name)
    for step, marker in KILL_POINTS:
        proc = _start_run(landing, warehouse, "--drops", newest.name)
        _wait_for(proc, marker)
        if step == "publish":
            _publishing_started(published, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _what_readers_see(published) == before, f"readers saw a change after a kill during {step}"

    incremental = lrm("run", "--landing", str(landing), "--warehouse", str(warehouse), "--drops", newest.name)
    assert "did not finish: the warehouse is back as it was before it" in incremental, incremental[-3000:]
    assert "event staging merges the new drops only" in incremental, incremental[-3000:]

    assert differing_tables(warehouse, tiny_run.warehouse) == {}
    assert _open_versions(warehouse) == _open_versions(tiny_run.warehouse)
    after = _what_readers_see(published)
    assert after["copy"] != before["copy"] and after["as_of"] == [(dt.date.fromisoformat(newest.name),)]
    assert not list(published.glob(".build.*")), "a killed publish left its build folder behind"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(f"SELECT count(*) FROM {REBUILD_DUE}").fetchone()[0] == 0
        # The GX raw suites of the incremental run checked its drop alone (and reconciled all).
        last_run = con.execute("SELECT run_id FROM dq.run_history ORDER BY started_at DESC LIMIT 1").fetchone()[0]
        batches = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT batch FROM dq.check_results WHERE run_id = ? AND asset_key LIKE 'raw/%'", [last_run]
            ).fetchall()
        }
        assert batches == {newest.name, "all drops"}, batches
        assert con.execute(f"SELECT count(*) FROM {RUNS}").fetchone()[0] == 2


def test_sensor_starts_runs_only_for_complete_drops(tmp_path, tiny_landing):
    landing = tmp_path / "landing"
    complete = sorted(p for p in tiny_landing.iterdir() if p.is_dir() and (p / contract.SUCCESS_MARKER).exists())
    shutil.copytree(complete[0], landing / complete[0].name)
    shutil.copytree(complete[1], landing / complete[1].name)
    (landing / complete[1].name / contract.SUCCESS_MARKER).unlink()  # still being written
    settings = LrmSettings(landing_dir=str(landing), warehouse_path=str(tmp_path / "wh.duckdb"))
    sensor = build_new_drop_sensor("lrm_all")
    with DagsterInstance.ephemeral() as instance:
        result = sensor(build_sensor_context(instance=instance, resources={"settings": settings}))
        assert isinstance(result, SensorResult)
        assert [r.partition_key for r in result.run_requests] == [complete[0].name]
        instance.add_dynamic_partitions(drops_partitions.name, [complete[0].name])
        again = sensor(build_sensor_context(instance=instance, resources={"settings": settings}))
        assert isinstance(again, SkipReason)
        (landing / complete[1].name / contract.SUCCESS_MARKER).touch()  # now complete
        later = sensor(build_sensor_context(instance=instance, resources={"settings": settings}))
        assert [r.partition_key for r in later.run_requests] == [complete[1].name]


def test_raw_checks_cover_the_drops_the_run_loads():
    """A sensor run names one partition, `lrm run` and the schedule a range, a run from the
    UI without partitions none (then every drop is checked)."""
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
        PARTITION_NAME_TAG,
    )

    from pipelines.defs.ingest.assets import run_drop_range

    assert run_drop_range({PARTITION_NAME_TAG: "2026-11-23"}) == ("2026-11-23", "2026-11-23")
    assert run_drop_range(
        {ASSET_PARTITION_RANGE_START_TAG: "2026-11-21", ASSET_PARTITION_RANGE_END_TAG: "2026-11-23"}
    ) == ("2026-11-21", "2026-11-23")
    assert run_drop_range({"lrm/trigger": "manual"}) is None


def test_nightly_schedule_loads_the_drops_no_run_settled_and_weekly_reloads_all(tmp_path, tiny_landing):
    """Issue 6: every night the drops no run has settled yet (the incremental path), which
    includes the drops of a run that failed after loading them; every week every drop (the
    full rebuild). A drop is settled by a successful run that covered it, or is in hand
    while a queued or running one covers it."""
    import datetime as dt

    from dagster import DagsterRunStatus, build_schedule_context
    from dagster._core.storage.dagster_run import DagsterRun
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
        PARTITION_NAME_TAG,
    )

    from pipelines.defs.ops.schedules import build_nightly_schedule, build_weekly_schedule

    drops = sorted(p.name for p in tiny_landing.iterdir() if p.is_dir() and (p / contract.SUCCESS_MARKER).exists())
    assert len(drops) >= 3
    settings = LrmSettings(landing_dir=str(tiny_landing), warehouse_path=str(tmp_path / "wh.duckdb"))
    nightly, weekly = build_nightly_schedule("lrm_all"), build_weekly_schedule("lrm_all")
    when = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)

    def evaluate(schedule, instance):
        # Closed after use: an open context leaves the instance it reopened set as Dagster's
        # current state storage, which later in-process runs would find dead.
        with build_schedule_context(
            instance=instance, resources={"settings": settings}, scheduled_execution_time=when
        ) as context:
            return schedule(context)

    def drop_range(request):
        return request.tags[ASSET_PARTITION_RANGE_START_TAG], request.tags[ASSET_PARTITION_RANGE_END_TAG]

    def run(instance, status, first, last=None, job="lrm_all"):
        tags = (
            {PARTITION_NAME_TAG: first}
            if last is None
            else {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}
        )
        instance.add_run(DagsterRun(job_name=job, status=status, tags=tags))

    # A schedule's context needs a persistent instance (it reopens it from its ref).
    (tmp_path / "dagster_home").mkdir()
    with DagsterInstance.local_temp(tempdir=str(tmp_path / "dagster_home")) as instance:
        assert drop_range(evaluate(nightly, instance)) == (drops[0], drops[-1])  # nothing settled yet
        run(instance, DagsterRunStatus.SUCCESS, drops[0], drops[-2])
        run(instance, DagsterRunStatus.SUCCESS, drops[-1], job="some_other_job")  # not the pipeline
        assert drop_range(evaluate(nightly, instance)) == (drops[-1], drops[-1])
        # The sensor's run of the newest drop failed (in dbt, or at a blocking check) after
        # loading it: the next night tries again.
        run(instance, DagsterRunStatus.FAILURE, drops[-1])
        assert drop_range(evaluate(nightly, instance)) == (drops[-1], drops[-1])
        run(instance, DagsterRunStatus.STARTED, drops[-1])  # the retry, running
        assert isinstance(evaluate(nightly, instance), SkipReason)
        assert drop_range(evaluate(weekly, instance)) == (drops[0], drops[-1])
