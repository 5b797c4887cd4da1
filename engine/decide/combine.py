"""How fired rules combine into a decision, on the *set* of fired rules only: each grading stage's grade by
its hit policy, the band from the decision table by its hit policy, then the limits in the ruleset's order.
The policies themselves are methods of the ruleset model; this module applies them and says when a ruleset
fails to determine a result (which `rules check` makes impossible)."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import DefectError, Problem
from ..model.ruleset import Limit, Row, Rule, Ruleset


def stage_grade(ruleset: Ruleset, stage: str, fired: set[str]) -> Rule:
    """The rule that sets the stage's grade, by the stage's hit policy."""
    chosen = ruleset.stages[stage].choose([r for r in ruleset.rules if r.stage == stage and r.id in fired])
    if chosen is None:
        raise _inconsistent(ruleset, f"no rule of stage '{stage}' fired")
    return chosen


def table_row(ruleset: Ruleset, fired_rows: set[str]) -> Row:
    """The decision-table row chosen by the table's hit policy among the rows that fired (declared order)."""
    table = ruleset.decision_table
    matching = [row for row in table.rows if row.id in fired_rows]
    chosen = table.choose(matching)
    if chosen is None:
        raise _inconsistent(ruleset, f"{len(matching)} rows of '{table.id}' matched under hit policy '{table.hit_policy}'")
    return chosen


@dataclass(frozen=True)
class LimitStep:
    limit: Limit
    band_before: int
    band_after: int

    @property
    def binding(self) -> bool:
        return self.band_after < self.band_before


def apply_limits(ruleset: Ruleset, band: int, fired: set[str]) -> list[LimitStep]:
    """Each fired limit in the ruleset's order, applied to the band the one before it left."""
    steps = []
    for limit in ruleset.limits:
        if limit.id in fired:
            after = limit.effect.apply(band, ruleset.lowest_band)
            steps.append(LimitStep(limit, band, after))
            band = after
    return steps


def _inconsistent(ruleset: Ruleset, message: str) -> DefectError:
    return DefectError([Problem("ruleset-inconsistent", f"ruleset {ruleset.id}: {message}")])
