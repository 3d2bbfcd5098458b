"""Table-driven checks of working conditions, who is exposed to which factors, and guarantee
assignment (docs/law_and_models.md §3, §4, §8, §10).

One temporary DuckDB is filled with hand-built raw extracts (every contract column VARCHAR,
`iin` already replaced by `worker_key`, as ingestion leaves them), then dbt builds the
reference/rules seeds, staging, the conditions/guarantees layers and the workers per
workplace for one `as_of`. Every case id cites the docs/law_and_models.md rule it checks. The rest of the
risk layer is not under test here: the two tables of it that our marts read are created empty.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.contract import EXTRACTS
from pipelines.ingest.load import create_raw

from .conftest import dbt_cli

AS_OF = "2026-06-30"  # year 2026 has 365 days
PREVIOUS_RUN = "2026-06-29"  # a run the day before, for history and events
# The one drop both runs read: a snapshot is the drop on or before as_of (docs/law_and_models.md §10),
# so it lands on the earlier run's date.
DROP = PREVIOUS_RUN


def wk(name: str) -> str:
    """A worker_key shaped like ingestion's (32 hex chars) for a readable test name."""
    return hashlib.md5(name.encode()).hexdigest()


E_COAL = "100000000001"  # coal (OKED 05101), collective agreement 25 %
E_METAL = "100000000002"  # metallurgy (OKED 24101), no collective agreement
E_OTHER = "100000000003"  # retail, no sectoral coefficient

ENTERPRISES = [
    {"bin": E_COAL, "name": "Coal", "oked": "05101", "kato": "351000000", "status": "active"},
    {"bin": E_METAL, "name": "Metal", "oked": "24101", "kato": "551000000", "status": "active"},
    {"bin": E_OTHER, "name": "Shop", "oked": "47111", "kato": "751000000", "status": "active"},
]

# --- §3 factor class thresholds: (case id, factor, measured, limit, stated, expected class)
THRESHOLDS = [
    ("s3-chemical-ratio-1-is-2", "chem_benzene", "5", "5", None, "2"),
    ("s3-chemical-ratio-just-above-1-is-3.1", "chem_benzene", "5.01", "5", None, "3.1"),
    ("s3-chemical-ratio-3-is-3.1", "chem_benzene", "15", "5", None, "3.1"),
    ("s3-chemical-ratio-10-is-3.2", "chem_benzene", "50", "5", None, "3.2"),
    ("s3-chemical-ratio-15-is-3.3", "chem_benzene", "75", "5", None, "3.3"),
    ("s3-chemical-ratio-20-is-3.4", "chem_benzene", "100", "5", None, "3.4"),
    ("s3-chemical-ratio-above-20-is-4", "chem_benzene", "100.5", "5", None, "4"),
    ("s3-dust-ratio-2-is-3.1", "dust_fibrogenic", "8", "4", None, "3.1"),
    ("s3-dust-ratio-5-is-3.2", "dust_fibrogenic", "20", "4", None, "3.2"),
    ("s3-dust-ratio-10-is-3.3", "dust_fibrogenic", "40", "4", None, "3.3"),
    ("s3-dust-ratio-above-10-is-3.4", "dust_fibrogenic", "41", "4", None, "3.4"),
    ("s3-noise-diff-0-is-2", "noise", "80", "80", None, "2"),
    ("s3-noise-diff-5-is-3.1", "noise", "85", "80", None, "3.1"),
    ("s3-noise-diff-above-5-is-3.2", "noise", "85.1", "80", None, "3.2"),
    ("s3-noise-diff-15-is-3.2", "noise", "95", "80", None, "3.2"),
    ("s3-noise-diff-25-is-3.3", "noise", "105", "80", None, "3.3"),
    ("s3-noise-diff-35-is-3.4", "noise", "115", "80", None, "3.4"),
    ("s3-noise-diff-above-35-is-4", "noise", "115.5", "80", None, "4"),
    ("s3-vibration-diff-3-is-3.1", "vibration_general", "103", "100", None, "3.1"),
    ("s3-vibration-diff-6-is-3.2", "vibration_local", "106", "100", None, "3.2"),
    ("s3-vibration-diff-9-is-3.3", "vibration_general", "109", "100", None, "3.3"),
    ("s3-vibration-diff-12-is-3.4", "vibration_general", "112", "100", None, "3.4"),
    ("s3-vibration-diff-above-12-is-4", "vibration_general", "113", "100", None, "4"),
    ("s3-lighting-ratio-1-is-2", "lighting", "300", "300", None, "2"),
    ("s3-lighting-ratio-2-is-3.1", "lighting", "150", "300", None, "3.1"),
    ("s3-lighting-ratio-above-2-is-3.2", "lighting", "149", "300", None, "3.2"),
    ("s3-stated-class-used-for-heaviness", "heaviness", None, None, "3.3", "3.3"),
    ("s3-stated-class-when-no-measurement", "noise", None, None, "3.1", "3.1"),
    ("s3-computed-class-wins-over-stated", "noise", "90", "80", "2", "3.2"),
    ("s10-stated-class-1-measured-within-limit-agrees", "noise", "78", "80", "1", "2"),
    ("s10-stated-class-2-measured-at-limit-agrees", "chem_benzene", "5", "5", "2", "2"),
    ("s10-stated-3.1-measured-3.2-is-a-different-band", "noise", "95", "80", "3.1", "3.2"),
]


