"""``engine rules calibrate RULESET --outcomes FILE --profiles DIR -o PROPOSED``: threshold values, within what
the ruleset's rule cases allow, that reproduce the most published bands.

The search is coordinate ascent over the thresholds, in the file's order, for a few rounds: for each, the
interval its cases allow with the others as they now stand (engine.sensitivity.sensitivity, which also keeps
named proportions in order and the ruleset valid), then the value in it that gives the most councils their
published band, kept only if it gives more than the value it has; among equals, the one nearest its value,
and the shortest decimal in the piece. Every council's band is known exactly at every value of a threshold
other than a tolerance (engine.sensitivity.steps); a tolerance is tried at each point (0.01) and at its
interval's ends. The search evaluates in plain Python over measures derived once per council and
tolerance (engine.sensitivity.outcomes).
It finds a good set of values, not always the best one: thresholds that only help together may be missed.

The proposed ruleset is the original file with the moved values replaced in place (comments kept) and a
header saying where it came from. It is written to a new file, never over a shipped ruleset, and over an
existing file only when told. Then it is confirmed through the whole engine: every rule case must pass with
it, and `rules diff` of the original against it (which evaluates every council with both) must give the
bands the search predicted; the agreement after is counted from that diff.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..authoring.cases import run_case
from ..errors import EXIT_BAD_INPUT, EXIT_OK, DefectError, EngineError, Problem, ProfileError, did_you_mean
from ..ingest.tables import line_of, read_table, require_columns
from ..load.ruleset import load_ruleset
from ..model.loaded import LoadedRuleset
from ..paths import rules_dir
from .diff import RulesDiff, rules_diff
from .diff import format_text as diff_text
from .files import write_whole
from .outcomes import Subject
from .sensitivity import Interval, RuleCase, case_interval, interval_text, number, rule_cases
from .steps import between, short_between, step_function
from .sweep import council_subjects, window
from .thresholds import Threshold, edited_text, thresholds, with_values

ROUNDS = 4
TOLERANCE_STEP = 0.01  # one point
OUTCOME_COLUMNS = {"authority": "authority", "year": "year", "published_band": "published_band"}
WITHHELD = ("", "withheld", "none")


@dataclass(frozen=True)
class Published:
    authority: str  # as the table gives it: a council's name or code
    year: int
    band: int | None  # None: published as withheld
    line: int


@dataclass(frozen=True)
class Move:
    threshold: Threshold
    before: float
    after: float
    gained: int  # councils given their published band by this move, when it was made
    interval: Interval  # what the cases allowed when it was made


@dataclass(frozen=True)
class Missed:
    authority: str
    authority_code: str | None
    published: int | None
    final: int | None
    decisive: list[str]


@dataclass
class Calibration:
    ruleset: LoadedRuleset
    proposed: Path
    councils: int  # councils with a profile and a published band
    before: int  # councils given their published band, before and after
    after: int
    moves: list[Move]
    missed: list[Missed]
    cases_passed: int
    diff: RulesDiff
    problems: list[Problem] = field(default_factory=list)  # outcome rows and profiles that could not be used

    @property
    def exit_code(self) -> int:
        """2 when an outcome row or a profile could not be used (the proposal is of the others)."""
        return EXIT_BAD_INPUT if self.problems else EXIT_OK

    def text(self) -> str:
        return format_text(self)


def read_outcomes(path: Path | str, ruleset: LoadedRuleset) -> tuple[list[Published], list[Problem]]:
    """Published outcomes: a table (CSV, Excel or Parquet) with ``authority``, ``year`` and ``published_band``
    (a band of the ruleset's scale, its words, or empty / ``withheld``)."""
    frame = read_table(path, ProfileError)
    at = require_columns(frame, OUTCOME_COLUMNS, str(path), ProfileError)
    words = {step.words.lower(): band for band, step in ruleset.ruleset.scale.items()}
    found: list[Published] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, int], int] = {}
    for i, row in enumerate(frame.to_dict("records")):
        line = line_of(i)

        def bad(column: str, message: str, line: int = line) -> None:
            problems.append(Problem("record-invalid", message, str(path), line, at[column]))

        authority, year_text, band_text = row["authority"], row["year"], row["published_band"].strip().lower()
        if not authority:
            bad("authority", "no authority")
            continue
        if not year_text.isdigit():
            bad("year", f"year '{year_text}' is not a year")
            continue
        band: int | None
        if band_text in WITHHELD:
            band = None
        elif band_text.isdigit() and int(band_text) in ruleset.ruleset.scale:
            band = int(band_text)
        elif band_text in words:
            band = words[band_text]
        else:
            bands = ", ".join(str(b) for b in sorted(ruleset.ruleset.scale))
            bad("published_band", f"published band '{row['published_band']}' is not a band of the scale ({bands} or its words) or 'withheld'")
            continue
        key = (authority.lower(), int(year_text))
        if key in seen:
            problems.append(Problem("duplicate-record", f"{authority} {year_text} is given twice (first on line {seen[key]})",
                                    str(path), line, at["authority"]))
            continue
        seen[key] = line
        found.append(Published(authority, int(year_text), band, line))
    return found, problems


