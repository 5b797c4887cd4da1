"""The profile's inspection history, evidence date, pending inspection, previous band, trends and children's homes
apart: how they relate to the single fields, what the measures read from them, and the contradictions refused."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import evaluate_file, parse_profile, ruleset_for_year
from engine.errors import ProfileError
from engine.measures.derive import derive_measures

from .conftest import EXAMPLES

WESTMOOR = EXAMPLES / "westmoor-2010-inadequate-safeguarding.yaml"
RULESET_2010 = ruleset_for_year(2010)


def _data(path=WESTMOOR) -> dict:
    return yaml.safe_load(path.read_text())


def _measures(data: dict) -> dict:
    loaded = parse_profile(yaml.safe_dump(data, sort_keys=False), "profile.yaml")
    ruleset = ruleset_for_year(data["year"])
    return derive_measures(loaded.profile, ruleset.catalogue, ruleset.ruleset).values


def _problems(data: dict) -> list[str]:
    text = yaml.safe_dump(data, sort_keys=False)
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, "profile.yaml")
    return [str(p) for p in caught.value.problems], text.splitlines()


def _line(lines: list[str], fragment: str, after: int = 0) -> int:
    return next(i for i, line in enumerate(lines, 1) if i > after and fragment in line)


def test_a_2009_profile_is_valid_as_it_was_and_keeps_its_band():
    for name, band in (("camden", 4), ("cambridgeshire", 3), ("northfield-inadequate-safeguarding", 1), ("eastbridge-priority-actions", 2)):
        assert evaluate_file(EXAMPLES / f"{name}.yaml").final_band == band


def test_the_same_inspections_as_history_or_as_single_fields_give_the_same_2009_decision():
    single = _data(EXAMPLES / "eastbridge-priority-actions.yaml")
    history = dict(single)
    full, unannounced = history.pop("safeguarding_inspection"), history.pop("unannounced_inspection")
    history["inspections"] = [
        {"kind": full["kind"], "date": dt.date(full["year"], 3, 1), "safeguarding": full["safeguarding"],
         "looked_after_children": full["looked_after_children"]},
        {"kind": "unannounced inspection", "date": dt.date(unannounced["year"], 6, 1), "strengths": unannounced["strengths"],
         "areas_for_development": unannounced["areas_for_development"],
         "areas_for_priority_action": [{"area": "one"}, {"area": "two"}], "effective_action_to_safeguard": False}]
    measures = (_measures(single), _measures(history))
    for name in ("safeguarding_inspection.safeguarding", "unannounced_inspection.areas_for_priority_action",
                 "unannounced_inspection.effective_action_to_safeguard", "inspections.unresolved_priority_actions"):
        assert measures[0][name] == measures[1][name], name
    both = dict(history, safeguarding_inspection=full, unannounced_inspection=unannounced)  # agreeing: accepted
    assert _measures(both)["unannounced_inspection.areas_for_priority_action"] == 2


def test_a_single_field_that_disagrees_with_the_latest_in_the_history_is_refused_where_it_disagrees():
    data = _data()
    data["safeguarding_inspection"] = {"kind": "inspection of safeguarding and looked after children", "year": 2009,
                                       "safeguarding": "good", "looked_after_children": "satisfactory"}
    problems, lines = _problems(data)
    at = _line(lines, "safeguarding: good")
    assert problems == [f"profile.yaml:{at}:17: profile-contradiction: safeguarding_inspection.safeguarding is 'good', but the "
                        "latest such inspection in 'inspections' at the evidence date 2010-08-18 (inspections.1, 16 November "
                        "2009) says 'inadequate'"]


def test_a_single_field_beside_a_history_that_does_not_hold_its_family_is_refused():
    data = _data()
    data["inspections"] = [i for i in data["inspections"] if i["kind"] == "unannounced inspection"]
    data["safeguarding_inspection"] = {"kind": "joint area review", "year": 2007, "safeguarding": "good"}
    measures = _measures(data)  # the history holds no full inspection: the single field is that family's record
    assert measures["safeguarding_inspection.year"] == 2007 and measures["inspections.inadequate_safeguarding_not_lifted"] == 0
    data["unannounced_inspection"] = {"year": 2010, "strengths": 5, "areas_for_development": 2}
    problems, lines = _problems(data)
    assert f"profile.yaml:{_line(lines, 'year: 2010', _line(lines, 'unannounced_inspection:'))}:9: profile-contradiction: " \
           "unannounced_inspection.year is 2010, but the latest such inspection in 'inspections' at the evidence date " \
           "2010-08-18 (inspections.0, 10 June 2009) says 2009" in problems


def test_dates_out_of_order_and_duplicates_are_refused_located():
    data = _data()
    data["inspections"][0]["areas_for_priority_action"] = [{"area": "x", "resolved_on": dt.date(2009, 1, 1)}]
    data["inspections"].append(dict(data["inspections"][1]))
    data["evidence_date"] = dt.date(2011, 1, 1)
    problems, lines = _problems(data)
    # The evidence date is held to csa-2010's evidence policy (tests/test_evidence_date_policy.py) and to the letter
    # (tests/test_profile_dates.py), the rest contradict.
    assert sorted(p.split(": ")[1] for p in problems) == ["evidence-after-letter", "evidence-date-outside-policy"] + \
        ["profile-contradiction"] * 2
    assert any(f":{_line(lines, 'resolved_on: 2009-01-01')}:" in p and "before the inspection of 2009-06-10" in p for p in problems)
    assert any("given twice (first as inspections.1)" in p for p in problems)
    assert any(p.startswith(f"profile.yaml:{_line(lines, 'evidence_date:')}:") and "after 2010-12-31" in p for p in problems)


def test_an_inspection_with_the_fields_of_another_kind_is_refused_at_the_field():
    data = _data()
    data["inspections"][0]["safeguarding"] = "good"
    del data["inspections"][1]["safeguarding"]
    problems, lines = _problems(data)
    assert sorted(problems) == sorted([
        f"profile.yaml:{_line(lines, 'safeguarding: good')}:3: profile-invalid: inspections.0: an unannounced inspection has no 'safeguarding'",
        f"profile.yaml:{_line(lines, '- kind: inspection of safeguarding')}:3: profile-invalid: inspections.1: an inspection of "
        "safeguarding and looked after children needs its 'safeguarding' grade"])


def test_a_whole_given_with_its_parts_must_be_their_sum():
    data = _data()
    data["settings"]["childrens_homes"] = {"counts": {"outstanding": 1, "good": 2, "satisfactory": 4}}
    problems, lines = _problems(data)
    (problem,) = problems
    assert problem.startswith(f"profile.yaml:{_line(lines, '  childrens_homes:') + 2}:7: profile-contradiction: settings.childrens_homes "
                              "counts {'outstanding': 1, 'good': 2, 'satisfactory': 4, 'inadequate': 0} but its parts")
    data["settings"]["childrens_homes"] = {"counts": {"outstanding": 1, "good": 1, "satisfactory": 4}}
    data["settings"]["private_childrens_homes"]["counts"] = {"good": 1, "satisfactory": 1}
    data["settings"]["council_childrens_homes"]["counts"] = {"outstanding": 1, "satisfactory": 3}
    assert _measures(data)["settings.childrens_homes.count_total"] == 6  # the sum: accepted


def test_children_s_homes_apart_are_counted_once_and_the_whole_keeps_its_measures():
    measures = _measures(_data())
    assert measures["settings.childrens_homes.count_total"] == 6  # three council-run and three private or voluntary
    assert measures["settings.childrens_homes.count_good_or_better"] == 2
    assert "settings.childrens_homes.vs_national" not in measures  # no comparator is given for the whole
    total = sum(measures[f"settings.{t}.count_total"] for t in RULESET_2010.catalogue.setting_types
                if t != "childrens_homes" and f"settings.{t}.count_total" in measures)
    assert measures["settings.count_total"] == total  # the whole is not counted again
    assert measures["groups.homes_and_special_schools.count_total"] == 6 + measures["settings.special_schools.count_total"]


def test_the_measures_read_the_history_as_of_the_evidence_date():
    data = _data()
    measures = _measures(data)
    assert measures["inspections.inadequate_safeguarding_not_lifted"] == 1
    assert measures["inspections.after_evidence_date"] == 1
    assert measures["unannounced_inspection.year"] == 2009  # the September 2010 one came after the evidence date
    data["evidence_date"] = dt.date(2010, 10, 1)
    measures = _measures(data)
    assert measures["inspections.inadequate_safeguarding_not_lifted"] == 0 and measures["inspections.after_evidence_date"] == 0
    assert measures["unannounced_inspection.effective_action_to_safeguard"] == "judged"
    del data["evidence_date"]  # without an evidence date everything given counts
    assert _measures(data)["inspections.inadequate_safeguarding_not_lifted"] == 0


def test_an_area_for_priority_action_given_as_a_count_is_not_resolved():
    data = _data()
    data["inspections"][0]["areas_for_priority_action"] = 2
    measures = _measures(data)
    assert measures["inspections.unresolved_priority_actions"] == 2 and measures["unannounced_inspection.areas_for_priority_action"] == 2


def test_a_pending_inspection_counts_only_on_or_before_the_evidence_date():
    data = _data()
    data["pending_inspection"] = {"kind": "unannounced inspection", "date": dt.date(2010, 8, 18)}
    assert _measures(data)["inspections.pending"] == 1 and _measures(data)["pending_inspection.kind"] == "unannounced inspection"
    data["pending_inspection"]["date"] = dt.date(2010, 8, 19)
    measures = _measures(data)
    assert measures["inspections.pending"] == 0 and "pending_inspection.kind" not in measures
    assert measures["inspections.after_evidence_date"] == 2


history_dates = st.dates(dt.date(2008, 1, 1), dt.date(2010, 12, 31))


@st.composite
def histories(draw):
    out, seen = [], set()
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["inspection of safeguarding and looked after children", "unannounced inspection"]))
        when = draw(history_dates)
        if (kind, when) in seen:
            continue
        seen.add((kind, when))
        if kind == "unannounced inspection":
            actions = [{"resolved_on": when + dt.timedelta(days=draw(st.integers(0, 300)))} if draw(st.booleans()) else {"area": "a"}
                       for _ in range(draw(st.integers(0, 2)))]
            out.append({"kind": kind, "date": when, **({"areas_for_priority_action": actions} if actions else {})})
        else:
            out.append({"kind": kind, "date": when, "safeguarding": draw(st.sampled_from(["good", "satisfactory", "inadequate"]))})
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Evidence dates that hang together with Westmoor's 2010 letter of 9 December 2010 (tests/test_profile_dates.py).
@given(histories(), st.dates(dt.date(2010, 1, 1), dt.date(2010, 12, 9)))
def test_evidence_after_the_evidence_date_counts_as_if_it_were_not_given(history, evidence_date):
    """The cut-off means what it says: the measures of a history cut at the evidence date are those of the history
    without the inspections after it (and without resolutions after it)."""
    base = _data()
    with_date = dict(base, inspections=history, evidence_date=evidence_date)
    kept = []
    for inspection in history:
        if inspection["date"] > evidence_date:
            continue
        inspection = dict(inspection)
        if "areas_for_priority_action" in inspection:
            inspection["areas_for_priority_action"] = [
                a if a.get("resolved_on") is None or a["resolved_on"] <= evidence_date else {"area": "a"}
                for a in inspection["areas_for_priority_action"]]
        kept.append(inspection)
    cut = _measures(with_date)
    removed = _measures(dict(base, inspections=kept, evidence_date=evidence_date))
    cut.pop("inspections.after_evidence_date", None)
    removed.pop("inspections.after_evidence_date", None)
    assert cut == removed
