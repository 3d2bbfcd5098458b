"""The synthetic extract generator (pipelines/generate): contract shape, determinism,
valid identifiers, a dirty manifest that points at real bad rows, and calibration."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest

from pipelines import contract
from pipelines.generate import calibration as cal
from pipelines.generate import generate
from pipelines.generate.drops import CORRECTIONS
from pipelines.identifiers import OKED_DIVISION_SECTION, is_valid_id

DROPS = [d.isoformat() for d in cal.DROP_DATES]
REPO = Path(__file__).resolve().parents[1]
HARMFUL_CLASSES = ("3.1", "3.2", "3.3", "3.4", "4")


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "tiny"
    generate(out, "tiny", 7, dirty=False, unreadable=False)
    return out


@pytest.fixture(scope="module")
def tiny_dirty(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "tiny_dirty"
    generate(out, "tiny", 7, dirty=True, unreadable=True)
    return out


def _read_text_csv(path):
    """A landed CSV with every column as text, as landed."""
    return pl.read_csv(path, infer_schema=False)


def test_same_seed_same_bytes_other_seed_differs(tiny, tmp_path):
    again = tmp_path / "again"
    generate(again, "tiny", 7, dirty=False, unreadable=False)
    assert _digest(tiny) == _digest(again)
    other = tmp_path / "other"
    generate(other, "tiny", 8, dirty=False, unreadable=False)
    assert _digest(tiny) != _digest(other)


def test_every_extract_with_the_contract_header_and_a_success_marker(tiny):
    for d in DROPS:
        drop = tiny / d
        assert (drop / contract.SUCCESS_MARKER).exists()
        for name, ex in contract.EXTRACTS.items():
            f = drop / f"{name}.csv"
            if name == "stat_regions" and d == DROPS[1]:
                assert not f.exists()  # a drop may omit a file
                continue
            header = f.read_text(encoding="utf-8").split("\n", 1)[0]
            assert header == ",".join(ex.column_names), name


def test_clean_tiny_is_valid_against_the_contract(tiny):
    """Valid IIN/BIN everywhere, domains, dates, references, unique keys."""
    ent_bins: set[str] = set()
    wp_keys: set[tuple[str, str]] = set()
    for d in DROPS:
        for name in contract.ingest_order():
            f = tiny / d / f"{name}.csv"
            if not f.exists():
                continue
            ex = contract.EXTRACTS[name]
            rows = _read(f)
            keys = [tuple(r[k] for k in ex.key) for r in rows]
            assert len(keys) == len(set(keys)), f"{d}/{name}: duplicate key"
            for r in rows:
                for col in ex.columns:
                    v = r[col.name]
                    if col.required:
                        assert v != "", f"{d}/{name}.{col.name} empty"
                    if v == "":
                        continue
                    if col.type in ("iin", "bin"):
                        assert is_valid_id(v), f"{d}/{name}.{col.name} {v}"
                    if col.type == "date":
                        day = dt.date.fromisoformat(v)
                        assert dt.date(1950, 1, 1) <= day <= dt.date.fromisoformat(d) + dt.timedelta(days=366)
                    if col.domain:
                        assert v in col.domain
                    if col.type == "bool":
                        assert v in ("true", "false")
                if name == "enterprises":
                    assert r["kato"][:2] in contract.REGION_CODES and r["oked"][:2] in OKED_DIVISION_SECTION
                if "iin" in r and r["iin"]:
                    yymmdd, c = r["iin"][:6], r["iin"][6]
                    century = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}[c]
                    dt.date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
                if name == "employees" and r["end_date"]:
                    assert r["end_date"] >= r["start_date"]
                if name in ("workplaces", "employees", "attestations", "incidents", "payroll", "granted_guarantees"):
                    assert r["bin"] in ent_bins, f"{d}/{name} refers to unknown bin {r['bin']}"
                if name in ("employees", "attestations"):
                    assert (r["workplace_id"], r["bin"]) in wp_keys
            if name == "enterprises":
                ent_bins |= {r["bin"] for r in rows}
            if name == "workplaces":
                wp_keys |= {(r["workplace_id"], r["bin"]) for r in rows}


def test_tiny_carries_the_edge_cases(tiny):
    last = tiny / DROPS[-1]
    wp = _read(last / "workplaces.csv")
    profs = {r["profession"] for r in wp if not r["list_entry"]}
    assert {"Электрогазосварщик", "электрогазосварщик ", "Слёсарь-ремонтник"} <= profs
    assert any(r["subject_to_attestation"] == "false" and r["list_entry"] for r in wp)
    grants = _read(last / "granted_guarantees.csv") + _read(tiny / DROPS[0] / "granted_guarantees.csv")
    both = {(g["iin"], g["bin"]) for g in grants if g["guarantee"] == "milk"} & {
        (g["iin"], g["bin"]) for g in grants if g["guarantee"] == "therapeutic_nutrition"
    }
    assert both, "no worker granted milk and ЛПП together (the НДФЗ case)"
    emp = _read(last / "employees.csv")
    by_iin: dict[str, list] = {}
    for r in emp:
        by_iin.setdefault(r["iin"], []).append(r)
    assert any(
        len(v) == 2
        and all(x["start_date"] <= "2026-12-31" and (not x["end_date"] or x["end_date"] >= "2026-01-01") for x in v)
        for v in by_iin.values()
    )
    assert any(r["end_date"] and r["end_date"] < "2026-01-01" for r in emp)
    # snapshots change between drops; event feeds re-send a key with a corrected value
    first_emp = _read(tiny / DROPS[0] / "employees.csv")
    assert {r["contract_id"] for r in first_emp} != {r["contract_id"] for r in emp}
    seen: dict[tuple, int] = {}
    for d in DROPS:
        for r in _read(tiny / d / "payroll.csv"):
            seen[(r["iin"], r["bin"], r["month"])] = seen.get((r["iin"], r["bin"], r["month"]), 0) + 1
    assert any(n > 1 for n in seen.values())
    kinds = {r["kind"] for d in DROPS for r in _read(tiny / d / "incidents.csv")}
    assert kinds == {"injury", "fatal", "occupational_disease"}


def test_dirty_manifest_points_at_rows_that_break_the_stated_rule(tiny_dirty):
    manifest = _read(tiny_dirty / "_dirty_manifest.csv")
    codes = {m["reason_code"] for m in manifest}
    assert codes >= {
        "missing_required",
        "bad_checksum",
        "bad_date",
        "date_out_of_range",
        "bad_number",
        "out_of_range",
        "not_in_domain",
        "bad_format",
        "bad_bool",
        "duplicate_key",
        "unknown_reference",
        "end_before_start",
        "unknown_factor",
        "class_or_measure_missing",
        "unknown_region",
    }
    for name in contract.EXTRACTS:  # every extract gets bad rows, at least a duplicate key and a missing field
        mine = {m["reason_code"] for m in manifest if m["extract"] == name}
        assert {"duplicate_key", "missing_required"} <= mine, name
    all_bins = {r["bin"] for d in DROPS for r in _read(tiny_dirty / d / "enterprises.csv")}
    for m in manifest:
        path = tiny_dirty / m["file"]
        lines = path.read_text(encoding="utf-8").split("\n")
        header = next(csv.reader([lines[0]]))
        row = dict(zip(header, next(csv.reader([lines[int(m["line"]) - 1]]))))
        col, code = m["column"], m["reason_code"]
        v = row.get(col)
        if code == "missing_required":
            assert v == ""
        elif code == "bad_checksum":
            assert len(v) == 12 and not is_valid_id(v)
        elif code == "bad_date":
            with pytest.raises(ValueError):
                dt.date.fromisoformat(v)
        elif code == "date_out_of_range":
            day = dt.date.fromisoformat(v)
            assert day < dt.date(1950, 1, 1) or day > dt.date.fromisoformat(m["drop_date"]) + dt.timedelta(days=366)
        elif code == "bad_number":
            with pytest.raises(ValueError):
                float(v)
        elif code == "out_of_range":
            c = contract.EXTRACTS[m["extract"]].column(col)
            assert float(v) < (c.min_value if c.min_value is not None else float("-inf")) or float(v) > (
                c.max_value if c.max_value is not None else float("inf")
            )
        elif code == "not_in_domain":
            assert v not in contract.EXTRACTS[m["extract"]].column(col).domain
        elif code == "bad_bool":
            assert v not in ("true", "false")
        elif code == "duplicate_key":
            key = contract.EXTRACTS[m["extract"]].key
            earlier = [dict(zip(header, r)) for r in csv.reader(lines[1 : int(m["line"]) - 1])]
            assert any(all(e[k] == row[k] for k in key) for e in earlier)
        elif code == "unknown_reference" and col == "bin":
            assert is_valid_id(v) and v not in all_bins
        elif code == "end_before_start":
            assert row["end_date"] < row["start_date"]
        elif code == "unknown_factor":
            assert v not in contract.FACTOR_CODES
        elif code == "class_or_measure_missing":
            assert row["measured"] == row["limit_value"] == row["class"] == ""
        elif code == "unknown_region":
            assert v[:2] not in contract.REGION_CODES
    # the unreadable drop: a wrong header and a non-UTF-8 file, outside the manifest
    bad = tiny_dirty / "2026-11-24"
    assert (bad / contract.SUCCESS_MARKER).exists()
    assert bad.joinpath("incidents.csv").read_text(encoding="utf-8").split("\n")[0] != ",".join(
        contract.EXTRACTS["incidents"].column_names
    )
    with pytest.raises(UnicodeDecodeError):
        bad.joinpath("complaints.csv").read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "small"
    generate(out, "small", 3, dirty=False, unreadable=False)
    return out


def test_small_scale_calibrated_to_domain_figures(small):
    out = small
    last = out / DROPS[-1]
    ent, wp, emp = (
        _read_text_csv(last / "enterprises.csv"),
        _read_text_csv(last / "workplaces.csv"),
        _read_text_csv(last / "employees.csv"),
    )
    att = pl.concat([_read_text_csv(out / d / "attestations.csv") for d in DROPS]).with_columns(
        pl.col("measured").cast(pl.Float64), pl.col("limit_value").cast(pl.Float64)
    )
    measured = pl.col("measured").is_not_null() & pl.col("limit_value").is_not_null()
    exceeds = (
        pl.when(pl.col("factor") == "lighting")
        .then(pl.col("measured") < pl.col("limit_value"))
        .otherwise(pl.col("measured") > pl.col("limit_value"))
    )
    harmful_wp = att.filter(
        pl.when(measured).then(exceeds).otherwise(pl.col("class").is_in(["3.1", "3.2", "3.3", "3.4", "4"]))
    )["workplace_id"].unique()
    harmful = wp.filter(pl.col("list_entry").is_not_null() | pl.col("workplace_id").is_in(harmful_wp.implode()))
    active = emp.filter(pl.col("end_date").is_null() | (pl.col("end_date") >= DROPS[-1]))
    assert 15_000 <= len(active) <= 25_000 and 900 <= len(ent) <= 1_100
    h = active.join(harmful.select("workplace_id"), on="workplace_id").join(
        ent.select("bin", pl.col("kato").str.slice(0, 2).alias("region")), on="bin"
    )
    assert 0.17 <= len(h) / len(active) <= 0.24  # ≈ 410k of 2M
    share = dict(h.group_by("region").len().with_columns(pl.col("len") / len(h) * 100).iter_rows())
    for region, target in cal.REGION_SHARES.items():
        assert abs(share.get(region, 0) - target) < 2.0, (region, share.get(region), target)
    health = h.join(ent.select("bin", pl.col("oked").str.slice(0, 2).alias("div")), on="bin").filter(
        pl.col("div").is_in(["86", "87", "88"])
    )
    assert abs(len(health) / len(h) - 0.28) < 0.04
    # incidents near national rates scaled to the sample (fatal ~300/yr of 2M workers)
    inc = pl.concat([_read_text_csv(out / d / "incidents.csv") for d in DROPS]).unique("incident_id")
    per_year = inc.filter(pl.col("occurred_on").str.starts_with("2024"))
    assert 5 <= per_year.filter(pl.col("kind") == "injury").height <= 80


def _factor_mix(landing: Path) -> dict[str, float]:
    """Per official group of factors (docs/law_and_models.md §8), the share of the workers in confirmed
    harmful conditions on the newest drop's date exposed to a factor of the group at class 3.1 or
    above, each worker once per group — read from the landed files alone (§10): contracts
    active that day at a workplace subject to attestation whose latest act (the higher id of
    two on one day, the latest drop's row of each key) is under 5 years old and has a
    harmful factor: a measurement beyond its limit (below it, for light), else a stated
    class of 3.1 or above."""
    as_of = dt.date.fromisoformat(DROPS[-1])
    years = int(_read_text_csv(REPO / "seeds" / "rules" / "attestation_validity.csv")["validity_years"][0])
    groups = _read_text_csv(REPO / "seeds" / "reference" / "factors.csv").select("code", "official_group")
    att = pl.concat(
        [
            _read_text_csv(landing / d / "attestations.csv").with_columns(pl.lit(i).alias("_drop"))
            for i, d in enumerate(DROPS)
        ]
    )
    att = (
        att.sort("_drop")
        .unique(["attestation_id", "workplace_id", "factor"], keep="last")
        .with_columns(
            pl.col("order_date").str.to_date(),
            pl.col("measured").cast(pl.Float64),
            pl.col("limit_value").cast(pl.Float64),
        )
    )
    acts = att.filter(pl.col("order_date") <= as_of).select("workplace_id", "attestation_id", "order_date").unique()
    latest = (
        acts.sort("order_date", "attestation_id")
        .group_by("workplace_id")
        .last()
        .filter(pl.col("order_date").dt.offset_by(f"{years}y") > as_of)
    )
    measured = pl.col("measured").is_not_null() & pl.col("limit_value").is_not_null()
    beyond = (
        pl.when(pl.col("factor") == "lighting")
        .then(pl.col("measured") < pl.col("limit_value"))
        .otherwise(pl.col("measured") > pl.col("limit_value"))
    )
    harmful = (
        att.join(latest, on=["workplace_id", "attestation_id"])
        .filter(pl.when(measured).then(beyond).otherwise(pl.col("class").is_in(HARMFUL_CLASSES)))
        .join(groups, left_on="factor", right_on="code")
    )
    wp = _read_text_csv(landing / DROPS[-1] / "workplaces.csv").filter(
        pl.col("subject_to_attestation").fill_null("true") == "true"
    )
    emp = _read_text_csv(landing / DROPS[-1] / "employees.csv").with_columns(
        pl.col("start_date").str.to_date(), pl.col("end_date").str.to_date()
    )
    active = emp.filter(pl.col("start_date") <= as_of, pl.col("end_date").is_null() | (pl.col("end_date") >= as_of))
    exposed = active.join(wp.select("workplace_id", "bin"), on=["workplace_id", "bin"]).join(
        harmful.select("workplace_id", "official_group"), on="workplace_id"
    )
    total = exposed["contract_id"].n_unique()
    assert total > 2_000
    return {
        g: exposed.filter(pl.col("official_group") == g)["contract_id"].n_unique() / total
        for g in groups["official_group"].drop_nulls().unique()
    }


def test_small_scale_factor_mix_within_3_points_of_the_official_figures(small):
    """docs/law_and_models.md §8: noise and vibration 46 %, dust and gas 33 % of the workers in harmful
    conditions (seed reference.official_factor_mix); the generated mix within ±3 pp."""
    official = {
        r["official_group"]: float(r["official_share"])
        for r in _read(REPO / "seeds" / "reference" / "official_factor_mix.csv")
        if not r["valid_to"]
    }
    mix = _factor_mix(small)
    assert official.keys() == mix.keys() == {"noise_vibration", "dust_gas"}
    for group, share in official.items():
        assert abs(mix[group] - share) <= 0.03, (group, mix[group], share)


def test_small_scale_has_the_rows_that_reach_every_wage_and_employment_indicator(small):
    """Issue 19: rows without which an indicator is zero for every enterprise, each at more than
    1 % of the enterprises: part-time pay below the minimum wage, a second concurrent contract
    with the same employer, heavy overtime (over 120 hours in the payroll months), seasonal
    contracts under 90 days, active enterprises with no contract left."""
    last = small / DROPS[-1]
    ent = _read_text_csv(last / "enterprises.csv").filter(pl.col("status") == "active")
    emp = _read_text_csv(last / "employees.csv").with_columns(
        pl.col("monthly_income").cast(pl.Float64), pl.col("start_date").str.to_date(), pl.col("end_date").str.to_date()
    )
    as_of = dt.date.fromisoformat(DROPS[-1])
    active = emp.filter(pl.col("start_date") <= as_of, pl.col("end_date").is_null() | (pl.col("end_date") >= as_of))
    payroll = (
        pl.concat([_read_text_csv(small / d / "payroll.csv") for d in DROPS])
        .unique(["iin", "bin", "month"], keep="last")
        .with_columns(pl.col("accrued").cast(pl.Float64), pl.col("overtime_hours").cast(pl.Float64))
    )
    min_wage = cal.MIN_WAGE
    reached = {
        "income below the minimum wage": active.filter(pl.col("monthly_income") < min_wage)["bin"],
        "accrued below the minimum wage": payroll.filter(pl.col("accrued") < min_wage)["bin"],
        "two active contracts with one employer": active.filter(pl.len().over("iin", "bin") > 1)["bin"],
        "over 120 overtime hours": payroll.group_by("iin", "bin")
        .agg(pl.col("overtime_hours").sum())
        .filter(pl.col("overtime_hours") > 120)["bin"],
        "a contract under 90 days": emp.filter((pl.col("end_date") - pl.col("start_date")).dt.total_days() < 90)["bin"],
    }
    for what, bins in reached.items():
        assert bins.n_unique() > 0.01 * len(ent), what
    no_contract = ent.join(active.select("bin").unique(), on="bin", how="anti")
    assert len(no_contract) > 0.01 * len(ent)


def test_one_drop_scale_lands_every_drop_in_the_last_one(tiny, tmp_path, monkeypatch):
    """The workforce scale's shape (one drop, as a first load lands), checked on tiny's world:
    the same snapshots as the last drop of the three-drop landing, and every event key of the
    three drops once, with its latest row — but for the re-sent corrections of
    `drops.CORRECTIONS`, which have nothing to correct in a first load: their first."""
    monkeypatch.setitem(cal.SCALES, "tiny", cal.Scale("tiny", 4, 90, 6, 3.0, 4.0, one_drop=True))
    out = tmp_path / "one_drop"
    summary = generate(out, "tiny", 7, dirty=False, unreadable=False)
    assert summary["drops"] == [DROPS[-1]]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [DROPS[-1]]
    for name, extract in contract.EXTRACTS.items():
        one = _read(out / DROPS[-1] / f"{name}.csv")
        key = list(extract.key)
        keys = [tuple(r[k] for k in key) for r in one]
        assert len(keys) == len(set(keys)), name
        if extract.kind == "snapshot":
            assert one == _read(tiny / DROPS[-1] / f"{name}.csv"), name
            continue
        first: dict[tuple, dict] = {}
        for drop in DROPS:
            if (tiny / drop / f"{name}.csv").exists():
                for r in _read(tiny / drop / f"{name}.csv"):
                    if name in CORRECTIONS:
                        first.setdefault(tuple(r[k] for k in key), r)
                    else:
                        first[tuple(r[k] for k in key)] = r
        assert len(one) > 0 and dict(zip(keys, one)) == first, name


def test_bins_stay_unique_and_valid_beyond_one_serial_per_enterprise():
    """The workforce scale has more enterprises than a BIN has serials: the serial counts
    within the registration month, as the registry's do, and every BIN is distinct."""
    import numpy as np

    from pipelines.generate.ids import make_bins, monthly_serials

    rng = np.random.default_rng(5)
    registered = np.datetime64("1993-01-01") + rng.integers(0, 11_800, 400_000).astype("timedelta64[D]")
    bins = make_bins(registered, monthly_serials(registered))
    text = [str(b).zfill(12) for b in bins[:2000]]
    assert len(set(bins.tolist())) == len(bins)
    assert all(is_valid_id(t) for t in text)
