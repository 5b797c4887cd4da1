"""Facts the letters state that the profile now carries (issue 19, item 5): a notice to improve, a full inspection's
sub-judgements, the youth offending service's inspection, earlier years' ratings. Each is recorded, validated
(located errors), measured and shown; none moves the band, for the reasons the rulesets' comments and
docs/profile-format.md give, so each test shows that changing the fact leaves the band where it was."""
from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml

from engine.authoring.cases import case_profile_text, load_case
from engine.decide.pipeline import evaluate_text

ROOT = Path(__file__).resolve().parent.parent
BASELINES = ROOT / "rules" / "baselines"


def _baseline(year: int) -> dict:
    return yaml.safe_load((BASELINES / f"england-{year}.yaml").read_text(encoding="utf-8"))


def _rate(profile: dict):
    return evaluate_text(yaml.safe_dump(profile, sort_keys=False), "profile.yaml").decision


def _write(tmp_path, profile: dict) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    return path


def _located_error(run_cli, path) -> str:
    code, out, err = run_cli("evaluate", path, "--no-audit")
    assert code == 2 and out == "" and "Traceback" not in err, err
    (line,) = err.strip().splitlines()
    return line


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# --- A notice to improve ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("notice, state", [({"served_on": "2009-02-10"}, "in_force"),
                                           ({"served_on": "2009-02-10", "lifted_on": "2010-03-01"}, "not_in_force"),
                                           ({"served_on": "2010-09-01"}, "not_in_force")])
def test_a_notice_to_improve_is_measured_at_the_evidence_date_and_does_not_move_the_band(notice, state):
    profile = _baseline(2010)
    without = _rate(profile)
    profile["notice_to_improve"] = notice
    decision = _rate(profile)
    assert decision.measure_values()["notice_to_improve.in_force"] == state
    assert (decision.final_band, decision.fired_rules) == (without.final_band, without.fired_rules) == (3, without.fired_rules)
    assert "notice_to_improve.in_force" not in without.measure_values()  # absent, never a default


def test_a_notice_to_improve_lifted_before_it_was_served_is_refused_where_it_is_lifted(run_cli, tmp_path):
    profile = _baseline(2010)
    profile["notice_to_improve"] = {"served_on": "2009-02-10", "lifted_on": "2008-01-01"}
    path = _write(tmp_path, profile)
    line = _located_error(run_cli, path)
    assert line.startswith(f"{path}:{_line_of(path, 'lifted_on')}:")
    assert ": profile-contradiction: the notice to improve is lifted on 2008-01-01, before it was served on 2009-02-10" in line


def test_the_text_and_the_reports_show_the_notice_to_improve(run_cli, tmp_path):
    profile = _baseline(2010)
    profile["notice_to_improve"] = {"served_on": "2009-02-10", "note": "Served by the Secretary of State"}
    path = _write(tmp_path, profile)
    code, text, _ = run_cli("evaluate", path, "--no-audit")
    assert code == 0 and "On record       notice_to_improve.in_force = in force" in text
    code, report, _ = run_cli("report", path, "--format", "markdown", "--no-audit")
    assert code == 0
    assert "| Notice to improve | served 2009-02-10; in force at the evidence date. Served by the Secretary of State |" in report
    code, page, _ = run_cli("report", path, "--no-audit")
    assert code == 0 and '<table id="records-table"><tr><th>Notice to improve</th>' in page


# --- Sub-judgements of a full inspection -----------------------------------------------------------------------------

def _essex_2010() -> dict:
    path = ROOT / "rules" / "cases" / "csa-2010" / "published" / "essex-2010.yaml"
    text, _ = case_profile_text(load_case(path), path)
    return yaml.safe_load(text)


def test_a_good_capacity_for_improvement_does_not_lift_an_inadequate_safeguarding_inspection():
    # Essex 2010: safeguarding inadequate, looked after children adequate "with the council's capacity for improvement
    # in this area receiving a good rating" (Community Care, 9 August 2010); rated performs poorly (the published case).
    profile = _essex_2010()
    before = _rate(profile)
    inspection = profile["inspections"][-1]
    inspection["judgements"] = {"looked_after_children_capacity_for_improvement": "good", "capacity_for_improvement": "good",
                                "leadership_and_management": "good"}
    decision = _rate(profile)
    values = decision.measure_values()
    assert values["safeguarding_inspection.judgements.looked_after_children_capacity_for_improvement"] == "good"
    assert values["safeguarding_inspection.judgements.capacity_for_improvement"] == "good"
    assert decision.final_band == before.final_band == 1
    assert "limit_safeguarding_inadequate_not_lifted" in decision.fired_rules


