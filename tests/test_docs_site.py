"""The documentation site builds with --strict (a broken link, a missing anchor or a page left out of the navigation
fails it), fetches nothing from outside, and its reference pages are generated from the code and rules/."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from engine.authoring.rule_tests import run_rule_tests
from engine.errors import CODES
from engine.load.ruleset import load_ruleset
from engine.reference import RulesetPage
from engine.sensitivity.published import placements
from engine.sensitivity.sensitivity import interval_text

from .conftest import ROOT
from .sensitivity_results import computed

RULESETS = sorted((ROOT / "rules").glob("*.yaml"))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    folder = tmp_path_factory.mktemp("site")
    build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(folder), strict=True))  # raises Abort on any warning
    return folder


class _Assets(HTMLParser):
    """Every URL a page makes the browser fetch as it loads (not the links a reader may follow)."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "audio", "video", "embed") and named.get("src"):
            self.fetched.append(named["src"])
        if tag == "link" and named.get("href") and named.get("rel") not in ("canonical", "prev", "next"):
            self.fetched.append(named["href"])
        if tag == "object" and named.get("data"):
            self.fetched.append(named["data"])
        self.fetched += re.findall(r"url\(\s*['\"]?([^'\")]+)", named.get("style") or "")


def _outside(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, flags=re.I)) and not url.startswith("data:")


def test_the_theme_fetches_no_fonts_and_the_navigation_and_links_are_checked():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text().replace("!!python", "#"))
    assert config["theme"]["font"] is False and config["strict"] is True
    assert config["validation"]["nav"]["omitted_files"] == "warn" and config["validation"]["links"]["anchors"] == "warn"
    assert "mkdocs build --strict" in (ROOT / ".ci" / "run").read_text()


