"""Evaluate a profile, with any professional judgement, and record the evaluation in the audit trail.

This is what ``engine evaluate`` does. A judgement outside the policy raises before anything is
recorded, so a refused judgement never becomes a final band in the audit trail.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..decide.pipeline import evaluate_text
from ..errors import ProfileError
from ..load.translation import carried_lines
from ..load.yaml import read_text
from ..model.judgement import ProposedJudgement
from ..model.trace import Decision
from ..model.translation import Carried
from .store import AuditStore, default_audit_path


@dataclass(frozen=True)
class RecordedEvaluation:
    decision: Decision
    record_id: str | None  # None when recording was skipped
    audit_path: Path | None
    carried: Carried | None = None  # the translation that read the profile in the ruleset's words, if one did

    def translated(self) -> list[str]:
        """What the translation did on the way, if one read the profile (never silent); else nothing."""
        return carried_lines([self.carried]) if self.carried is not None else []


def evaluate_and_record(profile_path: str | os.PathLike[str], ruleset_path: str | os.PathLike[str] | None = None, *,
                        judgement: ProposedJudgement | None = None, record: bool = True,
                        audit_path: str | os.PathLike[str] | None = None, run_by: str | None = None,
                        supersedes: str | None = None) -> RecordedEvaluation:
    """The decision and, unless ``record`` is False, the id of its record in the audit store."""
    text = read_text(Path(profile_path), ProfileError)
    evaluation = evaluate_text(text, str(profile_path), Path(ruleset_path) if ruleset_path else None, judgement)
    decision, carried = evaluation.decision, evaluation.profile.carried
    if not record:
        return RecordedEvaluation(decision, None, None, carried)
    path = default_audit_path(audit_path)
    with AuditStore(path) as store:
        record_id = store.append(decision, profile_source_text=text, run_by=run_by, supersedes=supersedes)
    return RecordedEvaluation(decision, record_id, path, carried)
