"""Shared fixtures: one `tiny --dirty` landing directory and one pipeline run over it."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

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

    @property
    def delivery(self) -> Path:
        return default_delivery_path(self.warehouse)

    @property
    def key_file(self) -> Path:
        return key_file_for(self.warehouse)

    def run_again(self) -> str:
        return lrm("run", "--landing", str(self.landing), "--warehouse", str(self.warehouse))


def lrm(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise AssertionError(f"lrm {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc.stdout


DBT = Path(os.environ.get("LRM_DBT", Path(__file__).resolve().parents[1] / ".venv" / "bin" / "dbt"))


def dbt_cli(args: list[str], warehouse: Path, tmp: Path, as_of: str) -> subprocess.CompletedProcess:
    """The dbt command line of the project on `warehouse` as of `as_of`, its artefacts under `tmp`."""
    from pipelines.defs.dbt.project import DBT_PROJECT_DIR

    return subprocess.run(
        [str(DBT), *args, "--profiles-dir", ".", "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs"),
         "--vars", f"{{as_of: '{as_of}'}}"],
        cwd=DBT_PROJECT_DIR, env={**os.environ, "LRM_WAREHOUSE": str(warehouse)}, capture_output=True, text=True)


@pytest.fixture(scope="session")
def tiny_landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("landing") / "tiny"
    lrm("generate", "--out", str(landing), "--scale", "tiny", "--seed", "7", "--dirty")
    return landing


@pytest.fixture(scope="session")
def tiny_run(tiny_landing, tmp_path_factory) -> TinyRun:
    warehouse = tmp_path_factory.mktemp("warehouse") / "lrm.duckdb"
    output = lrm("run", "--landing", str(tiny_landing), "--warehouse", str(warehouse))
    return TinyRun(tiny_landing, warehouse, output)
