"""What a reviewer and a council read: the report and the rating letter, each from one evaluation.

Library functions take a profile path and return the rendered string; the CLI only prints them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .load import LoadedProfile, LoadedRuleset, load_profile, ruleset_for
from .measures import Measures, derive_measures
from .pipeline import evaluate
from .trace import Decision

REPORT_FORMATS = ("html", "markdown")
LETTER_FORMATS = ("markdown", "html")


@dataclass(frozen=True)
class Reviewed:
    """One evaluated profile with everything a rendering needs: the decision and the evidence frames."""

    loaded: LoadedProfile
    ruleset: LoadedRuleset
    decision: Decision
    measures: Measures


def review(profile_path: Path | str, ruleset_path: Path | str | None = None,
           judgement_path: Path | str | None = None) -> Reviewed:
    """Evaluate a profile (with a professional judgement from a file, when given) and keep the evidence frames."""
    loaded = load_profile(profile_path)
    ruleset = ruleset_for(loaded, ruleset_path)
    judgement = None
    if judgement_path is not None:
        from .judgement import judgement_from_file

        judgement = judgement_from_file(judgement_path)
    decision = evaluate(loaded, ruleset, judgement)
    return Reviewed(loaded, ruleset, decision, derive_measures(loaded.profile, ruleset.catalogue, ruleset.ruleset))


def report(profile_path: Path | str, output_format: str = "html", ruleset_path: Path | str | None = None,
           judgement_path: Path | str | None = None) -> str:
    """The reviewer's report: headline, evidence, charts and reasons, as one page (HTML) or Markdown."""
    reviewed = review(profile_path, ruleset_path, judgement_path)
    if output_format == "markdown":
        from .render.markdown import render_report_markdown

        return render_report_markdown(reviewed)
    from .render.html import render_report_html

    return render_report_html(reviewed)


def letter(profile_path: Path | str, output_format: str = "markdown", ruleset_path: Path | str | None = None,
           judgement_path: Path | str | None = None) -> str:
    """The rating letter to the council, in the form of Ofsted's 2009 letters."""
    from .render.letter import compose_letter, letter_html, letter_markdown

    composed = compose_letter(review(profile_path, ruleset_path, judgement_path))
    return letter_html(composed) if output_format == "html" else letter_markdown(composed)
