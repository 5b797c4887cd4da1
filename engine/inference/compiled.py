"""A ruleset in durable-rules' terms: the JSON the adapter registers (engine.inference.adapter), the form
`rules check` measures against the inference engine's limits (engine.inference.limits), and the same
compiled conditions evaluated in plain Python for analyses that ask "would this rule fire at value x"
(:class:`CompiledRuleset`). Plain data: nothing here imports durable.

Grading rules, findings and limits read one fact of measures; decision-table rows read one fact of
grades. Each rule is ``{"all": [{"m": {"$and": [{"kind": ...}, test, ...]}}], "run": id}``: the kind
first, then the rule's tests in its order, so rules that begin alike share the engine's first nodes.

durable-rules 2.0.28 reads numbers from the JSON text that Python's ``json.dumps`` writes, and misreads
some (measured in engine/inference/NOTES.md): an integer beyond 64 bits is silently clamped,
and a float written with an exponent but no decimal point (``1e+16``, ``5e-05``) is refused (error 204).
:func:`durable_number` gives each number in a form the engine reads exactly, or None where there is none.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import DefectError, Problem
from ..model.ruleset import NUMERIC_OPERATORS, Condition, Operator, Ruleset

MEASURES, GRADES = "measures", "grades"
INT64 = 2**63  # durable-rules reads integers into a signed 64-bit integer

# The ruleset's operators in durable-rules' terms; equality is a plain field test.
DURABLE_OPERATORS: dict[Operator, str] = {"at_least": "$gte", "at_most": "$lte", "above": "$gt", "below": "$lt",
                                          "not_equals": "$neq"}


# The condition that holds exactly when another does not (for a rule or limit that must stop firing).
NEGATION: dict[Operator, Operator] = {"at_least": "below", "below": "at_least", "at_most": "above", "above": "at_most",
                                      "equals": "not_equals", "not_equals": "equals"}


@dataclass(frozen=True)
class Resolved:
    """A condition as the ruleset states it, its threshold resolved once (a named proportion to its number)."""

    measure: str
    operator: Operator
    threshold: Any  # a number for numeric operators, else the literal
    threshold_name: str | None  # the named proportion, when the rule used one

    def holds(self, value: Any) -> bool:
        """Whether a value meets the condition, by its compiled test (:func:`meets`): the one meaning of a condition."""
        return value is not None and meets(self.test, {fact_key(self.measure): value})

    @functools.cached_property
    def test(self) -> dict[str, Any]:
        return resolved_test(self)

    def negated(self) -> Resolved:
        return Resolved(self.measure, NEGATION[self.operator], self.threshold, self.threshold_name)


def resolve(condition: Condition, ruleset: Ruleset) -> Resolved:
    threshold = condition.threshold
    name = None
    if condition.operator in NUMERIC_OPERATORS and isinstance(threshold, str):
        name = threshold
        threshold = ruleset.proportions[threshold]
    return Resolved(condition.measure, condition.operator, threshold, name)


def fact_key(measure: str) -> str:
    """Measure names are dotted; durable-rules reads dots as nested paths, so flatten them."""
    return measure.replace(".", "__")


def readable(value: float) -> bool:
    """True when durable-rules reads this float's JSON text (``repr``) exactly."""
    text = repr(value)
    return math.isfinite(value) and ("e" not in text or "." in text)


