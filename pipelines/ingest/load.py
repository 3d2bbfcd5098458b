"""Loading one extract, every drop of it, into raw.<extract> and dq.rejected_rows.

All files are read and validated before the warehouse is touched, and the tables are
replaced in one transaction: an unreadable file changes nothing, and a rerun on the same
landing directory writes the same rows.

An event extract's raw table holds every drop's rows. A snapshot extract's holds versions
(docs/design.md, "Snapshot versions"): a drop writes only its rows that differ from the
snapshot before it, and closes (`_until_drop`) the rows it no longer holds, so raw grows
with what changes, not with the number of drops.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from dataclasses import dataclass, field

import duckdb
import polars as pl

from pipelines import contract
from pipelines.contract import Extract
from pipelines.ingest.landing import Landing
from pipelines.ingest.reader import LINE_COL, SHAPE_COL, read_landed_csv
from pipelines.ingest.validate import COLUMN_COL, REASON_COL, validate
from pipelines.pseudonym import MASK, worker_keys
from pipelines.warehouse import SNAPSHOT_UNTIL as UNTIL, connect_delivery, mark_staging_rebuild_due

META = ["_drop_date", "_file", "_line"]


@dataclass
class FileResult:
    drop_date: str
    file: str
    landed: int
    loaded: int
    rejected: int
    missing_optional: list[str]
    unchanged: int = 0  # a snapshot's rows identical to the previous drop's, kept as they were


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

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)


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


def create_raw(con: duckdb.DuckDBPyConnection, extract: Extract) -> None:
    """An empty raw.<extract>: its contract columns (as text), lineage and, for a snapshot,
    the version's end. Also what tests fill by hand."""
    _write_rows(con, extract, _empty_raw(extract))


def _empty_raw(extract: Extract) -> pl.DataFrame:
    schema = {raw_column_name(extract, c): pl.String for c in extract.column_names}
    schema.update({"_drop_date": pl.Date, "_file": pl.String, "_line": pl.Int64})
    if extract.kind == "snapshot":
        schema[UNTIL] = pl.Date
    return pl.DataFrame(schema=schema)


def ingest_extract(
    con: duckdb.DuckDBPyConnection, landing: Landing, extract: Extract, key: bytes,
    drop_dates: set[dt.date] | None = None, known_keys: pl.DataFrame | None = None,
) -> tuple[ExtractResult, pl.DataFrame]:
    """(Re)loads the given drops (all when None) of one extract, in one transaction.

    Loading every drop replaces the tables whole, so a drop removed from the landing
    directory disappears too; loading some drops replaces just their rows. A snapshot's
    versions fold its drops in order, so loading a drop also replays every drop loaded
    after it. Each drop is
    written as soon as it is validated (memory stays at one file), and an unreadable file
    rolls the whole transaction back. `known_keys` are (iin, worker_key) pairs already
    computed; returns the result and the pairs this extract used, for the delivery file.
    """
    result = ExtractResult(extract.name)
    refs = _references(con, extract)
    replace_all = drop_dates is None or {d.date for d in landing.drops} <= drop_dates
    if extract.kind == "snapshot" and not replace_all:
        drop_dates = _snapshot_replay(con, extract, drop_dates)
        replace_all = drop_dates is None
    selected = [d for d in landing.drops if replace_all or d.date in drop_dates]
    used_keys: list[pl.DataFrame] = []
    rejected_counts: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        _mark_rebuild_if_not_appending(con, extract, replace_all, [d.date for d in selected])
        _clear(con, extract, None if replace_all else sorted(drop_dates))
        for drop in selected:
            path = drop.file(extract.name)
            if not path.exists():
                continue
            display = landing.display(path)
            read = read_landed_csv(path, extract, display)  # raises UnreadableFileError
            checked = validate(read.frame, extract, drop.date, refs)
            good = checked.filter(pl.col(REASON_COL).is_null())
            bad = checked.filter(pl.col(REASON_COL).is_not_null())
            for iin_col in extract.iin_columns:
                pairs = worker_keys(key, good[iin_col], known_keys)
                used_keys.append(pairs)
                known_keys = pairs if known_keys is None else pl.concat([known_keys, pairs]).unique("iin")
                good = good.join(pairs.rename({"iin": iin_col, "worker_key": "_wk"}), on=iin_col, how="left")
                good = good.with_columns(pl.col("_wk").alias(iin_col)).drop("_wk")
            extras = [c for c in read.header if c not in extract.column_names]
            good = good.select(
                *[pl.col(c).alias(raw_column_name(extract, c)) for c in extract.column_names],
                *[pl.col(c) for c in extras],
                pl.lit(drop.date).alias("_drop_date"),
                pl.lit(display).alias("_file"),
                pl.col(LINE_COL).alias("_line"),
            )
            masked = bad.with_columns(
                pl.when(pl.col(c).is_not_null()).then(pl.lit(MASK)).alias(c) for c in extract.iin_columns
            ).select(
                pl.lit(extract.name).alias("extract"),
                pl.lit(drop.date).alias("drop_date"),
                pl.lit(display).alias("file"),
                pl.col(LINE_COL).alias("line"),
                pl.col(COLUMN_COL).alias("column"),
                pl.col(REASON_COL).alias("reason"),
                pl.struct(read.header).struct.json_encode().alias("raw_record"),
            )
            file_result = FileResult(str(drop.date), display, checked.height, good.height, bad.height, read.missing_optional)
            if extract.kind == "snapshot":
                file_result.unchanged = _write_snapshot(con, extract, good, drop.date)
            else:
                _write_rows(con, extract, good)
            _record_file(con, extract, masked, file_result)
            result.files.append(file_result)
            for reason in masked["reason"].str.split(":").list.first().to_list():
                rejected_counts[reason] = rejected_counts.get(reason, 0) + 1
            del checked, read, good, bad, masked
        if not _exists(con, extract.name):
            create_raw(con, extract)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    result.rejected_by_reason = dict(sorted(rejected_counts.items()))
    keys = pl.concat(used_keys).unique("iin") if used_keys else pl.DataFrame(schema={"iin": pl.String, "worker_key": pl.String})
    return result, keys


