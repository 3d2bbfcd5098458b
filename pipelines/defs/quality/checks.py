"""GX suites and rejection thresholds as Dagster asset checks (no dagster-ge), evaluated
by one step per raw extract and per published mart.

- `gx_critical` — blocking, severity ERROR: every `critical` expectation of the suite on
  every drop. When it fails, downstream assets (the next extracts, dbt, publish) do not
  run: the last good marts and the published copy stay as they were.
- `gx_warnings` — non-blocking, severity WARN: drift and plausibility expectations.
- `rejected_share` (raw extracts) — blocking: the share of each file's rows the landing
  contract rejected, against the extract's thresholds (seeds/policy/extract_thresholds.csv):
  WARN above the warn share, ERROR (the run stops before the marts) above the block share.

Each step records its results in dq.check_results / dq.run_history and refreshes the
auditor's report (<warehouse dir>/dq_report/); the run's final status is recorded when
the run ends (pipelines.quality.service.finish_run).
"""

import time
from collections.abc import Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from pipelines import contract
from pipelines.defs.ingest.assets import run_drop_range
from pipelines.defs.ops.journal import writing_step
from pipelines.defs.resources import LrmSettings
from pipelines.quality import rejections, suites
from pipelines.quality.runner import CheckRecord, summarise

CRITICAL_CHECK, WARNING_CHECK = "gx_critical", "gx_warnings"
MAX_LISTED = 20


def _specs(key: AssetKey, what: str) -> list[AssetCheckSpec]:
    return [
        AssetCheckSpec(
            CRITICAL_CHECK,
            asset=key,
            blocking=True,
            description=f"Great Expectations, critical expectations of {what}: blocks downstream on failure.",
        ),
        AssetCheckSpec(
            WARNING_CHECK,
            asset=key,
            description=f"Great Expectations, warning expectations of {what} (drift, plausibility): recorded.",
        ),
    ]


def _threshold_spec(key: AssetKey, extract: str) -> AssetCheckSpec:
    return AssetCheckSpec(
        rejections.CHECK_NAME,
        asset=key,
        blocking=True,
        description=f"Share of each {extract}.csv's rows rejected by the landing contract, against the "
        f"extract's thresholds ({rejections.SEED_PATH}): a warning above the warn share; "
        "above the block share (files of enough rows) the run stops before the marts.",
    )


def _as_of(settings: LrmSettings):
    try:
        return settings.resolve_as_of()
    except (ValueError, FileNotFoundError):
        return None


def _results(key: AssetKey, records: list[CheckRecord], outcome) -> Iterator[AssetCheckResult]:
    common = {"report": MetadataValue.path(str(outcome.run_page))} if outcome is not None else {}
    gx = [r for r in records if r.kind == "gx"]
    for check, severity, level in (
        (WARNING_CHECK, suites.WARNING, AssetCheckSeverity.WARN),
        (CRITICAL_CHECK, suites.CRITICAL, AssetCheckSeverity.ERROR),
    ):
        mine = [r for r in gx if r.severity == severity]
        bad = [r for r in mine if not r.success]
        counts = summarise(mine)
        listed = [
            f"{r.batch}: {r.expectation}({r.column or ''}) unexpected={r.unexpected_count} {r.details or r.observed_value or ''}"[
                :300
            ]
            for r in bad[:MAX_LISTED]
        ]
        yield AssetCheckResult(
            asset_key=key,
            check_name=check,
            passed=not bad,
            severity=level,
            description=(
                f"{len(bad)} of {len(mine)} expectations failed" if bad else f"{len(mine)} expectations passed"
            ),
            metadata={
                **common,
                "expectations": len(mine),
                "failed": len(bad),
                "passed": counts["passed"],
                "batches": len({r.batch for r in mine}),
                "failures": MetadataValue.json(listed),
            },
        )


def _missing_mart(key: AssetKey) -> Iterator[AssetCheckResult]:
    for check, level in ((WARNING_CHECK, AssetCheckSeverity.WARN), (CRITICAL_CHECK, AssetCheckSeverity.ERROR)):
        yield AssetCheckResult(
            asset_key=key,
            check_name=check,
            passed=False,
            severity=level,
            description=f"{key.to_user_string()} is not in the warehouse: nothing to check, nothing to publish",
            metadata={
                "expectations": 0,
                "failed": 0,
                "passed": 0,
                "batches": 0,
                "failures": MetadataValue.json([f"{key.to_user_string()} missing"]),
            },
        )


