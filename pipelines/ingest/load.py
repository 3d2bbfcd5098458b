"""Loading one extract, every drop of it, into raw.<extract> and dq.rejected_rows.

All files are read and validated before the warehouse is touched, and the tables are
replaced in one transaction: an unreadable or held-back file changes nothing, and a rerun
on the same landing directory writes the same rows.

An event extract's raw table holds every drop's rows. A snapshot extract's holds versions
(docs/design.md, "Snapshot versions"): a drop writes only its rows that differ from the
snapshot before it, and closes (`_until_drop`) the rows it no longer holds, so raw grows
with what changes, not with the number of drops.

Nothing from a file becomes SQL: the tables and columns named in SQL are the contract's,
quoted by the driver (`ident`); a file's unknown columns travel as one JSON text
(`_extras`). Values that look like IINs are masked wherever a landed value is kept as
text (quarantined records, extras, free text), whatever the column is called.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.contract import Extract
from pipelines.ingest.landing import Landing
from pipelines.ingest.reader import (
    EXTRAS_COL,
    LINE_COL,
    UnreadableFileError,
    json_record,
    read_landed_csv,
    resolve_inside,
)
from pipelines.ingest.validate import COLUMN_COL, REASON_COL, canonical, validate
from pipelines.masking import MASK, mask_frame, mask_series
from pipelines.pseudonym import worker_keys
from pipelines.thresholds import thresholds_for
from pipelines.warehouse import SNAPSHOT_UNTIL as UNTIL
from pipelines.warehouse import connect_delivery, ident, mark_staging_rebuild_due

META = ["_drop_date", "_file", "_line"]
_INCOMING = "incoming_good"  # the name the drop's good rows are registered under


class HeldBackError(UnreadableFileError):
    """A file that reads but must not replace what raw holds (a snapshot that would shrink
    past its threshold); the run fails and the warehouse stays as it was."""


@dataclass
class FileResult:
    """What ingestion did with one landed file: rows landed, loaded, rejected and kept
    unchanged, and the columns missing or unknown."""

    drop_date: str
    file: str
    landed: int
    loaded: int
    rejected: int
    missing_optional: list[str]
    unchanged: int = 0  # a snapshot's rows identical to the previous drop's, kept as they were
    extra_columns: list[str] = field(default_factory=list)  # unknown columns, as a report shows them


@dataclass
class ExtractResult:
    """What ingestion did with one extract: each file loaded, and the rejected rows by reason."""

    extract: str
    files: list[FileResult] = field(default_factory=list)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def landed(self) -> int:
        """Rows landed in all its files."""
        return sum(f.landed for f in self.files)

    @property
    def loaded(self) -> int:
        """Rows of all its files loaded into raw."""
        return sum(f.loaded for f in self.files)

    @property
    def rejected(self) -> int:
        """Rows of all its files quarantined."""
        return sum(f.rejected for f in self.files)

    @property
    def unchanged(self) -> int:
        """Snapshot rows identical to the previous drop's, kept as they were."""
        return sum(f.unchanged for f in self.files)


def _table(extract: Extract) -> str:
    return ident("raw", extract.name)


def _references(con: duckdb.DuckDBPyConnection, extract: Extract) -> dict[str, pl.DataFrame]:
    refs: dict[str, pl.DataFrame] = {}
    for ref in extract.references:
        cols = ", ".join(ident(c) for c in ref.target_columns)
        refs[ref.extract] = pl.from_arrow(
            con.sql(
                f"SELECT {cols}, min(_drop_date) AS _first_drop FROM {ident('raw', ref.extract)} GROUP BY {cols}"
            ).to_arrow_table()
        )
    return refs


