"""The map app's pages through Dash's own server (issue 16), on the published copy of the
session's `tiny` run: what each page shows, in each language, against the copy itself."""

from __future__ import annotations

import csv
import io
import os
import shutil

import duckdb
import pytest

from pipelines.region_map import MEASURE_BY_KEY
from tests.app_harness import LANGS, DashClient, find, iin_shaped_in, texts


@pytest.fixture(scope="module")
def served(tiny_run, tmp_path_factory):
    """A copy of the tiny run's published folder and report (other tests rerun the pipeline
    on the original), laid out as a warehouse folder is."""
    src = tiny_run.warehouse.parent
    dst = tmp_path_factory.mktemp("served") / "wh"
    shutil.copytree(src / "published", dst / "published", symlinks=True)
    shutil.copytree(src / "dq_report", dst / "dq_report")
    return dst / "published" / "lrm_analyst.duckdb"


@pytest.fixture(scope="module")
def dash(served):
    return DashClient(served)


def q(copy, sql, params=None):
    with duckdb.connect(str(copy), read_only=True) as con:
        return con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()


def _table_rows(tree, table_id):
    table = find(tree, table_id)
    assert table is not None, f"no table {table_id}"
    return table["props"]["data"], [c["name"] for c in table["props"]["columns"]]


def test_map_shades_all_20_regions_by_each_measure_in_each_language(dash, served):
    regions = {
        code: (ru, kk, en, iso)
        for code, ru, kk, en, iso in q(
            served, "SELECT code, name_ru, name_kk, name_en, iso_code FROM reference.regions"
        )
    }
    assert len(regions) == 20
    harmful = dict(q(served, "SELECT region, workers_harmful FROM marts.region_risk"))
    for lang_no, lang in enumerate(LANGS):
        page = texts(dash.page("/", lang))
        for code, names in regions.items():
            assert any(names[lang_no] in t.replace("\\", "") for t in page), f"{lang}: region {code} not named"
        fig = dash.map_figure("workers_harmful", lang)
        shaded = fig["data"][-1]
        assert sorted(shaded["locations"]) == sorted(r[3] for r in regions.values())
        # Every region shaded, zeros included, by the mart's figure.
        by_region = dict(zip(shaded["customdata"], shaded["z"]))
        assert by_region == {code: harmful.get(code, 0) for code in regions}
        for code, text in zip(shaded["customdata"], shaded["text"]):
            assert regions[code][lang_no] in text
        assert "amCharts" in fig["layout"]["annotations"][0]["text"]
    # Every measure offered draws; the high-risk count adds the two levels of the mart.
    options = find(dash.page("/", "ru"), "measure")["props"]["options"]
    assert [o["value"] for o in options][:2] == ["workers_harmful", "harmful_share"]
    for option in options:
        assert option["value"] in MEASURE_BY_KEY
        assert dash.map_figure(option["value"], "kk")["data"][0]["locations"]
    high = dict(q(served, "SELECT region, enterprises_high + enterprises_very_high FROM marts.region_risk"))
    shaded = dash.map_figure("enterprises_high_very_high", "ru")["data"][-1]
    assert dict(zip(shaded["customdata"], shaded["z"])) == {code: high.get(code, 0) for code in regions}


def test_a_click_opens_the_region_with_its_industries_and_ranked_enterprises(dash, served):
    region, count = q(
        served, "SELECT region_code, count(*) FROM marts.enterprise_risk GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
    )[0]
    assert dash.click_region(region) == f"/region/{region}"
    name_kk = q(served, "SELECT name_kk FROM reference.regions WHERE code = ?", [region])[0][0]
    page = dash.page(f"/region/{region}", "kk")
    assert name_kk in texts(page)
    sections = q(
        served, "SELECT count(DISTINCT oked_section) FROM marts.enterprise_risk WHERE region_code = ?", [region]
    )[0][0]
    rows, _ = _table_rows(page, "region-sections")
    assert len(rows) == sections

    ranking, shown = dash.ranking(region, "ru")
    rows, headings = _table_rows(ranking, "ranking-table")
    assert len(rows) == count and shown.endswith(f"{count} / {count}")
    assert "Уровень риска" in headings
    expected = [
        b
        for (b,) in q(
            served,
            "SELECT bin FROM marts.enterprise_risk WHERE region_code = ? "
            "ORDER BY risk_score DESC NULLS LAST, ctr_score DESC NULLS LAST, bin",
            [region],
        )
    ]
    assert [r["bin"] for r in rows] == expected
    assert all(f"/enterprise/{r['bin']}?lang=ru" in r["enterprise_name"] for r in rows)

    level = q(
        served,
        "SELECT risk_level FROM marts.enterprise_risk WHERE region_code = ? AND risk_level IS NOT NULL LIMIT 1",
        [region],
    )[0][0]
    level_ru = q(
        served, "SELECT meaning_ru FROM reference.codebook WHERE column_name = 'risk_level' AND code = ?", [level]
    )[0][0]
    rows, _ = _table_rows(dash.ranking(region, "ru", levels=[level])[0], "ranking-table")
    assert rows and all(r["risk_level"] == level_ru for r in rows)
    assert (
        len(rows)
        == q(
            served,
            "SELECT count(*) FROM marts.enterprise_risk WHERE region_code = ? AND risk_level = ?",
            [region, level],
        )[0][0]
    )
    micro = q(
        served,
        "SELECT count(*) FROM marts.enterprise_risk WHERE region_code = ? AND headcount <= "
        "(SELECT max_headcount FROM reference.enterprise_size_bands WHERE size = 'micro')",
        [region],
    )[0][0]
    rows, _ = _table_rows(dash.ranking(region, "en", sizes=["micro"])[0], "ranking-table")
    assert len(rows) == micro

    download = dash.download(region, "kk")
    lines = list(csv.reader(io.StringIO(download["content"])))
    assert lines[0][0] == q(served, "SELECT kk FROM reference.ui_labels WHERE key = 'col.enterprise_name'")[0][0]
    assert [line[1] for line in lines[1:]] == expected
    assert download["filename"] == f"enterprises_{region}_kk.csv"


