"""Documentation that travels with the data: the dbt docs site of a run and the table and
column descriptions the published copy and its Parquet carry.

The descriptions are those of the dbt project's yml files (marts, seeds, and the `dq`
tables declared as dbt sources), read from the manifest that `dbt docs generate` writes
alongside the site, so the site, the DuckDB comments and the Parquet metadata of one
publish say the same thing.

`python -m pipelines.publish_docs TARGET VARS` runs dbt (parse, then docs generate) in its own
process: dbt keeps the warehouse open while it reads the catalogue, and the publishing
process must not hold the same file under another configuration.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.defs.dbt.project import DBT_PROJECT_DIR, dbt_target_dir, dbt_vars

STATIC_SITE = "static_index.html"  # the whole site in one file: opens from disk, no server


@dataclass
class TableDoc:
    """A table's description and its columns' descriptions, as the dbt project's yml gives them."""

    description: str
    columns: dict[str, str] = field(default_factory=dict)


def generate(warehouse: Path, as_of: str) -> Path:
    """Run `dbt docs generate --static` on `warehouse` in the warehouse's dbt target folder,
    with the vars of the run's build: dbt reuses the parse the build kept there instead of
    parsing the project again. The site file."""
    target = dbt_target_dir(warehouse)
    target.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "LRM_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.publish_docs", str(target), dbt_vars(as_of)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    site = target / STATIC_SITE
    if proc.returncode != 0 or not site.exists():
        raise RuntimeError(
            f"dbt docs generate failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return site


def descriptions(manifest_path: Path) -> dict[tuple[str, str], TableDoc]:
    """(schema, table) -> descriptions, for every model, seed and source of the manifest."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    out: dict[tuple[str, str], TableDoc] = {}
    nodes = [n for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")]
    for node in [*nodes, *manifest["sources"].values()]:
        name = node.get("identifier") or node.get("alias") or node["name"]
        out[(node["schema"], name)] = TableDoc(
            description=" ".join((node.get("description") or "").split()),
            columns={c: " ".join((col.get("description") or "").split()) for c, col in node["columns"].items()},
        )
    return out


def _run_dbt(target: Path, dbt_vars_json: str) -> int:
    from dbt.cli.main import dbtRunner

    common = [
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
        "--vars",
        dbt_vars_json,
        "--quiet",
    ]
    parsed = dbtRunner().invoke(["parse", *common])
    if not parsed.success:
        print(parsed.exception, file=sys.stderr)
        return 1
    # The models are documented as written (no compile: no SQL is run to build the site).
    docs = dbtRunner(manifest=parsed.result).invoke(["docs", "generate", "--static", "--no-compile", *common])
    if not docs.success:
        print(docs.exception, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m pipelines.publish_docs TARGET_DIR VARS_JSON")
    sys.exit(_run_dbt(Path(sys.argv[1]), sys.argv[2]))
