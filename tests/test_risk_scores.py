"""П1, П2, П3, the enterprise level and the ЦКТР-style renormalisation, recomputed by hand.

Spec: docs/law_and_models.md §5 (formula 4, formula 3, П2, П3, levels) and §6 (catalogue,
missing source → renormalise). The input is tests/risk_fixture.py: a few enterprises
chosen for the edge cases — a unit with no workers (E1/U2), a single-unit enterprise (E2),
no risk assessment (E3, imputed П1), a max = min tie in every П2 component (section F:
E4, E5), no checklist (E2). Also Appendix 1 and the efficiency coefficients (§7).

dbt runs in this process: one parse, one build of the seeds and models the marts need,
then a rebuild of the complaints path only for the dropped-source case.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import risk_fixture as fx  # noqa: E402
from dbt_inprocess import Dbt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "scoring"
AS_OF = dt.date.fromisoformat(fx.AS_OF)
SECTION = {"E1": "C", "E2": "C", "E3": "C", "E4": "F", "E5": "F"}


MARTS = "+enterprise_risk +enterprise_appendix1 +enterprise_efficiency +guarantee_assignments"


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    """One full build, then the complaints extract emptied and only its descendants rebuilt.

    Speed: one parse, one `dbt build` of the seeds and models the marts need (the data and
    unit tests run in the project's own `dbt build`), then a copy of the warehouse serves
    the full-data cases while the same file is rebuilt for the dropped source.
    """
    tmp = tmp_path_factory.mktemp("risk")
    wh = tmp / "wh.duckdb"
    con = duckdb.connect(str(wh))
    fx.load_raw(con)
    con.close()
    dbt = Dbt(wh, tmp, fx.AS_OF)
    dbt("build", "--select", MARTS, "--resource-type", "seed", "--resource-type", "model")
    full_wh = tmp / "full.duckdb"
    shutil.copyfile(wh, full_wh)
    con = duckdb.connect(str(wh))
    con.execute("delete from raw.complaints")  # = fx.load_raw(drop={"complaints"})
    con.close()
    # Rows removed from raw reach the incremental event staging only by a full refresh
    # (the pipeline marks this in ops.staging_rebuild_due; here dbt is called directly).
    dbt("run", "--select", "stg_inspection__complaints+,+enterprise_risk", "--full-refresh")
    full_con = duckdb.connect(str(full_wh), read_only=True)
    drop_con = duckdb.connect(str(wh), read_only=True)
    yield full_con, drop_con
    full_con.close()
    drop_con.close()


@pytest.fixture(scope="module")
def full(warehouses):
    return warehouses[0]


@pytest.fixture(scope="module")
def no_complaints(warehouses):
    return warehouses[1]


# ---- the hand computation (docs/law_and_models.md §5) ----------------------------------------------


def _d(s):
    return dt.date.fromisoformat(s) if s else None


def r_ind(a) -> float:
    """Formula 4: R_ind = 0.7(В+Т)/2 + 0.2(ОБ+СИЗ)/2 + 0.1·З."""
    v = {k: float(a[k]) for k in ("harm", "injury", "equipment", "ppe", "morbidity")}
    return round(0.7 * (v["harm"] + v["injury"]) / 2 + 0.2 * (v["equipment"] + v["ppe"]) / 2 + 0.1 * v["morbidity"], 10)


def _active(c) -> bool:
    return _d(c["start_date"]) <= AS_OF and (c.get("end_date") is None or _d(c["end_date"]) >= AS_OF)


def _quantile(xs, q):
    xs = sorted(xs)
    h = (len(xs) - 1) * q
    lo = int(h // 1)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def _minmax_in_section(values: dict[str, float]) -> dict[str, float]:
    """Winsorise at p99 and min-max within each OKED section; max = min → 0."""
    out = {}
    for sec in set(SECTION.values()):
        keys = [k for k in values if SECTION[k] == sec]
        cap = _quantile([values[k] for k in keys], 0.99)
        w = {k: min(values[k], cap) for k in keys}
        lo, hi = min(w.values()), max(w.values())
        out.update({k: 0.0 if hi == lo else (w[k] - lo) / (hi - lo) for k in keys})
    return out


def _level(score: float) -> str:
    """docs/law_and_models.md §5: low < 0.75 ≤ medium < 1.5 ≤ high < 2.25 ≤ very high."""
    return "low" if score < 0.75 else "medium" if score < 1.5 else "high" if score < 2.25 else "very_high"


def expected() -> dict[str, dict]:
    bins = {v: k for k, v in fx.E.items()}
    wp = {w["workplace_id"]: w for w in fx.ROWS["workplaces"]}
    latest = {}
    for a in fx.ROWS["risk_assessments"]:
        if _d(a["assessed_on"]) <= AS_OF and (
            a["workplace_id"] not in latest or a["assessed_on"] > latest[a["workplace_id"]]["assessed_on"]
        ):
            latest[a["workplace_id"]] = a
    workers = defaultdict(int)
    headcount = defaultdict(int)
    for c in fx.ROWS["employees"]:
        if _active(c):
            workers[c["workplace_id"]] += 1
            headcount[bins[c["bin"]]] += 1
    # П1 (formula 3)
    p1 = {}
    for e in fx.E:
        units = defaultdict(list)
        for w in wp.values():
            if bins[w["bin"]] == e:
                units[w["unit"]].append(w["workplace_id"])
        num = den = 0.0
        for ws in units.values():
            h_unit = sum(workers[w] for w in ws)
            assessed = [w for w in ws if w in latest and workers[w] > 0]
            if not assessed or h_unit == 0:
                continue
            r_unit = sum(workers[w] * r_ind(latest[w]) for w in assessed) / sum(workers[w] for w in assessed)
            w_i = h_unit / headcount[e]
            num += w_i * r_unit
            den += w_i
        p1[e] = num / den if den else None
    for e in fx.E:
        if p1[e] is None:
            peers = [p1[k] for k in fx.E if SECTION[k] == SECTION[e] and p1[k] is not None]
            p1[e] = ("imputed", sum(peers) / len(peers))
    # П2
    start = dt.date(AS_OF.year - 3, AS_OF.month, AS_OF.day)
    inj, days, dis = defaultdict(int), defaultdict(int), defaultdict(int)
    for i in fx.ROWS["incidents"]:
        if not (start < _d(i["occurred_on"]) <= AS_OF):
            continue
        e = bins[i["bin"]]
        if i["kind"] in ("injury", "fatal"):
            inj[e] += 1
            days[e] += int(i.get("days_lost") or 0)
        else:
            dis[e] += 1
    kch = {e: inj[e] * 1000 / headcount[e] if headcount[e] else 0.0 for e in fx.E}
    kt = {e: days[e] / inj[e] if inj[e] else 0.0 for e in fx.E}
    dr = {e: dis[e] * 1000 / headcount[e] if headcount[e] else 0.0 for e in fx.E}
    zk, zt, zd = _minmax_in_section(kch), _minmax_in_section(kt), _minmax_in_section(dr)
    p2 = {e: 0.5 * zk[e] + 0.3 * zt[e] + 0.2 * zd[e] for e in fx.E}
    # П3
    p3 = {}
    for e in fx.E:
        cls = [c for c in fx.ROWS["checklists"] if bins[c["bin"]] == e and _d(c["submitted_on"]) <= AS_OF]
        if not cls:
            p3[e] = ("missing", 1.0)
        else:
            last = max(cls, key=lambda c: c["submitted_on"])
            p3[e] = sum(last[f"q{i:02d}"] == "false" for i in range(1, 16)) / 15
    out = {}
    for e in fx.E:
        v1 = p1[e][1] if isinstance(p1[e], tuple) else p1[e]
        v3 = p3[e][1] if isinstance(p3[e], tuple) else p3[e]
        score = round(round(v1, 10) + round(p2[e], 10) + round(v3, 10), 10)
        out[e] = dict(
            headcount=headcount[e],
            p1=round(v1, 10),
            p1_imputed=isinstance(p1[e], tuple),
            p2=round(p2[e], 10),
            p3=round(v3, 10),
            p3_missing=isinstance(p3[e], tuple),
            risk_score=score,
            risk_level=_level(score),
        )
    return out


EXPECTED = expected()


@pytest.mark.parametrize(
    "ent, case",
    [
        ("E1", "§5 formula 3: a unit whose only workplace has no workers weighs nothing"),
        ("E2", "§5: a single-unit enterprise; assessment after as_of ignored; no checklist → П3 = 1"),
        ("E3", "§5: no assessed workplace → П1 = mean of the OKED section, flagged"),
        ("E4", "§5 formula 5: max = min in the section → z = 0"),
        ("E5", "§5 formula 5: max = min in the section → z = 0; two units"),
    ],
)
def test_enterprise_scores_match_hand_computation(full, ent, case):
    row = full.execute(
        "select headcount, p1, p1_imputed, p2, p3, p3_missing, risk_score, risk_level "
        "from marts.enterprise_risk where bin = ?",
        [fx.E[ent]],
    ).fetchone()
    assert row is not None, case
    got = dict(zip(["headcount", "p1", "p1_imputed", "p2", "p3", "p3_missing", "risk_score", "risk_level"], row))
    assert got == EXPECTED[ent], case


# ---- the risk-oriented regime by hand (docs/law_and_models.md §5, §10; seeds/policy/risk_model_scale) ------
# Workplace levels on 2025-06-30 (formula 4): W1 0.6 high; W2 0.195 low; W4 0.71 high since
# 2025-01-15 (0.1, low, before; its 2025-09-01 assessment is after as_of); W7 0.5 high (a
# bound reached is in) since 2025-02-01; W6 0.235 and W8 0.175 low; W5 never assessed.
# The scale: high = leave 18 days, a 36-hour week, 12 % supplement, ОППВ 5 %, PPE, milk; low
# nothing. Every other guarantee for contracts active on as_of; leave for every contract
# overlapping 2025, prorated over the assessment periods: 18 × days at high / 365, rounded
# half up.
RISK_MODEL = {
    ("k01", "W1"): {"additional_leave": 18, "short_week": 36, "pay_supplement": 12, "oppv": 20000, "ppe": 1, "milk": 1},
    ("k02", "W1"): {"additional_leave": 18, "short_week": 36, "pay_supplement": 12, "oppv": 17500, "ppe": 1, "milk": 1},
    # high from 2025-01-15: 351 days, 18 × 351 / 365 = 17.31 → 17
    ("k05", "W4"): {"additional_leave": 17, "short_week": 36, "pay_supplement": 12, "oppv": 25000, "ppe": 1, "milk": 1},
    ("k06", "W4"): {"additional_leave": 17, "short_week": 36, "pay_supplement": 12, "oppv": 4000, "ppe": 1, "milk": 1},
    # C7 starts 2025-07-01, after as_of: only the year's leave, 184 days, 18 × 184 / 365 = 9.07 → 9
    ("k07", "W4"): {"additional_leave": 9},
    # high from 2025-02-01: 334 days, 18 × 334 / 365 = 16.47 → 16; ОППВ 5 % of 190 000
    ("k11", "W7"): {"additional_leave": 16, "short_week": 36, "pay_supplement": 12, "oppv": 9500, "ppe": 1, "milk": 1},
}


def test_risk_model_regime_by_hand(full):
    got = full.execute(
        "select worker_key, workplace_id, guarantee, volume from marts.guarantee_assignments "
        "where regime = 'risk_model'"
    ).fetchall()
    expected = {(fx.worker_key(k), wp, g, float(v)) for (k, wp), owed in RISK_MODEL.items() for g, v in owed.items()}
    assert sorted(got) == sorted(expected)


def test_fixture_covers_the_edge_cases():
    assert EXPECTED["E3"]["p1_imputed"] and EXPECTED["E2"]["p3_missing"]
    assert EXPECTED["E4"]["p2"] == EXPECTED["E5"]["p2"] == 0.0
    assert len({e["risk_level"] for e in EXPECTED.values()}) >= 2


def test_reasons_are_never_silent(full):
    rows = full.execute(
        "select p1_imputed, p1_reason, p3_missing, p3_reason, p1, p3 from marts.enterprise_risk"
    ).fetchall()
    for p1_imp, p1_reason, p3_miss, p3_reason, p1, p3 in rows:
        assert p1 is not None and p3 is not None
        assert (p1_reason is not None) == p1_imp
        assert (p3_reason is not None) == p3_miss
        if p1_imp:
            assert p1_reason.startswith("imputed: no risk assessment")


def test_workplace_levels(full):
    """§5: workplace levels on R_ind: < 0.25 < 0.5 < 0.75 ≤ very high."""
    for wid, r, lvl in full.execute(
        "select workplace_id, r_ind, risk_level from intermediate.int_risk__workplace_individual_risk"
    ).fetchall():
        exp = "low" if r < 0.25 else "medium" if r < 0.5 else "high" if r < 0.75 else "very_high"
        assert lvl == exp, wid


def _csv(name):
    with open(SEEDS / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("seed, key", [("r_ind_weights", None), ("p2_weights", None), ("ctr_indicators", None)])
def test_weights_sum_to_one_per_model(seed, key):
    by_version = defaultdict(Decimal)
    for r in _csv(seed):
        by_version[r["valid_from"]] += Decimal(r["weight"])
    for v, total in by_version.items():
        assert abs(total - 1) < Decimal("1e-9"), (seed, v, total)


def test_catalogue_shape():
    """§6: more than 80 indicators, each with group, names, source, direction, weight, normalisation."""
    rows = _csv("ctr_indicators")
    assert len(rows) >= 80
    assert {r["indicator_group"] for r in rows} == {
        "wages",
        "employment",
        "working_time",
        "safety",
        "guarantees",
        "compliance",
        "conflict",
    }
    assert {r["direction"] for r in rows} <= {"higher_worse", "higher_better"}
    assert {r["normalisation"] for r in rows} <= {"share", "flag", "minmax_section"}
    assert len({r["code"] for r in rows}) == len(rows)


# ---- the ЦКТР-style indicators of E1, by hand (docs/law_and_models.md §6, §10) ----------------------
#
# E1 on 2025-06-30 (tests/risk_fixture.py): contracts C1 (k01, W1, 400 000), C2 (k02, W1,
# 350 000, to 2026-01-01), C3 (k03, W2, 250 000) active, C4 (k04, W3) ended 2024-12-31; W1
# harmful (act A1 of 2022-05-01, class 3.2, MET-001), W2 acceptable (A1, class 2), W3 never
# attested; R_ind W1 0.6 (high), W2 0.195 (low), W3 1.0 (very high, no worker). Payroll
# (12 months): k01 2025-04 400 000 paid on 05-05, k01 2025-05 400 000 of which 300 000 paid on
# 06-20 (due by 06-10: 10 days late), overtime 4 and 20 h; k03 2025-05 250 000 paid on
# time. Owed under the law (current_law): k01 and k02 leave 24, short week, supplement 12 %,
# ЛПП, PPE, ОППВ; k03 nothing (acceptable); granted: k01's 24 days of leave only → 11
# gaps (k02's leave, 5 guarantees × 2), on 2 workers. Checklists: 2024-12-01 with q01, q05,
# q09 non-compliant, 2023-12-01 with all 15. Collective agreement 2023-01-01..2026-01-01,
# 12 %, a union. No complaint, no inspection. Section C (E1, E2, E3) for the min-max
# indicators, winsorised at p99 (3 values: the cap is x₂ + 0.98·(x₃ − x₂)).
#
# code: (raw value, risk value; None = not defined, so not available)
E1_INDICATORS = {
    # wages: 12 months of payroll = 3 worker-months, 1 050 000 accrued, 100 000 unpaid
    "wag_arrears_share_12m": (100000 / 1050000, 100000 / 1050000),
    "wag_underpaid_months_share_12m": (1 / 3, 1 / 3),
    "wag_unpaid_months_share_12m": (0, 0),
    "wag_late_payment_share_12m": (1 / 3, 1 / 3),  # 1 of 3 payments after the 10th
    "wag_mean_delay_days_12m": (10, 1),  # E2, E3 0: the section's maximum (capped) → 1
    "wag_arrears_share_last_month": (100000 / 650000, 100000 / 650000),  # 2025-05: k01 and k03
    "wag_arrears_per_worker_12m": (50000, 1),  # 100 000 / 2 workers paid; E2 40 000, E3 0
    "wag_months_with_arrears_12m": (1 / 12, 1 / 12),
    "wag_accrued_below_min_wage_12m": (0, 0),  # min wage 85 000
    "wag_income_below_min_wage": (0, 0),
    "wag_income_below_1_5_min_wage": (0, 0),
    "wag_below_section_median_share": (0, 0),  # section C median 250 000 (7 contracts)
    "wag_median_to_section_median": (1.4, 0),  # 350 000 / 250 000, the section's best: risk 1 − 1
    "wag_unpaid_oppv_share": (1, 1),  # ОППВ owed to 2, granted to none
    "wag_arrears_share_36m": (100000 / 1050000, 100000 / 1050000),
    "wag_late_payment_share_36m": (1 / 3, 1 / 3),
    "wag_workers_without_payroll_12m": (1 / 3, 1 / 3),  # 2 of 3 active workers paid
    # employment: 3 contracts active, 4 a year ago, C4 ended in the 12 months
    "emp_fixed_term_share": (1 / 3, 1 / 3),  # C2 has an end date
    "emp_turnover_12m": (1 / 6, 2 / 2.98),  # (0 + 1) / 2 / 3; E2 0, E3 0.25: (1/6) / (1/6 + 0.98/12)
    "emp_hire_rate_12m": (0, 0),
    "emp_dismissal_rate_12m": (1 / 3, 1 / 3),
    "emp_dismissal_rate_36m": (1 / 3, 1),  # E2, E3 0
    "emp_short_contract_share_12m": (None, None),  # no hire in 12 months
    "emp_headcount_decline_12m": (0.25, 0.25),  # (4 − 3) / 4
    "emp_registry_headcount_mismatch": (0, 0),  # the registry says 3
    "emp_multiple_contracts_share": (0, 0),
    "emp_contracts_ending_3m_share": (0, 0),  # C2 ends 2026-01-01
    "emp_rehire_share": (0, 0),  # 4 contracts, 4 workers
    "emp_young_enterprise": (None, None),  # no registration date
    "emp_headcount_size": (3, 1),  # E2, E3 2
    "emp_no_active_contracts": (0, 0),
    # working time: overtime 24 h over 3 worker-months, 20 h in one month (limit 12)
    "tim_overtime_hours_per_worker_month_12m": (8, 1),  # E2 1, E3 0
    "tim_overtime_over_monthly_limit_12m": (1 / 3, 1 / 3),
    "tim_overtime_over_yearly_limit_12m": (0, 0),  # k01 24 h a year, limit 120
    "tim_overtime_max_month_12m": (20, 1),  # E2 2, E3 0
    "tim_overtime_months_share_12m": (2 / 3, 2 / 3),
    "tim_short_week_overtime_share": (0.5, 0.5),  # k01 of k01, k02 (short week) worked overtime
    "tim_short_week_overtime_hours": (12, 1),  # 24 h / 2; E2 1, E3 0
    "tim_overtime_over_monthly_limit_36m": (1 / 3, 1 / 3),
    "tim_short_week_not_granted_share": (1, 1),
    # safety: 36 months — injuries I1, I2 (30 days lost), the disease I3; 12 months — I3 only
    "saf_kch_36m": (2000 / 3, 1),  # E2 500, E3 0
    "saf_kt_36m": (15, 1),  # E2, E3 0
    "saf_fatalities_per_1000_36m": (0, 0),  # E2 500
    "saf_diseases_per_1000_36m": (1000 / 3, 1),
    "saf_fatal_flag_36m": (0, 0),
    "saf_group_accident_36m": (0, 0),
    "saf_kch_12m": (0, 0),  # E2 500
    "saf_days_lost_per_worker_12m": (0, 0),  # all 0: max = min → 0
    "saf_injury_growth_12m": (0, 0),  # 0 this year against 1 a year before
    "saf_harmful_share": (2 / 3, 2 / 3),  # k01, k02 at W1
    "saf_class_3_3_plus_share": (0, 0),  # W1 is 3.2
    "saf_class_4_share": (0, 0),
    "saf_not_attested_share": (1 / 3, 1 / 3),  # W3 of 3 workplaces
    "saf_never_attested_share": (1 / 3, 1 / 3),
    "saf_r_ind_mean": (0.465, 0.465),  # П1 = (2 × 0.6 + 0.195) / 3
    "saf_r_ind_max": (1.0, 1.0),  # W3
    "saf_r_ind_very_high_share": (0, 0),  # W3 has no worker
    "saf_r_ind_high_plus_share": (2 / 3, 2 / 3),
    "saf_unassessed_workplaces_share": (0, 0),
    "saf_ppe_underprovision": (0.4, 0.4),  # (0.2 + 0.0 + 1.0) / 3
    "saf_equipment_unsafety": (0.5, 0.5),  # (0.4 + 0.1 + 1.0) / 3
    "saf_harmfulness_mean": (2 / 3, 2 / 3),  # (0.8 + 0.2 + 1.0) / 3
    "saf_morbidity_mean": (1.6 / 3, 1.6 / 3),  # (0.5 + 0.1 + 1.0) / 3
    "saf_stale_assessment_share": (0, 0),  # assessed 2024-03-01, less than 3 years
    "saf_ppe_not_granted_share": (1, 1),
    # guarantees: gaps of the entitled (leave 1 of 2, every other owed guarantee 2 of 2)
    "gua_additional_leave_gap": (0.5, 0.5),
    "gua_short_week_gap": (1, 1),
    "gua_pay_supplement_gap": (1, 1),
    "gua_milk_gap": (0, 0),  # no milk owed
    "gua_therapeutic_nutrition_gap": (1, 1),
    "gua_oppv_gap": (1, 1),
    "gua_ppe_gap": (1, 1),
    "gua_gaps_per_worker": (11 / 3, 0),  # E2 5.5, E3 4: the section's lowest
    "gua_workers_with_gap_share": (2 / 3, 2 / 3),
    "gua_over_granted_per_worker": (0, 0),
    "gua_conflict_flag": (0, 0),
    # compliance: the latest checklist (2024-12-01), 3 of 15 non-compliant
    "cmp_checklist_noncompliance": (0.2, 0.2),
    **{f"cmp_checklist_q{q:02d}": ((1, 1) if q in (1, 5, 9) else (0, 0)) for q in range(1, 16)},
    "cmp_no_checklist_12m": (0, 0),
    "cmp_checklist_noncompliance_mean_36m": (0.6, 0.6),  # (0.2 + 1.0) / 2
    "cmp_checklist_worsening": (0, 0),  # 0.2 after 1.0: better
    "cmp_inspections_36m": (0, 0),  # E2, E3 one each
    "cmp_violations_per_inspection_36m": (None, None),
    "cmp_gross_violations_36m": (0, 0),
    "cmp_fines_per_worker_36m": (0, 0),
    "cmp_inspections_with_violations_share": (None, None),
    "cmp_violations_per_1000_36m": (0, 0),
    # conflict: no complaint; a valid agreement with a union and a supplement
    "con_complaints_per_100_12m": (0, 0),
    "con_collective_complaints_12m": (0, 0),
    "con_complaints_wages_per_100_12m": (0, 0),
    "con_complaints_conditions_per_100_12m": (0, 0),
    "con_complaints_time_per_100_12m": (0, 0),
    "con_complaints_dismissal_per_100_12m": (0, 0),
    "con_complaints_other_per_100_12m": (0, 0),
    "con_complaints_per_100_36m": (0, 0),
    "con_complaints_growth_12m": (0, 0),
    "con_collective_complaint_36m": (0, 0),
    "con_no_valid_collective_agreement": (0, 0),
    "con_no_union": (0, 0),
    "con_agreement_expired": (0, 0),
    "con_agreement_without_supplement": (0, 0),
}


def _ctr_by_hand(without_source: str | None = None) -> tuple[float, float]:
    """ctr_score and ctr_weight_covered of E1 from the hand table and the catalogue's
    weights (§6: 100 · Σ w·risk / Σ w over the available indicators; covered = Σ w
    available / Σ w)."""
    catalogue = {r["code"]: r for r in _csv("ctr_indicators")}
    total = sum(float(r["weight"]) for r in catalogue.values())
    kept = [
        (float(catalogue[c]["weight"]), risk)
        for c, (raw, risk) in E1_INDICATORS.items()
        if raw is not None and catalogue[c]["source"] != without_source
    ]
    return 100 * sum(w * r for w, r in kept) / sum(w for w, _ in kept), sum(w for w, _ in kept) / total


def test_indicator_values_by_hand(full):
    """Every one of the catalogue's indicators of E1: its raw value, its risk value after
    normalisation (share, flag or section min-max; direction applied) and whether it counts,
    then the ЦКТР-style score they make."""
    assert set(E1_INDICATORS) == {r["code"] for r in _csv("ctr_indicators")}
    got = {
        c: (raw, risk, available, reason)
        for c, raw, risk, available, reason in full.execute(
            "select indicator_code, raw_value, risk_value, available, unavailable_reason "
            "from intermediate.int_risk__indicators where bin = ?",
            [fx.E["E1"]],
        ).fetchall()
    }
    assert set(got) == set(E1_INDICATORS)
    for code, (raw, risk) in E1_INDICATORS.items():
        g_raw, g_risk, available, reason = got[code]
        if raw is None:
            assert (g_raw, available, reason) == (None, False, "not defined for this enterprise (empty denominator)"), (
                code
            )
        else:
            # values are kept to 9 decimals (macro stable_float), before and after normalising
            assert g_raw == pytest.approx(raw, abs=1e-9), code
            assert g_risk == pytest.approx(risk, abs=5e-9), code
            assert available, code
    score, covered = full.execute(
        "select ctr_score, ctr_weight_covered from marts.enterprise_risk where bin = ?", [fx.E["E1"]]
    ).fetchone()
    exp_score, exp_covered = _ctr_by_hand()
    assert score == pytest.approx(exp_score, abs=1e-8)
    assert covered == pytest.approx(exp_covered, abs=1e-9)


def test_dropping_a_source_renormalises(full, no_complaints):
    """§6: a missing source drops its indicators and renormalises the weights. With the
    complaints extract empty, E1's 10 complaint indicators (all risk 0) drop out: its score
    is the hand table's over the rest, higher than with them, and it covers less weight."""
    rows = no_complaints.execute(
        "select source, available, unavailable_reason from intermediate.int_risk__indicators "
        "where bin = ? and source = 'complaints'",
        [fx.E["E1"]],
    ).fetchall()
    assert len(rows) == 10 and all(
        not a and r == "source complaints has no rows in its window up to as_of" for _, a, r in rows
    )
    score, covered = no_complaints.execute(
        "select ctr_score, ctr_weight_covered from marts.enterprise_risk where bin = ?", [fx.E["E1"]]
    ).fetchone()
    exp_score, exp_covered = _ctr_by_hand(without_source="complaints")
    assert score == pytest.approx(exp_score, abs=1e-8)
    assert covered == pytest.approx(exp_covered, abs=1e-9)
    full_score, full_covered = _ctr_by_hand()
    assert exp_score > full_score and exp_covered < full_covered


# ---- Appendix 1 and the efficiency coefficients (docs/law_and_models.md §7) -----------------------

NOT_COMPUTABLE = {
    "a1_s06_premises_brought_to_norms",
    "a1_s09_disability_cases",
    "a1_s11_collective_protection",
    "a1_s12_welfare_premises",
    "a1_e05_ohs_training_cost",
}


def test_appendix1_catalogue_shape():
    """the monograph: 13 social and 5 economic indicators, each citing its seed line."""
    rows = _csv("appendix1_indicators")
    assert sorted((r["indicator_kind"], int(r["indicator_no"])) for r in rows) == sorted(
        [("social", i) for i in range(1, 14)] + [("economic", i) for i in range(1, 6)]
    )
    assert all(r["seed_line"].startswith("seed:") and r["valid_from"] for r in rows)
    assert {r["code"] for r in rows if r["computable"] == "false"} == NOT_COMPUTABLE
    assert all(r["not_computable_reason"] for r in rows if r["computable"] == "false")


def test_appendix1_rows_and_reasons(full):
    """Every enterprise has 18 indicators × 2 periods; a NULL value always says why."""
    n = full.execute("select count(*), count(distinct bin) from marts.enterprise_appendix1").fetchone()
    assert n == (len(fx.E) * 18 * 2, len(fx.E))
    assert (
        full.execute(
            "select count(*) from marts.enterprise_appendix1 where value is null and value_reason is null"
        ).fetchone()[0]
        == 0
    )
    nc = {
        c
        for (c,) in full.execute(
            "select distinct indicator_code from marts.enterprise_appendix1 where not computable"
        ).fetchall()
    }
    assert nc == NOT_COMPUTABLE
    # granted_guarantees hold only the as_of year: the previous year's costs are missing, not 0
    rows = full.execute(
        "select value, value_reason from marts.enterprise_appendix1 "
        "where period_offset = 1 and indicator_code = 'a1_e01_ppe_cost'"
    ).fetchall()
    assert all(v is None and "granted_guarantees has no rows" in r for v, r in rows)


def test_appendix1_values_by_hand(full):
    """E1: previous year (2023-06-30, 2024-06-30] has the injuries I1, I2 (30 days lost,
    mean income on 2024-06-30 of C1-C4 = 325 000); the as_of year has the disease I3."""

    def val(ent, off, code):
        return full.execute(
            "select value from marts.enterprise_appendix1 where bin = ? and period_offset = ? and indicator_code = ?",
            [fx.E[ent], off, code],
        ).fetchone()[0]

    assert val("E1", 1, "a1_s07_injuries") == 2 and val("E1", 0, "a1_s07_injuries") == 0
    assert val("E1", 0, "a1_s08_occupational_diseases") == 1
    assert val("E1", 1, "a1_e03_sick_leave_cost") == pytest.approx(30 * 325000 / 29.3)
    assert val("E2", 0, "a1_s07_injuries") == 1  # the fatal accident; I6 is after as_of
    assert val("E1", 0, "a1_s01_workplaces_not_meeting_norms") == 1  # W1 3.2 (A1, valid)
    assert val("E2", 0, "a1_s01_workplaces_not_meeting_norms") == 0  # A2 of 2018 expired
    assert val("E1", 0, "a1_s10_staff_turnover") == pytest.approx(1 / 3.5)  # C4 left; 4 → 3


def test_appendix1_standardised_values_by_hand(full):
    """Formula 5 (the monograph), oriented 1 = best, over the OKED section's enterprise-periods
    (the Кэ of marts.enterprise_efficiency is their mean after / before: its dbt unit test
    efficiency_coefficients_after_over_before). Injuries per 100 workers in section C:
    E1 now 0 of 3 workers, before 2 of 4 → 50; E2 now 1 (the fatal accident) of 2 → 50,
    before 0; E3 0 both. min 0, max 50, higher is worse: z = (50 − x) / 50."""
    rows = {
        (b, off): (x, z)
        for b, off, x, z in full.execute(
            "select bin, period_offset, intensity, z from intermediate.int_risk__appendix1_values where indicator_code = 'a1_s07_injuries' "
            "and oked_section = 'C'"
        ).fetchall()
    }
    expected = {
        ("E1", 0): (0, 1),
        ("E1", 1): (50, 0),
        ("E2", 0): (50, 0),
        ("E2", 1): (0, 1),
        ("E3", 0): (0, 1),
        ("E3", 1): (0, 1),
    }
    assert rows == {(fx.E[e], off): v for (e, off), v in expected.items()}
