"""Real extracts, as Ofsted and the DfE published them (../shared/data beside the repository, never copied into it):
the shipped column configs run on them, the README's commands run verbatim, and what they build is checked
against the files counted independently with pandas. Skipped, saying where it looked, when the data is absent."""
from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
import yaml

from engine import evaluate_file, parse_profile
from engine.errors import BuildError
from engine.ingest.build import Tables, build_profiles, load_column_config
from engine.load.ruleset import load_ruleset

from .conftest import EXAMPLES, ROOT

SECTION = (ROOT / "README.md").read_text().split("### Real extracts, as published", 1)[1].split("\n### ", 1)[0]
ENGLAND_2015 = EXAMPLES / "real" / "england-2015.yaml"
LOOKED_AFTER_2011 = EXAMPLES / "real" / "looked-after-2011.yaml"
PROVIDERS = "ofsted_csc_providers/ofsted_csc_providers_2015-03-31.csv"
COUNCILS = "la_codes/la_152_as_at_2010-12-01.csv"
NEIGHBOURS = "dfe_statistical_neighbours/statistical_neighbours_2021-04.csv"
LAIT = "lait_la_indicators/lait_ni_analogues_values.csv"
CLA_2011 = "dfe_la_children_2010_2011/cla_2011"
OUTCOMES_2011 = "dfe_la_children_2010_2011/outcomes_2011"
# How Ofsted's 2015 file spells the councils whose names differ from the councils table (found by reading it),
# written out here so the test does not lean on the shipped alias list it checks.
OFSTED_SPELLINGS = {"Bristol": "801", "Durham": "840", "Herefordshire": "884", "Kingston upon Hull": "810",
                    "Southend on Sea": "882", "St Helens": "342"}
GRADE_WORDS = {"Outstanding": "outstanding", "Good": "good", "Adequate": "satisfactory", "Satisfactory": "satisfactory",
               "Requires Improvement": "satisfactory", "Inadequate": "inadequate"}
SEVERAL = ["202", "873", "330", "801", "840", "342", "935"]  # Camden, Cambridgeshire, Birmingham, three spelt otherwise, Suffolk


def _commands() -> list[str]:
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", SECTION, flags=re.S):
        joined = block.replace("\\\n", " ")
        commands += [line.strip() for line in joined.splitlines() if line.strip().startswith("engine ")]
    return commands


@pytest.fixture(scope="module")
def readme_runs(shared_data, tmp_path_factory):
    """The section's commands run verbatim, in order, from a folder laid out as a checkout: its own examples/ and
    rules/, the shared data at ../shared/data. Returns the folder and (command, exit code, stdout, stderr) each."""
    from click.testing import CliRunner

    from engine.cli import main

    top = tmp_path_factory.mktemp("checkout")
    (top / "shared").mkdir()
    (top / "shared" / "data").symlink_to(shared_data)
    repo = top / "repo"
    repo.mkdir()
    for name in ("examples", "rules"):
        (repo / name).symlink_to(ROOT / name)
    runs = []
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(repo)
        patch.setenv("ENGINE_AUDIT_DB", str(top / "audit.sqlite"))
        for command in _commands():
            result = CliRunner().invoke(main, shlex.split(command)[1:], catch_exceptions=False)
            runs.append((command, result.exit_code, result.stdout, result.stderr))
    return repo, runs


@pytest.fixture(scope="module")
def data(shared_data) -> dict[str, Path]:
    return {name: shared_data / path for name, path in
            {"providers": PROVIDERS, "councils": COUNCILS, "neighbours": NEIGHBOURS, "lait": LAIT,
             "cla": CLA_2011, "outcomes": OUTCOMES_2011}.items()}


@pytest.fixture(scope="module")
def england_2015(data):
    return build_profiles(Tables(data["councils"], data["providers"], data["lait"], data["neighbours"]),
                          load_column_config(ENGLAND_2015))


@pytest.fixture(scope="module")
def looked_after_2011(data):
    return build_profiles(Tables(data["councils"], (), [data["cla"], data["outcomes"]], data["neighbours"]),
                          load_column_config(LOOKED_AFTER_2011))


@pytest.fixture(scope="module")
def codes(data) -> dict[str, str]:
    """Council name -> code, from the councils table, with Ofsted's other spellings."""
    councils = pd.read_csv(data["councils"], dtype=str)
    return {**dict(zip(councils["la_name"], councils["la_code_3digit"], strict=True)), **OFSTED_SPELLINGS}


