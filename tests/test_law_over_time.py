"""Law over time (docs/law_and_models.md §10, "Decisions of the second round"), on a two-drop landing.

A hand-written landing of two drops — 2023-06-30 and 2026-11-23 — goes through the real
ingestion (validation, pseudonyms, snapshot versions) into one DuckDB file; dbt builds the
marts as of the newest drop, then, on the same warehouse, as of the earlier date. Every
expected value below is computed by hand in a comment, never read from the models.

The cases (E = enterprise, W = workplace, k = worker; CMN-001 = 12 days of leave, MET-001
= 24 days and an ЛПП ration, ОППВ):
  E1 metallurgy, region 35: W-WELD never attested until an acceptable act of 2026-10-01;
     W-EXP acceptable act of 2021-03-01 (expires 2026-03-01), harmful act of 2026-07-01;
     W-ACC acceptable act of 2024-01-15, harmful act of 2026-07-01; W-HARM harmful since
     2022-05-01; W-OLD harmful act of 2018-03-01, expired 2023-03-01; W-LATE harmful act of
     2023-06-01 that only the 2026 drop reports.
  E2 retail, region 75: active in the 2023 drop, liquidated in the 2026 drop; its worker's
     contract is still active.
  E3 construction, region 71: a contract and no payroll row at all, no checklist.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import contract
from pipelines.ingest.landing import scan_landing
from pipelines.ingest.load import ingest_extract
from pipelines.pseudonym import worker_key
from pipelines.quality.service import check_mart
from pipelines.warehouse import ensure_dq

from .conftest import dbt_cli
from .risk_fixture import bin_ as valid_id  # 12 digits with a valid control digit (§9)

OLD, NEW = "2023-06-30", "2026-11-23"  # the two drops; 2023 and 2026 have 365 days
KEY = b"law-over-time-test-key"

E1, E2, E3 = valid_id(240), valid_id(241), valid_id(242)
WORKERS = ["weld", "new", "exp", "acc", "harm", "old", "late", "e2", "e3"]
IIN = {w: valid_id(n) for n, w in enumerate(WORKERS, start=500)}  # ingestion checks the control digit


def wk(worker: str) -> str:
    return worker_key(KEY, IIN[worker])


def _enterprises(e2_status: str) -> list[dict]:
    return [
        {"bin": E1, "name": "Завод", "oked": "24101", "kato": "351010000", "status": "active"},
        {"bin": E2, "name": "Склад", "oked": "47111", "kato": "751010000", "status": e2_status},
        {"bin": E3, "name": "Стройка", "oked": "41201", "kato": "711010000", "status": "active"},
    ]


WORKPLACES = [  # the same in both drops
    {"workplace_id": "W-WELD", "bin": E1, "unit": "shop", "profession": "Электрогазосварщик"},
    {"workplace_id": "W-EXP", "bin": E1, "unit": "shop", "profession": "Электрогазосварщик", "list_entry": "CMN-001"},
    {"workplace_id": "W-ACC", "bin": E1, "unit": "shop", "profession": "Электрогазосварщик", "list_entry": "CMN-001"},
    {"workplace_id": "W-HARM", "bin": E1, "unit": "shop", "profession": "Плавильщик", "list_entry": "MET-001"},
    {"workplace_id": "W-OLD", "bin": E1, "unit": "shop", "profession": "Плавильщик", "list_entry": "MET-001"},
    {"workplace_id": "W-LATE", "bin": E1, "unit": "shop", "profession": "Плавильщик", "list_entry": "MET-001"},
    {"workplace_id": "W-E2", "bin": E2, "unit": "store", "profession": "Электрогазосварщик"},
    {"workplace_id": "W-E3", "bin": E3, "unit": "site", "profession": "Каменщик"},
]


def _employees(harm_income: str, with_new: bool) -> list[dict]:
    rows = [
        ("C-WELD", "weld", E1, "W-WELD", "2020-01-01", "300000"),
        ("C-EXP", "exp", E1, "W-EXP", "2020-01-01", "300000"),
        ("C-ACC", "acc", E1, "W-ACC", "2020-01-01", "300000"),
        ("C-HARM", "harm", E1, "W-HARM", "2020-01-01", harm_income),
        ("C-OLD", "old", E1, "W-OLD", "2020-01-01", "300000"),
        ("C-LATE", "late", E1, "W-LATE", "2020-01-01", "300000"),
        ("C-E2", "e2", E2, "W-E2", "2020-01-01", "200000"),
        ("C-E3", "e3", E3, "W-E3", "2022-01-01", "250000"),
    ] + ([("C-NEW", "new", E1, "W-WELD", "2026-09-01", "300000")] if with_new else [])
    return [
        {"contract_id": c, "iin": IIN[w], "bin": b, "workplace_id": wp, "start_date": s, "monthly_income": i}
        for c, w, b, wp, s, i in rows
    ]


def _act(
    act: str,
    wp: str,
    order_date: str,
    factor: str,
    cls: str | None,
    measured: str | None = None,
    limit: str | None = None,
) -> dict:
    return {
        "attestation_id": act,
        "bin": E1,
        "order_no": act,
        "order_date": order_date,
        "workplace_id": wp,
        "factor": factor,
        "measured": measured,
        "limit_value": limit,
        "class": cls,
    }


def _checklist(bin_: str, day: str, non_compliant: int) -> dict:
    return {
        "bin": bin_,
        "submitted_on": day,
        **{f"q{i:02d}": "false" if i <= non_compliant else "true" for i in range(1, 16)},
    }


def _assessment(wp: str, day: str, value: str) -> dict:
    return {
        "workplace_id": wp,
        "assessed_on": day,
        **{c: value for c in ("harm", "injury", "equipment", "ppe", "morbidity")},
    }


def _grant(worker: str, guarantee: str, year: str, value: str) -> dict:
    return {"iin": IIN[worker], "bin": E1, "guarantee": guarantee, "year": year, "value": value}


DROPS: dict[str, dict[str, list[dict]]] = {
    OLD: {
        "enterprises": _enterprises("active"),
        "workplaces": WORKPLACES,
        "employees": _employees("300000", with_new=False),
        "collective_agreements": [
            {
                "bin": E1,
                "signed_on": "2023-01-01",
                "valid_until": "2024-01-01",
                "pay_supplement_pct": "15",
                "union_present": "true",
            }
        ],
        "attestations": [
            _act("A-OLD", "W-OLD", "2018-03-01", "heaviness", "3.1"),
            _act("A-EXP-1", "W-EXP", "2021-03-01", "heaviness", "2"),
            _act("A-HARM", "W-HARM", "2022-05-01", "heaviness", "3.2"),
        ],
        "risk_assessments": [_assessment("W-HARM", "2022-06-01", "0.6")],
        "checklists": [_checklist(E1, "2023-05-10", 1)],
        "payroll": [
            {
                "iin": IIN["harm"],
                "bin": E1,
                "month": "2023-05",
                "accrued": "300000",
                "paid": "300000",
                "paid_on": "2023-06-05",
            }
        ],
        "granted_guarantees": [_grant("harm", "oppv", "2023", "15000")],
    },
    NEW: {
        "enterprises": _enterprises("liquidated"),
        "workplaces": WORKPLACES,
        "employees": _employees("400000", with_new=True),
        "collective_agreements": [
            {
                "bin": E1,
                "signed_on": "2026-01-01",
                "valid_until": "2026-12-31",
                "pay_supplement_pct": "20",
                "union_present": "true",
            }
        ],
        "attestations": [
            _act("A-LATE", "W-LATE", "2023-06-01", "heaviness", "3.1"),  # ordered before 2023-06-30, reported late
            _act("A-ACC-1", "W-ACC", "2024-01-15", "heaviness", "2"),
            _act("A-EXP-2", "W-EXP", "2026-07-01", "heaviness", "3.1"),
            _act("A-EXP-2", "W-EXP", "2026-07-01", "noise", "2", "90", "80"),  # measured 3.2: disagrees
            _act("A-ACC-2", "W-ACC", "2026-07-01", "heaviness", "3.1"),
            _act("A-WELD", "W-WELD", "2026-10-01", "heaviness", "2"),
            _act("A-WELD", "W-WELD", "2026-10-01", "noise", "1", "78", "80"),  # under the limit: class 1 agrees
        ],
        "risk_assessments": [_assessment("W-HARM", "2026-03-01", "0.8")],
        "payroll": [
            {
                "iin": IIN["harm"],
                "bin": E1,
                "month": "2026-10",
                "accrued": "400000",
                "paid": "400000",
                "paid_on": "2026-11-05",
            }
        ],
        "granted_guarantees": [
            _grant("harm", "milk", "2026", "1"),
            _grant("harm", "therapeutic_nutrition", "2026", "1"),
            _grant("harm", "oppv", "2026", "20000.4"),
            _grant("weld", "pay_supplement", "2026", "10"),
            _grant("weld", "additional_leave", "2026", "12"),
        ],
    },
}

MODELS = [
    "+guarantee_assignments",
    "+guarantee_gaps",
    "+guarantee_costs",
    "+region_risk",
    "+enterprise_risk",
    "+workplace_conditions",
    "+parameters_not_in_force",
]


def _write_landing(root: Path) -> None:
    for drop, files in DROPS.items():
        folder = root / drop
        folder.mkdir(parents=True)
        for name, rows in files.items():
            columns = contract.EXTRACTS[name].column_names
            with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
                w = csv.DictWriter(f, fieldnames=columns)
                w.writeheader()
                w.writerows({c: r.get(c) for c in columns} for r in rows)
        (folder / "_SUCCESS").touch()


def _dbt(args: list[str], db: Path, tmp: Path, as_of: str) -> None:
    res = dbt_cli(args, db, tmp, as_of)
    assert res.returncode == 0, res.stdout[-6000:] + res.stderr[-2000:]


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    """The mart rows the cases read, as of the run just built."""
    queries = {
        "assignments": "select worker_key, workplace_id, guarantee, regime, volume, legal_basis, evidence, "
        "enterprise_liquidated from marts.guarantee_assignments",
        "gaps": "select worker_key, guarantee, gap_kind, reason from marts.guarantee_gaps",
        "regions": "select region, region_name, region_name_ru, region_name_kk, enterprises, workers, workers_harmful, "
        "workers_not_attested from marts.region_risk",
        "enterprises": "select bin, scored, risk_level, ctr_level, ctr_percentile_rank, risk_driver, "
        "risk_driver_imputed, imputed_share, risk_explanation, ctr_score from marts.enterprise_risk",
        "workplaces": "select workplace_id, attestation_status, workplace_class, class_disagreement "
        "from marts.workplace_conditions",
        "indicators": "select bin, indicator_code, raw_value, available, unavailable_reason "
        "from intermediate.int_risk__indicators",
        "costs": "select bin, regime, guarantee, cost_kzt_year, workers_cost_unknown, cost_unknown_reason "
        "from marts.guarantee_costs",
        "missing": "select seed, parameter_key, cast(in_force_from as varchar) from marts.parameters_not_in_force",
    }
    with duckdb.connect(str(db), read_only=True) as con:
        return {k: con.execute(q).fetchall() for k, q in queries.items()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One warehouse: both drops ingested, the marts as of the newest drop, then as of the
    earlier date; also the GX warning the earlier run records."""
    tmp = tmp_path_factory.mktemp("law_over_time")
    root = tmp / "landing"
    _write_landing(root)
    db = tmp / "wh.duckdb"
    landing = scan_landing(root)
    with duckdb.connect(str(db)) as con:
        ensure_dq(con)
        for name in contract.ingest_order():
            result, _ = ingest_extract(con, landing, contract.EXTRACTS[name], KEY)
            assert result.rejected == 0, (name, result.rejected_by_reason)
    out = {}
    _dbt(["build", "--resource-type", "seed", "--resource-type", "model", "--select", *MODELS], db, tmp, NEW)
    out[NEW] = _snapshot(db)
    _dbt(["run", "--select", *MODELS], db, tmp, OLD)
    out[OLD] = _snapshot(db)
    check_mart(db, "law-over-time", "parameters_not_in_force", dt.date.fromisoformat(OLD))
    with duckdb.connect(str(db), read_only=True) as con:
        out["gx"] = con.execute(
            "select outcome, severity, expectation from dq.check_results "
            "where asset_key = 'marts/parameters_not_in_force' "
            "and expectation like '%row_count%'"
        ).fetchall()
    yield out
    shutil.rmtree(tmp, ignore_errors=True)


