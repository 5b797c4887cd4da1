"""The Camden report in a real browser (Debian's chromium, driven by playwright): the headline band and
both charts are visible, and the page loads with every network request refused."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.render.review import report

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    root = Path(__file__).resolve().parent.parent
    target = tmp_path_factory.mktemp("report") / "camden.html"
    target.write_text(report(root / "examples" / "camden.yaml", "html"), encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        tab = browser.new_page(viewport={"width": 1200, "height": 900})
        tab.requests_elsewhere = []
        tab.on("request", lambda r: None if r.url.startswith("file://") else tab.requests_elsewhere.append(r.url))
        tab.route(lambda url: not url.startswith("file://"), lambda route: route.abort())
        tab.goto(target.as_uri())
        yield tab
        browser.close()


def test_the_camden_report_shows_band_4_in_the_browser(page):
    final = page.locator("#final-band")
    assert final.is_visible()
    assert final.locator(".band").inner_text() == "4"
    assert final.locator(".words").inner_text() == "performs excellently"
    assert page.title() == "Children's services annual rating 2009: London Borough of Camden"


@pytest.mark.parametrize("chart", ["chart-settings", "chart-outcomes"])
def test_both_charts_are_drawn_and_visible(page, chart):
    svg = page.locator(f"#{chart} svg")
    svg.scroll_into_view_if_needed()
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box["width"] > 300 and box["height"] > 150
    assert svg.locator("path").count() > 20  # bars, axes and the text drawn as paths


def test_the_evidence_tables_render_and_the_page_fetches_nothing(page):
    assert page.locator("#settings-table tr").count() == 12
    assert page.locator("tr.gap").count() == 2  # NI_58 and NI_61 have no data
    assert page.requests_elsewhere == []
