"""The wording of a ruleset's rating letter (rules/letters/<ruleset id>.yaml): fixed paragraphs and sentence
templates. Which placeholders each template may use is stated here, so `rules check` can refuse a template
that would fail when a letter is written."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AboveAverageBlock(_Frozen):
    """One sentence for the types above average in these groups together; ``also`` when a sentence on types above
    average came before (Cambridgeshire: "This is also true for nursery and primary schools")."""

    groups: list[str]
    first: str  # {types} {similar_clause}
    also: str | None = None


class BelowAverageBlock(_Frozen):
    """One sentence for every type below average in these groups together ("too much secondary and sixth form
    provision is only adequate"), as the letters join related findings, not one sentence per type."""

    groups: list[str]
    several: str  # the general form: {contrast} {phases} {types} {parts} {are} {inadequate_clause}
    # One type, mostly satisfactory and none inadequate (Camden: "secondary school provision is mostly satisfactory").
    one_mostly_satisfactory: str | None = None
    # One type with an outstanding setting (Cambridgeshire: "Although one of the children's homes is judged outstanding").
    one_with_outstanding: str | None = None
    some_inadequate_clause: str = ""


class IndicatorClause(_Frozen):
    """A finding on a few named indicators: said when each of them with data is no worse (``better``) or no
    better (``worse``) than either comparator and at least one is so against the national figure."""

    indicators: list[str] = Field(min_length=1)
    compared: Literal["better", "worse"]
    text: str
    # Said instead when the named rule fired, continuing its sentence (Cambridgeshire, after the gaps widen: "This
    # trend continues to 19 with fewer young people from low income families going on to university").
    after_rule: dict[str, str] = {}


class IndicatorSentence(_Frozen):
    """Related indicator findings said in one sentence, their clauses joined, after the sentences of a stage."""

    follows: str
    clauses: list[IndicatorClause] = Field(min_length=1)


class GapProgress(_Frozen):
    """The groups whose attainment gaps are narrowing, named with their stages (Camden: "good progress is being
    made in narrowing the achievement gap for pupils in receipt of free school meals at both Key Stage 2 and Key
    Stage 4, and at Key Stage 2 the attainment of minority ethnic groups is good and improving")."""

    follows: str
    first: str  # {group} {stages}
    more: str  # {group} {stages} {good}
    good: str  # said in `more` when every narrowing gap of the group is smaller than the national gap
    both: str  # two stages: {stages}


class ServiceName(_Frozen):
    """How the letters name one of the council's own services: an owner and a noun shared with the services beside it
    ("the local authority's fostering and adoption agencies"), or a name alone ("private fostering arrangements")."""

    name: str  # "fostering", or the whole name when there is no noun
    owner: str | None = None  # "the local authority's"; said once for the services beside it, ``owner_again`` after
    noun: tuple[str, str] | None = None  # singular, plural: "agency", "agencies"
    plural: bool = False  # a name alone that takes "are"


class EvidenceWording(_Frozen):
    compared_groups: list[str]
    # Types above average, a sentence for each block of related groups, in order; `above_average` for the rest.
    above_average_blocks: list[AboveAverageBlock] = []
    above_average: str
    # Added when every type of the sentence is above the similar areas' figure too.
    above_similar_clause: str = ""
    # Setting types the letters name by their phase, "nursery, primary and sixth form schools".
    phases: dict[str, str] = {}
    phases_noun: str = "schools"
    phases_one: str = "{phase}"  # one type's provision by its phase: "secondary school provision"
    below_average_blocks: list[BelowAverageBlock] = []
    # Openings of contrast, each used once in a paragraph: "However," then "Nevertheless," (never three Howevers).
    contrasts: list[str] = []
    below_average: str
    # Each type below average after the first: the letters open one sentence with "However," not three.
    below_average_more: str | None = None
    none_inadequate_clause: str
    some_inadequate_clause: str
    group_sentences: dict[str, str]  # every setting of the group good or better
    # Not all good or better: a large enough share (a proportion name of the ruleset), or less.
    group_mostly_at_least: str | None = None
    group_sentences_mostly: dict[str, str] = {}
    group_sentences_less: dict[str, str] = {}
    group_part_all: str
    group_part_both: str | None = None  # all of two: "both pupil referral units", not "all two"
    group_part_one: str | None = None  # the only one: "the pupil referral unit", not "all one"; {singular}
    singulars: dict[str, str] = {}  # a setting type's name for one setting, by setting type
    group_part_some: str  # some of a type's settings, in every count of the letter: "{good_or_better} of the {total} {plural}"
    group_part_none: str | None = None  # none of them: "none of the {total} {plural}", not "no of the"
    inadequate_named: str  # {inadequate} as group_part_some, group_part_none or group_part_one say it
    # The groups whose inadequate settings the letter counts one by one (None: every group). Ofsted's letters count
    # an inadequate pupil referral unit ("One pupil referral unit is inadequate") but never inadequate childminders.
    inadequate_named_groups: list[str] | None = None
    single_services: str
    # How the letters name the council's own services (by setting type; else the catalogue's title), and an owner
    # named before when said again (Rochdale 2010: "The local authority's adoption agency is good and its fostering
    # agency is outstanding").
    service_names: dict[str, ServiceName] = {}
    owner_again: str | None = None
    safeguarding_same: str
    safeguarding_different: str
    # A full inspection whose looked after children grade the profile does not state: safeguarding alone, never said
    # as if the two grades were the same (Cornwall 2010's source grades safeguarding only).
    safeguarding_only: str
    unannounced: str  # undated, or of this year by its year only: "A recent unannounced inspection ..."
    unannounced_dated: str | None = None  # with its date, {when}: "The unannounced inspection in July 2009 of ..."
    # Inspections the letters date by their year only, whatever the profile gives (Camden: "The joint area review in 2008").
    dated_by_year: list[str] = []
    unannounced_nouns: dict[str, tuple[str, str]]
    # The inspection's summary joined to its findings: {summary}, its first word lowered when one of these.
    unannounced_summary: str | None = None
    unannounced_resolved: str | None = None  # after the count of areas for priority action, all resolved by the evidence date
    lowered_openings: list[str] = []
    effective_action: str
    # With nothing to set it against, the judgement joins the inspection's sentence instead.
    effective_action_joined: str | None = None
    judgement: str
    # An inspection's areas for priority action not resolved by the evidence date, for a limit said after its findings:
    # all of them (singular, plural), or some ({count}).
    unresolved_all: tuple[str, str] | None = None
    unresolved_some: str | None = None
    # A full inspection's other judgements (capacity for improvement, ...), after its overall grades: one sentence,
    # ``sub_judgement_grade`` for each grade given, in the catalogue's words (indicators/inspection-judgements.yaml).
    sub_judgements: str | None = None
    sub_judgement_grade: str | None = None
    # A notice to improve in force at the evidence date.
    notice_to_improve: str | None = None


class DirectionWording(_Frozen):
    """The sentence on the change since last year's published band, by direction; the same band is said in the
    headline (``headline_held``) where the wording gives one, else by ``held``."""

    risen: str
    held: str | None = None
    fallen: str


class LimitAfterInspections(_Frozen):
    """A binding limit resting on inspections the settings paragraph states: said there, after their sentences and
    briefly, referring back to their findings rather than stating them again. The decision's own sentence for the
    limit (trace, report) is unchanged; only the letter shortens it."""

    after: list[Literal["full", "unannounced"]] = Field(min_length=1)  # said when each is stated, after the last
    # {band_words} the band it limits to, {unresolved} the areas for priority action not resolved, {has} its verb
    text: str
    # Said instead where a later limit takes the band lower than this one left it (Cornwall 2009: the one-grade step to
    # performs adequately, then the cap to performs poorly), so that the letter never names a band it does not give;
    # without it, the limit's band is not named at all.
    lowered_further: str | None = None


class ParagraphStages(_Frozen):
    """Which stages' sentences go where: the rule that set each grading stage's grade, every fired rule of a
    stage that sets none."""

    settings: list[str]  # open the paragraph on settings and services, before the evidence sentences
    indicators: list[str]  # the paragraph on the indicators and outcomes


class LetterWording(_Frozen):
    ruleset: str
    title: str
    guidance: str
    transitional: str | None = None  # required when the ruleset says transitional: true
    scale_intro: str
    scale_note: str
    rating_heading: str
    rating_label: str
    headline: str
    headline_held: str | None = None  # the same band as last year, in the headline (Rochdale 2010: "as they did last year")
    names_with_article: list[str]
    section_138: str
    closing: str
    signatory: list[str]
    draft_note: str
    number_words: list[str]
    paragraphs: ParagraphStages
    evidence: EvidenceWording
    indicator_sentences: list[IndicatorSentence] = []
    gap_progress: GapProgress | None = None
    direction: DirectionWording | None = None  # the change since last year, when the profile gives last year's band
    # Last year's published rating, when no direction sentence says it (previous_ratings without previous_band): a
    # children's services assessment's band, or the annual performance assessment's grade (another scale, to 2008).
    previous_rating: str | None = None
    previous_assessment: str | None = None
    # By limit id. Not checked against the ruleset's limits: a ruleset trimmed of a limit keeps its year's wording, and a
    # limit the wording does not name is said by its own sentence in the limits paragraph, as before. The shipped
    # wordings are checked against their rulesets by tests/test_letter_wording.py.
    limits_after_inspections: dict[str, LimitAfterInspections] = {}
    withheld: str | None = None  # required when the ruleset can withhold a rating: the paragraph that says so
    withheld_rating: str | None = None  # what the rating table says instead of a band


# Each template's path in the wording, and the placeholders it may use ("*" stands for any key of a mapping).
TEMPLATE_FIELDS: dict[tuple[str, ...], frozenset[str]] = {
    ("guidance",): frozenset(), ("transitional",): frozenset({"year", "next_year"}), ("scale_intro",): frozenset(),
    ("scale_note",): frozenset(), ("rating_heading",): frozenset({"year"}), ("rating_label",): frozenset(),
    ("headline",): frozenset({"authority", "manner"}), ("headline_held",): frozenset({"authority", "manner"}),
    ("section_138",): frozenset(), ("closing",): frozenset(),
    ("draft_note",): frozenset({"ruleset"}),
    ("evidence", "above_average"): frozenset({"types", "similar_clause"}),
    ("evidence", "above_average_blocks", "*", "first"): frozenset({"types", "similar_clause"}),
    ("evidence", "above_average_blocks", "*", "also"): frozenset({"types", "similar_clause"}),
    ("evidence", "above_similar_clause"): frozenset(), ("evidence", "phases_one"): frozenset({"phase"}),
    ("evidence", "below_average"): frozenset({"plural", "good_or_better", "total", "are", "inadequate_clause", "contrast"}),
    ("evidence", "below_average_more"): frozenset({"plural", "good_or_better", "total", "are", "inadequate_clause", "contrast"}),
    **{("evidence", "below_average_blocks", "*", form): frozenset({"contrast", "phases", "types", "plural", "parts", "are",
                                                                   "inadequate_clause", "outstanding", "outstanding_are"})
       for form in ("several", "one_mostly_satisfactory", "one_with_outstanding")},
    ("evidence", "below_average_blocks", "*", "some_inadequate_clause"): frozenset({"inadequate", "are"}),
    ("evidence", "group_sentences_mostly", "*"): frozenset({"group", "parts"}),
    ("evidence", "group_sentences_less", "*"): frozenset({"group", "parts"}),
    ("evidence", "unannounced_summary"): frozenset({"summary"}),
    ("indicator_sentences", "*", "clauses", "*", "text"): frozenset(),
    ("indicator_sentences", "*", "clauses", "*", "after_rule", "*"): frozenset(),
    ("gap_progress", "first"): frozenset({"group", "stages"}),
    ("gap_progress", "more"): frozenset({"group", "stages", "good"}),
    ("gap_progress", "good"): frozenset(), ("gap_progress", "both"): frozenset({"stages"}),
    ("evidence", "none_inadequate_clause"): frozenset({"plural"}),
    ("evidence", "some_inadequate_clause"): frozenset({"inadequate", "are"}),
    ("evidence", "group_sentences", "*"): frozenset({"group", "parts"}),
    ("evidence", "group_part_all"): frozenset({"total", "good_or_better", "plural"}),
    ("evidence", "group_part_both"): frozenset({"plural"}),
    ("evidence", "group_part_one"): frozenset({"singular"}),
    ("evidence", "group_part_some"): frozenset({"total", "good_or_better", "plural"}),
    ("evidence", "group_part_none"): frozenset({"total", "plural"}),
    ("evidence", "inadequate_named"): frozenset({"inadequate", "are"}),
    ("evidence", "single_services"): frozenset({"services", "are", "grade"}),
    ("evidence", "safeguarding_same"): frozenset({"kind", "year", "when", "safeguarding", "looked_after_children"}),
    ("evidence", "safeguarding_different"): frozenset({"kind", "year", "when", "safeguarding", "looked_after_children"}),
    ("evidence", "safeguarding_only"): frozenset({"kind", "year", "when", "safeguarding"}),
    ("evidence", "unannounced"): frozenset({"findings"}),
    ("evidence", "unannounced_dated"): frozenset({"when", "findings"}),
    ("evidence", "unresolved_some"): frozenset({"count"}),
    ("limits_after_inspections", "*", "text"): frozenset({"band_words", "unresolved", "has"}),
    ("limits_after_inspections", "*", "lowered_further"): frozenset({"unresolved", "has"}),
    ("evidence", "effective_action"): frozenset({"contrast"}), ("evidence", "effective_action_joined"): frozenset(),
    ("evidence", "judgement"): frozenset({"assessor", "band_words", "reason"}),
    ("evidence", "sub_judgements"): frozenset({"judgements"}), ("evidence", "sub_judgement_grade"): frozenset({"judgements", "grade"}),
    ("evidence", "notice_to_improve"): frozenset({"served"}),
    ("previous_rating",): frozenset({"year", "words", "band"}), ("previous_assessment",): frozenset({"year", "band"}),
    **{("direction", d): frozenset({"previous_words", "previous_band", "words", "band", "year", "previous_year"})
       for d in ("risen", "held", "fallen")},
    ("withheld",): frozenset({"authority", "year"}), ("withheld_rating",): frozenset(),
}
