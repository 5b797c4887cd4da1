"""The profile: one council's performance profile for one assessment year (pydantic models).

Every value is bounded as :mod:`engine.model.values` says: counts, finite numbers, text without control
characters, a council code that is a safe file name.
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .values import CouncilCode, Count, Line, Number, Paragraph, Proportion, Year

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

    @model_validator(mode="after")
    def _counts_or_grade(self) -> SettingEvidence:
        if (self.counts is None) == (self.grade is None):
            raise ValueError("give either 'counts' (settings by grade) or 'grade' (a single service), not both or neither")
        return self


class SafeguardingInspection(_Model):
    kind: Literal["joint area review", "inspection of safeguarding and looked after children"]
    year: Year
    safeguarding: Grade
    looked_after_children: Grade | None = None


class UnannouncedInspection(_Model):
    """The annual unannounced inspection of contact, referral and assessment."""

    year: Year
    strengths: Count = 0
    areas_for_development: Count = 0
    areas_for_priority_action: Count = 0
    effective_action_to_safeguard: bool | None = None
    summary: Paragraph | None = None


class IndicatorValue(_Model):
    value: Number
    similar_areas: Number | None = None
    national: Number | None = None


class VulnerableGap(_Model):
    group: str
    stage: str
    gap: Number = Field(description="Attainment gap with peers, percentage points")
    national_gap: Number
    trend: Literal["narrowing", "stable", "widening"] | None = None


class Profile(_Model):
    authority: Authority
    year: Year
    letter_date: date | None = None
    settings: dict[str, SettingEvidence] = {}
    safeguarding_inspection: SafeguardingInspection | None = None
    unannounced_inspection: UnannouncedInspection | None = None
    indicators: dict[str, IndicatorValue] = {}
    # Each group at each stage once (the loader refuses a repeat): the catalogue's groups x stages at most.
    vulnerable_gaps: list[VulnerableGap] = Field([], max_length=200)
