"""Bad rows of every kind the landing contract names, and the manifest that lists them.

Each injected row is a copy of a good row of the same file with a fresh key and exactly
one rule broken, so the expected reason is unambiguous (for a bad `region` in
stat_regions the region check fails too, but the column rule comes first). The reason
codes are those of docs/design.md and pipelines/ingest/validate.py; `column` is what
ingestion reports (key columns joined by ',' for duplicate_key, the referencing columns
for unknown_reference). A duplicate key marks the second occurrence.

Manifest: `<out>/_dirty_manifest.csv` with drop_date, extract, file, line, column,
reason_code; line is the 1-based physical line (header = 1).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines import contract
from pipelines.generate import calibration as cal
from pipelines.generate.drops import drops_for
from pipelines.generate.ids import make_bins, make_iins, to_text

MANIFEST = "_dirty_manifest.csv"
FRESH_BIN_SERIAL = 99_950  # injected enterprise rows (rejected)
UNKNOWN_BIN_SERIAL = 99_980  # BINs no drop's enterprises file holds

MISSING = {
    "enterprises": "name",
    "workplaces": "profession",
    "employees": "monthly_income",
    "attestations": "order_no",
    "risk_assessments": "harm",
    "incidents": "kind",
    "checklists": "q05",
    "granted_guarantees": "guarantee",
    "payroll": "accrued",
    "complaints": "topic",
    "inspections": "violations",
    "collective_agreements": "signed_on",
    "stat_regions": "workers_surveyed",
}
CHECKSUM = {
    "enterprises": "bin",
    "workplaces": "bin",
    "employees": "iin",
    "attestations": "bin",
    "risk_assessments": "assessor_bin",
    "incidents": "iin",
    "checklists": "confirmed_by",
    "granted_guarantees": "iin",
    "payroll": "iin",
    "complaints": "bin",
    "inspections": "bin",
    "collective_agreements": "bin",
}
OUT_OF_RANGE = {
    "enterprises": ("headcount", "-3"),
    "employees": ("monthly_income", "-100"),
    "attestations": ("limit_value", "-1.5"),
    "risk_assessments": ("harm", "1.5"),
    "incidents": ("days_lost", "-2"),
    "granted_guarantees": ("year", "1980"),
    "payroll": ("accrued", "-1000"),
    "inspections": ("violations", "-1"),
    "collective_agreements": ("pay_supplement_pct", "-4"),
    "stat_regions": ("workers_harmful", "-10"),
}
DOMAIN = {
    "enterprises": ("status", "closed"),
    "incidents": ("kind", "burn"),
    "granted_guarantees": ("guarantee", "bonus"),
    "complaints": ("topic", "salary"),
    "attestations": ("class", "3.5"),
}
FORMAT = {
    "enterprises": [("oked", "12A45"), ("kato", "75111000")],
    "payroll": [("month", "2026-13"), ("month", "202611")],
    "stat_regions": [("region", "7A")],
}


def _plan(name: str) -> list[tuple[str, str, object]]:
    """(reason_code, column, bad value or a special marker) for one extract."""
    ex = contract.EXTRACTS[name]
    plan: list[tuple[str, str, object]] = [("missing_required", MISSING[name], None)]
    if name in CHECKSUM:
        plan.append(("bad_checksum", CHECKSUM[name], "@checksum"))
    dates = [c.name for c in ex.columns if c.type == "date"]
    if dates:
        plan.append(("bad_date", dates[0], "2026-02-30"))
        plan.append(("date_out_of_range", dates[0], "1900-01-01"))
        plan.append(("date_out_of_range", dates[-1], "2099-06-15"))  # past every window, 10-year ones too
    nums = [c.name for c in ex.columns if c.type in ("int", "decimal")]
    if nums:
        plan.append(("bad_number", nums[-1], "n/a"))
    if name in OUT_OF_RANGE:
        plan.append(("out_of_range", *OUT_OF_RANGE[name]))
    if name in DOMAIN:
        plan.append(("not_in_domain", *DOMAIN[name]))
    for col, val in FORMAT.get(name, []):
        plan.append(("bad_format", col, val))
    bools = [c.name for c in ex.columns if c.type == "bool"]
    if bools:
        plan.append(("bad_bool", bools[-1], "yes"))
    plan.append(("duplicate_key", ",".join(ex.key), "@duplicate"))
    for ref in ex.references:
        if ref.columns == ("bin",) and name != "employees" and name != "attestations":
            plan.append(("unknown_reference", "bin", "@unknown_bin"))
        elif "workplace_id" in ref.columns:
            plan.append(("unknown_reference", ",".join(ref.columns), "@unknown_workplace"))
    if name == "employees":
        plan.append(("end_before_start", "end_date", "@end_before_start"))
    if name == "attestations":
        plan.append(("unknown_factor", "factor", "radiation"))
        plan.append(("class_or_measure_missing", "class", "@no_measure"))
    if name == "enterprises":
        plan.append(("unknown_region", "kato", "990000000"))
        plan.append(("unknown_oked", "oked", "04100"))
    if name == "stat_regions":
        plan.append(("unknown_region", "region", "99"))
    return plan


class _Fresh:
    """Fresh keys and identifiers for injected rows."""

    def __init__(self) -> None:
        reg = np.asarray([np.datetime64("2011-01-01") + np.timedelta64(31 * i, "D") for i in range(50)])
        self.bins = to_text(make_bins(reg[:30], np.arange(FRESH_BIN_SERIAL, FRESH_BIN_SERIAL + 30))).to_list()
        self.unknown = to_text(make_bins(reg[30:], np.arange(UNKNOWN_BIN_SERIAL, UNKNOWN_BIN_SERIAL + 20))).to_list()
        birth = np.full(300, np.datetime64("1977-07-07"))
        self.iins = to_text(
            make_iins(np.random.default_rng(0), birth, np.ones(300, dtype=bool), serial_offset=9_000)
        ).to_list()
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def _bad_checksum(value: str) -> str:
    return value[:11] + str((int(value[11]) + 1) % 10)


def _fresh_key(name: str, row: dict, file_df: pl.DataFrame, fresh: _Fresh, ctx: dict) -> dict:
    n = fresh.next()
    if name == "enterprises":
        row["bin"] = fresh.bins[n % len(fresh.bins)]
    elif name == "workplaces":
        row["workplace_id"] = f"WP-X{n:04d}"
    elif name == "employees":
        row["contract_id"] = f"TD-X{n:05d}"
    elif name == "attestations":
        row["attestation_id"] = f"AT-X{n:04d}"
    elif name == "incidents":
        row["incident_id"] = f"INC-X{n:05d}"
    elif name == "complaints":
        row["complaint_id"] = f"CMP-X{n:05d}"
    elif name == "inspections":
        row["inspection_id"] = f"INSP-X{n:05d}"
    elif name in ("granted_guarantees", "payroll"):
        row["iin"] = fresh.iins[n]
    elif name == "risk_assessments":
        used = set(file_df.filter(pl.col("workplace_id") == row["workplace_id"])["assessed_on"].to_list())
        day = dt.date(2026, 1, 5) + dt.timedelta(days=n)
        while day.isoformat() in used:
            day += dt.timedelta(days=1)
        row["assessed_on"] = day.isoformat()
    elif name == "checklists":
        used = set(file_df.filter(pl.col("bin") == row["bin"])["submitted_on"].to_list())
        day = dt.date(2026, 2, 2) + dt.timedelta(days=n)
        while day.isoformat() in used:
            day += dt.timedelta(days=1)
        row["submitted_on"] = day.isoformat()
    elif name == "collective_agreements":
        free = ctx["bins_without_ca"]
        row["bin"] = free[n % len(free)]
    elif name == "stat_regions":
        row["year"] = str(2000 + n % 19)
    return row


def inject(
    rng: np.random.Generator, texts: dict[tuple[int, str], pl.DataFrame], ent_bins: dict[int, list[str]]
) -> tuple[dict, list[dict]]:
    """Mix bad rows into the drop files; returns (texts, manifest rows)."""
    fresh = _Fresh()
    manifest: list[dict] = []
    counter = 0
    for name in contract.EXTRACTS:
        drops = [d for d in drops_for(name) if (d, name) in texts]
        per_drop: dict[int, list[tuple[int, dict, str, str]]] = {d: [] for d in drops}
        for i, (code, column, value) in enumerate(_plan(name)):
            counter += 1
            for step in range(len(drops)):
                d = drops[(i + counter + step) % len(drops)]
                df = texts[(d, name)]
                pool = df
                if name == "attestations" and value in ("@no_measure", "radiation", "n/a"):
                    pool = df.filter(pl.col("measured").is_not_null())
                if name == "employees":
                    pool = df.filter(pl.col("end_date").is_null())
                if len(pool):
                    break
            else:
                raise RuntimeError(f"no row of {name} to copy for {code}")
            ctx = {
                "bins_without_ca": sorted(set(ent_bins[d]) - set(df["bin"].to_list()))
                if name == "collective_agreements"
                else []
            }
            j = int(rng.integers(0, len(pool)))
            row = pool.row(j, named=True)
            pos = df.with_row_index("_i").filter(pl.all_horizontal(pl.col(c).eq_missing(v) for c, v in row.items()))[
                "_i"
            ][0]
            if value == "@duplicate":
                after = int(rng.integers(pos, len(df)))
                per_drop[d].append((after, dict(row), code, column))
                continue
            row = _fresh_key(name, dict(row), df, fresh, ctx)
            if value == "@checksum":
                row[column] = _bad_checksum(row[column] or fresh.bins[0])
            elif value == "@unknown_bin":
                row["bin"] = fresh.unknown[fresh.next() % len(fresh.unknown)]
            elif value == "@unknown_workplace":
                row["workplace_id"] = f"WP-UNKNOWN-{fresh.next():03d}"
            elif value == "@end_before_start":
                start = dt.date.fromisoformat(row["start_date"])
                row["end_date"] = (start - dt.timedelta(days=365)).isoformat()
            elif value == "@no_measure":
                row["measured"] = row["limit_value"] = row["class"] = None
            else:
                row[column] = value
            after = int(rng.integers(0, len(df)))
            per_drop[d].append((after, row, code, column))
        for d, items in per_drop.items():
            if not items:
                continue
            df = texts[(d, name)]
            clean = df.with_columns(pl.int_range(pl.len()).cast(pl.Float64).alias("_o"))
            bad = pl.DataFrame([r for _, r, _, _ in items], schema=df.schema).with_columns(
                pl.Series("_o", [a + 0.5 + k * 0.001 for k, (a, _, _, _) in enumerate(items)]),
                pl.Series("_code", [c for _, _, c, _ in items]),
                pl.Series("_col", [c for _, _, _, c in items]),
            )
            merged = pl.concat([clean, bad], how="diagonal").sort("_o").with_row_index("_line", offset=2)
            for r in merged.filter(pl.col("_code").is_not_null()).select("_line", "_code", "_col").iter_rows():
                manifest.append(
                    {
                        "drop_date": cal.DROP_DATES[d].isoformat(),
                        "extract": name,
                        "file": f"{cal.DROP_DATES[d].isoformat()}/{name}.csv",
                        "line": r[0],
                        "column": r[2],
                        "reason_code": r[1],
                    }
                )
            texts[(d, name)] = merged.select(df.columns)
    manifest.sort(key=lambda m: (m["drop_date"], m["extract"], m["line"]))
    return texts, manifest
