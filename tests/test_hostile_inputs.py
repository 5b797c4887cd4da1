"""Files from elsewhere, read safely (issue 9): every bad input the issue found gives a located error and
exit code 2, quickly, never a traceback; honest input with odd but valid characters still works."""
from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import pytest
import yaml

from engine.errors import ProfileError
from engine.ingest.profile_table import profiles_to_table
from engine.load.profile import parse_profile
from engine.load.yaml import MAX_BYTES, MAX_NODES

from .conftest import EXAMPLES, ROOT

CAMDEN = (EXAMPLES / "camden.yaml").read_text(encoding="utf-8")
REASON = "Recent evidence shows practice has improved"


def _camden(**changes) -> dict:
    data = yaml.safe_load(CAMDEN)
    data.update(changes)
    return data


def _write(path: Path, data) -> Path:
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _refused(run_cli, *args) -> list[str]:
    code, out, err = run_cli(*args)
    assert code == 2 and out == "", err
    assert "Traceback" not in err
    return err.strip().splitlines()


# --- YAML: aliases and size --------------------------------------------------------------------

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n" for previous, name in zip("abcdefgh", "bcdefghi", strict=True))


def test_a_recursive_alias_is_refused_at_the_alias_in_every_kind_of_file(run_cli, tmp_path):
    recursive = "authority: &a [*a]\n"
    profile = _write(tmp_path / "profile.yaml", recursive)
    (line,) = _refused(run_cli, "evaluate", profile, "--no-audit")
    assert line.startswith(f"{profile}:1:16: yaml-recursive-alias: this alias refers to a node that contains it")
    ruleset = _write(tmp_path / "ruleset.yaml", "id: csa-2009\nrules: &r [*r]\n")
    assert _refused(run_cli, "rules", "check", ruleset)[0].startswith(f"{ruleset}:2:12: yaml-recursive-alias: ")
    judgement = _write(tmp_path / "judgement.yaml", "band: 4\nreason: &r [*r]\n")
    assert _refused(run_cli, "evaluate", EXAMPLES / "camden.yaml", "--no-audit", "--judgement", judgement)[0].startswith(
        f"{judgement}:2:13: yaml-recursive-alias: ")


@pytest.mark.parametrize("kind", ["profile", "ruleset", "judgement", "column config"])
def test_an_alias_bomb_is_refused_at_once_at_the_alias_that_passes_the_bound(run_cli, tmp_path, kind):
    """9 levels of 9 would be 387 million values; the expanded count passes 100,000 at the fifth level."""
    path = _write(tmp_path / f"{kind.replace(' ', '-')}.yaml", ALIAS_BOMB)
    small = _write(tmp_path / "councils.csv", "council,name\nX1,Somewhere\n")
    command = {"profile": ("evaluate", path, "--no-audit"), "ruleset": ("rules", "check", path),
               "judgement": ("evaluate", EXAMPLES / "camden.yaml", "--no-audit", "--judgement", path),
               "column config": ("profiles", "build", "--councils", small, "--settings", small, "--indicators", small,
                                 "--neighbours", small, "--columns", path, "-o", tmp_path / "out")}[kind]
    started = time.perf_counter()
    lines = _refused(run_cli, *command)
    assert time.perf_counter() - started < 5
    assert lines == [f"{path}:6:8: yaml-too-many-nodes: with its aliases expanded the document has more than "
                     f"{MAX_NODES:,} values (*e) (write the values out, or use fewer aliases of large nodes)"]
    assert not (tmp_path / "out").exists()


def test_a_few_aliases_of_small_nodes_still_read():
    text = CAMDEN.replace("national: {good_or_better: 0.62}", "national: &national {good_or_better: 0.62}", 1)
    assert parse_profile(text, "anchored.yaml").profile.authority.name == "London Borough of Camden"


