"""`engine rules diff OLD NEW PROFILES...`: every council evaluated with both rulesets, the bands before and after
and the rules, rows and limits whose firing changed; the counts agree with two batch runs."""
from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from engine import evaluate_file
from engine.load.ruleset import load_ruleset
from engine.sensitivity.diff import CSV_COLUMNS, council_diff, rules_diff

from .conftest import EXAMPLES, ROOT
from .helpers import batch_with, examples_of_year, ruleset_with, synthetic_profiles

SHIPPED = ROOT / "rules" / "csa-2009.yaml"
VERSION = load_ruleset(SHIPPED).ruleset.version
# Within what the rule cases allow (engine rules sensitivity), so the draft is one an analyst could ship.
STRICTER = (("the_majority: 0.5\n", "the_majority: 0.55\n"),
            ("the_majority}\n      - {measure: settings.share_inadequate, at_most: 0.05}",
            "the_majority}\n      - {measure: settings.share_inadequate, at_most: 0.03}"))


@pytest.fixture
def draft(tmp_path) -> Path:
    return ruleset_with(tmp_path, "draft.yaml", *STRICTER)


@pytest.fixture
def examples(tmp_path) -> Path:
    """The 2009 example profiles: the ones the 2009 ruleset's catalogue describes."""
    return examples_of_year(tmp_path, 2009)


def bands_with(ruleset: Path, profiles: Path, tmp_path: Path, monkeypatch) -> dict[str, tuple[int, int]]:
    """A batch run with ``ruleset`` as rules/ holds it: authority -> (proposed band, final band)."""
    results = batch_with(ruleset.read_text(), profiles, tmp_path, monkeypatch)
    return {row.authority: (row.proposed_band, row.final_band) for row in results.itertuples()}


def test_the_diff_lists_every_council_that_moves_and_its_counts_agree_with_two_batch_runs(draft, tmp_path, monkeypatch):
    profiles = synthetic_profiles(tmp_path, councils=40)
    diff = rules_diff(SHIPPED, draft, [profiles])
    before, after = bands_with(SHIPPED, profiles, tmp_path, monkeypatch), bands_with(draft, profiles, tmp_path, monkeypatch)
    assert diff.failures == [] and len(diff.councils) == len(before) == 40
    moved = {name for name in before if before[name] != after[name]}
    assert moved, "the draft must move some council for this test to mean anything"
    assert {c.authority for c in diff.councils if c.band_changed} == moved
    for c in diff.councils:
        assert (c.proposed_band_before, c.final_band_before) == before[c.authority]
        assert (c.proposed_band_after, c.final_band_after) == after[c.authority]
        if c.band_changed:
            assert c.changed_rules, c.authority  # a band never moves without a rule, row or limit changing
    summary = diff.summary()
    finals = Counter("up" if after[n][1] > before[n][1] else "down" if after[n][1] < before[n][1] else "unchanged" for n in before)
    assert (summary["up"], summary["down"], summary["unchanged"]) == (finals["up"], finals["down"], finals["unchanged"])
    assert summary["newly_withheld"] == 0 and summary["councils"] == 40
    assert diff.distribution(True) == {**{str(b): sum(v[1] == b for v in after.values()) for b in (4, 3, 2, 1)}, "withheld": 0}


def test_each_changed_rule_says_which_way_it_changed_and_why(draft, tmp_path):
    diff = rules_diff(SHIPPED, draft, [synthetic_profiles(tmp_path, councils=40)])
    changes = [change for c in diff.councils for change in c.changed_rules]
    stopped = [ch for ch in changes if ch.id == "settings_good" and ch.fired_before and not ch.fired_after]
    assert stopped and all(ch.part == "rules" and ch.why.startswith("after: settings.") and ", needs " in ch.why for ch in stopped)
    assert any(ch.why.startswith("after: settings.share_inadequate = ") and ch.why.endswith(", needs at most 0.03") for ch in stopped)
    rows = [ch for ch in changes if ch.part == "decision table"]
    assert rows and all(ch.why.startswith(("before: grades ", "after: grades ")) for ch in rows)


def test_two_versions_of_the_same_ruleset_change_nothing(tmp_path, examples):
    same = ruleset_with(tmp_path, "same.yaml", (f"version: {VERSION}", "version: 99.0.0"))
    diff = rules_diff(SHIPPED, same, [examples])
    assert all(not c.band_changed and not c.changed_rules for c in diff.councils)
    assert diff.summary()["unchanged"] == len(list(examples.glob("*.yaml")))


