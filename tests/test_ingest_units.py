"""Control digits, CSV reading and row validation (the landing contract (pipelines/contract.py), docs/law_and_models.md §9)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from pipelines.contract import EXTRACTS
from pipelines.identifiers import complete_id, control_digit, is_valid_id, oked_section
from pipelines.ingest.reader import UnreadableFileError, read_landed_csv
from pipelines.ingest.validate import COLUMN_COL, REASON_COL, id_is_valid, validate

# docs/law_and_models.md §9: d12 = Σ d_i·i mod 11; if 10, weights 3..11,1,2; if still 10, invalid.
ID_CASES = [
    ("first weights", "85010130000", 5),
    ("all zeros", "00000000000", 0),
]


@pytest.mark.parametrize("case,first11,expected", ID_CASES, ids=[c[0] for c in ID_CASES])
def test_control_digit(case, first11, expected):
    assert control_digit(first11) == expected
    assert is_valid_id(first11 + str(expected))
    assert not is_valid_id(first11 + str((expected + 1) % 10))


def test_second_weights_and_impossible_prefixes():
    # Search the space for prefixes that need the second weights or cannot be completed.
    second, impossible = None, None
    for n in range(10**5):
        p = f"{n:011d}"
        s1 = sum(int(d) * w for d, w in zip(p, range(1, 12))) % 11
        if s1 == 10:
            s2 = sum(int(d) * w for d, w in zip(p, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2))) % 11
            if s2 == 10 and impossible is None:
                impossible = p
            elif s2 != 10 and second is None:
                second = (p, s2)
        if second and impossible:
            break
    assert control_digit(second[0]) == second[1]
    assert complete_id(impossible) is None
    assert not any(is_valid_id(impossible + str(d)) for d in range(10))


def test_polars_checksum_agrees_with_python():
    values = [complete_id(f"{n:011d}") for n in range(0, 3000, 7)]
    values = [v for v in values if v] + ["123", "85010130000X", None, "850101300006"]
    frame = pl.DataFrame({"iin": values}).with_columns(id_is_valid("iin").alias("ok"))
    assert frame["ok"].to_list() == [bool(v) and is_valid_id(v) for v in values]


@pytest.mark.parametrize("oked,section", [("05101", "B"), ("35111", "D"), ("86100", "Q"), ("04000", None), ("1", None)])
def test_oked_section(oked, section):
    assert oked_section(oked) == section


HEADER = "bin,name,oked,kato,status,headcount,registered_on"
GOOD_BIN = complete_id("05014000001")


def _write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "enterprises.csv"
    path.write_bytes(content)
    return path


def _read(tmp_path, content: bytes):
    return read_landed_csv(_write(tmp_path, content), EXTRACTS["enterprises"], "2026-11-21/enterprises.csv")


def test_bom_and_crlf_read_like_plain_utf8(tmp_path):
    row = f"{GOOD_BIN},ТОО «Көмір»,05101,351010000,active,10,2005-01-01"
    plain = _read(tmp_path, f"{HEADER}\n{row}\n".encode())
    bom_crlf = _read(tmp_path, f"\ufeff{HEADER}\r\n{row}\r\n".encode())
    assert plain.frame.to_dicts() == bom_crlf.frame.to_dicts()
    assert plain.frame["name"][0] == "ТОО «Көмір»"


def test_quoted_line_break_keeps_physical_line_numbers(tmp_path):
    content = f'{HEADER}\n{GOOD_BIN},"two\nlines",05101,351010000,active,1,\n{GOOD_BIN},x,05101,351010000,active,1,\n'
    frame = _read(tmp_path, content.encode()).frame
    assert frame["_line"].to_list() == [2, 4]


def test_ragged_row_is_a_bad_row_not_a_bad_file(tmp_path):
    content = f"{HEADER}\n{GOOD_BIN},x,05101,351010000,active,1,,extra\n{GOOD_BIN},y,05101,351010000,active,1,\n"
    frame = _read(tmp_path, content.encode()).frame
    assert frame["_shape_error"].to_list() == ["8 fields, the header has 7", None]


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "empty"),
        (b"bin;name;oked;kato;status\n1;2;3;4;5\n", "wrong delimiter"),
        (b"foo,bar\n1,2\n", "wrong header"),
        ("bin,name,oked,kato,status\n1,Қазақ,1,1,active\n".encode("utf-16"), "not UTF-8"),
        (f"{HEADER}\n1,Предприятие,1,1,active,,\n".encode("cp1251"), "Windows-1251"),
        (b"\x00\x01\x02binary", "binary"),
    ],
    ids=["empty", "semicolons", "wrong-header", "utf16", "cp1251", "binary"],
)
def test_unreadable_files_name_the_file(tmp_path, content, message):
    with pytest.raises(UnreadableFileError) as err:
        _read(tmp_path, content)
    assert "2026-11-21/enterprises.csv" in str(err.value)
    assert message in str(err.value)


def test_header_only_file_reads_as_no_rows(tmp_path):
    assert _read(tmp_path, f"{HEADER}\n".encode()).frame.height == 0


QUIRKY = '020440000116,ТОО Логиa"bстика,52211,101358000,active,14,2002-04-2"\n'


@pytest.mark.parametrize(
    "rest",
    ["", '020440000117,"two\nlines",52211,101358000,active,1,\n'],
    ids=["otherwise clean", "with a quoted line break"],
)
def test_a_quote_inside_an_unquoted_field_is_a_character_wherever_it_is_read(tmp_path, rest):
    """The CSV grammar reads a quote that does not enclose a whole field as a character (the
    careful reader): the fast reader refuses such a line rather than count its fields
    differently, so a row's reason does not depend on the rest of its file."""
    row = _read(tmp_path, f"{HEADER}\n{rest}{QUIRKY}".encode()).frame.row(-1, named=True)
    assert row["_shape_error"] is None and row["name"] == 'ТОО Логиa"bстика' and row["registered_on"] == '2002-04-2"'


