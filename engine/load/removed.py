"""Forms the profile format no longer takes, refused where they are written with the exact form that replaces them.

A split setting type has one mechanism: the catalogue's setting types that are ``part_of`` a whole (children's homes
run by the council, private or voluntary ones). A profile's ``settings.<type>.parts`` (some counts given apart under
names of the profile's own choosing, kept for the reviewer) was the second; it is refused, naming the setting types
of the profile's catalogue to write instead and their counts.
"""
from __future__ import annotations

from typing import Any

from ..errors import Problem
from ..model.catalogue import Catalogue
from ..model.profile import GRADES
from ..model.source import SourceDocument


def part_type_for(name: str, whole: str, catalogue: Catalogue) -> str | None:
    """The catalogue's part of ``whole`` that a free part name meant ('council_run' -> council_childrens_homes): the
    part sharing a word with the name beyond the whole's own words, when exactly one does (or the name itself)."""
    parts = catalogue.parts(whole)
    if name in parts:
        return name
    words = set(name.split("_")) - {"or", "and", "run", "the"}
    own = set(whole.split("_"))
    found = [p for p in parts if words & (set(p.split("_")) - own)]
    return found[0] if len(found) == 1 else None


def _flow(counts: dict[str, int]) -> str:
    return "{" + ", ".join(f"{g}: {counts[g]}" for g in GRADES if counts.get(g)) + "}"


def _replacement(whole: str, evidence: dict[str, Any], parts: dict[str, Any], catalogue: Catalogue) -> str:
    """The setting types to write instead of ``settings.<whole>.parts``, with their counts, as YAML."""
    if not catalogue.parts(whole):
        return (f"delete 'parts': catalogue {catalogue.name} has no setting type that is part of {whole}, and its counts "
                "already count these settings")
    into: dict[str, dict[str, int]] = {}
    unmatched = []
    for name, counts in parts.items():
        target = part_type_for(str(name), whole, catalogue) if isinstance(counts, dict) else None
        if target is None:
            unmatched.append(str(name))
            continue
        for grade, n in counts.items():
            if grade in GRADES and isinstance(n, int):
                into.setdefault(target, {})[grade] = into.get(target, {}).get(grade, 0) + n
    written = ", ".join(f"{t}: {{counts: {_flow(c)}}}" for t, c in into.items())
    given = evidence.get("counts")
    whole_counts: dict[str, Any] = given if isinstance(given, dict) else {}
    summed = {g: sum(c.get(g, 0) for c in into.values()) for g in GRADES}
    covered = not unmatched and all(summed[g] == whole_counts.get(g, 0) for g in GRADES)
    text = f"write the parts as setting types of {catalogue.name}: settings: {{{written}}}" if written else ""
    if covered:
        text += f", and settings.{whole} only as their sum (or not at all)"
    elif written:
        text += f"; settings.{whole} beside them must be their sum, so give it only then"
    if unmatched:
        names = ", ".join(f"'{n}'" for n in unmatched)
        text += (("; " if text else "") + f"no part of {whole} in {catalogue.name} is {names} (its parts: "
                 f"{', '.join(catalogue.parts(whole))}): name them, or delete 'parts'")
    return text


def removed_form_problems(doc: SourceDocument, catalogue: Catalogue | None) -> tuple[SourceDocument, list[Problem]]:
    """Every ``settings.<type>.parts`` refused (located, with its replacement), and the document without them, so
    the rest of it is checked as usual and not reported again as an unknown key."""
    settings = doc.data.get("settings") if isinstance(doc.data, dict) else None
    if not isinstance(settings, dict):
        return doc, []
    problems = []
    kept = dict(settings)
    for whole, evidence in settings.items():
        if not isinstance(evidence, dict) or "parts" not in evidence:
            continue
        parts = evidence["parts"] if isinstance(evidence["parts"], dict) else {}
        hint = _replacement(str(whole), evidence, parts, catalogue) if catalogue and whole in catalogue.setting_types else None
        problems.append(doc.problem("profile-invalid", f"settings.{whole}.parts is no longer part of the profile format: a split "
                                    "setting type is given as the catalogue's setting types that are part of it",
                                    ("settings", whole, "parts"), key=True, suggestion=hint))
        kept[whole] = {k: v for k, v in evidence.items() if k != "parts"}
    return (doc.with_data({**doc.data, "settings": kept}) if problems else doc), problems
