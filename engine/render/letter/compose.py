"""The letter composed paragraph by paragraph: the fixed paragraphs and the scale, the rating and its headline, the
change since last year, the settings, the indicators and the limits, each finding said once, in its place.
"""
from __future__ import annotations

from ...load.letter import load_wording
from ...model.letter import LetterWording
from ...model.profile import CHILDRENS_SERVICES_ASSESSMENT, Profile
from ...model.trace import Decision
from ...model.wording import date_text, no_opening_figure
from ..reviewed import Reviewed
from .indicators import indicators_paragraph
from .inspections import limits_after_inspections, stated_inspections
from .sentence import ILLUSTRATIVE, Letter, Marks, filled, user_text
from .settings import settings_paragraph


def compose_letter(reviewed: Reviewed) -> Letter:
    d, profile = reviewed.decision, reviewed.loaded.profile
    wording = load_wording(reviewed.ruleset.ruleset)
    addressee = profile.authority.addressee
    letter = Letter(
        date=date_text(profile.letter_date) if profile.letter_date else None,
        address=[addressee.name, *([addressee.role] if addressee.role else []), *addressee.address] if addressee else [],
        salutation=(addressee.salutation or f"Dear {addressee.name}") if addressee else None,
        title=wording.title,
    )
    add = letter.blocks.append
    marks = Marks(reviewed, letter)
    add(("p", filled(wording.guidance)))
    if d.ruleset.transitional and wording.transitional:
        add(("p", filled(wording.transitional, year=d.year, next_year=d.year + 1)))
    add(("p", wording.scale_intro))
    add(("scale", [(band, d.band_words[band], reviewed.ruleset.ruleset.scale[band].meaning) for band in sorted(d.band_words, reverse=True)]))
    add(("p", filled(wording.scale_note)))
    add(("heading", wording.rating_heading.format(year=d.year)))
    if d.final_band is None:  # withheld: the letter says the rating is not published yet, and why
        add(("rating", (wording.rating_label, wording.withheld_rating or "Not yet published")))
        paragraph = [filled(wording.withheld or "", authority=_in_sentence(d.authority, wording), year=d.year)]
        add(("p", " ".join(paragraph + [marks.mark(reason.because) for reason in d.withheld])))
    else:
        add(("rating", (wording.rating_label, f"{d.band_words[d.final_band].capitalize()} ({d.final_band})")))
        # The same band as last year is said in the headline where the wording can (Rochdale 2010: "perform well, as
        # they did last year"), not in a sentence of its own.
        held = d.direction is not None and d.direction.direction == "held" and wording.headline_held is not None
        add(("p", filled(wording.headline_held if held and wording.headline_held else wording.headline,
                         authority=_in_sentence(d.authority, wording), manner=d.band_words[d.final_band].split(" ", 1)[-1])))
        said: set[str] = set()
        stated = stated_inspections(profile)
        # Limits said after the inspections they rest on, so said nowhere else (the direction or limits paragraph).
        after_inspections = limits_after_inspections(reviewed, wording, stated, marks, said)
        evidence = [settings_paragraph(reviewed, wording, said, marks, stated, after_inspections),
                    indicators_paragraph(reviewed, wording, said, marks), _limits_paragraph(reviewed, wording, said)]
        # The change since last year is composed after the findings, which are each said in their own paragraph: it
        # then says only what made the difference that none of them says (said once, in its place).
        direction = (_direction_paragraph(d, wording, said) if d.direction is not None and wording.direction is not None
                     else _previous_rating(d, profile, wording, marks))
        for paragraph in (direction, *evidence):
            if paragraph:
                add(("p", " ".join(no_opening_figure(marks.mark(sentence) if ILLUSTRATIVE not in sentence else sentence)
                                   for sentence in paragraph)))
    add(("p", filled(wording.section_138)))
    add(("closing", (wording.closing, wording.signatory, filled(wording.draft_note, ruleset=d.ruleset.named()))))
    return letter


def _direction_paragraph(d: Decision, wording: LetterWording, said: set[str]) -> list[str]:
    """The change since last year's band, with the sentences of what made the difference that the letter does not say
    elsewhere: a finding stated in the settings, indicators or limits paragraph is not said again (Leeds 2011: "This is
    an improvement on last year's rating of 'performs poorly'.", its universal services and children's homes and
    special schools said with the settings)."""
    if d.direction is None or wording.direction is None:
        return []
    change = d.direction
    template = getattr(wording.direction, change.direction)
    out = [filled(template, previous_words=d.band_words[change.previous_band], previous_band=change.previous_band,
                  words=d.band_words[change.band], band=change.band, year=d.year, previous_year=d.year - 1)] if template else []
    for reason in change.reasons:
        if reason not in said:
            out.append(reason)
            said.add(reason)
    return out


def _previous_rating(d: Decision, profile: Profile, wording: LetterWording, marks: Marks) -> list[str]:
    """Last year's published rating, from the history, where no direction sentence says it: only last year's, as the
    letters speak of change since last year and of no earlier year."""
    last = next((r for r in profile.previous_ratings if r.year == d.year - 1), None)
    if last is None:
        return []
    template = wording.previous_rating if last.assessment == CHILDRENS_SERVICES_ASSESSMENT else wording.previous_assessment
    if template is None:
        return []
    return [marks.mark(filled(template, year=last.year, band=last.band, words=d.band_words[last.band]), "previous_ratings")]


def _in_sentence(name: str, wording: LetterWording) -> str:
    return f"the {user_text(name)}" if any(name.startswith(prefix) for prefix in wording.names_with_article) else user_text(name)


def _limits_paragraph(reviewed: Reviewed, wording: LetterWording, said: set[str]) -> list[str]:
    d = reviewed.decision
    out = [limit.because for limit in d.limits if limit.binding and limit.because not in said]
    said.update(out)  # so the change since last year, composed after, does not say a limit that lowered the band again
    if d.judgement is not None:
        out.append(filled(wording.evidence.judgement, assessor=user_text(d.judgement.assessor), band_words=d.band_words[d.judgement.band],
                          reason=user_text(d.judgement.reason)))
    return out
