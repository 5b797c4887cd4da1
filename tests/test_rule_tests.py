"""`engine rules test`: rule tests as data, pass or fail per case, and coverage of rules, rows and limits."""
from __future__ import annotations

import re
from pathlib import Path

from engine.authoring.cases import merge
from engine.authoring.rule_tests import format_rule_tests, run_rule_tests
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
        "Rulesets: csa-2009 1.3.1 (rules/csa-2009.yaml)",
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


def test_a_cases_changes_lay_the_paths_they_set_a_mapping_set_whole_as_one():
    base = {"settings": {"childminders": {"counts": {"good": 1, "inadequate": 0}, "national": {"good_or_better": 0.6}}},
            "indicators": {"NI_59": {"value": 1.0}, "NI_60": {"value": 2.0}}, "year": 2009}
    laid: list[str] = []
    merge(base, {"settings": {"childminders": {"counts": {"good": 2, "inadequate": 1}}}, "indicators": {"NI_59": None},
                 "authority": {"name": "x"}}, laid)
    assert laid == ["settings.childminders.counts", "indicators.NI_59", "authority"]


def test_the_cases_run_against_a_draft_ruleset_with_ruleset(run_cli, tmp_path):
    """An analyst tries a change without touching rules/: every case of the draft's id runs against the draft."""
    shipped = (ROOT / "rules" / "csa-2009.yaml").read_text()
    draft = tmp_path / "draft.yaml"
    draft.write_text(shipped.replace("a_large_majority: 0.65", "a_large_majority: 0.6"))
    code, out, _ = run_cli("rules", "test", "--ruleset", draft)
    lines = out.splitlines()
    assert code == 1
    assert lines[0].startswith(f"Every case against {draft} (csa-2009 {load_ruleset(draft).ruleset.version}, sha256 ")
    cases = sorted(SHIPPED_CASES.rglob("*.yaml"))  # the invented cases and the published ones (published/)
    assert _summary(lines) == f"{len(cases)} cases: {len(cases) - 2} passed, 2 failed"
    failing = [line for line in lines if line.startswith("FAIL")]
    assert [line.split()[1].rsplit("/", 1)[-1].rstrip(":") for line in failing] == [
        "cambridgeshire-healthy-and-economic-indicators-below.yaml", "camden-indicators-the-majority.yaml"]
    assert "      expected rule indicators_good not to fire; it fired" in lines
    # The same cases against the shipped file pass: the draft, not the cases, made the difference.
    code, out, _ = run_cli("rules", "test", "--ruleset", ROOT / "rules" / "csa-2009.yaml", "--coverage")
    assert code == 0 and f"{len(cases)} cases: {len(cases)} passed, 0 failed" in out
    assert "  Every rule, row and limit fired in at least one case." in out


def _summary(lines: list[str]) -> str:
    return next(line for line in lines if re.fullmatch(r"\d+ cases?: \d+ passed, \d+ failed", line))


def test_a_draft_that_does_not_load_is_refused_before_any_case_runs(run_cli, tmp_path):
    draft = tmp_path / "draft.yaml"
    text = (ROOT / "rules" / "csa-2009.yaml").read_text().replace("a_large_majority: 0.65", "a_large_majority: 0.95")
    draft.write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.strip() == "a_large_majority: 0.95")
    code, out, err = run_cli("rules", "test", "--ruleset", draft)
    assert code == 2 and out == ""
    assert err.startswith(f"{draft}:{line}:") and "thresholds-unordered" in err


# --- Published outcomes: fidelity ------------------------------------------------------------------------------

PUBLISHED = ROOT / "rules" / "cases" / "csa-2009" / "published"
BASELINE = ROOT / "rules" / "baselines" / "england-2009.yaml"
SOURCE = ("sources:\n  - {title: T, publisher: P, date: not shown, address: 'https://example.org/x', quotes: [Q]}\n")


def test_rules_test_counts_published_outcomes_reproduced_apart_from_the_invented_cases(run_cli):
    code, out, _ = run_cli("rules", "test", "rules/cases/csa-2009")
    assert code == 0
    published = sorted(PUBLISHED.glob("*.yaml"))
    run = run_rule_tests([str(SHIPPED_CASES)])
    (fidelity,) = run.fidelity
    invented = [r for r in run.results if not r.published and r.ruleset is not None]  # an error case reaches no ruleset
    assert len(fidelity.published) == len(published) and fidelity.invented == len(invented) > 0
    line = f"  csa-2009 {load_ruleset(ROOT / 'rules' / 'csa-2009.yaml').ruleset.version}: {fidelity.reproduced} of {len(published)} "
    assert any(row.startswith(line) for row in out.splitlines())
    # every miss is named with what decided it
    missed = [row.split()[1].rstrip(":") for row in out.splitlines() if row.startswith("    missed ")]
    assert len(missed) == len(fidelity.misses) == len(fidelity.published) - fidelity.reproduced
    for miss in fidelity.misses:
        assert any(miss.path.endswith(name) for name in missed)
        assert miss.decided_by and miss.decided_by[0].startswith("row ")