def _one(rows: list[tuple], *key) -> tuple | None:
    hits = [r for r in rows if r[: len(key)] == key]
    assert len(hits) <= 1, hits
    return hits[0] if hits else None


# --- additional leave follows the days the List applied (§10 "Status timeline", "Additional leave")
# (as_of, worker, workplace, current-law days; None = no leave row)
LEAVE = [
    # never attested until an acceptable act of 2026-10-01: List days 01-01..09-30 = 273,
    # 12 x 273 / 365 = 8.98 -> 9 (the status on as_of alone gave 0)
    ("s10-leave-welder-never-attested-then-acceptable-12x273/365", NEW, "weld", "W-WELD", 9),
    # contract from 2026-09-01 at the same workplace: List days 09-01..09-30 = 30,
    # 12 x 30 / 365 = 0.99 -> 1
    ("s10-leave-new-contract-30-list-days-12x30/365", NEW, "new", "W-WELD", 1),
    # acceptable until its act expires (01-01..02-28 = 59 days, List not applied), not
    # attested 03-01..06-30 (122) and harmful from 07-01 (184): 12 x 306 / 365 = 10.06 -> 10
    ("s10-leave-acceptable-expired-then-harmful-12x306/365", NEW, "exp", "W-EXP", 10),
    # acceptable 01-01..06-30 (181), harmful from 07-01 (184): 12 x 184 / 365 = 6.05 -> 6
    ("s10-leave-acceptable-then-harmful-12x184/365", NEW, "acc", "W-ACC", 6),
    ("s10-leave-harmful-all-year-24", NEW, "harm", "W-HARM", 24),
    # expired in 2023: not attested all 2026, the List applies in full
    ("s10-leave-expired-long-ago-list-applies-24", NEW, "old", "W-OLD", 24),
    ("s10-leave-liquidated-enterprise-kept-12", NEW, "e2", "W-E2", 12),
    ("s10-leave-not-on-list-none", NEW, "e3", "W-E3", None),
    # as of 2023-06-30 the 2026 acts are not known: W-WELD and W-ACC not attested all 2023 -> 12
    ("s10-as-of-2023-welder-not-attested-12", OLD, "weld", "W-WELD", 12),
    ("s10-as-of-2023-no-contract-from-the-later-snapshot", OLD, "new", "W-WELD", None),
    ("s10-as-of-2023-acc-no-act-known-12", OLD, "acc", "W-ACC", 12),
    # acceptable act of 2021 valid all 2023: the List never applied -> no row
    ("s10-as-of-2023-acceptable-all-year-none", OLD, "exp", "W-EXP", None),
    # harmful act 2018-03-01 valid until 2023-02-28, then not attested: the List applies all year
    ("s10-as-of-2023-expired-during-the-year-24", OLD, "old", "W-OLD", 24),
    # the act of 2023-06-01 that only the 2026 drop reported counts (today's best knowledge)
    ("s10-as-of-2023-late-reported-act-24", OLD, "late", "W-LATE", 24),
    ("s10-as-of-2023-enterprise-then-active-12", OLD, "e2", "W-E2", 12),
]


