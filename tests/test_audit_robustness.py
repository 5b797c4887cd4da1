"""The audit store under damage and attack: a verdict on any corruption (exit 1 naming the first bad record,
or exit 2 audit-store-invalid), never a traceback; list, export and verify in flat memory; a full disk a
clear error with the store left whole; revisions only of the same council and year; and checkpoints that
catch a rewrite after which every hash was recomputed."""
from __future__ import annotations

import io
import sqlite3
import tracemalloc
from pathlib import Path

import pytest
import yaml

from engine import evaluate_file
from engine.audit import checkpoint
from engine.audit.store import FIELDS, GENESIS_HASH, AuditStore, record_hash
from engine.errors import AuditError
from engine.render.audit import record_line

from .conftest import EXAMPLES


@pytest.fixture(scope="module")
def camden():
    return evaluate_file(EXAMPLES / "camden.yaml"), (EXAMPLES / "camden.yaml").read_text(encoding="utf-8")


@pytest.fixture
def store(tmp_path, run_cli) -> Path:
    path = tmp_path / "audit.sqlite"
    for name in ("camden.yaml", "cambridgeshire.yaml", "northfield-inadequate-safeguarding.yaml"):
        assert run_cli("evaluate", EXAMPLES / name, "--audit", path)[0] == 0
    return path


def _tamper(path: Path, *statements: str) -> None:
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER IF EXISTS evaluations_are_not_updated")
    con.execute("DROP TRIGGER IF EXISTS evaluations_are_not_deleted")
    for statement in statements:
        con.execute(statement)
    con.commit()
    con.close()


def _recompute_every_hash(path: Path) -> None:
    """What someone who can rewrite the file does after changing a record: the whole chain, made consistent."""
    con = sqlite3.connect(path)
    previous = GENESIS_HASH
    for row in con.execute(f"SELECT {', '.join(FIELDS)} FROM evaluations ORDER BY seq").fetchall():
        fields = dict(zip(FIELDS, row, strict=True)) | {"previous_hash": previous}
        digest = record_hash(fields, fields["record_format"])
        con.execute("UPDATE evaluations SET previous_hash = ?, record_hash = ? WHERE seq = ?", (previous, digest, fields["seq"]))
        previous = digest
    con.execute("UPDATE chain_head SET length = (SELECT count(*) FROM evaluations), record_hash = ?", (previous,))
    con.commit()
    con.close()


@pytest.mark.parametrize("damage, named", [
    ("UPDATE evaluations SET authority = CAST(x'fffe41' AS TEXT) WHERE seq = 2", "record 2 was altered: its authority is not text in UTF-8"),
    ("UPDATE evaluations SET input_text = CAST(input_text AS BLOB) WHERE seq = 2", "record 2 was altered: its input_text is not text"),
    ("UPDATE evaluations SET year = 'two thousand and nine' WHERE seq = 3", "record 3 was altered: its year is not a whole number"),
    ("UPDATE evaluations SET decision = '{' WHERE seq = 1", "record 1 ("),
], ids=["text-not-utf8", "text-as-blob", "text-for-a-number", "decision-not-json"])
def test_verify_names_the_first_record_whose_stored_values_were_damaged(run_cli, store, damage, named):
    _tamper(store, damage)
    code, out, err = run_cli("audit", "verify", "--audit", store)
    assert code == 1 and out == ""
    assert err.startswith(f"{store}: audit-chain-broken: {named}")


@pytest.mark.parametrize("damage, message", [
    ("DROP TABLE evaluations", "no such table: evaluations"),
    ("DROP TABLE chain_head", "no such table: chain_head"),
], ids=["records-dropped", "chain-head-dropped"])
def test_verify_on_a_store_missing_a_table_is_an_invalid_store(run_cli, store, damage, message):
    _tamper(store, damage)
    code, out, err = run_cli("audit", "verify", "--audit", store)
    assert code == 2 and out == ""
    assert err.startswith(f"{store}:1:1: audit-store-invalid: cannot read the store: {message}")


