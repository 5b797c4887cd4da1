"""Rating many councils at once: folders, files and tables in; one row per council out; failures located."""
from __future__ import annotations

import shutil
from collections import Counter

import pandas as pd
import pytest
import yaml

from engine import evaluate_file
from engine.batch.run import evaluate_batch, rate_all, summary
from engine.ingest.build import Tables, build_profiles, load_column_config
from engine.ingest.profile_table import profiles_to_table
from engine.ingest.synthetic import write

KNOWN = {"London Borough of Camden": (4, 4), "Cambridgeshire County Council": (3, 3)}


@pytest.fixture
def profiles_dir(examples, tmp_path):
    folder = tmp_path / "profiles"
    shutil.copytree(examples, folder)
    return folder


def test_a_folder_of_profiles_gives_a_row_per_council_with_bands_and_decisive_rules(profiles_dir):
    result = evaluate_batch([profiles_dir])
    frame = result.results.set_index("authority")
    assert result.failures == []
    assert len(frame) == len(list(profiles_dir.glob("*.yaml")))
    for authority, (proposed, final) in KNOWN.items():
        assert (frame.at[authority, "proposed_band"], frame.at[authority, "final_band"]) == (proposed, final)
    camden = frame.loc["London Borough of Camden"]
    assert camden["decisive_rules"] == "indicators_excellent; settings_excellent; both_excellent"
    for path in profiles_dir.glob("*.yaml"):  # the same decisions as one at a time
        decision = evaluate_file(path)
        row = frame.loc[decision.authority]
        assert row["status"] == decision.status
        assert tuple(None if pd.isna(row[c]) else row[c] for c in ("proposed_band", "limited_band", "final_band")) == (
            decision.proposed_band, decision.limited_band, decision.final_band)
        assert row["limits"] == "; ".join(limit.limit_id for limit in decision.limits if limit.binding)


def test_an_invalid_profile_is_reported_with_its_location_and_the_rest_are_rated(profiles_dir):
    broken = profiles_dir / "broken.yaml"
    text = (profiles_dir / "camden.yaml").read_text().replace("\nyear: 2009\n", "\nyear: 2009\nyeer: 2010\n")
    broken.write_text(text)
    result = evaluate_batch([profiles_dir])
    (failure,) = result.failures
    (problem,) = failure.problems
    assert (problem.file, problem.code) == (str(broken), "profile-unknown-key")
    assert problem.line == text.splitlines().index("yeer: 2010") + 1 and "did you mean 'year'" in str(problem)
    assert len(result.results) == len(list(profiles_dir.glob("*.yaml"))) - 1


def test_a_table_row_per_council_is_rated_and_a_bad_cell_is_located_on_its_row_and_column(examples, tmp_path):
    profiles = [yaml.safe_load(p.read_text()) for p in sorted(examples.glob("*.yaml"))]
    table = profiles_to_table(profiles).astype(object)
    column = "settings.secondary_schools.counts.good"
    table.loc[1, column] = "three"
    path = tmp_path / "councils.xlsx"
    table.to_excel(path, index=False)
    result = evaluate_batch([path])
    (failure,) = result.failures
    (problem,) = failure.problems
    assert (problem.file, problem.line, problem.column) == (str(path), 3, list(table.columns).index(column) + 1)
    assert problem.code == "profile-invalid" and "'three'" in problem.message
    rated = result.results.set_index("authority")
    assert len(rated) == len(profiles) - 1
    for path_ in examples.glob("*.yaml"):
        decision = evaluate_file(path_)
        if decision.authority in rated.index:  # a row gives the same decision as its YAML file
            assert rated.at[decision.authority, "input_hash"] == decision.input_hash


@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet"])
def test_results_are_written_in_the_format_the_file_name_gives(run_cli, profiles_dir, tmp_path, suffix):
    output = tmp_path / f"results{suffix}"
    code, out, _ = run_cli("batch", profiles_dir, "-o", output, "--no-audit")
    assert code == 0 and out.startswith(f"wrote {output}\n")
    read = {".csv": pd.read_csv, ".json": pd.read_json, ".parquet": pd.read_parquet}[suffix](output)
    assert sorted(read["final_band"].dropna().astype(int).tolist()) == sorted(
        evaluate_batch([profiles_dir]).results["final_band"].dropna().tolist())
    assert read["final_band"].isna().sum() == (read["status"] == "withheld").sum() == 1


