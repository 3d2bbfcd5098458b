"""The Dagster definitions, assembled once: `dagster dev` (workspace.yaml) and `lrm run`
both load this module, so there is no second pipeline for the command line."""

from __future__ import annotations

from dagster import Definitions, define_asset_job, in_process_executor
from dagster_dbt import DbtCliResource

from pipelines.defs.dbt.assets import dbt_models
from pipelines.defs.dbt.project import dbt_executable, dbt_project
from pipelines.defs.ingest.assets import ingest_assets
from pipelines.defs.ops.run_outcome import build_run_outcome_sensors
from pipelines.defs.ops.schedules import build_nightly_schedule, build_weekly_schedule
from pipelines.defs.ops.sensors import build_new_drop_sensor
from pipelines.defs.publish.assets import published_analyst_copy
from pipelines.defs.quality.checks import build_quality_checks
from pipelines.defs.resources import LrmSettings, settings_from_env
from pipelines.memory import freeze_long_lived

ALL_ASSETS_JOB = "lrm_all"

all_assets_job = define_asset_job(ALL_ASSETS_JOB, selection="*")


def build_definitions(settings: LrmSettings | None = None) -> Definitions:
    """The Dagster definitions: the ingestion, dbt and publish assets, their checks, the job,
    schedules, sensors and resources."""
    return Definitions(
        assets=[*ingest_assets, dbt_models, published_analyst_copy],
        asset_checks=build_quality_checks(dbt_models.keys),
        jobs=[all_assets_job],
        schedules=[build_nightly_schedule(ALL_ASSETS_JOB), build_weekly_schedule(ALL_ASSETS_JOB)],
        sensors=[build_new_drop_sensor(ALL_ASSETS_JOB), *build_run_outcome_sensors(ALL_ASSETS_JOB)],
        resources={
            "settings": settings or settings_from_env(),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
        },
        # DuckDB allows one writing process per file: steps run one after another.
        executor=in_process_executor,
    )


defs = build_definitions()
freeze_long_lived()
