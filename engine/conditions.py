"""Conditions as the ruleset states them: thresholds resolved, checked in Python for explanations.

durable-rules decides which rules fire. :func:`first_failing` only explains why a rule did *not*
fire; tests check over generated profiles that it agrees with what durable-rules fired.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .ruleset import OPERATOR_WORDS, Condition, Ruleset

NUMERIC_OPERATORS = ("at_least", "at_most", "above", "below")


@dataclass(frozen=True)
class Resolved:
    measure: str
    operator: str
    threshold: Any  # a number for numeric operators, else the literal
    threshold_name: str | None  # the named proportion, when the rule used one

    def holds(self, value: Any) -> bool:
        if self.operator in NUMERIC_OPERATORS:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return False
            return {"at_least": value >= self.threshold, "at_most": value <= self.threshold,
                    "above": value > self.threshold, "below": value < self.threshold}[self.operator]
        if self.operator == "equals":
            return value == self.threshold
        return value != self.threshold

    def describe(self) -> str:
        threshold = f"{self.threshold_name.replace('_', ' ')} ({self.threshold:g})" if self.threshold_name else str(self.threshold)
        return f"{self.measure} {OPERATOR_WORDS[self.operator]} {threshold}"


def resolve(condition: Condition, ruleset: Ruleset) -> Resolved:
    threshold = condition.threshold
    name = None
    if condition.operator in NUMERIC_OPERATORS and isinstance(threshold, str):
        name = threshold
        threshold = ruleset.proportions[threshold]
    return Resolved(condition.measure, condition.operator, threshold, name)


@dataclass(frozen=True)
class Failure:
    condition: Resolved
    actual: Any  # None when the measure is not available
    reason: str  # "not available" | "threshold not met"


def first_failing(conditions: list[Condition], ruleset: Ruleset, measures: dict[str, Any]) -> Failure | None:
    """The first condition, in the rule's order, that the measures do not satisfy; None if all hold."""
    for condition in conditions:
        resolved = resolve(condition, ruleset)
        if condition.measure not in measures:
            # A missing measure satisfies no condition, not even not_equals: durable-rules matches
            # nothing on an absent field, and the trace must say the same.
            return Failure(resolved, None, "not available")
        if not resolved.holds(measures[condition.measure]):
            return Failure(resolved, measures[condition.measure], "threshold not met")
    return None
