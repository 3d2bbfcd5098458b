"""П1, П2, П3, the enterprise level and the ЦКТР-style renormalisation, recomputed by hand.

Spec: ../shared/domain.md §5 (formula 4, formula 3, П2, П3, levels) and §6 (catalogue,
missing source → renormalise). The input is tests/risk_fixture.py: a few enterprises
chosen for the edge cases — a unit with no workers (E1/U2), a single-unit enterprise (E2),
no risk assessment (E3, imputed П1), a max = min tie in every П2 component (section F:
E4, E5), no checklist (E2).
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import risk_fixture as fx

ROOT = Path(__file__).resolve().parents[1]
PROJECT = Path(os.environ.get("LRM_DBT_PROJECT_DIR", ROOT / "dbt_project"))
DBT = ROOT / ".venv" / "bin" / "dbt"
SEEDS = ROOT / "seeds" / "scoring"
AS_OF = dt.date.fromisoformat(fx.AS_OF)
SECTION = {"E1": "C", "E2": "C", "E3": "C", "E4": "F", "E5": "F"}


def _dbt(warehouse: Path, tmp: Path, *args: str) -> None:
    env = dict(os.environ, LRM_WAREHOUSE=str(warehouse))
    cmd = [str(DBT), *args, "--profiles-dir", str(PROJECT), "--target-path", str(tmp / "target"),
           "--log-path", str(tmp / "logs"), "--vars", f'{{as_of: "{fx.AS_OF}"}}']
    r = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-4000:]


def _build(tmp: Path, drop: set[str] = frozenset()) -> duckdb.DuckDBPyConnection:
    wh = tmp / "wh.duckdb"
    con = duckdb.connect(str(wh))
    fx.load_raw(con, drop=set(drop))
    con.close()
    _dbt(wh, tmp, "seed")
    _dbt(wh, tmp, "run", "--select", "+enterprise_risk")
    return duckdb.connect(str(wh), read_only=True)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    con = _build(tmp_path_factory.mktemp("risk_full"))
    yield con
    con.close()


@pytest.fixture(scope="module")
def no_complaints(tmp_path_factory):
    con = _build(tmp_path_factory.mktemp("risk_nocomplaints"), {"complaints"})
    yield con
    con.close()


# ---- the hand computation (domain.md §5) ----------------------------------------------

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
    """domain.md §5: low < 0.75 ≤ medium < 1.5 ≤ high < 2.25 ≤ very high."""
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
