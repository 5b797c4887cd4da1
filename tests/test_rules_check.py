"""`engine rules check`: every problem of a ruleset in one pass, located, sorted; exit 2 if any."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.authoring.check_files import check_ruleset_files
from engine.errors import CODES, RulesetError

from .helpers import ruleset_with

SHIPPED = Path(__file__).resolve().parent.parent / "rules" / "csa-2009.yaml"


def _copy(tmp_path: Path, *edits: tuple[str, str], name: str = "broken.yaml") -> Path:
    return ruleset_with(tmp_path, name, *edits, source=SHIPPED)


def _where(path: Path, fragment: str, column_of: str | None = None) -> str:
    """'file:line:col' of the first line containing fragment, at column_of (default: the line's first non-space)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            column = line.index(column_of) + 1 if column_of else len(line) - len(line.lstrip()) + 1
            return f"{path}:{number}:{column}"
    raise AssertionError(fragment)


def _limits(text: str) -> tuple[int, int, dict[str, str]]:
    """Where the limits section's items start and end in the ruleset text, and each item's text by id."""
    start = text.index("\nlimits:\n") + len("\nlimits:\n")
    end = start + re.search(r"^[^\s-]", text[start:], re.MULTILINE).start() if re.search(r"^[^\s-]", text[start:], re.MULTILINE) else len(text)
    items = re.split(r"(?m)^(?=  - id: )", text[start:end])
    return start, end, {re.match(r"  - id: (\w+)", item).group(1): item for item in items if item.strip()}


def _with_limits(tmp_path: Path, ids: list[str], edit=lambda item_id, item: item) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    start, end, items = _limits(text)
    path = tmp_path / "limits.yaml"
    path.write_text(text[:start] + "".join(edit(i, items[i]) for i in ids) + text[end:], encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(RulesetError) as caught:
        check_ruleset_files([str(path)])
    return [str(p) for p in caught.value.problems]


def test_the_shipped_ruleset_has_no_problems(run_cli, monkeypatch):
    monkeypatch.chdir(SHIPPED.parent.parent)
    code, out, err = run_cli("rules", "check", "rules/csa-2009.yaml")
    assert (code, err) == (0, "")
    assert out == "rules/csa-2009.yaml: no problems (12 rules, 10 decision-table rows, 4 limits)\n"


def test_a_misspelt_measure_an_unordered_threshold_and_a_removed_row_are_all_reported(run_cli, tmp_path):
    broken = _copy(tmp_path,
                   ("the_majority}\n      - {measure: settings.share_inadequate, at_most: 0.05}",
                    "the_majority}\n      - {measure: settings.share_inadequat, at_most: 0.05}"),
                   ("  a_large_majority: 0.65\n", "  a_large_majority: 0.45\n"),
                   ("    - {id: settings_good_indicators_adequate, settings: [3], indicators: [2], band: 2}\n", ""))
    code, out, err = run_cli("rules", "check", broken)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{_where(broken, '  the_majority: 0.5', '0.5')}: thresholds-unordered: 'the_majority' (0.5) is listed after "
        "'a_large_majority' (0.45) but is larger; list proportions from the highest",
        f"{_where(broken, 'settings.share_inadequat,', 'settings.share_inadequat')}: unknown-measure: unknown measure "
        "'settings.share_inadequat' (did you mean 'settings.share_inadequate'?)",
        f"{_where(broken, '  rows:', 'rows')}: table-gap: no row covers: settings 3 x indicators 2",
    ]


def test_field_errors_do_not_hide_the_other_problems(tmp_path):
    broken = _copy(tmp_path,
                   ("    stage: settings\n    grade: 3\n", "    stage: settings\n    grade: three\n"),
                   ("the_majority}\n      - {measure: settings.share_inadequate, at_most: 0.05}",
                    "the_majority}\n      - {measure: settings.share_inadequat, at_most: 0.05}"),
                   ("  the_majority: 0.5\n", "  the_majority: 0.7\n"))
    problems = _problems(broken)
    codes = [p.split(": ")[1] for p in problems]
    assert codes == ["thresholds-unordered", "ruleset-invalid", "unknown-measure"]
    assert "rules.2.grade: Input should be a valid integer" in problems[1]
    # the rule set aside for its bad grade does not make the stage look as if it had no rule or its rows unreachable
    assert not any("stage-without-default" in p or "can never be chosen" in p for p in problems)


def test_every_file_is_checked_and_a_yaml_syntax_error_is_located(tmp_path):
    bad_yaml = tmp_path / "a-bad-yaml.yaml"
    bad_yaml.write_text("id: csa-2010\nrules: [\n", encoding="utf-8")
    other = _copy(tmp_path, ("  nearly_all: 0.9\n", "  nearly_all: 1.9\n"), name="b-other.yaml")
    with pytest.raises(RulesetError) as caught:
        check_ruleset_files([str(bad_yaml), str(other)])
    found = [(p.file, p.code) for p in caught.value.problems]
    assert (str(bad_yaml), "yaml-syntax") in found and (str(other), "threshold-out-of-range") in found
    assert caught.value.problems[0].line == 3


@pytest.mark.parametrize("conditions, reason", [
    (["{measure: indicators.share_in_line_or_above, at_least: a_very_large_majority}",
      "{measure: indicators.share_in_line_or_above, below: the_majority}"],
     "indicators.share_in_line_or_above at least a very large majority (0.8) and indicators.share_in_line_or_above "
     "below the majority (0.5) cannot all hold"),
    (["{measure: indicators.share_in_line_or_above, above: 1.0}"],
     "indicators.share_in_line_or_above above 1 can never hold: a proportion lies between 0 and 1"),
    (["{measure: settings.count_inadequate, above: 2}", "{measure: settings.count_inadequate, below: 3}"],
     "no whole number satisfies settings.count_inadequate above 2 and settings.count_inadequate below 3 "
     "(settings.count_inadequate is a count)"),
    (["{measure: safeguarding_inspection.safeguarding, equals: good}",
      "{measure: safeguarding_inspection.safeguarding, equals: inadequate}"],
     "safeguarding_inspection.safeguarding cannot equal both 'good' and 'inadequate'"),
], ids=["exclusive proportions", "beyond a proportion's range", "between two whole numbers", "two categories"])
def test_a_rule_whose_conditions_cannot_hold_together_never_fires(tmp_path, conditions, reason):
    broken = _copy(tmp_path, ("      - {measure: indicators.share_in_line_or_above, at_least: the_majority}\n",
                              "".join(f"      - {c}\n" for c in conditions)))
    problems = _problems(broken)
    (problem,) = [p for p in problems if "rule 'indicators_adequate'" in p]
    assert problem.endswith(f": rule-never-fires: rule 'indicators_adequate' can never fire: {reason}")
    # and so no profile gets indicators grade 2: the row that needs it is never chosen
    assert any("row 'settings_good_indicators_adequate' can never be chosen" in p for p in problems)


def test_a_row_for_a_grade_no_rule_can_give_is_never_chosen(tmp_path):
    # both rules of grade 4 made never to fire: settings_excellent, and the row for a council without vulnerable provision
    broken = _copy(tmp_path, ("count_inadequate, at_most: 0}\n      - {measure: settings.secondary_schools.count_inadequate, at_most: 0}",
                              "count_inadequate, at_most: 0}\n      - {measure: settings.secondary_schools.count_inadequate, below: 0}"),
                   ("{measure: settings.special_schools.count_total, at_most: 0}",
                    "{measure: settings.special_schools.count_total, below: 0}"))
    problems = _problems(broken)
    assert any("rule 'settings_excellent' can never fire: settings.secondary_schools.count_inadequate below 0 can never hold: "
               "a count is a whole number and never negative" in p for p in problems)
    assert any("rule 'settings_excellent_without_vulnerable_provision' can never fire: settings.special_schools.count_total "
               "below 0 can never hold" in p for p in problems)
    rows = [p for p in problems if "can never be chosen" in p]
    assert [p.split(": ", 2)[2] for p in rows] == [
        "row 'both_excellent' can never be chosen: no rule of stage 'settings' that can fire gives grade 4",
        "row 'settings_excellent_indicators_adequate_or_good' can never be chosen: no rule of stage 'settings' that can fire gives grade 4",
    ]


def test_a_cap_listed_before_a_step_that_can_apply_with_it_is_ambiguous(tmp_path):
    moved = _with_limits(tmp_path, ["limit_safeguarding_inadequate", "limit_staying_safe_indicators",
                                    "limit_enjoying_and_achieving_indicators", "limit_priority_actions"])
    problems = _problems(moved)
    assert [p.split(": ", 2)[1] for p in problems] == ["limits-ambiguous"] * 2
    assert problems[1].endswith(
        ": limits-ambiguous: limit 'limit_priority_actions' (lower by 1) is listed after the cap 'limit_staying_safe_indicators' "
        "(cap 2) and both can apply together: from band 4 the listed order gives 1, the step from the band the profile "
        "supports gives 2 (list 'limit_priority_actions' before 'limit_staying_safe_indicators': one-grade steps come before caps)")
    assert "after the cap 'limit_enjoying_and_achieving_indicators'" in problems[0]
    # the inadequate-safeguarding cap (to 1) gives the same band in either order: nothing to state


def test_limits_that_cannot_apply_together_have_no_order_to_state(tmp_path):
    def step_needs_staying_safe(item_id: str, item: str) -> str:
        if item_id != "limit_priority_actions":
            return item
        return item.replace("      - {measure: unannounced_inspection.areas_for_priority_action, at_least: 1}\n",
                            "      - {measure: unannounced_inspection.areas_for_priority_action, at_least: 1}\n"
                            "      - {measure: outcomes.staying_safe.share_in_line_or_above, at_least: the_majority}\n")

    moved = _with_limits(tmp_path, ["limit_staying_safe_indicators", "limit_priority_actions"], step_needs_staying_safe)
    assert [loaded.ruleset.limits[1].id for _, loaded in check_ruleset_files([str(moved)])] == ["limit_priority_actions"]


def test_every_code_the_authoring_checks_give_is_in_the_documented_list():
    import engine.authoring.cases
    import engine.check.logic
    import engine.check.partial

    used = set()
    for module in (engine.check.logic, engine.check.partial, engine.authoring.cases):
        used |= set(re.findall(r'problem\(\s*"([a-z-]+)"', Path(module.__file__).read_text(encoding="utf-8")))
    assert {"rule-never-fires", "limits-ambiguous", "case-invalid"} <= used
    assert used <= set(CODES)


def test_no_durable_rules_error_code_reaches_the_user(run_cli, tmp_path, examples):
    broken = _copy(tmp_path, ("{measure: safeguarding_inspection.safeguarding, equals: inadequate}",
                              "{measure: safeguarding_inspection.safeguarding, at_least: inadequate}"))
    code, out, err = run_cli("evaluate", examples / "camden.yaml", "--ruleset", broken)
    assert code == 2 and out == ""
    assert "error code" not in err and "Traceback" not in err
    assert ": ruleset-invalid: 'safeguarding_inspection.safeguarding' is a category; compare it with equals or not_equals" in err


OPERATORS = ["at_least", "at_most", "above", "below", "equals", "not_equals"]


@given(conditions=st.lists(st.tuples(st.sampled_from(["share", "count"]), st.sampled_from(OPERATORS),
                                     st.sampled_from([0, 0.5, 1, 1.5, 2, 3])), min_size=1, max_size=4))
@settings(max_examples=300, deadline=None)
def test_never_fires_exactly_when_no_value_satisfies_every_condition(conditions):
    """The conflict check against brute force: proportions on a fine grid around every threshold, counts 0-10."""
    from engine.check.logic import conflict
    from engine.inference.compiled import resolve
    from engine.load.ruleset import load_ruleset
    from engine.model.measures import measure_catalogue
    from engine.model.ruleset import Condition

    loaded = load_ruleset(SHIPPED)
    measures = measure_catalogue(loaded.catalogue)
    names = {"share": "settings.share_inadequate", "count": "settings.count_inadequate"}
    built = [Condition(measure=names[m], **{op: t}) for m, op, t in conditions
             if not (m == "share" and t > 1)]  # a proportion beyond 1 is threshold-out-of-range, not this check
    if not built:
        return
    grids = {"settings.share_inadequate": sorted({round(v / 200, 4) for v in range(0, 201)}),
             "settings.count_inadequate": list(range(0, 11))}
    satisfiable = all(
        any(all(resolve(c, loaded.ruleset).holds(v) for c in built if c.measure == measure) for v in grids[measure])
        for measure in {c.measure for c in built})
    assert (conflict(built, loaded.ruleset, measures) is None) == satisfiable
