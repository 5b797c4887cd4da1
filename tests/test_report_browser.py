"""The Camden and Cambridgeshire reports in a real browser (Debian's chromium, driven by playwright): the first
screen holds the band, the rules that decided it and what would change it; both charts are visible; and the page
loads with every network request refused."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.render.review import report

from .helpers import CHROMIUM, offline_page

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = Path(__file__).resolve().parent.parent
    target = tmp_path_factory.mktemp("report") / "camden.html"
    target.write_text(report(root / "examples" / "camden.yaml", "html"), encoding="utf-8")
    with offline_page(target) as tab:
        yield tab


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


def test_the_first_screen_holds_the_band_the_deciding_rules_and_what_would_change_it(page):
    screen = page.viewport_size
    page.evaluate("window.scrollTo(0, 0)")  # as the page opens (an earlier test scrolled to the charts)
    assert screen is not None and page.evaluate("window.scrollY") == 0

    def on_first_screen(selector: str) -> bool:
        box = page.locator(selector).bounding_box()
        return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= screen["height"]

    assert page.locator("#final-band .band").inner_text() == "4" and on_first_screen("#final-band")
    assert on_first_screen("#decided-by") and on_first_screen("#what-would-change")
    decided = page.locator("#decided-by").inner_text()
    assert all(rule in decided for rule in ("settings_excellent", "indicators_excellent", "both_excellent"))
    changes = page.locator("#what-would-change").inner_text()
    assert "Band 3 (performs well or below)" in changes and "limit_safeguarding_inadequate" in changes
    # the evidence follows the why
    assert page.locator("#evidence").bounding_box()["y"] > page.locator("#what-would-change").bounding_box()["y"]
