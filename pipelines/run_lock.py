"""One writer per warehouse file (DuckDB's rule), across processes and runs.

`lrm run` holds the lock for the whole run and refuses to start while another run holds
it; every step that writes the warehouse takes it too, so runs launched by a schedule or
a sensor under `dagster dev` queue behind each other instead of corrupting the file.
Re-entrant within one process: a step inside `lrm run` does not wait for its own run.
"""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_held: dict[Path, list] = {}  # path -> [fd, depth]
WRITER_WAIT_SECONDS = 3600  # a step queues behind another run's writer rather than fail


class WarehouseBusyError(RuntimeError):
    pass


class WarehouseUnwritableError(RuntimeError):
    """The warehouse's folder does not let this process write (read-only, no permission)."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


@contextmanager
def warehouse_lock(warehouse: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    path = lock_path(warehouse.resolve())
    if path in _held:
        _held[path][1] += 1
        try:
            yield
        finally:
            _held[path][1] -= 1
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WarehouseUnwritableError(f"the warehouse {warehouse} cannot be written: {exc.strerror} ({path.parent})") from None
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
                os.close(fd)
                raise WarehouseBusyError(
                    f"the warehouse {warehouse} is being written by another run ({holder}); "
                    "DuckDB allows one writer per file"
                ) from None
            time.sleep(0.5)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
    _held[path] = [fd, 1]
    try:
        yield
    finally:
        del _held[path]
        fcntl.flock(fd, fcntl.LOCK_UN)  # the lock, not the file, is the signal: leave it
        os.close(fd)
