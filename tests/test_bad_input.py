"""Bad input: a located message (file:line:col: code: message), exit code 2, never a traceback."""
from __future__ import annotations

import shutil

import pytest

CAMDEN_SNIPPET = """\
authority:
  name: Test Borough
year: 2009
settings:
  secondary_schools:
    counts: {outstanding: 1, good: 3, satisfactory: 5, inadequate: 0}
    national: {good_or_better: 0.62}
indicators:
  NI_73: {value: 73.0, similar_areas: 71.0, national: 72.0}
"""


def _write(tmp_path, text, name="profile.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _single_error(run_cli, path):
    code, out, err = run_cli("evaluate", path)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    return err.strip().splitlines()


def test_the_valid_snippet_evaluates(run_cli, tmp_path):
    code, _, err = run_cli("evaluate", _write(tmp_path, CAMDEN_SNIPPET))
    assert code == 0, err


def test_malformed_yaml_is_located(run_cli, tmp_path):
    path = _write(tmp_path, CAMDEN_SNIPPET.replace("national: {good_or_better: 0.62}", "national: {good_or_better: 0.62"))
    (line,) = _single_error(run_cli, path)
    assert line.startswith(f"{path}:8:11: yaml-syntax: ")


def test_unknown_setting_type_suggests_the_nearest(run_cli, tmp_path):
    path = _write(tmp_path, CAMDEN_SNIPPET.replace("secondary_schools:", "secondry_schools:"))
    (line,) = _single_error(run_cli, path)
    assert line == f"{path}:5:3: unknown-setting-type: unknown setting type 'secondry_schools' (did you mean 'secondary_schools'?)"


def test_unknown_indicator_suggests_the_nearest(run_cli, tmp_path):
    path = _write(tmp_path, CAMDEN_SNIPPET.replace("NI_73:", "NI_733:"))
    (line,) = _single_error(run_cli, path)
    assert line == f"{path}:9:3: unknown-indicator: unknown indicator 'NI_733' (did you mean 'NI_73'?)"


def test_negative_count_is_refused(run_cli, tmp_path):
    path = _write(tmp_path, CAMDEN_SNIPPET.replace("good: 3,", "good: -3,"))
    (line,) = _single_error(run_cli, path)
    assert line.startswith(f"{path}:6:36: profile-invalid: settings.secondary_schools.counts.good: ")
    assert "greater than or equal to 0" in line and "-3" in line


def test_proportion_outside_0_to_1_is_refused(run_cli, tmp_path):
    path = _write(tmp_path, CAMDEN_SNIPPET.replace("0.62", "62"))
    (line,) = _single_error(run_cli, path)
    assert line.startswith(f"{path}:7:32: profile-invalid: settings.secondary_schools.national.good_or_better: ")
    assert "less than or equal to 1" in line


def test_unknown_field_suggests_the_nearest(run_cli, tmp_path):
    path = _write(tmp_path, CAMDEN_SNIPPET.replace("    national:", "    nationl:"))
    (line,) = _single_error(run_cli, path)
    assert line == (f"{path}:7:5: profile-unknown-key: unknown field 'nationl' in settings.secondary_schools "
                    "(did you mean 'national'?)")


def test_year_with_no_ruleset_is_located_at_the_year(run_cli, tmp_path):
    path = _write(tmp_path, CAMDEN_SNIPPET.replace("year: 2009", "year: 2012"))
    (line,) = _single_error(run_cli, path)
    assert line.startswith(f"{path}:3:7: no-ruleset-for-year: no ruleset for the assessment year 2012")
    assert "rulesets exist for: 2009, 2010, 2011" in line


def test_all_problems_are_reported_at_once_sorted(run_cli, tmp_path):
    text = CAMDEN_SNIPPET.replace("secondary_schools:", "secondry_schools:").replace("NI_73:", "NI_7:")
    lines = _single_error(run_cli, _write(tmp_path, text))
    assert [l.split(": ")[1] for l in lines] == ["unknown-setting-type", "unknown-indicator"]


def test_unsafe_yaml_tags_are_refused(run_cli, tmp_path):
    path = _write(tmp_path, "!!python/object/apply:os.system ['echo hacked']\n")
    (line,) = _single_error(run_cli, path)
    assert line.startswith(f"{path}:1:1: yaml-unsafe: ")


def test_duplicate_keys_are_refused(run_cli, tmp_path):
    path = _write(tmp_path, CAMDEN_SNIPPET + "year: 2010\n")
    (line,) = _single_error(run_cli, path)
    assert line == f"{path}:10:1: yaml-duplicate-key: 'year' is given twice (first on line 3)"


def test_missing_file_is_reported(run_cli, tmp_path):
    (line,) = _single_error(run_cli, tmp_path / "nope.yaml")
    assert line.endswith("nope.yaml:1:1: file-not-found: no such file")


def test_counts_for_a_single_service_are_refused(run_cli, tmp_path):
    path = _write(tmp_path, CAMDEN_SNIPPET.replace("indicators:", "  fostering_agency:\n    counts: {good: 1}\nindicators:"))
    (line,) = _single_error(run_cli, path)
    assert line == f"{path}:9:5: wrong-evidence-kind: 'fostering_agency' is a single service: give its 'grade', not 'counts'"


@pytest.fixture
def broken_ruleset(tmp_path):
    from engine.paths import rules_dir

    path = tmp_path / "csa-2009.yaml"
    shutil.copy(rules_dir() / "csa-2009.yaml", path)
    return path


def test_a_ruleset_that_does_not_validate_is_located(run_cli, tmp_path, broken_ruleset, examples):
    text = broken_ruleset.read_text()
    text = text.replace("settings.share_types_in_line_or_above_national, at_least: a_large_majority}",
                        "settings.share_types_in_line_or_abov_national, at_least: a_large_majority}", 1)
    text = text.replace("  a_large_majority: 0.65", "  a_large_majority: 0.45")
    broken_ruleset.write_text(text)
    code, out, err = run_cli("evaluate", examples / "camden.yaml", "--ruleset", broken_ruleset)
    assert code == 2 and out == "" and "Traceback" not in err
    lines = err.strip().splitlines()
    assert any(l.startswith(f"{broken_ruleset}:") and ": thresholds-unordered: 'the_majority' (0.5) is listed after "
               "'a_large_majority' (0.45)" in l for l in lines)
    assert any(": unknown-measure: unknown measure 'settings.share_types_in_line_or_abov_national' "
               "(did you mean 'settings.share_types_in_line_or_above_national'?)" in l for l in lines)


def test_a_ruleset_with_a_wrong_type_is_located(run_cli, broken_ruleset, examples):
    text = broken_ruleset.read_text()
    assert text.count("\nyear: 2009\n") == 1
    text = text.replace("\nyear: 2009\n", "\nyear: twenty\n")
    broken_ruleset.write_text(text)
    line = text.splitlines().index("year: twenty") + 1
    code, _, err = run_cli("evaluate", examples / "camden.yaml", "--ruleset", broken_ruleset)
    assert code == 2
    assert err.startswith(f"{broken_ruleset}:{line}:7: ruleset-invalid: year: Input should be a valid integer")