def test_a_file_over_1_mib_is_refused_before_it_is_parsed(run_cli, tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text(CAMDEN + "# " + "x" * MAX_BYTES + "\n", encoding="utf-8")
    started = time.perf_counter()
    (line,) = _refused(run_cli, "evaluate", path, "--no-audit")
    assert time.perf_counter() - started < 2
    assert line.startswith(f"{path}:1:1: yaml-too-large: the file is larger than 1,048,576 bytes (1 MiB)")


def test_a_document_of_more_than_100000_values_is_refused_at_the_value_past_the_bound(run_cli, tmp_path):
    path = _write(tmp_path / "many.yaml", "vulnerable_gaps: [" + ", ".join(["0"] * (MAX_NODES + 10)) + "]\n")
    (line,) = _refused(run_cli, "evaluate", path, "--no-audit")
    assert line.startswith(f"{path}:1:") and ": yaml-too-many-nodes: the document has more than 100,000 values" in line


def test_an_impossible_date_is_a_located_error_not_a_traceback(run_cli, tmp_path):
    path = _write(tmp_path / "date.yaml", CAMDEN.replace("letter_date: 2009-12-09", "letter_date: 2009-13-45"))
    (line,) = _refused(run_cli, "evaluate", path, "--no-audit")
    assert line == f"{path}:18:14: yaml-syntax: cannot read this value: month must be in 1..12"


# --- Numbers ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, message", [
    (2**64, "less than or equal to 100000"),
    (True, "not true or false"),
    (-1, "greater than or equal to 0"),
])
def test_a_count_beyond_what_a_council_can_have_or_a_boolean_is_refused(run_cli, tmp_path, value, message):
    data = _camden()
    data["settings"]["secondary_schools"]["counts"]["good"] = value
    path = _write(tmp_path / "count.yaml", data)
    (line,) = _refused(run_cli, "evaluate", path, "--no-audit")
    assert ": profile-invalid: settings.secondary_schools.counts.good: " in line and message in line


@pytest.mark.parametrize("text", [".nan", ".inf", "-.inf", "1.0e400", "2.0e9"])
def test_a_comparator_that_is_not_a_finite_number_within_bounds_is_refused_before_explain_sees_it(run_cli, tmp_path, text):
    path = _write(tmp_path / "nan.yaml", CAMDEN.replace("NI_73: {value: 73.0", f"NI_73: {{value: {text}", 1))
    assert "NI_73: {value: " + text in path.read_text()
    for command in (("explain", path, "--why-not", "3"), ("evaluate", path, "--no-audit")):
        lines = _refused(run_cli, *command)
        assert any(": profile-invalid: indicators.NI_73.value: " in line for line in lines)


@pytest.mark.parametrize("cell", ["inf", "nan", "1e400", "-5", "100001", "2.5"])
def test_a_table_count_that_is_not_a_whole_number_in_range_is_a_located_problem(run_cli, tmp_path, cell):
    from engine.ingest.synthetic import write

    paths = write(tmp_path / "england", seed=3, councils=4)
    rows = list(csv.reader(paths["councils"].open(newline="")))
    column = rows[0].index("strengths")
    rows[2][column] = cell
    with paths["councils"].open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    code, _, err = run_cli("profiles", "build", "--councils", paths["councils"], "--settings", paths["settings"],
                           "--indicators", paths["indicators"], "--neighbours", paths["neighbours"], "--columns", paths["config"],
                           "-o", tmp_path / "profiles")
    assert code == 2 and "Traceback" not in err
    assert f"{paths['councils']}:3:{column + 1}: record-invalid: strengths: '{cell}' is not a whole number from 0 to 100,000" in err
    assert len(list((tmp_path / "profiles").glob("*.yaml"))) == 3  # the others are built


def test_a_vulnerable_gap_given_twice_is_refused_so_explain_stays_quick(run_cli, tmp_path):
    """Regression: 1,000 gap rows took explain 15 s; a group has one gap at a stage, so at most 20 rows exist."""
    data = _camden()
    data["vulnerable_gaps"] = [dict(data["vulnerable_gaps"][0]) for _ in range(150)]
    path = _write(tmp_path / "gaps.yaml", data)
    started = time.perf_counter()
    lines = _refused(run_cli, "explain", path, "--why-not", "3")
    assert time.perf_counter() - started < 5
    assert len(lines) == 149
    assert lines[0].endswith("profile-invalid: vulnerable_gaps: free_school_meals at key_stage_2 is given twice (first as item 1)")


