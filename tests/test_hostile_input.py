"""Hostile and broken input: a landed file may be broken or crafted (issue 13). Each case
below is one way a file, a folder or the configuration can attack the warehouse, with the
exact outcome asserted: rows accounted (landed = loaded + rejected), the warehouse and the
published copy unchanged where the run fails, no IIN in any table, Parquet file, page or
message (scanned by value), and a message naming the file.

Runs that must fail stop at ingestion, so each costs a few seconds. The files that must
load are all put in one extra drop and loaded by one full run (`hostile_run`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines import contract
from pipelines.identifiers import complete_id
from pipelines.ingest.validate import bounds
from pipelines.masking import MASK
from pipelines.pseudonym import fingerprint, worker_key
from pipelines.warehouse import default_delivery_path, in_snapshot_of
from pipelines.warehouse_diff import differing_tables
from tests.iin_scan import iins_in_duckdb, iins_in_files, iins_in_parquet, iins_in_text, landed_iins

TODAY = "2026-11-29"
NEW_DROP = "2026-11-24"  # the day after the generated tiny drops
SUITE_KEY = os.environ["LRM_PSEUDONYM_KEY"]  # tests/conftest.py
# An IIN that no generated file holds (born 1 January 1985, a man of the 1900s).
FOREIGN_IIN = complete_id("85010130077")


def lrm_run(landing: Path, warehouse: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "LRM_TODAY": TODAY, **(env or {})}
    environment = {k: v for k, v in environment.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--landing", str(landing), "--warehouse", str(warehouse), *args],
        capture_output=True,
        text=True,
        timeout=900,
        env=environment,
    )


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    path.write_text(buf.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def clean_landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("hostile") / "landing"
    subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "generate", "--out", str(landing), "--scale", "tiny", "--seed", "11"],
        check=True,
        capture_output=True,
    )
    return landing


@pytest.fixture(scope="module")
def base(clean_landing, tmp_path_factory) -> Path:
    """A warehouse built from the clean landing, with its published copy."""
    warehouse = tmp_path_factory.mktemp("hostile_base") / "lrm.duckdb"
    proc = lrm_run(clean_landing, warehouse)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return warehouse


@dataclass
class Attempt:
    landing: Path
    warehouse: Path
    before: Path  # a copy of the warehouse as it was before the attempt
    published_before: bytes
    proc: subprocess.CompletedProcess | None = None

    @property
    def output(self) -> str:
        return self.proc.stdout + self.proc.stderr

    @property
    def published(self) -> Path:
        return self.warehouse.parent / "published" / "lrm_analyst.duckdb"


def attempt(base: Path, clean_landing: Path, tmp_path: Path, mutate, *args: str, env: dict | None = None) -> Attempt:
    """Copies the base warehouse and the landing, adds a drop NEW_DROP (a copy of the newest
    drop) changed by `mutate(drop_folder, landing)`, and runs `lrm run --drops NEW_DROP`."""
    folder = tmp_path / "wh"
    shutil.copytree(base.parent, folder, symlinks=True)
    warehouse = folder / base.name
    before = tmp_path / "before.duckdb"
    shutil.copy(warehouse, before)
    landing = tmp_path / "landing"
    shutil.copytree(clean_landing, landing)
    newest = sorted(p for p in landing.iterdir() if p.is_dir())[-1]
    drop = landing / NEW_DROP
    shutil.copytree(newest, drop)
    mutate(drop, landing)
    result = Attempt(landing, warehouse, before, (folder / "published" / "lrm_analyst.duckdb").read_bytes())
    result.proc = lrm_run(landing, warehouse, "--drops", NEW_DROP, *args, env=env)
    return result


def assert_refused_and_unchanged(a: Attempt, exit_code: int, *phrases: str) -> None:
    assert a.proc.returncode == exit_code, a.output[-3000:]
    for phrase in phrases:
        assert phrase in a.output, (phrase, a.output[-3000:])
    assert "Traceback" not in a.proc.stderr, a.proc.stderr[-3000:]
    assert differing_tables(a.before, a.warehouse, ignore=frozenset()) == {}
    assert a.published.read_bytes() == a.published_before
    assert not list(a.warehouse.parent.glob(".*journal*")), "the failed run's journal was left open"
    iins = landed_iins(a.landing) | {FOREIGN_IIN}
    assert not iins_in_text(a.output, iins), "an IIN in the run's output"


# ------------------------------------------------------------- runs that must fail


def _header_only(drop: Path, _landing: Path) -> None:
    header, _ = read_csv(drop / "employees.csv")
    write_csv(drop / "employees.csv", header, [])


def _every_row_rejected(drop: Path, _landing: Path) -> None:
    header, rows = read_csv(drop / "employees.csv")
    write_csv(drop / "employees.csv", header, [[*r[:-1], "-1"] for r in rows])  # monthly_income < 0


def _link_to_passwd(drop: Path, _landing: Path) -> None:
    (drop / "employees.csv").unlink()
    (drop / "employees.csv").symlink_to("/etc/passwd")


def _no_header(drop: Path, _landing: Path) -> None:
    _, rows = read_csv(drop / "employees.csv")
    rows[0][1] = FOREIGN_IIN
    write_csv(drop / "employees.csv", rows[0], rows[1:])


def _repeated_name(drop: Path, _landing: Path) -> None:
    header, rows = read_csv(drop / "payroll.csv")
    write_csv(drop / "payroll.csv", [*header, FOREIGN_IIN, FOREIGN_IIN], [[*r, "", ""] for r in rows])


FAILING = [
    # item 3: a header-only snapshot, or one whose every row is rejected, would wipe it
    (
        "3 header-only employees file",
        _header_only,
        ["2026-11-24/employees.csv", "held back", "the previous snapshot stays"],
    ),
    ("3 every employees row rejected", _every_row_rejected, ["2026-11-24/employees.csv", "held back"]),
    # item 10: a link out of the landing directory; its target's content is never shown
    (
        "10 employees.csv links to /etc/passwd",
        _link_to_passwd,
        ["2026-11-24/employees.csv", "outside the landing directory"],
    ),
    # item 2: a file without a header shows positions, never its first row (an IIN)
    ("2 employees file without a header", _no_header, ["2026-11-24/employees.csv", "wrong header", "<column 2>"]),
    ("9 a repeated column name that is an IIN", _repeated_name, ["2026-11-24/payroll.csv", "repeats a column name"]),
]


@pytest.mark.parametrize("case,mutate,phrases", FAILING, ids=[c[0] for c in FAILING])
def test_a_bad_file_fails_the_run_and_changes_nothing(case, mutate, phrases, base, clean_landing, tmp_path):
    a = attempt(base, clean_landing, tmp_path, mutate)
    assert_refused_and_unchanged(a, 1, *phrases)
    assert "root:" not in a.output
    assert a.output.count("→ raw__employees") <= 1, "a bad file was retried"


def test_10_a_drop_folder_linking_outside_the_landing_is_reported_and_not_loaded(tmp_path, clean_landing):
    from pipelines.ingest.landing import scan_landing

    landing = tmp_path / "landing"
    shutil.copytree(clean_landing, landing)
    outside = tmp_path / "outside" / "2026-11-25"
    shutil.copytree(sorted(p for p in landing.iterdir() if p.is_dir())[-1], outside)
    (landing / "2026-11-25").symlink_to(outside)
    scanned = scan_landing(landing)
    assert "2026-11-25" not in scanned.keys
    assert ("2026-11-25", "a link to a folder outside the landing directory; not loaded") in scanned.issues


def test_9_a_warehouse_folder_that_cannot_be_written_is_a_clear_refusal(clean_landing, tmp_path):
    """A read-only folder (as root, permission bits do not stop writes, so a file stands
    where the warehouse's folder should be: the same OSError at the same place)."""
    (tmp_path / "blocked").write_text("not a folder")
    proc = lrm_run(clean_landing, tmp_path / "blocked" / "lrm.duckdb")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "cannot be written" in proc.stderr and "blocked" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_9_running_out_of_memory_is_named_and_not_retried(base, clean_landing, tmp_path):
    a = attempt(base, clean_landing, tmp_path, lambda d, _lines: None, env={"LRM_DUCKDB_MEMORY_LIMIT": "2MB"})
    assert_refused_and_unchanged(a, 1, "out of memory")
    assert "retry" not in a.output.lower()


# ------------------------------------------------------------- the pseudonym key (item 6)


def test_6_a_different_key_is_refused(base, clean_landing, tmp_path):
    a = attempt(base, clean_landing, tmp_path, lambda d, _lines: None, env={"LRM_PSEUDONYM_KEY": "another-key"})
    assert_refused_and_unchanged(a, 4, "is not the one the warehouse", fingerprint(SUITE_KEY.encode()))


def test_6_a_missing_key_is_refused_not_replaced(base, clean_landing, tmp_path):
    def lose_delivery(drop: Path, landing: Path) -> None:
        default_delivery_path(tmp_path / "wh" / base.name).unlink()

    a = attempt(base, clean_landing, tmp_path, lose_delivery, env={"LRM_PSEUDONYM_KEY": None})
    assert_refused_and_unchanged(a, 4, "pseudonym key file", "is missing", "--rotate-key")
    assert not (a.warehouse.parent / ".lrm_pseudonym.key").exists(), "a new key was created"


def test_6_rotating_the_key_rekeys_every_worker_in_one_go(base, clean_landing, tmp_path):
    new_key = "a-new-key-for-rotation"
    a = attempt(
        base, clean_landing, tmp_path, lambda d, _lines: None, "--rotate-key", env={"LRM_PSEUDONYM_KEY": new_key}
    )
    assert a.proc.returncode == 0, a.output[-3000:]
    assert "re-keyed" in a.output
    iins = landed_iins(a.landing)
    expected = {worker_key(new_key.encode(), i) for i in iins}
    old = {worker_key(SUITE_KEY.encode(), i) for i in iins}
    con = duckdb.connect(str(a.warehouse), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.columns "
            "WHERE column_name = 'worker_key' AND table_schema <> 'main'"
        ).fetchall()
        assert len(tables) > 5
        for (table,) in tables:
            keys = {
                r[0]
                for r in con.execute(f"SELECT DISTINCT worker_key FROM {table} WHERE worker_key IS NOT NULL").fetchall()
            }
            assert keys <= expected and not keys & old, table
        assert con.execute("SELECT fingerprint FROM ops.pseudonym_key").fetchall() == [(fingerprint(new_key.encode()),)]
    finally:
        con.close()
    dcon = duckdb.connect(str(default_delivery_path(a.warehouse)), read_only=True)
    try:
        pairs = dict(dcon.execute("SELECT iin, worker_key FROM delivery.worker_keys").fetchall())
    finally:
        dcon.close()
    assert pairs and all(worker_key(new_key.encode(), i) == k for i, k in pairs.items())


# ------------------------------------------------- files that load, in one hostile drop

INJECTION = "x\" VARCHAR); CREATE TABLE main.pwned AS SELECT 1; COPY (SELECT 1) TO '/tmp/lrm-pwned.csv'; --"
LONG_FIELD = "Ж" * 140_000  # over the csv module's default 131,072 limit
NEW_BIN = complete_id("25014099990")
assert NEW_BIN is not None


def _largest_values(drop: Path) -> None:
    """Item 5: the first row of every file holds the largest value its columns accept (every
    number at its bound, every date as late as its role allows)."""
    drop_date = dt.date.fromisoformat(drop.name)
    for name, extract in contract.EXTRACTS.items():
        header, rows = read_csv(drop / f"{name}.csv")
        if not rows:  # an event file empty tonight: an earlier drop's row, sent again
            rows = [next(r for d in sorted(drop.parent.glob(f"*/{name}.csv")) for r in read_csv(d)[1])]
        for col in extract.columns:
            i = header.index(col.name)
            if col.type in ("int", "decimal"):
                high = bounds(col)[1]
                rows[0][i] = str(int(high)) if col.type == "int" else repr(float(high))
            elif col.type == "date":
                rows[0][i] = (drop_date + dt.timedelta(days=col.max_future_days)).isoformat()
        write_csv(drop / f"{name}.csv", header, rows)


def _hostile_drop(drop: Path, landing: Path) -> None:
    """Every mutation that must load (or be rejected row by row), in one drop."""
    _largest_values(drop)
    # 1: a crafted header name that was once pasted into ALTER TABLE
    # 5: an income past DECIMAL(38, 6)
    header, rows = read_csv(drop / "employees.csv")
    rich = [rows[0][0] + "-X", *rows[0][1:6], "1e300"]
    write_csv(drop / "employees.csv", [*header, INJECTION], [[*r, "v"] for r in [*rows, rich]])
    # 2: an IIN in an unknown column; 4: a row missing a middle field (shifted values)
    header, rows = read_csv(drop / "workplaces.csv")
    rows = [[*r, FOREIGN_IIN] for r in rows]
    short = rows[0][:4] + rows[0][5:]  # list_entry dropped: the rest would shift left
    write_csv(drop / "workplaces.csv", [*header, "note"], [*rows, short])
    # 2: a short row that would shift an IIN out of its column
    header, rows = read_csv(drop / "payroll.csv")
    shifted = [FOREIGN_IIN, *rows[0][2:]]
    # 5: a month in full-width digits, 9: a trailing comma in the header, an extra column worker_key
    fullwidth = [*rows[1][:2], "２０２６-１０", *rows[1][3:]]
    write_csv(
        drop / "payroll.csv",
        [*header, "worker_key", ""],
        [[*r, "k", ""] for r in rows] + [[*shifted, "k", ""], [*fullwidth, "k", ""]],
    )
    # 5: a count past INTEGER and a decimal past DECIMAL(38, 6)
    header, rows = read_csv(drop / "inspections.csv")
    too_many = [rows[0][0] + "-big", *rows[0][1:3], "3000000000", *rows[0][4:]]
    write_csv(drop / "inspections.csv", header, [*rows, too_many])
    header, rows = read_csv(drop / "collective_agreements.csv")
    # 9: a quoted header name with "" and a field over 131,072 characters
    write_csv(drop / "collective_agreements.csv", [*header, 'say ""hi""'], [[*r, "x"] for r in rows])
    # (a quoted line break sends the file to the careful reader, whose field limit it was)
    header, rows = read_csv(drop / "enterprises.csv")
    rows[0][1] = rows[0][1] + "\nфилиал"
    write_csv(drop / "enterprises.csv", header, [*rows, [NEW_BIN, LONG_FIELD, *rows[0][2:]]])
    header, rows = read_csv(drop / "granted_guarantees.csv")
    write_csv(drop / "granted_guarantees.csv", header, [*rows, [*rows[0][:3], "2027", "1e300"]])
    # 7: a complete drop dated after today
    shutil.copytree(drop, landing / "2027-06-01")


@pytest.fixture(scope="module")
def hostile_run(base, clean_landing, tmp_path_factory) -> Attempt:
    tmp = tmp_path_factory.mktemp("hostile_run")
    a = attempt(base, clean_landing, tmp, _hostile_drop)
    assert a.proc.returncode == 0, a.output[-4000:]
    return a


def _q(a: Attempt, sql: str, params=None):
    con = duckdb.connect(str(a.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _rejected(a: Attempt, extract: str) -> list[tuple]:
    return _q(
        a,
        "SELECT line, \"column\", split_part(reason, ':', 1), raw_record FROM dq.rejected_rows "
        "WHERE extract = ? AND drop_date = ? ORDER BY line",
        [extract, NEW_DROP],
    )


def test_1_a_crafted_header_is_data_never_sql(hostile_run):
    assert not Path("/tmp/lrm-pwned.csv").exists()
    assert _q(hostile_run, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'pwned'") == [(0,)]
    extras = _q(
        hostile_run,
        "SELECT extra_columns FROM dq.ingest_files WHERE extract = 'employees' AND drop_date = ?",
        [NEW_DROP],
    )
    assert extras == [("<column 8>",)]
    kept = _q(hostile_run, "SELECT DISTINCT _extras FROM raw.employees WHERE _drop_date = ?", [NEW_DROP])
    assert kept and all(INJECTION.replace('"', '\\"') in k[0] for k in kept if k[0])


def test_2_and_4_short_rows_are_rejected_with_their_line_and_iins_masked_by_value(hostile_run):
    workplaces = _rejected(hostile_run, "workplaces")
    assert [(c, code) for _, c, code, _ in workplaces] == [("*", "bad_format")]
    assert FOREIGN_IIN not in workplaces[0][3] and MASK in workplaces[0][3]
    payroll = {code for _, _, code, _ in _rejected(hostile_run, "payroll")}
    assert payroll == {"bad_format"}
    for *_, record in _rejected(hostile_run, "payroll"):
        assert FOREIGN_IIN not in record
    # the IIN in the unknown column of the good rows is masked in raw too
    notes = _q(hostile_run, "SELECT DISTINCT _extras FROM raw.workplaces WHERE _drop_date = ?", [NEW_DROP])
    assert notes and all(FOREIGN_IIN not in n[0] and MASK in n[0] for n in notes if n[0])


def test_5_values_that_would_not_fit_downstream_are_rejected(hostile_run):
    assert [(c, code) for _, c, code, _ in _rejected(hostile_run, "employees")] == [("monthly_income", "out_of_range")]
    assert [(c, code) for _, c, code, _ in _rejected(hostile_run, "inspections")] == [("violations", "out_of_range")]
    assert [(c, code) for _, c, code, _ in _rejected(hostile_run, "granted_guarantees")] == [("value", "out_of_range")]
    fullwidth = [r for r in _rejected(hostile_run, "payroll") if "２０２６" in r[3]]
    assert [(c, code) for _, c, code, _ in fullwidth] == [("month", "bad_format")]


def _staging_model(extract: str) -> str:
    """The staging model that reads raw.<extract>, from the dbt manifest."""
    import json

    from pipelines.defs.dbt.project import dbt_project

    nodes = json.loads(dbt_project.manifest_path.read_text())["nodes"].values()
    return next(
        f"staging.{n['name']}"
        for n in nodes
        if n["resource_type"] == "model"
        and any(d.startswith("source.") and d.endswith(f".{extract}") for d in n["depends_on"]["nodes"])
    )


def test_5_the_largest_accepted_values_load_and_survive_staging_and_the_marts(hostile_run):
    """Every number at its bound and every date at its latest is loaded (line 2 of every
    file), cast by staging and carried through every model: the run built and checked
    every mart (hostile_run succeeded)."""
    for name, extract in contract.EXTRACTS.items():
        assert not [r for r in _rejected(hostile_run, name) if r[0] == 2], name
        model = _staging_model(name)
        for col in extract.columns:
            if col.type in ("int", "decimal"):
                largest = _q(hostile_run, f'SELECT max("{col.name}") FROM {model}')[0][0]
                assert largest == bounds(col)[1], (name, col.name, largest)
    built = {
        r[0] for r in _q(hostile_run, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'")
    }
    assert {"guarantee_assignments", "guarantee_gaps", "enterprise_risk", "region_risk", "guarantee_costs"} <= built


def test_9_odd_headers_and_long_fields_load_or_reject_row_by_row(hostile_run):
    long = _rejected(hostile_run, "enterprises")
    assert [(c, code) for _, c, code, _ in long] == [("*", "bad_format")]
    extras = dict(
        _q(
            hostile_run,
            "SELECT extract, extra_columns FROM dq.ingest_files WHERE drop_date = ? AND extra_columns IS NOT NULL",
            [NEW_DROP],
        )
    )
    assert extras["payroll"] == "worker_key,<column 9>"
    assert extras["collective_agreements"] == "<column 6>"
    keys = _q(hostile_run, "SELECT count(*) FROM raw.payroll WHERE _drop_date = ? AND worker_key = 'k'", [NEW_DROP])
    assert keys == [(0,)], "an extra column named worker_key overwrote the pseudonym"


def test_7_a_drop_dated_after_today_is_reported_and_not_loaded(hostile_run):
    assert "2027-06-01: drop is dated after today" in hostile_run.output
    assert _q(hostile_run, "SELECT max(drop_date) FROM dq.ingest_files")[0][0].isoformat() == NEW_DROP
    assert _q(hostile_run, "SELECT DISTINCT as_of FROM marts.enterprise_risk")[0][0].isoformat() == NEW_DROP
    assert _q(hostile_run, "SELECT count(*) FROM dq.landing_issues WHERE path = '2027-06-01'") == [(1,)]


def test_every_landed_row_of_the_hostile_drop_is_accounted(hostile_run):
    rows = _q(
        hostile_run,
        "SELECT extract, rows_landed, rows_loaded, rows_rejected FROM dq.ingest_files WHERE drop_date = ?",
        [NEW_DROP],
    )
    assert {r[0] for r in rows} == set(contract.EXTRACTS)
    for extract, landed, loaded, rejected in rows:
        quarantined = _q(
            hostile_run,
            "SELECT count(*) FROM dq.rejected_rows WHERE extract = ? AND drop_date = ?",
            [extract, NEW_DROP],
        )[0][0]
        assert landed == loaded + rejected and rejected == quarantined, extract


def test_no_iin_anywhere_after_the_hostile_drop(hostile_run):
    iins = landed_iins(hostile_run.landing) | {FOREIGN_IIN}
    assert FOREIGN_IIN in landed_iins(hostile_run.landing)
    assert iins_in_duckdb(hostile_run.warehouse, iins) == {}
    assert iins_in_duckdb(hostile_run.published, iins) == {}
    assert iins_in_parquet(hostile_run.warehouse.parent / "published" / "parquet" / "current", iins) == {}
    assert iins_in_files(hostile_run.warehouse.parent / "dq_report", iins) == {}
    assert not iins_in_text(hostile_run.output, iins)


# ------------------------------------------------------------------- fuzzing (Hypothesis)

from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZED = ("employees", "workplaces", "payroll", "enterprises")


@pytest.fixture(scope="module")
def ingested(clean_landing, tmp_path_factory):
    """raw and dq of the clean landing, loaded by ingestion alone (no dbt): the base every
    fuzzed file is loaded onto."""
    from pipelines.ingest.landing import scan_landing
    from pipelines.ingest.load import ingest_extract
    from pipelines.warehouse import ensure_dq

    path = tmp_path_factory.mktemp("fuzz_base") / "fuzz_base.duckdb"
    con = duckdb.connect(str(path))
    try:
        ensure_dq(con)
        landing = scan_landing(clean_landing)
        for name in contract.ingest_order():
            ingest_extract(con, landing, contract.EXTRACTS[name], SUITE_KEY.encode())
    finally:
        con.close()
    return path, landed_iins(clean_landing)


def _mutations():
    """A few edits of a file: most inside its data rows, some to its header, some raw bytes."""
    position = st.floats(min_value=0, max_value=1)
    text = st.sampled_from(
        [
            b",",
            b'"',
            b"\n",
            b"\r",
            b"\r\n",
            b'""',
            b",,",
            b"-",
            b".",
            b"1e300",
            b"99999999999",
            b"\xef\xbc\x92",
            FOREIGN_IIN.encode(),
            "Ё ".encode(),
            b" ",
        ]
    ) | st.text(max_size=6).map(str.encode)
    noise = st.binary(min_size=1, max_size=4)
    header_name = st.one_of(
        st.text(max_size=12),
        st.sampled_from(["", "iin", "worker_key", "_line", '"', FOREIGN_IIN, INJECTION, "_extras", "contract_id"]),
    )
    body_edit = st.one_of(
        st.tuples(st.just("insert"), position, text),
        st.tuples(st.just("delete"), position, st.integers(1, 12)),
        st.tuples(st.just("duplicate_line"), position, st.just(None)),
        st.tuples(st.just("truncate"), position, st.just(None)),
    )
    rare_edit = st.one_of(
        st.tuples(st.just("insert"), position, noise),
        st.tuples(st.just("rename_column"), st.integers(0, 12), header_name),
        st.tuples(st.just("add_column"), st.just(0), header_name),
    )
    return st.lists(st.one_of(body_edit, body_edit, body_edit, rare_edit), min_size=1, max_size=4)


def _mutate(data: bytes, ops) -> bytes:
    for op, where, arg in ops:
        head, newline, body = data.partition(b"\n")
        if op in ("rename_column", "add_column"):
            names = head.decode("utf-8", errors="replace").split(",")
            quoted = '"' + arg.replace('"', '""') + '"'
            if op == "rename_column":
                names[where % len(names)] = quoted
            else:
                names.append(quoted)
            data = ",".join(names).encode() + newline + body
            continue
        at = int(where * len(body))
        if op == "insert":
            body = body[:at] + arg + body[at:]
        elif op == "delete":
            body = body[:at] + body[at + arg :]
        elif op == "duplicate_line":
            start = body.rfind(b"\n", 0, at) + 1
            end = body.find(b"\n", at)
            end = len(body) if end < 0 else end + 1
            body = body[:end] + body[start:end] + body[end:]
        elif op == "truncate":
            body = body[:at]
        data = head + newline + body
    return data


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(target=st.sampled_from(FUZZED), ops=_mutations())
def test_fuzzed_files_never_crash_leak_or_lose_rows(ingested, clean_landing, tmp_path_factory, target, ops):
    """Whatever the bytes: the file either loads (every landed row loaded or quarantined,
    no IIN in any text column) or is refused with a message naming it (no IIN in it) and
    raw as it was; nothing else is raised."""
    import tempfile

    from pipelines.ingest.landing import scan_landing
    from pipelines.ingest.load import ingest_extract
    from pipelines.ingest.reader import UnreadableFileError

    base, iins = ingested
    with tempfile.TemporaryDirectory(dir=tmp_path_factory.getbasetemp()) as tmp:
        tmp = Path(tmp)
        landing = tmp / "landing"
        shutil.copytree(clean_landing, landing)
        newest = sorted(p for p in landing.iterdir() if p.is_dir())[-1]
        path = newest / f"{target}.csv"
        path.write_bytes(_mutate(path.read_bytes(), ops))
        db = tmp / "fuzzed.duckdb"
        shutil.copy(base, db)
        con = duckdb.connect(str(db))
        try:
            table = f"raw.{target}"
            before = con.execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {table}").fetchall()
            extract = contract.EXTRACTS[target]
            try:
                ingest_extract(
                    con, scan_landing(landing), extract, SUITE_KEY.encode(), {dt.date.fromisoformat(newest.name)}
                )
            except UnreadableFileError as exc:
                event(f"refused: {str(exc).split(': ', 1)[1][:25]}")
                assert f"{newest.name}/{target}.csv" in str(exc)
                assert not iins_in_text(str(exc), iins | {FOREIGN_IIN})
                assert con.execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {table}").fetchall() == before
                return
            landed, loaded, rejected = con.execute(
                "SELECT rows_landed, rows_loaded, rows_rejected FROM dq.ingest_files WHERE extract = ? AND drop_date = ?",
                [target, newest.name],
            ).fetchall()[0]
            quarantined = con.execute(
                "SELECT count(*) FROM dq.rejected_rows WHERE extract = ? AND drop_date = ?", [target, newest.name]
            ).fetchall()[0][0]
            where = (
                in_snapshot_of("r", "CAST(? AS DATE)")
                if extract.kind == "snapshot"
                else "r._drop_date = CAST(? AS DATE)"
            )
            in_raw = con.execute(
                f"SELECT count(*) FROM {table} r WHERE {where}",
                [newest.name] * (2 if extract.kind == "snapshot" else 1),
            ).fetchall()[0][0]
            event("loaded, rows rejected" if rejected else "loaded whole")
            assert landed == loaded + rejected and rejected == quarantined and loaded == in_raw
        finally:
            con.close()
        assert iins_in_duckdb(db, iins | {FOREIGN_IIN}) == {}
