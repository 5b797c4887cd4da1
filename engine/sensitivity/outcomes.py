"""A ruleset's outcome over measures already derived, in plain Python: for sweeping thresholds over many
candidate values without registering a durable-rules ruleset for each.

durable-rules decides which rules fire. This module only evaluates *candidate* threshold values beside it:
which rules, limits, withhold rules and decision-table rows fire, asked of the same compiled tests that
durable-rules is given (:class:`engine.inference.compiled.CompiledRuleset`), combined by the pipeline's own
:func:`engine.decide.combine.combine`, with the direction of travel of :mod:`engine.decide.direction`.
Every subject is first evaluated through the whole engine with the ruleset as it is, and what the compiled
tests fire must be what durable-rules fired (else :class:`DefectError`); the callers confirm what they
report at the values they report through the whole engine again.

A subject (a rule case or a council) keeps its profile and derives its measures once per pair of
comparison tolerances: only the tolerances change measures; every other threshold changes only which
conditions hold.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..decide.combine import combine
from ..decide.direction import direction_word
from ..errors import DefectError, Problem
from ..inference.compiled import CompiledRuleset
from ..measures.derive import Measures, derive_measures, in_line_from
from ..model.loaded import LoadedProfile, LoadedRuleset
from ..model.ruleset import Ruleset
from ..model.trace import Decision
from .thresholds import Threshold

RECENT = 512  # pairs of tolerances whose measures a subject keeps, besides the ruleset's own


def status(decision: Decision) -> str:
    """``rated``, or ``withheld`` for a decision that gives no band (a withhold rule fired)."""
    return decision.status


def final_band(decision: Decision) -> int | None:
    return None if status(decision) == "withheld" else decision.final_band


def proposed_band(decision: Decision) -> int | None:
    return None if status(decision) == "withheld" else decision.proposed_band


@dataclass(frozen=True)
class Outcome:
    """What a ruleset gives a subject: status, bands, everything that fired, and the decisive rules."""

    status: str  # rated | withheld
    proposed_band: int | None
    final_band: int | None
    direction: str | None  # risen | held | fallen since the previous band; None without one, or withheld
    fired: frozenset[str]  # rules, findings, limits, withhold rules and the decision-table rows that cover the grades
    decisive: tuple[str, ...]  # the rule that set each grade, the row, the binding limits

    @classmethod
    def of(cls, decision: Decision) -> Outcome:
        """The same view of a decision the whole engine made."""
        grades = {e.stage: e.rule_id for e in decision.events("grade_assigned")}
        rows = [e.row_id for e in decision.events("band_combined")]
        binding = [limit.limit_id for limit in decision.limits if limit.binding]
        return cls(status(decision), proposed_band(decision), final_band(decision),
                   decision.direction.direction if decision.direction else None, frozenset(decision.fired_rules),
                   tuple([grades[s] for s in sorted(grades)] + rows + binding))


def outcome(ruleset: Ruleset, values: dict[str, Any], previous_band: int | None = None) -> Outcome:
    """The ruleset's outcome for these measures: what its compiled tests fire, combined as the pipeline
    combines it (withheld when a withhold rule fires, else rated)."""
    combined = combine(ruleset, compiled(ruleset).fire(values))
    return Outcome(combined.status, combined.proposed_band, combined.final_band,
                   direction_word(previous_band, combined.final_band),
                   combined.fired_rules(ruleset), combined.decisive)


_compiled: dict[int, CompiledRuleset] = {}  # by id of a ruleset still held by its entry: a candidate is asked of many subjects


def compiled(ruleset: Ruleset) -> CompiledRuleset:
    found = _compiled.get(id(ruleset))
    if found is None or found.ruleset is not ruleset:
        if len(_compiled) >= 16:
            del _compiled[next(iter(_compiled))]
        found = _compiled[id(ruleset)] = CompiledRuleset(ruleset)
    return found


@dataclass
class Subject:
    """A profile evaluated through the whole engine with the ruleset as it is, whose outcomes under moved
    thresholds are then computed in plain Python over its measures."""

    label: str
    profile: LoadedProfile
    decision: Decision  # the whole engine's decision with the ruleset as it is
    # Measures by pair of tolerances: the first pair derived (the ruleset's own) is kept whole, with its inputs;
    # for other pairs only the values the conditions read, so that a tolerance swept over many values is
    # derived once per value and memory stays small.
    _first: tuple[tuple[float, float], Measures] | None = field(default=None, repr=False)
    _recent: dict[tuple[float, float], dict[str, Any]] = field(default_factory=dict, repr=False)

    def measures(self, loaded: LoadedRuleset, ruleset: Ruleset) -> dict[str, Any]:
        """The measures' values with the ruleset's tolerances."""
        key = (ruleset.comparison.settings_tolerance, ruleset.comparison.indicator_tolerance)
        if self._first is None:
            self._first = (key, derive_measures(self.profile.profile, loaded.catalogue, ruleset))
        if key == self._first[0]:
            return self._first[1].values
        if key not in self._recent:
            if len(self._recent) >= RECENT:
                del self._recent[next(iter(self._recent))]
            values = derive_measures(self.profile.profile, loaded.catalogue, ruleset).values
            read = ruleset.referenced_measures()  # all the conditions read: a few dozen of several hundred
            self._recent[key] = {name: value for name, value in values.items() if name in read}
        return self._recent[key]

    def derived(self, loaded: LoadedRuleset) -> Measures:
        """The measures with the ruleset's own tolerances, with the inputs each came from."""
        key = (loaded.ruleset.comparison.settings_tolerance, loaded.ruleset.comparison.indicator_tolerance)
        if self._first is None or self._first[0] != key:
            self._first = (key, derive_measures(self.profile.profile, loaded.catalogue, loaded.ruleset))
        return self._first[1]

    def outcome(self, loaded: LoadedRuleset, ruleset: Ruleset) -> Outcome:
        return outcome(ruleset, self.measures(loaded, ruleset), self.decision.previous_band)

    def check(self, loaded: LoadedRuleset) -> None:
        """The plain-Python outcome with the ruleset as it is must be the engine's decision."""
        mine, engine = self.outcome(loaded, loaded.ruleset), Outcome.of(self.decision)
        if mine != engine:
            raise DefectError([Problem("explanation-mismatch", f"{self.label}: evaluating the rules beside durable-rules gives "
                                       f"{mine}, the engine gave {engine}")])

    def breakpoints(self, loaded: LoadedRuleset, ruleset: Ruleset, threshold: Threshold) -> list[float]:
        """The values of the threshold at which this subject's outcome may change: where a condition using it
        meets a measure's value, or, for a tolerance, where a comparison it decides changes verdict."""
        if threshold.kind == "tolerance":  # the differences do not depend on the tolerances: the first derivation's inputs
            return tolerance_breakpoints(self.derived(loaded), threshold.where[1])
        values = self.measures(loaded, ruleset)
        conditions = [c for item in ruleset.conditioned for j, c in enumerate(item.when)
                      if _uses(threshold, item, j, c, ruleset)]
        return sorted({float(values[c.measure]) for c in conditions
                       if isinstance(values.get(c.measure), (int, float)) and not isinstance(values.get(c.measure), bool)})


