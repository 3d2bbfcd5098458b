"""Reading one landed CSV file into strings, with the physical line of every record.

A file either reads (every record becomes a row of strings, possibly a bad one that
validation will quarantine) or fails with `UnreadableFileError` naming the file.

The header's names are data from the file: they never become identifiers. Columns are read
by position (`c0`, `c1` …) and the contract's columns are picked out by name; any other
column is an extra, carried as one JSON text (`_extras`) under its landed name. Messages
show column names only when they look like names, and positions otherwise, so a file
without a header cannot put its first data row (an IIN, say) into an error.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.contract import Extract
from pipelines.masking import safe_message

MAX_FIELD_CHARS = 4096  # longer fields are not data any upstream system sends
LINE_COL = "_line"
SHAPE_COL = "_shape_error"  # set where a record has the wrong number of fields
EXTRAS_COL = "_extras"  # the unknown columns of a row as a JSON object, or null
_SHOWN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
# A line whose every quote encloses a whole field: fields quoted ("", quotes doubled) or free of quotes.
_FIELD = r'(?:"(?:[^"]|"")*"|[^,"]*)'
_WELL_QUOTED_LINE = rf"^{_FIELD}(?:,{_FIELD})*$"

# Python's csv module refuses a field over 128 KiB with an error naming no file; a long
# field is a bad row (MAX_FIELD_CHARS), not an unreadable file.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class UnreadableFileError(Exception):
    """The file is not loaded and the run fails; the message names the file and holds no
    data value."""

    def __init__(self, message: str):
        super().__init__(safe_message(message))


@dataclass
class ReadFile:
    """A landed CSV as read: the contract's columns as text, with the header as landed and the
    optional and unknown columns."""

    frame: pl.DataFrame  # contract columns (String), _extras, _line (Int64), _shape_error
    header: list[str]  # the names as landed
    missing_optional: list[str]
    extra_columns: list[str] = field(default_factory=list)  # landed names of unknown columns

    @property
    def shown_extras(self) -> list[str]:
        """The unknown columns as a report may show them."""
        return [shown_name(self.header, self.header.index(name)) for name in self.extra_columns]


def shown_name(header: list[str], position: int) -> str:
    """A header name as messages show it: the name if it looks like one, else its position."""
    name = header[position]
    return name if _SHOWN_NAME.match(name) else f"<column {position + 1}>"


def resolve_inside(path: Path, root: Path, display_name: str) -> Path:
    """The file's real path, refused when a link leads out of the landing directory."""
    real = path.resolve()
    if not real.is_relative_to(root.resolve()):
        raise UnreadableFileError(f"{display_name}: a link to a file outside the landing directory; refused")
    if not real.is_file():
        raise UnreadableFileError(f"{display_name}: not a regular file; refused")
    return real


