"""`engine rules calibrate`: threshold values within what the rule cases allow that reproduce the most published
bands, a proposed ruleset written to a new file, and the rules diff of its effect."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engine.authoring.rule_tests import run_rule_tests
from engine.batch.run import collect, evaluate_source
from engine.errors import ProfileError
from engine.sensitivity.calibrate import calibrate, format_text

from .helpers import ruleset_with, synthetic_profiles

ROOT = Path(__file__).resolve().parent.parent
CSA_2009 = ROOT / "rules" / "csa-2009.yaml"
# The "known altered ruleset" that made the published bands: two thresholds moved within what the cases allow.
ALTERED = (("the_majority: 0.5\n", "the_majority: 0.55\n"),
           ("the_majority}\n      - {measure: settings.share_inadequate, at_most: 0.05}",
            "the_majority}\n      - {measure: settings.share_inadequate, at_most: 0.03}"))
COUNCILS = 40
SMALL = 12


def published_by(ruleset: Path, profiles: Path, target: Path, overrides: dict[str, str] | None = None) -> Path:
    """A table of published outcomes: each council's final band under ``ruleset``, through the whole engine."""
    sources, failures = collect([profiles])
    assert failures == []
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["authority", "year", "published_band"])
        for source in sources:
            decision = evaluate_source(source, ruleset).decision
            writer.writerow([decision.authority_code, decision.year, (overrides or {}).get(decision.authority_code, decision.final_band)])
    return target


