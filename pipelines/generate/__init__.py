"""Synthetic landing extracts for the Labour Risk Map (the landing contract, pipelines/contract.py).

`generate(out_dir, scale, seed, dirty, unreadable)` writes nightly drops

    <out>/<YYYY-MM-DD>/<extract>.csv   (+ an empty _SUCCESS marker per drop)

for the three drop dates of `calibration.DROP_DATES`, every extract of
`pipelines.contract.EXTRACTS` (stat_regions skips the second drop). Same seed, same
bytes. Modules:

- `calibration`: drop dates, scales, the docs/law_and_models.md §8 targets (regions, industries,
  factors, incident rates, official statistics), professions and List entries used.
- `ids`: vectorised IIN/BIN with valid control digits.
- `names`: Kazakh/Russian enterprise names.
- `population`: enterprises, workplaces, contracts (harmful workers placed by IPF to the
  region × industry shares), movers, historic contracts, snapshot changes between drops.
- `edges`: hand-made enterprises every scale carries (НДФЗ, fallback lookup, the
  List/attestation contradiction, zero headcount, liquidation, a new enterprise, ...).
- `events`: attestations, risk assessments, incidents, checklists, collective
  agreements, granted guarantees, payroll, complaints, inspections, regional statistics.
- `drops`: drop assignment, re-sent corrected rows, snapshot versions, text formatting.
- `dirty`: bad rows of every reason code and `<out>/_dirty_manifest.csv` (`dirty=True`).
- `unreadable`: an extra drop with files that cannot be read (`unreadable=True`).
- `writer`: the CSV dialect and the marker.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import polars as pl

from pipelines import contract
from pipelines.generate import calibration as cal
from pipelines.generate import dirty as dirty_mod
from pipelines.generate import drops as dr
from pipelines.generate import events as ev
from pipelines.generate.population import build_population
from pipelines.generate.unreadable import write_unreadable
from pipelines.generate.writer import mark_complete, write_csv

__all__ = ["generate"]


def _streams(seed: int, n: int) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


def build_frames(scale: str, seed: int) -> tuple[dict[tuple[int, str], pl.DataFrame], dict[int, list[str]]]:
    """Every drop file as text frames {(drop index, extract): frame}, and each drop's BINs."""
    if scale not in cal.SCALES:
        raise ValueError(f"unknown scale {scale!r}; one of {', '.join(cal.SCALES)}")
    sc = cal.SCALES[scale]
    r = _streams(seed, 16)
    pop = build_population(r[0], sc)
    ca = ev.collective_agreements(r[1], pop)
    events = {
        "attestations": ev.attestations(r[2], pop),
        "risk_assessments": ev.risk_assessments(r[3], pop),
        "incidents": ev.incidents(r[4], pop),
        "checklists": ev.checklists(r[5], pop),
        "granted_guarantees": ev.granted_guarantees(r[6], pop, ca),
        "payroll": ev.payroll(r[7], pop, sc.payroll_months),
        "complaints": ev.complaints(r[8], pop),
        "inspections": ev.inspections(r[9], pop),
        "stat_regions": ev.stat_regions(r[10]),
    }
    ent_fd = pop.enterprises.select("bin", "_first_drop")
    wp_fd = pop.workplaces.select("workplace_id", "_first_drop")
    for k, (name, df) in enumerate(events.items()):
        rng = np.random.default_rng(np.random.SeedSequence([seed, 1000 + k]))
        if name == "risk_assessments":
            df = dr.assign_drops(rng, name, df, wp_fd, "workplace_id")
        elif name != "stat_regions":  # stat_regions carries its own _drop
            df = dr.assign_drops(rng, name, df, ent_fd, "bin")
        events[name] = df if sc.one_drop else dr.replacements(rng, name, df)
    snapshots = {
        "enterprises": pop.enterprises,
        "workplaces": pop.workplaces,
        "employees": pop.employees,
        "collective_agreements": ca,
    }
    texts: dict[tuple[int, str], pl.DataFrame] = {}
    ent_bins: dict[int, list[str]] = {}
    last = dr.N_DROPS - 1
    for d in [last] if sc.one_drop else range(dr.N_DROPS):
        ent_bins[d] = pop.enterprises.filter(pl.col("_first_drop") <= d)["bin"].to_list()
        for name in contract.EXTRACTS:
            if name in snapshots:
                rows = dr.snapshot_rows(name, snapshots[name], d)
            elif sc.one_drop:  # every drop's events in one file, a key once (its latest row)
                key = list(contract.EXTRACTS[name].key)
                rows = events[name].sort("_drop", maintain_order=True).unique(key, keep="last", maintain_order=True)
            elif d in dr.drops_for(name):
                rows = events[name].filter(pl.col("_drop") == d)
            else:
                continue
            texts[(d, name)] = dr.as_text(name, rows)
    return texts, ent_bins


def generate(
    out_dir: Path, scale: str = "small", seed: int = 42, dirty: bool = False, unreadable: bool = False
) -> dict:
    """Write the landing drops under `out_dir`; returns a summary (drops, rows per file)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    texts, ent_bins = build_frames(scale, seed)
    manifest: list[dict] = []
    if dirty:
        texts, manifest = dirty_mod.inject(np.random.default_rng(np.random.SeedSequence([seed, 7])), texts, ent_bins)
    rows: dict[str, dict[str, int]] = {}
    dates = [(d, date) for d, date in enumerate(cal.DROP_DATES) if any(k[0] == d for k in texts)]
    for d, date in dates:
        drop_dir = out / date.isoformat()
        if drop_dir.exists():
            shutil.rmtree(drop_dir)
        drop_dir.mkdir(parents=True)
        rows[date.isoformat()] = {}
        for name in contract.EXTRACTS:
            if (d, name) in texts:
                write_csv(texts[(d, name)], drop_dir / f"{name}.csv")
                rows[date.isoformat()][name] = len(texts[(d, name)])
        mark_complete(drop_dir)
    manifest_path = out / dirty_mod.MANIFEST
    if dirty:
        with manifest_path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(
                fh, fieldnames=["drop_date", "extract", "file", "line", "column", "reason_code"], lineterminator="\n"
            )
            w.writeheader()
            w.writerows(manifest)
    elif manifest_path.exists():
        manifest_path.unlink()
    summary = {"scale": scale, "seed": seed, "drops": [date.isoformat() for _, date in dates], "rows": rows}
    if dirty:
        summary["dirty_rows"] = len(manifest)
    if unreadable:
        summary["unreadable_drop"] = write_unreadable(out, ent_bins[0][0]).name
    return summary
