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
import os
import shutil
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import risk_fixture as fx  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PROJECT = Path(os.environ.get("LRM_DBT_PROJECT_DIR", ROOT / "dbt_project"))
SEEDS = ROOT / "seeds" / "scoring"
AS_OF = dt.date.fromisoformat(fx.AS_OF)
SECTION = {"E1": "C", "E2": "C", "E3": "C", "E4": "F", "E5": "F"}


def _release_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in the process after an invocation; close
    it so this process can open the warehouse file itself."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager as M

    with M._LOCK:
        if M._ENV is not None:
            M._ENV.close()
            M._ENV = None


class _Dbt:
    """dbt in this process: the project is parsed once and the manifest reused (a parse
    costs more than building these models), JSON artefacts are not written."""

    def __init__(self, warehouse: Path, tmp: Path):
        self.env = {"LRM_WAREHOUSE": str(warehouse)}
        self.common = ["--threads", "1", "--profiles-dir", str(PROJECT), "--project-dir", str(PROJECT),
                       "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs"),
                       "--vars", f'{{as_of: "{fx.AS_OF}"}}', "--quiet"]
        self.manifest = None

    def __call__(self, *args: str) -> None:
        from dbt.cli.main import dbtRunner

        old = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            if self.manifest is None:
                r = dbtRunner().invoke(["parse", *self.common])
                assert r.success, r.exception
                self.manifest = r.result
            r = dbtRunner(manifest=self.manifest).invoke([*args, *self.common, "--no-write-json"])
        finally:
            _release_duckdb()
            for k, v in old.items():
                os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
        assert r.success, (args, r.exception, r.result)


MARTS = "+enterprise_risk +enterprise_appendix1 +enterprise_efficiency"


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
    dbt = _Dbt(wh, tmp)
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
    return round(0.7 * (v["harm"] + v["injury"]) / 2 + 0.2 * (v["equipment"] + v["ppe"]) / 2
                 + 0.1 * v["morbidity"], 10)


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
        if _d(a["assessed_on"]) <= AS_OF and (a["workplace_id"] not in latest
                                              or a["assessed_on"] > latest[a["workplace_id"]]["assessed_on"]):
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
        out[e] = dict(headcount=headcount[e], p1=round(v1, 10), p1_imputed=isinstance(p1[e], tuple),
                      p2=round(p2[e], 10), p3=round(v3, 10), p3_missing=isinstance(p3[e], tuple),
                      risk_score=score, risk_level=_level(score))
    return out


EXPECTED = expected()


@pytest.mark.parametrize("ent, case", [
    ("E1", "§5 formula 3: a unit whose only workplace has no workers weighs nothing"),
    ("E2", "§5: a single-unit enterprise; assessment after as_of ignored; no checklist → П3 = 1"),
    ("E3", "§5: no assessed workplace → П1 = mean of the OKED section, flagged"),
    ("E4", "§5 formula 5: max = min in the section → z = 0"),
    ("E5", "§5 formula 5: max = min in the section → z = 0; two units"),
])
def test_enterprise_scores_match_hand_computation(full, ent, case):
    row = full.execute(
        "select headcount, p1, p1_imputed, p2, p3, p3_missing, risk_score, risk_level "
        "from marts.enterprise_risk where bin = ?", [fx.E[ent]]).fetchone()
    assert row is not None, case
    got = dict(zip(["headcount", "p1", "p1_imputed", "p2", "p3", "p3_missing", "risk_score", "risk_level"], row))
    assert got == EXPECTED[ent], case


def test_fixture_covers_the_edge_cases():
    assert EXPECTED["E3"]["p1_imputed"] and EXPECTED["E2"]["p3_missing"]
    assert EXPECTED["E4"]["p2"] == EXPECTED["E5"]["p2"] == 0.0
    assert len({e["risk_level"] for e in EXPECTED.values()}) >= 2


