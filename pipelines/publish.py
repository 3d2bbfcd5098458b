"""Publishing for readers: a read-only analyst copy of the warehouse, Parquet exports, the
static map and the dbt documentation of the run.

Readers never open the file the pipeline writes. Everything is built first in a build
folder beside its final place; only when all of it is built is each piece swapped in with
one rename (the copy, the map, the docs) or one symlink switch (the Parquet folder), so a
failed publish leaves the previous one whole and a reader sees the old or the new version
of each file, never a half-written one.

The copy is written in DuckDB's storage format v1.1.0, which DuckDB 1.1 and every later
release open (the BI drivers bundle older DuckDB releases than the pipeline uses). Every
table and column carries the description of its dbt yml as a comment, and so does every
Parquet file, as key-value metadata (`description`, `column_description.<column>`).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines import publish_docs, static_map
from pipelines.memory import DUCKDB_MEMORY_LIMIT
from pipelines.warehouse import ident

PUBLISHED_SCHEMAS = ("marts", "reference", "dq")
PARQUET_SCHEMAS = ("marts", "reference")
ANALYST_FILE = "lrm_analyst.duckdb"
PARQUET_DIR = "parquet"
MAP_DIR = "map"
DOCS_DIR = "docs"
# The oldest storage format DuckDB can write; DuckDB 1.1.0 and later read it.
STORAGE_VERSION = "v1.1.0"
MIN_READER = "1.1.0"
# Large marts are split where readers filter: by regime and guarantee, by gap kind.
PARQUET_PARTITIONS = {
    "guarantee_assignments": ("regime", "guarantee"),
    "guarantee_gaps": ("gap_kind",),
}
_IIN_COLUMN = re.compile(r"(^|_)iin($|_)", re.IGNORECASE)


@dataclass
class Published:
    """Where a publish put the analyst copy, the Parquet, the static map and the docs, and the
    rows of each table."""

    analyst_copy: Path
    parquet_dir: Path
    map_page: Path
    docs_page: Path
    tables: dict[str, int]


def published_dir(warehouse: Path) -> Path:
    """The folder of published outputs, beside the warehouse."""
    return warehouse.parent / "published"


def _tables(con: duckdb.DuckDBPyConnection, schema: str, declared: set[tuple[str, str]]) -> list[str]:
    """The schema's tables in the warehouse; every one must be a model, seed or source the
    dbt project declares (its manifest), since its name goes into the copy's SQL and names
    a Parquet folder."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'src' AND table_schema = ? ORDER BY 1",
            [schema],
        ).fetchall()
    ]
    odd = [t for t in tables if (schema, t) not in declared]
    if odd:
        raise RuntimeError(f"refusing to publish {schema}: table(s) {odd} are not declared by the dbt project")
    return tables


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'src' AND table_schema = ? "
            "AND table_name = ? ORDER BY ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(warehouse: Path, run_id: str, as_of: str) -> Published:
    """Builds the analyst copy, Parquet, static map and docs site in a build folder, then swaps
    each into place; a failure leaves the last publish as it was."""
    out = published_dir(warehouse)
    out.mkdir(parents=True, exist_ok=True)
    # One writer per warehouse: any other build folder is a killed publish's leftover.
    for stale in out.glob(".build.*"):
        shutil.rmtree(stale, ignore_errors=True)
    build = out / f".build.{os.getpid()}"
    build.mkdir()
    try:
        # dbt reads the warehouse in its own process, before this one attaches it.
        site = publish_docs.generate(warehouse, as_of)
        docs = publish_docs.descriptions(site.with_name("manifest.json"))
        shutil.copyfile(site, build / "docs.html")
        run_parquet = out / PARQUET_DIR / run_id
        if run_parquet.exists():
            shutil.rmtree(run_parquet)
        run_parquet.mkdir(parents=True)
        counts = _build_copy(warehouse, build / ANALYST_FILE, run_parquet, docs)
        with duckdb.connect(str(build / ANALYST_FILE), read_only=True) as con:
            (build / "map.html").write_text(static_map.render(con), encoding="utf-8")
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        shutil.rmtree(out / PARQUET_DIR / run_id, ignore_errors=True)
        raise
    os.chmod(build / ANALYST_FILE, 0o444)
    final_db = out / ANALYST_FILE
    os.replace(build / ANALYST_FILE, final_db)
    _point_current(out / PARQUET_DIR, run_id)
    map_page = _swap_file(build / "map.html", out / MAP_DIR / "index.html")
    docs_page = _swap_file(build / "docs.html", out / DOCS_DIR / "index.html")
    shutil.rmtree(build, ignore_errors=True)
    return Published(final_db, out / PARQUET_DIR / "current", map_page, docs_page, counts)