def test_the_readme_commands_run_on_the_real_files_and_print_what_the_readme_shows(readme_runs):
    repo, runs = readme_runs
    assert [c.split()[:3] for c, *_ in runs] == [["engine", "profiles", "build"], ["engine", "batch", "real-2015/"],
                                                  ["engine", "profiles", "build"]]
    for command, code, _, err in runs:
        assert code == 0, f"{command}\n{err}"
    shown = re.findall(r"```text\n(.*?)```", SECTION, flags=re.S)
    assert len(shown) == len(runs)
    for text, (command, _, out, _) in zip(shown, runs, strict=True):
        printed = [line for line in out.splitlines() if not line.startswith("audit trail:")]
        expected = text.splitlines()
        if "..." not in expected:
            assert printed == expected, command
        else:  # an excerpt: its lines, in order
            lines = iter(printed)
            for line in (e for e in expected if e != "..."):
                assert any(p == line for p in lines), f"{command}: not printed, or out of order: {line}"


def test_the_2015_extract_is_rated_by_the_2011_method_for_all_152_councils_translated_on_the_way(readme_runs):
    _, runs = readme_runs
    command, code, out, err = runs[1]
    assert "--ruleset rules/csa-2011.yaml" in command and code == 0 and err == ""
    lines = out.splitlines()
    assert "rated 152 council(s)" in lines and "WHAT-IF, not a rating Ofsted gave:" in lines
    assert ("translated on the way: 152 profile(s) written in catalogue csa-2010, read in the words of csa-2011 "
            "(indicators/translations/csa-2010-to-csa-2011.yaml)") in lines


def test_the_2015_build_writes_one_profile_per_council_named_by_its_code(readme_runs, data):
    repo, _ = readme_runs
    expected = set(pd.read_csv(data["councils"], dtype=str)["la_code_3digit"])
    assert len(expected) == 152
    assert {p.stem for p in (repo / "real-2015").glob("*.yaml")} == expected
    assert "Ofsted" in (repo / "real-2015" / "202.yaml").read_text().splitlines()[0]  # the header cites the sources


