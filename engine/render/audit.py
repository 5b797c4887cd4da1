"""Audit records as a reviewer reads them: one line each in a list, or one record in full."""
from __future__ import annotations

import json

from ..audit.store import AuditRecord
from .text import render_text


def record_line(record: AuditRecord) -> str:
    """e.g. '3  4f2c…  2024-05-01T10:00:00Z  alice  Cambridgeshire County Council 2009  proposed 3 -> final 4 (judgement by A. Assessor)'"""
    judgement = json.loads(record.judgement) if record.judgement else None
    bands = f"proposed {record.proposed_band} -> final {record.final_band}" if record.final_band is not None else "withheld: no band"
    if judgement:
        bands += f" (judgement by {judgement['assessor']})"
    if record.supersedes:
        bands += f"; supersedes {record.supersedes}"
    return f"{record.seq}\t{record.record_id}\t{record.recorded_at}\t{record.run_by}\t{record.authority} {record.year}\t{bands}"


def render_record(record: AuditRecord) -> str:
    """The record's envelope (who, when, what was evaluated with what), then the decision in full."""
    decision = record.as_decision()
    judgement = decision.judgement
    lines = [
        f"Record {record.record_id} (number {record.seq} in the audit trail)",
        f"  Recorded        {record.recorded_at} by {record.run_by}",
        f"  Authority       {record.authority}{f' ({record.authority_code})' if record.authority_code else ''}, {record.year}",
        f"  Input           sha256 {record.input_hash}",
        f"  Ruleset         {record.ruleset_id} {record.ruleset_version}, sha256 {record.ruleset_hash}",
        f"  Catalogue       {decision.ruleset.catalogue or '(not named)'}, sha256 {record.catalogue_hash or '(not recorded: record format 1)'}",
        f"  Engine          {record.engine_version}",
        *([f"  Withheld        {r.rule_id}: {r.because}" for r in decision.withheld] if not decision.rated else [
            f"  Proposed band   {record.proposed_band} ({decision.words(record.proposed_band)})",
            f"  After limits    {record.limited_band} ({decision.words(record.limited_band)})"]),
        ("  Judgement       none" if judgement is None else
         f"  Judgement       {record.limited_band} -> {judgement.band} by {judgement.assessor}"
         + (f" on {judgement.date}" if judgement.date else "") + f": {judgement.reason}"),
        f"  Final band      {record.final_band} ({decision.words(record.final_band)})" if decision.rated else "  Final band      none: withheld",
    ]
    if record.supersedes:
        lines.append(f"  Supersedes      {record.supersedes}")
    lines += [f"  Previous hash   {record.previous_hash}", f"  Record hash     {record.record_hash}", "", "The decision as recorded", ""]
    return "\n".join(lines) + "\n" + render_text(decision)
