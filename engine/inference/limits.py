"""What the inference engine (durable-rules 2.0.28) accepts, checked before it ever sees a ruleset.

Each bound was found by experiment, in fresh processes, on the engine's own compiled form
(engine.inference.compiled); engine/inference/NOTES.md records them, with the traps. Past several of them
durable-rules does not report an error but hangs, crashes or answers wrongly, so `rules check` refuses a
ruleset at the first value past each bound, with an ``inference-limit`` problem located in the file; tests
pin each bound (it works) and the value past it (refused).

| what | works | one more |
|---|---|---|
| rules, findings, limits and decision-table rows in all | 4,096 | error 106 |
| rules whose tests are the same, in the same order (they end on one node) | 255 | 256: crash on the first profile; 257: error 108 |
| different tests right after the same first tests (or right after the kind) | 511 | 512: hangs |
| tests that can hold at once for one profile, along any path of shared first tests | 64 | error 303, for that profile only |
| decision-table rows (each row's first test can hold with every other row's) | 64 | error 303 |
| grading stages for which one row covers several grades (an ``$or`` each) | 14 | error 113 |
| measures the rules read (fields of one fact, besides id, sid and kind) | 251 | error 302 |
| grading stages (fields of the grades fact) | 251 | error 302 |
| characters in a text compared with ``equals``/``not_equals`` | 65,534 | compares only a prefix |
| numbers | whole numbers within 64 bits; floats whose shortest form has a decimal point or no exponent | clamped, or error 204 |

Two field names whose FNV-1a (32-bit) hashes collide are one field to durable-rules: a rule on one fires
for the other. Such a pair is refused too.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem
from ..model.loaded import LoadedRuleset
from ..model.source import DataPath
from .compiled import CATCH_ALL, durable_number, fact_key, measure_tests

# The adapter registers one catch-all rule per kind of fact besides the ruleset's own (engine.inference.compiled.
# CATCH_ALL): it counts among the rules, and ends where the rules without conditions end.
MAX_RULES = 4096 - len(CATCH_ALL)
MAX_SHARED_ENDING = 255
MAX_BRANCHES = 511
MAX_TRUE_TOGETHER = 64
MAX_ROWS = 64
MAX_OR_GROUPS = 14
MAX_FACT_FIELDS = 251
MAX_TEXT = 65534
FACT_ENVELOPE = ("id", "sid", "kind")  # the fields every fact carries besides the measures or grades
_ABSENT = object()


@dataclass
class _Node:
    """A node of durable-rules' network of tests for the measures fact: rules that begin alike share nodes."""

    test: dict[str, Any] | None = None
    first: int = 0  # the rule that made this node
    children: dict[str, _Node] = field(default_factory=dict)
    ends: list[int] = field(default_factory=list)  # rules whose tests end here


def inference_limit_problems(loaded: LoadedRuleset) -> list[Problem]:
    ruleset, doc = loaded.ruleset, loaded.source
    problems: list[Problem] = []
    items = ruleset.conditioned
    paths: list[DataPath] = list(ruleset.conditioned_places)

    def add(path: DataPath, message: str, *, key: bool = False) -> None:
        problems.append(doc.problem("inference-limit", message + " (durable-rules 2.0.28)", path, key=key))

    total = len(items) + len(ruleset.decision_table.rows)
    if total > MAX_RULES:
        add(("rules",), f"{total} rules, findings, limits and decision-table rows; the inference engine takes at most {MAX_RULES:,}",
            key=True)
    if len(ruleset.decision_table.rows) > MAX_ROWS:
        add(("decision_table", "rows", MAX_ROWS), f"the decision table has {len(ruleset.decision_table.rows)} rows; the inference "
            f"engine takes at most {MAX_ROWS} (more fail with error code 303 when their first tests hold together)")
    for k, row in enumerate(ruleset.decision_table.rows):
        groups = sum(len(grades) > 1 for grades in row.grades.values())
        if groups > MAX_OR_GROUPS:
            add(("decision_table", "rows", k, "id"), f"row '{row.id}' covers several grades of {groups} stages; the inference engine "
                f"takes at most {MAX_OR_GROUPS} such stages in a row")
    referenced = sorted(ruleset.referenced_measures())
    if len(referenced) > MAX_FACT_FIELDS:
        add(("rules",), f"the rules read {len(referenced)} different measures; one fact carries at most {MAX_FACT_FIELDS}", key=True)
    stages = ruleset.grading_stages
    if len(stages) > MAX_FACT_FIELDS:
        add(("stages",), f"{len(stages)} grading stages; the grades fact carries at most {MAX_FACT_FIELDS}", key=True)
    problems += [doc.problem("inference-limit", message, ("rules",), key=True)
                 for message in _collisions([fact_key(m) for m in referenced], "measures")]
    problems += [doc.problem("inference-limit", message, ("stages",), key=True) for message in _collisions(stages, "grading stages")]

    tests = measure_tests(ruleset)
    for path, item, compiled in zip(paths, items, tests, strict=True):
        for j, (condition, test) in enumerate(zip(item.when, compiled or [], strict=False)):
            value = _threshold(test)
            where = path + ("when", j, condition.operator)
            if durable_number(value) is None:
                add(where, f"the threshold {getattr(condition, condition.operator)!r} cannot be given to the inference engine "
                    "exactly: a whole number beyond 64 bits, or a float written with an exponent and no decimal point")
            elif isinstance(value, str) and len(value) > MAX_TEXT:
                add(where, f"a text of {len(value):,} characters; the inference engine compares at most {MAX_TEXT:,}")

    root = _Node()

    root.ends.append(-1)  # the catch-all rule of the measures fact ends here, with the rules without conditions
    for i, compiled in enumerate(tests):
        if compiled is None:
            continue
        node = root
        for test in compiled:
            key = json.dumps(test, sort_keys=True, default=str)
            if key not in node.children:
                node.children[key] = _Node(test, i)
                if len(node.children) == MAX_BRANCHES + 1:
                    add(paths[i] + ("id",), f"this rule is the {MAX_BRANCHES + 1}th different test after the same first tests; the "
                        f"inference engine takes at most {MAX_BRANCHES} there (more make it hang)")
            node = node.children[key]
        node.ends.append(i)
        if len(node.ends) == MAX_SHARED_ENDING + 1:
            add(paths[i] + ("id",), f"{MAX_SHARED_ENDING + 1} rules have exactly these tests in this order; the inference engine "
                f"takes at most {MAX_SHARED_ENDING} (more crash it)")
    need, deepest = _stack(root)
    if 1 + need > MAX_TRUE_TOGETHER:
        add(paths[deepest.first] + ("id",), f"up to {1 + need} tests can hold at once for one profile along this rule's tests (counting "
            f"the rules that share its first tests); the inference engine follows at most {MAX_TRUE_TOGETHER} "
            "(more fail with error code 303 for such a profile)")
    return problems


