"""The domain vocabulary, read from indicators/: setting types, National Indicators, vulnerable groups."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .errors import RulesetError
from .paths import indicators_dir
from .source import load_yaml
from .validation import validate


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    """Everything in indicators/, validated, with a content hash of the files it came from."""

    groups: dict[str, str]
    setting_types: dict[str, SettingType]
    outcomes: dict[str, str]
    indicators: dict[str, Indicator]
    vulnerable_groups: dict[str, str]
    vulnerable_stages: dict[str, str]
    content_hash: str


FILES = ("setting-types.yaml", "national-indicators.yaml", "vulnerable-groups.yaml")


def load_catalogue(directory: Path | None = None) -> Catalogue:
    return _load_catalogue(str(directory or indicators_dir()))


@lru_cache(maxsize=8)
def _load_catalogue(directory: str) -> Catalogue:
    digest = hashlib.sha256()
    parts = []
    problems = []
    for name, model in zip(FILES, (SettingTypes, Indicators, VulnerableGroups)):
        path = Path(directory) / name
        digest.update(path.read_bytes() if path.exists() else b"")
        doc = load_yaml(path, RulesetError)
        value, found = validate(model, doc, code_invalid="ruleset-invalid", code_unknown_key="ruleset-unknown-key")
        problems += found
        parts.append((doc, value))
    if problems:
        raise RulesetError(problems)
    (st_doc, st), (ind_doc, ind), (_, vg) = parts
    for key, setting in st.setting_types.items():
        if setting.group not in st.groups:
            problems.append(st_doc.problem("ruleset-invalid", f"setting type '{key}' names unknown group '{setting.group}'",
                                           ("setting_types", key, "group")))
    for key, indicator in ind.indicators.items():
        if indicator.outcome not in ind.outcomes:
            problems.append(ind_doc.problem("ruleset-invalid", f"indicator '{key}' names unknown outcome '{indicator.outcome}'",
                                            ("indicators", key, "outcome")))
    if problems:
        raise RulesetError(problems)
    return Catalogue(groups=st.groups, setting_types=st.setting_types, outcomes=ind.outcomes,
                     indicators=ind.indicators, vulnerable_groups=vg.groups, vulnerable_stages=vg.stages,
                     content_hash=digest.hexdigest())
