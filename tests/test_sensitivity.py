"""`engine rules sensitivity RULESET`: the interval of each threshold over which every rule case keeps its
outcome, checked through the whole engine for every threshold of every shipped ruleset."""
from __future__ import annotations

import dataclasses
import json
import math
import random
from pathlib import Path

import pytest

from engine.decide.pipeline import evaluate_text
from engine.errors import DefectError, RulesetError
from engine.load.ruleset import load_ruleset, parse_ruleset
from engine.measures.derive import derive_measures
from engine.sensitivity import sensitivity as sensitivity_module
from engine.sensitivity.outcomes import Outcome, Subject, tolerance_breakpoints
from engine.sensitivity.sensitivity import format_text, keeps, sensitivity
from engine.sensitivity.thresholds import edited_text, find, thresholds, with_values

from .helpers import synthetic_profiles
from .sensitivity_results import SHIPPED, THRESHOLDS, case_texts, computed, failing_cases, write_variant

CSA_2009 = SHIPPED[0]
WITHHOLDING = [p for p in SHIPPED if load_ruleset(p).ruleset.withhold]  # the rulesets of 2010 on
CASES_2009 = CSA_2009.parent / "cases" / "csa-2009"


@pytest.mark.parametrize(("path", "name"), THRESHOLDS, ids=[f"{p.stem}:{n}" for p, n in THRESHOLDS])
def test_just_outside_its_interval_a_case_fails_and_anywhere_inside_every_case_passes(path, name, tmp_path):
    """The Done-when of issue 13, through the whole engine (a ruleset file with the threshold moved, each case
    evaluated against it as `engine rules test --ruleset` does)."""
    result = computed(path)
    interval = result.interval(name)
    threshold = interval.threshold
    assert interval.contains(threshold.value)
    for end in (interval.low, interval.high):
        if end.outside is None:  # nothing bounds this side: a far value keeps every case
            assert math.isinf(end.value)
            continue
        variant = write_variant(result, threshold, end.outside, tmp_path)
        bounding = interval.bounded_by(end)
        if bounding:  # each case said to bound the end fails just beyond it
            assert sorted(failing_cases(path, variant, bounding)) == bounding, (end.outside, bounding)
        else:  # no case bounds it: `rules check` refuses the ruleset just beyond, so every case fails
            with pytest.raises(RulesetError):
                load_ruleset(variant)
            assert failing_cases(path, variant) != []
    low = interval.low.value if interval.low.bounded else threshold.value - 10 * threshold.unit
    high = interval.high.value if interval.high.bounded else threshold.value + 10 * threshold.unit
    inside = [interval.low.inside, interval.high.inside, random.Random(f"{path.stem}:{name}").uniform(low, high)]
    for value in inside:
        assert interval.contains(value) or value in (interval.low.inside, interval.high.inside)
        assert failing_cases(path, write_variant(result, threshold, value, tmp_path)) == [], value


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_threshold_has_a_readable_path_to_its_value_in_the_ruleset(path):
    loaded = load_ruleset(path)
    found = thresholds(loaded)
    assert len({t.path for t in found}) == len(found)
    for t in found:
        node = loaded.source.data
        for key in t.where:
            node = node[key]
        assert float(node) == t.value, t.path
    kinds = {t.kind for t in found}
    assert kinds == {"proportion", "tolerance", "bound"}
    assert {f"proportions.{name}" for name in loaded.ruleset.proportions} <= {t.path for t in found}


def test_the_2009_paths_read_as_the_ruleset_does():
    paths = [t.path for t in thresholds(load_ruleset(CSA_2009))]
    assert {"proportions.a_large_majority", "comparison.settings_tolerance", "comparison.indicator_tolerance",
            "rules.settings_good.when.1.at_most", "limits.limit_priority_actions.when.0.at_least"} <= set(paths)