def test_cli_prints_failures_then_the_band_distribution_and_limited_councils_and_exits_2(run_cli, profiles_dir, tmp_path):
    (profiles_dir / "broken.yaml").write_text("authority: {name: Nowhere}\nyear: 2009\nsettings: {playgrounds: {grade: good}}\n")
    output = tmp_path / "results.csv"
    code, out, err = run_cli("batch", profiles_dir, "-o", output, "--no-audit")
    assert code == 2
    assert err == f"{profiles_dir / 'broken.yaml'}:3:12: unknown-setting-type: unknown setting type 'playgrounds'\n"
    assert "rating" not in err  # no progress bar when standard error is not a terminal
    assert out.splitlines() == [
        f"wrote {output}",
        "rated 7 council(s); 1 withheld; 1 could not be rated (see above)",
        "rulesets used: csa-2009 1.3.1 (rules/csa-2009.yaml); csa-2010 1.3.0 (rules/csa-2010.yaml); csa-2011 1.2.2 (rules/csa-2011.yaml)",
        "  4 performs excellently       2 (29%)",
        "  3 performs well              1 (14%)",
        "  2 performs adequately        1 (14%)",
        "  1 performs poorly            3 (43%)",
        "withheld (no band published): 1 council(s)",
        "  Ashcombe County Council (fictional): withhold_pending_inspection",
        "band limited: 4 council(s)",
        "  Eastbridge City Council (fictional): 3 -> 2 (limit_priority_actions)",
        "  Northfield Borough Council (fictional): 3 -> 1 (limit_safeguarding_inadequate)",
        "  Staffordshire County Council: 3 -> 1 (limit_unresolved_priority_actions)",
        "  Westmoor Metropolitan Borough Council (fictional): 3 -> 1 (limit_safeguarding_inadequate_not_lifted)",
    ]
    written = pd.read_csv(output)
    assert len(written) == 8  # the withheld council is written too, its bands empty
    withheld = written.set_index("authority").loc["Ashcombe County Council (fictional)"]
    assert withheld["status"] == "withheld" and pd.isna(withheld["final_band"]) and withheld["withheld_by"] == "withhold_pending_inspection"


def test_every_evaluation_goes_to_the_audit_trail(run_cli, profiles_dir, tmp_path):
    pytest.importorskip("engine.audit")
    from engine.audit.store import AuditStore

    store = tmp_path / "audit.sqlite"
    code, out, _ = run_cli("batch", profiles_dir, "-o", tmp_path / "r.csv", "--audit", store)
    assert code == 0 and f"audit trail: 8 evaluation(s) recorded in {store}" in out
    with AuditStore(store) as audit:
        records = audit.records()
        assert audit.verify().ok
    assert sorted(r.authority for r in records) == sorted(pd.read_csv(tmp_path / "r.csv")["authority"])
    assert set(pd.read_csv(tmp_path / "r.csv")["audit_record"]) == {r.record_id for r in records}


def test_a_wrong_output_extension_is_refused_before_any_work(run_cli, profiles_dir, tmp_path):
    code, out, err = run_cli("batch", profiles_dir, "-o", tmp_path / "results.txt", "--no-audit")
    assert code == 2 and out == ""
    assert err.startswith(f"{tmp_path / 'results.txt'}:1:1: table-invalid: cannot write a '.txt' table")


def test_rate_all_gives_a_dataframe_for_notebooks(profiles_dir):
    frame = rate_all(profiles_dir)
    assert isinstance(frame, pd.DataFrame) and frame["final_band"].dtype.kind == "i"
    assert frame.attrs["failures"] == []


def test_synthetic_england_built_from_records_is_rated_with_a_spread_near_2009s(tmp_path):
    paths = write(tmp_path, seed=2009)
    built = build_profiles(Tables(paths["councils"], paths["settings"], paths["indicators"], paths["neighbours"]),
                           load_column_config(paths["config"]))
    assert built.problems == [] and len(built.profiles) == 152
    table = tmp_path / "profiles.parquet"
    profiles_to_table(list(built.profiles.values())).to_parquet(table)
    result = evaluate_batch([table])
    assert result.failures == []
    spread = Counter(result.results["final_band"])
    published = {4: 10, 3: 93, 2: 40, 1: 9}  # 2009's outcome for the 152 councils
    for band, n in published.items():
        assert abs(spread[band] - n) <= max(3, n // 5), (band, spread)
    assert any(line.startswith("band limited: ") for line in summary(result))
