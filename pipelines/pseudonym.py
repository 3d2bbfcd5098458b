"""The pseudonymous worker key: a keyed hash of the IIN (issue 3, outputs.md).

The key comes from configuration, never from the repository: the environment variable
LRM_PSEUDONYM_KEY, else the file named by LRM_PSEUDONYM_KEY_FILE, else a key file beside
the warehouse, created once with owner-only permissions. The same key gives the same
worker_key on every run, which is what makes assignment history comparable.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import polars as pl

MASK = "************"


def key_file_for(warehouse: Path) -> Path:
    return Path(os.environ.get("LRM_PSEUDONYM_KEY_FILE") or warehouse.parent / ".lrm_pseudonym.key")


def load_key(warehouse: Path) -> bytes:
    env = os.environ.get("LRM_PSEUDONYM_KEY")
    if env:
        return env.encode()
    path = key_file_for(warehouse)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def worker_key(key: bytes, iin: str) -> str:
    return hmac.new(key, iin.encode(), hashlib.sha256).hexdigest()[:32]


def _hmac_prepared(key: bytes):
    """HMAC-SHA256 with the key's inner and outer pads hashed once, for millions of IINs
    (the same digest as hmac.new, about twice as fast)."""
    block = 64
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def digest(message: str) -> str:
        i = inner.copy()
        i.update(message.encode())
        o = outer.copy()
        o.update(i.digest())
        return o.hexdigest()[:32]

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
    computed = pl.DataFrame({"iin": missing, "worker_key": [digest(v) for v in missing.to_list()]},
                            schema={"iin": pl.String, "worker_key": pl.String})
    return computed if found is None else pl.concat([found.select("iin", "worker_key"), computed]).sort("iin")