@pytest.mark.parametrize(("path", "name"), THRESHOLDS[:40], ids=[f"{p.stem}:{n}" for p, n in THRESHOLDS[:40]])
def test_a_ruleset_moved_in_memory_is_the_file_with_the_value_replaced_in_place(path, name):
    result = computed(path)
    interval = result.interval(name)
    value = interval.high.inside
    text = edited_text(result.ruleset, {interval.threshold: value})
    original = result.ruleset.path
    changed = [line for a, line in zip(Path(original).read_text().splitlines(), text.splitlines(), strict=True) if a != line]
    assert len(changed) <= 1  # only the value's line, comments and layout kept
    assert parse_ruleset(text, "variant").ruleset == with_values(result.ruleset.ruleset, {interval.threshold: value})


def test_tolerance_breakpoints_are_exactly_where_the_derived_measures_change_verdicts(examples):
    loaded = load_ruleset(CSA_2009)
    subject = next(c.subject for c in computed(CSA_2009).cases if c.id == "cambridgeshire")
    for field in ("settings_tolerance", "indicator_tolerance"):
        prefix = "settings." if field == "settings_tolerance" else "indicator."
        breaks = [b for b in tolerance_breakpoints(subject.derived(loaded), field) if b < 0.3]
        assert len(breaks) > 5

        def in_line(tolerance: float) -> int:
            ruleset = with_values(loaded.ruleset, {find(loaded, f"comparison.{field}"): tolerance})
            values = derive_measures(subject.profile.profile, loaded.catalogue, ruleset).values
            return sum(1 for k, v in values.items() if k.startswith(prefix) and ".vs_" in k and v == "in_line")

        # Differences within 1e-12 of each other are one (the comparisons allow that much): one switch.
        clusters: list[list[float]] = []
        for b in breaks:
            if clusters and b - clusters[-1][-1] <= 1e-12:
                clusters[-1].append(b)
            else:
                clusters.append([b])
        for before, after in zip(clusters, clusters[1:], strict=False):
            a, b = before[-1], after[0]
            # constant between two breakpoints, and more comparisons in line exactly at each, not a float before
            assert in_line(a) == in_line((a + b) / 2) == in_line(math.nextafter(b, 0)) < in_line(b), (field, a, b)


def test_the_outcomes_computed_beside_the_engine_agree_with_it_when_thresholds_move(tmp_path):
    """The sweeps evaluate candidate values in plain Python; at moved values, through the whole engine, the
    decisions are the same (bands, everything that fired, the decisive rules)."""
    loaded = load_ruleset(CSA_2009)
    profiles = sorted(synthetic_profiles(tmp_path, councils=12).glob("*.yaml"))
    evaluated = [evaluate_text(p.read_text(), str(p), CSA_2009) for p in profiles]
    subjects = [Subject(p.name, e.profile, e.decision) for p, e in zip(profiles, evaluated, strict=True)]
    moves = {"proportions.the_majority": 0.55, "proportions.a_large_majority": 0.6, "comparison.indicator_tolerance": 0.03,
             "comparison.settings_tolerance": 0.0, "rules.settings_adequate.when.1.at_most": 0.1,
             "limits.limit_priority_actions.when.0.at_least": 2}
    for name, value in moves.items():
        threshold = find(loaded, name)
        variant = tmp_path / f"{name}.yaml"
        variant.write_text(edited_text(loaded, {threshold: value}))
        moved = with_values(loaded.ruleset, {threshold: value})
        for subject, path in zip(subjects, profiles, strict=True):
            engine = Outcome.of(evaluate_text(path.read_text(), str(path), variant).decision)
            assert subject.outcome(loaded, moved) == engine, (name, path.name)


@pytest.mark.parametrize("path", WITHHOLDING, ids=[p.stem for p in WITHHOLDING])
def test_a_withhold_rule_is_computed_beside_the_engine_as_the_engine_decides_it(path, tmp_path):
    """A withhold rule's bound is a threshold; at moved values, the cases' status, bands, direction of travel and
    everything that fired are the engine's, withheld or rated."""
    result = computed(path)
    loaded = result.ruleset
    withhold = [t for t in thresholds(loaded) if t.path.startswith("withhold.")]
    assert withhold and all(t.kind == "bound" for t in withhold)
    texts = {ident: (text, name) for ident, text, name, _ in case_texts(path)}
    statuses = set()
    for threshold in withhold:
        interval = result.interval(threshold.path)
        assert interval.low.bounded and interval.high.bounded  # the withheld case above, every rated case below
        for value in (threshold.value - 1, threshold.value + 1):
            variant = write_variant(result, threshold, value, tmp_path)
            moved = with_values(loaded.ruleset, {threshold: value})
            for case in result.cases:
                engine = Outcome.of(evaluate_text(*texts[case.id], variant).decision)
                assert case.subject.outcome(loaded, moved) == engine, (threshold.path, value, case.id)
                statuses.add(engine.status)
    assert statuses == {"rated", "withheld"}


