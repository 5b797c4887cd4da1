"""The audit trail: every evaluation recorded in an embedded SQLite store, as a tamper-evident hash chain.

One row per evaluation, written whole or not at all. Each record's hash
covers every stored field and the hash of the record before it, so ``verify`` finds the first record
that was altered, removed or put out of order. A chain-head row, written in the same transaction,
catches the removal of the last records. Nothing in the engine updates or deletes a record (triggers
refuse it); a revised judgement is a new record that names the one it supersedes.

Appending, the public API (safe from several processes and threads at once, each with its own store):

- :meth:`AuditStore.append` records one evaluation, in its own transaction, and returns its id;
- :func:`prepare` encodes a record (everything but its place in the chain) without touching the store, so a
  worker process can do the costly part; :meth:`AuditStore.append_prepared` then records a group of them in
  one transaction: all of them, in order, the chain continuous, or none. ``engine batch`` appends a chunk at a
  time, so a kill loses at most the chunk in flight and never leaves part of a record.

Each append takes SQLite's write lock (``BEGIN IMMEDIATE``) before it reads the chain head, so concurrent
writers queue (WAL mode; a writer waits up to BUSY_TIMEOUT_SECONDS) and never fork or interleave the chain.

A hash chain shows that records were changed, not who changed them: someone able to rewrite the file
could recompute every hash. A checkpoint (engine.audit.checkpoint), kept somewhere else, anchors the chain.

Reading never trusts the file: every record is read one at a time (``list``, ``export`` and ``verify`` hold
one record in memory, whatever the store's size), each field is checked to be of its column's type (text
that is not UTF-8, or text stored as a BLOB, is a damaged record, named), and any SQLite error while
reading or writing (a damaged page, a dropped table, a full disk) is a located problem, never a traceback.
"""
from __future__ import annotations

import contextlib
import getpass
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from ..errors import AuditError, Code, Problem
from ..model.trace import Decision
from .stored import (  # re-exported: the record's format is part of the store's public face
    FIELDS,
    GENESIS_HASH,
    RECORD_FORMAT,
    SUMMARY_FIELDS,
    AuditRecord,
    DamagedRecord,
    VerifyResult,
    damage,
    encode_decision,
    json_text,
    row_damage,
    row_hash,
    stored_hash,
    text_of,
)
from .stored import (
    record_hash as record_hash,
)

ENV_VAR = "ENGINE_AUDIT_DB"
APPLICATION_ID = 0x456E6741  # "EngA": marks a SQLite file as an engine audit store
BUSY_TIMEOUT_SECONDS = 60.0

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS evaluations (
    seq INTEGER PRIMARY KEY,           -- position in the chain, from 1
    record_id TEXT NOT NULL UNIQUE,
    record_format INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,         -- UTC, ISO 8601
    run_by TEXT NOT NULL,
    authority TEXT NOT NULL,
    authority_code TEXT,
    year INTEGER NOT NULL,
    input_hash TEXT NOT NULL,          -- sha256 of the validated profile (engine.load.profile)
    input_text TEXT NOT NULL,          -- the profile file as given
    ruleset_id TEXT NOT NULL,
    ruleset_version TEXT NOT NULL,
    ruleset_hash TEXT NOT NULL,
    catalogue_hash TEXT,               -- sha256 of the ruleset's catalogue (record format 2 onwards)
    engine_version TEXT NOT NULL,
    proposed_band INTEGER,             -- NULL when the decision withholds a band
    limits TEXT NOT NULL,              -- JSON
    limited_band INTEGER,
    judgement TEXT,                    -- JSON, or NULL when no judgement was made
    final_band INTEGER,
    decision TEXT NOT NULL,            -- the whole decision with its trace: JSON (formats 1, 2), zstd JSON BLOB (3)
    supersedes TEXT,                   -- the record_id this one revises
    previous_hash TEXT NOT NULL,
    record_hash TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS chain_head (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    length INTEGER NOT NULL,
    record_id TEXT,
    record_hash TEXT NOT NULL
)""",
    """CREATE TRIGGER IF NOT EXISTS evaluations_are_not_updated BEFORE UPDATE ON evaluations
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: records are never updated'); END""",
    """CREATE TRIGGER IF NOT EXISTS evaluations_are_not_deleted BEFORE DELETE ON evaluations
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: records are never deleted'); END""",
    f"PRAGMA application_id = {APPLICATION_ID}",
    f"PRAGMA user_version = {RECORD_FORMAT}",
)