def test_enterprise_card_shows_scores_drivers_workplaces_guarantees_and_history(dash, served):
    bin_, name = q(
        served,
        "SELECT e.bin, e.enterprise_name FROM marts.enterprise_risk e JOIN marts.guarantee_gaps g USING (bin) "
        "GROUP BY ALL ORDER BY count(*) DESC, 1 LIMIT 1",
    )[0]
    page = dash.page(f"/enterprise/{bin_}", "en")
    shown = texts(page)
    assert name in shown and bin_ in shown
    p1, p2, p3 = q(served, "SELECT p1, p2, p3 FROM marts.enterprise_risk WHERE bin = ?", [bin_])[0]
    joined = " ".join(shown)
    for value in (p1, p2, p3):
        assert f"{value:.3f}" in joined
    factors, _ = _table_rows(page, "card-factors")
    assert (
        len(factors) == q(served, "SELECT count(*) FROM marts.enterprise_risk_factors WHERE bin = ?", [bin_])[0][0] > 0
    )
    workplaces, _ = _table_rows(page, "card-workplaces")
    assert sorted(w["workplace_id"] for w in workplaces) == sorted(
        r[0] for r in q(served, "SELECT workplace_id FROM marts.workplace_conditions WHERE bin = ?", [bin_])
    )
    guarantees, _ = _table_rows(page, "card-guarantees")
    owed = dict(
        q(
            served,
            "SELECT guarantee, count(DISTINCT worker_key) FROM marts.guarantee_assignments "
            "WHERE bin = ? AND regime = 'current_law' GROUP BY 1",
            [bin_],
        )
    )
    meaning = dict(q(served, "SELECT code, meaning_en FROM reference.codebook WHERE column_name = 'guarantee'"))
    for guarantee, workers in owed.items():
        row = next(g for g in guarantees if g["guarantee"] == meaning[guarantee])
        assert row["owed_current_law"] == f"{workers:,}".replace(",", "\u202f")
    gaps, _ = _table_rows(page, "card-gaps")
    keys = {r[0] for r in q(served, "SELECT worker_key FROM marts.guarantee_gaps WHERE bin = ?", [bin_])}
    assert gaps and {g["worker_key"] for g in gaps} <= keys
    history, _ = _table_rows(page, "card-history")
    assert history and {h["worker_key"] for h in history} <= {
        r[0] for r in q(served, "SELECT worker_key FROM marts.assignment_history WHERE bin = ?", [bin_])
    }