def _threshold_result(key: AssetKey, records: list[CheckRecord], outcome) -> AssetCheckResult:
    mine = [r for r in records if r.kind == rejections.THRESHOLD]
    counts = summarise(mine)
    blocked = [r for r in mine if r.outcome == "failed"]
    flagged = [r for r in mine if not r.success]
    return AssetCheckResult(
        asset_key=key,
        check_name=rejections.CHECK_NAME,
        passed=not flagged,
        severity=AssetCheckSeverity.ERROR if blocked else AssetCheckSeverity.WARN,
        description=(
            f"{len(blocked)} file(s) above the block share"
            if blocked
            else f"{len(flagged)} file(s) above the warn share"
            if flagged
            else f"{len(mine)} file(s) within the thresholds"
        ),
        metadata={
            "report": MetadataValue.path(str(outcome.run_page)),
            "files": len(mine),
            **counts,
            "findings": MetadataValue.json([f"{r.batch}: {r.details}"[:300] for r in flagged[:MAX_LISTED]]),
        },
    )


def raw_check(extract_name: str) -> AssetChecksDefinition:
    """The GX check of raw.<extract>: its suite on each drop the run loaded, and the rejection
    thresholds of its files."""
    key = AssetKey(["raw", extract_name])

    @multi_asset_check(
        name=f"gx_raw_{extract_name}",
        specs=[*_specs(key, f"raw.{extract_name}"), _threshold_spec(key, extract_name)],
        description=f"GX suite raw.{extract_name} (from the landing contract and expectations/raw/{extract_name}.json), "
        "a drop at a time, and the rejection thresholds of its files.",
    )
    def _check(context: AssetCheckExecutionContext, settings: LrmSettings):
        from pipelines.quality.service import check_raw

        started = time.perf_counter()
        # The drops this run loaded (and any earlier drop that has not passed yet).
        with writing_step(context, settings):
            outcome = check_raw(
                settings.warehouse,
                context.run.run_id,
                extract_name,
                _as_of(settings),
                settings.landing_dir,
                drop_range=run_drop_range(context.run.tags),
            )
        context.log.info(
            f"gx raw.{extract_name}: {summarise(outcome.records)} in {time.perf_counter() - started:.1f}s; report {outcome.run_page}"
        )
        yield from _results(key, outcome.records, outcome)
        yield _threshold_result(key, outcome.records, outcome)

    return _check


def mart_check(key: AssetKey) -> AssetChecksDefinition:
    """The GX check of a mart: its suite on the built table; a missing mart fails it."""
    mart = key.path[-1]

    @multi_asset_check(
        name=f"gx_marts_{mart}",
        specs=_specs(key, f"marts.{mart}"),
        description=f"GX suite marts.{mart} (expectations/marts/{mart}.json): ranges, sets, invariants, no IIN.",
    )
    def _check(context: AssetCheckExecutionContext, settings: LrmSettings):
        from pipelines.quality.service import check_mart

        started = time.perf_counter()
        with writing_step(context, settings):
            outcome = check_mart(settings.warehouse, context.run.run_id, mart, _as_of(settings), settings.landing_dir)
        if outcome is None:
            # A mart readers depend on is missing: publishing without it must not pass.
            context.log.error(f"marts.{mart} is not in the warehouse")
            yield from _missing_mart(key)
            return
        context.log.info(
            f"gx marts.{mart}: {summarise(outcome.records)} in {time.perf_counter() - started:.1f}s; report {outcome.run_page}"
        )
        yield from _results(key, outcome.records, outcome)

    return _check


def build_quality_checks(asset_keys) -> list[AssetChecksDefinition]:
    """Checks for every raw extract and for every mart with a suite in expectations/marts/
    that the given asset keys (the dbt assets' keys) contain."""
    keys = set(asset_keys)
    checks = [raw_check(name) for name in contract.ingest_order()]
    checks += [mart_check(AssetKey(["marts", m])) for m in suites.mart_names() if AssetKey(["marts", m]) in keys]
    return checks
