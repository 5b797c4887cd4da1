"""The letter read as one council's letter in Ofsted's register (../shared/seeds/; stop 30): each finding said once, an
inspection dated as the letters date it, the council's own services under one possessive, last year's band in the
headline. Each test changes one fact of an example profile and reads the sentences it changes."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from engine.render.review import letter, report

from .helpers import rules_with_letter_wording


def _profile(examples: Path, tmp_path: Path, name: str, change: Any = None) -> Path:
    data = yaml.safe_load((examples / name).read_text())
    if change is not None:
        change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _text(path: Path) -> str:
    """The letter on one line, without its draft notice and [illustrative] marks."""
    lines = letter(path).splitlines()
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    return " ".join(" ".join(lines).replace(" *[illustrative]*", "").split())


def _priority_action_not_judged(data: dict) -> None:
    data["unannounced_inspection"].update(areas_for_priority_action=1, effective_action_to_safeguard=False)


# 1. A limit resting on an inspection the letter states is said after it, briefly, referring back.

def test_a_limit_on_an_unannounced_inspections_findings_refers_back_to_them_once(examples, tmp_path):
    path = _profile(examples, tmp_path, "cambridgeshire.yaml", _priority_action_not_judged)
    text = _text(path)
    assert ("one area for priority action, but a lack of capacity in two teams impacts on overall performance. These "
            "findings limit the rating by one grade, to performs adequately.") in text
    # Ofsted states judgements, not their absence.
    assert "did not judge" not in text
    # The findings are not stated again in the limits paragraph, and no count is a figure.
    assert text.count("area for priority action") == 1 and text.count("limit the rating") == 1
    assert "The unannounced inspection of contact, referral and assessment in" not in text and "1 area" not in text


def test_the_report_keeps_the_limits_own_sentence_the_letter_shortens(examples, tmp_path):
    path = _profile(examples, tmp_path, "cambridgeshire.yaml", _priority_action_not_judged)
    # The because-sentence is the words' (engine.model.wording): the report says it, naming the inspection and its year.
    assert "The unannounced inspection of contact, referral and assessment in 2009 identified" in report(path, "markdown")
    assert "these findings limit the rating" not in report(path, "markdown")


def test_a_limit_on_a_full_inspection_follows_its_grades_and_says_only_what_they_do_not(examples):
    text = _text(examples / "westmoor-2010-inadequate-safeguarding.yaml")
    assert ("judged services for safeguarding as inadequate and for looked after children as satisfactory. No later "
            "inspection has shown improvement, so this inspection limits the rating to performs poorly.") in text
    assert text.count("judged safeguarding services inadequate") == 0 and text.count("limits the rating") == 1


def test_an_unresolved_area_for_priority_action_is_named_by_what_the_findings_said(examples, tmp_path):
    text = _text(examples / "staffordshire-2011.yaml")
    assert ("one area for priority action. The area for priority action has not been resolved, which limits the rating to "
            "performs poorly.") in text
    assert text.count("limits the rating") == 1

    def two_of_three_unresolved(data: dict) -> None:
        unannounced = [i for i in data["inspections"] if i["kind"] == "unannounced inspection"][-1]
        first = unannounced["areas_for_priority_action"][0]
        unannounced["areas_for_priority_action"] = [dict(first, area=f"Area {n}") for n in "abc"]
        unannounced["areas_for_priority_action"][0]["resolved_on"] = unannounced["date"]

    text = _text(_profile(examples, tmp_path, "staffordshire-2011.yaml", two_of_three_unresolved))
    assert ("three areas for priority action. Two of the areas for priority action have not been resolved, which "
            "limits") in text


def test_a_limit_that_made_the_difference_since_last_year_is_said_after_its_inspection_not_before(examples):
    text = _text(examples / "staffordshire-2011.yaml")
    direction = text.index("This is lower than last year's rating of 'performs well'.")
    assert text.index("has not been resolved") > text.index("one area for priority action") > direction


def test_the_limits_after_inspections_speak_in_the_letters_present_tense():
    # The letter says what holds at the evidence date: no past perfect, and not the engine's "the time of the profile".
    from engine.paths import rules_dir

    for path in sorted((rules_dir() / "letters").glob("*.yaml")):
        for limit, brief in yaml.safe_load(path.read_text(encoding="utf-8")).get("limits_after_inspections", {}).items():
            assert " had " not in f" {brief['text']} " and "time of the profile" not in brief["text"], (path.name, limit)


# 2. Inspections dated as the letters date them.

def test_an_inspection_the_profile_dates_is_said_with_its_month_and_year(examples):
    text = _text(examples / "westmoor-2010-inadequate-safeguarding.yaml")
    assert "The inspection of safeguarding and looked after children in November 2009 judged" in text
    # The date after what was inspected, as the full inspection's: not "The unannounced inspection in June 2009 of ...".
    assert ("The unannounced inspection of contact, referral and assessment arrangements for children in need in June 2009 "
            "identified") in text
    assert "The unannounced inspection in" not in text
    assert "A recent unannounced" not in text


def test_inspections_are_told_oldest_first_those_dated_by_their_years_by_year(examples, tmp_path):
    # Peterborough 2011: the unannounced inspection of February 2011 before the full one of August 2011, whose limit
    # follows it.
    text = _case_letter(tmp_path, "2011", "peterborough-2011")
    unannounced = text.index("The unannounced inspection of contact, referral and assessment arrangements for children in need "
                             "in February 2011")
    full = text.index("The inspection of safeguarding and looked after children in August 2011")
    assert unannounced < full < text.index("No later inspection has shown improvement, so this inspection limits")
    # Cambridgeshire's inspections are dated by their years only: the joint area review first, as before.
    text = _text(examples / "cambridgeshire.yaml")
    assert text.index("The joint area review in 2007") < text.index("A recent unannounced inspection")


def test_an_inspection_dated_by_its_year_alone_is_told_in_the_order_of_years(examples, tmp_path):
    # A single field gives its year only: it is told where its year puts it among dated inspections (as the measures
    # read them: model.inspections.oldest_first), not kept first or last for being undated.
    unannounced = "The unannounced inspection of contact, referral and assessment arrangements for children in need in"
    full = "The inspection of safeguarding and looked after children in"

    def full_of_a_later_year(data: dict) -> None:
        data["inspections"] = [i for i in data["inspections"] if i["kind"] == "unannounced inspection"]
        data["safeguarding_inspection"] = {"kind": "inspection of safeguarding and looked after children", "year": 2010,
                                           "safeguarding": "inadequate", "looked_after_children": "satisfactory"}

    text = _text(_profile(examples, tmp_path, "westmoor-2010-inadequate-safeguarding.yaml", full_of_a_later_year))
    assert text.index(f"{unannounced} June 2009") < text.index(f"{full} 2010")

    def unannounced_of_an_earlier_year(data: dict) -> None:
        data["inspections"] = [i for i in data["inspections"] if i["kind"] != "unannounced inspection"]
        data["inspections"][0]["date"] = "2010-03-01"
        data["unannounced_inspection"] = {"year": 2009, "strengths": 4, "areas_for_development": 2,
                                          "areas_for_priority_action": 0}

    text = _text(_profile(examples, tmp_path, "westmoor-2010-inadequate-safeguarding.yaml", unannounced_of_an_earlier_year))
    assert text.index(f"{unannounced} 2009") < text.index(f"{full} March 2010")


def test_a_joint_area_review_is_dated_by_its_year_whatever_the_profile_gives(examples, tmp_path):
    def dated_review(data: dict) -> None:
        full = [i for i in data["inspections"] if i["kind"] != "unannounced inspection"][0]
        full.update(kind="joint area review", date="2008-10-20")
        full.pop("looked_after_children")
        full["safeguarding"] = "good"

    text = _text(_profile(examples, tmp_path, "westmoor-2010-inadequate-safeguarding.yaml", dated_review))
    # Its looked after children grade is left out, so the letter grades safeguarding alone.
    assert "The joint area review in 2008 judged services for safeguarding as good." in text


def test_a_looked_after_children_grade_not_stated_is_not_said_as_safeguardings(tmp_path):
    # Cornwall 2010: its source grades the inspection's safeguarding only (inadequate); before, the letter said
    # "services for safeguarding and looked after children as inadequate".
    text = _case_letter(tmp_path, "2010", "cornwall-2010")
    assert "judged services for safeguarding as inadequate." in text
    assert "safeguarding and looked after children as inadequate" not in text


def test_an_undated_unannounced_inspection_is_recent_in_its_year_and_dated_by_its_year_after(examples, tmp_path):
    # Cambridgeshire's: "A recent unannounced inspection of contact, assessment and referral arrangements".
    assert "A recent unannounced inspection of contact, referral and assessment arrangements for children in need" in _text(
        examples / "cambridgeshire.yaml")

    def last_year(data: dict) -> None:
        data["unannounced_inspection"]["year"] = 2008

    text = _text(_profile(examples, tmp_path, "cambridgeshire.yaml", last_year))
    assert "The unannounced inspection of contact, referral and assessment arrangements for children in need in 2008 identified" in text
    assert "A recent" not in text


# 3. The council's own services sharing a grade are joined under one possessive.

def test_services_of_one_grade_share_one_possessive(examples):
    # Cambridgeshire: "the local authority's fostering and adoption agencies and private fostering arrangements is good".
    text = _text(examples / "cambridgeshire.yaml")
    assert "The local authority's fostering and adoption agencies and private fostering arrangements are good." in text
    assert "the council's adoption agency" not in text.lower()


def test_services_of_different_grades_name_the_owner_once(examples, tmp_path):
    # Rochdale 2010: "The local authority's adoption agency is good and its fostering agency is outstanding."
    assert "The local authority's fostering agency is outstanding and its adoption agency is good." in _text(examples / "camden.yaml")

    def three_grades(data: dict) -> None:
        data["settings"]["private_fostering"] = {"grade": "satisfactory"}

    text = _text(_profile(examples, tmp_path, "camden.yaml", three_grades))
    assert ("The local authority's fostering agency is outstanding, its adoption agency is good and private fostering "
            "arrangements are satisfactory.") in text


# 4. Last year's band.

def test_the_same_band_as_last_year_is_said_in_the_headline(examples, tmp_path):
    def held(data: dict) -> None:
        data["previous_band"] = 4

    text = _text(_profile(examples, tmp_path, "kingsmere-2011-excellent.yaml", held))
    # Rochdale 2010: "Children's services in Rochdale Metropolitan Borough Council perform well, as they did last year."
    assert "perform excellently, as they did last year." in text
    assert "same rating" not in text and "Last year's rating" not in text and text.count("last year") == 1


def test_a_changed_band_quotes_last_years_in_the_scales_words(examples):
    assert "This is an improvement on last year's rating of 'performs well'." in _text(examples / "kingsmere-2011-excellent.yaml")


# The letter's wording is checked when loaded.

def test_rules_check_refuses_a_limit_said_after_inspections_with_a_placeholder_the_letter_does_not_fill(tmp_path, monkeypatch, run_cli):
    def edit(data: dict) -> None:
        data["limits_after_inspections"]["limit_unresolved_priority_actions"] = {"after": ["unannounced"], "text": "{band} limits."}

    rules_with_letter_wording(tmp_path, "csa-2010", edit, monkeypatch)
    code, out, err = run_cli("rules", "check")
    assert (code, out) == (2, "")
    assert "'limits_after_inspections.limit_unresolved_priority_actions.text' uses {band}, which the letter does not fill" in err


def test_rules_check_refuses_the_unresolved_areas_in_a_limit_not_said_after_the_unannounced_inspection(tmp_path, monkeypatch, run_cli):
    def edit(data: dict) -> None:
        data["limits_after_inspections"]["limit_safeguarding_inadequate_not_lifted"]["text"] = "{unresolved} limits {band_words}."

    rules_with_letter_wording(tmp_path, "csa-2010", edit, monkeypatch)
    code, out, err = run_cli("rules", "check")
    assert (code, out) == (2, "")
    assert "'limits_after_inspections.limit_safeguarding_inadequate_not_lifted.text' uses {unresolved}" in err


def test_every_limit_said_after_inspections_is_a_limit_of_its_ruleset():
    # The wording keys limits by id and the model does not check them (a trimmed ruleset keeps its year's wording), so a
    # misspelt id would silently leave the limit to its own sentence: the shipped wordings are checked here.
    from engine.load.ruleset import load_ruleset
    from engine.paths import rules_dir

    wordings = sorted((rules_dir() / "letters").glob("*.yaml"))
    assert wordings
    for path in wordings:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        limits = {limit.id for limit in load_ruleset(rules_dir() / f"{data['ruleset']}.yaml").ruleset.limits}
        assert set(data.get("limits_after_inspections", {})) <= limits, path.name


# 6. Sentences as Ofsted's letters would say them.

def test_the_only_setting_of_its_type_is_the_setting_not_all_one(examples, tmp_path):
    def one_unit(data: dict) -> None:
        data["settings"]["pupil_referral_units"]["counts"] = {"outstanding": 0, "good": 1, "satisfactory": 0, "inadequate": 0}

    text = _text(_profile(examples, tmp_path, "camden.yaml", one_unit))
    assert "is at least good in all six special schools and the pupil referral unit." in text and "all one" not in text


def test_a_type_with_none_good_is_not_counted_as_no_of_the(examples, tmp_path):
    def unit_satisfactory(data: dict) -> None:
        data["settings"]["pupil_referral_units"]["counts"] = {"outstanding": 0, "good": 0, "satisfactory": 1, "inadequate": 0}

    text = _text(_profile(examples, tmp_path, "camden.yaml", unit_satisfactory))
    assert "is mostly good, with all six special schools good or outstanding." in text
    assert "no of the" not in text and "of the one" not in text


def test_the_only_setting_of_its_type_inadequate_is_named_as_the_setting(examples, tmp_path):
    def one_special_school_inadequate(data: dict) -> None:
        data["settings"]["special_schools"]["counts"] = {"outstanding": 0, "good": 0, "satisfactory": 0, "inadequate": 1}

    text = _text(_profile(examples, tmp_path, "camden.yaml", one_special_school_inadequate))
    assert "The special school is inadequate." in text and "with all three pupil referral units good or outstanding" in text
    assert "no of the" not in text and "of the one" not in text


def test_a_count_of_none_below_average_says_none_of_them(examples, tmp_path):
    def no_secondary_school_good(data: dict) -> None:
        data["settings"]["secondary_schools"]["counts"] = {"outstanding": 0, "good": 0, "satisfactory": 9, "inadequate": 0}

    text = _text(_profile(examples, tmp_path, "camden.yaml", no_secondary_school_good))
    assert "none of the nine secondary schools is good or better" in text and "no of the" not in text


def test_a_service_a_rules_sentence_has_graded_is_not_graded_again_but_one_it_only_tests_is(tmp_path):
    # North Tyneside 2011: the rule's sentence says "the council's fostering service is outstanding and its adoption
    # agency good or better": the fostering service's grade is said, the adoption agency's only bounded, so the council's
    # own services' sentence gives the adoption agency's grade and not the fostering service's again.
    text = _case_letter(tmp_path, "2011", "north-tyneside-2011")
    assert "fostering service is outstanding and its adoption agency good or better" in text
    assert "fostering agency is outstanding" not in text and "adoption agency is good." in text


def test_a_type_a_rules_sentence_counts_is_not_counted_again_by_its_groups_sentence(tmp_path):
    # Wandsworth 2011: the rule's "23 of 28" counts the children's homes and special schools together, so the sentence on
    # provision for vulnerable children names only the pupil referral units, not "nine of the eleven special schools".
    text = _case_letter(tmp_path, "2011", "wandsworth-2011")
    assert "The quality of children's homes and special schools is high: 23 of 28 are good or outstanding" in text
    assert "vulnerable is mostly good, with six of the seven pupil referral units good or outstanding." in text
    assert text.count("special schools") == 1
    # Darlington 2011: with the special schools counted, the group has nothing good left to name (its one pupil referral
    # unit is inadequate, said apart), so no sentence describes the group.
    text = _case_letter(tmp_path, "2011", "darlington-2011")
    assert text.count("special schools") == 1 and "The pupil referral unit is inadequate." in text
    assert "whose circumstances make them vulnerable is" not in text


def _case_profile(tmp_path: Path, case: Path) -> Path:
    from engine.authoring.cases import case_profile_text, load_case

    path = tmp_path / case.name
    path.write_text(case_profile_text(load_case(case), case)[0])
    return path


def _case_letter(tmp_path: Path, year: str, name: str) -> str:
    from engine.paths import rules_dir

    return _text(_case_profile(tmp_path, rules_dir() / "cases" / f"csa-{year}" / "published" / f"{name}.yaml"))


def test_areas_for_priority_action_resolved_by_the_evidence_date_are_said_to_be(tmp_path):
    # Doncaster 2011: its one area for priority action was resolved on 30 April 2011, before the evidence date.
    text = _case_letter(tmp_path, "2011", "doncaster-2011")
    assert "one area for priority action, since resolved" in text


def test_an_open_area_for_priority_action_is_not_said_resolved(examples):
    text = _text(examples / "staffordshire-2011.yaml")
    assert "one area for priority action" in text and "since resolved" not in text


def test_a_count_the_profile_does_not_give_is_not_said_as_none(examples, tmp_path):
    def no_strengths(data: dict) -> None:
        [i for i in data["inspections"] if i["kind"] == "unannounced inspection"][0].pop("strengths")

    text = _text(_profile(examples, tmp_path, "westmoor-2010-inadequate-safeguarding.yaml", no_strengths))
    assert ("of contact, referral and assessment arrangements for children in need in June 2009 identified two areas for "
            "development and no areas for priority action.") in text and "no strengths" not in text


def test_early_years_below_average_follow_a_finding_below_average_without_a_contrast_and_uncounted_inadequate(examples, tmp_path):
    # The seeds never count inadequate childminders; after "However, too much secondary ... only adequate", another
    # finding below average is "also", not "Nevertheless".
    def childminders_below(data: dict) -> None:
        data["settings"]["childminders"].update(counts={"outstanding": 10, "good": 100, "satisfactory": 150, "inadequate": 20})

    text = _text(_profile(examples, tmp_path, "cambridgeshire.yaml", childminders_below))
    assert "However, too much secondary and sixth form provision is only adequate" in text
    assert "The proportion of childminders judged good or better is also below average (110 of 280)." in text
    assert "childminders are inadequate" not in text and "20 are inadequate" not in text


def _openings(path: Path) -> list[list[str]]:
    """Each paragraph of the letter (its prose, not its tables or address), as its sentences."""
    import re

    paragraphs = [" ".join(p.replace(" *[illustrative]*", "").split()) for p in letter(path).split("\n\n")]
    prose = [p for p in paragraphs if p and p[0].isupper() and p.endswith((".", ":")) and not p.startswith("|")]
    return [re.split(r"(?<=\.) (?=[A-Z])", p) for p in prose]


def test_no_paragraph_or_sentence_opens_as_its_neighbour_does(examples):
    for name in ("camden.yaml", "cambridgeshire.yaml", "westmoor-2010-inadequate-safeguarding.yaml", "kingsmere-2011-excellent.yaml",
                 "staffordshire-2011.yaml"):
        paragraphs = _openings(examples / name)
        firsts = [p[0].split()[:3] for p in paragraphs]
        assert all(a != b for a, b in zip(firsts, firsts[1:], strict=False)), (name, firsts)
        for sentences in paragraphs:
            heads = [s.split()[:2] for s in sentences]
            assert all(a != b for a, b in zip(heads, heads[1:], strict=False)), (name, sentences)


def test_no_sentence_is_said_twice_in_any_published_cases_letter(tmp_path):
    from engine.paths import rules_dir

    cases = sorted(rules_dir().glob("cases/*/published/*.yaml"))
    assert len(cases) > 50
    for case in cases:
        sentences = [s for paragraph in _openings(_case_profile(tmp_path, case)) for s in paragraph]
        assert len(sentences) == len(set(sentences)), (case.stem, {s for s in sentences if sentences.count(s) > 1})


def test_a_limit_that_lowered_the_band_since_last_year_is_said_once(tmp_path):
    # Barnsley 2011 had it fallen from performs well: the secondary-schools limit is the reason for the change and is
    # said in the limits paragraph; the change's paragraph does not say it again.
    import yaml

    from engine.paths import rules_dir

    path = _case_profile(tmp_path, rules_dir() / "cases" / "csa-2011" / "published" / "barnsley-2011.yaml")
    data = yaml.safe_load(path.read_text())
    data["previous_band"] = 3
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    sentences = [s for paragraph in _openings(path) for s in paragraph]
    limit = [s for s in sentences if s.endswith("which limits the rating to performs adequately.")]
    assert len(limit) == 1, sentences
    assert any(s.startswith("This is lower than last year's rating") for s in sentences), sentences


def test_the_change_since_last_year_leaves_its_findings_to_the_paragraphs_that_state_them(tmp_path):
    # Leeds 2011: what made the difference (its universal services, its children's homes and special schools) is said
    # with the settings, once; the change's paragraph says the change alone.
    from engine.paths import rules_dir

    paragraphs = _openings(_case_profile(tmp_path, rules_dir() / "cases" / "csa-2011" / "published" / "leeds-2011.yaml"))
    change = next(p for p in paragraphs if p[0].startswith("This is an improvement on last year's rating"))
    assert change == ["This is an improvement on last year's rating of 'performs poorly'."]
    settings = paragraphs[paragraphs.index(change) + 1]
    assert settings[0].startswith("Almost no childcare, school or post-16 provision is judged inadequate")
    assert "A large majority of children's homes and special schools (21 of 28) are good or outstanding." in settings


def test_a_step_a_later_cap_takes_lower_never_names_the_band_it_does_not_give(tmp_path):
    """Cornwall 2009: the unannounced inspection's one-grade step leaves performs adequately, then the inadequate
    inspection caps the rating at performs poorly. The step is said without its band; Calderdale's step, the last
    limit, names the band it gives."""
    cornwall = _case_letter(tmp_path, "2009", "cornwall-2009")
    assert "perform poorly" in cornwall and "These findings alone would limit the rating by one grade." in cornwall
    assert "to performs adequately" not in cornwall
    calderdale = _case_letter(tmp_path, "2009", "calderdale-2009")
    assert "These findings limit the rating by one grade, to performs adequately." in calderdale
