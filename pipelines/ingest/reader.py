"""Reading one landed CSV file into strings, with the physical line of every record.

A file either reads (every record becomes a row of strings, possibly a bad one that
validation will quarantine) or fails with `UnreadableFileError` naming the file.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.contract import Extract

MAX_FIELD_CHARS = 4096  # longer fields are not data any upstream system sends
LINE_COL = "_line"
SHAPE_COL = "_shape_error"  # set where a record has the wrong number of fields


class UnreadableFileError(Exception):
    """The file cannot be read at all; the message names it."""


@dataclass
class ReadFile:
    frame: pl.DataFrame  # all columns String, plus _line (Int64) and _shape_error
    header: list[str]
    missing_optional: list[str]


def read_landed_csv(path: Path, extract: Extract, display_name: str) -> ReadFile:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise UnreadableFileError(f"{display_name}: the file is empty (no header row)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = " (it looks like Windows-1251)" if _looks_cp1251(data) else ""
        raise UnreadableFileError(
            f"{display_name}: not UTF-8 text{hint}; byte {exc.start} cannot be decoded"
        ) from None
    if "\x00" in text:
        raise UnreadableFileError(f"{display_name}: binary content (NUL bytes), not CSV")

    header = _read_header(text, display_name)
    _check_header(header, extract, display_name)

    frame = _read_fast(data, text)
    if frame is None:
        frame = _read_careful(text, header)
    frame = _normalise(frame, header)
    missing = [c for c in extract.column_names if c not in header]
    for name in missing:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    return ReadFile(frame=frame, header=header, missing_optional=missing)


def _looks_cp1251(data: bytes) -> bool:
    sample = data[:4096]
    high = sum(1 for b in sample if 0xC0 <= b <= 0xFF)
    return high > 0 and high >= sum(1 for b in sample if b >= 0x80) * 0.6


def _read_header(text: str, display_name: str) -> list[str]:
    first = text.split("\n", 1)[0].rstrip("\r")
    try:
        header = next(csv.reader([first]))
    except (csv.Error, StopIteration):
        raise UnreadableFileError(f"{display_name}: the header row is not CSV") from None
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        raise UnreadableFileError(f"{display_name}: the header repeats a column name: {header}")
    return header


def _check_header(header: list[str], extract: Extract, display_name: str) -> None:
    missing = [c for c in extract.required_columns if c not in header]
    if not missing:
        return
    if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
        raise UnreadableFileError(
            f"{display_name}: wrong delimiter — the header is one field {header[0][:80]!r}; "
            "the contract says comma-separated"
        )
    raise UnreadableFileError(
        f"{display_name}: wrong header — required column(s) {', '.join(missing)} missing "
        f"(found: {', '.join(header[:20])})"
    )


def _read_fast(data: bytes, text: str) -> pl.DataFrame | None:
    try:
        frame = pl.read_csv(
            io.BytesIO(data),
            infer_schema=False,
            has_header=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None  # ragged rows: the careful reader reports them one by one
    # A quoted line break or a blank line makes record numbers differ from physical
    # lines; then the careful reader counts lines itself.
    records = text.count("\n") + (0 if text.endswith("\n") else 1) - 1
    if records != frame.height or "\r" in text.replace("\r\n", ""):
        return None
    return frame.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(LINE_COL),
        pl.lit(None, dtype=pl.String).alias(SHAPE_COL),
    )


def _read_careful(text: str, header: list[str]) -> pl.DataFrame:
    """Python's csv module: exact physical lines, and ragged records kept as bad rows."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    columns: dict[str, list[str | None]] = {h: [] for h in header}
    lines: list[int] = []
    shape: list[str | None] = []
    start = reader.line_num + 1
    for record in reader:
        line = start
        start = reader.line_num + 1
        if not record or all(not f.strip() for f in record):
            continue
        lines.append(line)
        if len(record) != len(header):
            shape.append(f"{len(record)} fields, the header has {len(header)}")
            record = (record + [None] * len(header))[: len(header)]
        else:
            shape.append(None)
        for h, value in zip(header, record):
            columns[h].append(value)
    frame = pl.DataFrame(columns, schema={h: pl.String for h in header})
    return frame.with_columns(
        pl.Series(LINE_COL, lines, dtype=pl.Int64), pl.Series(SHAPE_COL, shape, dtype=pl.String)
    )


def _normalise(frame: pl.DataFrame, header: list[str]) -> pl.DataFrame:
    frame = frame.rename({c: c.strip() for c in frame.columns if c != c.strip()})
    # Empty or blank fields are nulls (landing.md); values are otherwise kept as landed.
    frame = frame.with_columns(
        pl.when(pl.col(h).str.strip_chars() == "").then(None).otherwise(pl.col(h)).alias(h)
        for h in header
    )
    # A blank line is no record: it carries nothing to load or to lose.
    return frame.filter(~pl.all_horizontal(pl.col(h).is_null() for h in header))