def known_bins(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The BINs of the registry loaded so far: a 12-digit run equal to one is not an IIN."""
    if not _exists(con, "enterprises"):
        return frozenset()
    return frozenset(
        r[0] for r in con.execute("SELECT DISTINCT bin FROM raw.enterprises WHERE bin IS NOT NULL").fetchall()
    )


def create_raw(con: duckdb.DuckDBPyConnection, extract: Extract) -> None:
    """An empty raw.<extract>: its contract columns (as text), the extras, lineage and, for
    a snapshot, the version's end. Also what tests fill by hand."""
    _write_rows(con, extract, _empty_raw(extract))


def _empty_raw(extract: Extract) -> pl.DataFrame:
    schema = {extract.raw_column(c): pl.String for c in extract.column_names}
    schema.update({EXTRAS_COL: pl.String, "_drop_date": pl.Date, "_file": pl.String, "_line": pl.Int64})
    if extract.kind == "snapshot":
        schema[UNTIL] = pl.Date
    return pl.DataFrame(schema=schema)


def ingest_extract(
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    extract: Extract,
    key: bytes,
    drop_dates: set[dt.date] | None = None,
    known_keys: pl.DataFrame | None = None,
) -> tuple[ExtractResult, pl.DataFrame]:
    """(Re)loads the given drops (all when None) of one extract, in one transaction.

    Loading every drop replaces the tables whole, so a drop removed from the landing
    directory disappears too; loading some drops replaces just their rows. A snapshot's
    versions fold its drops in order, so loading a drop also replays every drop loaded
    after it. Each drop is written as soon as it is validated (memory stays at one file),
    and an unreadable or held-back file rolls the whole transaction back. `known_keys` are
    (iin, worker_key) pairs already computed; returns the result and the pairs this
    extract used, for the delivery file.
    """
    result = ExtractResult(extract.name)
    refs = _references(con, extract)
    replace_all = drop_dates is None or {d.date for d in landing.drops} <= drop_dates
    if extract.kind == "snapshot" and not replace_all:
        drop_dates = _snapshot_replay(con, extract, drop_dates)
        replace_all = drop_dates is None
    selected = [d for d in landing.drops if replace_all or d.date in drop_dates]
    bins = known_bins(con)
    used_keys: list[pl.DataFrame] = []
    rejected_counts: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        _mark_rebuild_if_not_appending(con, extract, replace_all, [d.date for d in selected])
        _clear(con, extract, None if replace_all else sorted(drop_dates))
        for drop in selected:
            path = drop.file(extract.name)
            if not (path.exists() or path.is_symlink()):
                continue
            display = landing.display(path)
            read = read_landed_csv(resolve_inside(path, landing.root, display), extract, display)
            checked = validate(read.frame, extract, drop.date, refs)
            good = canonical(checked.filter(pl.col(REASON_COL).is_null()), extract)
            bad = checked.filter(pl.col(REASON_COL).is_not_null())
            if extract.name == "enterprises":
                bins = bins | frozenset(good["bin"].to_list())
            masked = _quarantined(extract, read.header, bad, drop.date, display, bins)
            for iin_col in extract.iin_columns:
                pairs = worker_keys(key, good[iin_col], known_keys)
                used_keys.append(pairs)
                known_keys = pairs if known_keys is None else pl.concat([known_keys, pairs]).unique("iin")
                good = good.join(pairs.rename({"iin": iin_col, "worker_key": "_wk"}), on=iin_col, how="left")
                good = good.with_columns(pl.col("_wk").alias(iin_col)).drop("_wk")
            free_text = [c.name for c in extract.columns if c.free_text]
            good = mask_frame(good, [*free_text, EXTRAS_COL], bins).select(
                *[pl.col(c).alias(extract.raw_column(c)) for c in extract.column_names],
                pl.col(EXTRAS_COL),
                pl.lit(drop.date).alias("_drop_date"),
                pl.lit(display).alias("_file"),
                pl.col(LINE_COL).alias("_line"),
            )
            file_result = FileResult(
                str(drop.date),
                display,
                checked.height,
                good.height,
                bad.height,
                read.missing_optional,
                extra_columns=read.shown_extras,
            )
            if extract.kind == "snapshot":
                _hold_back_a_shrinking_snapshot(con, extract, good.height, drop.date, display)
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
    keys = (
        pl.concat(used_keys).unique("iin")
        if used_keys
        else pl.DataFrame(schema={"iin": pl.String, "worker_key": pl.String})
    )
    return result, keys


def pending_drops(
    con: duckdb.DuckDBPyConnection, landing: Landing, extract: Extract, partition_keys: list[str]
) -> set[dt.date]:
    """Complete drops up to the run's newest that hold this extract's file but were never
    loaded (a failed run leaves no trace in raw, so its drops are pending again): the run
    loads them too, so no drop is skipped by the runs of the drops after it."""
    if not partition_keys:
        return set()
    newest = max(dt.date.fromisoformat(k) for k in partition_keys)
    loaded = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT drop_date FROM dq.ingest_files WHERE extract = ?", [extract.name]
        ).fetchall()
    }
    return {
        d.date
        for d in landing.drops
        if d.date <= newest
        and d.date not in loaded
        and (d.file(extract.name).exists() or d.file(extract.name).is_symlink())
    }


