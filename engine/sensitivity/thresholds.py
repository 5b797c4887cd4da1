"""The numeric thresholds of a ruleset, each named by a dotted path into the ruleset file, and the ruleset with
one or more of them moved: in memory (for evaluating candidate values in plain Python) and as YAML text with
every comment and layout kept (for evaluating through the whole engine, and for a proposed ruleset a
reviewer can compare line by line with the one it came from).

A threshold is
- each named proportion: ``proportions.<name>`` (moving it moves every condition that names it; the
  proportions must stay listed from the highest, so its neighbours bound it);
- each comparison tolerance: ``comparison.<field>`` (moving it changes the measures themselves: which
  settings and indicators are in line with their comparators);
- each literal numeric bound of a rule's, limit's or withhold rule's condition:
  ``rules.<rule id>.when.<i>.<operator>``, ``limits.<limit id>.when.<i>.<operator>`` or
  ``withhold.<withhold rule id>.when.<i>.<operator>``, with ``i`` the condition's place in ``when`` counted
  from 0 (ids, not positions in the list, so a path survives rules being reordered).
Equality tests (``equals``, ``not_equals``) are categories, not thresholds.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from ..errors import Problem, RulesetError
from ..load.ruleset import parse_ruleset
from ..load.yaml import read_text
from ..model.loaded import LoadedRuleset
from ..model.measures import measure_catalogue
from ..model.ruleset import NUMERIC_OPERATORS, Condition, Limit, Rule, Ruleset, Withhold
from ..model.source import DataPath

ThresholdKind = Literal["proportion", "tolerance", "bound"]
WHOLE_KINDS = ("count", "year")  # measures that take whole values only
# What a measure of each kind can be: a bound outside it makes a condition that never or always holds.
KIND_RANGES = {"proportion": (0.0, 1.0), "count": (0.0, math.inf)}
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Threshold:
    path: str  # e.g. proportions.a_large_majority, rules.settings_good.when.1.at_most
    where: DataPath  # the value's place in the ruleset document
    kind: ThresholdKind
    value: float
    whole: bool  # a bound on a measure that takes whole values only (a count, a year)
    used_by: tuple[str, ...]  # the conditions it is a threshold of (for a tolerance, what it compares)
    edges: tuple[float, ...]  # values where the ruleset may stop being valid (checked, never assumed)

    @property
    def unit(self) -> float:
        """One point of this threshold: a hundredth for shares and tolerances, one for whole numbers."""
        return 1.0 if self.whole else 0.01


def thresholds(loaded: LoadedRuleset) -> list[Threshold]:
    """Every threshold of the ruleset, in the file's order: proportions, tolerances, then bounds."""
    ruleset = loaded.ruleset
    kinds = {name: spec.kind for name, spec in measure_catalogue(loaded.catalogue).items()}
    found: list[Threshold] = []
    names = list(ruleset.proportions)
    for k, name in enumerate(names):
        neighbours = [ruleset.proportions[n] for n in names[max(k - 1, 0):k + 2] if n != name]
        users = [(where, item, c) for where, item, c in _conditions(ruleset) if c.threshold == name and c.operator in NUMERIC_OPERATORS]
        edges = {0.0, 1.0, *neighbours} | {e for _, item, c in users for e in _sharing(item, c, ruleset)}
        found.append(Threshold(f"proportions.{name}", ("proportions", name), "proportion", ruleset.proportions[name], False,
                               tuple(_dotted(ruleset, where) for where, _, _ in users), tuple(sorted(edges))))
    for field, compares in (("settings_tolerance", "settings' share good or better against their comparators"),
                            ("indicator_tolerance", "indicators against their comparators")):
        found.append(Threshold(f"comparison.{field}", ("comparison", field), "tolerance", getattr(ruleset.comparison, field),
                               False, (compares,), (0.0, 1.0)))
    for where, item, condition in _conditions(ruleset):
        if condition.operator not in NUMERIC_OPERATORS or isinstance(condition.threshold, (str, bool)):
            continue
        kind = kinds.get(condition.measure, "number")
        whole = kind in WHOLE_KINDS
        edges = {e for e in KIND_RANGES.get(kind, ()) if math.isfinite(e)} | set(_sharing(item, condition, ruleset))
        if whole:
            edges |= {float(f(e)) for e in list(edges) for f in (math.floor, math.ceil)}
        path = _dotted(ruleset, where)
        found.append(Threshold(f"{path}.{condition.operator}", (*where, condition.operator), "bound",
                               float(condition.threshold), whole, (path,), tuple(sorted(edges))))
    return found


