"""``engine rules calibrate [RULESET ...]``: where each threshold may lie so that every outcome Ofsted published
is reproduced, beside where the project's invented cases allow it, and where the shipped value lies.

For each threshold of each ruleset, the other thresholds as they are:
- the **published interval**: the values at which every published case (``published: true``; its band, status
  and direction of travel where published) keeps its outcome, and the published cases that bound each end.
  A known miss (``known_miss``) misses as the ruleset is, so it bounds nothing: it is named apart;
- the **invented interval**: the same over the cases the project invented (they test mechanics, they do not
  justify a threshold);
- where the shipped value lies: **inside** the published interval, **on its edge** (a published case fails
  just beyond the value: the published outcomes pin the threshold there on that side), or **outside** it (a
  published case the ruleset is not known to miss misses at the shipped value). Outside, the nearest stretch on
  each side where every published case is reproduced is given, if there is one.

The intervals are found as ``engine rules sensitivity`` finds them (engine.sensitivity.sensitivity: exact, over
each case's breakpoints, in plain Python over measures derived once per case); every end a published case
bounds is confirmed through the whole engine (the bounding case run against the ruleset file with the threshold
just inside the end, and just beyond it). The tests confirm every bounding case, and every case at a value inside.
"""
from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..authoring.cases import case_dir
from ..errors import EXIT_FAILED, EXIT_OK
from ..load.ruleset import load_ruleset
from ..model.loaded import LoadedRuleset
from ..paths import rules_dir
from ..paths import shown_path as shown
from .sensitivity import CaseSet, Interval, RuleCase, Sensitivity, case_interval, collect_cases, confirm_ends, interval_text, keeps, number
from .steps import End, between, step_function
from .sweep import window
from .thresholds import Threshold, thresholds

Place = Literal["inside", "on the low edge", "on the high edge", "on both edges", "outside"]


@dataclass(frozen=True)
class Stretch:
    """Values of a threshold at which every published case is reproduced (ends included as marked)."""

    low: float
    high: float
    low_included: bool
    high_included: bool

    def text(self) -> str:
        return f"{'[' if self.low_included else '('}{number(self.low)}, {number(self.high)}{']' if self.high_included else ')'}"


@dataclass(frozen=True)
class Placement:
    """One threshold: its value, the published and the invented intervals, and where the value lies."""

    threshold: Threshold
    published: Interval | None  # None when the value lies outside: some published case misses there
    invented: Interval
    missed_here: tuple[str, ...] = ()  # published cases (not known misses) the ruleset misses at its value
    below: Stretch | None = None  # outside: the nearest stretch below the value where every published case holds
    above: Stretch | None = None
    searched: tuple[float, float] | None = None  # outside: the range of values searched for those stretches

    @property
    def place(self) -> Place:
        if self.published is None:
            return "outside"
        at_low = self._pinned(self.published.low)
        at_high = self._pinned(self.published.high)
        return "on both edges" if at_low and at_high else "on the low edge" if at_low else "on the high edge" if at_high else "inside"

    def _pinned(self, end: End[str]) -> bool:  # a published case fails just beyond the value itself
        assert self.published is not None
        return end.included and end.value == self.threshold.value and bool(self.published.bounded_by(end))

    @property
    def inside(self) -> bool:
        """The value keeps every published case (an edge is inside: the ends are the last values that keep them)."""
        return self.published is not None

    @property
    def constrained(self) -> tuple[list[str], list[str]]:
        """The published cases bounding it from below and from above (none when outside)."""
        if self.published is None:
            return [], []
        return self.published.bounded_by(self.published.low), self.published.bounded_by(self.published.high)

    def as_dict(self) -> dict:
        return {"threshold": self.threshold.path, "value": self.threshold.value, "place": self.place,
                "published": self.published.as_dict() if self.published else None, "invented": self.invented.as_dict(),
                "missed_here": list(self.missed_here),
                "nearest": {side: None if s is None else {"low": s.low, "high": s.high, "low_included": s.low_included,
                                                          "high_included": s.high_included}
                            for side, s in (("below", self.below), ("above", self.above))}}


@dataclass
class RulesetPlacements:
    ruleset: LoadedRuleset
    placements: list[Placement]
    published: list[str]  # the published cases that bear on thresholds (reproduced or missed)
    invented: list[str]
    known_misses: list[tuple[str, list[str]]] = field(default_factory=list)
    failing: list[tuple[str, list[str]]] = field(default_factory=list)  # cases failing as the ruleset is
    confirmed: bool = False
    ruleset_cases: list[RuleCase] = field(default_factory=list)  # the published and the invented cases, evaluated

    def placement(self, path: str) -> Placement:
        return next(p for p in self.placements if p.threshold.path == path)

    @property
    def outside(self) -> list[Placement]:
        return [p for p in self.placements if not p.inside]


