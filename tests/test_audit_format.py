"""Record format 3: each record encoded once and hashed as stored; stores written in format 2 still verify, list,
show and export, and go on growing in format 3; groups of records appended in one transaction."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
import zstandard

from engine import evaluate_file
from engine.audit.store import FIELDS, GENESIS_HASH, AuditStore, prepare, record_hash
from engine.audit.stored import MAX_DECISION_BYTES, decompress, encode_decision, stored_hash
from engine.errors import AuditError
from engine.model.trace import Decision

from .conftest import EXAMPLES

PROFILES = ["camden.yaml", "cambridgeshire.yaml", "northfield-inadequate-safeguarding.yaml", "ashcombe-2010-withheld.yaml"]


@pytest.fixture(scope="module")
def evaluated():
    return [(evaluate_file(EXAMPLES / name), (EXAMPLES / name).read_text(encoding="utf-8")) for name in PROFILES]


def _append_as_format_2(path: Path, decision: Decision, text: str) -> None:
    """What the engine before record format 3 wrote: the decision as pydantic's JSON text, the hash over the
    canonical JSON of every field."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    head = con.execute("SELECT length, record_hash FROM chain_head").fetchone() or (0, GENESIS_HASH)

    def canonical(value):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    fields = {"seq": head[0] + 1, "record_id": uuid.uuid4().hex, "record_format": 2,
              "recorded_at": datetime.now(UTC).isoformat(timespec="microseconds"), "run_by": "old engine",
              "authority": decision.authority, "authority_code": decision.authority_code, "year": decision.year,
              "input_hash": decision.input_hash, "input_text": text, "ruleset_id": decision.ruleset.id,
              "ruleset_version": decision.ruleset.version, "ruleset_hash": decision.ruleset.content_hash,
              "catalogue_hash": decision.ruleset.catalogue_hash, "engine_version": decision.engine_version,
              "proposed_band": decision.proposed_band, "limits": canonical([x.model_dump(mode="json") for x in decision.limits]),
              "limited_band": decision.limited_band,
              "judgement": canonical(decision.judgement.model_dump(mode="json")) if decision.judgement else None,
              "final_band": decision.final_band, "decision": decision.model_dump_json(), "supersedes": None,
              "previous_hash": head[1]}
    fields["record_hash"] = hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()
    con.execute(f"INSERT INTO evaluations ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})", list(fields.values()))
    con.execute("INSERT OR REPLACE INTO chain_head VALUES (1, ?, ?, ?)", (fields["seq"], fields["record_id"], fields["record_hash"]))
    con.execute("PRAGMA user_version = 2")
    con.execute("COMMIT")
    con.close()


@pytest.fixture
def old_store(tmp_path, evaluated) -> Path:
    """A store of three records written in record format 2 (its schema is the one format 3 uses)."""
    path = tmp_path / "old.sqlite"
    AuditStore(path).close()
    for decision, text in evaluated[:3]:
        _append_as_format_2(path, decision, text)
    return path


def test_the_stored_decision_is_the_decision_pydantic_writes_and_reads_back_equal(evaluated):
    for decision, _ in evaluated:
        stored = encode_decision(decision)
        assert orjson.loads(decompress(stored)) == json.loads(decision.model_dump_json())
        assert Decision.model_validate_json(decompress(stored)) == decision


def test_a_record_is_hashed_as_stored_and_is_a_quarter_of_the_size_it_was(tmp_path, evaluated):
    decision, text = evaluated[0]
    path = tmp_path / "new.sqlite"
    with AuditStore(path) as store:
        store.append(decision, profile_source_text=text)
    con = sqlite3.connect(path)
    row = con.execute(f"SELECT {', '.join(FIELDS)}, record_hash FROM evaluations").fetchone()
    con.close()
    stored = dict(zip((*FIELDS, "record_hash"), row, strict=True))
    assert stored["record_format"] == 3 and isinstance(stored["decision"], bytes)
    assert stored["record_hash"] == stored_hash(row[:-1]) == record_hash(stored, 3)
    new_size = sum(len(v) if isinstance(v, bytes) else len(str(v).encode()) for v in row if v is not None)
    old_size = new_size - len(stored["decision"]) + len(decision.model_dump_json().encode())  # the decision as JSON text
    assert new_size * 4 <= old_size


def test_text_and_blob_of_the_same_bytes_hash_differently():
    assert stored_hash(["1"]) != stored_hash([1]) != stored_hash([b"1"])
    assert stored_hash(["ab", "c"]) != stored_hash(["a", "bc"])
    assert stored_hash([None]) != stored_hash([""])