# --- Text and codes -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, message", [
    ("Camden\nFinal band 4 (performs excellently)", "must not contain control characters (found U+000A"),
    ("Camden \x1b[31mred", "must not contain control characters (found U+001B"),
    ("\u200b\u200d\ufeff", "must contain a visible character"),
    ("Camden \u202eevil", "must not contain control characters (found U+202E"),
])
def test_an_authority_name_with_control_or_only_invisible_characters_is_refused(run_cli, tmp_path, name, message):
    data = _camden()
    data["authority"]["name"] = name
    path = _write(tmp_path / "name.yaml", data)
    (line,) = _refused(run_cli, "evaluate", path, "--no-audit")
    assert ": profile-invalid: authority.name: " in line and message in line
    assert "\n" not in line and "\x1b" not in line  # the message quotes the value as escapes


@pytest.mark.parametrize("code", ["../escaped", "/tmp/absolute", "a/b", "x" * 10_000, "two words"])
def test_a_council_code_that_is_not_a_safe_name_is_refused_in_a_profile(tmp_path, code):
    data = _camden()
    data["authority"]["code"] = code
    with pytest.raises(ProfileError) as caught:
        parse_profile(yaml.safe_dump(data), "code.yaml")
    assert [p.code for p in caught.value.problems] == ["profile-invalid"]
    assert "authority.code: String should match pattern" in caught.value.problems[0].message