def _build_copy(
    warehouse: Path, target: Path, run_parquet: Path, docs: dict[tuple[str, str], publish_docs.TableDoc]
) -> dict[str, int]:
    counts: dict[str, int] = {}
    # The run's memory bound holds here too (DuckDB would take 80 % of RAM); what does not
    # fit spills into the build folder, removed with it.
    con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY_LIMIT, "temp_directory": str(target.parent / ".spill")})
    try:
        con.execute(f"ATTACH {_literal(str(target))} AS pub (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute(f"ATTACH {_literal(str(warehouse))} AS src (READ_ONLY)")
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {ident('pub', schema)}")
            for table in _tables(con, schema, set(docs)):
                columns = _columns(con, schema, table)
                leaked = [c for c in columns if _IIN_COLUMN.search(c)]
                if leaked:
                    raise RuntimeError(f"refusing to publish {schema}.{table}: column(s) {leaked} look like an IIN")
                name = ident("pub", schema, table)
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM {ident('src', schema, table)}")
                doc = docs.get((schema, table))
                if doc:
                    _comment(con, name, columns, doc)
                counts[f"{schema}.{table}"] = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
                if schema in PARQUET_SCHEMAS:
                    _export_parquet(con, name, table, columns, run_parquet / table, doc)
        con.execute("DETACH src")
        con.execute("DETACH pub")
    finally:
        con.close()
    return counts


def _comment(con: duckdb.DuckDBPyConnection, name: str, columns: list[str], doc: publish_docs.TableDoc) -> None:
    if doc.description:
        con.execute(f"COMMENT ON TABLE {name} IS {_literal(doc.description)}")
    for column in columns:
        if doc.columns.get(column):
            con.execute(f"COMMENT ON COLUMN {name}.{ident(column)} IS {_literal(doc.columns[column])}")


def _export_parquet(
    con, name: str, table: str, columns: list[str], target: Path, doc: publish_docs.TableDoc | None
) -> None:
    metadata = {}
    if doc:
        metadata = {
            "description": doc.description,
            **{f"column_description.{c}": doc.columns[c] for c in columns if doc.columns.get(c)},
        }
    kv = ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in metadata.items() if v)
    options = ["FORMAT parquet", *([f"KV_METADATA {{{kv}}}"] if kv else [])]
    partition = [c for c in PARQUET_PARTITIONS.get(table, ()) if c in columns]
    if partition:
        target.parent.mkdir(parents=True, exist_ok=True)
        options.append(f"PARTITION_BY ({', '.join(ident(c) for c in partition)})")
        con.execute(f"COPY {name} TO {_literal(str(target))} ({', '.join(options)})")
    else:
        target.mkdir(parents=True)
        con.execute(f"COPY {name} TO {_literal(str(target / 'data.parquet'))} ({', '.join(options)})")


def _swap_file(built: Path, final: Path) -> Path:
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(built, final)
    return final


def _point_current(parquet_root: Path, run_id: str) -> None:
    link = parquet_root / "current"
    tmp_link = parquet_root / f".current.{os.getpid()}"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(run_id)
    os.replace(tmp_link, link)
    # Keep the current export and the one before it, for readers still on the old one.
    runs = sorted(
        (p for p in parquet_root.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for stale in [p for p in runs if p.name != run_id][1:]:
        shutil.rmtree(stale, ignore_errors=True)
