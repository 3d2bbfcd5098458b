"""The pseudonym key (README "Personal data", docs/design.md "The pseudonym key"), unit by unit.

tests/conftest.py sets LRM_PSEUDONYM_KEY for the whole session; every test here removes it
(or sets it) itself, so key files, their permissions, precedence and refusal are exercised
as an operator would meet them. The expected digests are RFC 4231's test vectors for
HMAC-SHA256, not the module's own output.
"""

from __future__ import annotations

import hashlib
import hmac
import stat

import duckdb
import polars as pl
import pytest

from pipelines.identifiers import complete_id
from pipelines.ingest.load import read_worker_keys, write_worker_keys
from pipelines.pseudonym import (
    PseudonymKeyError,
    check_key,
    fingerprint,
    key_file_for,
    load_key,
    recorded_fingerprint,
    verify_key,
    worker_key,
    worker_keys,
)
from pipelines.rekey import rotate
from pipelines.warehouse import connect_delivery

# RFC 4231, test case 2: HMAC-SHA256(key "Jefe", "what do ya want for nothing?").
RFC4231_KEY, RFC4231_DATA = b"Jefe", "what do ya want for nothing?"
RFC4231_MAC = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
IINS = [complete_id(f"8501013{n:04d}") for n in range(0, 400, 7)]
IINS = [i for i in IINS if i]


@pytest.fixture
def no_key_configured(monkeypatch):
    monkeypatch.delenv("LRM_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("LRM_PSEUDONYM_KEY_FILE", raising=False)


def test_worker_key_is_hmac_sha256_of_the_iin_truncated_to_32_hex():
    """docs/design.md: worker_key = HMAC-SHA256 of the IIN with the configured key, 32 hex chars."""
    assert worker_key(RFC4231_KEY, RFC4231_DATA) == RFC4231_MAC[:32]
    for iin in IINS[:5]:
        assert worker_key(b"k", iin) == hmac.new(b"k", iin.encode(), hashlib.sha256).hexdigest()[:32]


def test_the_keyed_once_hmac_of_ingestion_equals_hmac_new_and_reuses_known_pairs():
    """Ingestion keys HMAC once and copies it per IIN (pipelines/pseudonym.py): every key it
    makes must be hmac.new's; pairs the delivery file already holds are taken as they are."""
    key = b"a-test-key"
    series = pl.Series("iin", [*IINS, IINS[0], None, RFC4231_DATA])
    pairs = worker_keys(key, series)
    assert pairs["iin"].to_list() == sorted({*IINS, RFC4231_DATA})  # distinct, no NULL
    assert dict(pairs.iter_rows()) == {
        i: hmac.new(key, i.encode(), hashlib.sha256).hexdigest()[:32] for i in pairs["iin"].to_list()
    }
    assert worker_keys(RFC4231_KEY, pl.Series("iin", [RFC4231_DATA])).row(0) == (RFC4231_DATA, RFC4231_MAC[:32])
    known = pl.DataFrame({"iin": [IINS[0]], "worker_key": ["kept-as-the-delivery-file-has-it"]})
    reused = dict(worker_keys(key, pl.Series("iin", IINS[:3]), known).iter_rows())
    assert reused[IINS[0]] == "kept-as-the-delivery-file-has-it"
    assert reused[IINS[1]] == worker_key(key, IINS[1])


def test_a_key_file_is_created_owner_only_beside_the_warehouse_and_reused(tmp_path, no_key_configured):
    warehouse = tmp_path / "wh" / "lrm.duckdb"
    path = key_file_for(warehouse)
    assert path == tmp_path / "wh" / ".lrm_pseudonym.key"
    key = load_key(warehouse)
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) == 64 and int(key, 16) >= 0  # 32 random bytes, hex
    assert load_key(warehouse) == key, "the key file is reused, not replaced"
    assert load_key(warehouse, recorded=fingerprint(key)) == key


def test_key_precedence_environment_then_named_file_then_beside_the_warehouse(tmp_path, monkeypatch, no_key_configured):
    """README: the key comes from LRM_PSEUDONYM_KEY, or the file LRM_PSEUDONYM_KEY_FILE, or
    .lrm_pseudonym.key beside the warehouse."""
    warehouse = tmp_path / "lrm.duckdb"
    (tmp_path / ".lrm_pseudonym.key").write_text("key-beside-the-warehouse\n")
    named = tmp_path / "elsewhere" / "named.key"
    named.parent.mkdir()
    named.write_text("key-in-the-named-file\n")
    assert load_key(warehouse) == b"key-beside-the-warehouse"
    monkeypatch.setenv("LRM_PSEUDONYM_KEY_FILE", str(named))
    assert key_file_for(warehouse) == named
    assert load_key(warehouse) == b"key-in-the-named-file"
    monkeypatch.setenv("LRM_PSEUDONYM_KEY", "key-from-the-environment")
    assert load_key(warehouse) == b"key-from-the-environment"


def test_a_lost_key_file_of_a_keyed_warehouse_is_refused_not_replaced(tmp_path, no_key_configured):
    warehouse = tmp_path / "lrm.duckdb"
    with pytest.raises(PseudonymKeyError, match="is missing") as refused:
        load_key(warehouse, recorded=fingerprint(b"the-key-it-was-built-with"))
    assert "--rotate-key" in str(refused.value)
    assert not key_file_for(warehouse).exists(), "a new key was made silently"


