"""One Dagster asset per landing extract: every drop of it into raw.<extract>."""

import datetime as dt
import time

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    Backoff,
    DynamicPartitionsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    asset,
)
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from pipelines import contract
from pipelines.contract import Extract
from pipelines.defs.ops.journal import writing_step
from pipelines.defs.resources import LrmSettings
from pipelines.ingest.load import HeldBackError, ingest_extract, pending_drops, read_worker_keys, write_worker_keys
from pipelines.ingest.reader import UnreadableFileError
from pipelines.memory import DUCKDB_MEMORY_LIMIT, release_memory
from pipelines.pseudonym import PseudonymKeyError, load_key, recorded_fingerprint, verify_key
from pipelines.warehouse import connect, connect_delivery, ensure_dq

INGEST_GROUP = "ingest"
# Transient faults (a busy disk, a lock held too long) are retried; a bad file, a refused
# key or memory running out are not (they raise Failure(allow_retries=False)).
TRANSIENT_RETRY = RetryPolicy(max_retries=2, delay=15, backoff=Backoff.EXPONENTIAL)
# Dagster's pool for steps that write the DuckDB file; dagster_home/dagster.yaml limits it
# to one, so runs started by the schedule and the sensor take turns.
WAREHOUSE_POOL = "duckdb_warehouse_writer"  # a step queues behind another run's writer rather than fail


# One partition per drop folder. A run over a range of drops loads them in one step
# (single-run backfill), which is how `lrm run` loads every drop at once.
drops_partitions = DynamicPartitionsDefinition(name="drops")


def run_drop_range(tags: dict[str, str]) -> tuple[str, str] | None:
    """The drops a run loads, (FIRST, LAST) from its partition tags; None when it names none."""
    if ASSET_PARTITION_RANGE_START_TAG in tags:
        return tags[ASSET_PARTITION_RANGE_START_TAG], tags[ASSET_PARTITION_RANGE_END_TAG]
    if PARTITION_NAME_TAG in tags:
        return tags[PARTITION_NAME_TAG], tags[PARTITION_NAME_TAG]
    return None


def raw_asset_key(extract_name: str) -> AssetKey:
    """The asset key of an extract's raw table: raw/<extract>."""
    return AssetKey(["raw", extract_name])


def _ingest_asset(extract: Extract) -> AssetsDefinition:
    @asset(
        name=extract.name,
        key_prefix=["raw"],
        group_name=INGEST_GROUP,
        deps=[raw_asset_key(d) for d in extract.order_after],
        description=f"{extract.name}.csv from every complete drop ({extract.kind}, key {', '.join(extract.key)}), "
        "validated against the landing contract; bad rows to dq.rejected_rows.",
        kinds={"python", "polars", "duckdb"},
        partitions_def=drops_partitions,
        backfill_policy=BackfillPolicy.single_run(),
        retry_policy=TRANSIENT_RETRY,
        pool=WAREHOUSE_POOL,
        tags={"layer": "raw"},
    )
    def _asset(context: AssetExecutionContext, settings: LrmSettings) -> MaterializeResult:
        started = time.perf_counter()
        landing = settings.landing()
        try:
            result = _ingest(context, settings, landing, extract)
        except duckdb.OutOfMemoryException:
            raise Failure(
                description=f"ingest {extract.name}: out of memory (DuckDB memory_limit "
                f"{DUCKDB_MEMORY_LIMIT}); the warehouse was left as it was",
                allow_retries=False,
            ) from None
        release_memory()
        elapsed = time.perf_counter() - started
        unchanged = (
            f" ({result.unchanged} unchanged since the previous snapshot, not written again)"
            if extract.kind == "snapshot"
            else ""
        )
        context.log.info(
            f"ingest {extract.name}: {len(result.files)} file(s), landed {result.landed}, "
            f"loaded {result.loaded}{unchanged}, rejected {result.rejected} {result.rejected_by_reason or ''} in {elapsed:.1f}s"
        )
        return MaterializeResult(
            metadata={
                "rows_landed": result.landed,
                "rows_loaded": result.loaded,
                "rows_unchanged": result.unchanged,
                "rows_rejected": result.rejected,
                "rejected_by_reason": MetadataValue.json(result.rejected_by_reason),
                "files": MetadataValue.json([f.__dict__ for f in result.files]),
                "seconds": round(elapsed, 2),
            }
        )

    return _asset


def _ingest(context: AssetExecutionContext, settings: LrmSettings, landing, extract: Extract):
    """The extract's drops into raw and the new (IIN, worker_key) pairs into the delivery
    file, under the run's journal; refuses a key that is not the warehouse's."""
    with writing_step(context, settings), connect(settings.warehouse) as con:
        ensure_dq(con)
        known = read_worker_keys(settings.delivery)
        try:
            key = load_key(settings.warehouse, recorded_fingerprint(con))
            verify_key(con, settings.warehouse, key, known)
        except PseudonymKeyError as exc:
            raise Failure(description=str(exc), allow_retries=False) from None
        if extract.name == contract.ingest_order()[0]:
            _record_landing_issues(con, landing)
        selected = {dt.date.fromisoformat(k) for k in context.partition_keys}
        selected |= pending_drops(con, landing, extract, context.partition_keys)
        try:
            result, keys = ingest_extract(con, landing, extract, key, selected, known)
        except UnreadableFileError as exc:
            what = "held back" if isinstance(exc, HeldBackError) else "unreadable file"
            raise Failure(description=f"{what}: {exc}; the warehouse was left as it was", allow_retries=False) from None
        if known is not None:
            keys = keys.join(known, on="iin", how="anti")  # only pairs the file lacks
        if keys.height:
            with connect_delivery(settings.delivery) as dcon:
                write_worker_keys(dcon, keys)
    return result


def _record_landing_issues(con, landing) -> None:
    con.execute("DELETE FROM dq.landing_issues")
    if landing.issues:
        con.executemany("INSERT INTO dq.landing_issues VALUES (?, ?)", landing.issues)


ingest_assets = [_ingest_asset(contract.EXTRACTS[name]) for name in contract.ingest_order()]