def test_an_emoji_and_yaml_punctuation_in_a_name_are_just_characters(run_cli, tmp_path):
    name = 'Camden 🙂 "quoted" \\ # not a comment: *not an alias* &neither'
    path = _write(tmp_path / "emoji.yaml", _camden(authority={"name": name, "code": "202"}))
    code, out, err = run_cli("evaluate", path, "--no-audit", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["authority"] == name


# --- Judgements -------------------------------------------------------------------------------------

@pytest.mark.parametrize("band", ["true", "yes", "on"])
def test_a_boolean_is_not_a_band(run_cli, tmp_path, band):
    judgement = _write(tmp_path / "judgement.yaml", f"band: {band}\nassessor: A. Assessor\nreason: {REASON}\n")
    (line,) = _refused(run_cli, "evaluate", EXAMPLES / "cambridgeshire.yaml", "--no-audit", "--judgement", judgement)
    assert line.startswith(f"{judgement}:1:7: judgement-invalid: band: Value error, expected a number, not true or false")


@pytest.mark.parametrize("field", ["assessor", "reason"])
def test_an_assessor_or_reason_of_invisible_characters_only_is_refused_and_nothing_recorded(run_cli, audit_store_in_tmp, field):
    given = {"assessor": "A. Assessor", "reason": REASON, field: "\u200b\u200d\ufeff"}
    lines = _refused(run_cli, "evaluate", EXAMPLES / "cambridgeshire.yaml", "--override-band", "4",
                     "--assessor", given["assessor"], "--reason", given["reason"])
    assert lines == [f"--{field}:1:1: judgement-invalid: {field}: Value error, must contain a visible character (letters, digits, "
                     "punctuation); invisible characters alone say nothing"]
    assert not audit_store_in_tmp.exists()


def test_a_reason_may_run_over_lines_but_an_assessor_may_not(run_cli, tmp_path):
    judgement = _write(tmp_path / "judgement.yaml", {"band": 4, "assessor": "A. Assessor\nFinal band 1", "reason": "First.\nSecond."})
    (line,) = _refused(run_cli, "evaluate", EXAMPLES / "cambridgeshire.yaml", "--no-audit", "--judgement", judgement)
    assert "judgement-invalid: assessor: Value error, must not contain control characters (found U+000A" in line


# --- Rulesets -----------------------------------------------------------------------------------------

def test_a_ruleset_id_that_is_a_path_is_refused_before_it_names_a_file(run_cli, tmp_path):
    text = (ROOT / "rules" / "csa-2009.yaml").read_text(encoding="utf-8").replace("id: csa-2009", "id: ../../outside", 1)
    path = _write(tmp_path / "ruleset.yaml", text)
    lines = _refused(run_cli, "rules", "check", path)
    assert lines == [f"{path}:11:5: ruleset-invalid: id: String should match pattern '^[a-z0-9][a-z0-9-]{{0,63}}$' (got '../../outside')"]


@pytest.mark.parametrize("threshold", [".nan", ".inf", "yes"])
def test_a_threshold_that_is_not_a_finite_number_is_refused(run_cli, tmp_path, threshold):
    text = (ROOT / "rules" / "csa-2009.yaml").read_text(encoding="utf-8")
    old = "{measure: unannounced_inspection.areas_for_priority_action, at_least: 1}"
    assert text.count(old) == 1
    path = _write(tmp_path / "ruleset.yaml", text.replace(old, old.replace("at_least: 1", f"at_least: {threshold}")))
    lines = _refused(run_cli, "rules", "check", path)
    assert lines and all(": ruleset-invalid: limits.0.when.0.at_least" in line for line in lines)


# --- Tables for batch ----------------------------------------------------------------------------------

def _profiles_table(tmp_path: Path, change=None, name: str = "councils.csv") -> Path:
    table = profiles_to_table([yaml.safe_load(p.read_text()) for p in sorted(EXAMPLES.glob("*.yaml"))])
    if change:
        table = change(table)
    path = tmp_path / name
    table.to_csv(path, index=False)
    return path


def test_colliding_columns_are_refused_where_a_row_gives_both_and_repeated_ones_at_their_header(run_cli, tmp_path):
    # A column inside another is allowed (2010's dated history sits beside its single field) unless one row gives
    # both; then that row is refused at the inner column's cell.
    colliding = _profiles_table(tmp_path, lambda t: t.assign(**{"year.x": "1"}), "colliding.csv")
    lines = colliding.read_text().splitlines()
    columns = lines[0].split(",")
    code, _, err = run_cli("batch", colliding, "-o", tmp_path / "out.csv", "--no-audit")
    assert code == 2 and "Traceback" not in err
    assert err.splitlines() == [
        f"{colliding}:{row}:{columns.index('year.x') + 1}: table-invalid: column 'year.x' is inside column 'year', "
        "and this row gives both: a value cannot also have parts" for row in range(2, len(lines) + 1)]
    repeated = tmp_path / "repeated.csv"
    text = colliding.read_text().splitlines()
    repeated.write_text("\n".join([text[0].replace(",year.x", ",year"), *text[1:]]) + "\n")
    code, _, err = run_cli("batch", repeated, "-o", tmp_path / "out.csv", "--no-audit")
    assert code == 2 and err == (f"{repeated}:1:{columns.index('year.x') + 1}: table-invalid: column 'year' is named twice "
                                 f"(first as column {columns.index('year') + 1})\n")


def test_an_emoji_in_a_table_cell_is_a_character_not_a_yaml_escape(run_cli, tmp_path):
    def renamed(table):
        table.loc[0, "authority.name"] = "Camden 🙂 \"quoted\" \\ # not a comment"
        return table

    path = _profiles_table(tmp_path, renamed)
    code, out, err = run_cli("batch", path, "-o", tmp_path / "results.json", "--no-audit")
    assert code == 0, err
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results[0]["authority"] == "Camden 🙂 \"quoted\" \\ # not a comment"


def test_a_pipe_named_like_a_profile_in_a_batch_folder_is_not_read(run_cli, tmp_path):
    """Opening a pipe with no writer waits for ever: a folder's entries are read only when they are files."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "camden.yaml").write_text(CAMDEN, encoding="utf-8")
    os.mkfifo(folder / "pipe.yaml")
    code, out, err = run_cli("batch", folder, "-o", tmp_path / "results.csv", "--no-audit")
    assert code == 0, err
    assert "rated 1 council(s)" in out


def test_an_empty_header_cell_named_like_a_written_one_is_refused_and_a_blank_header_line_reads_no_names(tmp_path):
    from engine.errors import BuildError
    from engine.ingest.tables import read_table

    named = tmp_path / "named.csv"
    named.write_text(",column 1\nx,y\n", encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        read_table(named, BuildError)
    assert [str(p) for p in caught.value.problems] == [
        f"{named}:1:2: table-invalid: column 'column 1' is named twice (first as column 1)"]
    blank = tmp_path / "blank.csv"
    blank.write_text("x,y\n\nb,b\n", encoding="utf-8")
    assert list(read_table(blank, BuildError, header_row=2).columns) == []