def test_the_fingerprint_names_a_key_without_revealing_it():
    a, b = fingerprint(b"key-a"), fingerprint(b"key-b")
    assert a == fingerprint(b"key-a") and a != b and len(a) == 16
    assert a == hmac.new(b"key-a", b"labour-risk-map/pseudonym-key-fingerprint/v1", hashlib.sha256).hexdigest()[:16]
    assert "key-a" not in a


def test_a_key_change_is_refused_and_the_first_key_is_recorded(tmp_path):
    """docs/design.md: the fingerprint is recorded on first use; any other key is refused
    (a silently new key would give every worker a second worker_key)."""
    warehouse = tmp_path / "lrm.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        assert recorded_fingerprint(con) is None
        verify_key(con, warehouse, b"first-key", None)
        assert recorded_fingerprint(con) == fingerprint(b"first-key")
        verify_key(con, warehouse, b"first-key", None)  # the same key again: accepted
        with pytest.raises(PseudonymKeyError, match="is not the one the warehouse"):
            verify_key(con, warehouse, b"second-key", None)
        with pytest.raises(PseudonymKeyError):
            check_key(warehouse, b"second-key", recorded_fingerprint(con))
        assert recorded_fingerprint(con) == fingerprint(b"first-key")
    finally:
        con.close()


def test_a_warehouse_keyed_before_fingerprints_is_judged_by_the_delivery_file(tmp_path):
    warehouse = tmp_path / "lrm.duckdb"
    pairs = pl.DataFrame({"iin": [IINS[0]], "worker_key": [worker_key(b"old-key", IINS[0])]})
    con = duckdb.connect(str(warehouse))
    try:
        with pytest.raises(PseudonymKeyError, match="delivery file"):
            verify_key(con, warehouse, b"new-key", pairs)
        assert recorded_fingerprint(con) is None
        verify_key(con, warehouse, b"old-key", pairs)
        assert recorded_fingerprint(con) == fingerprint(b"old-key")
    finally:
        con.close()


def test_the_delivery_file_is_owner_only(tmp_path):
    """README: the file of IINs is owner-only from its creation, while it is open (its
    write-ahead log too), not only once it is closed."""
    delivery = tmp_path / "lrm.duckdb.delivery.duckdb"
    with connect_delivery(delivery) as dcon:
        write_worker_keys(dcon, worker_keys(b"k", pl.Series("iin", IINS[:3])))
        files = [p for p in (delivery, delivery.with_name(delivery.name + ".wal")) if p.exists()]
        assert files and {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {p.name: 0o600 for p in files}
    assert stat.S_IMODE(delivery.stat().st_mode) == 0o600
    assert read_worker_keys(delivery).height == 3


def test_rotation_maps_every_worker_key_through_the_delivery_file(tmp_path):
    """docs/design.md: rotation rewrites every worker_key of every base table (IIN → old key
    → new key) and the delivery file, and records the new key; a worker_key the delivery
    file does not know refuses the rotation before anything changes."""
    warehouse, delivery = tmp_path / "lrm.duckdb", tmp_path / "lrm.duckdb.delivery.duckdb"
    old, new = b"old-key", b"new-key"
    with connect_delivery(delivery) as dcon:
        write_worker_keys(dcon, worker_keys(old, pl.Series("iin", IINS[:3])))
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA raw; CREATE SCHEMA marts")
        con.execute("CREATE TABLE raw.employees (contract_id VARCHAR, worker_key VARCHAR)")
        con.execute("CREATE TABLE marts.guarantee_assignments (worker_key VARCHAR, volume DOUBLE)")
        con.executemany(
            "INSERT INTO raw.employees VALUES (?, ?)",
            [[f"C{i}", worker_key(old, iin)] for i, iin in enumerate(IINS[:3])],
        )
        con.execute("INSERT INTO marts.guarantee_assignments VALUES (?, 1), (NULL, 2)", [worker_key(old, IINS[1])])
        verify_key(con, warehouse, old, None)
    done = rotate(warehouse, delivery, new)
    assert done.workers == 3 and done.tables == {"marts.guarantee_assignments": 1, "raw.employees": 3}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert sorted(r[0] for r in con.execute("SELECT worker_key FROM raw.employees").fetchall()) == sorted(
            worker_key(new, i) for i in IINS[:3]
        )
        assert con.execute("SELECT worker_key FROM marts.guarantee_assignments ORDER BY volume").fetchall() == [
            (worker_key(new, IINS[1]),),
            (None,),
        ]
        assert recorded_fingerprint(con) == fingerprint(new)
    assert dict(read_worker_keys(delivery).iter_rows()) == {i: worker_key(new, i) for i in IINS[:3]}
    # A worker the delivery file does not know: refused, nothing changed.
    with duckdb.connect(str(warehouse)) as con:
        con.execute("INSERT INTO raw.employees VALUES ('C-X', 'ffffffffffffffffffffffffffffffff')")
    with pytest.raises(PseudonymKeyError, match="not in the delivery file"):
        rotate(warehouse, delivery, b"third-key")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert recorded_fingerprint(con) == fingerprint(new)
        assert con.execute(
            "SELECT count(*) FROM raw.employees WHERE worker_key = ?", [worker_key(new, IINS[0])]
        ).fetchall() == [(1,)]
