"""The reviewer's report (issue 5): one self-contained page, evidence, two inline charts, reasons by stage."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import yaml

from engine.render.review import report


class _Page(HTMLParser):
    """Collects what the tests look at: elements by id, resource references, text by element id."""

    def __init__(self):
        super().__init__()
        self.ids: dict[str, str] = {}
        self.resources: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self._stack: list[tuple[str, str | None]] = []
        self.text_by_id: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids[attrs["id"]] = tag
            self.text_by_id[attrs["id"]] = ""
        for name in ("src", "href", "xlink:href", "data"):
            if name in attrs and attrs[name] and not attrs[name].startswith("#"):  # in-page references are fine
                self.resources.append((tag, name, attrs[name]))
        if tag not in ("meta", "br", "link", "img", "input") and not tag.endswith("/"):
            self._stack.append((tag, attrs.get("id")))

    def handle_endtag(self, tag):
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _, ident in self._stack:
            if ident:
                self.text_by_id[ident] += data + " "


@pytest.fixture(scope="module")
def camden_html(tmp_path_factory):
    from pathlib import Path

    return report(Path(__file__).resolve().parent.parent / "examples" / "camden.yaml", "html")


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_the_camden_report_heads_with_proposed_limits_and_final_band_in_the_scales_words(camden_html):
    page = _parse(camden_html)
    final = " ".join(page.text_by_id["final-band"].split())
    assert final == "Final band 4 performs excellently"
    assert " ".join(page.text_by_id["proposed-band"].split()) == "Proposed band 4 performs excellently"
    assert "none applied" in page.text_by_id["limits"]
    assert "London Borough of Camden" in camden_html and "csa-2009 1.3.1" in camden_html


def test_the_report_is_self_contained_nothing_to_fetch(camden_html):
    page = _parse(camden_html)
    assert page.resources == []  # no src, href or data attribute anywhere: styles and charts are inline
    assert "link" not in page.tags and "script" not in page.tags and "img" not in page.tags
    assert "@import" not in camden_html
    assert set(re.findall(r"url\(([^)]*)\)", camden_html)) <= {m for m in re.findall(r"url\((#[^)]*)\)", camden_html)}


def test_the_report_embeds_both_charts_as_inline_svg(camden_html):
    page = _parse(camden_html)
    assert page.ids["chart-settings"] == "figure" and page.ids["chart-outcomes"] == "figure"
    for figure in ("chart-settings", "chart-outcomes"):
        start = camden_html.index(f'id="{figure}"')
        chunk = camden_html[start:camden_html.index("</figure>", start)]
        assert chunk.count("<svg") == 1 and "<path" in chunk
    assert "<?xml" not in camden_html and "<!DOCTYPE svg" not in camden_html


def test_the_charts_are_drawn_from_the_profile_not_fixed(examples):
    a = report(examples / "camden.yaml", "html")
    b = report(examples / "cambridgeshire.yaml", "html")
    svg = lambda html, ident: html[html.index(f'id="{ident}"'):html.index("</figure>", html.index(f'id="{ident}"'))]
    assert svg(a, "chart-settings") != svg(b, "chart-settings")
    assert svg(a, "chart-outcomes") != svg(b, "chart-outcomes")
    assert report(examples / "camden.yaml", "html") == a  # same profile, same bytes


def test_the_settings_evidence_lists_every_type_with_counts_shares_and_comparisons(camden_html):
    table = camden_html[camden_html.index('id="settings-table"'):camden_html.index("</table>", camden_html.index('id="settings-table"'))]
    rows = re.findall(r"<tr>(.*?)</tr>", table)
    assert len(rows) == 1 + 11  # header and the eleven setting types in Camden's profile
    secondary = next(r for r in rows if "Secondary schools" in r)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", secondary)
    assert cells == ["Secondary schools", "1 outstanding, 3 good, 5 satisfactory", "44%", "62%", "60%", "below", "below"]


def test_the_indicators_are_grouped_by_outcome_with_gaps_marked(camden_html):
    for outcome in ("being_healthy", "staying_safe", "enjoying_and_achieving", "making_a_positive_contribution",
                    "achieving_economic_wellbeing"):
        assert f'id="outcome-{outcome}"' in camden_html
    assert re.search(r'<tr class="gap"><td>NI 58 [^<]*</td>.*?gap: no data', camden_html)
    assert re.search(r'<tr class="gap"><td>NI 61 [^<]*</td>', camden_html)
    staying_safe = re.search(r'id="outcome-staying_safe">([^<]*)<', camden_html).group(1)
    assert staying_safe == "Staying safe: 9 of 10 in line or above (90%)"


def test_the_reasons_give_each_fired_rule_its_sentence_and_fold_away_the_rest(camden_html):
    reasons = camden_html[camden_html.index('id="reasons"'):]
    assert 'id="stage-settings"' in reasons and 'id="stage-indicators"' in reasons and 'id="stage-limits"' in reasons
    assert "settings_excellent" in reasons and "the national average in nearly all the types of setting" in reasons
    assert "settings.secondary_schools.count_inadequate = 0; holds: at most 0" in reasons
    folded = re.findall(r"<details>(.*?)</details>", reasons, flags=re.S)
    assert any("limit_priority_actions" in d and "unannounced_inspection.areas_for_priority_action = 0, needs at least 1" in d
               for d in folded)


def test_limits_appear_in_the_headline_when_they_bind(examples):
    page = _parse(report(examples / "eastbridge-priority-actions.yaml", "html"))
    assert " ".join(page.text_by_id["proposed-band"].split()) == "Proposed band 3 performs well"
    after = " ".join(page.text_by_id["after-limits"].split())
    assert after.startswith("After limits 2 performs adequately") and "3 → 2" in after
    assert " ".join(page.text_by_id["final-band"].split()) == "Final band 2 performs adequately"


def test_the_markdown_report_has_the_same_headline_evidence_and_reasons(examples):
    text = report(examples / "cambridgeshire.yaml", "markdown")
    assert text.startswith("# Children's services annual rating 2009: Cambridgeshire County Council\n")
    assert "| 3 (performs well) | none applied | none | **3 (performs well)** |" in text
    assert "| Pupil referral units | 2 good, 1 satisfactory, 1 inadequate | 50% | 55% | 56% | below | below |" in text
    assert "| NI 62 Looked after children with three or more placements in the year | – | – | – | – | – | *gap: no data* |" in text
    assert "- **Settings and services are good** (`settings_good`):" in text
    assert "<details><summary>Rules that did not fire</summary>" in text


def test_cli_report_writes_the_page_to_the_named_file(run_cli, examples, tmp_path):
    target = tmp_path / "camden.html"
    code, out, err = run_cli("report", examples / "camden.yaml", "-o", target)
    assert (code, out, err) == (0, f"wrote {target}\n", "")
    assert target.read_text().startswith("<!DOCTYPE html>")


def test_cli_report_on_a_bad_profile_gives_a_located_error_and_exit_2(run_cli, examples, tmp_path):
    data = yaml.safe_load((examples / "camden.yaml").read_text())
    data["settings"]["secondary_schol"] = data["settings"].pop("secondary_schools")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False))
    code, out, err = run_cli("report", bad, "--format", "markdown")
    assert code == 2 and out == ""
    assert re.match(rf"{re.escape(str(bad))}:\d+:\d+: unknown-setting-type: unknown setting type 'secondary_schol'", err)


def test_a_judgement_is_shown_beside_the_proposed_and_final_band(examples, tmp_path):
    judgement = tmp_path / "judgement.yaml"
    judgement.write_text("band: 4\nassessor: A. Reviewer\nreason: Secondary provision has improved since its inspections.\n")
    page = _parse(report(examples / "cambridgeshire.yaml", "html", judgement_path=judgement))
    assert " ".join(page.text_by_id["proposed-band"].split()) == "Proposed band 3 performs well"
    assert " ".join(page.text_by_id["judgement"].split()) == (
        "Judgement 4 performs excellently A. Reviewer: Secondary provision has improved since its inspections.")
    assert " ".join(page.text_by_id["final-band"].split()) == "Final band 4 performs excellently"


# --- The why first (issue 23): decided by, what would change it, then the evidence, then the audit record ---------


@pytest.mark.parametrize("output_format, marks", [
    ("html", ['id="headline"', 'id="decided-by"', 'id="what-would-change"', 'id="evidence"', 'id="reasons"', 'id="audit"']),
    ("markdown", ["| proposed band |", "## Decided by", "## What would change it", "## Evidence", "## Reasons", "## Audit record"])])
def test_the_report_gives_the_band_and_its_deciding_rules_then_what_would_change_it_then_the_evidence(examples, output_format, marks):
    page = report(examples / "cambridgeshire.yaml", output_format)
    at = [page.index(mark) for mark in marks]
    assert at == sorted(at)
    decided = page[at[1]:at[2]]
    assert all(rule in decided for rule in ("settings_good", "indicators_good", "settings_good_indicators_good_or_better"))
    changes = page[at[2]:at[3]]
    assert "Band 4 (performs excellently)" in changes and "Band 2 (performs adequately or below)" in changes
    assert "rule settings_excellent" in changes and "settings.share_types_in_line_or_above_national = 0.583" in changes


def test_what_would_change_it_names_the_obstacles_explain_why_not_finds(examples):
    from engine.explain.why_not import why_not
    from engine.render.review import review
    from engine.render.summary import what_would_change

    reviewed = review(examples / "cambridgeshire.yaml")
    (up, _) = what_would_change(reviewed.decision, reviewed.ruleset.ruleset)
    named = {line.split("rule ", 1)[1].split(" ", 1)[0] for line in up.lines if " rule " in line}
    answer = why_not(examples / "cambridgeshire.yaml", 4)
    first_in_the_way = {o.owner for o in answer.obstacles if not o.evidence.holds}
    assert first_in_the_way == {"settings_excellent", "indicators_excellent"}
    # the report names every rule that would give the grade needed; explain --why-not follows the one whose changes
    # reach the band (a council with special schools cannot reach the row for one with no vulnerable provision to judge)
    assert named == first_in_the_way | {"settings_excellent_without_vulnerable_provision"}


def test_judgement_warranted_is_under_what_would_change_it(examples, tmp_path):
    """Camden's indicators (0.889 in line or above) sit near a very large majority moved to 0.89: judgement warranted."""
    from engine.paths import rules_dir

    ruleset = tmp_path / "csa-2009.yaml"
    ruleset.write_text((rules_dir() / "csa-2009.yaml").read_text(encoding="utf-8")
                       .replace("  a_very_large_majority: 0.8\n", "  a_very_large_majority: 0.89\n"), encoding="utf-8")
    page = report(examples / "camden.yaml", "html", ruleset)
    section = page[page.index('id="what-would-change"'):page.index('id="evidence"')]
    assert 'id="judgement-warranted"' in section and "Where judgement may be warranted" in section
    assert "indicators.share_in_line_or_above = 0.889" in section


