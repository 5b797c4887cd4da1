"""Semantic checks of a ruleset, run when it is loaded: every problem at once, located in the file.

Anything durable-rules would reject (or silently misread) is caught here first (engine.inference.limits
holds its measured bounds), so the engine never compiles an unchecked rule and users never see a
durable-rules error code.
"""
from __future__ import annotations

import itertools

from ..errors import Problem, did_you_mean
from ..inference.limits import inference_limit_problems
from ..model.loaded import LoadedRuleset
from ..model.measures import MeasureSpec, measure_catalogue
from ..model.ruleset import NUMERIC_OPERATORS, Condition, Ruleset
from ..model.source import DataPath, SourceDocument
from ..model.values import BANDS
from ..model.wording import FORMATS, placeholders
from .logic import logic_problems
from .policy import policy_problems

# The decision table is checked over every combination of grades; past this many the check itself would be
# the hang (ten grading stages of four grades are a million). Six stages of four grades, or twelve of two.
MAX_COMBINATIONS = 4096


def check_ruleset(loaded: LoadedRuleset) -> list[Problem]:
    ruleset, doc = loaded.ruleset, loaded.source
    measures = measure_catalogue(loaded.catalogue)
    problems: list[Problem] = []
    add = problems.append

    # The scales and the named proportions
    if sorted(ruleset.scale) != list(BANDS):
        add(doc.problem("ruleset-invalid", "the scale must give words for bands 1, 2, 3 and 4", ("scale",), key=True))
    if ruleset.grade_scale != sorted(set(ruleset.grade_scale)):
        add(doc.problem("ruleset-invalid", "the grade scale lists each grade once, lowest first", ("grade_scale",)))
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
    seen: set[str] = set()
    items: list[tuple[DataPath, str]] = [(("rules", i), r.id) for i, r in enumerate(ruleset.rules)]
    items += [(("decision_table", "rows", i), r.id) for i, r in enumerate(ruleset.decision_table.rows)]
    items += [(("limits", i), r.id) for i, r in enumerate(ruleset.limits)]
    items += [(("withhold", i), r.id) for i, r in enumerate(ruleset.withhold)]
    for where, ident in items:
        if ident in seen:
            add(doc.problem("duplicate-rule-id", f"id '{ident}' is used twice", where + ("id",)))
        seen.add(ident)

    # Rules and limits: stages, grades, conditions, templates
    stages = list(ruleset.stages)
    for i, rule in enumerate(ruleset.rules):
        path = ("rules", i)
        stage = ruleset.stages.get(rule.stage)
        if stage is None:
            add(doc.problem("ruleset-invalid", f"rule '{rule.id}' names unknown stage '{rule.stage}'", path + ("stage",),
                            suggestion=did_you_mean(rule.stage, stages) or f"expected one of: {', '.join(sorted(stages))}"))
        elif not stage.grades and rule.grade is not None:
            add(doc.problem("ruleset-invalid", f"rule '{rule.id}' is in stage '{rule.stage}', which sets no grade, so it cannot "
                            "set one", path + ("grade",)))
        elif stage.grades and rule.grade is None:
            add(doc.problem("ruleset-invalid", f"rule '{rule.id}' grades stage '{rule.stage}' but gives no grade", path, key=True))
        elif stage.grades and rule.grade not in ruleset.grade_scale:
            add(doc.problem("ruleset-invalid", f"rule '{rule.id}': grade {rule.grade} is not on the grade scale "
                            f"{_listed(ruleset.grade_scale)}", path + ("grade",)))
        problems += condition_problems(doc, ruleset, measures, rule.when, path)
        problems += _template_problems(doc, measures, rule.because, path)
    for i, limit in enumerate(ruleset.limits):
        problems += condition_problems(doc, ruleset, measures, limit.when, ("limits", i))
        problems += _template_problems(doc, measures, limit.because, ("limits", i))
        if limit.effect.cap is not None and limit.effect.cap not in ruleset.scale:
            add(doc.problem("ruleset-invalid", f"limit '{limit.id}' caps at {limit.effect.cap}, which is not a band of the scale",
                            ("limits", i, "effect", "cap")))
    for i, withhold in enumerate(ruleset.withhold):
        problems += condition_problems(doc, ruleset, measures, withhold.when, ("withhold", i))
        problems += _template_problems(doc, measures, withhold.because, ("withhold", i))

    for name, stage in ruleset.stages.items():
        if stage.grades and not any(r.stage == name and not r.when for r in ruleset.rules):
            add(doc.problem("stage-without-default",
                            f"stage '{name}' has no rule with empty 'when', so a profile may get no grade",
                            ("stages", name), key=True, suggestion="add a lowest-grade rule with 'when: []'"))
    if not ruleset.grading_stages:
        add(doc.problem("ruleset-invalid", "no stage sets a grade (hit policy 'highest'), so the decision table has nothing to read",
                        ("stages",), key=True))
    problems += inference_limit_problems(loaded)
    problems += table_problems(loaded)
    problems += logic_problems(loaded)  # rules and rows that can never fire; limits whose order is not stated
    problems += policy_problems(loaded)
    return problems


