"""A landing drop that cannot be read at all (`unreadable=True`).

Writes `<out>/2026-11-24/` (the night after the last good drop) with `_SUCCESS` and:
- `incidents.csv`: valid-looking UTF-8 CSV whose header is wrong (columns renamed:
  `incident_no,company_bin,...`, required contract columns missing);
- `complaints.csv`: not UTF-8 — the same kind of rows encoded in Windows-1251, with a
  few binary bytes (including NUL) appended.
Ingestion must fail these files with a message naming them and leave the warehouse as
it was; nothing in them is listed in the dirty manifest.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipelines.generate import calibration as cal
from pipelines.generate.writer import mark_complete

UNREADABLE_DATE = cal.DROP_DATES[-1] + dt.timedelta(days=1)


def write_unreadable(out: Path, some_bin: str) -> Path:
    """Writes the unreadable drop (a wrong header, non-UTF-8 bytes) and marks it complete;
    returns its folder."""
    drop = out / UNREADABLE_DATE.isoformat()
    drop.mkdir(parents=True, exist_ok=True)
    (drop / "incidents.csv").write_text(
        f"incident_no,company_bin,date,type,lost_days\nINC-Z-000001,{some_bin},2026-11-23,injury,3\n", encoding="utf-8"
    )
    text = f"complaint_id,bin,received_on,topic,collective\nCMP-Z-0001,{some_bin},2026-11-23,Задержка зарплаты,false\n"
    (drop / "complaints.csv").write_bytes(text.encode("cp1251") + b"\x00\xff\xfe\x81\x98")
    mark_complete(drop)
    return drop