def default_audit_path(explicit: str | os.PathLike | None = None) -> Path:
    """The store named, else $ENGINE_AUDIT_DB, else $XDG_DATA_HOME/engine/audit.sqlite (~/.local/share/...)."""
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "engine" / "audit.sqlite"


class AuditStore:
    """An append-only store of evaluations. Safe for several writing processes at once (WAL)."""

    def __init__(self, path: str | os.PathLike, *, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise self._error("audit-store-invalid", "no audit store here", "evaluate a profile to create it, or name another store")
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
            self._con.text_factory = text_of
            self._prepare()
        except (sqlite3.Error, OSError) as exc:
            raise self._error("audit-store-invalid", f"cannot use this file as an audit store: {exc}") from None

    def _prepare(self) -> None:
        con = self._con
        if not self._is_audit_store():
            con.execute("BEGIN IMMEDIATE")  # one creator at a time; the others find the schema made
            try:
                if not self._is_audit_store():
                    for statement in _SCHEMA:
                        con.execute(statement)
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = FULL")
        self._upgrade()

    def _upgrade(self) -> None:
        """A store begun in record format 1 gains the catalogue_hash column; its records stay as they were."""
        con = self._con
        (version,) = con.execute("PRAGMA user_version").fetchone()
        if version >= RECORD_FORMAT:
            return
        con.execute("BEGIN IMMEDIATE")
        try:
            columns = {row[1] for row in con.execute("PRAGMA table_info(evaluations)")}
            if "catalogue_hash" not in columns:
                con.execute("ALTER TABLE evaluations ADD COLUMN catalogue_hash TEXT")
            con.execute(f"PRAGMA user_version = {RECORD_FORMAT}")
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise

    def _is_audit_store(self) -> bool:
        """True for an engine audit store, False for an empty file; refuses any other SQLite database."""
        con = self._con
        began = not con.in_transaction
        if began:
            con.execute("BEGIN")  # both reads from one snapshot, whatever a racing creator commits
        try:
            (app_id,) = con.execute("PRAGMA application_id").fetchone()
            has_tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        finally:
            if began:
                con.execute("COMMIT")
        if app_id != APPLICATION_ID and has_tables:
            raise self._error("audit-store-invalid", "this SQLite file is not an engine audit store")
        return app_id == APPLICATION_ID

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def append(self, decision: Decision, *, profile_source_text: str, run_by: str | None = None,
               supersedes: str | None = None, review: dict[str, Any] | None = None, expect_latest: bool = False) -> str:
        """Record one evaluation at the end of the chain, whole or not at all; returns its record id.

        ``review``: a step of a four-eyes judgement (proposed, confirmed, returned), recorded in the judgement
        field as the judgement with a ``review`` entry. ``expect_latest``: refuse (``audit-record-stale``) unless
        ``supersedes`` is still the newest record of this council and year (None: it has none), checked under
        the write lock, so of two reviewers acting on the same state one is recorded and the other told.
        """
        (record_id,) = self.append_prepared([prepare(decision, profile_source_text=profile_source_text, run_by=run_by,
                                                     supersedes=supersedes, review=review, expect_latest=expect_latest)])
        return record_id

    def append_prepared(self, records: Sequence[PreparedRecord]) -> list[str]:
        """Record a group of prepared evaluations (:func:`prepare`) at the end of the chain, in order, in one
        transaction: every one of them or none; returns their record ids."""
        if not records:
            return []
        withheld = next((r for r in records if r.fields["final_band"] is None), None)
        if withheld is not None and not self._bands_may_be_empty():
            raise self._error("audit-store-too-old", f"the rating of {withheld.fields['authority']} {withheld.fields['year']} is "
                              "withheld, and this store was made by an earlier engine whose band columns cannot be empty, so it "
                              "cannot record it", "record it in a new store; this store stays valid for rated decisions")
        try:
            return self._append(records)
        except sqlite3.Error as exc:  # a full disk, a read-only file, a lock never released: nothing was recorded
            raise self._error("write-failed", f"cannot record the evaluation: {exc}; nothing was recorded",
                              "free some space, or name another store with --audit") from None

    def _append(self, records: Sequence[PreparedRecord]) -> list[str]:
        con = self._con
        ids: list[str] = []
        con.execute("BEGIN IMMEDIATE")  # take the write lock before reading the head: one chain, no forks
        try:
            head = con.execute("SELECT length, record_hash FROM chain_head WHERE one = 1").fetchone()
            length, previous = head if head else (0, GENESIS_HASH)
            for record in records:
                supersedes = record.supersedes
                if supersedes is not None:
                    supersedes = self._resolve_id(supersedes)
                    self._check_supersedes(supersedes, record.fields)
                if record.expect_latest:
                    self._check_latest(supersedes, record.fields)
                length += 1
                fields = {"seq": length, **record.fields,
                          "recorded_at": datetime.now(UTC).isoformat(timespec="microseconds"),
                          "supersedes": supersedes, "previous_hash": previous}
                values = [fields[name] for name in FIELDS]  # the stored and hashed order
                previous = stored_hash(values)
                con.execute(_INSERT, (*values, previous))  # each inserted in turn: a later one may supersede it
                ids.append(str(fields["record_id"]))
            con.execute("INSERT OR REPLACE INTO chain_head (one, length, record_id, record_hash) VALUES (1, ?, ?, ?)",
                        (length, ids[-1], previous))
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                with contextlib.suppress(sqlite3.Error):  # after a full disk SQLite may have rolled back already
                    con.execute("ROLLBACK")
            raise
        return ids

    def _bands_may_be_empty(self) -> bool:
        """Stores made before withheld ratings (record format 1, and early format 2) declare the band columns NOT NULL."""
        columns = {row[1]: row[3] for row in self._con.execute("PRAGMA table_info(evaluations)")}
        return not any(columns.get(name) for name in ("proposed_band", "limited_band", "final_band"))

    def records(self) -> list[AuditRecord]:
        """Every record, in memory; for a store of any size, iterate :meth:`iter_records`."""
        return list(self.iter_records())

    def iter_records(self) -> Iterator[AuditRecord]:
        """Every record in chain order, one at a time; a damaged record is an ``audit-store-invalid`` problem."""
        for row in self._rows(f"SELECT {', '.join(FIELDS)}, record_hash FROM evaluations ORDER BY seq"):
            yield self._record(row)

    def summaries(self, *, council: str | None = None, year: int | None = None, account: str | None = None) -> Iterator[dict[str, Any]]:
        """For each record in chain order, the fields a one-line listing shows (not its decision), one at a time;
        only those of a ``council`` (its code, or text in its name, any case), a ``year`` and an ``account`` (who ran
        the evaluation), where given."""
        where: list[str] = []
        parameters: list[Any] = []
        if council is not None:
            pattern = "%" + council.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append("(lower(authority) LIKE ? ESCAPE '\\' OR authority_code = ?)")
            parameters += [pattern, council]
        if year is not None:
            where.append("year = ?")
            parameters.append(year)
        if account is not None:
            where.append("run_by = ?")
            parameters.append(account)
        condition = f" WHERE {' AND '.join(where)}" if where else ""
        for row in self._rows(f"SELECT {', '.join(SUMMARY_FIELDS)} FROM evaluations{condition} ORDER BY seq", tuple(parameters)):
            reason = damage(row)
            if reason:
                raise self._damaged(row.get("seq"), reason)
            yield row

    def _rows(self, sql: str, parameters: tuple[Any, ...] = ()) -> Iterator[dict[str, Any]]:
        """Rows as dicts, fetched one at a time; an SQLite error on the way names the record after the last read."""
        last = 0
        try:
            cursor = self._con.execute(sql, parameters)
            names = [column[0] for column in cursor.description]
            for values in cursor:
                row = dict(zip(names, values, strict=True))
                last = row.get("seq", last)
                yield row
        except sqlite3.Error as exc:
            after = f" after record {last}" if isinstance(last, int) and last else ""
            raise self._error("audit-store-invalid", f"cannot read the store{after}: {exc}",
                              "`engine audit verify` gives a verdict on the store") from None

    def _tuples(self, sql: str) -> Iterator[tuple[Any, ...]]:
        """Rows as SQLite gives them, one at a time; an SQLite error on the way names the record after the last read."""
        last = 0
        try:
            for row in self._con.execute(sql):
                last = row[0]
                yield row
        except sqlite3.Error as exc:
            after = f" after record {last}" if isinstance(last, int) and last else ""
            raise self._error("audit-store-invalid", f"cannot read the store{after}: {exc}",
                              "`engine audit verify` gives a verdict on the store") from None

    def _record(self, row: dict[str, Any]) -> AuditRecord:
        reason = damage(row)
        if reason:
            raise DamagedRecord(row.get("seq"), reason)
        return AuditRecord(**row)

    def _damaged(self, seq: Any, reason: str) -> AuditError:
        return self._error("audit-store-invalid", f"record {seq} was damaged: {reason}", "`engine audit verify` names it")

    def record_at(self, seq: int) -> AuditRecord:
        """The record at this position in the chain (from 1)."""
        found = list(self._rows(f"SELECT {', '.join(FIELDS)}, record_hash FROM evaluations WHERE seq = ?", (seq,)))
        if not found:
            raise self._error("audit-record-not-found", f"no record number {seq}")
        try:
            return self._record(found[0])
        except DamagedRecord as exc:
            raise self._damaged(exc.seq, exc.reason) from None

    def get(self, record_id: str) -> AuditRecord:
        """The record with this id (or the one record whose id starts with it)."""
        full = self._resolve_id(record_id)
        (row,) = self._rows(f"SELECT {', '.join(FIELDS)}, record_hash FROM evaluations WHERE record_id = ?", (full,))
        try:
            record = self._record(row)
            record.as_decision()
        except DamagedRecord as exc:
            raise self._damaged(exc.seq, exc.reason) from None
        except ValueError:  # pydantic's ValidationError is one: the stored decision no longer parses
            raise self._damaged(row["seq"], "its decision no longer parses") from None
        return record

    def _check_supersedes(self, record_id: str, revision: dict[str, Any]) -> None:
        """A revision is of the same council's rating for the same year: a record of another authority or year
        is refused, so the chain of revisions never crosses from one rating to another."""
        authority, code, year = self._con.execute("SELECT authority, authority_code, year FROM evaluations WHERE record_id = ?",
                                                  (record_id,)).fetchone()
        same_authority = (code == revision["authority_code"]) if code and revision["authority_code"] else authority == revision["authority"]
        if same_authority and year == revision["year"]:
            return

        def who(name: str, code: str | None, year: int) -> str:
            return f"{name}{f' ({code})' if code else ''}, {year}"

        raise AuditError([Problem("audit-supersedes-mismatch",
                                  f"record {record_id} is for {who(authority, code, year)}; this evaluation is for "
                                  f"{who(revision['authority'], revision['authority_code'], revision['year'])}: a record can only "
                                  "supersede one of the same authority and year", "--supersedes",
                                  suggestion="`engine audit list` shows each record's authority and year")])

    def latest_of(self, authority: str, authority_code: str | None, year: int) -> str | None:
        """The id of the newest record of this council (by code when it has one) and year, or None."""
        by, key = ("authority_code", authority_code) if authority_code else ("authority", authority)
        row = self._con.execute(f"SELECT record_id FROM evaluations WHERE {by} = ? AND year = ? ORDER BY seq DESC LIMIT 1",
                                (key, year)).fetchone()
        return row[0] if row else None

    def _check_latest(self, expected: str | None, fields: dict[str, Any]) -> None:
        latest = self.latest_of(fields["authority"], fields["authority_code"], fields["year"])
        if latest != expected:
            raise AuditError([Problem("audit-record-stale",
                                      f"the rating of {fields['authority']} {fields['year']} changed: its newest record is now "
                                      f"{latest}, not {expected or 'none'}; nothing was recorded", str(self.path),
                                      suggestion="read the council's record again and decide on what it says now")])

    def _resolve_id(self, record_id: str) -> str:
        pattern = record_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = [row["record_id"] for row in self._rows("SELECT record_id FROM evaluations WHERE record_id LIKE ? ESCAPE '\\' LIMIT 2",
                                                         (pattern,))]
        if len(found) != 1 or not record_id:
            what = "several records start with" if len(found) > 1 else "no record has the id"
            raise self._error("audit-record-not-found", f"{what} '{record_id}'", "`engine audit list` shows the ids")
        return found[0]

    def export_jsonl(self, stream: IO[str]) -> int:
        """Every record as one JSON object per line, in chain order, one record in memory at a time; returns how many."""
        count = 0
        try:
            for record in self.iter_records():
                stream.write(json.dumps(record.as_json(), sort_keys=True, ensure_ascii=False) + "\n")
                count += 1
        except DamagedRecord as exc:
            raise self._damaged(exc.seq, exc.reason) from None
        except ValueError as exc:  # a JSON field that no longer parses
            raise self._damaged(count + 1, f"a JSON field does not parse ({exc})") from None
        return count

    def verify(self) -> VerifyResult:
        """Re-compute the chain; the first record altered, removed or out of order fails it."""
        con = self._con
        try:
            con.execute("BEGIN")  # one consistent snapshot while writers go on appending
        except sqlite3.Error as exc:
            raise self._error("audit-store-invalid", f"cannot read the store: {exc}") from None
        try:
            return self._verify()
        finally:
            with contextlib.suppress(sqlite3.Error):  # a damaged file may refuse even this; the verdict stands
                con.execute("COMMIT")

    def _verify(self) -> VerifyResult:
        """One pass over the rows as tuples (no record objects): each row's types checked, its hash computed over
        its stored values (format 3) or its fields' JSON (formats 1 and 2), its link to the one before."""
        previous, count, last = GENESIS_HASH, 0, None
        for row in self._tuples(f"SELECT {', '.join(FIELDS)}, record_hash FROM evaluations ORDER BY seq"):
            reason = row_damage(row)
            seq = row[0]
            if reason:
                name = f"record {seq}" if type(seq) is int else f"record {count + 1}"
                return VerifyResult(False, count, previous, name, f"{name} was altered: {reason}")
            expected_seq = count + 1
            name = f"record {seq} ({row[1]})"
            if seq != expected_seq:
                return VerifyResult(False, count, previous, f"record {expected_seq}",
                                    f"record {expected_seq} is missing: the chain goes on at {name}")
            if row_hash(row) != row[-1]:  # None (an unknown format) never matches
                return VerifyResult(False, count, previous, name, f"{name} was altered: its fields no longer match its hash")
            if row[_PREVIOUS] != previous:
                return VerifyResult(False, count, previous, name,
                                    f"{name} does not follow the record before it: a record was removed, "
                                    "replaced or reordered")
            previous, count, last = row[-1], count + 1, name
        heads = list(self._rows("SELECT length, record_id, record_hash FROM chain_head WHERE one = 1"))
        length, head_id, head_hash = (heads[0]["length"], heads[0]["record_id"], heads[0]["record_hash"]) if heads else (0, None, GENESIS_HASH)
        if (length, head_hash) != (count, previous):
            return VerifyResult(False, count, previous, f"record {length} ({head_id})",
                                f"record {length} ({head_id}) is missing: the chain head names it as the last of "
                                f"{length} records, the store holds {count}"
                                + (f" ending at {last}" if last else ""))
        return VerifyResult(True, count, previous)

    def _error(self, code: Code, message: str, suggestion: str | None = None) -> AuditError:
        return AuditError([Problem(code, message, str(self.path), suggestion=suggestion)])


_PREVIOUS = FIELDS.index("previous_hash")
_INSERT = f"INSERT INTO evaluations ({', '.join(FIELDS)}, record_hash) VALUES ({', '.join('?' * (len(FIELDS) + 1))})"


@dataclass(frozen=True)
class PreparedRecord:
    """An evaluation encoded for the audit trail, all but its place in the chain (seq, time, previous hash):
    plain values, cheap to send from a worker process."""

    fields: dict[str, Any]
    supersedes: str | None = None  # a record id, or the start of one; checked when appended
    expect_latest: bool = False  # refuse it unless ``supersedes`` is still the council's newest record (AuditStore.append)


def prepare(decision: Decision, *, profile_source_text: str, run_by: str | None = None,
            supersedes: str | None = None, review: dict[str, Any] | None = None, expect_latest: bool = False) -> PreparedRecord:
    """The record of one evaluation as it will be stored (record format 3), encoded once."""
    return PreparedRecord({
        "record_id": uuid.uuid4().hex, "record_format": RECORD_FORMAT,
        "run_by": run_by or _current_user(), "authority": decision.authority,
        "authority_code": decision.authority_code, "year": decision.year, "input_hash": decision.input_hash,
        "input_text": profile_source_text, "ruleset_id": decision.ruleset.id,
        "ruleset_version": decision.ruleset.version, "ruleset_hash": decision.ruleset.content_hash,
        "catalogue_hash": decision.ruleset.catalogue_hash, "engine_version": decision.engine_version,
        "proposed_band": decision.proposed_band,
        "limits": json_text([limit.model_dump(mode="json") for limit in decision.limits]),
        "limited_band": decision.limited_band,
        "judgement": (json_text(review) if review is not None else
                      json_text(decision.judgement.model_dump(mode="json")) if decision.judgement else None),
        "final_band": decision.final_band, "decision": encode_decision(decision),
    }, supersedes, expect_latest)


def _current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def export_records(stream: IO[str], audit: str | os.PathLike | None = None) -> int:
    """``engine audit export``: every record of the store (default: :func:`default_audit_path`), with its hashes,
    as JSON lines on ``stream`` in chain order; returns how many."""
    with AuditStore(default_audit_path(audit), create=False) as store:
        return store.export_jsonl(stream)