def test_the_seed_letters_over_the_baseline_reproduce_and_camden_turns_on_its_secondary_schools(tmp_path):
    """Both seed letters over a typical council come out as published: Cambridgeshire performs well, Camden
    excellently although the typical council's three inadequate primary schools stand (its letter says nothing of
    them). The decisive data is what the letter does say, that no secondary school is inadequate: with one of its nine
    inadequate, the same letter performs well, and the excellent row says why."""
    import yaml

    run = run_rule_tests([str(PUBLISHED / "camden-2009.yaml"), str(PUBLISHED / "cambridgeshire-2009.yaml")])
    camden, cambridgeshire = run.results
    assert cambridgeshire.reproduced and cambridgeshire.evaluation.decision.final_band == 3
    assert camden.reproduced and not camden.known_miss and camden.evaluation.decision.final_band == 4
    assert camden.evaluation.profile.profile.settings["primary_schools"].counts.inadequate == 3
    doc = yaml.safe_load((PUBLISHED / "camden-2009.yaml").read_text())
    counts = doc["changes"]["settings"]["secondary_schools"]["counts"]
    counts["satisfactory"], counts["inadequate"] = counts["satisfactory"] - 1, 1
    doc["base"] = str(BASELINE)
    case = tmp_path / "camden-one-inadequate-secondary.yaml"
    case.write_text(yaml.safe_dump(doc, sort_keys=False))
    (result,) = run_rule_tests([str(case)]).results
    assert not result.reproduced and result.evaluation.decision.final_band == 3
    failing = next(e for e in result.evaluation.decision.events("rule_not_fired") if e.rule_id == "settings_excellent").failing
    assert (failing.measure, failing.value) == ("settings.secondary_schools.count_inadequate", 1)


def test_a_published_case_names_its_sources(tmp_path):
    case = _case(tmp_path, "p.yaml", f"description: x\npublished: true\nbase: {BASELINE}\nexpect: {{final_band: 3}}\n")
    (result,) = run_rule_tests([str(case)]).results
    assert not result.passed and "a published case names its sources" in result.differences[0]
    cited = _case(tmp_path, "q.yaml", f"description: x\npublished: true\n{SOURCE}base: {BASELINE}\nexpect: {{final_band: 3}}\n")
    (result,) = run_rule_tests([str(cited)]).results
    assert result.passed and result.published


def test_a_known_miss_is_counted_as_a_miss_and_flagged_when_it_starts_to_pass(tmp_path):
    missed = _case(tmp_path, "m.yaml", f"description: x\npublished: true\n{SOURCE}known_miss: why\nbase: {BASELINE}\n"
                                       "expect: {final_band: 4}\n")
    run = run_rule_tests([str(missed)])
    (result,) = run.results
    assert result.passed and not result.reproduced and run.fidelity[0].reproduced == 0
    assert "MISS  " in format_rule_tests(run)
    now_passes = _case(tmp_path, "n.yaml", f"description: x\npublished: true\n{SOURCE}known_miss: why\nbase: {BASELINE}\n"
                                           "expect: {final_band: 3}\n")
    run = run_rule_tests([str(now_passes)])
    assert not run.passed and "the ruleset now reproduces it" in format_rule_tests(run)
    invented = _case(tmp_path, "i.yaml", f"description: x\nknown_miss: why\nbase: {BASELINE}\nexpect: {{final_band: 4}}\n")
    (result,) = run_rule_tests([str(invented)]).results
    assert not result.passed and "only a published outcome can be a known miss" in result.differences[0]


def test_every_published_case_quotes_its_sources_and_lays_facts_over_its_years_baseline():
    from engine.authoring.cases import load_case

    for path in sorted((ROOT / "rules" / "cases").glob("*/published/*.yaml")):
        case = load_case(path)
        assert case.published and case.sources and all(s.quotes and s.address for s in case.sources), path
        year = path.parent.parent.name.removeprefix("csa-")
        assert case.base == f"../../../baselines/england-{year}.yaml", path
        assert path.stem.endswith(f"-{year}"), path  # golden digests key cases by folder and stem


def test_sensitivity_marks_which_thresholds_published_outcomes_bound_and_from_which_side():
    from engine.sensitivity.sensitivity import format_text, sensitivity

    result = sensitivity(ROOT / "rules" / "csa-2009.yaml", confirm=False)
    published = result.published
    assert "published/cambridgeshire-2009" in published and "camden" not in published
    # the six councils limited by one grade bound the priority-action limit from above
    _, high = result.interval("limits.limit_priority_actions.when.0.at_least").published_bounds(published)
    assert "published/calderdale-2009" in high and "published/cambridgeshire-2009" in published
    text = format_text(result)
    assert "high end (published): cases " in text
    assert "UNCONSTRAINED by any published outcome (only invented cases bound it)" in text
    above = next(line for line in text.splitlines() if line.startswith("Constrained by a published outcome from above: "))
    assert "limits.limit_priority_actions.when.0.at_least" in above
    # known misses (band-only cases) bound nothing: they miss as the ruleset is
    assert any(name == "published/york-2009" for name, _ in result.known_misses) and not result.failing