def test_no_page_asset_or_stylesheet_of_the_built_site_comes_from_outside(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        parser = _Assets()
        parser.feed(page.read_text(encoding="utf-8"))
        assert [u for u in parser.fetched if _outside(u)] == [], page.relative_to(site)
    for sheet in site.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        assert not [u for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", text) if _outside(u)], sheet.relative_to(site)
        assert not [u for u in re.findall(r"@import\s+(?:url\()?['\"]?([^'\");]+)", text) if _outside(u)], sheet.relative_to(site)
    everything = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*") if p.suffix in (".html", ".css", ".js"))
    assert "fonts.googleapis.com" not in everything and "fonts.gstatic.com" not in everything


def test_the_generated_reference_pages_are_built_from_the_code(site):
    from engine.cli import main

    cli = (site / "reference" / "cli.html").read_text()
    assert all(f"engine {name}" in cli for name in main.commands)
    errors = (site / "errors.html").read_text()
    assert all(f"<code>{code}</code>" in errors for code in CODES)
    schemas = (site / "reference" / "schemas.html").read_text()
    assert all(f'id="{name}"' in schemas for name in ("profile", "ruleset", "judgement"))
    for path in RULESETS:
        page = (site / "reference" / "rulesets" / f"{path.stem}.html").read_text()
        ruleset = load_ruleset(path).ruleset
        ids = [r.id for r in ruleset.rules] + [r.id for r in ruleset.decision_table.rows] + [x.id for x in ruleset.limits + ruleset.withhold]
        assert all(f"<code>{ident}</code>" in page for ident in ids), path.name


def test_a_ruleset_page_gives_every_rule_in_words_every_threshold_its_interval_and_the_cases_behind_each():
    path = ROOT / "rules" / "csa-2009.yaml"
    result = computed(path)
    page = RulesetPage(path, result)
    text = page.markdown()
    assert "`settings.share_inadequate at most 0.05`" in text  # a condition worded as the engine words it everywhere
    assert "`settings.share_types_in_line_or_above_national at least a large majority (0.65)`" in text
    for interval in result.intervals:
        row = next(line for line in _section(text, interval.threshold.path) if _held_row(line, interval.threshold.path))
        assert "`" + interval_text(interval) + "`" in row
        if interval.unconstrained:
            assert "unconstrained by any published outcome" in row
        elif not {*interval.bounded_by(interval.low), *interval.bounded_by(interval.high)} & page.published:
            assert "no published outcome bounds it" in row
    # the cases that fire each limit are those the rule tests count; the two letters' cases are marked published
    assert {"cambridgeshire-priority-actions", "eastbridge-priority-actions"} <= set(page.fired["limit_priority_actions"])
    assert "camden" not in page.fired["limit_priority_actions"]
    # published as `engine rules test` counts it: the case says `published: true` (the seed letters' own cases,
    # camden and cambridgeshire, are the project's readings of them, the letters' outcomes being published/camden-2009 ...)
    folder = ROOT / "rules" / "cases" / "csa-2009"
    marked = {str(p.relative_to(folder).with_suffix("")) for p in folder.rglob("*.yaml") if yaml.safe_load(p.read_text()).get("published") is True}
    assert page.published == marked
    assert "published/camden-2009" in page.published and not {"camden", "cambridgeshire"} & page.published
    assert "camden" in page.decided["settings_excellent"] and "cambridgeshire" in page.decided["settings_good"]
    assert "camden" not in page.decided["settings_poor"] and "camden" in page.fired["settings_poor"]
    assert "### published/camden-2009 {#case-published-camden-2009}" in text and "**Published outcome.**" in text
    assert "[published/camden-2009](#case-published-camden-2009) (published)" in text
    assert "[cambridgeshire](#case-cambridgeshire) (published)" not in text


def test_a_ruleset_page_gives_the_fidelity_rules_test_gives_and_each_thresholds_published_interval():
    path = ROOT / "rules" / "csa-2009.yaml"
    page = RulesetPage(path, computed(path))
    text = page.markdown()
    run = run_rule_tests([str(ROOT / "rules" / "cases" / "csa-2009")])  # as `engine rules test rules/cases/csa-2009`
    fidelity = next(f for f in run.fidelity if f.ruleset_id == "csa-2009")
    line = f"  csa-2009 {fidelity.version}: {fidelity.reproduced} of {len(fidelity.published)} ("
    assert [x for x in page.fidelity if x.startswith(line)] and line in text
    assert len(fidelity.published) == len(page.published)
    calibrated = [p for p in placements(load_ruleset(path), confirm=False).placements if p.published is not None]
    for placed in calibrated:
        rows = [x for x in _section(text, placed.threshold.path) if _held_row(x, placed.threshold.path)]
        interval = computed(path).interval(placed.threshold.path)
        assert f" | `{interval_text(interval)}` | `{interval_text(placed.published)}` | " in rows[0], placed.threshold.path
    assert calibrated and any(interval_text(p.published) != interval_text(computed(path).interval(p.threshold.path))  # type: ignore[arg-type]
                              for p in calibrated)  # the two intervals differ somewhere: each is its own


def test_a_case_is_published_by_its_own_field_not_by_its_folder_or_its_words(tmp_path):
    rules = tmp_path / "rules"
    folder = rules / "cases" / "csa-2009" / "published"
    folder.mkdir(parents=True)
    (rules / "csa-2009.yaml").write_text((ROOT / "rules" / "csa-2009.yaml").read_text())
    text = (ROOT / "rules" / "cases" / "csa-2009" / "published" / "camden-2009.yaml").read_text()
    text = text.replace("base: ../../../baselines/", f"base: {ROOT}/rules/baselines/")
    (folder / "camden-2009.yaml").write_text(text)
    unmarked = text.replace("published: true", "published: false").replace(
        "description: '", "description: 'An Ofsted letter (published), read by the project: ")
    (folder / "camden-unmarked.yaml").write_text(unmarked)
    page = RulesetPage(rules / "csa-2009.yaml")
    version = page.ruleset.version
    assert page.published == {"published/camden-2009"}
    markdown = page.markdown()
    assert "2 rule case(s), 1 of them from a published outcome" in markdown
    assert f"  csa-2009 {version}: 1 of 1 (100%); 1 invented case not counted" in markdown
    assert "**Published outcome.** An Ofsted letter" not in markdown
    (folder / "camden-unmarked.yaml").write_text(unmarked.replace("published: false", "published: true"))
    assert RulesetPage(rules / "csa-2009.yaml").published == {"published/camden-2009", "published/camden-unmarked"}


def _section(text: str, path: str) -> list[str]:
    """The page's lines from a rule's, limit's or withhold's own heading on (the whole page for a proportion or
    tolerance): two rules may word a condition alike, and each is shown under its own heading."""
    lines = text.splitlines()
    kind, _, rest = path.partition(".")
    if kind in ("proportions", "comparison"):
        return lines
    ident = rest.split(".")[0]
    return lines[next(n for n, line in enumerate(lines) if line.startswith("#### ") and f"(`{ident}`" in line):]


def _held_row(line: str, path: str) -> bool:
    """The table row of a threshold: a proportion or tolerance by its name, a bound by its rule's condition."""
    kind, _, rest = path.partition(".")
    if kind in ("proportions", "comparison"):
        return line.startswith(f"| `{rest}` |")
    return False if not line.startswith("| `") else _condition_row(line, path)


def _condition_row(line: str, path: str) -> bool:
    kind, ident, _, n, operator = path.split(".")
    ruleset = load_ruleset(ROOT / "rules" / "csa-2009.yaml").ruleset
    item = next(i for i in ruleset.rules + ruleset.limits + ruleset.withhold if i.id == ident)
    condition = item.when[int(n)]
    return line.startswith(f"| `{condition.measure} ") and str(condition.threshold).rstrip("0").rstrip(".") in line
