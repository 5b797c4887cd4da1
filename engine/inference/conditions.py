"""Conditions as the ruleset states them, with thresholds resolved, checked in plain Python.

durable-rules decides which rules fire. :func:`first_failing` only explains why a rule did *not* fire (and
the checks and explanations reason about conditions with :meth:`Resolved.holds`); tests check over
generated profiles that it agrees with what durable-rules fired.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..model.ruleset import NUMERIC_OPERATORS, Condition, Operator, Ruleset

# The condition that holds exactly when another does not (for a rule or limit that must stop firing).
NEGATION: dict[Operator, Operator] = {"at_least": "below", "below": "at_least", "at_most": "above", "above": "at_most",
                                      "equals": "not_equals", "not_equals": "equals"}


@dataclass(frozen=True)
class Resolved:
    measure: str
    operator: Operator
    threshold: Any  # a number for numeric operators, else the literal
    threshold_name: str | None  # the named proportion, when the rule used one

    def holds(self, value: Any) -> bool:
        if self.operator in NUMERIC_OPERATORS:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return False
            return {"at_least": value >= self.threshold, "at_most": value <= self.threshold,
                    "above": value > self.threshold, "below": value < self.threshold}[self.operator]
        if self.operator == "equals":
            return bool(value == self.threshold)
        return bool(value != self.threshold)

    def negated(self) -> Resolved:
        return Resolved(self.measure, NEGATION[self.operator], self.threshold, self.threshold_name)


def resolve(condition: Condition, ruleset: Ruleset) -> Resolved:
    threshold = condition.threshold
    name = None
    if condition.operator in NUMERIC_OPERATORS and isinstance(threshold, str):
        name = threshold
        threshold = ruleset.proportions[threshold]
    return Resolved(condition.measure, condition.operator, threshold, name)


def holds(condition: Condition, ruleset: Ruleset, measures: dict[str, Any]) -> bool:
    """A missing measure satisfies no condition, not even not_equals: durable-rules matches nothing on an
    absent field, and the explanations must say the same."""
    return condition.measure in measures and resolve(condition, ruleset).holds(measures[condition.measure])


@dataclass(frozen=True)
class Failure:
    condition: Resolved
    actual: Any  # None when the measure is not available
    reason: Literal["not available", "threshold not met"]


def first_failing(conditions: list[Condition], ruleset: Ruleset, measures: dict[str, Any]) -> Failure | None:
    """The first condition, in the rule's order, that the measures do not satisfy; None if all hold."""
    for condition in conditions:
        resolved = resolve(condition, ruleset)
        if condition.measure not in measures:
            return Failure(resolved, None, "not available")
        if not resolved.holds(measures[condition.measure]):
            return Failure(resolved, measures[condition.measure], "threshold not met")
    return None