def match(subjects: list[Subject], published: list[Published], path: str) -> tuple[list[tuple[Subject, int | None]], list[Problem]]:
    """Each council with its published band, by name or code and year; rows with no council are problems."""
    by_key: dict[tuple[str, int], Subject] = {}
    for s in subjects:
        for name in (s.decision.authority, s.decision.authority_code):
            if name:
                by_key.setdefault((name.lower(), s.decision.year), s)
    matched, problems = [], []
    for p in published:
        subject = by_key.get((p.authority.lower(), p.year))
        if subject is None:
            problems.append(Problem("unknown-council", f"no profile given for {p.authority} in {p.year}", path, p.line, 1))
        else:
            matched.append((subject, p.band))
    return matched, problems


class _Search:
    def __init__(self, loaded: LoadedRuleset, cases: list[RuleCase], councils: list[tuple[Subject, int | None]]):
        self.loaded, self.cases, self.councils = loaded, cases, councils
        self.moved: dict[Threshold, float] = {}

    def agreement(self, values: dict[Threshold, float]) -> int:
        ruleset = with_values(self.loaded.ruleset, values)
        return sum(s.outcome(self.loaded, ruleset).final_band == band for s, band in self.councils)

    def step(self, threshold: Threshold) -> Move | None:
        """Move the threshold to the value in its interval that gives the most published bands, if that is more."""
        loaded, moved = self.loaded, self.moved
        current = moved.get(threshold, threshold.value)
        interval = case_interval(loaded, threshold, self.cases, moved)
        low, high = window(loaded, threshold, interval)
        low = max(low, interval.low.value) if interval.low.bounded else low
        high = min(high, interval.high.value) if interval.high.bounded else high
        scores = self._scores(threshold, interval, low, high)
        now = self.agreement(moved)
        best = max(scores, key=lambda c: (c[2], -_distance(c[0], c[1], current)), default=None)
        if best is None or best[2] <= now:
            return None
        a, b, score = best
        value = a if a == b else current if a < current < b else short_between(a, b) if current <= a else short_between(b, a)
        self.moved = {**moved, threshold: value}
        return Move(threshold, current, value, score - now, interval)

    def _scores(self, threshold: Threshold, interval: Interval, low: float, high: float) -> list[tuple[float, float, int]]:
        """(piece's low, piece's high, councils agreeing) for every candidate piece of the interval."""
        def allowed(x: float) -> bool:
            return interval.contains(x) and low <= x <= high

        if threshold.kind == "tolerance" or threshold.whole:
            step = 1.0 if threshold.whole else TOLERANCE_STEP
            grid = {round(k * step, 10) for k in range(int(low // step), int(high // step) + 2)}
            grid |= {interval.low.value, interval.high.value} - {float("inf"), float("-inf")}
            return [(x, x, self.agreement({**self.moved, threshold: x})) for x in sorted(grid) if allowed(x)]
        ruleset = with_values(self.loaded.ruleset, self.moved)

        def band(subject: Subject, x: float) -> int | None:
            return subject.outcome(self.loaded, with_values(ruleset, {threshold: x})).final_band

        functions = [(step_function(s.breakpoints(self.loaded, ruleset, threshold), functools.partial(band, s), low, high), want)
                     for s, want in self.councils]
        points = sorted({p for f, _ in functions for p in f.points})
        pieces = [(p, p) for p in points] + list(zip(points, points[1:], strict=False))
        out = []
        for a, b in pieces:
            x = a if a == b else between(a, b)
            if allowed(x):
                out.append((a, b, sum(f.at(x) == want for f, want in functions)))
        return out


def _distance(a: float, b: float, x: float) -> float:
    return 0.0 if a <= x <= b else min(abs(a - x), abs(b - x))


def check_output(output: Path, ruleset: LoadedRuleset, force: bool) -> None:
    """Never over a shipped ruleset or the one calibrated; over another existing file only with ``force``."""
    target = output.resolve()
    shipped = {p.resolve() for p in rules_dir().glob("*.yaml")} | {Path(ruleset.path).resolve()}
    if target in shipped or target.parent == rules_dir().resolve():
        raise ProfileError([Problem("output-exists", "a proposed ruleset is never written over a shipped ruleset or into rules/",
                                    str(output), suggestion="write it elsewhere, review it, then copy it in")])
    if output.exists() and not force:
        raise ProfileError([Problem("output-exists", "the file exists", str(output), suggestion="give another name, or --force to replace it")])


def calibrate(ruleset_path: Path | str, outcomes: Path | str, inputs: Iterable[Path | str], output: Path | str, *,
              cases: list[str] | None = None, force: bool = False, only: list[str] | None = None) -> Calibration:
    loaded = load_ruleset(ruleset_path)
    output = Path(output)
    check_output(output, loaded, force)
    known = [t.path for t in thresholds(loaded)]
    unknown = sorted(set(only or ()) - set(known))
    if unknown:
        raise ProfileError([Problem("unknown-threshold", f"no threshold '{u}' in the ruleset", loaded.path,
                                    suggestion=did_you_mean(u, known)) for u in unknown])
    published, problems = read_outcomes(outcomes, loaded)
    passing, failing, _, _ = rule_cases(loaded, cases)  # a known miss is expected to miss: it bounds nothing
    if failing:
        raise ProfileError([Problem("case-invalid", f"case {name} fails with the ruleset as it is: {'; '.join(found)}", loaded.path)
                            for name, found in failing])
    inputs = list(inputs)
    subjects, failures = council_subjects(loaded, inputs)
    problems += [p for f in failures for p in f.problems]
    matched, unmatched = match(subjects, published, str(outcomes))
    problems += unmatched
    if not matched:
        raise ProfileError(problems + [Problem("unknown-council", "no published band is for a council given (by name or code, "
                                               "and year)", str(outcomes))])
    search = _Search(loaded, passing, matched)
    candidates = [t for t in thresholds(loaded) if t.used_by and (not only or t.path in only)]
    before = search.agreement({})
    moves: list[Move] = []
    for _ in range(ROUNDS):
        made = [m for m in (search.step(t) for t in candidates) if m is not None]
        moves += made
        if not made:
            break
    predicted = search.agreement(search.moved)
    _write(output, loaded, search.moved, outcomes)
    try:
        passed = sum(run_case(case.path, output).passed for case in passing)
        if passed != len(passing):
            raise DefectError([Problem("explanation-mismatch", f"{len(passing) - passed} rule case(s) fail with the proposed ruleset, "
                                       "which the search computed beside the engine kept", str(output))])
        diff = rules_diff(loaded.path, output, inputs)
        after_of = {c.source: c for c in diff.councils}
        after = sum(after_of[s.label].final_band_after == band for s, band in matched)
        if after != predicted:
            raise DefectError([Problem("explanation-mismatch", f"the engine gives {after} published bands with the proposed ruleset; "
                                       f"the search computed beside it predicted {predicted}", str(output))])
    except EngineError:
        output.unlink(missing_ok=True)
        raise
    missed = [Missed(s.decision.authority, s.decision.authority_code, band, after_of[s.label].final_band_after,
                     after_of[s.label].decisive_after)
              for s, band in matched if after_of[s.label].final_band_after != band]
    return Calibration(loaded, output, len(matched), before, after, _net(moves), missed, passed, diff, problems)


def _net(moves: list[Move]) -> list[Move]:
    """One move per threshold: from its value in the ruleset to its value at the end, with what it gained."""
    by: dict[Threshold, Move] = {}
    for m in moves:
        first = by.get(m.threshold)
        by[m.threshold] = m if first is None else Move(m.threshold, first.before, m.after, first.gained + m.gained, m.interval)
    return [m for m in by.values() if m.after != m.before]


def _write(output: Path, loaded: LoadedRuleset, moved: dict[Threshold, float], outcomes: Path | str) -> None:
    """The proposed ruleset, written whole or not at all."""
    text = edited_text(loaded, moved)
    lines = text.splitlines(keepends=True)
    at = 1 if lines and lines[0].startswith("# yaml-language-server:") else 0
    header = (f"# PROPOSED by `engine rules calibrate` from {loaded.path} (sha256 {loaded.content_hash[:12]}) against the\n"
              f"# published outcomes in {outcomes}. Moved: "
              + (", ".join(f"{t.path} {number(t.value)} -> {number(v)}" for t, v in moved.items()) or "nothing") + ".\n"
              "# Review it with `engine rules diff`, then copy it into rules/ by hand.\n")
    text = "".join(lines[:at]) + header + "".join(lines[at:])
    write_whole(output, text)

def format_text(result: Calibration) -> str:
    r = result.ruleset.ruleset
    n = result.councils

    def share(k: int) -> str:
        return f"{k} of {n}" + (f" ({k / n:.0%})" if n else "")

    lines = [f"Calibrating {r.id} {r.version} ({result.ruleset.path}) against the published bands of {n} council(s).",
             f"Agreement before: {share(result.before)}; after: {share(result.after)}.", ""]
    if result.moves:
        lines.append("Thresholds moved (each within the interval its rule cases allow, named proportions kept in order):")
        width = max(len(m.threshold.path) for m in result.moves)
        for m in result.moves:
            lines.append(f"  {m.threshold.path:<{width}}  {number(m.before)} -> {number(m.after)}   (cases allow "
                         f"{interval_text(m.interval)}; +{m.gained} published band{'s' * (m.gained != 1)})")
    else:
        lines.append("No threshold moved: no value within what the cases allow gives more published bands.")
    lines += ["", f"Councils still missed: {len(result.missed)}"]
    for miss in result.missed:
        code = f" ({miss.authority_code})" if miss.authority_code else ""
        lines.append(f"  {miss.authority}{code}: published {miss.published or 'withheld'}, the proposed ruleset gives "
                     f"{miss.final or 'withheld'}; decided by {', '.join(miss.decisive)}")
    lines += ["", f"Proposed ruleset written to {result.proposed}; all {result.cases_passed} rule cases that reach a decision pass with it.",
              f"Its effect, council by council (engine rules diff {result.ruleset.path} {result.proposed} ...):", ""]
    return "\n".join(lines) + "\n" + diff_text(result.diff)
