"""dbt tests that hold a run back where the law requires it (README "Data quality": a dbt
test of severity `error` is a blocking check), each shown to fail on a row that breaks it:

- no assignment above the law's ceiling (guarantee_rules.max_volume): additional leave at
  most 36 days (order No. 1053, Labour Code art. 89), the shortened week at most 36 hours
  (art. 69 p.2) — docs/law_and_models.md §4;
- every contract's workplace is in the workplace snapshot: the guarantees follow the
  workplace (its List entry and attestation), so a contract at a workplace the snapshot
  lost would silently lose them — docs/law_and_models.md §4.

dbt runs in this process on a small hand-made warehouse (tests/dbt_inprocess.py).
"""

from __future__ import annotations

import duckdb
import pytest

from pipelines.contract import EXTRACTS
from pipelines.ingest.load import create_raw
from pipelines.quality import dbt_results, suites

from .dbt_inprocess import Dbt

AS_OF = "2026-06-30"
D1, D2 = "2026-05-31", "2026-06-30"
BIN = "100000000001"


@pytest.fixture(scope="module")
def dbt(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dbt_checks")
    warehouse = tmp / "wh.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA raw")
        for extract in EXTRACTS.values():
            create_raw(con, extract)
    runner = Dbt(warehouse, tmp, AS_OF)
    runner("seed", "--select", "guarantee_rules", "oked_sections", "list_entries")
    return runner, warehouse


def _test_results(result, test_name: str) -> list:
    return [
        r
        for r in result.result.results
        if r.node.resource_type == "test"
        and (r.node.test_metadata.name if r.node.test_metadata else r.node.name) == test_name
    ]


# (case, guarantee, regime, volume, within the ceiling) — docs/law_and_models.md §4
CEILINGS = [
    ("s4-leave-36-days-is-the-longest-list-entry", "additional_leave", "current_law", 36.0, True),
    ("s4-leave-37-days-is-above-the-list", "additional_leave", "current_law", 37.0, False),
    ("s4-risk-model-leave-above-36-days-too", "additional_leave", "risk_model", 40.0, False),
    ("s4-short-week-36-hours", "short_week", "current_law", 36.0, True),
    ("s4-short-week-36.5-hours-is-above-it", "short_week", "risk_model", 36.5, False),
    ("s4-no-ceiling-on-oppv-kzt", "oppv", "current_law", 250000.0, True),
]


def test_assignment_volumes_stay_within_the_laws_ceilings(dbt):
    """One assignment per case; the test's failing rows are the cases above the ceiling."""
    runner, warehouse = dbt
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        con.execute(
            "CREATE OR REPLACE TABLE marts.guarantee_assignments (worker_key VARCHAR, bin VARCHAR, "
            "workplace_id VARCHAR, guarantee VARCHAR, regime VARCHAR, volume DOUBLE, unit VARCHAR, as_of DATE)"
        )
        for i, (case, guarantee, regime, volume, _) in enumerate(CEILINGS):
            con.execute(
                "INSERT INTO marts.guarantee_assignments VALUES (?, ?, ?, ?, ?, ?, 'x', DATE '2026-06-30')",
                [f"{i:032x}", BIN, case, guarantee, regime, volume],
            )
    result = runner.invoke("test", "--select", "guarantee_assignments,test_name:volume_within_ceiling")
    [test] = _test_results(result, "volume_within_ceiling")
    assert (str(test.status), test.failures) == ("fail", sum(not ok for *_, ok in CEILINGS))
    assert dbt_results._severity(_node(runner, test.node.unique_id)) == suites.CRITICAL  # blocking
    with duckdb.connect(str(warehouse)) as con:
        over = con.execute(test.node.compiled_code).fetchall()  # the rows that break it
    assert sorted(r[2] for r in over) == sorted(c[0] for c in CEILINGS if not c[4])


def _node(runner, unique_id: str) -> dict:
    return runner.manifest.nodes[unique_id].to_dict()


def _raw(con, table: str, rows: list[dict]) -> None:
    for line, row in enumerate(rows, start=2):
        columns = [*row, "_file", "_line"]
        values = [*row.values(), f"{row['_drop_date']}/{table}.csv", line]
        con.execute(f"INSERT INTO raw.{table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(values))})", values)


def test_a_contract_at_a_workplace_the_snapshot_lost_blocks_the_run(dbt):
    """W2 was in the first drop's workplaces and is gone from the second (its version ended
    there), while the second drop's contracts still name it: ingestion lets the contract
    in (its workplace existed in an earlier drop), the workplace snapshot in force does
    not hold it, and the relationship test fails at severity error."""
    runner, warehouse = dbt
    with duckdb.connect(str(warehouse)) as con:
        _raw(
            con,
            "enterprises",
            [dict(bin=BIN, name="Завод", oked="24101", kato="351010000", status="active", _drop_date=D1)],
        )
        _raw(
            con,
            "workplaces",
            [
                dict(workplace_id="W1", bin=BIN, unit="u", profession="Плавильщик", _drop_date=D1),
                dict(workplace_id="W2", bin=BIN, unit="u", profession="Плавильщик", _drop_date=D1, _until_drop=D2),
            ],
        )
        _raw(
            con,
            "employees",
            [
                dict(
                    contract_id="C1",
                    worker_key="a" * 32,
                    bin=BIN,
                    workplace_id="W1",
                    start_date="2020-01-01",
                    monthly_income="300000",
                    _drop_date=D2,
                ),
                dict(
                    contract_id="C2",
                    worker_key="b" * 32,
                    bin=BIN,
                    workplace_id="W2",
                    start_date="2020-01-01",
                    monthly_income="300000",
                    _drop_date=D2,
                ),
            ],
        )
    assert _workplace_relationship(runner) == [("fail", 1)]
    with duckdb.connect(str(warehouse)) as con:  # the other way round: a workplace still held passes
        con.execute("UPDATE raw.workplaces SET _until_drop = NULL WHERE workplace_id = 'W2'")
    assert _workplace_relationship(runner) == [("pass", 0)]


def _workplace_relationship(runner) -> list[tuple[str, int]]:
    result = runner.invoke(
        "build",
        "--select",
        "stg_registry__enterprises",
        "stg_hr__workplaces",
        "stg_hr__employees",
        "--exclude",
        "resource_type:unit_test",
    )
    tests = [
        r
        for r in _test_results(result, "relationships")
        if r.node.attached_node.endswith("stg_hr__employees")
        and r.node.test_metadata.kwargs.get("column_name") == "workplace_id"
    ]
    assert len(tests) == 1
    assert dbt_results._severity(_node(runner, tests[0].node.unique_id)) == suites.CRITICAL  # blocking
    return [(str(t.status), t.failures) for t in tests]
