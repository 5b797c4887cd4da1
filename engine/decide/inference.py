"""The durable-rules adapter: the only module that imports ``durable``.

The YAML rules compile to one durable-rules ruleset per ruleset content hash, registered once per
process on one shared host. An evaluation is a session: a fresh sid, the measures asserted as one fact
(grading rules, findings and limits fire), then the grades asserted as a second fact (decision-table
rows fire). Callers see only "facts in, fired rule ids out"; the set of fired ids is the result, never
the order of firing.
"""
from __future__ import annotations

import contextlib
import copy
import itertools
import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from durable.engine import Host, MessageNotHandledException

from ..errors import DefectError, Problem
from ..model.conditions import resolve
from ..model.loaded import LoadedRuleset
from ..model.ruleset import Condition, Operator, Ruleset

MEASURES, GRADES = "measures", "grades"

_lock = threading.RLock()  # durable-rules is not thread-safe: one evaluation on the host at a time
_host: Host | None = None
_registered: set[str] = set()
_fired: dict[str, set[str]] = {}
_sessions = itertools.count(1)


def _forget_host() -> None:
    """In a forked child: the parent's host (its timer threads were not forked) and lock are not ours."""
    global _host, _lock
    _host, _lock = None, threading.RLock()
    _registered.clear()
    _fired.clear()


os.register_at_fork(after_in_child=_forget_host)


def fact_key(measure: str) -> str:
    """Measure names are dotted; durable-rules reads dots as nested paths, so flatten them."""
    return measure.replace(".", "__")


# The ruleset's operators in durable-rules' terms; equality is a plain field test.
DURABLE_OPERATORS: dict[Operator, str] = {"at_least": "$gte", "at_most": "$lte", "above": "$gt", "below": "$lt",
                                          "not_equals": "$neq"}


def _condition(condition: Condition, ruleset: Ruleset) -> dict[str, Any]:
    resolved = resolve(condition, ruleset)
    key = fact_key(resolved.measure)
    if resolved.operator == "equals":
        return {key: resolved.threshold}
    return {DURABLE_OPERATORS[resolved.operator]: {key: resolved.threshold}}


def _pattern(kind: str, tests: list[dict[str, Any]]) -> dict[str, Any]:
    # The kind discriminator keeps measures, grades and any other fact from matching each other's rules.
    tests = [{"kind": kind}] + tests
    return {"m": tests[0] if len(tests) == 1 else {"$and": tests}}


# Rules that match every fact of their kind and record nothing. durable-rules crashes the process when a state
# whose facts never matched a rule is deleted; with these, every fact matches one. Their ids cannot be a
# ruleset's (rule ids start with a letter), and their actions are never recorded as fired.
CATCH_ALL = {f"__any_{kind}": kind for kind in (MEASURES, GRADES)}


def compile_ruleset(ruleset: Ruleset) -> dict[str, dict[str, Any]]:
    """The durable-rules definition of a ruleset: one rule per grading rule, finding, limit and table row."""
    compiled: dict[str, dict[str, Any]] = {name: {"all": [_pattern(kind, [])], "run": name} for name, kind in CATCH_ALL.items()}
    for item in ruleset.conditioned:
        compiled[item.id] = {"all": [_pattern(MEASURES, [_condition(c, ruleset) for c in item.when])], "run": item.id}
    for row in ruleset.decision_table.rows:
        tests: list[dict[str, Any]] = []
        for stage, grades in row.grades.items():
            options: list[dict[str, Any]] = [{stage: grade} for grade in grades]
            tests.append(options[0] if len(options) == 1 else {"$or": options})
        compiled[row.id] = {"all": [_pattern(GRADES, tests)], "run": row.id}
    return compiled


def _get_host() -> Host:
    global _host
    if _host is None:

        class RecordingHost(Host):
            """Resolves each rule's ``run`` name to an action that records the rule as fired."""

            def get_action(self, action_name: str) -> Any:
                if action_name in CATCH_ALL:
                    return lambda c: None

                def record(c: Any) -> None:
                    _fired.setdefault(c.m.sid, set()).add(action_name)  # read-only use of c: never c.s

                return record

        _host = RecordingHost()  # one per process: each Host starts timer threads that never stop
    return _host


def _readable(value: Any) -> Any:
    """A value as durable-rules can read it. It refuses a number written with an exponent and no decimal point
    (5e-05, 1e+16: error code 204), which is how Python writes some floats; the float next to it is written
    with a point, and since no threshold can be such a number (rules check refuses them), no comparison
    between them can change."""
    if isinstance(value, float) and "e" in (text := repr(value)) and "." not in text:
        return math.nextafter(value, math.inf)
    return value


def _ruleset_name(loaded: LoadedRuleset) -> str:
    # A durable-rules ruleset name can be registered only once: the content hash keeps edits distinct.
    return f"{loaded.ruleset.id.replace('-', '_')}_{loaded.content_hash[:16]}"


class Session:
    """One evaluation against a registered ruleset: facts in, fired rule ids out."""

    def __init__(self, host: Host, name: str, referenced: dict[str, str]):
        self._host, self._name, self._referenced = host, name, referenced
        self.sid = f"{os.getpid()}-{next(_sessions)}"  # unique among this process's live sessions, and cheap

    def _assert(self, kind: str, fields: dict[str, Any]) -> set[str]:
        before = set(_fired.get(self.sid, set()))
        fact = {"id": f"{self.sid}-{kind}", "sid": self.sid, "kind": kind, **fields}  # one fact of each kind a session
        try:
            self._host.assert_fact(self._name, fact)
        except MessageNotHandledException:
            pass  # no rule matched this fact: nothing fired
        except Exception as exc:  # a bare durable-rules error code: rules check should have made it impossible
            raise DefectError([Problem("inference-failed", f"durable-rules refused a {kind} fact: {exc}")]) from None
        return _fired.get(self.sid, set()) - before

    def assert_measures(self, measures: dict[str, Any]) -> set[str]:
        """Rules, findings and limits that fire on these measures. Absent measures are absent keys."""
        return self._assert(MEASURES, {key: _readable(measures[name]) for name, key in self._referenced.items()
                                       if measures.get(name) is not None})

    def assert_grades(self, grades: dict[str, int]) -> set[str]:
        """Decision-table rows that fire for these grades (one per grading stage)."""
        return self._assert(GRADES, grades)


@contextmanager
def session(loaded: LoadedRuleset) -> Iterator[Session]:
    """A fresh evaluation; its state is deleted afterwards so nothing carries to the next one."""
    with _lock:
        host = _get_host()
        name = _ruleset_name(loaded)
        if name not in _registered:
            try:
                host.register_rulesets({name: copy.deepcopy(compile_ruleset(loaded.ruleset))})  # it mutates its argument
            except Exception as exc:  # a bare durable-rules error code: rules check should have made it impossible
                raise DefectError([Problem("inference-failed", f"durable-rules refused ruleset {loaded.ruleset.id}: {exc}",
                                           loaded.path)]) from None
            _registered.add(name)
        # Only the measures the rules read are asserted: durable-rules refuses a fact of more than about 250
        # fields (error code 302), and the engine derives several hundred.
        current = Session(host, name, {m: fact_key(m) for m in sorted(loaded.ruleset.referenced_measures())})
        try:
            yield current
        finally:
            _fired.pop(current.sid, None)
            with contextlib.suppress(Exception):  # no state was created when nothing was asserted
                host.delete_state(name, current.sid)
