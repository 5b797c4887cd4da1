"""The trace of a decision, written from its outcome (engine.decide.combine) and the conditions as seen when the
rules fired (engine.inference.compiled.Fired): the pipeline adds these events and computes nothing again.
The ids, parents and sources the events carry are described in engine.model.trace."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..inference.compiled import Fired, Seen
from ..model.loaded import LoadedRuleset
from ..model.ruleset import Limit, Rule, Ruleset, Withhold
from ..model.trace import (
    BandCombined,
    Evidence,
    GradeAssigned,
    LimitApplied,
    LimitOutcome,
    RatingWithheld,
    RuleFired,
    RuleNotFired,
)
from ..model.wording import render
from ..paths import rules_dir
from .combine import Outcome

_places: dict[tuple[str, str], dict[str, str]] = {}  # (file, content hash) -> event id -> file:line:col


def rule_places(loaded: LoadedRuleset) -> dict[str, str]:
    """Where each rule, limit and withhold rule is written in its ruleset file, by event id (worked out once a ruleset)."""
    key = (loaded.source.file, loaded.content_hash)
    if key not in _places:
        if len(_places) >= 64:
            del _places[next(iter(_places))]
        places, file = {}, shown_file(loaded.source.file)
        for item, (section, i) in zip(loaded.ruleset.conditioned, loaded.ruleset.conditioned_places, strict=True):
            line, column = loaded.source.locate((section, i))
            places[event_id(item)] = f"{file}:{line}:{column}"
        _places[key] = places
    return _places[key]


def shown_file(file: str) -> str:
    """A shipped ruleset as ``rules/<name>`` wherever the engine is installed (the same decision on every machine);
    any other ruleset file as it was given."""
    try:
        return f"rules/{Path(file).resolve().relative_to(rules_dir().resolve())}"
    except ValueError:
        return file


def event_id(item: Rule | Limit | Withhold) -> str:
    kind = "rule" if isinstance(item, Rule) else "limit" if isinstance(item, Limit) else "withhold"
    return f"{kind}:{item.id}"


def rule_events(ruleset: Ruleset, outcome: Outcome, values: dict[str, Any], places: dict[str, str]) -> list[Any]:
    """Every rule fired or not (saying which fired rule each stage's hit policy chose), the withhold rules."""
    fired = outcome.fired
    events: list[Any] = []
    for rule in ruleset.rules:
        common = dict(id=event_id(rule), source=places.get(event_id(rule)),
                      parent=f"grade:{rule.stage}" if ruleset.stages[rule.stage].grades else None)
        if rule.id not in fired.rules:
            events.append(_not_fired(rule, fired, common))
            continue
        chosen = outcome.grade_rules.get(rule.stage)
        events.append(RuleFired(**common, rule_id=rule.id, title=rule.title, stage=rule.stage, grade=rule.grade,
                                evidence=_evidence(fired.seen[rule.id]), because=render(rule.because, values, ruleset.proportions),
                                chosen=None if common["parent"] is None or chosen is None else chosen is rule,
                                chosen_rule=None if chosen is None or chosen is rule or common["parent"] is None else chosen.id))
    for w in ruleset.withhold:
        common = dict(id=event_id(w), source=places.get(event_id(w)))
        if w.id in fired.rules:
            events.append(RatingWithheld(**common, rule_id=w.id, title=w.title, evidence=_evidence(fired.seen[w.id]),
                                         because=render(w.because, values, ruleset.proportions)))
    events += [_not_fired(w, fired, dict(id=event_id(w), source=places.get(event_id(w))))
               for w in ruleset.withhold if w.id not in fired.rules]
    return events


def outcome_events(ruleset: Ruleset, outcome: Outcome, limits: list[LimitOutcome], places: dict[str, str]) -> list[Any]:
    """The grades, the band combined, the limits applied (as the decision records them, with their evidence) and
    those that did not fire (a rated outcome)."""
    assert outcome.row is not None
    table = ruleset.decision_table
    events: list[Any] = [GradeAssigned(id=f"grade:{stage}", parent=f"table:{table.id}", stage=stage, grade=rule.grade,
                                       rule_id=rule.id, hit_policy=ruleset.stages[stage].hit_policy)
                         for stage, rule in outcome.grade_rules.items() if rule.grade is not None]
    events.append(BandCombined(id=f"table:{table.id}", table_id=table.id, row_id=outcome.row.id, hit_policy=table.hit_policy,
                               grades=outcome.grades, band=outcome.row.band))
    for limit in limits:
        events.append(LimitApplied(**dict(limit), id=f"limit:{limit.limit_id}", source=places.get(f"limit:{limit.limit_id}"),
                                   evidence=_evidence(outcome.fired.seen[limit.limit_id])))
    events += [_not_fired(limit, outcome.fired, dict(id=event_id(limit), source=places.get(event_id(limit))))
               for limit in ruleset.limits if limit.id not in outcome.fired.rules]
    return events


def limit_outcomes(ruleset: Ruleset, outcome: Outcome, values: dict[str, Any]) -> list[LimitOutcome]:
    """The fired limits as the decision records them (the trace's ``limit_applied`` events carry the same, with evidence)."""
    return [LimitOutcome(limit_id=step.limit.id, title=step.limit.title, effect=step.limit.effect.model_dump(exclude_none=True),
                         band_before=step.band_before, band_after=step.band_after, binding=step.binding,
                         safeguarding=step.limit.safeguarding, because=render(step.limit.because, values, ruleset.proportions),
                         holds_alone=step.holds_alone)
            for step in outcome.limits]


def _evidence(seen: tuple[Seen, ...]) -> list[Evidence]:
    return [_one(s) for s in seen]


def _one(s: Seen) -> Evidence:
    c = s.condition
    return Evidence(measure=c.measure, value=s.value, operator=c.operator, threshold=c.threshold,
                    threshold_name=c.threshold_name, holds=s.holds)


def _not_fired(item: Rule | Limit | Withhold, fired: Fired, common: dict[str, Any]) -> RuleNotFired:
    failure = fired.failing(item.id)
    assert failure is not None  # the adapter has checked that the conditions as seen agree with what fired
    stage, grade = (item.stage, item.grade) if isinstance(item, Rule) else ("limits" if isinstance(item, Limit) else "withhold", None)
    return RuleNotFired(**common, rule_id=item.id, title=item.title, stage=stage, grade=grade, reason=failure.reason,
                        failing=_one(failure))
