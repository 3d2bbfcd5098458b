"""The national map: region shapes, the measures a region can be shaded by, and the figure.

The app and the static map of every publish draw the same figure from the same query.
Shapes: amCharts 5 geodata `kazakhstan2023Low.json` (the 20 regions in force since 2022,
keyed by ISO 3166-2:KZ code), bundled with its LICENSE in `pipelines/geodata/`; the
licence asks for the attribution the figure shows.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import duckdb
import plotly.graph_objects as go

from pipelines.labels import Labels

SHAPES_FILE = Path(__file__).with_name("geodata") / "kazakhstan2023Low.json"
ATTRIBUTION_URL = "https://www.amcharts.com/"
# Plotly's geo plots fetch a world topology from its CDN before drawing any choropleth,
# even when the base map is hidden. Ours is hidden (the regions are the map), so Plotly is
# handed an empty topology inline and asks the network for nothing; Plotly appends
# "/<name>.json" to the URL, which lands in the fragment.
_EMPTY_TOPOLOGY = json.dumps({"type": "Topology", "objects": {}, "arcs": []}, separators=(",", ":"))
PLOTLY_CONFIG = {
    "displayModeBar": False,
    "scrollZoom": False,
    "topojsonURL": "data:application/json," + quote(_EMPTY_TOPOLOGY) + "#",
}


@functools.lru_cache(maxsize=1)
def region_shapes() -> dict:
    """The GeoJSON FeatureCollection; each feature's `id` is an ISO code such as `KZ-35`."""
    return json.loads(SHAPES_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Measure:
    """A measure the map can be shaded by: its SQL, the columns it needs, its format and whether
    its colour scale diverges."""

    key: str
    sql: str  # over the aliases of region_measures(): rr (region_risk), gaps, cal
    needs: tuple[str, ...]  # region_risk columns it reads; a measure whose column is absent is not offered
    fmt: str  # Python format of one value
    diverging: bool = False


# The order is the order of the picker; the first is the default.
MEASURES = (
    Measure("workers_harmful", "coalesce(rr.workers_harmful, 0)", ("workers_harmful",), "{:,.0f}"),
    Measure("harmful_share", "100.0 * rr.harmful_share", ("harmful_share",), "{:.1f} %"),
    Measure("workers_not_attested", "coalesce(rr.workers_not_attested, 0)", ("workers_not_attested",), "{:,.0f}"),
    Measure(
        "enterprises_high_very_high",
        "coalesce(rr.enterprises_high, 0) + coalesce(rr.enterprises_very_high, 0)",
        ("enterprises_high", "enterprises_very_high"),
        "{:,.0f}",
    ),
    Measure("mean_risk_score", "rr.mean_risk_score", ("mean_risk_score",), "{:.2f}"),
    Measure("mean_ctr_score", "rr.mean_ctr_score", ("mean_ctr_score",), "{:.1f}"),
    Measure(
        "gaps_per_1000_workers",
        "1000.0 * coalesce(gaps.owed_not_granted, 0) / nullif(rr.workers, 0)",
        ("workers",),
        "{:.1f}",
    ),
    Measure(
        "calibration_deviation_pp",
        "100.0 * (cal.our_harmful_share - cal.stat_harmful_share)",
        (),
        "{:+.1f}",
        diverging=True,
    ),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
# What the hover shows for a region besides the measure picked.
HOVER_FIGURES = (
    "workers",
    "workers_harmful",
    "harmful_share",
    "workers_not_attested",
    "enterprises",
    "enterprises_high_very_high",
    "mean_risk_score",
    "mean_ctr_score",
    "gaps_per_1000_workers",
    "calibration_deviation_pp",
)


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchall()
    }


def as_of(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The as-of date of the copy's scores (the newest in marts.enterprise_risk)."""
    return con.execute("SELECT max(as_of) FROM marts.enterprise_risk").fetchone()[0]


def available_measures(con: duckdb.DuckDBPyConnection) -> list[Measure]:
    """The measures whose columns this copy's region_risk has."""
    present = _columns(con, "marts", "region_risk")
    return [m for m in MEASURES if set(m.needs) <= present]


def region_measures(con: duckdb.DuckDBPyConnection, day: dt.date | None = None) -> list[dict]:
    """One row per region in force on `day` (default: the copy's as-of date), zeros included:
    the region's code, ISO code and every available measure."""
    day = day or as_of(con) or dt.date.today()
    present = _columns(con, "marts", "region_risk")
    figures = [f"{m.sql} AS {m.key}" for m in available_measures(con)]
    plain = [f"rr.{c} AS {c}" for c in ("workers", "enterprises") if c in present]
    # "Owed but not granted": nothing granted, or less than owed, under current law.
    sql = f"""
        WITH regions AS (
            SELECT code AS region, iso_code FROM reference.regions
            WHERE valid_from <= $day AND (valid_to IS NULL OR valid_to > $day)
        ), gaps AS (
            SELECT e.region_code AS region,
                   count(*) FILTER (WHERE g.gap_kind IN ('not_granted', 'under_granted')) AS owed_not_granted
            FROM marts.guarantee_gaps g JOIN marts.enterprise_risk e USING (bin)
            GROUP BY 1
        )
        SELECT regions.region, regions.iso_code, {", ".join(plain + figures)}
        FROM regions
        LEFT JOIN marts.region_risk rr ON rr.region = regions.region
        LEFT JOIN gaps ON gaps.region = regions.region
        LEFT JOIN marts.region_calibration cal ON cal.region = regions.region
        ORDER BY regions.region
    """
    cur = con.execute(sql, {"day": day})
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _value(row: dict, key: str) -> float | None:
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def format_figure(key: str, value: float | None) -> str:
    """A region figure in its measure's format, with thin-space thousands; — when missing."""
    if value is None:
        return "—"
    measure = MEASURE_BY_KEY.get(key)
    return (measure.fmt if measure else "{:,.0f}").format(value).replace(",", "\u202f")


def hover_text(row: dict, labels: Labels, lang: str) -> str:
    """A region's hover text: its name and figures, one a line (HTML)."""
    lines = [f"<b>{labels.region(row['region'], lang)}</b>"]
    for key in HOVER_FIGURES:
        if key in row:
            lines.append(f"{labels.text('measure.' + key, lang)}: {format_figure(key, _value(row, key))}")
    return "<br>".join(lines)


def choropleth(
    rows: list[dict], measure: str, labels: Labels, lang: str, height: int = 560, shapes: dict | str | None = None
) -> go.Figure:
    """Every region drawn (grey where the measure has no value), shaded by `measure`; the
    shaded layer is the last trace. Each region's `customdata` is its 2-digit code, for the
    click that opens it. `shapes`: the GeoJSON itself (default), or a URL the browser
    fetches it from (the app: half a megabyte less in every figure it sends)."""
    m = MEASURE_BY_KEY[measure]
    shapes = region_shapes() if shapes is None else shapes
    with_value = [r for r in rows if _value(r, measure) is not None]
    base = go.Choropleth(
        geojson=shapes,
        featureidkey="id",
        locations=[r["iso_code"] for r in rows],
        z=[0] * len(rows),
        colorscale=[[0, "#d9d9d9"], [1, "#d9d9d9"]],
        showscale=False,
        customdata=[r["region"] for r in rows],
        text=[hover_text(r, labels, lang) for r in rows],
        hovertemplate="%{text}<extra></extra>",
        marker_line_color="white",
        marker_line_width=1,
        name="base",
    )
    values = [_value(r, measure) for r in with_value]
    shaded = go.Choropleth(
        geojson=shapes,
        featureidkey="id",
        locations=[r["iso_code"] for r in with_value],
        z=values,
        colorscale="RdBu_r" if m.diverging else "OrRd",
        zmid=0 if m.diverging else None,
        zmin=None if m.diverging else min(values + [0]),
        customdata=[r["region"] for r in with_value],
        text=[hover_text(r, labels, lang) for r in with_value],
        hovertemplate="%{text}<extra></extra>",
        marker_line_color="white",
        marker_line_width=1,
        colorbar={"title": {"text": labels.text("measure." + measure, lang), "side": "right"}, "thickness": 14},
        name="measure",
    )
    # The grey layer only where some region has no value: each layer carries the shapes.
    fig = go.Figure([base, shaded] if len(with_value) < len(rows) else [shaded])
    # The country's extent, not fitbounds: Plotly fits bounds into a square frame.
    fig.update_geos(visible=False, projection_type="mercator", lonaxis_range=[46, 88], lataxis_range=[40, 56])
    fig.update_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        dragmode=False,
        annotations=[
            {
                "text": f'<a href="{ATTRIBUTION_URL}">{labels.text("map.attribution", lang)}</a>',
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 11, "color": "#555"},
            }
        ],
    )
    return fig


def darkest(rows: list[dict], measure: str) -> dict | None:
    """The region with the highest value of `measure` (the darkest on the map)."""
    valued = [r for r in rows if _value(r, measure) is not None]
    return max(valued, key=lambda r: _value(r, measure)) if valued else None
