"""The dbt unit tests of a selection, alone: `python -m tests.mutants.dbt_unit SELECTOR...`.

dbt runs a model's unit tests only once its parents exist in the warehouse, so the
selection is built with `--empty` (every model with its columns and no rows, seeds
loaded) on a scratch warehouse whose raw tables are the landing contract's, empty; the
data tests are left out. The pipeline's own `dbt build` runs the same unit tests on every
run (a failure blocks it); this is the fast way to run them for one change.

Exit 0 when every unit test of the selection passed, 1 when one failed (each printed as
`unit test failed: <name>`), 2 when none ran or the build could not start.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import duckdb

from pipelines.contract import EXTRACTS
from pipelines.defs.dbt.project import DBT_PROJECT_DIR
from pipelines.ingest.load import create_raw


def main(selectors: list[str]) -> int:
    from dbt.cli.main import dbtRunner

    if not selectors:
        print("usage: python -m tests.mutants.dbt_unit SELECTOR...")
        return 2
    with tempfile.TemporaryDirectory(prefix="lrm-dbt-unit-") as tmp:
        warehouse = Path(tmp) / "empty.duckdb"
        with duckdb.connect(str(warehouse)) as con:
            con.execute("CREATE SCHEMA raw")
            for extract in EXTRACTS.values():
                create_raw(con, extract)
        os.environ["LRM_WAREHOUSE"] = str(warehouse)
        project = str(DBT_PROJECT_DIR)
        result = dbtRunner().invoke(
            [
                "build",
                "--empty",
                "--select",
                *selectors,
                "--exclude",
                "resource_type:test",
                "--project-dir",
                project,
                "--profiles-dir",
                project,
                "--target-path",
                str(Path(tmp) / "target"),
                "--log-path",
                str(Path(tmp) / "logs"),
                "--threads",
                "1",
                "--quiet",
                "--no-write-json",
            ]
        )
    if result.result is None:
        print(f"dbt could not build the selection: {result.exception}")
        return 2
    units = [r for r in result.result.results if r.node.resource_type == "unit_test"]
    failed = [r for r in units if str(r.status) in ("fail", "error")]
    skipped = [r for r in units if str(r.status) not in ("pass", "fail", "error")]
    for r in failed:
        print(f"unit test failed: {r.node.name} ({r.status}): {(r.message or '')[:500]}")
    if not units:
        print(f"no unit test in the selection {selectors}")
        return 2
    print(
        f"{len(units) - len(failed) - len(skipped)} of {len(units)} unit tests passed, {len(failed)} failed, "
        f"{len(skipped)} not run (a model they need did not build)"
    )
    if failed:
        return 1
    return 2 if skipped else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
