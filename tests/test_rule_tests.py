"""`engine rules test`: rule tests as data, pass or fail per case, and coverage of rules, rows and limits."""
from __future__ import annotations

from pathlib import Path

from engine.authoring.cases import merge
from engine.authoring.rule_tests import run_rule_tests
from engine.load.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CASES = ROOT / "rules" / "cases" / "csa-2009"


def _case(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_the_shipped_cases_pass_and_cover_every_rule_row_limit_and_withhold_rule_of_every_ruleset(run_cli):
    code, out, err = run_cli("rules", "test", "--coverage")
    assert code == 0, out + err
    lines = out.splitlines()
    cases = sorted((ROOT / "rules" / "cases").rglob("*.yaml"))
    assert f"{len(cases)} cases: {len(cases)} passed, 0 failed" in lines
    assert "Not exercised" not in out
    sections = out.split("\nCoverage of ")[1:]
    assert sorted(section.split()[0] for section in sections) == ["csa-2009", "csa-2010", "csa-2011"]
    for section in sections:
        ruleset = load_ruleset(ROOT / "rules" / f"{section.split()[0]}.yaml").ruleset
        listed = {line.split()[1] for line in section.splitlines() if line.startswith("    ") and line.split()[0].isdigit()}
        everything = {r.id for r in ruleset.rules} | {r.id for r in ruleset.decision_table.rows} | {l.id for l in ruleset.limits}
        assert listed == everything | {w.id for w in ruleset.withhold}
        assert section.rstrip().endswith("fired in at least one case.")
    assert "  Every rule, row and limit fired in at least one case." in lines  # 2009 has no withhold rule
    assert "  Every rule, row, limit and withhold rule fired in at least one case." in lines


def test_coverage_counts_the_cases_that_made_each_item_fire():
    run = run_rule_tests([str(SHIPPED_CASES / "camden.yaml"), str(SHIPPED_CASES / "eastbridge-priority-actions.yaml")])
    assert run.passed
    (coverage,) = run.coverage
    counts = {item.id: item.cases for item in coverage.items}
    assert coverage.cases == 2
    assert counts["both_excellent"] == 1 and counts["settings_poor"] == 2 and counts["limit_priority_actions"] == 1
    assert counts["limit_safeguarding_inadequate"] == 0
    assert "limit_safeguarding_inadequate" in coverage.not_exercised and "both_excellent" not in coverage.not_exercised


def test_rules_no_case_exercises_are_named(run_cli):
    code, out, _ = run_cli("rules", "test", SHIPPED_CASES / "camden.yaml", "--coverage")
    assert code == 0
    lines = out.splitlines()
    unexercised = next(line for line in lines if line.startswith("  Not exercised by any case: "))
    assert "limit_safeguarding_inadequate" in unexercised and "settings_adequate_indicators_poor" in unexercised
    assert "both_excellent" not in unexercised
    assert any(line.startswith("      0  limit_staying_safe_indicators") and line.endswith("<- no case makes it fire")
               for line in lines)


def test_a_failing_case_shows_the_difference_and_exits_1(run_cli, tmp_path):
    case = _case(tmp_path, "wrong.yaml", f"description: Camden is not band 3\nbase: {ROOT / 'examples' / 'camden.yaml'}\n"
                                         "expect: {proposed_band: 3, not_fired: [both_excellent]}\n")
    code, out, _ = run_cli("rules", "test", case)
    assert code == 1
    assert out.splitlines() == [
        f"FAIL  {case}: Camden is not band 3",
        "      proposed band: expected 3 (performs well), got 4 (performs excellently)",
        "      expected rule both_excellent not to fire; it fired",
        "Rulesets: csa-2009 1.1.0 (rules/csa-2009.yaml)",
        "1 case: 0 passed, 1 failed",
    ]


def test_an_expected_error_code_passes_only_when_that_error_is_raised(tmp_path):
    base = ROOT / "examples" / "camden.yaml"
    right = _case(tmp_path, "right.yaml", f"description: x\nbase: {base}\nchanges: {{year: 2012}}\n"
                                          "expect: {error_code: no-ruleset-for-year}\n")
    wrong = _case(tmp_path, "wrong.yaml", f"description: x\nbase: {base}\nchanges: {{year: 2012}}\n"
                                          "expect: {error_code: unknown-indicator}\n")
    none = _case(tmp_path, "none.yaml", f"description: x\nbase: {base}\nexpect: {{error_code: unknown-indicator}}\n")
    run = run_rule_tests([str(right), str(wrong), str(none)])
    by_name = {Path(r.path).name: r for r in run.results}
    assert by_name["right.yaml"].passed
    assert by_name["wrong.yaml"].differences[0].startswith("expected error unknown-indicator, got no-ruleset-for-year: ")
    assert by_name["none.yaml"].differences == ["expected error unknown-indicator, got a decision (final band 4)"]


def test_a_case_file_that_does_not_validate_is_a_located_failure(run_cli, tmp_path):
    case = _case(tmp_path, "bad.yaml", f"description: x\nbase: {ROOT / 'examples' / 'camden.yaml'}\n"
                                       "expect: {error_code: unknown-indicatr}\nexpected: 1\n")
    code, out, _ = run_cli("rules", "test", case)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"FAIL  {case}: (the case cannot be run)"
    assert lines[1] == (f"      {case}:4:1: case-invalid: unknown field 'expected' in the document (did you mean 'expect'?)")
    assert len(lines) == 3 and lines[2] == "1 case: 0 passed, 1 failed"


def test_an_unknown_expected_error_code_is_refused_with_a_suggestion(tmp_path):
    case = _case(tmp_path, "bad.yaml", f"description: x\nbase: {ROOT / 'examples' / 'camden.yaml'}\n"
                                       "expect: {error_code: unknown-indicatr}\n")
    (result,) = run_rule_tests([str(case)]).results
    assert result.differences == [f"{case}:3:22: case-invalid: unknown error code 'unknown-indicatr' "
                                  "(did you mean 'unknown-indicator'?)"]


def test_null_in_a_cases_changes_removes_the_key():
    base = {"indicators": {"NI_59": {"value": 1.0}, "NI_60": {"value": 2.0}}, "year": 2009}
    assert merge(base, {"indicators": {"NI_59": None, "NI_60": {"value": 3.0}}}) == {"indicators": {"NI_60": {"value": 3.0}}, "year": 2009}
    assert base["indicators"]["NI_59"] == {"value": 1.0}  # the base is not changed


def test_the_cases_run_against_a_draft_ruleset_with_ruleset(run_cli, tmp_path):
    """An analyst tries a change without touching rules/: every case of the draft's id runs against the draft."""
    shipped = (ROOT / "rules" / "csa-2009.yaml").read_text()
    draft = tmp_path / "draft.yaml"
    draft.write_text(shipped.replace("a_large_majority: 0.65", "a_large_majority: 0.6"))
    code, out, _ = run_cli("rules", "test", "--ruleset", draft)
    lines = out.splitlines()
    assert code == 1
    assert lines[0].startswith(f"Every case against {draft} (csa-2009 {load_ruleset(draft).ruleset.version}, sha256 ")
    cases = sorted(SHIPPED_CASES.glob("*.yaml"))
    assert lines[-1] == f"{len(cases)} cases: {len(cases) - 2} passed, 2 failed"
    failing = [line for line in lines if line.startswith("FAIL")]
    assert [line.split()[1].rsplit("/", 1)[-1].rstrip(":") for line in failing] == [
        "cambridgeshire-healthy-and-economic-indicators-below.yaml", "camden-indicators-the-majority.yaml"]
    assert "      expected rule indicators_good not to fire; it fired" in lines
    # The same cases against the shipped file pass: the draft, not the cases, made the difference.
    code, out, _ = run_cli("rules", "test", "--ruleset", ROOT / "rules" / "csa-2009.yaml", "--coverage")
    assert code == 0 and f"{len(cases)} cases: {len(cases)} passed, 0 failed" in out
    assert "  Every rule, row and limit fired in at least one case." in out


def test_a_draft_that_does_not_load_is_refused_before_any_case_runs(run_cli, tmp_path):
    draft = tmp_path / "draft.yaml"
    draft.write_text((ROOT / "rules" / "csa-2009.yaml").read_text().replace("a_large_majority: 0.65", "a_large_majority: 0.95"))
    code, out, err = run_cli("rules", "test", "--ruleset", draft)
    assert code == 2 and out == ""
    assert err.startswith(f"{draft}:38:") and "thresholds-unordered" in err
