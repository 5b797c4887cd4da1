"""Shared by the sensitivity tests: each shipped ruleset's intervals, computed once per process, and its rule
cases as text, evaluated through the whole engine against ruleset files written with a threshold moved."""
from __future__ import annotations

import functools
from pathlib import Path

from engine.authoring.cases import Expect, case_dir, case_profile_text, differences, load_case
from engine.decide.pipeline import evaluate_text
from engine.errors import EngineError
from engine.load.ruleset import load_ruleset
from engine.sensitivity.sensitivity import Sensitivity, sensitivity
from engine.sensitivity.sweep import CouncilSweep, sensitivity_over_councils
from engine.sensitivity.thresholds import Threshold, edited_text, thresholds

ROOT = Path(__file__).resolve().parent.parent
# Every shipped ruleset with rule cases: the 2010 and 2011 rulesets are covered when they arrive.
SHIPPED = [p for p in sorted((ROOT / "rules").glob("*.yaml")) if case_dir(load_ruleset(p).ruleset.id).is_dir()]
THRESHOLDS = [(path, t.path) for path in SHIPPED for t in thresholds(load_ruleset(path))]


@functools.cache
def computed(path: Path) -> Sensitivity:
    """The intervals as the command gives them (each case-bounded end confirmed with one case; the tests confirm every case)."""
    return sensitivity(path)


@functools.cache
def case_texts(path: Path) -> tuple[tuple[str, str, str, Expect], ...]:
    """(case id, profile text, name, expectation) for each case that reaches a decision."""
    out = []
    for case in computed(path).cases:
        loaded = load_case(case.path)
        text, name = case_profile_text(loaded, case.path)
        out.append((case.id, text, name, loaded.expect))
    return tuple(out)


def write_variant(result: Sensitivity, threshold: Threshold, value: float, folder: Path) -> Path:
    target = folder / f"variant-{len(list(folder.glob('variant-*.yaml')))}.yaml"
    target.write_text(edited_text(result.ruleset, {threshold: value}), encoding="utf-8")
    return target


def failing_cases(path: Path, variant: Path, only: list[str] | None = None) -> list[str]:
    """The cases (all, or those named) that do not keep their expected outcome with the variant, through the engine."""
    failing = []
    for ident, text, name, expect in case_texts(path):
        if only is not None and ident not in only:
            continue
        try:
            decision = evaluate_text(text, name, variant).decision
        except EngineError:
            failing.append(ident)
            continue
        direction = decision.direction.direction if decision.direction else None
        if differences(expect, decision.status, decision.proposed_band, decision.final_band, direction, set(decision.fired_rules),
                       decision.band_words):
            failing.append(ident)
    return failing


@functools.cache
def swept(folder: Path) -> CouncilSweep:
    """The 2009 ruleset swept over the councils in ``folder``, with the intervals of all its cases."""
    result = computed(SHIPPED[0])
    return sensitivity_over_councils(result.ruleset, [folder], {i.threshold.path: i for i in result.intervals})