def condition_problems(doc: SourceDocument, ruleset: Ruleset, measures: dict[str, MeasureSpec],
                       conditions: list[Condition], path: DataPath) -> list[Problem]:
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


def _template_problems(doc: SourceDocument, measures: dict[str, MeasureSpec], template: str, path: DataPath) -> list[Problem]:
    problems = []
    for name, fmt in placeholders(template):
        if name not in measures:
            problems.append(doc.problem("template-unknown-measure", f"the because-sentence names unknown measure '{name}'",
                                        path + ("because",), suggestion=did_you_mean(name, measures)))
        if fmt is not None and fmt not in FORMATS:
            problems.append(doc.problem("ruleset-invalid", f"unknown format ':{fmt}' in the because-sentence",
                                        path + ("because",), suggestion=f"expected one of: {', '.join(FORMATS)}"))
    return problems


def _listed(grades: list[int]) -> str:
    return ", ".join(str(g) for g in grades)


def combinations(ruleset: Ruleset) -> list[dict[str, int]]:
    """Every combination of grades the grading stages can give: the decision table's inputs."""
    stages = ruleset.grading_stages
    return [dict(zip(stages, grades, strict=True)) for grades in itertools.product(ruleset.grade_scale, repeat=len(stages))]


def combination_text(grades: dict[str, int]) -> str:
    return " x ".join(f"{stage} {grade}" for stage, grade in grades.items())


def table_problems(loaded: LoadedRuleset) -> list[Problem]:
    ruleset, doc = loaded.ruleset, loaded.source
    table = ruleset.decision_table
    problems = []
    stages = ruleset.grading_stages
    for k, row in enumerate(table.rows):
        path: DataPath = ("decision_table", "rows", k)
        if row.band not in ruleset.scale:
            problems.append(doc.problem("ruleset-invalid", f"row '{row.id}': band {row.band} is not on the scale", path + ("band",)))
        for stage, grades in row.grades.items():
            if stage not in stages:
                problems.append(doc.problem("ruleset-unknown-key", f"row '{row.id}' names '{stage}', which is not a grading stage",
                                            path + (stage,), key=True, suggestion=did_you_mean(stage, stages)))
                continue
            for grade in grades:
                if grade not in ruleset.grade_scale:
                    problems.append(doc.problem("ruleset-invalid", f"row '{row.id}': grade {grade} is not on the grade scale "
                                                f"{_listed(ruleset.grade_scale)}", path + (stage,)))
        for stage in stages:
            if stage not in row.grades:
                problems.append(doc.problem("ruleset-invalid", f"row '{row.id}' gives no grades for stage '{stage}'", path, key=True))
    count = len(ruleset.grade_scale) ** len(stages)
    if count > MAX_COMBINATIONS:
        problems.append(doc.problem("ruleset-invalid", f"{len(stages)} grading stages of {len(ruleset.grade_scale)} grades make "
                                    f"{count:,} combinations for the decision table; at most {MAX_COMBINATIONS:,} are checked",
                                    ("grade_scale",)))
        return problems
    cover = [(combination, table.covering(combination)) for combination in combinations(ruleset)]
    gaps = [combination_text(combination) for combination, rows in cover if not rows]
    if gaps:
        problems.append(doc.problem("table-gap", f"no row covers: {', '.join(gaps)}", ("decision_table", "rows"), key=True))
    chosen = {choice.id for _, rows in cover if (choice := table.choose(rows)) is not None}
    for combination, rows in cover:
        if len(rows) > 1 and table.choose(rows) is None:
            names = ", ".join(row.id for row in rows)
            problems.append(doc.problem("table-overlap", f"{combination_text(combination)} is covered by several rows ({names})",
                                        ("decision_table", "rows", table.rows.index(rows[1]))))
    if table.hit_policy == "first":  # a row that is never the first to cover a combination is masked
        for k, row in enumerate(table.rows):
            if row.id not in chosen:
                problems.append(doc.problem("table-masked-row", f"row '{row.id}' is never chosen: earlier rows cover all its combinations",
                                            ("decision_table", "rows", k)))
    return problems
