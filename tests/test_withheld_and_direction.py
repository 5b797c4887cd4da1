"""2010 and 2011: a rating withheld (status, no band) in every view and in the audit trail; the direction of travel
since last year's band; no professional judgement of the band."""
from __future__ import annotations

import json
import sqlite3

import pytest
import yaml

from engine import evaluate_file, letter, report
from engine.audit.store import _SCHEMA, AuditStore
from engine.errors import AuditError

from .conftest import EXAMPLES

WITHHELD = EXAMPLES / "ashcombe-2010-withheld.yaml"
WESTMOOR = EXAMPLES / "westmoor-2010-inadequate-safeguarding.yaml"
STAFFORDSHIRE = EXAMPLES / "staffordshire-2011.yaml"
KINGSMERE = EXAMPLES / "kingsmere-2011-excellent.yaml"
REASON_START = "The inspection of safeguarding and looked after children under way when the evidence was drawn had not reported"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_a_withheld_decision_has_a_status_a_reason_naming_the_rule_and_evidence_and_no_band():
    decision = evaluate_file(WITHHELD)
    assert (decision.status, decision.proposed_band, decision.limited_band, decision.final_band) == ("withheld", None, None, None)
    (reason,) = decision.withheld
    assert reason.rule_id == "withhold_pending_inspection" and reason.because.startswith(REASON_START)
    (event,) = decision.events("rating_withheld")
    assert [(e.measure, e.value, e.holds) for e in event.evidence] == [("inspections.pending", 1, True)]
    assert decision.grades == {} and decision.limits == [] and not decision.events("band_combined")
    assert decision.direction is None and decision.previous_band == 1


def test_the_decisive_pending_inspection_changes_withheld_into_a_band(tmp_path):
    data = yaml.safe_load(WITHHELD.read_text())
    del data["pending_inspection"]
    path = tmp_path / "rated.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    decision = evaluate_file(path)
    assert decision.status == "rated" and decision.final_band == 3 and decision.direction.direction == "risen"


def test_text_and_json_say_withheld(run_cli):
    code, out, err = run_cli("evaluate", WITHHELD, "--no-audit")
    assert code == 0, err
    lines = out.splitlines()
    assert "  Status          withheld: no band is published" in lines
    assert any(line.startswith("  Withheld by     withhold_pending_inspection: " + REASON_START) for line in lines)
    code, out, _ = run_cli("evaluate", WITHHELD, "--no-audit", "--format", "json")
    data = json.loads(out)
    assert (data["status"], data["final_band"], data["proposed_band"]) == ("withheld", None, None)
    assert data["withheld"][0]["rule_id"] == "withhold_pending_inspection"


def test_the_report_says_withheld_in_markdown_and_html():
    markdown = report(WITHHELD, "markdown")
    assert "**The rating is withheld: no band is published.**" in markdown
    assert "- An inspection pending at the evidence date (`withhold_pending_inspection`): " + REASON_START in markdown
    assert "### Conditions that withhold the rating" in markdown
    html = report(WITHHELD, "html")
    assert "withheld: not published" in html and "proposed-band" not in html


def test_the_letter_of_a_withheld_council_says_its_rating_is_not_published_yet():
    text = _one_line(letter(WITHHELD))
    assert "| Children's services rating | **Not yet published** |" in text
    assert ("The children's services rating for 2010 for Ashcombe County Council (fictional) is not published yet, because "
            "further inspections are still to be carried out. " + REASON_START) in text
    assert "perform" not in text.split("Not yet published")[1].split("section 138")[0]  # no band, no evidence, no findings
    assert "transitional year" not in text


def test_a_judgement_or_a_why_not_question_on_a_withheld_rating_is_refused_located(run_cli):
    code, out, err = run_cli("explain", WITHHELD, "--why-not", "3")
    assert (code, out) == (2, "")
    first_key = next(i for i, line in enumerate(WITHHELD.read_text().splitlines(), 1) if not line.startswith("#"))
    assert err.startswith(f"{WITHHELD}:{first_key}:1: rating-withheld: the rating is withheld by rule withhold_pending_inspection (")
    assert err.rstrip().endswith("so there is no band to compare with band 3")
    code, out, err = run_cli("evaluate", WITHHELD, "--override-band", "3", "--assessor", "A. Assessor", "--reason", "x")
    assert (code, out) == (2, "") and ": rating-withheld: " in err and "a judgement has no band to move" in err


def test_batch_writes_the_withheld_council_with_empty_bands_and_counts_it_apart(tmp_path):
    from engine.batch.run import evaluate_batch, summary

    result = evaluate_batch([WITHHELD, WESTMOOR])
    assert result.distribution() == {4: 0, 3: 0, 2: 0, 1: 1}
    assert len(result.withheld) == 1 and result.withheld.iloc[0]["final_words"] == "withheld"
    lines = summary(result)
    assert lines[0] == "rated 1 council(s); 1 withheld"
    assert "withheld (no band published): 1 council(s)" in lines


