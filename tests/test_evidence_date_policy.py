"""How late a profile's evidence may be drawn is the ruleset's (`evidence:`): csa-2010 lets a rating withheld on
9 December 2010 rest on the inspection it waited for (Cornwall 2010, published in February 2011 on its inspection of
safeguarding); without a policy (csa-2009, csa-2011) no evidence date falls after the assessment year, as before."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from engine.authoring.cases import case_profile_text, load_case, run_case
from engine.errors import RulesetError
from engine.load.ruleset import load_ruleset

from .conftest import EXAMPLES

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
CORNWALL = RULES / "cases" / "csa-2010" / "published" / "cornwall-2010.yaml"


def _waited_for_profile(tmp_path: Path, **changes) -> Path:
    """Cornwall 2010's profile as its case builds it without its inspection of 2009 (also inadequate, which would cap
    it whatever the window), so that only the inspection of February 2011 it waited for can decide it; the given
    top-level fields changed."""
    text, _ = case_profile_text(load_case(CORNWALL), CORNWALL)
    data = yaml.safe_load(text)
    data["inspections"] = [i for i in data["inspections"] if not str(i["date"]).startswith("2009")]
    assert len(data["inspections"]) == 1
    data.update(changes)
    path = tmp_path / "cornwall-2010.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _ruleset_copy(tmp_path: Path, **evidence) -> Path:
    """csa-2010 with its evidence policy changed (a key given None is removed)."""
    folder = tmp_path / "rules"
    (folder / "letters").mkdir(parents=True)
    data = yaml.safe_load((RULES / "csa-2010.yaml").read_text())
    for key, value in evidence.items():
        if value is None:
            data["evidence"].pop(key)
        else:
            data["evidence"][key] = value
    path = folder / "csa-2010.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    shutil.copy(RULES / "letters" / "csa-2010.yaml", folder / "letters" / "csa-2010.yaml")
    return path


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(text))


def test_the_2010_policy_is_the_rulesets_data():
    policy = load_ruleset(RULES / "csa-2010.yaml").ruleset.evidence
    assert policy is not None
    assert (policy.latest, policy.withheld_on, policy.withheld_latest) == (dt.date(2010, 12, 31), dt.date(2010, 12, 9),
                                                                          dt.date(2011, 6, 30))
    for year in (2009, 2011):
        assert load_ruleset(RULES / f"csa-{year}.yaml").ruleset.evidence is None


def test_cornwall_2010_is_reproduced_through_the_rules_on_the_inspection_it_waited_for():
    result = run_case(CORNWALL)
    assert result.reproduced and result.known_miss is None, result.differences
    decision = result.evaluation.decision
    assert (decision.status, decision.final_band, decision.direction.direction) == ("rated", 1, "held")
    assert any(d.startswith("limit ") for d in result.decided_by), result.decided_by


def test_the_inspection_decides_only_inside_the_evidence_window(tmp_path, run_cli):
    # Inside the window the inspection of February 2011 caps the band; drawn on 31 December 2010 it does not count and
    # the typical council is performs well, risen from performs poorly.
    for evidence_date, expected in ((None, (1, "held")), (dt.date(2010, 12, 31), (3, "risen"))):
        changes = {} if evidence_date is None else {"evidence_date": evidence_date}
        code, out, err = run_cli("evaluate", _waited_for_profile(tmp_path, **changes), "--no-audit", "--format", "json")
        assert code == 0, err
        data = yaml.safe_load(out)
        assert (data["status"], data["final_band"], data["direction"]["direction"]) == ("rated", *expected)


def test_one_day_past_withheld_latest_is_refused_located_with_exit_2(tmp_path, run_cli):
    path = _waited_for_profile(tmp_path, evidence_date=dt.date(2011, 7, 1), letter_date=dt.date(2011, 7, 1))
    code, out, err = run_cli("evaluate", path, "--no-audit")
    assert code == 2 and out == ""
    assert "Traceback" not in err
    line = _line_of(path, "evidence_date:")
    assert err.splitlines()[0].startswith(f"{path}:{line}:16: ")
    assert (": evidence-date-outside-policy: the evidence date 2011-07-01 is after 2011-06-30, the latest a rating "
            "withheld on 2010-12-09 may rest on (evidence.withheld_latest)") in err
    # On withheld_latest itself it is allowed.
    path = _waited_for_profile(tmp_path, evidence_date=dt.date(2011, 6, 30), letter_date=dt.date(2011, 7, 1))
    assert run_cli("evaluate", path, "--no-audit")[0] == 0


def test_a_rating_published_on_the_day_may_not_rest_on_2011_evidence(tmp_path, run_cli):
    # The letter of 9 December 2010 is no withheld rating: its evidence stops at `latest`.
    path = _waited_for_profile(tmp_path, letter_date=dt.date(2010, 12, 9))
    code, _, err = run_cli("evaluate", path, "--no-audit")
    assert code == 2 and "Traceback" not in err
    assert ("evidence-date-outside-policy: the evidence date 2011-02-28 is after 2010-12-31, the latest a rating published "
            "on 2010-12-09 counts (evidence.latest)") in err


@pytest.mark.parametrize("example, year", [("camden.yaml", 2009), ("staffordshire-2011.yaml", 2011)])
def test_without_a_policy_2009_and_2011_refuse_what_they_always_refused(tmp_path, run_cli, example, year):
    data = yaml.safe_load((EXAMPLES / example).read_text())
    path = tmp_path / example
    for evidence, refused in ((dt.date(year, 12, 31), False), (dt.date(year + 1, 1, 1), True)):
        # A letter after the day does not open a window either: the window is the ruleset's, and these have none.
        data.update(evidence_date=evidence, letter_date=dt.date(year + 1, 2, 1))
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        code, _, err = run_cli("evaluate", path, "--no-audit")
        if refused:
            assert code == 2 and "Traceback" not in err
            assert (f"{path}:{_line_of(path, 'evidence_date:')}:16: profile-contradiction: the evidence date {evidence} is after "
                    f"the assessment year {year}") in err
        else:
            assert code == 0, err


def test_the_policys_dates_are_read_from_the_ruleset(tmp_path):
    assert run_case(CORNWALL, _ruleset_copy(tmp_path / "as-shipped")).reproduced
    # withheld_latest before Cornwall's inspection: the case is refused at its evidence date.
    result = run_case(CORNWALL, _ruleset_copy(tmp_path / "earlier", withheld_latest="2011-02-27"))
    assert result.decided_by == ["no decision: error evidence-date-outside-policy"]
    # withheld_on at Cornwall's letter date: the letter no longer says it was withheld that day.
    result = run_case(CORNWALL, _ruleset_copy(tmp_path / "later-day", withheld_on="2011-02-28"))
    assert result.decided_by == ["no decision: error evidence-date-outside-policy"]
    # latest moved past the inspection, no withholding window: every rating may rest on it.
    assert run_case(CORNWALL, _ruleset_copy(tmp_path / "wide", latest="2011-03-31", withheld_on=None,
                                            withheld_latest=None)).reproduced


@pytest.mark.parametrize("evidence, message", [
    ({"latest": "2010-12-31", "withheld_on": "2010-12-09"}, "withheld_on and withheld_latest are given together, or neither"),
    ({"latest": "2010-12-31", "withheld_on": "2010-12-09", "withheld_latest": "2010-12-30"},
     "withheld_latest (2010-12-30) is before latest (2010-12-31)"),
])
def test_an_incoherent_policy_is_refused_as_the_ruleset(tmp_path, evidence, message):
    path = _ruleset_copy(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["evidence"] = evidence
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    assert any(p.code == "ruleset-invalid" and message in p.message for p in caught.value.problems)
