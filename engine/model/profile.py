"""The profile: one council's performance profile for one assessment year (pydantic models).

Every value is bounded as :mod:`engine.model.values` says: counts, finite numbers, text without control
characters, a council code that is a safe file name.

Every field added after 2009 is optional, so a 2009 profile stays valid. How the inspection history
(``inspections``) relates to the single ``safeguarding_inspection`` and ``unannounced_inspection`` fields is
:mod:`engine.model.inspections`; contradictions between them are refused when a profile is loaded.
"""
from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from .provenance import Provenance
from .values import COUNT_MAX, Band, CouncilCode, Count, Line, Number, Paragraph, Proportion, Year

Grade = Literal["outstanding", "good", "satisfactory", "inadequate"]
# Ofsted's four-point scale of inspection grades, best first; "good or better" is the first two.
GRADES: tuple[Grade, ...] = ("outstanding", "good", "satisfactory", "inadequate")
GOOD_OR_BETTER: tuple[Grade, ...] = ("outstanding", "good")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Addressee(_Model):
    name: Line
    role: Line | None = None
    address: list[Line] = Field([], max_length=20)
    salutation: Line | None = Field(None, description="e.g. 'Dear Ms Baxter'; made from the name when absent")


class Authority(_Model):
    name: Line = Field(description="As the letter names it, e.g. 'London Borough of Camden'")
    code: CouncilCode | None = Field(None, description="The council's code, when known")
    addressee: Addressee | None = None


class GradeCounts(_Model):
    outstanding: Count = 0
    good: Count = 0
    satisfactory: Count = 0
    inadequate: Count = 0


class Comparator(_Model):
    good_or_better: Proportion = Field(description="Share of settings of this type good or outstanding")
    inadequate: Proportion | None = Field(None, description="Share inadequate, where known")


class SettingEvidence(_Model):
    """Counts by latest grade for a counted setting type, or the one grade of a single service."""

    counts: GradeCounts | None = None
    grade: Grade | None = None
    national: Comparator | None = None
    similar_areas: Comparator | None = None
    note: Paragraph | None = Field(None, description="Free text kept for the reviewer; not evaluated")
    # A setting type split in two (children's homes run by the council, private or voluntary ones) is split by the
    # catalogue: each part is a setting type of its own, `part_of` its whole. The profile's former `parts` is refused
    # when a profile is loaded, with the setting types to write instead (engine.load.removed).

    @model_validator(mode="after")
    def _counts_or_grade(self) -> SettingEvidence:
        if (self.counts is None) == (self.grade is None):
            raise ValueError("give either 'counts' (settings by grade) or 'grade' (a single service), not both or neither")
        return self


FullInspectionKind = Literal["joint area review", "inspection of safeguarding and looked after children"]
UNANNOUNCED = "unannounced inspection"
InspectionKind = Literal["joint area review", "inspection of safeguarding and looked after children", "unannounced inspection"]


# A full inspection's judgements beyond its two overall grades (``safeguarding`` is the overall effectiveness of
# safeguarding services, ``looked_after_children`` that of services for looked after children): which may be given is
# the catalogue's vocabulary (indicators/inspection-judgements.yaml), checked when the profile is loaded.
Judgements = Annotated[dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")], Grade], Field(max_length=50)]
JUDGEMENTS_TEXT = ("the inspection's other judgements, each a grade, named as the catalogue's inspection judgements name them "
                   "(capacity_for_improvement, leadership_and_management, ...); recorded and shown, weighed by no shipped ruleset")


class SafeguardingInspection(_Model):
    """The latest full inspection of safeguarding (a joint area review, or from 2009 the inspection of
    safeguarding and looked after children). With ``inspections``, it must be the latest of them."""

    kind: FullInspectionKind
    year: Year
    safeguarding: Grade
    looked_after_children: Grade | None = None
    judgements: Judgements = Field({}, description=JUDGEMENTS_TEXT.capitalize())


class UnannouncedInspection(_Model):
    """The latest annual unannounced inspection of contact, referral and assessment. With ``inspections``, it
    must be the latest of them; its areas for priority action then count as not resolved."""

    year: Year
    # A count not given is not stated, not none: the profile says what the inspection found only where it gives it.
    strengths: Count | None = Field(None, description="Strengths found; absent when not stated (0: none found)")
    areas_for_development: Count | None = Field(
        None, description="Areas for development found; absent when not stated (0: none found)")
    areas_for_priority_action: Count = 0
    effective_action_to_safeguard: bool | None = Field(
        None, description="True when the inspection judged that effective action is taken to safeguard children")
    summary: Paragraph | None = None


class PriorityAction(_Model):
    """One area for priority action an unannounced inspection identified, and when it was shown resolved."""

    area: Paragraph | None = Field(None, description="What the area is, in the inspection's words")
    resolved_on: _dt.date | None = Field(None, description="The date by which the council showed it resolved (a monitoring "
                                                       "visit, a later inspection); absent while it is not resolved")


def _count_as_list(value: Any) -> Any:
    """A count of areas for priority action stands for that many, none of them resolved (what a councils table gives)."""
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())  # 2.0 from a table, as ints elsewhere
    if whole and not isinstance(value, bool) and 0 <= value <= COUNT_MAX:  # bounded: never a list of 2**64
        return [{}] * int(value)
    return value


