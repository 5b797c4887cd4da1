"""The pipeline: load -> measures -> inference -> decision, returning the decision with its trace."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from . import __version__
from .conditions import first_failing, resolve
from .decision import apply_limits, stage_grade, table_row
from .inference import session
from .judgement import ProposedJudgement, apply_judgement, judgement_warranted
from .load import LoadedProfile, LoadedRuleset, load_profile, ruleset_for
from .measures import derive_measures
from .ruleset import Condition, Ruleset
from .templates import render
from .trace import (BandCombined, Decision, Evidence, GradeAssigned, LimitApplied, LimitOutcome, MeasureDerived,
                    RuleFired, RuleNotFired, RulesetRef)


def evaluate_file(profile_path: Path | str, ruleset_path: Path | str | None = None,
                  judgement: ProposedJudgement | None = None) -> Decision:
    """Evaluate a profile file with the ruleset for its year (or the one given), and any judgement."""
    loaded = load_profile(profile_path)
    ruleset = ruleset_for(loaded, ruleset_path)
    return evaluate(loaded, ruleset, judgement)


def evaluate(loaded: LoadedProfile, loaded_ruleset: LoadedRuleset, judgement: ProposedJudgement | None = None) -> Decision:
    """The decision: proposed band, limits, then any judgement (refused with JudgementError outside policy)."""
    profile, ruleset = loaded.profile, loaded_ruleset.ruleset
    measures = derive_measures(profile, loaded_ruleset.catalogue, ruleset)
    values = measures.values
    trace: list[Any] = [MeasureDerived(measure=name, value=value, inputs=measures.inputs[name])
                        for name, value in sorted(values.items())]

    with session(loaded_ruleset) as facts:
        fired = facts.assert_measures(values)
        grades, grade_rules = {}, {}
        for stage, spec in ruleset.grades.items():
            grades[stage], grade_rules[stage] = stage_grade(ruleset, stage, fired)
        fired_rows = facts.assert_grades(grades["settings"], grades["indicators"])

    for rule in ruleset.rules:
        trace.append(_rule_event(rule, ruleset, values, fired))
    for stage, spec in ruleset.grades.items():
        trace.append(GradeAssigned(stage=stage, grade=grades[stage], rule_id=grade_rules[stage], hit_policy=spec.hit_policy))
    row_id, proposed = table_row(ruleset, fired_rows)
    trace.append(BandCombined(table_id=ruleset.decision_table.id, row_id=row_id, hit_policy=ruleset.decision_table.hit_policy,
                              grades=grades, band=proposed))

    limits_by_id = {limit.id: limit for limit in ruleset.limits}
    outcomes = []
    for step in apply_limits(ruleset, proposed, fired):
        limit = limits_by_id[step.limit_id]
        because = render(limit.because, values, ruleset.proportions)
        effect = limit.effect.model_dump(exclude_none=True)
        trace.append(LimitApplied(limit_id=limit.id, title=limit.title, effect=effect, band_before=step.band_before,
                                  band_after=step.band_after, binding=step.band_after < step.band_before,
                                  safeguarding=limit.safeguarding, evidence=_evidence(limit.when, ruleset, values),
                                  because=because))
        outcomes.append(LimitOutcome(limit_id=limit.id, title=limit.title, effect=effect, band_before=step.band_before,
                                     band_after=step.band_after, binding=step.band_after < step.band_before,
                                     safeguarding=limit.safeguarding, because=because))
    for limit in ruleset.limits:
        if limit.id not in fired:
            trace.append(_not_fired(limit.id, limit.title, "limits", None, limit.when, ruleset, values))
    limited = outcomes[-1].band_after if outcomes else proposed

    decision = Decision(
        authority=profile.authority.name, authority_code=profile.authority.code, year=profile.year,
        ruleset=RulesetRef(id=ruleset.id, version=ruleset.version, year=ruleset.year, content_hash=loaded_ruleset.content_hash,
                           catalogue_hash=loaded_ruleset.catalogue.content_hash, transitional=ruleset.transitional),
        input_hash=loaded.input_hash, engine_version=__version__, grades=grades, proposed_band=proposed,
        limits=outcomes, limited_band=limited, final_band=limited,
        band_words={band: step.words for band, step in ruleset.scale.items()},
        fired_rules=sorted(fired | fired_rows), trace=trace,
    )
    decision = decision.model_copy(update={"judgement_warranted": judgement_warranted(decision, loaded_ruleset)})
    return decision if judgement is None else apply_judgement(decision, judgement, loaded_ruleset)


def _evidence(conditions: list[Condition], ruleset: Ruleset, values: dict[str, Any]) -> list[Evidence]:
    out = []
    for condition in conditions:
        resolved = resolve(condition, ruleset)
        value = values.get(condition.measure)
        out.append(Evidence(measure=condition.measure, value=value, operator=condition.operator, threshold=resolved.threshold,
                            threshold_name=resolved.threshold_name, holds=condition.measure in values and resolved.holds(value)))
    return out


def _rule_event(rule, ruleset: Ruleset, values: dict[str, Any], fired: set[str]):
    if rule.id in fired:
        return RuleFired(rule_id=rule.id, title=rule.title, stage=rule.stage, grade=rule.grade,
                         evidence=_evidence(rule.when, ruleset, values), because=render(rule.because, values, ruleset.proportions))
    return _not_fired(rule.id, rule.title, rule.stage, rule.grade, rule.when, ruleset, values)


def _not_fired(rule_id, title, stage, grade, conditions, ruleset, values) -> RuleNotFired:
    failure = first_failing(conditions, ruleset, values)
    if failure is None:
        # The explanation disagrees with durable-rules; tests guard this, and the trace must not lie.
        raise RuntimeError(f"rule '{rule_id}' did not fire although all its conditions hold")
    c = failure.condition
    return RuleNotFired(rule_id=rule_id, title=title, stage=stage, grade=grade, reason=failure.reason,
                        failing=Evidence(measure=c.measure, value=failure.actual, operator=c.operator, threshold=c.threshold,
                                         threshold_name=c.threshold_name, holds=False))
