"""``engine rules sensitivity RULESET --profiles DIR``: for each threshold, how many councils change band as it
moves across its range, and which threshold moves the most councils per point.

Every council is evaluated once through the whole engine with the ruleset as it is; the sweep then runs
in plain Python over its measures (engine.sensitivity.outcomes), which must agree with that decision. For a
threshold other than a tolerance each council's band is known exactly at every value (it changes only at
its own breakpoints: engine.sensitivity.steps); for a tolerance, which changes the measures themselves, each
council's measures are derived again at each value of the table. A test checks the table against batch
runs through the whole engine at the same values.

The range swept is every value `rules check` accepts (between the neighbouring named proportions, within 0
to 1 for a share), with two practical bounds: a bound on a whole number runs five either side of its value,
and a tolerance from 0 to twice its value or its case-constrained interval's top, at least 0.1 (beyond
that every comparison is in line for most councils, and each value costs a derivation per council).
One point is a hundredth for shares and tolerances and one for whole numbers.
"""
from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..batch.run import Failure, collect, evaluate_source
from ..errors import EngineError
from ..model.loaded import LoadedRuleset
from ..model.values import BEST_FIRST
from .outcomes import Outcome, Subject
from .sensitivity import RULESET, Interval, interval_text, number
from .steps import StepFunction, extent, step_function
from .thresholds import Threshold, refusal, thresholds, with_values

BANDS: tuple[int | None, ...] = (*BEST_FIRST, None)  # None: withheld
WHOLE_REACH = 5  # whole-number bounds are swept this many either side of their value
TOLERANCE_REACH = 0.1  # tolerances are swept from 0 to at least this


@dataclass(frozen=True)
class Row:
    value: float
    bands: dict[int | None, int]  # final band (None: withheld) -> councils
    changed: int  # councils whose final band differs from the one the ruleset as it is gives

    def counts(self) -> list[int]:
        return [self.bands.get(b, 0) for b in BANDS]


@dataclass
class ThresholdSweep:
    threshold: Threshold
    low: float
    high: float
    rows: list[Row]
    interval: Interval | None = None  # the case-constrained interval, when the ruleset has cases
    moved_in_range: int = 0  # councils whose band changes somewhere in the range
    moved_in_interval: int | None = None  # ... somewhere in the case-constrained interval
    per_point: int = 0  # councils whose band changes when the threshold moves one point either way (the larger)

    def row(self, value: float) -> Row:
        return next(r for r in self.rows if r.value == value)


@dataclass
class CouncilSweep:
    ruleset: LoadedRuleset
    councils: list[Subject]
    sweeps: list[ThresholdSweep]
    failures: list[Failure] = field(default_factory=list)

    def most_sensitive(self, whole: bool = False) -> ThresholdSweep | None:
        """The threshold that moves the most councils per point, among shares and tolerances (a point is 0.01)
        or, with ``whole``, among bounds on whole numbers (a point is 1); None when none moves any."""
        best = max((s for s in self.sweeps if s.threshold.whole == whole), key=lambda s: s.per_point, default=None)
        return best if best is not None and best.per_point > 0 else None


def council_subjects(loaded: LoadedRuleset, inputs: Iterable[Path | str]) -> tuple[list[Subject], list[Failure]]:
    """Every council in ``inputs`` evaluated through the whole engine with the ruleset as it is."""
    sources, failures = collect(inputs)
    subjects = []
    for source in sources:
        try:
            evaluated = evaluate_source(source, loaded.path)
        except EngineError as exc:
            failures.append(Failure(source.label, exc.problems))
            continue
        subject = Subject(source.label, evaluated.profile, evaluated.decision)
        subject.check(loaded)
        subjects.append(subject)
    return subjects, failures


def valid_range(loaded: LoadedRuleset, threshold: Threshold, moved: dict[Threshold, float] | None = None) -> tuple[float, float]:
    """The values `rules check` accepts for the threshold, the others as they are (ends that it refuses are
    moved just inside)."""
    moved = dict(moved or {})
    value = moved.get(threshold, threshold.value)
    ends = []
    for direction in (-1, 1):
        end = extent(value, [RULESET], lambda _: [*threshold.edges, *moved.values()],
                     lambda _, x: refusal(loaded, {**moved, threshold: x}) is None, direction)
        ends.append(end.value if end.included else end.inside)
    return ends[0], ends[1]


def window(loaded: LoadedRuleset, threshold: Threshold, interval: Interval | None) -> tuple[float, float]:
    low, high = valid_range(loaded, threshold)
    if threshold.whole:
        low, high = max(low, threshold.value - WHOLE_REACH), min(high, threshold.value + WHOLE_REACH)
    elif threshold.kind == "tolerance":
        pinned = interval is not None and interval.bounded_by(interval.high)
        top = interval.high.value if interval is not None and pinned else threshold.value
        high = min(high, max(TOLERANCE_REACH, 2 * max(threshold.value, top)))
    elif math.isinf(low) or math.isinf(high):  # a bound on a number with no natural range
        low, high = max(low, threshold.value - 10 * threshold.unit), min(high, threshold.value + 10 * threshold.unit)
    return low, high