def test_a_sub_judgement_changed_does_not_change_the_band():
    profile = _baseline(2009)
    bands = set()
    for grade in ("outstanding", "inadequate"):
        changed = copy.deepcopy(profile)
        changed["safeguarding_inspection"]["judgements"] = {"capacity_for_improvement": grade, "value_for_money": grade}
        bands.add(_rate(changed).final_band)
    assert bands == {_rate(profile).final_band}


def test_a_sub_judgement_on_an_unannounced_inspection_is_refused(run_cli, tmp_path):
    profile = _baseline(2010)
    profile["inspections"] = [{"kind": "unannounced inspection", "date": "2010-03-01", "judgements": {"capacity_for_improvement": "good"}}]
    profile.pop("unannounced_inspection", None)
    path = _write(tmp_path, profile)
    line = _located_error(run_cli, path)
    assert line.startswith(f"{path}:{_line_of(path, 'judgements')}:")
    assert line.endswith("profile-invalid: inspections.0: an unannounced inspection has no 'judgements'")


def test_a_sub_judgement_in_the_single_field_must_agree_with_the_history(run_cli, tmp_path):
    profile = _baseline(2010)
    profile["safeguarding_inspection"] = {"kind": "inspection of safeguarding and looked after children", "year": 2010,
                                          "safeguarding": "good", "judgements": {"capacity_for_improvement": "good"}}
    profile["inspections"] = [{"kind": "inspection of safeguarding and looked after children", "date": "2010-03-01",
                               "safeguarding": "good", "judgements": {"capacity_for_improvement": "satisfactory"}}]
    path = _write(tmp_path, profile)
    line = _located_error(run_cli, path)
    lines = path.read_text().splitlines()
    first = next(n for n, text in enumerate(lines, 1) if "capacity_for_improvement: good" in text)
    assert line.startswith(f"{path}:{first}:")
    assert ": profile-contradiction: safeguarding_inspection.judgements.capacity_for_improvement is 'good', but the latest such" in line


def test_an_unknown_inspection_judgement_is_refused_with_the_nearest(run_cli, tmp_path):
    profile = _baseline(2010)
    profile["inspections"].append({"kind": "joint area review", "date": "2008-05-01", "safeguarding": "good",
                                   "judgements": {"capacity_for_improvment": "good"}})
    path = _write(tmp_path, profile)
    line = _located_error(run_cli, path)
    n = _line_of(path, "capacity_for_improvment")
    column = path.read_text().splitlines()[n - 1].index("capacity_for_improvment") + 1
    assert line == (f"{path}:{n}:{column}: unknown-inspection-judgement: unknown inspection "
                    "judgement 'capacity_for_improvment' (did you mean 'capacity_for_improvement'?)")


def test_an_inspection_judgement_is_vocabulary_of_the_catalogue():
    from engine.load.catalogue import load_catalogue
    from engine.model.measures import measure_catalogue

    catalogue = load_catalogue("csa-2011")
    assert "looked_after_children_value_for_money" in catalogue.inspection_judgements  # Cornwall 2009's words
    assert "safeguarding_inspection.judgements.leadership_and_management" in measure_catalogue(catalogue)


# --- The youth offending service --------------------------------------------------------------------------------------

def test_the_youth_offending_service_is_measured_and_counts_in_no_total():
    profile = _baseline(2009)
    before = _rate(profile).measure_values()
    profile["settings"]["youth_offending_service"] = {"grade": "inadequate"}
    decision = _rate(profile)
    values = decision.measure_values()
    assert values["settings.youth_offending_service.count_inadequate"] == 1
    assert not any(name.startswith("groups.youth_justice.") for name in values)
    for name in ("settings.count_total", "settings.count_inadequate", "groups.social_care.count_total",
                 "settings.share_types_in_line_or_above_national"):
        assert values[name] == before[name], name
    assert decision.final_band == 3


def test_the_fostering_agency_counts_among_all_settings_not_in_the_provision_for_vulnerable_children():
    # Camden 2009 counts that provision as its special schools and pupil referral units (9 of 9); the fostering agency is
    # said apart (indicators/setting-types.yaml).
    profile = _baseline(2009)
    before = _rate(profile).measure_values()
    profile["settings"]["fostering_agency"] = {"grade": "inadequate"}
    values = _rate(profile).measure_values()
    assert values["groups.vulnerable_children.count_total"] == before["groups.vulnerable_children.count_total"]
    assert values["settings.count_inadequate"] == before["settings.count_inadequate"] + 1  # the baseline's is good


