"""The decision and its trace, as data: a flat list of typed events and the result they explain.

Views (text, JSON, Markdown, HTML) are renderings of this model; nothing is recorded in them.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .ruleset import Operator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evidence(_Model):
    """One condition as the engine saw it: the measure's value against the threshold."""

    measure: str
    value: Any = Field(description="The measure's value; null when the measure is not available")
    operator: Operator
    threshold: Any
    threshold_name: str | None = None
    holds: bool


class MeasureDerived(_Model):
    type: Literal["measure_derived"] = "measure_derived"
    measure: str
    value: Any
    inputs: dict[str, Any]


class RuleFired(_Model):
    type: Literal["rule_fired"] = "rule_fired"
    rule_id: str
    title: str
    stage: str
    grade: int | None = None
    evidence: list[Evidence]
    because: str


class RuleNotFired(_Model):
    type: Literal["rule_not_fired"] = "rule_not_fired"
    rule_id: str
    title: str
    stage: str
    grade: int | None = None
    failing: Evidence = Field(description="The first condition, in the rule's order, that does not hold")
    reason: Literal["not available", "threshold not met"]


class GradeAssigned(_Model):
    type: Literal["grade_assigned"] = "grade_assigned"
    stage: str
    grade: int
    rule_id: str
    hit_policy: str


class BandCombined(_Model):
    type: Literal["band_combined"] = "band_combined"
    table_id: str
    row_id: str
    hit_policy: str
    grades: dict[str, int]
    band: int


class LimitApplied(_Model):
    type: Literal["limit_applied"] = "limit_applied"
    limit_id: str
    title: str
    effect: dict[str, int]
    band_before: int
    band_after: int
    binding: bool = Field(description="False when the band was already at or below what the limit allows")
    safeguarding: bool
    evidence: list[Evidence]
    because: str


class RatingWithheld(_Model):
    """A withhold rule fired: no band is published, for the reason it gives."""

    type: Literal["rating_withheld"] = "rating_withheld"
    rule_id: str
    title: str
    evidence: list[Evidence]
    because: str


class JudgementApplied(_Model):
    type: Literal["judgement_applied"] = "judgement_applied"
    band_before: int
    band_after: int
    assessor: str
    reason: str


TraceEvent = Annotated[
    MeasureDerived | RuleFired | RuleNotFired | GradeAssigned | BandCombined | LimitApplied | RatingWithheld | JudgementApplied,
    Field(discriminator="type"),
]


class RulesetRef(_Model):
    id: str
    version: str
    year: int
    content_hash: str
    catalogue: str = Field("", description="The catalogue's name; empty in decisions recorded before catalogues were named")
    catalogue_hash: str
    transitional: bool


class LimitOutcome(_Model):
    limit_id: str
    title: str
    effect: dict[str, int]
    band_before: int
    band_after: int
    binding: bool
    safeguarding: bool
    because: str


class WithheldReason(_Model):
    """Why a rating is withheld: the withhold rule that fired, its sentence filled from the evidence, and the evidence."""

    rule_id: str
    title: str
    because: str
    evidence: list[Evidence] = Field(default_factory=list)


Direction = Literal["risen", "held", "fallen"]


class DirectionOfTravel(_Model):
    """This year's final band against last year's published band, and what in this year's decision made the
    difference. Last year's evidence is not in the profile: the comparison is with what last year's band would need
    under this year's rules (the nearest decision-table row giving it)."""

    previous_band: int
    band: int
    direction: Direction
    made_the_difference: list[str] = Field(description="Ids of the limits, decision-table row and grading rules that did")
    because: str = Field(description="One sentence for a reviewer")
    reasons: list[str] = Field(default_factory=list, description="The because-sentences of the limits and rules named")


class Judgement(_Model):
    """A named assessor's professional judgement, within the ruleset's policy."""

    band: int = Field(ge=1, le=4)
    assessor: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    date: str | None = None


class Decision(_Model):
    authority: str
    authority_code: str | None
    year: int
    ruleset: RulesetRef
    input_hash: str
    engine_version: str
    status: Literal["rated", "withheld"] = Field("rated", description="withheld: no band is published (see 'withheld')")
    withheld: list[WithheldReason] = Field(default_factory=list, description="The withhold rules that fired, when withheld")
    grades: dict[str, int]
    proposed_band: int | None = Field(description="Null when the rating is withheld")
    limits: list[LimitOutcome]
    limited_band: int | None = Field(description="The band after every limit, before any judgement; null when withheld")
    judgement: Judgement | None = None
    final_band: int | None = Field(description="Null when the rating is withheld")
    band_words: dict[int, str]
    fired_rules: list[str]
    judgement_warranted: list[str] = Field(default_factory=list, description="Where the ruleset says judgement is warranted")
    previous_band: int | None = Field(None, description="Last year's published band, as the profile gives it")
    direction: DirectionOfTravel | None = Field(None, description="Risen, held or fallen since last year, and why")
    trace: list[TraceEvent]

    @property
    def rated(self) -> bool:
        return self.status == "rated"

    def words(self, band: int | None) -> str:
        return "withheld" if band is None else self.band_words[band]

    def events(self, type_: str) -> list[Any]:
        """The trace's events of one type, in order (e.g. ``"rule_fired"``)."""
        return [e for e in self.trace if e.type == type_]
