"""The comparison of two warehouses (pipelines/warehouse_diff.py) that the idempotence,
kill-and-rerun tests and `make bench` rely on: it must find what differs and only that."""

from __future__ import annotations

import shutil

import duckdb

from pipelines.warehouse_diff import differing_tables

_LAST_ENTERPRISE = "bin = (SELECT max(bin) FROM marts.enterprise_risk)"


def test_differing_tables_finds_rows_that_differ_and_ignores_what_runs_may_differ_in(tiny_run, tmp_path):
    """What shows that an incremental warehouse equals a full rebuild: a changed row
    in a mart or in raw is found, and so is a double changed by more than the tolerance;
    doubles that differ in the last bits or round either way at the 9th decimal are equal,
    and the assignment history (which counts runs) is left out."""
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    shutil.copy(tiny_run.warehouse, a)
    with duckdb.connect(str(a)) as con:
        con.execute(f"UPDATE marts.enterprise_risk SET ctr_score = 0.12345678851 WHERE {_LAST_ENTERPRISE}")
    shutil.copy(a, b)
    assert differing_tables(a, b) == {}
    con = duckdb.connect(str(b))
    con.execute(
        "UPDATE marts.enterprise_risk SET risk_level = 'changed' WHERE bin = (SELECT min(bin) FROM marts.enterprise_risk)"
    )
    con.execute("DELETE FROM raw.checklists WHERE rowid = (SELECT min(rowid) FROM raw.checklists)")
    con.execute("UPDATE marts.workplace_conditions SET r_ind = r_ind + 1e-12 WHERE r_ind IS NOT NULL")
    # Either side of a rounding boundary: ...851 rounds up to 9 decimals, ...849 down.
    con.execute(f"UPDATE marts.enterprise_risk SET ctr_score = 0.12345678849 WHERE {_LAST_ENTERPRISE}")
    # (a region with enterprises: every region has a row, an empty one without a mean)
    con.execute(
        "UPDATE marts.region_risk SET mean_risk_score = mean_risk_score + 1e-6 "
        "WHERE region = (SELECT min(region) FROM marts.region_risk WHERE mean_risk_score IS NOT NULL)"
    )
    con.execute(
        "DELETE FROM marts.assignment_history WHERE version_no > 1 OR worker_key = (SELECT min(worker_key) FROM marts.assignment_history)"
    )
    con.execute("CREATE TABLE marts.only_here AS SELECT 1 AS x")
    con.close()
    assert differing_tables(a, b) == {
        "marts.enterprise_risk": 2,
        "raw.checklists": 1,
        "marts.region_risk": 2,
        "marts.only_here": -1,
    }
    # The same run repeated must leave assignment history as it was too.
    assert differing_tables(a, b, ignore=frozenset())["marts.assignment_history"] > 0