def class_band(cls: str) -> str:
    """docs/law_and_models.md §10: a measurement within the limit computes 2 and cannot tell 1 from 2."""
    return "1-2" if cls in ("1", "2") else cls


# --- §3 escalation: (case id, [(factor, measured, limit)], expected workplace class)
ESCALATION = [
    (
        "s3-escalation-three-at-3.1-make-3.2",
        [("noise", "85", "80"), ("vibration_general", "103", "100"), ("dust_fibrogenic", "8", "4")],
        "3.2",
    ),
    ("s3-escalation-two-at-3.1-stay-3.1", [("noise", "85", "80"), ("vibration_general", "103", "100")], "3.1"),
    ("s3-escalation-two-at-3.2-raise-one-degree", [("noise", "95", "80"), ("vibration_general", "106", "100")], "3.3"),
    ("s3-escalation-3.3-and-3.2-raise-to-3.4", [("noise", "105", "80"), ("vibration_general", "106", "100")], "3.4"),
    ("s3-escalation-never-beyond-3.4", [("noise", "115", "80"), ("vibration_general", "106", "100")], "3.4"),
    ("s3-escalation-class-4-not-lowered", [("chem_benzene", "110", "5"), ("noise", "95", "80")], "4"),
    ("s3-highest-factor-class-without-escalation", [("noise", "95", "80"), ("lighting", "300", "300")], "3.2"),
]

# --- workplaces of the status and guarantee cases
# (workplace_id, bin, profession, list_entry, subject_to_attestation)
WORKPLACES = [
    ("WP-EXP-BEFORE", E_COAL, "Проходчик", "MIN-002", ""),
    ("WP-EXP-ON", E_COAL, "Проходчик", "MIN-002", ""),
    ("WP-VALID-LAST-DAY", E_COAL, "Проходчик", "MIN-002", ""),
    ("WP-NOT-SUBJECT", E_COAL, "Проходчик", "MIN-002", "false"),
    ("WP-FUTURE-ACT", E_COAL, "Проходчик", "MIN-002", "true"),
    ("WP-ACCEPTABLE-LIST", E_METAL, "Плавильщик", "MET-001", ""),
    ("WP-MOVE-A", E_COAL, "Машинист конвейера", "CHM-002", ""),
    ("WP-MOVE-B", E_COAL, "Проходчик", "MIN-002", ""),
    ("WP-ENDED", E_COAL, "Проходчик", "MIN-002", ""),
    ("WP-LPP-HARMFUL", E_COAL, "Аппаратчик производства фосфора", "CHM-001", ""),
    ("WP-MILK-HARMFUL", E_COAL, "Машинист конвейера", "CHM-002", ""),
    ("WP-HARMFUL-NO-LIST", E_OTHER, "Кладовщик", "", ""),
    ("WP-METAL-NO-CA", E_METAL, "Плавильщик", "MET-001", ""),
    ("WP-COMMON", E_OTHER, "  электрогазосварщик ", "", ""),
    ("WP-FLOW", E_COAL, "Проходчик", "MIN-002", ""),
    ("WP-THREE-FACTORS", E_COAL, "Машинист буровой установки", "", ""),
    ("WP-CONCURRENT", E_COAL, "Проходчик", "MIN-002", ""),
]

# attestation acts of those workplaces: (act, workplace, order_date, [(factor, measured, limit, class)])
ACTS = [
    ("A-EXP-BEFORE", "WP-EXP-BEFORE", "2021-06-29", [("noise", "95", "80", None)]),
    ("A-EXP-ON", "WP-EXP-ON", "2021-06-30", [("noise", "95", "80", None)]),
    ("A-VALID-LAST-DAY", "WP-VALID-LAST-DAY", "2021-07-01", [("noise", "95", "80", None)]),
    ("A-NOT-SUBJECT", "WP-NOT-SUBJECT", "2025-01-10", [("noise", "95", "80", None)]),
    ("A-FUTURE", "WP-FUTURE-ACT", "2026-07-15", [("noise", "95", "80", None)]),
    ("A-ACCEPTABLE", "WP-ACCEPTABLE-LIST", "2024-02-01", [("noise", "80", "80", None), ("heaviness", None, None, "2")]),
    ("A-LPP", "WP-LPP-HARMFUL", "2024-03-01", [("chem_phosphorus", "0.3", "0.03", None)]),
    ("A-MILK", "WP-MILK-HARMFUL", "2024-03-01", [("chem_p2o5", "2", "1", None)]),
    ("A-NOLIST", "WP-HARMFUL-NO-LIST", "2024-03-01", [("chem_manganese", "0.4", "0.2", None)]),
    # noise 5 dBA above the limit (3.1), general and local vibration 6 dB above it (3.2 each)
    (
        "A-THREE",
        "WP-THREE-FACTORS",
        "2024-03-01",
        [
            ("noise", "85", "80", None),
            ("vibration_general", "106", "100", None),
            ("vibration_local", "106", "100", None),
        ],
    ),
]