def _uses(threshold: Threshold, item: Any, j: int, condition: Any, ruleset: Ruleset) -> bool:
    if threshold.kind == "proportion":
        return condition.threshold == threshold.where[1]
    section, index, _, k, _ = threshold.where
    return k == j and getattr(ruleset, section)[index] is item


def tolerance_breakpoints(measures: Measures, field: str) -> list[float]:
    """Where a comparison changes verdict as the tolerance moves: the size of each difference between a value
    and its comparator, as the measures' inputs record it (a share's difference in proportion points; an
    indicator's as a fraction of the comparator's value). A test checks that derive_measures changes the
    verdicts exactly there: each is the smallest tolerance at which its comparison is in line, in the
    comparisons' own arithmetic (they count a difference within 1e-12 of the tolerance as in line)."""
    prefix = "settings." if field == "settings_tolerance" else "indicator."
    out = set()
    for name, inputs in measures.inputs.items():
        if not name.startswith(prefix) or ".vs_" not in name:
            continue
        comparator = name.rsplit(".vs_", 1)[1]
        if comparator not in inputs:
            continue
        base = inputs["share_good_or_better"] if prefix == "settings." else inputs["value"]
        difference = float(base) - float(inputs[comparator])
        if prefix == "indicator.":
            scale = abs(float(inputs[comparator]))
            difference = difference / (scale if scale > 0 else 1.0)
        out.add(in_line_from(difference))
    return sorted(out)
