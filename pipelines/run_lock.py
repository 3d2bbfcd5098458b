"""One writer per warehouse file (DuckDB's rule), across processes and runs.

`lrm run` holds the lock for the whole run and refuses to start while another run holds
it; every step that writes the warehouse takes it too, so runs launched by a schedule or
a sensor under `dagster dev` queue behind each other instead of corrupting the file.
Re-entrant within one process: a step inside `lrm run` does not wait for its own run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

WRITER_WAIT_SECONDS = 3600  # a step queues behind another run's writer rather than fail
# One lock object per file in this process: it counts nested takes, so the steps of a run
# held by `lrm run` take it again at once.
_locks: dict[Path, FileLock] = {}


class WarehouseBusyError(RuntimeError):
    """Another run holds the warehouse's write lock."""


class WarehouseUnwritableError(RuntimeError):
    """The warehouse's folder does not let this process write (read-only, no permission)."""


def lock_path(warehouse: Path) -> Path:
    """The lock file beside the warehouse."""
    return warehouse.with_name(warehouse.name + ".lock")


def _holder_path(lock: Path) -> Path:
    """Who holds the lock, for the message of the run that is refused (the lock file itself
    is the lock's, not ours to write)."""
    return lock.with_name(lock.name + ".holder")


@contextmanager
def warehouse_lock(warehouse: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Holds the warehouse's write lock for the block, waiting up to `wait_seconds`; re-entrant
    within the process, the holder noted for a refused run's message."""
    path = lock_path(warehouse.resolve())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = _locks.setdefault(path, FileLock(path, thread_local=False))
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        holder = _holder_path(path).read_text(errors="replace").strip() if _holder_path(path).exists() else "unknown"
        raise WarehouseBusyError(
            f"the warehouse {warehouse} is being written by another run ({holder}); DuckDB allows one writer per file"
        ) from None
    except OSError as exc:
        raise WarehouseUnwritableError(
            f"the warehouse {warehouse} cannot be written: {exc.strerror} ({path.parent})"
        ) from None
    try:
        if lock.lock_counter == 1:
            _holder_path(path).write_text(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}")
        yield
    finally:
        lock.release()
