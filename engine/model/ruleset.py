"""The ruleset model: its vocabulary (catalogue, scale, grade scale, stages), named proportions, grading rules,
a decision table, ordered limits, the conditions that withhold a rating, and the judgement policy.

How fired rules combine is written here once, as methods: a stage's hit policy, the decision table's hit
policy, and how a limit lowers a band. The evaluation, the checks and the explanations all call these.
"""
from __future__ import annotations

import datetime as _dt
import functools
import itertools
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .values import Line, Paragraph, Proportion, Whole, not_boolean

# A name that is safe as a file name: ruleset ids name their letter wording, catalogue names their file.
SAFE_NAME = r"^[a-z0-9][a-z0-9-]{0,63}$"
RULE_ID = r"^[a-z][a-z0-9_]{0,99}$"

Operator = Literal["at_least", "at_most", "above", "below", "equals", "not_equals"]
OPERATORS: tuple[Operator, ...] = ("at_least", "at_most", "above", "below", "equals", "not_equals")
NUMERIC_OPERATORS: tuple[Operator, ...] = ("at_least", "at_most", "above", "below")
Threshold = float | str | bool
# A number in a condition: finite, never a boolean (``at_least: yes`` is not 1).
Number = Annotated[float, Field(allow_inf_nan=False), BeforeValidator(not_boolean)]
# Grades are small whole numbers (the four-point scale is 1-4); bands are checked against the scale.
Grade = Annotated[int, Field(ge=0, le=99), BeforeValidator(not_boolean)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Model):
    """One test of a measure against a threshold: exactly one operator is given."""

    measure: str
    at_least: Number | str | None = None
    at_most: Number | str | None = None
    above: Number | str | None = None
    below: Number | str | None = None
    equals: Number | str | bool | None = None
    not_equals: Number | str | bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        given = [op for op in OPERATORS if getattr(self, op) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(OPERATORS)} (got {len(given)})")
        return self

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Condition:
        # pydantic copies the instance dict, cached values included: a copy with a new bound must not keep the old one
        copy = super().model_copy(update=update, deep=deep)
        for cached in ("operator", "threshold"):
            copy.__dict__.pop(cached, None)
        return copy

    @functools.cached_property
    def operator(self) -> Operator:
        return next(op for op in OPERATORS if getattr(self, op) is not None)

    @functools.cached_property
    def threshold(self) -> Threshold:
        value: Threshold = getattr(self, self.operator)
        return value


class Rule(_Model):
    id: str = Field(pattern=RULE_ID)
    title: Line
    stage: str
    grade: Grade | None = None
    when: list[Condition]
    because: Paragraph


class Stage(_Model):
    """A stage of the evaluation and how its fired rules combine (its hit policy)."""

    title: str
    hit_policy: Literal["highest", "collect"] = Field(
        description="highest: the stage's grade is the highest grade among its fired rules (of two giving it, the one "
                    "declared first gives the sentence); collect: every fired rule contributes its sentence, and the stage "
                    "sets no grade")

    @property
    def grades(self) -> bool:
        return self.hit_policy == "highest"

    def choose(self, fired: list[Rule]) -> Rule | None:
        """The rule that sets the stage's grade among its fired rules, given in the order declared: the highest grade,
        and of rules giving the same grade the one declared first, as an author reads the file (not the id's spelling,
        which a rename would change); None if none fired."""
        candidates = [rule for rule in fired if rule.grade is not None]
        return max(candidates, key=lambda rule: rule.grade or 0) if candidates else None  # max keeps the first of equals