def england(folder: Path, councils: int) -> tuple[Path, Path, Path]:
    """Profiles of a synthetic England, the altered ruleset and the outcomes it publishes."""
    profiles = synthetic_profiles(folder, councils=councils)
    altered = ruleset_with(folder, "altered.yaml", *ALTERED)
    return profiles, altered, published_by(altered, profiles, folder / "published.csv")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, Path, Path]:
    return england(tmp_path_factory.mktemp("england"), COUNCILS)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A dozen councils, for what does not need the search to find anything."""
    return england(tmp_path_factory.mktemp("small"), SMALL)


def test_calibrate_recovers_published_bands_at_least_as_well_as_the_ruleset_that_made_them(synthetic, tmp_path):
    profiles, altered, published = synthetic
    proposed = tmp_path / "proposed.yaml"
    result = calibrate(CSA_2009, published, [profiles], proposed)
    # The altered ruleset gives every council its published band, by construction; the shipped one does not.
    assert result.councils == COUNCILS and result.before < COUNCILS
    assert result.after >= COUNCILS and result.missed == []
    assert result.moves and all(m.interval.contains(m.after) for m in result.moves)
    # What the search predicted is what the whole engine gives with the proposed file.
    assert result.diff.new.path == str(proposed)
    assert sum(c.band_changed for c in result.diff.councils) >= COUNCILS - result.before
    # Every rule case still passes with the proposed ruleset, run as `engine rules test --ruleset` runs them.
    assert run_rule_tests(ruleset=proposed).passed
    text = proposed.read_text()
    assert text.splitlines()[1].startswith(f"# PROPOSED by `engine rules calibrate` from {CSA_2009}")
    assert "# Ofsted's words for proportions" in text  # the original's comments kept


def test_the_report_gives_agreement_moves_missed_councils_and_the_diff(synthetic, tmp_path):
    profiles, altered, _ = synthetic
    codes = sorted(p.stem for p in profiles.glob("*.yaml"))
    published = published_by(altered, profiles, tmp_path / "noisy.csv", {codes[0]: "4"})  # one band no threshold explains
    only = ["proportions.the_majority", "rules.settings_good.when.1.at_most"]
    result = calibrate(CSA_2009, published, [profiles], tmp_path / "proposed.yaml", only=only)
    assert [m.after for m in result.moves] and {m.threshold.path for m in result.moves} <= set(only)
    (missed,) = [m for m in result.missed if m.authority_code == codes[0]]
    assert missed.published == 4 and missed.final != 4 and missed.decisive  # named with the rules that decided it
    lines = format_text(result).splitlines()
    assert lines[1] == f"Agreement before: {result.before} of {COUNCILS} ({result.before / COUNCILS:.0%}); " \
                       f"after: {result.after} of {COUNCILS} ({result.after / COUNCILS:.0%})."
    assert any(line.startswith(f"  {missed.authority} ({codes[0]}): published 4, the proposed ruleset gives ") for line in lines)
    assert any(line.startswith("old: ") for line in lines) and any(line.startswith("final band: ") for line in lines)


def test_a_proposed_ruleset_is_never_written_over_a_shipped_one_or_an_existing_file(run_cli, small, tmp_path):
    profiles, _, published = small
    args = ["rules", "calibrate", CSA_2009, "--outcomes", published, "--profiles", profiles, "--only", "proportions.the_majority"]
    before = CSA_2009.read_bytes()
    code, out, err = run_cli(*args, "-o", CSA_2009, "--force")
    assert code == 2 and out == "" and "output-exists" in err and CSA_2009.read_bytes() == before
    existing = tmp_path / "proposed.yaml"
    existing.write_text("mine\n")
    code, _, err = run_cli(*args, "-o", existing)
    assert code == 2 and err.startswith(f"{existing}:1:1: output-exists: the file exists") and existing.read_text() == "mine\n"
    code, out, _ = run_cli(*args, "-o", existing, "--force", "--diff", tmp_path / "diff.csv")
    assert code == 0 and existing.read_text() != "mine\n" and "Agreement before: " in out
    assert (tmp_path / "diff.csv").read_text().startswith("authority,authority_code,year,")


def test_unusable_outcome_rows_are_located_and_the_rest_are_used(run_cli, small, tmp_path):
    profiles, _, published = small
    rows = published.read_text().splitlines()
    rows[1] = rows[1].rsplit(",", 1)[0] + ",excellent"  # not a band
    rows[2] = "SYN999" + rows[2][rows[2].index(","):]  # no such council
    bad = tmp_path / "outcomes.csv"
    bad.write_text("\n".join(rows) + "\n")
    code, out, err = run_cli("rules", "calibrate", CSA_2009, "--outcomes", bad, "--profiles", profiles,
                             "--only", "proportions.the_majority", "-o", tmp_path / "p.yaml")
    assert code == 2
    assert f"{bad}:2:3: record-invalid: published band 'excellent' is not a band" in err
    assert f"{bad}:3:1: unknown-council: no profile given for SYN999 in 2009" in err
    assert f"against the published bands of {SMALL - 2} council(s)." in out


def test_an_outcomes_table_without_its_columns_is_refused(small, tmp_path):
    profiles, _, _ = small
    table = tmp_path / "outcomes.csv"
    table.write_text("council,year,band\nSYN001,2009,3\n")
    with pytest.raises(ProfileError) as raised:
        calibrate(CSA_2009, table, [profiles], tmp_path / "p.yaml")
    assert raised.value.code == "table-missing-column"
    assert not (tmp_path / "p.yaml").exists()


def test_no_threshold_moves_when_the_ruleset_already_gives_every_published_band(small, tmp_path):
    profiles, _, _ = small
    published = published_by(CSA_2009, profiles, tmp_path / "as-is.csv")
    result = calibrate(CSA_2009, published, [profiles], tmp_path / "p.yaml", only=["proportions.the_majority"])
    assert result.before == result.after == SMALL and result.moves == []
    assert "No threshold moved" in format_text(result)


def test_an_unknown_threshold_in_only_is_refused_with_a_suggestion_before_any_work(run_cli, tmp_path, examples):
    code, out, err = run_cli("rules", "calibrate", CSA_2009, "--outcomes", tmp_path / "none.csv", "--profiles", examples,
                             "--only", "proportions.a_large_majorty", "-o", tmp_path / "p.yaml")
    assert code == 2 and out == ""
    assert err == (f"{CSA_2009}:1:1: unknown-threshold: no threshold 'proportions.a_large_majorty' in the ruleset "
                   "(did you mean 'proportions.a_large_majority'?)\n")
