"""Writing one landing file (UTF-8, comma, RFC 4180 quoting, empty = null, `\n` lines)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines import contract


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """Writes a frame as landing CSV: header, commas, quotes only where needed, empty for null,
    LF line ends."""
    frame.write_csv(
        path,
        include_header=True,
        separator=",",
        quote_char='"',
        quote_style="necessary",
        null_value="",
        line_terminator="\n",
    )


def mark_complete(drop_dir: Path) -> None:
    """Writes the drop's _SUCCESS marker: the drop is complete and may be loaded."""
    (drop_dir / contract.SUCCESS_MARKER).write_bytes(b"")
