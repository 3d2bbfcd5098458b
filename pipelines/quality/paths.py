"""Where the auditor's report lives: next to the warehouse file."""

from __future__ import annotations

from pathlib import Path


def report_dir(warehouse: Path) -> Path:
    return Path(warehouse).resolve().parent / "dq_report"


def data_docs_dir(warehouse: Path) -> Path:
    return report_dir(warehouse) / "data_docs"


def runs_dir(warehouse: Path) -> Path:
    return report_dir(warehouse) / "runs"


def run_page(warehouse: Path, run_id: str) -> Path:
    return runs_dir(warehouse) / f"{run_id}.html"


def index_page(warehouse: Path) -> Path:
    return report_dir(warehouse) / "index.html"