# contracts: (contract, worker_key, bin, workplace, start, end, monthly income)
CONTRACTS = [
    ("C-EXP-BEFORE", "wk-exp-before", E_COAL, "WP-EXP-BEFORE", "2020-01-01", "", "300000"),
    ("C-EXP-ON", "wk-exp-on", E_COAL, "WP-EXP-ON", "2020-01-01", "", "300000"),
    ("C-VALID", "wk-valid", E_COAL, "WP-VALID-LAST-DAY", "2020-01-01", "", "300000"),
    ("C-NOT-SUBJECT", "wk-not-subject", E_COAL, "WP-NOT-SUBJECT", "2020-01-01", "", "300000"),
    ("C-ACCEPTABLE", "wk-acceptable", E_METAL, "WP-ACCEPTABLE-LIST", "2020-01-01", "", "400000"),
    ("C-MOVE-A", "wk-mover", E_COAL, "WP-MOVE-A", "2025-03-01", "2026-03-31", "250000"),
    ("C-MOVE-B", "wk-mover", E_COAL, "WP-MOVE-B", "2026-04-01", "", "350000"),
    ("C-ENDED", "wk-ended", E_COAL, "WP-ENDED", "2024-01-01", "2025-12-31", "300000"),
    ("C-LPP", "wk-lpp", E_COAL, "WP-LPP-HARMFUL", "2022-01-01", "", "500000"),
    ("C-MILK", "wk-milk", E_COAL, "WP-MILK-HARMFUL", "2022-01-01", "", "300000"),
    ("C-NOLIST", "wk-nolist", E_OTHER, "WP-HARMFUL-NO-LIST", "2022-01-01", "", "200000"),
    ("C-METAL", "wk-metal", E_METAL, "WP-METAL-NO-CA", "2022-01-01", "", "450000"),
    ("C-COMMON", "wk-common", E_OTHER, "WP-COMMON", "2026-01-01", "", "280000"),
    ("C-START", "wk-start", E_COAL, "WP-FLOW", "2026-06-30", "", "300000"),  # starts on as_of
    ("C-STOP", "wk-stop", E_COAL, "WP-FLOW", "2024-01-01", "2026-06-29", "300000"),  # last day the run before
    ("C-LAST-DAY", "wk-last-day", E_COAL, "WP-FLOW", "2024-01-01", "2026-06-30", "300000"),  # its last day is as_of
    ("C-THREE", "wk-three", E_COAL, "WP-THREE-FACTORS", "2023-01-01", "", "320000"),
    # two concurrent contracts at one workplace: 2026-01-01..03-31 and 2026-02-01..04-30
    ("C-CONCURRENT-1", "wk-concurrent", E_COAL, "WP-CONCURRENT", "2026-01-01", "2026-03-31", "300000"),
    ("C-CONCURRENT-2", "wk-concurrent", E_COAL, "WP-CONCURRENT", "2026-02-01", "2026-04-30", "150000"),
]

GRANTED = [  # (worker_key, bin, guarantee, year, value)
    ("wk-lpp", E_COAL, "therapeutic_nutrition", "2026", "1"),
    ("wk-lpp", E_COAL, "milk", "2026", "1"),
    ("wk-mover", E_COAL, "additional_leave", "2026", "10"),
    ("wk-mover", E_COAL, "oppv", "2026", "20000"),
    ("wk-mover", E_COAL, "short_week", "2026", "36"),
    ("wk-acceptable", E_METAL, "additional_leave", "2026", "24"),
    ("wk-milk", E_COAL, "milk", "2025", "1"),  # last year: not this year's grant
]

COLLECTIVE_AGREEMENTS = [
    {"bin": E_COAL, "signed_on": "2025-01-01", "valid_until": "2027-12-31", "pay_supplement_pct": "25"},
    # valid on the previous run only: on as_of the metal works' agreement is missing
    {"bin": E_METAL, "signed_on": "2024-01-01", "valid_until": "2026-06-29", "pay_supplement_pct": "20"},
]