@dataclass
class PublishedCalibration:
    rulesets: list[RulesetPlacements]

    @property
    def exit_code(self) -> int:
        """1 when a threshold's value lies outside its published interval (a published case misses there), or a case
        fails with the ruleset as it is (it is left out, and named)."""
        return EXIT_FAILED if any(r.outside or r.failing for r in self.rulesets) else EXIT_OK

    def text(self) -> str:
        return "\n".join(format_text(r) for r in self.rulesets)

    def json(self) -> str:
        return json.dumps([{"ruleset": r.ruleset.ruleset.id, "version": r.ruleset.ruleset.version, "path": r.ruleset.path,
                            "published_cases": r.published, "invented_cases": r.invented,
                            "known_misses": [name for name, _ in r.known_misses],
                            "thresholds": [p.as_dict() for p in r.placements]} for r in self.rulesets], indent=2) + "\n"


def shipped_rulesets() -> list[Path]:
    """Every ruleset in rules/ that has cases of its own."""
    return [p for p in sorted(rules_dir().glob("*.yaml")) if case_dir(load_ruleset(p).ruleset.id).is_dir()]


def published_calibration(rulesets: Iterable[Path | str] = (), cases: list[str] | None = None, *,
                          confirm: bool = True) -> PublishedCalibration:
    """Each threshold's published and invented intervals, for each ruleset given (default: every shipped ruleset
    with cases); with ``confirm``, each end a published case bounds is confirmed through the whole engine."""
    paths = list(rulesets) or shipped_rulesets()
    return PublishedCalibration([placements(load_ruleset(p), cases, confirm=confirm) for p in paths])


def placements(loaded: LoadedRuleset, cases: list[str] | None = None, *, confirm: bool = True,
               found: CaseSet | None = None) -> RulesetPlacements:
    """``found``: the cases already evaluated with the ruleset (:func:`collect_cases`), else evaluated here."""
    found = found if found is not None else collect_cases(loaded, cases)
    published = found.published
    invented = [c for c in found.passing if not c.published]
    missed = [c.id for c in found.missed]
    out = []
    for threshold in thresholds(loaded):
        invented_interval = case_interval(loaded, threshold, invented)
        if missed:
            below, above = nearest_stretches(loaded, threshold, published)
            out.append(Placement(threshold, None, invented_interval, tuple(missed), below, above, window(loaded, threshold, None)))
        else:
            out.append(Placement(threshold, case_interval(loaded, threshold, published), invented_interval))
    result = RulesetPlacements(loaded, out, [c.id for c in published], [c.id for c in invented], found.known_misses,
                               [f for f in found.failing if f[0] not in missed], ruleset_cases=published + invented)
    if confirm and not missed:
        intervals = [p.published for p in out if p.published is not None]
        confirm_ends(Sensitivity(loaded, intervals, published))
        result.confirmed = True
    return result


def nearest_stretches(loaded: LoadedRuleset, threshold: Threshold, cases: list[RuleCase]) -> tuple[Stretch | None, Stretch | None]:
    """The stretches of the threshold's values, nearest its value below and above, at which every case keeps its
    outcome, within the range swept by ``rules sensitivity --profiles`` (every value `rules check` accepts;
    a whole-number bound five either side, a tolerance up to at least 0.1)."""
    low, high = window(loaded, threshold, None)
    value = threshold.value

    def holds(case: RuleCase, x: float) -> bool:
        return keeps(case, loaded, {threshold: x})

    functions = [step_function(c.subject.breakpoints(loaded, loaded.ruleset, threshold), functools.partial(holds, c), low, high)
                 for c in cases]
    points = sorted({p for f in functions for p in f.points})
    # Every point and every open piece between two, in order: (low, high, kept by every case)
    pieces: list[tuple[float, float, bool]] = []
    for i, p in enumerate(points):
        if i:
            x = between(points[i - 1], p)
            pieces.append((points[i - 1], p, all(f.at(x) for f in functions)))
        pieces.append((p, p, all(f.at(p) for f in functions)))
    stretches: list[Stretch] = []
    run: list[tuple[float, float, bool]] = []
    for piece in [*pieces, (math.inf, math.inf, False)]:
        if piece[2]:
            run.append(piece)
            continue
        if run:
            first, last = run[0], run[-1]
            stretches.append(Stretch(first[0], last[1], first[0] == first[1], last[0] == last[1]))
        run = []
    below = [s for s in stretches if s.high < value or (s.high == value and not s.high_included)]
    above = [s for s in stretches if s.low > value or (s.low == value and not s.low_included)]
    return (below[-1] if below else None), (above[0] if above else None)


