"""One vocabulary per ruleset: a ruleset names its catalogue, its stages and its grade scale; the decision and
the audit record carry the catalogue's hash; `rules check` checks everything a ruleset needs."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from engine import evaluate_file, load_ruleset
from engine.audit.store import AuditStore
from engine.authoring.check_files import check_ruleset_files
from engine.errors import RulesetError
from engine.paths import indicators_dir, rules_dir
from engine.render.review import report

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "rules" / "csa-2009.yaml"


def _ruleset(tmp_path: Path, change, name: str = "csa-2009.yaml") -> Path:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_the_decision_names_the_catalogue_and_carries_its_hash(examples):
    decision = evaluate_file(examples / "camden.yaml")
    catalogue = load_ruleset(SHIPPED).catalogue
    assert (decision.ruleset.catalogue, decision.ruleset.catalogue_hash) == ("csa-2009", catalogue.content_hash)
    assert len(catalogue.content_hash) == 64


def test_the_audit_record_carries_the_catalogue_hash_and_verify_covers_it(run_cli, examples, audit_store_in_tmp):
    assert run_cli("evaluate", examples / "camden.yaml")[0] == 0
    with AuditStore(audit_store_in_tmp) as store:
        (record,) = store.records()
        assert store.verify().ok
    assert record.catalogue_hash == evaluate_file(examples / "camden.yaml").ruleset.catalogue_hash
    code, out, _ = run_cli("audit", "show", record.record_id)
    assert f"  Catalogue       csa-2009, sha256 {record.catalogue_hash}" in out.splitlines()


def test_changing_the_catalogue_changes_the_recorded_hash_not_the_rulesets(examples, tmp_path, monkeypatch):
    before = evaluate_file(examples / "cambridgeshire.yaml")
    folder = tmp_path / "indicators"
    shutil.copytree(indicators_dir(), folder)
    indicators = folder / "national-indicators.yaml"
    indicators.write_text(indicators.read_text(encoding="utf-8") + '  NI_68: {title: "Referrals going on to initial '
                          'assessment", outcome: staying_safe, polarity: higher, unit: "percent"}\n', encoding="utf-8")
    monkeypatch.setenv("ENGINE_INDICATORS_DIR", str(folder))
    after = evaluate_file(examples / "cambridgeshire.yaml")
    assert after.ruleset.content_hash == before.ruleset.content_hash
    assert after.ruleset.catalogue_hash != before.ruleset.catalogue_hash
    gaps = {e.measure: e.value for e in after.events("measure_derived")}["outcomes.staying_safe.count_gaps"]
    assert gaps == {e.measure: e.value for e in before.events("measure_derived")}["outcomes.staying_safe.count_gaps"] + 1


def test_a_ruleset_naming_no_catalogue_that_exists_is_located_at_its_key(tmp_path):
    path = _ruleset(tmp_path, lambda d: d.update(catalogue="csa-2099"))
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    (problem,) = caught.value.problems
    line = path.read_text().splitlines().index("catalogue: csa-2099") + 1
    assert (problem.code, problem.line, problem.column) == ("file-not-found", line, 12)
    assert "no catalogue 'csa-2099'" in problem.message and problem.suggestion == "did you mean 'csa-2009'?"


def test_stage_names_and_the_grade_scale_are_data(examples, tmp_path):
    def rename(data):
        data["stages"] = {("provision" if k == "settings" else k): v for k, v in data["stages"].items()}
        for rule in data["rules"]:
            rule["stage"] = "provision" if rule["stage"] == "settings" else rule["stage"]
        for row in data["decision_table"]["rows"]:
            row["provision"] = row.pop("settings")

    renamed = evaluate_file(examples / "cambridgeshire.yaml", _ruleset(tmp_path, rename))
    shipped = evaluate_file(examples / "cambridgeshire.yaml")
    assert renamed.grades == {"indicators": shipped.grades["indicators"], "provision": shipped.grades["settings"]}
    assert (renamed.proposed_band, renamed.final_band) == (shipped.proposed_band, shipped.final_band)


def test_a_row_naming_a_stage_that_does_not_grade_is_located(tmp_path):
    def misspell(data):
        row = data["decision_table"]["rows"][0]
        row["setings"] = row.pop("settings")

    with pytest.raises(RulesetError) as caught:
        load_ruleset(_ruleset(tmp_path, misspell))
    found = {(p.code, p.message.split(",")[0]) for p in caught.value.problems}
    assert ("ruleset-unknown-key", "row 'both_excellent' names 'setings'") in found
    assert any(p.suggestion == "did you mean 'settings'?" for p in caught.value.problems)


def test_a_grade_off_the_grade_scale_is_refused(tmp_path):
    path = _ruleset(tmp_path, lambda d: d.update(grade_scale=[1, 2, 3]))
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    assert any(p.message == "rule 'settings_excellent': grade 4 is not on the grade scale 1, 2, 3" for p in caught.value.problems)


def test_rules_check_reports_a_missing_letter_wording_located(tmp_path, monkeypatch):
    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    (folder / "letters" / "csa-2009.yaml").unlink()
    monkeypatch.setenv("ENGINE_RULES_DIR", str(folder))
    with pytest.raises(RulesetError) as caught:
        check_ruleset_files()
    (problem,) = caught.value.problems
    assert (problem.code, problem.file) == ("file-not-found", str(folder / "letters" / "csa-2009.yaml"))


def test_rules_check_reports_a_letter_template_the_letter_cannot_fill(tmp_path, monkeypatch, run_cli):
    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    letter = folder / "letters" / "csa-2009.yaml"
    text = letter.read_text(encoding="utf-8").replace("perform {manner}.", "perform {maner}.")
    letter.write_text(text, encoding="utf-8")
    monkeypatch.setenv("ENGINE_RULES_DIR", str(folder))
    code, out, err = run_cli("rules", "check")
    line = next(n for n, l in enumerate(text.splitlines(), 1) if l.startswith("headline:"))
    assert (code, out) == (2, "")
    assert err == (f"{letter}:{line}:11: ruleset-invalid: 'headline' uses {{maner}}, which the letter does not fill "
                   "(it may use: {authority}, {manner})\n")


def test_the_report_says_which_year_is_transitional(examples, tmp_path):
    ruleset = _ruleset(tmp_path, lambda d: d.update(year=2010))
    assert "; 2010 is a transitional year" in report(examples / "camden.yaml", "html", ruleset_path=ruleset)
    assert "; 2009 is a transitional year" in report(examples / "camden.yaml", "html")


def test_the_measures_derived_are_the_names_the_measure_tables_give():
    """The measure-name tables (engine.model.measures) list the names; derivation emits through the same tables.
    Over each year's synthetic England every derived name is listed, and every field of every family is derived
    for some council of some year: a field added to one side only fails here."""
    from engine.load.profile import parse_profile
    from engine.load.ruleset import ruleset_for_year
    from engine.measures.derive import derive_batch
    from engine.model.measures import (
        INDICATOR_FIELDS,
        INDICATOR_SCOPE_FIELDS,
        SETTING_SCOPE_FIELDS,
        SETTING_TYPE_FIELDS,
        measure_catalogue,
    )
    from tests.golden import synthetic_texts

    families = {"settings.": SETTING_TYPE_FIELDS, "groups.": SETTING_SCOPE_FIELDS, "indicator.": INDICATOR_FIELDS,
                "outcomes.": INDICATOR_SCOPE_FIELDS}
    seen: dict[str, set[str]] = {prefix: set() for prefix in [*families, "indicators.", "settings"]}
    for year in (2009, 2010, 2011):
        loaded = ruleset_for_year(year)
        profiles = [parse_profile(text, f"{code}.yaml").profile for code, text in list(synthetic_texts(year).items())[:40]]
        batch = derive_batch(profiles, loaded.catalogue, loaded.ruleset.comparison)
        derived = set().union(*(batch.values(p) for p in range(len(profiles))))
        assert derived <= set(measure_catalogue(loaded.catalogue)), year
        for prefix in families:
            seen[prefix] |= {n.rsplit(".", 1)[1] for n in derived if n.startswith(prefix) and n.count(".") == 2}
        seen["indicators."] |= {n.split(".", 1)[1] for n in derived if n.startswith("indicators.")}
        seen["settings"] |= {n.split(".", 1)[1] for n in derived if n.startswith("settings.") and n.count(".") == 1}
    for prefix, fields in [*families.items(), ("indicators.", INDICATOR_SCOPE_FIELDS), ("settings", SETTING_SCOPE_FIELDS)]:
        assert seen[prefix] == set(fields), (prefix, sorted(seen[prefix] ^ set(fields)))
