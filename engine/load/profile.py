"""Loading a profile: YAML -> a validated Profile in the vocabulary of the ruleset that rates it.

The ruleset is the one given, else the one in rules/ for the profile's assessment year; its catalogue
decides which setting types, indicators and vulnerable groups the profile may name.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..errors import Problem, ProfileError, RulesetError, did_you_mean
from ..model.catalogue import Catalogue
from ..model.loaded import LoadedProfile, LoadedRuleset
from ..model.profile import Profile
from ..model.ruleset import EvidencePolicy
from ..model.source import SourceDocument
from ..model.validation import validate
from .catalogue import catalogue_names, load_catalogue
from .contradictions import history_problems, setting_part_problems
from .removed import removed_form_problems
from .ruleset import load_ruleset, ruleset_for_year, rulesets_by_year
from .translation import load_translation, translate_profile, translation_path
from .yaml import read_text, read_yaml


def load_profile(path: Path | str, catalogue: Catalogue | None = None) -> LoadedProfile:
    return parse_profile(read_text(path, ProfileError), str(path), catalogue)


def parse_profile(text: str, file: str = "<profile>", catalogue: Catalogue | None = None,
                  ruleset: LoadedRuleset | None = None) -> LoadedProfile:
    """A profile from YAML text, in the given catalogue's vocabulary (default: the one it names, else that of the
    ruleset for its year); its evidence date under ``ruleset``'s evidence policy when it is for the profile's year."""
    doc = read_yaml(text, file, ProfileError)
    if catalogue is None:
        declared = doc.data.get("catalogue") if isinstance(doc.data, dict) else None
        if isinstance(declared, str):
            catalogue = _declared_catalogue(doc, declared)
        else:
            ruleset = ruleset or ruleset_for_document(doc)
            catalogue = ruleset.catalogue if ruleset else None
    return validate_profile(doc, catalogue, ruleset)


def profile_for_ruleset(doc: SourceDocument, ruleset: LoadedRuleset | None) -> LoadedProfile:
    """The profile read in the ruleset's words: validated in the catalogue it is written in and translated into the
    ruleset's when the two differ (``carried`` then says what became of each item), else validated as it is."""
    if ruleset is None:
        return validate_profile(doc, None)
    source = written_in(doc, ruleset) or ruleset.catalogue.name
    if source == ruleset.catalogue.name:
        return validate_profile(doc, ruleset.catalogue, ruleset)
    try:
        translation = load_translation(source, ruleset.catalogue.name)
    except RulesetError as exc:
        if exc.problems[0].code != "no-translation":
            raise
        where = ("catalogue",) if "catalogue" in doc.data else ("year",)
        raise ProfileError([doc.problem("no-translation", f"the profile is written in catalogue {source}, the ruleset in "
                                        f"{ruleset.catalogue.name}, and there is no translation between them", where,
                                        suggestion=f"add {translation_path(source, ruleset.catalogue.name).name} to "
                                                   "indicators/translations/ (docs/translate.md)")]) from None
    original = validate_profile(doc, load_catalogue(source), ruleset)
    data, carried = translate_profile(original, translation, load_catalogue(source))
    translated = validate_profile(doc.with_data(data), ruleset.catalogue, ruleset)
    return LoadedProfile(translated.profile, translated.source, translated.input_hash, carried)


