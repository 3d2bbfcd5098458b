"""Dagster's side of the run journal (pipelines/run_journal.py): every step that writes the
warehouse opens its run's journal first, and a run's end settles it.

- `writing_step`: the warehouse lock, any other run's journal settled, this run's opened.
- `execute_job_run`: how `lrm run` (and the tests) execute the job in process: the run's
  journal is settled as soon as the run returns, by its outcome.
- The run-status sensors (defs/ops/run_outcome.py) settle runs launched by Dagster's
  daemon (the schedule, the sensor, the UI); a run nobody settled is settled by the next
  writer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from dagster import DagsterInstance
from dagster._core.utils import make_new_run_id

from pipelines import run_journal
from pipelines.defs.resources import LrmSettings
from pipelines.pseudonym import key_file_for
from pipelines.run_lock import WRITER_WAIT_SECONDS, warehouse_lock


def run_files(settings: LrmSettings) -> run_journal.RunFiles:
    """The files a run's journal guards: the warehouse, the delivery file and the key file (none
    when the key comes from LRM_PSEUDONYM_KEY)."""
    key_file = None if os.environ.get("LRM_PSEUDONYM_KEY") else key_file_for(settings.warehouse)
    return run_journal.RunFiles(settings.warehouse, settings.delivery, key_file)


def status_of(instance: DagsterInstance):
    """A lookup of a run's Dagster status name by run id, for settling a journal another run
    left behind."""

    def status(run_id: str) -> str | None:
        run = instance.get_run_by_id(run_id)
        return run.status.value if run else None

    return status


@contextmanager
def writing_step(context, settings: LrmSettings, wait_seconds: float = WRITER_WAIT_SECONDS) -> Iterator[None]:
    """Hold the warehouse lock, with this run's journal open before anything is written."""
    run_id = context.run.run_id
    with warehouse_lock(settings.warehouse, wait_seconds):
        note = run_journal.settle_stale(settings.warehouse, run_id, status_of(context.instance))
        if note:
            context.log.info(f"journal: {note}")
        run_journal.begin(run_files(settings), run_id)
        yield


def settle(settings: LrmSettings, run_id: str, success: bool) -> bool:
    """Keep a successful run's work, or put the warehouse back as it was before a failed
    run. False when the run left no journal (it wrote nothing)."""
    with warehouse_lock(settings.warehouse, WRITER_WAIT_SECONDS):
        if success:
            return run_journal.commit(settings.warehouse, run_id)
        return run_journal.rollback(settings.warehouse, run_id)


def execute_job_run(
    job,
    settings: LrmSettings,
    instance: DagsterInstance,
    tags: dict[str, str],
    run_config: dict | None = None,
    run_id: str | None = None,
):
    """Runs the job in this process and settles its journal by its outcome."""
    run_id = run_id or make_new_run_id()
    try:
        result = job.execute_in_process(
            instance=instance, run_id=run_id, tags=tags, run_config=run_config, raise_on_error=False
        )
    except BaseException:
        settle(settings, run_id, success=False)
        raise
    settle(settings, run_id, result.success)
    return result
