"""Dagster as the home of operations (issue 15, item 1): the shipped dagster.yaml loads with
the pinned Dagster, `make dagster` serves the definitions (assets with prose descriptions,
dbt tests as described checks, schedules and sensors), and `lrm run` records its run in
the DAGSTER_HOME instance, so the UI and the schedule see what a command-line run did."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
from dagster import (
    AssetCheckKey,
    AssetKey,
    DagsterInstance,
    DagsterRunStatus,
    RunsFilter,
    SkipReason,
    build_schedule_context,
)

from pipelines import contract
from pipelines.defs.ops.run_outcome import CLI_TRIGGER, OUTCOME_SENSORS, TRIGGER_TAG
from pipelines.defs.ops.schedules import NIGHTLY_SCHEDULE, WEEKLY_SCHEDULE, build_nightly_schedule
from pipelines.defs.ops.sensors import NEW_DROP_SENSOR
from pipelines.defs.resources import LrmSettings
from tests.conftest import REPO_ROOT, dagster_home

GAP_KIND_TEST = "accepted_values_guarantee_gaps_gap_kind__not_granted__under_granted__over_granted__conflict"


def _pinned(package: str) -> str:
    deps = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    return next(d.split("==")[1] for d in deps if d.split("==")[0] == package)


def test_shipped_dagster_yaml_loads_with_the_pinned_dagster(tmp_path):
    import dagster
    from dagster._core.run_coordinator import QueuedRunCoordinator

    assert dagster.__version__ == _pinned("dagster")
    with DagsterInstance.from_config(str(dagster_home(tmp_path / "home"))) as instance:
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        config = instance.get_concurrency_config()
        assert config.run_queue_config.max_concurrent_runs == 1  # one run writes the warehouse at a time
        assert config.pool_config.default_pool_limit == 1  # the duckdb_warehouse_writer pool
        # A step never waits for a slot inside a run: a killed `lrm run` leaves none claimed.
        assert config.pool_config.pool_granularity.value == "run"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
    assert "errors" not in body, body["errors"]
    return body["data"]


_LOCATIONS = """{ workspaceOrError { __typename ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message }
    ... on RepositoryLocation { repositories { name schedules { name cronSchedule executionTimezone }
                                                 sensors { name sensorType } } } } } } } }"""
_ASSETS = """{ assetNodes { assetKey { path } description
  assetChecksOrError { __typename ... on AssetChecks { checks { name description blocking } } } } }"""


def _wait_for_location(port: int, proc: subprocess.Popen, log: Path, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"make dagster exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            entries = _graphql(port, _LOCATIONS)["workspaceOrError"]["locationEntries"]
            if entries and entries[0]["loadStatus"] == "LOADED":
                location = entries[0]["locationOrLoadError"]
                assert location["__typename"] == "RepositoryLocation", location
                return location
        except (urllib.error.URLError, ConnectionError, TimeoutError, KeyError):
            pass
        time.sleep(2)
    pytest.fail(f"the Dagster webserver did not serve the code location in {timeout}s:\n{log.read_text()[-4000:]}")


_CLI_RUNS = """{ runsOrError(filter: {tags: [{key: "lrm/trigger", value: "cli"}]}) {
  __typename ... on Runs { results { runId status jobName } } } }"""
_LATEST = """{ assetOrError(assetKey: {path: ["raw", "enterprises"]}) { __typename
  ... on Asset { assetMaterializations(limit: 100) { runId partition } } } }"""


def test_make_dagster_serves_the_assets_checks_schedules_and_sensors(tiny_run, tmp_path):
    """The UI of `make dagster`, over a DAGSTER_HOME where `lrm run` has run (the session's
    run, as `make run` leaves it): it lists the definitions and shows the command-line run."""
    port, log = _free_port(), tmp_path / "dagster.log"
    var = tmp_path / "var"
    shutil.copytree(tiny_run.dagster_home, var / "dagster_home")
    with log.open("w") as out:
        # Its own session, so that stopping it stops the webserver, daemon and code server it starts.
        proc = subprocess.Popen(
            ["make", "dagster", f"VAR={var}", f"DAGSTER_PORT={port}"],
            cwd=REPO_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        location = _wait_for_location(port, proc, log)
        repo = location["repositories"][0]
        schedules = {s["name"]: s for s in repo["schedules"]}
        assert set(schedules) == {NIGHTLY_SCHEDULE, WEEKLY_SCHEDULE}
        assert schedules[NIGHTLY_SCHEDULE]["executionTimezone"] == "Asia/Almaty"
        sensors = {s["name"]: s["sensorType"] for s in repo["sensors"]}
        assert sensors[NEW_DROP_SENSOR] == "STANDARD"
        assert {sensors[name] for name in OUTCOME_SENSORS.values()} == {"RUN_STATUS"}
        assets = {"/".join(a["assetKey"]["path"]): a for a in _graphql(port, _ASSETS)["assetNodes"]}
        assert {f"raw/{x}" for x in contract.EXTRACTS} | {"marts/guarantee_gaps", "published/analyst_copy"} <= set(
            assets
        )
        # dbt assets: descriptions in prose, never the model's SQL.
        manifest = json.loads((REPO_ROOT / "dbt_project" / "target" / "manifest.json").read_text(encoding="utf-8"))
        nodes = manifest["nodes"].values()
        dbt_assets = {
            k: a for k, a in assets.items() if k.split("/")[0] in ("reference", "staging", "intermediate", "marts")
        }
        assert len(dbt_assets) == sum(1 for n in nodes if n["resource_type"] in ("model", "seed"))
        for key, asset in dbt_assets.items():
            text = asset["description"] or ""
            assert text and not re.search(r"(?i)raw sql|\bselect\b.*\bfrom\b|\{\{\s*ref\(", text), (key, text[:200])
        # dbt tests are checks with descriptions; raw extracts carry the rejection threshold.
        checks = {
            (k, c["name"]): c
            for k, a in assets.items()
            if a["assetChecksOrError"]["__typename"] == "AssetChecks"
            for c in a["assetChecksOrError"]["checks"]
        }
        dbt_checks = {key: c for key, c in checks.items() if key[0] in dbt_assets and not key[1].startswith("gx_")}
        assert len(dbt_checks) == sum(1 for n in nodes if n["resource_type"] == "test")
        assert all(c["description"] for c in dbt_checks.values())
        assert (
            checks[("marts/guarantee_gaps", GAP_KIND_TEST)]["description"]
            == "gap_kind is one of: not_granted, under_granted, over_granted, conflict."
        )
        assert checks[("raw/enterprises", "rejected_share")]["blocking"]
        # The instance is the shared DAGSTER_HOME of `make run`, with the shipped file: the
        # UI shows the command-line run and what it materialized.
        assert (var / "dagster_home" / "dagster.yaml").read_bytes() == (
            REPO_ROOT / "dagster_home" / "dagster.yaml"
        ).read_bytes()
        run_id = re.search(r"lrm run: done in [\d.]+s \(run ([0-9a-f-]+)\)", tiny_run.output).group(1)
        runs = _graphql(port, _CLI_RUNS)["runsOrError"]["results"]
        assert {"runId": run_id, "status": "SUCCESS", "jobName": "lrm_all"} in runs
        materialized = _graphql(port, _LATEST)["assetOrError"]["assetMaterializations"]
        drops = {p.name for p in tiny_run.landing.iterdir() if (p / contract.SUCCESS_MARKER).exists()}
        assert {m["partition"] for m in materialized if m["runId"] == run_id} == drops
    finally:
        _stop(proc)


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _stop(proc: subprocess.Popen) -> None:
    """Stops `make dagster` and every process it started (the webserver, the daemon, the
    code servers): SIGTERM to its session, then SIGKILL to whichever of those very
    processes (same pid, same command line) is still there a minute later."""
    started = _descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def alive() -> list[psutil.Process]:
        # is_running() knows a process by pid and start time: a pid reused since is not ours.
        out = []
        for p in started:
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    out.append(p)
            except psutil.NoSuchProcess:
                continue
        return out

    deadline = time.monotonic() + 60
    while alive() and time.monotonic() < deadline:
        time.sleep(1)
    for p in alive():
        p.kill()


def test_lrm_run_is_recorded_in_the_dagster_home_instance(tiny_run):
    """The session's `lrm run` ran with DAGSTER_HOME (as `make run` does): its run, the
    materializations and the check results are in that instance, and the nightly schedule
    knows that run settled every drop."""
    run_id = re.search(r"lrm run: done in [\d.]+s \(run ([0-9a-f-]+)\)", tiny_run.output).group(1)
    drops = sorted(p.name for p in tiny_run.landing.iterdir() if (p / contract.SUCCESS_MARKER).exists())
    with DagsterInstance.from_config(str(tiny_run.dagster_home)) as instance:
        record = instance.get_run_record_by_id(run_id)
        assert record is not None and record.dagster_run.status == DagsterRunStatus.SUCCESS
        assert record.dagster_run.job_name == "lrm_all" and record.dagster_run.tags[TRIGGER_TAG] == CLI_TRIGGER
        assert run_id in {r.dagster_run.run_id for r in instance.get_run_records(RunsFilter(job_name="lrm_all"))}
        # Materializations: every drop of every extract (partitions), dbt models, the published copy.
        raw = instance.fetch_materializations(AssetKey(["raw", "enterprises"]), limit=100).records
        assert {r.partition_key for r in raw if r.run_id == run_id} == set(drops)
        for key in (["marts", "guarantee_gaps"], ["published", "analyst_copy"]):
            assert run_id in {r.run_id for r in instance.fetch_materializations(AssetKey(key), limit=10).records}, key
        # Check results: GX, the rejection threshold (the dirty enterprises warn), a dbt test.
        for check, passed in (
            (AssetCheckKey(AssetKey(["raw", "enterprises"]), "gx_critical"), True),
            (AssetCheckKey(AssetKey(["raw", "enterprises"]), "rejected_share"), False),
            (AssetCheckKey(AssetKey(["marts", "guarantee_gaps"]), GAP_KIND_TEST), True),
        ):
            history = instance.event_log_storage.get_asset_check_execution_history(check, limit=10)
            mine = [h for h in history if h.run_id == run_id]
            assert mine, check
            evaluation = mine[0].event.dagster_event.event_specific_data
            assert evaluation.passed is passed, check
        # The schedule sees the command-line run: nothing is left for tonight.
        settings = LrmSettings(landing_dir=str(tiny_run.landing), warehouse_path=str(tiny_run.warehouse))
        with build_schedule_context(
            instance=instance,
            resources={"settings": settings},
            scheduled_execution_time=dt.datetime(2026, 11, 24, 3, tzinfo=dt.UTC),
        ) as context:
            assert isinstance(build_nightly_schedule("lrm_all")(context), SkipReason)
