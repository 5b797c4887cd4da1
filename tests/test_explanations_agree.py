"""The compiled tests, evaluated in plain Python (for the trace's "did not fire because ...", and for the analyses'
"would this rule fire at value x"), fire exactly what durable-rules fires on the same tests; and the one
combination of what fired gives the decision the pipeline gave.

Profiles are generated over the whole vocabulary of each year's ruleset, with small counts so that shares land
exactly on the named thresholds (13 of 20 is exactly "a large majority"), with whole sections absent, and (for
2010 and 2011) with inspection histories, evidence dates, pending inspections and trends.
"""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.decide.combine import combine
from engine.decide.pipeline import evaluate
from engine.inference.compiled import CompiledRuleset
from engine.load.ruleset import ruleset_for_year
from engine.model.loaded import LoadedProfile
from engine.model.profile import GRADES, Profile

RULESETS = {year: ruleset_for_year(year) for year in (2009, 2010, 2011)}

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


dates = st.dates(dt.date(2007, 1, 1), dt.date(2011, 12, 31))


@st.composite
def inspection(draw):
    kind = draw(st.sampled_from(["joint area review", "inspection of safeguarding and looked after children", "unannounced inspection"]))
    when = draw(dates)
    if kind != "unannounced inspection":
        return {"kind": kind, "date": when, "safeguarding": draw(grade)}
    actions = [{"resolved_on": when + dt.timedelta(days=draw(st.integers(0, 400)))} if draw(st.booleans()) else {}
               for _ in range(draw(st.integers(0, 2)))]
    return {"kind": kind, "date": when, "areas_for_priority_action": actions or None,
            "effective_action_to_safeguard": draw(st.sampled_from([True, False, None]))}


@st.composite
def profiles(draw, year):
    catalogue = RULESETS[year].catalogue
    data = {"authority": {"name": "Generated"}, "year": year}
    types = draw(st.lists(st.sampled_from(sorted(catalogue.setting_types)), unique=True))
    data["settings"] = {t: draw(setting(catalogue.setting_types[t].kind)) for t in types}
    for whole in [t for t in types if catalogue.parts(t)]:
        if any(p in types for p in catalogue.parts(whole)):
            del data["settings"][whole]  # a whole beside its parts must be their sum: give the parts alone
    ids = draw(st.lists(st.sampled_from(sorted(catalogue.indicators)), unique=True))
    data["indicators"] = {i: draw(indicator()) for i in ids}
    if year > 2009:
        for entry in data["indicators"].values():
            if draw(st.booleans()):
                entry["trend"] = draw(st.sampled_from(["improving", "stable", "declining"]))
    if year > 2009 and draw(st.booleans()):
        history = draw(st.lists(inspection(), max_size=3, unique_by=lambda i: (i["kind"], i["date"])))
        data["inspections"] = [{k: v for k, v in i.items() if v is not None} for i in history]
        if draw(st.booleans()):
            data["evidence_date"] = draw(st.dates(dt.date(2009, 1, 1), dt.date(year, 12, 31)))
        if draw(st.integers(0, 3)) == 0:
            data["pending_inspection"] = {"kind": "inspection of safeguarding and looked after children", "date": draw(dates)}
        if draw(st.booleans()):
            data["previous_band"] = draw(st.integers(1, 4))
    else:
        if draw(st.booleans()):
            data["safeguarding_inspection"] = {"kind": "joint area review", "year": 2008, "safeguarding": draw(grade)}
        if draw(st.booleans()):
            data["unannounced_inspection"] = {"year": 2009, "areas_for_priority_action": draw(st.integers(0, 3)),
                                              "effective_action_to_safeguard": draw(st.booleans())}
    if draw(st.booleans()):
        data["vulnerable_gaps"] = [
            {"group": "free_school_meals", "stage": "key_stage_2", "gap": draw(st.sampled_from([10.0, 20.0, 30.0])),
             "national_gap": 20.0, "trend": draw(st.sampled_from(["narrowing", "stable", "widening"]))}
            for _ in range(draw(st.integers(1, 3)))]
    return year, Profile.model_validate(data)


@pytest.mark.parametrize("year", sorted(RULESETS))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_not_fired_verdicts_agree_with_what_durable_rules_fired(year, data):
    _, profile = data.draw(profiles(year))
    loaded = RULESETS[year]
    decision = evaluate(LoadedProfile(profile, None, "generated"), loaded)
    values = {e.measure: e.value for e in decision.events("measure_derived")}
    fired = set(decision.fired_rules)
    ruleset = loaded.ruleset
    checked = list(ruleset.rules) + list(ruleset.withhold) + (list(ruleset.limits) if decision.rated else [])
    in_python = CompiledRuleset(ruleset).fire(values, explain=True)
    for item in checked:
        assert (item.id in in_python.rules) == (item.id in fired), item.id
        assert (in_python.failing(item.id) is None) == (item.id in fired), item.id
    outcome = combine(ruleset, in_python)
    assert sorted(outcome.fired_rules(ruleset)) == decision.fired_rules
    assert (outcome.status, outcome.proposed_band, outcome.final_band) == (decision.status, decision.proposed_band,
                                                                           decision.limited_band)
    not_fired = {e.rule_id for e in decision.events("rule_not_fired")}
    assert not_fired == {i.id for i in checked} - fired
    if not decision.rated:  # withheld: no band, and a withhold rule fired
        assert decision.final_band is None and decision.withheld and {w.rule_id for w in decision.withheld} <= fired
        return
    # The rows the compiled tests fire for the grades are the rows durable-rules fired for them.
    table = ruleset.decision_table
    assert CompiledRuleset(ruleset).fire_rows(decision.grades) == {r.id for r in table.rows} & fired
    assert 1 <= decision.final_band <= decision.proposed_band
    if decision.direction is not None:  # what made the difference is part of this decision
        assert set(decision.direction.made_the_difference) <= fired | {"judgement"}
