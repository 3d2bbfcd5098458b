"""One quality step: validate, record in dq, refresh the report. Used by the asset checks
(pipelines/defs/quality) and usable on its own (`python -m pipelines.quality.service`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pipelines.quality import history, report, runner
from pipelines.quality.paths import report_location, run_page  # noqa: F401 (report_location re-exported)
from pipelines.memory import release_memory
from pipelines.run_lock import WRITER_WAIT_SECONDS, warehouse_lock
from pipelines.warehouse import connect, ensure_dq

CHECK_NAMES = {"critical": "gx_critical", "warning": "gx_warnings"}


@dataclass
class StepOutcome:
    records: list[runner.CheckRecord]
    run_page: Path
    index_page: Path
    data_docs: Path | None


def _finish(con, warehouse: Path, run_id: str, as_of: dt.date | None, landing_dir: str) -> tuple[Path, Path]:
    history.update_run(con, run_id, as_of, landing_dir, run_page(warehouse, run_id))
    page = report.render_run(con, warehouse, run_id)
    return page, report.render_index(con, warehouse)


def _build_docs(warehouse: Path, validator: runner.Validator, records: list[runner.CheckRecord]) -> Path:
    """This step's pages. The index waits for the end of the run (publish), unless a
    blocking expectation failed: then the run ends here, and auditors look now."""
    blocked = any(r.outcome == "failed" for r in records)
    return runner.build_data_docs(warehouse, validator.rendered, index=blocked)


def check_raw(warehouse: Path, run_id: str, extract: str, as_of: dt.date | None = None, landing_dir: str = "",
              build_docs: bool = True, drop_range: tuple[str, str] | None = None) -> StepOutcome:
    """drop_range: the drops this run loaded (FIRST, LAST); None checks every drop."""
    validator = runner.Validator(warehouse, run_id)
    with warehouse_lock(warehouse, WRITER_WAIT_SECONDS), connect(warehouse) as con:
        ensure_dq(con)
        history.ensure_history(con)
        records = runner.validate_raw(con, validator, extract, drop_range)
        history.record_checks(con, run_id, f"raw/{extract}", records, CHECK_NAMES)
        history.record_ingest(con, run_id, extract)
        page, index = _finish(con, warehouse, run_id, as_of, landing_dir)
    docs = _build_docs(warehouse, validator, records) if build_docs else None
    release_memory()
    return StepOutcome(records, page, index, docs)


def check_mart(warehouse: Path, run_id: str, mart: str, as_of: dt.date | None = None, landing_dir: str = "",
               build_docs: bool = True) -> StepOutcome | None:
    """None when the mart does not exist in the warehouse (yet)."""
    validator = runner.Validator(warehouse, run_id)
    with warehouse_lock(warehouse, WRITER_WAIT_SECONDS), connect(warehouse) as con:
        ensure_dq(con)
        history.ensure_history(con)
        if not runner.mart_exists(con, mart):
            return None
        records = runner.validate_mart(con, validator, mart)
        history.record_checks(con, run_id, f"marts/{mart}", records, CHECK_NAMES)
        page, index = _finish(con, warehouse, run_id, as_of, landing_dir)
    docs = _build_docs(warehouse, validator, records) if build_docs else None
    release_memory()
    return StepOutcome(records, page, index, docs)
