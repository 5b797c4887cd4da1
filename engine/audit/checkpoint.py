"""Checkpoints: a small file that anchors the audit chain somewhere the store's owner cannot rewrite.

A hash chain shows that a record was changed, but whoever can rewrite the store can also recompute every
hash after the change, and the chain verifies again. A checkpoint records, at one moment, how many
records the chain held and the hash of the last: kept elsewhere (another machine, a ticket, a signed
e-mail), it catches any rewrite of the records it covers, because the last of them can no longer have
the hash it had. ``engine audit checkpoint`` verifies the chain and writes one; ``engine audit verify
--checkpoint FILE`` verifies the chain and then that the checkpoint's last record is still the one it was.
Records appended since are verified by the chain as usual.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from .. import writing
from ..errors import EXIT_FAILED, EXIT_OK, AuditError
from ..load.yaml import load_yaml
from ..model.validation import validate
from ..model.values import Line, not_boolean
from ..version import __version__
from .store import GENESIS_HASH, AuditStore, VerifyResult, default_audit_path

HEADER = ("# An audit checkpoint of the engine. Keep it where whoever can write the audit store cannot (another\n"
          "# machine, a ticket, a signed e-mail). `engine audit verify --checkpoint FILE` then reports any rewrite of\n"
          "# the records it covers, even one after which every hash was recomputed.\n")


class Checkpoint(BaseModel):
    """The chain as it stood: how many records, and the id and hash of the last."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    checkpoint_format: Literal[1] = 1
    records: Annotated[int, Field(ge=0), BeforeValidator(not_boolean)]
    head_record: str | None = Field(description="The last record's id; null for an empty store")
    head_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    taken_at: datetime
    engine_version: Line
    store: Line | None = Field(None, description="The store it was taken of, for the reader; not checked")


def take(store: AuditStore) -> tuple[VerifyResult, Checkpoint | None]:
    """Verify the chain and, when it holds, a checkpoint of it (a checkpoint of a broken chain anchors nothing)."""
    result = store.verify()
    if not result.ok:
        return result, None
    head = store.record_at(result.count) if result.count else None
    return result, Checkpoint(records=result.count, head_record=head.record_id if head else None, head_hash=result.head_hash,
                              taken_at=datetime.now(UTC).replace(microsecond=0), engine_version=__version__,
                              store=os.fspath(store.path))


def checkpoint_text(checkpoint: Checkpoint) -> str:
    return HEADER + yaml.safe_dump(checkpoint.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


def write(checkpoint: Checkpoint, output: Path | str) -> Path:
    return writing.write_file(output, checkpoint_text(checkpoint))


def load(path: Path | str) -> Checkpoint:
    doc = load_yaml(path, AuditError)
    if not isinstance(doc.data, dict):
        raise AuditError([doc.problem("audit-checkpoint-invalid", "a checkpoint is a mapping written by `engine audit checkpoint`")])
    checkpoint, problems = validate(Checkpoint, doc, code_invalid="audit-checkpoint-invalid", code_unknown_key="audit-checkpoint-invalid")
    if checkpoint is None:
        raise AuditError(problems)
    if checkpoint.records == 0 and checkpoint.head_hash != GENESIS_HASH:
        raise AuditError([doc.problem("audit-checkpoint-invalid", "a checkpoint of no records has the genesis hash", ("head_hash",))])
    return checkpoint


def verify_against(store: AuditStore, checkpoint: Checkpoint, file: Path | str) -> VerifyResult:
    """The chain verified, then held to the checkpoint: its last record must still be there, with its hash."""
    result = store.verify()
    if not result.ok:
        return result
    taken = f"the checkpoint {file} (taken {checkpoint.taken_at.isoformat()})"
    if checkpoint.records > result.count:
        return VerifyResult(False, result.count, result.head_hash, f"record {checkpoint.records} ({checkpoint.head_record})",
                            f"{taken} covers {checkpoint.records} records; the store holds {result.count}: records were removed "
                            "and the chain rebuilt", code="audit-checkpoint-mismatch")
    if checkpoint.records:
        record = store.record_at(checkpoint.records)
        if (record.record_id, record.record_hash) != (checkpoint.head_record, checkpoint.head_hash):
            return VerifyResult(False, result.count, result.head_hash, f"record {checkpoint.records} ({checkpoint.head_record})",
                                f"record {checkpoint.records} is not what {taken} says: it was {checkpoint.head_record} with hash "
                                f"{checkpoint.head_hash}, it is {record.record_id} with hash {record.record_hash}, so one or "
                                f"more of records 1 to {checkpoint.records} were rewritten and every hash recomputed",
                                code="audit-checkpoint-mismatch")
    return VerifyResult(True, result.count, result.head_hash,
                        note=f"the {checkpoint.records} record(s) of {taken} are unchanged")


@dataclass(frozen=True)
class AuditCheck:
    """What ``audit verify`` or ``audit checkpoint`` found: the chain's verdict on the store, what a reviewer reads
    of it, and the checkpoint taken (``audit checkpoint``, when the chain holds)."""

    store: Path
    result: VerifyResult
    text: str  # whole lines: the verdict, or the checkpoint itself when it was not written to a file
    checkpoint: Checkpoint | None = None

    @property
    def ok(self) -> bool:
        return self.result.ok

    @property
    def exit_code(self) -> int:
        """1 when the chain (or the checkpoint it is held to) does not verify: the check ran and the store fails it."""
        return EXIT_OK if self.ok else EXIT_FAILED


def verify_audit(audit: Path | str | None = None, checkpoint: Path | str | None = None) -> AuditCheck:
    """``engine audit verify``: the chain of the store (default: :func:`~engine.audit.store.default_audit_path`)
    re-computed and, with ``checkpoint`` (a file written by :func:`take_checkpoint`), held to it too."""
    path = default_audit_path(audit)
    anchor = load(checkpoint) if checkpoint else None
    with AuditStore(path, create=False) as store:
        result = verify_against(store, anchor, checkpoint) if anchor and checkpoint else store.verify()
    return AuditCheck(path, result, result.report(path) + "\n")


def take_checkpoint(audit: Path | str | None = None, output: Path | str | None = None) -> AuditCheck:
    """``engine audit checkpoint``: verify the chain and take a checkpoint of it, written to ``output`` (whose
    folder is checked before the store is read) or given as the result's text; none of a broken chain."""
    path = default_audit_path(audit)
    if output:
        writing.check_writable(output)
    with AuditStore(path, create=False) as store:
        result, taken = take(store)
    if taken is None:
        return AuditCheck(path, result, result.report(path) + "\n")
    if not output:
        return AuditCheck(path, result, checkpoint_text(taken), taken)
    write(taken, output)
    return AuditCheck(path, result, f"{result.report(path)}\ncheckpoint of {taken.records} record(s) written to {output}\n", taken)