# --- expected assignments, current law: (case id, worker_key, workplace, guarantee, volume or
#     None for "no such row"; "null" for a row with an empty volume)
ASSIGNMENTS = [
    ("s3-s4-attestation-expired-day-before-list-applies", "wk-exp-before", "WP-EXP-BEFORE", "short_week", 36),
    ("s3-s4-attestation-expired-day-before-no-attestation-milk", "wk-exp-before", "WP-EXP-BEFORE", "milk", None),
    ("s4-not-attested-list-ration", "wk-exp-before", "WP-EXP-BEFORE", "therapeutic_nutrition", 1),
    ("s4-leave-full-year", "wk-exp-before", "WP-EXP-BEFORE", "additional_leave", 30),
    ("s4-not-subject-list-applies-in-full", "wk-not-subject", "WP-NOT-SUBJECT", "additional_leave", 30),
    ("s4-not-subject-ppe-by-list", "wk-not-subject", "WP-NOT-SUBJECT", "ppe", 1),
    ("s4-acceptable-attestation-no-leave", "wk-acceptable", "WP-ACCEPTABLE-LIST", "additional_leave", None),
    ("s4-acceptable-attestation-no-short-week", "wk-acceptable", "WP-ACCEPTABLE-LIST", "short_week", None),
    ("s4-acceptable-attestation-no-ppe", "wk-acceptable", "WP-ACCEPTABLE-LIST", "ppe", None),
    ("s4-acceptable-attestation-no-oppv", "wk-acceptable", "WP-ACCEPTABLE-LIST", "oppv", None),
    ("s4-moved-mid-year-first-workplace-12x90/365", "wk-mover", "WP-MOVE-A", "additional_leave", 3),
    ("s4-moved-mid-year-second-workplace-30x275/365", "wk-mover", "WP-MOVE-B", "additional_leave", 23),
    ("s4-moved-mid-year-ended-contract-no-short-week", "wk-mover", "WP-MOVE-A", "short_week", None),
    ("s4-oppv-5pct-of-known-income", "wk-mover", "WP-MOVE-B", "oppv", 17500.0),
    ("s4-pay-supplement-from-collective-agreement", "wk-mover", "WP-MOVE-B", "pay_supplement", 25.0),
    ("s4-contract-ended-before-year-no-leave", "wk-ended", "WP-ENDED", "additional_leave", None),
    ("s4-contract-ended-before-year-nothing", "wk-ended", "WP-ENDED", "ppe", None),
    ("s4-lpp-replaces-milk-p12", "wk-lpp", "WP-LPP-HARMFUL", "milk", None),
    ("s4-lpp-on-harmful-list-workplace", "wk-lpp", "WP-LPP-HARMFUL", "therapeutic_nutrition", 1),
    ("s4-milk-from-milk-relevant-factor-3.1", "wk-milk", "WP-MILK-HARMFUL", "milk", 1),
    ("s4-harmful-workplace-ppe", "wk-milk", "WP-MILK-HARMFUL", "ppe", 1),
    ("s4-harmful-not-on-list-milk", "wk-nolist", "WP-HARMFUL-NO-LIST", "milk", 1),
    ("s4-harmful-not-on-list-ppe", "wk-nolist", "WP-HARMFUL-NO-LIST", "ppe", 1),
    ("s4-harmful-not-on-list-no-leave", "wk-nolist", "WP-HARMFUL-NO-LIST", "additional_leave", None),
    ("s4-harmful-not-on-list-no-oppv", "wk-nolist", "WP-HARMFUL-NO-LIST", "oppv", None),
    ("s4-missing-collective-agreement-empty-volume", "wk-metal", "WP-METAL-NO-CA", "pay_supplement", "null"),
    ("s4-common-professions-fallback-leave-12", "wk-common", "WP-COMMON", "additional_leave", 12),
    ("s4-common-professions-fallback-milk", "wk-common", "WP-COMMON", "milk", 1),
    # confirmed harmful all year (act of 2024-03-01, valid to 2029): the List applies in full
    ("s4-harmful-list-workplace-leave-in-full-12", "wk-milk", "WP-MILK-HARMFUL", "additional_leave", 12),
    ("s4-harmful-list-workplace-leave-in-full-24", "wk-lpp", "WP-LPP-HARMFUL", "additional_leave", 24),
    ("s4-harmful-list-workplace-short-week", "wk-lpp", "WP-LPP-HARMFUL", "short_week", 36),
    ("s4-harmful-list-workplace-oppv-5pct", "wk-lpp", "WP-LPP-HARMFUL", "oppv", 25000.0),
    # harmful until its act expires on 2026-07-01, not attested after: the List applies all year
    ("s3-s4-valid-on-its-last-day-short-week", "wk-valid", "WP-VALID-LAST-DAY", "short_week", 36),
    ("s3-s4-valid-on-its-last-day-ppe", "wk-valid", "WP-VALID-LAST-DAY", "ppe", 1),
    ("s3-s4-harmful-then-not-attested-leave-30", "wk-valid", "WP-VALID-LAST-DAY", "additional_leave", 30),
    # a contract whose last day is as_of is active on as_of; its leave runs to its end:
    # 2026-01-01..2026-06-30 = 181 days, 30 x 181/365 = 14.88 -> 15
    ("s4-contract-ending-on-as-of-is-active", "wk-last-day", "WP-FLOW", "short_week", 36),
    ("s4-leave-to-the-contract-end-30x181/365", "wk-last-day", "WP-FLOW", "additional_leave", 15),
    ("s4-contract-ended-the-day-before-no-short-week", "wk-stop", "WP-FLOW", "short_week", None),
    # §10 leave is proportional to the time worked: a day under both concurrent contracts counts
    # once — 2026-01-01..04-30 = 120 days, 30 x 120/365 = 9.86 -> 10 (not 30 x 179/365 -> 15)
    ("s10-concurrent-contracts-count-a-day-once-30x120/365", "wk-concurrent", "WP-CONCURRENT", "additional_leave", 10),
]

