"""The trace grouped by stage for reading: each grading stage, findings, the decision table, the limits."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..model.ruleset import Ruleset
from ..model.trace import Decision


@dataclass
class ReasonStage:
    key: str
    title: str
    summary: str = ""
    deciding: str | None = None  # the rule that set the stage's grade
    fired: list[Any] = field(default_factory=list)  # RuleFired, LimitApplied or RatingWithheld events
    not_fired: list[Any] = field(default_factory=list)  # RuleNotFired events


def reason_stages(d: Decision, ruleset: Ruleset, user: Callable[[str], str] = str) -> list[ReasonStage]:
    """The stages in order; ``user`` escapes the text an assessor gave (the assessor and reason) for the medium."""
    words = d.band_words
    fired = d.events("rule_fired")
    not_fired = d.events("rule_not_fired")
    stages = []
    assigned = {e.stage: e for e in d.events("grade_assigned")}
    for key, spec in ruleset.stages.items():
        stage = ReasonStage(key, spec.title, fired=[e for e in fired if e.stage == key], not_fired=[e for e in not_fired if e.stage == key])
        event = assigned.get(key)
        if event is not None:
            stage.summary = f"Grade {event.grade}, from rule {event.rule_id} (hit policy: {event.hit_policy})."
            stage.deciding = event.rule_id
        elif spec.grades:
            stage.summary = "No grade: the rating is withheld."
        elif not stage.fired and not stage.not_fired:
            continue
        else:
            stage.summary = "Sentences for the letter; they set no grade."
        stages.append(stage)
    for combined in d.events("band_combined"):
        grades = " × ".join(f"{k} {v}" for k, v in combined.grades.items())
        stages.append(ReasonStage("decision_table", ruleset.decision_table.title,
                                  f"{grades} → row {combined.row_id} (hit policy: {combined.hit_policy}) → proposed band "
                                  f"{combined.band} ({words[combined.band]})."))
    if d.rated:
        limits = ReasonStage("limits", "Limits, in the order applied",
                             "No limit applies." if not d.limits else f"The band after every limit is {d.limited_band} ({d.words(d.limited_band)}).")
        limits.fired = d.events("limit_applied")
        limits.not_fired = [e for e in not_fired if e.stage == "limits"]
        stages.append(limits)
    if ruleset.withhold:
        withheld = ReasonStage("withhold", "Conditions that withhold the rating",
                               "The rating is withheld: no band is published." if not d.rated else "None applies: the rating is published.")
        withheld.fired = d.events("rating_withheld")
        withheld.not_fired = [e for e in not_fired if e.stage == "withhold"]
        stages.append(withheld)
    for event in d.events("judgement_applied"):
        stages.append(ReasonStage("judgement", "Professional judgement",
                                  f"{user(event.assessor)} moved the band from {event.band_before} to {event.band_after}: "
                                  f"{user(event.reason)}"))
    return stages


def passed_over(event: Any) -> bool:
    """A grading rule that fired but that its stage's hit policy did not choose: its sentence is no finding."""
    return event.type == "rule_fired" and event.chosen is False


def fired_note(event: Any, d: Decision) -> str:
    """What a reader must know beside a fired rule or limit: that the hit policy chose another rule (so this
    rule's sentence is not the decision's), or that a limit binds with another though it did not lower the band."""
    if passed_over(event):
        return f"fired, but the hit policy chose {event.chosen_rule}: this sentence is not a finding"
    if event.type == "limit_applied" and event.holds_alone and not event.binding:
        return f"binds too: on its own it would hold the band at {d.limited_band}"
    return ""


def chart_thresholds(ruleset: Ruleset) -> dict[str, float]:
    """The named proportions that rules compare outcomes' shares of indicators against, for the chart."""
    names = {c.threshold for rule in ruleset.conditioned for c in rule.when
             if c.measure.startswith("outcomes.") and c.measure.endswith(".share_in_line_or_above")
             and isinstance(c.threshold, str) and c.threshold in ruleset.proportions}
    return {name: ruleset.proportions[name] for name in sorted(names, key=lambda n: ruleset.proportions[n])}