def _threshold(test: dict[str, Any]) -> Any:
    """The threshold of a compiled test, as compiled."""
    (operator, inner), = test.items()
    return next(iter(inner.values())) if operator.startswith("$") else inner


def _field_and_check(test: dict[str, Any]) -> tuple[str, str, Any]:
    (operator, inner), = test.items()
    if operator.startswith("$"):
        (name, value), = inner.items()
        return name, operator, value
    return operator, "$eq", inner


def _holds(operator: str, value: Any, threshold: Any) -> bool:
    if value is _ABSENT:
        return operator == "$neq"  # counted as true: the bound must hold whatever durable-rules does with an absent field
    if operator == "$eq":
        return bool(value == threshold)
    if operator == "$neq":
        return bool(value != threshold)
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (value, threshold))
    if not numbers:
        return False
    return {"$gte": value >= threshold, "$lte": value <= threshold, "$gt": value > threshold, "$lt": value < threshold}[operator]


def _true_together(children: list[_Node]) -> int:
    """How many of a node's child tests one fact can meet at once: tests on different fields independently,
    tests on one field at the value that meets the most (each threshold, its neighbours, absent, another value)."""
    by_field: dict[str, list[tuple[str, Any]]] = {}
    for child in children:
        assert child.test is not None
        name, operator, threshold = _field_and_check(child.test)
        by_field.setdefault(name, []).append((operator, threshold))
    total = 0
    for checks in by_field.values():
        candidates: list[Any] = [_ABSENT, object()]
        for _, threshold in checks:
            candidates.append(threshold)
            if isinstance(threshold, (int, float)) and not isinstance(threshold, bool):
                candidates += [math.nextafter(float(threshold), math.inf), math.nextafter(float(threshold), -math.inf)]
        total += max(sum(_holds(op, candidate, t) for op, t in checks) for candidate in candidates)
    return total


def _stack(root: _Node) -> tuple[int, _Node]:
    """The most matching branches durable-rules holds at once for one fact (less the one it is following), and
    the deepest node of the path that needs them. Iterative: a ruleset may be thousands of tests deep."""
    order: list[_Node] = []
    pending = [root]
    while pending:
        node = pending.pop()
        order.append(node)
        pending.extend(node.children.values())
    best: dict[int, tuple[int, _Node]] = {}
    for node in reversed(order):  # children before parents
        children = list(node.children.values())
        extra = max(_true_together(children) - 1, 0) if children else 0
        below = max((best[id(child)] for child in children), key=lambda b: b[0], default=(0, node))
        best[id(node)] = (extra + below[0], below[1])
    return best[id(root)]


def _collisions(names: list[str], what: str) -> list[str]:
    """Names durable-rules cannot tell apart: it knows a field only by the FNV-1a (32-bit) hash of its name."""
    seen: dict[int, str] = {}
    out = []
    for name in [*FACT_ENVELOPE, *names]:
        digest = fnv1a_32(name)
        if digest in seen and seen[digest] != name:
            out.append(f"the {what} '{seen[digest]}' and '{name}' are one field to the inference engine (their FNV-1a hashes "
                       "are equal); rename one (durable-rules 2.0.28)")
        seen.setdefault(digest, name)
    return out


def fnv1a_32(name: str) -> int:
    digest = 0x811C9DC5
    for byte in name.encode("utf-8"):
        digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
    return digest