def _quarantined(
    extract: Extract, header: list[str], bad: pl.DataFrame, drop_date: dt.date, display: str, bins: frozenset[str]
) -> pl.DataFrame:
    """dq.rejected_rows for the bad rows: the record as landed, as JSON, with the IIN columns
    masked whole and, in every field, whatever looks like an IIN (a short row shifts an IIN
    into another column; an unknown column may hold one)."""
    landed = [c for c in header if c in extract.column_names]
    bad = bad.with_columns(pl.when(pl.col(c).is_not_null()).then(pl.lit(MASK)).alias(c) for c in extract.iin_columns)
    contract_part = json_record({c: c for c in landed})
    record = (
        pl.when(pl.col(EXTRAS_COL).is_null())
        .then(contract_part)
        .otherwise(contract_part.str.strip_suffix("}") + pl.lit(",") + pl.col(EXTRAS_COL).str.strip_prefix("{"))
    )
    out = bad.select(
        pl.lit(extract.name).alias("extract"),
        pl.lit(drop_date).alias("drop_date"),
        pl.lit(display).alias("file"),
        pl.col(LINE_COL).alias("line"),
        pl.col(COLUMN_COL).alias("column"),
        pl.col(REASON_COL).alias("reason"),
        (record if landed else pl.col(EXTRAS_COL)).alias("raw_record"),
    )
    return out.with_columns(mask_series(out["raw_record"], bins).alias("raw_record"))


def _hold_back_a_shrinking_snapshot(con, extract: Extract, rows: int, drop_date: dt.date, display: str) -> None:
    """A snapshot drop replaces the whole snapshot: a header-only or wholly rejected file,
    or one that lost more rows than extract_thresholds allows, is far more likely a broken
    extract than the truth, so it is refused before it replaces anything."""
    if not _exists(con, extract.name):
        return
    previous = con.execute(f"SELECT count(*) FROM {_table(extract)} WHERE {UNTIL} IS NULL").fetchall()[0][0]
    limits = thresholds_for(extract.name, drop_date)
    if limits.shrink_blocks(previous, rows):
        raise HeldBackError(
            f"{display}: held back — its {rows:,} good rows would replace a snapshot of {previous:,} "
            f"(more than {limits.snapshot_shrink_block_share:.0%} fewer; seeds/policy/extract_thresholds.csv); "
            "the previous snapshot stays"
        )


def _mark_rebuild_if_not_appending(con, extract: Extract, replace_all: bool, dates: list[dt.date]) -> None:
    """Event staging merges only drops newer than it has seen; any other change to raw
    (a full reload, a reloaded or back-filled drop) marks it for a full rebuild."""
    if extract.kind != "event" or not dates:
        return
    newest = (
        con.execute(f"SELECT max(_drop_date) FROM {_table(extract)}").fetchall()[0][0]
        if _exists(con, extract.name)
        else None
    )
    if replace_all:
        reason = "every drop reloaded"
    elif newest is not None and min(dates) <= newest:
        reason = f"drop {min(dates)} reloaded or back-filled (raw already holds drops up to {newest})"
    else:
        return
    mark_staging_rebuild_due(con, extract.name, reason)


