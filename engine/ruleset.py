"""The ruleset model: named proportions, grading rules, a decision table, ordered limits, judgement policy."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

OPERATORS: dict[str, str] = {
    # ruleset word -> durable-rules operator; "equals" is plain equality in durable-rules
    "at_least": "$gte",
    "at_most": "$lte",
    "above": "$gt",
    "below": "$lt",
    "equals": "=",
    "not_equals": "$neq",
}
OPERATOR_WORDS: dict[str, str] = {
    "at_least": "at least", "at_most": "at most", "above": "above", "below": "below",
    "equals": "equal to", "not_equals": "other than",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Model):
    """One test of a measure against a threshold: exactly one operator is given."""

    measure: str
    at_least: float | str | None = None
    at_most: float | str | None = None
    above: float | str | None = None
    below: float | str | None = None
    equals: float | str | bool | None = None
    not_equals: float | str | bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> "Condition":
        given = [op for op in OPERATORS if getattr(self, op) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(OPERATORS)} (got {len(given)})")
        return self

    @property
    def operator(self) -> str:
        return next(op for op in OPERATORS if getattr(self, op) is not None)

    @property
    def threshold(self) -> float | str | bool:
        return getattr(self, self.operator)


class Rule(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    stage: str
    grade: int | None = Field(None, ge=1, le=4)
    when: list[Condition]
    because: str


class Stage(_Model):
    title: str
    hit_policy: Literal["highest"] = Field(description="highest: the highest grade among the stage's fired rules")


class Row(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    settings: list[int] = Field(min_length=1)
    indicators: list[int] = Field(min_length=1)
    band: int = Field(ge=1, le=4)


class DecisionTable(_Model):
    id: str
    title: str
    hit_policy: Literal["unique", "first"]
    rows: list[Row] = Field(min_length=1)


class Effect(_Model):
    cap: int | None = Field(None, ge=1, le=4)
    lower_by: int | None = Field(None, ge=1, le=3)

    @model_validator(mode="after")
    def _one_effect(self) -> "Effect":
        if (self.cap is None) == (self.lower_by is None):
            raise ValueError("give exactly one of 'cap' or 'lower_by'")
        return self


class Limit(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    effect: Effect
    safeguarding: bool = Field(False, description="Set by a safeguarding finding: judgement may never lift the band above it")
    when: list[Condition] = Field(min_length=1)
    because: str


class ScaleStep(_Model):
    words: str
    meaning: str


class Comparison(_Model):
    settings_tolerance: float = Field(ge=0, le=1)
    indicator_tolerance: float = Field(ge=0, le=1)


class DataGapArea(_Model):
    """An area of the evidence where too many missing indicators warrant judgement."""

    area: str = Field(description="The area in the letters' words, e.g. social care and looked after children")
    measure: str = Field(description="A share-of-gaps measure, as `engine measures` lists it")
    above: float = Field(ge=0, le=1)


class JudgementWarranted(_Model):
    """Where the ruleset says professional judgement is warranted; the trace flags these."""

    near_threshold_margin: float = Field(ge=0, le=1, description="A proportion within this many points of a threshold")
    data_gaps: list[DataGapArea] = []


class JudgementPolicy(_Model):
    """What a named assessor may do to the band after the limits. Each field is a clause refusals name."""

    max_change: int = Field(ge=0, le=3, description="Grades a judgement may move the band, up or down")
    assessor_required: bool = True
    reason_required: bool = True
    never_above_safeguarding_limit: bool = True
    warranted: JudgementWarranted | None = None


class Ruleset(_Model):
    id: str
    version: str
    year: int
    title: str
    transitional: bool = False
    provenance: str | None = None
    scale: dict[int, ScaleStep]
    proportions: dict[str, float]
    comparison: Comparison
    grades: dict[str, Stage]
    rules: list[Rule]
    decision_table: DecisionTable
    limits: list[Limit] = []
    judgement: JudgementPolicy | None = Field(None, description="Absent: this ruleset allows no professional judgement")
