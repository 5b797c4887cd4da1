"""Pinned outcomes, as data: every case under rules/cases/ (the examples and the decisive-evidence cases)."""
from __future__ import annotations

import pytest

from engine.authoring.cases import find_cases, run_case

CASES = find_cases()


def test_the_shipped_cases_include_every_example_and_the_decisive_evidence():
    names = {p.stem for p in CASES}
    examples = {p.stem for p in (CASES[0].parents[3] / "examples").glob("*.yaml")}
    assert len(examples) == 8 and examples <= names
    assert {"camden-one-special-school-inadequate", "camden-indicators-the-majority", "cambridgeshire-priority-actions",
            "cambridgeshire-priority-actions-effective-action", "westmoor-2010-evidence-date-later",
            "westmoor-2010-resolved-priority-action", "staffordshire-2011-priority-action-resolved"} <= names


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_gives_its_expected_bands_and_rules(path):
    result = run_case(path)
    assert result.passed, "\n".join(result.differences)


def test_a_case_with_a_wrong_expectation_fails_and_says_how(tmp_path, examples):
    case = tmp_path / "wrong.yaml"
    case.write_text(f"description: wrong on purpose\nprofile: {examples / 'camden.yaml'}\n"
                    "expect: {proposed_band: 3, final_band: 3, fired: [limit_priority_actions]}\n")
    result = run_case(case)
    assert not result.passed
    assert "proposed band: expected 3 (performs well), got 4 (performs excellently)" in result.differences
    assert any(d.startswith("expected rule limit_priority_actions to fire; it did not: "
                            "unannounced_inspection.areas_for_priority_action = 0") for d in result.differences)
