"""The rating letter: fixed paragraphs from rules/letters/<ruleset>.yaml, the band in the scale's words,
the settings evidence in sentences, and the fired rules' ``because`` sentences (grades, findings, limits).

The evidence is said as Ofsted's letters of 9 December 2009 say it (../shared/seeds/): one sentence a finding,
related findings joined (types above or below average block by block, the council's own services in one
sentence, an inspection's findings with its summary), openings chosen by what the evidence is, each contrast
used once a paragraph. Which words, blocks and findings is the wording's (data); how they are put together is here.

Text from the profile or a judgement (the authority's name, a summary, the assessor and reason) is marked
where it enters a paragraph, so each medium escapes it by its own rule (:mod:`engine.render.escape`) while
the wording's own Markdown (``*Every Child Matters*``) is kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Any

from ..load.letter import load_wording
from ..model.catalogue import Catalogue
from ..model.inspections import FULL, UNANNOUNCED_FAMILY, Held, at_evidence_date, latest
from ..model.letter import EvidenceWording, GapProgress, IndicatorClause, LetterWording, ServiceName
from ..model.profile import CHILDRENS_SERVICES_ASSESSMENT, GRADES, Profile, VulnerableGap
from ..model.provenance import measure_sources
from ..model.ruleset import Limit, Rule, Withhold
from ..model.trace import Decision, LimitApplied, RatingWithheld, RuleFired
from ..model.wording import Numbers, date_text, no_opening_figure
from .escape import markdown, markdown_prose
from .evidence import IndicatorRow, SettingRow, good_or_better, outcome_blocks, setting_rows, total
from .reviewed import Reviewed

# Private-use characters around text from the profile or a judgement, inside a composed paragraph.
USER_OPEN, USER_CLOSE = "\ue000", "\ue001"
# After a sentence resting on a value the profile marks illustrative: each medium shows it as ILLUSTRATIVE_MARK.
ILLUSTRATIVE = "\ue002"
ILLUSTRATIVE_MARK = "[illustrative]"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)(?::[^}]*)?\}")


@dataclass
class Letter:
    date: str | None
    address: list[str]
    salutation: str | None
    title: str
    blocks: list[tuple[str, Any]] = field(default_factory=list)  # ("p" | "heading" | "scale" | "rating", content)
    # The illustrative values the letter rests on (dotted path -> the profile's note): a draft, naming each.
    illustrative: dict[str, str | None] = field(default_factory=dict)

    @property
    def draft(self) -> bool:
        return bool(self.illustrative)


class _Marks:
    """Marks each sentence resting on a value the profile marks illustrative, and keeps those values for the
    letter's draft notice. A rule's sentence rests on the measures its conditions and its sentence read."""

    def __init__(self, reviewed: Reviewed, letter: Letter):
        self.provenance = reviewed.loaded.profile.provenance
        self.letter = letter
        self.because: dict[str, list[str]] = {}
        if self.provenance is None:
            return
        ruleset = reviewed.ruleset.ruleset
        every: list[Rule | Limit | Withhold] = [*ruleset.rules, *ruleset.limits, *ruleset.withhold]
        items = {item.id: item for item in every}
        for event in reviewed.decision.trace:
            if not isinstance(event, RuleFired | LimitApplied | RatingWithheld):
                continue
            item = items.get(event.limit_id if isinstance(event, LimitApplied) else event.rule_id)
            if item is not None:
                measures = [c.measure for c in item.when] + _PLACEHOLDER.findall(item.because)
                self.because.setdefault(event.because, []).extend(source for m in measures for source in measure_sources(m))

    def mark(self, sentence: str, *sources: str) -> str:
        """The sentence, marked if any of the profile sections it rests on is (or holds) an illustrative value."""
        if self.provenance is None or not sentence:
            return sentence
        found = [part for source in dict.fromkeys(sources or self.because.get(sentence, [])) for part in self.provenance.illustrative(source)]
        for path, note in found:
            self.letter.illustrative.setdefault(path, note)
        return sentence + ILLUSTRATIVE if found else sentence


def _text(template: str, **values: Any) -> str:
    text = " ".join(template.split()).format(**values)
    first = 1 if text.startswith(USER_OPEN) else 0
    return text[:first + 1].upper() + text[first + 1:]


def _user(text: str) -> str:
    """Text from the profile or a judgement, marked for escaping (any marks inside it dropped)."""
    return USER_OPEN + text.replace(USER_OPEN, "").replace(USER_CLOSE, "") + USER_CLOSE


def _segments(text: str) -> list[tuple[bool, str]]:
    """(from the profile or a judgement?, text) for each part of a composed paragraph."""
    out = []
    for n, part in enumerate(re.split(f"[{USER_OPEN}{USER_CLOSE}]", text)):
        if part:
            out.append((n % 2 == 1, part))
    return out


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


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
    marks = _Marks(reviewed, letter)
    add(("p", _text(wording.guidance)))
    if d.ruleset.transitional and wording.transitional:
        add(("p", _text(wording.transitional, year=d.year, next_year=d.year + 1)))
    add(("p", wording.scale_intro))
    add(("scale", [(band, d.band_words[band], reviewed.ruleset.ruleset.scale[band].meaning) for band in sorted(d.band_words, reverse=True)]))
    add(("p", _text(wording.scale_note)))
    add(("heading", wording.rating_heading.format(year=d.year)))
    if d.final_band is None:  # withheld: the letter says the rating is not published yet, and why
        add(("rating", (wording.rating_label, wording.withheld_rating or "Not yet published")))
        paragraph = [_text(wording.withheld or "", authority=_in_sentence(d.authority, wording), year=d.year)]
        add(("p", " ".join(paragraph + [marks.mark(reason.because) for reason in d.withheld])))
    else:
        add(("rating", (wording.rating_label, f"{d.band_words[d.final_band].capitalize()} ({d.final_band})")))
        # The same band as last year is said in the headline where the wording can (Rochdale 2010: "perform well, as
        # they did last year"), not in a sentence of its own.
        held = d.direction is not None and d.direction.direction == "held" and wording.headline_held is not None
        add(("p", _text(wording.headline_held if held and wording.headline_held else wording.headline,
                        authority=_in_sentence(d.authority, wording), manner=d.band_words[d.final_band].split(" ", 1)[-1])))
        said: set[str] = set()
        stated = _stated_inspections(profile)
        # Limits said after the inspections they rest on, so said nowhere else (the direction or limits paragraph).
        after_inspections = _limits_after_inspections(reviewed, wording, stated, marks, said)
        evidence = [_settings_paragraph(reviewed, wording, said, marks, stated, after_inspections),
                    _indicators_paragraph(reviewed, wording, said, marks), _limits_paragraph(reviewed, wording, said)]
        # The change since last year is composed after the findings, which are each said in their own paragraph: it
        # then says only what made the difference that none of them says (said once, in its place).
        direction = (_direction_paragraph(d, wording, said) if d.direction is not None and wording.direction is not None
                     else _previous_rating(d, profile, wording, marks))
        for paragraph in (direction, *evidence):
            if paragraph:
                add(("p", " ".join(no_opening_figure(marks.mark(sentence) if ILLUSTRATIVE not in sentence else sentence)
                                   for sentence in paragraph)))
    add(("p", _text(wording.section_138)))
    add(("closing", (wording.closing, wording.signatory, _text(wording.draft_note, ruleset=d.ruleset.named()))))
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
    out = [_text(template, previous_words=d.band_words[change.previous_band], previous_band=change.previous_band,
                 words=d.band_words[change.band], band=change.band, year=d.year, previous_year=d.year - 1)] if template else []
    for reason in change.reasons:
        if reason not in said:
            out.append(reason)
            said.add(reason)
    return out


def _previous_rating(d: Decision, profile: Profile, wording: LetterWording, marks: _Marks) -> list[str]:
    """Last year's published rating, from the history, where no direction sentence says it: only last year's, as the
    letters speak of change since last year and of no earlier year."""
    last = next((r for r in profile.previous_ratings if r.year == d.year - 1), None)
    if last is None:
        return []
    template = wording.previous_rating if last.assessment == CHILDRENS_SERVICES_ASSESSMENT else wording.previous_assessment
    if template is None:
        return []
    return [marks.mark(_text(template, year=last.year, band=last.band, words=d.band_words[last.band]), "previous_ratings")]


def _in_sentence(name: str, wording: LetterWording) -> str:
    return f"the {_user(name)}" if any(name.startswith(prefix) for prefix in wording.names_with_article) else _user(name)


def _sentences(decision: Decision, stages: list[str], said: set[str]) -> list[str]:
    """For each stage in turn: the sentence of the rule that set its grade, or every fired rule's for a stage
    that sets none; a sentence the letter has already said is not said again."""
    graded = {e.stage: e.rule_id for e in decision.events("grade_assigned")}
    out = [e.because for stage in stages for e in decision.events("rule_fired")
           if e.stage == stage and (stage not in graded or e.rule_id == graded[stage]) and e.because not in said]
    said.update(out)
    return out


class _Contrast:
    """The openings of contrast a paragraph may use, each once ("However, " then "Nevertheless, "): Ofsted's letters
    never open three sentences with "However,"."""

    def __init__(self, openings: list[str]):
        self.left = list(openings)

    def next(self) -> str:
        return self.left.pop(0) if self.left else ""


def _types(rows: list[SettingRow], wording: EvidenceWording, catalogue: Catalogue) -> str:
    """The types as the letters name them: school phases together ("nursery, primary and sixth form schools")."""
    phased = [wording.phases[r.key] for r in rows if r.key in wording.phases]
    others = [catalogue.setting_types[r.key].plural for r in rows if r.key not in wording.phases]
    return _join(others + ([f"{_join(phased)} {wording.phases_noun}"] if phased else []))


def _phases(rows: list[SettingRow], wording: EvidenceWording, catalogue: Catalogue) -> str:
    """The types as provision is named: "secondary and sixth form", or one alone "secondary school"."""
    if len(rows) == 1 and rows[0].key in wording.phases:
        return wording.phases_one.format(phase=wording.phases[rows[0].key])
    return _join([wording.phases.get(r.key, catalogue.setting_types[r.key].plural) for r in rows])


def _count_of(count: int, r: SettingRow, ev: EvidenceWording, numbers: Numbers, catalogue: Catalogue) -> tuple[str, str]:
    """Some of a type's settings, as every count in the letter says them, and the verb that agrees: "four of the nine
    secondary schools" (are), "none of the six special schools" (is), and for the only one of its type "the pupil
    referral unit" (is, or is not when the count is none), never "no of the" or "one of the one"."""
    whole = total(r)
    plural = catalogue.setting_types[r.key].plural
    if whole == 1 and ev.group_part_one and r.key in ev.singulars:
        return ev.group_part_one.format(singular=ev.singulars[r.key]), "is" if count else "is not"
    if count == 0 and ev.group_part_none:
        return ev.group_part_none.format(total=numbers.one(whole), plural=plural), "is"
    some, of = numbers.alike(count, whole)
    return ev.group_part_some.format(good_or_better=some, total=of, plural=plural), _are(count)


