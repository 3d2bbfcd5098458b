"""Publishing for readers: a read-only analyst copy of the warehouse and Parquet exports.

Readers never open the file the pipeline writes. Both outputs are built beside their
final place and swapped in with one rename, so a reader sees the old or the new version,
never a half-written one.
"""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts", "reference", "dq")
ANALYST_FILE = "lrm_analyst.duckdb"
PARQUET_DIR = "parquet"
# Large marts are split where readers filter: by regime and guarantee, by gap kind.
PARQUET_PARTITIONS = {
    "guarantee_assignments": ("regime", "guarantee"),
    "guarantee_gaps": ("gap_kind",),
}
_IIN_COLUMN = re.compile(r"(^|_)iin($|_)", re.IGNORECASE)


@dataclass
class Published:
    analyst_copy: Path
    parquet_dir: Path
    tables: dict[str, int]


def published_dir(warehouse: Path) -> Path:
    return warehouse.parent / "published"


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'src' AND table_schema = ? ORDER BY 1",
        [schema]).fetchall()]


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'src' AND table_schema = ? "
        "AND table_name = ? ORDER BY ordinal_position", [schema, table]).fetchall()]


def publish(warehouse: Path, run_id: str) -> Published:
    out = published_dir(warehouse)
    out.mkdir(parents=True, exist_ok=True)
    tmp_db = out / f".{ANALYST_FILE}.{os.getpid()}.tmp"
    tmp_db.unlink(missing_ok=True)
    run_parquet = out / PARQUET_DIR / run_id
    if run_parquet.exists():
        shutil.rmtree(run_parquet)
    run_parquet.mkdir(parents=True)
    counts: dict[str, int] = {}
    con = duckdb.connect(str(tmp_db))
    try:
        con.execute(f"ATTACH '{warehouse}' AS src (READ_ONLY)")
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            for table in _tables(con, schema):
                columns = _columns(con, schema, table)
                leaked = [c for c in columns if _IIN_COLUMN.search(c)]
                if leaked:
                    raise RuntimeError(f"refusing to publish {schema}.{table}: column(s) {leaked} look like an IIN")
                con.execute(f'CREATE TABLE {schema}."{table}" AS SELECT * FROM src.{schema}."{table}"')
                counts[f"{schema}.{table}"] = con.execute(f'SELECT count(*) FROM {schema}."{table}"').fetchone()[0]
                if schema == "marts":
                    _export_parquet(con, table, columns, run_parquet)
        con.execute("DETACH src")
    finally:
        con.close()
    os.chmod(tmp_db, 0o444)
    final_db = out / ANALYST_FILE
    os.replace(tmp_db, final_db)
    _point_current(out / PARQUET_DIR, run_id)
    return Published(final_db, out / PARQUET_DIR / "current", counts)


def _export_parquet(con, table: str, columns: list[str], run_parquet: Path) -> None:
    partition = [c for c in PARQUET_PARTITIONS.get(table, ()) if c in columns]
    target = run_parquet / table
    if partition:
        con.execute(f"COPY marts.\"{table}\" TO '{target}' (FORMAT parquet, PARTITION_BY ({', '.join(partition)}))")
    else:
        target.mkdir(parents=True)
        con.execute(f"COPY marts.\"{table}\" TO '{target / 'data.parquet'}' (FORMAT parquet)")


def _point_current(parquet_root: Path, run_id: str) -> None:
    link = parquet_root / "current"
    tmp_link = parquet_root / f".current.{os.getpid()}"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(run_id)
    os.replace(tmp_link, link)
    # Keep the current export and the one before it, for readers still on the old one.
    runs = sorted((p for p in parquet_root.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in [p for p in runs if p.name != run_id][1:]:
        shutil.rmtree(stale, ignore_errors=True)
