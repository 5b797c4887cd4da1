"""The vocabulary a ruleset is written in (its catalogue): setting types, indicators, vulnerable groups.

A ruleset names its catalogue (``catalogue: csa-2009``): an index file in indicators/ that names the files
of each part. Each year may have its own; the catalogue's content hash goes into every decision.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FILE_NAME = r"^[a-z0-9][a-z0-9-]{0,63}\.yaml$"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CatalogueIndex(_Frozen):
    """indicators/<name>.yaml: which files hold each part of the vocabulary (file names in indicators/)."""

    title: str
    setting_types: str = Field(pattern=FILE_NAME)
    indicators: str = Field(pattern=FILE_NAME)
    vulnerable_groups: str = Field(pattern=FILE_NAME)
    inspection_judgements: str | None = Field(None, pattern=FILE_NAME)


class SettingType(_Frozen):
    title: str
    plural: str
    group: str
    kind: Literal["counted", "single"]
    part_of: str | None = Field(None, description="A counted type this one is part of (council-run children's homes of children's "
                                                  "homes): a profile gives the whole, its parts, or both, and the whole "
                                                  "still has its measures")
    in_totals: bool = Field(True, description="Whether its settings count in the totals of all settings and of its group; a "
                                              "service outside the performance profile's settings (the youth offending "
                                              "service) is false: its own measures are derived and shown, and weigh in no "
                                              "total")


class CombinedGroup(_Frozen):
    """Setting types weighed together across groups (universal services: childcare, schools, post-16)."""

    title: str
    setting_types: list[str] = Field(min_length=1)


class SettingTypes(_Frozen):
    groups: dict[str, str]
    setting_types: dict[str, SettingType]
    combined_groups: dict[str, CombinedGroup] = {}


class Indicator(_Frozen):
    title: str
    outcome: str
    polarity: Literal["higher", "lower"]
    unit: str


class Indicators(_Frozen):
    outcomes: dict[str, str]
    indicators: dict[str, Indicator]


class InspectionJudgements(_Frozen):
    """The judgements a full inspection gives beside its overall grades (capacity for improvement, ...), with words."""

    judgements: dict[str, str]


class VulnerableGroups(_Frozen):
    groups: dict[str, str]
    stages: dict[str, str]


class Catalogue(_Frozen):
    """A whole catalogue, validated, with a content hash of the files it came from."""

    name: str
    title: str
    groups: dict[str, str]
    setting_types: dict[str, SettingType]
    outcomes: dict[str, str]
    indicators: dict[str, Indicator]
    vulnerable_groups: dict[str, str]
    vulnerable_stages: dict[str, str]
    content_hash: str
    combined_groups: dict[str, CombinedGroup] = {}
    inspection_judgements: dict[str, str] = {}

    def parts(self, whole: str) -> list[str]:
        """The setting types that are parts of ``whole``, in the catalogue's order."""
        return [key for key, setting in self.setting_types.items() if setting.part_of == whole]

    def scopes(self) -> dict[str, str]:
        """Every group of setting types the measures aggregate over (``groups.<name>``): each type's group, then
        the combined groups, with their titles."""
        return {**self.groups, **{name: combined.title for name, combined in self.combined_groups.items()}}

    def in_scope(self, scope: str, setting_type: str) -> bool:
        """Whether a setting type counts in a group or combined group; a part counts wherever its whole does."""
        setting = self.setting_types[setting_type]
        if scope in self.groups:
            return setting.group == scope
        listed = self.combined_groups[scope].setting_types
        return setting_type in listed or (setting.part_of is not None and setting.part_of in listed)
