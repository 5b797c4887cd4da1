"""``engine rules sensitivity RULESET``: for every threshold, the interval of values over which every rule case
of the ruleset keeps its expected outcome, and the cases that bound it at each end.

How it is computed, and why so. A case's outcome can change only where the threshold crosses a value one
of its measures takes (for a tolerance: where one of its comparisons changes verdict), so the interval is
found exactly by walking out from the threshold's value over those breakpoints (engine.sensitivity.steps),
evaluating each case at each breakpoint and between breakpoints. Those candidate values are evaluated in
plain Python over measures derived once per case (engine.sensitivity.outcomes), not by registering a
durable-rules ruleset per candidate: durable-rules never frees a registered ruleset (about 0.33 MB each,
measured with 2009's ruleset), so thousands of candidates would grow the process without bound. The plain
Python agrees with the engine's own decision for every case at the ruleset's values (else a defect is
raised), and every end that a case bounds is then confirmed through the whole engine: the ruleset file with
the threshold moved just inside the end, and just beyond it, is written out and the bounding cases are run
against it as ``engine rules test --ruleset`` runs them (they must pass inside and fail beyond). That costs
at most four registrations per threshold, whatever the number of candidates.

Where no case bounds an end, the interval runs to where `rules check` would refuse the ruleset (named
proportions out of order; a proportion outside 0 to 1; a condition that could never hold), or to infinity.
A threshold no case bounds at either end is "unconstrained by any published outcome".
"""
from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..authoring.cases import Expect, differences, find_cases, load_case, own_cases, run_case
from ..errors import DefectError, Problem
from ..load.ruleset import load_ruleset
from ..model.loaded import LoadedRuleset
from ..paths import shown_path as shown
from .outcomes import Subject
from .steps import End, extent
from .thresholds import Threshold, edited_text, refusal, thresholds, with_values

RULESET = "(the ruleset)"  # the pseudo-subject of an end where `rules check` would refuse the ruleset


@dataclass
class RuleCase:
    id: str  # the case file's path under its folder, without .yaml
    path: Path
    expect: Expect
    subject: Subject
    published: bool = False  # an outcome Ofsted published, not one the project invented


@dataclass(frozen=True)
class Interval:
    threshold: Threshold
    value: float
    low: End[str]
    high: End[str]
    refused_low: str | None = None  # why `rules check` refuses the ruleset just below the low end
    refused_high: str | None = None

    def bounded_by(self, end: End[str]) -> list[str]:
        """The cases that fail just beyond the end; none where `rules check` refuses the ruleset beyond it (the
        format, not a published outcome, stops the threshold there)."""
        return [] if RULESET in end.blockers else sorted(end.blockers)

    @property
    def unconstrained(self) -> bool:
        return not self.bounded_by(self.low) and not self.bounded_by(self.high)

    def published_bounds(self, published: set[str]) -> tuple[list[str], list[str]]:
        """The published cases bounding the low end and the high end (the rest were invented by the project)."""
        return ([c for c in self.bounded_by(self.low) if c in published], [c for c in self.bounded_by(self.high) if c in published])

    def contains(self, value: float) -> bool:
        above = value > self.low.value or (value == self.low.value and self.low.included)
        below = value < self.high.value or (value == self.high.value and self.high.included)
        return above and below

    def as_dict(self) -> dict:
        def end(e: End[str]) -> float | None:
            return None if math.isinf(e.value) else e.value

        return {"threshold": self.threshold.path, "kind": self.threshold.kind, "value": self.value,
                "low": end(self.low), "high": end(self.high), "low_included": self.low.included,
                "high_included": self.high.included,
                "bounded_by": {"low": self.bounded_by(self.low), "high": self.bounded_by(self.high)},
                "refused": {"low": self.refused_low, "high": self.refused_high},
                "unconstrained": self.unconstrained, "used_by": list(self.threshold.used_by)}


