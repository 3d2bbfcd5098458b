"""Enterprises, workplaces and employment contracts (the snapshot extracts' world).

Columns without a leading underscore are contract columns (pipelines/contract.py);
`_`-columns are the generator's own facts that later modules use (industry group,
harmfulness, attestation mode, first drop a row appears in, ...) and never land.

Harmful workers are placed so that their region and industry shares match docs/law_and_models.md §8:
each enterprise's harmful fraction is a_region × b_industry, fitted by iterative
proportional fitting to both marginals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.generate import calibration as cal
from pipelines.generate.ids import make_bins, make_iins, monthly_serials, to_text
from pipelines.generate.names import enterprise_names

D = np.datetime64
AS_OF = D(cal.AS_OF.isoformat())
GROUPS = tuple(i.name for i in cal.INDUSTRIES)
INCOME_MEDIAN = {
    "mining": 600_000,
    "electricity": 450_000,
    "manufacturing": 420_000,
    "transport": 380_000,
    "construction": 400_000,
    "health": 330_000,
    "water": 300_000,
    "other": 320_000,
}
UNIT_WORD = {"health": "Отделение №", "transport": "Автоколонна №", "mining": "Участок №"}
ADMIN_UNITS = np.array(["Администрация", "Бухгалтерия", "Отдел кадров", "Служба охраны труда", "Склад"], dtype=object)
EDGE_BIN_SERIAL = 99_900  # random enterprises use serials 0..99_899, injected bad rows 99_950+
BEHAVIOURS = ("as_list", "under", "none", "over", "milk_lpp")
BEHAVIOUR_P = (0.70, 0.10, 0.08, 0.07, 0.05)


@dataclass
class Population:
    """The generated world: enterprises, workplaces and employment contracts, with the
    generator's `_` columns."""

    enterprises: pl.DataFrame
    workplaces: pl.DataFrame
    employees: pl.DataFrame


def nullable_bool(values: np.ndarray, null: np.ndarray) -> pl.Series:
    """Booleans with null where `null` is true."""
    s = pl.Series("v", np.asarray(values, dtype=bool))
    return pl.select(pl.when(pl.Series(np.asarray(null, dtype=bool))).then(None).otherwise(s)).to_series()


def _days(a: np.ndarray) -> np.ndarray:
    return a.astype("timedelta64[D]")


def random_dates(rng: np.random.Generator, lo: str, hi: str, n: int) -> np.ndarray:
    """`n` dates drawn uniformly from `lo` to `hi`, both included."""
    a, b = D(lo), D(hi)
    return a + _days(rng.integers(0, int((b - a).astype(int)) + 1, n))


def _ipf(table: np.ndarray, rows: np.ndarray, cols: np.ndarray, iters: int = 200) -> np.ndarray:
    """Factor f[r, g] = a_r·b_g with Σ_g T·f = rows and Σ_r T·f = cols (IPF)."""
    a = np.ones(table.shape[0])
    b = np.ones(table.shape[1])
    for _ in range(iters):
        rs = (table * b[None, :]).sum(1)
        a = np.where(rs > 0, rows / np.maximum(rs, 1e-12), 0)
        cs = (table * a[:, None]).sum(0)
        b = np.where(cs > 0, cols / np.maximum(cs, 1e-12), 0)
    return np.clip(a[:, None] * b[None, :], 0, 0.92)


