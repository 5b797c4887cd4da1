"""`engine rules profiles`: the profile a rule test case evaluates, written so that evaluate, letter and report read the
case as its test does."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import ProfileError, WriteError, evaluate_file, write_case_profiles
from engine.authoring.cases import run_case
from engine.cli import main
from engine.paths import rules_dir

PUBLISHED_2009 = rules_dir() / "cases" / "csa-2009" / "published"


def test_each_written_profile_gets_the_band_its_case_gets(tmp_path):
    written = write_case_profiles([str(PUBLISHED_2009)], tmp_path)
    assert len(written.written) == len(list(PUBLISHED_2009.glob("*.yaml")))
    for case, profile in written.written:
        assert evaluate_file(profile).final_band == run_case(case).evaluation.decision.final_band, case


def test_a_profile_over_a_baseline_says_what_is_the_baselines(tmp_path):
    write_case_profiles([str(PUBLISHED_2009 / "leeds-2009.yaml")], tmp_path)
    first, second = (tmp_path / "leeds-2009.yaml").read_text().splitlines()[:2]
    assert first.endswith("its changes laid over rules/baselines/england-2009.yaml.") or "baselines/england-2009.yaml" in first
    assert ".." not in first  # the baseline's path is said as a reader would type it
    assert "not this council's own" in second


def test_a_case_naming_a_profile_writes_that_profile_unchanged(tmp_path):
    case = rules_dir() / "cases" / "csa-2009" / "camden.yaml"
    write_case_profiles([str(case)], tmp_path)
    text = (tmp_path / "camden.yaml").read_text()
    assert text.splitlines()[0].endswith(", unchanged.")
    assert text.split("\n", 1)[1] == (Path(case).parent / "../../../examples/camden.yaml").resolve().read_text()


def test_a_folders_cases_keep_their_places_under_the_output(tmp_path):
    write_case_profiles([str(rules_dir() / "cases" / "csa-2009")], tmp_path)
    assert (tmp_path / "published" / "camden-2009.yaml").is_file()
    assert (tmp_path / "camden.yaml").is_file()


def test_a_case_that_does_not_load_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("description: no profile and no base\nexpect: {final_band: 3}\n")
    out = tmp_path / "out"
    with pytest.raises(ProfileError) as raised:
        write_case_profiles([str(PUBLISHED_2009 / "leeds-2009.yaml"), str(bad)], out)
    assert raised.value.problems[0].code == "case-invalid"
    assert not out.exists() or not any(out.iterdir())


def test_two_cases_writing_one_file_write_nothing(tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "leeds-2009.yaml").write_text((PUBLISHED_2009 / "leeds-2009.yaml").read_text()
                                           .replace("base: ../../../baselines", f"base: {rules_dir()}/baselines"))
    out = tmp_path / "out"
    with pytest.raises(WriteError) as raised:
        write_case_profiles([str(PUBLISHED_2009 / "leeds-2009.yaml"), str(other / "leeds-2009.yaml")], out)
    assert "another case would write" in raised.value.problems[0].message
    assert not out.exists() or not any(out.iterdir())


def test_the_command_prints_what_it_wrote_and_bad_input_ends_with_exit_code_2(tmp_path):
    runner = CliRunner()
    done = runner.invoke(main, ["rules", "profiles", str(PUBLISHED_2009 / "leeds-2009.yaml"), "-o", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert done.output.endswith("1 profile(s) written\n")
    failed = runner.invoke(main, ["rules", "profiles", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "out2")])
    assert failed.exit_code == 2
    assert "Traceback" not in failed.output
    assert not (tmp_path / "out2").exists() or not any((tmp_path / "out2").iterdir())
