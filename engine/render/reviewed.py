"""One evaluated profile with everything a rendering needs."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
    record_id: str | None = None  # the evaluation's record in the audit trail, when it was recorded
    audit_path: Path | None = None


def record_sentence(reviewed: Reviewed) -> str:
    """Which audit record the page shows, or that it shows none."""
    if reviewed.record_id is None:
        return "not recorded in the audit trail"
    return f"audit record {reviewed.record_id} in {reviewed.audit_path}"