def _parts(rows: list[SettingRow], ev: EvidenceWording, numbers: Numbers, catalogue: Catalogue) -> tuple[str, str]:
    """"14 of the 31 secondary schools and 10 of the 22 school sixth forms", and the verb that agrees with it."""
    parts = [_count_of(good_or_better(r), r, ev, numbers, catalogue) for r in rows]
    return _join([part for part, _ in parts]), "are" if len(rows) > 1 else parts[0][1]


def _above_average(compared: list[SettingRow], ev: EvidenceWording, catalogue: Catalogue, marks: _Marks) -> list[str]:
    """Types above average: a sentence for each block of related groups, in the wording's order, the next ones
    following on from the first ("This is also true for nursery and primary schools"); the rest together."""
    above = [r for r in compared if r.vs_national == "above" and r.vs_similar_areas in ("above", None)]
    blocked = {group for block in ev.above_average_blocks for group in block.groups}
    sentences = [([r for r in above if r.group in block.groups], block.first, block.also) for block in ev.above_average_blocks]
    sentences.append(([r for r in above if r.group not in blocked], ev.above_average, None))
    out: list[str] = []
    for rows, first, also in sentences:
        if rows:
            similar = ev.above_similar_clause if all(r.vs_similar_areas == "above" for r in rows) else ""
            out.append(marks.mark(_text(also if out and also else first, types=_types(rows, ev, catalogue), similar_clause=similar),
                                  *_sources(rows, "counts", "national", "similar_areas")))
    return out


