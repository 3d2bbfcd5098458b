"""The whole pipeline on generated `tiny --dirty` drops: landing → raw → dbt → published.

One warehouse is built once per session (tests/conftest.py); each test here reads it.
"""

from __future__ import annotations

import csv
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import duckdb

from pipelines import contract
from pipelines.warehouse import REBUILD_DUE, in_snapshot_of
from pipelines.warehouse_diff import differing_tables
from tests.iin_scan import iins_in_duckdb, iins_in_files, iins_in_parquet, iins_in_text, landed_iins


def _query(path: Path, sql: str, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _landed_rows(landing: Path) -> dict[tuple[str, str], int]:
    """Data rows of each (extract, drop) file of every complete drop, counted independently
    of the pipeline."""
    counts: dict[tuple[str, str], int] = {}
    for drop in sorted(landing.iterdir()):
        if not drop.is_dir() or not (drop / contract.SUCCESS_MARKER).exists():
            continue
        for name in contract.EXTRACTS:
            path = drop / f"{name}.csv"
            if path.exists():
                with path.open(encoding="utf-8-sig", newline="") as fh:
                    rows = list(csv.reader(fh))[1:]
                counts[name, drop.name] = sum(1 for r in rows if any(f.strip() for f in r))
    return counts


def test_every_landed_row_is_loaded_or_rejected(tiny_run):
    """Per file: landed = in raw + quarantined. A snapshot drop's rows in raw are its drop's
    snapshot, rebuilt from the versions raw keeps (docs/design.md, "Snapshot versions")."""
    landed = _landed_rows(tiny_run.landing)
    for name in contract.EXTRACTS:
        assert sum(n for (e, _), n in landed.items() if e == name) > 0, f"the generator wrote no {name}"
    for (name, drop), rows in landed.items():
        extract = contract.EXTRACTS[name]
        where = (
            in_snapshot_of("r", "CAST(? AS DATE)") if extract.kind == "snapshot" else "r._drop_date = CAST(? AS DATE)"
        )
        params = [drop, drop] if extract.kind == "snapshot" else [drop]
        loaded = _query(tiny_run.warehouse, f"SELECT count(*) FROM raw.{name} r WHERE {where}", params)[0][0]
        rejected = _query(
            tiny_run.warehouse,
            "SELECT count(*) FROM dq.rejected_rows WHERE extract = ? AND drop_date = ?",
            [name, drop],
        )[0][0]
        assert rows == loaded + rejected, (name, drop)


def test_raw_keeps_a_snapshot_as_versions_written_once(tiny_run):
    """A snapshot row that did not change since the previous drop is not written again:
    raw holds fewer rows than the drops' snapshots together, and every loaded row is either
    written or counted unchanged."""
    for name, extract in contract.EXTRACTS.items():
        if extract.kind != "snapshot":
            continue
        loaded, unchanged, drops = _query(
            tiny_run.warehouse,
            "SELECT sum(rows_loaded), sum(rows_unchanged), count(*) FROM dq.ingest_files WHERE extract = ?",
            [name],
        )[0]
        in_raw = _query(tiny_run.warehouse, f"SELECT count(*) FROM raw.{name}")[0][0]
        assert drops >= 2 and unchanged > 0, name
        assert in_raw == loaded - unchanged < loaded, name


def test_staging_follows_snapshot_and_event_rules(tiny_run):
    """Snapshots: the newest drop's rows; events: one row per key (the landing contract, pipelines/contract.py)."""
    models = {
        "enterprises": "stg_registry__enterprises",
        "workplaces": "stg_hr__workplaces",
        "employees": "stg_hr__employees",
        "collective_agreements": "stg_employer__collective_agreements",
        "attestations": "stg_otib__attestations",
        "incidents": "stg_otib__incidents",
        "granted_guarantees": "stg_employer__granted_guarantees",
        "payroll": "stg_hr__payroll",
    }
    for name, model in models.items():
        extract = contract.EXTRACTS[name]
        key = ", ".join("worker_key" if k == "iin" else k for k in extract.key)
        if extract.kind == "snapshot":
            newest = f"(SELECT max(drop_date) FROM dq.ingest_files WHERE extract = '{name}')"
            expected = f"SELECT count(*) FROM raw.{name} r WHERE {in_snapshot_of('r', newest)}"
        else:
            expected = f"SELECT count(*) FROM (SELECT DISTINCT {key} FROM raw.{name})"
        assert (
            _query(tiny_run.warehouse, expected)[0][0]
            == _query(tiny_run.warehouse, f"SELECT count(*) FROM staging.{model}")[0][0]
        ), model


def test_every_injected_bad_row_is_quarantined_with_its_reason(tiny_run):
    manifest = tiny_run.landing / "_dirty_manifest.csv"
    with manifest.open(encoding="utf-8") as fh:
        injected = list(csv.DictReader(fh))
    assert len({r["reason_code"] for r in injected}) >= 12
    rejected = {
        (r[0], r[1], r[2]): r[3]
        for r in _query(
            tiny_run.warehouse,
            "SELECT extract, file, CAST(line AS VARCHAR), split_part(reason, ':', 1) FROM dq.rejected_rows",
        )
    }
    for row in injected:
        key = (row["extract"], row["file"], row["line"])
        assert key in rejected, f"injected bad row not quarantined: {row}"
        assert rejected[key] == row["reason_code"], f"{row}: quarantined as {rejected[key]}"


def test_no_iin_anywhere_a_run_writes(tiny_run):
    """docs/law_and_models.md §9: no IIN reaches the warehouse, the published copy, its Parquet files, the
    report or the run's output. Scanned by value, one text column at a time (DuckDB
    compresses columns, so a scan of the file's bytes finds nothing: tests/iin_scan.py),
    against every IIN the landed files hold — the dirty drops' rejected rows and their
    raw_record included. The delivery file holds them, owner-only."""
    iins = landed_iins(tiny_run.landing)
    delivered = {r[0] for r in _query(tiny_run.delivery, "SELECT iin FROM delivery.worker_keys")}
    assert delivered and delivered <= iins
    assert iins_in_duckdb(tiny_run.delivery, iins)  # the scan finds IINs where they are
    assert iins_in_duckdb(tiny_run.warehouse, iins) == {}
    published = tiny_run.warehouse.parent / "published"
    assert iins_in_duckdb(published / "lrm_analyst.duckdb", iins) == {}
    assert iins_in_parquet(published / "parquet" / "current", iins) == {}
    assert iins_in_files(published, iins, "*.html") == {}
    assert iins_in_files(tiny_run.warehouse.parent / "dq_report", iins) == {}
    assert not iins_in_text(tiny_run.output, iins)
    assert stat.S_IMODE(tiny_run.delivery.stat().st_mode) == 0o600


def test_published_copy_is_read_only_and_has_the_marts(tiny_run):
    copy = tiny_run.warehouse.parent / "published" / "lrm_analyst.duckdb"
    assert copy.exists()
    assert not (copy.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    tables = {r[0] for r in _query(copy, "SELECT table_schema || '.' || table_name FROM information_schema.tables")}
    assert {"marts.workplace_conditions", "marts.guarantee_assignments", "dq.rejected_rows"} <= tables
    assert not any(t.startswith("raw.") for t in tables)


def test_second_run_changes_nothing_and_readers_use_the_published_copy_meanwhile(tiny_run, tmp_path):
    """Idempotence (docs/design.md, published interface), and issue 6: the published copy opens read-only while a
    run is writing the warehouse, and holds no IIN."""
    before = tmp_path / "before.duckdb"
    shutil.copy(tiny_run.warehouse, before)
    published = tiny_run.warehouse.parent / "published" / "lrm_analyst.duckdb"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "run",
            "--landing",
            str(tiny_run.landing),
            "--warehouse",
            str(tiny_run.warehouse),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if "dbt build as of" in line:  # raw rewritten, marts being rebuilt
            assert "full rebuild of staging" in line, line  # every drop reloaded: no incremental merge
            assignments = _query(published, "SELECT count(*) FROM marts.guarantee_assignments")[0][0]
            columns = {r[0] for r in _query(published, "SELECT column_name FROM information_schema.columns")}
            assert assignments > 0 and "iin" not in columns
            break
    else:
        raise AssertionError("".join(seen)[-3000:])
    rest = proc.communicate(timeout=900)[0]
    assert proc.returncode == 0, rest[-3000:]
    assert differing_tables(before, tiny_run.warehouse, ignore=frozenset()) == {}, "tables changed on rerun"
    # Doubles the same to the last bit, not only within the comparison's tolerance (a
    # parallel avg of doubles once differed in its last digit from run to run).
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{before}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{tiny_run.warehouse}' AS b (READ_ONLY)")
        for mart in ("enterprise_efficiency", "enterprise_risk", "region_risk"):
            differ = con.execute(
                f"SELECT count(*) FROM (SELECT * FROM a.marts.{mart} EXCEPT SELECT * FROM b.marts.{mart})"
            )
            assert differ.fetchall()[0][0] == 0, mart
    finally:
        con.close()


def test_unreadable_file_fails_naming_it_and_keeps_prior_tables(tiny_run, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    shutil.copy(tiny_run.warehouse, warehouse)
    if tiny_run.key_file.exists():  # the suite normally sets LRM_PSEUDONYM_KEY instead
        shutil.copy(tiny_run.key_file, tmp_path / tiny_run.key_file.name)
    before = tmp_path / "before.duckdb"
    shutil.copy(warehouse, before)
    landing = tmp_path / "landing"
    shutil.copytree(tiny_run.landing, landing)
    newest = sorted(p for p in landing.iterdir() if p.is_dir())[-1]
    (newest / "incidents.csv").write_bytes("bin;occurred_on;kind\n1;2;3\n".encode("cp1251"))
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--landing", str(landing), "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode != 0
    assert f"{newest.name}/incidents.csv" in proc.stderr + proc.stdout
    assert differing_tables(before, warehouse, ignore=frozenset()) == {}
    _failed_run_is_recorded_as_failed(proc.stderr, warehouse, f"{newest.name}/incidents.csv")
    # Not even the extracts loaded before the unreadable one keep their reload: the whole
    # run is rolled back (pipelines/run_journal.py), so no staging rebuild is marked.
    assert _query(warehouse, f"SELECT extract FROM {REBUILD_DUE}") == []
    assert not list(tmp_path.glob(".*journal*")), "the failed run's journal was not settled"


def _failed_run_is_recorded_as_failed(stderr: str, warehouse: Path, file: str) -> None:
    """Issue 13, item 8: the run page, the index and dq.run_history say `failed`, naming
    the file, not `passed`; the run published nothing."""
    import json
    import re

    from pipelines.quality.paths import index_page, run_page

    run_id = re.search(r"FAILED after [\d.]+s \(run ([0-9a-f-]+)\): failed", stderr).group(1)
    status, reasons = _query(warehouse, "SELECT status, status_reasons FROM dq.run_history WHERE run_id = ?", [run_id])[
        0
    ]
    assert status == "failed" and any(file in r for r in json.loads(reasons)), reasons
    page = run_page(warehouse, run_id).read_text(encoding="utf-8")
    assert re.search(r'id="status" class="status failed">failed', page) and file in page
    assert "This run published nothing" in page
    row = re.search(
        rf'<tr data-run="{run_id}">.*?</tr>', index_page(warehouse).read_text(encoding="utf-8"), re.S
    ).group(0)
    assert 'data-field="status">failed<' in row and file in row
    assert "published copy: none yet" in stderr  # this warehouse was copied without its published copy


def test_second_concurrent_run_refuses(tiny_run):
    from pipelines.run_lock import warehouse_lock

    with warehouse_lock(tiny_run.warehouse):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pipelines.cli",
                "run",
                "--landing",
                str(tiny_run.landing),
                "--warehouse",
                str(tiny_run.warehouse),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 3
    assert "being written by another run" in proc.stderr
