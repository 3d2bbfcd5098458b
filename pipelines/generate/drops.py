"""Spreading the world over nightly drops and turning frames into landing text.

Snapshots: every drop that carries the file holds the full snapshot as known on that
night (rows with `_first_drop` ≤ drop; an employee's end date shows from `_end_drop`).
Events: each row lands in one drop (`_drop`), never before the drop where its
enterprise first appears; a small share is re-sent in a later drop with a corrected
value (same key, the later row replaces the earlier one).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines import contract
from pipelines.generate import calibration as cal

N_DROPS = len(cal.DROP_DATES)


def drops_for(extract: str) -> tuple[int, ...]:
    """The drops (indexes into DROP_DATES) that carry this extract's file; by default every one."""
    return cal.EXTRACT_DROPS.get(extract, tuple(range(N_DROPS)))


def assign_drops(rng, name: str, df: pl.DataFrame, first_drop: pl.DataFrame, on: str) -> pl.DataFrame:
    """`_drop` for an event frame; `first_drop` maps `on` to the first drop it may appear in."""
    if "_drop" in df.columns:
        return df
    allowed = np.asarray(drops_for(name))
    w = np.asarray([cal.EVENT_DROP_WEIGHTS[d] for d in allowed])
    drop = allowed[rng.choice(len(allowed), len(df), p=w / w.sum())]
    if "_min_drop" not in df.columns:
        df = df.join(first_drop.rename({"_first_drop": "_min_drop"}), on=on, how="left", maintain_order="left")
    df = df.with_columns(pl.max_horizontal(pl.Series(drop), pl.col("_min_drop").fill_null(0)).alias("_drop"))
    return df.drop("_min_drop")


# column to correct in a re-sent row, and how
CORRECTIONS: dict[str, tuple[pl.Expr, pl.Expr]] = {
    "attestations": (pl.lit(True), pl.format("{}/испр", pl.col("order_no")).alias("order_no")),
    "risk_assessments": (pl.lit(True), (pl.col("ppe") * 0.9).round(3).alias("ppe")),
    "incidents": (pl.col("kind") == "injury", (pl.col("days_lost").fill_null(0) + 5).alias("days_lost")),
    # an answer corrected to non-compliant: E3's checklist that fails every question stays so
    "checklists": (pl.col("q01"), pl.lit(False).alias("q01")),
    "granted_guarantees": (pl.col("value").is_not_null(), (pl.col("value") + 1).alias("value")),
    "payroll": (pl.col("paid") < pl.col("accrued"), pl.col("accrued").alias("paid")),  # arrears settled
    "complaints": (pl.lit(True), pl.lit(True).alias("collective")),
    # a violation added to a report that found some: a clean inspection (E4's) stays clean
    "inspections": (pl.col("violations") > 0, (pl.col("violations") + 1).alias("violations")),
}


def replacements(rng, name: str, df: pl.DataFrame, share: float = 0.003) -> pl.DataFrame:
    """Append re-sent rows (same key, corrected value) in a later drop."""
    if name not in CORRECTIONS:
        return df
    allowed = drops_for(name)
    last = max(allowed)
    cond, fix = CORRECTIONS[name]
    pool = df.filter(cond & (pl.col("_drop") < last))
    if name == "payroll" and pool.is_empty():
        pool = df.filter(pl.col("_drop") < last)
        fix = (pl.col("overtime_hours") + 1).alias("overtime_hours")
    if pool.is_empty():
        return df
    k = min(len(pool), max(1, int(share * len(df))))
    pick = np.sort(rng.choice(len(pool), k, replace=False))
    again = pool[pick].with_columns(fix)
    if name == "payroll":
        again = again.with_columns(pl.coalesce("paid_on", pl.lit(cal.AS_OF)).alias("paid_on"))
    later = np.asarray([rng.choice([d for d in allowed if d > cur]) for cur in again["_drop"].to_list()])
    return pl.concat([df, again.with_columns(pl.Series("_drop", later))], how="vertical_relaxed")


def snapshot_rows(name: str, df: pl.DataFrame, drop: int) -> pl.DataFrame:
    """A snapshot as known in `drop`: the rows first seen by then, an employee's end date only
    from its `_end_drop`."""
    out = df.filter(pl.col("_first_drop") <= drop)
    if name == "employees":
        out = out.with_columns(
            pl.when(pl.col("_end_drop") <= drop).then(pl.col("end_date")).otherwise(None).alias("end_date")
        )
    return out


def as_text(name: str, df: pl.DataFrame) -> pl.DataFrame:
    """Contract columns, in contract order, as landing text (empty = null)."""
    ex = contract.EXTRACTS[name]
    exprs = []
    for col in ex.columns:
        c = pl.col(col.name)
        dtype = df.schema[col.name]
        if dtype == pl.Date:
            e = c.dt.strftime("%Y-%m-%d")
        elif dtype == pl.Boolean:
            e = pl.when(c).then(pl.lit("true")).when(~c).then(pl.lit("false")).otherwise(None)
        elif dtype.is_float():
            # whole numbers without a trailing .0, others as they are
            e = (
                pl.when(c == c.round(0))
                .then(c.cast(pl.Int64, strict=False).cast(pl.String))
                .otherwise(c.cast(pl.String))
            )
        else:
            e = c.cast(pl.String)
        exprs.append(e.alias(col.name))
    return df.select(exprs)
