"""Professional judgement: where the ruleset says it is warranted, and an assessor's judgement checked
against the ruleset's policy before it changes the final band.

The engine proposes; a named assessor may decide otherwise, but only within the policy the ruleset
states (``judgement:`` in rules/csa-<year>.yaml). A judgement outside it is refused with a problem that
names the policy clause, located at that clause in the ruleset file.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from .conditions import NUMERIC_OPERATORS, resolve
from .errors import JudgementError, Problem
from .measures import measure_catalogue
from .ruleset import OPERATOR_WORDS, Condition, JudgementPolicy
from .source import parse_yaml, read_text
from .templates import format_value
from .trace import Decision, Judgement, JudgementApplied
from .validation import validate

if TYPE_CHECKING:
    from .load import LoadedRuleset

NOT_STATED = "not stated"  # recorded when the policy does not require an assessor or a reason and none is given


class JudgementFile(BaseModel):
    """A judgement as written in a small YAML file: band, assessor, reason, optional date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    band: int = Field(ge=1, le=4)
    assessor: str | None = None
    reason: str | None = None
    date: _dt.date | None = None


@dataclass(frozen=True)
class ProposedJudgement:
    """A judgement before the policy has been checked; assessor and reason may be missing."""

    band: int
    assessor: str | None = None
    reason: str | None = None
    date: str | None = None


def judgement_from_file(path: Path | str) -> ProposedJudgement:
    doc = parse_yaml(read_text(path, JudgementError), str(path), JudgementError)
    if not isinstance(doc.data, dict):
        raise JudgementError([doc.problem("judgement-invalid", "a judgement is a mapping with 'band', 'assessor', 'reason' and optionally 'date'")])
    model, problems = validate(JudgementFile, doc, code_invalid="judgement-invalid", code_unknown_key="judgement-invalid")
    if problems:
        raise JudgementError(problems)
    return ProposedJudgement(model.band, model.assessor, model.reason, model.date.isoformat() if model.date else None)


def judgement_from_options(band: int, assessor: str | None, reason: str | None) -> ProposedJudgement:
    if not 1 <= band <= 4:
        raise JudgementError([Problem("judgement-invalid", f"--override-band must be a band from 1 to 4 (got {band})", "<command line>")])
    return ProposedJudgement(band, assessor, reason)


def apply_judgement(decision: Decision, proposed: ProposedJudgement, loaded_ruleset: "LoadedRuleset") -> Decision:
    """The decision with the judgement as its final band, or JudgementError naming every clause it breaks."""
    policy = loaded_ruleset.ruleset.judgement
    doc = loaded_ruleset.source
    if policy is None:
        raise JudgementError([doc.problem("judgement-outside-policy",
                                          f"ruleset {decision.ruleset.id} has no 'judgement' policy, so it allows no professional judgement")])
    assessor, reason = _stated(proposed.assessor), _stated(proposed.reason)
    problems = []
    for clause, message in policy_breaches(decision, proposed.band, assessor, reason, policy):
        problems.append(doc.problem("judgement-outside-policy", f"refused by policy clause judgement.{clause}: {message}",
                                    ("judgement", clause)))
    if problems:
        raise JudgementError(problems)
    judgement = Judgement(band=proposed.band, assessor=assessor or NOT_STATED, reason=reason or NOT_STATED, date=proposed.date)
    event = JudgementApplied(band_before=decision.limited_band, band_after=judgement.band, assessor=judgement.assessor,
                             reason=judgement.reason)
    return decision.model_copy(update={"judgement": judgement, "final_band": judgement.band,
                                       "trace": [*decision.trace, event]})


def policy_breaches(decision: Decision, band: int, assessor: str | None, reason: str | None,
                    policy: JudgementPolicy) -> list[tuple[str, str]]:
    """(clause, why) for every clause of the policy the judgement breaks; empty when it is allowed."""
    breaches = []
    if policy.assessor_required and not assessor:
        breaches.append(("assessor_required", "a judgement must name its assessor"))
    if policy.reason_required and not reason:
        breaches.append(("reason_required", "a judgement must give a written reason"))
    change = abs(band - decision.limited_band)
    if change > policy.max_change:
        breaches.append(("max_change", f"a judgement may move the band at most {policy.max_change} grade(s); "
                                       f"{decision.limited_band} -> {band} moves it {change}"))
    ceiling = safeguarding_ceiling(decision)
    if policy.never_above_safeguarding_limit and ceiling is not None and band > ceiling[0]:
        breaches.append(("never_above_safeguarding_limit",
                         f"limit {ceiling[1]} (a safeguarding finding) holds the band at most {ceiling[0]}; "
                         f"a judgement may not lift it to {band}"))
    return breaches


