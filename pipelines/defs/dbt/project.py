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
    project (slow) unless its profile (the warehouse's path) and vars are those of the
    parse it kept, so each warehouse keeps its own, and the docs of a run reuse the parse of
    its build."""
    return warehouse.with_name(f".{warehouse.stem}.dbt")


def dbt_vars(as_of: str) -> str:
    """The --vars of every dbt invocation of a run (the same vars: no re-parse)."""
    return json.dumps({"as_of": as_of})


def dbt_executable() -> str:
    """The dbt beside this Python (the same virtualenv), whatever the PATH holds."""
    return str(Path(sys.executable).with_name("dbt"))


class StaleManifestError(RuntimeError):
    """The prepared manifest does not hold the project's models and seeds as they are on disk."""


def check_manifest(project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Refuses to run on a manifest that lacks a model or seed on disk (or names one that is
    gone): the asset graph comes from the manifest, and dbt reporting a node Dagster does not
    know fails the dbt step half-way, with the warehouse locked by dbt while the run rolls
    back. Files are compared by name, not by time, so a fresh clone is not refused."""
    manifest_path = project_dir / "target" / "manifest.json"
    if not manifest_path.exists():
        raise StaleManifestError(f"no dbt manifest at {manifest_path}: run `make install`")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    in_manifest = {
        (project_dir / node["original_file_path"]).resolve()
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
    }
    on_disk = {path.resolve() for path in (project_dir / "models").rglob("*.sql")}
    on_disk |= {path.resolve() for path in (project_dir.parent / "seeds").rglob("*.csv")}
    missing, gone = sorted(on_disk - in_manifest), sorted(in_manifest - on_disk)
    if missing or gone:
        names = [path.name for path in (missing + gone)[:5]]
        raise StaleManifestError(
            f"the dbt manifest is out of date ({len(missing)} file(s) not in it, {len(gone)} gone, "
            f"e.g. {', '.join(names)}): run `make install` to prepare it again"
        )
