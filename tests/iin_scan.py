"""Finding IINs by value, wherever they might have leaked: every text column of a DuckDB
file, Parquet files, pages and logs — against the IINs read from the landing files.

Scanning a file's bytes finds nothing once DuckDB has compressed a column, so the
warehouse and the published copy are scanned by SQL, one text column at a time.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import duckdb

from pipelines import contract
from pipelines.identifiers import is_valid_id

_RUN = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
csv.field_size_limit(2**31 - 1)  # hostile files hold fields past the default 128 KiB


def landed_iins(landing: Path) -> set[str]:
    """Every valid IIN in an IIN column of any landed file, and every valid 12-digit run
    elsewhere (free text, unknown columns, shifted rows) that no BIN column holds."""
    iins: set[str] = set()
    bins: set[str] = set()
    runs: set[str] = set()
    for path in sorted(landing.rglob("*.csv")):
        extract = contract.EXTRACTS.get(path.stem)
        text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
        if extract is None:
            runs |= {m for m in _RUN.findall(text) if is_valid_id(m)}
            continue
        types = {c.name: c.type for c in extract.columns}
        reader = csv.reader(io.StringIO(text))
        header = next(reader, [])
        for row in reader:
            for i, value in enumerate(row):
                kind = types.get(header[i].strip()) if i < len(header) else None
                if kind == "iin" and is_valid_id(value):
                    iins.add(value)
                elif kind == "bin" and is_valid_id(value):
                    bins.add(value)
                else:
                    runs |= {m for m in _RUN.findall(value) if is_valid_id(m)}
        runs |= {m for m in _RUN.findall(",".join(header)) if is_valid_id(m)}
    return iins | (runs - bins)


def iins_in_duckdb(path: Path, iins: set[str]) -> dict[str, int]:
    """schema.table.column -> how many of its values hold one of `iins` (anywhere in the text)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return _scan(
            con,
            iins,
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR' AND table_catalog = current_database()",
        )
    finally:
        con.close()


def iins_in_parquet(folder: Path, iins: set[str]) -> dict[str, int]:
    con = duckdb.connect()
    try:
        found: dict[str, int] = {}
        for file in sorted(folder.rglob("*.parquet")):
            con.execute(f"CREATE OR REPLACE VIEW p AS SELECT * FROM read_parquet('{file}', hive_partitioning = true)")
            for name, n in _scan(
                con,
                iins,
                "SELECT 'main', 'p', column_name FROM information_schema.columns "
                "WHERE table_name = 'p' AND data_type = 'VARCHAR'",
            ).items():
                found[f"{file.relative_to(folder)}:{name.rsplit('.', 1)[-1]}"] = n
        return found
    finally:
        con.close()


def iins_in_text(text: str, iins: set[str]) -> set[str]:
    return {m for m in _RUN.findall(text) if m in iins}


def iins_in_files(folder: Path, iins: set[str], pattern: str = "*") -> dict[str, int]:
    """Text files below `folder` (pages, logs) holding one of `iins`."""
    found = {}
    for file in sorted(folder.rglob(pattern)):
        if file.is_file() and file.suffix not in (".duckdb", ".parquet", ".wal"):
            hits = iins_in_text(file.read_bytes().decode("utf-8", errors="replace"), iins)
            if hits:
                found[str(file.relative_to(folder))] = len(hits)
    return found


def _scan(con: duckdb.DuckDBPyConnection, iins: set[str], columns_sql: str) -> dict[str, int]:
    con.execute("CREATE OR REPLACE TEMP TABLE _iins (iin VARCHAR)")
    con.executemany("INSERT INTO _iins VALUES (?)", [[i] for i in sorted(iins)])
    found: dict[str, int] = {}
    for schema, table, column in con.execute(columns_sql).fetchall():
        rel = str(duckdb.ColumnExpression(schema, table)) if schema != "main" else str(duckdb.ColumnExpression(table))
        col = str(duckdb.ColumnExpression(column))
        n = con.execute(
            f"SELECT count(*) FROM (SELECT unnest(regexp_extract_all({col}, '[0-9]{{12}}')) AS run FROM {rel}) r "
            "JOIN _iins ON _iins.iin = r.run"
        ).fetchall()[0][0]
        if n:
            found[f"{schema}.{table}.{column}"] = n
    return found
