"""A professional judgement as an assessor states it: a small YAML file, or a band, assessor and reason."""
from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from ..errors import JudgementError, Problem
from ..model.judgement import JudgementFile, JudgementOptions, ProposedJudgement
from ..model.validation import clean_loc, validate
from .yaml import parse_yaml, read_text


def judgement_from_file(path: Path | str) -> ProposedJudgement:
    doc = parse_yaml(read_text(path, JudgementError), str(path), JudgementError)
    if not isinstance(doc.data, dict):
        raise JudgementError([doc.problem("judgement-invalid", "a judgement is a mapping with 'band', 'assessor', 'reason' and optionally 'date'")])
    model, problems = validate(JudgementFile, doc, code_invalid="judgement-invalid", code_unknown_key="judgement-invalid")
    if model is None:
        raise JudgementError(problems)
    return ProposedJudgement(model.band, model.assessor, model.reason, model.date.isoformat() if model.date else None)


OPTIONS = {"band": "--override-band", "assessor": "--assessor", "reason": "--reason"}


def judgement_from_options(band: int, assessor: str | None, reason: str | None, where: str = "<command line>") -> ProposedJudgement:
    """A judgement from command-line options, held to the same rules as a judgement file (but for the band, which
    the ruleset in use checks against its scale when the judgement is applied); a problem is located at the
    option that gave the value."""
    given = {"band": band, "assessor": assessor, "reason": reason}
    try:
        model = JudgementOptions.model_validate({k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(clean_loc(error["loc"])[0]) if clean_loc(error["loc"]) else "band"
            problems.append(Problem("judgement-invalid", f"{field}: {error['msg']}", OPTIONS.get(field, where)))
        raise JudgementError(problems) from None
    return ProposedJudgement(model.band, model.assessor, model.reason)