# --- §3 status: (case id, workplace, attestation_status, attestation_valid_until)
STATUSES = [
    ("s3-attestation-expired-the-day-before-as-of", "WP-EXP-BEFORE", "not_attested", "2026-06-28"),
    ("s3-attestation-expires-on-as-of-not-valid", "WP-EXP-ON", "not_attested", "2026-06-29"),
    ("s3-attestation-last-valid-day-is-as-of", "WP-VALID-LAST-DAY", "confirmed_harmful", "2026-06-30"),
    ("s3-not-subject-to-attestation", "WP-NOT-SUBJECT", "not_attested", "2030-01-09"),
    ("s3-act-after-as-of-ignored", "WP-FUTURE-ACT", "not_attested", None),
    ("s3-valid-acceptable-act", "WP-ACCEPTABLE-LIST", "confirmed_acceptable", "2029-01-31"),
    ("s3-no-act", "WP-COMMON", "not_attested", None),
]

# --- gaps: (case id, worker_key, bin, guarantee, (gap_kind, reason) or None for no gap row)
GAPS = [
    ("s3-s10-milk-granted-with-lpp-is-the-conflict", "wk-lpp", E_COAL, "milk", ("conflict", "milk_with_lpp")),
    ("s4-lpp-granted-as-owed-no-gap", "wk-lpp", E_COAL, "therapeutic_nutrition", None),
    ("s4-ppe-owed-not-granted", "wk-lpp", E_COAL, "ppe", ("not_granted", "not_reported")),
    # 3 + 23 = 26 days owed at the two workplaces, 10 granted
    (
        "s4-leave-summed-across-workplaces-under-granted",
        "wk-mover",
        E_COAL,
        "additional_leave",
        ("under_granted", "below_entitlement"),
    ),
    # 350 000 x 5 % = 17 500 owed, 20 000 granted
    ("s4-oppv-over-granted", "wk-mover", E_COAL, "oppv", ("over_granted", "above_entitlement")),
    ("s4-short-week-as-owed", "wk-mover", E_COAL, "short_week", None),
    # docs/law_and_models.md §10: a grant at an acceptable workplace is lawful, over_granted with its reason —
    # not a conflict (before: conflict)
    (
        "s10-granted-on-acceptable-workplace-is-over-granted",
        "wk-acceptable",
        E_METAL,
        "additional_leave",
        ("over_granted", "attested_acceptable"),
    ),
    ("s4-last-years-grant-does-not-count", "wk-milk", E_COAL, "milk", ("not_granted", "not_reported")),
    (
        "s4-missing-agreement-not-compared-but-not-granted",
        "wk-metal",
        E_METAL,
        "pay_supplement",
        ("not_granted", "not_reported"),
    ),
]

# --- issue 3 item 5: events of the as_of run against the run the day before
EVENTS = [
    ("s4-event-started-contract-begins-on-as-of", "wk-start", "WP-FLOW", "short_week", "started"),
    ("s4-event-ended-contract-ended-day-before", "wk-stop", "WP-FLOW", "short_week", "ended"),
    ("s4-event-changed-agreement-expired", "wk-metal", "WP-METAL-NO-CA", "pay_supplement", "changed"),
    ("s4-no-event-leave-owed-for-the-whole-year-already", "wk-start", "WP-FLOW", "additional_leave", None),
    ("s4-no-event-unchanged", "wk-mover", "WP-MOVE-B", "oppv", None),
]

CONTRADICTIONS = [
    ("s4-acceptable-attestation-against-list-entry", "WP-ACCEPTABLE-LIST", "acceptable_attestation_on_list"),
    ("s4-harmful-but-not-on-the-list", "WP-HARMFUL-NO-LIST", "harmful_not_on_list"),
]


