"""Re-keying: every worker_key in the warehouse rewritten for a new pseudonym key, in one
transaction (`lrm run --rotate-key`).

A worker_key cannot be inverted, so the map from old to new keys comes from the restricted
delivery file (IIN → old worker_key): each IIN is hashed with the new key. Every table of
the warehouse with a worker_key column (raw, staging, the assignment history, marts) is
rewritten; a worker_key the delivery file does not know would be lost, so the rotation is
refused before anything changes. The delivery file is then replaced whole (a new file,
renamed over the old one). The caller holds the warehouse lock, inside the run's journal,
so a failure anywhere leaves both files as they were.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.ingest.load import read_worker_keys, write_worker_keys
from pipelines.pseudonym import PseudonymKeyError, record_fingerprint, worker_keys
from pipelines.warehouse import connect, connect_delivery, ident


@dataclass
class Rekeyed:
    """What a rotation rewrote: the workers re-keyed and the rows per table."""

    workers: int
    tables: dict[str, int]  # schema.table -> rows rewritten


def keyed_tables(con) -> list[tuple[str, str]]:
    """(schema, table) of every base table with a worker_key column."""
    return con.execute(
        "SELECT c.table_schema, c.table_name FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_catalog, table_schema, table_name) "
        "WHERE c.column_name = 'worker_key' AND t.table_type = 'BASE TABLE' ORDER BY 1, 2"
    ).fetchall()


def rotate(warehouse: Path, delivery: Path, new_key: bytes) -> Rekeyed:
    """Re-keys every worker_key of the warehouse in one transaction, then replaces the delivery
    file; refused when a key has no IIN in the delivery file."""
    pairs = read_worker_keys(delivery)
    if pairs is None:
        pairs = pl.DataFrame(schema={"iin": pl.String, "worker_key": pl.String})
    fresh = worker_keys(new_key, pairs["iin"])
    mapping = pairs.rename({"worker_key": "old_key"}).join(fresh.rename({"worker_key": "new_key"}), on="iin")
    rewritten: dict[str, int] = {}
    with connect(warehouse) as con:
        con.register("key_map", mapping.select("old_key", "new_key").to_arrow())
        con.execute("BEGIN TRANSACTION")
        try:
            for schema, table in keyed_tables(con):
                name = ident(schema, table)
                unknown = con.execute(
                    f"SELECT count(*) FROM {name} t WHERE t.worker_key IS NOT NULL AND NOT EXISTS "
                    "(SELECT 1 FROM key_map m WHERE m.old_key = t.worker_key)"
                ).fetchall()[0][0]
                if unknown:
                    raise PseudonymKeyError(
                        f"cannot re-key: {unknown:,} worker_key(s) of {schema}.{table} are not in the delivery file "
                        f"{delivery}, so their IINs are unknown; restore the delivery file, or rebuild the warehouse "
                        "from the landing directory into a new file"
                    )
                rewritten[f"{schema}.{table}"] = con.execute(
                    f"UPDATE {name} AS t SET worker_key = m.new_key FROM key_map m WHERE t.worker_key = m.old_key"
                ).fetchall()[0][0]
            record_fingerprint(con, new_key)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("key_map")
    _replace_delivery(delivery, fresh)
    return Rekeyed(workers=fresh.height, tables=rewritten)


def _replace_delivery(delivery: Path, pairs: pl.DataFrame) -> None:
    tmp = delivery.with_name(f".{delivery.name}.rekey")
    for p in (tmp, tmp.with_name(tmp.name + ".wal")):
        p.unlink(missing_ok=True)
    with connect_delivery(tmp) as dcon:
        write_worker_keys(dcon, pairs)
    delivery.with_name(delivery.name + ".wal").unlink(missing_ok=True)
    os.replace(tmp, delivery)