def _below_average(compared: list[SettingRow], ev: EvidenceWording, catalogue: Catalogue, numbers: Numbers, contrast: _Contrast,
                   marks: _Marks) -> list[str]:
    """Types below average: one sentence for each block of related groups, one a type for the rest."""
    below = [r for r in compared if r.vs_national == "below"]
    out: list[str] = []
    for block in ev.below_average_blocks:
        rows = [r for r in below if r.group in block.groups]
        if not rows:
            continue
        one = rows[0] if len(rows) == 1 else None
        template = block.several
        if one and block.one_mostly_satisfactory and not one.counts["inadequate"] and 2 * one.counts["satisfactory"] > total(one):
            template = block.one_mostly_satisfactory
        elif one and block.one_with_outstanding and one.counts["outstanding"]:
            template = block.one_with_outstanding
        inadequate = sum(r.counts["inadequate"] for r in rows)
        clause = block.some_inadequate_clause.format(inadequate=numbers.one(inadequate), are=_are(inadequate)) if inadequate else ""
        parts, are = _parts(rows, ev, numbers, catalogue)
        uses_contrast = "{contrast}" in template
        out.append(marks.mark(_text(template, contrast=contrast.next() if uses_contrast else "",
                                    phases=_phases(rows, ev, catalogue),
                                    types=_types(rows, ev, catalogue), plural=catalogue.setting_types[rows[0].key].plural,
                                    parts=parts, are=are, inadequate_clause=clause,
                                    outstanding=numbers.one(rows[0].counts["outstanding"]), outstanding_are=_are(rows[0].counts["outstanding"])),
                              *_sources(rows, "counts", "national")))
    blocked = {group for block in ev.below_average_blocks for group in block.groups}
    for n, r in enumerate(r for r in below if r.group not in blocked):
        plural = catalogue.setting_types[r.key].plural
        clause = (ev.none_inadequate_clause.format(plural=plural) if not r.counts["inadequate"] else
                  ev.some_inadequate_clause.format(inadequate=numbers.one(r.counts["inadequate"]), are=_are(r.counts["inadequate"])))
        # After another finding below average, "also" and no contrast: the contrast is with what is above average.
        template = ev.below_average if (n == 0 and not out) or ev.below_average_more is None else ev.below_average_more
        better, whole = numbers.alike(good_or_better(r), total(r))
        out.append(marks.mark(_text(template, contrast=contrast.next() if "{contrast}" in template else "", plural=plural,
                                    good_or_better=better, total=whole, are=_are(good_or_better(r)), inadequate_clause=clause),
                              *_sources([r], "counts", "national")))
    return out


