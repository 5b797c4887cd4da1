"""The inspections the letter states, oldest first: a full inspection's grades and other judgements, the unannounced
inspection's findings with its summary and its judgement of effective action, the binding limits said after the
inspections they rest on, and a notice to improve in force.
"""
from __future__ import annotations

from ...model.catalogue import Catalogue
from ...model.inspections import FULL, UNANNOUNCED_FAMILY, Held, at_evidence_date, latest, oldest_first
from ...model.letter import EvidenceWording, LetterWording
from ...model.profile import Profile
from ...model.wording import Numbers, date_text
from ..reviewed import Reviewed
from .sentence import Contrast, Marks, filled, join_words, user_text


def stated_inspections(profile: Profile) -> dict[str, Held]:
    """The inspections the settings paragraph states, by family, in the order they happened (a letter recounts what
    happened: Peterborough 2011, the unannounced inspection of February before the full one of August): the latest of
    each at the evidence date (from the history or the single fields alike), a full one where it grades safeguarding."""
    held = at_evidence_date(profile)
    full, unannounced = latest(held, FULL), latest(held, UNANNOUNCED_FAMILY)
    stated = [h for h in (full if full is not None and full.safeguarding is not None else None, unannounced) if h is not None]
    return {h.family: h for h in oldest_first(stated)}


def _when(inspection: Held, ev: EvidenceWording) -> str:
    """When an inspection was, as the letters date it: its month and year where the profile gives its date, its year
    alone where it gives no more or the letters date that kind by its year (Camden: "The joint area review in 2008")."""
    if inspection.date is None or inspection.kind in ev.dated_by_year:
        return str(inspection.year)
    return date_text(inspection.date, month_only=True)


def limits_after_inspections(reviewed: Reviewed, wording: LetterWording, stated: dict[str, Held], marks: Marks,
                             said: set[str]) -> dict[str, list[str]]:
    """The binding limits said after the inspections they rest on (the wording's ``limits_after_inspections``), by the
    family of the last of them in the letter: briefly, referring back to the findings just stated ("This inspection
    limits the rating to performs poorly"). Each limit's own sentence is then said nowhere else in the letter; the
    trace and the report keep it."""
    d = reviewed.decision
    out: dict[str, list[str]] = {}
    for limit in d.limits:
        brief = wording.limits_after_inspections.get(limit.limit_id)
        if not limit.binding or brief is None or not all(family in stated for family in brief.after):
            continue
        last = [family for family in stated if family in brief.after][-1]  # the last of them the letter states
        unresolved, count = _unresolved(stated.get(UNANNOUNCED_FAMILY), reviewed.loaded.profile, wording)
        # A later limit may take the band lower still: this one's band is then not the letter's and is not named.
        lowered = d.limited_band is not None and d.limited_band < limit.band_after
        template = brief.lowered_further if lowered and brief.lowered_further else brief.text
        if lowered and not brief.lowered_further and "{band_words}" in template:
            continue  # its own sentence, said with the limits, names no band it does not give
        sentence = filled(template, band_words=d.band_words[limit.band_after], unresolved=unresolved,
                          has="has" if count == 1 else "have")
        out.setdefault(last, []).append(marks.mark(sentence, *marks.because.get(limit.because, [])))
        said.add(limit.because)
    return out


def _unresolved(unannounced: Held | None, profile: Profile, wording: LetterWording) -> tuple[str, int]:
    """The unannounced inspection's areas for priority action not resolved by the evidence date, as a limit after its
    findings names them ("the area for priority action", "two of the areas for priority action"), and how many, for
    the verb to agree ("has", "have")."""
    ev = wording.evidence
    if unannounced is None or ev.unresolved_all is None or ev.unresolved_some is None:
        return "", 0
    count = unannounced.unresolved(profile.evidence_date)
    if count == len(unannounced.priority_actions):
        return ev.unresolved_all[count != 1], count
    return ev.unresolved_some.format(count=Numbers(wording.number_words).one(count)), count


def inspection_sentences(profile: Profile, year: int, stated: dict[str, Held], after_inspections: dict[str, list[str]],
                         ev: EvidenceWording, catalogue: Catalogue, numbers: Numbers, contrast: Contrast, marks: Marks) -> list[str]:
    """The inspections stated, each with its findings and the limits said after it, then a notice to improve in force."""
    out: list[str] = []
    for family, held in stated.items():  # in the order the letter states them
        if family == FULL:
            template = (ev.safeguarding_only if held.looked_after_children is None else
                        ev.safeguarding_same if held.looked_after_children == held.safeguarding else ev.safeguarding_different)
            out.append(marks.mark(filled(template, kind=held.kind,
                                         year=held.year, when=_when(held, ev), safeguarding=held.safeguarding,
                                         looked_after_children=held.looked_after_children), held.source[0]))
            out += _sub_judgements(held, ev, catalogue, marks)
        else:
            out += _unannounced(held, profile, year, ev, numbers, contrast, marks)
        out += after_inspections.get(family, [])
    notice = profile.notice_to_improve
    # In force at the evidence date as the measure and the report read it (NoticeToImprove.in_force).
    if notice is not None and notice.in_force(profile.evidence_date) and ev.notice_to_improve is not None:
        out.append(marks.mark(filled(ev.notice_to_improve, served=date_text(notice.served_on, month_only=True)), "notice_to_improve"))
    return out


