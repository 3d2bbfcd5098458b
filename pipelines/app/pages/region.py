"""A region: its figures, its industries (OKED sections), its enterprises ranked by risk
with filters (section, level, size) and a CSV download of what the filters keep."""

from __future__ import annotations

import csv
import io

import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html

from pipelines.app.ui import Page, figures, markdown_link, number, page_for, table
from pipelines.region_map import HOVER_FIGURES, format_figure

LEVELS = ("very_high", "high", "medium", "low")
LEVEL_COLOURS = {"very_high": "#b30000", "high": "#e34a33", "medium": "#fdbb84", "low": "#fee8c8"}
RANKING_COLUMNS = (
    "enterprise_name",
    "bin",
    "oked_section",
    "size",
    "headcount",
    "risk_score",
    "risk_level",
    "ctr_score",
    "ctr_level",
)
# The ranking shows the top of the list; the CSV holds every enterprise the filters keep.
SHOWN = 500


def _enterprises(page_copy, labels, region: str, sections, levels, sizes) -> list[dict]:
    where, params = ["region_code = $region"], {"region": region}
    if sections:
        where.append("oked_section IN (SELECT unnest($sections))")
        params["sections"] = list(sections)
    if levels:
        where.append("risk_level IN (SELECT unnest($levels))")
        params["levels"] = list(levels)
    if sizes:
        bands = [b.sql("headcount") for b in labels.sizes if b.size in sizes]
        where.append("(" + (" OR ".join(bands) or "false") + ")")
    rows = page_copy.rows(
        f"SELECT bin, enterprise_name, oked_section, headcount, risk_score, risk_level, ctr_score, ctr_level "
        f"FROM marts.enterprise_risk WHERE {' AND '.join(where)} "
        "ORDER BY risk_score DESC NULLS LAST, ctr_score DESC NULLS LAST, bin",
        params,
    )
    for r in rows:
        r["size"] = labels.size_of(r["headcount"])
    return rows


def _sections(page: Page, region: str) -> list[dict]:
    return page.copy.rows(
        """
        SELECT oked_section, count(*) AS enterprises, sum(headcount) AS workers,
               count(*) FILTER (WHERE risk_level IN ('high', 'very_high')) AS enterprises_high_very_high,
               count(*) FILTER (WHERE risk_level = 'low') AS enterprises_low,
               count(*) FILTER (WHERE risk_level = 'medium') AS enterprises_medium,
               count(*) FILTER (WHERE risk_level = 'high') AS enterprises_high,
               count(*) FILTER (WHERE risk_level = 'very_high') AS enterprises_very_high,
               avg(risk_score) AS mean_risk_score, avg(ctr_score) AS mean_ctr_score
        FROM marts.enterprise_risk WHERE region_code = ? GROUP BY 1 ORDER BY workers DESC NULLS LAST, 1""",
        [region],
    )


def _sections_chart(page: Page, rows: list[dict]) -> go.Figure:
    names = [f"{r['oked_section']} — {page.labels.section(r['oked_section'], page.lang)}"[:60] for r in rows]
    fig = go.Figure(
        [
            go.Bar(
                y=names,
                x=[r[f"enterprises_{lvl}"] for r in rows],
                orientation="h",
                name=page.labels.code("risk_level", lvl, page.lang),
                marker_color=LEVEL_COLOURS[lvl],
            )
            for lvl in reversed(LEVELS)
        ]
    )
    fig.update_layout(
        barmode="stack",
        height=120 + 28 * len(rows),
        margin={"l": 10, "r": 10, "t": 30, "b": 30},
        legend={"orientation": "h", "y": 1.1},
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"title": {"text": page.labels.column("enterprises", page.lang)}},
    )
    return fig


def ranking_rows(page: Page, rows: list[dict]) -> list[dict]:
    """The first SHOWN rows of the ranking, each enterprise name a link to its card."""
    return [
        {**r, "enterprise_name": markdown_link(r["enterprise_name"], page.href(f"/enterprise/{r['bin']}"))}
        for r in rows[:SHOWN]
    ]


