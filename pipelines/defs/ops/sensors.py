"""Start a run when a new drop folder is complete (its _SUCCESS marker is present)."""

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor

from pipelines.defs.ingest.assets import drops_partitions
from pipelines.defs.resources import LrmSettings
from pipelines.ingest.landing import scan_landing

NEW_DROP_SENSOR = "new_drop_sensor"


def new_drop_requests(settings: LrmSettings, known: set[str]) -> tuple[list[str], list[RunRequest]]:
    """The complete drops not yet known as partitions, and one run request for each."""
    new = [k for k in scan_landing(settings.landing_dir_path).keys if k not in known]
    return new, [RunRequest(run_key=f"drop-{key}", partition_key=key, tags={"lrm/trigger": "new_drop"}) for key in new]


def build_new_drop_sensor(job_name: str):
    """The sensor (off by default) that starts a run of `job_name` for each new complete drop,
    as its own partition."""

    @sensor(
        name=NEW_DROP_SENSOR,
        job_name=job_name,
        minimum_interval_seconds=60,
        default_status=DefaultSensorStatus.STOPPED,
        description="Loads each new complete drop (folder YYYY-MM-DD with _SUCCESS) as its own partition.",
    )
    def new_drop_sensor(context: SensorEvaluationContext, settings: LrmSettings):
        known = set(context.instance.get_dynamic_partitions(drops_partitions.name))
        new, requests = new_drop_requests(settings, known)
        if not new:
            return SkipReason(f"no new complete drop in {settings.landing_dir}")
        return SensorResult(
            run_requests=requests, dynamic_partitions_requests=[drops_partitions.build_add_request(new)]
        )

    return new_drop_sensor