# --- Earlier years' ratings -------------------------------------------------------------------------------------------

def test_earlier_ratings_are_measured_and_change_neither_the_band_nor_the_direction():
    profile = _baseline(2010)
    profile["previous_band"] = 2
    before = _rate(profile)
    profile["previous_ratings"] = [{"year": 2008, "assessment": "annual performance assessment", "band": 4},
                                   {"year": 2009, "assessment": "children's services assessment", "band": 2}]
    decision = _rate(profile)
    assert decision.measure_values()["previous_ratings.count"] == 2
    assert decision.measure_inputs("previous_ratings.count") == {"2008": "annual performance assessment 4",
                                                                 "2009": "children's services assessment 2"}
    assert (decision.final_band, decision.direction) == (before.final_band, before.direction)


@pytest.mark.parametrize("ratings, at, message", [
    ([{"year": 2009, "assessment": "children's services assessment", "band": 4}], "band",
     "previous_ratings.0: the band of 2009 is 4, but previous_band says 2"),
    ([{"year": 2010, "assessment": "children's services assessment", "band": 2}], "year",
     "previous_ratings.0: 2010 is not before the assessment year 2010"),
    ([{"year": 2008, "assessment": "annual performance assessment", "band": 3},
      {"year": 2008, "assessment": "annual performance assessment", "band": 2}], "year",
     "previous_ratings.1: 2008 is given twice (first as previous_ratings.0)"),
])
def test_earlier_ratings_that_contradict_the_profile_are_refused_where_they_do(run_cli, tmp_path, ratings, at, message):
    profile = _baseline(2010)
    profile["previous_band"] = 2
    profile["previous_ratings"] = ratings
    path = _write(tmp_path, profile)
    line = _located_error(run_cli, path)
    assert line.endswith(f"profile-contradiction: {message}")
    lines = path.read_text().splitlines()
    start = next(n for n, text in enumerate(lines, 1) if text.startswith("previous_ratings:"))
    located = int(line[len(str(path)) + 1:].split(":")[0])
    assert located > start and f"{at}:" in lines[located - 1]


def test_an_earlier_rating_outside_the_scale_is_refused(run_cli, tmp_path):
    profile = _baseline(2010)
    profile["previous_ratings"] = [{"year": 2008, "assessment": "annual performance assessment", "band": 5}]
    path = _write(tmp_path, profile)
    assert ": profile-invalid: " in _located_error(run_cli, path)


# --- Independent special schools and specialist post-16 provision (2010, 2011) ----------------------------------------

def _camden_2010() -> dict:
    profile = yaml.safe_load((ROOT / "examples" / "camden.yaml").read_text(encoding="utf-8"))
    profile["year"] = 2010
    profile["letter_date"] = dt.date(2010, 12, 9)  # the 2010 ratings' day: Camden's letter of 2009 is not a 2010 letter
    return profile


@pytest.mark.parametrize("setting_type", ["independent_special_schools", "specialist_post_16"])
def test_one_inadequate_specialist_setting_keeps_a_council_from_excellent_settings_in_2010(setting_type):
    # Rochdale 2010 counts them with the special schools and the pupil referral unit (indicators/setting-types-2010.yaml).
    profile = _camden_2010()
    assert _rate(profile).final_band == 4
    profile["settings"][setting_type] = {"counts": {"outstanding": 0, "good": 2, "satisfactory": 0, "inadequate": 0}}
    good = _rate(profile)
    assert good.final_band == 4
    assert good.measure_inputs("groups.vulnerable_children.count_total")["setting_types"][-1] == setting_type
    profile["settings"][setting_type]["counts"]["inadequate"] = 1
    decision = _rate(profile)
    assert decision.measure_values()["groups.vulnerable_children.count_inadequate"] == 1
    assert "settings_excellent" not in decision.fired_rules and decision.final_band == 3


def test_an_inadequate_specialist_setting_lowers_the_vulnerable_children_grade_in_2011():
    profile = yaml.safe_load((ROOT / "examples" / "kingsmere-2011-excellent.yaml").read_text(encoding="utf-8"))
    assert _rate(profile).grades["vulnerable_children"] == 4
    profile["settings"]["independent_special_schools"] = {"counts": {"good": 1, "inadequate": 1}}
    decision = _rate(profile)
    assert decision.grades["vulnerable_children"] == 3 and "vulnerable_excellent" not in decision.fired_rules


