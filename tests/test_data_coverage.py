"""The generated data reaches every indicator and rule (issue 19), on the session's tiny run:
every scale carries the hand-made enterprises of pipelines/generate/edges.py, so tiny
holds the case each indicator and rule needs. A rule or indicator no row reaches shows
here as a failure, not as a weight paid for nothing. The small scale's share of
enterprises per indicator is measured by `make bench` (pipelines/data_coverage.py)."""

from __future__ import annotations

from pipelines import data_coverage

from .conftest import query


def test_every_indicator_in_force_is_non_zero_somewhere_and_varies(tiny_run):
    reach = data_coverage.coverage(tiny_run.warehouse)["indicators"]
    assert (
        len(reach)
        == query(tiny_run.warehouse, "SELECT count(*) FROM reference.ctr_indicators WHERE valid_to IS NULL")[0][0]
    )
    assert [r["indicator"] for r in reach if r["nonzero"] == 0] == []
    assert [r["indicator"] for r in reach if r["distinct_values"] < 2] == []


def test_every_guarantee_gap_reason_escalation_rule_and_status_occurs(tiny_run):
    rules = data_coverage.coverage(tiny_run.warehouse)["rules"]
    assert len(rules["assignments"]) == 2 * 7 and len(rules["gap_reasons"]) == 6
    assert set(rules["escalation_rules"]) == {"three_at_3_1", "two_at_3_2_plus"}
    assert set(rules["attestation_statuses"]) == {"confirmed_harmful", "confirmed_acceptable", "not_attested"}
    for kind, counts in rules.items():
        assert [rule for rule, n in counts.items() if n == 0] == [], kind


def test_factor_marts_add_up_to_the_map(tiny_run):
    """docs/law_and_models.md §10: one definition of workers in harmful conditions; each worker once per
    exposure group, so no group exceeds the total, and the official groups are counted on the
    same total."""
    total = query(tiny_run.warehouse, "SELECT sum(workers_harmful) FROM marts.region_risk")[0][0]
    groups = dict(
        query(tiny_run.warehouse, "SELECT exposure_group, sum(workers) FROM marts.factor_exposure GROUP BY 1")
    )
    assert total > 0 and groups.pop("all") == total
    assert groups and all(0 < n <= total for n in groups.values())
    calibration = query(
        tiny_run.warehouse,
        "SELECT official_group, our_workers_exposed, our_workers_harmful, official_share FROM marts.factor_calibration",
    )
    assert {g for g, *_ in calibration} == {"noise_vibration", "dust_gas"}
    for _group, exposed, harmful, official in calibration:
        assert harmful == total and 0 < exposed <= total and official is not None
    exposed = dict((g, n) for g, n, *_ in calibration)
    assert exposed["noise_vibration"] >= max(groups.get("noise", 0), groups.get("vibration", 0))
    assert exposed["dust_gas"] >= max(groups.get("dust", 0), groups.get("chemical", 0))