def test_across_years_the_same_profiles_are_rated_by_each_years_ruleset(tmp_path, examples):
    later = sorted(p for p in (ROOT / "rules").glob("*.yaml") if load_ruleset(p).ruleset.year > 2009)
    # Until the later years' rulesets arrive, a stand-in 2010 ruleset: 2009's with the one-grade step made a cap at 1.
    new = later[0] if later else ruleset_with(tmp_path, "csa-2010.yaml", ("year: 2009", "year: 2010"),
                                              ("effect: {lower_by: 1}", "effect: {cap: 1}"))
    diff = rules_diff(SHIPPED, new, [examples])
    assert diff.failures == [] and {c.year for c in diff.councils} == {2009}  # the profiles' own year
    assert diff.new.ruleset.year > diff.old.ruleset.year
    if not later:
        eastbridge = next(c for c in diff.councils if c.authority.startswith("Eastbridge"))
        assert (eastbridge.final_band_before, eastbridge.final_band_after, eastbridge.movement) == (2, 1, "down")


def test_a_decision_that_withholds_the_band_counts_as_newly_withheld(tmp_path, examples):
    # The 2010 ruleset withholds a rating while an inspection is pending; a draft that waits for two does not.
    csa_2010 = ROOT / "rules" / "csa-2010.yaml"
    waits = ruleset_with(tmp_path, "waits.yaml", ("{measure: inspections.pending, at_least: 1}", "{measure: inspections.pending, at_least: 2}"),
                         source=csa_2010)
    diff = rules_diff(waits, csa_2010, [EXAMPLES / "ashcombe-2010-withheld.yaml"])
    (c,) = diff.councils
    assert diff.failures == [] and c.final_band_before is not None
    assert (c.status_before, c.status_after, c.final_band_after, c.proposed_band_after, c.movement) == (
        "rated", "withheld", None, None, "newly withheld")
    assert c.band_changed and c.as_dict()["final_band_after"] is None
    assert [(ch.id, ch.fired_before, ch.fired_after) for ch in c.changed_rules if ch.part == "withhold"] == [
        ("withhold_pending_inspection", False, True)]
    assert diff.summary()["newly_withheld"] == 1 and diff.distribution(True)["withheld"] == 1
    back = rules_diff(csa_2010, waits, [EXAMPLES / "ashcombe-2010-withheld.yaml"]).councils[0]
    assert (back.status_before, back.status_after, back.movement) == ("withheld", "rated", "no longer withheld")
    # A decision made withheld by hand counts the same way.
    decision = evaluate_file(examples / "camden.yaml")
    withheld = decision.model_copy(update={"status": "withheld", "final_band": None, "proposed_band": None, "limited_band": None})
    loaded = load_ruleset(SHIPPED)
    c = council_diff(decision, withheld, loaded.ruleset, loaded.ruleset, "camden.yaml")
    assert (c.status_before, c.status_after, c.final_band_after, c.movement) == ("rated", "withheld", None, "newly withheld")


def test_json_has_an_object_per_council_changed_or_not_and_csv_a_row_each(run_cli, draft, tmp_path):
    profiles = synthetic_profiles(tmp_path, councils=40)
    code, out, _ = run_cli("rules", "diff", SHIPPED, draft, profiles, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert len(data["councils"]) == 40 and data["summary"]["councils"] == 40
    for council in data["councils"]:
        assert {"authority", "year", "proposed_band_before", "proposed_band_after", "final_band_before", "final_band_after",
                "changed_rules"} <= set(council)
    assert any(c["changed_rules"] and c["final_band_before"] != c["final_band_after"] for c in data["councils"])
    code, out, _ = run_cli("rules", "diff", SHIPPED, draft, profiles, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 40 and list(rows[0]) == CSV_COLUMNS


def test_text_gives_the_summary_then_each_council_whose_band_changes(run_cli, draft, tmp_path):
    code, out, _ = run_cli("rules", "diff", SHIPPED, draft, synthetic_profiles(tmp_path, councils=40))
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith(f"old: {SHIPPED} (csa-2009 {VERSION}, sha256 ")
    assert lines[2] == "40 council(s) evaluated with both"
    assert lines[3].startswith("final band: ") and "Councils whose band changes:" in lines
    first = lines[lines.index("Councils whose band changes:") + 1]
    assert ": final " in first and lines[lines.index(first) + 1].startswith("    ")


def test_a_profile_that_cannot_be_evaluated_is_located_and_the_rest_are_diffed(run_cli, draft, tmp_path, examples):
    folder = tmp_path / "profiles"
    shutil.copytree(examples, folder)
    (folder / "broken.yaml").write_text((examples / "camden.yaml").read_text().replace("\nyear: 2009\n", "\nyear: 2009\nyeer: 1\n"))
    code, out, err = run_cli("rules", "diff", SHIPPED, draft, folder)
    assert code == 2
    assert err.startswith(f"{folder / 'broken.yaml'}:") and "profile-unknown-key" in err
    assert "4 council(s) evaluated with both; 1 could not be (see above)" in out


def test_a_ruleset_that_does_not_load_is_refused_with_its_location(run_cli, tmp_path, examples):
    bad = ruleset_with(tmp_path, "bad.yaml", ("a_large_majority: 0.65", "a_large_majority: 0.95"))
    code, out, err = run_cli("rules", "diff", SHIPPED, bad, examples)
    assert code == 2 and out == ""
    assert f"{bad}:" in err and "thresholds-unordered" in err