def test_verify_on_overwritten_pages_gives_a_verdict_not_a_traceback(run_cli, store):
    """A page of garbage, at every page of the file in turn: each copy gets a verdict, exit 1 naming a record or
    exit 2 audit-store-invalid (or, for a page no record uses, all three records verified), and list and export
    on it a located error or their output."""
    original = store.read_bytes()
    verdicts = set()
    for start in range(0, len(original), 4096):
        damaged = bytearray(original)
        damaged[start:start + 4096] = b"\xab" * 4096
        store.write_bytes(bytes(damaged))
        code, out, err = run_cli("audit", "verify", "--audit", store)
        assert code in (1, 2) and err.startswith(str(store)) or (code == 0 and "3 record(s) verified" in out), (start, err)
        verdicts.add(code)
        for command in ("list", "export"):
            code, _, err = run_cli("audit", command, "--audit", store)
            assert code in (0, 2) and (code == 0 or err.startswith(f"{store}:1:1: audit-store-invalid: ")), (start, command, err)
    assert {1, 2} <= verdicts  # some damage is a named record, some an unreadable store


@pytest.mark.parametrize("command", ["list", "export", "show"])
def test_list_export_and_show_of_a_damaged_record_are_located_errors(run_cli, store, command):
    with AuditStore(store) as opened:
        second = opened.records()[1].record_id
    _tamper(store, "UPDATE evaluations SET year = 'x' WHERE seq = 2")
    code, _, err = run_cli("audit", command, *([second] if command == "show" else []), "--audit", store)
    assert code == 2
    assert err == f"{store}:1:1: audit-store-invalid: record 2 was damaged: its year is not a whole number (`engine audit verify` names it)\n"


