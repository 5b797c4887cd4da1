"""Outcomes as step functions of one threshold.

A condition ``measure >= t`` changes only where ``t`` crosses the measure's value, so a subject's outcome,
as a function of one threshold, is constant between the values where one of its conditions meets a measure
(its breakpoints) and may take a third value exactly at one. Evaluating it once at each breakpoint and
once between each pair of them gives it exactly; nothing between is guessed. The same holds for many
subjects at once, with the breakpoints of all of them.

:func:`extent` walks out from a value until some subject fails (the interval a threshold may move in);
:func:`step_function` tabulates one subject over a window (a council's band at every value).
"""
from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)
R = TypeVar("R")

# How far beyond an end "just outside" is, at most (less when the next breakpoint is nearer).
JUST = 1e-6
# A value written just beyond (or inside) an end stays clear of the breakpoint by more than the rounding allowance the
# comparisons grant a difference (1e-12, engine.measures.derive): a shortest-decimal value such as 0.005 next to a
# breakpoint of 0.0050000000000000044 (7/8 against 0.88) would otherwise read as the breakpoint itself.
CLEAR = 1e-9


def between(low: float, high: float) -> float:
    """A value strictly between two breakpoints (either may be infinite)."""
    if math.isinf(low) and math.isinf(high):
        return 0.0
    if math.isinf(high):
        return low + max(1.0, abs(low))
    if math.isinf(low):
        return high - max(1.0, abs(high))
    return (low + high) / 2


def short_between(a: float, b: float) -> float:
    """The number with the fewest decimals strictly between ``a`` and ``b``, nearest ``a``: the value a reviewer
    would write, and one whose shortest form has a decimal point (YAML reads ``1e-06`` as a string, and
    durable-rules refuses a number with an exponent but no fraction)."""
    low, high = min(a, b), max(a, b)
    for digits in range(18):
        step = 10.0 ** -digits
        k = math.floor(a / step) + 1 if b > a else math.ceil(a / step) - 1
        candidate = round(k * step, digits)
        if low < candidate < high:
            text = repr(candidate)
            if "e" in text and "." not in text.split("e")[0]:
                candidate = math.nextafter(candidate, a)  # 1e-06 -> 9.999999999999999e-07
            if low < candidate < high:
                return candidate
    return (a + b) / 2


@dataclass(frozen=True)
class End(Generic[T]):
    """Where an interval ends on one side, and why."""

    value: float  # +-inf when nothing bounds it on this side
    included: bool  # whether the end itself keeps every subject
    blockers: list[T]  # the subjects that fail just beyond it
    inside: float  # a value that keeps every subject: the end itself, or just inside it
    outside: float | None  # a value just beyond it where every blocker fails; None when unbounded

    @property
    def bounded(self) -> bool:
        return not math.isinf(self.value)


def extent(start: float, items: Iterable[T], breaks: Callable[[T], Iterable[float]], ok: Callable[[T, float], bool],
           direction: int, *, right_continuous: Callable[[T], bool] = lambda item: False) -> End[T]:
    """How far from ``start`` (where every item is ok) the value can move up (``direction`` 1) or down (-1)
    with every item still ok. Each item is evaluated only at its own breakpoints and between them. For an
    item that is ``right_continuous`` (its result at a breakpoint is its result just above it, as for a
    tolerance: a difference equal to it is in line) the evaluations a breakpoint would repeat are skipped."""
    sign = 1.0 if direction > 0 else -1.0
    owners: dict[float, list[T]] = {}
    for item in items:
        for b in breaks(item):
            if sign * b >= sign * start:
                owners.setdefault(sign * b, []).append(item)

    # On the walk's own axis (values times sign) a right-continuous item's result at a breakpoint is that of
    # the piece after it going up, and of the piece before it (already known to pass) going down.
    def at_point(point: float) -> list[T]:
        return [item for item in owners[point] if not (direction < 0 and right_continuous(item))]

    def after_point(point: float) -> list[T]:
        return [item for item in owners.get(point, []) if not (direction > 0 and right_continuous(item))]

    start_ = sign * start
    changed = after_point(start_)
    previous = start_
    for point in sorted(b for b in owners if b > start_) + [math.inf]:
        x = between(previous, point)
        failing = [item for item in changed if not ok(item, sign * x)]
        if failing:  # the open interval beyond ``previous`` fails: ``previous`` itself is the last value kept
            span = min(JUST, x - previous)
            beyond = short_between(sign * (previous + min(CLEAR, span / 2)), sign * (previous + span))
            return End(sign * previous, True, failing, sign * previous, beyond)
        if math.isinf(point):
            return End(sign * point, True, [], sign * x, None)
        failing = [item for item in at_point(point) if not ok(item, sign * point)]
        if failing:  # the breakpoint itself fails: the interval stops short of it
            span = min(JUST, point - x)
            inside = short_between(sign * (point - min(CLEAR, span / 2)), sign * (point - span))
            return End(sign * point, False, failing, inside, sign * point)
        previous, changed = point, after_point(point)
    raise AssertionError("unreachable: the walk ends at infinity")


@dataclass
class StepFunction(Generic[R]):
    """One subject's result at every value of a window: at each breakpoint, and between each pair."""

    points: list[float]
    at_points: list[R]
    beyond: list[R] = field(default_factory=list)  # beyond[i - 1]: between points[i-1] and points[i]

    def at(self, x: float) -> R:
        """The result at ``x``; a result may be None (a council withheld), so a value outside the window is refused
        by its place, never by the result."""
        i = bisect.bisect_left(self.points, x)
        if i < len(self.points) and self.points[i] == x:
            return self.at_points[i]
        if not 0 < i < len(self.points):
            raise ValueError(f"{x} lies outside the window [{self.points[0]}, {self.points[-1]}]")
        return self.beyond[i - 1]


def step_function(breaks: Iterable[float], evaluate: Callable[[float], R], low: float, high: float) -> StepFunction[R]:
    """``evaluate`` tabulated over [low, high] (finite): at the window's ends, at each breakpoint inside it,
    and once between each pair of those."""
    points = sorted({low, high} | {b for b in breaks if low <= b <= high})
    return StepFunction(points, [evaluate(p) for p in points], [evaluate(between(a, b)) for a, b in zip(points, points[1:], strict=False)])
