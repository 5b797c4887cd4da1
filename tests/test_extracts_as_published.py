"""`profiles build` reads extracts as their publishers write them, by column config: a preamble above the header, a
byte-order mark, thousands separators, suppression markers, England's and regional rows, council names spelt
otherwise, provision types set aside or counted apart, long tables of many years, ratios of columns, several
tables, and profiles laid over existing ones. Small extracts written here; the real ones are in
test_real_extracts.py."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from engine import ProfileError, parse_profile
from engine.batch.run import evaluate_batch
from engine.errors import BuildError
from engine.ingest.build import Tables, build_profiles, load_column_config, summary
from engine.ingest.columns import Reading
from engine.ingest.extract import numbers
from engine.load.ruleset import load_ruleset

from .conftest import ROOT

COUNCILS = "council,name\n101,Northby\n102,Southby\n103,\"Bristol, City of\"\n104,Eastby\n"
NEIGHBOURS = "council,neighbour\n101,102\n101,103\n102,101\n103,101\n104,101\n"


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text(text, encoding=encoding)
    return path


def _config(folder: Path, text: str) -> Path:
    return _write(folder, "columns.yaml", text)


@pytest.fixture
def councils(tmp_path) -> Path:
    return _write(tmp_path, "councils.csv", COUNCILS)


WIDE = ("\ufeffChildren looked after, by council (a title above the table),,,\n"
        "Suppressed: x,,,\n"
        "code,,Looked after,Three or more placements\n"
        "E,England,\"1,380\",140\n"
        ",,,\n"
        "NE,North East,300,30\n"
        "101,Northby,\"1,000\",100\n"
        "102,Southby,x,5\n"
        "103,\"Bristol, City of\",40,0\n"
        "104,Eastby,0,0\n"
        ",,,\n"
        ",,,\n")
WIDE_ENTRY = """file: placements.csv
layout: wide
read: {header_row: 3, suppressed: [x], thousands: ","}
columns: {council: code}
national_rows: {column: code, values: [E]}
set_aside_rows: {regional rows: {column: code, values: [NE]}}
derived:
  NI_62: {numerator: Three or more placements, denominator: Looked after, scale: 100}
"""
WIDE_CONFIG = "indicators:\n" + textwrap.indent(WIDE_ENTRY, "  ")  # one entry, as a mapping
WIDE_LISTED = "indicators:\n  - " + textwrap.indent(WIDE_ENTRY, "    ").lstrip()  # one entry of a list


def test_a_wide_extract_with_preamble_bom_thousands_suppression_and_england_is_read_as_configured(tmp_path, councils):
    table = _write(tmp_path, "placements.csv", WIDE)
    result = build_profiles(Tables(councils, indicators=table), load_column_config(_config(tmp_path, WIDE_CONFIG)))
    assert result.problems == []
    values = {code: p["indicators"].get("NI_62") for code, p in result.profiles.items()}
    assert values["101"] == {"value": 10.0, "national": 10.14}  # 100 of "1,000"; England 140 of "1,380"
    assert values["103"]["value"] == 0.0  # a real zero stays a zero ...
    assert values["102"] is None and values["104"] is None  # ... a suppressed input or a denominator of 0 is a gap
    (account,) = [a for a in result.accounts if a.role == "indicators"]
    assert (account.rows, account.used, account.empty, account.national, dict(account.set_aside)) == (9, 4, 3, 1, {"regional rows": 1})
    assert dict(account.suppressed) == {"Looked after": 1} and dict(account.gaps) == {"NI_62": 2}
    assert "  NI_62: 1 council(s) without a value: the denominator is 0" in summary(result)


def test_without_the_header_row_the_missing_columns_point_at_the_header(tmp_path, councils):
    table = _write(tmp_path, "placements.csv", WIDE)
    config = _config(tmp_path, WIDE_CONFIG.replace("header_row: 3, ", ""))
    with pytest.raises(BuildError) as caught:
        build_profiles(Tables(councils, indicators=table), load_column_config(config))
    (problem,) = caught.value.problems
    assert (problem.code, problem.line) == ("table-missing-column", 1)
    assert "the header looks like line 3: set read.header_row: 3" in str(problem)


SETTINGS = ("URN,Local authority,Provision type,Sector,Overall effectiveness,Inspection Date\n"
            "SC1,northby,Children's Home,Local authority,Good,27/03/2015\n"
            "SC2,Northby ,Children's home,Private,Requires Improvement,01/02/2015\n"
            "SC3,Bristol,Children's Home,Voluntary,Outstanding,01/02/2015\n"
            "SC4,Northby,Boarding School,Academy,Good,01/02/2015\n"
            "SC5,Southbee,Children's Home,Private,Good,01/02/2015\n"
            "SC6,Northby,Secure children's home,Local authority,Good,01/02/2015\n"
            "SC7,Northby,Children's Home,Health authority,Adequate,01/02/2015\n"
            ",,,,,\n")
SETTINGS_CONFIG = """
ruleset: csa-2010
council_aliases: {Bristol: "103"}
settings:
  columns: {provider: URN, council: Local authority, setting_type: Provision type, grade: Overall effectiveness,
            inspection_date: Inspection Date}
  councils_by: name
  date_format: "%d/%m/%Y"
  setting_types: {"Children's Home": childrens_homes}
  set_aside_types: {"Boarding School": "boarding schools: no setting type for them"}
  grades: {Requires Improvement: satisfactory, Adequate: satisfactory}
  given_apart:
    column: Sector
    types: [childrens_homes]
    parts: {Local authority: council_childrens_homes, Private: private_childrens_homes, Voluntary: private_childrens_homes}
