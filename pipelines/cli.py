"""The `lrm` command (docs/design.md, published interface): `lrm run` and `lrm generate`."""

from __future__ import annotations

import os

# Polars allocates with jemalloc, which keeps freed pages for a while; `lrm run` is one
# long process whose next step (dbt, a child process) needs them back now. Read when
# Polars loads, so it is set before anything imports it.
os.environ.setdefault("_RJEM_MALLOC_CONF", "background_thread:true,dirty_decay_ms:0,muzzy_decay_ms:0")

import argparse
import contextlib
import datetime as dt
import io
import logging
import re
import sys
import time
import warnings
from pathlib import Path

from pipelines import contract
from pipelines.generate.calibration import SCALES
from pipelines.masking import safe_message

# Exit codes of `lrm run` (README, "The command line").
EXIT_DONE, EXIT_FAILED, EXIT_BAD_ARGUMENT, EXIT_BUSY, EXIT_KEY_REFUSED = 0, 1, 2, 3, 4


def _progress_logger_def():
    from dagster import Field, logger

    @logger(config_schema={"log_level": Field(str, default_value="INFO")}, description="one line per step")
    def progress_logger(init_context):
        log = logging.getLogger("lrm.progress")
        log.setLevel(logging.DEBUG)  # step events arrive at DEBUG; the handler picks
        log.propagate = False
        if not log.handlers:
            log.addHandler(_ProgressHandler())
        return log

    return progress_logger


# dbt reports every node twice (START and result) on stdout; one line per built model
# or non-passing test is progress enough for a terminal.
_DBT_NOISE = re.compile(
    r"^\s*(\d+ of \d+ (START|PASS)\b|Running with|Registered adapter|Found \d|Concurrency|"
    r"Unable to do partial|Copying|A dbt subsetted|Finished running|Completed successfully|$)"
)


class _QuietDbtStdout(io.TextIOBase):
    def __init__(self, target):
        self.target = target
        self.pending = ""

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            plain = re.sub(r"\x1b\[[0-9;]*m", "", line)
            if not _DBT_NOISE.match(plain):
                self.target.write(f"    {safe_message(plain.strip())}\n")
        return len(text)

    def flush(self) -> None:
        self.target.flush()


class _ProgressHandler(logging.Handler):
    started: dict[str, float] = {}
    metrics = None  # a StepMetrics while `lrm run` executes

    def _worth_showing(self, message: str) -> bool:
        return bool(message.strip()) and not _DBT_NOISE.match(message)

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", {}) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        message = meta.get("orig_message") or record.getMessage()
        if event is None:
            if record.levelno >= logging.INFO and step and self._worth_showing(message):
                print(f"  {safe_message(message)}", flush=True)
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            self.started[step] = time.perf_counter()
            if self.metrics:
                self.metrics.start(step)
            print(f"→ {step}", flush=True)
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and self.metrics:
            self.metrics.finish(step)
        if kind == "STEP_SUCCESS":
            print(f"✓ {step} ({time.perf_counter() - self.started.get(step, time.perf_counter()):.1f}s)", flush=True)
        elif kind == "STEP_FAILURE":
            print(f"✗ {step} failed: {safe_message(message)}", flush=True)
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            evaluation = getattr(data, "asset_check_evaluation", data)
            if evaluation is not None and not evaluation.passed:
                print(
                    f"  ! check {evaluation.asset_key.to_user_string()}:{evaluation.check_name} "
                    f"failed ({evaluation.severity.value})",
                    flush=True,
                )


_REASONS_PRINTED = 10


def _dagster_instance():
    """The persistent instance of DAGSTER_HOME when one is configured (`make run` and
    `make dagster` share it, so the UI shows command-line runs), else a throwaway one."""
    from dagster import DagsterInstance

    return DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()


def _prepare_key(settings, instance, run_id: str, rotate: bool) -> None:
    """Before anything is written: the pseudonym key must be the warehouse's own; with
    --rotate-key a new key replaces it, every worker_key re-keyed inside the run's journal.
    Raises PseudonymKeyError."""
    from pipelines import rekey, run_journal
    from pipelines.defs.ops.journal import run_files, status_of
    from pipelines.pseudonym import check_key, fingerprint, load_key, recorded_fingerprint
    from pipelines.warehouse import connect

    recorded = None
    if settings.warehouse.exists():
        with connect(settings.warehouse, read_only=True) as con:
            recorded = recorded_fingerprint(con)
    if not rotate:
        check_key(settings.warehouse, load_key(settings.warehouse, recorded), recorded)
        return
    note = run_journal.settle_stale(settings.warehouse, run_id, status_of(instance))
    if note:
        print(f"  journal: {note}")
    run_journal.begin(run_files(settings), run_id)
    key = load_key(settings.warehouse)  # a missing key file is created: the new key
    if recorded is None or recorded == fingerprint(key):
        print("lrm run: --rotate-key: the warehouse already uses this key; nothing to re-key")
        return
    done = rekey.rotate(settings.warehouse, settings.delivery, key)
    print(
        f"lrm run: re-keyed {done.workers:,} workers to the key of fingerprint {fingerprint(key)} "
        f"({sum(done.tables.values()):,} rows in {len(done.tables)} tables)"
    )


