"""Loading a ruleset: YAML -> a validated, checked Ruleset with its catalogue.

Every semantic check (engine.check) runs as the ruleset is loaded, so evaluation never meets an unchecked
rule. Loaded rulesets are cached by path and content (the ruleset file's and its catalogue's), so a process
evaluating many profiles validates and compiles each once.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from ..check.partial import checks_despite_invalid
from ..check.ruleset import check_ruleset
from ..errors import Problem, ProfileError, RulesetError, did_you_mean
from ..model.catalogue import Catalogue
from ..model.loaded import LoadedRuleset
from ..model.ruleset import SAFE_NAME, Ruleset
from ..model.source import SourceDocument
from ..model.validation import validate
from ..paths import indicators_dir, rules_dir
from .catalogue import catalogue_names, file_signature, load_catalogue
from .yaml import load_yaml, parse_yaml, read_text

_RULESETS: dict[tuple[str, str, bool], LoadedRuleset] = {}
# By path: the (mtime, size) of the ruleset file when last loaded, so an unchanged file is not read again.
_SEEN: dict[tuple[str, bool], tuple[tuple[tuple[str, int, int], ...], LoadedRuleset]] = {}


def load_ruleset(path: Path | str, *, check: bool = True) -> LoadedRuleset:
    """Read and validate a ruleset and its catalogue; with ``check``, also every semantic check."""
    seen = _SEEN.get((str(path), check))
    if seen is not None and seen[0] and file_signature([Path(path)]) == seen[0] \
            and load_catalogue(seen[1].ruleset.catalogue).content_hash == seen[1].catalogue.content_hash:
        return seen[1]
    loaded = _load_cached(path, check)
    _SEEN[(str(path), check)] = (file_signature([Path(path)]), loaded)
    return loaded


def _load_cached(path: Path | str, check: bool) -> LoadedRuleset:
    text = read_text(path, RulesetError)
    key = (str(Path(path).resolve()), hashlib.sha256(text.encode()).hexdigest(), check)
    cached = _RULESETS.get(key)
    if cached is not None and load_catalogue(cached.ruleset.catalogue).content_hash == cached.catalogue.content_hash:
        return cached
    _RULESETS[key] = _load(text, str(path), key[1], check)
    return _RULESETS[key]


def _load(text: str, path: str, content_hash: str, check: bool) -> LoadedRuleset:
    doc = parse_yaml(text, path, RulesetError)
    if not isinstance(doc.data, dict):
        raise RulesetError([doc.problem("ruleset-invalid", "a ruleset is a mapping with 'id', 'year', 'rules', ...")])
    ruleset, problems = validate(Ruleset, doc, code_invalid="ruleset-invalid", code_unknown_key="ruleset-unknown-key")
    if ruleset is None:
        name = doc.data.get("catalogue")
        if check and isinstance(name, str) and _is_safe(name):
            # The parts that do validate are still checked, so every problem shows in one pass.
            problems += checks_despite_invalid(doc, path, content_hash, _catalogue(name, doc))
        raise RulesetError(problems)
    loaded = LoadedRuleset(ruleset, doc, path, content_hash, _catalogue(ruleset.catalogue, doc))
    if check:
        problems = check_ruleset(loaded)
        if problems:
            raise RulesetError(problems)
    return loaded


def _is_safe(name: str) -> bool:
    return re.match(SAFE_NAME, name) is not None


def _catalogue(name: str, doc: SourceDocument) -> Catalogue:
    """The catalogue the ruleset names; a name with no catalogue behind it is located at the ruleset's key."""
    if not (indicators_dir() / f"{name}.yaml").is_file():
        known = catalogue_names()
        raise RulesetError([doc.problem("file-not-found", f"no catalogue '{name}' in {indicators_dir()} "
                                        f"(catalogues there: {', '.join(known) or 'none'})", ("catalogue",),
                                        suggestion=did_you_mean(name, known))])
    return load_catalogue(name)


def rulesets_by_year(directory: Path | None = None) -> dict[int, Path]:
    """The ruleset files in rules/ by the assessment year each declares."""
    available = {}
    for path in sorted(Path(directory or rules_dir()).glob("*.yaml")):
        found = _declared_year(path)
        if found is not None:
            available[found] = path
    return dict(sorted(available.items()))


def ruleset_for_year(year: int, profile_source: SourceDocument | None = None, directory: Path | None = None) -> LoadedRuleset:
    """The ruleset in rules/ whose ``year`` is the profile's assessment year."""
    folder = Path(directory or rules_dir())
    available = rulesets_by_year(folder)
    if year not in available:
        have = ", ".join(str(y) for y in sorted(available)) or "none"
        problem = Problem("no-ruleset-for-year", f"no ruleset for the assessment year {year} in {folder} (rulesets exist for: {have})",
                          suggestion="check the year, or add rules/csa-<year>.yaml")
        if profile_source is not None:
            problem = profile_source.problem(problem.code, problem.message, ("year",), suggestion=problem.suggestion)
        raise ProfileError([problem])
    return load_ruleset(available[year])


def _declared_year(path: Path) -> int | None:
    return _declared_year_of(path, file_signature([path]))


@lru_cache(maxsize=64)
def _declared_year_of(path: Path, signature: tuple[tuple[str, int, int], ...]) -> int | None:
    try:
        doc = load_yaml(path, RulesetError)
    except RulesetError:
        # A broken ruleset whose name says its year is still the one meant: load it to report why.
        stem = path.stem.rsplit("-", 1)[-1]
        return int(stem) if stem.isdigit() else None
    year = doc.data.get("year") if isinstance(doc.data, dict) else None
    return year if isinstance(year, int) else None
