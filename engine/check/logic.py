"""Logical checks of a ruleset: rules and rows that can never fire, and limits whose order is not stated.
Run with the other checks (engine.check.ruleset) when a ruleset is loaded.

A rule can never fire when its conditions cannot all hold together: two conditions on one measure that
exclude each other (at least *a very large majority* and below *the majority*), or one condition outside
what the measure can be (a proportion above 1, a count below 0, a count strictly between two whole numbers).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import Problem
from ..inference.compiled import resolve
from ..model.loaded import LoadedRuleset
from ..model.measures import MeasureSpec, measure_catalogue
from ..model.ruleset import NUMERIC_OPERATORS, Condition, Limit, Ruleset
from ..model.source import DataPath
from ..model.wording import condition_text

WHOLE_NUMBER_KINDS = ("count", "year")
# What a measure of each kind can be: (lowest, highest); whole-number kinds take whole values only.
KIND_RANGES = {"proportion": (0.0, 1.0), "count": (0.0, math.inf), "year": (-math.inf, math.inf),
               "number": (-math.inf, math.inf)}
ROW_NEVER_CHOSEN = "row '{}' can never be chosen"


@dataclass(frozen=True)
class Conflict:
    """Why a list of conditions cannot all hold: the conditions (indexes) involved and a sentence."""

    indexes: tuple[int, ...]
    reason: str


@dataclass
class _Bound:
    value: float
    strict: bool
    index: int | None  # the condition that set it; None for the measure's own range


def conflict(conditions: list[Condition], ruleset: Ruleset, measures: dict[str, MeasureSpec]) -> Conflict | None:
    """The first reason the conditions cannot all hold together, or None when some value satisfies them.

    Conditions on unknown measures, unknown proportions or of the wrong type are skipped: other checks
    report those."""
    by_measure: dict[str, list[tuple[int, Condition]]] = {}
    for index, condition in enumerate(conditions):
        by_measure.setdefault(condition.measure, []).append((index, condition))
    for measure, group in by_measure.items():
        spec = measures.get(measure)
        if spec is None:
            continue
        found = _category_conflict(measure, group) if spec.kind == "category" else _numeric_conflict(spec, group, ruleset)
        if found is not None:
            return found
    return None


def _words(condition: Condition, ruleset: Ruleset) -> str:
    return condition_text(resolve(condition, ruleset))


def _category_conflict(measure: str, group: list[tuple[int, Condition]]) -> Conflict | None:
    required: tuple[int, Any] | None = None
    excluded: dict[Any, int] = {}
    for index, condition in group:
        if condition.operator == "equals":
            if required is not None and required[1] != condition.equals:
                return Conflict((required[0], index), f"{measure} cannot equal both {required[1]!r} and {condition.equals!r}")
            required = (index, condition.equals)
        elif condition.operator == "not_equals":
            excluded[condition.not_equals] = index
        if required is not None and required[1] in excluded:
            return Conflict(tuple(sorted((required[0], excluded[required[1]]))),
                            f"{measure} cannot both equal and differ from {required[1]!r}")
    return None


def _numeric_conflict(spec: MeasureSpec, group: list[tuple[int, Condition]], ruleset: Ruleset) -> Conflict | None:
    low_range, high_range = KIND_RANGES.get(spec.kind, (-math.inf, math.inf))
    low, high = _Bound(low_range, False, None), _Bound(high_range, False, None)
    excluded: dict[float, int] = {}
    for index, condition in group:
        op, threshold = condition.operator, condition.threshold
        if op in NUMERIC_OPERATORS and isinstance(threshold, str):
            if threshold not in ruleset.proportions:
                continue
            threshold = ruleset.proportions[threshold]
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            continue
        if spec.kind == "proportion" and not 0.0 <= threshold <= 1.0:
            continue  # reported as threshold-out-of-range
        if op in ("at_least", "above", "equals"):
            strict = op == "above"
            if threshold > low.value or (threshold == low.value and strict):
                low = _Bound(threshold, strict, index)
        if op in ("at_most", "below", "equals"):
            strict = op == "below"
            if threshold < high.value or (threshold == high.value and strict):
                high = _Bound(threshold, strict, index)
        if op == "not_equals":
            excluded[threshold] = index
        found = _empty(spec, low, high, excluded, group, ruleset)
        if found is not None:
            return found
    return None


def _empty(spec, low: _Bound, high: _Bound, excluded: dict[float, int], group, ruleset) -> Conflict | None:
    involved = tuple(sorted(i for i in (low.index, high.index) if i is not None))
    conditions = dict(group)
    said = " and ".join(_words(conditions[i], ruleset) for i in involved)
    if spec.kind in WHOLE_NUMBER_KINDS:
        first = low.value if low.value == -math.inf else (math.floor(low.value) + 1 if low.strict else math.ceil(low.value))
        last = high.value if high.value == math.inf else (math.ceil(high.value) - 1 if high.strict else math.floor(high.value))
        if first <= last and (math.isinf(first) or math.isinf(last) or last - first > len(excluded)):
            return None  # more whole numbers than exclusions: one is left
        left = [] if first > last else [v for v in range(int(first), int(last) + 1) if v not in excluded]
        if left:
            return None
        if first <= last:
            involved = tuple(sorted(set(involved) | {i for v, i in excluded.items() if first <= v <= last}))
            said = " and ".join(_words(conditions[i], ruleset) for i in involved)
        if len(involved) == 1 and first > last and (low.index is None or high.index is None):
            return Conflict(involved, f"{said} can never hold: a {spec.kind} is a whole number"
                            + (" and never negative" if spec.kind == "count" else ""))
        return Conflict(involved, f"no whole number satisfies {said} ({spec.name} is a {spec.kind})")
    if low.value < high.value:
        return None
    if low.value == high.value and not low.strict and not high.strict and low.value not in excluded:
        return None
    if low.value == high.value and low.value in excluded:
        involved = tuple(sorted(set(involved) | {excluded[low.value]}))
        said = " and ".join(_words(conditions[i], ruleset) for i in involved)
    elif len(involved) == 1:
        lowest, highest = KIND_RANGES[spec.kind]
        return Conflict(involved, f"{said} can never hold: a {spec.kind} lies between {lowest:g} and {highest:g}")
    return Conflict(involved, f"{said} cannot all hold")


def never_fires_problems(loaded: LoadedRuleset) -> list[Problem]:
    """Rules, findings, limits, withhold rules and decision-table rows that no profile can make fire."""
    ruleset, doc = loaded.ruleset, loaded.source
    measures = measure_catalogue(loaded.catalogue)
    problems = []
    dead: set[str] = set()
    for (section, i), item in zip(ruleset.conditioned_places, ruleset.conditioned, strict=True):
        found = conflict(list(item.when), ruleset, measures)
        if found is not None:
            dead.add(item.id)
            what = {"rules": "rule", "limits": "limit", "withhold": "withhold rule"}[section]
            problems.append(doc.problem("rule-never-fires", f"{what} '{item.id}' can never fire: {found.reason}",
                                        (section, i, "when", found.indexes[-1])))
    reachable = {stage: {r.grade for r in ruleset.rules if r.stage == stage and r.id not in dead and r.grade is not None}
                 for stage in ruleset.grading_stages}
    for k, row in enumerate(ruleset.decision_table.rows):
        for stage, grades in row.grades.items():
            if stage in reachable and not set(grades) & reachable[stage]:
                listed = ", ".join(str(g) for g in grades)
                where: DataPath = ("decision_table", "rows", k, stage)
                problems.append(doc.problem("rule-never-fires",
                                            ROW_NEVER_CHOSEN.format(row.id) + f": no rule of stage '{stage}' that can fire gives grade {listed}",
                                            where))
                break
    return problems


def limit_order_problems(loaded: LoadedRuleset) -> list[Problem]:
    """A cap listed before a one-grade step that can apply with it: the step would be taken from the capped
    band, not from the band the profile supports, so the band depends on list position alone."""
    ruleset, doc = loaded.ruleset, loaded.source
    measures = measure_catalogue(loaded.catalogue)
    bands = sorted({row.band for row in ruleset.decision_table.rows})
    problems = []
    for i, cap in enumerate(ruleset.limits):
        if cap.effect.cap is None:
            continue
        for j in range(i + 1, len(ruleset.limits)):
            step = ruleset.limits[j]
            if step.effect.lower_by is None or conflict(list(cap.when) + list(step.when), ruleset, measures) is not None:
                continue
            lowest = ruleset.lowest_band
            differing = [b for b in bands if _in_turn(b, lowest, cap, step) != _in_turn(b, lowest, step, cap)]
            if not differing:
                continue
            b = differing[-1]
            listed, method = _in_turn(b, lowest, cap, step), _in_turn(b, lowest, step, cap)
            problems.append(doc.problem(
                "limits-ambiguous",
                f"limit '{step.id}' (lower by {step.effect.lower_by}) is listed after the cap '{cap.id}' (cap {cap.effect.cap}) "
                f"and both can apply together: from band {b} the listed order gives {listed}, the step from the band the "
                f"profile supports gives {method}",
                ("limits", j, "id"), suggestion=f"list '{step.id}' before '{cap.id}': one-grade steps come before caps"))
    return problems


def _in_turn(band: int, lowest: int, *limits: Limit) -> int:
    """The band after the limits, applied in the order given."""
    for limit in limits:
        band = limit.effect.apply(band, lowest)
    return band


def logic_problems(loaded: LoadedRuleset) -> list[Problem]:
    return never_fires_problems(loaded) + limit_order_problems(loaded)