# --- factors of the act in force and who is exposed to them (docs/law_and_models.md §3, §8, §10)
# WP-THREE-FACTORS: (factor, measure_kind, measure_value, computed class); workplace class 3.3
# (two factors at 3.2 raise the highest one degree)
THREE_FACTORS = [
    ("s3-noise-5-dba-above-is-3.1", "noise", "difference", 5.0, "3.1"),
    ("s3-general-vibration-6-db-above-is-3.2", "vibration_general", "difference", 6.0, "3.2"),
    ("s3-local-vibration-6-db-above-is-3.2", "vibration_local", "difference", 6.0, "3.2"),
]
# Workers in confirmed harmful conditions on AS_OF: wk-valid (noise 3.2), wk-lpp (phosphorus 10x
# the limit, 3.2), wk-milk (P2O5 2x, 3.1), wk-three (the three factors above) at the coal mine
# (region 35, section B); wk-nolist (manganese 2x, 3.1) at the shop (region 75, section G).
# (case id, exposure_group, region, oked_section, class_band, workers); shares are workers / 5.
EXPOSURE = [
    ("s10-noise-counted-in-its-band", "noise", "35", "B", "3.2", 1),
    ("s10-noise-of-the-three-factor-workplace", "noise", "35", "B", "3.1", 1),
    ("s10-two-vibration-factors-count-the-worker-once", "vibration", "35", "B", "3.2", 1),
    ("s10-chemical-3.2", "chemical", "35", "B", "3.2", 1),
    ("s10-chemical-3.1", "chemical", "35", "B", "3.1", 1),
    ("s10-chemical-other-region-and-section", "chemical", "75", "G", "3.1", 1),
    ("s10-all-each-worker-once-3.2", "all", "35", "B", "3.2", 2),
    ("s10-all-each-worker-once-3.1", "all", "35", "B", "3.1", 1),
    ("s3-s10-all-in-the-escalated-workplace-class", "all", "35", "B", "3.3", 1),
    ("s10-all-other-region-and-section", "all", "75", "G", "3.1", 1),
]
# §8: (official group, workers exposed, official share): wk-three counts once for its three
# noise and vibration factors.
CALIBRATION = [("noise_vibration", 2, 0.46), ("dust_gas", 3, 0.33)]


def _raw_rows() -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {name: [] for name in EXTRACTS}
    rows["enterprises"] = ENTERPRISES
    rows["collective_agreements"] = COLLECTIVE_AGREEMENTS
    for i, (case, factor, measured, limit, stated, _) in enumerate(THRESHOLDS):
        wp = f"WP-T{i:02d}"
        rows["workplaces"].append({"workplace_id": wp, "bin": E_OTHER, "unit": "u", "profession": "Тест"})
        rows["attestations"].append(
            {
                "attestation_id": f"A-T{i:02d}",
                "bin": E_OTHER,
                "order_no": case,
                "order_date": "2025-01-10",
                "workplace_id": wp,
                "factor": factor,
                "measured": measured,
                "limit_value": limit,
                "class": stated,
            }
        )
    for i, (case, factors, _) in enumerate(ESCALATION):
        wp = f"WP-E{i:02d}"
        rows["workplaces"].append({"workplace_id": wp, "bin": E_OTHER, "unit": "u", "profession": "Тест"})
        for factor, measured, limit in factors:
            rows["attestations"].append(
                {
                    "attestation_id": f"A-E{i:02d}",
                    "bin": E_OTHER,
                    "order_no": case,
                    "order_date": "2025-01-10",
                    "workplace_id": wp,
                    "factor": factor,
                    "measured": measured,
                    "limit_value": limit,
                }
            )
    for wp, bin_, prof, entry, subject in WORKPLACES:
        rows["workplaces"].append(
            {
                "workplace_id": wp,
                "bin": bin_,
                "unit": "shop 1",
                "profession": prof,
                "list_entry": entry or None,
                "subject_to_attestation": subject or None,
            }
        )
    bins = {wp: b for wp, b, *_ in WORKPLACES}
    for act, wp, order_date, factors in ACTS:
        for factor, measured, limit, cls in factors:
            rows["attestations"].append(
                {
                    "attestation_id": act,
                    "bin": bins[wp],
                    "order_no": act,
                    "order_date": order_date,
                    "workplace_id": wp,
                    "factor": factor,
                    "measured": measured,
                    "limit_value": limit,
                    "class": cls,
                }
            )
    for cid, worker, bin_, wp, start, end, income in CONTRACTS:
        rows["employees"].append(
            {
                "contract_id": cid,
                "worker_key": wk(worker),
                "bin": bin_,
                "workplace_id": wp,
                "start_date": start,
                "end_date": end or None,
                "monthly_income": income,
            }
        )
    for worker, bin_, g, year, value in GRANTED:
        rows["granted_guarantees"].append(
            {"worker_key": wk(worker), "bin": bin_, "guarantee": g, "year": year, "value": value}
        )
    return rows


def _write_raw(db: Path) -> None:
    con = duckdb.connect(str(db))
    con.execute("create schema raw")
    for name, extract in EXTRACTS.items():
        cols = ["worker_key" if c == "iin" else c for c in extract.column_names]
        insert_columns = ", ".join([*(f'"{c}"' for c in cols), "_drop_date", "_file", "_line"])
        create_raw(con, extract)
        for line, row in enumerate(_raw_rows()[name], start=2):
            values = [row.get(c) for c in cols] + [DROP, f"{DROP}/{name}.csv", line]
            con.execute(
                f'insert into raw."{name}" ({insert_columns}) values ({", ".join("?" for _ in values)})', values
            )
    # The risk layer is not under test: the two tables our marts read, empty.
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_risk__workplace_individual_risk "
        "(workplace_id varchar, bin varchar, assessed_on date, r_ind double, risk_level varchar)"
    )
    con.close()


MODELS = (
    "staging intermediate.conditions intermediate.guarantees marts.conditions marts.guarantees "
    "int_risk__workplace_headcount int_risk__harmful_factor_exposure"
)


