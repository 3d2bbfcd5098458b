"""Rejection thresholds as checks: the share of a landed file's rows that the landing
contract rejected, against its extract's warn and block shares (rules as data,
seeds/policy/extract_thresholds.csv, read by pipelines/thresholds.py, in force on the
drop's date). One record per file of every drop a run checks; a file above the block
share holds the run back before the marts, like any blocking check.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from pipelines.quality.runner import THRESHOLD, CheckRecord  # noqa: F401 (THRESHOLD re-exported)
from pipelines.quality.suites import CRITICAL, WARNING
from pipelines.thresholds import SEED, thresholds_for

SUITE = "rejection_thresholds"
CHECK_NAME = "rejected_share"
SEED_PATH = f"seeds/{SEED.parent.name}/{SEED.name}"


def evaluate(con: duckdb.DuckDBPyConnection, extract: str, drops: list[str]) -> list[CheckRecord]:
    """One record per file of `drops` in dq.ingest_files: passed, warned (severity warning)
    or failed (critical: the run is held back)."""
    if not drops:
        return []
    rows = con.execute(
        "SELECT CAST(drop_date AS VARCHAR), file, rows_landed, rows_rejected FROM dq.ingest_files "
        "WHERE extract = ? AND CAST(drop_date AS VARCHAR) IN (SELECT unnest(?)) ORDER BY drop_date, file",
        [extract, drops],
    ).fetchall()
    records = []
    for drop, file, landed, rejected in rows:
        rules = thresholds_for(extract, dt.date.fromisoformat(drop))
        outcome = rules.rejection_outcome(landed, rejected)
        share = rejected / landed if landed else 0.0
        records.append(
            CheckRecord(
                asset_key=f"raw/{extract}",
                suite=SUITE,
                batch=drop,
                expectation=CHECK_NAME,
                column=None,
                severity=WARNING if outcome == "warned" else CRITICAL,
                success=outcome == "passed",
                element_count=landed,
                unexpected_count=rejected,
                unexpected_percent=round(100 * share, 3),
                observed_value=json.dumps(round(share, 6)),
                details=(
                    f"{file}: {rejected:,} of {landed:,} rows rejected ({share:.1%}); warn above "
                    f"{rules.rejected_warn_share:.0%}, hold the run back above {rules.rejected_block_share:.0%} "
                    f"of a file of at least {rules.block_min_rows:,} rows"
                    + (
                        " (above the block share, but too few rows to hold the run back)"
                        if share > rules.rejected_block_share and landed < rules.block_min_rows
                        else ""
                    )
                ),
                description=f"Rejected share of the file against {extract}'s thresholds in force since {rules.valid_from} ({SEED_PATH}).",
                kind=THRESHOLD,
                check_name=CHECK_NAME,
                arguments=json.dumps(
                    {
                        "warn_share": rules.rejected_warn_share,
                        "block_share": rules.rejected_block_share,
                        "block_min_rows": rules.block_min_rows,
                        "valid_from": rules.valid_from.isoformat(),
                    }
                ),
            )
        )
    return records
