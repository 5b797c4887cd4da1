"""The wording of a ruleset's rating letter (rules/letters/<ruleset id>.yaml): fixed paragraphs and sentence
templates. Which placeholders each template may use is stated here, so `rules check` can refuse a template
that would fail when a letter is written."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EvidenceWording(_Frozen):
    compared_groups: list[str]
    above_average: str
    below_average: str
    # Each type below average after the first: the letters open one sentence with "However," not three.
    below_average_more: str | None = None
    none_inadequate_clause: str
    some_inadequate_clause: str
    group_sentences: dict[str, str]
    group_part_all: str
    group_part_some: str
    inadequate_named: str
    # The groups whose inadequate settings the letter counts one by one (None: every group). Ofsted's letters count
    # an inadequate pupil referral unit ("One pupil referral unit is inadequate") but never inadequate childminders.
    inadequate_named_groups: list[str] | None = None
    single_services: str
    safeguarding_same: str
    safeguarding_different: str
    unannounced: str
    unannounced_nouns: dict[str, tuple[str, str]]
    effective_action: str
    judgement: str


class DirectionWording(_Frozen):
    """The sentence on the change since last year's published band, by direction."""

    risen: str
    held: str
    fallen: str


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
    names_with_article: list[str]
    section_138: str
    closing: str
    signatory: list[str]
    draft_note: str
    number_words: list[str]
    paragraphs: ParagraphStages
    evidence: EvidenceWording
    direction: DirectionWording | None = None  # the change since last year, when the profile gives last year's band
    withheld: str | None = None  # required when the ruleset can withhold a rating: the paragraph that says so
    withheld_rating: str | None = None  # what the rating table says instead of a band


# Each template's path in the wording, and the placeholders it may use ("*" stands for any key of a mapping).
TEMPLATE_FIELDS: dict[tuple[str, ...], frozenset[str]] = {
    ("guidance",): frozenset(), ("transitional",): frozenset({"year", "next_year"}), ("scale_intro",): frozenset(),
    ("scale_note",): frozenset(), ("rating_heading",): frozenset({"year"}), ("rating_label",): frozenset(),
    ("headline",): frozenset({"authority", "manner"}), ("section_138",): frozenset(), ("closing",): frozenset(),
    ("draft_note",): frozenset({"ruleset"}),
    ("evidence", "above_average"): frozenset({"types"}),
    ("evidence", "below_average"): frozenset({"plural", "good_or_better", "total", "are", "inadequate_clause"}),
    ("evidence", "below_average_more"): frozenset({"plural", "good_or_better", "total", "are", "inadequate_clause"}),
    ("evidence", "none_inadequate_clause"): frozenset({"plural"}),
    ("evidence", "some_inadequate_clause"): frozenset({"inadequate", "are"}),
    ("evidence", "group_sentences", "*"): frozenset({"group", "parts"}),
    ("evidence", "group_part_all"): frozenset({"total", "good_or_better", "plural"}),
    ("evidence", "group_part_some"): frozenset({"total", "good_or_better", "plural"}),
    ("evidence", "inadequate_named"): frozenset({"inadequate", "total", "plural", "are"}),
    ("evidence", "single_services"): frozenset({"services", "are", "grade"}),
    ("evidence", "safeguarding_same"): frozenset({"kind", "year", "safeguarding", "looked_after_children"}),
    ("evidence", "safeguarding_different"): frozenset({"kind", "year", "safeguarding", "looked_after_children"}),
    ("evidence", "unannounced"): frozenset({"strengths", "areas_for_development", "areas_for_priority_action"}),
    ("evidence", "effective_action"): frozenset(),
    ("evidence", "judgement"): frozenset({"assessor", "band_words", "reason"}),
    **{("direction", d): frozenset({"previous_words", "previous_band", "words", "band", "year", "previous_year"})
       for d in ("risen", "held", "fallen")},
    ("withheld",): frozenset({"authority", "year"}), ("withheld_rating",): frozenset(),
}
