"""dbt in the test process: the project parsed once, the manifest reused for every
invocation (a parse costs more than building a few models), JSON artefacts not written."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT = Path(os.environ.get("LRM_DBT_PROJECT_DIR", Path(__file__).resolve().parents[1] / "dbt_project"))


def release_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in the process after an invocation; close
    it so this process can open the warehouse file itself."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager as M

    with M._LOCK:
        if M._ENV is not None:
            M._ENV.close()
            M._ENV = None


class Dbt:
    def __init__(self, warehouse: Path, tmp: Path, as_of: str):
        self.env = {"LRM_WAREHOUSE": str(warehouse)}
        self.common = [
            "--threads",
            "1",
            "--profiles-dir",
            str(PROJECT),
            "--project-dir",
            str(PROJECT),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
            "--vars",
            f'{{as_of: "{as_of}"}}',
            "--quiet",
        ]
        self.manifest = None

    def invoke(self, *args: str):
        """dbt's result object (it may hold failed nodes: the caller judges them)."""
        from dbt.cli.main import dbtRunner

        old = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            if self.manifest is None:
                r = dbtRunner().invoke(["parse", *self.common])
                assert r.success, r.exception
                self.manifest = r.result
            return dbtRunner(manifest=self.manifest).invoke([*args, *self.common, "--no-write-json"])
        finally:
            release_duckdb()
            for k, v in old.items():
                os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)

    def __call__(self, *args: str) -> None:
        r = self.invoke(*args)
        assert r.success, (args, r.exception, r.result)