def grid(threshold: Threshold, low: float, high: float, interval: Interval | None) -> list[float]:
    """Every point from ``low`` to ``high``, the value itself, one point either side, and the interval's ends."""
    unit = threshold.unit
    values = {round(k * unit, 10) for k in range(math.ceil(low / unit - 1e-9), math.floor(high / unit + 1e-9) + 1)}
    values |= {low, high, threshold.value, threshold.value - unit, threshold.value + unit}
    if interval is not None:
        values |= {e.value for e in (interval.low, interval.high) if e.bounded}
    return sorted(v for v in values if low <= v <= high)


def sweep(loaded: LoadedRuleset, councils: list[Subject], intervals: dict[str, Interval] | None = None) -> list[ThresholdSweep]:
    """Every threshold swept over its range (see the module docstring)."""
    intervals = intervals or {}
    return [sweep_threshold(loaded, threshold, councils, intervals.get(threshold.path)) for threshold in thresholds(loaded)]


def sweep_threshold(loaded: LoadedRuleset, threshold: Threshold, councils: list[Subject], interval: Interval | None) -> ThresholdSweep:
    low, high = window(loaded, threshold, interval)
    values = grid(threshold, low, high, interval)
    baseline = [Outcome.of(c.decision).final_band for c in councils]

    def band(council: Subject, x: float) -> int | None:
        return council.outcome(loaded, with_values(loaded.ruleset, {threshold: x})).final_band

    if threshold.kind == "tolerance":  # measures change with it: derive again at each value
        table = {x: [band(c, x) for c in councils] for x in values}
    else:
        functions: list[StepFunction[int | None]] = [
            step_function(c.breakpoints(loaded, loaded.ruleset, threshold), functools.partial(band, c), low, high) for c in councils]
        table = {x: [f.at(x) for f in functions] for x in values}
    rows = [Row(x, dict(Counter(table[x])), sum(a != b for a, b in zip(table[x], baseline, strict=True))) for x in values]
    result = ThresholdSweep(threshold, low, high, rows, interval)
    result.moved_in_range = sum(any(table[x][i] != baseline[i] for x in values) for i in range(len(councils)))
    if interval is not None:
        inside = [x for x in values if interval.contains(x)]
        result.moved_in_interval = sum(any(table[x][i] != baseline[i] for x in inside) for i in range(len(councils)))
    result.per_point = max((r.changed for r in rows if abs(abs(r.value - threshold.value) - threshold.unit) < 1e-9), default=0)
    return result


def sensitivity_over_councils(loaded: LoadedRuleset, inputs: Iterable[Path | str],
                              intervals: dict[str, Interval] | None = None) -> CouncilSweep:
    councils, failures = council_subjects(loaded, inputs)
    return CouncilSweep(loaded, councils, sweep(loaded, councils, intervals), failures)


# --- Text -------------------------------------------------------------------------------------------


def format_text(result: CouncilSweep) -> str:
    r = result.ruleset.ruleset
    n = len(result.councils)
    lines = [f"Councils' final bands as each threshold of {r.id} {r.version} moves, over {n} council{'s' * (n != 1)}"
             + (f" ({len(result.failures)} could not be evaluated: see above)" if result.failures else "") + ".",
             "Each table lists the values where the count of councils in a band changes; 'changed' counts councils",
             "whose band differs from the one the ruleset as it is gives. One point: 0.01, or 1 for a whole number.", ""]
    for whole, what in ((False, "shares and tolerances, a point 0.01"), (True, "bounds on whole numbers, a point 1")):
        best = result.most_sensitive(whole)
        if best is not None:
            lines.append(f"Most councils per point ({what}): {best.threshold.path}, {best.per_point} "
                         f"council{'s' * (best.per_point != 1)} change band when it moves one point")
    for s in result.sweeps:
        interval = ""
        if s.interval is not None:
            interval = f"; case-constrained interval {interval_text(s.interval)}, {s.moved_in_interval} council(s) move within it"
        lines += ["", f"{s.threshold.path} = {number(s.threshold.value)}: swept {number(s.low)} to {number(s.high)}; "
                      f"{s.moved_in_range} council(s) move somewhere in that range, {s.per_point} per point{interval}",
                  f"    {'value':>8}  {'4':>5} {'3':>5} {'2':>5} {'1':>5} {'withheld':>8}  changed"]
        previous: tuple[list[int], int] | None = None
        for row in s.rows:
            if (row.counts(), row.changed) == previous and row.value != s.threshold.value:
                continue
            previous = (row.counts(), row.changed)
            mark = "  <- as it is" if row.value == s.threshold.value else ""
            counts = row.counts()
            lines.append(f"    {number(row.value):>8}  " + " ".join(f"{c:>5}" for c in counts[:4]) + f" {counts[4]:>8}  {row.changed:>7}{mark}")
    return "\n".join(lines) + "\n"


def as_dicts(result: CouncilSweep) -> list[dict]:
    out = []
    for s in result.sweeps:
        out.append({"threshold": s.threshold.path, "value": s.threshold.value, "swept_from": s.low, "swept_to": s.high,
                    "moved_in_range": s.moved_in_range, "moved_in_interval": s.moved_in_interval, "per_point": s.per_point,
                    "interval": s.interval.as_dict() if s.interval is not None else None,
                    "table": [{"value": row.value, **{("withheld" if b is None else str(b)): row.bands.get(b, 0) for b in BANDS},
                               "changed": row.changed} for row in s.rows]})
    return out