def durable_number(value: Any) -> Any:
    """The value as durable-rules should receive it: a float it cannot read as written but that is a whole
    number within 64 bits becomes that int (the same number); None when no exact form exists; anything
    else unchanged."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, int):
        return value if -INT64 < value < INT64 else None
    if readable(value):
        return value
    if value.is_integer() and -INT64 < value < INT64:
        return int(value)
    return None


def durable_fact_value(value: Any, thresholds: frozenset[float]) -> Any:
    """A measure's value as a fact may carry it. A float with no exact form (``5e-05``) moves to a neighbouring
    float that has one; the ruleset's thresholds are all readable (``rules check`` sees to it), so the value
    is none of them, and choosing a neighbour that is not a threshold either keeps every comparison as it was:
    no float lies between a number and its neighbour."""
    number = durable_number(value)
    if number is not None:
        return number
    if isinstance(value, float):
        for neighbour in (math.nextafter(value, math.inf), math.nextafter(value, -math.inf)):
            if neighbour not in thresholds and readable(neighbour):
                return neighbour
    # Unreachable for values the models admit (bounded counts and numbers); never let durable-rules misread one.
    raise DefectError([Problem("inference-limit", f"durable-rules cannot be given the measure value {value!r} exactly")])


def resolved_test(resolved: Resolved) -> dict[str, Any]:
    """A condition's test as durable-rules receives it."""
    key = fact_key(resolved.measure)
    threshold = durable_number(resolved.threshold)
    if threshold is None:  # no exact form: `rules check` refuses it before durable-rules sees it; plain Python reads it as is
        threshold = resolved.threshold
    if resolved.operator == "equals":
        return {key: threshold}
    return {DURABLE_OPERATORS[resolved.operator]: {key: threshold}}


def condition_test(condition: Condition, ruleset: Ruleset) -> dict[str, Any]:
    return resolved_test(resolve(condition, ruleset))


def meets(test: dict[str, Any], fact: Mapping[str, Any]) -> bool:
    """Whether a compiled test holds for a fact, read as durable-rules reads it: an absent field meets no test
    (not even ``$neq``), a comparison holds only between numbers, ``$and``/``$or`` combine. This is how the
    analyses ask "would this rule fire at value x" without registering a ruleset for each x; tests hold it
    equal to what durable-rules fires."""
    (operator, inner), = test.items()
    if operator == "$and":
        return all(meets(part, fact) for part in inner)
    if operator == "$or":
        return any(meets(part, fact) for part in inner)
    if not operator.startswith("$"):
        return operator in fact and bool(fact[operator] == inner)
    (key, threshold), = inner.items()
    if key not in fact:
        return False
    value = fact[key]
    if operator == "$neq":
        return bool(value != threshold)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return {"$gte": value >= threshold, "$lte": value <= threshold, "$gt": value > threshold, "$lt": value < threshold}[operator]


@dataclass(frozen=True)
class Seen:
    """One condition of a rule as the engine saw it for one profile: the value against the resolved threshold."""

    condition: Resolved
    value: Any  # None when the measure is not available
    available: bool
    holds: bool

    @property
    def reason(self) -> Literal["not available", "threshold not met"]:
        return "not available" if not self.available else "threshold not met"


@dataclass(frozen=True)
class CompiledCondition:
    resolved: Resolved  # the condition as the ruleset states it, its threshold resolved once
    key: str  # the fact's field
    test: dict[str, Any]  # as durable-rules receives it

    def holds(self, values: Mapping[str, Any]) -> bool:
        measure = self.resolved.measure
        return measure in values and values[measure] is not None and meets(self.test, {self.key: values[measure]})

    def seen(self, values: Mapping[str, Any]) -> Seen:
        return Seen(self.resolved, values.get(self.resolved.measure), self.resolved.measure in values, self.holds(values))


@dataclass(frozen=True)
class Fired:
    """What fired for one profile. ``rules``: the rules, findings, limits and withhold rules that fired on its
    measures; ``rows``: the decision-table rows that fire for a combination of grades (a second fact);
    ``seen``: each of those items' conditions as seen (filled when the firing is to be explained)."""

    rules: frozenset[str]
    rows: Callable[[Mapping[str, int]], frozenset[str]]
    seen: Mapping[str, tuple[Seen, ...]] = field(default_factory=dict)

    def failing(self, item_id: str) -> Seen | None:
        """The first condition, in the rule's order, that did not hold; None when all held."""
        return next((s for s in self.seen[item_id] if not s.holds), None)


