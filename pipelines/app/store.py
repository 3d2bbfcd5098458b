"""The app's only access to data: the published read-only copy.

Each request opens the copy read-only and closes it when done, so the pipeline can swap
in a new copy (a rename) at any time: a request already running finishes on the old file,
the next one opens the new (one connection serves all the queries of one request:
`reading()`). What is derived once per copy (labels, the region table) is
cached under the file's identity (inode and modification time), so a new publish is picked
up by the first request after it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from pipelines.labels import Labels
from pipelines.region_map import as_of, available_measures, region_measures

T = TypeVar("T")


class PublishedCopy:
    """The published read-only copy as the app reads it: one connection per request, and what is
    derived once per copy cached under the file's identity."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[tuple[int, int], Any]] = {}
        self._request = threading.local()

    def identity(self) -> tuple[int, int]:
        """The file's inode and modification time: a new publish (a rename) changes them."""
        st = os.stat(self.path)
        return st.st_ino, st.st_mtime_ns

    @contextlib.contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The request's connection while `reading()` holds one, else a read-only connection
        closed after the block."""
        held = getattr(self._request, "con", None)
        if held is not None:
            yield held
            return
        con = duckdb.connect(str(self.path), read_only=True, config={"threads": 2, "memory_limit": "1GB"})
        try:
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Within the block, this thread's queries share one connection (one request)."""
        with self.connect() as con:
            self._request.con = con
            try:
                yield
            finally:
                self._request.con = None

    def rows(self, sql: str, params: Any = None) -> list[dict]:
        """The query's rows as dicts keyed by column name."""
        with self.connect() as con:
            cur = con.execute(sql, params) if params is not None else con.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    def columns(self, schema: str, table: str) -> set[str]:
        """The column names of schema.table in this copy (cached per copy), so a page can leave
        out what an older copy lacks."""
        return self._per_copy(
            f"columns:{schema}.{table}",
            lambda con: {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                    [schema, table],
                ).fetchall()
            },
        )

    def _per_copy(self, name: str, build: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        ident = self.identity()
        with self._lock:
            hit = self._cache.get(name)
            if hit and hit[0] == ident:
                return hit[1]
        with self.connect() as con:
            value = build(con)
        with self._lock:
            self._cache[name] = (ident, value)
        return value

    def labels(self) -> Labels:
        """The copy's labels (UI texts, codes, regions, sections, size bands) as of its date,
        cached per copy."""
        return self._per_copy("labels", lambda con: Labels.load(con, as_of(con)))

    def as_of(self):
        """The copy's as-of date, cached per copy."""
        return self._per_copy("as_of", as_of)

    def regions(self) -> list[dict]:
        """Every region's figures (region_measures), cached per copy."""
        return self._per_copy("regions", region_measures)

    def measures(self) -> list:
        """The measures this copy can shade the map by, cached per copy."""
        return self._per_copy("measures", available_measures)
