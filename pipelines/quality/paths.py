"""Where the auditor's report lives: next to the warehouse file."""

from __future__ import annotations

from pathlib import Path


def report_dir(warehouse: Path) -> Path:
    """The data-quality report's folder, beside the warehouse."""
    return Path(warehouse).resolve().parent / "dq_report"


def data_docs_dir(warehouse: Path) -> Path:
    """The report's GX Data Docs folder."""
    return report_dir(warehouse) / "data_docs"


def runs_dir(warehouse: Path) -> Path:
    """The folder of the report's per-run pages."""
    return report_dir(warehouse) / "runs"


def run_page(warehouse: Path, run_id: str) -> Path:
    """The report page of one run."""
    return runs_dir(warehouse) / f"{run_id}.html"


def index_page(warehouse: Path) -> Path:
    """The report's index of every run."""
    return report_dir(warehouse) / "index.html"
