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
