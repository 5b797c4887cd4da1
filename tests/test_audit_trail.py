"""The audit trail: one whole record per evaluation, append-only, and a hash chain that `verify` checks,
naming the first record altered, removed or reordered."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from engine import evaluate_file
from engine.audit.store import FIELDS, GENESIS_HASH, AuditStore, default_audit_path
from engine.errors import AuditError
from engine.model.judgement import ProposedJudgement

REASON = "Recent evidence shows practice has improved"


@pytest.fixture(scope="module")
def decisions():
    examples = Path(__file__).resolve().parent.parent / "examples"
    judged = evaluate_file(examples / "cambridgeshire.yaml", judgement=ProposedJudgement(4, "A. Assessor", REASON))
    return [(evaluate_file(examples / "camden.yaml"), (examples / "camden.yaml").read_text()),
            (judged, (examples / "cambridgeshire.yaml").read_text()),
            (evaluate_file(examples / "northfield-inadequate-safeguarding.yaml"), "northfield profile text")]


@pytest.fixture
def store_of_three(tmp_path, decisions) -> Path:
    path = tmp_path / "three.sqlite"
    with AuditStore(path) as store:
        for decision, text in decisions:
            store.append(decision, profile_source_text=text, run_by="tester")
    return path


def _tamper(path: Path, *statements: str, params=()) -> None:
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER IF EXISTS evaluations_are_not_updated")
    con.execute("DROP TRIGGER IF EXISTS evaluations_are_not_deleted")
    for statement in statements:
        con.execute(statement, params)
    con.commit()
    con.close()


def _verify(path: Path):
    with AuditStore(path, create=False) as store:
        return store.verify()


def test_each_record_holds_the_whole_evaluation_and_the_hash_before_it(store_of_three, decisions):
    with AuditStore(store_of_three) as store:
        records = store.records()
        assert store.verify().ok
    assert [r.seq for r in records] == [1, 2, 3]
    assert [r.previous_hash for r in records] == [GENESIS_HASH, records[0].record_hash, records[1].record_hash]
    judged = records[1]
    assert (judged.authority, judged.year, judged.proposed_band, judged.final_band) == ("Cambridgeshire County Council", 2009, 3, 4)
    assert judged.input_text == decisions[1][1] and judged.input_hash == decisions[1][0].input_hash
    assert judged.ruleset_id == "csa-2009" and len(judged.ruleset_hash) == 64 and judged.run_by == "tester"
    assert judged.recorded_at.endswith("+00:00")
    assert judged.as_decision() == decisions[1][0]  # the full trace comes back as it was
    assert json.loads(records[2].limits)[0]["limit_id"] == "limit_safeguarding_inadequate"


def test_the_store_refuses_updates_and_deletes(store_of_three):
    con = sqlite3.connect(store_of_three)
    for statement in ("UPDATE evaluations SET final_band = 1", "DELETE FROM evaluations WHERE seq = 2"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(statement)
    con.close()


def test_a_revised_judgement_is_a_new_record_pointing_at_the_one_it_supersedes(store_of_three, decisions):
    with AuditStore(store_of_three) as store:
        first = store.records()[1]
        new_id = store.append(decisions[1][0], profile_source_text=decisions[1][1], supersedes=first.record_id[:8])
        assert store.get(new_id).supersedes == first.record_id
        with pytest.raises(AuditError) as caught:
            store.append(decisions[1][0], profile_source_text="", supersedes="no-such-record")
        assert caught.value.code == "audit-record-not-found"
        assert len(store.records()) == 4 and store.verify().ok


VALUES_TO_TRY = {int: lambda v: v + 10, str: lambda v: v + " ", bytes: lambda v: v + b" ", type(None): lambda v: "x"}


@pytest.mark.parametrize("field", FIELDS + ("record_hash",))
def test_changing_any_stored_field_of_any_record_is_caught_naming_the_record(store_of_three, field):
    with AuditStore(store_of_three) as store:
        originals = store.records()
    for record in originals:
        path = store_of_three.with_name(f"{field}-{record.seq}.sqlite")
        path.write_bytes(store_of_three.read_bytes())
        value = getattr(record, field)
        _tamper(path, f"UPDATE evaluations SET {field} = ? WHERE seq = {record.seq}", params=(VALUES_TO_TRY[type(value)](value),))
        result = _verify(path)
        assert not result.ok
        assert result.first_bad.startswith(f"record {record.seq}"), result.problem


@pytest.mark.parametrize("seq", [1, 2, 3])
def test_deleting_a_record_is_caught_naming_it(store_of_three, seq):
    with AuditStore(store_of_three) as store:
        removed = store.records()[seq - 1]
    _tamper(store_of_three, f"DELETE FROM evaluations WHERE seq = {seq}")
    result = _verify(store_of_three)
    assert not result.ok and result.first_bad.startswith(f"record {seq}")
    assert "missing" in result.problem
    if seq == 3:  # the last record: only the chain head still names it
        assert removed.record_id in result.problem


@pytest.mark.parametrize("a, b", [(1, 2), (1, 3), (2, 3)])
def test_swapping_two_records_is_caught_naming_the_first(store_of_three, a, b):
    columns = ", ".join(FIELDS + ("record_hash",))
    others = ", ".join(f for f in FIELDS + ("record_hash",) if f != "seq")
    _tamper(store_of_three,
            f"CREATE TABLE saved AS SELECT {columns} FROM evaluations WHERE seq IN ({a}, {b})",
            f"DELETE FROM evaluations WHERE seq IN ({a}, {b})",
            f"INSERT INTO evaluations ({columns}) SELECT CASE seq WHEN {a} THEN {b} ELSE {a} END, {others} FROM saved")
    result = _verify(store_of_three)
    assert not result.ok and result.first_bad.startswith(f"record {a}")


def test_cli_verify_passes_then_fails_naming_the_altered_record(run_cli, examples, audit_store_in_tmp):
    for name in ("camden.yaml", "cambridgeshire.yaml"):
        assert run_cli("evaluate", examples / name)[0] == 0
    code, out, _ = run_cli("audit", "verify")
    assert code == 0 and out.startswith(f"{audit_store_in_tmp}: 2 record(s) verified; chain head ")
    with AuditStore(audit_store_in_tmp) as store:
        altered = store.records()[1]
    _tamper(audit_store_in_tmp, "UPDATE evaluations SET final_band = 4 WHERE seq = 2")
    code, _, err = run_cli("audit", "verify")
    assert code == 1
    assert err == (f"{audit_store_in_tmp}: audit-chain-broken: record 2 ({altered.record_id}) was altered: "
                   "its fields no longer match its hash\n")


def test_cli_list_show_and_export(run_cli, examples, audit_store_in_tmp):
    run_cli("evaluate", examples / "cambridgeshire.yaml", "--override-band", "4", "--assessor", "A. Assessor", "--reason", REASON)
    run_cli("evaluate", examples / "camden.yaml", "--no-audit")
    code, out, _ = run_cli("audit", "list")
    (line,) = out.splitlines()
    record_id = line.split("\t")[1]
    assert line.endswith("Cambridgeshire County Council 2009\tproposed 3 -> final 4 (judgement by A. Assessor)")
    code, out, _ = run_cli("audit", "show", record_id[:6])
    assert code == 0
    assert f"  Judgement       3 -> 4 by A. Assessor: {REASON}" in out.splitlines()
    assert "  Final band      4 (performs excellently)" in out.splitlines()
    code, out, _ = run_cli("audit", "export", "--format", "jsonl")
    (exported,) = [json.loads(line) for line in out.splitlines()]
    assert exported["record_id"] == record_id and exported["decision"]["final_band"] == 4
    assert exported["judgement"]["assessor"] == "A. Assessor"


def test_the_store_path_comes_from_the_option_then_the_environment(run_cli, examples, tmp_path, monkeypatch):
    explicit = tmp_path / "explicit.sqlite"
    code, _, err = run_cli("evaluate", examples / "camden.yaml", "--audit", explicit)
    assert code == 0 and f" in {explicit}" in err
    assert default_audit_path(explicit) == explicit
    monkeypatch.delenv("ENGINE_AUDIT_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_audit_path() == tmp_path / "data" / "engine" / "audit.sqlite"


def test_a_file_that_is_not_an_audit_store_is_refused(run_cli, tmp_path):
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.close()
    code, _, err = run_cli("audit", "list", "--audit", other)
    assert code == 2 and err == f"{other}:1:1: audit-store-invalid: this SQLite file is not an engine audit store\n"
    code, _, err = run_cli("audit", "show", "abc", "--audit", tmp_path / "none.sqlite")
    assert code == 2 and "audit-store-invalid: no audit store here" in err
