"""Checks of a ruleset's letter wording: each template uses only the placeholders the letter fills."""
from __future__ import annotations

import string
from typing import Any

from ..errors import Problem, did_you_mean
from ..model.letter import TEMPLATE_FIELDS, LetterWording
from ..model.ruleset import Ruleset
from ..model.source import DataPath, SourceDocument


def letter_problems(doc: SourceDocument, wording: LetterWording, ruleset: Ruleset) -> list[Problem]:
    problems = []
    if wording.ruleset != ruleset.id:
        problems.append(doc.problem("ruleset-invalid", f"this is the letter wording of '{wording.ruleset}', "
                                    f"not of ruleset '{ruleset.id}'", ("ruleset",)))
    for paragraph, stages in wording.paragraphs.model_dump().items():
        for i, stage in enumerate(stages):
            if stage not in ruleset.stages:
                problems.append(doc.problem("ruleset-invalid", f"paragraph '{paragraph}' names '{stage}', which is not a stage "
                                            f"of ruleset '{ruleset.id}'", ("paragraphs", paragraph, i),
                                            suggestion=did_you_mean(stage, ruleset.stages)))
    if ruleset.transitional and wording.transitional is None:
        problems.append(doc.problem("ruleset-invalid", f"ruleset '{ruleset.id}' is transitional: its letter needs the "
                                    "'transitional' paragraph", ()))
    if ruleset.withhold and (wording.withheld is None or wording.withheld_rating is None):
        problems.append(doc.problem("ruleset-invalid", f"ruleset '{ruleset.id}' can withhold a rating: its letter needs "
                                    "'withheld' and 'withheld_rating'", ()))
    data = wording.model_dump()
    for path, allowed in TEMPLATE_FIELDS.items():
        for where, template in _templates(data, path):
            problems += _template_problems(doc, where, template, allowed)
    return problems


def _templates(data: Any, path: tuple[str, ...], prefix: DataPath = ()) -> list[tuple[DataPath, str]]:
    if not path:
        return [(prefix, data)] if isinstance(data, str) else []
    step, rest = path[0], path[1:]
    if step == "*":
        return [found for key, value in (data or {}).items() for found in _templates(value, rest, prefix + (key,))]
    return _templates(data.get(step) if isinstance(data, dict) else None, rest, prefix + (step,))


def _template_problems(doc: SourceDocument, where: DataPath, template: str, allowed: frozenset[str]) -> list[Problem]:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        return [doc.problem("ruleset-invalid", f"'{'.'.join(map(str, where))}' is not a well-formed template: {exc}", where,
                            suggestion="write a literal brace as {{ or }}")]
    unknown = sorted({n for n in names if n not in allowed})
    if not unknown:
        return []
    known = ", ".join("{" + n + "}" for n in sorted(allowed)) or "none"
    return [doc.problem("ruleset-invalid", f"'{'.'.join(map(str, where))}' uses {', '.join('{' + n + '}' for n in unknown)}, "
                        f"which the letter does not fill (it may use: {known})", where)]
