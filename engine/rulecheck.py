"""Semantic checks of a ruleset, run when it is loaded: every problem at once, located in the file.

Anything durable-rules would reject (or silently misread) is caught here first, so the engine never
compiles an unchecked rule and users never see a durable-rules error code.
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from .conditions import NUMERIC_OPERATORS
from .errors import Problem, did_you_mean
from .measures import measure_catalogue
from .templates import FORMATS, placeholders

if TYPE_CHECKING:
    from .load import LoadedRuleset

GRADES = (1, 2, 3, 4)
FINDINGS = "findings"  # a stage whose rules only contribute sentences, not grades
TABLE_INPUTS = ("settings", "indicators")
# durable-rules refuses a fact with more than about 250 fields (error code 302); the measures fact
# carries the sid, id and kind besides the measures the rules read.
MAX_REFERENCED_MEASURES = 240


def check_ruleset(loaded: "LoadedRuleset") -> list[Problem]:
    ruleset, doc = loaded.ruleset, loaded.source
    measures = measure_catalogue(loaded.catalogue)
    problems: list[Problem] = []
    add = problems.append

    # Scale and named proportions
    if sorted(ruleset.scale) != list(GRADES):
        add(doc.problem("ruleset-invalid", "the scale must give words for bands 1, 2, 3 and 4", ("scale",), key=True))
    previous = None
    for name, bound in ruleset.proportions.items():
        if not 0.0 <= bound <= 1.0:
            add(doc.problem("threshold-out-of-range", f"proportion '{name}' is {bound}, outside 0 to 1", ("proportions", name)))
        if previous is not None and bound > previous[1]:
            add(doc.problem("thresholds-unordered",
                            f"'{name}' ({bound}) is listed after '{previous[0]}' ({previous[1]}) but is larger; list proportions from the highest",
                            ("proportions", name)))
        previous = (name, bound)

    # Ids are unique across rules, rows and limits: the trace and the audit name things by id.
    seen: dict[str, tuple] = {}
    items = [("rules", i, r.id) for i, r in enumerate(ruleset.rules)]
    items += [("decision_table", "rows", i, r.id) for i, r in enumerate(ruleset.decision_table.rows)]
    items += [("limits", i, r.id) for i, r in enumerate(ruleset.limits)]
    for item in items:
        path, ident = item[:-1], item[-1]
        if ident in seen:
            add(doc.problem("duplicate-rule-id", f"id '{ident}' is used twice", path + ("id",)))
        seen[ident] = path

    # Rules and limits: stages, grades, conditions, templates
    stages = set(ruleset.grades)
    for i, rule in enumerate(ruleset.rules):
        path = ("rules", i)
        if rule.stage not in stages | {FINDINGS}:
            add(doc.problem("ruleset-invalid", f"rule '{rule.id}' names unknown stage '{rule.stage}'", path + ("stage",),
                            suggestion=did_you_mean(rule.stage, stages | {FINDINGS}) or f"expected one of: {', '.join(sorted(stages | {FINDINGS}))}"))
        elif rule.stage == FINDINGS and rule.grade is not None:
            add(doc.problem("ruleset-invalid", f"rule '{rule.id}' is a finding and cannot set a grade", path + ("grade",)))
        elif rule.stage != FINDINGS and rule.grade is None:
            add(doc.problem("ruleset-invalid", f"rule '{rule.id}' grades stage '{rule.stage}' but gives no grade", path, key=True))
        problems += _condition_problems(doc, ruleset, measures, rule.when, path)
        problems += _template_problems(doc, measures, rule.because, path)
    for i, limit in enumerate(ruleset.limits):
        problems += _condition_problems(doc, ruleset, measures, limit.when, ("limits", i))
        problems += _template_problems(doc, measures, limit.because, ("limits", i))

    for stage in stages:
        if not any(r.stage == stage and not r.when for r in ruleset.rules):
            add(doc.problem("stage-without-default",
                            f"stage '{stage}' has no rule with empty 'when', so a profile may get no grade",
                            ("grades", stage), key=True, suggestion="add a lowest-grade rule with 'when: []'"))
    if set(TABLE_INPUTS) - stages:
        add(doc.problem("ruleset-invalid", f"the decision table reads the grades {', '.join(TABLE_INPUTS)}: define both under 'grades'",
                        ("grades",), key=True))
    referenced = {c.measure for item in list(ruleset.rules) + list(ruleset.limits) for c in item.when}
    if len(referenced) > MAX_REFERENCED_MEASURES:
        add(doc.problem("ruleset-invalid", f"the rules read {len(referenced)} different measures; the inference engine "
                        f"accepts at most {MAX_REFERENCED_MEASURES}", ("rules",), key=True))
    problems += table_problems(loaded)
    from .rulelogic import logic_problems  # rules and rows that can never fire; limits whose order is not stated

    problems += logic_problems(loaded)
    from .judgement import policy_problems  # the judgement policy's own checks live with judgement

    problems += policy_problems(loaded)
    return problems


def _condition_problems(doc, ruleset, measures, conditions, path) -> list[Problem]:
    problems = []
    for j, condition in enumerate(conditions):
        where = path + ("when", j)
        spec = measures.get(condition.measure)
        if spec is None:
            problems.append(doc.problem("unknown-measure", f"unknown measure '{condition.measure}'", where + ("measure",),
                                        suggestion=did_you_mean(condition.measure, measures)))
            continue
        op, threshold = condition.operator, condition.threshold
        if op in NUMERIC_OPERATORS:
            if spec.kind == "category":
                problems.append(doc.problem("ruleset-invalid", f"'{condition.measure}' is a category; compare it with equals or not_equals",
                                            where + (op,), key=True))
            elif isinstance(threshold, str):
                if threshold not in ruleset.proportions:
                    problems.append(doc.problem("unknown-threshold", f"unknown proportion '{threshold}'", where + (op,),
                                                suggestion=did_you_mean(threshold, ruleset.proportions)))
            elif isinstance(threshold, bool):
                problems.append(doc.problem("ruleset-invalid", f"'{op}' needs a number or a named proportion", where + (op,)))
            elif spec.kind == "proportion" and not 0.0 <= threshold <= 1.0:
                problems.append(doc.problem("threshold-out-of-range",
                                            f"'{condition.measure}' is a proportion; {threshold} lies outside 0 to 1", where + (op,)))
        elif spec.kind != "category" and isinstance(threshold, str):
            problems.append(doc.problem("ruleset-invalid", f"'{condition.measure}' is a {spec.kind}, not a category: compare it with a number",
                                        where + (op,)))
    return problems


def _template_problems(doc, measures, template, path) -> list[Problem]:
    problems = []
    for name, fmt in placeholders(template):
        if name not in measures:
            problems.append(doc.problem("template-unknown-measure", f"the because-sentence names unknown measure '{name}'",
                                        path + ("because",), suggestion=did_you_mean(name, measures)))
        if fmt is not None and fmt not in FORMATS:
            problems.append(doc.problem("ruleset-invalid", f"unknown format ':{fmt}' in the because-sentence",
                                        path + ("because",), suggestion=f"expected one of: {', '.join(FORMATS)}"))
    return problems


def table_cover(loaded: "LoadedRuleset") -> dict[tuple[int, int], list[int]]:
    """For every combination of grades, the indexes of the rows that match it."""
    rows = loaded.ruleset.decision_table.rows
    return {(s, i): [k for k, row in enumerate(rows) if s in row.settings and i in row.indicators]
            for s, i in itertools.product(GRADES, GRADES)}


def table_problems(loaded: "LoadedRuleset") -> list[Problem]:
    table, doc = loaded.ruleset.decision_table, loaded.source
    problems = []
    for k, row in enumerate(table.rows):
        for field in TABLE_INPUTS:
            for grade in getattr(row, field):
                if grade not in GRADES:
                    problems.append(doc.problem("ruleset-invalid", f"row '{row.id}': grade {grade} is not on the scale 1-4",
                                                ("decision_table", "rows", k, field)))
    cover = table_cover(loaded)
    gaps = [combo for combo, rows in cover.items() if not rows]
    if gaps:
        listed = ", ".join(f"settings {s} x indicators {i}" for s, i in gaps)
        problems.append(doc.problem("table-gap", f"no row covers: {listed}", ("decision_table", "rows"), key=True))
    if table.hit_policy == "unique":
        for (s, i), rows in cover.items():
            if len(rows) > 1:
                names = ", ".join(table.rows[k].id for k in rows)
                problems.append(doc.problem("table-overlap", f"settings {s} x indicators {i} is covered by several rows ({names})",
                                            ("decision_table", "rows", rows[1]), key=False))
    else:  # first: a row that never comes first for any combination is masked
        winners = {rows[0] for rows in cover.values() if rows}
        for k, row in enumerate(table.rows):
            if k not in winners:
                problems.append(doc.problem("table-masked-row", f"row '{row.id}' is never chosen: earlier rows cover all its combinations",
                                            ("decision_table", "rows", k)))
    return problems