@dataclass
class Sensitivity:
    ruleset: LoadedRuleset
    intervals: list[Interval]
    cases: list[RuleCase]
    failing: list[tuple[str, list[str]]] = field(default_factory=list)  # cases that fail as the ruleset is
    known_misses: list[tuple[str, list[str]]] = field(default_factory=list)  # published cases known to miss, still missing
    not_about_thresholds: list[str] = field(default_factory=list)  # cases that expect an error
    confirmed: bool = False  # each end a case bounds was confirmed through the whole engine
    # Each threshold's interval over the published cases alone: a published outcome may constrain a threshold
    # from a side where an invented case bounds it nearer.
    published_intervals: list[Interval] = field(default_factory=list)

    def interval(self, path: str) -> Interval:
        return next(i for i in self.intervals if i.threshold.path == path)

    def published_interval(self, path: str) -> Interval:
        return next(i for i in self.published_intervals if i.threshold.path == path)

    @property
    def published(self) -> set[str]:
        return {case.id for case in self.cases if case.published}


@dataclass
class CaseSet:
    """A ruleset's cases evaluated through the whole engine with it."""

    passing: list[RuleCase] = field(default_factory=list)
    failing: list[tuple[str, list[str]]] = field(default_factory=list)  # with their differences
    errors: list[str] = field(default_factory=list)  # cases that expect an error: they do not bear on thresholds
    known_misses: list[tuple[str, list[str]]] = field(default_factory=list)  # published, expected to miss: they bound nothing
    missed: list[RuleCase] = field(default_factory=list)  # published cases that fail as the ruleset is, not known misses

    @property
    def published(self) -> list[RuleCase]:
        """The published outcomes that bear on thresholds: those reproduced and those missed (not the known misses)."""
        return [c for c in self.passing if c.published] + self.missed


def collect_cases(loaded: LoadedRuleset, cases: list[str] | None = None) -> CaseSet:
    """The ruleset's cases (default: rules/cases/<id>/) evaluated through the whole engine with it: those
    that pass, those that fail (with their differences; a published one that reached a decision also as a
    subject), those that expect an error, and the published known misses that still miss (expected, so no
    failure, but they bound nothing)."""
    roots = [Path(p) for p in cases] if cases else [own_cases(loaded)]
    found = CaseSet()
    for path in find_cases([str(r) for r in roots]):
        ident = _case_id(path, roots)
        case = load_case(path)
        if case.expect.error_code is not None:
            found.errors.append(ident)
            continue
        result = run_case(path, loaded.path)
        if result.evaluation is None or not result.reproduced:  # a known miss bounds nothing: it misses as it is
            known = result.known_miss is not None and result.passed
            (found.known_misses if known else found.failing).append((ident, result.differences))
            if known or result.evaluation is None or not case.published:
                continue
        subject = Subject(ident, result.evaluation.profile, result.evaluation.decision)
        subject.check(loaded)
        (found.passing if result.reproduced else found.missed).append(RuleCase(ident, path, case.expect, subject, case.published))
    return found


def rule_cases(loaded: LoadedRuleset, cases: list[str] | None = None
               ) -> tuple[list[RuleCase], list[tuple[str, list[str]]], list[str], list[tuple[str, list[str]]]]:
    """:func:`collect_cases` as (passing, failing, expecting an error, known misses)."""
    found = collect_cases(loaded, cases)
    return found.passing, found.failing, found.errors, found.known_misses


def _case_id(path: Path, roots: list[Path]) -> str:
    for root in roots:
        if root.is_dir() and path.is_relative_to(root):
            return str(path.relative_to(root).with_suffix(""))
    return path.stem


def keeps(case: RuleCase, loaded: LoadedRuleset, values: dict[Threshold, float]) -> bool:
    """Whether the case keeps its expected outcome with these thresholds moved (plain Python)."""
    found = case.subject.outcome(loaded, with_values(loaded.ruleset, values))
    return not differences(case.expect, found.status, found.proposed_band, found.final_band, found.direction, set(found.fired), {})


