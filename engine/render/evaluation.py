"""``engine evaluate`` as one call: the judgement given (a file, or a band with its assessor and reason) applied,
the evaluation recorded in the audit trail unless told not to, and the decision rendered as the command prints it."""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..audit.record import RecordedEvaluation, evaluate_and_record
from ..errors import JudgementError, Problem
from ..load.judgement import judgement_from_file, judgement_from_options
from ..model.trace import Decision
from .fails import render_fails
from .json import render_json
from .text import render_text


@dataclass(frozen=True)
class RenderedEvaluation:
    recorded: RecordedEvaluation
    text: str  # what the command prints: the decision and its trace as text or JSON, or only what did not fire

    @property
    def decision(self) -> Decision:
        return self.recorded.decision

    def notes(self) -> list[str]:
        """What the command says on standard error: what a translation did, and where the evaluation was recorded."""
        lines = self.recorded.translated()
        if self.recorded.record_id:
            lines.append(f"recorded as {self.recorded.record_id} in {self.recorded.audit_path}")
        return lines


def evaluate_and_render(profile_path: str | os.PathLike[str], ruleset_path: str | os.PathLike[str] | None = None, *,
                        output_format: str = "text", full: bool = False, explain: str | None = None,
                        judgement_file: str | os.PathLike[str] | None = None, override_band: int | None = None,
                        assessor: str | None = None, reason: str | None = None, record: bool = True,
                        audit_path: str | os.PathLike[str] | None = None, supersedes: str | None = None) -> RenderedEvaluation:
    """Evaluate a profile with any judgement (``judgement_file``, or ``override_band`` with ``assessor`` and
    ``reason``), record it unless ``record`` is False, and render it: ``explain="fails"`` gives only the rules,
    limits and withhold rules that did not fire; else the decision as text (``full``: with every measure) or JSON."""
    if judgement_file is not None and override_band is not None:
        raise JudgementError([Problem("judgement-invalid", "give a judgement file or a band, not both", "<command line>")])
    judgement = (judgement_from_file(os.fspath(judgement_file)) if judgement_file is not None else
                 judgement_from_options(override_band, assessor, reason, "--override-band") if override_band is not None else None)
    recorded = evaluate_and_record(profile_path, ruleset_path, judgement=judgement, record=record, audit_path=audit_path,
                                   supersedes=supersedes)
    decision = recorded.decision
    if explain == "fails":
        text = render_fails(decision, output_format)
    else:
        text = render_json(decision) if output_format == "json" else render_text(decision, full=full)
    return RenderedEvaluation(recorded, text)
