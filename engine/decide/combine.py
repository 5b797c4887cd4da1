"""How fired rules combine into an outcome: the one combination the pipeline and every analysis use
(sensitivity, calibrate, diff, why-not). :func:`combine` takes only the ruleset and what fired
(:class:`engine.inference.compiled.Fired`: from durable-rules in the pipeline, from the same compiled tests
evaluated in plain Python in the analyses) and gives the :class:`Outcome`: withheld when a withhold rule
fired, else each grading stage's grade by its hit policy, the decision-table row by the table's hit policy,
the limits in the ruleset's order and the band they leave. It writes no trace; the pipeline adds the trace
events from the outcome. The policies themselves are methods of the ruleset model; this module applies them
and says when a ruleset fails to determine a result (which `rules check` makes impossible)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import DefectError, Problem
from ..inference.compiled import Fired
from ..model.ruleset import Limit, Row, Rule, Ruleset, Withhold


@dataclass(frozen=True)
class LimitStep:
    """A fired limit applied to the band the one before it left."""

    limit: Limit
    band_before: int
    band_after: int
    holds_alone: bool = False  # on its own it would hold the proposed band at the limited band (or below)

    @property
    def binding(self) -> bool:
        """It lowered the band (a limit after another that already lowered it as far is not binding)."""
        return self.band_after < self.band_before


@dataclass(frozen=True)
class Outcome:
    """What a ruleset gives one profile, from what fired: no trace, only the result and what decided it."""

    fired: Fired
    withheld_by: tuple[Withhold, ...]
    grade_rules: dict[str, Rule] = field(default_factory=dict)  # stage -> the rule its hit policy chose
    passed_over: dict[str, tuple[Rule, ...]] = field(default_factory=dict)  # stage -> its other fired rules, not chosen
    rows_fired: frozenset[str] = frozenset()
    row: Row | None = None
    limits: tuple[LimitStep, ...] = ()

    @property
    def status(self) -> str:
        """``rated``, or ``withheld`` when a withhold rule fired (then no band is combined or limited)."""
        return "withheld" if self.withheld_by else "rated"

    @property
    def grades(self) -> dict[str, int]:
        return {stage: rule.grade for stage, rule in self.grade_rules.items() if rule.grade is not None}

    @property
    def proposed_band(self) -> int | None:
        return self.row.band if self.row is not None else None

    @property
    def final_band(self) -> int | None:
        """The band after every limit (before any judgement); None when withheld."""
        return self.limits[-1].band_after if self.limits else self.proposed_band

    @property
    def binding(self) -> tuple[LimitStep, ...]:
        """The limits that hold the band where it is: each that lowered it, and each that would have on its own
        (two limits that cap to the same band both bind, not only the first in the ruleset's order)."""
        return tuple(step for step in self.limits if step.binding or step.holds_alone)

    def fired_rules(self, ruleset: Ruleset) -> frozenset[str]:
        """What the decision lists as fired: rules, findings, limits, withhold rules and the rows that fired;
        when withheld, the rules, findings and withhold rules (no band, so no limit or row applies)."""
        if self.withheld_by:
            return self.fired.rules & ({rule.id for rule in ruleset.rules} | {w.id for w in ruleset.withhold})
        return self.fired.rules | self.rows_fired

    @property
    def decisive(self) -> tuple[str, ...]:
        """The rule that set each grade (by stage), the row, the limits that lowered the band."""
        if self.row is None:
            return ()
        return tuple([self.grade_rules[s].id for s in sorted(self.grade_rules)] + [self.row.id]
                     + [step.limit.id for step in self.limits if step.binding])


def combine(ruleset: Ruleset, fired: Fired) -> Outcome:
    """The outcome of what fired under the ruleset (see the module docstring)."""
    withheld_by = tuple(w for w in ruleset.withhold if w.id in fired.rules)
    if withheld_by:
        return Outcome(fired, withheld_by)
    grade_rules = {stage: stage_grade(ruleset, stage, fired.rules) for stage in ruleset.grading_stages}
    passed_over = {stage: tuple(r for r in ruleset.rules if r.stage == stage and r.id in fired.rules and r is not chosen)
                   for stage, chosen in grade_rules.items()}
    grades = {stage: rule.grade for stage, rule in grade_rules.items() if rule.grade is not None}
    rows_fired = frozenset(fired.rows(grades))
    row = table_row(ruleset, rows_fired)
    return Outcome(fired, (), grade_rules, passed_over, rows_fired, row, tuple(apply_limits(ruleset, row.band, fired.rules)))


def stage_grade(ruleset: Ruleset, stage: str, fired: frozenset[str] | set[str]) -> Rule:
    """The rule that sets the stage's grade, by the stage's hit policy."""
    chosen = ruleset.stages[stage].choose([r for r in ruleset.rules if r.stage == stage and r.id in fired])
    if chosen is None:
        raise _inconsistent(ruleset, f"no rule of stage '{stage}' fired")
    return chosen


def table_row(ruleset: Ruleset, fired_rows: frozenset[str] | set[str]) -> Row:
    """The decision-table row chosen by the table's hit policy among the rows that fired (declared order)."""
    table = ruleset.decision_table
    matching = [row for row in table.rows if row.id in fired_rows]
    chosen = table.choose(matching)
    if chosen is None:
        raise _inconsistent(ruleset, f"{len(matching)} rows of '{table.id}' matched under hit policy '{table.hit_policy}'")
    return chosen


def apply_limits(ruleset: Ruleset, band: int, fired: frozenset[str] | set[str]) -> list[LimitStep]:
    """Each fired limit in the ruleset's order, applied to the band the one before it left; each marked when on
    its own it would hold the proposed band at the band they leave together."""
    proposed, steps = band, []
    for limit in ruleset.limits:
        if limit.id in fired:
            after = limit.effect.apply(band, ruleset.lowest_band)
            steps.append(LimitStep(limit, band, after))
            band = after
    return [LimitStep(s.limit, s.band_before, s.band_after,
                      holds_alone=band < proposed and s.limit.effect.apply(proposed, ruleset.lowest_band) <= band) for s in steps]


def _inconsistent(ruleset: Ruleset, message: str) -> DefectError:
    return DefectError([Problem("ruleset-inconsistent", f"ruleset {ruleset.id}: {message}")])
