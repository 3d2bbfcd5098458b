"""Wall time and peak memory per step of a run, for `lrm run --metrics` and `make bench`.

Memory is sampled (psutil) every 100 ms as the resident set of this process plus its
children (dbt runs as a child process), and charged to the step running at that moment.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import psutil


def tree_rss_bytes(pid: int | None = None) -> int:
    """Resident set of a process and all its descendants (dbt runs as a child)."""
    try:
        root = psutil.Process(pid or os.getpid())
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


class StepMetrics:
    """Wall time and peak memory per step; memory is sampled in the background while the context
    is open."""

    def __init__(self) -> None:
        self.steps: dict[str, dict] = {}
        self.current: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.peak_total = 0

    def __enter__(self) -> StepMetrics:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def start(self, step: str) -> None:
        """Starts timing `step`; memory samples count towards it until it finishes."""
        self.current = step
        self.steps[step] = {"started": time.perf_counter(), "seconds": None, "peak_rss_mb": 0.0}

    def finish(self, step: str, rows: int | None = None) -> None:
        """Stops timing `step`, with its row count when given."""
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
        """Each step's seconds, peak memory and rows, and the peak of the whole run, in MB."""
        return {
            "steps": {k: {kk: vv for kk, vv in v.items() if kk != "started"} for k, v in self.steps.items()},
            "peak_rss_mb": round(self.peak_total / 2**20, 1),
        }

    def write(self, path: Path, extra: dict) -> None:
        """Writes the metrics, with the `extra` fields, as JSON."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**extra, **self.as_dict()}, indent=2, ensure_ascii=False))
