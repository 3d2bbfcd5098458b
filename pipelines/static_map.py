"""The static map of a publish (`published/map/index.html`): the national map and the region
table in one self-contained file (Plotly's script inlined, shapes inside), so tonight's
picture opens from disk, with no network and no app."""

from __future__ import annotations

from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape

from pipelines.labels import DEFAULT_LANGUAGE, Labels
from pipelines.region_map import (
    HOVER_FIGURES,
    MEASURES,
    PLOTLY_CONFIG,
    as_of,
    available_measures,
    choropleth,
    format_figure,
    region_measures,
)

TEMPLATES = Path(__file__).with_name("templates")


def render(con: duckdb.DuckDBPyConnection, lang: str = DEFAULT_LANGUAGE) -> str:
    """The page for the copy open on `con` (schemas marts and reference)."""
    day = as_of(con)
    labels = Labels.load(con, day)
    rows = region_measures(con, day)
    measure = (available_measures(con) or list(MEASURES))[0].key
    figure = choropleth(rows, measure, labels, lang, height=620)
    keys = [k for k in HOVER_FIGURES if rows and k in rows[0]]
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("static_map.html.j2").render(
        lang=lang,
        title=labels.text("map.title", lang),
        as_of=day,
        as_of_label=labels.text("col.as_of", lang),
        measure_label=labels.text("measure." + measure, lang),
        figure=figure.to_html(full_html=False, include_plotlyjs=True, config=PLOTLY_CONFIG),
        generated=labels.text("static.generated", lang),
        region_heading=labels.text("col.region_name", lang),
        headings=[labels.text("measure." + k, lang) for k in keys],
        rows=[
            {
                "code": r["region"],
                "name": labels.region(r["region"], lang),
                "figures": [format_figure(k, r.get(k)) for k in keys],
            }
            for r in rows
        ],
        attribution=labels.text("map.attribution", lang) + " (amcharts.com), pipelines/geodata/LICENSE",
    )
