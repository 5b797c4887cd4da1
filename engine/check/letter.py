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
    follows: list[tuple[DataPath, str]] = [(("indicator_sentences", i, "follows"), sentence.follows)
                                           for i, sentence in enumerate(wording.indicator_sentences)]
    if wording.gap_progress is not None:
        follows.append((("gap_progress", "follows"), wording.gap_progress.follows))
    for where, stage in follows:  # each goes after the sentences of a stage of the indicators paragraph
        if stage not in wording.paragraphs.indicators:
            problems.append(doc.problem("ruleset-invalid", f"'{'.'.join(map(str, where))}' follows '{stage}', which is not a stage "
                                        "of the indicators paragraph", where, suggestion=did_you_mean(stage, wording.paragraphs.indicators)))
    rules = {rule.id for rule in ruleset.rules}
    for i, sentence in enumerate(wording.indicator_sentences):
        for j, clause in enumerate(sentence.clauses):
            for rule in clause.after_rule:
                if rule not in rules:
                    problems.append(doc.problem("ruleset-invalid", f"a clause is said after rule '{rule}', which is not a rule of "
                                                f"ruleset '{ruleset.id}'", ("indicator_sentences", i, "clauses", j, "after_rule", rule),
                                                suggestion=did_you_mean(rule, rules)))
    bound = wording.evidence.group_mostly_at_least
    if bound is not None and bound not in ruleset.proportions:
        problems.append(doc.problem("ruleset-invalid", f"'evidence.group_mostly_at_least' names '{bound}', which is not a proportion "
                                    f"of ruleset '{ruleset.id}'", ("evidence", "group_mostly_at_least"),
                                    suggestion=did_you_mean(bound, ruleset.proportions)))
    if ruleset.transitional and wording.transitional is None:
        problems.append(doc.problem("ruleset-invalid", f"ruleset '{ruleset.id}' is transitional: its letter needs the "
                                    "'transitional' paragraph", ()))
    if ruleset.withhold and (wording.withheld is None or wording.withheld_rating is None):
        problems.append(doc.problem("ruleset-invalid", f"ruleset '{ruleset.id}' can withhold a rating: its letter needs "
                                    "'withheld' and 'withheld_rating'", ()))
    for limit, brief in wording.limits_after_inspections.items():
        # {unresolved} names the unannounced inspection's open areas for priority action: only a limit said after that
        # inspection has them to name (the letter fills it with "" otherwise).
        if "unannounced" not in brief.after and "unresolved" in _placeholders(brief.text):
            problems.append(doc.problem("ruleset-invalid", f"'limits_after_inspections.{limit}.text' uses {{unresolved}}, which "
                                        "only a limit said after the unannounced inspection can fill",
                                        ("limits_after_inspections", limit, "text"),
                                        suggestion="add unannounced to its 'after', or drop {unresolved}"))
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
        items = enumerate(data) if isinstance(data, list) else (data or {}).items()
        return [found for key, value in items for found in _templates(value, rest, prefix + (key,))]
    return _templates(data.get(step) if isinstance(data, dict) else None, rest, prefix + (step,))


def _placeholders(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        return set()  # said by _template_problems


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
