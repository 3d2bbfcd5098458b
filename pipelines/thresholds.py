"""When a landed file is held back: the rules-as-data of seeds/policy/extract_thresholds.csv.

Ingestion runs before dbt has loaded any seed, so it reads the seed file itself; dbt loads
the same file into `reference.extract_thresholds` for readers of the published copy.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "seeds" / "policy" / "extract_thresholds.csv"
DEFAULT = "*"


@dataclass(frozen=True)
class ExtractThresholds:
    """The rejection and shrink thresholds of one extract, from the date they apply."""

    extract: str
    rejected_warn_share: float
    rejected_block_share: float
    block_min_rows: int
    snapshot_shrink_block_share: float
    valid_from: dt.date

    def shrink_blocks(self, previous_rows: int, new_rows: int) -> bool:
        """A snapshot drop of new_rows good rows replacing previous_rows is held back."""
        return previous_rows > 0 and new_rows < previous_rows * (1 - self.snapshot_shrink_block_share)

    def rejection_outcome(self, landed: int, rejected: int) -> str:
        """passed, warned or failed (held back) for a file of `landed` rows."""
        if landed == 0:
            return "passed"
        share = rejected / landed
        if share > self.rejected_block_share and landed >= self.block_min_rows:
            return "failed"
        return "warned" if share > self.rejected_warn_share else "passed"


@functools.lru_cache(maxsize=4)
def _rows(path: Path = SEED) -> tuple[dict[str, str], ...]:
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def thresholds_for(extract: str, on: dt.date, path: Path = SEED) -> ExtractThresholds:
    """The extract's own row in force on `on`, else the default row in force then."""

    def in_force(row: dict[str, str]) -> bool:
        start = dt.date.fromisoformat(row["valid_from"])
        end = dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
        return start <= on and (end is None or on < end)

    for wanted in (extract, DEFAULT):
        rows = [r for r in _rows(path) if r["extract"] == wanted and in_force(r)]
        if len(rows) > 1:
            raise ValueError(f"{path.name}: {len(rows)} rows for {wanted!r} in force on {on}")
        if rows:
            r = rows[0]
            return ExtractThresholds(
                extract=extract,
                rejected_warn_share=float(r["rejected_warn_share"]),
                rejected_block_share=float(r["rejected_block_share"]),
                block_min_rows=int(r["block_min_rows"]),
                snapshot_shrink_block_share=float(r["snapshot_shrink_block_share"]),
                valid_from=dt.date.fromisoformat(r["valid_from"]),
            )
    raise ValueError(f"{path.name}: no row for {extract!r} or {DEFAULT!r} in force on {on}")