def safeguarding_ceiling(decision: Decision) -> tuple[int, str] | None:
    """The lowest band a safeguarding limit allows, and that limit's id; None when none applied.

    A cap allows its cap even when it was not binding; a one-grade step allows the band it stepped to.
    """
    ceilings = [(limit.effect["cap"] if "cap" in limit.effect else limit.band_after, limit.limit_id)
                for limit in decision.limits if limit.safeguarding]
    return min(ceilings) if ceilings else None


def judgement_warranted(decision: Decision, loaded_ruleset: "LoadedRuleset") -> list[str]:
    """Where the ruleset says judgement is warranted: evidence near a threshold the result turned on,
    and areas with more data gaps than the stated share. Sentences for a reviewer, in evidence order."""
    ruleset = loaded_ruleset.ruleset
    if ruleset.judgement is None or ruleset.judgement.warranted is None:
        return []
    warranted = ruleset.judgement.warranted
    margin = warranted.near_threshold_margin
    values = {e.measure: e.value for e in decision.events("measure_derived")}
    proportions = {name for name, spec in measure_catalogue(loaded_ruleset.catalogue).items() if spec.kind == "proportion"}
    notes: list[str] = []

    def near(conditions: list[Condition]) -> list[str]:
        out = []
        for condition in conditions:
            resolved = resolve(condition, ruleset)
            value = values.get(condition.measure)
            if (condition.measure in proportions and resolved.operator in NUMERIC_OPERATORS
                    and isinstance(value, (int, float)) and abs(value - resolved.threshold) <= margin + 1e-9):
                named = f"{resolved.threshold_name.replace('_', ' ')} ({resolved.threshold:g})" if resolved.threshold_name else f"{resolved.threshold:g}"
                out.append(f"{condition.measure} = {format_value(value)}, needs {OPERATOR_WORDS[resolved.operator]} {named}")
        return out

    def failing(conditions: list[Condition]) -> list[Condition]:
        return [c for c in conditions if not (c.measure in values and resolve(c, ruleset).holds(values[c.measure]))]

    rules = {rule.id: rule for rule in ruleset.rules}
    for event in decision.events("grade_assigned"):
        held = near(rules[event.rule_id].when)
        if held:
            notes.append(f"{event.stage} grade {event.grade} (rule {event.rule_id}) holds by a narrow margin: {'; '.join(held)}")
        for rule in ruleset.rules:
            if rule.stage == event.stage and rule.grade == event.grade + 1:
                missing = failing(rule.when)
                close = near(missing)
                if missing and len(close) == len(missing):
                    notes.append(f"{event.stage} grade {rule.grade} (rule {rule.id}) is missed by a narrow margin: {'; '.join(close)}")
    for limit in ruleset.limits:
        missing = failing(limit.when)
        held = [] if missing else near(limit.when)
        if held:
            notes.append(f"limit {limit.id} applies by a narrow margin: {'; '.join(held)}")
        elif missing and len(near(missing)) == len(missing):
            notes.append(f"limit {limit.id} nearly applies: {'; '.join(near(missing))}")
    for gap in warranted.data_gaps:
        value = values.get(gap.measure)
        if isinstance(value, (int, float)) and value > gap.above:
            notes.append(f"data gaps in {gap.area}: {gap.measure} = {format_value(value)}, above {format_value(gap.above)}")
    return notes


def policy_problems(loaded_ruleset: "LoadedRuleset") -> list[Problem]:
    """Checks of the judgement policy when the ruleset is loaded (run by engine.rulecheck)."""
    policy, doc = loaded_ruleset.ruleset.judgement, loaded_ruleset.source
    if policy is None:
        return []
    problems = []
    if policy.max_change == 0 and policy.warranted is not None:
        problems.append(doc.problem("policy-contradiction",
                                    "the policy says where judgement is warranted but allows it to move the band 0 grades; "
                                    "remove 'warranted' or allow a change", ("judgement", "max_change")))
    if policy.warranted is not None:
        measures = measure_catalogue(loaded_ruleset.catalogue)
        for i, gap in enumerate(policy.warranted.data_gaps):
            where = ("judgement", "warranted", "data_gaps", i, "measure")
            if gap.measure not in measures:
                problems.append(doc.problem("unknown-measure", f"unknown measure '{gap.measure}'", where))
            elif measures[gap.measure].kind != "proportion":
                problems.append(doc.problem("ruleset-invalid", f"'{gap.measure}' is a {measures[gap.measure].kind}, not a share of gaps", where))
    return problems


def _stated(text: Any) -> str | None:
    return text.strip() if isinstance(text, str) and text.strip() else None