def _sub_judgements(full: Held, ev: EvidenceWording, catalogue: Catalogue, marks: Marks) -> list[str]:
    """A full inspection's other judgements in one sentence, those of one grade together in the catalogue's words (Cornwall
    2009: looked after children's services "rated inadequate in assessment and direct work with children, ambition and
    prioritisation, and value for money")."""
    if not full.judgements or ev.sub_judgements is None or ev.sub_judgement_grade is None:
        return []
    by_grade: dict[str, list[str]] = {}
    for name, grade in full.judgements:  # each is the catalogue's (the loader refuses any other)
        by_grade.setdefault(grade, []).append(catalogue.inspection_judgements[name])
    parts = [ev.sub_judgement_grade.format(judgements=join_words(names), grade=grade) for grade, names in by_grade.items()]
    judgements = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1]
    return [marks.mark(filled(ev.sub_judgements, judgements=judgements), full.source[0])]


def _unannounced(unannounced: Held, profile: Profile, year: int, ev: EvidenceWording, numbers: Numbers, contrast: Contrast,
                 marks: Marks) -> list[str]:
    """The unannounced inspection: its findings and summary in one sentence, then its judgement of effective action.
    Dated where the profile dates it or it is of an earlier year; else "A recent" (Cambridgeshire), as the year alone."""
    out: list[str] = []
    counts = {"strengths": unannounced.strengths, "areas_for_development": unannounced.areas_for_development,
              "areas_for_priority_action": len(unannounced.priority_actions)}
    # A count the profile does not state (None) is not said as none ("identified no strengths"): the findings it
    # gives, joined. Areas for priority action are always stated: an empty list is none named.
    stated = {f: n for f in ev.unannounced_nouns if (n := counts[f]) is not None}
    named = list(stated)
    given = join_words([f"{numbers.one(n)} {ev.unannounced_nouns[f][n != 1]}" for f, n in stated.items()])
    # Areas for priority action all resolved by the evidence date are said to be, not left to read as open; the
    # clause follows their count, the last of the findings.
    if (ev.unannounced_resolved and unannounced.priority_actions and named and named[-1] == "areas_for_priority_action"
            and unannounced.unresolved(profile.evidence_date) == 0):
        given += ev.unannounced_resolved
    dated = ev.unannounced_dated is not None and (unannounced.date is not None or unannounced.year != year)
    sentence = filled(ev.unannounced_dated if dated and ev.unannounced_dated else ev.unannounced, when=_when(unannounced, ev),
                      findings=given)
    # Where its values are in the profile: the single field's, or its entry in the history.
    single = unannounced.source == ("unannounced_inspection",)

    def source(part: str) -> str:
        return f"unannounced_inspection.{part}" if single else "inspections"

    sources = [source(f) for f in ev.unannounced_nouns]
    if unannounced.summary and ev.unannounced_summary:  # the inspection's own words, joined to its findings
        summary = unannounced.summary.strip().rstrip(".")
        if summary.split(" ", 1)[0] in ev.lowered_openings:
            summary = summary[:1].lower() + summary[1:]
        sentence = sentence.rstrip(".") + ev.unannounced_summary.format(summary=user_text(summary)) + "."
        sources.append(source("summary"))
    # Set against what the inspection found wanting, the judgement of effective action opens a sentence with a
    # contrast (Cambridgeshire: "However, the inspection judged"); with nothing to set against, it joins this one.
    against = bool(unannounced.priority_actions or unannounced.summary)
    joined = unannounced.effective_action_to_safeguard and not against and ev.effective_action_joined is not None
    if joined:
        sentence = sentence.rstrip(".") + " ".join(str(ev.effective_action_joined).split()) + "."
        sources.append(source("effective_action_to_safeguard"))
    out.append(marks.mark(sentence, *sources))
    if unannounced.summary and not ev.unannounced_summary:
        out.append(marks.mark(user_text(unannounced.summary), source("summary")))
    if unannounced.effective_action_to_safeguard and not joined:
        out.append(marks.mark(filled(ev.effective_action, contrast=contrast.next() if against else ""),
                              source("effective_action_to_safeguard")))
    return out