def _dbt(args: list[str], db: Path, tmp: Path, as_of: str = AS_OF) -> None:
    res = dbt_cli(args, db, tmp, as_of)
    assert res.returncode == 0, res.stdout[-6000:] + res.stderr[-2000:]


# The guarantees layers for one as_of; the risk model's assignments are a stub (its
# input, R_ind, is another layer's) and the data tests run in the project's own build.
BUILD = [
    "build",
    "--select",
    *MODELS.split(),
    "--exclude",
    "int_guarantees__assignments_risk_model",
    "--exclude",
    "staging,resource_type:test",
]
SEEDS = ["path:../seeds/reference", "path:../seeds/rules"]


def _build_two_runs(db: Path, tmp: Path) -> None:
    """The run the day before (PREVIOUS_RUN, with the seeds), then the as_of run."""
    _write_raw(db)
    con = duckdb.connect(str(db))
    con.execute(
        "create table intermediate.int_guarantees__assignments_risk_model as "
        "select * from (select null::varchar worker_key, null::varchar bin, null::varchar workplace_id, "
        "null::varchar guarantee, 'risk_model' regime, null::double volume, null::varchar unit, "
        "null::varchar legal_basis, null::varchar evidence, null::date as_of) where false"
    )
    con.close()
    _dbt([*BUILD[:2], *SEEDS, *BUILD[2:]], db, tmp, as_of=PREVIOUS_RUN)
    _dbt(BUILD, db, tmp)


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("guarantees")
    db = tmp / "wh.duckdb"
    _build_two_runs(db, tmp)
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.parametrize("case,factor,measured,limit,stated,expected", THRESHOLDS, ids=[t[0] for t in THRESHOLDS])
def test_factor_class(wh, case, factor, measured, limit, stated, expected):
    i = [t[0] for t in THRESHOLDS].index(case)
    got = wh.execute(
        "select factor_class, class_disagreement from intermediate.int_conditions__factor_classes "
        "where attestation_id = ?",
        [f"A-T{i:02d}"],
    ).fetchall()
    assert got and got[0][0] == expected
    assert got[0][1] == (stated is not None and measured is not None and class_band(stated) != class_band(expected))


@pytest.mark.parametrize("case,factors,expected", ESCALATION, ids=[t[0] for t in ESCALATION])
def test_workplace_class(wh, case, factors, expected):
    i = [t[0] for t in ESCALATION].index(case)
    got = wh.execute(
        "select workplace_class from marts.workplace_conditions where workplace_id = ?", [f"WP-E{i:02d}"]
    ).fetchone()
    assert got == (expected,)


@pytest.mark.parametrize("case,wp,status,valid_until", STATUSES, ids=[t[0] for t in STATUSES])
def test_attestation_status(wh, case, wp, status, valid_until):
    got = wh.execute(
        "select attestation_status, cast(attestation_valid_until as varchar) "
        "from marts.workplace_conditions where workplace_id = ?",
        [wp],
    ).fetchone()
    assert got == (status, valid_until)


@pytest.mark.parametrize("case,factor,kind,value,computed", THREE_FACTORS, ids=[t[0] for t in THREE_FACTORS])
def test_workplace_factor(wh, case, factor, kind, value, computed):
    got = wh.execute(
        "select measure_kind, measure_value, computed_class, factor_class, is_harmful, workplace_class, "
        "attestation_status, workers from marts.workplace_factors "
        "where workplace_id = 'WP-THREE-FACTORS' and factor = ?",
        [factor],
    ).fetchall()
    assert got == [(kind, value, computed, computed, True, "3.3", "confirmed_harmful", 1)]


def test_factor_exposure_counts_each_worker_once_per_group(wh):
    got = wh.execute(
        "select exposure_group, region, oked_section, class_band, workers, share_of_national_harmful "
        "from marts.factor_exposure"
    ).fetchall()
    assert sorted(got) == sorted((g, r, s, b, n, pytest.approx(n / 5)) for _, g, r, s, b, n in EXPOSURE)
    national = wh.execute("select sum(workers) from marts.factor_exposure where exposure_group = 'all'").fetchone()[0]
    assert (
        national
        == wh.execute("select sum(workers_harmful) from intermediate.int_risk__workplace_headcount").fetchone()[0]
    )


def test_factor_calibration_sets_the_mix_beside_the_official_figures(wh):
    got = wh.execute(
        "select official_group, our_workers_exposed, our_workers_harmful, our_share, official_share, "
        "difference_pp from marts.factor_calibration"
    ).fetchall()
    assert sorted(got) == sorted(
        (g, n, 5, n / 5, pytest.approx(share), pytest.approx(100 * (n / 5 - share))) for g, n, share in CALIBRATION
    )