@pytest.mark.parametrize("path", WITHHOLDING, ids=[p.stem for p in WITHHOLDING])
def test_a_case_keeps_its_outcome_only_with_the_status_and_direction_it_expects(path):
    result = computed(path)
    loaded = result.ruleset
    expecting = [c for c in result.cases if c.expect.status is not None or c.expect.direction is not None]
    assert any(c.expect.status == "withheld" for c in expecting) and any(c.expect.direction for c in expecting)
    for case in expecting:
        assert keeps(case, loaded, {})
        if case.expect.status is not None:
            other = "rated" if case.expect.status == "withheld" else "withheld"
            wrong = dataclasses.replace(case, expect=case.expect.model_copy(update={"status": other}))
            assert not keeps(wrong, loaded, {}), case.id
        if case.expect.direction is not None:
            other = "held" if case.expect.direction != "held" else "risen"
            wrong = dataclasses.replace(case, expect=case.expect.model_copy(update={"direction": other}))
            assert not keeps(wrong, loaded, {}), case.id


def test_a_threshold_no_case_bounds_is_flagged_unconstrained():
    result = computed(CSA_2009)
    text = format_text(result)
    assert result.interval("proportions.all").unconstrained
    line = next(line for line in text.splitlines() if line.startswith("proportions.all "))
    assert line.endswith("UNCONSTRAINED by any case")  # neither a published outcome nor an invented case bounds it
    pinned = result.interval("proportions.a_large_majority")
    assert not pinned.unconstrained and pinned.bounded_by(pinned.low) and pinned.bounded_by(pinned.high)
    assert "proportions.a_large_majority" in text.split("Pinned at both ends by a case: ", 1)[1].splitlines()[0]


def test_json_is_a_list_of_objects_with_the_interval_and_the_cases_at_each_end(run_cli):
    few = [CASES_2009 / f"{n}.yaml" for n in ("camden", "camden-indicators-the-majority", "cambridgeshire-staying-safe-data-gaps")]
    args = ["rules", "sensitivity", CSA_2009, "--format", "json"] + [a for c in few for a in ("--cases", c)]
    code, out, _ = run_cli(*args)
    assert code == 0
    data = json.loads(out)
    assert [d["threshold"] for d in data] == [t.path for t in thresholds(load_ruleset(CSA_2009))]
    for d in data:
        assert {"threshold", "value", "low", "high", "bounded_by", "unconstrained"} <= set(d)
        assert set(d["bounded_by"]) == {"low", "high"}
    majority = next(d for d in data if d["threshold"] == "proportions.a_large_majority")
    assert majority["value"] == 0.65 and majority["low"] < 0.65 <= majority["high"]
    assert majority["bounded_by"] == {"low": ["camden-indicators-the-majority"], "high": ["cambridgeshire-staying-safe-data-gaps"]}


def test_a_case_failing_as_the_ruleset_is_is_left_out_and_the_exit_code_is_1(run_cli, tmp_path, examples):
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(f"description: wrong on purpose\nprofile: {examples / 'camden.yaml'}\nexpect: {{final_band: 3}}\n")
    code, out, err = run_cli("rules", "sensitivity", CSA_2009, "--cases", wrong, "--cases", CASES_2009 / "camden.yaml")
    assert code == 1
    assert "NOT USED: case wrong fails with the ruleset as it is: final band: expected 3 (performs well), got 4" in out
    assert "case wrong fails with the ruleset as it is" in err