@pytest.mark.parametrize("case,as_of,worker,wp,days", LEAVE, ids=[c[0] for c in LEAVE])
def test_leave_follows_the_days_the_list_applied(runs, case, as_of, worker, wp, days):
    row = _one(runs[as_of]["assignments"], wk(worker), wp, "additional_leave", "current_law")
    assert (row[4] if row else None) == days


def test_s10_leave_evidence_names_the_periods(runs):
    evidence = _one(runs[NEW]["assignments"], wk("weld"), "W-WELD", "additional_leave", "current_law")[6]
    assert "12 days x 273/365 days of 2026 on which the List applied (2026-01-01..2026-09-30 not_attested)" in evidence
    assert "List not applied: 2026-10-01..2026-12-31 confirmed_acceptable" in evidence
    evidence = _one(runs[NEW]["assignments"], wk("exp"), "W-EXP", "additional_leave", "current_law")[6]
    assert "(2026-03-01..2026-06-30 not_attested, 2026-07-01..2026-12-31 confirmed_harmful)" in evidence
    assert "List not applied: 2026-01-01..2026-02-28 confirmed_acceptable" in evidence


# --- every other guarantee follows the status on as_of; ОППВ basis by date (§10)
# (case, as_of, worker, workplace, guarantee, regime, volume or None for no row, text the basis holds)
OTHER = [
    # acceptable on 2026-11-23: no milk (CMN-001 milk) and no PPE
    ("s10-other-guarantees-follow-status-on-as-of-no-milk", NEW, "weld", "W-WELD", "milk", "current_law", None, None),
    ("s10-other-guarantees-follow-status-on-as-of-no-ppe", NEW, "weld", "W-WELD", "ppe", "current_law", None, None),
    ("s10-harmful-since-july-ppe", NEW, "exp", "W-EXP", "ppe", "current_law", 1.0, None),
    # 400 000 x 5 % = 20 000 (the 2026 snapshot's income), Social Code art. 250
    ("s10-oppv-2026-social-code", NEW, "harm", "W-HARM", "oppv", "current_law", 20000.0, "Social Code art. 250"),
    # 300 000 x 5 % = 15 000 (the 2023 snapshot's income), decree No. 1562 until 30.06.2023
    ("s10-oppv-2023-decree-1562", OLD, "harm", "W-HARM", "oppv", "current_law", 15000.0, "decree No. 1562"),
    # the collective agreement in force: 20 % in 2026, 15 % in 2023
    ("s10-pay-supplement-2026-agreement", NEW, "harm", "W-HARM", "pay_supplement", "current_law", 20.0, None),
    ("s10-pay-supplement-2023-agreement", OLD, "harm", "W-HARM", "pay_supplement", "current_law", 15.0, None),
    # risk model prorates the same way: R_ind 0.6 (high, 18 days) 01-01..02-28 = 59 days,
    # 0.8 (very high, 36 days) from 03-01 = 306 days: (59 x 18 + 306 x 36) / 365 =
    # (1062 + 11016) / 365 = 33.09 -> 33
    (
        "s10-risk-model-leave-prorated-over-assessments",
        NEW,
        "harm",
        "W-HARM",
        "additional_leave",
        "risk_model",
        33.0,
        None,
    ),
    # 2023: only the 2022 assessment (high) is known: 18 x 365 / 365 = 18
    ("s10-risk-model-leave-2023", OLD, "harm", "W-HARM", "additional_leave", "risk_model", 18.0, None),
]


