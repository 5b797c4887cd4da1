"""`engine rules calibrate [RULESET ...]`: where each threshold may lie with every published outcome reproduced,
beside what the invented cases allow; the shipped values lie inside, computed from the cases on disk (so it keeps
holding, or fails, as published cases are added and the rulesets revised), and what is computed beside the engine
agrees with it."""
from __future__ import annotations

import functools
import json
import random
from pathlib import Path

import pytest

from engine.authoring.cases import run_case
from engine.load.ruleset import load_ruleset
from engine.sensitivity.published import RulesetPlacements, placements
from engine.sensitivity.sensitivity import rule_cases
from engine.sensitivity.thresholds import Threshold, edited_text

from .sensitivity_results import SHIPPED


@functools.cache
def placed(path: Path) -> RulesetPlacements:
    return placements(load_ruleset(path), confirm=False)


def outside(result: RulesetPlacements) -> list[str]:
    """The thresholds whose value lies outside the interval the published outcomes allow."""
    return [p.threshold.path for p in result.placements if not p.inside or not p.published.contains(p.threshold.value)]


def variant(path: Path, threshold: Threshold, value: float, folder: Path) -> Path:
    target = folder / f"{path.stem}-{threshold.path}-{value!r}.yaml"
    target.write_text(edited_text(load_ruleset(path), {threshold: value}), encoding="utf-8")
    return target


def published_ends(path: Path) -> list[tuple[str, str]]:
    """(threshold, side) for every end of a published interval that a published case bounds."""
    return [(p.threshold.path, side) for p in placed(path).placements if p.published is not None
            for side, cases in zip(("low", "high"), p.constrained, strict=True) if cases]


ENDS = [(path, name, side) for path in SHIPPED for name, side in published_ends(path)]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_threshold_lies_inside_the_interval_its_published_outcomes_allow(path):
    result = placed(path)
    assert result.published, "a shipped ruleset has published cases"
    assert outside(result) == []
    assert {name for name, _ in result.known_misses}.isdisjoint(result.published)  # a known miss bounds nothing


def test_the_check_fails_for_a_threshold_moved_beyond_a_published_end(tmp_path, run_cli):
    """The test above can fail: the 2009 priority-action limit moved past where six published councils pin it."""
    path = SHIPPED[0]
    placement = placed(path).placement("limits.limit_priority_actions.when.0.at_least")
    end = placement.published.high
    pinning = placement.published.bounded_by(end)
    assert placement.place == "on the high edge" and "published/calderdale-2009" in pinning
    moved = variant(path, placement.threshold, end.outside, tmp_path)
    result = placements(load_ruleset(moved), confirm=False)
    assert placement.threshold.path in outside(result)
    at = result.placement(placement.threshold.path)
    assert at.place == "outside" and sorted(at.missed_here) == pinning
    # the nearest values that reproduce every published case lie below, and end where the shipped value stands
    assert at.above is None and at.below is not None and at.below.high == placement.threshold.value
    # what was computed beside the engine: through the engine, the pinning cases miss at the moved value ...
    cases = {case.id: case.path for case in placed(path).ruleset_cases}
    assert all(not run_case(cases[c], moved).reproduced for c in pinning)
    # ... and every published case is reproduced again at the top of the stretch below
    back = variant(path, placement.threshold, at.below.high, tmp_path)
    assert all(run_case(cases[c], back).reproduced for c in placed(path).published)
    code, out, _ = run_cli("rules", "calibrate", moved)
    assert code == 1
    assert f"MISSED: published case {pinning[0]} is not reproduced with the ruleset as it is" in out
    row = next(line for line in out.splitlines() if line.startswith(placement.threshold.path + " "))
    assert row.endswith("OUTSIDE")


@pytest.mark.parametrize(("path", "name", "side"), ENDS, ids=[f"{p.stem}:{n}:{s}" for p, n, s in ENDS])
def test_each_published_end_is_where_the_engine_says_a_published_case_starts_to_miss(path, name, side, tmp_path):
    """Just beyond the end, every published case said to bound it misses through the whole engine; just inside it
    and at a value inside, every published case is reproduced."""
    result = placed(path)
    placement = result.placement(name)
    interval = placement.published
    end = interval.low if side == "low" else interval.high
    cases = {case.id: case.path for case in result.ruleset_cases}
    beyond = variant(path, placement.threshold, end.outside, tmp_path)
    bounding = interval.bounded_by(end)
    assert sorted(c for c in result.published if not run_case(cases[c], beyond).reproduced) == bounding
    other = interval.high if side == "low" else interval.low
    far = other.inside if other.bounded else placement.threshold.value + (10 if side == "low" else -10) * placement.threshold.unit
    for value in (end.inside, random.Random(f"{path.stem}:{name}").uniform(min(end.inside, far), max(end.inside, far))):
        if not interval.contains(value) and value != end.inside:
            continue
        inside = variant(path, placement.threshold, value, tmp_path)
        assert all(run_case(cases[c], inside).reproduced for c in result.published), value


def test_the_report_names_the_place_the_bounding_cases_and_the_known_misses_apart(run_cli):
    code, out, _ = run_cli("rules", "calibrate", SHIPPED[0])
    assert code == 0
    lines = out.splitlines()
    assert "Each end a published case bounds was confirmed through the whole engine." in out
    misses = [case for case, _ in rule_cases(load_ruleset(SHIPPED[0]))[3]]
    assert misses and all(any(line.startswith(f"KNOWN MISS (bounds nothing): {case}: ") for line in lines) for case in misses)
    limit = next(i for i, line in enumerate(lines) if line.startswith("limits.limit_priority_actions.when.0.at_least "))
    assert lines[limit].endswith("ON THE HIGH EDGE")
    assert lines[limit + 1].startswith("    published high end: cases published/calderdale-2009, ") and "fail just above 1" in lines[limit + 1]
    majority = next(line for line in lines if line.startswith("proportions.a_large_majority "))
    assert majority.endswith("inside (no published outcome bounds it)") and "(0.6389, 0.7353]" in majority  # the invented interval
    assert any(line.startswith("Inside the published interval: ") and "outside: none" in line for line in lines)


def test_json_gives_each_threshold_its_place_and_both_intervals(run_cli):
    code, out, _ = run_cli("rules", "calibrate", *SHIPPED, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [d["ruleset"] for d in data] == [load_ruleset(p).ruleset.id for p in SHIPPED]
    for ruleset in data:
        assert ruleset["published_cases"] and set(ruleset["known_misses"]).isdisjoint(ruleset["published_cases"])
        for t in ruleset["thresholds"]:
            assert t["place"] in ("inside", "on the low edge", "on the high edge", "on both edges")
            assert t["published"]["threshold"] == t["invented"]["threshold"] == t["threshold"]


def test_the_search_options_go_with_outcomes_only(run_cli, tmp_path):
    code, out, err = run_cli("rules", "calibrate", SHIPPED[0], "--profiles", tmp_path)
    assert code == 2 and out == "" and "--profiles goes with --outcomes (the search)" in err
    code, _, err = run_cli("rules", "calibrate", SHIPPED[0], "--outcomes", tmp_path / "x.csv")
    assert code == 2 and "the search (--outcomes) calibrates one RULESET, with --profiles and -o" in err
