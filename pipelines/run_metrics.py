"""Wall time and peak memory per step of a run, for `lrm run --metrics` and `make bench`.

Memory is sampled from /proc every 100 ms as the resident set of this process plus its
children (dbt runs as a child process), and charged to the step running at that moment.
"""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def tree_rss_bytes(pid: int | None = None) -> int:
    pending, total = [pid or os.getpid()], 0
    while pending:
        p = pending.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * _PAGE
        except OSError:
            continue
        pending.extend(_children(p))
    return total


class StepMetrics:
    def __init__(self) -> None:
        self.steps: dict[str, dict] = {}
        self.current: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.peak_total = 0

    def __enter__(self) -> "StepMetrics":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def start(self, step: str) -> None:
        self.current = step
        self.steps[step] = {"started": time.perf_counter(), "seconds": None, "peak_rss_mb": 0.0}

    def finish(self, step: str, rows: int | None = None) -> None:
        s = self.steps.get(step)
        if s:
            s["seconds"] = round(time.perf_counter() - s["started"], 2)
            if rows is not None:
                s["rows"] = rows
        self.current = None

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            rss = tree_rss_bytes()
            self.peak_total = max(self.peak_total, rss)
            step = self.current
            if step and step in self.steps:
                self.steps[step]["peak_rss_mb"] = max(self.steps[step]["peak_rss_mb"], round(rss / 2**20, 1))

    def as_dict(self) -> dict:
        return {
            "steps": {k: {kk: vv for kk, vv in v.items() if kk != "started"} for k, v in self.steps.items()},
            "peak_rss_mb": round(self.peak_total / 2**20, 1),
        }

    def write(self, path: Path, extra: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**extra, **self.as_dict()}, indent=2, ensure_ascii=False))
