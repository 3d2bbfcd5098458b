"""Shared fixtures: one `tiny --dirty` landing directory and one pipeline run over it,
recorded in a persistent Dagster instance (DAGSTER_HOME with the shipped dagster.yaml, as
`make run` does)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines import REPO_ROOT  # noqa: F401 (tests import it from here)
from pipelines.pseudonym import key_file_for
from pipelines.warehouse import default_delivery_path

# One pseudonym key for every run in the suite, so that warehouses built by different
# tests are comparable row for row. Never a production key.
os.environ.setdefault("LRM_PSEUDONYM_KEY", "test-suite-key-not-secret")


@dataclass
class TinyRun:
    landing: Path
    warehouse: Path
    output: str
    dagster_home: Path

    @property
    def delivery(self) -> Path:
        return default_delivery_path(self.warehouse)

    @property
    def key_file(self) -> Path:
        return key_file_for(self.warehouse)

    def run_again(self) -> str:
        return lrm(
            "run",
            "--landing",
            str(self.landing),
            "--warehouse",
            str(self.warehouse),
            env={"DAGSTER_HOME": str(self.dagster_home)},
        )


def dagster_home(path: Path) -> Path:
    """A DAGSTER_HOME holding the shipped dagster.yaml."""
    path.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", path / "dagster.yaml")
    return path


def query(path: Path, sql: str, params=None) -> list[tuple]:
    """Rows of one query on a DuckDB file, opened read-only and closed again."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def chromium() -> str:
    """The headless browser the report tests render pages with (Debian's chromium)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "headless Chromium is required for this test: apt-get install -y chromium (the Makefile's test target does it)"
    )


def lrm(*args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **(env or {})},
    )
    if proc.returncode != 0:
        raise AssertionError(
            f"lrm {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    return proc.stdout


DBT = Path(os.environ.get("LRM_DBT", Path(__file__).resolve().parents[1] / ".venv" / "bin" / "dbt"))


def dbt_cli(args: list[str], warehouse: Path, tmp: Path, as_of: str) -> subprocess.CompletedProcess:
    """The dbt command line of the project on `warehouse` as of `as_of`, its artefacts under `tmp`."""
    from pipelines.defs.dbt.project import DBT_PROJECT_DIR

    return subprocess.run(
        [
            str(DBT),
            *args,
            "--profiles-dir",
            ".",
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
            "--vars",
            f"{{as_of: '{as_of}'}}",
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "LRM_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="session")
def tiny_landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("landing") / "tiny"
    lrm("generate", "--out", str(landing), "--scale", "tiny", "--seed", "7", "--dirty")
    return landing


@pytest.fixture(scope="session")
def tiny_run(tiny_landing, tmp_path_factory) -> TinyRun:
    warehouse = tmp_path_factory.mktemp("warehouse") / "lrm.duckdb"
    home = dagster_home(tmp_path_factory.mktemp("dagster_home"))
    output = lrm("run", "--landing", str(tiny_landing), "--warehouse", str(warehouse), env={"DAGSTER_HOME": str(home)})
    return TinyRun(tiny_landing, warehouse, output, home)


# The modules that run the pipeline several times, longest first: the two workers
# (pytest-xdist, a module each at a time) take them first, so neither is left alone with a
# long module at the end. Order within a module is kept.
LONG_MODULES = (
    "test_hostile_input.py",
    "test_operations.py",
    "test_pipeline_e2e.py",
    "test_quality.py",
    "test_guarantee_rules.py",
    "test_law_over_time.py",
    "test_risk_scores.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONG_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONG_MODULES)))
