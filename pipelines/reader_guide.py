"""What `lrm run` prints last: where readers go. The published copy (never the file the
pipeline writes, which readers must not open), the report index, the Dagster UI command
over the same instance, and one query that works as printed."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from pipelines import REPO_ROOT
from pipelines.publish import ANALYST_FILE, PARQUET_DIR, published_dir

EXAMPLE_SQL = "SELECT region_name, workers_harmful, harmful_share FROM marts.region_risk ORDER BY 2 DESC"


def analyst_copy(warehouse: Path) -> Path:
    """Where this warehouse's published analyst copy lies."""
    return published_dir(warehouse) / ANALYST_FILE


def example_query(copy: Path) -> str:
    """A shell command that queries the published copy read-only with the installed DuckDB."""
    code = f"import duckdb; duckdb.connect({str(copy)!r}, read_only=True).sql({EXAMPLE_SQL!r}).show()"
    # Double quotes read better than shlex's '"'"' and are safe when nothing in them expands.
    quoted = f'"{code}"' if not set(code) & set('"$`\\!') else shlex.quote(code)
    return f"{shlex.quote(sys.executable)} -c {quoted}"


def dagster_ui_command(warehouse: Path, landing: Path) -> str:
    """The shell command that opens the Dagster UI on this warehouse and landing."""
    home = os.environ.get("DAGSTER_HOME")
    env = [f"DAGSTER_HOME={shlex.quote(home)}"] if home else []
    env += [f"LRM_WAREHOUSE={shlex.quote(str(warehouse))}", f"LRM_LANDING={shlex.quote(str(landing))}"]
    dagster = Path(sys.executable).with_name("dagster")
    return " ".join([*env, shlex.quote(str(dagster)), "dev", "-w", shlex.quote(str(REPO_ROOT / "workspace.yaml"))])


def closing_lines(warehouse: Path, landing: Path, published: bool, report_index: Path, run_page: Path) -> list[str]:
    """The lines `lrm run` ends with: where the published copy, Parquet, report and Dagster UI
    are, and an example query."""
    copy = analyst_copy(warehouse)
    lines = []
    if copy.exists():
        note = "" if published else " — unchanged: this run published nothing"
        lines += [
            f"  published copy (read-only, for readers and BI tools): {copy}{note}",
            f"  Parquet of every mart: {published_dir(warehouse) / PARQUET_DIR / 'current'}",
        ]
    else:
        lines.append("  published copy: none yet (no run has published)")
    lines.append(f"  data-quality report: {report_index} (this run: {run_page})")
    ui = dagster_ui_command(warehouse, landing)
    lines.append(
        f"  Dagster UI: {ui}"
        + (
            ""
            if os.environ.get("DAGSTER_HOME")
            else "  (DAGSTER_HOME is unset: this run is not in the UI's history; `make run` sets it)"
        )
    )
    if copy.exists():
        lines.append(f"  example query: {example_query(copy)}")
    return lines