def case_interval(loaded: LoadedRuleset, threshold: Threshold, cases: list[RuleCase],
                  moved: dict[Threshold, float] | None = None) -> Interval:
    """The interval of the threshold's values that keeps every case, with the other thresholds at their
    values (or those in ``moved``), and the cases that bound each end."""
    moved = dict(moved or {})
    value = moved.get(threshold, threshold.value)
    ruleset = with_values(loaded.ruleset, moved)
    by_id = {case.id: case for case in cases}

    def breaks(item: str) -> list[float]:
        if item == RULESET:  # where `rules check` may start refusing: the threshold's edges, and any value moved
            return [*threshold.edges, *moved.values()]
        return by_id[item].subject.breakpoints(loaded, ruleset, threshold)

    def ok(item: str, x: float) -> bool:
        values = {**moved, threshold: x}
        return refusal(loaded, values) is None if item == RULESET else keeps(by_id[item], loaded, values)

    items = [RULESET, *by_id]
    # A tolerance's breakpoints are differences; a difference equal to the tolerance is in line, as above it.
    def continuous(item: str) -> bool:
        return threshold.kind == "tolerance" and item != RULESET

    low, high = (extent(value, items, breaks, ok, direction, right_continuous=continuous) for direction in (-1, 1))

    def refused(end: End[str]) -> str | None:
        return refusal(loaded, {**moved, threshold: end.outside}) if RULESET in end.blockers and end.outside is not None else None

    return Interval(threshold, value, low, high, refused(low), refused(high))


def sensitivity(ruleset_path: Path | str, cases: list[str] | None = None, *, confirm: bool = True,
                found: CaseSet | None = None) -> Sensitivity:
    """Every threshold's interval over the ruleset's cases; with ``confirm``, each end a case bounds is
    confirmed through the whole engine (see the module docstring). ``found``: the cases already evaluated with
    the ruleset at ``ruleset_path`` (:func:`collect_cases`), else evaluated here."""
    loaded = load_ruleset(ruleset_path)
    found = found if found is not None else collect_cases(loaded, cases)
    passing, failing, errors, known_misses = found.passing, found.failing, found.errors, found.known_misses
    published = [case for case in passing if case.published]
    intervals = [case_interval(loaded, threshold, passing) for threshold in thresholds(loaded)]
    result = Sensitivity(loaded, intervals, passing, failing, known_misses=known_misses, not_about_thresholds=errors,
                         published_intervals=[case_interval(loaded, threshold, published) for threshold in thresholds(loaded)])
    if confirm:
        confirm_ends(result)
        result.confirmed = True
    return result


def confirm_ends(result: Sensitivity) -> None:
    """Run the cases bounding each end through the whole engine, just inside it and just beyond it."""
    loaded = result.ruleset
    paths = {case.id: case.path for case in result.cases}
    with tempfile.TemporaryDirectory(prefix="engine-sensitivity-") as folder:
        for n, interval in enumerate(result.intervals):
            for side, end in (("low", interval.low), ("high", interval.high)):
                blockers = interval.bounded_by(end)
                if not blockers or end.outside is None:
                    continue
                for where, value, should_pass in (("inside", end.inside, True), ("beyond", end.outside, False)):
                    variant = Path(folder) / f"{loaded.ruleset.id}-{n}-{side}-{where}.yaml"
                    variant.write_text(edited_text(loaded, {interval.threshold: value}), encoding="utf-8")
                    for case in blockers[:1]:  # one bounding case each way (the tests confirm them all)
                        if run_case(paths[case], variant).passed != should_pass:
                            raise DefectError([Problem(
                                "explanation-mismatch",
                                f"{interval.threshold.path} at {value!r} ({where} the {side} end): case {case} "
                                f"{'fails' if should_pass else 'passes'} through the engine, unlike the sensitivity computed beside it")])


# --- Formats ----------------------------------------------------------------------------------------


def number(value: float) -> str:
    return "inf" if value == math.inf else "-inf" if value == -math.inf else f"{value:.4g}"


def interval_text(interval: Interval) -> str:
    low, high = interval.low, interval.high
    return f"{'[' if low.included and low.bounded else '('}{number(low.value)}, {number(high.value)}{']' if high.included and high.bounded else ')'}"


def end_text(interval: Interval, end: End[str], side: str, refused: str | None, published: frozenset[str] | set[str] = frozenset()) -> str:
    """One end of an interval as a reviewer reads it: the cases that fail beyond it, or what else stops it."""
    cases = interval.bounded_by(end)
    beyond = "below" if side == "low" else "above"
    where = f"at {number(end.value)}" if not end.included else f"just {beyond} {number(end.value)}"
    if cases:
        mark = "published" if any(c in published for c in cases) else "invented only"
        return (f"{side} end ({mark}): {'case' if len(cases) == 1 else 'cases'} {', '.join(cases)} "
                f"fail{'s' * (len(cases) == 1)} {where}")
    if refused:
        return f"{side} end: no case; `rules check` refuses the ruleset {where} ({refused.split(':', 1)[0]})"
    return f"{side} end: none; no case and no check bounds it"


