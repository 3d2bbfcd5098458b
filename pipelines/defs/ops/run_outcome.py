"""The end of every run: its journal settled (a failed run's warehouse put back as it was,
pipelines/run_journal.py), then its outcome recorded in dq.run_history and its report
rendered (pipelines.quality.service.finish_run). `lrm run` does both itself when its run
ends; a run started from the Dagster UI, a schedule or a sensor ends with one of these
run status sensors (they run under `dagster dev`'s daemon, on by default), which skip the
runs `lrm run` tags as its own. A run whose sensor never fired (the daemon was down) is
settled by the next run's first writing step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from dagster import (
    DagsterEvent,
    DagsterEventType,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunStatusSensorContext,
    SkipReason,
    run_status_sensor,
)

from pipelines.defs.resources import LrmSettings

TRIGGER_TAG = "lrm/trigger"
CLI_TRIGGER = "cli"  # the value of TRIGGER_TAG on the runs of `lrm run`
OUTCOME_SENSORS = {
    DagsterRunStatus.SUCCESS: "dq_report_on_success",
    DagsterRunStatus.FAILURE: "dq_report_on_failure",
    DagsterRunStatus.CANCELED: "dq_report_on_canceled",
}


def step_failures(events: Iterable[DagsterEvent]) -> list[str]:
    """`step: message` of every failed step, the error's cause where it has one."""
    out = []
    for event in events:
        if event.event_type_value == DagsterEventType.STEP_FAILURE.value:
            error = event.event_specific_data.error
            cause = (error.cause or error) if error is not None else None
            out.append(f"{event.step_key}: {cause.message.strip() if cause else 'failed'}")
    return out


def _as_of(settings: LrmSettings):
    try:
        return settings.resolve_as_of()
    except (ValueError, FileNotFoundError):
        return None


def _sensor(status: DagsterRunStatus, job_name: str):
    @run_status_sensor(
        run_status=status,
        name=OUTCOME_SENSORS[status],
        default_status=DefaultSensorStatus.RUNNING,
        description=f"When a run of {job_name} ends ({status.value.lower()}): keeps its changes to the "
        "warehouse if it succeeded, else puts the warehouse back as it was; records its "
        "outcome in dq.run_history and renders its data-quality report.",
    )
    def _finish(context: RunStatusSensorContext, settings: LrmSettings):
        from pipelines.defs.ops.journal import settle
        from pipelines.quality.service import finish_run

        run = context.dagster_run
        if run.job_name != job_name or run.tags.get(TRIGGER_TAG) == CLI_TRIGGER:
            return SkipReason(f"run {run.run_id}: not a {job_name} run, or `lrm run` records it itself")
        logs = context.instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_FAILURE)
        failures = step_failures(e.dagster_event for e in logs if e.dagster_event is not None)
        if status != DagsterRunStatus.SUCCESS and not failures and context.dagster_event.message:
            failures = [context.dagster_event.message]
        settle(settings, run.run_id, status == DagsterRunStatus.SUCCESS)
        record = context.instance.get_run_record_by_id(run.run_id)
        started = record.start_time if record is not None else None
        pages = finish_run(
            settings.warehouse,
            run.run_id,
            status == DagsterRunStatus.SUCCESS,
            failures,
            _as_of(settings),
            settings.landing_dir,
            dt.datetime.fromtimestamp(started, dt.UTC) if started else None,
        )
        context.log.info(f"run {run.run_id}: {pages.status}; report {pages.run_page}")

    return _finish


def build_run_outcome_sensors(job_name: str) -> list:
    """One run-status sensor per outcome (success, failure, canceled) that settles and records
    the runs of `job_name` not started by `lrm run`."""
    return [_sensor(status, job_name) for status in OUTCOME_SENSORS]
