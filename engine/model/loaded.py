"""What loading gives: a validated profile or ruleset with the document it came from (for locations) and
the hash that identifies it in decisions and the audit trail."""
from __future__ import annotations

from dataclasses import dataclass

from .catalogue import Catalogue
from .profile import Profile
from .ruleset import Ruleset
from .source import SourceDocument
from .translation import Carried


@dataclass(frozen=True)
class LoadedProfile:
    profile: Profile
    source: SourceDocument | None  # None for a profile built in memory
    input_hash: str  # sha256 of the validated profile as canonical JSON: layout and comments do not count
    carried: Carried | None = None  # the translation that carried it from the catalogue it is written in, if any


@dataclass(frozen=True)
class LoadedRuleset:
    ruleset: Ruleset
    source: SourceDocument
    path: str
    content_hash: str  # sha256 of the ruleset file's bytes
    catalogue: Catalogue
