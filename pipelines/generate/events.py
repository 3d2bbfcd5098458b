"""The event feeds (and the collective-agreement snapshot) drawn from the population.

Each function returns a frame with the extract's contract columns (typed: dates as Date,
bools as Boolean, numbers as numbers) plus, where the drop must be forced, `_drop`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.generate import calibration as cal
from pipelines.generate import edges
from pipelines.generate.ids import make_bins, to_text
from pipelines.generate.population import D, Population, _days, nullable_bool, random_dates

ASSESSOR_SERIAL = 99_800
CLASS_HARM = {"2": 0.2, "3.1": 0.45, "3.2": 0.6, "3.3": 0.72, "3.4": 0.82, "4": 0.92}


def assessor_bins(n: int = 15) -> list[str]:
    """BINs of `n` assessment organisations, the same on every call: they make risk assessments
    and confirm checklists."""
    reg = np.asarray([D("2004-01-01") + np.timedelta64(97 * i, "D") for i in range(n)])
    return to_text(make_bins(reg, np.arange(ASSESSOR_SERIAL, ASSESSOR_SERIAL + n))).to_list()


def _old(pop: Population) -> pl.DataFrame:
    return pop.enterprises.filter(pl.col("_first_drop") == 0)


# ---------------------------------------------------------------- attestations
def measure(rng, factors: np.ndarray, classes: np.ndarray):
    """(measured, limit) for measured factors of the given classes; NaN for stated ones."""
    n = len(factors)
    measured = np.full(n, np.nan)
    limit = np.full(n, np.nan)
    for f, (kind, lim) in cal.FACTORS.items():
        if kind == "stated":
            continue
        for c, (lo, hi) in cal.BANDS[kind].items():
            idx = np.flatnonzero((factors == f) & (classes == c))
            if not len(idx):
                continue
            x = rng.uniform(lo, hi, len(idx))
            if kind.startswith("ratio"):
                m = np.round(lim * x, 4)
            elif kind.startswith("diff"):
                m = np.round(lim + x, 1)
            else:
                m = np.round(lim / x, 0)
            measured[idx] = m
            limit[idx] = lim
    return measured, limit


def attestations(rng, pop: Population) -> pl.DataFrame:
    """Attestation acts of the enterprises present from the first drop: a row per workplace
    factor per campaign, measured or with a stated class; some acts understate it."""
    ent = _old(pop).select("_e", "bin", "_camp1", "_camp0")
    wp = pop.workplaces.filter(pl.col("_mode").is_in(["attested_harmful", "contradiction", "attested_ok"]))
    wp = wp.join(ent, on=["_e", "bin"], how="inner", maintain_order="left").filter(pl.col("_camp1").is_not_null())
    acts = []
    for camp in ("_camp1", "_camp0"):
        a = wp.filter(pl.col(camp).is_not_null()).with_columns(pl.col(camp).alias("order_date"))
        acts.append(a)
    a = pl.concat(acts)
    n = len(a)
    harmful = (a["_mode"] == "attested_harmful").to_numpy()
    c1 = np.where(harmful, a["_cls"].to_numpy(), "2")
    c2 = np.where(harmful, a["_c2"].to_numpy(), "2")
    c3 = np.where(harmful, a["_c3"].to_numpy(), "2")
    rows = pl.concat(
        [
            a.with_columns(pl.col("_f1").alias("factor"), pl.Series("_c", c1), pl.col("_disagree").alias("_dis")),
            a.with_columns(pl.col("_f2").alias("factor"), pl.Series("_c", c2), pl.lit(False).alias("_dis")),
            a.with_columns(pl.col("_f3").alias("factor"), pl.Series("_c", c3), pl.lit(False).alias("_dis")).filter(
                pl.col("factor").is_not_null()
            ),
        ]
    ).sort("order_date", "_w", maintain_order=True)
    n = len(rows)
    factors = rows["factor"].to_numpy().astype(str)
    classes = rows["_c"].to_numpy().astype(str)
    measured, limit = measure(rng, factors, classes)
    stated_kind = np.isnan(measured)  # factors whose act states the class
    stated_cls = np.where(stated_kind, classes, np.where(rng.random(n) < 0.15, classes, None))
    stated_cls = np.where(rows["_dis"].to_numpy() & ~stated_kind, "2", stated_cls)  # act understates
    order_no = rows.select(
        pl.format("{}-п", (pl.col("_e") * 7 + pl.col("order_date").dt.year() * 13) % 900 + 100)
    ).to_series()
    return pl.DataFrame(
        {
            "attestation_id": rows.select(
                pl.format("AT-{}-{}", "bin", pl.col("order_date").dt.strftime("%Y%m%d"))
            ).to_series(),
            "bin": rows["bin"],
            "order_no": order_no,
            "order_date": rows["order_date"],
            "workplace_id": rows["workplace_id"],
            "factor": factors,
            "measured": pl.Series(measured).fill_nan(None),
            "limit_value": pl.Series(limit).fill_nan(None),
            "class": pl.Series(stated_cls.tolist(), dtype=pl.String),
        }
    )


# ------------------------------------------------------------ risk assessments
def risk_assessments(rng, pop: Population) -> pl.DataFrame:
    """Risk assessments of workplaces (harm, injury, equipment, PPE, morbidity in 0–1), some
    assessed twice; dangerous sites and the edge cases at very high risk."""
    wp = pop.workplaces.join(_old(pop).select("_e", "_risk"), on="_e", how="inner", maintain_order="left")
    wp = wp.filter((pl.Series(rng.random(len(wp))) < 0.7) | (pl.col("_e") < 4))
    two = pl.Series(rng.random(len(wp)) < 0.3)
    wp = pl.concat([wp.with_columns(pl.lit(0).alias("_k")), wp.filter(two).with_columns(pl.lit(1).alias("_k"))])
    n = len(wp)
    first = random_dates(rng, "2023-01-10", "2025-06-30", n)
    later = first + _days(rng.integers(200, 500, n))
    date = np.where(wp["_k"].to_numpy() == 1, np.minimum(later, D("2026-11-15")), first)
    cls = np.where(wp["_mode"].to_numpy() == "contradiction", "3.1", wp["_cls"].to_numpy())
    base = np.vectorize(CLASS_HARM.get)(cls) * np.where(wp["_harmful"].to_numpy(), 1.0, 0.8)
    harm = np.clip(base + rng.normal(0, 0.07, n), 0, 1)
    risk = wp["_risk"].to_numpy()
    injury = np.clip(0.6 * harm + 0.4 * rng.beta(2, 5, n), 0, 1)
    equipment = np.clip(0.5 * rng.beta(2, 5, n) + 0.4 * risk, 0, 1)
    ppe = np.clip(rng.beta(1.5, 6, n) + 0.3 * risk * harm, 0, 1)
    morbidity = np.clip(0.7 * harm + rng.normal(0, 0.08, n), 0, 1)
    # dangerous sites: class 3.3 or above at an enterprise of high underlying risk, where
    # injury hazard, unsafe equipment and missing PPE come together (R_ind very high)
    rank = np.vectorize({c: i for i, c in enumerate(CLASS_HARM)}.get)(cls)
    site = (rank >= list(CLASS_HARM).index("3.3")) & (risk >= cal.DANGEROUS_SITE_RISK) & wp["_harmful"].to_numpy()
    injury = np.where(site, rng.uniform(0.85, 1.0, n), injury)
    equipment = np.where(site, rng.uniform(0.6, 0.9, n), equipment)
    ppe = np.where(site, rng.uniform(0.5, 0.8, n), ppe)
    values = {"harm": harm, "injury": injury, "equipment": equipment, "ppe": ppe, "morbidity": morbidity}
    tags = wp["_tag"].to_numpy() if "_tag" in wp.columns else np.full(n, None)
    for tag, fixed in edges.VERY_HIGH_RISK.items():
        for column, value in fixed.items():
            values[column] = np.where(tags == tag, value, values[column])
    harm, injury, equipment, ppe, morbidity = (values[c] for c in ("harm", "injury", "equipment", "ppe", "morbidity"))
    assessors = np.asarray(assessor_bins())
    return pl.DataFrame(
        {
            "workplace_id": wp["workplace_id"],
            "assessed_on": pl.Series(date).cast(pl.Date),
            "harm": np.round(harm, 3),
            "injury": np.round(injury, 3),
            "equipment": np.round(equipment, 3),
            "ppe": np.round(ppe, 3),
            "morbidity": np.round(morbidity, 3),
            "assessor_bin": pl.Series(assessors[rng.integers(0, len(assessors), n)]),
        }
    ).unique(["workplace_id", "assessed_on"], keep="first", maintain_order=True)


# -------------------------------------------------------------------- incidents
def incidents(rng, pop: Population) -> pl.DataFrame:
    """Injuries, fatal accidents and occupational diseases at the national yearly rates,
    weighted to harmful work, plus the edge incidents every scale carries."""
    start = cal.INCIDENT_START
    years = (cal.AS_OF - start).days / 365.25
    emp = (
        pop.employees.join(_old(pop).select("_e"), on="_e", how="semi")
        .with_columns(
            pl.max_horizontal("start_date", pl.lit(start)).alias("_a"),
            pl.min_horizontal(pl.coalesce("end_date", pl.lit(cal.AS_OF)), pl.lit(cal.AS_OF)).alias("_b"),
        )
        .filter(pl.col("_a") < pl.col("_b"))
    )
    factor = len(pop.employees) / cal.NATIONAL_CONTRACTS
    harmful = emp["_harmful"].to_numpy()
    parts = []
    for kind, per_year in cal.INCIDENTS_PER_YEAR.items():
        k = rng.poisson(per_year * years * factor)
        w = np.where(
            harmful,
            {"injury": 3.0, "fatal": 4.0, "occupational_disease": 1.0}[kind],
            0.0 if kind == "occupational_disease" else 1.0,
        )
        if k == 0 or w.sum() == 0:
            continue
        pick = rng.choice(len(emp), k, p=w / w.sum())
        parts.append(emp[pick].with_columns(pl.lit(kind).alias("kind")))
    cols = ["bin", "iin", "_a", "_b", "kind"]
    inc = pl.concat([p.select(cols) for p in parts]) if parts else pl.DataFrame(schema={c: pl.String for c in cols})
    n = len(inc)
    if n:
        span = (inc["_b"] - inc["_a"]).dt.total_days().to_numpy()
        occurred = inc["_a"].to_numpy().astype("datetime64[D]") + _days((rng.random(n) * span).astype(np.int64))
        kinds = inc["kind"].to_numpy()
        days = np.where(
            kinds == "injury",
            np.minimum(rng.geometric(1 / 18, n), 200),
            np.where(kinds == "occupational_disease", rng.integers(30, 121, n), 0),
        ).astype(float)
        days[(kinds == "fatal") & (rng.random(n) < 0.5)] = np.nan
        inc = pl.DataFrame(
            {
                "bin": inc["bin"],
                "iin": nullable_str(inc["iin"], rng.random(n) < 0.1),
                "occurred_on": pl.Series(occurred).cast(pl.Date),
                "kind": kinds,
                "days_lost": pl.Series(days).fill_nan(None).cast(pl.Int64),
                "group_accident": nullable_bool(rng.random(n) < cal.GROUP_ACCIDENT_SHARE, rng.random(n) < 0.4),
            }
        )
    # edge incidents every scale carries (E3 fatal group accident and a disease, E1 injury, E4 unknown worker)
    e = pop.employees.filter(pl.col("end_date").is_null() | (pl.col("end_date") >= pl.lit(cal.AS_OF)))

    def worker(ent_index: int, i: int) -> tuple[str, str]:
        r = e.filter(pl.col("_e") == ent_index)
        return r["bin"][i % len(r)], r["iin"][i % len(r)]

    edge = []
    for ei, wi, day, kind, lost, grp, known in (
        (2, 0, "2025-02-14", "fatal", None, True, True),
        (2, 1, "2025-02-14", "fatal", None, True, True),
        (2, 2, "2025-02-14", "injury", 45, True, True),
        (2, 3, "2024-10-01", "occupational_disease", 60, False, True),
        (0, 0, "2026-03-03", "injury", 14, False, True),
        (3, 0, "2026-06-18", "injury", 7, None, False),
    ):
        b, i = worker(ei, wi)
        edge.append(
            {
                "bin": b,
                "iin": i if known else None,
                "occurred_on": dt.date.fromisoformat(day),
                "kind": kind,
                "days_lost": lost,
                "group_accident": grp,
            }
        )
    edge_df = pl.DataFrame(
        edge,
        schema={
            "bin": pl.String,
            "iin": pl.String,
            "occurred_on": pl.Date,
            "kind": pl.String,
            "days_lost": pl.Int64,
            "group_accident": pl.Boolean,
        },
    )
    inc = pl.concat([edge_df, inc.select(edge_df.columns)] if n else [edge_df]).sort("occurred_on", maintain_order=True)
    return inc.with_columns(
        pl.format(
            "INC-{}-{}", pl.col("occurred_on").dt.year(), pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(6)
        ).alias("incident_id")
    ).select("incident_id", "bin", "iin", "occurred_on", "kind", "days_lost", "group_accident")


def nullable_str(values: pl.Series, null: np.ndarray) -> pl.Series:
    """`values` with null where `null` is true."""
    return (
        pl.select(pl.when(pl.Series(np.asarray(null, dtype=bool))).then(None).otherwise(values))
        .to_series()
        .alias(values.name)
    )


# ------------------------------------------------------------------- checklists
def checklists(rng, pop: Population) -> pl.DataFrame:
    """Self-inspection checklists (15 yes/no questions) of active enterprises, failing more
    often at higher risk; E3's latest fails every question."""
    ent = _old(pop).filter(pl.col("status") == "active")
    ent = ent.filter((pl.Series(rng.random(len(ent))) < 0.75) | pl.col("_e").is_in([0, 1, 2, 3]))
    n = len(ent)
    k = rng.integers(1, 4, n)
    rows = (
        ent.select("bin", "_risk")
        .with_columns(pl.Series("_k", k))
        .select(pl.all().repeat_by("_k").explode())
        .with_columns(pl.int_range(pl.len()).over("bin").alias("_j"))
    )
    m = len(rows)
    d1 = random_dates(rng, "2024-01-10", "2024-12-20", m)
    date = d1 + _days(rows["_j"].to_numpy() * 250 + rng.integers(0, 60, m))
    p_bad = 0.05 + 0.45 * rows["_risk"].to_numpy()
    assessors = np.asarray(assessor_bins())
    data = {"bin": rows["bin"], "submitted_on": pl.Series(np.minimum(date, D("2026-11-15"))).cast(pl.Date)}
    # E3's latest checklist fails every question, so each question's indicator is reached
    e3_latest = (
        rows.select((pl.col("bin") == pop.enterprises["bin"][2]) & (pl.col("_j") == pl.col("_j").max().over("bin")))
        .to_series()
        .to_numpy()
    )
    for q in range(1, 16):
        data[f"q{q:02d}"] = (rng.random(m) >= p_bad) & ~e3_latest
    data["confirmed_by"] = nullable_str(pl.Series(assessors[rng.integers(0, len(assessors), m)]), rng.random(m) < 0.4)
    return pl.DataFrame(data).unique(["bin", "submitted_on"], keep="first", maintain_order=True)


