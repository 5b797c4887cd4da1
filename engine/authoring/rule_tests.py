"""``engine rules test``: run rule test cases (engine.authoring.cases) and count, per rule, decision-table row, limit
and withhold rule, how many cases made it fire (a row: how many cases the table chose it in), so that rules no case
exercises are named."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EXIT_FAILED, EXIT_OK, EngineError, ProfileError
from ..load.ruleset import load_ruleset
from ..load.yaml import load_yaml
from ..model.loaded import LoadedRuleset
from ..paths import rules_dir
from ..paths import shown_path as shown
from .cases import CaseResult, case_dir, find_cases, load_case, own_cases, run_case


@dataclass(frozen=True)
class Covered:
    """One rule, row or limit and how many cases made it fire."""

    part: str  # "rules" | "decision table" | "limits" | "withhold"
    id: str
    title: str
    cases: int


@dataclass
class RulesetCoverage:
    ruleset_id: str
    version: str
    path: str
    cases: int
    items: list[Covered] = field(default_factory=list)

    @property
    def not_exercised(self) -> list[str]:
        return [item.id for item in self.items if item.cases == 0]


@dataclass
class Fidelity:
    """How many of the outcomes Ofsted published for a ruleset's year the ruleset reproduces (band, status and
    direction of travel where published), and each it misses with what decided it."""

    ruleset_id: str
    version: str
    published: list[CaseResult]
    invented: int  # how many of the ruleset's cases the project invented (not counted here)

    @property
    def reproduced(self) -> int:
        return sum(r.outcome_reproduced for r in self.published)

    @property
    def misses(self) -> list[CaseResult]:
        return [r for r in self.published if not r.outcome_reproduced]

    @property
    def share(self) -> float:
        return self.reproduced / len(self.published) if self.published else 0.0

    @property
    def with_facts(self) -> list[CaseResult]:
        """The published cases that state a fact beyond the band (the others, band only, test no rule)."""
        return [r for r in self.published if not r.band_only]


@dataclass
class RuleTestRun:
    results: list[CaseResult]
    coverage: list[RulesetCoverage]
    against: LoadedRuleset | None = None  # the ruleset every case ran against (``--ruleset``), if one was given
    fidelity: list[Fidelity] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def exit_code(self) -> int:
        """1 when any case fails: the cases ran, and the ruleset does not give what they expect."""
        return EXIT_OK if self.passed else EXIT_FAILED

    def text(self, coverage: bool = False) -> str:
        return format_rule_tests(self, coverage)


def run_rule_tests(paths: list[str] | None = None, ruleset: Path | str | None = None) -> RuleTestRun:
    """Run the cases under ``paths`` (default: every shipped ruleset's cases) and measure coverage.

    With ``ruleset`` (a file, e.g. a draft), every case runs against that ruleset instead of its own, and
    the default cases are those of the ruleset's id (``rules/cases/<id>/``). A ruleset that does not load
    raises RulesetError before any case runs. A case file that does not validate is a failed case whose
    differences are its located problems."""
    against = load_ruleset(ruleset) if ruleset is not None else None
    if against is not None and not paths:
        paths = [str(own_cases(against))]
    results = []
    for path in find_cases(paths):
        try:
            load_case(path)
            results.append(run_case(path, ruleset))
        except EngineError as exc:  # still counted among the published outcomes, as a miss, if it says it is one
            problems = [str(p) for p in exc.problems]
            results.append(CaseResult(str(path), "(the case cannot be run)", problems, published=_says_published(path),
                                      outcome_differences=problems, decided_by=["no decision: the case cannot be run"]))
    rulesets: dict[str, LoadedRuleset] = {}
    if against is not None:
        rulesets[against.content_hash] = against
    for result in results:
        if result.ruleset is not None:
            rulesets.setdefault(result.ruleset.content_hash, result.ruleset)
    if not paths:  # a shipped ruleset that no case reaches is reported too, with nothing covered
        for file in sorted(rules_dir().glob("*.yaml")):
            try:
                loaded = load_ruleset(file)
            except EngineError:
                continue  # `engine rules check` reports it
            rulesets.setdefault(loaded.content_hash, loaded)
    coverage = [_coverage(loaded, results) for loaded in rulesets.values()]
    return RuleTestRun(results, coverage, against, _fidelity(rulesets.values(), results, against))


def _says_published(path: Path) -> bool:
    """Whether a case file that cannot be run declares itself a published outcome (so it is not left out of M)."""
    try:
        data = load_yaml(path, ProfileError).data
    except EngineError:
        return False
    return isinstance(data, dict) and data.get("published") is True


def _ruleset_of(result: CaseResult, rulesets: list[LoadedRuleset], against: LoadedRuleset | None) -> LoadedRuleset | None:
    """The ruleset a case was evaluated with; for one that reached none (it cannot be run, or its profile is
    refused), the ruleset run against, else the one whose cases folder holds it (rules/cases/<id>/)."""
    if result.ruleset is not None:
        return result.ruleset
    if against is not None:
        return against
    path = Path(result.path).resolve()
    return next((r for r in rulesets if path.is_relative_to(case_dir(r.ruleset.id).resolve())), None)


def _fidelity(rulesets: Iterable[LoadedRuleset], results: list[CaseResult], against: LoadedRuleset | None = None) -> list[Fidelity]:
    found = []
    rulesets = list(rulesets)
    for loaded in rulesets:
        mine = [r for r in results if r.ruleset is not None and r.ruleset.content_hash == loaded.content_hash]
        published = [r for r in results if r.published and (owner := _ruleset_of(r, rulesets, against)) is not None
                     and owner.content_hash == loaded.content_hash]
        if published:
            found.append(Fidelity(loaded.ruleset.id, loaded.ruleset.version, published, len([r for r in mine if not r.published])))
    return found


def _coverage(loaded: LoadedRuleset, results: list[CaseResult]) -> RulesetCoverage:
    ruleset = loaded.ruleset
    mine = [r for r in results if r.ruleset is not None and r.ruleset.content_hash == loaded.content_hash]

    def count(item_id: str) -> int:
        return sum(item_id in r.fired for r in mine)

    def chosen(row_id: str) -> int:  # a row counts where the table's hit policy chose it, not merely where it covered
        return sum(row_id == r.chosen_row for r in mine)

    items = [Covered("rules", r.id, r.title, count(r.id)) for r in ruleset.rules]
    items += [Covered("decision table", row.id, " x ".join(f"{stage} {_grades(grades)}" for stage, grades in row.grades.items())
                      + f" -> band {row.band}", chosen(row.id)) for row in ruleset.decision_table.rows]
    items += [Covered("limits", limit.id, limit.title, count(limit.id)) for limit in ruleset.limits]
    items += [Covered("withhold", w.id, w.title, count(w.id)) for w in ruleset.withhold]
    return RulesetCoverage(ruleset.id, ruleset.version, loaded.path, len(mine), items)


def format_fidelity(fidelity: list[Fidelity]) -> list[str]:
    """Per ruleset, the published outcomes reproduced, N of M, apart from the invented cases, and every miss with
    the row or limit that decided it."""
    if not fidelity:
        return []
    lines = ["", "Published outcomes reproduced (band, status and direction where published), apart from the invented cases:"]
    for f in fidelity:
        facts = f.with_facts
        band_only = len(f.published) - len(facts)
        lines.append(f"  {f.ruleset_id} {f.version}: {f.reproduced} of {len(f.published)} ({f.share:.0%}); "
                     f"{f.invented} invented case{'s' * (f.invented != 1)} not counted")
        lines.append(f"    of the {len(facts)} stating facts beyond the band, {sum(r.outcome_reproduced for r in facts)} reproduced; "
                     f"{band_only} give{'s' * (band_only == 1)} the band only and test{'s' * (band_only == 1)} no rule")
        for miss in f.misses:
            lines.append(f"    missed {shown(miss.path)}: {'; '.join(miss.outcome_differences)}")
            if miss.decided_by:
                lines.append(f"      decided by {', '.join(miss.decided_by)}")
            if miss.known_miss:
                lines.append(f"      why: {miss.known_miss}")
    return lines


def _grades(grades: list[int]) -> str:
    return "/".join(str(g) for g in grades)


def format_rule_tests(run: RuleTestRun, coverage: bool = False) -> str:
    """The run as a reviewer reads it: one line per case, the differences under each failure, a summary,
    and with ``coverage`` the count of cases behind every rule, row and limit."""
    lines = []
    if run.against is not None:
        ruleset = run.against.ruleset
        lines.append(f"Every case against {shown(run.against.path)} ({ruleset.id} {ruleset.version}, "
                     f"sha256 {run.against.content_hash[:12]})")
    for result in run.results:
        mark = "PASS" if result.passed else "FAIL"
        if result.known_miss is not None and result.passed:
            mark = "MISS"  # a published outcome the ruleset is known not to reproduce, explained in rules/NOTES.md
        lines.append(f"{mark}  {shown(result.path)}: {result.description}")
        lines += [f"      {difference}" for difference in result.differences]
        if result.known_miss is not None:
            lines.append(f"      known miss: {result.known_miss}" if result.passed else
                         "      listed as a known miss, but the ruleset now reproduces it: take out known_miss and its note")
    if run.against is None and run.coverage:
        lines.append("Rulesets: " + "; ".join(f"{c.ruleset_id} {c.version} ({shown(c.path)})" for c in run.coverage))
    failed = sum(not r.passed for r in run.results)
    lines.append(f"{len(run.results)} case{'s' * (len(run.results) != 1)}: {len(run.results) - failed} passed, {failed} failed")
    lines += format_fidelity(run.fidelity)
    if coverage:
        for cover in run.coverage:
            lines += ["", f"Coverage of {cover.ruleset_id} {cover.version} ({shown(cover.path)}), by {cover.cases} case"
                          f"{'s' * (cover.cases != 1)}:"]
            width = max((len(item.id) for item in cover.items), default=0)
            part = None
            for item in cover.items:
                if item.part != part:
                    part = item.part
                    lines.append(f"  {part}")
                marker = "   <- no case makes it fire" if item.cases == 0 else ""
                lines.append(f"    {item.cases:3d}  {item.id:<{width}}  {item.title}{marker}")
            if cover.not_exercised:
                lines.append(f"  Not exercised by any case: {', '.join(cover.not_exercised)}")
            else:
                lines.append("  Every rule, row" + (", limit and withhold rule" if any(i.part == "withhold" for i in cover.items) else " and limit")
                             + " fired in at least one case.")
    return "\n".join(lines) + "\n"
