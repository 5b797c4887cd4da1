"""One evaluated profile with everything a rendering needs."""
from __future__ import annotations

from dataclasses import dataclass

from ..measures.derive import Measures
from ..model.loaded import LoadedProfile, LoadedRuleset
from ..model.trace import Decision


@dataclass(frozen=True)
class Reviewed:
    """The profile as loaded, the ruleset that rated it, the decision and the evidence frames behind it."""

    loaded: LoadedProfile
    ruleset: LoadedRuleset
    decision: Decision
    measures: Measures
