"""A profile's inspections as of its evidence date: the history and the single fields read as one record.

How the two parts of the profile format relate (docs/profile-format.md):

- ``inspections`` is the history: every full inspection (joint area review, inspection of safeguarding and
  looked after children) and every unannounced inspection of contact, referral and assessment, each dated.
- ``safeguarding_inspection`` and ``unannounced_inspection`` name the latest inspection of each family. A
  profile may give a family in the history, in its single field, or both; given both, the single field must be
  the latest inspection of that family in the history at the evidence date (the loader refuses anything else).
  A single field alone is read as a history of one inspection, dated by its year only.
- Inspections dated after ``evidence_date`` do not count (a re-inspection that "came too late to be
  considered", Kent 2010); without an evidence date, everything given counts.
- How late the evidence date may be is the ruleset's (``evidence:``, :func:`evidence_date_problem`): without a
  policy, not after the assessment year.

Only plain Python here: the measures (engine.measures), the loader's contradiction checks and the letter all
read the profile through these functions, so "latest", "later" and "at the evidence date" mean one thing.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from ..errors import Code
from .profile import UNANNOUNCED, Grade, Inspection, Profile
from .ruleset import EvidencePolicy
from .wording import date_text

FULL, UNANNOUNCED_FAMILY = "full", "unannounced"
# A full inspection shows improvement when it grades safeguarding at least adequate ("satisfactory").
ADEQUATE_OR_BETTER: tuple[Grade, ...] = ("outstanding", "good", "satisfactory")


@dataclass(frozen=True)
class Held:
    """One inspection on record: from the history (dated) or from a single field (its year only)."""

    kind: str
    year: int
    date: _dt.date | None  # None for a single field, which gives a year only
    safeguarding: Grade | None = None
    looked_after_children: Grade | None = None
    strengths: int | None = None  # None: the profile does not state it (0 states none found)
    areas_for_development: int | None = None
    priority_actions: tuple[_dt.date | None, ...] = ()  # for each area for priority action, when it was resolved
    effective_action_to_safeguard: bool | None = None
    summary: str | None = None
    judgements: tuple[tuple[str, Grade], ...] = ()  # a full inspection's other judgements, as the profile gives them
    source: tuple = ()  # where it is in the profile: ("inspections", i) or the single field's name

    @property
    def family(self) -> str:
        return UNANNOUNCED_FAMILY if self.kind == UNANNOUNCED else FULL

    def when(self) -> str:
        return date_text(self.date) if self.date else str(self.year)

    def before(self, other: Held) -> bool:
        """Strictly earlier: by date when both are dated, else by year (one year is not earlier than itself)."""
        if self.date is not None and other.date is not None:
            return self.date < other.date
        return self.year < other.year

    def after(self, evidence_date: _dt.date | None) -> bool:
        """Dated after the evidence date, so not counted; a year alone is after it only in a later year."""
        if evidence_date is None:
            return False
        return self.date > evidence_date if self.date is not None else self.year > evidence_date.year

    def unresolved(self, evidence_date: _dt.date | None) -> int:
        """Areas for priority action not shown resolved by the evidence date (any resolution, without one)."""
        return sum(1 for resolved in self.priority_actions
                   if resolved is None or (evidence_date is not None and resolved > evidence_date))


def _from_history(inspection: Inspection, i: int) -> Held:
    actions = inspection.areas_for_priority_action or []
    return Held(kind=inspection.kind, year=inspection.date.year, date=inspection.date, safeguarding=inspection.safeguarding,
                looked_after_children=inspection.looked_after_children, strengths=inspection.strengths,
                areas_for_development=inspection.areas_for_development,
                priority_actions=tuple(a.resolved_on for a in actions),
                effective_action_to_safeguard=inspection.effective_action_to_safeguard, summary=inspection.summary,
                judgements=tuple(inspection.judgements.items()), source=("inspections", i))


def _history(profile: Profile) -> list[Held]:
    return [_from_history(inspection, i) for i, inspection in enumerate(profile.inspections)]


def _single_fields(profile: Profile) -> list[Held]:
    """The single fields, each read as an inspection dated by its year only."""
    held: list[Held] = []
    full, unannounced = profile.safeguarding_inspection, profile.unannounced_inspection
    if full is not None:
        held.append(Held(kind=full.kind, year=full.year, date=None, safeguarding=full.safeguarding,
                         looked_after_children=full.looked_after_children, judgements=tuple(full.judgements.items()),
                         source=("safeguarding_inspection",)))
    if unannounced is not None:
        # A count without a resolution date: each area for priority action is not resolved.
        held.append(Held(kind=UNANNOUNCED, year=unannounced.year, date=None, strengths=unannounced.strengths,
                         areas_for_development=unannounced.areas_for_development,
                         priority_actions=(None,) * unannounced.areas_for_priority_action,
                         effective_action_to_safeguard=unannounced.effective_action_to_safeguard, summary=unannounced.summary,
                         source=("unannounced_inspection",)))
    return held


def as_given(profile: Profile) -> list[Held]:
    """Every inspection the profile gives, as it gives them: the single fields, then the history in its order,
    a single field whose family the history holds included (what the profile's dates are checked on:
    engine.check.dates)."""
    return _single_fields(profile) + _history(profile)


def oldest_first(held: list[Held]) -> list[Held]:
    """Inspections in the order they happened: by year, then by date within it, one dated by its year alone (a single
    field) first in its year; of the same day or year, in the order given."""
    return sorted(held, key=lambda h: (h.year, h.date or _dt.date(h.year, 1, 1)))


def on_record(profile: Profile) -> list[Held]:
    """Every inspection the profile records, oldest first: the history, and each single field whose family the
    history does not hold (a single field is the history's latest when both are given: the loader checks it)."""
    held = _history(profile)
    families = {h.family for h in held}
    held += [h for h in _single_fields(profile) if h.family not in families]
    return oldest_first(held)


def at_evidence_date(profile: Profile) -> list[Held]:
    """The inspections that count: those on or before the evidence date, oldest first."""
    return [h for h in on_record(profile) if not h.after(profile.evidence_date)]


def after_evidence_date(profile: Profile) -> list[Held]:
    return [h for h in on_record(profile) if h.after(profile.evidence_date)]


def latest(held: list[Held], family: str) -> Held | None:
    """The latest inspection of a family (``full`` or ``unannounced``) among those given (oldest first)."""
    of_family = [h for h in held if h.family == family]
    return of_family[-1] if of_family else None


def shows_improvement(later: Held) -> bool:
    """A later inspection lifts an inadequate full inspection: a full inspection grading safeguarding adequate or
    better, or an unannounced inspection without areas for priority action."""
    if later.family == FULL:
        return later.safeguarding in ADEQUATE_OR_BETTER
    return not later.priority_actions


def inadequate_not_lifted(held: list[Held]) -> list[Held]:
    """Full inspections that judged safeguarding inadequate and that no later inspection has lifted."""
    return [h for h in held if h.family == FULL and h.safeguarding == "inadequate"
            and not any(h.before(later) and shows_improvement(later) for later in held)]


def pending_at_evidence_date(profile: Profile) -> bool:
    pending = profile.pending_inspection
    return pending is not None and (profile.evidence_date is None or pending.date <= profile.evidence_date)


def withheld_under(profile: Profile, policy: EvidencePolicy) -> bool:
    """A rating withheld on the policy's day and published later: its letter is dated after that day."""
    return policy.withheld_on is not None and profile.letter_date is not None and profile.letter_date > policy.withheld_on


def latest_evidence(profile: Profile, policy: EvidencePolicy | None) -> _dt.date:
    """The latest the profile's evidence may be drawn: the policy's ``latest``, or its ``withheld_latest`` for a
    rating withheld on ``withheld_on`` and published later; without a policy, the end of the assessment year."""
    if policy is None:
        return _dt.date(profile.year, 12, 31)
    if withheld_under(profile, policy) and policy.withheld_latest is not None:
        return policy.withheld_latest
    return policy.latest


def evidence_date_problem(profile: Profile, policy: EvidencePolicy | None) -> tuple[Code, str] | None:
    """Why the profile's evidence date is later than the ruleset allows (:func:`latest_evidence`; its code and
    message), or None. Without a policy, the evidence date is not after the assessment year (a
    ``profile-contradiction``, as it always was)."""
    evidence = profile.evidence_date
    if evidence is None or evidence <= latest_evidence(profile, policy):
        return None
    if policy is None:
        return "profile-contradiction", f"the evidence date {evidence} is after the assessment year {profile.year}"
    if withheld_under(profile, policy):
        return ("evidence-date-outside-policy", f"the evidence date {evidence} is after {policy.withheld_latest}, the latest a "
                f"rating withheld on {policy.withheld_on} may rest on (evidence.withheld_latest)")
    if policy.withheld_on is not None:
        return ("evidence-date-outside-policy", f"the evidence date {evidence} is after {policy.latest}, the latest a rating "
                f"published on {policy.withheld_on} counts (evidence.latest); a rating withheld that day, its letter dated "
                f"after it, may rest on evidence up to {policy.withheld_latest}")
    return ("evidence-date-outside-policy", f"the evidence date {evidence} is after {policy.latest}, the latest the ruleset "
            "counts (evidence.latest)")
