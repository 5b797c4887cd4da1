"""Professional judgement: within the ruleset's policy it sets the final band; outside it, it is refused
naming the policy clause, and nothing is recorded."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from engine import evaluate, load_ruleset, parse_profile, ruleset_for_year
from engine.audit.store import AuditStore
from engine.errors import RulesetError
from engine.paths import rules_dir

REASON = "Evidence since the profile was drawn shows consistently good safeguarding practice"


def _records(path: Path) -> list:
    if not path.exists():
        return []
    with AuditStore(path) as store:
        return store.records()


def _ruleset_copy(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((rules_dir() / "csa-2009.yaml").read_text())
    change(data)
    path = tmp_path / "csa-2009-variant.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_override_within_policy_records_proposed_3_and_final_4(run_cli, examples, audit_store_in_tmp):
    code, out, err = run_cli("evaluate", examples / "cambridgeshire.yaml", "--override-band", "4",
                             "--assessor", "A. Assessor", "--reason", REASON)
    assert code == 0, err
    assert "  Judgement       3 -> 4 by A. Assessor: " + REASON in out.splitlines()
    assert "  Final band      4 (performs excellently)" in out.splitlines()
    (record,) = _records(audit_store_in_tmp)
    assert f"recorded as {record.record_id} in {audit_store_in_tmp}" in err
    assert (record.proposed_band, record.limited_band, record.final_band) == (3, 3, 4)
    assert json.loads(record.judgement) == {"band": 4, "assessor": "A. Assessor", "reason": REASON, "date": None}
    applied = record.as_decision().events("judgement_applied")
    assert [(e.band_before, e.band_after, e.assessor) for e in applied] == [(3, 4, "A. Assessor")]


def test_judgement_file_gives_band_assessor_reason_and_date(run_cli, examples, tmp_path, audit_store_in_tmp):
    judgement = tmp_path / "judgement.yaml"
    judgement.write_text(f"band: 2\nassessor: B. Inspector\nreason: {REASON}\ndate: 2009-12-01\n")
    code, out, err = run_cli("evaluate", examples / "cambridgeshire.yaml", "--judgement", judgement, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["proposed_band"], data["limited_band"], data["final_band"]) == (3, 3, 2)
    assert data["judgement"] == {"band": 2, "assessor": "B. Inspector", "reason": REASON, "date": "2009-12-01"}
    assert _records(audit_store_in_tmp)[0].final_band == 2


@pytest.mark.parametrize("profile, band, assessor, reason, clauses", [
    ("cambridgeshire.yaml", 1, "A. Assessor", REASON, ["max_change"]),
    ("cambridgeshire.yaml", 4, "A. Assessor", "   ", ["reason_required"]),
    ("northfield-inadequate-safeguarding.yaml", 2, "A. Assessor", REASON, ["never_above_safeguarding_limit"]),
    ("northfield-inadequate-safeguarding.yaml", 4, "A. Assessor", REASON, ["max_change", "never_above_safeguarding_limit"]),
    ("eastbridge-priority-actions.yaml", 3, "A. Assessor", REASON, ["never_above_safeguarding_limit"]),
], ids=["two-grades", "no-reason", "above-safeguarding-cap", "cap-and-two-grades", "above-priority-action-step"])
def test_judgement_outside_policy_is_refused_naming_the_clause_and_records_nothing(
        run_cli, examples, audit_store_in_tmp, profile, band, assessor, reason, clauses):
    code, out, err = run_cli("evaluate", examples / profile, "--override-band", band, "--assessor", assessor, "--reason", reason)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert [line.split("refused by policy clause judgement.")[1].split(":")[0] for line in lines] == clauses
    assert all("csa-2009.yaml:" in line and ": judgement-outside-policy: " in line for line in lines)
    assert _records(audit_store_in_tmp) == []


def test_an_override_band_off_the_rulesets_scale_is_refused_at_the_scale_and_records_nothing(run_cli, examples, audit_store_in_tmp):
    code, out, err = run_cli("evaluate", examples / "cambridgeshire.yaml", "--override-band", "5", "--assessor", "A. Assessor",
                             "--reason", REASON)
    assert code == 2 and out == ""
    assert "csa-2009.yaml:" in err and ": band-not-on-scale: a judgement's band 5 is not on the scale of ruleset csa-2009: " \
                                      "its bands are 1 (performs poorly), 2 (performs adequately)" in err
    assert _records(audit_store_in_tmp) == []


def test_missing_assessor_is_refused_by_the_assessor_clause(run_cli, examples, audit_store_in_tmp):
    code, _, err = run_cli("evaluate", examples / "cambridgeshire.yaml", "--override-band", "4", "--reason", REASON)
    assert code == 2 and "judgement.assessor_required: a judgement must name its assessor" in err
    assert _records(audit_store_in_tmp) == []


def test_a_ruleset_without_a_policy_allows_no_judgement(run_cli, examples, tmp_path, audit_store_in_tmp):
    ruleset = _ruleset_copy(tmp_path, lambda data: data.pop("judgement"))
    code, _, err = run_cli("evaluate", examples / "cambridgeshire.yaml", "--ruleset", ruleset,
                           "--override-band", "4", "--assessor", "A. Assessor", "--reason", REASON)
    assert code == 2 and "judgement-outside-policy: ruleset csa-2009 has no 'judgement' policy" in err
    assert _records(audit_store_in_tmp) == []


def test_the_same_override_on_the_inadequate_safeguarding_example_is_refused(run_cli, examples, audit_store_in_tmp):
    code, _, err = run_cli("evaluate", examples / "northfield-inadequate-safeguarding.yaml", "--override-band", "4",
                           "--assessor", "A. Assessor", "--reason", REASON)
    assert code == 2
    assert "limit limit_safeguarding_inadequate (a safeguarding finding) holds the band at most 1" in err
    assert _records(audit_store_in_tmp) == []


@pytest.mark.parametrize("text, expected", [
    ("band: 5\nassessor: A\nreason: B\n", "judgement.yaml:1:7: judgement-invalid: band: Input should be less than or equal to 4"),
    ("band: 4\nassesor: A\nreason: B\n", "judgement.yaml:2:1: judgement-invalid: unknown field 'assesor'"),
    ("- 4\n", "judgement.yaml:1:1: judgement-invalid: a judgement is a mapping"),
])
def test_a_malformed_judgement_file_is_a_located_error(run_cli, examples, tmp_path, text, expected):
    judgement = tmp_path / "judgement.yaml"
    judgement.write_text(text)
    code, _, err = run_cli("evaluate", examples / "camden.yaml", "--judgement", judgement)
    assert code == 2
    assert err.startswith(str(tmp_path / expected.split(":")[0]) + expected[len("judgement.yaml"):])


def test_data_gaps_in_social_care_above_the_stated_share_are_flagged(examples):
    data = yaml.safe_load((examples / "cambridgeshire.yaml").read_text())
    before = _evaluate(data).judgement_warranted
    del data["indicators"]["NI_59"]  # now 3 of 11 staying-safe indicators have no data (above 0.2)
    after = _evaluate(data).judgement_warranted
    note = "data gaps in social care and looked after children: outcomes.staying_safe.share_gaps = 0.273, above 0.2"
    assert note not in before and note in after


def test_evidence_near_a_threshold_is_flagged_within_the_stated_margin(examples, tmp_path):
    def margin(value):
        return _ruleset_copy(tmp_path, lambda d: d["judgement"]["warranted"].update(near_threshold_margin=value))

    data = yaml.safe_load((examples / "cambridgeshire.yaml").read_text())
    note = ("settings grade 3 (rule settings_good) holds by a narrow margin: "
            "settings.share_types_in_line_or_above_national = 0.583, needs at least the majority (0.5)")
    wide = _evaluate(data, load_ruleset(margin(0.1))).judgement_warranted  # 0.583 is 0.083 from the threshold
    narrow = _evaluate(data, load_ruleset(margin(0.05))).judgement_warranted
    assert any(n.startswith(note) for n in wide) and not any(n.startswith(note) for n in narrow)


def test_a_policy_that_flags_judgement_but_allows_no_change_contradicts_itself(tmp_path):
    path = _ruleset_copy(tmp_path, lambda d: d["judgement"].update(max_change=0))
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    assert [p.code for p in caught.value.problems] == ["policy-contradiction"]


def _evaluate(data: dict, loaded_ruleset=None):
    loaded = parse_profile(yaml.safe_dump(data), "test.yaml")
    return evaluate(loaded, loaded_ruleset or ruleset_for_year(loaded.profile.year, loaded.source))
