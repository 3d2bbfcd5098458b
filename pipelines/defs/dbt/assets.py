"""dbt models, seeds and tests as Dagster assets and asset checks.

The translator maps each dbt source table onto the ingestion asset that loads it, so
lineage in the Dagster UI runs from the landed file to the mart.
"""

import json
import os
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from pipelines import contract
from pipelines.defs.dbt.project import dbt_project
from pipelines.defs.ingest.assets import WAREHOUSE_POOL, raw_asset_key
from pipelines.defs.ops.journal import writing_step
from pipelines.defs.resources import LrmSettings
from pipelines.warehouse import clear_staging_rebuild_due, connect, staging_rebuild_due


class LrmDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source" and dbt_resource_props["name"] in contract.EXTRACTS:
            return raw_asset_key(dbt_resource_props["name"])
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props.get("schema")
        return AssetKey([schema or "main", dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        schema = dbt_resource_props.get("config", {}).get("schema")
        return schema or "reference"


translator = LrmDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator,
            pool=WAREHOUSE_POOL)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, settings: LrmSettings):
    # The profile reads the warehouse path from the environment; dbt runs as a child
    # process after every ingestion step has closed its connection (one writer at a time).
    os.environ["LRM_WAREHOUSE"] = str(settings.warehouse)
    as_of = settings.resolve_as_of().isoformat()
    with writing_step(context, settings):
        with connect(settings.warehouse) as con:
            marks = staging_rebuild_due(con)
        args = ["build", "--vars", json.dumps({"as_of": as_of})]
        if marks:
            args.append("--full-refresh")
            why = "; ".join(sorted({f"{extract}: {reason}" for extract, reason in marks}))
            context.log.info(f"dbt build as of {as_of} on {settings.warehouse}, full rebuild of staging ({why})")
        else:
            context.log.info(f"dbt build as of {as_of} on {settings.warehouse}, event staging merges the new drops only")
        yield from dbt.cli(args, context=context).stream()
        if marks:
            with connect(settings.warehouse) as con:
                clear_staging_rebuild_due(con)