class CompiledRuleset:
    """A ruleset compiled once: each rule's, finding's, limit's and withhold rule's conditions (resolved, with
    the test durable-rules receives) and each decision-table row's tests. The adapter registers
    :meth:`durable`; :meth:`fire` evaluates the same tests in plain Python."""

    def __init__(self, ruleset: Ruleset):
        self.ruleset = ruleset
        self.conditions: dict[str, tuple[CompiledCondition, ...]] = {}
        for item in ruleset.conditioned:
            resolved = [resolve(c, ruleset) for c in item.when]
            self.conditions[item.id] = tuple(CompiledCondition(r, fact_key(r.measure), resolved_test(r)) for r in resolved)
        self.row_tests = {row.id: row_tests(row.grades) for row in ruleset.decision_table.rows}

    def seen(self, values: Mapping[str, Any]) -> dict[str, tuple[Seen, ...]]:
        return {item_id: tuple(c.seen(values) for c in conditions) for item_id, conditions in self.conditions.items()}

    def fire(self, values: Mapping[str, Any], *, explain: bool = False) -> Fired:
        """What fires on these measures, and the rows for grades, evaluated on the compiled tests."""
        fired = frozenset(item_id for item_id, conditions in self.conditions.items() if all(c.holds(values) for c in conditions))
        return Fired(fired, self.fire_rows, self.seen(values) if explain else {})

    def fire_rows(self, grades: Mapping[str, int]) -> frozenset[str]:
        return frozenset(row_id for row_id, tests in self.row_tests.items() if all(meets(t, grades) for t in tests))

    def durable(self) -> dict[str, dict[str, Any]]:
        """The durable-rules definition (see :func:`compile_ruleset`)."""
        compiled: dict[str, dict[str, Any]] = {name: {"all": [_pattern(kind, [])], "run": name} for name, kind in CATCH_ALL.items()}
        for item_id, conditions in self.conditions.items():
            compiled[item_id] = {"all": [_pattern(MEASURES, [c.test for c in conditions])], "run": item_id}
        for row_id, tests in self.row_tests.items():
            compiled[row_id] = {"all": [_pattern(GRADES, tests)], "run": row_id}
        return compiled


def _pattern(kind: str, tests: list[dict[str, Any]]) -> dict[str, Any]:
    # The kind discriminator keeps measures, grades and any other fact from matching each other's rules.
    tests = [{"kind": kind}] + tests
    return {"m": tests[0] if len(tests) == 1 else {"$and": tests}}


def row_tests(grades: dict[str, list[int]]) -> list[dict[str, Any]]:
    """A decision-table row's tests: per grading stage, its one grade, or an ``$or`` of the grades it covers."""
    tests: list[dict[str, Any]] = []
    for stage, covered in grades.items():
        options: list[dict[str, Any]] = [{stage: grade} for grade in covered]
        tests.append(options[0] if len(options) == 1 else {"$or": options})
    return tests


# Rules that match every fact of their kind and record nothing. durable-rules crashes the process when a state
# whose facts never matched a rule is deleted; with these, every fact matches one. Their ids cannot be a
# ruleset's (rule ids start with a letter), and the adapter never records their actions as fired.
CATCH_ALL = {f"__any_{kind}": kind for kind in (MEASURES, GRADES)}


def compile_ruleset(ruleset: Ruleset) -> dict[str, dict[str, Any]]:
    """The durable-rules definition of a ruleset: one rule per grading rule, finding, limit and table row, and
    the catch-all rules."""
    return CompiledRuleset(ruleset).durable()


def measure_tests(ruleset: Ruleset) -> list[list[dict[str, Any]] | None]:
    """For each rule, finding and limit in order, its tests on the measures fact (after the kind), as compiled;
    None for one that names a proportion the ruleset does not define (`rules check` reports that itself)."""
    out: list[list[dict[str, Any]] | None] = []
    for item in ruleset.conditioned:
        try:
            out.append([condition_test(c, ruleset) for c in item.when])
        except KeyError:
            out.append(None)
    return out


def thresholds(ruleset: Ruleset) -> frozenset[float]:
    """Every numeric threshold the compiled rules compare a measure with."""
    found = set()
    for item in ruleset.conditioned:
        for condition in item.when:
            value = resolve(condition, ruleset).threshold
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                found.add(float(value))
    return frozenset(found)
