"""Guarantees: owed vs granted by guarantee, region and industry under current law; the
milk + ЛПП conflicts (order 1054 p.12); current law against the risk-oriented regime
and what each costs a year."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import dcc, html

from pipelines.app.ui import Page, markdown_link, table

# Gaps that mean a worker did not get all that is owed.
OWED_NOT_GRANTED = ("not_granted", "under_granted")
GAP_KINDS = ("not_granted", "under_granted", "over_granted", "conflict")
GAP_COLOURS = {"not_granted": "#b30000", "under_granted": "#e34a33", "over_granted": "#74a9cf", "conflict": "#6a51a3"}


def _by(page: Page, key_sql: str, join: str = "") -> list[dict]:
    """Owed (current law, workers) and each gap kind, by `key_sql` over assignments a and gaps g."""
    return page.copy.rows(f"""
        WITH owed AS (
            SELECT {key_sql.format(t="a")} AS key, count(DISTINCT (a.worker_key, a.bin, a.guarantee)) AS owed
            FROM marts.guarantee_assignments a {join.format(t="a")}
            WHERE a.regime = 'current_law' GROUP BY 1
        ), gaps AS (
            SELECT {key_sql.format(t="g")} AS key,
                   count(*) FILTER (WHERE g.gap_kind = 'not_granted') AS not_granted,
                   count(*) FILTER (WHERE g.gap_kind = 'under_granted') AS under_granted,
                   count(*) FILTER (WHERE g.gap_kind = 'over_granted') AS over_granted,
                   count(*) FILTER (WHERE g.gap_kind = 'conflict') AS conflict
            FROM marts.guarantee_gaps g {join.format(t="g")} GROUP BY 1
        )
        SELECT key, coalesce(owed, 0) AS owed, coalesce(not_granted, 0) AS not_granted,
               coalesce(under_granted, 0) AS under_granted, coalesce(over_granted, 0) AS over_granted,
               coalesce(conflict, 0) AS conflict,
               round(100.0 * (coalesce(not_granted, 0) + coalesce(under_granted, 0)) / nullif(owed, 0), 1)
                   AS owed_not_granted_pct
        FROM owed FULL JOIN gaps USING (key) ORDER BY owed DESC NULLS LAST, key""")


def _bars(page: Page, rows: list[dict], name_of) -> go.Figure:
    names = [name_of(r["key"]) for r in rows]
    fig = go.Figure(
        [go.Bar(x=names, y=[r["owed"] for r in rows], name=page.t("col.owed_current_law"), marker_color="#969696")]
        + [
            go.Bar(
                x=names,
                y=[r[k] for r in rows],
                name=page.labels.code("gap_kind", k, page.lang),
                marker_color=GAP_COLOURS[k],
            )
            for k in GAP_KINDS
        ]
    )
    fig.update_layout(
        barmode="group",
        height=380,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.15},
        yaxis={"title": {"text": page.t("unit.workers")}},
    )
    return fig


def layout(page: Page) -> list:
    """The guarantees page: owed against granted by guarantee, region and industry, the milk +
    ЛПП conflicts, and what each guarantee costs a year under current law and the risk model."""
    lang, labels = page.lang, page.labels
    enterprise_join = "JOIN marts.enterprise_risk e ON e.bin = {t}.bin"
    by_guarantee = _by(page, "{t}.guarantee")
    by_region = _by(page, "e.region_code", enterprise_join)
    by_section = _by(page, "e.oked_section", enterprise_join)
    conflicts = page.copy.rows("""
        SELECT g.bin, e.enterprise_name, e.region_code, e.oked_section, count(*) AS conflict
        FROM marts.guarantee_gaps g LEFT JOIN marts.enterprise_risk e USING (bin)
        WHERE g.gap_kind = 'conflict' GROUP BY ALL ORDER BY conflict DESC, g.bin LIMIT 100""")
    for c in conflicts:
        c["enterprise_name"] = markdown_link(c["enterprise_name"] or c["bin"], page.href(f"/enterprise/{c['bin']}"))
    costs = page.copy.rows("""
        SELECT guarantee,
               sum(workers) FILTER (WHERE regime = 'current_law') AS workers_current_law,
               sum(cost_kzt_year) FILTER (WHERE regime = 'current_law') AS cost_current_law,
               sum(workers) FILTER (WHERE regime = 'risk_model') AS workers_risk_model,
               sum(cost_kzt_year) FILTER (WHERE regime = 'risk_model') AS cost_risk_model,
               sum(workers_cost_unknown) AS workers_cost_unknown
        FROM marts.guarantee_costs GROUP BY 1 ORDER BY 1""")
    cost_fig = go.Figure(
        [
            go.Bar(
                x=[labels.code("guarantee", c["guarantee"], lang) for c in costs],
                y=[(c[f"cost_{regime}"] or 0) / 1e6 for c in costs],
                name=labels.code("regime", regime, lang),
                marker_color=colour,
            )
            for regime, colour in (("current_law", "#636363"), ("risk_model", "#e6550d"))
        ]
    )
    cost_fig.update_layout(
        barmode="group",
        height=360,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.15},
        yaxis={"title": {"text": page.t("unit.mln_kzt_year")}},
    )
    gap_columns = ["key", "owed", "not_granted", "under_granted", "over_granted", "conflict", "owed_not_granted_pct"]
    headings = {
        "key": "col.guarantee",
        "owed": "col.owed_current_law",
        "owed_not_granted_pct": "col.owed_not_granted_pct",
    }
    return [
        html.H2(page.t("guarantees.title")),
        html.P(page.t("guarantees.explain"), className="hint"),
        html.H3(page.t("guarantees.by_guarantee")),
        dcc.Graph(
            id="guarantees-by-guarantee",
            figure=_bars(page, by_guarantee, lambda k: labels.code("guarantee", k, lang)),
            config={"displayModeBar": False},
        ),
        table(
            page,
            "guarantees-guarantee-table",
            by_guarantee,
            gap_columns,
            coded={"key": "guarantee"},
            heading_keys=headings,
            digits={"owed_not_granted_pct": 1},
        ),
        html.H3(page.t("guarantees.by_region")),
        table(
            page,
            "guarantees-region-table",
            [{**r, "region": r["key"]} for r in by_region],
            ["region", *gap_columns[1:]],
            heading_keys={**headings, "region": "col.region_name"},
            digits={"owed_not_granted_pct": 1},
        ),
        html.H3(page.t("guarantees.by_section")),
        table(
            page,
            "guarantees-section-table",
            [{**r, "oked_section": r["key"]} for r in by_section],
            ["oked_section", *gap_columns[1:]],
            heading_keys=headings,
            digits={"owed_not_granted_pct": 1},
        ),
        html.H3(page.t("guarantees.conflicts")),
        html.P(page.t("guarantees.conflicts_explain"), className="hint"),
        table(
            page,
            "guarantees-conflicts",
            conflicts,
            ["enterprise_name", "bin", "region_code", "oked_section", "conflict"],
            markdown=("enterprise_name",),
            heading_keys={"conflict": "col.conflict_workers"},
        ),
        html.H3(page.t("guarantees.costs")),
        dcc.Graph(id="guarantees-costs", figure=cost_fig, config={"displayModeBar": False}),
        table(
            page,
            "guarantees-costs-table",
            costs,
            [
                "guarantee",
                "workers_current_law",
                "cost_current_law",
                "workers_risk_model",
                "cost_risk_model",
                "workers_cost_unknown",
            ],
            coded={"guarantee": "guarantee"},
            digits={"cost_current_law": 0, "cost_risk_model": 0},
        ),
    ]
