"""Profiles built from inspection records, indicators and neighbours; the synthetic England they come from."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
import yaml

from engine import evaluate_text, letter, load_profile, parse_profile
from engine.errors import BuildError
from engine.ingest.build import Tables, build_profiles, load_column_config
from engine.ingest.synthetic import generate, write


@pytest.fixture(scope="module")
def small_england(tmp_path_factory) -> dict[str, Path]:
    return write(tmp_path_factory.mktemp("england"), seed=11, councils=12)


def _tables(paths: dict[str, Path]) -> Tables:
    return Tables(paths["councils"], paths["settings"], paths["indicators"], paths["neighbours"])


def _build(paths):
    return build_profiles(_tables(paths), load_column_config(paths["config"]))


def _edit(path: Path, change) -> None:
    rows = list(csv.reader(path.open(newline="")))
    change(rows)
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def _copy(paths: dict[str, Path], directory: Path) -> dict[str, Path]:
    directory.mkdir()
    out = {}
    for name, path in paths.items():
        out[name] = directory / path.name
        out[name].write_bytes(path.read_bytes())
    return out


def test_synthetic_england_is_seeded_labelled_and_the_size_of_england():
    small, again = generate(seed=5, councils=8), generate(seed=5, councils=8)
    assert small.settings.equals(again.settings) and small.indicators.equals(again.indicators)
    assert not generate(seed=6, councils=8).settings["Overall effectiveness"].equals(small.settings["Overall effectiveness"])
    england = generate(seed=2009)
    assert len(england.councils) == 152
    assert england.councils["LA name"].str.endswith("(synthetic)").all()
    assert england.councils["LA code"].str.startswith("SYN").all()
    assert 20_000 <= len(england.settings) <= 150_000
    assert england.neighbours.groupby("LA code").size().eq(10).all()


def test_every_built_profile_validates_and_names_its_council(small_england):
    result = _build(small_england)
    assert result.problems == []
    assert len(result.profiles) == 12
    for code, profile in result.profiles.items():
        loaded = parse_profile(yaml.safe_dump(profile), f"{code}.yaml")
        assert loaded.profile.authority.code == code and loaded.profile.year == 2009


def test_comparators_are_computed_from_the_records(small_england):
    result = _build(small_england)
    records = pd.read_csv(small_england["settings"], dtype=str)
    primary = records[records["Provision type"] == "Primary school"]
    good = primary["Overall effectiveness"].isin(["1", "2"])
    national = good.sum() / len(primary)
    neighbours = pd.read_csv(small_england["neighbours"], dtype=str)
    council = "SYN003"
    similar = neighbours.loc[neighbours["LA code"] == council, "Neighbour LA code"]
    pooled = primary[primary["LA code"].isin(similar)]
    evidence = result.profiles[council]["settings"]["primary_schools"]
    assert evidence["national"]["good_or_better"] == round(national, 3)
    assert evidence["similar_areas"]["good_or_better"] == round(pooled["Overall effectiveness"].isin(["1", "2"]).mean(), 3)
    own = primary[primary["LA code"] == council]["Overall effectiveness"]
    assert evidence["counts"].get("inadequate", 0) == (own == "4").sum()

    values = pd.read_csv(small_england["indicators"], dtype={"LA code": str})
    ni73 = values[values["Indicator"] == "NI_73"].set_index("LA code")["Value"]
    built = result.profiles[council]["indicators"]["NI_73"]
    assert built["national"] == round(ni73.mean(), 2)
    assert built["similar_areas"] == round(ni73.reindex(similar).mean(), 2)


def test_unusable_rows_are_reported_with_their_cell_and_the_rest_built(small_england, tmp_path):
    paths = _copy(small_england, tmp_path / "broken")

    def break_settings(rows):
        rows[5][3] = "7"  # line 6: impossible grade
        rows[9][1] = "SYN999"  # line 10: unknown council
        rows[12][2] = "Primary shcool"  # line 13: unknown setting type
        rows.append(list(rows[20]))  # a duplicate provider, first on line 21

    _edit(paths["settings"], break_settings)
    _edit(paths["indicators"], lambda rows: rows[3].__setitem__(2, "n/a"))  # line 4: not a number
    result = _build(paths)
    file = str(paths["settings"])
    found = [(p.file, p.line, p.column, p.code) for p in result.problems]
    last_line = len(list(csv.reader(paths["settings"].open())))
    assert found == sorted([
        (file, 6, 4, "impossible-grade"), (file, 10, 2, "unknown-council"), (file, 13, 3, "unknown-setting-type"),
        (file, last_line, 1, "duplicate-record"), (str(paths["indicators"]), 4, 3, "record-invalid"),
    ])
    assert any("did you mean 'Primary school'" in str(p) for p in result.problems)
    assert len(result.profiles) == 12  # every council still gets a profile, without the rows left out
    clean = _build(small_england)
    council = list(csv.reader(small_england["settings"].open()))[5][1]
    counted = lambda r: sum(sum(e.get("counts", {}).values()) + ("grade" in e) for e in r.profiles[council]["settings"].values())  # noqa: E731
    assert council == "SYN001"  # lines 6, 10 and 13 were all its settings: three left out, the duplicate not counted
    assert counted(result) == counted(clean) - 3


def test_a_second_fostering_agency_for_a_council_is_a_duplicate(small_england, tmp_path):
    paths = _copy(small_england, tmp_path / "twice")

    def add_agency(rows):
        rows.append(["999999", "SYN001", "Local authority fostering agency", "1", "2009-01-05"])

    _edit(paths["settings"], add_agency)
    (problem,) = _build(paths).problems
    assert (problem.code, problem.column) == ("duplicate-record", 3)
    assert "has one fostering agency" in problem.message


def test_a_column_config_with_an_unknown_key_is_refused_with_its_location(tmp_path):
    config = tmp_path / "columns.yaml"
    config.write_text("settings:\n  columns: {provider: URN}\n  setting_typos: {}\n")
    with pytest.raises(BuildError) as caught:
        load_column_config(config)
    (problem,) = caught.value.problems
    assert (problem.code, problem.line, problem.column) == ("column-config-invalid", 3, 3)
    assert "did you mean 'setting_types'" in str(problem)


def test_a_table_without_a_mapped_column_names_what_it_has(small_england):
    with pytest.raises(BuildError) as caught:
        build_profiles(_tables(small_england))  # the default names are not the synthetic extract's
    (problem,) = caught.value.problems
    assert problem.code == "table-missing-column" and "LA code" in problem.message


def test_cli_builds_profiles_and_exits_2_when_rows_were_left_out(run_cli, small_england, tmp_path):
    paths = _copy(small_england, tmp_path / "cli")
    _edit(paths["settings"], lambda rows: rows[5].__setitem__(3, "excellent"))
    out_dir = tmp_path / "profiles"
    code, out, err = run_cli("profiles", "build", "--councils", paths["councils"], "--settings", paths["settings"],
                             "--indicators", paths["indicators"], "--neighbours", paths["neighbours"],
                             "--columns", paths["config"], "-o", out_dir)
    assert code == 2
    assert err == f"{paths['settings']}:6:4: impossible-grade: 'excellent' is not a grade " \
                  "(give 1-4 or one of: outstanding, good, satisfactory, inadequate)\n"
    assert out == f"built 12 profile(s) into {out_dir}; 1 row(s) reported and left out\n"
    written = sorted(out_dir.glob("*.yaml"))
    assert len(written) == 12 and written[0].read_text().startswith("# SYNTHETIC")


def test_a_built_profile_says_its_values_are_derived_and_the_stamp_changes_no_band(run_cli, small_england, tmp_path):
    out_dir = tmp_path / "profiles"
    code, _, _ = run_cli("profiles", "build", "--councils", small_england["councils"], "--settings", small_england["settings"],
                         "--indicators", small_england["indicators"], "--neighbours", small_england["neighbours"],
                         "--columns", small_england["config"], "-o", out_dir)
    assert code == 0
    written = sorted(out_dir.glob("*.yaml"))
    assert len(written) == 12
    bands = set()
    for path in written:
        provenance = load_profile(path).profile.provenance
        assert provenance is not None and provenance.default == "derived" and provenance.values == []
        assert provenance.of("settings.childminders.counts.good").kind == "derived"
        unstamped = yaml.safe_load(path.read_text())
        del unstamped["provenance"]
        before = evaluate_text(yaml.safe_dump(unstamped, sort_keys=False), str(path)).decision
        after = evaluate_text(path.read_text(), str(path)).decision
        assert (after.status, after.proposed_band, after.final_band, after.fired_rules) == \
            (before.status, before.proposed_band, before.final_band, before.fired_rules)
        bands.add(after.final_band)
    assert len(bands) > 1  # the councils' bands differ, so the same band before and after is not the only band there is
    # derived values are stated as findings; the same values stamped illustrative make the letter a draft naming them
    assert "[illustrative]" not in letter(written[0])
    written[0].write_text(written[0].read_text().replace("default: derived", "default: illustrative"))
    assert "[illustrative]" in letter(written[0])


def test_cli_writes_a_synthetic_england(run_cli, tmp_path):
    code, out, _ = run_cli("profiles", "synthetic", tmp_path, "--councils", "5", "--seed", "3")
    assert code == 0 and out.endswith("SYNTHETIC: generated data, not real councils.\n")
    assert len(pd.read_csv(tmp_path / "synthetic-councils.csv")) == 5