# --- Text -------------------------------------------------------------------------------------------


def place_text(p: Placement) -> str:
    """Where the shipped value lies, plainly."""
    if p.published is None:
        return "OUTSIDE"
    if p.place == "inside":
        return "inside" + ("" if any(p.constrained) else " (no published outcome bounds it)")
    return p.place.upper()


INVENTED_SHOWN = 3  # invented cases named at an end; the rest counted (every published case is named)


def _bounds(interval: Interval, shown_cases: int | None = None) -> list[str]:
    """The ends a case bounds, with the cases (an end no case bounds is where `rules check` refuses, or infinite)."""
    out = []
    for end, side in ((interval.low, "low"), (interval.high, "high")):
        cases = interval.bounded_by(end)
        if not cases:
            continue
        named = cases if shown_cases is None or len(cases) <= shown_cases else [*cases[:shown_cases], f"{len(cases) - shown_cases} more"]
        where = f"at {number(end.value)}" if not end.included else f"just {'below' if side == 'low' else 'above'} {number(end.value)}"
        out.append(f"{side} end: {'case' if len(cases) == 1 else 'cases'} {', '.join(named)} fail{'s' * (len(cases) == 1)} {where}")
    return out


def format_text(result: RulesetPlacements) -> str:
    r = result.ruleset.ruleset
    n, m = len(result.published), len(result.invented)
    lines = [f"Thresholds of {r.id} {r.version} ({shown(result.ruleset.path)}) against the published outcomes: the interval in which each",
             f"may lie with every published case reproduced (band, status and direction of travel where published; {n} case{'s' * (n != 1)}),",
             f"beside the interval the {m} invented case{'s' * (m != 1)} allow, the other thresholds as they are. [ ] includes an end, ( ) excludes",
             "it; an end no case bounds is where `rules check` refuses the ruleset, or infinite."
             + (" Each end a published case bounds was confirmed through the whole engine." if result.confirmed else ""), ""]
    for name, problems in result.known_misses:
        lines.append(f"KNOWN MISS (bounds nothing): {name}: {'; '.join(problems)}")
    for name, problems in result.failing:
        lines.append(f"NOT USED: case {name} fails with the ruleset as it is: {'; '.join(problems)}")
    missed = result.outside[0].missed_here if result.outside else ()
    for name in missed:
        lines.append(f"MISSED: published case {name} is not reproduced with the ruleset as it is, and is not a known miss")
    if result.known_misses or result.failing or missed:
        lines.append("")
    width = max((len(p.threshold.path) for p in result.placements), default=0)
    texts = [interval_text(p.published) if p.published else "-" for p in result.placements]
    wide = max((len(t) for t in texts), default=0)
    lines.append(f"{'threshold':<{width}}  {'value':>6}  {'published':<{wide}}  {'invented':<18}  the value lies")
    for p, text in zip(result.placements, texts, strict=True):
        lines.append(f"{p.threshold.path:<{width}}  {number(p.threshold.value):>6}  {text:<{wide}}  {interval_text(p.invented):<18}  {place_text(p)}")
        if p.published is None:
            lines.append(f"    published: missed at the value by {', '.join(p.missed_here)}; every published case is reproduced "
                         + (" and ".join(f"{side} at {s.text()}" for side, s in (("below", p.below), ("above", p.above)) if s)
                            or "at no value of this threshold alone")
                         + (f" (values searched: {number(p.searched[0])} to {number(p.searched[1])})" if p.searched else ""))
        else:
            lines += [f"    published {b}" for b in _bounds(p.published)]
        lines += [f"    invented  {b}" for b in _bounds(p.invented, INVENTED_SHOWN)]
    edges = [p.threshold.path for p in result.placements if p.inside and p.place != "inside"]
    unconstrained = [p.threshold.path for p in result.placements if p.inside and not any(p.constrained)]
    lines += ["", f"Inside the published interval: {sum(p.inside for p in result.placements)} of {len(result.placements)}, "
                  f"on its edge: {', '.join(edges) or 'none'}; outside: {', '.join(p.threshold.path for p in result.outside) or 'none'}",
              f"Constrained by a published outcome from below: {', '.join(p.threshold.path for p in result.placements if p.constrained[0]) or 'none'}",
              f"Constrained by a published outcome from above: {', '.join(p.threshold.path for p in result.placements if p.constrained[1]) or 'none'}",
              f"Unconstrained by any published outcome: {', '.join(unconstrained) or 'none'}"]
    return "\n".join(lines) + "\n"