def read_landed_csv(path: Path, extract: Extract, display_name: str) -> ReadFile:
    """Reads a landed CSV into the contract's columns by header name; an empty, non-UTF-8,
    binary or badly headed file raises UnreadableFileError."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise UnreadableFileError(f"{display_name}: the file is empty (no header row)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = " (it looks like Windows-1251)" if _looks_cp1251(data) else ""
        raise UnreadableFileError(f"{display_name}: not UTF-8 text{hint}; byte {exc.start} cannot be decoded") from None
    if "\x00" in text:
        raise UnreadableFileError(f"{display_name}: binary content (NUL bytes), not CSV")

    header = _read_header(text, display_name)
    _check_header(header, extract, display_name)

    positional = [f"c{i}" for i in range(len(header))]
    frame = _read_fast(data, text, positional)
    if frame is None:
        frame = _read_careful(text, positional)
    frame = _normalise(frame, positional)
    at = {name: f"c{i}" for i, name in enumerate(header)}
    extras = [name for name in header if name not in extract.column_names]
    missing = [c for c in extract.column_names if c not in at]
    frame = frame.select(
        *[(pl.col(at[c]) if c in at else pl.lit(None, dtype=pl.String)).alias(c) for c in extract.column_names],
        _json_object({name: at[name] for name in extras}).alias(EXTRAS_COL),
        LINE_COL,
        SHAPE_COL,
    )
    return ReadFile(frame=frame, header=header, missing_optional=missing, extra_columns=extras)


def json_record(columns: dict[str, str]) -> pl.Expr:
    """A JSON object {landed name: value} of the given frame columns, names as keys exactly
    as landed (any text). Built by Polars; keys are swapped in after encoding, where a
    placeholder key cannot be confused with a value (values' quotes are escaped)."""
    placeholders = {name: f"__k{i}__" for i, name in enumerate(columns)}
    encoded = pl.struct(pl.col(col).alias(placeholders[name]) for name, col in columns.items()).struct.json_encode()
    for name, key in placeholders.items():
        encoded = encoded.str.replace(f'"{key}":', _json_key(name) + ":", literal=True, n=1)
    return encoded


def _json_object(columns: dict[str, str]) -> pl.Expr:
    if not columns:
        return pl.lit(None, dtype=pl.String)
    present = pl.any_horizontal(pl.col(c).is_not_null() for c in columns.values())
    return pl.when(present).then(json_record(columns)).otherwise(None)


def _json_key(name: str) -> str:
    import json

    return json.dumps(name, ensure_ascii=False)


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
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in seen:
            raise UnreadableFileError(
                f"{display_name}: the header repeats a column name: {shown_name(header, i)} "
                f"(columns {seen[name] + 1} and {i + 1})"
            )
        seen[name] = i
    return header


def _check_header(header: list[str], extract: Extract, display_name: str) -> None:
    missing = [c for c in extract.required_columns if c not in header]
    if not missing:
        return
    if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
        raise UnreadableFileError(
            f"{display_name}: wrong delimiter — the header is one field; the contract says comma-separated"
        )
    shown = [shown_name(header, i) for i in range(min(len(header), 20))]
    raise UnreadableFileError(
        f"{display_name}: wrong header — required column(s) {', '.join(missing)} missing "
        f"(found: {', '.join(shown)}{' …' if len(header) > 20 else ''})"
    )


def _read_fast(data: bytes, text: str, positional: list[str]) -> pl.DataFrame | None:
    # A quoted line break or a blank line makes record numbers differ from physical
    # lines, and a bare CR is a line break only to some readers: the careful reader then
    # counts lines itself.
    records = text.count("\n") + (0 if text.endswith("\n") else 1) - 1
    if "\r" in text.replace("\r\n", ""):
        return None
    try:
        frame = pl.read_csv(
            io.BytesIO(data), has_header=True, new_columns=positional, infer_schema=False, raise_if_empty=False
        )
    except pl.exceptions.PolarsError:
        return None  # a record with too many fields: the careful reader reports it
    if records != frame.height:
        return None
    # Polars fills a record that is too short with nulls: count each line's fields.
    fields = _field_counts(data)
    if fields is None or fields.len() != frame.height:
        return None
    shape = pl.when(fields != len(positional)).then(
        fields.cast(pl.String) + pl.lit(f" fields, the header has {len(positional)}")
    )
    return frame.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(LINE_COL),
        pl.select(shape.alias(SHAPE_COL)).to_series(),
    )


def _field_counts(data: bytes) -> pl.Series | None:
    """The number of fields of every line after the header (no quoted line breaks here):
    one more than its commas outside quotes. None when a line holds a quote anywhere but
    around a whole field (`ab"c`, `"ab"c`, ` "ab"`): the CSV grammar reads such a quote as
    a character, which only the careful reader does (and only then are the commas outside
    quotes the fields' separators)."""
    try:
        lines = pl.read_csv(
            io.BytesIO(data),
            has_header=False,
            separator="\x00",
            quote_char=None,
            new_columns=["line"],
            infer_schema=False,
            raise_if_empty=False,
        )["line"]
    except pl.exceptions.PolarsError:
        return pl.Series([], dtype=pl.UInt32)
    lines = lines.slice(1)
    counts = lines.str.count_matches(",", literal=True).fill_null(0) + 1
    # Only the lines with quotes (few) are copied, to take their quoted fields out.
    quoted = lines.str.contains('"', literal=True).fill_null(False).arg_true()
    if quoted.len():
        these = lines.gather(quoted).str.strip_suffix("\r")
        if not these.str.contains(_WELL_QUOTED_LINE).all():
            return None
        counts.scatter(quoted, these.str.replace_all(r'"(?:[^"]|"")*"', "").str.count_matches(",", literal=True) + 1)
    return counts


def _read_careful(text: str, positional: list[str]) -> pl.DataFrame:
    """Python's csv module: exact physical lines, and ragged records kept as bad rows."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    width = len(positional)
    columns: list[list[str | None]] = [[] for _ in positional]
    lines: list[int] = []
    shape: list[str | None] = []
    start = reader.line_num + 1
    for record in reader:
        line = start
        start = reader.line_num + 1
        if not record or all(not f.strip() for f in record):
            continue
        lines.append(line)
        if len(record) != width:
            shape.append(f"{len(record)} fields, the header has {width}")
            record = (record + [None] * width)[:width]
        else:
            shape.append(None)
        for column, value in zip(columns, record):
            column.append(value)
    frame = pl.DataFrame(dict(zip(positional, columns)), schema={c: pl.String for c in positional})
    return frame.with_columns(pl.Series(LINE_COL, lines, dtype=pl.Int64), pl.Series(SHAPE_COL, shape, dtype=pl.String))


def _normalise(frame: pl.DataFrame, positional: list[str]) -> pl.DataFrame:
    # Empty or blank fields are nulls (the landing contract, pipelines/contract.py); values are otherwise kept as landed.
    frame = frame.with_columns(
        pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c) for c in positional
    )
    # A blank line is no record: it carries nothing to load or to lose.
    return frame.filter(~pl.all_horizontal(pl.col(c).is_null() for c in positional))