def _group_sentences(counted: list[SettingRow], ev: EvidenceWording, catalogue: Catalogue, numbers: Numbers,
                     proportions: dict[str, float], marks: _Marks, counted_before: set[str]) -> list[str]:
    """Provision described as a whole ("at least good in all six special schools"; "satisfactory overall, with only
    four of the eight special schools ... judged good or outstanding"), worded by how much of it is good. A type whose
    good or better settings a sentence already counted (``counted_before``) is not counted again: the sentence names
    the rest, and is not said when nothing is left to name."""
    out = []
    for group, template in ev.group_sentences.items():
        members = [r for r in counted if r.group == group]
        if not members:
            continue
        share = sum(map(good_or_better, members)) / sum(map(total, members))
        if any(good_or_better(r) < total(r) for r in members):
            mostly = ev.group_mostly_at_least is not None and share >= proportions[ev.group_mostly_at_least]
            template = (ev.group_sentences_mostly if mostly else ev.group_sentences_less).get(group, template)
        parts = []
        # A type with none good is left out when another has some ("with all six special schools good or outstanding",
        # not "... and none of the one pupil referral units"): the sentence's "mostly" or "only" already says the rest.
        some = [r for r in members if good_or_better(r)] or members
        for r in (r for r in some if r.key not in counted_before):
            if good_or_better(r) < total(r) or total(r) == 1:
                parts.append(_count_of(good_or_better(r), r, ev, numbers, catalogue)[0])
                continue
            part = ev.group_part_both if total(r) == 2 and ev.group_part_both else ev.group_part_all
            parts.append(part.format(total=numbers.one(total(r)), good_or_better=numbers.one(good_or_better(r)),
                                     plural=catalogue.setting_types[r.key].plural))
        if not parts:
            continue
        out.append(marks.mark(_text(template, group=catalogue.groups[group], parts=_join(parts)), *_sources(members, "counts")))
    return out


def _services_graded(rule: Rule) -> set[str]:
    """The settings whose grade a rule's sentence gives: those a placeholder of it names (as _Marks reads a sentence), and
    those a condition holds to one grade, which the sentence then says in words ("fostering service is outstanding" from
    count_outstanding at least 1). A condition that only bounds the grade ("good or better") leaves it to be said."""
    graded = {m.split(".")[1] for m in _PLACEHOLDER.findall(rule.because) if m.startswith("settings.")}
    for c in rule.when:
        parts = c.measure.split(".")
        if len(parts) != 3 or parts[0] != "settings":
            continue
        one_grade = parts[2].removeprefix("count_") in GRADES and isinstance(c.at_least, int | float) and c.at_least >= 1
        if one_grade or (parts[2] == "grade" and c.equals is not None):
            graded.add(parts[1])
    return graded


def _types_counted(rule: Rule, catalogue: Catalogue) -> set[str]:
    """The setting types whose good or better settings a rule's sentence counts: each type in the scope of a placeholder
    counting them or giving their share (2011: "A large majority of children's homes and special schools (21 of 28)",
    groups.homes_and_special_schools.count_good_or_better, counts the special schools)."""
    counted: set[str] = set()
    for m in _PLACEHOLDER.findall(rule.because):
        parts = m.split(".")
        if len(parts) != 3 or parts[2] not in ("count_good_or_better", "share_good_or_better"):
            continue
        if parts[0] == "settings":
            counted.add(parts[1])
        elif parts[0] == "groups" and parts[1] in catalogue.scopes():
            counted |= {key for key in catalogue.setting_types if catalogue.in_scope(parts[1], key)}
    return counted


