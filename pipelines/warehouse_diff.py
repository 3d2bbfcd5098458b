"""What two warehouses built from the same landing must agree on, and the comparison:
idempotence (docs/design.md, published interface), kill and rerun, and incremental runs against a full rebuild
(issue 6; the tests, and `make bench` at national scale)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.memory import DUCKDB_MEMORY_LIMIT

# Assignment history counts runs (docs/design.md, "Incremental runs"): a warehouse built
# drop by drop has a run per drop where one full run over the same drops has one.
RUN_COUNTING_TABLES = frozenset(
    {
        "intermediate.int_guarantees__assignment_versions",
        "intermediate.int_guarantees__assignment_runs",
        "marts.assignment_history",
        "marts.assignment_events",
    }
)


def landing_derived_tables(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> list[str]:
    """schema.table of every table a run derives from the landing: the same landing gives
    the same rows in them (docs/design.md, published interface: idempotent), and so does any sequence of runs over
    it (issue 6: kill and rerun, drop by drop) but for RUN_COUNTING_TABLES. Not the run log
    (dq.run_*, dq.check_results), which grows by design, nor the pipeline's pending work
    (ops), which a failed run leaves behind."""
    rows = con.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' AND table_catalog = coalesce(?, current_database()) "
        "AND NOT (table_schema = 'dq' AND (starts_with(table_name, 'run_') OR table_name = 'check_results')) "
        "AND table_schema <> 'ops' ORDER BY 1",
        [catalog],
    ).fetchall()
    return [r[0] for r in rows]


# Doubles that differ by less than this are equal: parallel sums differ in the last bits
# from run to run, and a value on a rounding boundary rounds either way (dbt macro stable_float).
FLOAT_TOLERANCE = 1e-8


def differing_tables(a: Path, b: Path, ignore: frozenset[str] = RUN_COUNTING_TABLES) -> dict[str, int]:
    """The tables the landing decides whose rows differ between two warehouses, with the
    number of rows in one and not the other (-1: the table is in one only). Rows are
    compared whole, doubles within FLOAT_TOLERANCE. By default assignment history, which
    counts runs, is left out; the same run repeated must leave it as it was too."""
    con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY_LIMIT})
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
        in_a, in_b = set(landing_derived_tables(con, "a")), set(landing_derived_tables(con, "b"))
        differing = {t: -1 for t in in_a ^ in_b}
        for table in sorted((in_a & in_b) - ignore):
            n = _rows_only_in_one(con, table)
            if n:
                differing[table] = n
        return differing
    finally:
        con.close()


def _rows_only_in_one(con: duckdb.DuckDBPyConnection, table: str) -> int:
    schema, name = table.split(".")
    columns = con.execute(
        "SELECT column_name, data_type IN ('DOUBLE', 'FLOAT') FROM information_schema.columns "
        "WHERE table_catalog = 'a' AND table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, name],
    ).fetchall()
    values = [f'round("{c}", 9)' if is_float else f'"{c}"' for c, is_float in columns]
    select = ", ".join(f'{v} AS "{c}"' for v, (c, _) in zip(values, columns))
    row_hash = f"hash({', '.join(values)})"
    # The rows whose hash (doubles rounded to 9 decimals) is not as often in one table as
    # in the other: none on a match, so the whole comparison is one scan of each table. (A
    # 64-bit hash: two different rows colliding, and so hiding each other, is negligible.)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE unmatched AS
        WITH ha AS (SELECT {row_hash} AS h, count(*) AS n FROM a.{schema}."{name}" GROUP BY h),
             hb AS (SELECT {row_hash} AS h, count(*) AS n FROM b.{schema}."{name}" GROUP BY h)
        SELECT h FROM ha FULL JOIN hb USING (h) WHERE ha.n IS DISTINCT FROM hb.n""")
    if not con.execute("SELECT count(*) FROM unmatched").fetchall()[0][0]:
        return 0
    # The rows left on each side are paired within the tolerance.
    same = " AND ".join(
        f'((x."{c}" IS NULL AND y."{c}" IS NULL) OR abs(x."{c}" - y."{c}") <= {FLOAT_TOLERANCE})'
        if is_float
        else f'x."{c}" IS NOT DISTINCT FROM y."{c}"'
        for c, is_float in columns
    )
    a_rows, b_rows = (
        f'SELECT {select} FROM {side}.{schema}."{name}" WHERE {row_hash} IN (SELECT h FROM unmatched)'
        for side in ("a", "b")
    )
    ((n,),) = con.execute(f"""
        WITH a_only AS ({a_rows} EXCEPT ALL {b_rows}), b_only AS ({b_rows} EXCEPT ALL {a_rows})
        SELECT (SELECT count(*) FROM a_only x WHERE NOT EXISTS (SELECT 1 FROM b_only y WHERE {same}))
             + (SELECT count(*) FROM b_only y WHERE NOT EXISTS (SELECT 1 FROM a_only x WHERE {same}))""").fetchall()
    return n
