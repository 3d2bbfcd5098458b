"""dbt models, seeds and tests as Dagster assets and asset checks.

The translator maps each dbt source table onto the ingestion asset that loads it, so
lineage in the Dagster UI runs from the landed file to the mart; descriptions are prose
(the yml's, else the comment that opens the model's SQL), never the SQL itself; each dbt
test's check carries a description (pipelines.quality.dbt_results.describe_test). Every
test, unit test and model contract of the build is recorded in dq.check_results for the
auditor's report.
"""

import os
import re
from collections.abc import Mapping
from typing import Any

from dagster import AssetCheckSpec, AssetExecutionContext, AssetKey, Failure
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from pipelines.defs.dbt.project import dbt_project, dbt_target_dir, dbt_vars
from pipelines.defs.ingest.assets import WAREHOUSE_POOL
from pipelines.defs.ops.journal import writing_step
from pipelines.defs.resources import LrmSettings
from pipelines.quality import dbt_results, service
from pipelines.warehouse import clear_staging_rebuild_due, connect, staging_rebuild_due

# The Jinja comment a model's SQL opens with: its authors' prose about what it holds.
_OPENING_COMMENT = re.compile(r"^\s*\{#-?(.*?)-?#\}", re.DOTALL)


def describe_node(props: Mapping[str, Any]) -> str:
    """A dbt node's description in prose: the yml's, else its SQL's opening comment."""
    own = (props.get("description") or "").strip()
    if own:
        return own
    comment = _OPENING_COMMENT.match(props.get("raw_code") or "")
    if comment:
        return " ".join(comment.group(1).split())
    return f"dbt {props['resource_type']} {props['name']} (no description in its yml)."


class LrmDbtTranslator(DagsterDbtTranslator):
    """Maps dbt nodes onto the project's asset keys, descriptions, check descriptions and
    groups."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        """raw/<extract> for a landed source, else <schema>/<name> (dbt_results.asset_path)."""
        return AssetKey(dbt_results.asset_path(dbt_resource_props))

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        """The node's yml description, else its SQL's opening comment."""
        return describe_node(dbt_resource_props)

    def get_asset_check_spec(
        self, asset_spec, manifest: Mapping[str, Any], unique_id: str, project
    ) -> AssetCheckSpec | None:
        """dbt's check spec, with the test described in prose."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id)
        return spec._replace(description=dbt_results.describe_test(node)) if spec is not None and node else spec

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """The node's configured schema (staging, marts, …); `reference` for a node without one."""
        schema = dbt_resource_props.get("config", {}).get("schema")
        return schema or "reference"


translator = LrmDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator, pool=WAREHOUSE_POOL
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, settings: LrmSettings):
    """dbt build as of the run's date: models, seeds and data tests (unit tests are for
    `make test`); staging is rebuilt in full when marked, and the results are recorded in dq."""
    # The profile reads the warehouse path from the environment; dbt runs as a child
    # process after every ingestion step has closed its connection (one writer at a time).
    os.environ["LRM_WAREHOUSE"] = str(settings.warehouse)
    as_of = settings.resolve_as_of().isoformat()
    with writing_step(context, settings):
        with connect(settings.warehouse) as con:
            marks = staging_rebuild_due(con)
        # Unit tests check the models' code, not the night's data: make test runs them
        # (tests/test_dbt_unit_tests.py); a run builds and checks the data.
        args = ["build", "--vars", dbt_vars(as_of), "--exclude", "test_type:unit"]
        if marks:
            args.append("--full-refresh")
            why = "; ".join(sorted({f"{extract}: {reason}" for extract, reason in marks}))
            context.log.info(f"dbt build as of {as_of} on {settings.warehouse}, full rebuild of staging ({why})")
        else:
            context.log.info(
                f"dbt build as of {as_of} on {settings.warehouse}, event staging merges the new drops only"
            )
        invocation = dbt.cli(
            args, context=context, raise_on_error=False, target_path=dbt_target_dir(settings.warehouse)
        )
        yield from invocation.stream()
        try:
            run_results = invocation.get_artifact("run_results.json")
        except FileNotFoundError:  # dbt stopped before running anything: its error says why
            run_results = {}
        records = service.record_dbt(
            settings.warehouse,
            context.run.run_id,
            run_results,
            invocation.manifest,
            settings.resolve_as_of(),
            settings.landing_dir,
        )
        if not invocation.is_successful():
            bad = [f"{r.asset_key} {r.check_name}" for r in records if r.outcome == "failed"]
            raise Failure(
                description=f"dbt build failed: {'; '.join(bad[:10]) or 'see the dbt log'}"
                f"{f' (and {len(bad) - 10} more)' if len(bad) > 10 else ''}"
            )
        if marks:
            with connect(settings.warehouse) as con:
                clear_staging_rebuild_due(con)