def test_the_evidence_shows_the_inspections_and_the_vulnerable_group_gaps(examples):
    page = report(examples / "camden.yaml", "html")
    evidence = page[page.index('id="evidence"'):page.index('id="reasons"')]
    assert "joint area review 2008: safeguarding outstanding, looked after children outstanding" in evidence
    assert ("2009: 6 strengths, 1 area for development, 0 areas for priority action; effective action is taken to "
            "safeguard children") in evidence
    assert evidence.count("<tr><td>free school meals</td>") == 2 and "minority ethnic groups" in evidence


def test_the_evidence_lists_every_measure_a_rule_or_limit_reads_with_its_value(examples):
    from engine.load.ruleset import ruleset_for_year

    page = report(examples / "cambridgeshire.yaml", "markdown")
    table = page[page.index("Every measure the rules and limits read"):page.index("## Reasons")]
    ruleset = ruleset_for_year(2009).ruleset
    read = {c.measure for item in [*ruleset.rules, *ruleset.limits] for c in item.when}
    assert all(f"| `{measure}` |" in table for measure in read)
    assert "| `unannounced_inspection.areas_for_priority_action` | 1 | limit_priority_actions |" in table


def test_the_report_names_its_audit_record_and_the_judgement_recorded_with_it(run_cli, examples, tmp_path):
    judgement = tmp_path / "judgement.yaml"
    judgement.write_text("band: 4\nassessor: A. Assessor\nreason: Strong leadership evidence.\n", encoding="utf-8")
    audit = tmp_path / "audit.sqlite"
    output = tmp_path / "cambs.html"
    code, _, err = run_cli("report", examples / "cambridgeshire.yaml", "-o", output, "--judgement", judgement, "--audit", audit)
    assert code == 0, err
    page = output.read_text(encoding="utf-8")
    code, listed, _ = run_cli("audit", "list", "--audit", audit)
    (line,) = listed.splitlines()
    record_id = line.split("\t")[1]
    assert f"audit record {record_id} in {audit}" in page
    audit_section = page[page.index('id="audit"'):]
    assert "Judgement recorded with it: band 3 → 4 by A. Assessor: Strong leadership evidence." in audit_section
    assert "judgement by A. Assessor" in line
    code, _, _ = run_cli("report", examples / "cambridgeshire.yaml", "-o", output, "--no-audit")
    assert "not recorded in the audit trail" in output.read_text(encoding="utf-8")
    assert len(run_cli("audit", "list", "--audit", audit)[1].splitlines()) == 1