def test_fidelity_counts_the_published_outcome_and_names_what_decided_each_miss(tmp_path):
    """N of M counts status, final band and direction of travel (what Ofsted published), not the project's reading
    of which rules fired; a published case that reaches no decision is still counted, as a miss saying why."""
    ruleset = load_ruleset(ROOT / "rules" / "csa-2009.yaml")
    band_kept = _case(tmp_path, "a.yaml", f"description: x\npublished: true\n{SOURCE}base: {BASELINE}\n"
                                          "expect: {status: rated, final_band: 3, fired: [settings_excellent]}\n")
    direction = _case(tmp_path, "b.yaml", f"description: x\npublished: true\n{SOURCE}base: {BASELINE}\n"
                                          "changes: {previous_band: 2}\nexpect: {final_band: 3, direction: held}\n")
    refused = _case(tmp_path, "c.yaml", f"description: x\npublished: true\n{SOURCE}base: {BASELINE}\n"
                                        "changes: {settings: {primary_schools: {counts: {good: -1}}}}\nexpect: {final_band: 3}\n")
    broken = _case(tmp_path, "d.yaml", f"description: x\npublished: true\n{SOURCE}base: {BASELINE}\nexpect: {{final_bnd: 3}}\n")
    run = run_rule_tests([str(c) for c in (band_kept, direction, refused, broken)], ruleset=ruleset.path)
    (fidelity,) = run.fidelity
    assert len(fidelity.published) == 4 and fidelity.reproduced == 1  # the first: its band, though a rule it names did not fire
    first, second, third, fourth = run.results
    assert not first.passed and first.outcome_reproduced
    assert second.outcome_differences == ["direction: expected held, got risen"] and second.decided_by[0].startswith("row ")
    assert third.decided_by == ["no decision: error profile-invalid"] and fourth.decided_by == ["no decision: the case cannot be run"]
    text = format_rule_tests(run)
    assert f"  csa-2009 {ruleset.ruleset.version}: 1 of 4 (25%)" in text
    assert text.count("    missed ") == 3 and "      decided by no decision: error profile-invalid" in text


def test_a_published_case_states_the_published_outcome(tmp_path):
    case = _case(tmp_path, "p.yaml", f"description: x\npublished: true\n{SOURCE}base: {BASELINE}\nexpect: {{proposed_band: 3}}\n")
    (result,) = run_rule_tests([str(case)]).results
    assert not result.passed and "a published case expects the outcome published: a final_band, or status: withheld" in result.differences[0]


def test_the_city_of_london_without_provision_for_vulnerable_children_is_excellent_only_where_it_counts_none(tmp_path):
    """The City of London (published performs excellently, 2009) has no special school or pupil referral unit of its
    own: counted as none, its settings are excellent by settings_excellent_without_vulnerable_provision, as no share of
    nothing can be nearly all. Decisive: the same case with those types left out (nothing said of them), or with one
    of them left out and the other counted as none, performs well, and with one special school, inadequate, it
    performs well too, and each rule says why."""
    import yaml

    (city,) = run_rule_tests([str(PUBLISHED / "city-of-london-2009.yaml")]).results
    assert city.reproduced and not city.known_miss and city.evaluation.decision.final_band == 4
    grading = next(e for e in city.evaluation.decision.events("grade_assigned") if e.stage == "settings")
    assert (grading.rule_id, grading.grade) == ("settings_excellent_without_vulnerable_provision", 4)

    def variant(name: str, **settings: object) -> object:
        doc = yaml.safe_load((PUBLISHED / "city-of-london-2009.yaml").read_text())
        doc["base"] = str(BASELINE)
        doc["changes"]["settings"].update(settings)
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        (result,) = run_rule_tests([str(path)]).results
        return result

    left_out = variant("left-out", special_schools=None, pupil_referral_units=None)
    assert left_out.evaluation.decision.final_band == 3
    failing = next(e for e in left_out.evaluation.decision.events("rule_not_fired")
                   if e.rule_id == "settings_excellent_without_vulnerable_provision").failing
    assert (failing.measure, failing.value) == ("settings.special_schools.count_total", None)
    one_left_out = variant("one-left-out", pupil_referral_units=None)
    assert one_left_out.evaluation.decision.final_band == 3
    failing = next(e for e in one_left_out.evaluation.decision.events("rule_not_fired")
                   if e.rule_id == "settings_excellent_without_vulnerable_provision").failing
    assert (failing.measure, failing.value) == ("settings.pupil_referral_units.count_total", None)
    one_inadequate = variant("one-inadequate", special_schools={"counts": {"outstanding": 0, "good": 0, "satisfactory": 0, "inadequate": 1}})
    assert one_inadequate.evaluation.decision.final_band == 3
    failing = next(e for e in one_inadequate.evaluation.decision.events("rule_not_fired")
                   if e.rule_id == "settings_excellent_without_vulnerable_provision").failing
    assert (failing.measure, failing.value) == ("settings.special_schools.count_total", 1)