def test_guarantees_and_freshness_pages_and_the_report_files(dash, served):
    page = dash.page("/guarantees", "ru")
    rows, _ = _table_rows(page, "guarantees-guarantee-table")
    owed = dict(
        q(
            served,
            "SELECT guarantee, count(DISTINCT (worker_key, bin, guarantee)) FROM marts.guarantee_assignments "
            "WHERE regime = 'current_law' GROUP BY 1",
        )
    )
    meaning = dict(q(served, "SELECT code, meaning_ru FROM reference.codebook WHERE column_name = 'guarantee'"))
    assert {r["key"]: r["owed"] for r in rows} == {meaning[g]: f"{n:,}".replace(",", "\u202f") for g, n in owed.items()}
    conflicts, _ = _table_rows(page, "guarantees-conflicts")
    assert (
        len(conflicts)
        == q(served, "SELECT count(DISTINCT bin) FROM marts.guarantee_gaps WHERE gap_kind = 'conflict'")[0][0]
    )
    costs, _ = _table_rows(page, "guarantees-costs-table")
    assert len(costs) == q(served, "SELECT count(DISTINCT guarantee) FROM marts.guarantee_costs")[0][0]

    page = dash.page("/freshness", "kk")
    as_of, status = q(
        served,
        "SELECT (SELECT max(as_of) FROM marts.enterprise_risk), "
        "(SELECT status FROM dq.run_history ORDER BY started_at DESC LIMIT 1)",
    )[0]
    shown = texts(page)
    assert as_of.isoformat() in shown
    assert (
        q(served, "SELECT meaning_kk FROM reference.codebook WHERE column_name = 'status' AND code = ?", [status])[0][0]
        in shown
    )
    for url in ("/files/dq_report/index.html", "/files/published/map/index.html", "/files/published/docs/index.html"):
        code, body = dash.get(url)
        assert code == 200 and "<html" in body.lower(), url
    for url in (
        "/files/published/lrm_analyst.duckdb",
        "/files/lrm.duckdb",
        "/files/dq_report/../published/lrm_analyst.duckdb",
    ):
        assert dash.client.get(url).status_code == 404, url


def test_every_label_on_every_page_comes_from_the_seeds(dash, served):
    regions = [r[0] for r in q(served, "SELECT code FROM reference.regions")]
    bins = [r[0] for r in q(served, "SELECT bin FROM marts.enterprise_risk ORDER BY bin LIMIT 5")]
    paths = ["/", "/guarantees", "/freshness", *[f"/region/{r}" for r in regions], *[f"/enterprise/{b}" for b in bins]]
    pages = {lang: [texts(dash.page(p, lang)) for p in paths] for lang in LANGS}
    for lang in LANGS:
        dash.ranking(regions[0], lang)
    assert dash.app.copy.labels().missing == set()
    # Switching the language changes the words, not only the data.
    nav = {lang: pages[lang][0][:4] for lang in LANGS}
    assert nav["ru"] != nav["kk"] != nav["en"]


def test_the_app_picks_up_a_new_copy_after_a_publish(dash, served, tmp_path):
    assert dash.page("/", "ru")  # the copy is open and cached
    new = tmp_path / "new.duckdb"
    shutil.copy(served, new)
    os.chmod(new, 0o644)
    with duckdb.connect(str(new)) as con:
        con.execute("UPDATE marts.enterprise_risk SET as_of = DATE '2031-01-02'")
    os.chmod(new, 0o444)
    os.replace(new, served)  # as publish swaps the copy in
    assert any("2031-01-02" in t for t in texts(dash.page("/freshness", "en")))


def test_no_iin_appears_in_any_page_the_app_serves(tiny_run, served):
    """Every page, callback answer, download and report file the app serves, in every
    language, scanned for the run's IINs by value and for any number shaped like an IIN
    (control digit, birth date, century digit) that is not an enterprise's BIN."""
    dash = DashClient(served)
    iins = {r[0] for r in q(tiny_run.delivery, "SELECT iin FROM delivery.worker_keys")}
    assert iins
    bins = {
        r[0]
        for r in q(served, "SELECT bin FROM marts.enterprise_risk UNION SELECT bin FROM marts.workplace_conditions")
    }
    regions = [r[0] for r in q(served, "SELECT code FROM reference.regions")]
    for url in (
        "/",
        "/_dash-layout",
        "/_dash-dependencies",
        "/files/dq_report/index.html",
        "/files/published/map/index.html",
        "/files/published/docs/index.html",
    ):
        assert dash.get(url)[0] == 200, url
    for page in (served.parent.parent / "dq_report" / "runs").glob("*.html"):
        assert dash.get(f"/files/dq_report/runs/{page.name}")[0] == 200
    for lang in LANGS:
        for path in [
            "/",
            "/guarantees",
            "/freshness",
            *[f"/region/{r}" for r in regions],
            *[f"/enterprise/{b}" for b in sorted(bins)],
        ]:
            dash.page(path, lang)
        for measure in MEASURE_BY_KEY:
            if measure in {m.key for m in dash.app.copy.measures()}:
                dash.map_figure(measure, lang)
        for region in regions:
            dash.ranking(region, lang)
            dash.download(region, lang)
    served_text = "\n".join(dash.responses)
    assert len(dash.responses) > 200
    assert not [i for i in iins if i in served_text], "an IIN of the run was served"
    assert iin_shaped_in(served_text) <= bins, iin_shaped_in(served_text) - bins