@pytest.mark.parametrize("case,as_of,worker,wp,guarantee,regime,volume,basis", OTHER, ids=[c[0] for c in OTHER])
def test_other_guarantees_and_bases(runs, case, as_of, worker, wp, guarantee, regime, volume, basis):
    row = _one(runs[as_of]["assignments"], wk(worker), wp, guarantee, regime)
    assert (row[4] if row else None) == volume
    if basis:
        assert basis in row[5]


def test_s10_liquidated_enterprise_guarantees_kept_and_flagged(runs):
    new = [r for r in runs[NEW]["assignments"] if r[0] == wk("e2")]
    old = [r for r in runs[OLD]["assignments"] if r[0] == wk("e2")]
    assert new and all(r[7] for r in new)  # kept, flagged
    assert old and not any(r[7] for r in old)  # active in the 2023 snapshot


# --- gap kinds (§10 "Gap kinds"), 2026
GAPS = [
    ("s10-gap-milk-with-lpp-is-the-only-conflict", "harm", "milk", ("conflict", "milk_with_lpp")),
    ("s10-gap-lpp-owed-and-granted-no-row", "harm", "therapeutic_nutrition", None),
    # owed 400 000 x 5 % = 20 000; granted 20 000.4 -> 20 000 at whole tenge: no gap
    ("s10-gap-money-at-whole-tenge", "harm", "oppv", None),
    # not owed at a workplace attested acceptable on as_of: over_granted, lawful
    (
        "s10-gap-acceptable-workplace-over-granted-not-conflict",
        "weld",
        "pay_supplement",
        ("over_granted", "attested_acceptable"),
    ),
    # owed 9, granted 12
    ("s10-gap-leave-above-entitlement", "weld", "additional_leave", ("over_granted", "above_entitlement")),
]


