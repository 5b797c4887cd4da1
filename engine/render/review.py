"""What a reviewer and a council read: the report and the rating letter, each from one evaluation.

Library functions take a profile path and return the rendered string; the CLI only prints them.
"""
from __future__ import annotations

from pathlib import Path

from .. import writing
from ..audit.store import AuditStore, default_audit_path
from ..decide.pipeline import evaluate_text
from ..errors import ProfileError
from ..load.judgement import judgement_from_file
from ..load.yaml import read_text
from ..measures.derive import MeasureView, derive_measures
from .html import render_report_html
from .letter import compose_letter, letter_html, letter_markdown
from .markdown import render_report_markdown
from .reviewed import Reviewed

REPORT_FORMATS = ("html", "markdown")
LETTER_FORMATS = ("markdown", "html")


def review(profile_path: Path | str, ruleset_path: Path | str | None = None,
           judgement_path: Path | str | None = None, *, record: bool = False, audit_path: Path | str | None = None) -> Reviewed:
    """Evaluate a profile (with a professional judgement from a file, when given) and keep the evidence frames;
    with ``record``, the evaluation (and its judgement) is recorded in the audit store and the page names it."""
    judgement = judgement_from_file(judgement_path) if judgement_path is not None else None
    text = read_text(profile_path, ProfileError)
    evaluated = evaluate_text(text, str(profile_path), ruleset_path, judgement)
    ruleset, source = evaluated.ruleset, evaluated.decision.measure_source
    # The measures the decision was made on, with their frames: derived once, not again for the report.
    measures = source.whole() if isinstance(source, MeasureView) else derive_measures(evaluated.profile.profile,
                                                                                       ruleset.catalogue, ruleset.ruleset)
    record_id, store_path = None, None
    if record:
        store_path = default_audit_path(audit_path)
        with AuditStore(store_path) as store:
            record_id = store.append(evaluated.decision, profile_source_text=text)
    return Reviewed(evaluated.profile, ruleset, evaluated.decision, measures, record_id, store_path)


def report(profile_path: Path | str, output_format: str = "html", ruleset_path: Path | str | None = None,
           judgement_path: Path | str | None = None, *, record: bool = False, audit_path: Path | str | None = None) -> str:
    """The reviewer's report: the band and the rules that decided it, what would change it, then the evidence,
    charts and reasons by stage, and the audit record (``record``: record the evaluation and name it)."""
    reviewed = review(profile_path, ruleset_path, judgement_path, record=record, audit_path=audit_path)
    return render_report_markdown(reviewed) if output_format == "markdown" else render_report_html(reviewed)


def write_report(profile_path: Path | str, output: Path | str, output_format: str = "html",
                 ruleset_path: Path | str | None = None, judgement_path: Path | str | None = None, *, record: bool = False,
                 audit_path: Path | str | None = None) -> Path:
    """The report written to ``output``, whole or not at all (a full disk leaves no truncated page)."""
    writing.check_writable(output)
    return writing.write_file(output, report(profile_path, output_format, ruleset_path, judgement_path, record=record, audit_path=audit_path))


def letter(profile_path: Path | str, output_format: str = "markdown", ruleset_path: Path | str | None = None,
           judgement_path: Path | str | None = None) -> str:
    """The rating letter to the council, in the form of Ofsted's 2009 letters."""
    composed = compose_letter(review(profile_path, ruleset_path, judgement_path))
    return letter_html(composed) if output_format == "html" else letter_markdown(composed)
