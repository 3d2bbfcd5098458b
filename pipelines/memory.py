"""Giving memory back between steps: `lrm run` is one long process, and the next step
(dbt, a child process with its own DuckDB) needs what the last one freed."""

from __future__ import annotations

import ctypes
import gc
import os

# DuckDB's own cap, for the pipeline's connections and dbt's: it spills to disk past this,
# so a run stays within its memory budget with the Python around it (README "Benchmark":
# at national scale the dbt build takes no longer under it than under 4GB). Put in the
# environment, so the dbt child process reads the same value (dbt_project/profiles.yml).
DEFAULT_DUCKDB_MEMORY_LIMIT = "2500MB"
DUCKDB_MEMORY_LIMIT = os.environ.setdefault("LRM_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT)


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