def enterprise_frame(
    rng, n: int, groups: np.ndarray, regions: np.ndarray, sizes: np.ndarray, first_index: int
) -> pl.DataFrame:
    """Random attributes of enterprises whose group, region and size are given."""
    okeds = np.empty(n, dtype=object)
    for ind in cal.INDUSTRIES:
        idx = np.flatnonzero(groups == ind.name)
        okeds[idx] = np.asarray(ind.okeds, dtype=object)[rng.integers(0, len(ind.okeds), len(idx))]
    kato = np.char.add(
        np.char.add(regions.astype(str), np.char.zfill(rng.integers(1, 40, n).astype(str), 2)),
        np.char.add(np.char.zfill(rng.integers(1, 60, n).astype(str), 2), "000"),
    )
    registered = random_dates(rng, "1993-01-01", "2025-06-30", n)
    serials = np.arange(first_index, first_index + n)
    if first_index + n > EDGE_BIN_SERIAL:  # the workforce scale: more enterprises than serials
        serials = monthly_serials(registered)
        assert serials.max() < EDGE_BIN_SERIAL, "too many enterprises registered in one month"
    bins = make_bins(registered, serials)
    camp1 = random_dates(rng, "2019-12-01", "2026-10-31", n)
    # medium and large employers keep their attestation current; small ones let it lapse
    camp1 = np.where(sizes > cal.ATTESTATION_CURRENT_FROM, random_dates(rng, "2022-01-10", "2026-10-31", n), camp1)
    camp0 = np.where(rng.random(n) < 0.25, camp1 - _days(rng.integers(1830, 2100, n)), D("NaT"))
    return pl.DataFrame(
        {
            "_e": np.arange(first_index, first_index + n),
            "bin": to_text(bins),
            "name": enterprise_names(rng, groups, regions),
            "oked": okeds.astype(str),
            "kato": kato,
            "status": np.full(n, "active"),
            "registered_on": registered,
            "_group": groups.astype(str),
            "_region": regions.astype(str),
            "_size": sizes,
            "_first_drop": np.zeros(n, dtype=np.int64),
            "_camp1": camp1,
            "_camp0": camp0,
            "_behaviour": np.asarray(BEHAVIOURS)[rng.choice(len(BEHAVIOURS), n, p=BEHAVIOUR_P)],
            "_arrears": rng.random(n) < 0.04,
            "_late": rng.random(n) < 0.06,
            "_overtime": rng.random(n) < cal.OVERTIME_ENTERPRISE_SHARE,
            "_has_ca": rng.random(n) < np.where(sizes > 30, 0.75, 0.5),
            "_risk": rng.beta(2, 4, n),
        }
    ).with_columns(
        pl.col("registered_on").cast(pl.Date), pl.col("_camp1").cast(pl.Date), pl.col("_camp0").cast(pl.Date)
    )


def random_population(rng: np.random.Generator, scale: cal.Scale, first_e: int, first_w: int):
    """Random enterprises and workplaces; returns (enterprises, workplaces, worker _w per contract)."""
    E, N = scale.enterprises, scale.contracts
    ent_p = np.array([i.enterprise_share for i in cal.INDUSTRIES])
    groups = np.asarray(GROUPS)[rng.choice(len(GROUPS), E, p=ent_p / ent_p.sum())]
    region_codes = np.asarray(list(cal.REGION_SHARES))
    reg_p = np.array(list(cal.REGION_SHARES.values()))
    regions = region_codes[rng.choice(len(region_codes), E, p=reg_p / reg_p.sum())]
    # sizes: lognormal within each group, scaled to the group's workforce share
    sizes = np.zeros(E, dtype=np.int64)
    present = [i for i in cal.INDUSTRIES if (groups == i.name).any()]
    wshare = np.array([i.workforce_share for i in present])
    wshare = wshare / wshare.sum()
    for ind, share in zip(present, wshare):
        idx = np.flatnonzero(groups == ind.name)
        raw = rng.lognormal(0, ind.size_sigma, len(idx))
        x = raw / raw.sum() * share * N
        sizes[idx] = np.maximum(1, np.floor(x + rng.random(len(idx)))).astype(np.int64)
    # harmful fraction by IPF over region × industry
    r_idx = np.searchsorted(np.sort(region_codes), regions)
    reg_sorted = np.sort(region_codes)
    g_idx = np.array([GROUPS.index(g) for g in groups])
    table = np.zeros((len(reg_sorted), len(GROUPS)))
    np.add.at(table, (r_idx, g_idx), sizes)
    H = cal.HARMFUL_SHARE * sizes.sum()
    rows = np.array([cal.REGION_SHARES[r] for r in reg_sorted]) * (table.sum(1) > 0)
    cols = np.array([i.harmful_share for i in cal.INDUSTRIES]) * (table.sum(0) > 0)
    f = _ipf(table, rows / rows.sum() * H, cols / cols.sum() * H)
    harmful = np.minimum(sizes, np.floor(sizes * f[r_idx, g_idx] + rng.random(E))).astype(np.int64)
    ent = enterprise_frame(rng, E, groups, regions, sizes, first_e)

    # workplaces: harmful ones first, then the others, per enterprise
    k_h = np.where(harmful > 0, np.ceil(harmful / scale.wp_size_harmful), 0).astype(np.int64)
    other = sizes - harmful
    k_o = np.where(other > 0, np.ceil(other / scale.wp_size_other), 0).astype(np.int64)
    wp_h_e = np.repeat(np.arange(E), k_h)
    wp_o_e = np.repeat(np.arange(E), k_o)
    n_h, n_o = len(wp_h_e), len(wp_o_e)
    local_h = np.arange(n_h) - np.repeat(np.cumsum(k_h) - k_h, k_h)
    local_o = np.arange(n_o) - np.repeat(np.cumsum(k_o) - k_o, k_o)
    wh = _harmful_workplaces(rng, groups[wp_h_e], local_h)
    wo = _other_workplaces(rng, groups[wp_o_e], local_o)
    wh = wh.with_columns(pl.Series("_le", wp_h_e))
    wo = wo.with_columns(pl.Series("_le", wp_o_e))
    wp = pl.concat([wh, wo], how="diagonal_relaxed")
    wp = wp.with_columns((pl.col("_le") + first_e).alias("_e")).drop("_le")
    wp = wp.with_row_index("_w", offset=first_w).with_columns(pl.col("_w").cast(pl.Int64))
    # workers: each harmful worker to a random harmful workplace of its enterprise
    start_h = first_w + np.cumsum(k_h) - k_h
    start_o = first_w + n_h + np.cumsum(k_o) - k_o
    e_h = np.repeat(np.arange(E), harmful)
    e_o = np.repeat(np.arange(E), other)
    w_h = start_h[e_h] + np.floor(rng.random(len(e_h)) * k_h[e_h]).astype(np.int64)
    w_o = start_o[e_o] + np.floor(rng.random(len(e_o)) * k_o[e_o]).astype(np.int64)
    return ent, wp, np.concatenate([w_h, w_o])