"""


def test_council_names_types_set_aside_and_settings_given_apart_into_the_parts_of_their_type(tmp_path, councils):
    table = _write(tmp_path, "providers.csv", SETTINGS)
    result = build_profiles(Tables(councils, table), load_column_config(_config(tmp_path, SETTINGS_CONFIG)))
    found = [(p.line, p.column, p.code, p.suggestion) for p in result.problems]
    assert found == [(6, 2, "unknown-council", "did you mean 'Southby'?"),
                     (7, 3, "unknown-setting-type", "did you mean 'childrens_homes'? Else map it under settings.setting_types, "
                                                    "or set it aside under settings.set_aside_types, in the column config")]
    settings = result.profiles["101"]["settings"]
    assert settings["childrens_homes"]["counts"] == {"good": 1, "satisfactory": 1}  # case and spaces folded; grades of every era
    assert settings["council_childrens_homes"]["counts"] == {"good": 1}
    assert settings["private_childrens_homes"]["counts"] == {"satisfactory": 1}
    assert "parts" not in settings["childrens_homes"]
    assert result.profiles["103"]["settings"]["childrens_homes"]["counts"] == {"outstanding": 1}  # through the alias
    (account,) = [a for a in result.accounts if a.role == "settings"]
    assert (account.rows, account.used, account.empty, account.reported) == (8, 3, 1, 2) and account.rows == account.accounted
    assert dict(account.set_aside) == {"boarding schools: no setting type for them": 1,
                                       "childrens_homes given apart by Sector, but no part for this value": 1}  # Health authority
    assert dict(account.aliases) == {"'Bristol' -> 103": 1}
    catalogue = load_ruleset(ROOT / "rules" / "csa-2010.yaml").catalogue
    parse_profile(yaml.safe_dump(result.profiles["101"]), "101.yaml", catalogue)  # the whole is its parts' sum


def test_a_column_config_giving_apart_into_names_that_are_no_part_is_refused_with_the_part_meant(tmp_path, councils):
    table = _write(tmp_path, "providers.csv", SETTINGS)
    old = SETTINGS_CONFIG.replace("council_childrens_homes", "council_run").replace("private_childrens_homes", "private_or_voluntary")
    config = _config(tmp_path, old)
    with pytest.raises(BuildError) as caught:
        build_profiles(Tables(councils, table), load_column_config(config))
    found = [(p.code, p.file, p.line, p.suggestion) for p in caught.value.problems]
    line = old.splitlines().index("    parts: {Local authority: council_run, Private: private_or_voluntary, Voluntary: private_or_voluntary}") + 1
    assert found == [("column-config-invalid", str(config), line, 'write "Local authority": council_childrens_homes'),
                     ("column-config-invalid", str(config), line, 'write "Private": private_childrens_homes'),
                     ("column-config-invalid", str(config), line, 'write "Voluntary": private_childrens_homes')]


def test_a_profile_giving_parts_the_old_way_is_refused_where_it_says_so_with_the_setting_types_to_write():
    text = ("authority: {name: Northby}\nyear: 2010\nsettings:\n  childrens_homes:\n    counts: {good: 3, satisfactory: 1}\n"
            "    parts:\n      council_run: {good: 1}\n      private_or_voluntary: {good: 2, satisfactory: 1}\n")
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, "northby.yaml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column, problem.code) == ("northby.yaml", 6, 5, "profile-invalid")
    assert problem.suggestion == ("write the parts as setting types of csa-2010: settings: {council_childrens_homes: {counts: {good: 1}}, "
                                  "private_childrens_homes: {counts: {good: 2, satisfactory: 1}}}, and settings.childrens_homes only "
                                  "as their sum (or not at all)")
    # the replacement, written as it says, is a profile the engine reads
    replaced = ("authority: {name: Northby}\nyear: 2010\nsettings: {council_childrens_homes: {counts: {good: 1}}, "
                "private_childrens_homes: {counts: {good: 2, satisfactory: 1}}}\n")
    assert set(parse_profile(replaced, "northby.yaml").profile.settings) == {"council_childrens_homes", "private_childrens_homes"}
    # in a vocabulary that does not split children's homes, the parts are only deleted
    with pytest.raises(ProfileError) as caught:
        parse_profile(text.replace("2010", "2009"), "northby.yaml")
    assert caught.value.problems[0].suggestion.startswith("delete 'parts': catalogue csa-2009 has no setting type that is part of")


LONG = ("code,year,la,value\n"
        "Stable,2016,970,10\n"     # England
        "Stable,2016,980,11\n"     # a region
        "Stable,2016,101,12.300000000000001\n"
        "Stable,2016,102,-\n"      # suppressed
        "Stable,2016,103,\n"       # empty
        "Stable,2016,104,8\n"
        "Stable,2016,838,9\n"      # a council formed later
        "Stable,2017,101,13\n"     # another year
        "Entrants,2016,970,3071\n"
        "Entrants,2016,101,500\n"
        "Entrants,2016,104,300\n"
        "Other,2016,101,1\n")      # a measure not mapped
LONG_CONFIG = """
indicators:
  read: {suppressed: ["-"]}
  columns: {council: la, indicator: code, value: value, year: year}
  year: 2016
  national_rows: {column: la, values: [970]}
  set_aside_rows: {regional rows: {column: la, values: [980]}}
  other_councils: set_aside
  indicators:
    Stable: NI_62
    Entrants: {id: NI_111, national: computed}
