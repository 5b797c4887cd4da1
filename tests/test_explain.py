"""Why not band N (issue 5): the obstacles, the limits that cap, and changes that, evaluated, give band N."""
from __future__ import annotations

import pytest
import yaml

from engine import evaluate, parse_profile, ruleset_for_year
from engine.explain.why_not import why_not


def _evaluate_data(data: dict):
    loaded = parse_profile(yaml.safe_dump(data, sort_keys=False), "changed.yaml")
    return evaluate(loaded, ruleset_for_year(loaded.profile.year, loaded.source))


@pytest.fixture(scope="module")
def cambridgeshire_4():
    from pathlib import Path

    return why_not(Path(__file__).resolve().parent.parent / "examples" / "cambridgeshire.yaml", 4)


def test_the_changes_for_cambridgeshire_give_band_4_when_the_changed_profile_is_evaluated(cambridgeshire_4):
    assert cambridgeshire_4.reached
    decision = _evaluate_data(cambridgeshire_4.changed_profile)  # evaluated afresh, through the whole engine
    assert (decision.grades, decision.final_band) == ({"settings": 4, "indicators": 4}, 4)


def test_the_obstacles_name_the_conditions_with_actual_value_and_threshold(cambridgeshire_4):
    failing = {(o.owner, o.evidence.measure): o for o in cambridgeshire_4.obstacles if not o.evidence.holds}
    share = failing[("settings_excellent", "settings.share_types_in_line_or_above_national")].evidence
    assert (round(share.value, 3), share.threshold, share.threshold_name) == (0.583, 0.65, "a_large_majority")
    inadequate = failing[("settings_excellent", "groups.vulnerable_children.count_inadequate")].evidence
    assert (inadequate.value, inadequate.threshold) == (1, 0)
    assert set(failing) == {("settings_excellent", "settings.share_types_in_line_or_above_national"),
                            ("settings_excellent", "groups.vulnerable_children.share_good_or_better"),
                            ("settings_excellent", "groups.vulnerable_children.count_inadequate"),
                            ("indicators_excellent", "indicators.share_in_line_or_above"),
                            ("indicators_excellent", "outcomes.enjoying_and_achieving.share_in_line_or_above")}
    # each has its own change, except where the changes made for an earlier condition already satisfied it
    assert not failing[("settings_excellent", "groups.vulnerable_children.count_inadequate")].change
    assert all(o.change for key, o in failing.items() if key[1] != "groups.vulnerable_children.count_inadequate")
    assert cambridgeshire_4.capping_limits == []


def test_the_smallest_change_for_the_share_of_setting_types_is_one_pupil_referral_unit(cambridgeshire_4):
    (obstacle,) = [o for o in cambridgeshire_4.obstacles if o.evidence.measure == "settings.share_types_in_line_or_above_national"]
    assert [text for _, text in obstacle.change] == ["3 of 4 pupil referral units good or better instead of 2"]


def test_every_change_is_needed_to_reach_the_band(cambridgeshire_4):
    """Undo any one changed piece of evidence and the changed profile no longer gives band 4."""
    original = yaml.safe_load(_example("cambridgeshire.yaml").read_text())
    changed = cambridgeshire_4.changed_profile
    counts = lambda evidence: {g: n for g, n in (evidence.get("counts") or {}).items() if n}
    edited = [("settings", k) for k, v in changed["settings"].items() if counts(v) != counts(original["settings"][k])]
    edited += [("indicators", k) for k, v in changed["indicators"].items() if v["value"] != original["indicators"][k]["value"]]
    assert len(edited) == 4  # special schools, pupil referral units and two indicators
    for section, key in edited:
        undone = yaml.safe_load(yaml.safe_dump(changed))
        undone[section][key] = original[section][key]
        assert _evaluate_data(undone).final_band < 4, key


def _example(name: str):
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "examples" / name


def test_a_limit_in_the_way_is_named_and_lifted_by_the_smallest_change(examples):
    answer = why_not(examples / "eastbridge-priority-actions.yaml", 3)
    assert answer.obstacles == []
    (limit,) = answer.capping_limits
    assert (limit.owner, limit.evidence.value, limit.evidence.threshold) == ("limit_priority_actions", 2, 1)
    assert answer.changes == ["unannounced inspection: areas for priority action 0 instead of 2"]
    assert _evaluate_data(answer.changed_profile).final_band == 3


def test_why_not_a_lower_band_finds_evidence_that_lowers_it(examples):
    answer = why_not(examples / "camden.yaml", 3)
    assert answer.reached
    assert _evaluate_data(answer.changed_profile).final_band == 3


