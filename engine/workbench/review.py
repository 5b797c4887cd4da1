"""Four-eyes judgement: an assessor proposes, a moderator who is not the proposer confirms or returns.

Each step is one audit record in the same hash chain (engine.AuditStore.append with a ``review``), naming
the signed-in account, and each acts on the council's newest record as the reviewer saw it: the store
refuses the step (``audit-record-stale``) when another reviewer recorded first, so nothing is lost and the
loser is told. A proposal is checked by the ruleset's own judgement policy, through the library, before
anything is recorded.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import engine

from .year import Council, Folder, review_of


class ReviewRefused(Exception):
    """A step that may not be taken: ``status`` is the HTTP status that says why (403, 409, 422)."""

    def __init__(self, status: int, messages: list[str]):
        super().__init__("; ".join(messages))
        self.status, self.messages = status, messages


@dataclass(frozen=True)
class Standing:
    """Where a council's judgement stands: its newest record and the review step it records."""

    latest: str | None
    state: str  # none, proposed, confirmed, returned, judged (a judgement recorded outside the workbench)
    step: dict[str, Any]


def standing(audit: Path, decision: Any) -> Standing:
    with engine.AuditStore(audit) as store:
        latest = store.latest_of(decision.authority, decision.authority_code, decision.year)
        if latest is None:
            return Standing(None, "none", {"state": "none"})
        record = store.get(latest)
    step = review_of(record.judgement)
    if step["state"] == "proposed":
        step["proposer"], step["input_hash"] = record.run_by, record.input_hash
    return Standing(latest, step["state"], step)


def _append(audit: Path, decision: Any, text: str, account: str, expected: str | None, step: dict[str, Any]) -> str:
    try:
        with engine.AuditStore(audit) as store:
            return str(store.append(decision, profile_source_text=text, run_by=account, supersedes=expected or None,
                                    review=step, expect_latest=True))
    except engine.AuditError as exc:
        stale = any(p.code == "audit-record-stale" for p in exc.problems)
        raise ReviewRefused(409 if stale else 500, [p.message for p in exc.problems]) from None


def _check_current(folder: Folder, council: Council, input_hash: str) -> Any:
    review = folder.review(council)
    decision = review.evaluation.decision
    if input_hash != decision.input_hash:
        raise ReviewRefused(409, ["the council's profile changed since the page was shown: read it again"])
    if not decision.rated:
        raise ReviewRefused(422, ["the rating is withheld, so there is no band to judge"])
    return decision


def _unchanged_since_shown(folder: Folder, audit: Path, council: Council, input_hash: str,
                           expected: str | None) -> tuple[Any, Standing]:
    """The council's current decision and where its review stands, refused when a record was made since the
    page the reviewer acted on was shown (``expected`` is the newest record that page saw)."""
    decision = _check_current(folder, council, input_hash)
    now = standing(audit, decision)
    if now.latest != (expected or None):
        raise ReviewRefused(409, ["the council changed under you: another record was made since the page was shown"])
    return decision, now


def propose(folder: Folder, audit: Path, council: Council, account: str, band: int, reason: str, expected: str | None,
            input_hash: str) -> str:
    """Record a proposal, checked by the ruleset's policy, unless another step was recorded first."""
    decision, now = _unchanged_since_shown(folder, audit, council, input_hash, expected)
    if now.state == "proposed":
        raise ReviewRefused(409, ["a proposal already awaits a moderator: it is confirmed or returned before another is made"])
    date = datetime.now(UTC).date().isoformat()
    try:
        judged = folder.judged(council, engine.ProposedJudgement(band=band, assessor=account, reason=reason, date=date))
    except engine.JudgementError as exc:
        raise ReviewRefused(422, [p.message for p in exc.problems]) from None
    assert judged.judgement is not None
    step = {**judged.judgement.model_dump(mode="json"), "review": {"action": "proposed", "by": account}}
    return _append(audit, decision, review_text(folder, council), account, expected, step)


def decide(folder: Folder, audit: Path, council: Council, account: str, action: str, comment: str, expected: str | None,
           input_hash: str) -> str:
    """Confirm or return the proposal that is the council's newest record; never the moderator's own."""
    decision, now = _unchanged_since_shown(folder, audit, council, input_hash, expected)
    if now.state != "proposed":
        raise ReviewRefused(409, ["there is no proposal awaiting a moderator"])
    if now.step.get("proposer") == account:
        raise ReviewRefused(403, ["a proposal is confirmed or returned by someone other than its proposer"])
    if action == "confirm" and now.step.get("input_hash") != decision.input_hash:
        raise ReviewRefused(409, ["the council's profile changed since the proposal was made: return it, and the assessor "
                                  "proposes again on the profile as it is"])
    step = {k: now.step.get(k) for k in ("band", "assessor", "reason")}
    step["date"] = datetime.now(UTC).date().isoformat()
    if action == "confirm":
        try:
            judged = folder.judged(council, engine.ProposedJudgement(band=int(str(step["band"])), assessor=str(step["assessor"]),
                                                                     reason=str(step["reason"]), date=step["date"]))
        except (engine.JudgementError, TypeError, ValueError) as exc:
            raise ReviewRefused(422, [str(exc)]) from None
        recorded = judged
        step["review"] = {"action": "confirmed", "by": account, "proposal": expected, "comment": comment or None}
    else:
        if not comment:
            raise ReviewRefused(422, ["a returned proposal says why, in a comment to the assessor"])
        recorded = decision
        step["review"] = {"action": "returned", "by": account, "proposal": expected, "comment": comment}
    return _append(audit, recorded, review_text(folder, council), account, expected, step)


def review_text(folder: Folder, council: Council) -> str:
    return folder.review(council).text
