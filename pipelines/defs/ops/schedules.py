"""The schedules. Every night: the complete drops no run has settled yet, in one
incremental run (a backstop for the new-drop sensor, and the retry of a failed night).
Every week: every drop reloaded in one run, the full rebuild, whose time grows with how
many drops the landing directory keeps."""

from dagster import (
    DagsterInstance,
    DagsterRunStatus,
    RunRequest,
    RunsFilter,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.defs.ingest.assets import drops_partitions, run_drop_range
from pipelines.defs.resources import LrmSettings
from pipelines.ingest.landing import scan_landing
from pipelines.timezone import OPERATIONS_TIME_ZONE

NIGHTLY_SCHEDULE = "nightly_new_drops"
WEEKLY_SCHEDULE = "weekly_full_rebuild"

# A run in one of these states has the drops it covers in hand; a failed or canceled one
# leaves them to the next night.
IN_HAND = [
    DagsterRunStatus.SUCCESS,
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]


def settled_drops(instance: DagsterInstance, job_name: str, complete: list[str]) -> set[str]:
    """Complete drops that a run of the job took all the way (loaded, checked, built,
    published), or that a queued or running one covers. Loaded is not enough: a run
    stopped by dbt or by a blocking check has loaded its drops and published nothing."""
    settled: set[str] = set()
    for record in instance.get_run_records(filters=RunsFilter(job_name=job_name, statuses=IN_HAND)):
        covered = run_drop_range(record.dagster_run.tags)
        if covered is None:  # a run without partitions loads every drop there is
            covered = ("", record.create_timestamp.date().isoformat())
        settled.update(k for k in complete if covered[0] <= k <= covered[1])
    return settled


def _complete_drops(settings: LrmSettings) -> list[str]:
    return scan_landing(settings.landing_dir_path).keys


def _drops_request(context: ScheduleEvaluationContext, keys: list[str], trigger: str) -> RunRequest:
    context.instance.add_dynamic_partitions(drops_partitions.name, keys)
    return RunRequest(
        run_key=f"{trigger}-{context.scheduled_execution_time:%Y-%m-%d}",
        tags={
            ASSET_PARTITION_RANGE_START_TAG: keys[0],
            ASSET_PARTITION_RANGE_END_TAG: keys[-1],
            "lrm/trigger": trigger,
        },
    )


def build_nightly_schedule(job_name: str):
    """The nightly schedule of `job_name`: an incremental run over the complete drops no run has
    settled."""

    @schedule(
        name=NIGHTLY_SCHEDULE,
        job_name=job_name,
        cron_schedule="0 3 * * *",
        execution_timezone=OPERATIONS_TIME_ZONE.key,
        description="03:00 Almaty: load the complete drops no run has settled (incremental), "
        "including those of a failed run, and rebuild the marts.",
    )
    def nightly_new_drops(context: ScheduleEvaluationContext, settings: LrmSettings):
        complete = _complete_drops(settings)
        settled = settled_drops(context.instance, job_name, complete)
        new = [k for k in complete if k not in settled]
        if not new:
            return SkipReason(f"every complete drop in {settings.landing_dir} is settled by a run")
        # A range: a loaded drop between two new ones is reloaded, which marks staging for
        # a full rebuild (docs/design.md, "Incremental runs") — slower, never wrong.
        return _drops_request(context, new, "nightly")

    return nightly_new_drops


def build_weekly_schedule(job_name: str):
    """The weekly schedule of `job_name`: every complete drop reloaded and everything rebuilt."""

    @schedule(
        name=WEEKLY_SCHEDULE,
        job_name=job_name,
        cron_schedule="0 4 * * 0",
        execution_timezone=OPERATIONS_TIME_ZONE.key,
        description="Sunday 04:00 Almaty: reload every complete drop and rebuild everything (the full rebuild).",
    )
    def weekly_full_rebuild(context: ScheduleEvaluationContext, settings: LrmSettings):
        complete = _complete_drops(settings)
        if not complete:
            return SkipReason(f"no complete drop in {settings.landing_dir}")
        return _drops_request(context, complete, "weekly")

    return weekly_full_rebuild