def _clear(con, extract: Extract, only_drops: list[dt.date] | None) -> None:
    if only_drops is None:
        con.execute(f"DROP TABLE IF EXISTS {_table(extract)}")
        con.execute("DELETE FROM dq.rejected_rows WHERE extract = ?", [extract.name])
        con.execute("DELETE FROM dq.ingest_files WHERE extract = ?", [extract.name])
        return
    marks = ", ".join("?" * len(only_drops))
    if _exists(con, extract.name):
        con.execute(f"DELETE FROM {_table(extract)} WHERE _drop_date IN ({marks})", only_drops)
        if extract.kind == "snapshot":  # rewind: reopen what the replayed drops closed
            con.execute(f"UPDATE {_table(extract)} SET {UNTIL} = NULL WHERE {UNTIL} IN ({marks})", only_drops)
    con.execute(
        f"DELETE FROM dq.rejected_rows WHERE extract = ? AND drop_date IN ({marks})", [extract.name, *only_drops]
    )
    con.execute(
        f"DELETE FROM dq.ingest_files WHERE extract = ? AND drop_date IN ({marks})", [extract.name, *only_drops]
    )


def _snapshot_replay(con, extract: Extract, drop_dates: set[dt.date]) -> set[dt.date] | None:
    """Versions fold the drops in date order, so loading a drop replays every loaded drop
    from it on (`_clear` rewinds them first): the given drops and those. None: every drop,
    when raw was written before snapshots were versioned."""
    if not _exists(con, extract.name):
        return drop_dates
    if UNTIL not in _columns(con, extract.name):
        return None
    later = con.execute(
        "SELECT DISTINCT drop_date FROM dq.ingest_files WHERE extract = ? AND drop_date >= ?",
        [extract.name, min(drop_dates)],
    ).fetchall()
    return drop_dates | {r[0] for r in later}


def _data_columns(extract: Extract) -> list[str]:
    """A raw row's data: the contract's columns and the extras (what a snapshot compares)."""
    return [extract.raw_column(c) for c in extract.column_names] + [EXTRAS_COL]


@contextmanager
def _incoming(con, extract: Extract, good: pl.DataFrame) -> Iterator[str]:
    """The drop's good rows registered for SQL, under a name the driver quotes; the frame's
    columns are checked against the contract first, since `SELECT *` and `BY NAME` carry
    them into raw."""
    allowed = {*_data_columns(extract), *META, UNTIL}
    unknown = [c for c in good.columns if c not in allowed]
    missing = [c for c in _data_columns(extract) if c not in good.columns]
    if unknown or missing:
        raise ValueError(
            f"{extract.name}: rows to write do not match the contract (unknown {unknown}, missing {missing})"
        )
    con.register(_INCOMING, good.to_arrow())
    try:
        yield ident(_INCOMING)
    finally:
        con.unregister(_INCOMING)