def layout(page: Page, region: str) -> list:
    """The page of one region: its figures, its industries (chart and table) and its enterprises
    ranked with filters; a not-found page for an unknown code."""
    regions = {r["region"]: r for r in page.copy.regions()}
    if region not in regions:
        return [html.H2(page.t("page.not_found")), html.P(region)]
    r = regions[region]
    sections = _sections(page, region)
    labels = page.labels
    return [
        html.P(dcc.Link("← " + page.t("nav.map"), href=page.href("/"))),
        html.H2(labels.region(region, page.lang)),
        figures(page, [("measure." + k, format_figure(k, r.get(k))) for k in HOVER_FIGURES if k in r]),
        html.H3(page.t("region.industries")),
        dcc.Graph(id="region-sections-chart", figure=_sections_chart(page, sections), config={"displayModeBar": False}),
        table(
            page,
            "region-sections",
            sections,
            [
                "oked_section",
                "enterprises",
                "workers",
                "enterprises_high_very_high",
                "mean_risk_score",
                "mean_ctr_score",
            ],
            digits={"mean_risk_score": 2, "mean_ctr_score": 1},
            heading_keys={"enterprises_high_very_high": "measure.enterprises_high_very_high"},
        ),
        html.H3(page.t("region.enterprises")),
        html.Div(
            [
                html.Div(
                    [
                        html.Label(page.t("filter.section")),
                        dcc.Dropdown(
                            id="filter-section",
                            multi=True,
                            options=[
                                {
                                    "label": f"{s['oked_section']} — {labels.section(s['oked_section'], page.lang)}",
                                    "value": s["oked_section"],
                                }
                                for s in sections
                                if s["oked_section"]
                            ],
                        ),
                    ],
                    className="filter",
                ),
                html.Div(
                    [
                        html.Label(page.t("filter.level")),
                        dcc.Dropdown(
                            id="filter-level",
                            multi=True,
                            options=[
                                {"label": labels.code("risk_level", lvl, page.lang), "value": lvl} for lvl in LEVELS
                            ],
                        ),
                    ],
                    className="filter",
                ),
                html.Div(
                    [
                        html.Label(page.t("filter.size")),
                        dcc.Dropdown(
                            id="filter-size",
                            multi=True,
                            options=[
                                {"label": labels.code("size", b.size, page.lang), "value": b.size} for b in labels.sizes
                            ],
                        ),
                    ],
                    className="filter",
                ),
                html.Button(page.t("region.download_csv"), id="download-button", className="button"),
                dcc.Download(id="download-csv"),
            ],
            className="controls filters",
        ),
        html.P(id="ranking-count", className="hint"),
        html.Div(id="ranking"),
        dcc.Store(id="region-code", data=region),
    ]


def _table(page: Page, rows: list[dict]):
    return table(
        page,
        "ranking-table",
        ranking_rows(page, rows),
        list(RANKING_COLUMNS),
        coded={"risk_level": "risk_level", "ctr_level": "ctr_level", "size": "size"},
        digits={"risk_score": 3, "ctr_score": 1},
        markdown=("enterprise_name",),
    )


def csv_text(page: Page, rows: list[dict]) -> str:
    """The ranked rows as CSV for download, headings and codes in the reader's language."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([page.labels.column(c, page.lang) for c in RANKING_COLUMNS])
    coded = {"risk_level", "ctr_level", "size"}
    for r in rows:
        writer.writerow(
            [
                page.labels.code(c, r.get(c), page.lang)
                if c in coded
                else page.labels.section(r[c], page.lang)
                if c == "oked_section" and r.get(c)
                else ""
                if r.get(c) is None
                else r.get(c)
                for c in RANKING_COLUMNS
            ]
        )
    return out.getvalue()


def register(app, copy) -> None:
    """Callbacks: the ranking follows the section, level and size filters, and the download
    button sends what they keep as CSV."""

    @app.callback(
        Output("ranking", "children"),
        Output("ranking-count", "children"),
        Input("filter-section", "value"),
        Input("filter-level", "value"),
        Input("filter-size", "value"),
        State("region-code", "data"),
        State("url", "search"),
    )
    def rank(sections, levels, sizes, region, search):
        with copy.reading():
            page = page_for(copy, search)
            rows = _enterprises(copy, page.labels, region, sections, levels, sizes)
        shown = min(len(rows), SHOWN)
        return _table(page, rows), f"{page.t('region.shown')}: {number(shown)} / {number(len(rows))}"

    @app.callback(
        Output("download-csv", "data"),
        Input("download-button", "n_clicks"),
        State("filter-section", "value"),
        State("filter-level", "value"),
        State("filter-size", "value"),
        State("region-code", "data"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def download(_clicks, sections, levels, sizes, region, search):
        page = page_for(copy, search)
        rows = _enterprises(copy, page.labels, region, sections, levels, sizes)
        return {
            "content": csv_text(page, rows),
            "filename": f"enterprises_{region}_{page.lang}.csv",
            "type": "text/csv",
        }