"""


def test_a_long_table_keeps_one_year_takes_england_and_sets_the_rest_aside_by_reason(tmp_path, councils):
    table = _write(tmp_path, "measures.csv", LONG)
    result = build_profiles(Tables(councils, indicators=table), load_column_config(_config(tmp_path, LONG_CONFIG)))
    assert result.problems == []
    northby = result.profiles["101"]["indicators"]
    assert northby["NI_62"] == {"value": 12.3, "national": 10.0}  # the noise in the extract's number is dropped
    assert northby["NI_111"]["national"] == 400.0  # computed: the mean over councils, not England's row
    assert "NI_62" not in result.profiles["102"]["indicators"] and "NI_62" not in result.profiles["103"]["indicators"]
    (account,) = [a for a in result.accounts if a.role == "indicators"]
    assert dict(account.set_aside) == {
        "regional rows": 1, "council not in the councils table": 1, "other years (kept: 2016)": 1,
        "measure not mapped to an indicator in the column config": 1,
        "England row not used: the column config computes this national comparator": 1}
    assert (account.used, account.national, dict(account.suppressed), dict(account.gaps)) == (6, 1, {"NI_62": 1}, {"NI_62": 2})
    assert account.rows == account.accounted == 12


@pytest.mark.parametrize(("text", "line", "words"), [
    ("settings:\n  read: {encoding: utf-9}\n", 2, "unknown encoding 'utf-9'"),
    ("settings:\n  grades: {Adequate: fine}\n", 2, "'fine' is not a grade"),
    ("indicators:\n  layout: wide\n  indicators: {A: NI_62}\n", 3, "a wide table derives its indicators"),
    ("indicators:\n  - file: a.csv\n    year: 2016\n", 3, "a year is chosen but no column holds the year"),
    ("ruleset: csa-2090\n", 1, "no ruleset 'csa-2090'"),
    ("indicators:\n  - file: a.csv\n    layout: tall\n", 3, "indicators.0.layout"),
])
def test_a_column_config_that_cannot_be_used_is_refused_with_its_location(tmp_path, text, line, words):
    with pytest.raises(BuildError) as caught:
        load_column_config(_config(tmp_path, text))
    (problem,) = caught.value.problems
    assert (problem.code, problem.line) == ("column-config-invalid", line) and words in problem.message


def test_an_alias_naming_a_council_not_in_the_table_is_located_in_the_alias_list(tmp_path, councils):
    _write(tmp_path, "aliases.yaml", "aliases:\n  Bristol: \"103\"\n  Westby: \"109\"\n")
    config = load_column_config(_config(tmp_path, SETTINGS_CONFIG.replace('{Bristol: "103"}', "aliases.yaml")))
    table = _write(tmp_path, "providers.csv", SETTINGS)
    problems = build_profiles(Tables(councils, table), config).problems
    (alias,) = [p for p in problems if p.code == "column-config-invalid"]
    assert (alias.file, alias.line, alias.column) == (str(tmp_path / "aliases.yaml"), 3, 3)


def test_several_tables_a_folder_of_them_and_a_provider_given_twice(tmp_path, councils):
    folder = tmp_path / "release"
    folder.mkdir()
    _write(folder, "placements.csv", WIDE)
    _write(folder, "admissions.csv", "code,Started\n101,5\n")  # no entry reads it
    settings = _write(tmp_path, "providers.csv", SETTINGS)
    again = _write(tmp_path, "providers-2.csv", SETTINGS.splitlines()[0] + "\nSC1,Eastby,Children's Home,Private,Good,01/02/2015\n")
    text = SETTINGS_CONFIG.replace("settings:\n", "settings:\n  file: \"providers*.csv\"\n") + WIDE_LISTED
    result = build_profiles(Tables(councils, [settings, again], [folder], _write(tmp_path, "neighbours.csv", NEIGHBOURS)),
                            load_column_config(_config(tmp_path, text)))
    assert result.not_read == [f"{folder / 'admissions.csv'}: no indicators entry in the column config reads it"]
    (twice,) = [p for p in result.problems if p.code == "duplicate-record"]
    assert (twice.file, twice.line) == (str(again), 2) and f"also given on line 2 of {settings}" in twice.message
    assert "childrens_homes" not in result.profiles["104"]["settings"]
    assert result.profiles["101"]["indicators"]["NI_62"]["similar_areas"] == 0.0  # the mean over Southby (gap) and Bristol
    for account in result.accounts:
        assert account.rows == account.accounted, account.file


def test_built_sections_laid_over_a_base_profile_list_every_conflict(tmp_path, councils):
    base = tmp_path / "base"
    base.mkdir()
    hand_typed = {"authority": {"name": "Northby Borough Council", "code": "101"}, "year": 2009,
                  "indicators": {"NI_62": {"value": 12.0}, "NI_73": {"value": 70.0, "national": 72.0}}}
    (base / "northby.yaml").write_text(yaml.safe_dump(hand_typed))
    (base / "fictional.yaml").write_text(yaml.safe_dump({"authority": {"name": "Nowhere"}, "year": 2009}))
    table = _write(tmp_path, "placements.csv", WIDE)
    result = build_profiles(Tables(councils, indicators=table), load_column_config(_config(tmp_path, WIDE_CONFIG)), base=base)
    assert list(result.profiles) == ["101"]
    northby = result.profiles["101"]
    assert northby["authority"]["name"] == "Northby Borough Council" and northby["year"] == 2009
    assert northby["indicators"] == {"NI_62": {"value": 10.0, "national": 10.14}, "NI_73": {"value": 70.0, "national": 72.0}}
    # what the base keeps keeps its own kind (none given: published); what was laid over it is derived
    assert northby["provenance"] == {"values": [{"path": "indicators.NI_62", "kind": "derived"}]}
    assert result.overlay == [  # the same year as the base profile's: nothing to say about years
        f"{base / 'fictional.yaml'}: no authority.code, so no council to match; not written",
        f"{base / 'northby.yaml'} -> council 101: 1 built entry laid over it, 1 conflict(s) (the built value replaces the base's)",
        "  conflict indicators.NI_62: value: 12.0 -> 10.0; national: absent -> 10.14",
    ]


def test_a_base_profile_keeps_its_own_provenance_for_what_it_keeps_and_what_is_laid_over_it_is_derived(tmp_path, councils):
    base = tmp_path / "base"
    base.mkdir()
    hand_typed = {"authority": {"name": "Northby Borough Council", "code": "101"}, "year": 2009,
                  "indicators": {"NI_62": {"value": 12.0}, "NI_73": {"value": 70.0, "national": 72.0}},
                  "provenance": {"default": "illustrative", "note": "typed for a demonstration",
                                 "values": [{"path": "indicators.NI_62.value", "kind": "published"},
                                            {"path": "indicators.NI_73", "kind": "published"}]}}
    (base / "northby.yaml").write_text(yaml.safe_dump(hand_typed))
    table = _write(tmp_path, "placements.csv", WIDE)
    result = build_profiles(Tables(councils, indicators=table), load_column_config(_config(tmp_path, WIDE_CONFIG)), base=base)
    provenance = parse_profile(yaml.safe_dump(result.profiles["101"]), "northby.yaml").profile.provenance
    assert provenance is not None and (provenance.default, provenance.note) == ("illustrative", "typed for a demonstration")
    assert provenance.of("indicators.NI_62.value").kind == "derived"  # its own declaration was of the value replaced
    assert provenance.of("indicators.NI_73.value").kind == "published" and provenance.of("year").kind == "illustrative"


def test_a_profile_of_a_year_without_a_ruleset_is_rated_with_one_given_and_labelled_a_what_if(tmp_path):
    folder = tmp_path / "profiles"
    folder.mkdir()
    profile = {"authority": {"name": "Northby", "code": "101"}, "year": 2015,
               "settings": {"childrens_homes": {"counts": {"good": 3, "satisfactory": 1}}}}
    (folder / "101.yaml").write_text(yaml.safe_dump(profile))
    without = evaluate_batch([folder])
    assert [p.code for f in without.failures for p in f.problems] == ["no-ruleset-for-year"]
    rated = evaluate_batch([folder], ruleset=ROOT / "rules" / "csa-2009.yaml")
    (label,) = rated.results["what_if"]
    # the version and the catalogue's count of setting types move with the ruleset; the label's shape and the 1 do not
    assert re.fullmatch(r"csa-2009 \S+ \(the method for 2009\) applied to 2015 data; evidence for 1 of \d+ setting types", label)
    same_year = evaluate_batch([ROOT / "examples" / "camden.yaml"], ruleset=ROOT / "rules" / "csa-2009.yaml")
    assert list(same_year.results["what_if"]) == [""]


def test_cli_needs_something_to_build_from_and_prints_the_summary_when_asked(run_cli, tmp_path, councils):
    code, _, err = run_cli("profiles", "build", "--councils", councils, "-o", tmp_path / "out")
    assert code == 2 and "give --settings or --indicators" in err
    table = _write(tmp_path, "placements.csv", WIDE)
    config = _config(tmp_path, WIDE_CONFIG)
    code, out, _ = run_cli("profiles", "build", "--councils", councils, "--indicators", table, "--columns", config,
                           "--no-summary", "-o", tmp_path / "quiet")
    assert (code, out) == (0, f"built 4 profile(s) into {tmp_path / 'quiet'}\n")
    code, out, _ = run_cli("profiles", "build", "--councils", councils, "--indicators", table, "--columns", config,
                           "--year", "2010", "--ruleset", ROOT / "rules" / "csa-2009.yaml", "-o", tmp_path / "told")
    assert code == 0 and out.splitlines()[1] == "profiles of 2010, in the vocabulary of catalogue csa-2009, of ruleset csa-2009 1.3.1"
    assert f"indicators: {table}" in out and "    set aside 1: regional rows (NE)" in out


def test_an_excel_sheet_with_rows_above_its_header_is_read_from_the_row_and_sheet_named(tmp_path, councils):
    workbook = tmp_path / "neighbours.xlsx"
    with pd.ExcelWriter(workbook) as writer:
        pd.DataFrame({"A": ["notes"]}).to_excel(writer, sheet_name="Notes", index=False)
        table = pd.DataFrame({"LA num": ["101", "103", "104"], "SN1": ["102", "101", "103"]})
        table.to_excel(writer, sheet_name="LA SN Groups", index=False, startrow=2)  # the header on row 3
    table_config = _config(tmp_path, WIDE_CONFIG + """
