"""How the letter words the settings it counts: the types as the letters name them ("nursery, primary and sixth
form schools"), some of a type's settings ("four of the nine secondary schools", "none of the six", "the pupil
referral unit") with the verb that agrees, and the profile values such a sentence states.
"""
from __future__ import annotations

from ...model.catalogue import Catalogue
from ...model.letter import EvidenceWording
from ...model.wording import Numbers
from ..evidence import SettingRow, good_or_better, total
from .sentence import join_words


def types_named(rows: list[SettingRow], wording: EvidenceWording, catalogue: Catalogue) -> str:
    """The types as the letters name them: school phases together ("nursery, primary and sixth form schools")."""
    phased = [wording.phases[r.key] for r in rows if r.key in wording.phases]
    others = [catalogue.setting_types[r.key].plural for r in rows if r.key not in wording.phases]
    return join_words(others + ([f"{join_words(phased)} {wording.phases_noun}"] if phased else []))


def phases_named(rows: list[SettingRow], wording: EvidenceWording, catalogue: Catalogue) -> str:
    """The types as provision is named: "secondary and sixth form", or one alone "secondary school"."""
    if len(rows) == 1 and rows[0].key in wording.phases:
        return wording.phases_one.format(phase=wording.phases[rows[0].key])
    return join_words([wording.phases.get(r.key, catalogue.setting_types[r.key].plural) for r in rows])


def count_of(count: int, r: SettingRow, ev: EvidenceWording, numbers: Numbers, catalogue: Catalogue) -> tuple[str, str]:
    """Some of a type's settings, as every count in the letter says them, and the verb that agrees: "four of the nine
    secondary schools" (are), "none of the six special schools" (is), and for the only one of its type "the pupil
    referral unit" (is, or is not when the count is none), never "no of the" or "one of the one"."""
    whole = total(r)
    plural = catalogue.setting_types[r.key].plural
    if whole == 1 and ev.group_part_one and r.key in ev.singulars:
        return ev.group_part_one.format(singular=ev.singulars[r.key]), "is" if count else "is not"
    if count == 0 and ev.group_part_none:
        return ev.group_part_none.format(total=numbers.one(whole), plural=plural), "is"
    some, of = numbers.alike(count, whole)
    return ev.group_part_some.format(good_or_better=some, total=of, plural=plural), is_or_are(count)


def parts_named(rows: list[SettingRow], ev: EvidenceWording, numbers: Numbers, catalogue: Catalogue) -> tuple[str, str]:
    """"14 of the 31 secondary schools and 10 of the 22 school sixth forms", and the verb that agrees with it."""
    parts = [count_of(good_or_better(r), r, ev, numbers, catalogue) for r in rows]
    return join_words([part for part, _ in parts]), "are" if len(rows) > 1 else parts[0][1]


def setting_sources(rows: list[SettingRow], *parts: str) -> list[str]:
    """The profile values a sentence about these settings states: each row's ``parts`` (counts, national, ...)."""
    return [f"settings.{r.key}.{part}" for r in rows for part in parts]


def is_or_are(count: int) -> str:
    return "is" if count == 1 else "are"