@pytest.mark.parametrize("case,worker,guarantee,kind", GAPS, ids=[g[0] for g in GAPS])
def test_gap_kinds(runs, case, worker, guarantee, kind):
    row = _one(runs[NEW]["gaps"], wk(worker), guarantee)
    assert (row[2:] if row else None) == kind


def test_s10_conflict_count(runs):
    assert [r for r in runs[NEW]["gaps"] if r[2] == "conflict"] == [(wk("harm"), "milk", "conflict", "milk_with_lpp")]


# --- one definition of "in harmful conditions"; a row per region in force (§10)
# region: (enterprises, workers, workers_harmful, workers_not_attested)
REGIONS = {
    # 2026-11-23: E1 workers k-weld, k-new (W-WELD acceptable), k-exp, k-acc, k-harm, k-late
    # (harmful) and k-old (W-OLD expired in 2023: not attested, not harmful) = 7, 4 harmful,
    # 1 not attested; E2 liquidated: no enterprise, its worker still counts (not attested);
    # E3: 1 worker, not attested.
    NEW: {"35": (1, 7, 4, 1), "75": (0, 1, 0, 1), "71": (1, 1, 0, 1)},
    # 2023-06-30: no k-new; harmful W-HARM and W-LATE (the late act) = 2; not attested
    # W-WELD, W-ACC, W-OLD (expired 2023-03-01) = 3, W-EXP acceptable; E2 active.
    OLD: {"35": (1, 6, 2, 3), "75": (1, 1, 0, 1), "71": (1, 1, 0, 1)},
}