neighbours:
  read: {header_row: 3, sheet: LA SN Groups}
  columns: {council: LA num, neighbour: SN1}
""")
    placements = _write(tmp_path, "placements.csv", WIDE)
    result = build_profiles(Tables(councils, indicators=placements, neighbours=workbook), load_column_config(table_config))
    assert result.problems == []
    assert result.profiles["103"]["indicators"]["NI_62"]["similar_areas"] == 10.0  # its neighbour in the sheet: Northby
    assert "similar_areas" not in result.profiles["101"]["indicators"]["NI_62"]  # its only neighbour, Southby, is a gap
    (account,) = [a for a in result.accounts if a.role == "neighbours"]
    assert (account.file, account.rows, account.used) == (str(workbook), 3, 3)


def test_profiles_of_a_year_without_a_ruleset_need_the_vocabulary_named(tmp_path, councils):
    placements = _write(tmp_path, "placements.csv", WIDE)
    with pytest.raises(BuildError) as caught:
        build_profiles(Tables(councils, indicators=placements), load_column_config(_config(tmp_path, WIDE_CONFIG)), year=2015)
    (problem,) = caught.value.problems
    assert problem.code == "no-ruleset-for-year" and "`ruleset:` in the column config, or --ruleset FILE" in str(problem)
    named = build_profiles(Tables(councils, indicators=placements),
                           load_column_config(_config(tmp_path, "ruleset: csa-2009\nyear: 2015\n" + WIDE_CONFIG)))
    assert (named.year, named.vocabulary, named.ruleset) == (2015, "csa-2009", "csa-2009 1.3.1")
    assert named.profiles["101"]["year"] == 2015


def test_the_documented_reference_of_a_column_config_is_a_valid_column_config(tmp_path):
    page = (ROOT / "docs" / "column-config.md").read_text()
    block = page.split("What a column config can say", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "council-aliases.yaml").write_text("aliases: {Bristol: '801'}\n")
    config = load_column_config(_config(tmp_path, block))
    assert config.aliases() == {"Bristol": "801"} and config.year == 2015
    assert [e.layout for e in config.indicators] == ["long", "wide"]
    assert config.settings[0].given_apart is not None and config.settings[0].read.suppressed == ["x", "c", "-"]


@given(st.lists(st.one_of(st.integers(-10**9, 10**9), st.sampled_from(["x", "X", "-", "c", ""]),
                          st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 3))), max_size=30))
def test_numbers_with_thousands_separators_parse_and_markers_are_gaps_never_zeros(cells):
    text = [f"{c:,}" if isinstance(c, int) else (repr(c) if isinstance(c, float) else c) for c in cells]
    parsed = numbers(pd.Series(text, dtype=object), Reading(suppressed=["x", "c", "-"], thousands=","))
    for cell, value, suppressed, blank in zip(cells, parsed.values, parsed.suppressed, parsed.blank, strict=True):
        if isinstance(cell, str):
            assert pd.isna(value) and (blank if cell == "" else suppressed)
        else:
            assert value == pytest.approx(cell) and not suppressed and not blank
    assert not parsed.invalid.any()