# the landing contract (pipelines/contract.py): each contract rule and the reason code it yields (docs/design.md).
ROW_CASES = [
    ("valid", {}, None, None),
    ("bad checksum", {"bin": "050140000012"}, "bad_checksum", "bin"),
    ("missing name", {"name": ""}, "missing_required", "name"),
    ("oked letters", {"oked": "12A45"}, "bad_format", "oked"),
    ("oked no division", {"oked": "04000"}, "unknown_oked", "oked"),
    ("kato 8 digits", {"kato": "35101000"}, "bad_format", "kato"),
    ("kato unknown region", {"kato": "991010000"}, "unknown_region", "kato"),
    ("status closed", {"status": "closed"}, "not_in_domain", "status"),
    ("negative headcount", {"headcount": "-1"}, "out_of_range", "headcount"),
    ("headcount text", {"headcount": "ten"}, "bad_number", "headcount"),
    ("date 1900", {"registered_on": "1900-01-01"}, "date_out_of_range", "registered_on"),
    ("date future", {"registered_on": "2031-01-01"}, "date_out_of_range", "registered_on"),
    ("date 30 Feb", {"registered_on": "2020-02-30"}, "bad_date", "registered_on"),
    ("formula name is data", {"name": '=HYPERLINK("http://x","y")'}, None, None),
]