class Row(BaseModel):
    """A decision-table row: for each grading stage the grades it covers, and the band it gives."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, Annotated[list[Grade], Field(min_length=1)]] = Field(init=False)

    id: str = Field(pattern=RULE_ID)
    band: Whole

    @property
    def grades(self) -> dict[str, list[int]]:
        """Stage -> the grades of that stage this row covers."""
        return dict(self.__pydantic_extra__ or {})

    def covers(self, grades: Mapping[str, int]) -> bool:
        return all(grades.get(stage) in allowed for stage, allowed in self.grades.items())


class DecisionTable(_Model):
    id: str
    title: Line
    hit_policy: Literal["unique", "first"] = Field(
        description="unique: exactly one row covers each combination of grades; first: the first row that covers it")
    rows: list[Row] = Field(min_length=1)

    def choose(self, matching: list[Row]) -> Row | None:
        """The row the hit policy picks among the rows that cover a combination (given in declared order);
        None when the policy picks none (no row, or several under ``unique``)."""
        if not matching or (self.hit_policy == "unique" and len(matching) > 1):
            return None
        return matching[0]

    def covering(self, grades: Mapping[str, int]) -> list[Row]:
        return [row for row in self.rows if row.covers(grades)]


class Effect(_Model):
    cap: Whole | None = None
    lower_by: Annotated[int, Field(ge=1, le=3), BeforeValidator(not_boolean)] | None = None

    @model_validator(mode="after")
    def _one_effect(self) -> Effect:
        if (self.cap is None) == (self.lower_by is None):
            raise ValueError("give exactly one of 'cap' or 'lower_by'")
        return self

    def apply(self, band: int, lowest: int) -> int:
        """The band after this limit: a cap takes it down to the cap, a step lowers it, never below ``lowest``."""
        if self.cap is not None:
            return min(band, self.cap)
        assert self.lower_by is not None
        return max(lowest, band - self.lower_by)


class Limit(_Model):
    id: str = Field(pattern=RULE_ID)
    title: Line
    effect: Effect
    safeguarding: bool = Field(False, description="Set by a safeguarding finding: judgement may never lift the band above it")
    when: list[Condition] = Field(min_length=1)
    because: Paragraph


class Withhold(_Model):
    """A condition under which no band is published (2010: results withheld "because further inspections are still to
    be carried out"): the decision's status is withheld, with this rule's reason, and it has no band."""

    id: str = Field(pattern=RULE_ID)
    title: str
    when: list[Condition] = Field(min_length=1)
    because: str


class ScaleStep(_Model):
    words: Line
    meaning: Paragraph


class Comparison(_Model):
    settings_tolerance: Proportion
    indicator_tolerance: Proportion


class DataGapArea(_Model):
    """An area of the evidence where too many missing indicators warrant judgement."""

    area: Line = Field(description="The area in the letters' words, e.g. social care and looked after children")
    measure: str = Field(description="A share-of-gaps measure, as `engine measures` lists it")
    above: Proportion


class JudgementWarranted(_Model):
    """Where the ruleset says professional judgement is warranted; the trace flags these."""

    near_threshold_margin: Proportion = Field(description="A proportion within this many points of a threshold")
    data_gaps: list[DataGapArea] = []


class JudgementPolicy(_Model):
    """What a named assessor may do to the band after the limits. Each field is a clause refusals name."""

    max_change: Annotated[int, Field(ge=0, le=3), BeforeValidator(not_boolean)] = Field(
        description="Grades a judgement may move the band, up or down")
    assessor_required: bool = True
    reason_required: bool = True
    never_above_safeguarding_limit: bool = True
    warranted: JudgementWarranted | None = None


class EvidencePolicy(_Model):
    """How late the evidence of a rating may be drawn: the profile's evidence date against these dates (checked in
    engine.model.inspections.evidence_date_problem). Absent from a ruleset: no evidence date after its profile's
    assessment year."""

    latest: _dt.date = Field(description="The latest evidence date of a rating published on the day")
    withheld_on: _dt.date | None = Field(None, description="The day the ratings were published, on which some were withheld: "
                                         "a profile whose letter date is after it is one of those, published later")
    withheld_latest: _dt.date | None = Field(None, description="The latest evidence date of a rating withheld on withheld_on "
                                             "(the inspection it waited for)")

    @model_validator(mode="after")
    def _withheld_together(self) -> EvidencePolicy:
        if (self.withheld_on is None) != (self.withheld_latest is None):
            raise ValueError("withheld_on and withheld_latest are given together, or neither")
        if self.withheld_latest is not None and self.withheld_latest < self.latest:
            raise ValueError(f"withheld_latest ({self.withheld_latest}) is before latest ({self.latest}): a withheld rating "
                             "waits for later evidence, not earlier")
        return self


class Ruleset(_Model):
    id: str = Field(pattern=SAFE_NAME, description="Also names the letter wording, rules/letters/<id>.yaml")
    version: Line
    year: Whole
    title: Line
    transitional: bool = False
    provenance: Paragraph | None = None
    catalogue: str = Field(pattern=SAFE_NAME, description="The vocabulary the rules are written in: indicators/<catalogue>.yaml")
    scale: dict[Whole, ScaleStep] = Field(description="The bands, with the words and meaning of each")
    grade_scale: list[Grade] = Field(min_length=1, description="The grades a grading stage can give, lowest first")
    proportions: dict[str, Annotated[float, BeforeValidator(not_boolean)]]
    comparison: Comparison
    stages: dict[str, Stage]
    rules: list[Rule]
    decision_table: DecisionTable
    limits: list[Limit] = []
    withhold: list[Withhold] = Field([], description="Conditions under which the rating is withheld: no band is published")
    judgement: JudgementPolicy | None = Field(None, description="Absent: this ruleset allows no professional judgement")
    evidence: EvidencePolicy | None = Field(None, description="How late a profile's evidence may be drawn; absent: not after "
                                            "the assessment year")

    @property
    def grading_stages(self) -> list[str]:
        """The stages that set a grade, in the ruleset's order: the decision table's inputs."""
        return [name for name, stage in self.stages.items() if stage.grades]

    @property
    def lowest_band(self) -> int:
        return min(self.scale)

    @property
    def bands(self) -> list[int]:
        """The scale's bands, best first (a higher band is a better one; the lowest is the worst)."""
        return sorted(self.scale, reverse=True)

    def band_problem(self, band: int) -> str | None:
        """None when ``band`` is one of this ruleset's bands; else why not, naming them. The bands are the scale's
        (`scale:`): every command and page that takes a band asks here, so there is one definition of them."""
        if band in self.scale:
            return None
        bands = ", ".join(f"{b} ({step.words})" for b, step in sorted(self.scale.items()))
        return f"band {band} is not on the scale of ruleset {self.id}: its bands are {bands}"

    @property
    def conditioned(self) -> list[Rule | Limit | Withhold]:
        """The rules, the limits and the withhold rules: everything that fires on conditions over the measures."""
        return [*self.rules, *self.limits, *self.withhold]

    @property
    def conditioned_places(self) -> list[tuple[str, int]]:
        """Where each of :attr:`conditioned` stands in the ruleset, in the same order: ("rules", 0), ..."""
        return [(section, i) for section, items in (("rules", self.rules), ("limits", self.limits), ("withhold", self.withhold))
                for i in range(len(items))]

    def nearest_grades(self, grades: Mapping[str, int], band: int) -> tuple[Row, dict[str, int]] | None:
        """The combination of grades nearest ``grades`` (fewest grade steps) for which the decision table, by its hit
        policy, gives ``band``, with the row it chooses; ties go to the earlier row. None when no combination gives it."""
        stages = list(grades)
        best: tuple[int, int, Row, dict[str, int]] | None = None
        for combination in itertools.product(self.grade_scale, repeat=len(stages)):
            candidate = dict(zip(stages, combination, strict=True))
            row = self.decision_table.choose(self.decision_table.covering(candidate))
            if row is None or row.band != band:
                continue
            key = (sum(abs(candidate[s] - grades[s]) for s in stages), self.decision_table.rows.index(row))
            if best is None or key < best[:2]:
                best = (*key, row, candidate)
        return (best[2], best[3]) if best is not None else None

    def referenced_measures(self) -> set[str]:
        """The measures the conditions of rules and limits read."""
        return {c.measure for item in self.conditioned for c in item.when}
