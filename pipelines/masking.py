"""Masking IINs by value, wherever a landed value may travel: quarantined records, extra
columns, free text, messages and logs.

A column's name says nothing about its content once a file is broken or crafted: a short
row shifts an IIN into the next column, an unknown column may hold one, a file without a
header turns its first data row into "column names". So every 12-digit run with a valid
control digit (domain rule for IIN and BIN) is masked, unless it is a BIN the warehouse
knows (an enterprise of the registry), which is not personal data.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import polars as pl

from pipelines.identifiers import is_valid_id

MASK = "************"
# A standalone run of exactly 12 ASCII digits (inside a longer number it is not an id).
_RUN = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
# The same for Polars (Rust regex has no look-around): a prefilter, exact in `mask_text`.
_CANDIDATE = r"(^|[^0-9])[0-9]{12}([^0-9]|$)"


def mask_text(text: str, known_bins: Collection[str] = ()) -> str:
    """`text` with every IIN-like run replaced by MASK (known BINs kept)."""
    return _RUN.sub(lambda m: MASK if is_valid_id(m.group(0)) and m.group(0) not in known_bins else m.group(0), text)


def safe_message(message: object) -> str:
    """A message or log line that cannot carry an IIN: every valid 12-digit id masked
    (BINs too: a message does not need them and cannot tell them apart)."""
    return mask_text(str(message))


def mask_series(values: pl.Series, known_bins: Collection[str] = ()) -> pl.Series:
    """The String series with IIN-like runs masked. Only the values holding a candidate run
    (almost none) are passed to Python."""
    candidates = values.str.contains(_CANDIDATE).fill_null(False)
    if not candidates.any():
        return values
    index = candidates.arg_true()
    known = frozenset(known_bins)
    masked = [mask_text(v, known) for v in values.gather(index).to_list()]
    return values.clone().scatter(index, pl.Series(masked, dtype=pl.String))


def mask_frame(frame: pl.DataFrame, columns: list[str], known_bins: Collection[str] = ()) -> pl.DataFrame:
    """The frame with IIN-like runs masked in the given String columns."""
    if not columns or frame.height == 0:
        return frame
    return frame.with_columns(mask_series(frame[c], known_bins).alias(c) for c in columns)


# A 12-digit run standing alone: inside a hex worker_key or a longer code it is chance.
_STANDALONE_12 = re.compile(r"(?<![0-9A-Za-z])[0-9]{12}(?![0-9A-Za-z])")


def looks_like_iin(value: str) -> bool:
    """12 digits that read as an IIN: a birth date YYMMDD, a century-and-sex digit 1-6 and
    a valid control digit. A BIN's 5th digit is 4-6, never the tens of a day: not matched."""
    return (
        len(value) == 12
        and value.isdigit()
        and "01" <= value[2:4] <= "12"
        and "01" <= value[4:6] <= "31"
        and value[6] in "123456"
        and is_valid_id(value)
    )


def contains_iin(text: str) -> bool:
    """True when the text holds a standalone 12-digit run that looks like an IIN."""
    return any(looks_like_iin(m.group(0)) for m in _STANDALONE_12.finditer(text))


def mask_iins(text: str) -> str:
    """Every value shaped like an IIN (a birth date, a century digit, a control digit)
    replaced by MASK: for text that may quote BINs on purpose, such as the unexpected
    values a check reports, where safe_message would hide the BINs too."""
    return _STANDALONE_12.sub(lambda m: MASK if looks_like_iin(m.group(0)) else m.group(0), text)