def test_a_2010_profile_with_specialist_settings_is_read_in_2009_words_without_them(run_cli, tmp_path):
    profile = _camden_2010()
    profile["settings"]["independent_special_schools"] = {"counts": {"good": 1, "inadequate": 1}}
    path = _write(tmp_path, profile)
    code, out, err = run_cli("evaluate", path, "--ruleset", ROOT / "rules" / "csa-2009.yaml", "--no-audit")
    assert code == 0, err
    assert "Final band      4" in out


# --- What the letter says of them (issue 19, item 4) ------------------------------------------------------------------
# Each fact is one sentence of the letter when the profile gives it and none when it does not; the statement in the
# sources' words is then expressed by that sentence alone, and dropping the sentence leaves it unexpressed.

def _letter(run_cli, tmp_path, profile: dict) -> list[str]:
    """The sentences of the letter's rating paragraphs; no paragraph opens two sentences alike."""
    from tests.test_seed_statements import letter_sentences

    code, out, err = run_cli("letter", _write(tmp_path, profile))
    assert code == 0, err
    for paragraph in out[out.index(" perform "):out.index("The children's services rating is provided")].split("\n\n")[1:]:
        openings = [" ".join(s.split()[:3]) for s in " ".join(paragraph.split()).split(". ")]
        assert len(openings) == len(set(openings)), openings
    return letter_sentences(out)


def _said_by_one_sentence(statement: str, sentences: list[str]) -> str:
    from tests.test_seed_statements import expressed, saying

    (sentence,) = saying(statement, sentences)
    assert not expressed(statement, [s for s in sentences if s != sentence])
    return sentence


# BBC News of Birmingham: "Feb 2009: Council served with improvement notice by government".
NOTICE = "Feb 2009: council served with improvement notice."


def test_the_letter_says_a_notice_to_improve_in_force_once_and_gives_no_reason_of_its_own(run_cli, tmp_path):
    from tests.test_seed_statements import expressed

    profile = _baseline(2010)
    without = _letter(run_cli, tmp_path, profile)
    assert not expressed(NOTICE.replace("Feb", "February"), without) and not any("notice" in s for s in without)
    profile["notice_to_improve"] = {"served_on": "2009-02-10", "note": "Served by the Secretary of State"}
    sentences = _letter(run_cli, tmp_path, profile)
    sentence = _said_by_one_sentence("February 2009: council served with improvement notice.", sentences)
    assert sentence == ("The council's children's services have been subject to an improvement notice from the government "
                        "since February 2009.")
    # A letter states the notice, not what did or did not decide the band, and not the profile's note.
    assert "rating" not in sentence and "band" not in sentence and "Secretary of State" not in " ".join(sentences)
    assert [s for s in sentences if s != sentence] == without


@pytest.mark.parametrize("notice", [{"served_on": "2009-02-10", "lifted_on": "2010-03-01"}, {"served_on": "2010-09-01"}])
def test_a_notice_not_in_force_at_the_evidence_date_is_not_said_and_the_report_agrees(run_cli, tmp_path, notice):
    profile = _baseline(2010)
    profile["notice_to_improve"] = notice
    assert not any("improvement notice" in s for s in _letter(run_cli, tmp_path, profile))
    code, report, _ = run_cli("report", _write(tmp_path, profile), "--format", "markdown", "--no-audit")
    assert code == 0 and "not in force at the evidence date" in report


def _case(path: str) -> dict:
    case = ROOT / "rules" / "cases" / path
    text, _ = case_profile_text(load_case(case), case)
    return yaml.safe_load(text)


def test_the_letter_says_cornwalls_inspection_judgements_in_one_sentence_after_its_grades(run_cli, tmp_path):
    # Community Care, 23 October 2009 (rules/cases/csa-2009/published/cornwall-2009.yaml).
    statement = ("In services for looked after children, Cornwall was rated inadequate in assessment and direct work with "
                 "children, ambition and prioritisation, and value for money, among others.")
    profile = _case("csa-2009/published/cornwall-2009.yaml")
    sentences = _letter(run_cli, tmp_path, profile)
    sentence = _said_by_one_sentence(statement, sentences)
    assert sentence == ("It also judged assessment and direct work with looked after children, the ambition and "
                        "prioritisation of services for looked after children and the value for money of services for "
                        "looked after children as inadequate.")
    grades = sentences.index(sentence) - 1
    assert sentences[grades].startswith("The inspection of safeguarding and looked after children in 2009 judged")
    del profile["safeguarding_inspection"]["judgements"]
    assert [s for s in sentences if s != sentence] == _letter(run_cli, tmp_path, profile)