def test_a_withheld_rating_is_recorded_and_shown_in_the_audit_trail(run_cli, audit_store_in_tmp):
    code, _, err = run_cli("evaluate", WITHHELD)
    assert code == 0, err
    with AuditStore(audit_store_in_tmp) as store:
        (record,) = store.records()
        assert store.verify().ok
    assert (record.proposed_band, record.limited_band, record.final_band) == (None, None, None)
    code, out, _ = run_cli("audit", "list")
    assert out.rstrip().endswith("Ashcombe County Council (fictional) 2010\twithheld: no band")
    code, out, _ = run_cli("audit", "show", record.record_id[:8])
    assert "  Withheld        withhold_pending_inspection: " + REASON_START in out and "  Final band      none: withheld" in out


def _old_store(path) -> None:
    """A store as the engine made them before withheld ratings: band columns NOT NULL."""
    con = sqlite3.connect(path)
    for statement in _SCHEMA:
        for column in ("proposed_band INTEGER,", "limited_band INTEGER,", "final_band INTEGER,"):
            statement = statement.replace(column, column[:-1] + " NOT NULL,")
        con.execute(statement)
    con.commit()
    con.close()


def test_a_store_made_before_withheld_ratings_refuses_one_clearly_and_keeps_taking_rated_ones(run_cli, tmp_path):
    path = tmp_path / "old.sqlite"
    _old_store(path)
    with AuditStore(path) as store:
        with pytest.raises(AuditError) as caught:
            store.append(evaluate_file(WITHHELD), profile_source_text="x")
        store.append(evaluate_file(WESTMOOR), profile_source_text="y")
        assert len(store.records()) == 1 and store.verify().ok
    (problem,) = caught.value.problems
    assert (problem.code, problem.file) == ("audit-store-too-old", str(path))
    code, out, err = run_cli("evaluate", WITHHELD, "--audit", path)
    assert (code, out) == (2, "")
    assert err.startswith(f"{path}:1:1: audit-store-too-old: the rating of Ashcombe County Council (fictional) 2010 is withheld")


@pytest.mark.parametrize("profile", [WESTMOOR, STAFFORDSHIRE])
def test_2010_and_2011_allow_no_judgement_of_the_band_and_say_so(run_cli, profile, audit_store_in_tmp):
    code, out, err = run_cli("evaluate", profile, "--override-band", "2", "--assessor", "A. Assessor", "--reason", "x")
    assert (code, out) == (2, "")
    year = 2010 if profile == WESTMOOR else 2011
    assert err.strip().endswith(f"judgement-outside-policy: ruleset csa-{year} has no 'judgement' policy, so it allows no "
                                "professional judgement")
    assert not audit_store_in_tmp.exists() or not AuditStore(audit_store_in_tmp).records()


def test_direction_of_travel_names_the_limit_that_took_the_band_below_last_years():
    decision = evaluate_file(STAFFORDSHIRE)
    direction = decision.direction
    assert (direction.previous_band, direction.band, direction.direction) == (3, 1, "fallen")
    assert direction.made_the_difference == ["limit_unresolved_priority_actions"]
    assert direction.because == ("The band fell from 3 (performs well) last year to 1 (performs poorly): limit "
                                 "limit_unresolved_priority_actions took it from 3 to 1; the grades alone give 3.")
    assert direction.reasons == [decision.limits[0].because]


def test_direction_of_travel_names_the_grades_that_rose_above_what_last_years_band_needs():
    direction = evaluate_file(KINGSMERE).direction
    assert direction.direction == "risen"
    assert direction.made_the_difference == ["universal_excellent_others_good", "universal_excellent", "vulnerable_excellent"]
    assert "the nearest grades that give 3 (universal_services 3 x vulnerable_children 3 x outcomes 4" in direction.because


def test_direction_of_travel_held_and_the_decisive_previous_band(tmp_path):
    data = yaml.safe_load(KINGSMERE.read_text())
    for previous, expected in ((4, "held"), (3, "risen")):
        data["previous_band"] = previous
        path = tmp_path / f"k{previous}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        direction = evaluate_file(path).direction
        assert direction.direction == expected
    assert direction is not None
    del data["previous_band"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert evaluate_file(path).direction is None


def test_text_report_and_letters_of_2010_and_2011_speak_of_change_since_last_year(run_cli):
    code, out, _ = run_cli("evaluate", STAFFORDSHIRE, "--no-audit")
    assert "  Since last year fallen (3 -> 1): The band fell from 3 (performs well) last year to 1 (performs poorly)" in out
    assert "**Since last year: fallen.** The band fell from 3" in report(STAFFORDSHIRE, "markdown")
    text = _one_line(letter(STAFFORDSHIRE))
    assert "Children's services in Staffordshire County Council perform poorly. This is lower than last year's rating of " \
           "'performs well'." in text
    # The limit that made the difference is said once, after the inspection's findings it rests on.
    assert "and one area for priority action. *[illustrative]* The area for priority action has not been resolved, which " \
           "limits the rating to performs poorly." in text
    assert text.count("limits the rating") == 1 and "1 area" not in text
    assert "transitional year" not in text and "2010" not in text.split("Children's services rating 2011")[1].split("section 138")[0]
    kingsmere = _one_line(letter(KINGSMERE))
    assert "This is an improvement on last year's rating of 'performs well'." in kingsmere
    westmoor = _one_line(letter(WESTMOOR))
    assert "This is lower than last year's rating of 'performs adequately'." in westmoor and "transitional year" not in westmoor
