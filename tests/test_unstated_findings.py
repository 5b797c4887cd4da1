"""An unannounced inspection's strengths and areas for development the profile does not state are not stated, not
none: the summary and the trace say nothing of them, a stated 0 is said as none, and a count one part of the profile
leaves out contradicts nothing, where the single field is the one that leaves it out; the history leaving out what
the single field states is refused, as the engine reads the history and would lose it, and the refusal says so."""
from __future__ import annotations

import pytest
import yaml

from engine import evaluate_file, parse_profile
from engine.errors import ProfileError
from engine.render.summary import inspection_rows

from .conftest import EXAMPLES

CAMDEN = EXAMPLES / "camden.yaml"  # 2009, the single field: 6 strengths, 1 area for development, none for priority action
WESTMOOR = EXAMPLES / "westmoor-2010-inadequate-safeguarding.yaml"  # 2010, the history: 4 strengths, 2 for development


def _data(path) -> dict:
    return yaml.safe_load(path.read_text())


def _evaluated(data: dict, tmp_path):
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return parse_profile(path.read_text()).profile, evaluate_file(path)


def _trace(decision) -> dict:
    return {e.measure: e.value for e in decision.measure_events() if e.measure.startswith("unannounced_inspection.")}


def test_an_unannounced_inspection_omitting_its_strengths_says_nothing_of_them_in_the_summary_and_trace(tmp_path):
    data = _data(CAMDEN)
    del data["unannounced_inspection"]["strengths"]
    profile, decision = _evaluated(data, tmp_path)
    assert dict(inspection_rows(profile))["Unannounced inspection"] == (
        "2009: 1 area for development, 0 areas for priority action; effective action is taken to safeguard children")
    trace = _trace(decision)
    assert "unannounced_inspection.strengths" not in trace and trace["unannounced_inspection.areas_for_development"] == 1


def test_an_unannounced_inspection_stating_no_strengths_says_none(tmp_path):
    data = _data(CAMDEN)
    data["unannounced_inspection"]["strengths"] = 0
    profile, decision = _evaluated(data, tmp_path)
    assert dict(inspection_rows(profile))["Unannounced inspection"].startswith("2009: 0 strengths, 1 area for development, ")
    assert _trace(decision)["unannounced_inspection.strengths"] == 0


def test_an_inspection_in_the_history_gives_only_the_findings_it_states(tmp_path):
    data = _data(WESTMOOR)
    for field in ("strengths", "areas_for_development"):
        del data["inspections"][0][field]
    profile, decision = _evaluated(data, tmp_path)
    assert [text for label, text in inspection_rows(profile) if label == "Inspection"][0] == (
        "unannounced inspection 2009-06-10: 0 areas for priority action")
    assert set(_trace(decision)) >= {"unannounced_inspection.year", "unannounced_inspection.areas_for_priority_action"}
    assert not {"unannounced_inspection.strengths", "unannounced_inspection.areas_for_development"} & set(_trace(decision))


def _single_field_beside_the_history(single: dict, omitted_in_history: tuple[str, ...] = ()) -> dict:
    """Westmoor with an unannounced_inspection beside its history's (4 strengths, 2 areas for development), giving ``single``."""
    data = _data(WESTMOOR)
    for field in omitted_in_history:
        del data["inspections"][0][field]
    data["unannounced_inspection"] = {"year": 2009, **single}
    return data


@pytest.mark.parametrize("single, omitted_in_history", [
    ({}, ()),
    ({"strengths": 4}, ("areas_for_development",))],
    ids=["stated in the history", "one stated in both, the other in the history"])
def test_a_count_the_single_field_leaves_out_is_not_a_contradiction(single, omitted_in_history):
    data = _single_field_beside_the_history(single, omitted_in_history)
    parse_profile(yaml.safe_dump(data, sort_keys=False), "profile.yaml")


def test_a_count_the_single_field_states_and_the_history_leaves_out_is_refused():
    # The measures and the letter read the history: accepted, the single field's 4 strengths would be lost.
    data = _single_field_beside_the_history({"strengths": 4}, ("strengths", "areas_for_development"))
    with pytest.raises(ProfileError) as refused:
        parse_profile(yaml.safe_dump(data, sort_keys=False), "profile.yaml")
    assert [p.message for p in refused.value.problems] == [
        "unannounced_inspection.strengths is 4, but the latest such inspection in 'inspections' at the evidence date 2010-08-18 "
        "(inspections.0, 10 June 2009) does not state it; the measures and the letter read the history, so the single "
        "field's statement would otherwise be lost"]


def _history_silent_on(field: str, name: str, value: object) -> dict:
    """Westmoor with a single field beside its history, stating ``name`` of which the history's latest says nothing."""
    data = _data(WESTMOOR)
    if field == "safeguarding_inspection":
        del data["inspections"][1][name]
        data[field] = {"kind": "inspection of safeguarding and looked after children", "year": 2009, "safeguarding": "inadequate",
                       name: value}
    else:
        data[field] = {"year": 2009, "strengths": 4, "areas_for_development": 2, "areas_for_priority_action": 0, name: value}
    return data


@pytest.mark.parametrize("field, name, value, line", [
    ("unannounced_inspection", "effective_action_to_safeguard", True, "effective_action_to_safeguard: true"),
    ("safeguarding_inspection", "looked_after_children", "good", "looked_after_children: good")],
    ids=["effective action", "looked after children"])
def test_a_single_field_stating_what_the_history_is_silent_on_is_refused_saying_it_would_be_lost(field, name, value, line):
    text = yaml.safe_dump(_history_silent_on(field, name, value), sort_keys=False)
    with pytest.raises(ProfileError) as refused:
        parse_profile(text, "profile.yaml")
    [problem] = refused.value.problems
    lines = text.splitlines()
    assert (problem.code, problem.line) == ("profile-contradiction", lines.index(f"  {line}", lines.index(f"{field}:")) + 1)
    assert problem.message.startswith(f"{field}.{name} is {value!r}, but the latest such inspection in 'inspections' at the "
                                      "evidence date 2010-08-18")
    assert problem.message.endswith("does not state it; the measures and the letter read the history, so the single field's "
                                    "statement would otherwise be lost")


def test_a_count_both_parts_state_differently_is_a_contradiction():
    data = _single_field_beside_the_history({"strengths": 0})
    with pytest.raises(ProfileError) as refused:
        parse_profile(yaml.safe_dump(data, sort_keys=False), "profile.yaml")
    assert [p.message for p in refused.value.problems] == [
        "unannounced_inspection.strengths is 0, but the latest such inspection in 'inspections' at the evidence date 2010-08-18 "
        "(inspections.0, 10 June 2009) says 4"]
