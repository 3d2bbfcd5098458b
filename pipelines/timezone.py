"""The time zone operations are run and read in: the nightly schedules fire, and the
auditor's report shows its timestamps, in it. LRM_TIME_ZONE (an IANA name) overrides
Asia/Almaty, the ministry's."""

from __future__ import annotations

import os
from zoneinfo import ZoneInfo

OPERATIONS_TIME_ZONE = ZoneInfo(os.environ.get("LRM_TIME_ZONE") or "Asia/Almaty")