@pytest.mark.parametrize("as_of", [NEW, OLD])
def test_s10_workers_in_harmful_conditions_and_every_region(runs, as_of):
    rows = {r[0]: r for r in runs[as_of]["regions"]}
    assert len(rows) == 20 and set(rows) == set(contract.REGION_CODES)
    for region, (ents, workers, harmful, not_attested) in REGIONS[as_of].items():
        assert rows[region][4:] == (ents, workers, harmful, not_attested), region
    assert all(r[4:] == (0, 0, 0, 0) for code, r in rows.items() if code not in REGIONS[as_of])
    assert rows["35"][1:4] == ("Karaganda Region", "Карагандинская область", "Қарағанды облысы")


def test_s10_expired_attestation_is_not_harmful_on_the_map(runs):
    w = {r[0]: r for r in runs[NEW]["workplaces"]}
    assert w["W-OLD"][1:3] == ("not_attested", "3.1")  # the expired act's class, not counted


def test_s10_stated_class_1_with_measurement_under_limit_agrees(runs):
    w = {r[0]: r for r in runs[NEW]["workplaces"]}
    assert w["W-WELD"][1:] == ("confirmed_acceptable", "2", False)
    # noise 90 over a limit of 80: +10 dBA is 3.2 against a stated 2 — a different band
    assert w["W-EXP"][1:] == ("confirmed_harmful", "3.2", True)


