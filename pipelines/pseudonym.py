"""The pseudonymous worker key: a keyed hash (HMAC-SHA256) of the IIN.

The key comes from configuration, never from the repository: the environment variable
LRM_PSEUDONYM_KEY, else the file named by LRM_PSEUDONYM_KEY_FILE, else a key file beside
the warehouse, created once with owner-only permissions. The same key gives the same
worker_key on every run, which is what makes assignment history comparable, so the key is
part of the warehouse's identity: its fingerprint is recorded on first use, and a run
with a missing or different key is refused until the operator re-keys (pipelines/rekey.py).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import polars as pl


class PseudonymKeyError(RuntimeError):
    """The configured key is missing or is not the key this warehouse was built with."""


KEY_TABLE = "ops.pseudonym_key"
_FINGERPRINT_MESSAGE = b"labour-risk-map/pseudonym-key-fingerprint/v1"


def key_file_for(warehouse: Path) -> Path:
    """The key file: LRM_PSEUDONYM_KEY_FILE, else .lrm_pseudonym.key beside the warehouse."""
    return Path(os.environ.get("LRM_PSEUDONYM_KEY_FILE") or warehouse.parent / ".lrm_pseudonym.key")


def fingerprint(key: bytes) -> str:
    """Names a key without revealing it: the warehouse records it on first use."""
    return hmac.new(key, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


def _rotation_hint(warehouse: Path) -> str:
    return (
        f"restore the key this warehouse was built with (LRM_PSEUDONYM_KEY, LRM_PSEUDONYM_KEY_FILE or "
        f"{key_file_for(warehouse)}), or re-key every worker_key with the new one: lrm run --rotate-key"
    )


def load_key(warehouse: Path, recorded: str | None = None) -> bytes:
    """The configured key. A key file is created (owner-only) only for a warehouse that has
    recorded no key yet: a lost key file must not be silently replaced by a new key, which
    would give every worker a second worker_key."""
    env = os.environ.get("LRM_PSEUDONYM_KEY")
    if env:
        return env.encode()
    path = key_file_for(warehouse)
    if not path.exists():
        if recorded is not None:
            raise PseudonymKeyError(
                f"the pseudonym key file {path} is missing, and the warehouse {warehouse} was "
                f"keyed with the key of fingerprint {recorded}: {_rotation_hint(warehouse)}"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def recorded_fingerprint(con) -> str | None:
    """The fingerprint of the key the warehouse was keyed with, None before its first use."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'ops' AND table_name = 'pseudonym_key'"
    ).fetchall()[0][0]
    if not exists:
        return None
    row = con.execute(f"SELECT fingerprint FROM {KEY_TABLE}").fetchall()
    return row[0][0] if row else None


def record_fingerprint(con, key: bytes) -> None:
    """Records the key's fingerprint (never the key) as the one the warehouse is keyed with,
    replacing any earlier one."""
    con.execute("CREATE SCHEMA IF NOT EXISTS ops")
    con.execute(f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} (fingerprint VARCHAR NOT NULL, recorded_at TIMESTAMP)")
    con.execute(f"DELETE FROM {KEY_TABLE}")
    con.execute(f"INSERT INTO {KEY_TABLE} VALUES (?, now())", [fingerprint(key)])


def check_key(warehouse: Path, key: bytes, recorded: str | None) -> None:
    """Refuses a key other than the one the warehouse recorded."""
    if recorded is not None and recorded != fingerprint(key):
        raise PseudonymKeyError(
            f"the pseudonym key (fingerprint {fingerprint(key)}) is not the one the warehouse "
            f"{warehouse} was keyed with (fingerprint {recorded}): {_rotation_hint(warehouse)}"
        )


def verify_key(con, warehouse: Path, key: bytes, known_pairs: pl.DataFrame | None) -> None:
    """Refuses a key that is not the warehouse's; records the key on its first use. A
    warehouse keyed before keys were recorded is judged by the delivery file's pairs."""
    recorded = recorded_fingerprint(con)
    check_key(warehouse, key, recorded)
    if recorded is None:
        if known_pairs is not None and known_pairs.height:
            iin, key_of_iin = known_pairs.row(0)
            if worker_key(key, iin) != key_of_iin:
                raise PseudonymKeyError(
                    f"the pseudonym key is not the one the delivery file's worker keys were made "
                    f"with: {_rotation_hint(warehouse)}"
                )
        record_fingerprint(con, key)


def worker_key(key: bytes, iin: str) -> str:
    """The worker_key of one IIN: HMAC-SHA256 under the key, its first 32 hex digits."""
    return hmac.new(key, iin.encode(), hashlib.sha256).hexdigest()[:32]


def _hmac_prepared(key: bytes):
    """HMAC-SHA256 keyed once, copied per IIN: millions of IINs without re-keying each."""
    keyed = hmac.new(key, digestmod=hashlib.sha256)

    def digest(message: str) -> str:
        h = keyed.copy()
        h.update(message.encode())
        return h.hexdigest()[:32]

    return digest


def worker_keys(key: bytes, iins: pl.Series, known: pl.DataFrame | None = None) -> pl.DataFrame:
    """Distinct IINs with their worker keys (iin, worker_key); `known` pairs are reused."""
    distinct = iins.drop_nulls().unique().sort().to_frame("iin")
    if known is not None and known.height:
        found = distinct.join(known, on="iin", how="inner")
        missing = distinct.join(known, on="iin", how="anti")["iin"]
    else:
        found, missing = None, distinct["iin"]
    digest = _hmac_prepared(key)
    computed = pl.DataFrame(
        {"iin": missing, "worker_key": [digest(v) for v in missing.to_list()]},
        schema={"iin": pl.String, "worker_key": pl.String},
    )
    return computed if found is None else pl.concat([found.select("iin", "worker_key"), computed]).sort("iin")
