"""Building blocks the pages share: the page context, links that keep the language,
tables with headings from the labels, numbers as readers write them."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from dash import dash_table, html

from pipelines.app.store import PublishedCopy
from pipelines.labels import Labels, language


@dataclass
class Page:
    """What a page is built from: the published copy, its labels and the reader's language."""

    copy: PublishedCopy
    labels: Labels
    lang: str

    def t(self, key: str) -> str:
        """The UI text of `key` in the page's language."""
        return self.labels.text(key, self.lang)

    def href(self, path: str) -> str:
        """A link to `path` that keeps the page's language."""
        return f"{path}?lang={self.lang}"


def lang_of(search: str | None) -> str:
    """The language of a URL's query string (`?lang=kk`), Russian by default."""
    return language(parse_qs((search or "").lstrip("?")).get("lang", [None])[0])


def page_for(copy: PublishedCopy, search: str | None) -> Page:
    """The page context of a request: the copy's labels and the language from the query string."""
    return Page(copy, copy.labels(), lang_of(search))


def number(value, digits: int = 0) -> str:
    """A value as readers write it: thin-space thousands, ISO dates, ✓ for true, — for false or
    missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, bool):
        return "✓" if value else "—"
    if isinstance(value, (int, float)):
        return f"{value:,.{digits}f}".replace(",", "\u202f")
    return str(value)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>])")


def markdown_link(text: str, href: str) -> str:
    """A Markdown link for a table cell, the text's Markdown characters escaped."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text or "—")
    return f"[{escaped}]({href})"


def heading(page: Page, key: str) -> html.H3:
    """A section heading (H3) with the UI text of `key`."""
    return html.H3(page.t(key))


def figures(page: Page, items: list[tuple[str, str]]) -> html.Dl:
    """A definition list of (label key, formatted value)."""
    children = []
    for key, value in items:
        children += [html.Dt(page.t(key)), html.Dd(value)]
    return html.Dl(children, className="figures")


def table(
    page: Page,
    table_id: str,
    rows: list[dict],
    columns: list[str],
    *,
    coded: dict[str, str] | None = None,
    digits: dict[str, int] | None = None,
    markdown: tuple[str, ...] = (),
    page_size: int = 25,
    heading_keys: dict[str, str] | None = None,
) -> dash_table.DataTable:
    """A DataTable of `rows` showing `columns`, headings from the labels (`col.<name>`),
    coded values shown by their meaning (`coded`: column -> codebook column), numbers
    formatted (`digits`: column -> decimals)."""
    coded = coded or {}
    digits = digits or {}
    heading_keys = heading_keys or {}
    data = []
    for row in rows:
        out = {}
        for c in columns:
            v = row.get(c)
            if c in markdown:
                out[c] = v
            elif c in coded:
                out[c] = page.labels.code(coded[c], v, page.lang)
            elif c == "region_code" or c == "region":
                out[c] = page.labels.region(v, page.lang) if v else "—"
            elif c == "oked_section":
                out[c] = f"{v} — {page.labels.section(v, page.lang)}" if v else "—"
            elif isinstance(v, (int, float, dt.date, bool)) or v is None:
                out[c] = number(v, digits.get(c, 0 if isinstance(v, int) else 2))
            else:
                out[c] = v
        data.append(out)
    return dash_table.DataTable(
        id=table_id,
        columns=[
            {
                "id": c,
                "name": page.t(heading_keys[c]) if c in heading_keys else page.labels.column(c, page.lang),
                **({"presentation": "markdown"} if c in markdown else {}),
            }
            for c in columns
        ],
        # Rows come sorted as the page means them; cells are formatted text, which a
        # browser-side sort would order as text.
        data=data,
        page_size=page_size,
        sort_action="none",
        markdown_options={"link_target": "_self"},
        style_table={"overflowX": "auto"},
        style_cell={
            "textAlign": "left",
            "whiteSpace": "normal",
            "height": "auto",
            "fontFamily": '"Noto Sans", "DejaVu Sans", Arial, sans-serif',
            "fontSize": "14px",
        },
        style_header={"fontWeight": "bold", "backgroundColor": "#f2f2f2"},
    )