def _conditions(ruleset: Ruleset) -> list[tuple[DataPath, Rule | Limit | Withhold, Condition]]:
    """Every condition of the rules, limits and withhold rules with its place in the document: (section, index,
    "when", j)."""
    out: list[tuple[DataPath, Rule | Limit | Withhold, Condition]] = []
    for section in ("rules", "limits", "withhold"):
        items: list[Rule | Limit | Withhold] = list(getattr(ruleset, section))
        for index, item in enumerate(items):
            out += [((section, index, "when", j), item, c) for j, c in enumerate(item.when)]
    return out


def _dotted(ruleset: Ruleset, where: DataPath) -> str:
    """A condition's place as a threshold path names it: the rule's or limit's id instead of its position."""
    section, index, _, j = where
    return f"{section}.{getattr(ruleset, section)[index].id}.when.{j}"


def _sharing(item: Rule | Limit | Withhold, condition: Condition, ruleset: Ruleset) -> list[float]:
    """The thresholds of the item's other numeric conditions on the same measure: moving past one of them may
    leave the item unable to fire, which `rules check` refuses."""
    out = []
    for other in item.when:
        if other is condition or other.measure != condition.measure or other.operator not in NUMERIC_OPERATORS:
            continue
        value = ruleset.proportions.get(other.threshold) if isinstance(other.threshold, str) else other.threshold
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(float(value))
    return out


def find(loaded: LoadedRuleset, path: str) -> Threshold:
    for threshold in thresholds(loaded):
        if threshold.path == path:
            return threshold
    raise KeyError(path)


# --- The ruleset with thresholds moved -----------------------------------------------------------------


def with_values(ruleset: Ruleset, values: dict[Threshold, float]) -> Ruleset:
    """The ruleset in memory with each threshold at the value given (not validated: for plain-Python
    evaluation of candidate values; :func:`edited_text` gives the same ruleset as a file)."""
    for threshold, value in values.items():
        where = threshold.where
        if where[0] == "proportions":
            ruleset = ruleset.model_copy(update={"proportions": {**ruleset.proportions, where[1]: value}})
        elif where[0] == "comparison":
            ruleset = ruleset.model_copy(update={"comparison": ruleset.comparison.model_copy(update={where[1]: value})})
        else:
            section, index, _, j, operator = where
            items: list[Any] = list(getattr(ruleset, section))
            when = list(items[index].when)
            when[j] = when[j].model_copy(update={operator: value})
            items[index] = items[index].model_copy(update={"when": when})
            ruleset = ruleset.model_copy(update={section: items})
    return ruleset


def written(threshold: Threshold, value: float) -> str:
    """The value as the ruleset file writes it: a whole number for a bound on whole values, else the shortest
    decimal that reads back as the same float."""
    if threshold.whole and float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    mantissa, _, exponent = text.partition("e")
    return f"{mantissa}.0e{exponent}" if exponent and "." not in mantissa else text  # YAML reads 1e-06 as a string


def edited_text(loaded: LoadedRuleset, values: dict[Threshold, float]) -> str:
    """The ruleset file's text with each threshold's value replaced in place; comments and layout are kept."""
    text = _read(loaded)
    root = yaml.compose(text, Loader=_SAFE_LOADER)
    assert root is not None  # the file loaded as a ruleset, so it is not empty
    spans = []
    for threshold, value in values.items():
        node = _node(root, threshold.where)
        spans.append((node.start_mark.index, node.end_mark.index, written(threshold, value)))
    for start, end, replacement in sorted(spans, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _read(loaded: LoadedRuleset) -> str:
    text = read_text(loaded.path, RulesetError)
    if hashlib.sha256(text.encode()).hexdigest() != loaded.content_hash:  # edited since it was loaded
        raise RulesetError([Problem("file-not-found", "the ruleset file changed while it was in use; run again", loaded.path)])
    return text


def _node(node: yaml.Node, where: DataPath) -> yaml.Node:
    for key in where:
        found = (next(v for k, v in node.value if k.value == str(key)) if isinstance(node, yaml.MappingNode)
                 else node.value[key])
        node = found
    return node


def refusal(loaded: LoadedRuleset, values: dict[Threshold, float]) -> str | None:
    """Why `rules check` would refuse the ruleset with these values (the first problem), or None if it would not."""
    try:
        parse_ruleset(edited_text(loaded, values), loaded.path)
    except RulesetError as exc:
        problem = exc.problems[0]
        return f"{problem.code}: {problem.message}"
    return None
