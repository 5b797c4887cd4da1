"""Translations between catalogues, as data (indicators/translations/): each one states every item of its source
catalogue; `profiles translate` writes profiles in another catalogue's words; `batch --ruleset` and `rules diff`
translate on the way and say so; what cannot be translated is a located error."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from engine import ProfileError, RulesetError, evaluate_text, parse_profile, rules_diff, translate_profiles
from engine.batch.run import evaluate_batch, summary
from engine.ingest.build import Tables, build_profiles, load_column_config
from engine.ingest.synthetic import write
from engine.load.catalogue import load_catalogue
from engine.load.translation import load_translation, translations

from .conftest import EXAMPLES, ROOT

RULES = ROOT / "rules"
WESTMOOR = EXAMPLES / "westmoor-2010-inadequate-safeguarding.yaml"  # a 2010 profile, csa-2010's words


@pytest.fixture(scope="module")
def england_2010(tmp_path_factory) -> Path:
    """Twelve synthetic councils of 2010, built from the tables `profiles synthetic --year 2010` writes."""
    folder = tmp_path_factory.mktemp("synthetic-2010")
    paths = write(folder / "tables", councils=12, year=2010)
    built = build_profiles(Tables(paths["councils"], paths["settings"], paths["indicators"], paths["neighbours"]),
                           load_column_config(paths["config"]))
    assert built.problems == []
    (folder / "profiles").mkdir()
    for code, profile in built.profiles.items():
        (folder / "profiles" / f"{code}.yaml").write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    return folder / "profiles"


@pytest.fixture
def indicators_copy(tmp_path, monkeypatch) -> Path:
    """A copy of indicators/ that the engine reads instead (ENGINE_INDICATORS_DIR), for translations edited in a test."""
    folder = tmp_path / "indicators"
    shutil.copytree(ROOT / "indicators", folder)
    monkeypatch.setenv("ENGINE_INDICATORS_DIR", str(folder))
    return folder


def test_every_shipped_translation_states_each_item_of_its_source_catalogue_once():
    shipped = translations()
    assert {("csa-2009", "csa-2010"), ("csa-2010", "csa-2011"), ("csa-2010", "csa-2009"), ("csa-2009", "csa-2011")} <= set(shipped)
    for source, target in shipped:
        translation = load_translation(source, target)
        old, new = load_catalogue(source), load_catalogue(target)
        assert set(translation.setting_types) == set(old.setting_types)
        assert set(translation.indicators) == set(old.indicators)
        for fate, into in translation.indicators.values():
            assert fate in ("dropped", "untranslatable") or into in new.indicators


def test_a_translation_that_leaves_an_item_unstated_is_refused_where_it_is_written(indicators_copy):
    path = indicators_copy / "translations" / "csa-2010-to-csa-2011.yaml"
    path.write_text(path.read_text().replace("    NI_50: ", "    NI_5O: "))
    with pytest.raises(RulesetError) as caught:
        load_translation("csa-2010", "csa-2011")
    found = {(p.code, p.message.split(":")[0]) for p in caught.value.problems}
    assert ("ruleset-invalid", "indicators") in found
    assert any("'NI_5O' is not in catalogue csa-2010" in p.message for p in caught.value.problems)
    assert any("not stated: NI_50" in p.message for p in caught.value.problems)
    assert all(p.file == str(path) and p.line > 1 for p in caught.value.problems)


def test_batch_with_another_catalogues_ruleset_translates_on_the_way_and_says_what_it_dropped(england_2010):
    result = evaluate_batch([england_2010], ruleset=RULES / "csa-2011.yaml", workers=1)
    assert result.failures == [] and len(result.results) == 12
    lines = summary(result)
    assert ("translated on the way: 12 profile(s) written in catalogue csa-2010, read in the words of csa-2011 "
            "(indicators/translations/csa-2010-to-csa-2011.yaml)") in lines
    dropped = next(line for line in lines if line.startswith("  dropped ("))
    assert "not in the 2011 single data list" in dropped and "indicators.NI_111 " in dropped
    # The same ruleset over its own catalogue's profiles translates nothing, and says nothing of it.
    assert not any("translated" in line for line in summary(evaluate_batch([england_2010], ruleset=RULES / "csa-2010.yaml", workers=1)))


def test_a_profile_translated_on_the_way_is_rated_as_the_one_profiles_translate_writes(england_2010, tmp_path):
    written = translate_profiles([england_2010], "csa-2011", tmp_path / "out")
    assert len(written.written) == 12 and written.problems == []
    for path in sorted(england_2010.glob("*.yaml"))[:4]:
        on_the_way = evaluate_text(path.read_text(), str(path), RULES / "csa-2011.yaml")
        translated = (tmp_path / "out" / path.name).read_text()
        assert "# Translated by `engine profiles translate` from catalogue csa-2010 into csa-2011" in translated
        direct = evaluate_text(translated, path.name, RULES / "csa-2011.yaml")  # it names csa-2011: read as written
        assert direct.profile.carried is None and on_the_way.profile.carried is not None
        # the same profile: on the way it is the translated one without its `catalogue:` line
        unnamed = evaluate_text(translated.replace("catalogue: csa-2011\n", ""), path.name, RULES / "csa-2011.yaml").profile
        assert on_the_way.decision.input_hash == unnamed.input_hash != direct.decision.input_hash
        assert (on_the_way.decision.final_band, on_the_way.decision.fired_rules) == (direct.decision.final_band,
                                                                                    direct.decision.fired_rules)
        assert not set(yaml.safe_load(translated)["indicators"]) - set(load_catalogue("csa-2011").indicators)


def test_joining_split_homes_adds_up_the_parts_so_changing_a_part_changes_the_whole(tmp_path):
    profile = yaml.safe_load(WESTMOOR.read_text())
    profile["settings"].pop("childrens_homes", None)
    profile["settings"]["council_childrens_homes"] = {"counts": {"good": 2, "inadequate": 1}}
    profile["settings"]["private_childrens_homes"] = {"counts": {"good": 3}}
    text = yaml.safe_dump(profile)
    joined = evaluate_text(text, "w.yaml", RULES / "csa-2009.yaml").profile
    assert joined.profile.settings["childrens_homes"].counts.model_dump() == {"outstanding": 0, "good": 5, "satisfactory": 0,
                                                                               "inadequate": 1}
    assert [item for item in joined.carried.items if item[0] == "settings" and "childrens_homes" in item[1]] == [
        ("settings", "council_childrens_homes", "merged", "childrens_homes"),
        ("settings", "private_childrens_homes", "merged", "childrens_homes")]
    profile["settings"]["private_childrens_homes"] = {"counts": {"inadequate": 3}}
    changed = evaluate_text(yaml.safe_dump(profile), "w.yaml", RULES / "csa-2009.yaml").profile
    assert changed.profile.settings["childrens_homes"].counts.inadequate == 4


def test_a_profile_giving_an_untranslatable_item_is_refused_at_the_item(indicators_copy, tmp_path):
    path = indicators_copy / "translations" / "csa-2010-to-csa-2011.yaml"
    text = path.read_text().replace('    NI_111: "not in the 2011 single data list (the National Indicator Set was abolished in '
                                    'October 2010)"\n', "")
    path.write_text(text + "  untranslatable:\n    NI_111: \"first time entrants have no successor we trust\"\n")
    source = WESTMOOR.read_text()
    assert "NI_111" in yaml.safe_load(source)["indicators"]
    with pytest.raises(ProfileError) as caught:
        evaluate_text(source, "westmoor.yaml", RULES / "csa-2011.yaml")
    (problem,) = caught.value.problems
    line = next(i for i, row in enumerate(source.splitlines(), 1) if row.strip().startswith("NI_111"))
    assert (problem.code, problem.file, problem.line) == ("untranslatable", "westmoor.yaml", line)
    assert "indicators.NI_111 cannot be translated into csa-2011: first time entrants have no successor we trust" in problem.message


def test_without_a_translation_the_profile_is_refused_at_its_year_saying_which_file_is_missing(indicators_copy):
    (indicators_copy / "translations" / "csa-2010-to-csa-2011.yaml").unlink()
    with pytest.raises(ProfileError) as caught:
        evaluate_text(WESTMOOR.read_text(), "westmoor.yaml", RULES / "csa-2011.yaml")
    (problem,) = caught.value.problems
    assert (problem.code, problem.line) == ("no-translation", WESTMOOR.read_text().splitlines().index("year: 2010") + 1)
    assert "written in catalogue csa-2010, the ruleset in csa-2011" in problem.message
    assert "csa-2010-to-csa-2011.yaml" in problem.suggestion


def test_a_profile_naming_its_catalogue_is_read_in_it_and_refused_by_another_without_translating():
    text = (EXAMPLES / "camden.yaml").read_text().replace("year: 2009", "year: 2009\ncatalogue: csa-2010", 1)
    assert parse_profile(text, "camden.yaml").profile.catalogue == "csa-2010"
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, "camden.yaml", load_catalogue("csa-2009"))
    assert caught.value.problems[0].code == "no-translation"
    assert caught.value.problems[0].suggestion == "translate it: engine profiles translate DIR --to csa-2009 -o OUT/"


def test_rules_diff_across_catalogues_evaluates_every_council_and_says_it_translated(england_2010):
    diff = rules_diff(RULES / "csa-2010.yaml", RULES / "csa-2011.yaml", [england_2010])
    assert diff.failures == [] and len(diff.councils) == 12
    assert diff.carried_old == [] and len(diff.carried_new) == 12
    assert diff.translated()[0].startswith("new: translated on the way: 12 profile(s) written in catalogue csa-2010")


def test_profiles_translate_on_the_command_line_writes_the_folder_and_its_summary(run_cli, england_2010, tmp_path):
    code, out, err = run_cli("profiles", "translate", england_2010, "--to", "csa-2009", "-o", tmp_path / "in-2009")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "wrote 12 profile(s) in the words of catalogue csa-2009"
    assert "  merged: settings.council_childrens_homes -> childrens_homes" in out
    rows = pd.read_csv(tmp_path / "r.csv") if run_cli("batch", tmp_path / "in-2009", "--no-audit", "-o", tmp_path / "r.csv",
                                                       "--ruleset", RULES / "csa-2009.yaml")[0] == 0 else None
    assert rows is not None and len(rows) == 12
    code, out, err = run_cli("profiles", "translate", england_2010, "--to", "csa-2O11", "-o", tmp_path / "nowhere")
    assert code == 2 and "no catalogue 'csa-2O11'" in err and not (tmp_path / "nowhere").exists()