@pytest.mark.parametrize("case,worker,wp,guarantee,volume", ASSIGNMENTS, ids=[t[0] for t in ASSIGNMENTS])
def test_assignment(wh, case, worker, wp, guarantee, volume):
    got = wh.execute(
        "select volume, legal_basis, evidence from marts.guarantee_assignments "
        "where regime = 'current_law' and worker_key = ? and workplace_id = ? and guarantee = ?",
        [wk(worker), wp, guarantee],
    ).fetchall()
    if volume is None:
        assert got == []
        return
    assert len(got) == 1
    vol, basis, evidence = got[0]
    assert basis and evidence
    if volume == "null":
        assert vol is None
        assert "amount set by collective agreement: missing" in evidence
        assert "mining_metallurgy 1.8" in evidence  # the sectoral coefficient (decree 1193)
    else:
        assert vol == pytest.approx(volume)


@pytest.mark.parametrize("case,worker,bin_,guarantee,kind", GAPS, ids=[t[0] for t in GAPS])
def test_gap(wh, case, worker, bin_, guarantee, kind):
    got = wh.execute(
        "select gap_kind, reason from marts.guarantee_gaps where worker_key = ? and bin = ? and guarantee = ?",
        [wk(worker), bin_, guarantee],
    ).fetchall()
    assert got == ([kind] if kind else [])


@pytest.mark.parametrize("case,wp,finding", CONTRADICTIONS, ids=[t[0] for t in CONTRADICTIONS])
def test_contradiction(wh, case, wp, finding):
    got = wh.execute(
        "select finding from marts.list_attestation_contradictions where workplace_id = ?", [wp]
    ).fetchall()
    assert (finding,) in got


@pytest.mark.parametrize("case,worker,wp,guarantee,event", EVENTS, ids=[t[0] for t in EVENTS])
def test_event(wh, case, worker, wp, guarantee, event):
    got = wh.execute(
        "select event, cast(previous_as_of as varchar) from marts.assignment_events "
        "where regime = 'current_law' and worker_key = ? and workplace_id = ? and guarantee = ?",
        [wk(worker), wp, guarantee],
    ).fetchall()
    assert got == ([(event, PREVIOUS_RUN)] if event else [])


def test_history_versions_of_a_changed_assignment(wh):
    """Item 5: the agreement's 20 % held on the previous run, then the amount went missing."""
    got = wh.execute(
        "select version_no, volume, cast(valid_from as varchar), cast(valid_to as varchar), "
        "started_by, ended_by, is_current from marts.assignment_history "
        "where worker_key = ? and guarantee = 'pay_supplement' order by version_no",
        [wk("wk-metal")],
    ).fetchall()
    assert got == [
        (1, 20.0, PREVIOUS_RUN, AS_OF, "started", "changed", False),
        (2, None, AS_OF, None, "changed", None, True),
    ]


def test_history_ended_assignment(wh):
    got = wh.execute(
        "select cast(valid_to as varchar), ended_by, is_current from marts.assignment_history "
        "where worker_key = ? and guarantee = 'short_week'",
        [wk("wk-stop")],
    ).fetchall()
    assert got == [(AS_OF, "ended", False)]


@pytest.fixture(scope="module")
def history_reruns(tmp_path_factory):
    """The two runs of `wh`, then the newest as_of again, then the earlier one again: the
    versions table after each step (issue 6: history kept incrementally must not depend
    on how often a night is rerun, and a run for an earlier as_of must not rewrite it)."""
    tmp = tmp_path_factory.mktemp("history")
    db = tmp / "wh.duckdb"

    def versions():
        with duckdb.connect(str(db), read_only=True) as c:
            return (
                sorted(
                    map(repr, c.execute("select * from intermediate.int_guarantees__assignment_versions").fetchall())
                ),
                [
                    str(r[0])
                    for r in c.execute(
                        "select as_of from intermediate.int_guarantees__assignment_runs order by 1"
                    ).fetchall()
                ],
            )

    steps = {}
    _build_two_runs(db, tmp)
    steps["two runs"] = versions()
    _dbt(BUILD, db, tmp)
    steps["newest again"] = versions()
    _dbt(BUILD, db, tmp, as_of=PREVIOUS_RUN)
    steps["earlier again"] = versions()
    with duckdb.connect(str(db), read_only=True) as c:
        steps["history as of the earlier run"] = c.execute(
            "select count(*), count(valid_to), bool_and(is_current), max(valid_from) from marts.assignment_history"
        ).fetchone()
    yield steps
    shutil.rmtree(tmp, ignore_errors=True)


def test_history_rerun_of_the_newest_run_changes_nothing(history_reruns):
    assert history_reruns["two runs"][1] == [PREVIOUS_RUN, AS_OF]
    assert history_reruns["newest again"] == history_reruns["two runs"]


def test_history_run_for_an_earlier_as_of_reads_it_as_it_was(history_reruns):
    assert history_reruns["earlier again"] == history_reruns["two runs"]
    rows, closed, all_current, newest_start = history_reruns["history as of the earlier run"]
    assert rows > 0 and closed == 0 and all_current and str(newest_start) == PREVIOUS_RUN


def test_s9_no_iin_in_marts(wh):
    """§9: an IIN is personal data — marts carry only worker_key, never an iin column."""
    cols = wh.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
    ).fetchall()
    assert cols and not [c for c in cols if "iin" in c[1].lower()]