@pytest.mark.parametrize("case,change,code,column", ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_enterprise_row_rules(case, change, code, column):
    row = {
        "bin": GOOD_BIN,
        "name": "ТОО",
        "oked": "05101",
        "kato": "351010000",
        "status": "active",
        "headcount": "5",
        "registered_on": "2005-01-01",
        **change,
    }
    row = {k: (v or None) for k, v in row.items()}
    frame = pl.DataFrame([row], schema={k: pl.String for k in row}).with_columns(
        pl.lit(2, dtype=pl.Int64).alias("_line"), pl.lit(None, dtype=pl.String).alias("_shape_error")
    )
    out = validate(frame, EXTRACTS["enterprises"], dt.date(2026, 11, 21), {})
    reason = out[REASON_COL][0]
    assert (reason.split(":")[0] if reason else None) == code
    assert out[COLUMN_COL][0] == column


def test_duplicate_key_marks_the_later_row():
    rows = [
        {
            "bin": GOOD_BIN,
            "name": n,
            "oked": "05101",
            "kato": "351010000",
            "status": "active",
            "headcount": None,
            "registered_on": None,
        }
        for n in ("first", "second")
    ]
    frame = pl.DataFrame(rows, schema={k: pl.String for k in rows[0]}).with_columns(
        (pl.int_range(2) + 2).cast(pl.Int64).alias("_line"), pl.lit(None, dtype=pl.String).alias("_shape_error")
    )
    out = validate(frame, EXTRACTS["enterprises"], dt.date(2026, 11, 21), {})
    assert [r.split(":")[0] if r else None for r in out[REASON_COL]] == [None, "duplicate_key"]


def test_reference_must_exist_in_this_drop_or_earlier():
    wp = {
        "workplace_id": "W1",
        "bin": GOOD_BIN,
        "unit": "u",
        "profession": "p",
        "list_entry": None,
        "subject_to_attestation": None,
    }
    frame = pl.DataFrame([wp], schema={k: pl.String for k in wp}).with_columns(
        pl.lit(2, dtype=pl.Int64).alias("_line"), pl.lit(None, dtype=pl.String).alias("_shape_error")
    )
    known = pl.DataFrame({"bin": [GOOD_BIN], "_first_drop": [dt.date(2026, 11, 22)]})
    early = validate(frame, EXTRACTS["workplaces"], dt.date(2026, 11, 21), {"enterprises": known})
    late = validate(frame, EXTRACTS["workplaces"], dt.date(2026, 11, 22), {"enterprises": known})
    assert early[REASON_COL][0].startswith("unknown_reference")
    assert late[REASON_COL][0] is None


def test_readme_contract_table_is_generated_from_the_contract(tmp_path):
    from pipelines import contract_doc

    copy = tmp_path / "README.md"
    copy.write_text(contract_doc.README.read_text(encoding="utf-8"), encoding="utf-8")
    assert not contract_doc.rewrite(copy), "README's contract table is stale: run python -m pipelines.contract_doc"


# docs/design.md, "Incremental runs": event staging merges only drops newer than it holds,
# so any other change to an event extract's raw rows must mark it for a full rebuild.
# (step, extract, drops loaded: None = every drop, else indexes into the landing's drops, expected mark)
REBUILD_CASES = [
    ("first drop on an empty warehouse", "complaints", [0], None),
    ("the next drop is appended", "complaints", [1], None),
    ("the same drop again: a reload", "complaints", [1], "reloaded or back-filled"),
    ("an older drop: a backfill", "complaints", [0], "reloaded or back-filled"),
    ("the newest drop, never loaded", "complaints", [2], None),
    ("every drop: a full reload", "complaints", None, "every drop reloaded"),
    ("a snapshot extract is rebuilt from its newest drop anyway", "enterprises", [2], None),
]


def test_raw_changes_other_than_new_drops_mark_event_staging_for_rebuild(tiny_landing, tmp_path):
    import duckdb

    from pipelines.ingest.landing import scan_landing
    from pipelines.ingest.load import ingest_extract
    from pipelines.warehouse import clear_staging_rebuild_due, ensure_dq, staging_rebuild_due

    landing = scan_landing(tiny_landing)
    assert len(landing.drops) >= 3
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    ensure_dq(con)
    ingest_extract(con, landing, EXTRACTS["enterprises"], b"unit-key")  # what the events' bins refer to
    for step, extract, drops, expected in REBUILD_CASES:
        clear_staging_rebuild_due(con)
        dates = None if drops is None else {landing.drops[i].date for i in drops}
        ingest_extract(con, landing, EXTRACTS[extract], b"unit-key", dates)
        marks = staging_rebuild_due(con)
        if expected is None:
            assert marks == [], step
        else:
            assert [m[0] for m in marks] == [extract] and expected in marks[0][1], (step, marks)
    con.close()


# docs/design.md, "Snapshot versions"; the landing contract (pipelines/contract.py): a snapshot's newest drop that holds the
# file is the truth, and a drop may omit any file. Four drops of enterprises (A..D are BINs):
_A, _B, _C, _D = (complete_id(f"0501400000{i}") for i in range(1, 5))
SNAPSHOT_DROPS = {
    "2025-01-01": [(_A, "a1"), (_B, "b1"), (_C, "c1")],
    "2025-02-01": [(_A, "a1"), (_B, "b2"), (_D, "d1")],  # B changed, C gone, D new
    "2025-03-01": None,  # the drop omits the file
    "2025-04-01": [(_A, "a1"), (_B, "b2"), (_C, "c1"), (_D, "BAD")],  # C back, D's row rejected
}
# (drop, its snapshot, rows_loaded, rows_unchanged)
SNAPSHOT_EXPECTED = [
    ("2025-01-01", {_A: "a1", _B: "b1", _C: "c1"}, 3, 0),
    ("2025-02-01", {_A: "a1", _B: "b2", _D: "d1"}, 3, 1),
    ("2025-03-01", {_A: "a1", _B: "b2", _D: "d1"}, None, None),
    ("2025-04-01", {_A: "a1", _B: "b2", _C: "c1"}, 3, 2),
]
# How the drops are loaded (indexes into the drops; None = every drop): all give the same raw.
SNAPSHOT_LOADS = [
    ("drop by drop", [[0], [1], [2], [3]]),
    ("every drop at once", [None]),
    ("two drops, then the rest", [[0, 1], [2, 3]]),
    ("the newest drop again: a retry", [[0], [1], [2], [3], [3]]),
    ("then an older drop again: rewound to it, the later drops replayed", [[0], [1], [2], [3], [1]]),
    ("a newer drop first, then a backfill of the older ones", [[3], [0, 1]]),
]


def _snapshot_landing(root: Path) -> Path:
    header = "bin,name,oked,kato,status,headcount,registered_on\n"
    for drop, rows in SNAPSHOT_DROPS.items():
        folder = root / drop
        folder.mkdir(parents=True)
        (folder / "_SUCCESS").write_text("")
        if rows is not None:
            lines = [f"{b},{n},{'bad' if n == 'BAD' else '05101'},351010000,active,5,2001-01-01\n" for b, n in rows]
            (folder / "enterprises.csv").write_text(header + "".join(lines), encoding="utf-8")
    return root


@pytest.mark.parametrize("how,loads", SNAPSHOT_LOADS, ids=[c[0] for c in SNAPSHOT_LOADS])
def test_a_snapshot_is_kept_as_versions_that_rebuild_every_drop(tmp_path, how, loads):
    import duckdb

    from pipelines.ingest.landing import scan_landing
    from pipelines.ingest.load import ingest_extract
    from pipelines.warehouse import ensure_dq, in_snapshot_of

    landing = scan_landing(_snapshot_landing(tmp_path / "landing"))
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    ensure_dq(con)
    for drops in loads:
        ingest_extract(
            con,
            landing,
            EXTRACTS["enterprises"],
            b"unit-key",
            None if drops is None else {landing.drops[i].date for i in drops},
        )
    for drop, snapshot, loaded, unchanged in SNAPSHOT_EXPECTED:
        rows = con.execute(
            f"SELECT bin, name FROM raw.enterprises r WHERE {in_snapshot_of('r', 'CAST(? AS DATE)')}", [drop, drop]
        ).fetchall()
        assert dict(rows) == snapshot and len(rows) == len(snapshot), (how, drop)
        counts = con.execute(
            "SELECT rows_loaded, rows_unchanged FROM dq.ingest_files WHERE extract = 'enterprises' AND drop_date = ?",
            [drop],
        ).fetchall()
        assert counts == ([] if loaded is None else [(loaded, unchanged)]), (how, drop)
    # Each version is written once, with the drop, file and line where it landed as it is.
    versions = con.execute(
        "SELECT name, CAST(_drop_date AS VARCHAR), _file, _line, CAST(_until_drop AS VARCHAR) "
        "FROM raw.enterprises ORDER BY 2, 4"
    ).fetchall()
    assert versions == [
        ("a1", "2025-01-01", "2025-01-01/enterprises.csv", 2, None),
        ("b1", "2025-01-01", "2025-01-01/enterprises.csv", 3, "2025-02-01"),
        ("c1", "2025-01-01", "2025-01-01/enterprises.csv", 4, "2025-02-01"),
        ("b2", "2025-02-01", "2025-02-01/enterprises.csv", 3, None),
        ("d1", "2025-02-01", "2025-02-01/enterprises.csv", 4, "2025-04-01"),
        ("c1", "2025-04-01", "2025-04-01/enterprises.csv", 4, None),
    ], how
    assert con.execute("SELECT count(*) FROM dq.rejected_rows WHERE extract = 'enterprises'").fetchall() == [(1,)]
    con.close()


def test_a_corrected_newest_drop_replaces_its_versions(tmp_path):
    """A drop reloaded after upstream corrected it (its bad row fixed): the versions it
    closed are reopened first, so a row it now holds unchanged keeps its first landing."""
    import duckdb

    from pipelines.ingest.landing import scan_landing
    from pipelines.ingest.load import ingest_extract
    from pipelines.warehouse import ensure_dq

    root = _snapshot_landing(tmp_path / "landing")
    landing = scan_landing(root)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    ensure_dq(con)
    ingest_extract(con, landing, EXTRACTS["enterprises"], b"unit-key")
    fixed = root / "2025-04-01" / "enterprises.csv"
    fixed.write_text(fixed.read_text(encoding="utf-8").replace(f"{_D},BAD,bad", f"{_D},d1,05101"), encoding="utf-8")
    ingest_extract(con, landing, EXTRACTS["enterprises"], b"unit-key", {landing.drops[3].date})
    open_versions = con.execute(
        "SELECT name, CAST(_drop_date AS VARCHAR) FROM raw.enterprises WHERE _until_drop IS NULL ORDER BY name"
    ).fetchall()
    assert open_versions == [("a1", "2025-01-01"), ("b2", "2025-02-01"), ("c1", "2025-04-01"), ("d1", "2025-02-01")]
    assert con.execute(
        "SELECT rows_loaded, rows_unchanged FROM dq.ingest_files WHERE drop_date = '2025-04-01'"
    ).fetchall() == [(4, 3)]
    assert con.execute("SELECT count(*) FROM raw.enterprises").fetchall() == [(6,)]
    assert con.execute("SELECT count(*) FROM dq.rejected_rows").fetchall() == [(0,)]
    con.close()


def test_a_snapshot_written_before_versions_is_reloaded_whole_by_its_next_load(tmp_path):
    """Upgrading a warehouse: raw.enterprises as the earlier layout wrote it (every drop's
    rows, no _until_drop) becomes versions at the next load, even of the newest drop alone."""
    import duckdb

    from pipelines.ingest.landing import scan_landing
    from pipelines.ingest.load import ingest_extract
    from pipelines.warehouse import ensure_dq

    landing = scan_landing(_snapshot_landing(tmp_path / "landing"))
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    con.execute("CREATE SCHEMA dq")
    con.execute(
        "CREATE TABLE dq.ingest_files (extract VARCHAR, drop_date DATE, file VARCHAR, rows_landed BIGINT, "
        "rows_loaded BIGINT, rows_rejected BIGINT, missing_optional_columns VARCHAR)"
    )
    con.execute(
        "INSERT INTO dq.ingest_files VALUES ('enterprises', DATE '2025-01-01', '2025-01-01/enterprises.csv', 3, 3, 0, NULL)"
    )
    ensure_dq(con)
    con.execute(
        "CREATE TABLE raw.enterprises AS SELECT ? AS bin, 'old' AS name, '05101' AS oked, '351010000' AS kato, "
        "'active' AS status, '5' AS headcount, '2001-01-01' AS registered_on, DATE '2025-01-01' AS _drop_date, "
        "'2025-01-01/enterprises.csv' AS _file, 2 AS _line",
        [_A],
    )
    con.close()
    # Until then, dbt's snapshot staging refuses it, saying what to do.
    failed = _compile_enterprises_staging(tmp_path)
    assert failed.returncode != 0
    assert "raw.enterprises" in failed.stdout and "was written before snapshot versions" in failed.stdout, (
        failed.stdout[-3000:]
    )
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    ingest_extract(con, landing, EXTRACTS["enterprises"], b"unit-key", {landing.drops[3].date})
    assert con.execute("SELECT count(*), count(*) FILTER (name = 'old') FROM raw.enterprises").fetchall() == [(6, 0)]
    assert con.execute(
        "SELECT CAST(drop_date AS VARCHAR), rows_unchanged FROM dq.ingest_files ORDER BY 1"
    ).fetchall() == [("2025-01-01", 0), ("2025-02-01", 1), ("2025-04-01", 2)]
    con.close()
    compiled = _compile_enterprises_staging(tmp_path)
    assert compiled.returncode == 0, compiled.stdout[-3000:]


def _compile_enterprises_staging(tmp_path: Path):
    from .conftest import dbt_cli

    return dbt_cli(["compile", "--select", "stg_registry__enterprises"], tmp_path / "wh.duckdb", tmp_path, "2025-04-01")


# seeds/policy/extract_thresholds.csv: an enterprises snapshot may lose at most 20 % of its
# rows from one drop to the next; a file that would lose more is held back whole.
SHRINK_CASES = [
    ("5 rows to 4: 20 % fewer, not more than the share", 4, True),
    ("5 rows to 3: 40 % fewer", 3, False),
    ("5 rows to 0: a header-only file", 0, False),
]


@pytest.mark.parametrize("case,kept,loads", SHRINK_CASES, ids=[c[0] for c in SHRINK_CASES])
def test_a_snapshot_that_shrinks_too_much_is_held_back_and_raw_stays(tmp_path, case, kept, loads):
    import duckdb

    from pipelines.ingest.landing import scan_landing
    from pipelines.ingest.load import HeldBackError, ingest_extract
    from pipelines.warehouse import ensure_dq

    header = "bin,name,oked,kato,status,headcount,registered_on\n"
    bins = [complete_id(f"0501400000{i}") for i in range(1, 6)]
    for drop, rows in (("2025-01-01", bins), ("2025-02-01", bins[:kept])):
        folder = tmp_path / "landing" / drop
        folder.mkdir(parents=True)
        (folder / "_SUCCESS").write_text("")
        (folder / "enterprises.csv").write_text(
            header + "".join(f"{b},n,05101,351010000,active,5,2001-01-01\n" for b in rows), encoding="utf-8"
        )
    landing = scan_landing(tmp_path / "landing")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    ensure_dq(con)
    ingest_extract(con, landing, EXTRACTS["enterprises"], b"unit-key", {landing.drops[0].date})
    before = con.execute("SELECT * FROM raw.enterprises ORDER BY bin").fetchall()
    if loads:
        ingest_extract(con, landing, EXTRACTS["enterprises"], b"unit-key", {landing.drops[1].date})
        assert con.execute("SELECT count(*) FROM raw.enterprises WHERE _until_drop IS NULL").fetchall() == [(kept,)]
    else:
        with pytest.raises(HeldBackError, match="2025-02-01/enterprises.csv: held back"):
            ingest_extract(con, landing, EXTRACTS["enterprises"], b"unit-key", {landing.drops[1].date})
        assert con.execute("SELECT * FROM raw.enterprises ORDER BY bin").fetchall() == before
    con.close()


def test_no_iin_reaches_raw_or_the_quarantine_by_any_column(tmp_path):
    """docs/law_and_models.md §9, docs/design.md "Landing → raw": an IIN column becomes worker_key; a
    rejected row's IIN columns are masked whole and, in every field, anything that looks
    like an IIN (a short row shifts it into another column, an unknown column or free text
    may hold one). Every text column of the warehouse is scanned by SQL for the IINs the
    landed files hold (tests/iin_scan.py); the BIN of the registry is kept."""
    import duckdb

    from pipelines.ingest.landing import scan_landing
    from pipelines.ingest.load import ingest_extract
    from pipelines.masking import MASK
    from pipelines.warehouse import ensure_dq
    from tests.iin_scan import iins_in_duckdb, landed_iins

    b = complete_id("05014000001")
    iin1, iin2, iin3 = (complete_id(f"850101{s}") for s in ("30001", "30002", "40003"))
    folder = tmp_path / "landing" / "2025-01-01"
    folder.mkdir(parents=True)
    (folder / "_SUCCESS").write_text("")
    (folder / "enterprises.csv").write_text(
        "bin,name,oked,kato,status,headcount,registered_on,note\n"
        f"{b},ТОО директор {iin3},05101,351010000,active,5,2001-01-01,{iin2}\n",
        encoding="utf-8",
    )
    (folder / "workplaces.csv").write_text(
        f"workplace_id,bin,unit,profession,list_entry,subject_to_attestation\nW1,{b},цех {iin1},Проходчик,MIN-002,\n",
        encoding="utf-8",
    )
    (folder / "employees.csv").write_text(
        "contract_id,iin,bin,workplace_id,start_date,end_date,monthly_income,note\n"
        f"C1,{iin1},{b},W1,2020-01-01,,300000,\n"
        f"C2,{iin2},{b},W1,2020-01-01,,-5,{iin3}\n"  # rejected: the IIN column masked whole, the note by value
        f"C3,{iin3},W1,2020-01-01,,300000,\n",  # a field short: rejected whole, its IIN still masked
        encoding="utf-8",
    )
    landing = scan_landing(tmp_path / "landing")
    iins = landed_iins(tmp_path / "landing")
    assert {iin1, iin2, iin3} <= iins and b not in iins
    warehouse = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(warehouse))
    ensure_dq(con)
    for name in ("enterprises", "workplaces", "employees"):
        ingest_extract(con, landing, EXTRACTS[name], b"unit-key")
    records = [r[0] for r in con.execute("SELECT raw_record FROM dq.rejected_rows ORDER BY line").fetchall()]
    kept_bin = con.execute("SELECT bin FROM raw.enterprises").fetchall()
    con.close()
    assert len(records) == 2 and all(MASK in r for r in records)
    assert kept_bin == [(b,)]
    assert iins_in_duckdb(warehouse, iins) == {}


def test_rows_written_to_raw_carry_only_the_contracts_columns():
    """What ingestion registers for `SELECT *` / `BY NAME` into raw is checked against the
    contract first: a column it does not know (a name from a file) or one it lacks refuses
    the write before any SQL runs."""
    import duckdb

    from pipelines.ingest.load import META, _data_columns, _incoming

    extract = EXTRACTS["enterprises"]
    good = pl.DataFrame({c: ["x"] for c in [*_data_columns(extract), *META]})
    con = duckdb.connect()
    with _incoming(con, extract, good) as incoming:
        assert con.execute(f"SELECT count(*) FROM {incoming}").fetchall() == [(1,)]
    crafted = good.with_columns(pl.lit("x").alias('name"; DROP TABLE raw.enterprises; --'))
    with pytest.raises(ValueError, match="do not match the contract"), _incoming(con, extract, crafted):
        pass
    with pytest.raises(ValueError, match=r"missing \['bin'\]"), _incoming(con, extract, good.drop("bin")):
        pass
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'incoming_good'").fetchall() == [(0,)]
