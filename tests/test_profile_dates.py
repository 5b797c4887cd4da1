"""A profile's dates hang together (engine.check.dates): its evidence is not dated after its letter, its letter and
evidence dates fall in the assessment year's window, and without an evidence date nothing that counts is later than
the letter. Each incoherence is refused at its key with exit 2, never a traceback; a coherent profile loads."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import parse_profile
from engine.errors import ProfileError
from engine.load.ruleset import ruleset_for_year
from engine.measures.derive import derive_measures

from .conftest import EXAMPLES

STAFFORDSHIRE = EXAMPLES / "staffordshire-2011.yaml"  # csa-2011, no evidence policy: letter 2011-11-08, evidence 2011-06-30
CAMDEN = EXAMPLES / "camden.yaml"  # 2009: letter 2009-12-09, no evidence date, single fields
WESTMOOR = EXAMPLES / "westmoor-2010-inadequate-safeguarding.yaml"  # csa-2010, with its evidence policy


def _data(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _without_evidence_date(data: dict, **changes) -> dict:
    data = {k: v for k, v in data.items() if k != "evidence_date"}
    data.update(changes)
    return data


def _staffordshire_inspection_on(when: dt.date, **changes) -> dict:
    data = _without_evidence_date(_data(STAFFORDSHIRE), **changes)
    data["inspections"][1]["date"] = when
    return data


def _camden(**changes) -> dict:
    data = _data(CAMDEN)
    data.update(changes)
    return data


def _pending_after_letter() -> dict:
    return _without_evidence_date(_data(STAFFORDSHIRE), pending_inspection={"kind": "unannounced inspection",
                                                                           "date": dt.date(2011, 11, 9)})


def _notice_after_letter() -> dict:
    return _camden(notice_to_improve={"served_on": dt.date(2009, 12, 10)})


def _westmoor_undated(when: dt.date) -> dict:
    data = _without_evidence_date(_data(WESTMOOR))
    data.pop("letter_date")
    data["inspections"][2]["date"] = when
    return data


# Each: the profile, the code, the text of the line the problem is located at (its value's first characters).
INCOHERENT = {
    "evidence after the letter": (dict(_data(STAFFORDSHIRE), evidence_date=dt.date(2011, 11, 20)),
                                  "evidence-after-letter", "evidence_date: 2011-11-20"),
    "letter a year early": (dict(_data(STAFFORDSHIRE), letter_date=dt.date(2010, 11, 8)),
                            "date-outside-assessment-year", "letter_date: 2010-11-08"),
    "letter two years late": (dict(_data(STAFFORDSHIRE), letter_date=dt.date(2013, 1, 10), evidence_date=dt.date(2011, 6, 30)),
                              "date-outside-assessment-year", "letter_date: 2013-01-10"),
    "evidence before the year": (dict(_data(STAFFORDSHIRE), evidence_date=dt.date(2010, 12, 31)),
                                 "date-outside-assessment-year", "evidence_date: 2010-12-31"),
    "undated evidence, an inspection after the letter": (_staffordshire_inspection_on(dt.date(2011, 12, 1)),
                                                         "evidence-after-letter", "date: 2011-12-01"),
    "undated evidence and letter, an inspection after the year": (
        _staffordshire_inspection_on(dt.date(2012, 1, 5), letter_date=None), "date-outside-assessment-year", "date: 2012-01-05"),
    "undated evidence, a pending inspection after the letter": (_pending_after_letter(), "evidence-after-letter", "date: 2011-11-09"),
    "a 2009 single field of the next year": (_camden(safeguarding_inspection=dict(_data(CAMDEN)["safeguarding_inspection"], year=2010)),
                                             "evidence-after-letter", "year: 2010"),
    "a notice served after the letter": (_notice_after_letter(), "evidence-after-letter", "served_on: 2009-12-10"),
    "under csa-2010's policy, an undated inspection of 2011": (_westmoor_undated(dt.date(2011, 2, 1)),
                                                               "date-outside-assessment-year", "date: 2011-02-01"),
}


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump({k: v for k, v in data.items() if v is not None}, sort_keys=False))
    return path


def _position(path: Path, text: str) -> tuple[int, int]:
    """Line and column of the value of the one line holding ``text`` (a key and the start of its value)."""
    found = [(i, line) for i, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    assert len(found) == 1, found
    line, content = found[0]
    return line, content.index(text) + text.index(":") + 3


@pytest.mark.parametrize("name", INCOHERENT)
def test_an_incoherent_date_is_refused_at_its_key_with_exit_2(tmp_path, run_cli, name):
    data, code, at = INCOHERENT[name]
    path = _write(tmp_path, data)
    exit_code, out, err = run_cli("evaluate", path, "--no-audit")
    assert exit_code == 2 and out == ""
    assert "Traceback" not in err
    line, column = _position(path, at)
    assert f"{path}:{line}:{column}: {code}: " in err, err


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_shipped_example_has_coherent_dates(run_cli, example):
    exit_code, _, err = run_cli("evaluate", EXAMPLES / example, "--no-audit")
    assert exit_code == 0, err


def test_coherent_edges_load():
    # The letter on its evidence's day, in the year after the assessment year (a rating withheld and published later).
    parse_profile(yaml.safe_dump(dict(_data(STAFFORDSHIRE), letter_date=dt.date(2012, 1, 20), evidence_date=dt.date(2011, 12, 31))))
    parse_profile(yaml.safe_dump(dict(_data(STAFFORDSHIRE), letter_date=dt.date(2011, 6, 30))))
    # Without an evidence date, an inspection on the letter's day counts.
    parse_profile(yaml.safe_dump(_staffordshire_inspection_on(dt.date(2011, 11, 8))))


def test_with_an_evidence_date_an_inspection_after_it_and_after_the_letter_is_left_out_not_refused():
    # The evidence date is there to leave it out (Kent 2010, "came too late to be considered").
    data = _data(STAFFORDSHIRE)
    data["inspections"][1]["date"] = dt.date(2011, 12, 1)
    loaded = parse_profile(yaml.safe_dump(data, sort_keys=False))
    ruleset = ruleset_for_year(2011)
    assert derive_measures(loaded.profile, ruleset.catalogue, ruleset.ruleset).values["inspections.after_evidence_date"] == 1


window_dates = st.dates(dt.date(2009, 6, 1), dt.date(2013, 6, 30))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(letter=window_dates, evidence=window_dates)
def test_letter_and_evidence_dates_are_refused_exactly_when_they_do_not_hang_together(letter, evidence):
    """csa-2011 has no evidence policy: the evidence falls in 2011 and by the letter, the letter in 2011 or 2012."""
    text = yaml.safe_dump(dict(_data(STAFFORDSHIRE), letter_date=letter, evidence_date=evidence), sort_keys=False)
    coherent = (dt.date(2011, 1, 1) <= evidence <= min(letter, dt.date(2011, 12, 31))
                and dt.date(2011, 1, 1) <= letter <= dt.date(2012, 12, 31))
    try:
        parse_profile(text, "profile.yaml")
    except ProfileError as refused:
        assert not coherent, refused
        lines = {i for i, line in enumerate(text.splitlines(), 1) if line.startswith(("letter_date:", "evidence_date:"))}
        assert refused.problems and all(p.line in lines for p in refused.problems), refused
        assert {p.code for p in refused.problems} <= {"evidence-after-letter", "date-outside-assessment-year",
                                                      "profile-contradiction"}
    else:
        assert coherent


def test_without_an_evidence_date_every_dated_fact_after_the_letter_is_refused_once_at_its_key():
    """Each fact the profile dates, the single fields beside a history of their family too, in the profile's order."""
    data = _camden(inspections=[{"kind": "unannounced inspection", "date": dt.date(2010, 1, 5), "areas_for_priority_action": [
                       {"area": "open"}, {"area": "shown resolved", "resolved_on": dt.date(2010, 2, 1)}]}],
                   notice_to_improve={"served_on": dt.date(2009, 12, 10), "lifted_on": dt.date(2010, 1, 2)},
                   pending_inspection={"kind": "joint area review", "date": dt.date(2010, 3, 1)})
    data["unannounced_inspection"] = dict(data["unannounced_inspection"], year=2010)
    text = yaml.safe_dump(data, sort_keys=False)
    with pytest.raises(ProfileError) as refused:
        parse_profile(text, "profile.yaml")
    lines = text.splitlines()
    assert [(p.code, p.message.split(" is after")[0], lines[p.line - 1].strip()) for p in refused.value.problems] == [
        ("evidence-after-letter", "the unannounced inspection (2010)", "year: 2010"),
        ("evidence-after-letter", "the unannounced inspection of inspections.0 (2010-01-05)", "date: 2010-01-05"),
        ("evidence-after-letter", "the resolution of its area for priority action 2 (2010-02-01)", "resolved_on: 2010-02-01"),
        ("evidence-after-letter", "the notice to improve (2009-12-10)", "served_on: 2009-12-10"),
        ("evidence-after-letter", "its lifting (2010-01-02)", "lifted_on: 2010-01-02"),
        ("evidence-after-letter", "the pending joint area review (2010-03-01)", "date: 2010-03-01")]
