"""The 2010 and 2011 rulesets and what they brought to the ruleset format: withhold rules checked like limits,
three grading stages read by a first-hit decision table, catalogues with parts and combined groups, and letter
wording that must say what its ruleset needs."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from engine import load_ruleset
from engine.authoring.check_files import check_ruleset_files
from engine.errors import RulesetError
from engine.load.catalogue import load_catalogue
from engine.paths import indicators_dir, rules_dir, shown_path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


def _variant(tmp_path: Path, year: int, change) -> Path:
    folder = tmp_path / "rules"
    (folder / "letters").mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load((RULES / f"csa-{year}.yaml").read_text())
    change(data)
    path = folder / f"csa-{year}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    shutil.copy(RULES / "letters" / f"csa-{year}.yaml", folder / "letters" / f"csa-{year}.yaml")
    return path


def _problems(path: Path, monkeypatch) -> list[str]:
    monkeypatch.setenv("ENGINE_RULES_DIR", str(path.parent))
    with pytest.raises(RulesetError) as caught:
        check_ruleset_files([str(path)])
    return [str(p) for p in caught.value.problems]


def test_every_shipped_ruleset_is_clean(run_cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = run_cli("rules", "check")
    assert (code, err) == (0, "")
    assert out.splitlines()[1:] == [
        f"{shown_path(rules_dir() / 'csa-2010.yaml')}: no problems (12 rules, 10 decision-table rows, 5 limits, 1 withhold rule)",
        f"{shown_path(rules_dir() / 'csa-2011.yaml')}: no problems (16 rules, 8 decision-table rows, 6 limits, 1 withhold rule)"]


def test_2010_and_2011_are_reconstructions_without_judgement_or_transition():
    for year in (2010, 2011):
        text = (RULES / f"csa-{year}.yaml").read_text()
        ruleset = load_ruleset(RULES / f"csa-{year}.yaml").ruleset
        assert "RECONSTRUCTION" in text and ruleset.judgement is None and not ruleset.transitional
        assert [w.id for w in ruleset.withhold] == ["withhold_pending_inspection"]
        assert all(limit.effect.cap is not None for limit in ruleset.limits)
    assert load_ruleset(RULES / "csa-2011.yaml").ruleset.grading_stages == ["universal_services", "vulnerable_children", "outcomes"]


def test_a_withhold_rule_is_checked_like_a_limit(tmp_path, monkeypatch):
    def change(data):
        data["withhold"][0]["when"] = [{"measure": "inspections.pendng", "at_least": 1}]
        data["withhold"].append({"id": "limit_staying_safe_indicators", "title": "x", "because": "{inspections.nothing}",
                                 "when": [{"measure": "inspections.pending", "at_least": 1}, {"measure": "inspections.pending", "below": 1}]})
    problems = _problems(_variant(tmp_path, 2010, change), monkeypatch)
    codes = sorted(p.split(": ")[1] for p in problems)
    assert codes == ["duplicate-rule-id", "rule-never-fires", "template-unknown-measure", "unknown-measure"]
    assert any("did you mean 'inspections.pending'?" in p for p in problems)
    assert any("withhold rule 'limit_staying_safe_indicators' can never fire" in p for p in problems)


def test_a_masked_row_of_the_2011_first_hit_table_is_reported(tmp_path, monkeypatch):
    def change(data):
        rows = data["decision_table"]["rows"]
        rows.insert(0, dict(rows[-1], id="everything_first"))  # covers all: every row after it is masked
    problems = _problems(_variant(tmp_path, 2011, change), monkeypatch)
    assert {p.split(": ")[1] for p in problems} == {"table-masked-row"}
    assert len(problems) == 8


def test_letter_wording_must_say_what_a_withholding_ruleset_needs(tmp_path, monkeypatch):
    path = _variant(tmp_path, 2010, lambda data: None)
    wording = path.parent / "letters" / "csa-2010.yaml"
    data = yaml.safe_load(wording.read_text())
    del data["withheld"]
    wording.write_text(yaml.safe_dump(data, sort_keys=False))
    (problem,) = _problems(path, monkeypatch)
    assert ": ruleset-invalid: ruleset 'csa-2010' can withhold a rating: its letter needs 'withheld' and 'withheld_rating'" in problem


def test_a_catalogue_part_and_a_combined_group_must_name_what_exists(tmp_path, monkeypatch):
    folder = tmp_path / "indicators"
    shutil.copytree(indicators_dir(), folder)
    path = folder / "setting-types-2010.yaml"
    text = path.read_text().replace("part_of: childrens_homes\n", "part_of: childrens_home\n", 1)
    text = text.replace("setting_types: [childrens_homes, special_schools]", "setting_types: [childrens_homes, special_school]")
    path.write_text(text)
    monkeypatch.setenv("ENGINE_INDICATORS_DIR", str(folder))
    with pytest.raises(RulesetError) as caught:
        load_catalogue("csa-2010")
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 2 and all(p.startswith(str(path)) for p in problems)
    assert any("setting type 'council_childrens_homes' is part of unknown type 'childrens_home' (did you mean 'childrens_homes'?)" in p
               for p in problems)
    assert any("combined group 'homes_and_special_schools' names unknown setting type 'special_school'" in p for p in problems)


def test_the_2011_catalogue_is_the_reduced_indicator_set_and_a_2009_indicator_is_refused(run_cli, tmp_path):
    catalogue = load_ruleset(RULES / "csa-2011.yaml").catalogue
    assert sorted(catalogue.indicators) == sorted(["NI_62", "NI_63", "NI_72", "NI_73", "NI_75", "NI_87", "NI_92", "NI_102",
                                                   "NI_147", "NI_148"])
    data = yaml.safe_load((ROOT / "examples" / "staffordshire-2011.yaml").read_text())
    data["indicators"]["NI_59"] = {"value": 70.0}
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    code, _, err = run_cli("evaluate", path, "--no-audit")
    assert code == 2 and ": unknown-indicator: unknown indicator 'NI_59'" in err


def _published(name: str, change=None, year: int = 2011):
    """A published case's profile (its changes laid over the baseline), changed, and evaluated by its year's ruleset."""
    from engine.authoring.cases import load_case, merge
    from engine.decide.pipeline import evaluate_text

    path = RULES / "cases" / f"csa-{year}" / "published" / f"{name}.yaml"
    case = load_case(path)
    profile = merge(yaml.safe_load((path.parent / str(case.base)).read_text(encoding="utf-8")), case.changes)
    if change is not None:
        change(profile)
    return evaluate_text(yaml.safe_dump(profile, sort_keys=False), str(path), RULES / f"csa-{year}.yaml").decision


def _published_2011(name: str, change=None):
    return _published(name, change, 2011)


def test_barnsley_2010_is_held_at_adequately_by_its_secondary_schools_and_results_at_16_together():
    # csa-2010 1.3.0, limit_secondary_schools_and_results_at_16_below, as csa-2011 has it for Barnsley 2011.
    adequate = _published("barnsley-2010", year=2010)
    assert adequate.final_band == 2 and adequate.limited_band == 2
    assert [limit.limit_id for limit in adequate.limits if limit.binding] == ["limit_secondary_schools_and_results_at_16_below"]

    def results_at_16_in_line(profile):
        profile["indicators"]["NI_75"] = {"value": 47.6, "similar_areas": 47.6, "national": 47.6}

    def secondary_schools_in_line(profile):
        profile["settings"]["secondary_schools"]["counts"] = {"outstanding": 3, "good": 10, "satisfactory": 7, "inadequate": 1}

    # Either alone moves no grade: the typical council performs well.
    for change in (results_at_16_in_line, secondary_schools_in_line):
        well = _published("barnsley-2010", change, 2010)
        assert well.final_band == 3 and not [limit for limit in well.limits if limit.binding], change.__name__


def test_north_tyneside_2011_is_excellent_by_its_outstanding_fostering_service_and_well_without_it():
    # csa-2011 1.2.0, vulnerable_care_services_excellent: the letter's "good and outstanding adoption and
    # fostering services" beside universal services a typical council's.
    excellent = _published_2011("north-tyneside-2011")
    assert (excellent.final_band, excellent.direction.direction) == (4, "held")
    assert excellent.grades == {"universal_services": 3, "vulnerable_children": 4, "outcomes": 4}
    assert "vulnerable_care_services_excellent" in excellent.fired_rules
    assert "vulnerable_excellent" not in excellent.fired_rules

    def fostering_good(profile):
        profile["settings"]["fostering_agency"]["grade"] = "good"

    def an_inadequate_home(profile):
        profile["settings"]["private_childrens_homes"]["counts"] = {"outstanding": 1, "good": 4, "satisfactory": 1,
                                                                    "inadequate": 1}

    for change in (fostering_good, an_inadequate_home):
        well = _published_2011("north-tyneside-2011", change)
        assert (well.final_band, well.direction.direction) == (3, "fallen"), change.__name__
        assert well.grades["vulnerable_children"] == 3
        assert "vulnerable_care_services_excellent" not in well.fired_rules


def test_an_outstanding_fostering_service_does_not_lift_a_band_three_2011_council_whose_other_grades_do_not():
    # Darlington 2011 (performs well): outcomes excellent and universal services good like North Tyneside's, but its
    # pupil referral unit inadequate; with an outstanding fostering service it stays performs well.
    def fostering_outstanding(profile):
        profile["settings"]["fostering_agency"] = dict(profile["settings"]["fostering_agency"], grade="outstanding")

    darlington = _published_2011("darlington-2011", fostering_outstanding)
    assert darlington.final_band == 3 and "vulnerable_care_services_excellent" not in darlington.fired_rules