def test_childrens_homes_counted_from_the_extract_with_pandas_are_the_profiles_counts_and_shares(england_2015, data, codes):
    providers = pd.read_csv(data["providers"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    homes = providers[providers["Provision type"] == "Children's Home"].copy()
    homes["code"] = homes["Local authority"].map(codes)
    homes["grade"] = homes["Overall effectiveness"].map(GRADE_WORDS)
    assert homes["code"].notna().all() and homes["grade"].notna().all() and len(homes) == 1850
    homes = homes[homes["Sector"] != "Health authority"]  # no part of children's homes for them: set aside
    assert len(homes) == 1842
    good = homes["grade"].isin(["outstanding", "good"])
    neighbours = pd.read_csv(data["neighbours"], dtype=str)
    for code in SEVERAL:
        own = homes[homes["code"] == code]
        settings = england_2015.profiles[code]["settings"]
        evidence = settings["childrens_homes"]
        assert evidence["counts"] == {g: n for g, n in own["grade"].value_counts().items()}, code
        council_run = own[own["Sector"] == "Local authority"]["grade"].value_counts().to_dict()
        others = own[own["Sector"].isin(["Private", "Voluntary"])]["grade"].value_counts().to_dict()
        assert settings.get("council_childrens_homes", {}).get("counts", {}) == council_run, code
        assert settings.get("private_childrens_homes", {}).get("counts", {}) == others, code
        assert evidence["national"] == {"good_or_better": round(good.mean(), 3), "inadequate": round((homes["grade"] == "inadequate").mean(), 3)}
        similar = neighbours.loc[neighbours["la_code_3digit"] == code, "neighbour_la_code_3digit"]
        assert evidence["similar_areas"]["good_or_better"] == round(good[homes["code"].isin(similar)].mean(), 3), code
    # The same counts as worked out by hand from the file (notes/real-data/SURVEY.md section 2.7).
    counts = {c: england_2015.profiles[c]["settings"]["childrens_homes"]["counts"] for c in ("202", "873", "330")}
    assert counts == {"202": {"good": 2}, "873": {"outstanding": 4, "good": 10, "satisfactory": 4},
                      "330": {"outstanding": 3, "good": 26, "satisfactory": 14, "inadequate": 3}}


def test_placement_stability_in_2011_is_the_ratio_of_the_dfe_columns(looked_after_2011, data):
    cla = pd.read_csv(data["cla"] / "SFR21_CLA.csv", dtype=str)
    councils = cla[cla["geog_l"] == "LA"].set_index("geog_c")
    assert len(councils) == 151  # the Isles of Scilly have no row
    for code, row in councils.iterrows():
        built = looked_after_2011.profiles[code].get("indicators", {}).get("NI_62")
        if "x" in (row["CLA_3Pla"], row["CLA_Mar2011"]):
            assert built is None, code  # suppressed: a gap, never a zero
        else:
            assert built["value"] == round(int(row["CLA_3Pla"]) / int(row["CLA_Mar2011"]) * 100, 2), code
    england = cla[cla["geog_l"] == "NATIONAL"].iloc[0]
    values = {c: looked_after_2011.profiles[c]["indicators"]["NI_62"] for c in ("202", "873", "330")}
    assert {c: v["value"] for c, v in values.items()} == {"202": 10.87, "873": 1.28, "330": 13.36}  # by hand: 30/276, 6/470, 254/1901
    assert values["202"]["national"] == round(int(england["CLA_3Pla"]) / int(england["CLA_Mar2011"]) * 100, 2) == 10.68
    assert "NI_62" not in looked_after_2011.profiles["420"].get("indicators", {})
    care_leavers = {c: looked_after_2011.profiles[c]["indicators"].get("NI_148", {}).get("value") for c in ("202", "873", "330")}
    assert care_leavers == {"202": None, "873": 65.91, "330": 42.11}  # Camden's Act_TE is suppressed


def test_every_row_read_every_suppressed_value_and_every_row_set_aside_is_accounted_for(england_2015, looked_after_2011, data):
    assert england_2015.problems == [] and looked_after_2011.problems == []
    for account in england_2015.accounts + looked_after_2011.accounts:
        read = pd.read_csv(account.file, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding="utf-8-sig")
        assert account.rows == len(read) == account.accounted, account.file
    by_file = {Path(a.file).name: a for a in england_2015.accounts + looked_after_2011.accounts}

    providers = by_file[Path(PROVIDERS).name]
    frame = pd.read_csv(data["providers"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    kinds = frame["Provision type"].value_counts()
    config = load_column_config(ENGLAND_2015).settings[0]
    assert {reason: providers.set_aside[reason] for reason in config.set_aside_types.values()} == \
        {reason: kinds[kind] for kind, reason in config.set_aside_types.items()}
    assert providers.empty == (frame == "").all(axis=1).sum() == 3
    homes = frame[frame["Provision type"] == "Children's Home"]
    by_health_authorities = int((homes["Sector"] == "Health authority").sum())  # no part of children's homes for them
    assert providers.set_aside["childrens_homes given apart by Sector, but no part for this value"] == by_health_authorities == 8
    assert providers.used == len(homes) - by_health_authorities and providers.reported == 0

    lait = by_file[Path(LAIT).name]
    values = pd.read_csv(data["lait"], dtype=str, keep_default_na=False)
    la_152 = set(pd.read_csv(data["councils"], dtype=str)["la_code_3digit"])
    chosen = {"LACStable_2016on": ("NI_62", "2016"), "CPPlans2yrs": ("NI_64", "2016"), "Emotional_LAC": ("NI_58", "2016"),
              "6wksBreast": ("NI_53", "2016"), "Level2Age19": ("NI_79", "2016"), "Level3Age19": ("NI_80", "2016"),
              "TotPermEx": ("NI_114", "2015/16"), "FirstYJS": ("NI_111", "2016")}
    vocabulary = load_ruleset(load_column_config(ENGLAND_2015).ruleset).catalogue
    chosen = {measure: chosen for measure, chosen in chosen.items() if chosen[0] in vocabulary.indicators}
    suppressed = {}
    for measure, (key, year) in chosen.items():
        rows = values[(values["code"] == measure) & (values["year"] == year) & values["la_code_3digit"].isin(la_152)]
        assert len(rows) == 152
        if (rows["value"] == "-").sum():
            suppressed[key] = int((rows["value"] == "-").sum())
    assert dict(lait.suppressed) == suppressed == dict(lait.gaps)
    assert lait.used == 152 * len(chosen) and lait.national == len(chosen) - ("FirstYJS" in chosen)  # NI 111's is not used

    cla = by_file["SFR21_CLA.csv"]
    rows = pd.read_csv(data["cla"] / "SFR21_CLA.csv", dtype=str)
    council_rows = rows[rows["geog_c"].isin(la_152)]
    assert cla.suppressed["CLA_3Pla"] == (council_rows["CLA_3Pla"] == "x").sum() == 3
    assert cla.set_aside["regional rows"] == (rows["geog_l"] == "REGION").sum() and cla.national == 1


def test_an_unmatched_council_name_is_reported_with_its_line_and_a_suggestion(data, tmp_path):
    lines = data["providers"].read_text(encoding="utf-8-sig").splitlines(keepends=True)
    assert ",Camden,Voluntary," in lines[1946]  # line 1947 of the file
    lines[1946] = lines[1946].replace(",Camden,", ",Camdn,")
    copy = tmp_path / Path(PROVIDERS).name  # the config reads files of this name
    copy.write_text("\ufeff" + "".join(lines), encoding="utf-8")
    result = build_profiles(Tables(data["councils"], copy), load_column_config(ENGLAND_2015))
    (problem,) = result.problems
    assert (problem.file, problem.line, problem.column, problem.code) == (str(copy), 1947, 12, "unknown-council")
    assert "'Camdn' is not in the councils table" in str(problem) and "did you mean 'Camden'?" in str(problem)
    (account,) = [a for a in result.accounts if a.role == "settings"]
    assert (account.reported, account.used) == (1, 1841) and account.rows == account.accounted  # 1849, 8 by health authorities
    assert result.profiles["202"]["settings"]["childrens_homes"]["counts"] == {"good": 1}


def test_the_built_profiles_validate_and_rate_as_a_labelled_what_if(readme_runs):
    repo, runs = readme_runs
    command = shlex.split(runs[1][0])
    given = load_ruleset(ROOT / command[command.index("--ruleset") + 1])  # the ruleset the README's batch command names
    vocabulary = load_ruleset(load_column_config(ENGLAND_2015).ruleset)  # ... and the one the config builds in
    for path in sorted((repo / "real-2015").glob("*.yaml")):
        parse_profile(path.read_text(), str(path), vocabulary.catalogue)  # raises on any problem
    results = pd.read_csv(repo / "what-if-2015.csv", dtype=str, keep_default_na=False)
    rated_by = f"{given.ruleset.id} {given.ruleset.version}"
    assert len(results) == 152 and set(results["ruleset"]) == {rated_by}
    assert results["what_if"].str.startswith(f"{rated_by} (the method for {given.ruleset.year}) applied to 2015 data").all()
    assert set(results["final_band"]) <= {"1", "2", "3", "4"}
    _, code, out, _ = runs[1]
    assert "WHAT-IF, not a rating Ofsted gave:" in out


def test_looked_after_indicators_laid_over_hand_typed_profiles_rate_with_the_real_values(readme_runs):
    repo, runs = readme_runs
    written = repo / "looked-after-2011"
    assert {"202.yaml", "873.yaml"} <= {p.name for p in written.glob("*.yaml")}  # every example whose code the extract has
    camden = yaml.safe_load((written / "202.yaml").read_text())
    hand_typed = yaml.safe_load((EXAMPLES / "camden.yaml").read_text())
    assert camden["authority"] == hand_typed["authority"] and camden["settings"] == hand_typed["settings"]
    assert camden["indicators"]["NI_62"]["value"] == 10.87 and camden["indicators"]["NI_73"] == hand_typed["indicators"]["NI_73"]
    _, _, out, _ = runs[2]
    assert "conflict indicators.NI_62: value: 10.0 -> 10.87" in out
    decision = evaluate_file(written / "202.yaml")
    values = {e.measure: e.value for e in decision.events("measure_derived")}
    assert values["indicator.NI_62.value"] == 10.87
    assert os.path.samefile(repo / "examples", EXAMPLES)  # the base profiles were the shipped ones, unchanged


def _config_for_2016(folder: Path, header_row: int) -> Path:
    """england-2015.yaml's settings entry for Ofsted's 2016 file: a banner row above the header, columns renamed."""
    config = yaml.safe_load(ENGLAND_2015.read_text())
    settings = config["settings"]
    settings["read"]["header_row"] = header_row
    settings["columns"]["inspection_date"] = "Inspection date"
    settings["set_aside_types"]["Residential special school (registered as a children's home)"] = "registered as children's homes"
    config["council_aliases"] = str(ENGLAND_2015.parent / config["council_aliases"])
    path = folder / "england-2016.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_ofsteds_2016_file_with_a_banner_row_above_its_header_reads_with_header_row_2(data, tmp_path):
    providers = data["providers"].parent / "ofsted_csc_providers_2016-03-31.csv"
    result = build_profiles(Tables(data["councils"], providers), load_column_config(_config_for_2016(tmp_path, 2)))
    assert result.problems == []
    (account,) = [a for a in result.accounts if a.role == "settings"]
    # "Children's home" 1882 and "Children's Home" 2, less the 9 run by health authorities (no part of children's homes)
    assert (account.rows, account.empty, account.used) == (2656, 9, 1875)
    assert result.profiles["202"]["settings"]["childrens_homes"]["counts"] == {"outstanding": 1, "good": 1}
    with pytest.raises(BuildError) as caught:
        build_profiles(Tables(data["councils"], providers), load_column_config(_config_for_2016(tmp_path, 1)))
    (problem,) = caught.value.problems
    assert problem.code == "table-missing-column" and "the header looks like line 2: set read.header_row: 2" in str(problem)