def _mark_rebuild_if_not_appending(con, extract: Extract, replace_all: bool, dates: list[dt.date]) -> None:
    """Event staging merges only drops newer than it has seen; any other change to raw
    (a full reload, a reloaded or back-filled drop) marks it for a full rebuild."""
    if extract.kind != "event" or not dates:
        return
    newest = con.execute(f"SELECT max(_drop_date) FROM raw.{extract.name}").fetchall()[0][0] if _exists(con, extract.name) else None
    if replace_all:
        reason = "every drop reloaded"
    elif newest is not None and min(dates) <= newest:
        reason = f"drop {min(dates)} reloaded or back-filled (raw already holds drops up to {newest})"
    else:
        return
    mark_staging_rebuild_due(con, extract.name, reason)


def _clear(con, extract: Extract, only_drops: list[dt.date] | None) -> None:
    if only_drops is None:
        con.execute(f"DROP TABLE IF EXISTS raw.{extract.name}")
        con.execute("DELETE FROM dq.rejected_rows WHERE extract = ?", [extract.name])
        con.execute("DELETE FROM dq.ingest_files WHERE extract = ?", [extract.name])
        return
    marks = ", ".join("?" * len(only_drops))
    if _exists(con, extract.name):
        con.execute(f"DELETE FROM raw.{extract.name} WHERE _drop_date IN ({marks})", only_drops)
        if extract.kind == "snapshot":  # rewind: reopen what the replayed drops closed
            con.execute(f"UPDATE raw.{extract.name} SET {UNTIL} = NULL WHERE {UNTIL} IN ({marks})", only_drops)
    con.execute(f"DELETE FROM dq.rejected_rows WHERE extract = ? AND drop_date IN ({marks})", [extract.name, *only_drops])
    con.execute(f"DELETE FROM dq.ingest_files WHERE extract = ? AND drop_date IN ({marks})", [extract.name, *only_drops])


def _snapshot_replay(con, extract: Extract, drop_dates: set[dt.date]) -> set[dt.date] | None:
    """Versions fold the drops in date order, so loading a drop replays every loaded drop
    from it on (`_clear` rewinds them first): the given drops and those. None: every drop,
    when raw was written before snapshots were versioned."""
    if not _exists(con, extract.name):
        return drop_dates
    if UNTIL not in _columns(con, extract.name):
        return None
    later = con.execute("SELECT DISTINCT drop_date FROM dq.ingest_files WHERE extract = ? AND drop_date >= ?",
                        [extract.name, min(drop_dates)]).fetchall()
    return drop_dates | {r[0] for r in later}


