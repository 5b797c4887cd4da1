"""The decision and its trace, as data: a flat list of typed events and the result they explain.

Views (text, JSON, Markdown, HTML) are renderings of this model; nothing is recorded in them.

Every event is a pydantic model with stable field names and a ``type``, and carries:

- ``id``: unique in its trace, by kind: ``rule:<rule id>`` (a grading rule or finding, fired or not),
  ``limit:<limit id>``, ``withhold:<withhold rule id>``, ``grade:<stage>``, ``table:<decision table id>``,
  ``judgement``, ``measure:<measure name>``;
- ``parent``: the id of the event it belongs to, or null at the top. A grading rule belongs to its stage's
  ``grade:<stage>`` (the grade it competed for), a grade to the ``table:<id>`` that combined it into the
  proposed band; findings, limits, withhold rules, the judgement and the measures are at the top;
- ``source``: where the rule, limit or withhold rule is written in its ruleset file (``file:line:col``);
  null for events that no single rule wrote (grades, the band, the judgement, measures).

The events: ``rule_fired`` (a rule's conditions all held: its evidence and sentence; ``chosen`` says whether
its stage's hit policy chose it, ``chosen_rule`` which rule it chose instead: a fired rule that was not
chosen is no finding, and its sentence is not the decision's), ``rule_not_fired`` (the first failing
condition and why), ``grade_assigned`` (the grade its stage's hit policy took from the chosen rule),
``band_combined`` (the decision-table row and proposed band), ``limit_applied`` (a fired limit with its
evidence), ``rating_withheld``, ``judgement_applied`` and ``measure_derived``. The decision itself
(bands, ``limits`` with whether each binds, ``fired_rules``) is the result the trace explains.

The trace begins with one ``measure_derived`` event per measure (several hundred a profile). A decision
keeps its measures apart, as a :class:`MeasureSource` (values, and the inputs of each on demand), and makes
those events only when they are read or the decision is serialised: a batch that never shows them never
pays for them. Serialised, and parsed back, a decision is the same flat list as ever.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidatorFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from ..paths import shown_path
from .ruleset import Operator
from .values import Band
from .wording import WITHHELD


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


class _Event(_Model):
    """What every trace event carries (see the module docstring)."""

    id: str = Field("", description="Unique in the trace: rule:<id>, limit:<id>, withhold:<id>, grade:<stage>, table:<id>, "
                                    "judgement, measure:<name>")
    parent: str | None = Field(None, description="The id of the event this one belongs to; null at the top")
    source: str | None = Field(None, description="file:line:col of the rule, limit or withhold rule in its ruleset file")


class MeasureDerived(_Event):
    type: Literal["measure_derived"] = "measure_derived"
    measure: str
    value: Any
    inputs: dict[str, Any]


class RuleFired(_Event):
    type: Literal["rule_fired"] = "rule_fired"
    rule_id: str
    title: str
    stage: str
    grade: int | None = None
    evidence: list[Evidence]
    because: str
    chosen: bool | None = Field(None, description="For a grading rule: whether its stage's hit policy chose it; null for a finding")
    chosen_rule: str | None = Field(None, description="When not chosen: the rule the hit policy chose instead")

    @property
    def finding(self) -> bool:
        """Its sentence is part of the decision: a finding, or the grading rule its stage's hit policy chose."""
        return self.chosen is not False


class RuleNotFired(_Event):
    type: Literal["rule_not_fired"] = "rule_not_fired"
    rule_id: str
    title: str
    stage: str
    grade: int | None = None
    failing: Evidence = Field(description="The first condition, in the rule's order, that does not hold")
    reason: Literal["not available", "threshold not met"]


class GradeAssigned(_Event):
    type: Literal["grade_assigned"] = "grade_assigned"
    stage: str
    grade: int
    rule_id: str
    hit_policy: str


class BandCombined(_Event):
    type: Literal["band_combined"] = "band_combined"
    table_id: str
    row_id: str
    hit_policy: str
    grades: dict[str, int]
    band: int


class LimitOutcome(_Model):
    """A fired limit as the decision records it, in the order applied."""

    limit_id: str
    title: str
    effect: dict[str, int]
    band_before: int
    band_after: int
    binding: bool = Field(description="It lowered the band")
    safeguarding: bool
    because: str
    holds_alone: bool = Field(False, description="On its own it would hold the proposed band at the limited band: two limits "
                                                 "that cap to the same band both bind, though only the first lowered it")

    @property
    def binds(self) -> bool:
        return self.binding or self.holds_alone


class LimitApplied(_Event, LimitOutcome):
    """A fired limit in the trace: the decision's :class:`LimitOutcome` for it (the fields are defined once, there)
    with its evidence and the event's id and source."""

    type: Literal["limit_applied"] = "limit_applied"
    evidence: list[Evidence]


