"""What a built warehouse's data exercises (issue 19): a rule or an indicator that no row
reaches is never checked by data, and a weight paid for an indicator that is zero for
every enterprise buys nothing.

- `indicator_reach`: per ЦКТР-style indicator of the catalogue in force, how many scored
  enterprises have a non-zero value and a non-zero risk value (its weight counts), and
  how many distinct values it takes;
- `rules_reached`: how often each guarantee of the rules in force is assigned under each
  regime, each gap reason (with its kind) occurs, each escalation rule raises a
  workplace's class, each attestation status is held;
- `factor_mix`: marts.factor_calibration, our factor mix beside the official figures.

`make bench` records all three for its run; tests/test_data_coverage.py holds the tiny
run to them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

IN_FORCE = (
    "valid_from <= (SELECT max(as_of) FROM marts.enterprise_risk) AND (valid_to IS NULL OR valid_to > "
    "(SELECT max(as_of) FROM marts.enterprise_risk))"
)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def indicator_reach(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """One row per indicator in force, the least reached first."""
    return _rows(
        con,
        f"""
        WITH scored AS (SELECT bin FROM intermediate.int_risk__enterprise_headcount WHERE scored),
        catalogue AS (SELECT code FROM reference.ctr_indicators WHERE {IN_FORCE})
        SELECT c.code AS indicator,
               (SELECT count(*) FROM scored) AS enterprises,
               count(*) FILTER (WHERE i.raw_value <> 0) AS nonzero,
               count(*) FILTER (WHERE i.risk_value > 0) AS risk_nonzero,
               round(count(*) FILTER (WHERE i.risk_value > 0) / (SELECT count(*) FROM scored), 4) AS risk_nonzero_share,
               count(DISTINCT i.raw_value) AS distinct_values,
               count(DISTINCT i.risk_value) AS distinct_risk_values
        FROM catalogue c
        LEFT JOIN intermediate.int_risk__indicators i ON i.indicator_code = c.code AND i.bin IN (SELECT bin FROM scored)
        GROUP BY c.code
        ORDER BY risk_nonzero_share, nonzero, c.code""",
    )


def rules_reached(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """Counts of rows per rule, zeros included for every rule in force."""

    def counts(sql: str) -> dict[str, int]:
        return {k: int(v) for k, v in con.execute(sql).fetchall()}

    return {
        "assignments": counts(f"""
            SELECT r.regime || ' ' || g.guarantee, count(a.guarantee)
            FROM (SELECT DISTINCT guarantee FROM reference.guarantee_rules WHERE {IN_FORCE}) g
            CROSS JOIN (VALUES ('current_law'), ('risk_model')) r(regime)
            LEFT JOIN marts.guarantee_assignments a ON a.guarantee = g.guarantee AND a.regime = r.regime
            GROUP BY ALL ORDER BY 1"""),
        "gap_reasons": counts(f"""
            SELECT r.gap_kind || ' ' || r.code, count(g.reason)
            FROM (SELECT code, gap_kind FROM reference.gap_reasons WHERE {IN_FORCE}) r
            LEFT JOIN marts.guarantee_gaps g ON g.reason = r.code AND g.gap_kind = r.gap_kind
            GROUP BY ALL ORDER BY 1"""),
        "escalation_rules": counts(f"""
            SELECT r.rule_code, count(w.workplace_id)
            FROM (SELECT rule_code FROM reference.workplace_class_escalation WHERE {IN_FORCE}) r
            LEFT JOIN marts.workplace_conditions w
              ON list_contains(string_split(w.escalation_rules, ', '), r.rule_code)
            GROUP BY ALL ORDER BY 1"""),
        "attestation_statuses": counts(f"""
            SELECT s.attestation_status, count(w.workplace_id)
            FROM (SELECT attestation_status FROM reference.list_applicability WHERE {IN_FORCE}) s
            LEFT JOIN marts.workplace_conditions w USING (attestation_status)
            GROUP BY ALL ORDER BY 1"""),
    }


def factor_mix(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Our harmful-factor mix beside the official group shares (marts.factor_calibration)."""
    return _rows(
        con,
        "SELECT official_group, official_share, our_share, difference_pp, our_workers_exposed, "
        "our_workers_harmful FROM marts.factor_calibration ORDER BY official_group",
    )


def coverage(warehouse: Path) -> dict:
    """What one warehouse's data exercises: indicator reach (and the indicators reaching under
    1 % of enterprises or never varying), the rules reached and the factor mix."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reach = indicator_reach(con)
        return {
            "indicators": reach,
            "indicators_below_1pct": [r["indicator"] for r in reach if r["risk_nonzero_share"] < 0.01],
            "indicators_constant": [r["indicator"] for r in reach if r["distinct_risk_values"] < 2],
            "rules": rules_reached(con),
            "factor_mix": factor_mix(con),
        }
