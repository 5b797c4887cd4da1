"""Audit records as a reviewer reads them: one line each in a list, or one record in full."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from ..audit.store import AuditRecord, AuditStore, default_audit_path
from .escape import one_line, terminal
from .text import VALUE_COLUMN, render_text


def record_line(record: dict[str, Any]) -> str:
    """One record's summary (engine.audit.store.AuditStore.summaries), e.g.
    '3  4f2c…  2024-05-01T10:00:00Z  alice  Cambridgeshire County Council 2009  proposed 3 -> final 4 (judgement by A. Assessor)'"""
    bands = (f"proposed {record['proposed_band']} -> final {record['final_band']}" if record["final_band"] is not None
             else "withheld: no band")
    if record["judgement"]:
        try:
            assessor = json.loads(record["judgement"]).get("assessor")
        except (ValueError, AttributeError):
            assessor = "(unreadable: `engine audit verify` checks the record)"
        bands += f" (judgement by {one_line(assessor)})"
    if record["supersedes"]:
        bands += f"; supersedes {one_line(record['supersedes'])}"
    return (f"{record['seq']}\t{one_line(record['record_id'])}\t{one_line(record['recorded_at'])}\t{one_line(record['run_by'])}\t"
            f"{one_line(record['authority'])} {record['year']}\t{bands}")


def render_record(record: AuditRecord) -> str:
    """The record's envelope (who, when, what was evaluated with what), then the decision in full."""
    decision = record.as_decision()
    words = decision.band_words
    judgement = decision.judgement
    lines = [
        f"Record {record.record_id} (number {record.seq} in the audit trail)",
        f"  Recorded        {terminal(record.recorded_at)} by {terminal(record.run_by)}",
        f"  Authority       {terminal(record.authority)}{f' ({terminal(record.authority_code)})' if record.authority_code else ''}, {record.year}",
        f"  Input           sha256 {record.input_hash}",
        f"  Ruleset         {record.ruleset_id} {record.ruleset_version}, sha256 {record.ruleset_hash}",
        f"  Catalogue       {decision.ruleset.catalogue or '(not named)'}, sha256 {record.catalogue_hash or '(not recorded: record format 1)'}",
        f"  Engine          {record.engine_version}",
        *([f"  Withheld        {r.rule_id}: {terminal(r.because, VALUE_COLUMN)}" for r in decision.withheld] if not decision.rated else [
            f"  Proposed band   {record.proposed_band} ({words.get(record.proposed_band or 0, 'not a band')})",
            f"  After limits    {record.limited_band} ({words.get(record.limited_band or 0, 'not a band')})"]),
        ("  Judgement       none" if judgement is None else
         f"  Judgement       {record.limited_band} -> {judgement.band} by {terminal(judgement.assessor, VALUE_COLUMN)}"
         + (f" on {terminal(judgement.date)}" if judgement.date else "") + f": {terminal(judgement.reason, VALUE_COLUMN)}"),
        (f"  Final band      {record.final_band} ({words.get(record.final_band or 0, 'not a band')})" if decision.rated
         else "  Final band      none: withheld"),
    ]
    if record.supersedes:
        lines.append(f"  Supersedes      {record.supersedes}")
    lines += [f"  Previous hash   {record.previous_hash}", f"  Record hash     {record.record_hash}", "", "The decision as recorded", ""]
    return "\n".join(lines) + "\n" + render_text(decision)


def list_records(audit: str | os.PathLike | None = None, *, council: str | None = None, year: int | None = None,
                 account: str | None = None) -> Iterator[str]:
    """``engine audit list``: a line per record of the store (default: its default path), oldest first, read one
    at a time so a store of any size lists in flat memory; only a council's, a year's or an account's, where given
    (:meth:`AuditStore.summaries`)."""
    with AuditStore(default_audit_path(audit), create=False) as store:
        for record in store.summaries(council=council, year=year, account=account):
            yield record_line(record)


def show_record(record_id: str, audit: str | os.PathLike | None = None) -> str:
    """``engine audit show``: one record (its id or the first characters of it) as a reviewer reads it."""
    with AuditStore(default_audit_path(audit), create=False) as store:
        return render_record(store.get(record_id))
