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
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from durable.engine import Host, MessageNotHandledException

from ..errors import DefectError, Problem
from ..model.compiled import GRADES, MEASURES, compile_ruleset, durable_fact_value, fact_key, thresholds
from ..model.loaded import LoadedRuleset

_lock = threading.RLock()  # durable-rules is not thread-safe: one evaluation on the host at a time
_host: Host | None = None
_registered: dict[str, frozenset[float]] = {}  # registered ruleset name -> the thresholds its rules compare with
_fired: dict[str, set[str]] = {}


def _get_host() -> Host:
    global _host
    if _host is None:

        class RecordingHost(Host):
            """Resolves each rule's ``run`` name to an action that records the rule as fired."""

            def get_action(self, action_name: str) -> Any:
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

    def __init__(self, host: Host, name: str, referenced: set[str], compared_with: frozenset[float], file: str):
        self._host, self._name, self._referenced, self._compared_with = host, name, referenced, compared_with
        self._file = file
        self.sid = uuid.uuid4().hex

    def _assert(self, kind: str, fields: dict[str, Any]) -> set[str]:
        before = set(_fired.get(self.sid, set()))
        fact = {"id": uuid.uuid4().hex, "sid": self.sid, "kind": kind, **fields}
        try:
            self._host.assert_fact(self._name, fact)
        except MessageNotHandledException:  # no rule matched this fact: nothing fired
            pass
        except Exception as exc:
            raise _refused(self._file, "a profile's facts") from exc
        return _fired.get(self.sid, set()) - before

    def assert_measures(self, measures: dict[str, Any]) -> set[str]:
        """Rules, findings and limits that fire on these measures. Absent measures are absent keys; each value is
        given in a form durable-rules reads exactly (engine.model.compiled.durable_fact_value)."""
        return self._assert(MEASURES, {fact_key(k): durable_fact_value(v, self._compared_with) for k, v in measures.items()
                                       if v is not None and k in self._referenced})

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
            except Exception as exc:
                raise _refused(loaded.path, "the ruleset") from exc
            _registered[name] = thresholds(loaded.ruleset)
        # Only the measures the rules read are asserted: durable-rules refuses a fact of more than about 250
        # fields (error code 302), and the engine derives several hundred.
        current = Session(host, name, loaded.ruleset.referenced_measures(), _registered[name], loaded.path)
        try:
            yield current
        finally:
            _fired.pop(current.sid, None)
            with contextlib.suppress(Exception):  # no state was created when nothing was asserted
                host.delete_state(name, current.sid)


def _refused(file: str, what: str) -> DefectError:
    """durable-rules refused what `rules check` passed: never its bare error code, a defect to report (the
    inference engine's own message is kept as the error's cause, for whoever fixes it)."""
    return DefectError([Problem("inference-limit", f"the inference engine refused {what}, although `rules check` found no "
                                "problem: a defect to report", file)])
