"""`engine rules sensitivity RULESET --profiles DIR`: councils' bands as each threshold moves; the table agrees with
batch runs through the whole engine at the same values."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from engine.decide.pipeline import evaluate_text
from engine.load.ruleset import load_ruleset
from engine.sensitivity.sweep import format_text, sensitivity_over_councils
from engine.sensitivity.thresholds import edited_text

from .helpers import batch_with, examples_of_year, synthetic_profiles
from .sensitivity_results import swept

ROOT = Path(__file__).resolve().parent.parent
CSA_2009 = ROOT / "rules" / "csa-2009.yaml"
CASES = ROOT / "rules" / "cases" / "csa-2009"
VERSION = load_ruleset(CSA_2009).ruleset.version


@pytest.fixture(scope="module")
def councils(tmp_path_factory) -> Path:
    return synthetic_profiles(tmp_path_factory.mktemp("councils"), councils=12)


def batch_bands(variant_text: str, councils: Path, folder: Path, monkeypatch) -> list[int]:
    return list(batch_with(variant_text, councils, folder, monkeypatch).sort_values("source")["final_band"])


def test_the_table_agrees_with_batch_runs_at_the_same_values(councils, tmp_path, monkeypatch):
    result = swept(councils)
    baseline = batch_bands(CSA_2009.read_text(), councils, tmp_path, monkeypatch)
    assert len(result.councils) == 12
    checked = 0
    for s in result.sweeps:
        # the value where most councils move (the nearest the ruleset's value, among equals)
        for value in [max(s.rows, key=lambda r: (r.changed, -abs(r.value - s.threshold.value))).value]:
            bands = batch_bands(edited_text(result.ruleset, {s.threshold: value}), councils, tmp_path, monkeypatch)
            row = s.row(value)
            assert dict(Counter(bands)) == {b: n for b, n in row.bands.items() if n}, (s.threshold.path, value)
            assert sum(a != b for a, b in zip(bands, baseline, strict=True)) == row.changed, (s.threshold.path, value)
            checked += 1
    assert checked >= len(result.sweeps)
    assert any(s.per_point > 0 for s in result.sweeps)  # the check above compared some moves, not only no change


def test_the_threshold_that_moves_the_most_councils_per_point_is_named(councils):
    result = swept(councils)
    best = result.most_sensitive(whole=False)
    assert best is not None and not best.threshold.whole
    assert best.per_point == max(s.per_point for s in result.sweeps if not s.threshold.whole) > 0
    for s in result.sweeps:
        as_is = s.row(s.threshold.value)
        assert as_is.changed == 0 and sum(as_is.bands.values()) == 12
        assert s.moved_in_interval is None or s.moved_in_interval <= s.moved_in_range


def test_the_text_gives_a_table_per_threshold_and_names_the_most_sensitive(councils):
    lines = format_text(swept(councils)).splitlines()
    assert lines[0] == f"Councils' final bands as each threshold of csa-2009 {VERSION} moves, over 12 councils."
    assert any(line.startswith("Most councils per point (shares and tolerances, a point 0.01): ") for line in lines)
    assert sum(line.endswith("<- as it is") for line in lines) == len(swept(councils).sweeps)


def test_a_withheld_council_is_counted_as_withheld_and_the_table_agrees_with_the_engine(tmp_path):
    """2010 withholds a rating while an inspection is pending: the council is in the withheld column, and moving
    the withhold rule's bound moves it into a band, as the whole engine says at each value."""
    csa_2010 = ROOT / "rules" / "csa-2010.yaml"
    profiles = sorted(examples_of_year(tmp_path, 2010).glob("*.yaml"))
    result = sensitivity_over_councils(load_ruleset(csa_2010), profiles)
    assert result.failures == []
    for s in result.sweeps:
        assert s.row(s.threshold.value).bands.get(None) == 1, s.threshold.path  # Ashcombe, as it is
    withhold = next(s for s in result.sweeps if s.threshold.path == "withhold.withhold_pending_inspection.when.0.at_least")
    assert withhold.moved_in_range > 0
    for row in withhold.rows:
        variant = tmp_path / "variant.yaml"
        variant.write_text(edited_text(result.ruleset, {withhold.threshold: row.value}), encoding="utf-8")
        bands = [evaluate_text(p.read_text(), str(p), variant).decision.final_band for p in profiles]
        assert dict(Counter(bands)) == {b: n for b, n in row.bands.items() if n}, row.value


def test_cli_json_carries_the_councils_table_for_each_threshold(run_cli, tmp_path):
    few = ["--cases", CASES / "camden.yaml", "--cases", CASES / "cambridgeshire.yaml"]
    examples = examples_of_year(tmp_path, 2009)  # the 2009 ruleset's own profiles
    code, out, _ = run_cli("rules", "sensitivity", CSA_2009, "--profiles", examples, *few, "--format", "json")
    data = json.loads(out)
    assert code == 0 and all({"threshold", "low", "high", "bounded_by", "councils"} <= set(d) for d in data)
    table = data[0]["councils"]["table"]
    assert all(sum(row[k] for k in ("4", "3", "2", "1", "withheld")) == 4 for row in table)


def test_the_page_needs_profiles_and_an_html_name(run_cli, tmp_path):
    code, _, err = run_cli("rules", "sensitivity", CSA_2009, "-o", tmp_path / "page.html", "--cases", CASES / "camden.yaml")
    assert code == 2 and "give --profiles" in err
    assert not (tmp_path / "page.html").exists()
