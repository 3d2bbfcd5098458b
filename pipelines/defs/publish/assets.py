"""Publishing after the marts and their blocking checks: the readers' copy, Parquet, the
static map and the dbt docs site."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from pipelines.defs.dbt.assets import dbt_models
from pipelines.defs.resources import LrmSettings
from pipelines.publish import publish
from pipelines.quality import service

MART_KEYS = sorted((k for k in dbt_models.keys if k.path[0] == "marts"), key=lambda k: k.to_user_string())


@asset(
    key=AssetKey(["published", "analyst_copy"]),
    deps=MART_KEYS,
    group_name="publish",
    kinds={"duckdb", "parquet"},
    description="Read-only DuckDB copy of marts, reference and dq (no IIN; storage format for DuckDB 1.1+, every "
    "table and column commented), Parquet of every mart and reference table, the static map and the dbt docs "
    "site, built together and swapped in after a run whose blocking checks passed.",
)
def published_analyst_copy(context: AssetExecutionContext, settings: LrmSettings) -> MaterializeResult:
    """Publishes the run: its outcome written into dq.run_history first, then the copy built and
    swapped in, and what it holds recorded."""
    as_of, landing = settings.resolve_as_of(), settings.landing_dir
    # The copy carries dq.run_history: this run's row says the outcome it has once published.
    status = service.before_publish(settings.warehouse, context.run_id, as_of, landing)
    # Reads the warehouse and writes only outside it: no warehouse lock needed beyond the run's.
    result = publish(settings.warehouse, context.run_id, as_of.isoformat())
    service.record_published(settings.warehouse, context.run_id, result.tables, result.analyst_copy)
    context.log.info(
        f"publish: {result.analyst_copy}, {result.parquet_dir}, {result.map_page}, {result.docs_page} "
        f"({len(result.tables)} tables), run {status}"
    )
    return MaterializeResult(
        metadata={
            "analyst_copy": MetadataValue.path(str(result.analyst_copy)),
            "parquet": MetadataValue.path(str(result.parquet_dir)),
            "map": MetadataValue.path(str(result.map_page)),
            "docs": MetadataValue.path(str(result.docs_page)),
            "rows": MetadataValue.json(result.tables),
            "status": status,
        }
    )
