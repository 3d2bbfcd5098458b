"""The Dagster definitions as a reviewer sees them (as dagster-open-platform's test_defs
does): every asset key with its group, every asset check, schedule, sensor and job, in a
committed snapshot, so that an accidental change shows in review. After a deliberate one:

    .venv/bin/python -m tests.test_definitions    # rewrites tests/snapshots/definitions.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("snapshots") / "definitions.json"


def describe() -> dict:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    assets = {key.to_user_string(): graph.get(key).group_name for key in sorted(graph.materializable_asset_keys)}
    checks = sorted(f"{c.asset_key.to_user_string()}:{c.name}" for c in graph.asset_check_keys)
    return {
        "assets": assets,
        "asset_checks": checks,
        "schedules": sorted((s.name, s.cron_schedule, s.execution_timezone) for s in defs.schedules),
        "sensors": sorted(s.name for s in defs.sensors),
        "jobs": sorted(j.name for j in defs.jobs),
    }


def test_the_definitions_are_those_of_the_snapshot():
    current = json.loads(json.dumps(describe()))
    recorded = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for part in current:
        added = sorted(set(map(str, current[part])) - set(map(str, recorded.get(part, []))))
        removed = sorted(set(map(str, recorded.get(part, []))) - set(map(str, current[part])))
        assert current[part] == recorded.get(part), (
            f"{part} changed (added {added[:20]}, removed {removed[:20]}); if deliberate: python -m tests.test_definitions"
        )


if __name__ == "__main__":
    SNAPSHOT.parent.mkdir(exist_ok=True)
    SNAPSHOT.write_text(json.dumps(describe(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}", file=sys.stderr)


def _project_copy(tmp_path: Path) -> Path:
    import shutil

    from pipelines import REPO_ROOT

    shutil.copytree(REPO_ROOT / "seeds", tmp_path / "seeds")
    project = tmp_path / "dbt_project"
    shutil.copytree(REPO_ROOT / "dbt_project" / "models", project / "models")
    (project / "target").mkdir()
    shutil.copy(REPO_ROOT / "dbt_project" / "target" / "manifest.json", project / "target")
    return project


def test_a_manifest_that_lacks_a_model_or_seed_on_disk_is_refused(tmp_path):
    import pytest

    from pipelines.defs.dbt.project import StaleManifestError, check_manifest

    project = _project_copy(tmp_path)
    check_manifest(project)  # the prepared manifest holds every model and seed
    added = project / "models" / "marts" / "new_mart.sql"
    added.write_text("select 1 as x\n")
    with pytest.raises(StaleManifestError, match=r"1 file\(s\) not in it, 0 gone, e.g. new_mart.sql.*make install"):
        check_manifest(project)
    added.unlink()
    next((project.parent / "seeds" / "reference").glob("*.csv")).unlink()
    with pytest.raises(StaleManifestError, match=r"0 file\(s\) not in it, 1 gone"):
        check_manifest(project)