def _write_snapshot(con, extract: Extract, good: pl.DataFrame, drop_date: dt.date) -> int:
    """Writes the drop's rows that are new or differ from the open version of their key,
    and closes the open versions the drop does not hold as they are; returns the rows
    left as they were. The open versions are then exactly the drop's good rows."""
    if not _exists(con, extract.name):
        _write_rows(con, extract, good.with_columns(pl.lit(None, dtype=pl.Date).alias(UNTIL)))
        return 0
    table = _table(extract)
    _ensure_extras(con, extract)
    columns = ", ".join(ident(c) for c in _data_columns(extract))
    key = [ident(extract.raw_column(k)) for k in extract.key]
    same_key = " AND ".join(f"t.{k} = d.{k}" for k in key)
    with _incoming(con, extract, good) as incoming:
        try:
            # Every column compared as landed (text, nulls equal): EXCEPT is a set difference.
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE snapshot_open AS SELECT {columns} FROM {table} WHERE {UNTIL} IS NULL"
            )
            con.execute(f"CREATE OR REPLACE TEMP TABLE snapshot_incoming AS SELECT {columns} FROM {incoming}")
            con.execute(
                f"UPDATE {table} AS t SET {UNTIL} = ? "
                f"FROM (SELECT * FROM snapshot_open EXCEPT SELECT * FROM snapshot_incoming) AS d "
                f"WHERE t.{UNTIL} IS NULL AND {same_key}",
                [drop_date],
            )
            written = con.execute(
                f"INSERT INTO {table} BY NAME SELECT t.*, CAST(NULL AS DATE) AS {UNTIL} FROM {incoming} t "
                f"WHERE EXISTS (SELECT 1 FROM (SELECT * FROM snapshot_incoming EXCEPT SELECT * FROM snapshot_open) AS d "
                f"WHERE {same_key}) ORDER BY _line"
            ).fetchall()[0][0]
        finally:
            con.execute("DROP TABLE IF EXISTS snapshot_open")
            con.execute("DROP TABLE IF EXISTS snapshot_incoming")
    return good.height - written


def _write_rows(con, extract: Extract, good: pl.DataFrame) -> None:
    table = _table(extract)
    with _incoming(con, extract, good) as incoming:
        if not _exists(con, extract.name):
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM {incoming} ORDER BY _line")
        else:
            _ensure_extras(con, extract)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {incoming} ORDER BY _line")


def _ensure_extras(con, extract: Extract) -> None:
    """A raw table written before extras were carried as JSON gets the column."""
    con.execute(f"ALTER TABLE {_table(extract)} ADD COLUMN IF NOT EXISTS {ident(EXTRAS_COL)} VARCHAR")


def _record_file(con, extract: Extract, bad: pl.DataFrame, file: FileResult) -> None:
    if bad.height:
        con.register("incoming_bad", bad.to_arrow())
        con.execute("INSERT INTO dq.rejected_rows SELECT * FROM incoming_bad ORDER BY line")
        con.unregister("incoming_bad")
    con.execute(
        "INSERT INTO dq.ingest_files BY NAME SELECT ? AS extract, ? AS drop_date, ? AS file, ? AS rows_landed, "
        "? AS rows_loaded, ? AS rows_rejected, ? AS missing_optional_columns, ? AS rows_unchanged, "
        "? AS extra_columns",
        [
            extract.name,
            file.drop_date,
            file.file,
            file.landed,
            file.loaded,
            file.rejected,
            ",".join(file.missing_optional) or None,
            file.unchanged,
            ",".join(file.extra_columns) or None,
        ],
    )


def _columns(con, name: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ? "
            "ORDER BY ordinal_position",
            [name],
        ).fetchall()
    ]


def _exists(con, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = ?", [name]
        ).fetchall()[0][0]
    )


def read_worker_keys(delivery: Path) -> pl.DataFrame | None:
    """The pairs already in the restricted file: each IIN is hashed once, ever."""
    if not delivery.exists():
        return None
    with connect_delivery(delivery) as dcon:
        return pl.from_arrow(dcon.sql("SELECT iin, worker_key FROM delivery.worker_keys").to_arrow_table())


def write_worker_keys(delivery_con: duckdb.DuckDBPyConnection, keys: pl.DataFrame) -> None:
    """Adds IIN → worker_key pairs to the restricted delivery file; pairs it already holds stay
    as they are."""
    if keys.height == 0:
        return
    delivery_con.register("incoming_keys", keys.to_arrow())
    delivery_con.execute("INSERT OR IGNORE INTO delivery.worker_keys SELECT iin, worker_key FROM incoming_keys")
    delivery_con.unregister("incoming_keys")