def written_in(doc: SourceDocument, ruleset: LoadedRuleset | None = None) -> str | None:
    """The catalogue a profile is written in: the one it names, else that of the ruleset for its year; a profile of
    a year no ruleset is for, naming none, is taken to be in the words of the ruleset given (as it always was)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    declared, year = data.get("catalogue"), data.get("year")
    if isinstance(declared, str):
        return declared
    if isinstance(year, int) and not isinstance(year, bool):
        if ruleset is not None and year == ruleset.ruleset.year:
            return ruleset.catalogue.name
        available = rulesets_by_year()
        if year in available:
            return load_ruleset(available[year]).catalogue.name
    return ruleset.catalogue.name if ruleset is not None else None


def catalogue_declared(year: int, catalogue: str) -> dict[str, str]:
    """What a profile written for ``year`` in ``catalogue`` says of its vocabulary: nothing when it is that of the
    ruleset for the year, else ``catalogue:`` (so another catalogue's ruleset reads it through a translation)."""
    available = rulesets_by_year()
    return {} if year in available and load_ruleset(available[year]).catalogue.name == catalogue else {"catalogue": catalogue}


def _declared_catalogue(doc: SourceDocument, name: str) -> Catalogue:
    if name not in catalogue_names():
        raise ProfileError([doc.problem("profile-invalid", f"no catalogue '{name}' in indicators/", ("catalogue",),
                                        suggestion=did_you_mean(name, catalogue_names()))])
    return load_catalogue(name)


def ruleset_for_document(doc: SourceDocument, ruleset_path: Path | str | None = None) -> LoadedRuleset | None:
    """The ruleset given, else the one for the document's year; None when the year is not a year (the
    profile's own validation then says so, at the year)."""
    if ruleset_path is not None:
        return load_ruleset(ruleset_path)
    year = doc.data.get("year") if isinstance(doc.data, dict) else None
    if not isinstance(year, int) or isinstance(year, bool):
        return None
    return ruleset_for_year(year, doc)


def evidence_policy(year: int, ruleset: LoadedRuleset | None = None) -> EvidencePolicy | None:
    """The evidence policy a profile of ``year`` is held to: that of the ruleset rating it when it is for that year,
    else that of the ruleset in rules/ for the year (the window is the assessment year's); None: no ruleset has one."""
    if ruleset is not None and ruleset.ruleset.year == year:
        return ruleset.ruleset.evidence
    available = rulesets_by_year()
    return load_ruleset(available[year]).ruleset.evidence if year in available else None


def validate_profile(doc: SourceDocument, catalogue: Catalogue | None, ruleset: LoadedRuleset | None = None) -> LoadedProfile:
    """Every problem of the document at once; without a catalogue, only the format is checked (and some
    problem is certain: a catalogue is missing only when the year is not a year). The evidence date is held to
    :func:`evidence_policy`."""
    if not isinstance(doc.data, dict):
        raise ProfileError([doc.problem("profile-invalid", "a profile is a mapping with 'authority', 'year', 'settings', ...")])
    doc, problems = removed_form_problems(doc, catalogue)
    declared = doc.data.get("catalogue")
    if catalogue is not None and isinstance(declared, str) and declared != catalogue.name:
        problems.append(doc.problem("no-translation", f"the profile is written in catalogue {declared}, not {catalogue.name}",
                                    ("catalogue",), suggestion=f"translate it: engine profiles translate DIR --to {catalogue.name} -o OUT/"))
    problems += _vocabulary_problems(doc, catalogue) if catalogue else []
    profile, found = validate(Profile, doc, code_invalid="profile-invalid", code_unknown_key="profile-unknown-key")
    problems += found
    if profile is not None:
        problems += history_problems(profile, doc, evidence_policy(profile.year, ruleset))
    if profile is not None and catalogue is not None:
        problems += _evidence_kind_problems(profile, doc, catalogue)
        problems += setting_part_problems(profile, doc, catalogue)
    if problems or profile is None:
        raise ProfileError(problems)
    # What the profile says, without the format's defaults: a field added to the format later does not change the
    # hash of a profile that does not use it.
    canonical = json.dumps(profile.model_dump(mode="json", exclude_defaults=True), sort_keys=True, separators=(",", ":"))
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
                    problems.append(doc.problem(code, f"unknown {what} '{key}'", (section, key), key=True,  # type: ignore[arg-type]
                                                suggestion=did_you_mean(str(key), known)))
    problems += _judgement_problems(doc, cat)
    gaps = data.get("vulnerable_gaps")
    if isinstance(gaps, list):
        first: dict[tuple[str, str], int] = {}
        for i, gap in enumerate(gaps):
            if not isinstance(gap, dict):
                continue
            for field, names in (("group", cat.vulnerable_groups), ("stage", cat.vulnerable_stages)):
                value = gap.get(field)
                if isinstance(value, str) and value not in names:
                    problems.append(doc.problem("unknown-vulnerable-group", f"unknown {field} '{value}'",
                                                ("vulnerable_gaps", i, field), suggestion=did_you_mean(value, names)))
            # A group has one gap at a stage: so a profile holds at most the catalogue's groups x stages.
            key = (gap.get("group"), gap.get("stage"))
            if all(isinstance(part, str) for part in key):
                if key in first:
                    problems.append(doc.problem("profile-invalid", f"vulnerable_gaps: {key[0]} at {key[1]} is given twice "
                                                f"(first as item {first[key] + 1})", ("vulnerable_gaps", i)))
                first.setdefault(key, i)
    return problems


def _judgement_problems(doc: SourceDocument, cat: Catalogue) -> list[Problem]:
    """Each judgement a full inspection gives is one of the catalogue's inspection judgements."""
    data = doc.data
    places: list[tuple[Any, tuple[Any, ...]]] = [(data.get("safeguarding_inspection"), ("safeguarding_inspection",))]
    if isinstance(data.get("inspections"), list):
        places += [(item, ("inspections", i)) for i, item in enumerate(data["inspections"])]
    problems = []
    for item, at in places:
        judgements = item.get("judgements") if isinstance(item, dict) else None
        if not isinstance(judgements, dict):
            continue  # absent, or refused by the format's own check
        for key in judgements:
            if key not in cat.inspection_judgements:
                problems.append(doc.problem("unknown-inspection-judgement", f"unknown inspection judgement '{key}'",
                                            (*at, "judgements", key), key=True,
                                            suggestion=did_you_mean(str(key), cat.inspection_judgements)))
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
