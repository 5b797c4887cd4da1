"""Loading: profile and ruleset files -> validated models, every problem located in its file."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .catalogue import Catalogue, load_catalogue
from .errors import Problem, ProfileError, RulesetError, did_you_mean
from .paths import rules_dir
from .profile import Profile
from .ruleset import Ruleset
from .source import SourceDocument, load_yaml, parse_yaml, read_text
from .validation import validate


@dataclass(frozen=True)
class LoadedProfile:
    profile: Profile
    source: SourceDocument
    input_hash: str  # sha256 of the validated profile as canonical JSON: layout and comments do not count


@dataclass(frozen=True)
class LoadedRuleset:
    ruleset: Ruleset
    source: SourceDocument
    path: str
    content_hash: str  # sha256 of the ruleset file's bytes
    catalogue: Catalogue


def load_profile(path: Path | str, catalogue: Catalogue | None = None) -> LoadedProfile:
    return parse_profile(read_text(path, ProfileError), str(path), catalogue)


def parse_profile(text: str, file: str = "<profile>", catalogue: Catalogue | None = None) -> LoadedProfile:
    catalogue = catalogue or load_catalogue()
    doc = parse_yaml(text, file, ProfileError)
    if not isinstance(doc.data, dict):
        raise ProfileError([doc.problem("profile-invalid", "a profile is a mapping with 'authority', 'year', 'settings', ...")])
    problems = _vocabulary_problems(doc, catalogue)
    profile, found = validate(Profile, doc, code_invalid="profile-invalid", code_unknown_key="profile-unknown-key")
    problems += found
    if profile is not None:
        problems += _evidence_kind_problems(profile, doc, catalogue)
    if problems:
        raise ProfileError(problems)
    canonical = json.dumps(profile.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return LoadedProfile(profile, doc, hashlib.sha256(canonical.encode()).hexdigest())


def _vocabulary_problems(doc: SourceDocument, cat: Catalogue) -> list[Problem]:
    problems = []
    data = doc.data
    for section, known, code, what in (("settings", cat.setting_types, "unknown-setting-type", "setting type"),
                                       ("indicators", cat.indicators, "unknown-indicator", "indicator")):
        block = data.get(section)
        if isinstance(block, dict):
            for key in block:
                if key not in known:
                    problems.append(doc.problem(code, f"unknown {what} '{key}'", (section, key), key=True,
                                                suggestion=did_you_mean(str(key), known)))
    gaps = data.get("vulnerable_gaps")
    if isinstance(gaps, list):
        for i, gap in enumerate(gaps):
            if not isinstance(gap, dict):
                continue
            for field, known in (("group", cat.vulnerable_groups), ("stage", cat.vulnerable_stages)):
                value = gap.get(field)
                if isinstance(value, str) and value not in known:
                    problems.append(doc.problem("unknown-vulnerable-group", f"unknown {field} '{value}'",
                                                ("vulnerable_gaps", i, field), suggestion=did_you_mean(value, known)))
    return problems


def _evidence_kind_problems(profile: Profile, doc: SourceDocument, cat: Catalogue) -> list[Problem]:
    problems = []
    for key, evidence in profile.settings.items():
        if key not in cat.setting_types:
            continue  # reported as unknown-setting-type already
        kind = cat.setting_types[key].kind
        if kind == "counted" and evidence.counts is None:
            problems.append(doc.problem("wrong-evidence-kind", f"'{key}' is counted by grade: give 'counts', not 'grade'",
                                        ("settings", key, "grade"), key=True,
                                        suggestion=f"counts: {{{evidence.grade}: 1}}"))
        if kind == "single" and evidence.grade is None:
            problems.append(doc.problem("wrong-evidence-kind", f"'{key}' is a single service: give its 'grade', not 'counts'",
                                        ("settings", key, "counts"), key=True))
    return problems


def load_ruleset(path: Path | str, catalogue: Catalogue | None = None, *, check: bool = True) -> LoadedRuleset:
    """Read and validate a ruleset; with ``check``, also every semantic check (see engine.rulecheck).

    Cached by path and content, so a process evaluating many profiles validates and compiles once.
    """
    catalogue = catalogue or load_catalogue()
    text = read_text(path, RulesetError)
    key = (str(Path(path).resolve()), hashlib.sha256(text.encode()).hexdigest(), catalogue.content_hash, check)
    if key not in _RULESETS:
        _RULESETS[key] = _load_ruleset(text, str(path), key[1], catalogue, check)
    return _RULESETS[key]


_RULESETS: dict[tuple, LoadedRuleset] = {}


def _load_ruleset(text: str, path: str, content_hash: str, catalogue: Catalogue, check: bool) -> LoadedRuleset:
    doc = parse_yaml(text, path, RulesetError)
    if not isinstance(doc.data, dict):
        raise RulesetError([doc.problem("ruleset-invalid", "a ruleset is a mapping with 'id', 'year', 'rules', ...")])
    ruleset, problems = validate(Ruleset, doc, code_invalid="ruleset-invalid", code_unknown_key="ruleset-unknown-key")
    if ruleset is None:
        if check:  # the parts that do validate are still checked, so every problem shows in one pass
            from .rulefiles import checks_despite_invalid

            problems += checks_despite_invalid(doc, path, content_hash, catalogue)
        raise RulesetError(problems)
    loaded = LoadedRuleset(ruleset, doc, path, content_hash, catalogue)
    if check:
        from .rulecheck import check_ruleset

        problems = check_ruleset(loaded)
        if problems:
            raise RulesetError(problems)
    return loaded


def ruleset_for(loaded: LoadedProfile, ruleset_path: Path | str | None = None) -> LoadedRuleset:
    """The ruleset given, else the one in rules/ for the profile's assessment year."""
    return load_ruleset(ruleset_path) if ruleset_path else ruleset_for_year(loaded.profile.year, loaded.source)


def ruleset_for_year(year: int, profile_source: SourceDocument | None = None, directory: Path | None = None) -> LoadedRuleset:
    """The ruleset in rules/ whose ``year`` is the profile's assessment year."""
    directory = Path(directory or rules_dir())
    available = {}
    for path in sorted(directory.glob("*.yaml")):
        found = _declared_year(path)
        if found is not None:
            available[found] = path
    if year not in available:
        have = ", ".join(str(y) for y in sorted(available)) or "none"
        problem = Problem("no-ruleset-for-year", f"no ruleset for the assessment year {year} in {directory} (rulesets exist for: {have})",
                          suggestion="check the year, or add rules/csa-<year>.yaml")
        if profile_source is not None:
            problem = profile_source.problem(problem.code, problem.message, ("year",), suggestion=problem.suggestion)
        raise ProfileError([problem])
    return load_ruleset(available[year])


@lru_cache(maxsize=64)
def _declared_year(path: Path) -> int | None:
    try:
        doc = load_yaml(path, RulesetError)
    except RulesetError:
        # A broken ruleset whose name says its year is still the one meant: load it to report why.
        stem = path.stem.rsplit("-", 1)[-1]
        return int(stem) if stem.isdigit() else None
    year = doc.data.get("year") if isinstance(doc.data, dict) else None
    return year if isinstance(year, int) else None
