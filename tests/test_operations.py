"""Nightly operations (issue 6): kill and rerun, concurrent readers, the new-drop sensor."""
from __future__ import annotations

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


def _start_run(landing: Path, warehouse: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--landing", str(landing), "--warehouse", str(warehouse)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


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
        rows = con.execute(f"SELECT worker_key, bin, workplace_id, guarantee, regime, volume, unit, legal_basis, evidence "
                           f"FROM {VERSIONS} WHERE valid_to IS NULL").fetchall()
    finally:
        con.close()
    return sorted(map(repr, rows))


def test_killed_run_rerun_then_next_drop_alone_equals_one_uninterrupted_full_run(tiny_run, tmp_path):
    """Issue 6: a run killed mid-way (SIGKILL) and started again, then the next drop loaded
    on its own (`--drops NEWEST`: its rows appended, event staging merging only them, the
    rest rebuilt) gives the tables of one uninterrupted full run over every drop."""
    newest = sorted(p for p in tiny_run.landing.iterdir() if p.is_dir())[-1]
    landing = tmp_path / "landing"
    shutil.copytree(tiny_run.landing, landing, ignore=lambda d, names: [newest.name] if Path(d) == tiny_run.landing else [])
    warehouse = tmp_path / "wh.duckdb"
    # The first run is killed while dbt is building models, after raw has been written.
    proc = _start_run(landing, warehouse)
    _wait_for(proc, "OK created sql table model intermediate.")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rerun = lrm("run", "--landing", str(landing), "--warehouse", str(warehouse))
    assert "full rebuild of staging" in rerun, rerun[-3000:]

    shutil.copytree(newest, landing / newest.name)
    incremental = lrm("run", "--landing", str(landing), "--warehouse", str(warehouse), "--drops", newest.name)
    assert "event staging merges the new drops only" in incremental, incremental[-3000:]

    assert differing_tables(warehouse, tiny_run.warehouse) == {}
    assert _open_versions(warehouse) == _open_versions(tiny_run.warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(f"SELECT count(*) FROM {REBUILD_DUE}").fetchone()[0] == 0
        # The GX raw suites of the incremental run checked its drop alone (and reconciled all).
        last_run = con.execute("SELECT run_id FROM dq.run_history ORDER BY started_at DESC LIMIT 1").fetchone()[0]
        batches = {r[0] for r in con.execute("SELECT DISTINCT batch FROM dq.check_results WHERE run_id = ? AND asset_key LIKE 'raw/%'",
                                             [last_run]).fetchall()}
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
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG, PARTITION_NAME_TAG

    from pipelines.defs.ingest.assets import run_drop_range

    assert run_drop_range({PARTITION_NAME_TAG: "2026-11-23"}) == ("2026-11-23", "2026-11-23")
    assert run_drop_range({ASSET_PARTITION_RANGE_START_TAG: "2026-11-21",
                           ASSET_PARTITION_RANGE_END_TAG: "2026-11-23"}) == ("2026-11-21", "2026-11-23")
    assert run_drop_range({"lrm/trigger": "manual"}) is None


def test_nightly_schedule_loads_the_drops_no_run_settled_and_weekly_reloads_all(tmp_path, tiny_landing):
    """Issue 6: every night the drops no run has settled yet (the incremental path), which
    includes the drops of a run that failed after loading them; every week every drop (the
    full rebuild). A drop is settled by a successful run that covered it, or is in hand
    while a queued or running one covers it."""
    import datetime as dt

    from dagster import DagsterRunStatus, build_schedule_context
    from dagster._core.storage.dagster_run import DagsterRun
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG, PARTITION_NAME_TAG

    from pipelines.defs.ops.schedules import build_nightly_schedule, build_weekly_schedule

    drops = sorted(p.name for p in tiny_landing.iterdir() if p.is_dir() and (p / contract.SUCCESS_MARKER).exists())
    assert len(drops) >= 3
    settings = LrmSettings(landing_dir=str(tiny_landing), warehouse_path=str(tmp_path / "wh.duckdb"))
    nightly, weekly = build_nightly_schedule("lrm_all"), build_weekly_schedule("lrm_all")
    when = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.timezone.utc)

    def evaluate(schedule, instance):
        # Closed after use: an open context leaves the instance it reopened set as Dagster's
        # current state storage, which later in-process runs would find dead.
        with build_schedule_context(instance=instance, resources={"settings": settings},
                                    scheduled_execution_time=when) as context:
            return schedule(context)

    def drop_range(request):
        return request.tags[ASSET_PARTITION_RANGE_START_TAG], request.tags[ASSET_PARTITION_RANGE_END_TAG]

    def run(instance, status, first, last=None, job="lrm_all"):
        tags = ({PARTITION_NAME_TAG: first} if last is None
                else {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last})
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
