"""The auditor's report of the session's `lrm run` on `tiny --dirty` drops (issue 15, items
3, 4 and 6; issue 13, item 8): every check of the run with counts and a link to its
details, the run's real status in every page and table, numbers with thousands
separators, timestamps with their zone, English and Russian headings, links that
resolve, no IIN, and pages that render offline without a single request leaving them.
"""

from __future__ import annotations

import html
import html.parser
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipelines.masking import contains_iin
from pipelines.quality.paths import data_docs_dir, index_page, report_dir, run_page
from pipelines.quality.report import dbt_page
from pipelines.timezone import OPERATIONS_TIME_ZONE
from tests.conftest import REPO_ROOT, chromium, query

NNBSP = "\u202f"


_VOID = {"br", "meta", "img", "input", "link", "hr", "col", "area", "base", "source", "wbr"}


class _Page(html.parser.HTMLParser):
    """Ids, links, headings and table cells (by data-field within rows with data-kind /
    data-model / data-run) of one page."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.sources: list[str] = []
        self.headings: list[dict] = []
        self.rows: dict[tuple[str, str], dict[str, str]] = {}
        self.text: dict[str, str] = defaultdict(str)
        self._heading = None
        self._row = None
        self._field = None
        self._open: list[tuple[str, str | None]] = []  # open elements and their ids

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag not in _VOID:
            self._open.append((tag, a.get("id")))
        for attr in ("href", "action"):
            if a.get(attr):
                self.links.append(a[attr])
        for attr in ("src", "srcset", "data", "poster"):
            if a.get(attr):
                self.sources.append(a[attr])
        if tag in ("h1", "h2", "h3"):
            self._heading = {"text": "", "ru": ""}
            self.headings.append(self._heading)
        if tag == "span" and a.get("lang") == "ru" and self._heading is not None:
            self._heading["in_ru"] = True
        if tag == "tr":
            for kind in ("data-kind", "data-model", "data-run", "data-mart"):
                if kind in a:
                    self._row = self.rows.setdefault((kind, a[kind]), {})
        elif tag == "td" and self._row is not None and "data-field" in a:
            self._field = a["data-field"]
            self._row[self._field] = a.get("data-value", "")
            self._row[self._field + ":text"] = ""

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break
        if tag in ("h1", "h2", "h3"):
            self._heading = None
        elif tag == "td":
            self._field = None
        elif tag == "tr":
            self._row = None
        elif tag == "span" and self._heading is not None:
            self._heading["in_ru"] = False

    def handle_data(self, data):
        if self._heading is not None:
            self._heading["ru" if self._heading.get("in_ru") else "text"] += data
        if self._row is not None and self._field:
            self._row[self._field + ":text"] += data
        for _, element_id in self._open:
            if element_id:
                self.text[element_id] += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _reasons(path: Path) -> list[str]:
    listed = re.search(r'<ul id="reasons">(.*?)</ul>', path.read_text(encoding="utf-8"), re.S).group(1)
    return [html.unescape(r) for r in re.findall(r"<li>(.*?)</li>", listed, re.S)]


def _run_id(tiny_run) -> str:
    return re.search(r"lrm run: done in [\d.]+s \(run ([0-9a-f-]+)\)", tiny_run.output).group(1)


def test_the_run_page_counts_every_check_by_kind_and_lists_every_dbt_test(tiny_run):
    run_id, wh = _run_id(tiny_run), tiny_run.warehouse
    page = _parse(run_page(wh, run_id))
    kinds = {kind: row for (attr, kind), row in page.rows.items() if attr == "data-kind"}
    recorded = dict(
        ((k, o), n)
        for k, o, n in query(
            wh, "SELECT check_kind, outcome, count(*) FROM dq.check_results WHERE run_id = ? GROUP BY ALL", [run_id]
        )
    )
    for kind in ("threshold", "gx", "dbt", "contract"):
        for outcome in ("passed", "warned", "failed"):
            assert int(kinds[kind][outcome]) == recorded.get((kind, outcome), 0), (kind, outcome)
    # dbt: every data test of the build (run_results.json), every enforced contract; unit tests check
    # the code, not the data: make test runs them (test_dbt_unit_tests.py), runs leave them out.
    manifest = json.loads((REPO_ROOT / "dbt_project" / "target" / "manifest.json").read_text(encoding="utf-8"))
    tests = sum(1 for n in manifest["nodes"].values() if n["resource_type"] == "test")
    contracts = sum(
        1
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"].get("contract", {}).get("enforced")
    )
    assert int(kinds["dbt"]["total"]) == tests > 300
    assert int(kinds["contract"]["total"]) == contracts == int(kinds["contract"]["passed"])
    per_model = {m: row for (attr, m), row in page.rows.items() if attr == "data-model" and "total" in row}
    assert sum(int(r["total"]) for r in per_model.values()) == tests
    dbt = _parse(dbt_page(wh, run_id))
    assert sum(1 for i in dbt.ids if i.startswith("t-")) == tests + contracts
    # Thousands separators: the run's 1,000-odd checks.
    total = int(kinds["all"]["total"])
    assert total > 999 and kinds["all"]["total:text"] == f"{total:,}".replace(",", NNBSP)


def test_the_status_of_the_dirty_run_says_which_thresholds_fired_in_every_page_and_table(tiny_run):
    """The generator's dirty rows reject far more than an extract's warn share (enterprises:
    2 %); a tiny file is under block_min_rows (200), so nothing blocks: passed with warnings."""
    run_id, wh = _run_id(tiny_run), tiny_run.warehouse
    status, reasons = query(wh, "SELECT status, status_reasons FROM dq.run_history WHERE run_id = ?", [run_id])[0]
    reasons = json.loads(reasons)
    assert status == "passed with warnings"
    assert any(r.startswith("warning: raw/enterprises rejected rows") and "warn above 2%" in r for r in reasons), (
        reasons
    )
    page = _parse(run_page(wh, run_id))
    assert page.text["status"].split("·")[0].strip() == status
    assert _reasons(run_page(wh, run_id)) == reasons
    index = _parse(index_page(wh))
    assert index.rows[("data-run", run_id)]["status:text"].startswith(status)
    published = tiny_run.warehouse.parent / "published" / "lrm_analyst.duckdb"
    assert query(published, "SELECT status FROM dq.run_history WHERE run_id = ?", [run_id]) == [(status,)]
    assert "lrm run: done in" in tiny_run.output and f"(run {run_id}): {status}" in tiny_run.output


def test_times_carry_their_zone_and_headings_are_english_and_russian(tiny_run):
    run_id, wh = _run_id(tiny_run), tiny_run.warehouse
    started = query(wh, "SELECT started_at FROM dq.run_history WHERE run_id = ?", [run_id])[0][0]
    local = started.astimezone(OPERATIONS_TIME_ZONE)
    page = _parse(run_page(wh, run_id))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:00", page.text["started"])
    assert page.text["started"] == local.strftime("%Y-%m-%d %H:%M:%S +05:00")
    for path in (run_page(wh, run_id), index_page(wh), dbt_page(wh, run_id), data_docs_dir(wh) / "index.html"):
        headings = _parse(path).headings
        assert headings
        for h in headings:
            assert re.search(r"[A-Za-z]{3}", h["text"]) and re.search(r"[А-Яа-яЁё]{3}", h["ru"] or h["text"]), (
                path.name,
                h,
            )


def test_rejected_rows_and_published_marts_are_listed_and_no_iin_is_in_any_page(tiny_run):
    run_id, wh = _run_id(tiny_run), tiny_run.warehouse
    text = run_page(wh, run_id).read_text(encoding="utf-8")
    listed = defaultdict(list)
    for extract, drop, body in re.findall(
        r'<table class="rejected" data-extract="([^"]+)" data-drop="([^"]+)">(.*?)</table>', text, re.S
    ):
        listed[(extract, drop)] = [int(n) for n in re.findall(r'data-field="line">(\d+)<', body)]
    quarantined = defaultdict(list)
    for extract, drop, line in query(
        wh, "SELECT extract, CAST(drop_date AS VARCHAR), line FROM dq.rejected_rows ORDER BY 1, 2, 3"
    ):
        quarantined[(extract, drop)].append(line)
    assert listed == quarantined and sum(map(len, listed.values())) >= 100
    published = wh.parent / "published" / "lrm_analyst.duckdb"
    marts = dict(
        query(
            published, "SELECT 'marts.' || table_name, estimated_size FROM duckdb_tables() WHERE schema_name = 'marts'"
        )
    )
    shown = {m for (attr, m) in _parse(run_page(wh, run_id)).rows if attr == "data-mart"}
    assert shown == set(marts)
    for table in marts:
        rows = query(published, f"SELECT count(*) FROM {table}")[0][0]
        assert re.search(
            rf'data-mart="{re.escape(table)}"><td>{re.escape(table)}</td><td class="n" data-value="{rows}">', text
        )
    for page in report_dir(wh).rglob("*.html"):
        assert not contains_iin(page.read_text(encoding="utf-8")), page


def _targets(page: Path) -> list[tuple[str, Path, str]]:
    out = []
    for link in _parse(page).links:
        parts = urlsplit(link)
        assert not parts.scheme and not parts.netloc, f"{page.name} links outside the report folder: {link}"
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        out.append((link, target, parts.fragment))
    return out


def test_every_link_of_the_report_resolves_inside_the_report_folder(tiny_run):
    run_id, wh = _run_id(tiny_run), tiny_run.warehouse
    root = report_dir(wh).resolve()
    seen, todo = set(), [index_page(wh).resolve()]
    while todo:  # every page reachable from the index
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        ids = _parse(page).ids
        for link, target, fragment in _targets(page):
            assert target.is_relative_to(root) and target.exists(), (page.name, link)
            if fragment:
                assert fragment in (ids if target == page else _parse(target).ids), (page.name, link)
            if target.suffix == ".html" and target not in seen:
                todo.append(target)
    assert run_page(wh, run_id).resolve() in seen and dbt_page(wh, run_id).resolve() in seen
    assert sum(1 for p in seen if "validations" in p.parts) > 30 and sum(1 for p in seen if "suites" in p.parts) > 13
    for page in root.rglob("*.html"):  # nothing fetched: no source, no style import, no external address
        parsed = _parse(page)
        assert not parsed.sources, (page, parsed.sources)
        body = page.read_text(encoding="utf-8")
        assert not re.search(r"@import|url\(|<script|<link\b|<iframe", body, re.I), page


def _offline(page: Path, tmp: Path, name: str) -> tuple[str, list[str]]:
    """The page's DOM as headless Chromium renders it with no network (every host
    unresolvable, every connection sent to a closed port), and the addresses of the
    network requests the page made (Chromium's own background requests left out)."""
    net = tmp / f"{name}.netlog.json"
    cmd = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp / ('profile-' + name)}",
        "--no-first-run",
        "--disable-background-networking",
        "--proxy-server=http://127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--log-net-log={net}",
        "--dump-dom",
        page.as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    log = json.loads(net.read_text(encoding="utf-8"))
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    starts = [e.get("params", {}) for e in log["events"] if types.get(e["type"]) == "URL_REQUEST_START_JOB"]
    requested = [p["url"] for p in starts if "url" in p and p.get("initiator") != "not an origin"]
    return proc.stdout, requested


