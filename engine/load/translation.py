"""Reading a translation between catalogues (indicators/translations/<from>-to-<to>.yaml), checked against both, and
carrying a validated profile from the one's words into the other's.

A translation is data: adding one needs no Python change. It is checked whole when read: every item of the source
catalogue stated exactly once, every item it names in either catalogue known, kinds and polarities alike. What it
does to a profile is said per item (:class:`Carried`), never silently.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..errors import Problem, ProfileError, RulesetError, did_you_mean
from ..model.catalogue import Catalogue
from ..model.loaded import LoadedProfile
from ..model.profile import GRADES
from ..model.source import SourceDocument
from ..model.translation import Carried, ItemMap, Translation, TranslationFile
from ..model.validation import validate
from ..paths import indicators_dir
from .catalogue import load_catalogue
from .yaml import parse_yaml, read_bytes

FOLDER = "translations"


def translation_path(source: str, target: str, directory: Path | None = None) -> Path:
    return Path(directory or indicators_dir()) / FOLDER / f"{source}-to-{target}.yaml"


def translations(directory: Path | None = None) -> list[tuple[str, str]]:
    """(from, to) of every translation shipped in indicators/translations/."""
    found = []
    for path in sorted((Path(directory or indicators_dir()) / FOLDER).glob("*-to-*.yaml")):
        source, _, target = path.stem.partition("-to-")
        found.append((source, target))
    return found


def load_translation(source: str, target: str, directory: Path | None = None) -> Translation:
    """The translation from catalogue ``source`` into ``target``, checked against both (located problems if not)."""
    path = translation_path(source, target, directory)
    if not path.is_file():
        have = ", ".join(f"{s} -> {t}" for s, t in translations(directory)) or "none"
        raise RulesetError([Problem("no-translation", f"no translation from catalogue {source} into {target} ({path} does not exist; "
                                    f"translations: {have})", str(path), suggestion="write one: see docs/translate.md")])
    data = read_bytes(path, RulesetError, missing="no such translation file")
    doc = parse_yaml(data.decode("utf-8", errors="replace"), str(path), RulesetError)
    written, problems = validate(TranslationFile, doc, code_invalid="ruleset-invalid", code_unknown_key="ruleset-unknown-key")
    if written is None:
        raise RulesetError(problems)
    for key, expected in (("from", source), ("to", target)):
        if getattr(written, "source" if key == "from" else "target") != expected:
            problems.append(doc.problem("ruleset-invalid", f"'{key}' must be {expected}, as the file's name says", (key,)))
    if problems:
        raise RulesetError(problems)
    old, new = load_catalogue(source, directory), load_catalogue(target, directory)
    problems += _section_problems(doc, "setting_types", written.setting_types, old, new)
    problems += _section_problems(doc, "indicators", written.indicators, old, new)
    if problems:
        raise RulesetError(problems)
    return Translation(source=source, target=target, path=str(path), content_hash=hashlib.sha256(data).hexdigest(),
                       setting_types=written.setting_types.fates(), indicators=written.indicators.fates(),
                       vulnerable_groups={g: g in new.vulnerable_groups for g in old.vulnerable_groups},
                       vulnerable_stages={s: s in new.vulnerable_stages for s in old.vulnerable_stages})


def _section_problems(doc: SourceDocument, section: str, items: ItemMap, old: Catalogue, new: Catalogue) -> list[Problem]:
    """Every source item stated once, every name known, and what is carried alike in both (kind, polarity)."""
    problems = []
    source: dict[str, Any] = old.setting_types if section == "setting_types" else old.indicators
    target: dict[str, Any] = new.setting_types if section == "setting_types" else new.indicators
    stated: dict[str, tuple[Any, ...]] = {}

    def state(key: str, where: tuple[Any, ...]) -> None:
        if key not in source:
            problems.append(doc.problem("ruleset-invalid", f"{section}: '{key}' is not in catalogue {old.name}", where,
                                        key=where[-1] == key, suggestion=did_you_mean(key, source)))
        elif key in stated:
            problems.append(doc.problem("ruleset-invalid", f"{section}: '{key}' is stated twice (first at "
                                        f"{'.'.join(map(str, stated[key]))})", where, key=where[-1] == key))
        stated.setdefault(key, where)

    def into(name: str, where: tuple[Any, ...], *sources: str) -> None:
        if name not in target:
            problems.append(doc.problem("ruleset-invalid", f"{section}: '{name}' is not in catalogue {new.name}", where,
                                        suggestion=did_you_mean(name, target)))
            return
        for key in (s for s in sources if s in source):
            if _trait(source[key]) != _trait(target[name]):
                problems.append(doc.problem("ruleset-invalid", f"{section}: '{key}' ({_trait(source[key])}) cannot be read as "
                                            f"'{name}' ({_trait(target[name])})", where))

    for i, key in enumerate(items.kept):
        state(key, (section, "kept", i))
        into(key, (section, "kept", i), key)
    for key, name in items.renamed.items():
        state(key, (section, "renamed", key))
        into(name, (section, "renamed", key), key)
    for name, keys in items.merged.items():
        for i, key in enumerate(keys):
            state(key, (section, "merged", name, i))
        into(name, (section, "merged", name), *keys)
        if section == "setting_types" and any(k in source and source[k].kind == "single" for k in keys) and len(keys) > 1:
            problems.append(doc.problem("ruleset-invalid", f"{section}: single services cannot be merged ('{name}')",
                                        (section, "merged", name), key=True))
    for part in ("dropped", "untranslatable"):
        for key in getattr(items, part):
            state(key, (section, part, key))
    missing = [key for key in source if key not in stated]
    if missing:
        problems.append(doc.problem("ruleset-invalid", f"{section}: {len(missing)} item(s) of catalogue {old.name} not stated: "
                                    f"{', '.join(missing)}", (section,), key=True,
                                    suggestion="state each as kept, renamed, merged, dropped or untranslatable"))
    return problems


def _trait(item: Any) -> str:
    """What must agree for a source item to be read as a target item: a setting type's kind, an indicator's polarity."""
    return f"kind {item.kind}" if hasattr(item, "kind") else f"polarity {item.polarity}"


def translate_profile(loaded: LoadedProfile, translation: Translation, source_catalogue: Catalogue) -> tuple[dict[str, Any], Carried]:
    """The profile's data in the target's words, and what became of each item it gives; a profile giving an
    untranslatable item is refused, located at the item."""
    profile, doc = loaded.profile, loaded.source
    data = profile.model_dump(mode="json", exclude_defaults=True)
    data.pop("catalogue", None)
    carried = Carried(translation)
    problems = []
    settings: dict[str, Any] = {}
    merged: dict[str, list[str]] = {}
    for key, evidence in data.get("settings", {}).items():
        fate, into = translation.setting_types[key]
        carried.items.append(("settings", key, fate, into))
        if fate == "untranslatable":
            problems.append(_problem(doc, f"settings.{key} cannot be translated into {translation.target}: {into}", ("settings", key)))
        elif fate in ("kept", "renamed"):
            settings[into] = evidence
        elif fate == "merged":
            merged.setdefault(into, []).append(key)
    for into, keys in merged.items():
        settings[into] = _merged_settings(keys, data["settings"], source_catalogue)
    indicators: dict[str, Any] = {}
    for key, value in data.get("indicators", {}).items():
        fate, into = translation.indicators[key]
        carried.items.append(("indicators", key, fate, into))
        if fate == "untranslatable":
            problems.append(_problem(doc, f"indicators.{key} cannot be translated into {translation.target}: {into}", ("indicators", key)))
        elif fate in ("kept", "renamed", "merged"):
            indicators.setdefault(into, value)  # merged: the first given, in the profile's order
    gaps = []
    for gap in data.get("vulnerable_gaps", []):
        if translation.vulnerable_groups.get(gap["group"], False) and translation.vulnerable_stages.get(gap["stage"], False):
            gaps.append(gap)
        else:
            carried.items.append(("vulnerable_gaps", f"{gap['group']} at {gap['stage']}", "dropped",
                                  f"not in catalogue {translation.target}"))
    if problems:
        raise ProfileError(problems)
    for section, value in (("settings", settings), ("indicators", indicators), ("vulnerable_gaps", gaps)):
        if value:
            data[section] = value
        else:
            data.pop(section, None)
    return data, carried


def _merged_settings(keys: list[str], given: dict[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    """Counted settings merged into one type: a whole given beside its parts stands for them; else counts add up.
    Comparators are kept only where one setting stands for all (shares of different types do not add up)."""
    standing = [k for k in keys if not any(catalogue.setting_types[k].part_of == w for w in keys if w in given and w != k)]
    if len(standing) == 1:
        return given[standing[0]]
    counts = {g: sum(given[k].get("counts", {}).get(g, 0) for k in standing) for g in GRADES}
    return {"counts": {g: n for g, n in counts.items() if n}}


def _problem(doc: SourceDocument | None, message: str, path: tuple[Any, ...]) -> Problem:
    return doc.problem("untranslatable", message, path, key=True) if doc else Problem("untranslatable", message)


def carried_lines(carried: list[Carried], lead: str = "translated on the way") -> list[str]:
    """What translations did to the profiles, per translation: how many profiles, then each item's fate (kept,
    renamed, merged, dropped with why, untranslatable with why) and in how many profiles it was given."""
    lines = []
    by_name: dict[str, list[Carried]] = {}
    for one in carried:
        by_name.setdefault(one.translation.name, []).append(one)
    for group in by_name.values():
        translation = group[0].translation
        lines.append(f"{lead}: {len(group)} profile(s) written in catalogue {translation.source}, read in the words of "
                     f"{translation.target} (indicators/{FOLDER}/{Path(translation.path).name})")
        fates: dict[tuple[str, str], dict[str, int]] = {}
        for one in group:
            for section, item, fate, into in one.items:
                label = f"{item} -> {into}" if fate in ("renamed", "merged") else item
                key = (fate, into if fate in ("dropped", "untranslatable") else "")
                fates.setdefault(key, {})
                fates[key][f"{section}.{label}"] = fates[key].get(f"{section}.{label}", 0) + 1
        for fate in ("kept", "renamed", "merged", "dropped", "untranslatable"):
            for (each, why), items in sorted(fates.items()):
                if each == fate:
                    listed = ", ".join(f"{label} {n}" for label, n in sorted(items.items()))
                    lines.append(f"  {fate}{f' ({why})' if why else ''}: {listed}")
    return lines
