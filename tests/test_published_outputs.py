"""What readers open after a run (issues 15 item 5 and 16): the analyst copy in a storage
format DuckDB 1.1 reads, every table and column described, Parquet of every mart and
reference table with its descriptions, the static map, the dbt docs site; the region
shapes and the codebook against the data they label."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from playwright.sync_api import sync_playwright

from pipelines.app.launch import launch_chromium
from pipelines.publish import MIN_READER, PARQUET_PARTITIONS, publish
from pipelines.region_map import SHAPES_FILE

REPO = Path(__file__).resolve().parents[1]
OLD_DUCKDB = "1.1.3"  # the oldest release of the 1.1 line on PyPI for Python 3.11 that the BI drivers bundle
# A virtual environment with the old DuckDB, made once and kept between test sessions.
OLD_READER_VENV = REPO / "var" / "cache" / f"duckdb-{OLD_DUCKDB}-reader"


@pytest.fixture(scope="module")
def published(tiny_run) -> Path:
    return tiny_run.warehouse.parent / "published"


def _q(path: Path, sql: str):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _old_python() -> Path:
    python = OLD_READER_VENV / "bin" / "python"
    probe = [str(python), "-c", f"import duckdb; assert duckdb.__version__ == '{OLD_DUCKDB}'"]
    if not python.exists() or subprocess.run(probe, capture_output=True).returncode != 0:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(OLD_READER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"duckdb=={OLD_DUCKDB}"], check=True)
    return python


def test_duckdb_1_1_opens_the_analyst_copy_and_reads_every_table(published):
    assert OLD_DUCKDB.startswith(MIN_READER.rsplit(".", 1)[0])
    copy = published / "lrm_analyst.duckdb"
    expected = {
        f"{s}.{t}": _q(copy, f'SELECT count(*) FROM {s}."{t}"')[0][0]
        for s, t in _q(copy, "SELECT schema_name, table_name FROM duckdb_tables()")
    }
    script = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "tables = con.execute('SELECT schema_name, table_name, comment FROM duckdb_tables()').fetchall()\n"
        "out = {f'{s}.{t}': [con.execute(f'SELECT count(*) FROM {s}.\"{t}\"').fetchone()[0], c] for s, t, c in tables}\n"
        "out['_version'] = duckdb.__version__\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run([str(_old_python()), "-c", script, str(copy)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout)
    assert seen.pop("_version") == OLD_DUCKDB
    assert {k: v[0] for k, v in seen.items()} == expected
    assert seen["marts.region_risk"][1]  # the comments survive too


def test_every_published_table_and_column_is_described(published):
    copy = published / "lrm_analyst.duckdb"
    tables = _q(copy, "SELECT schema_name, table_name, comment FROM duckdb_tables()")
    assert {s for s, _, _ in tables} == {"marts", "reference", "dq"}
    assert [f"{s}.{t}" for s, t, c in tables if not (c or "").strip()] == []
    undescribed = _q(
        copy,
        "SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns() "
        "WHERE NOT internal AND coalesce(trim(comment), '') = ''",
    )
    assert [r[0] for r in undescribed] == []
    # Nothing points a reader outside the repository.
    comments = " ".join(
        c
        for (c,) in _q(
            copy,
            "SELECT comment FROM duckdb_columns() WHERE NOT internal UNION ALL SELECT comment FROM duckdb_tables()",
        )
    )
    assert "../shared" not in comments and "domain.md" not in comments and "outputs.md" not in comments


def test_parquet_of_every_mart_and_reference_table_carries_the_descriptions(published):
    copy = published / "lrm_analyst.duckdb"
    current = published / "parquet" / "current"
    for schema, table, comment in _q(
        copy, "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE schema_name IN ('marts', 'reference')"
    ):
        files = sorted((current / table).rglob("*.parquet"))
        assert files, f"no Parquet for {schema}.{table}"
        if table in PARQUET_PARTITIONS:
            assert {p.name.split("=")[0] for p in (current / table).iterdir()} == {PARQUET_PARTITIONS[table][0]}
        meta = {k.decode(): v.decode() for k, v in pq.read_metadata(files[0]).metadata.items()}
        assert meta["description"] == comment
        columns = _q(
            copy,
            f"SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = '{schema}' "
            f"AND table_name = '{table}'",
        )
        for column, described in columns:
            assert meta[f"column_description.{column}"] == described, f"{table}.{column}"
        rows = sum(pq.read_metadata(f).num_rows for f in files)
        assert rows == _q(copy, f'SELECT count(*) FROM {schema}."{table}"')[0][0]


def test_parquet_reads_back_as_the_analyst_copy(published):
    """Every Parquet export, read back (hive partitions included), holds exactly the rows of
    its table in the analyst copy, value for value."""
    copy = published / "lrm_analyst.duckdb"
    current = published / "parquet" / "current"
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{copy}' AS copy (READ_ONLY)")
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'copy' "
            "AND schema_name IN ('marts', 'reference')"
        ).fetchall()
        assert len(tables) > 20
        for schema, table in tables:
            columns = ", ".join(
                f'"{c}"'
                for (c,) in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE database_name = 'copy' AND schema_name = ? AND table_name = ? "
                    "ORDER BY column_index",
                    [schema, table],
                ).fetchall()
            )
            parquet = (
                f"read_parquet('{current / table}/**/*.parquet', hive_partitioning = true, hive_types_autocast = false)"
            )
            rows = con.execute(f"SELECT count(*) FROM {parquet}").fetchall()[0][0]
            assert rows == con.execute(f'SELECT count(*) FROM copy.{schema}."{table}"').fetchall()[0][0], table
            for left, right in (
                (f"SELECT {columns} FROM {parquet}", f'SELECT {columns} FROM copy.{schema}."{table}"'),
                (f'SELECT {columns} FROM copy.{schema}."{table}"', f"SELECT {columns} FROM {parquet}"),
            ):
                differ = con.execute(f"SELECT count(*) FROM ({left} EXCEPT ALL {right})").fetchall()[0][0]
                assert differ == 0, f"{table}: {differ} rows of the Parquet and the copy differ"
    finally:
        con.close()


def test_static_map_opens_from_disk_with_no_network_and_shows_every_region(published):
    page = published / "map" / "index.html"
    html = page.read_text(encoding="utf-8")
    regions = _q(published / "lrm_analyst.duckdb", "SELECT code, name_ru FROM reference.regions")
    assert html.count('<tr data-region="') == 20
    for _, name in regions:
        assert name in html
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        context = browser.new_context(offline=True)
        asked: list[str] = []
        context.on("request", lambda r: asked.append(r.url))
        view = context.new_page()
        view.goto(page.as_uri())
        shaded = view.locator("g.trace.choropleth").last.locator("path.choroplethlocation")
        shaded.first.wait_for(timeout=30000)
        assert shaded.count() == 20
        browser.close()
    assert [u for u in asked if not u.startswith(("file:", "data:"))] == []


def test_dbt_docs_site_is_published_with_the_descriptions(published):
    site = (published / "docs" / "index.html").read_text(encoding="utf-8")
    description = _q(
        published / "lrm_analyst.duckdb", "SELECT comment FROM duckdb_tables() WHERE table_name = 'region_risk'"
    )[0][0]
    assert "region_risk" in site and json.dumps(description)[1:40] in site


def test_region_shapes_are_the_regions_of_the_seed():
    shapes = json.loads(SHAPES_FILE.read_text(encoding="utf-8"))
    ids = sorted(f["id"] for f in shapes["features"])
    with open(REPO / "seeds" / "reference" / "regions.csv", encoding="utf-8") as f:
        seed = list(csv.DictReader(f))
    in_force = [r for r in seed if not r["valid_to"]]
    assert ids == sorted(r["iso_code"] for r in in_force) == sorted(f"KZ-{r['code']}" for r in in_force)
    assert len(ids) == 20 and {"KZ-10", "KZ-33", "KZ-62"} <= set(ids)  # Abai, Zhetisu, Ulytau (2022)
    assert (SHAPES_FILE.parent / "LICENSE").read_text(encoding="utf-8").startswith("## Free amCharts license")


def test_codebook_gives_a_meaning_to_every_coded_value_published(published):
    copy = published / "lrm_analyst.duckdb"
    with duckdb.connect(str(copy), read_only=True) as con:
        coded = {r[0] for r in con.execute("SELECT DISTINCT column_name FROM reference.codebook").fetchall()}
        columns = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name IN ('marts', 'dq') AND data_type = 'VARCHAR'"
        ).fetchall()
        checked = set()
        for schema, table, column in columns:
            if column not in coded:
                continue
            unknown = con.execute(
                f'SELECT DISTINCT "{column}" FROM {schema}."{table}" WHERE "{column}" IS NOT NULL AND "{column}" NOT IN '
                "(SELECT code FROM reference.codebook WHERE column_name = ?)",
                [column],
            ).fetchall()
            assert unknown == [], f"{schema}.{table}.{column}: no meaning for {unknown}"
            checked.add(column)
    # The coded columns the app shows are all in use in the tiny run.
    assert {
        "attestation_status",
        "workplace_class",
        "risk_level",
        "ctr_level",
        "guarantee",
        "regime",
        "unit",
        "gap_kind",
        "finding",
        "indicator_group",
        "source",
        "status",
    } <= checked


def _state(folder: Path) -> dict[str, str]:
    """Every file's hash and every symlink's target below `folder`."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        if p.is_symlink():
            out[rel] = "-> " + str(p.readlink())
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def test_a_publish_that_fails_leaves_the_previous_one_whole(tiny_run, tmp_path):
    warehouse = tmp_path / "lrm.duckdb"
    shutil.copy(tiny_run.warehouse, warehouse)
    shutil.copytree(tiny_run.warehouse.parent / "published", tmp_path / "published", symlinks=True)
    before = _state(tmp_path / "published")
    assert {"lrm_analyst.duckdb", "map/index.html", "docs/index.html", "parquet/current"} <= set(before)
    with duckdb.connect(str(warehouse)) as con:  # the static map cannot be labelled without it
        con.execute("DROP TABLE reference.ui_labels")
    with pytest.raises(duckdb.CatalogException, match="ui_labels"):
        publish(warehouse, "a-run-that-fails", "2026-11-23")
    assert _state(tmp_path / "published") == before
    assert not list((tmp_path / "published").glob(".build*"))


def test_a_table_the_dbt_project_does_not_declare_is_refused_not_published(tiny_run, tmp_path):
    """A table's name goes into the copy's SQL and names a Parquet folder: only the models,
    seeds and sources of the dbt project are published; a crafted name is refused before
    anything is published."""
    warehouse = tmp_path / "lrm.duckdb"
    shutil.copy(tiny_run.warehouse, warehouse)
    shutil.copytree(tiny_run.warehouse.parent / "published", tmp_path / "published", symlinks=True)
    before = _state(tmp_path / "published")
    with duckdb.connect(str(warehouse)) as con:
        con.execute('CREATE TABLE marts."x"" ; DROP SCHEMA pub CASCADE; --" AS SELECT 1 AS a')
    with pytest.raises(RuntimeError, match="not declared by the dbt project"):
        publish(warehouse, "a-crafted-table", "2026-11-23")
    assert _state(tmp_path / "published") == before
    assert not list((tmp_path / "published").glob(".build*"))