def test_a_format_2_store_verifies_lists_shows_and_exports(run_cli, old_store, evaluated):
    code, out, err = run_cli("audit", "verify", "--audit", old_store)
    assert code == 0 and "3 record(s) verified" in out, err
    code, out, _ = run_cli("audit", "list", "--audit", old_store)
    assert code == 0 and len(out.splitlines()) == 3 and "Cambridgeshire County Council 2009" in out
    with AuditStore(old_store) as store:
        records = store.records()
    assert [r.record_format for r in records] == [2, 2, 2]
    assert records[1].as_decision() == evaluated[1][0]
    code, out, _ = run_cli("audit", "show", records[0].record_id, "--audit", old_store)
    assert code == 0 and "  Final band      4 (performs excellently)" in out.splitlines()
    code, out, _ = run_cli("audit", "export", "--audit", old_store)
    exported = [json.loads(line) for line in out.splitlines()]
    assert [e["decision"]["final_band"] for e in exported] == [d.final_band for d, _ in evaluated[:3]]


def test_a_format_2_store_goes_on_in_format_3_and_tampering_with_either_is_caught(run_cli, old_store, evaluated):
    decision, text = evaluated[3]
    with AuditStore(old_store) as store:
        store.append(decision, profile_source_text=text)
        assert [r.record_format for r in store.records()] == [2, 2, 2, 3]
        assert store.records()[3].previous_hash == store.records()[2].record_hash
        exported = []
        store.export_jsonl(type("Lines", (), {"write": lambda self, line: exported.append(json.loads(line))})())
    assert exported[3]["decision"] == json.loads(decision.model_dump_json())
    assert run_cli("audit", "verify", "--audit", old_store)[0] == 0
    for seq in (2, 4):
        copy = old_store.with_name(f"tampered-{seq}.sqlite")
        copy.write_bytes(old_store.read_bytes())
        con = sqlite3.connect(copy)
        con.execute("DROP TRIGGER evaluations_are_not_updated")
        con.execute(f"UPDATE evaluations SET final_band = 1 WHERE seq = {seq}")
        con.commit()
        con.close()
        code, _, err = run_cli("audit", "verify", "--audit", copy)
        assert code == 1 and f"record {seq} (" in err and "no longer match its hash" in err


def test_a_stored_decision_that_would_decompress_past_the_bound_is_a_damaged_record(run_cli, tmp_path, evaluated):
    path = tmp_path / "bomb.sqlite"
    with AuditStore(path) as store:
        record_id = store.append(*evaluated[0][:1], profile_source_text=evaluated[0][1])
    bomb = zstandard.ZstdCompressor(level=1).compress(b" " * (MAX_DECISION_BYTES + 1))
    with pytest.raises(ValueError, match="more than"):
        decompress(bomb)
    with pytest.raises(ValueError, match="more than"):  # a frame that does not say its size is read no further
        decompress(zstandard.ZstdCompressor(level=1, write_content_size=False).compress(b" " * (MAX_DECISION_BYTES + 1)))
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER evaluations_are_not_updated")
    con.execute("UPDATE evaluations SET decision = ?", (bomb,))
    con.commit()
    con.close()
    code, _, err = run_cli("audit", "show", record_id, "--audit", path)
    assert code == 2 and "record 1 was damaged: its decision no longer parses" in err
    assert run_cli("audit", "verify", "--audit", path)[0] == 1


def test_a_group_is_appended_in_one_transaction_whole_or_not_at_all(tmp_path, evaluated):
    path = tmp_path / "groups.sqlite"
    with AuditStore(path) as store:
        ids = store.append_prepared([prepare(d, profile_source_text=t, run_by="batch") for d, t in evaluated])
        assert [r.record_id for r in store.records()] == ids and store.verify().ok
        camden = evaluated[0]
        group = [prepare(*camden[:1], profile_source_text=camden[1]),
                 prepare(*camden[:1], profile_source_text=camden[1], supersedes="no-such-record")]
        with pytest.raises(AuditError) as caught:
            store.append_prepared(group)
        assert caught.value.code == "audit-record-not-found"
        assert len(store.records()) == 4 and store.verify().ok  # the first of the group was not recorded either
        revised = store.append_prepared([prepare(*camden[:1], profile_source_text=camden[1], supersedes=ids[0][:10])])
        assert store.get(revised[0]).supersedes == ids[0]
        first = prepare(*camden[:1], profile_source_text=camden[1])  # a record and its revision in one group
        pair = store.append_prepared([first, prepare(*camden[:1], profile_source_text=camden[1],
                                                     supersedes=first.fields["record_id"])])
        assert store.get(pair[1]).supersedes == pair[0]
        assert store.verify().count == 7
