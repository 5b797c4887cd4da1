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
    fired: list[Any] = field(default_factory=list)  # RuleFired or LimitApplied events
    not_fired: list[Any] = field(default_factory=list)  # RuleNotFired events


def reason_stages(d: Decision, ruleset: Ruleset, user: Callable[[str], str] = str) -> list[ReasonStage]:
    """The stages in order; ``user`` escapes the text an assessor gave (the assessor and reason) for the medium."""
    words = d.band_words
    fired = d.events("rule_fired")
    not_fired = d.events("rule_not_fired")
    stages = []
    for event in d.events("grade_assigned"):
        stage = ReasonStage(event.stage, ruleset.stages[event.stage].title,
                            f"Grade {event.grade}, from rule {event.rule_id} (hit policy: {event.hit_policy}).")
        stage.deciding = event.rule_id
        stage.fired = [e for e in fired if e.stage == event.stage]
        stage.not_fired = [e for e in not_fired if e.stage == event.stage]
        stages.append(stage)
    graded = {s.key for s in stages}
    for key in dict.fromkeys(e.stage for e in fired + not_fired if e.stage not in graded and e.stage in ruleset.stages):
        stages.append(ReasonStage(key, ruleset.stages[key].title, "Sentences for the letter; they set no grade.",
                                  fired=[e for e in fired if e.stage == key], not_fired=[e for e in not_fired if e.stage == key]))
    combined = d.events("band_combined")[0]
    grades = " × ".join(f"{k} {v}" for k, v in combined.grades.items())
    stages.append(ReasonStage("decision_table", ruleset.decision_table.title,
                              f"{grades} → row {combined.row_id} (hit policy: {combined.hit_policy}) → proposed band "
                              f"{combined.band} ({words[combined.band]})."))
    limits = ReasonStage("limits", "Limits, in the order applied",
                         "No limit applies." if not d.limits else
                         f"The band after every limit is {d.limited_band} ({words[d.limited_band]}).")
    limits.fired = d.events("limit_applied")
    limits.not_fired = [e for e in not_fired if e.stage == "limits"]
    stages.append(limits)
    for event in d.events("judgement_applied"):
        stages.append(ReasonStage("judgement", "Professional judgement",
                                  f"{user(event.assessor)} moved the band from {event.band_before} to {event.band_after}: "
                                  f"{user(event.reason)}"))
    return stages


def chart_thresholds(ruleset: Ruleset) -> dict[str, float]:
    """The named proportions that rules compare outcomes' shares of indicators against, for the chart."""
    names = {c.threshold for rule in ruleset.conditioned for c in rule.when
             if c.measure.startswith("outcomes.") and c.measure.endswith(".share_in_line_or_above")
             and isinstance(c.threshold, str) and c.threshold in ruleset.proportions}
    return {name: ruleset.proportions[name] for name in sorted(names, key=lambda n: ruleset.proportions[n])}