def test_cli_explain_names_obstacles_and_changes(run_cli, examples):
    code, out, err = run_cli("explain", examples / "eastbridge-priority-actions.yaml", "--why-not", "3")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Why not band 3 (performs well) for Eastbridge City Council (fictional)?"
    assert ("  limit_priority_actions (Areas for priority action without effective action to safeguard children): "
            "unannounced_inspection.areas_for_priority_action = 2; needs below 1") in lines
    assert "      smallest change: unannounced inspection: areas for priority action 0 instead of 2" in lines
    assert lines[-1] == "  - unannounced inspection: areas for priority action 0 instead of 2"


def test_cli_explain_refuses_the_final_band_with_a_located_error(run_cli, examples):
    code, out, err = run_cli("explain", examples / "camden.yaml", "--why-not", "4")
    assert (code, out) == (2, "")
    assert err.startswith(f"{examples / 'camden.yaml'}:1:1: band-is-final: band 4 (performs excellently) is the band")


@pytest.mark.parametrize("band", ["0", "5", "-1"])
def test_cli_explain_refuses_a_band_off_the_rulesets_scale_at_the_scale(run_cli, examples, band):
    """The bands come from the ruleset in use (its `scale:`), not from the command line's own list."""
    code, out, err = run_cli("explain", examples / "camden.yaml", "--why-not", band)
    assert (code, out) == (2, "")
    ruleset = (examples.parent / "rules" / "csa-2009.yaml").resolve()
    line = next(i for i, text in enumerate(ruleset.read_text().splitlines(), 1) if text.startswith("scale:"))
    assert err.startswith(f"{ruleset}:{line + 1}:")
    assert f"band-not-on-scale: band {band} is not on the scale of ruleset csa-2009: its bands are 1 (performs poorly), " \
           "2 (performs adequately), 3 (performs well), 4 (performs excellently)" in err


def test_why_not_finds_the_history_edit_that_lifts_a_2011_cap(run_cli, examples):
    code, out, err = run_cli("explain", examples / "staffordshire-2011.yaml", "--why-not", "3")
    assert code == 0, err
    lines = out.splitlines()
    assert ("  limit_unresolved_priority_actions (An area for priority action not resolved by the evidence date): "
            "inspections.unresolved_priority_actions = 1; needs below 1") in lines
    assert lines[-1] == "  - the unannounced inspection of 2011-03-15: 1 area for priority action resolved by the evidence date"
    assert "the changed profile evaluated through the engine reaches band 3" in out


@pytest.fixture(scope="module")
def city_of_london_short_of_4(tmp_path_factory):
    """City of London 2009 (performs excellently, with no special school or pupil referral unit) with 40 more of its
    childminders inadequate: its settings fall to adequate, and only the second rule for excellent settings, the one
    for a council with no vulnerable provision to judge, can give grade 4 again."""
    from engine import write_case_profiles
    from engine.paths import rules_dir

    folder = tmp_path_factory.mktemp("city-of-london")
    write_case_profiles([str(rules_dir() / "cases/csa-2009/published/city-of-london-2009.yaml")], folder)
    data = yaml.safe_load((folder / "city-of-london-2009.yaml").read_text())
    data["settings"]["childminders"]["counts"]["inadequate"] += 40
    path = folder / "short.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_why_not_follows_the_way_to_a_grade_that_reaches_the_band_not_the_rule_declared_first(city_of_london_short_of_4):
    answer = why_not(city_of_london_short_of_4, 4)
    assert answer.decision.grades["settings"] == 2
    assert {o.owner for o in answer.obstacles if o.owner.startswith("settings")} == {"settings_excellent_without_vulnerable_provision"}
    assert answer.other_ways == {"settings": ["settings_excellent"]}
    # durable-rules, evaluating the changed profile afresh, fires the rule the answer followed
    decision = _evaluate_data(answer.changed_profile)
    assert decision.final_band == 4 and "settings_excellent_without_vulnerable_provision" in decision.fired_rules
    assert "settings_excellent" not in decision.fired_rules
    assert all(o.holds_after for o in answer.obstacles)  # every condition in the way holds in the changed profile


def test_the_answer_says_which_other_rules_give_the_grade_and_no_condition_left_failing_is_called_satisfied(run_cli,
                                                                                                             city_of_london_short_of_4):
    code, out, _ = run_cli("explain", city_of_london_short_of_4, "--why-not", "4")
    assert code == 0
    assert ("settings grade 4 is given by other rules too (settings_excellent): each way was tried, and this answer "
            "follows the one that reaches the band with the fewest changes") in out
    assert "groups.vulnerable_children.share_good_or_better" not in out  # the condition of the way not followed
