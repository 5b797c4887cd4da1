"""The folder being reviewed: every council rated through the library's batch on start, re-rated when its
file changes, and each council's full review (trace, why-not, letter, thresholds) worked out when first
asked for and kept until its file changes.

Only the package root ``engine`` is imported, as the command line does.
"""
from __future__ import annotations

import json
import math
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import engine

SLUG = re.compile(r"[^a-z0-9]+")
PROFILE_SUFFIXES = (".yaml", ".yml")


def slug_of(path: Path) -> str:
    return SLUG.sub("-", path.stem.lower()).strip("-") or "council"


@dataclass
class Council:
    """One council of the folder: its file, its batch row, and its review once worked out."""

    slug: str
    path: Path
    mtime: float
    row: dict[str, Any] | None = None  # None: the profile could not be rated (see problems)
    problems: list[str] = field(default_factory=list)
    nearest: tuple[str, float] | None = None  # the deciding condition nearest its threshold, and the margin
    binding: list[str] = field(default_factory=list)  # limits that lowered the band
    applied: list[str] = field(default_factory=list)  # limits whose conditions held (binding or not)
    evaluation: Any = None  # engine.Evaluation of the file as rated
    text: str | None = None  # the file as it was read for that evaluation
    review: CouncilReview | None = None

    @property
    def year(self) -> int | None:
        return int(self.row["year"]) if self.row else None

    @property
    def name(self) -> str:
        return str(self.row["authority"]) if self.row else self.path.name


@dataclass
class CouncilReview:
    """What a council's page shows, from one evaluation of its file as it is now."""

    text: str
    evaluation: Any  # engine.Evaluation
    why_not: dict[int, Any]  # band -> engine.WhyNot, or the problem's text
    letter: str | None
    static: Any = None  # the page's sections that only this version of the file decides, rendered once


def _value(value: Any) -> Any:
    """A pandas cell as a plain value: missing numbers (NA, NaN) as None."""
    if value is None:
        return None
    try:
        if value != value or (isinstance(value, float) and math.isnan(value)):
            return None
    except TypeError:  # pandas.NA compares to nothing
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


class Folder:
    """The councils of one folder of profiles, kept in step with the files."""

    def __init__(self, folder: str | os.PathLike[str], ruleset: str | os.PathLike[str] | None = None,
                 progress: Callable[[int, int], None] | None = None):
        self.folder = Path(folder)
        self.ruleset = str(ruleset) if ruleset is not None else None
        self._lock = threading.RLock()
        self.councils: dict[str, Council] = {}
        self._intervals: dict[str, Any] = {}
        self.version = 0  # counts the changes to the councils: what the pages may cache against
        self.refresh_every = 1.0  # seconds between looks at the files (each is a stat of every profile)
        self._looked = 0.0
        paths = self._paths()
        self._rate(paths, progress)

    def _paths(self) -> list[Path]:
        if self.folder.is_file():
            return [self.folder]
        return sorted(p for p in self.folder.iterdir() if p.suffix.lower() in PROFILE_SUFFIXES and p.is_file())

    def _slug(self, path: Path) -> str:
        base, n = slug_of(path), 2
        slug = base
        while slug in self.councils and self.councils[slug].path != path:
            slug, n = f"{base}-{n}", n + 1
        return slug

    def _rate(self, paths: list[Path], progress: Callable[[int, int], None] | None = None) -> None:
        if not paths:
            return
        result = engine.evaluate_batch([str(p) for p in paths], workers=1, ruleset=self.ruleset, progress=progress)
        rows = {str(row["source"]): {k: _value(v) for k, v in row.items()} for row in result.results.to_dict("records")}
        failures: dict[str, list[str]] = {}
        for failure in result.failures:
            failures.setdefault(failure.source, []).extend(str(p) for p in failure.problems)
        for path in paths:
            try:
                mtime = path.stat().st_mtime
            except OSError:
                continue
            slug = self._slug(path)
            self.version += 1
            council = Council(slug, path, mtime, rows.get(str(path)), failures.get(str(path), []))
            if council.row is not None:  # the trace the table's columns read: evaluated again, whole (milliseconds)
                council.text = path.read_text(encoding="utf-8")
                council.evaluation = engine.evaluate_text(council.text, str(path), self.ruleset)
                decision = council.evaluation.decision
                council.nearest = nearest_threshold(decision)
                council.binding = [limit.limit_id for limit in decision.limits if limit.binding]
                council.applied = [limit.limit_id for limit in decision.limits]
            self.councils[slug] = council

    def refresh(self) -> None:
        """Re-rate every council whose file changed, rate new files, forget removed ones (at most once a second)."""
        with self._lock:
            if time.monotonic() - self._looked < self.refresh_every:
                return
            self._looked = time.monotonic()
            current = {p: p.stat().st_mtime for p in self._paths()}
            known = {c.path: c for c in self.councils.values()}
            changed = [p for p, m in current.items() if p not in known or known[p].mtime != m]
            for slug in [c.slug for c in self.councils.values() if c.path not in current]:
                del self.councils[slug]
                self.version += 1
            if changed:
                for path in changed:
                    if path in known:
                        del self.councils[known[path].slug]
                self._rate(changed)

    def years(self) -> list[int]:
        return sorted({c.year for c in self.councils.values() if c.year is not None})

    def of_year(self, year: int) -> list[Council]:
        return sorted((c for c in self.councils.values() if c.year == year), key=lambda c: c.name.lower())

    def unrated(self) -> list[Council]:
        return [c for c in self.councils.values() if c.row is None]

    def council(self, year: int, slug: str) -> Council | None:
        self.refresh_one(slug)
        found = self.councils.get(slug)
        return found if found is not None and found.year == year else None

    def refresh_one(self, slug: str) -> None:
        with self._lock:
            council = self.councils.get(slug)
            if council is None:
                return
            try:
                mtime = council.path.stat().st_mtime
            except OSError:
                del self.councils[slug]
                return
            if mtime != council.mtime:
                del self.councils[slug]
                self._rate([council.path])

    def review(self, council: Council) -> CouncilReview:
        """The council's full review, worked out once per version of its file."""
        with self._lock:
            if council.review is not None:
                return council.review
            text = council.text if council.text is not None else council.path.read_text(encoding="utf-8")
            evaluation = council.evaluation or engine.evaluate_text(text, str(council.path), self.ruleset)
            why: dict[int, Any] = {}  # filled as each band's page is asked for (a search: seconds each)
            try:  # a withheld rating has a letter too: "Not yet published"
                letter: str | None = engine.letter(council.path, "markdown", self.ruleset)
            except engine.EngineError as exc:
                letter = "; ".join(p.message for p in exc.problems)
            council.review = CouncilReview(text, evaluation, why, letter)
            return council.review

    def why_not(self, council: Council, band: int) -> Any:
        """Why the council did not get ``band`` (engine.why_not), or the problem's text; worked out once per file version."""
        review = self.review(council)
        with self._lock:
            if band not in review.why_not:
                try:
                    review.why_not[band] = engine.why_not(council.path, band, self.ruleset)
                except engine.EngineError as exc:
                    review.why_not[band] = "; ".join(p.message for p in exc.problems)
            return review.why_not[band]

    def judged(self, council: Council, judgement: Any) -> Any:
        """The council's decision with a proposed judgement, checked by the ruleset's own policy
        (engine.JudgementError names each clause it breaks)."""
        return engine.evaluate_text(self.review(council).text, str(council.path), self.ruleset, judgement).decision

    def intervals(self, ruleset_path: str) -> dict[str, Any]:
        """Each threshold's interval over the ruleset's rule cases (engine.threshold_sensitivity), by dotted path;
        worked out once per ruleset (it takes seconds)."""
        with self._lock:
            if ruleset_path not in self._intervals:
                try:
                    report = engine.threshold_sensitivity(ruleset_path)
                    self._intervals[ruleset_path] = {i.threshold.path: i for i in report.cases.intervals}
                except engine.EngineError:
                    self._intervals[ruleset_path] = {}
            return self._intervals[ruleset_path]


