"""The pipeline: load -> measures -> inference -> combine (grades, band, limits) -> judgement, returning the
decision with its trace. "Load a profile, pick its ruleset, evaluate" is :func:`evaluate_text`; every
command and library entry point that starts from a file goes through it."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DefectError, JudgementError, Problem, ProfileError
from ..load.profile import ruleset_for_document, validate_profile
from ..load.yaml import read_text, read_yaml
from ..measures.derive import MeasureView, derive_batch
from ..model.conditions import first_failing, holds, resolve
from ..model.judgement import ProposedJudgement
from ..model.loaded import LoadedProfile, LoadedRuleset
from ..model.ruleset import Condition, Limit, Rule, Ruleset, Withhold
from ..model.source import SourceDocument
from ..model.trace import (
    BandCombined,
    Decision,
    Evidence,
    GradeAssigned,
    LimitApplied,
    LimitOutcome,
    RatingWithheld,
    RuleFired,
    RuleNotFired,
    RulesetRef,
    WithheldReason,
)
from ..model.wording import render
from ..version import __version__
from .combine import apply_limits, stage_grade, table_row
from .direction import direction_of_travel
from .inference import session
from .judgement import apply_judgement, judgement_warranted, withheld_problem


@dataclass(frozen=True)
class Evaluation:
    """One evaluated profile: what was loaded, the ruleset that rated it and the decision."""

    profile: LoadedProfile
    ruleset: LoadedRuleset
    decision: Decision


def evaluate_text(text: str, file: str, ruleset_path: Path | str | None = None,
                  judgement: ProposedJudgement | None = None) -> Evaluation:
    """Evaluate profile YAML with the ruleset given, else the one for its year, and any judgement."""
    return evaluate_document(read_yaml(text, file, ProfileError), ruleset_path, judgement)


def evaluate_document(doc: SourceDocument, ruleset_path: Path | str | None = None,
                      judgement: ProposedJudgement | None = None) -> Evaluation:
    """Evaluate a profile already read (from YAML, or a table's row), its values located in its file."""
    ruleset = ruleset_for_document(doc, ruleset_path)
    loaded = validate_profile(doc, ruleset.catalogue if ruleset else None)
    if ruleset is None:  # validate_profile has refused the year already; this only tells the type checker
        raise ProfileError([doc.problem("profile-invalid", "the assessment year is not a year", ("year",))])
    return Evaluation(loaded, ruleset, evaluate(loaded, ruleset, judgement))


def evaluate_file(profile_path: Path | str, ruleset_path: Path | str | None = None,
                  judgement: ProposedJudgement | None = None) -> Decision:
    """Evaluate a profile file with the ruleset for its year (or the one given), and any judgement."""
    return evaluate_text(read_text(profile_path, ProfileError), str(profile_path), ruleset_path, judgement).decision


def evaluate(loaded: LoadedProfile, loaded_ruleset: LoadedRuleset, judgement: ProposedJudgement | None = None) -> Decision:
    """The decision: proposed band, limits, then any judgement (refused with JudgementError outside policy); or,
    when a withhold rule fires, a withheld decision with no band."""
    (decision,) = evaluate_many([loaded], loaded_ruleset)
    if judgement is None:
        return decision
    if not decision.rated:
        raise JudgementError([withheld_problem(decision.withheld, loaded.source, "a judgement has no band to move")])
    judged = apply_judgement(decision, judgement, loaded_ruleset)
    return judged.model_copy(update={"direction": direction_of_travel(judged, loaded_ruleset.ruleset)})


def evaluate_many(profiles: Sequence[LoadedProfile], loaded_ruleset: LoadedRuleset) -> list[Decision]:
    """The decisions of a chunk of profiles under one ruleset, their measures derived together."""
    batch = derive_batch([loaded.profile for loaded in profiles], loaded_ruleset.catalogue, loaded_ruleset.ruleset.comparison)
    return [_decide(loaded, loaded_ruleset, batch.view(i)) for i, loaded in enumerate(profiles)]


def _decide(loaded: LoadedProfile, loaded_ruleset: LoadedRuleset, measures: MeasureView) -> Decision:
    profile, ruleset = loaded.profile, loaded_ruleset.ruleset
    values = measures.values
    with session(loaded_ruleset) as facts:
        fired = facts.assert_measures(values)
        withheld_by = [w for w in ruleset.withhold if w.id in fired]
        if not withheld_by:
            grade_rules = {stage: stage_grade(ruleset, stage, fired) for stage in ruleset.grading_stages}
            grades = {stage: rule.grade for stage, rule in grade_rules.items() if rule.grade is not None}
            fired_rows = facts.assert_grades(grades)

    trace: list[Any] = [_rule_event(rule, ruleset, values, fired) for rule in ruleset.rules]
    trace += [_withheld_event(w, ruleset, values) for w in withheld_by]
    trace += [_not_fired(w, ruleset, values) for w in ruleset.withhold if w.id not in fired]
    catalogue = loaded_ruleset.catalogue
    common: dict[str, Any] = dict(
        authority=profile.authority.name, authority_code=profile.authority.code, year=profile.year,
        ruleset=RulesetRef(id=ruleset.id, version=ruleset.version, year=ruleset.year, content_hash=loaded_ruleset.content_hash,
                           catalogue=catalogue.name, catalogue_hash=catalogue.content_hash, transitional=ruleset.transitional,
                           path=_absolute(loaded_ruleset.path)),
        input_hash=loaded.input_hash, engine_version=__version__, band_words={band: step.words for band, step in ruleset.scale.items()},
        previous_band=profile.previous_band,
    )
    if withheld_by:
        # No band is published, so none is combined, limited or judged; the rules' findings stay in the trace.
        reasons = [WithheldReason(rule_id=e.rule_id, title=e.title, because=e.because, evidence=e.evidence)
                   for e in trace if e.type == "rating_withheld"]
        not_limits = {rule.id for rule in ruleset.rules} | {w.id for w in ruleset.withhold}
        return Decision.with_measures(measures, **common, status="withheld", withheld=reasons, grades={}, proposed_band=None,
                                      limits=[], limited_band=None, final_band=None, fired_rules=sorted(fired & not_limits),
                                      trace=trace)

    trace += [GradeAssigned(stage=stage, grade=grades[stage], rule_id=rule.id, hit_policy=ruleset.stages[stage].hit_policy)
              for stage, rule in grade_rules.items()]
    row = table_row(ruleset, fired_rows)
    proposed = row.band
    trace.append(BandCombined(table_id=ruleset.decision_table.id, row_id=row.id, hit_policy=ruleset.decision_table.hit_policy,
                              grades=grades, band=proposed))

    outcomes = []
    for step in apply_limits(ruleset, proposed, fired):
        limit = step.limit
        because = render(limit.because, values, ruleset.proportions)
        effect = limit.effect.model_dump(exclude_none=True)
        trace.append(LimitApplied(limit_id=limit.id, title=limit.title, effect=effect, band_before=step.band_before,
                                  band_after=step.band_after, binding=step.binding, safeguarding=limit.safeguarding,
                                  evidence=_evidence(limit.when, ruleset, values), because=because))
        outcomes.append(LimitOutcome(limit_id=limit.id, title=limit.title, effect=effect, band_before=step.band_before,
                                     band_after=step.band_after, binding=step.binding, safeguarding=limit.safeguarding,
                                     because=because))
    trace += [_not_fired(limit, ruleset, values) for limit in ruleset.limits if limit.id not in fired]
    limited = outcomes[-1].band_after if outcomes else proposed

    decision = Decision.with_measures(measures, **common, grades=grades, proposed_band=proposed, limits=outcomes,
                                      limited_band=limited, final_band=limited, fired_rules=sorted(fired | fired_rows), trace=trace)
    decision = decision.model_copy(update={"judgement_warranted": judgement_warranted(decision, loaded_ruleset)})
    return decision.model_copy(update={"direction": direction_of_travel(decision, ruleset)})


def _absolute(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except OSError:
        return path


def _evidence(conditions: list[Condition], ruleset: Ruleset, values: dict[str, Any]) -> list[Evidence]:
    out = []
    for condition in conditions:
        resolved = resolve(condition, ruleset)
        out.append(Evidence(measure=condition.measure, value=values.get(condition.measure), operator=condition.operator,
                            threshold=resolved.threshold, threshold_name=resolved.threshold_name,
                            holds=holds(condition, ruleset, values)))
    return out


def _withheld_event(withhold: Withhold, ruleset: Ruleset, values: dict[str, Any]) -> RatingWithheld:
    return RatingWithheld(rule_id=withhold.id, title=withhold.title, evidence=_evidence(withhold.when, ruleset, values),
                          because=render(withhold.because, values, ruleset.proportions))


def _rule_event(rule: Rule, ruleset: Ruleset, values: dict[str, Any], fired: set[str]) -> RuleFired | RuleNotFired:
    if rule.id in fired:
        return RuleFired(rule_id=rule.id, title=rule.title, stage=rule.stage, grade=rule.grade,
                         evidence=_evidence(rule.when, ruleset, values), because=render(rule.because, values, ruleset.proportions))
    return _not_fired(rule, ruleset, values)


def _not_fired(item: Rule | Limit | Withhold, ruleset: Ruleset, values: dict[str, Any]) -> RuleNotFired:
    failure = first_failing(item.when, ruleset, values)
    if failure is None:  # the explanation disagrees with durable-rules; tests guard this, and the trace must not lie
        raise DefectError([Problem("explanation-mismatch", f"rule '{item.id}' did not fire although all its conditions hold")])
    c = failure.condition
    stage, grade = (item.stage, item.grade) if isinstance(item, Rule) else ("limits" if isinstance(item, Limit) else "withhold", None)
    return RuleNotFired(rule_id=item.id, title=item.title, stage=stage, grade=grade, reason=failure.reason,
                        failing=Evidence(measure=c.measure, value=failure.actual, operator=c.operator, threshold=c.threshold,
                                         threshold_name=c.threshold_name, holds=False))
