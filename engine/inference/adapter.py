"""The durable-rules adapter: the only module that imports ``durable``.

The YAML rules compile (engine.inference.compiled) to one durable-rules ruleset per ruleset content hash,
registered once per process on one shared host. An evaluation is a session: a fresh sid, the measures
asserted as one fact (grading rules, findings and limits fire), then the grades asserted as a second fact
(decision-table rows fire). Callers see only "facts in, fired rule ids out" (:class:`Fired`); the set of
fired ids is the result, never the order of firing. The conditions as seen come with it, from the same
compiled tests, and must agree with what durable-rules fired (else a DefectError: the trace must not lie).
The traps and bounds of durable-rules this works around are in engine/inference/NOTES.md.
"""
from __future__ import annotations

import contextlib
import copy
import itertools
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from durable.engine import Host, MessageNotHandledException

from ..errors import DefectError, Problem
from ..model.loaded import LoadedRuleset
from .compiled import CATCH_ALL, GRADES, MEASURES, CompiledRuleset, Fired, durable_fact_value, fact_key, thresholds

_lock = threading.RLock()  # durable-rules is not thread-safe: one evaluation on the host at a time
_host: Host | None = None
_registered: dict[str, tuple[CompiledRuleset, frozenset[float]]] = {}  # name -> its compiled rules and the thresholds they use
_fired: dict[str, set[str]] = {}
_sessions = itertools.count(1)


def _forget_host() -> None:
    """In a forked child: the parent's host (its timer threads were not forked) and lock are not ours."""
    global _host, _lock
    _host, _lock = None, threading.RLock()
    _registered.clear()
    _fired.clear()


os.register_at_fork(after_in_child=_forget_host)


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


def _ruleset_name(loaded: LoadedRuleset) -> str:
    # A durable-rules ruleset name can be registered only once: the content hash keeps edits distinct.
    return f"{loaded.ruleset.id.replace('-', '_')}_{loaded.content_hash[:16]}"


class Session:
    """One evaluation against a registered ruleset: facts in, fired rule ids out."""

    def __init__(self, host: Host, name: str, compiled: CompiledRuleset, compared_with: frozenset[float]):
        self._host, self._name, self._compiled, self._compared_with = host, name, compiled, compared_with
        self._referenced = {m: fact_key(m) for m in sorted(compiled.ruleset.referenced_measures())}
        self.sid = f"{os.getpid()}-{next(_sessions)}"  # unique among this process's live sessions, and cheap

    def _assert(self, kind: str, fields: dict[str, Any]) -> set[str]:
        before = set(_fired.get(self.sid, set()))
        fact = {"id": f"{self.sid}-{kind}", "sid": self.sid, "kind": kind, **fields}  # one fact of each kind a session
        try:
            self._host.assert_fact(self._name, fact)
        except MessageNotHandledException:
            pass  # no rule matched this fact: nothing fired
        except Exception as exc:  # a bare durable-rules error code: rules check should have made it impossible
            # durable-rules' own text is a bare error code: it stays on the exception's cause, for a developer
            raise DefectError([Problem("inference-failed", f"durable-rules refused a {kind} fact, which `rules check` "
                                       "should have made impossible")]) from exc
        return _fired.get(self.sid, set()) - before

    def assert_measures(self, measures: dict[str, Any]) -> set[str]:
        """Rules, findings and limits that fire on these measures. Absent measures are absent keys; each value is
        given in a form durable-rules reads exactly (engine.inference.compiled.durable_fact_value)."""
        return self._assert(MEASURES, {key: durable_fact_value(measures[name], self._compared_with)
                                       for name, key in self._referenced.items() if measures.get(name) is not None})

    def assert_grades(self, grades: Mapping[str, int]) -> frozenset[str]:
        """Decision-table rows that fire for these grades (one per grading stage)."""
        return frozenset(self._assert(GRADES, dict(grades)))

    def fire(self, measures: dict[str, Any]) -> Fired:
        """What fires on these measures, with each condition as seen; the rows fire on this session's grades fact."""
        fired = frozenset(self.assert_measures(measures))
        seen = self._compiled.seen(measures)
        disagree = sorted(item for item, conditions in seen.items() if all(s.holds for s in conditions) != (item in fired))
        if disagree:  # the explanation disagrees with durable-rules; tests guard this, and the trace must not lie
            how = "fired although a condition does not hold" if disagree[0] in fired else "did not fire although all its conditions hold"
            raise DefectError([Problem("explanation-mismatch", f"rule '{disagree[0]}' {how}")])
        return Fired(fired, self.assert_grades, seen)


@contextmanager
def session(loaded: LoadedRuleset) -> Iterator[Session]:
    """A fresh evaluation; its state is deleted afterwards so nothing carries to the next one."""
    with _lock:
        host = _get_host()
        name = _ruleset_name(loaded)
        if name not in _registered:
            try:
                compiled = CompiledRuleset(loaded.ruleset)
                host.register_rulesets({name: copy.deepcopy(compiled.durable())})  # it mutates its argument
            except Exception as exc:  # a bare durable-rules error code: rules check should have made it impossible
                raise DefectError([Problem("inference-failed", f"durable-rules refused ruleset {loaded.ruleset.id}, which "
                                           "`rules check` should have refused", loaded.path)]) from exc
            _registered[name] = (compiled, thresholds(loaded.ruleset))
        # Only the measures the rules read are asserted: durable-rules refuses a fact of more than 251 fields
        # (error code 302), and the engine derives several hundred.
        current = Session(host, name, *_registered[name])
        try:
            yield current
        finally:
            _fired.pop(current.sid, None)
            with contextlib.suppress(Exception):  # no state was created when nothing was asserted
                host.delete_state(name, current.sid)
