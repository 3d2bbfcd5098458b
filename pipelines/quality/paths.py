"""Where the auditor's report lives: next to the warehouse file."""
from __future__ import annotations

from pathlib import Path


def report_dir(warehouse: Path) -> Path:
    return Path(warehouse).resolve().parent / "dq_report"


def data_docs_dir(warehouse: Path) -> Path:
    return report_dir(warehouse) / "data_docs"


def gx_project_dir(warehouse: Path) -> Path:
    return report_dir(warehouse) / "gx_project"


def runs_dir(warehouse: Path) -> Path:
    return report_dir(warehouse) / "runs"


def run_page(warehouse: Path, run_id: str) -> Path:
    return runs_dir(warehouse) / f"{run_id}.html"


def index_page(warehouse: Path) -> Path:
    return report_dir(warehouse) / "index.html"


def report_location(warehouse: Path, run_id: str | None = None) -> Path:
    """What `lrm run` prints: the run's summary page if the run wrote one, else the index."""
    if run_id and run_page(warehouse, run_id).exists():
        return run_page(warehouse, run_id)
    return index_page(warehouse)
