"""Loading one extract, every drop of it, into raw.<extract> and dq.rejected_rows.

All files are read and validated before the warehouse is touched, and the tables are
replaced in one transaction: an unreadable file changes nothing, and a rerun on the same
landing directory writes the same rows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import polars as pl

from pipelines import contract
from pipelines.contract import Extract
from pipelines.ingest.landing import Landing
from pipelines.ingest.reader import LINE_COL, SHAPE_COL, read_landed_csv
from pipelines.ingest.validate import COLUMN_COL, REASON_COL, validate
from pipelines.pseudonym import MASK, worker_keys

META = ["_drop_date", "_file", "_line"]


@dataclass
class FileResult:
    drop_date: str
    file: str
    landed: int
    loaded: int
    rejected: int
    missing_optional: list[str]


@dataclass
class ExtractResult:
    extract: str
    files: list[FileResult] = field(default_factory=list)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def landed(self) -> int:
        return sum(f.landed for f in self.files)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)


def raw_column_name(extract: Extract, column: str) -> str:
    return "worker_key" if column in extract.iin_columns else column


def _references(con: duckdb.DuckDBPyConnection, extract: Extract) -> dict[str, pl.DataFrame]:
    refs: dict[str, pl.DataFrame] = {}
    for ref in extract.references:
        cols = ", ".join(ref.target_columns)
        refs[ref.extract] = pl.from_arrow(
            con.sql(f"SELECT {cols}, min(_drop_date) AS _first_drop FROM raw.{ref.extract} GROUP BY {cols}").to_arrow_table()
        )
    return refs


def _empty_raw(extract: Extract) -> pl.DataFrame:
    schema = {raw_column_name(extract, c): pl.String for c in extract.column_names}
    schema.update({"_drop_date": pl.Date, "_file": pl.String, "_line": pl.Int64})
    return pl.DataFrame(schema=schema)


def ingest_extract(
    con: duckdb.DuckDBPyConnection, landing: Landing, extract: Extract, key: bytes,
    drop_dates: set[dt.date] | None = None,
) -> tuple[ExtractResult, pl.DataFrame]:
    """(Re)loads the given drops (all when None) of one extract.

    Loading every drop replaces the tables whole, so a drop removed from the landing
    directory disappears too; loading some drops replaces just their rows.
    Returns the result and the (iin, worker_key) pairs for the restricted delivery file.
    """
    result = ExtractResult(extract.name)
    refs = _references(con, extract)
    good_parts: list[pl.DataFrame] = []
    bad_parts: list[pl.DataFrame] = []
    keys_parts: list[pl.DataFrame] = []
    replace_all = drop_dates is None or {d.date for d in landing.drops} <= drop_dates
    for drop in landing.drops:
        if drop_dates is not None and drop.date not in drop_dates:
            continue
        path = drop.file(extract.name)
        if not path.exists():
            continue
        display = landing.display(path)
        read = read_landed_csv(path, extract, display)  # raises UnreadableFileError
        checked = validate(read.frame, extract, drop.date, refs)
        meta = [pl.lit(drop.date).alias("_drop_date"), pl.lit(display).alias("_file")]
        extras = [c for c in read.header if c not in extract.column_names]
        good = checked.filter(pl.col(REASON_COL).is_null())
        bad = checked.filter(pl.col(REASON_COL).is_not_null())

        for iin_col in extract.iin_columns:
            pairs = worker_keys(key, good[iin_col])
            keys_parts.append(pairs)
            good = good.join(pairs.rename({"iin": iin_col, "worker_key": "_wk"}), on=iin_col, how="left")
            good = good.with_columns(pl.col("_wk").alias(iin_col)).drop("_wk")
        good = good.select(
            *[pl.col(c).alias(raw_column_name(extract, c)) for c in extract.column_names],
            *[pl.col(c) for c in extras],
            *meta,
            pl.col(LINE_COL).alias("_line"),
        )
        masked = bad.with_columns(
            pl.when(pl.col(c).is_not_null()).then(pl.lit(MASK)).alias(c) for c in extract.iin_columns
        )
        bad_parts.append(
            masked.select(
                pl.lit(extract.name).alias("extract"),
                pl.lit(drop.date).alias("drop_date"),
                pl.lit(display).alias("file"),
                pl.col(LINE_COL).alias("line"),
                pl.col(COLUMN_COL).alias("column"),
                pl.col(REASON_COL).alias("reason"),
                pl.struct(read.header).struct.json_encode().alias("raw_record"),
            )
        )
        good_parts.append(good)
        result.files.append(
            FileResult(str(drop.date), display, checked.height, good.height, bad.height, read.missing_optional)
        )
        del checked, read

    good_all = pl.concat(good_parts, how="diagonal") if good_parts else _empty_raw(extract)
    bad_all = pl.concat(bad_parts) if bad_parts else None
    if bad_all is not None and bad_all.height:
        counts = bad_all.group_by(pl.col("reason").str.split(":").list.first()).len()
        result.rejected_by_reason = dict(sorted(zip(counts["reason"].to_list(), counts["len"].to_list())))
    _write(con, extract, good_all, bad_all, result, None if replace_all else sorted(drop_dates))
    keys = pl.concat(keys_parts).unique() if keys_parts else pl.DataFrame(schema={"iin": pl.String, "worker_key": pl.String})
    return result, keys


def _write(con, extract: Extract, good: pl.DataFrame, bad: pl.DataFrame | None, result: ExtractResult,
           only_drops: list[dt.date] | None) -> None:
    files = pl.DataFrame(
        {
            "extract": [extract.name] * len(result.files),
            "drop_date": [f.drop_date for f in result.files],
            "file": [f.file for f in result.files],
            "rows_landed": [f.landed for f in result.files],
            "rows_loaded": [f.loaded for f in result.files],
            "rows_rejected": [f.rejected for f in result.files],
            "missing_optional_columns": [",".join(f.missing_optional) or None for f in result.files],
        },
        schema={"extract": pl.String, "drop_date": pl.String, "file": pl.String, "rows_landed": pl.Int64,
                "rows_loaded": pl.Int64, "rows_rejected": pl.Int64, "missing_optional_columns": pl.String},
    )
    con.register("incoming_good", good.to_arrow())
    con.register("incoming_files", files.to_arrow())
    if bad is not None:
        con.register("incoming_bad", bad.to_arrow())
    table = f"raw.{extract.name}"
    scope, params = ("", [extract.name]) if only_drops is None else (
        f" AND drop_date IN ({', '.join('?' * len(only_drops))})", [extract.name, *only_drops])
    con.execute("BEGIN TRANSACTION")
    try:
        if only_drops is None or not _exists(con, extract.name):
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM incoming_good ORDER BY _drop_date, _line")
        else:
            existing = {r[0] for r in con.execute(f"SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ?", [extract.name]).fetchall()}
            for column in good.columns:
                if column not in existing:  # an extra column first seen in this drop
                    con.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" VARCHAR')
            con.execute(f"DELETE FROM {table} WHERE _drop_date IN ({', '.join('?' * len(only_drops))})", only_drops)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_good ORDER BY _drop_date, _line")
        con.execute(f"DELETE FROM dq.rejected_rows WHERE extract = ?{scope}", params)
        if bad is not None:
            con.execute("INSERT INTO dq.rejected_rows SELECT * FROM incoming_bad ORDER BY drop_date, line")
        con.execute(f"DELETE FROM dq.ingest_files WHERE extract = ?{scope}", params)
        con.execute("INSERT INTO dq.ingest_files SELECT extract, CAST(drop_date AS DATE), file, rows_landed, rows_loaded, rows_rejected, missing_optional_columns FROM incoming_files")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in ("incoming_good", "incoming_files", "incoming_bad"):
            try:
                con.unregister(name)
            except Exception:
                pass


def _exists(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = ?", [name]).fetchone()[0])


def write_worker_keys(delivery_con: duckdb.DuckDBPyConnection, keys: pl.DataFrame) -> None:
    if keys.height == 0:
        return
    delivery_con.register("incoming_keys", keys.to_arrow())
    delivery_con.execute("INSERT OR IGNORE INTO delivery.worker_keys SELECT iin, worker_key FROM incoming_keys")
    delivery_con.unregister("incoming_keys")