class RatingWithheld(_Event):
    """A withhold rule fired: no band is published, for the reason it gives."""

    type: Literal["rating_withheld"] = "rating_withheld"
    rule_id: str
    title: str
    evidence: list[Evidence]
    because: str


class JudgementApplied(_Event):
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
    path: str = Field("", description="The ruleset file evaluated with, as an absolute path; empty in decisions recorded before files were named")

    def named(self) -> str:
        """How every output names the ruleset: id, version and the file (relative to the working folder where it can)."""
        return f"{self.id} {self.version}" + (f" ({shown_path(self.path)})" if self.path else "")


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

    band: Band
    assessor: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    date: str | None = None


class MeasureSource(Protocol):
    """A profile's measures: every value by name, and what each came from."""

    @property
    def values(self) -> dict[str, Any]: ...
    def inputs(self, name: str) -> dict[str, Any]: ...


class StoredMeasures:
    """Measures as recorded: the values and inputs of a decision read back from its trace."""

    def __init__(self, events: list[MeasureDerived]):
        self.values = {e.measure: e.value for e in events}
        self._inputs = {e.measure: e.inputs for e in events}

    def inputs(self, name: str) -> dict[str, Any]:
        return self._inputs[name]


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
    trace: list[TraceEvent] = Field(description="The events after the measures derived (serialised, the trace begins with those)")
    _measures: MeasureSource | None = PrivateAttr(None)

    @classmethod
    def with_measures(cls, measures: MeasureSource, **fields: Any) -> Decision:
        decision = cls(**fields)
        decision._measures = measures
        return decision

    @model_validator(mode="wrap")
    @classmethod
    def _measures_apart(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Decision:
        """A decision parsed whole (JSON, a dict) keeps the measure events of its trace as its measures."""
        if isinstance(data, dict) and isinstance(data.get("trace"), list):
            is_measure = [(e.get("type") if isinstance(e, dict) else getattr(e, "type", None)) == "measure_derived"
                          for e in data["trace"]]
            if any(is_measure):
                measures = [MeasureDerived.model_validate(e) for e, m in zip(data["trace"], is_measure, strict=True) if m]
                rest = [e for e, m in zip(data["trace"], is_measure, strict=True) if not m]
                decision: Decision = handler({**data, "trace": rest})
                decision._measures = StoredMeasures(measures)
                return decision
        result: Decision = handler(data)
        return result

    @model_serializer(mode="wrap")
    def _measures_in_trace(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if "trace" in data and self._measures is not None:
            data["trace"] = [e.model_dump(mode=info.mode) for e in self.measure_events()] + data["trace"]
        return data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Decision) and self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    def without_measures(self) -> Decision:
        """The same decision without its measures: what it serialises to is the trace after the measures."""
        copy = self.model_copy()
        copy._measures = None
        return copy

    def detached(self) -> Decision:
        """The same decision with its measures copied out of the batch they were derived in (to send it to
        another process, or keep it after the batch is gone)."""
        if self._measures is None or isinstance(self._measures, StoredMeasures):
            return self
        copy = self.model_copy()
        copy._measures = StoredMeasures(self.measure_events())
        return copy

    @property
    def rated(self) -> bool:
        return self.status == "rated"

    def words(self, band: int | None) -> str:
        return WITHHELD if band is None else self.band_words[band]

    @property
    def measure_source(self) -> MeasureSource | None:
        """Where this decision's measures came from (the batch they were derived in, or the trace they were read from)."""
        return self._measures

    def measure_values(self) -> dict[str, Any]:
        """Every measure derived for the profile, by name (absent measures are data gaps). Read only."""
        return self._measures.values if self._measures is not None else {}

    def measure_inputs(self, name: str) -> dict[str, Any]:
        if self._measures is None:
            raise KeyError(name)
        return self._measures.inputs(name)

    def measure_events(self) -> list[MeasureDerived]:
        """One event per measure, by name: the beginning of the trace."""
        values = self.measure_values()
        return [MeasureDerived(id=f"measure:{name}", measure=name, value=values[name], inputs=self.measure_inputs(name))
                for name in sorted(values)]

    def measure_event_data(self) -> list[dict[str, Any]]:
        """:meth:`measure_events` as JSON data, without a model for each (the audit trail encodes several hundred a
        decision); beside it so the two change together (tests/test_audit_format.py holds them equal)."""
        measures = self._measures  # read once: a private attribute costs pydantic's __getattr__ each time
        if measures is None:
            return []
        values = measures.values
        return [{"id": f"measure:{name}", "parent": None, "source": None, "type": "measure_derived", "measure": name,
                 "value": values[name], "inputs": measures.inputs(name)} for name in sorted(values)]

    def events(self, type_: str) -> list[Any]:
        """The trace's events of one type, in order (e.g. ``"rule_fired"``)."""
        if type_ == "measure_derived":
            return self.measure_events()
        return [e for e in self.trace if e.type == type_]