def nearest_threshold(decision: Any) -> tuple[str, float] | None:
    """The numeric condition of the deciding rules and limits nearest its threshold: its wording and its margin.

    The deciding rules are the grade each stage was given by, the next grade's rule that did not fire, and the
    limits: a small margin means a small change in that measure would change what decided the band."""
    best: tuple[str, float] | None = None
    for event in decision.trace:
        evidence = []
        if event.type == "rule_fired" and event.grade is not None:
            evidence = event.evidence
        elif event.type == "rule_not_fired" and (event.stage in decision.grades or event.stage == "limits"):
            evidence = [event.failing]
        elif event.type == "limit_applied":
            evidence = event.evidence
        for item in evidence:
            proportion = item.threshold_name is not None or ".share_" in item.measure  # counts move in whole steps
            if proportion and isinstance(item.value, (int, float)) and isinstance(item.threshold, (int, float)) and not isinstance(item.value, bool):
                margin = abs(float(item.value) - float(item.threshold))
                name = item.threshold_name or f"{item.threshold:g}"
                label = f"{item.measure} {item.operator} {name}"
                if best is None or margin < best[1]:
                    best = (label, margin)
    return best


def review_states(store_path: Path, year: int) -> dict[str, dict[str, Any]]:
    """For each authority of the year, its newest record: id, who, and the review step it records (if any)."""
    states: dict[str, dict[str, Any]] = {}
    if not store_path.is_file():
        return states
    with engine.AuditStore(store_path, create=False) as store:
        for summary in store.summaries():
            if summary["year"] != year:
                continue
            states[summary["authority"]] = {"record_id": summary["record_id"], "run_by": summary["run_by"],
                                            "final_band": summary["final_band"], **review_of(summary["judgement"])}
    return states


def review_of(judgement_json: str | None) -> dict[str, Any]:
    """The review step a record's judgement field records: {'state': ..., 'band': ..., ...}, or {'state': 'none'}."""
    if not judgement_json:
        return {"state": "none"}
    try:
        judgement = json.loads(judgement_json)
    except ValueError:
        return {"state": "unreadable"}
    if not isinstance(judgement, dict):
        return {"state": "unreadable"}
    review = judgement.get("review")
    if not isinstance(review, dict):
        return {"state": "judged", "band": judgement.get("band"), "assessor": judgement.get("assessor")}
    return {"state": str(review.get("action")), "band": judgement.get("band"), "assessor": judgement.get("assessor"),
            "reason": judgement.get("reason"), "by": review.get("by"), "comment": review.get("comment")}
