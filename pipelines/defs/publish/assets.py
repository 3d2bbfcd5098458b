"""Publishing after the marts and their blocking checks: the readers' copy, Parquet, the
static map and the dbt docs site."""
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from pipelines.defs.dbt.assets import dbt_models
from pipelines.defs.resources import LrmSettings
from pipelines.publish import publish
from pipelines.quality.runner import build_data_docs_index

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
    # Reads the warehouse and writes only outside it: no warehouse lock needed beyond the run's.
    result = publish(settings.warehouse, context.run_id)
    # The Data Docs index, once per run: the check steps render only their own pages.
    build_data_docs_index(settings.warehouse)
    context.log.info(f"publish: {result.analyst_copy}, {result.parquet_dir}, {result.map_page}, {result.docs_page} "
                     f"({len(result.tables)} tables)")
    return MaterializeResult(metadata={
        "analyst_copy": MetadataValue.path(str(result.analyst_copy)),
        "parquet": MetadataValue.path(str(result.parquet_dir)),
        "map": MetadataValue.path(str(result.map_page)),
        "docs": MetadataValue.path(str(result.docs_page)),
        "rows": MetadataValue.json(result.tables),
    })
