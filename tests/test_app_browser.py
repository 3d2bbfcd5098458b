"""The map app in a real browser (issue 16): Debian's Chromium, headless, driven by Playwright
(pointed at the system browser; Playwright downloads nothing), on the published copy of the
session's `tiny` run. Screenshots land in the test's temp folder."""

from __future__ import annotations

import duckdb
from playwright.sync_api import sync_playwright

from pipelines.app.launch import launch_chromium, serve

GREY = "rgb(217, 217, 217)"  # the base layer's colour (pipelines/region_map.py)


def test_browser_map_click_region_open_enterprise_switch_to_kazakh(tiny_run, tmp_path):
    published = tiny_run.warehouse.parent / "published" / "lrm_analyst.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        region, top_bin = con.execute(
            "SELECT region_code, arg_max(bin, risk_score) FROM marts.enterprise_risk "
            "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        ).fetchone()
        iso_codes = [r[0] for r in con.execute("SELECT iso_code FROM reference.regions ORDER BY code").fetchall()]
        kk_heading = con.execute("SELECT kk FROM reference.ui_labels WHERE key = 'card.workplaces'").fetchone()[0]
        share_ru = con.execute("SELECT ru FROM reference.ui_labels WHERE key = 'measure.harmful_share'").fetchone()[0]
    with serve(published) as base, sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((base, "data:")) else None)

        page.goto(base + "/")
        shaded = page.locator("#region-map g.trace.choropleth").last.locator("path.choroplethlocation")
        shaded.first.wait_for(timeout=30000)
        assert shaded.count() == 20
        fills = [shaded.nth(i).evaluate("p => getComputedStyle(p).fill") for i in range(20)]
        assert all(f.startswith("rgb") and f != GREY for f in fills), fills
        assert "amCharts" in page.locator("#region-map").inner_text()
        page.screenshot(path=tmp_path / "1_map_ru.png", full_page=True)

        page.click("#measure")
        page.get_by_role("option", name=share_ru, exact=True).click()
        page.locator("#region-map .colorbar").get_by_text(share_ru).wait_for(timeout=30000)
        page.screenshot(path=tmp_path / "1_map_share_ru.png", full_page=True)

        # The first layer holds all 20 regions (grey base or shaded), in code order.
        every = page.locator("#region-map g.trace.choropleth").first.locator("path.choroplethlocation")
        every.nth(iso_codes.index(f"KZ-{region}")).click(force=True)
        page.wait_for_url(f"**/region/{region}*")
        page.locator("#ranking-table").wait_for(timeout=30000)
        page.screenshot(path=tmp_path / "2_region.png", full_page=True)

        page.locator(f"#ranking-table a[href*='/enterprise/{top_bin}']").first.click()
        page.wait_for_url(f"**/enterprise/{top_bin}*")
        page.locator("#card-workplaces").wait_for(timeout=30000)
        page.screenshot(path=tmp_path / "3_enterprise_ru.png", full_page=True)

        page.click("#lang-kk")
        page.get_by_text(kk_heading, exact=True).wait_for(timeout=30000)
        assert "lang=kk" in page.url and f"/enterprise/{top_bin}" in page.url
        page.screenshot(path=tmp_path / "4_enterprise_kk.png", full_page=True)
        browser.close()
    assert not outside, f"the app made the browser ask outside it: {outside[:5]}"
    for name in ("1_map_ru", "2_region", "3_enterprise_ru", "4_enterprise_kk"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