class Inspection(_Model):
    """One inspection of the council's safeguarding, dated: a full inspection (joint area review or inspection of
    safeguarding and looked after children) with its grades, or an unannounced inspection of contact, referral and
    assessment with its findings. Which fields belong to which kind is checked when the profile is loaded."""

    kind: InspectionKind
    date: _dt.date
    safeguarding: Grade | None = Field(None, description="Full inspections: the grade for safeguarding (required)")
    looked_after_children: Grade | None = Field(None, description="Full inspections: the grade for looked after children")
    judgements: Judgements = Field({}, description=f"Full inspections: {JUDGEMENTS_TEXT}")
    strengths: Count | None = Field(None, description="Unannounced inspections: strengths found")
    areas_for_development: Count | None = Field(None, description="Unannounced inspections: areas for development")
    areas_for_priority_action: Annotated[list[PriorityAction] | None, BeforeValidator(_count_as_list, json_schema_input_type=
                                         Count | list[PriorityAction] | None)] = Field(
        None, description="Unannounced inspections: each area for priority action, with when it was resolved; or only how many "
                          "there were (none of them resolved)")
    effective_action_to_safeguard: bool | None = Field(
        None, description="Unannounced inspections: true when it judged that effective action is taken to safeguard children")
    summary: Paragraph | None = None

    @field_validator("areas_for_priority_action")
    @classmethod
    def _none_is_no_list(cls, value: list[PriorityAction] | None) -> list[PriorityAction] | None:
        # An empty list says what an absent one does (no area for priority action), and a table row cannot tell
        # them apart: one form keeps a profile's hash the same whichever way it was written.
        return value or None

    @property
    def full(self) -> bool:
        return self.kind != UNANNOUNCED


class PendingInspection(_Model):
    """An inspection begun or announced whose outcome was not known when the evidence was drawn."""

    kind: InspectionKind
    date: _dt.date = Field(description="When it began or was announced; it is pending at the evidence date if on or before it")
    note: Paragraph | None = None


Trend = Literal["improving", "stable", "declining"]


class IndicatorValue(_Model):
    value: Number
    similar_areas: Number | None = None
    national: Number | None = None
    trend: Trend | None = Field(None, description="The indicator's direction over recent years, where the letters speak of it")


class VulnerableGap(_Model):
    group: str
    stage: str
    gap: Number = Field(description="Attainment gap with peers, percentage points")
    national_gap: Number
    trend: Literal["narrowing", "stable", "widening"] | None = None


class NoticeToImprove(_Model):
    """The government's notice to improve (the Secretary of State's improvement notice) served on the council's
    children's services, and when it was lifted. Recorded and shown; no ruleset weighs it (docs/profile-format.md)."""

    served_on: _dt.date = Field(description="When the notice was served")
    lifted_on: _dt.date | None = Field(None, description="When it was lifted; absent while it is in force")
    note: Paragraph | None = None

    def in_force(self, on: _dt.date | None) -> bool:
        """In force on a date (any date, without one): served by then and not lifted by then."""
        if on is None:
            return self.lifted_on is None
        return self.served_on <= on and (self.lifted_on is None or self.lifted_on > on)


PastAssessment = Literal["annual performance assessment", "children's services assessment"]
CHILDRENS_SERVICES_ASSESSMENT: PastAssessment = "children's services assessment"  # the band of the scale, from 2009


class PastRating(_Model):
    """One earlier year's published rating: the annual performance assessment's grade for the overall effectiveness
    of children's services (to 2008), or the children's services assessment's band (from 2009), both 1-4, 4 best."""

    year: Year
    assessment: PastAssessment
    band: Band = Field(description="1-4, 4 best: the grade (annual performance assessment) or the band")
    note: Paragraph | None = None


class Profile(_Model):
    authority: Authority
    year: Year
    catalogue: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")] | None = Field(
        None, description="The catalogue the profile is written in (indicators/<name>.yaml), when it is not that of the "
                          "ruleset for its year; rated by a ruleset of another catalogue, it is translated")
    letter_date: _dt.date | None = None
    evidence_date: _dt.date | None = Field(None, description="When the profile's evidence was drawn: inspections after it do not "
                                                         "count (2010: the profile of 18 August 2010)")
    previous_band: Band | None = Field(None, description="Last year's published band, 1-4: the direction of travel")
    previous_ratings: list[PastRating] = Field([], max_length=20, description="Earlier years' published ratings, as history "
                                               "(the annual performance assessment of 2008, the bands of 2009 and 2010); "
                                               "last year's must agree with previous_band")
    notice_to_improve: NoticeToImprove | None = None
    settings: dict[str, SettingEvidence] = {}
    safeguarding_inspection: SafeguardingInspection | None = None
    unannounced_inspection: UnannouncedInspection | None = None
    inspections: list[Inspection] = Field([], description="The inspection history, dated; see docs/profile-format.md")
    pending_inspection: PendingInspection | None = None
    indicators: dict[str, IndicatorValue] = {}
    # Each group at each stage once (the loader refuses a repeat): the catalogue's groups x stages at most.
    vulnerable_gaps: list[VulnerableGap] = Field([], max_length=200)
    provenance: Provenance | None = Field(None, description="Which values are published, illustrative or derived from an extract "
                                                           "(see README 'The profile'); none: every value published or derived")
