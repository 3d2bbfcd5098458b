"""The labour-risk map app (Dash): one page shell, a router on the URL, the pages' callbacks.

URLs: `/` map, `/region/<code>`, `/enterprise/<bin>`, `/guarantees`, `/freshness`, each with
`?lang=ru|kk|en` (Russian by default). Plotly.js and Dash's scripts are served from the
installed packages (no CDN). Besides the pages, the server hands out the report files a
publish leaves beside the copy (`/files/dq_report/…`, `/files/published/map/…`,
`/files/published/docs/…`), and nothing else of the warehouse folder, and the region shapes.
"""

from __future__ import annotations

import re
from pathlib import Path

import flask
from dash import Dash, Input, Output, dcc, html

from pipelines.app.pages import enterprise, freshness, guarantees, region
from pipelines.app.pages import map as map_page
from pipelines.app.store import PublishedCopy
from pipelines.app.ui import Page, page_for
from pipelines.labels import LANGUAGES
from pipelines.region_map import SHAPES_FILE

# Report folders a publish leaves beside the copy, relative to the warehouse folder.
SERVED_FOLDERS = ("dq_report/", "published/map/", "published/docs/")
_REGION = re.compile(r"^/region/(\d{2})/?$")
_ENTERPRISE = re.compile(r"^/enterprise/(\d{12})/?$")


def _nav(page: Page, pathname: str) -> html.Header:
    links = [("/", "nav.map"), ("/guarantees", "nav.guarantees"), ("/freshness", "nav.freshness")]
    return html.Header(
        [
            html.Span(page.t("app.title"), className="brand"),
            html.Nav([dcc.Link(page.t(key), href=page.href(path), className="nav-link") for path, key in links]),
            html.Div(
                [
                    dcc.Link(
                        page.labels.text(f"lang.{lang}", lang),
                        href=f"{pathname}?lang={lang}",
                        id=f"lang-{lang}",
                        className="lang" + (" active" if lang == page.lang else ""),
                    )
                    for lang in LANGUAGES
                ],
                className="langs",
            ),
        ],
        className="top",
    )


def render(copy: PublishedCopy, pathname: str | None, search: str | None) -> list:
    """The page for a URL path: navigation, the body (map, region, enterprise, guarantees,
    freshness, or not found) and the as-of footer."""
    page = page_for(copy, search)
    pathname = pathname or "/"
    if pathname in ("/", ""):
        body = map_page.layout(page)
    elif m := _REGION.match(pathname):
        body = region.layout(page, m.group(1))
    elif m := _ENTERPRISE.match(pathname):
        body = enterprise.layout(page, m.group(1))
    elif pathname.rstrip("/") == "/guarantees":
        body = guarantees.layout(page)
    elif pathname.rstrip("/") == "/freshness":
        body = freshness.layout(page)
    else:
        body = [html.H2(page.t("page.not_found"))]
    footer = html.Footer(f"{page.t('footer.as_of')}: {copy.as_of()} · {page.t('footer.no_iin')}")
    return [_nav(page, pathname), html.Main(body), footer]


def create_app(published: Path) -> Dash:
    """The Dash app over the published copy: page routing, the map and region callbacks, and the
    report files and region shapes it serves."""
    copy = PublishedCopy(published)
    warehouse_dir = Path(published).resolve().parent.parent
    app = Dash(
        __name__,
        title="Labour Risk Map",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
        assets_folder=str(Path(__file__).with_name("assets")),
    )
    app.layout = html.Div([dcc.Location(id="url", refresh=False), dcc.Loading(html.Div(id="page"), delay_show=300)])

    @app.callback(Output("page", "children"), Input("url", "pathname"), Input("url", "search"))
    def route(pathname, search):
        with copy.reading():
            return render(copy, pathname, search)

    map_page.register(app, copy)
    region.register(app, copy)

    @app.server.route("/files/<path:subpath>")
    def report_file(subpath: str):
        if not subpath.startswith(SERVED_FOLDERS) or ".." in Path(subpath).parts:
            flask.abort(404)
        return flask.send_from_directory(warehouse_dir, subpath)

    @app.server.route(map_page.SHAPES_URL)
    def region_shapes():
        return flask.send_file(SHAPES_FILE, mimetype="application/json", max_age=86400)

    app.copy = copy  # the tests and the bench read labels through the app's own store
    return app