def _single_services(rows: list[SettingRow], ev: EvidenceWording, catalogue: Catalogue, marks: _Marks) -> list[str]:
    """The council's own services, one sentence, grade by grade ("The local authority's fostering and adoption agencies
    are good"; "... adoption agency is good and its fostering agency is outstanding"). Not a service the letters' counts
    leave out (``in_totals: false``: the youth offending service, whose inspection the letters never speak of:
    docs/profile-format.md)."""
    singles: dict[str, list[SettingRow]] = {}
    for r in rows:
        if r.single_grade and r.in_totals:
            singles.setdefault(r.single_grade, []).append(r)
    clauses: list[str] = []
    owners: set[str] = set()
    for grade, members in singles.items():
        services, several = _service_names(members, ev, catalogue, owners)
        clause = " ".join(ev.single_services.split()).format(services=services, are="are" if several else "is", grade=grade)
        clauses.append(clause.rstrip("."))
    if not clauses:
        return []
    return [marks.mark(_text(_join(clauses)) + ".", *(f"settings.{m.key}.grade" for members in singles.values() for m in members))]


def _service_names(members: list[SettingRow], ev: EvidenceWording, catalogue: Catalogue, owners: set[str]) -> tuple[str, bool]:
    """Services of one grade as the letters name them, and whether they take "are": those sharing an owner and a noun
    under one possessive (Cambridgeshire: "the local authority's fostering and adoption agencies"), an owner named
    before as ``owner_again`` ("its"); a service the wording does not name, by the catalogue's title."""
    runs: list[tuple[ServiceName | None, list[str]]] = []  # the naming of a run of services sharing it, and their names
    for m in members:
        naming = ev.service_names.get(m.key)
        last = runs[-1][0] if runs else None
        if naming is not None and naming.noun and last is not None and (last.owner, last.noun) == (naming.owner, naming.noun):
            runs[-1][1].append(naming.name)
        else:
            runs.append((naming, [naming.name if naming else m.title[:1].lower() + m.title[1:]]))
    parts: list[str] = []
    several = len(members) > 1
    for naming, names in runs:
        if naming is None:
            several = several or catalogue.setting_types[members[0].key].plural.endswith("s")
            parts.append(names[0])
            continue
        owner = naming.owner
        if owner is not None and owner in owners and ev.owner_again:
            owner = ev.owner_again
        if naming.owner is not None:
            owners.add(naming.owner)
        noun = naming.noun[len(names) > 1] if naming.noun else None
        several = several or naming.plural
        parts.append(" ".join(word for word in (owner, _join(names), noun) if word))
    return _join(parts), several


def _stated_inspections(profile: Profile) -> dict[str, Held]:
    """The inspections the settings paragraph states, by family, in the order it states them: the latest of each at the
    evidence date (from the history or the single fields alike), a full one where it grades safeguarding."""
    held = at_evidence_date(profile)
    full, unannounced = latest(held, FULL), latest(held, UNANNOUNCED_FAMILY)
    stated = [h for h in (full if full is not None and full.safeguarding is not None else None, unannounced) if h is not None]
    return {h.family: h for h in _oldest_first(stated)}


def _oldest_first(held: list[Held]) -> list[Held]:
    """Inspections by date, oldest first, as a letter recounts what happened (Peterborough 2011: the unannounced
    inspection of February before the full one of August); one the profile does not date keeps its place, the full
    inspection first. Dated the same day, the order given."""
    dated = iter(sorted((h for h in held if h.date is not None), key=lambda h: h.date or 0))
    return [next(dated) if h.date is not None else h for h in held]


def _when(inspection: Held, ev: EvidenceWording) -> str:
    """When an inspection was, as the letters date it: its month and year where the profile gives its date, its year
    alone where it gives no more or the letters date that kind by its year (Camden: "The joint area review in 2008")."""
    if inspection.date is None or inspection.kind in ev.dated_by_year:
        return str(inspection.year)
    return date_text(inspection.date, month_only=True)