def test_reasons_are_never_silent(full):
    rows = full.execute("select p1_imputed, p1_reason, p3_missing, p3_reason, p1, p3 from marts.enterprise_risk").fetchall()
    for p1_imp, p1_reason, p3_miss, p3_reason, p1, p3 in rows:
        assert p1 is not None and p3 is not None
        assert (p1_reason is not None) == p1_imp
        assert (p3_reason is not None) == p3_miss
        if p1_imp:
            assert p1_reason.startswith("imputed: no risk assessment")


def test_workplace_levels(full):
    """§5: workplace levels on R_ind: < 0.25 < 0.5 < 0.75 ≤ very high."""
    for wid, r, lvl in full.execute(
            "select workplace_id, r_ind, risk_level from intermediate.int_risk__workplace_individual_risk").fetchall():
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
        "wages", "employment", "working_time", "safety", "guarantees", "compliance", "conflict"}
    assert {r["direction"] for r in rows} <= {"higher_worse", "higher_better"}
    assert {r["normalisation"] for r in rows} <= {"share", "flag", "minmax_section"}
    assert len({r["code"] for r in rows}) == len(rows)


def test_dropping_a_source_renormalises(full, no_complaints):
    """§6: a missing source drops its indicators and renormalises the weights."""
    q = "select bin, indicator_code, source, weight, risk_value, available from intermediate.int_risk__indicators"
    full_ind = {(b, c): (s, w, r, a) for b, c, s, w, r, a in full.execute(q).fetchall()}
    drop_ind = {(b, c): (s, w, r, a) for b, c, s, w, r, a in no_complaints.execute(q).fetchall()}
    total = sum(w for (b, c), (s, w, r, a) in full_ind.items() if b == fx.E["E1"])
    for ent, bin_ in fx.E.items():
        keep = [(w, r) for (b, c), (s, w, r, a) in full_ind.items() if b == bin_ and a and s != "complaints"]
        assert all(not a for (b, c), (s, w, r, a) in drop_ind.items() if b == bin_ and s == "complaints")
        exp_score = round(100 * sum(w * r for w, r in keep) / sum(w for w, _ in keep), 10)
        exp_cov = round(sum(w for w, _ in keep) / total, 10)
        score, cov = no_complaints.execute(
            "select ctr_score, ctr_weight_covered from marts.enterprise_risk where bin = ?", [bin_]).fetchone()
        assert score == pytest.approx(exp_score, abs=1e-9), ent
        assert cov == pytest.approx(exp_cov, abs=1e-9), ent
        f_cov = full.execute("select ctr_weight_covered from marts.enterprise_risk where bin = ?", [bin_]).fetchone()[0]
        assert cov < f_cov


# ---- Appendix 1 and the efficiency coefficients (docs/law_and_models.md §7) -----------------------

NOT_COMPUTABLE = {"a1_s06_premises_brought_to_norms", "a1_s09_disability_cases",
                  "a1_s11_collective_protection", "a1_s12_welfare_premises", "a1_e05_ohs_training_cost"}


def test_appendix1_catalogue_shape():
    """the monograph: 13 social and 5 economic indicators, each citing its seed line."""
    rows = _csv("appendix1_indicators")
    assert sorted((r["indicator_kind"], int(r["indicator_no"])) for r in rows) == sorted(
        [("social", i) for i in range(1, 14)] + [("economic", i) for i in range(1, 6)])
    assert all(r["seed_line"].startswith("seed:") and r["valid_from"] for r in rows)
    assert {r["code"] for r in rows if r["computable"] == "false"} == NOT_COMPUTABLE
    assert all(r["not_computable_reason"] for r in rows if r["computable"] == "false")


