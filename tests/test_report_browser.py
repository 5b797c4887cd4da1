"""The Camden report in a real browser (Debian's chromium, driven by playwright): the headline band and
both charts are visible, and the page loads with every network request refused."""
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
