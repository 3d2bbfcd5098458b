"""Giving memory back between steps: `lrm run` is one long process, and the next step
(dbt, a child process with its own DuckDB) needs what the last one freed."""

from __future__ import annotations

import ctypes
import gc
import os

# DuckDB's own cap, for the pipeline's connections and dbt's (dbt_project/profiles.yml):
# it spills to disk past this, so the run stays within the machine's budget.
DUCKDB_MEMORY_LIMIT = os.environ.get("LRM_DUCKDB_MEMORY_LIMIT", "4GB")


def freeze_long_lived() -> None:
    """Moves what is alive now (Dagster's definitions, dbt's manifest, the imported
    libraries) out of the collector's sight. They live as long as the process; without this
    each step's collection would walk them all again."""
    gc.collect()
    gc.freeze()


def release_memory() -> None:
    """Collects garbage and hands freed heap back to the system (glibc's malloc_trim) for the
    next step."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass
