"""Driving the map app without a browser: Dash's own server (its Flask test client) answers
page loads and callback requests exactly as it answers the browser's."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from pipelines.app.server import create_app
from pipelines.identifiers import is_valid_id

LANGS = ("ru", "kk", "en")
_TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")


def _iin_shaped(value: str) -> bool:
    """A right control digit, a birth date YYMMDD and a century-and-sex digit 1-6 (the
    structure of an IIN; a BIN's third pair is its type, not a day)."""
    if not is_valid_id(value) or value[6] not in "123456":
        return False
    century = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}[value[6]]
    try:
        dt.date(century + int(value[:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        return False
    return True


def iin_shaped_in(text: str) -> set[str]:
    """Every 12-digit number in `text` that could be an IIN."""
    return {m for m in _TWELVE_DIGITS.findall(text) if _iin_shaped(m)}


class DashClient:
    def __init__(self, published: Path):
        self.app = create_app(published)
        self.client = self.app.server.test_client()
        self.responses: list[str] = []  # every body served, for the IIN scan

    def _keep(self, body: str) -> str:
        self.responses.append(body)
        return body

    def get(self, url: str) -> tuple[int, str]:
        r = self.client.get(url)
        return r.status_code, self._keep(r.get_data(as_text=True))

    def callback(
        self,
        outputs: list[tuple[str, str]],
        inputs: list[tuple[str, str, object]],
        state: list[tuple[str, str, object]] = (),
    ) -> dict:
        """POST one callback request as dash-renderer does; the response's props by component."""
        output = (
            (".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..")
            if len(outputs) > 1
            else f"{outputs[0][0]}.{outputs[0][1]}"
        )
        body = {
            "output": output,
            "outputs": [{"id": i, "property": p} for i, p in outputs]
            if len(outputs) > 1
            else {"id": outputs[0][0], "property": outputs[0][1]},
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        }
        r = self.client.post("/_dash-update-component", json=body)
        text = self._keep(r.get_data(as_text=True))
        assert r.status_code in (200, 204), text[:2000]
        return json.loads(text)["response"] if r.status_code == 200 else {}

    def page(self, path: str, lang: str) -> dict:
        """The page's component tree, as the router callback sends it."""
        return self.callback([("page", "children")], [("url", "pathname", path), ("url", "search", f"?lang={lang}")])[
            "page"
        ]["children"]

    def map_figure(self, measure: str, lang: str) -> dict:
        return self.callback(
            [("region-map", "figure")], [("measure", "value", measure)], [("url", "search", f"?lang={lang}")]
        )["region-map"]["figure"]

    def click_region(self, code: str) -> str:
        return self.callback([("url", "pathname")], [("region-map", "clickData", {"points": [{"customdata": code}]})])[
            "url"
        ]["pathname"]

    def ranking(self, region: str, lang: str, sections=None, levels=None, sizes=None) -> tuple[dict, str]:
        r = self.callback(
            [("ranking", "children"), ("ranking-count", "children")],
            [("filter-section", "value", sections), ("filter-level", "value", levels), ("filter-size", "value", sizes)],
            [("region-code", "data", region), ("url", "search", f"?lang={lang}")],
        )
        return r["ranking"]["children"], r["ranking-count"]["children"]

    def download(self, region: str, lang: str, sections=None, levels=None, sizes=None) -> dict:
        return self.callback(
            [("download-csv", "data")],
            [("download-button", "n_clicks", 1)],
            [
                ("filter-section", "value", sections),
                ("filter-level", "value", levels),
                ("filter-size", "value", sizes),
                ("region-code", "data", region),
                ("url", "search", f"?lang={lang}"),
            ],
        )["download-csv"]["data"]


def texts(tree) -> list[str]:
    """Every string in a component tree (children, labels, cells)."""
    out: list[str] = []
    if isinstance(tree, str):
        out.append(tree)
    elif isinstance(tree, dict):
        for v in tree.values():
            out += texts(v)
    elif isinstance(tree, list):
        for v in tree:
            out += texts(v)
    return out


def find(tree, component_id: str) -> dict | None:
    if isinstance(tree, dict):
        if tree.get("props", {}).get("id") == component_id:
            return tree
        for v in tree.values():
            hit = find(v, component_id)
            if hit:
                return hit
    elif isinstance(tree, list):
        for v in tree:
            hit = find(v, component_id)
            if hit:
                return hit
    return None
