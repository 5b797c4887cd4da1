"""Rule tests as data: YAML cases beside the rules (``rules/cases/<ruleset id>/*.yaml``).

A case names a profile, or a base profile and changes merged over it, and what the evaluation must give:
the proposed and final bands, rules that must fire and rules that must not, or an expected error code.
"""
from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from .. import writing
from ..characters import escape_controls
from ..decide.pipeline import Evaluation, evaluate_text
from ..errors import CODES, EngineError, Problem, ProfileError, WriteError, did_you_mean
from ..load.yaml import load_yaml, read_text
from ..model.loaded import LoadedRuleset
from ..model.measures import RECORDED_NOT_WEIGHED
from ..model.provenance import laid_over
from ..model.validation import validate
from ..model.values import Band
from ..model.wording import band_or_status, failing_text
from ..paths import rules_dir

NO_DIRECTION = "none (no previous band, or withheld)"


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    status: Literal["rated", "withheld"] | None = Field(None, description="withheld: no band is published")
    proposed_band: Band | None = None
    final_band: Band | None = None
    direction: Literal["risen", "held", "fallen"] | None = Field(None, description="Since last year's band (the profile's previous_band)")
    fired: list[str] = []
    not_fired: list[str] = []
    error_code: str | None = None

    def published_part(self) -> Expect:
        """What Ofsted publishes of an outcome: the status, the final band and the direction of travel (a published
        case's fired rules and proposed band are the project's reading, not what was published)."""
        return Expect(status=self.status, final_band=self.final_band, direction=self.direction)