def format_text(result: Sensitivity) -> str:
    loaded = result.ruleset
    r = loaded.ruleset
    n = len(result.cases)
    lines = [f"Thresholds of {r.id} {r.version} ({shown(loaded.path)}) against its {n} rule case{'s' * (n != 1)} that reach{'es' * (n == 1)} a decision"
             + (f" ({len(result.not_about_thresholds)} more expect an error and do not bear on thresholds)" if result.not_about_thresholds else "")
             + ".",
             "Each interval holds every value that keeps every case's expected outcome, the other thresholds as they are;",
             "[ ] includes an end, ( ) excludes it." + (" Each end a case bounds was confirmed through the whole engine."
                                                          if result.confirmed else ""), ""]
    for name, problems in result.failing:
        lines.append(f"NOT USED: case {name} fails with the ruleset as it is: {'; '.join(problems)}")
    for name, problems in result.known_misses:
        lines.append(f"NOT USED: case {name} is a known miss (rules/NOTES.md): {'; '.join(problems)}")
    width = max((len(i.threshold.path) for i in result.intervals), default=0)
    published = result.published
    by_published = [(i, *published_sides(result, i.threshold.path)) for i in result.intervals]
    for interval, low, high in by_published:
        flag = ("   UNCONSTRAINED by any case" if interval.unconstrained else
                "   UNCONSTRAINED by any published outcome (only invented cases bound it)" if not low and not high else "")
        lines.append(f"{interval.threshold.path:<{width}}  {number(interval.value):>6}  {interval_text(interval)}{flag}")
        if not interval.threshold.used_by:
            lines.append("    used by no condition: it only chooses words in sentences")
        lines.append("    " + end_text(interval, interval.low, "low", interval.refused_low, published))
        lines.append("    " + end_text(interval, interval.high, "high", interval.refused_high, published))
        if low or high:
            lines.append("    " + published_text(result.published_interval(interval.threshold.path)))
    pinned = [i.threshold.path for i in result.intervals if i.bounded_by(i.low) and i.bounded_by(i.high)]
    lines += ["", f"Pinned at both ends by a case: {', '.join(pinned) or 'none'}",
              f"Constrained by a published outcome from below: {', '.join(i.threshold.path for i, lo, _ in by_published if lo) or 'none'}",
              f"Constrained by a published outcome from above: {', '.join(i.threshold.path for i, _, hi in by_published if hi) or 'none'}",
              f"Unconstrained by any published outcome: {', '.join(i.threshold.path for i, lo, hi in by_published if not lo and not hi) or 'none'}"]
    return "\n".join(lines) + "\n"


def published_sides(result: Sensitivity, path: str) -> tuple[list[str], list[str]]:
    """The published cases that bound the threshold from below and from above, with the invented cases left out
    (an invented case bounding it nearer does not hide a published one further out)."""
    if not result.published_intervals:
        return [], []
    interval = result.published_interval(path)
    return interval.bounded_by(interval.low), interval.bounded_by(interval.high)


def published_text(interval: Interval) -> str:
    """What the published outcomes alone allow, and the published cases at each end."""
    def side(end: End[str], beyond: str) -> str:
        cases = interval.bounded_by(end)
        if not cases:
            return "nothing published"
        return f"{', '.join(cases)} ({'at' if not end.included else f'just {beyond}'} {number(end.value)})"

    return (f"published outcomes alone allow {interval_text(interval)}: from below {side(interval.low, 'below')}; "
            f"from above {side(interval.high, 'above')}")


def json_objects(result: Sensitivity) -> list[dict]:
    """Each threshold's interval, with the published cases bounding it from each side and its interval over the
    published cases alone."""
    def entry(interval: Interval) -> dict:
        low, high = published_sides(result, interval.threshold.path)
        alone = result.published_interval(interval.threshold.path).as_dict() if result.published_intervals else None
        return {**interval.as_dict(), "published_bounds": {"low": low, "high": high},
                "published_interval": alone, "unconstrained_by_published": not low and not high}

    return [entry(interval) for interval in result.intervals]
