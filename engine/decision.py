"""The decision: grades from fired rules (stage hit policy), the band from the decision table (its hit
policy), then the limits in the ruleset's stated order. Works on the *set* of fired rules only."""
from __future__ import annotations

from dataclasses import dataclass

from .ruleset import Ruleset


class InconsistentRuleset(RuntimeError):
    """The fired rules do not determine a result; `engine rules check` rejects such rulesets first."""


def stage_grade(ruleset: Ruleset, stage: str, fired: set[str]) -> tuple[int, str]:
    """The highest grade among the stage's fired rules, and the rule that gave it."""
    candidates = [(r.grade, r.id) for r in ruleset.rules if r.stage == stage and r.id in fired and r.grade is not None]
    if not candidates:
        raise InconsistentRuleset(f"no rule of stage '{stage}' fired")
    return max(candidates)


def table_row(ruleset: Ruleset, fired_rows: set[str]) -> tuple[str, int]:
    """The row chosen under the table's hit policy, and its band."""
    table = ruleset.decision_table
    matching = [row for row in table.rows if row.id in fired_rows]  # declared order, not firing order
    if not matching or (table.hit_policy == "unique" and len(matching) > 1):
        raise InconsistentRuleset(f"{len(matching)} rows of '{table.id}' matched under hit policy '{table.hit_policy}'")
    return matching[0].id, matching[0].band


@dataclass(frozen=True)
class LimitStep:
    limit_id: str
    band_before: int
    band_after: int


def apply_limits(ruleset: Ruleset, band: int, fired: set[str]) -> list[LimitStep]:
    """Each fired limit in the ruleset's order: a cap takes the band down to it, a step lowers it (never below 1)."""
    steps = []
    for limit in ruleset.limits:
        if limit.id not in fired:
            continue
        if limit.effect.cap is not None:
            after = min(band, limit.effect.cap)
        else:
            after = max(1, band - limit.effect.lower_by)
        steps.append(LimitStep(limit.id, band, after))
        band = after
    return steps
