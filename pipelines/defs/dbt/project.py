"""The dbt project and its manifest. The Makefile's install step prepares the manifest with
dagster-dbt's own command (`dagster-dbt project prepare-and-package --file` this module),
never by hand."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_target_dir(warehouse: Path) -> Path:
    """dbt's target folder for one warehouse, kept between its runs: dbt re-parses the whole
    project (seconds) unless its profile (the warehouse's path) and vars are those of the
    parse it kept, so each warehouse keeps its own, and the docs of a run reuse the parse of
    its build."""
    return warehouse.with_name(f".{warehouse.stem}.dbt")


def dbt_vars(as_of: str) -> str:
    """The --vars of every dbt invocation of a run (the same vars: no re-parse)."""
    return json.dumps({"as_of": as_of})


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))
