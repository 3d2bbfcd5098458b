"""The nightly run: every complete drop, reconciled in one run (the full rebuild)."""
from dagster import RunRequest, ScheduleEvaluationContext, SkipReason, schedule
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.defs.ingest.assets import drops_partitions
from pipelines.defs.resources import LrmSettings
from pipelines.ingest.landing import scan_landing

NIGHTLY_SCHEDULE = "nightly_full_run"


def build_nightly_schedule(job_name: str):
    @schedule(name=NIGHTLY_SCHEDULE, job_name=job_name, cron_schedule="0 3 * * *",
              execution_timezone="Asia/Almaty",
              description="03:00 Almaty: reload every complete drop and rebuild every mart.")
    def nightly_full_run(context: ScheduleEvaluationContext, settings: LrmSettings):
        keys = [d.date.isoformat() for d in scan_landing(settings.landing_dir_path).drops]
        if not keys:
            return SkipReason(f"no complete drop in {settings.landing_dir}")
        context.instance.add_dynamic_partitions(drops_partitions.name, keys)
        return RunRequest(
            run_key=f"nightly-{context.scheduled_execution_time:%Y-%m-%d}",
            tags={ASSET_PARTITION_RANGE_START_TAG: keys[0], ASSET_PARTITION_RANGE_END_TAG: keys[-1],
                  "lrm/trigger": "nightly"},
        )

    return nightly_full_run