def test_an_end_the_engine_does_not_confirm_is_a_defect(monkeypatch):
    """The command confirms each end a case bounds through the whole engine: were the plain-Python evaluation
    wrong, it would say so rather than print a wrong interval."""
    real = sensitivity_module.keeps

    def lying(case, loaded, values):  # pretends no case survives a larger "large majority"
        if any(t.path == "proportions.a_large_majority" and v > 0.65 for t, v in values.items()):
            return False
        return real(case, loaded, values)

    monkeypatch.setattr(sensitivity_module, "keeps", lying)
    with pytest.raises(DefectError, match="explanation-mismatch") as raised:
        sensitivity(CSA_2009, [str(CASES_2009 / "cambridgeshire-staying-safe-data-gaps.yaml")])
    assert "proportions.a_large_majority" in str(raised.value)


def test_a_ruleset_with_no_cases_of_its_own_is_refused_unless_cases_are_named(run_cli, tmp_path):
    from .helpers import ruleset_with

    other = ruleset_with(tmp_path, "other.yaml", ("id: csa-2009", "id: csa-draft"))
    code, out, err = run_cli("rules", "sensitivity", other)
    assert code == 2 and out == "" and "file-not-found: no cases for ruleset 'csa-draft'" in err
    code, out, _ = run_cli("rules", "sensitivity", other, "--cases", CASES_2009 / "camden.yaml")
    version = load_ruleset(other).ruleset.version
    assert code == 0 and out.startswith(f"Thresholds of csa-draft {version} ({other}) against its 1 rule case that reach")


def test_a_condition_copied_with_a_new_bound_reads_the_new_bound():
    # Condition caches its operator and threshold; pydantic's copy would carry the old ones over.
    from engine.model.ruleset import Condition
    condition = Condition(measure="groups.schools.count_inadequate", at_most=0)
    assert condition.threshold == 0
    moved = condition.model_copy(update={"at_most": 2})
    assert (moved.operator, moved.threshold, condition.threshold) == ("at_most", 2, 0)


def test_a_published_known_miss_is_named_apart_and_does_not_fail_the_run():
    result = computed(CSA_2009)
    misses = {name for name, _ in result.known_misses}
    assert "published/york-2009" in misses and not result.failing
    assert "NOT USED: case published/york-2009 is a known miss (rules/NOTES.md)" in format_text(result)
    assert not misses & {case.id for case in result.cases}  # it bounds no interval


def test_a_published_outcome_further_out_than_an_invented_case_still_marks_its_side(tmp_path):
    """An invented case bounding a threshold nearer does not hide the published outcome beyond it: the published
    cases alone have their own interval, and sensitivity names the side they constrain."""
    examples = CSA_2009.parent.parent / "examples"
    published = tmp_path / "cambridgeshire-published.yaml"
    published.write_text(
        "description: Cambridgeshire as a published outcome (for this test)\npublished: true\n"
        "sources:\n  - {title: T, publisher: P, date: not shown, address: 'https://example.org/x', quotes: [Q]}\n"
        f"profile: {examples / 'cambridgeshire.yaml'}\nexpect: {{status: rated, final_band: 3}}\n")
    invented = CASES_2009 / "cambridgeshire-staying-safe-data-gaps.yaml"
    result = sensitivity(CSA_2009, [str(published), str(invented)], confirm=False)
    name = "proportions.a_large_majority"
    both, alone = result.interval(name), result.published_interval(name)
    assert both.bounded_by(both.high) == ["cambridgeshire-staying-safe-data-gaps"]  # the invented case is nearer ...
    assert alone.bounded_by(alone.high) == ["cambridgeshire-published"] and alone.high.value > both.high.value  # ... not alone
    text = format_text(result)
    row = next(line for line in text.splitlines() if line.startswith(name + " "))
    assert "UNCONSTRAINED" not in row
    assert "    published outcomes alone allow " in text and "from above cambridgeshire-published (just above 0.7429)" in text
    above = next(line for line in text.splitlines() if line.startswith("Constrained by a published outcome from above: "))
    assert name in above
    # what the published cases alone allow is the engine's answer too: just beyond that end the case misses
    variant = tmp_path / "variant.yaml"
    variant.write_text(edited_text(result.ruleset, {alone.threshold: alone.high.outside}))
    from engine.authoring.cases import run_case
    assert run_case(published, variant).reproduced is False
    variant.write_text(edited_text(result.ruleset, {alone.threshold: alone.high.inside}))
    assert run_case(published, variant).reproduced is True