def _write_snapshot(con, extract: Extract, good: pl.DataFrame, drop_date: dt.date) -> int:
    """Writes the drop's rows that are new or differ from the open version of their key,
    and closes the open versions the drop does not hold as they are; returns the rows
    left as they were. The open versions are then exactly the drop's good rows."""
    if not _exists(con, extract.name):
        _write_rows(con, extract, good.with_columns(pl.lit(None, dtype=pl.Date).alias(UNTIL)))
        return 0
    table = f"raw.{extract.name}"
    data = [c for c in _add_new_columns(con, extract, good.columns) if c not in (*META, UNTIL)]
    columns = ", ".join(f'"{c}"' for c in data)
    incoming = ", ".join(f'"{c}"' if c in good.columns else f'CAST(NULL AS VARCHAR) AS "{c}"' for c in data)
    key = [f'"{raw_column_name(extract, k)}"' for k in extract.key]
    same_key = " AND ".join(f"t.{k} = d.{k}" for k in key)
    con.register("incoming_good", good.to_arrow())
    try:
        # Every column compared as landed (text, nulls equal): EXCEPT is a set difference.
        con.execute(f"CREATE OR REPLACE TEMP TABLE snapshot_open AS SELECT {columns} "
                    f"FROM {table} WHERE {UNTIL} IS NULL")
        con.execute(f"CREATE OR REPLACE TEMP TABLE snapshot_incoming AS SELECT {incoming} FROM incoming_good")
        con.execute(f"UPDATE {table} AS t SET {UNTIL} = ? "
                    f"FROM (SELECT * FROM snapshot_open EXCEPT SELECT * FROM snapshot_incoming) AS d "
                    f"WHERE t.{UNTIL} IS NULL AND {same_key}", [drop_date])
        written = con.execute(
            f"INSERT INTO {table} BY NAME SELECT t.*, CAST(NULL AS DATE) AS {UNTIL} FROM incoming_good t "
            f"WHERE EXISTS (SELECT 1 FROM (SELECT * FROM snapshot_incoming EXCEPT SELECT * FROM snapshot_open) AS d "
            f"WHERE {same_key}) ORDER BY _line").fetchall()[0][0]
    finally:
        con.unregister("incoming_good")
        con.execute("DROP TABLE IF EXISTS snapshot_open")
        con.execute("DROP TABLE IF EXISTS snapshot_incoming")
    return good.height - written


def _write_rows(con, extract: Extract, good: pl.DataFrame) -> None:
    table = f"raw.{extract.name}"
    con.register("incoming_good", good.to_arrow())
    try:
        if not _exists(con, extract.name):
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM incoming_good ORDER BY _line")
        else:
            _add_new_columns(con, extract, good.columns)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_good ORDER BY _line")
    finally:
        con.unregister("incoming_good")


def _add_new_columns(con, extract: Extract, columns: list[str]) -> list[str]:
    """Adds the extra columns first seen in this drop; returns the table's columns."""
    existing = _columns(con, extract.name)
    for column in columns:
        if column not in existing:
            con.execute(f'ALTER TABLE raw.{extract.name} ADD COLUMN "{column}" VARCHAR')
            existing.append(column)
    return existing


def _record_file(con, extract: Extract, bad: pl.DataFrame, file: FileResult) -> None:
    if bad.height:
        con.register("incoming_bad", bad.to_arrow())
        con.execute("INSERT INTO dq.rejected_rows SELECT * FROM incoming_bad ORDER BY line")
        con.unregister("incoming_bad")
    con.execute("INSERT INTO dq.ingest_files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [extract.name, file.drop_date, file.file, file.landed, file.loaded, file.rejected,
                 ",".join(file.missing_optional) or None, file.unchanged])


def _columns(con, name: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ? "
        "ORDER BY ordinal_position", [name]).fetchall()]


def _exists(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = ?", [name]).fetchall()[0][0])


def read_worker_keys(delivery: Path) -> pl.DataFrame | None:
    """The pairs already in the restricted file: each IIN is hashed once, ever."""
    if not delivery.exists():
        return None
    with connect_delivery(delivery) as dcon:
        return pl.from_arrow(dcon.sql("SELECT iin, worker_key FROM delivery.worker_keys").to_arrow_table())


def write_worker_keys(delivery_con: duckdb.DuckDBPyConnection, keys: pl.DataFrame) -> None:
    if keys.height == 0:
        return
    delivery_con.register("incoming_keys", keys.to_arrow())
    delivery_con.execute("INSERT OR IGNORE INTO delivery.worker_keys SELECT iin, worker_key FROM incoming_keys")
    delivery_con.unregister("incoming_keys")
