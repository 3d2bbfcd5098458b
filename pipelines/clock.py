"""Today's date, as the pipeline sees it: the system date, or LRM_TODAY (YYYY-MM-DD) so
tests can fix the clock."""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    """The system date, or LRM_TODAY when set, so tests can fix the clock."""
    fixed = os.environ.get("LRM_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()