# -------------------------------------------------------- collective agreements
def collective_agreements(rng, pop: Population) -> pl.DataFrame:
    """The collective-agreement snapshot: a share of active enterprises, fixed terms for the
    edge enterprises, and a few agreements that only the last drop holds."""
    ent = pop.enterprises.filter(pl.col("_has_ca") & (pl.col("status") == "active") & (pl.col("_first_drop") == 0))
    n = len(ent)
    signed = random_dates(rng, "2022-01-10", "2026-09-30", n)
    until = signed + _days(rng.integers(365, 3 * 365, n))
    until = np.where(until > D("2027-11-15"), D("NaT"), until)
    pct = np.round(rng.uniform(4, 24, n) * 2) / 2
    ca = pl.DataFrame(
        {
            "bin": ent["bin"],
            "signed_on": pl.Series(signed).cast(pl.Date),
            "valid_until": pl.Series(until).cast(pl.Date),
            "pay_supplement_pct": pl.Series(np.where(rng.random(n) < 0.1, np.nan, pct)).fill_nan(None),
            "union_present": nullable_bool(rng.random(n) < 0.7, rng.random(n) < 0.1),
            "_e": ent["_e"],
            "_first_drop": np.zeros(n, dtype=np.int64),
        }
    )
    fixed = {
        0: ("2024-01-10", "2027-01-09", 12.0, True),
        2: ("2025-03-01", "2027-02-28", 18.0, True),
        3: ("2023-05-15", None, 8.0, False),
        4: ("2024-06-01", "2027-05-31", None, True),
    }
    for e, (s, u, p, union) in fixed.items():
        ca = ca.with_columns(
            pl.when(pl.col("_e") == e)
            .then(pl.lit(dt.date.fromisoformat(s)))
            .otherwise(pl.col("signed_on"))
            .alias("signed_on"),
            pl.when(pl.col("_e") == e)
            .then(pl.lit(dt.date.fromisoformat(u) if u else None, dtype=pl.Date))
            .otherwise(pl.col("valid_until"))
            .alias("valid_until"),
            pl.when(pl.col("_e") == e)
            .then(pl.lit(p, dtype=pl.Float64))
            .otherwise(pl.col("pay_supplement_pct"))
            .alias("pay_supplement_pct"),
            pl.when(pl.col("_e") == e).then(pl.lit(union)).otherwise(pl.col("union_present")).alias("union_present"),
        )
    # a new agreement signed between drops: the last drop's snapshot has it
    without = pop.enterprises.filter(
        ~pl.col("_has_ca") & (pl.col("status") == "active") & (pl.col("_first_drop") == 0) & (pl.col("_e") > 7)
    )
    k = max(1, len(without) // 200)
    if len(without):
        new = without.head(k)
        ca = pl.concat(
            [
                ca,
                pl.DataFrame(
                    {
                        "bin": new["bin"],
                        "signed_on": [cal.DROP_DATES[1]] * len(new),
                        "valid_until": [dt.date(2027, 11, 20)] * len(new),
                        "pay_supplement_pct": [10.0] * len(new),
                        "union_present": [True] * len(new),
                        "_e": new["_e"],
                        "_first_drop": [2] * len(new),
                    }
                ),
            ],
            how="vertical_relaxed",
        )
    return ca


# ------------------------------------------------------------ granted guarantees
def granted_guarantees(rng, pop: Population, ca: pl.DataFrame) -> pl.DataFrame:
    """The guarantees employers report granting in GRANT_YEAR, per worker, by the employer's
    behaviour: as the List says, under, over, none, or milk with ЛПП."""
    y0, y1 = dt.date(cal.GRANT_YEAR, 1, 1), dt.date(cal.GRANT_YEAR, 12, 31)
    ent = _old(pop).select("_e", "_behaviour")
    wp = pop.workplaces.select("_w", "_entry", "_mode", "_f1")
    emp = pop.employees.join(ent, on="_e", how="inner", maintain_order="left").join(
        wp, on="_w", how="left", maintain_order="left"
    )
    emp = emp.filter(pl.col("start_date") <= y1, pl.col("end_date").is_null() | (pl.col("end_date") >= y0))
    emp = emp.filter(pl.col("_entry").is_not_null() | (pl.col("_harmful") & (pl.col("_mode") == "attested_harmful")))
    emp = emp.filter(pl.col("_behaviour") != "none")
    entries = pl.DataFrame(
        {
            "_entry": list(cal.LIST_ENTRIES),
            "_days": [v[0] for v in cal.LIST_ENTRIES.values()],
            "_hours": pl.Series([v[1] for v in cal.LIST_ENTRIES.values()], dtype=pl.Int64),
            "_food": [v[2] for v in cal.LIST_ENTRIES.values()],
            "_oppv": [v[3] for v in cal.LIST_ENTRIES.values()],
        }
    )
    emp = emp.join(entries, on="_entry", how="left", maintain_order="left")
    emp = emp.join(
        ca.filter(pl.col("_first_drop") == 0).select("_e", pl.col("pay_supplement_pct").alias("_pct")),
        on="_e",
        how="left",
        maintain_order="left",
    )
    n = len(emp)
    covered = (
        pl.min_horizontal(pl.coalesce("end_date", pl.lit(y1)), pl.lit(y1)) - pl.max_horizontal("start_date", pl.lit(y0))
    ).dt.total_days() + 1
    emp = emp.with_columns(
        ((pl.col("_days") * covered / 365) + 0.5).floor().cast(pl.Int64).alias("_leave"),
        (
            (pl.col("start_date") <= pl.lit(cal.AS_OF))
            & (pl.col("end_date").is_null() | (pl.col("end_date") >= pl.lit(cal.AS_OF)))
        ).alias("_active"),
        pl.Series("_u", rng.random(n)),
    )
    # НДФЗ shop No. 5: ~2.7% of the workers miss everything but leave and ЛПП (451 vs 439)
    ndfz_skip = (
        (pl.col("_behaviour") == "ndfz")
        & (pl.col("_entry") == "CHM-001")
        & (pl.int_range(pl.len()).over("_w") % 37 == 5)
    )
    b = pl.col("_behaviour")
    # an under-granting employer also leaves every other worker without ЛПП, short week and ОППВ
    under_skip = (b == "under") & (pl.int_range(pl.len()).over("_w") % 2 == 0)
    on_list = pl.col("_entry").is_not_null()
    act = pl.col("_active")
    lpp = pl.col("_food").str.starts_with("lpp")
    milk = pl.col("_food") == "milk"
    chem = pl.col("_f1").is_in(list(cal.MILK_FACTORS))
    g = []
    leave = (
        pl.when(b == "under")
        .then((pl.col("_leave") / 2).floor())
        .when(b == "over")
        .then(pl.col("_leave") + 6)
        .otherwise(pl.col("_leave"))
    )
    g.append(("additional_leave", on_list & (pl.col("_leave") > 0), leave.cast(pl.Float64)))
    g.append(
        (
            "short_week",
            act & on_list & (pl.col("_hours").is_not_null() | (b == "over")) & ~ndfz_skip & ~under_skip,
            pl.coalesce("_hours", pl.lit(36)).cast(pl.Float64),
        )
    )
    g.append(("pay_supplement", act & on_list & ~ndfz_skip & (b != "under"), pl.coalesce("_pct", pl.lit(10.0))))
    g.append(
        ("oppv", act & on_list & pl.col("_oppv") & ~ndfz_skip & ~under_skip, (pl.col("monthly_income") * 0.05).round(0))
    )
    g.append(
        (
            "milk",
            act & ((on_list & milk) | ((b.is_in(["milk_lpp", "ndfz"])) & lpp & ~ndfz_skip) | (~on_list & chem)),
            pl.lit(None, dtype=pl.Float64),
        )
    )
    g.append(
        (
            "therapeutic_nutrition",
            act & on_list & (lpp | ((b == "milk_lpp") & milk)) & ~under_skip,
            pl.lit(None, dtype=pl.Float64),
        )
    )
    g.append(("ppe", act & pl.col("_harmful") & (pl.col("_u") < 0.85), pl.lit(None, dtype=pl.Float64)))
    parts = [
        emp.filter(cond).select(
            "iin",
            "bin",
            pl.lit(name).alias("guarantee"),
            pl.lit(cal.GRANT_YEAR).alias("year"),
            val.alias("value"),
            "start_date",
        )
        for name, cond, val in g
    ]
    out = pl.concat(parts)
    dup = out.select(pl.struct("iin", "bin", "guarantee", "year").is_duplicated()).to_series()
    single = out.filter(~dup)
    merged = (
        out.filter(dup)
        .sort("start_date")
        .group_by("iin", "bin", "guarantee", "year", maintain_order=True)
        .agg(
            pl.when(pl.col("guarantee").first() == "additional_leave")
            .then(pl.col("value").sum())
            .otherwise(pl.col("value").last())
            .alias("value"),
            pl.col("start_date").last(),
        )
    )
    out = pl.concat([single, merged.select(single.columns)]).sort("bin", "iin", "guarantee", maintain_order=True)
    return out.drop("start_date")


# ---------------------------------------------------------------------- payroll
def payroll(rng, pop: Population, months: int) -> pl.DataFrame:
    """Monthly payroll of every contract over the last `months` months before AS_OF, with the
    overtime, arrears and late payment of the employer's traits."""
    last = dt.date(cal.AS_OF.year, cal.AS_OF.month, 1) - dt.timedelta(days=1)
    firsts = []
    y, m = last.year, last.month
    for _ in range(months):
        firsts.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    firsts.sort()
    mdf = pl.DataFrame({"_m0": firsts}).with_columns(pl.col("_m0").dt.month_end().alias("_m1"))
    ent = _old(pop).select("_e", "_arrears", "_late", "_overtime")
    emp = pop.employees.join(ent, on="_e", how="inner", maintain_order="left").filter(
        pl.col("start_date") <= pl.lit(last), pl.col("end_date").is_null() | (pl.col("end_date") >= pl.lit(firsts[0]))
    )
    emp = emp.select("iin", "bin", "start_date", "end_date", "monthly_income", "_arrears", "_late", "_overtime")
    rows = emp.join(mdf, how="cross").filter(
        pl.col("start_date") <= pl.col("_m1"), pl.col("end_date").is_null() | (pl.col("end_date") >= pl.col("_m0"))
    )
    n = len(rows)
    ot = np.where(rng.random(n) < 0.15, np.round(rng.gamma(2, 6, n), 1), 0.0)
    # heavy overtime, over the monthly (12 h) and yearly (120 h) limits of Labour Code art. 77
    heavy = rows["_overtime"].to_numpy() & (rng.random(n) < 0.9)
    ot = np.where(heavy, np.round(rng.uniform(25, 60, n), 1), ot)
    income = rows["monthly_income"].to_numpy().astype(float)
    accrued = np.round(income + ot * income / 168 * 1.5, 0)
    arrears = rows["_arrears"].to_numpy() & (rng.random(n) < 0.6)
    unpaid = arrears & (rng.random(n) < 0.15)
    paid = np.where(arrears, np.round(accrued * rng.uniform(0.3, 0.9, n), 0), accrued)
    paid = np.where(unpaid, 0.0, paid)
    m1 = rows["_m1"].to_numpy().astype("datetime64[D]")
    late = rows["_late"].to_numpy() & (rng.random(n) < 0.5)
    paid_on = m1 + _days(np.where(late, rng.integers(20, 50, n), rng.integers(3, 11, n)))
    paid_on = np.minimum(paid_on, D("2026-11-19"))
    out = pl.DataFrame(
        {
            "iin": rows["iin"],
            "bin": rows["bin"],
            "month": rows["_m0"].dt.strftime("%Y-%m"),
            "accrued": accrued,
            "paid": paid,
            "paid_on": pl.Series(paid_on).cast(pl.Date),
            "overtime_hours": ot,
        }
    ).with_columns(pl.when(pl.Series(unpaid)).then(None).otherwise(pl.col("paid_on")).alias("paid_on"))
    dup = out.select(pl.struct("iin", "bin", "month").is_duplicated()).to_series()
    if dup.any():
        merged = (
            out.filter(dup)
            .group_by("iin", "bin", "month", maintain_order=True)
            .agg(pl.col("accrued").sum(), pl.col("paid").sum(), pl.col("paid_on").max(), pl.col("overtime_hours").sum())
        )
        out = pl.concat([out.filter(~dup), merged.select(out.columns)])
    return out


# ------------------------------------------------------------------- complaints
def complaints(rng, pop: Population) -> pl.DataFrame:
    """Workers' complaints, more where wages are in arrears or risk is high, plus one of each
    topic at the edge enterprises."""
    ent = _old(pop).filter(pl.col("_active") > 0)
    w = ent["_active"].to_numpy() * (1 + 3 * ent["_arrears"].to_numpy() + ent["_risk"].to_numpy())
    k = max(3, rng.poisson(0.012 * len(pop.employees) * 2))
    pick = rng.choice(len(ent), k, p=w / w.sum())
    arrears = ent["_arrears"].to_numpy()[pick]
    topics = np.asarray(["wages", "conditions", "time", "dismissal", "other"])
    topic = np.where(arrears & (rng.random(k) < 0.7), "wages", topics[rng.choice(5, k, p=[0.35, 0.2, 0.1, 0.25, 0.1])])
    c = pl.DataFrame(
        {
            "bin": ent["bin"].to_numpy()[pick],
            "received_on": pl.Series(random_dates(rng, "2024-11-20", "2026-11-19", k)).cast(pl.Date),
            "topic": topic,
            "collective": nullable_bool(rng.random(k) < cal.COLLECTIVE_COMPLAINT_SHARE, rng.random(k) < 0.3),
        }
    )
    e = pop.enterprises
    edge = pl.DataFrame(
        {
            "bin": [e["bin"][2], e["bin"][6], e["bin"][0], e["bin"][1], e["bin"][3]],
            "received_on": [
                dt.date(2026, 9, 14),
                cal.DROP_DATES[1],
                dt.date(2026, 6, 10),
                dt.date(2026, 8, 20),
                dt.date(2026, 3, 5),
            ],
            "topic": ["wages", "conditions", "time", "dismissal", "other"],
            "collective": [True, False, False, False, False],
            "_min_drop": [0, 1, 0, 0, 0],
        }
    )
    c = pl.concat([c.with_columns(pl.lit(0).alias("_min_drop")), edge], how="vertical_relaxed").sort(
        "received_on", maintain_order=True
    )
    return c.with_columns(
        pl.format("CMP-{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(7)).alias("complaint_id")
    ).select("complaint_id", "bin", "received_on", "topic", "collective", "_min_drop")


# ------------------------------------------------------------------ inspections
def inspections(rng, pop: Population) -> pl.DataFrame:
    """State labour inspections, more at higher risk, with violations and fines; E3's first has
    gross violations and E4's first found nothing."""
    ent = _old(pop)
    risk = ent["_risk"].to_numpy()
    k = rng.poisson(0.12 * 4 * (0.5 + risk))
    k[2] = max(k[2], 1)  # E3 is inspected
    k[3] = max(k[3], 1)  # E4 too
    idx = np.repeat(np.arange(len(ent)), k)
    n = len(idx)
    viol = rng.poisson(2 + 4 * risk[idx])
    gross = rng.binomial(viol, 0.2)
    if n:
        first_e3 = np.flatnonzero(idx == 2)[0]
        viol[first_e3], gross[first_e3] = max(viol[first_e3], 5), max(gross[first_e3], 2)
        clean_e4 = np.flatnonzero(idx == 3)
        if len(clean_e4):  # E4's first inspection found nothing
            viol[clean_e4[0]], gross[clean_e4[0]] = 0, 0
    fine = np.where(
        gross > 0, np.round(gross * rng.uniform(100_000, 600_000, n), -3), np.where(rng.random(n) < 0.5, 0, np.nan)
    )
    on = random_dates(rng, "2023-01-15", "2026-11-18", n)
    if n:  # both inside the 36 months of the inspection indicators
        on[first_e3] = D("2024-04-17")
        if len(clean_e4):
            on[clean_e4[0]] = D("2025-10-15")
    i = pl.DataFrame(
        {
            "bin": ent["bin"].to_numpy()[idx],
            "inspected_on": pl.Series(on).cast(pl.Date),
            "violations": viol.astype(np.int64),
            "gross_violations": pl.Series(np.where(rng.random(n) < 0.1, np.nan, gross)).fill_nan(None).cast(pl.Int64),
            "fine_kzt": pl.Series(fine).fill_nan(None),
        }
    ).sort("inspected_on", maintain_order=True)
    return i.with_columns(
        pl.format("INSP-{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(7)).alias("inspection_id")
    ).select("inspection_id", "bin", "inspected_on", "violations", "gross_violations", "fine_kzt")


# ----------------------------------------------------------------- stat_regions
def stat_regions(rng) -> pl.DataFrame:
    """Official regional statistics per year and region, from the national totals; the last drop
    revises three regions' 2024 figures."""
    rows = []
    for y in cal.STAT_YEARS:
        for r, share in cal.REGION_SHARES.items():
            s = share / 100
            harmful = round(cal.STAT_HARMFUL[y] * s * rng.normal(1, 0.01))
            rows.append(
                {
                    "year": y,
                    "region": r,
                    "workers_surveyed": round(harmful * cal.STAT_SURVEY_RATIO * rng.uniform(0.9, 1.1)),
                    "workers_harmful": harmful,
                    "heavy_labour": round(cal.STAT_HEAVY[y] * s * rng.normal(1, 0.03)),
                    "injuries": round(cal.STAT_INJURIES[y] * s * rng.normal(1, 0.08)),
                    "fatalities": round(cal.STAT_FATAL[y] * s * rng.normal(1, 0.1)),
                    "_drop": 2 if y == cal.STAT_YEARS[-1] else 0,
                }
            )
    df = pl.DataFrame(rows)
    # the statistics office revises three regions' 2024 figures in the last drop
    rev = (
        df.filter(pl.col("year") == 2024)
        .head(3)
        .with_columns((pl.col("workers_harmful") * 1.01).round(0).cast(pl.Int64), pl.lit(2).alias("_drop"))
    )
    return pl.concat([df, rev], how="vertical_relaxed")
