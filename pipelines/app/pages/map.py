"""The national map: the 20 regions shaded by the measure picked; hover shows a region's
figures, a click opens it. The region table below holds the same figures."""

from __future__ import annotations

from dash import Input, Output, State, dcc, html, no_update

from pipelines.app.ui import Page, lang_of, markdown_link, table
from pipelines.region_map import HOVER_FIGURES, PLOTLY_CONFIG, choropleth, format_figure

# Where the app serves the region shapes (pipelines/app/server.py); browsers cache them.
SHAPES_URL = "/geodata/kazakhstan2023Low.json"


def layout(page: Page) -> list:
    """The map page: the measure picker, the regions shaded by it, and the region table with the
    same figures."""
    measures = page.copy.measures()
    rows = page.copy.regions()
    table_rows = [
        {
            "region_link": markdown_link(
                page.labels.region(r["region"], page.lang), page.href(f"/region/{r['region']}")
            ),
            **{k: format_figure(k, r.get(k)) for k in HOVER_FIGURES if k in r},
        }
        for r in rows
    ]
    return [
        html.H2(page.t("map.title")),
        html.Div(
            [
                html.Label(page.t("map.choose_measure"), htmlFor="measure"),
                dcc.Dropdown(
                    id="measure",
                    options=[{"label": page.t("measure." + m.key), "value": m.key} for m in measures],
                    value=measures[0].key,
                    clearable=False,
                    style={"maxWidth": "520px"},
                ),
            ],
            className="controls",
        ),
        html.P(page.t("map.click_hint"), className="hint"),
        dcc.Graph(
            id="region-map",
            config=PLOTLY_CONFIG,
            figure=choropleth(rows, measures[0].key, page.labels, page.lang, shapes=SHAPES_URL),
        ),
        html.H3(page.t("map.region_table")),
        table(
            page,
            "region-table",
            table_rows,
            ["region_link", *[k for k in HOVER_FIGURES if k in rows[0]]],
            markdown=("region_link",),
            page_size=25,
            heading_keys={"region_link": "col.region_name", **{k: "measure." + k for k in HOVER_FIGURES}},
        ),
    ]


def register(app, copy) -> None:
    """Callbacks: another measure reshades the map, and a click on a region opens its page."""

    @app.callback(
        Output("region-map", "figure"), Input("measure", "value"), State("url", "search"), prevent_initial_call=True
    )
    def shade(measure, search):
        return choropleth(copy.regions(), measure, copy.labels(), lang_of(search), shapes=SHAPES_URL)

    @app.callback(Output("url", "pathname"), Input("region-map", "clickData"), prevent_initial_call=True)
    def open_region(click):
        points = (click or {}).get("points") or []
        if not points or not points[0].get("customdata"):
            return no_update
        return f"/region/{points[0]['customdata']}"
