"""An audit record as stored: its fields and their types, its hash, and the verdict on a chain of them.

A record is read from a file that is not trusted: every field is checked against its column's type as it is
read (:func:`damage`), so a record whose text is not UTF-8, or was re-stored as a BLOB, is named as damaged
rather than met later as a type the code does not expect.

Record format 3 (this engine's) is encoded once and hashed as stored. The decision with its whole trace is
JSON written by orjson (keys sorted; numbers as Python writes them, the shortest text that reads back as the
same float), compressed with zstd, and stored as a BLOB; the record's hash is SHA-256 over the stored value
of every field in :data:`FIELDS` order, each framed by its SQLite type and length (:func:`stored_hash`), so
``verify`` hashes the bytes it reads and decodes nothing. Formats 1 and 2 hashed the canonical JSON of the
fields (the decision as JSON text): their records are read and verified as they were written.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import orjson
import zstandard

from ..errors import Code
from ..model.trace import Decision

# 2: records carry the hash of the ruleset's catalogue; 3: the decision compressed, the hash over the stored values
RECORD_FORMAT = 3
GENESIS_HASH = "0" * 64  # the "previous hash" of the first record

# Every stored field, in hashing order; the record's own hash covers all of them.
FIELDS = ("seq", "record_id", "record_format", "recorded_at", "run_by", "authority", "authority_code", "year",
          "input_hash", "input_text", "ruleset_id", "ruleset_version", "ruleset_hash", "catalogue_hash", "engine_version",
          "proposed_band", "limits", "limited_band", "judgement", "final_band", "decision", "supersedes",
          "previous_hash")
# What each record format's hash covers: a store begun in format 1 keeps verifying after the column is added.
HASHED_FIELDS = {1: tuple(f for f in FIELDS if f != "catalogue_hash"), 2: FIELDS, 3: FIELDS}
# The most a stored decision may decompress to: a decision with its trace is about 60 KB; a hostile store's
# "zstd bomb" stops here, a damaged record, not a full memory.
MAX_DECISION_BYTES = 16 * 1024 * 1024
ZSTD_LEVEL = 3
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
    belongs, text where a number belongs, NULL where a value is required. From format 3 the decision is a BLOB
    (text there is not refused here: it cannot match the record's hash, which frames each value by its type)."""
    blob_decision = row.get("record_format") == 3
    for name, value in row.items():
        if blob_decision and name == "decision" and type(value) in (bytes, str):
            continue
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


_NONE = type(None)
# What each column of a row (FIELDS, then record_hash) may hold: a quick test before damage() says what is wrong.
_ALLOWED = [({int, _NONE} if INTEGER_FIELDS[f] else {int}) if f in INTEGER_FIELDS else
            ({str, bytes} if f == "decision" else {str, _NONE} if f in NULLABLE_TEXT else {str})
            for f in (*FIELDS, "record_hash")]
_DECISION = FIELDS.index("decision")


def row_damage(row: Sequence[Any]) -> str | None:
    """:func:`damage` of a row read as a tuple (FIELDS, then record_hash), quick when nothing is wrong."""
    for allowed, value in zip(_ALLOWED, row, strict=True):
        if type(value) not in allowed:
            return damage(dict(zip((*FIELDS, "record_hash"), row, strict=True)))
    if type(row[_DECISION]) is bytes and row[2] != 3:  # a BLOB decision belongs to format 3 only
        return damage(dict(zip((*FIELDS, "record_hash"), row, strict=True)))
    return None