def test_appendix1_rows_and_reasons(full):
    """Every enterprise has 18 indicators × 2 periods; a NULL value always says why."""
    n = full.execute("select count(*), count(distinct bin) from marts.enterprise_appendix1").fetchone()
    assert n == (len(fx.E) * 18 * 2, len(fx.E))
    assert full.execute("select count(*) from marts.enterprise_appendix1 "
                        "where value is null and value_reason is null").fetchone()[0] == 0
    nc = {c for (c,) in full.execute(
        "select distinct indicator_code from marts.enterprise_appendix1 where not computable").fetchall()}
    assert nc == NOT_COMPUTABLE
    # granted_guarantees hold only the as_of year: the previous year's costs are missing, not 0
    rows = full.execute("select value, value_reason from marts.enterprise_appendix1 "
                        "where period_offset = 1 and indicator_code = 'a1_e01_ppe_cost'").fetchall()
    assert all(v is None and "granted_guarantees has no rows" in r for v, r in rows)


def test_appendix1_values_by_hand(full):
    """E1: previous year (2023-06-30, 2024-06-30] has the injuries I1, I2 (30 days lost,
    mean income on 2024-06-30 of C1-C4 = 325 000); the as_of year has the disease I3."""
    def val(ent, off, code):
        return full.execute("select value from marts.enterprise_appendix1 where bin = ? and period_offset = ? "
                            "and indicator_code = ?", [fx.E[ent], off, code]).fetchone()[0]
    assert val("E1", 1, "a1_s07_injuries") == 2 and val("E1", 0, "a1_s07_injuries") == 0
    assert val("E1", 0, "a1_s08_occupational_diseases") == 1
    assert val("E1", 1, "a1_e03_sick_leave_cost") == pytest.approx(30 * 325000 / 29.3)
    assert val("E2", 0, "a1_s07_injuries") == 1  # the fatal accident; I6 is after as_of
    assert val("E1", 0, "a1_s01_workplaces_not_meeting_norms") == 1  # W1 3.2 (A1, valid)
    assert val("E2", 0, "a1_s01_workplaces_not_meeting_norms") == 0  # A2 of 2018 expired
    assert val("E1", 0, "a1_s10_staff_turnover") == pytest.approx(1 / 3.5)  # C4 left; 4 → 3


def test_efficiency_coefficients_by_hand(full):
    """Кэ = complex after / before (the monograph), complex = mean formula-5 z over the
    OKED section's enterprise-periods (1 = best) on indicators defined in both periods;
    K_int = √(K_econ × K_soc) (the monograph)."""
    direction = {r["code"]: r["direction"] for r in _csv("appendix1_indicators")}
    rows = full.execute("select bin, oked_section, period_offset, indicator_code, indicator_kind, intensity "
                        "from marts.enterprise_appendix1 where intensity is not null").fetchall()
    by = defaultdict(list)
    for b, sec, off, code, kind, x in rows:
        by[(sec, code)].append(x)
    z = {}
    for b, sec, off, code, kind, x in rows:
        lo, hi = min(by[(sec, code)]), max(by[(sec, code)])
        if hi != lo:
            z[(b, code, off)] = ((x - lo) if direction[code] == "higher_better" else (hi - x)) / (hi - lo)
    kinds = {code: kind for _, _, _, code, kind, _ in rows}
    got = {b: r for b, *r in full.execute(
        "select bin, k_soc, k_econ, k_int, k_soc_reason, k_int_reason from marts.enterprise_efficiency").fetchall()}
    assert set(got) == set(fx.E.values())
    for b, (k_soc, k_econ, k_int, soc_reason, int_reason) in got.items():
        k = {}
        for kind in ("social", "economic"):
            pairs = [(z[(b, c, 0)], z[(b, c, 1)]) for c in kinds if kinds[c] == kind
                     and (b, c, 0) in z and (b, c, 1) in z]
            before = sum(p[1] for p in pairs) / len(pairs) if pairs else 0
            k[kind] = round(sum(p[0] for p in pairs) / len(pairs) / before, 10) if pairs and before else None
        assert k_soc == pytest.approx(k["social"]) if k["social"] is not None else k_soc is None and soc_reason
        assert k_econ == pytest.approx(k["economic"]) if k["economic"] is not None else k_econ is None
        if k_soc is not None and k_econ is not None:
            assert k_int == pytest.approx((k_soc * k_econ) ** 0.5)
        else:
            assert k_int is None and int_reason
    assert any(v[0] is not None for v in got.values())
