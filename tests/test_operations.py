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
from tests.test_pipeline_e2e import _snapshot


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


def test_sigkill_mid_run_then_rerun_equals_uninterrupted_run(tiny_run, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    # The first run is killed while dbt is building models, after raw has been written.
    proc = _start_run(tiny_run.landing, warehouse)
    _wait_for(proc, "OK created sql table model intermediate.")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rerun = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--landing", str(tiny_run.landing),
                            "--warehouse", str(warehouse)], capture_output=True, text=True, timeout=900)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    killed_then_rerun, uninterrupted = _snapshot(warehouse), _snapshot(tiny_run.warehouse)
    assert killed_then_rerun.keys() == uninterrupted.keys()
    differing = [t for t in uninterrupted if killed_then_rerun[t] != uninterrupted[t]]
    assert not differing, differing


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
