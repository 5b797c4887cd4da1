"""The trace has a structure a tool can follow: ids, parents and the rule's place in its ruleset file; it says
which fired rule each hit policy chose (a grade ladder's floor rule fires for everyone, and its sentence is no
finding when a higher rule was chosen); two limits that cap to the same band are both named as binding; and
``--explain fails`` shows only what did not fire and why."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main
from engine.decide.combine import combine
from engine.decide.pipeline import evaluate_file
from engine.inference.compiled import CompiledRuleset, Fired
from engine.load.ruleset import ruleset_for_year
from engine.render.fails import fails, render_fails
from engine.render.markdown import render_report_markdown
from engine.render.review import review

ROOT = Path(__file__).resolve().parent.parent
CAMDEN = ROOT / "examples" / "camden.yaml"
FLOOR_SENTENCE = "Too few settings and services are good or better and too much provision is inadequate"


def test_every_event_has_a_unique_id_and_a_parent_in_the_same_trace():
    decision = evaluate_file(CAMDEN)
    events = decision.measure_events() + list(decision.trace)
    ids = [e.id for e in events]
    assert all(ids) and len(ids) == len(set(ids))
    assert {e.parent for e in events if e.parent is not None} <= set(ids)
    grade = next(e for e in decision.trace if e.type == "grade_assigned" and e.stage == "settings")
    assert grade.parent == "table:band_from_grades"
    assert next(e for e in decision.trace if e.id == "rule:settings_excellent").parent == "grade:settings"


def test_a_rule_event_names_the_line_of_its_rule_in_the_ruleset_file():
    decision = evaluate_file(CAMDEN)
    lines = (ROOT / "rules" / "csa-2009.yaml").read_text().splitlines()
    located = [e for e in decision.trace if e.type in ("rule_fired", "rule_not_fired", "limit_applied")]
    assert located
    for event in located:
        file, line, column = event.source.rsplit(":", 2)
        assert file == "rules/csa-2009.yaml"
        ident = event.limit_id if event.type == "limit_applied" else event.rule_id
        assert lines[int(line) - 1][int(column) - 1:].startswith(f"id: {ident}"), event.source


def test_the_floor_rule_fires_but_the_hit_policy_chose_a_higher_rule_and_its_sentence_is_no_finding():
    decision = evaluate_file(CAMDEN)
    floor = next(e for e in decision.events("rule_fired") if e.rule_id == "settings_poor")
    assert floor.chosen is False and floor.chosen_rule == "settings_excellent" and not floor.finding
    chosen = next(e for e in decision.events("rule_fired") if e.rule_id == "settings_excellent")
    assert chosen.chosen is True and chosen.chosen_rule is None
    finding = next(e for e in decision.events("rule_fired") if e.stage == "findings")
    assert finding.chosen is None and finding.finding
    data = json.loads(decision.model_dump_json())
    floor_json = next(e for e in data["trace"] if e.get("rule_id") == "settings_poor" and e["type"] == "rule_fired")
    assert floor_json["chosen"] is False and floor_json["chosen_rule"] == "settings_excellent"
    report = render_report_markdown(review(CAMDEN))
    assert FLOOR_SENTENCE not in report
    assert "fired, but the hit policy chose settings_excellent: this sentence is not a finding" in report


def test_two_limits_that_cap_to_the_same_band_both_bind():
    ruleset = ruleset_for_year(2009).ruleset
    compiled = CompiledRuleset(ruleset)
    caps = {"limit_staying_safe_indicators", "limit_enjoying_and_achieving_indicators"}
    top = frozenset({"settings_excellent", "settings_poor", "indicators_excellent", "indicators_poor"})
    both = combine(ruleset, Fired(top | caps, compiled.fire_rows))
    assert both.proposed_band == 4 and both.final_band == 2
    assert [s.binding for s in both.limits] == [True, False]  # only the first lowered the band
    assert {s.limit.id for s in both.binding} == caps  # but each on its own holds it at 2
    one = combine(ruleset, Fired(top | {"limit_staying_safe_indicators"}, compiled.fire_rows))
    assert {s.limit.id for s in one.binding} == {"limit_staying_safe_indicators"}
    # A step after a cap does not hold the band on its own: the cap did, so only the cap binds alone.
    step = combine(ruleset, Fired(top | {"limit_priority_actions", "limit_safeguarding_inadequate"}, compiled.fire_rows))
    assert step.final_band == 1 and {s.limit.id for s in step.binding} == {"limit_priority_actions", "limit_safeguarding_inadequate"}
    assert [s.holds_alone for s in step.limits] == [False, True]


def test_explain_fails_shows_only_what_did_not_fire_with_its_place_and_failing_condition():
    decision = evaluate_file(CAMDEN)
    failed = fails(decision)
    fired = set(decision.fired_rules)
    assert failed and not {e.rule_id for e in failed} & fired
    assert {e.rule_id for e in failed} == {e.rule_id for e in decision.events("rule_not_fired")}
    result = CliRunner().invoke(main, ["evaluate", str(CAMDEN), "--explain", "fails", "--no-audit"])
    assert result.exit_code == 0, result.output
    assert result.output == render_fails(decision)
    lines = result.output.splitlines()
    assert len(lines) == 1 + len(failed)
    assert "rules/csa-2009.yaml:" in lines[1] and "limit_safeguarding_inadequate (limits): safeguarding_inspection.safeguarding = "\
        "outstanding, needs equal to inadequate" in result.output
    as_json = CliRunner().invoke(main, ["evaluate", str(CAMDEN), "--explain", "fails", "--no-audit", "--format", "json"])
    assert [e["rule_id"] for e in json.loads(as_json.output)] == [e.rule_id for e in failed]


def test_of_two_fired_rules_giving_the_same_grade_the_one_declared_first_is_chosen_whatever_the_ids(tmp_path):
    """Kingsmere 2011 fires both rules for excellent provision for vulnerable children. The one declared first gives
    the grade's sentence; declared the other way round, the other does: the order an author reads, not the ids'."""
    from engine.paths import rules_dir

    text = (rules_dir() / "csa-2011.yaml").read_text(encoding="utf-8")
    first, second = text.index("  - id: vulnerable_excellent\n"), text.index("  - id: vulnerable_care_services_excellent\n")
    end = text.index("  - id: ", second + 1)
    swapped = text[:first] + text[second:end] + text[first:second] + text[end:]
    (tmp_path / "csa-2011.yaml").write_text(swapped, encoding="utf-8")
    example = ROOT / "examples" / "kingsmere-2011-excellent.yaml"

    def chosen(ruleset_path=None):
        decision = evaluate_file(example, ruleset_path)
        return {e.rule_id for e in decision.events("rule_fired") if e.stage == "vulnerable_children" and e.chosen}

    assert chosen() == {"vulnerable_excellent"}
    assert chosen(tmp_path / "csa-2011.yaml") == {"vulnerable_care_services_excellent"}
