"""The sensitivity page in a real browser (Debian's chromium, driven by playwright): one visible chart per
threshold, the summary, and the page loads with every network request refused."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.load.ruleset import load_ruleset
from engine.sensitivity.sensitivity_page import render_page
from engine.sensitivity.thresholds import thresholds

from .helpers import CHROMIUM, offline_page, synthetic_profiles
from .sensitivity_results import swept

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
ROOT = Path(__file__).resolve().parent.parent
CSA_2009 = ROOT / "rules" / "csa-2009.yaml"
PATHS = [t.path for t in thresholds(load_ruleset(CSA_2009))]
VERSION = load_ruleset(CSA_2009).ruleset.version


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sensitivity")
    target = folder / "sensitivity.html"
    target.write_text(render_page(swept(synthetic_profiles(folder, councils=12))), encoding="utf-8")
    with offline_page(target) as tab:
        yield tab


def test_the_page_is_titled_and_summarises_every_threshold(page):
    assert page.title() == f"Threshold sensitivity: csa-2009 {VERSION} over 12 councils"
    assert page.locator("#summary-table tr").count() == len(PATHS) + 1
    most = page.locator("#most-shares")
    assert most.is_visible() and most.inner_text().startswith("Most councils per point among shares and tolerances: ")


@pytest.mark.parametrize("path", PATHS)
def test_each_threshold_has_a_visible_chart(page, path):
    section = page.locator(f"#threshold-{path.replace('.', '-').replace('_', '-')}")
    svg = section.locator("figure.chart svg")
    svg.scroll_into_view_if_needed()
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    assert svg.locator("path").count() > 10  # axes, the bands and the text drawn as paths
    assert section.locator("h2").inner_text().startswith(f"{path} = ")


def test_the_summary_links_to_each_chart_and_the_page_fetches_nothing(page):
    first = page.locator("#summary-table a").first
    first.click()
    assert page.url.endswith("#threshold-proportions-all")
    assert page.requests_elsewhere == []
