"""The schedules. Every night: the complete drops not loaded yet, in one incremental run
(a backstop for the new-drop sensor). Every week: every drop reloaded in one run, the
full rebuild, whose time grows with how many drops the landing directory keeps."""
from dagster import DagsterInstance, RunRequest, ScheduleEvaluationContext, SkipReason, schedule
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines import contract
from pipelines.defs.ingest.assets import drops_partitions, raw_asset_key
from pipelines.defs.resources import LrmSettings
from pipelines.ingest.landing import scan_landing

NIGHTLY_SCHEDULE = "nightly_new_drops"
WEEKLY_SCHEDULE = "weekly_full_rebuild"


def loaded_drops(instance: DagsterInstance) -> set[str]:
    """Drops that every raw asset has materialized: the runs that loaded them got that far."""
    loaded = [instance.get_materialized_partitions(raw_asset_key(name)) for name in contract.ingest_order()]
    return set.intersection(*loaded)


def _complete_drops(settings: LrmSettings) -> list[str]:
    return [d.date.isoformat() for d in scan_landing(settings.landing_dir_path).drops]


def _drops_request(context: ScheduleEvaluationContext, keys: list[str], trigger: str) -> RunRequest:
    context.instance.add_dynamic_partitions(drops_partitions.name, keys)
    return RunRequest(
        run_key=f"{trigger}-{context.scheduled_execution_time:%Y-%m-%d}",
        tags={ASSET_PARTITION_RANGE_START_TAG: keys[0], ASSET_PARTITION_RANGE_END_TAG: keys[-1], "lrm/trigger": trigger},
    )


def build_nightly_schedule(job_name: str):
    @schedule(name=NIGHTLY_SCHEDULE, job_name=job_name, cron_schedule="0 3 * * *",
              execution_timezone="Asia/Almaty",
              description="03:00 Almaty: load the complete drops not loaded yet (incremental) and rebuild the marts.")
    def nightly_new_drops(context: ScheduleEvaluationContext, settings: LrmSettings):
        loaded = loaded_drops(context.instance)
        new = [k for k in _complete_drops(settings) if k not in loaded]
        if not new:
            return SkipReason(f"every complete drop in {settings.landing_dir} is loaded")
        # A range: a loaded drop between two new ones is reloaded, which marks staging for
        # a full rebuild (docs/design.md, "Incremental runs") — slower, never wrong.
        return _drops_request(context, new, "nightly")

    return nightly_new_drops


def build_weekly_schedule(job_name: str):
    @schedule(name=WEEKLY_SCHEDULE, job_name=job_name, cron_schedule="0 4 * * 0",
              execution_timezone="Asia/Almaty",
              description="Sunday 04:00 Almaty: reload every complete drop and rebuild everything (the full rebuild).")
    def weekly_full_rebuild(context: ScheduleEvaluationContext, settings: LrmSettings):
        complete = _complete_drops(settings)
        if not complete:
            return SkipReason(f"no complete drop in {settings.landing_dir}")
        return _drops_request(context, complete, "weekly")

    return weekly_full_rebuild
