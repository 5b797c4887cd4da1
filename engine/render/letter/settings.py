"""The settings paragraph: the types above and below average block by block, the settings grade's sentence, provision
described as a whole by group, the inadequate named, the council's own services in one sentence, then the
inspections (:mod:`.inspections`). What a said rule's sentence already states of the settings is not stated again.
"""
from __future__ import annotations

from ...model.catalogue import Catalogue
from ...model.inspections import Held
from ...model.letter import EvidenceWording, LetterWording, ServiceName
from ...model.profile import GRADES
from ...model.ruleset import Rule
from ...model.wording import Numbers, placeholders
from ..evidence import SettingRow, good_or_better, setting_rows, total
from ..reviewed import Reviewed
from .counts import count_of, is_or_are, parts_named, phases_named, setting_sources, types_named
from .inspections import inspection_sentences
from .sentence import Contrast, Marks, filled, join_words, stage_sentences


def settings_paragraph(reviewed: Reviewed, wording: LetterWording, said: set[str], marks: Marks, stated: dict[str, Held],
                       after_inspections: dict[str, list[str]]) -> list[str]:
    d, profile = reviewed.decision, reviewed.loaded.profile
    ev = wording.evidence
    catalogue = reviewed.ruleset.catalogue
    numbers = Numbers(wording.number_words)
    contrast = Contrast(ev.contrasts)
    rows = setting_rows(reviewed.measures.settings, catalogue)
    # Each setting counted once: a whole given by its parts is described by its parts.
    counted = [r for r in rows if r.single_grade is None and r.counts and sum(r.counts.values()) and r.in_totals]
    compared = [r for r in counted if r.group in ev.compared_groups]
    # What is above average, then the settings grade's sentence (Cambridgeshire: "Almost no provision is judged
    # inadequate"), then what is below, as the letters order them.
    out = _above_average(compared, ev, catalogue, marks)
    out += stage_sentences(d, wording.paragraphs.settings, said)
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
            inadequate, are = count_of(r.counts["inadequate"], r, ev, numbers, catalogue)
            out.append(marks.mark(filled(ev.inadequate_named, inadequate=inadequate, are=are), *setting_sources([r], "counts")))
    out += _single_services([r for r in rows if r.key not in graded], ev, catalogue, marks)
    return out + inspection_sentences(profile, d.year, stated, after_inspections, ev, catalogue, numbers, contrast, marks)


def _above_average(compared: list[SettingRow], ev: EvidenceWording, catalogue: Catalogue, marks: Marks) -> list[str]:
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
            out.append(marks.mark(filled(also if out and also else first, types=types_named(rows, ev, catalogue), similar_clause=similar),
                                  *setting_sources(rows, "counts", "national", "similar_areas")))
    return out


def _below_average(compared: list[SettingRow], ev: EvidenceWording, catalogue: Catalogue, numbers: Numbers, contrast: Contrast,
                   marks: Marks) -> list[str]:
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
        clause = block.some_inadequate_clause.format(inadequate=numbers.one(inadequate), are=is_or_are(inadequate)) if inadequate else ""
        parts, are = parts_named(rows, ev, numbers, catalogue)
        uses_contrast = "{contrast}" in template
        out.append(marks.mark(filled(template, contrast=contrast.next() if uses_contrast else "",
                                     phases=phases_named(rows, ev, catalogue),
                                     types=types_named(rows, ev, catalogue), plural=catalogue.setting_types[rows[0].key].plural,
                                     parts=parts, are=are, inadequate_clause=clause,
                                     outstanding=numbers.one(rows[0].counts["outstanding"]), outstanding_are=is_or_are(rows[0].counts["outstanding"])),
                              *setting_sources(rows, "counts", "national")))
    blocked = {group for block in ev.below_average_blocks for group in block.groups}
    for n, r in enumerate(r for r in below if r.group not in blocked):
        plural = catalogue.setting_types[r.key].plural
        clause = (ev.none_inadequate_clause.format(plural=plural) if not r.counts["inadequate"] else
                  ev.some_inadequate_clause.format(inadequate=numbers.one(r.counts["inadequate"]), are=is_or_are(r.counts["inadequate"])))
        # After another finding below average, "also" and no contrast: the contrast is with what is above average.
        template = ev.below_average if (n == 0 and not out) or ev.below_average_more is None else ev.below_average_more
        better, whole = numbers.alike(good_or_better(r), total(r))
        out.append(marks.mark(filled(template, contrast=contrast.next() if "{contrast}" in template else "", plural=plural,
                                     good_or_better=better, total=whole, are=is_or_are(good_or_better(r)), inadequate_clause=clause),
                              *setting_sources([r], "counts", "national")))
    return out


def _group_sentences(counted: list[SettingRow], ev: EvidenceWording, catalogue: Catalogue, numbers: Numbers,
                     proportions: dict[str, float], marks: Marks, counted_before: set[str]) -> list[str]:
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
                parts.append(count_of(good_or_better(r), r, ev, numbers, catalogue)[0])
                continue
            part = ev.group_part_both if total(r) == 2 and ev.group_part_both else ev.group_part_all
            parts.append(part.format(total=numbers.one(total(r)), good_or_better=numbers.one(good_or_better(r)),
                                     plural=catalogue.setting_types[r.key].plural))
        if not parts:
            continue
        out.append(marks.mark(filled(template, group=catalogue.groups[group], parts=join_words(parts)), *setting_sources(members, "counts")))
    return out


def _services_graded(rule: Rule) -> set[str]:
    """The settings whose grade a rule's sentence gives: those a placeholder of it names (as Marks reads a sentence), and
    those a condition holds to one grade, which the sentence then says in words ("fostering service is outstanding" from
    count_outstanding at least 1). A condition that only bounds the grade ("good or better") leaves it to be said."""
    graded = {m.split(".")[1] for m, _ in placeholders(rule.because) if m.startswith("settings.")}
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
    for m, _ in placeholders(rule.because):
        parts = m.split(".")
        if len(parts) != 3 or parts[2] not in ("count_good_or_better", "share_good_or_better"):
            continue
        if parts[0] == "settings":
            counted.add(parts[1])
        elif parts[0] == "groups" and parts[1] in catalogue.scopes():
            counted |= {key for key in catalogue.setting_types if catalogue.in_scope(parts[1], key)}
    return counted


def _single_services(rows: list[SettingRow], ev: EvidenceWording, catalogue: Catalogue, marks: Marks) -> list[str]:
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
    return [marks.mark(filled(join_words(clauses)) + ".", *(f"settings.{m.key}.grade" for members in singles.values() for m in members))]


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
        parts.append(" ".join(word for word in (owner, join_words(names), noun) if word))
    return join_words(parts), several
