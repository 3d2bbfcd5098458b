"""The dbt unit tests (the `unit_tests:` beside the models: given rows, expected rows) check
the models' code, not a night's data, so `lrm run` leaves them out of its builds and they
run here, once, against the session's warehouse (their inputs' columns come from it)."""

from __future__ import annotations

import json
import shutil

from tests.conftest import dbt_cli


def test_every_dbt_unit_test_passes(tiny_run, tmp_path):
    warehouse = tmp_path / "lrm.duckdb"
    shutil.copy(tiny_run.warehouse, warehouse)
    proc = dbt_cli(["test", "--select", "test_type:unit"], warehouse, tmp_path, "2026-11-23")
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert len(results) >= 20 and all(r["status"] == "pass" for r in results), [
        (r["unique_id"], r["status"]) for r in results if r["status"] != "pass"
    ]
