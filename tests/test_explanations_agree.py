"""The "did not fire because ..." verdicts are computed beside durable-rules; they must agree with it.

Profiles are generated over the whole vocabulary, with small counts so that shares land exactly on the
named thresholds (13 of 20 is exactly "a large majority"), and with whole sections absent.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.decide.pipeline import evaluate
from engine.load.ruleset import ruleset_for_year
from engine.model.conditions import first_failing
from engine.model.loaded import LoadedProfile
from engine.model.profile import GRADES, Profile

RULESET = ruleset_for_year(2009)
CATALOGUE = RULESET.catalogue

grade = st.sampled_from(GRADES)
proportion = st.sampled_from([0.0, 0.2, 0.5, 0.55, 0.62, 0.65, 0.8, 0.9, 1.0]) | st.floats(0, 1)
counts = st.fixed_dictionaries({g: st.integers(0, 12) for g in GRADES})


@st.composite
def setting(draw, kind):
    evidence = {"counts": draw(counts)} if kind == "counted" else {"grade": draw(grade)}
    if draw(st.booleans()):
        evidence["national"] = {"good_or_better": draw(proportion)}
    if draw(st.booleans()):
        evidence["similar_areas"] = {"good_or_better": draw(proportion)}
    return evidence


@st.composite
def indicator(draw):
    value = draw(st.sampled_from([50.0, 60.0, 70.0]))
    out = {"value": value}
    for comparator in ("similar_areas", "national"):
        if draw(st.integers(0, 4)):
            out[comparator] = value * draw(st.sampled_from([0.9, 0.95, 1.0, 1.05, 1.1, 0.949, 1.051]))
    return out


@st.composite
def profiles(draw):
    data = {"authority": {"name": "Generated"}, "year": 2009}
    types = draw(st.lists(st.sampled_from(sorted(CATALOGUE.setting_types)), unique=True))
    data["settings"] = {t: draw(setting(CATALOGUE.setting_types[t].kind)) for t in types}
    ids = draw(st.lists(st.sampled_from(sorted(CATALOGUE.indicators)), unique=True))
    data["indicators"] = {i: draw(indicator()) for i in ids}
    if draw(st.booleans()):
        data["safeguarding_inspection"] = {"kind": "joint area review", "year": 2008, "safeguarding": draw(grade)}
    if draw(st.booleans()):
        data["unannounced_inspection"] = {"year": 2009, "areas_for_priority_action": draw(st.integers(0, 3))}
    if draw(st.booleans()):
        data["vulnerable_gaps"] = [
            {"group": "free_school_meals", "stage": "key_stage_2", "gap": draw(st.sampled_from([10.0, 20.0, 30.0])),
             "national_gap": 20.0, "trend": draw(st.sampled_from(["narrowing", "stable", "widening"]))}
            for _ in range(draw(st.integers(1, 3)))]
    return Profile.model_validate(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_not_fired_verdicts_agree_with_what_durable_rules_fired(profile):
    decision = evaluate(LoadedProfile(profile, None, "generated"), RULESET)
    values = {e.measure: e.value for e in decision.events("measure_derived")}
    fired = set(decision.fired_rules)
    ruleset = RULESET.ruleset
    for item in list(ruleset.rules) + list(ruleset.limits):
        explained_as_holding = first_failing(item.when, ruleset, values) is None
        assert explained_as_holding == (item.id in fired), item.id
    not_fired = {e.rule_id for e in decision.events("rule_not_fired")}
    assert not_fired == {i.id for i in list(ruleset.rules) + list(ruleset.limits)} - fired
    # The decision-table row durable-rules chose is the one the grades select.
    rows = [r.id for r in ruleset.decision_table.rows
            if decision.grades["settings"] in r.settings and decision.grades["indicators"] in r.indicators]
    assert rows == [decision.events("band_combined")[0].row_id]
    assert 1 <= decision.final_band <= decision.proposed_band