# --- liquidated enterprises, non-reporting, scores an analyst can act on (§10)
def test_s10_liquidated_enterprise_not_scored(runs):
    e = {r[0]: r for r in runs[NEW]["enterprises"]}
    assert e[E2][1:4] == (False, None, None)
    assert {r[0] for r in runs[NEW]["indicators"]} == {E1, E3}
    e = {r[0]: r for r in runs[OLD]["enterprises"]}
    assert e[E2][1] is True and e[E2][2] is not None


def test_s10_non_reporting_is_a_signal(runs):
    # E3: a contract active in the 12 months up to as_of, no payroll row -> 1, available
    ind = {(r[0], r[1]): r for r in runs[NEW]["indicators"]}
    assert ind[(E3, "wag_workers_without_payroll_12m")][2:4] == (1.0, True)
    # E1 reports payroll for k-harm only, of the 7 workers active on as_of: 1 - 1/7
    assert ind[(E1, "wag_workers_without_payroll_12m")][2] == pytest.approx(1 - 1 / 7)


def test_s10_risk_score_driver(runs):
    e = {r[0]: r for r in runs[NEW]["enterprises"]}
    # E3: no checklist -> П3 = 1 (defaulted), no assessed workplace -> П1 imputed (national
    # mean = E1's П1 = 0.8, its only assessed workplace), П2 0 (no incidents; alone in
    # section F): driver П3, imputed, and the whole score imputed
    assert e[E3][5:8] == ("p3", True, 1.0)
    assert e[E3][8].startswith("П3 1.0000 (no checklist")


def test_s10_ctr_level_by_national_percentile_rank(runs):
    e = {r[0]: r for r in runs[NEW]["enterprises"] if r[1]}
    # two scored enterprises: percent_rank 0 and 1 -> low and very_high (>= 0.98)
    ranked = sorted(e.values(), key=lambda r: r[9])
    assert [(r[4], r[3]) for r in ranked] == [(0.0, "low"), (1.0, "very_high")]


# --- a parameter not in force on as_of: flagged, recorded, never 0 (§10 "As of a past date")
def test_s10_parameters_not_in_force_are_listed(runs):
    # the minimum wage and the milk, ЛПП and PPE prices are known from 2024-01-01
    assert sorted(runs[OLD]["missing"]) == [
        ("cost_parameters", "lpp_kzt_per_month", "2024-01-01"),
        ("cost_parameters", "milk_kzt_per_month", "2024-01-01"),
        ("cost_parameters", "ppe_kzt_per_year", "2024-01-01"),
        ("ctr_params", "min_wage_kzt", "2024-01-01"),
    ]
    assert runs[NEW]["missing"] == []


def test_s10_missing_parameter_flags_the_rows_not_zero(runs):
    ind = {(r[0], r[1]): r for r in runs[OLD]["indicators"]}
    assert ind[(E1, "wag_income_below_min_wage")][2:] == (None, False, "parameter min_wage_kzt not in force on as_of")
    cost = _one(runs[OLD]["costs"], E1, "current_law", "therapeutic_nutrition")
    # MET-001 gives an ЛПП ration: owed on 2023-06-30 to k-harm and k-late (harmful) and
    # k-old (not attested, the List applies) = 3 workers; its price is not in force then
    assert cost[3:] == (0.0, 3, "cost parameter lpp_kzt_per_month not in force on as_of")
    cost = _one(runs[NEW]["costs"], E1, "current_law", "therapeutic_nutrition")
    # 2026: the same 3 workers at 30 000 KZT a month x 12 = 1 080 000
    assert cost[3:] == (1080000.0, 0, None)


def test_s10_missing_parameter_warning_is_recorded(runs):
    assert runs["gx"] == [("warned", "warning", "expect_table_row_count_to_equal")]
