"""The quality steps of a run, each holding the warehouse lock: validate and record in
dq, refresh the report. Used by the Dagster steps (pipelines/defs), and `finish_run` by
whatever ends a run: `lrm run`, or the run status sensors under `dagster dev`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.memory import release_memory
from pipelines.quality import dbt_results, history, rejections, report, runner
from pipelines.quality.paths import run_page
from pipelines.run_lock import WRITER_WAIT_SECONDS, warehouse_lock
from pipelines.warehouse import connect, ensure_dq

CHECK_NAMES = {"critical": "gx_critical", "warning": "gx_warnings"}


@dataclass
class StepOutcome:
    """What a quality step produced: its check records and the report pages it refreshed."""

    records: list[runner.CheckRecord]
    run_page: Path
    index_page: Path


@dataclass
class RunPages:
    """What `finish_run` recorded and rendered."""

    status: str  # passed | passed with warnings | blocked | failed
    reasons: list[str]
    run_page: Path
    index_page: Path
    data_docs: Path


def _refresh(con, warehouse: Path, run_id: str, as_of: dt.date | None, landing_dir: str) -> tuple[Path, Path]:
    """The run's counts (status still `running`) and its page, while the run goes on."""
    history.update_run(con, run_id, as_of, landing_dir, run_page(warehouse, run_id))
    return report.render_run(con, warehouse, run_id), report.render_index(con, warehouse)


def check_raw(
    warehouse: Path,
    run_id: str,
    extract: str,
    as_of: dt.date | None = None,
    landing_dir: str = "",
    drop_range: tuple[str, str] | None = None,
) -> StepOutcome:
    """The GX suites and the rejection thresholds of one extract, on the drops FIRST..LAST
    of drop_range (every drop when None) and every unsettled one."""
    validator = runner.Validator(warehouse, run_id)
    with warehouse_lock(warehouse, WRITER_WAIT_SECONDS), connect(warehouse) as con:
        ensure_dq(con)
        history.ensure_history(con)
        checked = runner.drops_to_check(con, extract, drop_range)
        records = runner.validate_raw(con, validator, extract, checked) + rejections.evaluate(con, extract, checked)
        history.record_checks(con, run_id, f"raw/{extract}", records, CHECK_NAMES)
        history.record_ingest(con, run_id, extract, checked)
        history.record_landing_issues(con, run_id)
        page, index = _refresh(con, warehouse, run_id, as_of, landing_dir)
    release_memory()
    return StepOutcome(records, page, index)


def check_mart(
    warehouse: Path, run_id: str, mart: str, as_of: dt.date | None = None, landing_dir: str = ""
) -> StepOutcome | None:
    """None when the mart does not exist in the warehouse (yet)."""
    validator = runner.Validator(warehouse, run_id)
    with warehouse_lock(warehouse, WRITER_WAIT_SECONDS), connect(warehouse) as con:
        ensure_dq(con)
        history.ensure_history(con)
        if not runner.mart_exists(con, mart):
            return None
        records = runner.validate_mart(con, validator, mart)
        history.record_checks(con, run_id, f"marts/{mart}", records, CHECK_NAMES)
        page, index = _refresh(con, warehouse, run_id, as_of, landing_dir)
    release_memory()
    return StepOutcome(records, page, index)


def record_dbt(
    warehouse: Path,
    run_id: str,
    run_results: Mapping[str, Any],
    manifest: Mapping[str, Any],
    as_of: dt.date | None = None,
    landing_dir: str = "",
) -> list[runner.CheckRecord]:
    """Every dbt data test and model contract of the run's `dbt build`."""
    records = dbt_results.records(run_results, manifest)
    with warehouse_lock(warehouse, WRITER_WAIT_SECONDS), connect(warehouse) as con:
        history.ensure_history(con)
        history.record_dbt_checks(con, run_id, records)
        _refresh(con, warehouse, run_id, as_of, landing_dir)
    return records


def before_publish(warehouse: Path, run_id: str, as_of: dt.date | None, landing_dir: str) -> str:
    """The publish step copies dq into the readers' copy: it records first the status the
    run has if publishing succeeds, so no published table says `running`. Returns it."""
    with warehouse_lock(warehouse, WRITER_WAIT_SECONDS), connect(warehouse) as con:
        history.ensure_history(con)
        status, reasons = history.outcome(con, run_id, True, [])
        history.update_run(
            con, run_id, as_of, landing_dir, run_page(warehouse, run_id), history.RunStatus(status, reasons)
        )
    return status


def record_published(warehouse: Path, run_id: str, tables: dict[str, int], location: Path) -> None:
    """Records a run's publish in dq, under the warehouse lock."""
    with warehouse_lock(warehouse, WRITER_WAIT_SECONDS), connect(warehouse) as con:
        history.ensure_history(con)
        history.record_published(con, run_id, tables, location)


def finish_run(
    warehouse: Path,
    run_id: str,
    success: bool,
    failures: list[str],
    as_of: dt.date | None,
    landing_dir: str | Path,
    started_at: dt.datetime | None = None,
) -> RunPages:
    """Records a run's final outcome and renders its pages. Call it once a run has ended,
    successful or not, after anything that puts the warehouse back as it was (a failed
    run's restore) and before anyone reads the report: `lrm run` at its very end, the run
    status sensors for runs started from the Dagster UI.

    - warehouse: the warehouse file the run wrote; its dq history tables (every one keyed
      by run_id) must hold the run's rows that exist (none, when it failed before any
      check step: the run_history row is then created here).
    - success: the Dagster run succeeded (every step, publishing included).
    - failures: the error messages of the steps that failed (empty on success); Dagster's
      summary of failed blocking checks is left out, the checks themselves are listed.
    - as_of, landing_dir, started_at: what the run ran for, recorded with it.

    The status written to dq.run_history (with its reasons in status_reasons, as JSON) and
    shown by the run page and the index is the run's real outcome: `passed` or `passed
    with warnings` when it succeeded; `blocked` when a blocking check failed (GX critical
    expectations, a rejection threshold, a dbt test of severity error, a model contract);
    `failed` when a step failed otherwise. Renders runs/<run_id>.html, runs/<run_id>.dbt.html,
    the run's Data Docs pages and both indexes. Idempotent: calling it again for the same
    run gives the same status. Takes the warehouse lock (re-entrant within `lrm run`)."""
    with warehouse_lock(warehouse, WRITER_WAIT_SECONDS), connect(warehouse) as con:
        ensure_dq(con)
        history.ensure_history(con)
        status, reasons = history.outcome(con, run_id, success, failures)
        history.update_run(
            con,
            run_id,
            as_of,
            str(landing_dir),
            run_page(warehouse, run_id),
            history.RunStatus(status, reasons),
            started_at,
        )
        report.render_validations(con, warehouse, run_id)
        report.render_dbt(con, warehouse, run_id)
        page = report.render_run(con, warehouse, run_id)
        docs = report.render_docs_index(con, warehouse)
        index = report.render_index(con, warehouse)
    return RunPages(status, reasons, page, index, docs)
