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

import math
from typing import Any

from ..errors import DefectError, Problem
from ..model.ruleset import Condition, Operator, Ruleset
from .conditions import resolve

MEASURES, GRADES = "measures", "grades"
INT64 = 2**63  # durable-rules reads integers into a signed 64-bit integer

# The ruleset's operators in durable-rules' terms; equality is a plain field test.
DURABLE_OPERATORS: dict[Operator, str] = {"at_least": "$gte", "at_most": "$lte", "above": "$gt", "below": "$lt",
                                          "not_equals": "$neq"}


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


def condition_test(condition: Condition, ruleset: Ruleset) -> dict[str, Any]:
    resolved = resolve(condition, ruleset)
    key = fact_key(resolved.measure)
    threshold = durable_number(resolved.threshold)
    if resolved.operator == "equals":
        return {key: threshold}
    return {DURABLE_OPERATORS[resolved.operator]: {key: threshold}}


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
    compiled: dict[str, dict[str, Any]] = {name: {"all": [_pattern(kind, [])], "run": name} for name, kind in CATCH_ALL.items()}
    for item in ruleset.conditioned:
        compiled[item.id] = {"all": [_pattern(MEASURES, [condition_test(c, ruleset) for c in item.when])], "run": item.id}
    for row in ruleset.decision_table.rows:
        compiled[row.id] = {"all": [_pattern(GRADES, row_tests(row.grades))], "run": row.id}
    return compiled


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
