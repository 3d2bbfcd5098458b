"""Vectorised IIN and BIN construction with valid control digits (docs/law_and_models.md §9).

The scalar rule lives in `pipelines.identifiers`; this module applies the same weights
to numpy arrays, so that a national scale's millions of identifiers need no Python loop.
"""

from __future__ import annotations

import numpy as np
import polars as pl

_W1 = np.arange(1, 12, dtype=np.int64)
_W2 = np.array([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], dtype=np.int64)
_POW = 10 ** np.arange(10, -1, -1, dtype=np.int64)


def control_digits(prefix: np.ndarray) -> np.ndarray:
    """Control digit of each 11-digit prefix (int64); -1 where none is valid."""
    d = np.zeros(len(prefix), dtype=np.int64)
    d2 = np.zeros(len(prefix), dtype=np.int64)
    rest = prefix.astype(np.int64)
    for i in range(10, -1, -1):  # digit i+1 from the right end of the prefix
        digit = rest % 10
        rest = rest // 10
        d += digit * int(_W1[i])
        d2 += digit * int(_W2[i])
    d %= 11
    d2 %= 11
    out = np.where(d == 10, d2, d)
    return np.where(out == 10, -1, out)


def to_text(ids: np.ndarray) -> pl.Series:
    """Identifiers as 12-digit text with leading zeros."""
    return pl.Series(ids.astype(np.int64)).cast(pl.String).str.zfill(12)


def complete(variants: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """First variant prefix (per row) with a valid control digit: (12-digit ints, ok mask)."""
    n = len(variants[0])
    out = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    for prefix in variants:
        c = control_digits(prefix)
        take = ~ok & (c >= 0)
        out[take] = prefix[take] * 10 + c[take]
        ok |= take
    return out, ok


def make_bins(reg_dates: np.ndarray, serials: np.ndarray) -> np.ndarray:
    """BINs YYMM + '4' (resident legal entity) + variant digit + 5-digit serial + control.

    `serials` must be unique (< 100000); the variant digit (0 head office, 1-2 otherwise)
    is the first that gives a valid control digit.
    """
    ym = reg_dates.astype("datetime64[M]").astype(np.int64)
    yy, mm = (ym // 12 + 1970) % 100, ym % 12 + 1
    base = (yy * 100 + mm) * 10_000_000 + 4 * 1_000_000 + serials
    out, ok = complete([base + v * 100_000 for v in (0, 1, 2, 3)])
    assert ok.all(), "BIN serial without a valid control digit"
    return out


def rank_within(groups: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Each row's 0-based rank within its group, in `order` (an argsort that sorts by group)."""
    n = len(groups)
    starts = np.r_[0, np.flatnonzero(np.diff(groups[order])) + 1]
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
    return rank


def monthly_serials(reg_dates: np.ndarray) -> np.ndarray:
    """Each entity's rank among those registered in the same month: BIN serials as the
    registry counts them, for a population too large for one serial each."""
    months = reg_dates.astype("datetime64[M]").astype(np.int64)
    return rank_within(months, np.argsort(months, kind="stable"))


def make_iins(rng: np.random.Generator, birth: np.ndarray, male: np.ndarray, serial_offset: int = 0) -> np.ndarray:
    """Unique IINs: YYMMDD + century/sex digit + 4-digit serial + control digit.

    Serials are 3*rank within (birth date, sex) + a variant 0..2, so they never collide;
    `serial_offset` keeps separate series (e.g. injected bad rows) apart.
    """
    n = len(birth)
    days = birth.astype("datetime64[D]").astype(np.int64)
    y = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    m = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = days - birth.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + 1
    century = np.where(y >= 2000, 5, np.where(y >= 1900, 3, 1)) + (~male).astype(np.int64)
    group = days * 2 + male.astype(np.int64)
    rank = rank_within(group, np.argsort(group * (1 << 20) + rng.integers(0, 1 << 20, n), kind="stable"))
    assert (rank * 3 + 2 + serial_offset < 10_000).all(), "too many people born on one day"
    head = ((y % 100) * 10_000 + m * 100 + d) * 10 + century
    base = head * 10_000 + serial_offset + rank * 3
    out, ok = complete([base, base + 1, base + 2])
    if not ok.all():  # ~1 in a million: give those a serial from the reserved top range
        bad = np.flatnonzero(~ok)
        for i in bad:
            for s in range(9_990, 10_000):
                o, k = complete([np.array([head[i] * 10_000 + s])])
                if k[0]:
                    out[i] = o[0]
                    break
    return out
