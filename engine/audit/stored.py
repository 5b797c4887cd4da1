"""An audit record as stored: its fields and their types, its hash, and the verdict on a chain of them.

A record is read from a file that is not trusted: every field is checked against its column's type as it is
read (:func:`damage`), so a record whose text is not UTF-8, or was re-stored as a BLOB, is named as damaged
rather than met later as a type the code does not expect.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import Code
from ..model.trace import Decision

RECORD_FORMAT = 2  # 2: records carry the hash of the ruleset's catalogue
GENESIS_HASH = "0" * 64  # the "previous hash" of the first record

# Every stored field, in hashing order; the record's own hash covers all of them.
FIELDS = ("seq", "record_id", "record_format", "recorded_at", "run_by", "authority", "authority_code", "year",
          "input_hash", "input_text", "ruleset_id", "ruleset_version", "ruleset_hash", "catalogue_hash", "engine_version",
          "proposed_band", "limits", "limited_band", "judgement", "final_band", "decision", "supersedes",
          "previous_hash")
# What each record format's hash covers: a store begun in format 1 keeps verifying after the column is added.
HASHED_FIELDS = {1: tuple(f for f in FIELDS if f != "catalogue_hash"), 2: FIELDS}
# Each column's type as stored (None: it may be NULL); a value of another type is a damaged record.
INTEGER_FIELDS = {"seq": False, "record_format": False, "year": False, "proposed_band": True, "limited_band": True,
                  "final_band": True}
NULLABLE_TEXT = {"authority_code", "catalogue_hash", "judgement", "supersedes"}
# The columns `audit list` shows: a line per record without reading its decision.
SUMMARY_FIELDS = ("seq", "record_id", "recorded_at", "run_by", "authority", "year", "proposed_band", "final_band", "judgement",
                  "supersedes")


class Undecodable(bytes):
    """Stored text that is not UTF-8: the record holding it was damaged."""


def text_of(data: bytes) -> str | Undecodable:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return Undecodable(data)


def damage(row: dict[str, Any]) -> str | None:
    """What is wrong with a stored row's types, or None: text that is not UTF-8, a BLOB or a number where text
    belongs, text where a number belongs, NULL where a value is required."""
    for name, value in row.items():
        if name in INTEGER_FIELDS:
            if value is None and INTEGER_FIELDS[name]:
                continue
            if not isinstance(value, int):
                return f"its {name} is not a whole number"
        elif value is None:
            if name not in NULLABLE_TEXT:
                return f"its {name} is missing"
        elif isinstance(value, Undecodable):
            return f"its {name} is not text in UTF-8"
        elif not isinstance(value, str):
            return f"its {name} is not text (stored as {type(value).__name__})"
    return None


class DamagedRecord(Exception):
    """A record whose stored fields are not of their columns' types."""

    def __init__(self, seq: Any, reason: str):
        super().__init__(reason)
        self.seq, self.reason = seq, reason

@dataclass(frozen=True)
class AuditRecord:
    seq: int
    record_id: str
    record_format: int
    recorded_at: str
    run_by: str
    authority: str
    authority_code: str | None
    year: int
    input_hash: str
    input_text: str
    ruleset_id: str
    ruleset_version: str
    ruleset_hash: str
    catalogue_hash: str | None
    engine_version: str
    proposed_band: int | None  # None: the rating was withheld
    limits: str
    limited_band: int | None
    judgement: str | None
    final_band: int | None
    decision: str
    supersedes: str | None
    previous_hash: str
    record_hash: str

    @property
    def name(self) -> str:
        return f"record {self.seq} ({self.record_id})"

    def computed_hash(self) -> str | None:
        """The hash of the record's fields as its format defines it; None for a format this engine does not know."""
        if self.record_format not in HASHED_FIELDS:
            return None
        return record_hash({f: getattr(self, f) for f in FIELDS}, self.record_format)

    def as_decision(self) -> Decision:
        return Decision.model_validate_json(self.decision)

    def as_json(self) -> dict[str, Any]:
        """The record for export: JSON fields as objects, everything else as stored."""
        out: dict[str, Any] = asdict(self)
        for f in ("limits", "judgement", "decision"):
            out[f] = json.loads(out[f]) if out[f] is not None else None
        return out


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    head_hash: str
    first_bad: str | None = None  # the record named, e.g. "record 3 (4f2c...)"
    problem: str | None = None
    code: Code = "audit-chain-broken"
    note: str | None = None  # what else was checked (a checkpoint)

    def report(self, store: str | os.PathLike[str]) -> str:
        """What a reviewer reads: the records verified and the chain head, or the first bad record."""
        if self.ok:
            return f"{store}: {self.count} record(s) verified; chain head {self.head_hash}" + (f"; {self.note}" if self.note else "")
        return f"{store}: {self.code}: {self.problem}"


def record_hash(fields: dict[str, Any], record_format: int = RECORD_FORMAT) -> str:
    covered = HASHED_FIELDS[record_format]
    canonical = json.dumps({f: fields[f] for f in covered}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