def quota_choice(rng: np.random.Generator, n: int, p: np.ndarray) -> np.ndarray:
    """n indices into p, each as often as n·p rounded (largest remainders), in random order:
    the mix a calibration sets is met exactly, not only on average."""
    p = np.asarray(p, dtype=float) / np.sum(p)
    counts = np.floor(n * p).astype(np.int64)
    left = n - counts.sum()
    if left:
        counts[np.argsort(-(n * p - counts), kind="stable")[:left]] += 1
    return rng.permutation(np.repeat(np.arange(len(p)), counts))


def _harmful_workplaces(rng, groups: np.ndarray, local: np.ndarray) -> pl.DataFrame:
    n = len(groups)
    prof = np.empty(n, dtype=object)
    spec = np.empty(n, dtype=object)
    f1 = np.empty(n, dtype=object)
    f2 = np.empty(n, dtype=object)
    for g, table in cal.HARMFUL_PROFESSIONS.items():
        idx = np.flatnonzero(groups == g)
        w = np.array([t[3] for t in table])
        pick = quota_choice(rng, len(idx), w)
        prof[idx] = np.asarray([t[0] for t in table], dtype=object)[pick]
        spec[idx] = np.asarray([t[1] for t in table], dtype=object)[pick]
        f1[idx] = np.asarray([t[2][0] for t in table], dtype=object)[pick]
        f2[idx] = np.asarray([t[2][1] for t in table], dtype=object)[pick]
    fallback = spec == "~CMN"
    entry = np.where(fallback, None, np.where(spec == "", None, spec))
    list_entry = entry.copy()
    entry[fallback] = (
        np.vectorize(cal.COMMON_BY_PROFESSION.get, otypes=[object])(prof[fallback])
        if fallback.any()
        else entry[fallback]
    )
    # spelling variants of common professions on fallback workplaces
    u = rng.random(n)
    for canon, variants in cal.CMN_VARIANTS.items():
        idx = np.flatnonzero(fallback & (prof == canon) & (u < 0.35))
        if len(idx):
            prof[idx] = np.asarray(variants, dtype=object)[rng.integers(0, len(variants), len(idx))]
    has_list = np.asarray([e is not None for e in list_entry])
    m = rng.random(n)
    mode = np.where(
        has_list & (m < 0.05), "contradiction", np.where(has_list & (m < 0.15), "not_attested", "attested_harmful")
    )
    subject = np.where((mode == "not_attested") & (rng.random(n) < 0.5), False, True)
    cls = np.asarray(cal.HARMFUL_CLASSES)[rng.choice(5, n, p=cal.HARMFUL_CLASS_P)]
    cls = _cap_class(f1, cls)
    c2 = np.asarray(["2", "3.1", "3.2"])[
        quota_choice(
            rng,
            n,
            [
                1 - cal.SECOND_FACTOR_HARMFUL,
                cal.SECOND_FACTOR_HARMFUL * (1 - cal.SECOND_FACTOR_3_2),
                cal.SECOND_FACTOR_HARMFUL * cal.SECOND_FACTOR_3_2,
            ],
        )
    ]
    c2 = _cap_class(f2, c2)
    f3, c3 = _third_factor(rng, f1, f2, cal.THIRD_FACTOR_HARMFUL)
    unit_word = (
        np.vectorize(lambda g: UNIT_WORD.get(g, "Цех №"), otypes=[object])(groups) if n else np.array([], dtype=object)
    )
    unit = np.char.add(unit_word.astype(str), (local // 3 + 1).astype(str)) if n else np.array([], dtype=str)
    return pl.DataFrame(
        {
            "unit": unit,
            "profession": prof.astype(str),
            "list_entry": pl.Series(list_entry.tolist(), dtype=pl.String),
            "subject_to_attestation": nullable_bool(subject, subject & (rng.random(n) < 0.4)),
            "_harmful": np.ones(n, dtype=bool),
            "_mode": mode.astype(str),
            "_entry": pl.Series(entry.tolist(), dtype=pl.String),
            "_f1": f1.astype(str),
            "_f2": f2.astype(str),
            "_cls": cls.astype(str),
            "_c2": c2.astype(str),
            "_f3": f3,
            "_c3": c3,
            "_disagree": rng.random(n) < 0.04,
        },
        schema_overrides={"unit": pl.String, "profession": pl.String},
    )


def _third_factor(rng, f1: np.ndarray, f2: np.ndarray, harmful_p: float) -> tuple[pl.Series, np.ndarray]:
    """A third factor, heaviness, stated in some acts (when the first two are not heaviness)."""
    n = len(f1)
    has = (rng.random(n) < cal.THIRD_FACTOR_P) & (f1 != "heaviness") & (f2 != "heaviness")
    c3 = np.where(rng.random(n) < harmful_p, "3.1", "2")
    return pl.Series([("heaviness" if h else None) for h in has], dtype=pl.String), c3


def _cap_class(factors: np.ndarray, cls: np.ndarray) -> np.ndarray:
    out = cls.copy()
    for f, (kind, _) in cal.FACTORS.items():
        if kind == "stated":
            continue
        allowed = list(cal.BANDS[kind])
        top = allowed[-1]
        bad = (factors == f) & ~np.isin(out, allowed)
        out[bad] = top
    return out


def _other_workplaces(rng, groups: np.ndarray, local: np.ndarray) -> pl.DataFrame:
    n = len(groups)
    prof = np.empty(n, dtype=object)
    for g, names in cal.OTHER_PROFESSIONS.items():
        idx = np.flatnonzero(groups == g)
        prof[idx] = np.asarray(names, dtype=object)[rng.integers(0, len(names), len(idx))]
    m = rng.random(n)
    mode = np.where(m < 0.45, "attested_ok", np.where(m < 0.7, "not_subject", "not_attested"))
    subject = nullable_bool(mode != "not_subject", (mode != "not_subject") & (rng.random(n) < 0.4))
    f1 = np.asarray(["noise", "lighting", "intensity", "microclimate_heat"])[rng.integers(0, 4, n)]
    f2 = np.asarray(["heaviness", "lighting", "noise", "chem_carbon_monoxide"])[rng.integers(0, 4, n)]
    f2 = np.where(f2 == f1, "heaviness", f2)
    f2 = np.where(f2 == f1, "intensity", f2)
    f3, c3 = _third_factor(rng, f1, f2, 0.0)
    return pl.DataFrame(
        {
            "unit": ADMIN_UNITS[local % len(ADMIN_UNITS)].astype(str),
            "profession": prof.astype(str),
            "list_entry": pl.Series([None] * n, dtype=pl.String),
            "subject_to_attestation": subject,
            "_harmful": np.zeros(n, dtype=bool),
            "_mode": mode.astype(str),
            "_entry": pl.Series([None] * n, dtype=pl.String),
            "_f1": f1,
            "_f2": f2,
            "_cls": np.full(n, "2"),
            "_c2": np.full(n, "2"),
            "_f3": f3,
            "_c3": c3,
            "_disagree": np.zeros(n, dtype=bool),
        },
        schema_overrides={"unit": pl.String, "profession": pl.String},
    )


def contracts_for(
    rng, w: np.ndarray, wp: pl.DataFrame, ent: pl.DataFrame, first_c: int, serial_offset: int = 0
) -> pl.DataFrame:
    """Active contracts (on AS_OF) for the workplaces `w`, one new person each."""
    n = len(w)
    info = pl.DataFrame({"_w": w}).join(
        wp.select("_w", "_e", "workplace_id", "bin", "_harmful"), on="_w", how="left", maintain_order="left"
    )
    info = info.join(ent.select("_e", "_group"), on="_e", how="left", maintain_order="left")
    age_days = rng.integers(20 * 365, 63 * 365, n)
    birth = AS_OF - _days(age_days)
    max_tenure = age_days - 18 * 365
    tenure = np.minimum(rng.exponential(5.5 * 365, n).astype(np.int64), max_tenure)
    tenure = np.minimum(tenure, int((AS_OF - D("1996-01-01")).astype(int)))
    start = AS_OF - _days(np.maximum(tenure, 1))
    fixed = rng.random(n) < 0.04
    end = np.where(fixed, random_dates(rng, "2027-01-01", "2027-10-31", n), D("NaT"))
    med = info["_group"].replace_strict(INCOME_MEDIAN, default=320_000).to_numpy()
    income = med * np.where(info["_harmful"].to_numpy(), 1.15, 1.0) * rng.lognormal(0, 0.35, n)
    income = np.maximum(cal.MIN_WAGE, np.round(income / 100) * 100)
    # part-time contracts pay below the monthly minimum wage (lawful: it is for a full month)
    part = rng.random(n) < cal.PART_TIME_SHARE
    income = np.where(part, np.round(rng.uniform(0.45, 0.97, n) * cal.MIN_WAGE / 100) * 100, income)
    iin = make_iins(rng, birth, rng.random(n) < 0.55, serial_offset)
    return pl.DataFrame(
        {
            "contract_id": pl.Series(np.arange(first_c, first_c + n)).cast(pl.String).str.zfill(9),
            "iin": to_text(iin),
            "bin": info["bin"],
            "workplace_id": info["workplace_id"],
            "start_date": pl.Series(start).cast(pl.Date),
            "end_date": pl.Series(end).cast(pl.Date),
            "monthly_income": income.astype(np.int64),
            "_e": info["_e"],
            "_w": w,
            "_harmful": info["_harmful"],
            "_first_drop": np.zeros(n, dtype=np.int64),
            "_end_drop": np.zeros(n, dtype=np.int64),
        }
    )


def build_population(rng: np.random.Generator, scale: cal.Scale) -> Population:
    """Draws the whole population: the edge enterprises first, then random ones, with historic,
    moved, second and ended contracts."""
    from pipelines.generate import edges

    # enterprises and workplaces: the edge cases first, then the random ones
    e_ent = edges.enterprise_frame(0)
    e_wp, e_workers = edges.workplace_frame(scale.name, 0)
    r_ent, r_wp, r_w = random_population(rng, scale, len(e_ent), len(e_wp))
    e_wp = e_wp.with_row_index("_w").with_columns(pl.col("_w").cast(pl.Int64))
    e_ent = e_ent.with_columns(
        pl.Series(
            "_size",
            np.bincount(e_wp["_e"].to_numpy(), weights=np.asarray(e_workers, float), minlength=len(e_ent)).astype(
                np.int64
            ),
        )
    )
    e_bins = make_bins(e_ent["registered_on"].to_numpy(), np.arange(len(e_ent)) + EDGE_BIN_SERIAL)
    e_ent = e_ent.with_columns(pl.Series("bin", to_text(e_bins)))
    ent = pl.concat([e_ent, r_ent], how="diagonal_relaxed").sort("_e")
    wp = pl.concat([e_wp, r_wp], how="diagonal_relaxed").sort("_w")
    wp = wp.join(ent.select("_e", "bin"), on="_e", how="left", maintain_order="left").with_columns(
        pl.format("WP{}", pl.col("_w").cast(pl.String).str.zfill(8)).alias("workplace_id")
    )

    # contracts active on AS_OF
    w_active = np.concatenate([np.repeat(e_wp["_w"].to_numpy(), e_workers), r_w])
    tag = wp.select("_w", "_tag").drop_nulls()
    tw = dict(zip(tag["_tag"].to_list(), tag["_w"].to_list()))
    # historic contracts: ended before AS_OF (most before 2026, some during 2026), the edge
    # enterprises' ones first (edges.ENDED_CONTRACTS)
    e7_w = wp.filter(pl.col("_e") == 6)["_w"].to_numpy()
    pool_w = w_active[~np.isin(w_active, e7_w)]
    edge_hist_w = np.asarray([tw[t] for t, _, _ in edges.ENDED_CONTRACTS], dtype=np.int64)
    hist_w = np.concatenate(
        [edge_hist_w, pool_w[rng.integers(0, len(pool_w), max(3, int(cal.HISTORIC_SHARE * len(w_active))))]]
    )
    n_hist = len(hist_w)
    both = contracts_for(rng, np.concatenate([w_active, hist_w]), wp, ent, 0)
    emp, hist = both.head(len(w_active)), both.tail(n_hist)
    h_start = random_dates(rng, "2012-01-01", "2024-06-30", n_hist)
    in_2026 = rng.random(n_hist) < 0.25
    h_end = np.where(
        in_2026,
        random_dates(rng, "2026-01-15", "2026-10-31", n_hist),
        np.minimum(h_start + _days(rng.integers(120, 3000, n_hist)), D("2025-12-31")),
    )
    # seasonal work: some of the contracts ended in 2026 began that year and lasted under 90 days
    seasonal = in_2026 & (rng.random(n_hist) < cal.SEASONAL_SHARE)
    s_start = random_dates(rng, "2026-02-01", "2026-08-31", n_hist)
    h_start = np.where(seasonal, s_start, h_start)
    h_end = np.where(seasonal, s_start + _days(rng.integers(20, 86, n_hist)), h_end)
    for i, (_, start, end) in enumerate(edges.ENDED_CONTRACTS):
        h_start[i], h_end[i] = D(start), D(end)
    hist = hist.with_columns(pl.Series("start_date", h_start).cast(pl.Date), pl.Series("end_date", h_end).cast(pl.Date))

    # movers: a 2026 contract at another List workplace of the same enterprise
    list_wp = wp.filter(pl.col("_entry").is_not_null() & pl.col("_mode").ne("contradiction")).select("_w", "_e")
    list_wp = list_wp.with_columns(
        pl.col("_w").rank("ordinal").over("_e").cast(pl.Int64).alias("_r"),
        pl.len().over("_e").cast(pl.Int64).alias("_k"),
    )
    cand = emp.with_row_index("_i").join(list_wp, on=["_w", "_e"], how="inner").filter(pl.col("_k") >= 2)
    cand = cand.filter(~pl.col("_e").is_in(list(range(len(e_ent)))))
    n_mov = min(len(cand), max(1, int(0.003 * len(emp))))
    movers = cand.sample(n_mov, seed=int(rng.integers(1 << 31))) if n_mov else cand.head(0)
    movers = movers.with_columns(((pl.col("_r") % pl.col("_k")) + 1).alias("_r2")).join(
        list_wp.select("_e", pl.col("_r").alias("_r2"), pl.col("_w").alias("_w2")), on=["_e", "_r2"], how="left"
    )
    move_day = random_dates(rng, "2026-03-01", "2026-08-31", len(movers))
    prior = movers.select(
        [c for c in emp.columns if c not in ("_w", "workplace_id", "start_date", "end_date")] + ["_w2"]
    ).rename({"_w2": "_w"})
    prior = prior.join(wp.select("_w", "workplace_id"), on="_w", how="left", maintain_order="left").with_columns(
        pl.Series("start_date", move_day - _days(rng.integers(200, 900, len(movers)))).cast(pl.Date),
        pl.Series("end_date", move_day - _days(np.ones(len(movers), dtype=np.int64))).cast(pl.Date),
    )
    idx = movers["_i"].to_numpy()
    start = emp["start_date"].to_numpy().copy()
    start[idx] = move_day
    emp = emp.with_columns(pl.Series("start_date", start).cast(pl.Date))

    # edge contracts: movers, a liquidated enterprise, a new enterprise's first hires, ...
    emp, edge_prior = _edge_contracts(emp, wp, tw, len(e_ent))
    second = _second_contracts(rng, emp, wp, len(e_ent))
    emp = pl.concat(
        [emp, hist, prior.select(emp.columns), edge_prior.select(emp.columns), second.select(emp.columns)],
        how="vertical_relaxed",
    )

    # liquidated random enterprises (no harmful workers): every contract ended
    e_arr = ent["_e"].to_numpy()
    harmful_e = set(emp.filter(pl.col("_harmful"))["_e"].unique().to_list())
    pool = np.asarray([e for e in e_arr[len(e_ent) :] if e not in harmful_e], dtype=np.int64)
    liq = pool[rng.random(len(pool)) < 0.01] if len(pool) else pool
    liquidated = np.r_[liq, 5]  # E6
    # dormant: small, still active in the registry, every contract ended (no headcount left)
    rest = r_ent.filter(pl.col("_size") <= 10, ~pl.col("_e").is_in(liq.tolist()))["_e"].to_numpy()
    dormant = rng.choice(rest, min(len(rest), round(cal.DORMANT_SHARE * len(r_ent))), replace=False)
    emp = _end_every_contract(rng, emp, dormant, "2025-06-01", "2026-10-31", 300)
    emp = _end_every_contract(rng, emp, liquidated, "2024-01-01", "2025-11-30", 400)
    ent = ent.with_columns(
        pl.when(pl.col("_e").is_in(liquidated.tolist()))
        .then(pl.lit("liquidated"))
        .otherwise(pl.col("status"))
        .alias("status")
    )

    # snapshot dynamics across drops: a few new enterprises, new hires, contract ends
    n_new = int(0.002 * len(r_ent))
    if n_new:
        small = r_ent.filter(
            pl.col("_size") <= pl.col("_size").median(), ~pl.col("_e").is_in(liquidated.tolist() + dormant.tolist())
        )
        new_e = small.sample(min(n_new, len(small)), seed=int(rng.integers(1 << 31)))["_e"].to_list()
        ent = ent.with_columns(
            pl.when(pl.col("_e").is_in(new_e)).then(2).otherwise(pl.col("_first_drop")).alias("_first_drop"),
            pl.when(pl.col("_e").is_in(new_e))
            .then(pl.lit(cal.DROP_DATES[1]))
            .otherwise(pl.col("registered_on"))
            .alias("registered_on"),
        )
        emp = emp.with_columns(
            pl.when(pl.col("_e").is_in(new_e)).then(2).otherwise(pl.col("_first_drop")).alias("_first_drop"),
            pl.when(pl.col("_e").is_in(new_e))
            .then(pl.lit(cal.DROP_DATES[1]))
            .otherwise(pl.col("start_date"))
            .alias("start_date"),
        )
        emp = emp.filter(
            ~(
                pl.col("_e").is_in(new_e)
                & pl.col("end_date").is_not_null()
                & (pl.col("end_date") <= pl.lit(cal.DROP_DATES[1]))
            )
        )
    new_ents = ent.filter(pl.col("_first_drop") > 0)["_e"].to_list()
    n_dyn = max(2, int(0.003 * len(emp)))
    open_rows = np.flatnonzero(
        emp.select(
            pl.col("end_date").is_null() & ~pl.col("_e").is_in(new_ents + liquidated.tolist() + dormant.tolist())
        )
        .to_series()
        .to_numpy()
    )
    pick = rng.choice(open_rows, min(len(open_rows), 2 * n_dyn), replace=False)
    hires, ends = pick[:n_dyn], pick[n_dyn:]
    fd = emp["_first_drop"].to_numpy().copy()
    ed = emp["_end_drop"].to_numpy().copy()
    start = emp["start_date"].to_numpy().copy()
    end = emp["end_date"].to_numpy().copy()
    drops = np.asarray([D(d.isoformat()) for d in cal.DROP_DATES])
    fd[hires] = 1 + np.arange(len(hires)) % 2
    start[hires] = drops[fd[hires]] - _days(np.ones(len(hires), dtype=np.int64))
    ed[ends] = 1 + np.arange(len(ends)) % 2
    end[ends] = drops[ed[ends]] - _days(np.ones(len(ends), dtype=np.int64))
    emp = emp.with_columns(
        pl.Series("_first_drop", fd),
        pl.Series("_end_drop", ed),
        pl.Series("start_date", start).cast(pl.Date),
        pl.Series("end_date", end).cast(pl.Date),
    )
    emp = emp.with_columns(
        pl.format("TD-{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(9)).alias("contract_id")
    )
    wp = wp.join(
        ent.select("_e", pl.col("_first_drop").alias("_efd")), on="_e", how="left", maintain_order="left"
    ).rename({"_efd": "_first_drop"})

    # registered headcount: active contracts, roughly, sometimes missing
    active = emp.filter(pl.col("end_date").is_null() | (pl.col("end_date") >= pl.lit(cal.AS_OF))).group_by("_e").len()
    ent = ent.join(active.rename({"len": "_active"}), on="_e", how="left", maintain_order="left").with_columns(
        pl.col("_active").fill_null(0)
    )
    noise = pl.Series(rng.normal(1.0, 0.04, len(ent)))
    ent = ent.with_columns((pl.col("_active") * noise).round(0).cast(pl.Int64).alias("headcount"))
    ent = ent.with_columns(
        pl.when((pl.Series(rng.random(len(ent))) < 0.05) & (pl.col("_e") >= len(e_ent)))
        .then(None)
        .otherwise(pl.col("headcount"))
        .alias("headcount")
    )
    ent = ent.with_columns(
        pl.when(pl.col("status") == "liquidated").then(0).otherwise(pl.col("headcount")).alias("headcount")
    )
    return Population(ent, wp, emp)


def _end_every_contract(
    rng, emp: pl.DataFrame, enterprises: np.ndarray, lo: str, hi: str, back_days: int
) -> pl.DataFrame:
    """Every contract of `enterprises` ends on a day between lo and hi (or earlier, as it was);
    a contract that would end before it began starts `back_days` before its end instead."""
    end = pl.Series(random_dates(rng, lo, hi, len(emp))).cast(pl.Date)
    hit = pl.col("_e").is_in(enterprises.tolist())
    emp = emp.with_columns(end.alias("_end")).with_columns(
        pl.when(hit)
        .then(pl.min_horizontal("_end", pl.coalesce("end_date", "_end")))
        .otherwise(pl.col("end_date"))
        .alias("end_date")
    )
    return emp.with_columns(
        pl.when(hit & (pl.col("start_date") >= pl.col("end_date")))
        .then(pl.col("end_date") - pl.duration(days=back_days))
        .otherwise(pl.col("start_date"))
        .alias("start_date")
    ).drop("_end")


def _second_contracts(rng, emp: pl.DataFrame, wp: pl.DataFrame, n_edge: int) -> pl.DataFrame:
    """A second, part-time contract of a worker at another workplace of the same employer,
    running alongside the first (internal part-time work)."""
    wps = (
        wp.filter(pl.col("_e") >= n_edge)
        .select("_w", "_e", "workplace_id", "_harmful")
        .with_columns(pl.len().over("_e").alias("_k"))
    )
    cand = emp.filter(pl.col("end_date").is_null(), pl.col("_e") >= n_edge).join(
        wps.filter(pl.col("_k") >= 2).select("_e").unique(), on="_e", how="semi"
    )
    n = min(len(cand), int(cal.SECOND_CONTRACT_SHARE * len(emp)))
    if not n:
        return emp.head(0)
    first = cand.sample(n, seed=int(rng.integers(1 << 31)))
    # another workplace of the enterprise: the next one in its list
    wps = wps.with_columns(pl.col("_w").rank("ordinal").over("_e").cast(pl.Int64).alias("_r"))
    first = first.join(wps.select("_w", "_r", "_k"), on="_w", how="left").with_columns(
        ((pl.col("_r") % pl.col("_k")) + 1).alias("_r2")
    )
    other = first.drop("_w", "workplace_id", "_harmful").join(
        wps.select("_e", pl.col("_r").alias("_r2"), "_w", "workplace_id", "_harmful"), on=["_e", "_r2"], how="left"
    )
    start = random_dates(rng, "2024-01-15", "2026-10-31", n)
    income = np.round(rng.uniform(0.45, 0.97, n) * cal.MIN_WAGE / 100) * 100
    return other.with_columns(
        pl.Series("start_date", start).cast(pl.Date),
        pl.Series("monthly_income", income.astype(np.int64)),
        pl.lit(None, dtype=pl.Date).alias("end_date"),
    )


def _edge_contracts(emp: pl.DataFrame, wp: pl.DataFrame, tw: dict[str, int], n_edge: int):
    """Movers (E2 inside, E3 → E1), E7's hires, edges.CONTRACT_CHANGES and
    edges.SECOND_CONTRACTS; returns (emp, the extra contracts)."""
    from pipelines.generate import edges

    emp = emp.with_row_index("_i")
    for t, k, column, value in edges.CONTRACT_CHANGES:
        i = emp.filter(pl.col("_w") == tw[t])["_i"][k]
        new = pl.lit(value).cast(emp.schema[column]) if not isinstance(value, str) else pl.lit(value).str.to_date()
        emp = emp.with_columns(pl.when(pl.col("_i") == i).then(new).otherwise(pl.col(column)).alias(column))

    def first(tag):
        return emp.filter(pl.col("_w") == tw[tag])["_i"][0]

    fitter, conveyor = first("E2_fit"), first("E1_conv")
    start = emp["start_date"].to_numpy().copy()
    start[fitter] = D("2026-06-01")
    start[conveyor] = D("2026-05-04")
    emp = emp.with_columns(pl.Series("start_date", start).cast(pl.Date))
    wpi = wp.select("_w", "workplace_id", "bin", "_e")
    prior = []
    for i, tag, s, e in (
        (fitter, "E2_weld", "2024-02-01", "2026-05-31"),
        (conveyor, "E3_min2", "2023-09-01", "2026-04-30"),
    ):
        row = emp.filter(pl.col("_i") == i).drop("workplace_id", "bin", "_e", "_w")
        row = row.with_columns(pl.lit(tw[tag]).cast(pl.Int64).alias("_w")).join(wpi, on="_w")
        prior.append(
            row.with_columns(pl.lit(s).str.to_date().alias("start_date"), pl.lit(e).str.to_date().alias("end_date"))
        )
    for t, k, at, start, income in edges.SECOND_CONTRACTS:
        row = emp.filter(pl.col("_w") == tw[t])[k].drop("workplace_id", "bin", "_e", "_w")
        row = row.with_columns(pl.lit(tw[at]).cast(pl.Int64).alias("_w")).join(wpi, on="_w")
        prior.append(
            row.with_columns(
                pl.lit(start).str.to_date().alias("start_date"),
                pl.lit(None, dtype=pl.Date).alias("end_date"),
                pl.lit(income).cast(pl.Int64).alias("monthly_income"),
            )
        )
    e7 = tw["E7_weld"]
    emp = emp.with_columns(
        pl.when(pl.col("_w") == e7).then(pl.lit(cal.DROP_DATES[1])).otherwise(pl.col("start_date")).alias("start_date"),
        pl.when(pl.col("_w") == e7).then(1).otherwise(pl.col("_first_drop")).alias("_first_drop"),
    )
    return emp.drop("_i"), pl.concat(prior, how="diagonal_relaxed").drop("_i")