def row_hash(row: Sequence[Any]) -> str | None:
    """The hash a row's fields (FIELDS, then record_hash) give by its own format; None for a format unknown here."""
    record_format = row[2]
    if record_format == 3:
        return stored_hash(row[:-1])
    if record_format not in HASHED_FIELDS:
        return None
    return record_hash(dict(zip(FIELDS, row, strict=False)), record_format)


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
    decision: str | bytes  # JSON text (formats 1 and 2), zstd-compressed JSON (format 3)
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

    def decision_json(self) -> str | bytes:
        """The decision with its trace as JSON, whatever the record's format (ValueError when it does not decompress)."""
        return decompress(self.decision) if isinstance(self.decision, bytes) else self.decision

    def as_decision(self) -> Decision:
        return Decision.model_validate_json(self.decision_json())

    def as_json(self) -> dict[str, Any]:
        """The record for export: JSON fields as objects, everything else as stored."""
        out: dict[str, Any] = asdict(self)
        out["decision"] = orjson.loads(self.decision_json())
        for f in ("limits", "judgement"):
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
    """The hash a record of this format carries: over the stored values (format 3), or the fields' canonical JSON."""
    if record_format >= 3:
        return stored_hash([fields[f] for f in FIELDS])
    covered = HASHED_FIELDS[record_format]
    canonical = json.dumps({f: fields[f] for f in covered}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_FRAME_NULL, _PREFIX = b"\x00N", b"engine audit record 3\n"


def stored_hash(values: Sequence[Any]) -> str:
    """SHA-256 over the values as SQLite stores them, in order: each framed as NUL, its type (N null, I integer,
    T UTF-8 text, B BLOB) and, for text and BLOBs, its length in bytes, so no two different rows share a framing
    (text "1" is not the integer 1; a BLOB is not the text of the same bytes)."""
    parts = [_PREFIX]
    for value in values:
        if value is None:
            parts.append(_FRAME_NULL)
        elif type(value) is int:
            parts.append(b"\x00I%d" % value)
        elif type(value) is str:
            data = value.encode("utf-8")
            parts.append(b"\x00T%d:" % len(data))
            parts.append(data)
        elif isinstance(value, bytes):
            parts.append(b"\x00B%d:" % len(value))
            parts.append(value)
        else:
            raise TypeError(f"not a stored value: {type(value).__name__}")
    return hashlib.sha256(b"".join(parts)).hexdigest()


def json_text(value: Any) -> str:
    """A small field as stored (limits, judgement): JSON, keys sorted, compact, UTF-8 as is."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def encode_decision(decision: Decision) -> bytes:
    """The decision with its whole trace as stored from format 3: JSON (keys sorted) compressed with zstd.

    Encoded once, from plain values: the measure events, most of the trace, are written straight from the
    measures (a pydantic model per event would cost several times the rest); everything else as pydantic dumps
    it. ``Decision.model_validate_json`` of the JSON gives the decision back, equal to the one encoded."""
    data = decision.without_measures().model_dump(mode="json")
    data["trace"] = decision.measure_event_data() + data["trace"]
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(orjson.dumps(data, option=orjson.OPT_SORT_KEYS))


def decompress(data: bytes) -> bytes:
    """A stored decision's JSON; ValueError when it is not zstd or would pass MAX_DECISION_BYTES."""
    try:
        size = zstandard.frame_content_size(data)
        if 0 <= size <= MAX_DECISION_BYTES:  # as the engine writes it: the size in the frame's header
            out = zstandard.ZstdDecompressor().decompress(data)
        elif size > MAX_DECISION_BYTES:
            raise ValueError(f"the stored decision would decompress to more than {MAX_DECISION_BYTES:,} bytes")
        else:  # a frame that does not say its size: read in pieces, no further than the bound
            pieces, total = [], 0
            with zstandard.ZstdDecompressor().stream_reader(data) as reader:
                while total <= MAX_DECISION_BYTES and (piece := reader.read(1 << 16)):
                    pieces.append(piece)
                    total += len(piece)
            out = b"".join(pieces)
    except zstandard.ZstdError as exc:
        raise ValueError(f"the stored decision does not decompress ({exc})") from None
    if len(out) > MAX_DECISION_BYTES:
        raise ValueError(f"the stored decision would decompress to more than {MAX_DECISION_BYTES:,} bytes")
    return out
