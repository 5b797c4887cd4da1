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


class SettingType(_Frozen):
    title: str
    plural: str
    group: str
    kind: Literal["counted", "single"]


class SettingTypes(_Frozen):
    groups: dict[str, str]
    setting_types: dict[str, SettingType]


class Indicator(_Frozen):
    title: str
    outcome: str
    polarity: Literal["higher", "lower"]
    unit: str


class Indicators(_Frozen):
    outcomes: dict[str, str]
    indicators: dict[str, Indicator]


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