def _limits_after_inspections(reviewed: Reviewed, wording: LetterWording, stated: dict[str, Held], marks: _Marks,
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
        sentence = _text(template, band_words=d.band_words[limit.band_after], unresolved=unresolved,
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


def _settings_paragraph(reviewed: Reviewed, wording: LetterWording, said: set[str], marks: _Marks, stated: dict[str, Held],
                        after_inspections: dict[str, list[str]]) -> list[str]:
    d, profile = reviewed.decision, reviewed.loaded.profile
    ev = wording.evidence
    catalogue = reviewed.ruleset.catalogue
    numbers = Numbers(wording.number_words)
    contrast = _Contrast(ev.contrasts)
    rows = setting_rows(reviewed.measures.settings, catalogue)
    # Each setting counted once: a whole given by its parts is described by its parts.
    counted = [r for r in rows if r.single_grade is None and r.counts and sum(r.counts.values()) and r.in_totals]
    compared = [r for r in counted if r.group in ev.compared_groups]
    # What is above average, then the settings grade's sentence (Cambridgeshire: "Almost no provision is judged
    # inadequate"), then what is below, as the letters order them.
    out = _above_average(compared, ev, catalogue, marks)
    out += _sentences(d, wording.paragraphs.settings, said)
    out += _below_average(compared, ev, catalogue, numbers, contrast, marks)
    described = {r.key for r in compared if r.vs_national == "below"}
    # What the rules' sentences the letter says already state of the settings, so not stated again: the types whose
    # good or better settings they count (2011: "21 of 28 children's homes and special schools" counts the special
    # schools, which the group's sentence then leaves out), and the services whose grade they give (2011: "the council's
    # fostering service is outstanding and its adoption agency good or better" keeps "the adoption agency is good",
    # whose grade it leaves open).
    rules = {rule.id: rule for rule in reviewed.ruleset.ruleset.rules}
    stating = [rules[e.rule_id] for e in d.events("rule_fired") if e.because in said and e.rule_id in rules]
    counted_before = {key for rule in stating for key in _types_counted(rule, catalogue)}
    graded = {key for rule in stating for key in _services_graded(rule)}
    out += _group_sentences(counted, ev, catalogue, numbers, reviewed.ruleset.ruleset.proportions, marks, counted_before)
    named = ev.inadequate_named_groups
    for r in counted:
        if r.counts["inadequate"] and r.key not in described and (named is None or r.group in named):
            inadequate, are = _count_of(r.counts["inadequate"], r, ev, numbers, catalogue)
            out.append(marks.mark(_text(ev.inadequate_named, inadequate=inadequate, are=are), *_sources([r], "counts")))
    out += _single_services([r for r in rows if r.key not in graded], ev, catalogue, marks)
    for family, held in stated.items():  # in the order the letter states them
        if family == FULL:
            same = held.looked_after_children in (None, held.safeguarding)
            out.append(marks.mark(_text(ev.safeguarding_same if same else ev.safeguarding_different, kind=held.kind,
                                        year=held.year, when=_when(held, ev), safeguarding=held.safeguarding,
                                        looked_after_children=held.looked_after_children), held.source[0]))
            out += _sub_judgements(held, ev, catalogue, marks)
        else:
            out += _unannounced(held, profile, d.year, ev, numbers, contrast, marks)
        out += after_inspections.get(family, [])
    notice = profile.notice_to_improve
    # In force at the evidence date as the measure and the report read it (NoticeToImprove.in_force).
    if notice is not None and notice.in_force(profile.evidence_date) and ev.notice_to_improve is not None:
        out.append(marks.mark(_text(ev.notice_to_improve, served=date_text(notice.served_on, month_only=True)), "notice_to_improve"))
    return out


def _sub_judgements(full: Held, ev: EvidenceWording, catalogue: Catalogue, marks: _Marks) -> list[str]:
    """A full inspection's other judgements in one sentence, those of one grade together in the catalogue's words (Cornwall
    2009: looked after children's services "rated inadequate in assessment and direct work with children, ambition and
    prioritisation, and value for money")."""
    if not full.judgements or ev.sub_judgements is None or ev.sub_judgement_grade is None:
        return []
    by_grade: dict[str, list[str]] = {}
    for name, grade in full.judgements:  # each is the catalogue's (the loader refuses any other)
        by_grade.setdefault(grade, []).append(catalogue.inspection_judgements[name])
    parts = [ev.sub_judgement_grade.format(judgements=_join(names), grade=grade) for grade, names in by_grade.items()]
    judgements = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1]
    return [marks.mark(_text(ev.sub_judgements, judgements=judgements), full.source[0])]


def _unannounced(unannounced: Held, profile: Profile, year: int, ev: EvidenceWording, numbers: Numbers, contrast: _Contrast,
                 marks: _Marks) -> list[str]:
    """The unannounced inspection: its findings and summary in one sentence, then its judgement of effective action.
    Dated where the profile dates it or it is of an earlier year; else "A recent" (Cambridgeshire), as the year alone."""
    out: list[str] = []
    counts = {"strengths": unannounced.strengths, "areas_for_development": unannounced.areas_for_development,
              "areas_for_priority_action": len(unannounced.priority_actions)}
    findings = {f: f"{numbers.one(counts[f])} {ev.unannounced_nouns[f][counts[f] != 1]}" for f in ev.unannounced_nouns}
    # A count the profile does not give is not said as none ("identified no strengths"): the findings it gives, joined.
    named = [f for f in ev.unannounced_nouns if _given(unannounced, profile, f)] or list(ev.unannounced_nouns)
    given = _join([findings[f] for f in named])
    # Areas for priority action all resolved by the evidence date are said to be, not left to read as open; the
    # clause follows their count, the last of the findings.
    if (ev.unannounced_resolved and unannounced.priority_actions and named[-1] == "areas_for_priority_action"
            and unannounced.unresolved(profile.evidence_date) == 0):
        given += ev.unannounced_resolved
    dated = ev.unannounced_dated is not None and (unannounced.date is not None or unannounced.year != year)
    sentence = _text(ev.unannounced_dated if dated and ev.unannounced_dated else ev.unannounced, when=_when(unannounced, ev),
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
        sentence = sentence.rstrip(".") + ev.unannounced_summary.format(summary=_user(summary)) + "."
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
        out.append(marks.mark(_user(unannounced.summary), source("summary")))
    if unannounced.effective_action_to_safeguard and not joined:
        out.append(marks.mark(_text(ev.effective_action, contrast=contrast.next() if against else ""),
                              source("effective_action_to_safeguard")))
    return out


def _given(unannounced: Held, profile: Profile, finding: str) -> bool:
    """Whether the profile gives this count of the inspection's findings: a single field always does (0 by default),
    an entry of the history only where it names it. Areas for priority action are always given: the profile reads an
    empty list as none named, and the measures and limits count them as none."""
    if unannounced.source[0] != "inspections" or finding == "areas_for_priority_action":
        return True
    return getattr(profile.inspections[unannounced.source[1]], finding) is not None


def _indicators_paragraph(reviewed: Reviewed, wording: LetterWording, said: set[str], marks: _Marks) -> list[str]:
    """Each stage's sentences, each followed by the findings on narrowing gaps and on named indicators placed
    after it (Cambridgeshire: "Educational achievement at the age of 11 and 16 is high")."""
    catalogue = reviewed.ruleset.catalogue
    rows = {r.key: r for block in outcome_blocks(reviewed.measures.indicators, catalogue) for r in block.rows}
    fired = set(reviewed.decision.fired_rules)
    # An indicator a binding limit reads is said by the limit's sentence ("and so are results at 16"): not again here.
    binding = {limit.limit_id for limit in reviewed.decision.limits if limit.binding}
    limited = {c.measure.split(".")[1] for limit in reviewed.ruleset.ruleset.limits if limit.id in binding
               for c in limit.when if c.measure.startswith("indicator.")}
    out: list[str] = []
    for stage in wording.paragraphs.indicators:
        out += _sentences(reviewed.decision, [stage], said)
        progress = wording.gap_progress
        if progress is not None and progress.follows == stage:
            out += _gap_progress(reviewed, progress, marks)
        for sentence in wording.indicator_sentences:
            if sentence.follows != stage:
                continue
            clauses = [c for c in sentence.clauses if _indicators_hold(c, rows) and not set(c.indicators) <= limited]
            if clauses:
                texts = [next((text for rule, text in c.after_rule.items() if rule in fired), c.text) for c in clauses]
                out.append(marks.mark(_text(_join(texts)) + ".",
                                      *(f"indicators.{k}" for c in clauses for k in c.indicators)))
    return out


def _indicators_hold(clause: IndicatorClause, rows: dict[str, IndicatorRow]) -> bool:
    known = [rows[k] for k in clause.indicators if k in rows and not rows[k].gap]
    other = "worse" if clause.compared == "better" else "better"
    return (bool(known) and not any(other in (r.vs_national, r.vs_similar_areas) for r in known)
            and any(r.vs_national == clause.compared for r in known))


def _gap_progress(reviewed: Reviewed, progress: GapProgress, marks: _Marks) -> list[str]:
    """The groups whose gaps are narrowing, with their stages: the first as progress in narrowing the gap, the
    others as attainment improving (good and improving where each gap is smaller than nationally)."""
    catalogue = reviewed.ruleset.catalogue
    narrowing: dict[str, list[VulnerableGap]] = {}
    for gap in reviewed.loaded.profile.vulnerable_gaps:
        if gap.trend == "narrowing":
            narrowing.setdefault(gap.group, []).append(gap)
    clauses: list[str] = []
    for group, gaps in narrowing.items():
        stages = _join([catalogue.vulnerable_stages.get(g.stage, g.stage) for g in gaps])
        stages = progress.both.format(stages=stages) if len(gaps) == 2 else stages
        name = catalogue.vulnerable_groups.get(group, group)
        good = progress.good if all(g.gap < g.national_gap for g in gaps) else ""
        clauses.append((progress.first if not clauses else progress.more).format(group=name, stages=stages, good=good))
    if not clauses:
        return []
    text = clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + ", and " + clauses[-1]
    return [marks.mark(_text(text) + ".", "vulnerable_gaps")]


def _limits_paragraph(reviewed: Reviewed, wording: LetterWording, said: set[str]) -> list[str]:
    d = reviewed.decision
    out = [limit.because for limit in d.limits if limit.binding and limit.because not in said]
    if d.judgement is not None:
        out.append(_text(wording.evidence.judgement, assessor=_user(d.judgement.assessor), band_words=d.band_words[d.judgement.band],
                         reason=_user(d.judgement.reason)))
    return out


def _sources(rows: list[SettingRow], *parts: str) -> list[str]:
    """The profile values a sentence about these settings states: each row's ``parts`` (counts, national, ...)."""
    return [f"settings.{r.key}.{part}" for r in rows for part in parts]


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


def _markdown_paragraph(text: str) -> str:
    marked = "".join(markdown(part) if from_file else markdown_prose(part) for from_file, part in _segments(text))
    return marked.replace(ILLUSTRATIVE, f" *{markdown_prose(ILLUSTRATIVE_MARK)}*")


def _html_paragraph(text: str) -> str:
    marked = "".join(escape(part) if from_file else _emphasis(escape(part)) for from_file, part in _segments(text))
    return marked.replace(ILLUSTRATIVE, f' <span class="illustrative">{ILLUSTRATIVE_MARK}</span>')


def draft_notice(letter: Letter) -> tuple[str, list[str]]:
    """The notice heading a letter that rests on illustrative values: a sentence, and each value with its note."""
    head = ("DRAFT, not to be issued as it stands: this letter rests on values the profile marks illustrative, not "
            f"published. Each sentence stating one is marked {ILLUSTRATIVE_MARK}. The illustrative values:")
    by_note: dict[str | None, list[str]] = {}
    for path, note in letter.illustrative.items():
        by_note.setdefault(note, []).append(path)
    return head, [", ".join(paths) + (f" ({note})" if note else "") for note, paths in by_note.items()]


def letter_markdown(letter: Letter) -> str:
    out: list[str] = []
    if letter.draft:
        head, values = draft_notice(letter)
        out += [f"> **{markdown_prose(head)}**", ">", *[f"> - {markdown(value)}" for value in values], ""]
    if letter.date:
        out += [letter.date, ""]
    if letter.address:
        address = [markdown(line) for line in letter.address]
        out += [line + "  " for line in address[:-1]] + [address[-1], ""]
    if letter.salutation:
        out += [markdown(letter.salutation), ""]
    out += [f"**{letter.title}**", ""]
    for kind, content in letter.blocks:
        if kind == "p":
            out += [_markdown_paragraph(content), ""]
        elif kind == "heading":
            out += [f"**{content}**", ""]
        elif kind == "scale":
            out += ["| band | rating | meaning |", "|---|---|---|"]
            out += [f"| {band} | {markdown_prose(words.capitalize())} | {markdown_prose(meaning)} |"
                    for band, words, meaning in content] + [""]
        elif kind == "rating":
            out += ["| | |", "|---|---|", f"| {content[0]} | **{content[1]}** |", ""]
        elif kind == "closing":
            closing, signatory, note = content
            out += [closing, "", "", *[line + "  " for line in signatory[:-1]], signatory[-1], "", f"*{note}*"]
    return "\n".join(out).rstrip() + "\n"


def letter_html(letter: Letter) -> str:
    body: list[str] = []
    if letter.draft:
        head, values = draft_notice(letter)
        body.append(f'<aside id="draft"><p><strong>{escape(head)}</strong></p><ul>'
                    + "".join(f"<li>{escape(value)}</li>" for value in values) + "</ul></aside>")
    if letter.date:
        body.append(f'<p class="date">{escape(letter.date)}</p>')
    if letter.address:
        body.append('<p class="address">' + "<br>".join(escape(line) for line in letter.address) + "</p>")
    if letter.salutation:
        body.append(f"<p>{escape(letter.salutation)}</p>")
    body.append(f"<h1>{escape(letter.title)}</h1>")
    for kind, content in letter.blocks:
        if kind == "p":
            body.append(f"<p>{_html_paragraph(content)}</p>")
        elif kind == "heading":
            body.append(f"<h2>{escape(content)}</h2>")
        elif kind == "scale":
            rows = "".join(f"<tr><td>{band}</td><td>{escape(words.capitalize())}</td><td>{escape(meaning)}</td></tr>"
                           for band, words, meaning in content)
            body.append(f'<table class="scale">{rows}</table>')
        elif kind == "rating":
            body.append(f'<table class="rating"><tr><td>{escape(content[0])}</td><td id="rating"><strong>{escape(content[1])}'
                        "</strong></td></tr></table>")
        elif kind == "closing":
            closing, signatory, note = content
            body.append(f"<p>{escape(closing)}</p><p class=\"signatory\">{'<br>'.join(escape(s) for s in signatory)}</p>"
                        f'<p class="note">{escape(note)}</p>')
    style = ("body{font-family:Georgia,serif;max-width:46rem;margin:2rem auto;line-height:1.5;padding:0 1rem}"
             "table{border-collapse:collapse;margin:.8rem 0}td{border:1px solid #999;padding:.3rem .6rem}"
             "h1,h2{font-size:1.05rem}.note{font-size:.8rem;color:#555}"
             "#draft{border:2px solid #b00;padding:.2rem 1rem}.illustrative{color:#b00;font-size:.85rem}")
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(letter.title)}</title><style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def _emphasis(text: str) -> str:
    """The one Markdown mark the fixed paragraphs use: *Every Child Matters* in italics."""
    return re.sub(r"\*([^*]+)\*", r"<em>\1</em>", text)
