"""How a profile written in one catalogue's words is read in another's (indicators/translations/<from>-to-<to>.yaml).

Each item of the source catalogue is stated once: kept under its name, renamed, merged with others into one item
of the target, dropped (with why), or untranslatable (a profile that gives it cannot be read in the target's words,
with why). Merged setting types add up their counts (a whole and its parts merged take the whole where it is given,
else its parts together); merged indicators take the first of them the profile gives, in the order listed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .values import Line

Fate = Literal["kept", "renamed", "merged", "dropped", "untranslatable"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemMap(_Frozen):
    """The fate of every item of one part of the source catalogue (setting types, or indicators)."""

    kept: list[Line] = Field([], description="Items the target has under the same name")
    renamed: dict[Line, Line] = Field({}, description="Source item -> the target's item for it")
    merged: dict[Line, list[Line]] = Field({}, description="Target item -> the source items it is made of")
    dropped: dict[Line, Line] = Field({}, description="Source item -> why the target has nothing for it")
    untranslatable: dict[Line, Line] = Field({}, description="Source item -> why a profile giving it cannot be translated")

    def fates(self) -> dict[str, tuple[Fate, str]]:
        """Source item -> (its fate, the target item or the reason)."""
        out: dict[str, tuple[Fate, str]] = {key: ("kept", key) for key in self.kept}
        out.update({key: ("renamed", into) for key, into in self.renamed.items()})
        out.update({key: ("merged", into) for into, keys in self.merged.items() for key in keys})
        out.update({key: ("dropped", why) for key, why in self.dropped.items()})
        out.update({key: ("untranslatable", why) for key, why in self.untranslatable.items()})
        return out


class TranslationFile(_Frozen):
    source: Line = Field(alias="from", description="The catalogue the profiles are written in")
    target: Line = Field(alias="to", description="The catalogue they are read in")
    title: Line | None = None
    setting_types: ItemMap
    indicators: ItemMap


class Translation(_Frozen):
    """A translation checked against both catalogues, with the file it came from and its content hash."""

    source: str
    target: str
    path: str
    content_hash: str
    setting_types: dict[str, tuple[Fate, str]]  # source setting type -> fate
    indicators: dict[str, tuple[Fate, str]]
    vulnerable_groups: dict[str, bool]  # source group -> the target has it (carried by name)
    vulnerable_stages: dict[str, bool]

    @property
    def name(self) -> str:
        return f"{self.source} -> {self.target}"


@dataclass
class Carried:
    """What a translation did to one profile: each item the profile gives, its fate."""

    translation: Translation
    items: list[tuple[str, str, str, str]] = field(default_factory=list)  # (section, source item, fate, target or why)