def _peak(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_list_export_and_verify_hold_one_record_at_a_time(tmp_path, camden):
    """A store of 40 records of 200 KB each (8 MB): reading it whole would take megabytes; each command's peak
    stays within a few records' size, and doubling the store does not raise it."""
    decision, text = camden
    big = text + "#" * 200_000
    small, large = tmp_path / "20.sqlite", tmp_path / "40.sqlite"
    for path, count in ((small, 20), (large, 40)):
        with AuditStore(path) as opened:
            for _ in range(count):
                opened.append(decision, profile_source_text=big)

    def peaks(path: Path) -> dict[str, int]:
        with AuditStore(path, create=False) as opened:
            return {"list": _peak(lambda: [record_line(row) for row in opened.summaries()]),
                    "export": _peak(lambda: opened.export_jsonl(_Discard())),
                    "verify": _peak(lambda: opened.verify())}

    at_20, at_40 = peaks(small), peaks(large)
    assert at_40["list"] < 100_000  # no decision, no profile text: a line's worth
    for command in ("export", "verify"):
        assert at_40[command] < 4 * 1_000_000, command  # a record (its text and decision) a few times over
        assert at_40[command] < 1.5 * at_20[command] + 500_000, command  # flat: twice the records, not twice the memory


class _Discard(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


def test_a_full_disk_is_a_clear_error_and_the_store_stays_whole(tmp_path, camden, run_cli, monkeypatch):
    """Simulated with SQLite's own limit on the file's pages (PRAGMA max_page_count): SQLite reports
    SQLITE_FULL, 'database or disk is full', exactly as on a full disk."""
    decision, text = camden
    path = tmp_path / "full.sqlite"
    with AuditStore(path) as opened:
        opened.append(decision, profile_source_text=text)
        pages = opened._con.execute("PRAGMA page_count").fetchone()[0]
        opened._con.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(AuditError) as caught:
            opened.append(decision, profile_source_text=text + "#" * 100_000)
        (problem,) = caught.value.problems
        assert problem.code == "write-failed" and "database or disk is full" in problem.message
        assert "nothing was recorded" in problem.message
    with AuditStore(path, create=False) as opened:
        result = opened.verify()
        assert result.ok and result.count == 1

    original = AuditStore.__init__

    def full_disk(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self._con.execute(f"PRAGMA max_page_count = {self._con.execute('PRAGMA page_count').fetchone()[0]}")

    monkeypatch.setattr(AuditStore, "__init__", full_disk)
    code, out, err = run_cli("evaluate", EXAMPLES / "camden.yaml", "--audit", path)
    assert code == 2 and out == ""
    assert err.startswith(f"{path}:1:1: write-failed: cannot record the evaluation: database or disk is full; nothing was recorded")


def test_supersedes_must_name_a_record_of_the_same_authority_and_year(run_cli, store, tmp_path):
    with AuditStore(store) as opened:
        camden_record, cambridgeshire_record = (r.record_id for r in opened.records()[:2])
    code, _, err = run_cli("evaluate", EXAMPLES / "cambridgeshire.yaml", "--audit", store, "--supersedes", camden_record[:8])
    assert code == 2
    assert err.startswith(f"--supersedes:1:1: audit-supersedes-mismatch: record {camden_record} is for London Borough of Camden "
                          "(202), 2009; this evaluation is for Cambridgeshire County Council (873), 2009")
    other_year = yaml.safe_load((EXAMPLES / "cambridgeshire.yaml").read_text(encoding="utf-8"))
    other_year["safeguarding_inspection"]["year"] = 2009
    other_year["year"] = 2009
    profile = tmp_path / "again.yaml"
    profile.write_text(yaml.safe_dump(other_year), encoding="utf-8")
    code, _, err = run_cli("evaluate", profile, "--audit", store, "--supersedes", cambridgeshire_record)
    assert code == 0, err  # the same council and year: recorded, pointing at the record it revises
    with AuditStore(store) as opened:
        assert opened.records()[-1].supersedes == cambridgeshire_record
        assert len(opened.records()) == 4


def test_a_checkpoint_catches_a_rewrite_after_which_every_hash_was_recomputed(run_cli, store, tmp_path):
    kept = tmp_path / "elsewhere" / "audit.checkpoint.yaml"
    code, out, _ = run_cli("audit", "checkpoint", "--audit", store, "-o", kept)
    assert code == 0 and f"checkpoint of 3 record(s) written to {kept}" in out
    taken = checkpoint.load(kept)
    assert taken.records == 3 and len(taken.head_hash) == 64 and taken.engine_version
    _tamper(store, "UPDATE evaluations SET final_band = 4 WHERE seq = 2")
    _recompute_every_hash(store)
    assert run_cli("audit", "verify", "--audit", store)[0] == 0  # the chain alone cannot tell
    code, out, err = run_cli("audit", "verify", "--audit", store, "--checkpoint", kept)
    assert code == 1 and out == ""
    assert err.startswith(f"{store}: audit-checkpoint-mismatch: record 3 is not what the checkpoint {kept}")
    assert "one or more of records 1 to 3 were rewritten and every hash recomputed" in err


def test_a_checkpoint_catches_records_removed_and_the_chain_rebuilt(run_cli, store, tmp_path):
    kept = tmp_path / "checkpoint.yaml"
    kept.write_text(run_cli("audit", "checkpoint", "--audit", store)[1], encoding="utf-8")  # printed, to be kept elsewhere
    _tamper(store, "DELETE FROM evaluations WHERE seq = 3")
    _recompute_every_hash(store)
    code, _, err = run_cli("audit", "verify", "--audit", store, "--checkpoint", kept)
    assert code == 1 and "covers 3 records; the store holds 2: records were removed" in err


def test_records_appended_after_a_checkpoint_verify_with_it(run_cli, store, tmp_path):
    kept = tmp_path / "checkpoint.yaml"
    assert run_cli("audit", "checkpoint", "--audit", store, "-o", kept)[0] == 0
    assert run_cli("evaluate", EXAMPLES / "camden.yaml", "--audit", store)[0] == 0
    code, out, _ = run_cli("audit", "verify", "--audit", store, "--checkpoint", kept)
    assert code == 0 and "4 record(s) verified" in out and "the 3 record(s) of the checkpoint" in out and "are unchanged" in out


def test_no_checkpoint_is_taken_of_a_broken_chain(run_cli, store, tmp_path):
    _tamper(store, "UPDATE evaluations SET final_band = 1 WHERE seq = 1")
    code, out, err = run_cli("audit", "checkpoint", "--audit", store, "-o", tmp_path / "c.yaml")
    assert code == 1 and out == "" and "audit-chain-broken: record 1" in err
    assert not (tmp_path / "c.yaml").exists()


def test_a_malformed_checkpoint_is_a_located_error(run_cli, store, tmp_path):
    kept = tmp_path / "checkpoint.yaml"
    kept.write_text("checkpoint_format: 1\nrecords: yes\nhead_record: null\nhead_hash: nothex\ntaken_at: 2024-05-01T10:00:00Z\n"
                    "engine_version: 0.1.0\n", encoding="utf-8")
    code, _, err = run_cli("audit", "verify", "--audit", store, "--checkpoint", kept)
    assert code == 2
    assert err.splitlines() == [
        f"{kept}:2:10: audit-checkpoint-invalid: records: Value error, expected a number, not true or false (YAML reads yes, no, on "
        "and off as true and false) (got True)",
        f"{kept}:4:12: audit-checkpoint-invalid: head_hash: String should match pattern '^[0-9a-f]{{64}}$' (got 'nothex')"]