def test_report_and_data_docs_render_offline_in_headless_chromium(tiny_run, tmp_path):
    run_id, wh = _run_id(tiny_run), tiny_run.warehouse
    # The detector sees a page's request: a page that fetches a logo is caught.
    control = tmp_path / "control.html"
    control.write_text(
        '<html><body><p>x</p><img src="http://logo.example.invalid/gx.png"></body></html>', encoding="utf-8"
    )
    assert _offline(control, tmp_path, "control")[1] == ["http://logo.example.invalid/gx.png"]
    validation = next((data_docs_dir(wh) / "validations" / run_id).glob("raw_enterprises__*__raw.enterprises.html"))
    expected = {  # page: what must be in its rendered DOM
        index_page(wh): f'href="runs/{run_id}.html"',
        run_page(wh, run_id): 'id="check-summary"',
        dbt_page(
            wh, run_id
        ): 'data-test="accepted_values_guarantee_gaps_gap_kind__not_granted__under_granted__over_granted__conflict"',
        data_docs_dir(wh) / "index.html": f'href="validations/{run_id}/',
        validation: "expect_column_values_to_not_be_null",
    }
    for i, (page, marker) in enumerate(expected.items()):
        dom, requested = _offline(page, tmp_path, f"p{i}")
        assert requested == [], (page.name, requested)
        assert marker in dom, page.name
    # The validation page renders every expectation of its suite on that drop.
    dom = _offline(validation, tmp_path, "rows")[0]
    drop = validation.name.split("__")[1]
    expectations = query(
        wh,
        "SELECT count(*) FROM dq.check_results WHERE run_id = ? AND asset_key = 'raw/enterprises' "
        "AND batch = ? AND suite = 'raw.enterprises'",
        [run_id, drop],
    )[0][0]
    assert len(re.findall(r'<tr class="(passed|warned|failed)">', dom)) == expectations > 10


def test_lrm_run_ends_with_what_a_reader_needs(tiny_run):
    """The closing lines: the published copy (not the writer's file), the report index, the
    Dagster UI command over the run's DAGSTER_HOME, and a query that works as printed."""
    closing = tiny_run.output[tiny_run.output.index("lrm run: done in") :]
    copy = tiny_run.warehouse.parent / "published" / "lrm_analyst.duckdb"
    assert f"published copy (read-only, for readers and BI tools): {copy}" in closing
    assert f"data-quality report: {index_page(tiny_run.warehouse)}" in closing
    ui = re.search(r"Dagster UI: (.+)", closing).group(1)
    assert f"DAGSTER_HOME={tiny_run.dagster_home}" in ui and ui.endswith("dev -w " + str(REPO_ROOT / "workspace.yaml"))
    assert not re.search(r"^\s*(warehouse|restricted delivery file):", closing, re.M)
    query = re.search(r"example query: (.+)", closing).group(1)
    out = subprocess.run(query, shell=True, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "region_name" in out.stdout and "harmful_share" in out.stdout and "Region" in out.stdout
    assert sys.executable in query
