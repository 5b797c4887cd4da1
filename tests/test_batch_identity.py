"""The batch path gives exactly the decisions the engine gave before it was rebuilt for speed (issue 11):
the same bands, limits, fired rules and whole trace, measure by measure with its inputs."""
from __future__ import annotations

import json

import pytest

from engine.decide.pipeline import evaluate_many, evaluate_text
from engine.load.profile import parse_profile
from engine.load.ruleset import ruleset_for_year

from . import golden

DIGESTS = json.loads(golden.DIGESTS.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(DIGESTS["cases"]))
def test_every_shipped_case_gives_todays_decision(name):
    text, where = golden.case_texts()[name]
    assert golden.digest(evaluate_text(text, where).decision) == DIGESTS["cases"][name]


@pytest.fixture(scope="module")
def england():
    return golden.synthetic_texts()


def test_a_synthetic_england_rated_in_one_batch_gives_todays_decisions(england):
    ruleset = ruleset_for_year(2009)
    decisions = evaluate_many([parse_profile(text, f"{code}.yaml") for code, text in england.items()], ruleset)
    got = {code: golden.digest(d) for code, d in zip(england, decisions, strict=True)}
    assert got == DIGESTS["synthetic-2009"]


def test_a_profile_rated_alone_and_in_a_batch_gets_the_same_decision(england):
    ruleset = ruleset_for_year(2009)
    loaded = [parse_profile(text, f"{code}.yaml") for code, text in list(england.items())[:20]]
    together = evaluate_many(loaded, ruleset)
    alone = [evaluate_many([one], ruleset)[0] for one in loaded]
    assert [golden.content(d) for d in together] == [golden.content(d) for d in alone]