class Source(BaseModel):
    """Where a published outcome was found, exactly as found: nothing here may be filled in from memory."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    date: str = Field(min_length=1, description="As the source gives it; 'not shown' where the stored copy gives none")
    address: str = Field(min_length=1, description="The address the source was read at")
    quotes: list[str] = Field(min_length=1, description="The sentences the case rests on, verbatim")


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str
    published: bool = Field(False, description="true: the expected outcome is one Ofsted published (a letter, report or "
                                               "press account of it), not one the project invented")
    sources: list[Source] = Field(default_factory=list, description="Required when published: where the outcome and each fact come from")
    known_miss: str | None = Field(None, description="A published outcome the ruleset does not reproduce, and why "
                                                     "(rules/NOTES.md): counted as a miss, not a failure")
    profile: str | None = Field(None, description="Path of a whole profile, relative to the case file")
    base: str | None = Field(None, description="Path of a base profile, relative to the case file")
    changes: dict[str, Any] = Field(default_factory=dict, description="Merged over the base: mappings merge, null removes a key, other values replace")
    ruleset: str | None = Field(None, description="Path of a ruleset, relative to the case file; default: the one for the year")
    expect: Expect


@dataclass
class CaseResult:
    path: str
    description: str
    differences: list[str] = field(default_factory=list)
    published: bool = False
    known_miss: str | None = None  # the case's stated reason, when the ruleset is known not to reproduce it
    decided_by: list[str] = field(default_factory=list)  # the row the table chose and each limit that bound
    band_only: bool = False  # a published case whose changes name the council and nothing else: it tests no rule
    outcome_differences: list[str] = field(default_factory=list)  # in what was published: status, final band, direction
    fired: set[str] = field(default_factory=set)
    chosen_row: str | None = None  # the decision-table row the table's hit policy chose (none when withheld)
    ruleset: LoadedRuleset | None = None  # the ruleset the case was evaluated with, when it got that far
    evaluation: Evaluation | None = None  # what it gave, when it reached a decision

    @property
    def reproduced(self) -> bool:
        """The outcome the case expects came out (for a published case: Ofsted's band, status and direction)."""
        return not self.differences

    @property
    def outcome_reproduced(self) -> bool:
        """The published outcome came out: status, final band and direction of travel where the case gives them."""
        return not self.outcome_differences

    @property
    def passed(self) -> bool:
        """A case passes when it reproduces its outcome, or, a known miss, when it still misses it: a known miss
        that starts to reproduce is reported, so the note explaining it is taken out."""
        return self.reproduced != (self.known_miss is not None)


def case_dir(ruleset_id: str) -> Path:
    return rules_dir() / "cases" / ruleset_id


def own_cases(loaded: LoadedRuleset) -> Path:
    """The folder of a ruleset's own cases, ``rules/cases/<id>/``; a ruleset without one is refused."""
    folder = case_dir(loaded.ruleset.id)
    if not folder.is_dir():
        raise ProfileError([Problem("file-not-found", f"no cases for ruleset '{loaded.ruleset.id}' in {folder}", loaded.path,
                                    suggestion="name the cases to run")])
    return folder


def find_cases(paths: list[str] | None = None) -> list[Path]:
    """Case files under the given files or folders (default: every shipped ruleset's cases)."""
    roots = [Path(p) for p in paths] if paths else [rules_dir() / "cases"]
    found: list[Path] = []
    for root in roots:
        found += sorted(root.rglob("*.yaml")) if root.is_dir() else [root]
    return found


def load_case(path: Path) -> Case:
    doc = load_yaml(path, ProfileError)
    case, problems = validate(Case, doc, code_invalid="case-invalid", code_unknown_key="case-invalid")
    if case is None:
        raise ProfileError(problems)
    if (case.profile is None) == (case.base is None):
        raise ProfileError([doc.problem("case-invalid", "give either 'profile' or 'base' (with 'changes')")])
    if case.published and not case.sources:
        raise ProfileError([doc.problem("case-invalid", "a published case names its sources (title, publisher, date, "
                                                        "address and the sentences quoted)", ("sources",))])
    if case.published and case.expect.final_band is None and case.expect.status != "withheld":
        raise ProfileError([doc.problem("case-invalid", "a published case expects the outcome published: a final_band, or "
                                                        "status: withheld", ("expect",))])
    if case.known_miss is not None and not case.published:
        raise ProfileError([doc.problem("case-invalid", "only a published outcome can be a known miss: an invented case "
                                                        "is changed to fit the rules", ("known_miss",))])
    code = case.expect.error_code
    if code is not None and code not in CODES:
        raise ProfileError([doc.problem("case-invalid", f"unknown error code '{code}'", ("expect", "error_code"),
                                        suggestion=did_you_mean(code, CODES) or "see the list of error codes, docs/errors.md")])
    return case


def merge(base: Any, changes: Any, laid: list[str] | None = None) -> Any:
    """The changes merged over the base: mappings merge, null removes a key, other values replace. ``laid``, when given,
    gathers the dotted path of each value the changes set or remove; of a mapping they set whole, its own path."""
    merged, paths, _ = _merged(base, changes, "")
    if laid is not None:
        laid += paths
    return merged


def _merged(base: Any, changes: Any, at: str) -> tuple[Any, list[str], bool]:
    """The merged value, the paths the changes lay in it, and whether they set the whole of it."""
    if not (isinstance(base, dict) and isinstance(changes, dict)):
        return copy.deepcopy(changes), [at], True
    merged, laid, whole = dict(base), [], set()
    for key, value in changes.items():
        path = f"{at}.{key}" if at else str(key)
        if value is None:
            merged.pop(key, None)  # null in the changes removes the key: an indicator becomes a data gap
            laid.append(path)
        elif key in base:
            merged[key], under, all_of = _merged(base[key], value, path)
            laid += under
            if all_of:
                whole.add(key)
        else:
            merged[key] = copy.deepcopy(value)
            laid.append(path)
            whole.add(key)
    set_whole = bool(at) and set(merged) <= whole
    return merged, [at] if set_whole else laid, set_whole


def case_profile_text(case: Case, path: Path) -> tuple[str, str]:
    """The profile a case evaluates, as YAML text, and the name to report it under. A published case states what its
    sources state: over a base that says where its own values come from (a baseline's are illustrative), what the
    case lays over it is declared published, unless the case declares its provenance itself."""
    here = path.parent
    if case.profile:
        source = here / case.profile
        return read_text(source, ProfileError), str(source)
    source = here / str(case.base)
    base = load_yaml(source, ProfileError).data
    laid: list[str] = []
    merged = merge(base, case.changes, laid)
    if case.published and isinstance(base, dict) and isinstance(base.get("provenance"), dict) and "provenance" not in case.changes:
        merged["provenance"] = laid_over(merged["provenance"], laid, "published")
    return yaml.safe_dump(merged, sort_keys=False), f"{path} (changes over {source})"


@dataclass
class CaseProfiles:
    """What ``engine rules profiles`` wrote: each case's profile, as the case evaluates it, by file."""
    written: list[tuple[Path, Path]] = field(default_factory=list)  # (case, profile written)

    exit_code = 0

    @property
    def text(self) -> str:
        lines = [f"{escape_controls(str(case))} -> {escape_controls(str(profile))}" for case, profile in self.written]
        return "".join(f"{line}\n" for line in lines) + f"{len(self.written)} profile(s) written\n"


def write_case_profiles(paths: list[str], output: Path | str) -> CaseProfiles:
    """Write into ``output`` the profile each case under ``paths`` evaluates, so that ``engine evaluate``, ``letter``
    and ``report`` read a case as its test does. A case over a baseline says, in its profile's first lines, that what
    its changes do not state is the baseline's, a council typical of England, not the council's own. A folder's cases
    keep their places under it; one case that does not load, or two that would write one file, writes nothing."""
    output = Path(output)
    writing.check_writable(output, folder=True)
    files: dict[Path, str] = {}
    made: list[tuple[Path, Path]] = []
    problems: list[Problem] = []
    clashes: list[Problem] = []
    for root in [Path(p) for p in paths] or [rules_dir() / "cases"]:
        for path in find_cases([str(root)]):
            target = output / (path.relative_to(root) if root.is_dir() else path.name)
            try:
                case = load_case(path)
                text, _ = case_profile_text(case, path)
            except EngineError as exc:
                problems += exc.problems
                continue
            if target in files:
                clashes.append(Problem("write-failed", f"another case would write {target} too: give their folders one at a time",
                                       str(path)))
                continue
            files[target] = _profile_header(case, path) + text
            made.append((path, target))
    if problems:
        raise ProfileError(problems)
    if clashes:
        raise WriteError(clashes)
    for target in files:  # a case's place under its folder has no '..' in it; refuse one all the same
        if not target.resolve().is_relative_to(output.resolve()):
            raise WriteError([Problem("write-failed", f"refusing to write outside the folder {output}", str(target))])
    writing.write_files(files)
    return CaseProfiles(made)


def _profile_header(case: Case, path: Path) -> str:
    """Comment lines saying where a case's profile came from: YAML comments, so no line of a name may break out."""
    said = f"# The profile {_comment(path)} evaluates (engine rules profiles)"
    if case.profile:
        return f"{said}: {_comment(path.parent / case.profile)}, unchanged.\n"
    return (f"{said}: its changes laid over {_comment(path.parent / str(case.base))}.\n"
            "# What the changes do not state is the baseline's, a council typical of England, not this council's own.\n")


def _comment(path: Path) -> str:
    return escape_controls(os.path.normpath(path))


# What a published case may change over its baseline and still give the band only, testing no rule: the council's name,
# and the facts no shipped ruleset weighs (a notice to improve, earlier ratings: docs/profile-format.md).
BAND_ONLY_CHANGES = frozenset({"authority"} | {measure.split(".")[0] for measure in RECORDED_NOT_WEIGHED})


def run_case(path: Path, ruleset_path: Path | str | None = None) -> CaseResult:
    """Run one case; with ``ruleset_path``, against that ruleset file instead of the one the case names or
    the one for its year (``engine rules test --ruleset``: try a draft without touching rules/)."""
    case = load_case(path)
    result = CaseResult(str(path), case.description, published=case.published, known_miss=case.known_miss,
                        band_only=case.published and case.base is not None and set(case.changes) <= BAND_ONLY_CHANGES)
    expect = case.expect
    text, name = case_profile_text(case, path)
    if ruleset_path is None and case.ruleset:
        ruleset_path = path.parent / case.ruleset
    try:
        evaluated = evaluate_text(text, name, ruleset_path)
    except EngineError as exc:
        if expect.error_code is None:
            result.differences.append(f"expected a decision, got error {exc.code}: {exc.problems[0].message}")
        elif exc.code != expect.error_code:
            result.differences.append(f"expected error {expect.error_code}, got {exc.code}: {exc.problems[0].message}")
        result.outcome_differences = list(result.differences)
        result.decided_by = [f"no decision: error {exc.code}"]
        return result
    result.ruleset, result.evaluation, decision = evaluated.ruleset, evaluated, evaluated.decision
    if expect.error_code is not None:
        result.differences.append(f"expected error {expect.error_code}, got a decision (final band {decision.final_band})")
        return result
    result.fired = set(decision.fired_rules)
    result.chosen_row = next((e.row_id for e in decision.events("band_combined")), None)
    result.decided_by = ([f"row {result.chosen_row}"] if result.chosen_row else []) + [
        f"limit {e.limit_id}" for e in decision.events("limit_applied") if e.binding] + [
        f"withhold {r.rule_id}" for r in decision.withheld]

    def why_not_fired(rule: str) -> str:
        event = next((e for e in decision.events("rule_not_fired") if e.rule_id == rule), None)
        return f": {failing_text(event.failing, event.failing.value)}" if event is not None else ""

    direction = decision.direction.direction if decision.direction else None
    withheld = "; ".join(f"{r.rule_id}: {r.because}" for r in decision.withheld)
    result.differences += differences(expect, decision.status, decision.proposed_band, decision.final_band, direction,
                                      result.fired, decision.band_words, why_not_fired, withheld)
    result.outcome_differences = differences(expect.published_part(), decision.status, decision.proposed_band,
                                             decision.final_band, direction, result.fired, decision.band_words,
                                             why_withheld=withheld)
    return result


def differences(expect: Expect, status: str, proposed: int | None, final: int | None, direction: str | None, fired: set[str],
                words: dict[int, str], why_not_fired: Callable[[str], str] = lambda rule: "", why_withheld: str = "") -> list[str]:
    """How an outcome (status, bands, direction of travel, and fired rules, rows and limits) differs from what a
    case expects; empty when it meets every expectation. A band of None is a decision that gives no band
    (withheld); a direction of None, one without a previous band, or withheld."""
    found = []
    if expect.status is not None and expect.status != status:
        found.append(f"status: expected {expect.status}, got {status}" + (f" ({why_withheld})" if why_withheld else ""))
    if expect.direction is not None and expect.direction != (direction or NO_DIRECTION):
        found.append(f"direction: expected {expect.direction}, got {direction or NO_DIRECTION}")
    for label, want, got in (("proposed band", expect.proposed_band, proposed), ("final band", expect.final_band, final)):
        if want is not None and want != got:
            found.append(f"{label}: expected {band_or_status(want, words)}, got {band_or_status(got, words)}")
    found += [f"expected rule {rule} to fire; it did not{why_not_fired(rule)}" for rule in expect.fired if rule not in fired]
    found += [f"expected rule {rule} not to fire; it fired" for rule in expect.not_fired if rule in fired]
    return found
