"""Checks of a profile's dates against each other and its assessment year, each problem located at its key. The
loader runs them with the profile's other checks (engine.load.contradictions).

- A letter rests on evidence drawn by its date: the evidence date is not after the letter date
  (``evidence-after-letter``).
- Both dates fall in the assessment year's window (``date-outside-assessment-year``): the letter of a rating of year
  Y is dated in Y, or in Y+1 when the rating was withheld on the day and published later (West Sussex 2010 on 5
  January 2011, Cornwall 2010 in February 2011); its evidence is not drawn before Y (the rating of Y-1, published in
  December Y-1, already rests on it). How late the evidence may be is the ruleset's evidence policy
  (engine.model.inspections.latest_evidence), checked here too so the window is checked in one place.
- Without an evidence date everything given counts, so nothing given may be dated after the letter, nor after the
  latest the year's evidence may be: an inspection, a resolution of an area for priority action, a notice to
  improve served or lifted, a pending inspection.

Refused, not warned: the engine has no channel for warnings (a profile loads or does not), and each case above is
a date that cannot belong to the rating it claims, a typing slip or a profile built for another year. Accepted
without a word, because each is plausible and the format already says what it means:

- a fact dated after the evidence date: the evidence date is there to leave it out (Kent 2010's re-inspection
  "came too late to be considered"; ``inspections.after_evidence_date`` counts it), even when it is after the
  letter too (a history drawn from a later extract);
- an evidence date long before the letter (the profile of 18 August 2010 for letters of 9 December 2010).
"""
from __future__ import annotations

import datetime as _dt

from ..errors import Problem
from ..model.inspections import as_given, evidence_date_problem, latest_evidence
from ..model.profile import Profile
from ..model.ruleset import EvidencePolicy
from ..model.source import DataPath, SourceDocument


def date_problems(profile: Profile, doc: SourceDocument, policy: EvidencePolicy | None) -> list[Problem]:
    """Every incoherence of the profile's dates, under the evidence policy of the ruleset for its year (None: none)."""
    problems = []
    year, letter, evidence = profile.year, profile.letter_date, profile.evidence_date
    if letter is not None and not _dt.date(year, 1, 1) <= letter <= _dt.date(year + 1, 12, 31):
        problems.append(doc.problem("date-outside-assessment-year", f"the letter date {letter} is outside {year} and {year + 1}: "
                                    f"the letter of a rating of {year} is dated in {year}, or in {year + 1} when the rating was "
                                    "withheld on the day and published later", ("letter_date",)))
    if evidence is not None and evidence < _dt.date(year, 1, 1):
        problems.append(doc.problem("date-outside-assessment-year", f"the evidence date {evidence} is before the assessment year "
                                    f"{year}: the rating of {year - 1} rests on that evidence", ("evidence_date",)))
    late = evidence_date_problem(profile, policy)
    if late is not None:
        problems.append(doc.problem(late[0], late[1], ("evidence_date",)))
    if evidence is not None and letter is not None and evidence > letter:
        problems.append(doc.problem("evidence-after-letter", f"the evidence date {evidence} is after the letter date {letter}: a "
                                    "letter rests on evidence drawn by its date", ("evidence_date",)))
    if evidence is None:
        problems += _counted_too_late(profile, doc, policy)
    return problems


def _counted_too_late(profile: Profile, doc: SourceDocument, policy: EvidencePolicy | None) -> list[Problem]:
    """Without an evidence date, the facts that count and are dated after the letter, or after the latest the year's
    evidence may be."""
    letter, bound = profile.letter_date, latest_evidence(profile, policy)
    problems = []
    for what, when, where in _dated_facts(profile):
        # A single field gives a year only: it is later only in a later year.
        after_letter = letter is not None and (when > letter if isinstance(when, _dt.date) else when > letter.year)
        after_bound = when > bound if isinstance(when, _dt.date) else when > bound.year
        if after_letter:
            problems.append(doc.problem("evidence-after-letter", f"{what} ({when}) is after the letter date {letter}: without an "
                                        "evidence date everything given counts, and a letter rests on evidence drawn by its date",
                                        where, suggestion="give the evidence_date the letter's evidence was drawn on"))
        elif after_bound:
            problems.append(doc.problem("date-outside-assessment-year", f"{what} ({when}) is after {bound}, the latest evidence a "
                                        f"rating of {profile.year} may rest on: without an evidence date everything given counts",
                                        where, suggestion="give the evidence_date the rating's evidence was drawn on"))
    return problems


def _dated_facts(profile: Profile) -> list[tuple[str, _dt.date | int, DataPath]]:
    """What the profile dates and a rating counts: each with its words, its date (a year for a single field) and key."""
    facts: list[tuple[str, _dt.date | int, DataPath]] = []
    for held in as_given(profile):  # the inspections as the model reads them, a single field beside the history too
        if held.date is None:  # a single field: its year
            facts.append((f"the {held.source[0].replace('_', ' ')}", held.year, (*held.source, "year")))
            continue
        facts.append((f"the {held.kind} of {'.'.join(map(str, held.source))}", held.date, (*held.source, "date")))
        for j, resolved_on in enumerate(held.priority_actions):
            if resolved_on is not None:
                facts.append((f"the resolution of its area for priority action {j + 1}", resolved_on,
                              (*held.source, "areas_for_priority_action", j, "resolved_on")))
    notice = profile.notice_to_improve
    if notice is not None:
        facts.append(("the notice to improve", notice.served_on, ("notice_to_improve", "served_on")))
        if notice.lifted_on is not None:
            facts.append(("its lifting", notice.lifted_on, ("notice_to_improve", "lifted_on")))
    if profile.pending_inspection is not None:
        facts.append((f"the pending {profile.pending_inspection.kind}", profile.pending_inspection.date, ("pending_inspection", "date")))
    return facts