def run(args: argparse.Namespace) -> int:
    """`lrm run`: loads the drops and builds every asset in one Dagster run under the warehouse
    lock, then records the outcome and prints where to read it; returns the exit code."""
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG
    from dagster._core.utils import make_new_run_id

    from pipelines.definitions import ALL_ASSETS_JOB, build_definitions
    from pipelines.defs.dbt.project import StaleManifestError, check_manifest
    from pipelines.defs.ingest.assets import drops_partitions
    from pipelines.defs.ops.journal import execute_job_run, settle
    from pipelines.defs.ops.run_outcome import CLI_TRIGGER, TRIGGER_TAG, step_failures
    from pipelines.defs.resources import LrmSettings
    from pipelines.pseudonym import PseudonymKeyError
    from pipelines.quality.service import finish_run
    from pipelines.reader_guide import closing_lines
    from pipelines.run_lock import WarehouseBusyError, WarehouseUnwritableError, warehouse_lock
    from pipelines.run_metrics import StepMetrics
    from pipelines.warehouse import connect

    settings = LrmSettings(
        landing_dir=str(Path(args.landing).resolve()),
        warehouse_path=str(Path(args.warehouse).resolve()),
        delivery_path=str(Path(args.delivery).resolve()) if args.delivery else None,
        as_of=args.as_of,
    )
    try:
        landing = settings.landing()
        as_of = settings.resolve_as_of()
    except (FileNotFoundError, ValueError) as exc:
        print(f"lrm run: {safe_message(exc)}", file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    print(f"lrm run: {len(landing.drops)} complete drop(s) in {landing.root}, as of {as_of}")
    for path, issue in landing.issues:
        print(f"  landing: {path}: {issue}")

    try:
        check_manifest()
    except StaleManifestError as exc:
        print(f"lrm run: {exc}", file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    defs = build_definitions(settings)
    job = defs.resolve_job_def(ALL_ASSETS_JOB)
    job = job.with_logger_defs({"progress": _progress_logger_def()})
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC)
    keys = landing.keys
    if not keys:
        print(f"lrm run: no complete drop to load in {landing.root}", file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    first, last = (args.drops.split(":") + [None])[:2] if args.drops else (keys[0], keys[-1])
    last = last or first
    metrics = StepMetrics()
    _ProgressHandler.metrics = metrics
    run_id = make_new_run_id()
    with _dagster_instance() as instance:
        instance.add_dynamic_partitions(drops_partitions.name, keys)
        try:
            with (
                warehouse_lock(settings.warehouse, wait_seconds=args.wait),
                metrics,
                contextlib.redirect_stdout(_QuietDbtStdout(sys.stdout)),
            ):
                _prepare_key(settings, instance, run_id, args.rotate_key)
                # Settles the run's journal as it returns: a failed run leaves the warehouse as it was.
                result = execute_job_run(
                    job,
                    settings,
                    instance,
                    run_id=run_id,
                    run_config={"loggers": {"progress": {"config": {"log_level": "INFO"}}}},
                    # The run status sensors skip a run tagged as the command line's: it settles and records its own end.
                    tags={
                        ASSET_PARTITION_RANGE_START_TAG: first,
                        ASSET_PARTITION_RANGE_END_TAG: last,
                        TRIGGER_TAG: CLI_TRIGGER,
                    },
                )
        except WarehouseBusyError as exc:
            print(f"lrm run: not started: {exc}", file=sys.stderr)
            return EXIT_BUSY
        except WarehouseUnwritableError as exc:
            print(f"lrm run: not started: {exc}", file=sys.stderr)
            return EXIT_BAD_ARGUMENT
        except PseudonymKeyError as exc:
            settle(settings, run_id, success=False)  # a rotation refused midway changed nothing
            print(f"lrm run: refused: {exc}", file=sys.stderr)
            return EXIT_KEY_REFUSED
    elapsed = time.perf_counter() - started
    if args.metrics:
        metrics.write(
            Path(args.metrics),
            {"run_id": result.run_id, "success": result.success, "seconds": round(elapsed, 2), "drops": [first, last]},
        )
    failures = [safe_message(f) for f in step_failures(result.all_events)]
    # Every run ends here, successful or not: its outcome recorded, its report rendered.
    try:
        pages = finish_run(
            settings.warehouse, result.run_id, result.success, failures, as_of, settings.landing_dir, started_at
        )
    except Exception as exc:  # the terminal still gets the run's outcome
        print(
            f"\nlrm run: could not record run {result.run_id} in {settings.warehouse}: {safe_message(exc)}",
            file=sys.stderr,
        )
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return EXIT_FAILED
    guide = closing_lines(
        settings.warehouse, settings.landing_dir_path, result.success, pages.index_page, pages.run_page
    )
    if not result.success:
        print(
            f"\nlrm run: FAILED after {elapsed:.1f}s (run {result.run_id}): {pages.status}; "
            "the warehouse and the published copy are as they were before the run",
            file=sys.stderr,
        )
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        print("\n".join(guide), file=sys.stderr)
        return EXIT_FAILED

    with connect(settings.warehouse, read_only=True) as con:
        rows = con.execute(
            "SELECT extract, sum(rows_landed), sum(rows_loaded), sum(rows_rejected) FROM dq.ingest_files GROUP BY extract"
        ).fetchall()
    counts = {r[0]: r[1:] for r in rows}
    print(f"\n{'extract':<22}{'landed':>12}{'loaded':>12}{'rejected':>10}")
    for name in contract.ingest_order():
        landed, loaded, rejected = counts.get(name, (0, 0, 0))
        print(f"{name:<22}{landed:>12,}{loaded:>12,}{rejected:>10,}")
    print(f"\nlrm run: done in {elapsed:.1f}s (run {result.run_id}): {pages.status}")
    for reason in pages.reasons[:_REASONS_PRINTED]:
        print(f"  {safe_message(reason)}")
    if len(pages.reasons) > _REASONS_PRINTED:
        print(f"  … and {len(pages.reasons) - _REASONS_PRINTED} more in the report")
    print("\n".join(guide))
    return EXIT_DONE


def generate(args: argparse.Namespace) -> int:
    """`lrm generate`: writes a synthetic landing directory and prints its summary."""
    from pipelines.generate import generate as generate_landing

    summary = generate_landing(
        Path(args.out), scale=args.scale, seed=args.seed, dirty=args.dirty, unreadable=args.unreadable
    )
    print(
        f"lrm generate: {args.scale} scale, seed {args.seed}{' (dirty)' if args.dirty else ''} → {Path(args.out).resolve()}"
    )
    if isinstance(summary, dict):
        for key, value in summary.items():
            print(f"  {key}: {value}")
    return 0


def _date(value: str) -> str:
    dt.date.fromisoformat(value)
    return value


def main(argv: list[str] | None = None) -> int:
    """The `lrm` command line: parses the arguments and runs the subcommand; returns its exit
    code."""
    # Dagster's beta/preview notices are for its developers, not for tonight's operator.
    warnings.filterwarnings("ignore", module=r"dagster.*")
    warnings.filterwarnings("ignore", message=r".*(beta|preview|deprecated).*", category=Warning)
    parser = argparse.ArgumentParser(prog="lrm", description="Labour Risk Map warehouse")
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="load every drop and build every asset")
    p_run.add_argument("--landing", required=True, help="landing directory of <YYYY-MM-DD>/<extract>.csv drops")
    p_run.add_argument("--warehouse", required=True, help="DuckDB file (created if missing)")
    p_run.add_argument("--as-of", type=_date, help="date for assignments and scores (default: newest drop)")
    p_run.add_argument("--delivery", help="restricted DuckDB file with IINs (default: <warehouse>.delivery.duckdb)")
    p_run.add_argument("--drops", help="load only these drops, FIRST[:LAST] (an incremental run); default: every drop")
    p_run.add_argument("--metrics", help="write wall time and peak memory per step to this JSON file")
    p_run.add_argument(
        "--wait", type=float, default=0.0, help="seconds to wait for another run to finish (default: refuse at once)"
    )
    p_run.add_argument(
        "--rotate-key",
        action="store_true",
        help="re-key every worker_key with the configured pseudonym key (a new key file is created if "
        "none exists); needs the delivery file",
    )
    p_run.set_defaults(func=run)
    p_gen = sub.add_parser("generate", help="write synthetic extracts")
    p_gen.add_argument("--out", required=True)
    p_gen.add_argument("--scale", choices=list(SCALES), default="small")
    p_gen.add_argument("--seed", type=int, default=42)
    p_gen.add_argument("--dirty", action="store_true", help="mix in bad rows of every kind the contract names")
    p_gen.add_argument("--unreadable", action="store_true", help="also write files that cannot be read at all")
    p_gen.set_defaults(func=generate)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
