"""The evaluate path end to end: bands from the rules, the trace, the CLI's text and JSON."""
from __future__ import annotations

import json

import yaml

from engine import evaluate, evaluate_file, parse_profile, ruleset_for_year
from engine.inference.adapter import _fired


def _evaluate_text(text: str):
    loaded = parse_profile(text, "test.yaml")
    return evaluate(loaded, ruleset_for_year(loaded.profile.year, loaded.source))


def test_camden_proposes_and_gets_band_4_from_the_rules(examples):
    decision = evaluate_file(examples / "camden.yaml")
    assert (decision.proposed_band, decision.final_band) == (4, 4)
    assert decision.grades == {"settings": 4, "indicators": 4}
    assert decision.limits == []
    assert decision.ruleset.id == "csa-2009" and len(decision.ruleset.content_hash) == 64


def test_cambridgeshire_gets_band_3(examples):
    decision = evaluate_file(examples / "cambridgeshire.yaml")
    assert (decision.proposed_band, decision.final_band) == (3, 3)


def test_changing_the_secondary_schools_changes_camdens_band(examples):
    data = yaml.safe_load((examples / "camden.yaml").read_text())
    data["settings"]["secondary_schools"]["counts"] = {"outstanding": 0, "good": 3, "satisfactory": 5, "inadequate": 1}
    decision = _evaluate_text(yaml.safe_dump(data))
    assert decision.final_band < 4
    not_fired = {e.rule_id: e for e in decision.events("rule_not_fired")}
    failing = not_fired["settings_excellent"].failing
    assert (failing.measure, failing.value, failing.threshold) == ("settings.secondary_schools.count_inadequate", 1, 0)


def test_every_fired_rule_in_the_trace_names_its_evidence_and_sentence(examples):
    decision = evaluate_file(examples / "eastbridge-priority-actions.yaml")
    fired = decision.events("rule_fired")
    assert fired and all(e.because and e.because[0].isupper() for e in fired)
    grading = [e for e in fired if e.stage != "findings" and e.evidence]
    assert all(ev.holds and ev.value is not None for e in grading for ev in e.evidence)
    (limit,) = decision.events("limit_applied")
    assert (limit.limit_id, limit.band_before, limit.band_after, limit.binding) == ("limit_priority_actions", 3, 2, True)
    assert limit.evidence[0].value == 2 and "2 areas for priority action" in limit.because


def test_the_trace_records_measures_with_their_inputs(examples):
    decision = evaluate_file(examples / "camden.yaml")
    measures = {e.measure: e for e in decision.events("measure_derived")}
    secondary = measures["settings.secondary_schools.share_good_or_better"]
    assert secondary.inputs == {"count_good_or_better": 4, "count_total": 9}
    assert abs(secondary.value - 4 / 9) < 1e-12
    assert measures["settings.secondary_schools.vs_national"].value == "below"
    assert measures["indicators.count_gaps"].inputs["gaps"] == ["NI_58", "NI_61"]


def test_a_missing_indicator_is_a_gap_not_a_failure(examples):
    data = yaml.safe_load((examples / "camden.yaml").read_text())
    del data["indicators"]["NI_59"]
    decision = _evaluate_text(yaml.safe_dump(data))
    measures = {e.measure: e.value for e in decision.events("measure_derived")}
    assert measures["outcomes.staying_safe.count_gaps"] == 2  # NI_61 and now NI_59
    assert measures["outcomes.staying_safe.count_available"] == 9
    assert decision.final_band == 4


def test_a_limit_that_would_not_lower_the_band_is_recorded_as_not_binding(examples):
    data = yaml.safe_load((examples / "northfield-inadequate-safeguarding.yaml").read_text())
    data["unannounced_inspection"].update(areas_for_priority_action=1, effective_action_to_safeguard=False)
    decision = _evaluate_text(yaml.safe_dump(data))
    steps = [(l.limit_id, l.band_before, l.band_after, l.binding) for l in decision.limits]
    assert steps == [("limit_priority_actions", 3, 2, True), ("limit_safeguarding_inadequate", 2, 1, True)]
    assert decision.final_band == 1


def test_many_evaluations_in_one_process_carry_no_state(examples):
    first = [evaluate_file(examples / name).final_band for name in ("camden.yaml", "northfield-inadequate-safeguarding.yaml")]
    again = [evaluate_file(examples / name).final_band for name in ("camden.yaml", "northfield-inadequate-safeguarding.yaml")]
    assert first == again == [4, 1]
    assert _fired == {}  # every evaluation's state was deleted


def test_same_profile_same_input_hash_whatever_its_layout(examples):
    text = (examples / "camden.yaml").read_text()
    a = parse_profile(text, "a.yaml").input_hash
    b = parse_profile("# a comment\n" + text.replace("year: 2009", "year:   2009"), "b.yaml").input_hash
    assert a == b


def test_cli_prints_the_headline_and_the_reasons(run_cli, examples):
    code, out, err = run_cli("evaluate", examples / "camden.yaml")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Children's services annual rating 2009: London Borough of Camden"
    assert "  Proposed band   4 (performs excellently)   [band_from_grades: row both_excellent, settings 4 x indicators 4]" in lines
    assert "  Final band      4 (performs excellently)" in lines
    assert "  settings grade 4, from rule settings_excellent (Settings and services are excellent; hit policy: highest):" in lines
    assert any(l.startswith("  limit_priority_actions: unannounced_inspection.areas_for_priority_action = 0, needs at least") for l in lines)


def test_cli_json_has_the_bands_at_the_top_level(run_cli, examples):
    code, out, _ = run_cli("evaluate", examples / "northfield-inadequate-safeguarding.yaml", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["proposed_band"], data["final_band"]) == (3, 1)
    assert data["limits"][0]["limit_id"] == "limit_safeguarding_inadequate"
    assert {e["type"] for e in data["trace"]} >= {"measure_derived", "rule_fired", "rule_not_fired", "grade_assigned",
                                                  "band_combined", "limit_applied"}