@pytest.mark.parametrize("path, statement, said", [
    ("csa-2010/published/essex-2010.yaml",
     "Services for looked-after children were rated adequate overall, with the council's capacity for improvement in "
     "this area receiving a good rating.",
     "It also judged the capacity for improvement of services for looked after children as good."),
    ("csa-2010/published/kent-2010.yaml",
     "Safeguarding services were inadequate because of a high number of cases not receiving quality assessments, high "
     "case loads for social workers, and inadequate management",
     "It also judged the leadership and management of safeguarding services as inadequate."),
])
def test_the_letter_says_the_sub_judgement_a_published_case_encodes(run_cli, tmp_path, path, statement, said):
    profile = _case(path)
    sentences = _letter(run_cli, tmp_path, profile)
    assert _said_by_one_sentence(statement, sentences) == said
    del profile["inspections"][-1]["judgements"]
    assert not any(s.startswith("It also judged") for s in _letter(run_cli, tmp_path, profile))


def test_judgements_of_several_grades_are_one_sentence_grade_by_grade(run_cli, tmp_path):
    profile = _case("csa-2010/published/essex-2010.yaml")
    profile["inspections"][-1]["judgements"] = {"capacity_for_improvement": "satisfactory", "leadership_and_management": "inadequate",
                                                "looked_after_children_capacity_for_improvement": "good"}
    (sentence,) = [s for s in _letter(run_cli, tmp_path, profile) if s.startswith("It also judged")]
    assert sentence == ("It also judged the capacity for improvement of safeguarding services as satisfactory, the leadership "
                        "and management of safeguarding services as inadequate, and the capacity for improvement of "
                        "services for looked after children as good.")


def test_the_letter_says_last_years_rating_only_where_the_direction_does_not(run_cli, tmp_path):
    from tests.test_seed_statements import expressed

    statement = "Last year's rating was performs adequately."
    profile = _baseline(2010)
    profile["previous_ratings"] = [{"year": 2008, "assessment": "annual performance assessment", "band": 4},
                                   {"year": 2009, "assessment": "children's services assessment", "band": 2}]
    sentences = _letter(run_cli, tmp_path, profile)
    assert _said_by_one_sentence(statement, sentences) == "Last year's rating was 'performs adequately'."
    assert not any("2008" in s or "annual performance assessment" in s for s in sentences)  # last year's only
    profile["previous_band"] = 2  # the direction's sentence says it: not again
    sentences = _letter(run_cli, tmp_path, profile)
    assert sentences[0] == "This is an improvement on last year's rating of 'performs adequately'."
    assert not any(s.startswith("Last year's rating") for s in sentences) and expressed(statement, sentences)
    del profile["previous_band"], profile["previous_ratings"]
    assert not expressed(statement, _letter(run_cli, tmp_path, profile))


def test_a_2009_letter_gives_the_2008_annual_performance_assessment_by_its_grade(run_cli, tmp_path):
    profile = _baseline(2009)
    profile.pop("previous_band", None)
    profile["previous_ratings"] = [{"year": 2008, "assessment": "annual performance assessment", "band": 3}]
    sentences = _letter(run_cli, tmp_path, profile)
    statement = "The annual performance assessment in 2008: grade 3."
    assert _said_by_one_sentence(statement, sentences) == ("The annual performance assessment in 2008 gave children's services "
                                                           "grade 3 for their overall effectiveness.")
    assert not any("performs" in s for s in sentences)  # another scale: never the band's words


def test_the_letter_never_says_the_youth_offending_services_inspection(run_cli, tmp_path):
    # The letters speak of youth offending by its indicators only (docs/profile-format.md); the report shows the grade.
    profile = _baseline(2009)
    without = _letter(run_cli, tmp_path, profile)
    profile["settings"]["youth_offending_service"] = {"grade": "inadequate"}
    assert _letter(run_cli, tmp_path, profile) == without
    code, report, _ = run_cli("report", _write(tmp_path, profile), "--format", "markdown", "--no-audit")
    assert code == 0 and "youth offending service" in report.lower()
