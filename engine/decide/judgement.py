"""Professional judgement: where the ruleset says it is warranted, and an assessor's judgement checked
against the ruleset's policy before it changes the final band.

The engine proposes; a named assessor may decide otherwise, but only within the policy the ruleset
states (``judgement:`` in rules/csa-<year>.yaml). A judgement outside it is refused with a problem that
names the policy clause, located at that clause in the ruleset file.
"""
from __future__ import annotations

from ..errors import JudgementError, Problem
from ..inference.compiled import Fired, Seen
from ..model.judgement import NOT_STATED, ProposedJudgement
from ..model.loaded import LoadedRuleset
from ..model.measures import measures_of_kind
from ..model.ruleset import NUMERIC_OPERATORS, JudgementPolicy
from ..model.source import SourceDocument
from ..model.trace import Decision, Judgement, JudgementApplied, WithheldReason
from ..model.wording import failing_text, format_value


def apply_judgement(decision: Decision, proposed: ProposedJudgement, loaded_ruleset: LoadedRuleset) -> Decision:
    """The decision with the judgement as its final band, or JudgementError naming every clause it breaks."""
    policy = loaded_ruleset.ruleset.judgement
    doc = loaded_ruleset.source
    off_scale = loaded_ruleset.ruleset.band_problem(proposed.band)
    if off_scale is not None:
        raise JudgementError([doc.problem("band-not-on-scale", f"a judgement's {off_scale}", ("scale",))])
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
    assert decision.limited_band is not None, "a withheld decision is refused before its policy is read"
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


def withheld_problem(reasons: list[WithheldReason], profile: SourceDocument | None, what: str) -> Problem:
    """A request that needs a band, for a decision that withholds it: located at the profile, naming the rule."""
    first = reasons[0]
    message = f"the rating is withheld by rule {first.rule_id} ({first.because.rstrip('.')}), so {what}"
    return profile.problem("rating-withheld", message) if profile is not None else Problem("rating-withheld", message, "<profile>")


def safeguarding_ceiling(decision: Decision) -> tuple[int, str] | None:
    """The lowest band a safeguarding limit allows, and that limit's id; None when none applied.

    A cap allows its cap even when it was not binding; a one-grade step allows the band it stepped to.
    """
    ceilings = [(limit.effect.get("cap", limit.band_after), limit.limit_id)
                for limit in decision.limits if limit.safeguarding]
    return min(ceilings) if ceilings else None


def judgement_warranted(decision: Decision, loaded_ruleset: LoadedRuleset, fired: Fired) -> list[str]:
    """Where the ruleset says judgement is warranted: evidence near a threshold the result turned on (each
    condition as seen when the rules fired), and areas with more data gaps than the stated share. Sentences
    for a reviewer, in evidence order."""
    ruleset = loaded_ruleset.ruleset
    if ruleset.judgement is None or ruleset.judgement.warranted is None or not decision.rated:
        return []
    warranted = ruleset.judgement.warranted
    margin = warranted.near_threshold_margin
    values = decision.measure_values()
    proportions = measures_of_kind(loaded_ruleset.catalogue, "proportion")
    notes: list[str] = []

    def near(conditions: tuple[Seen, ...] | list[Seen]) -> list[str]:
        out = []
        for seen in conditions:
            resolved, value = seen.condition, seen.value
            if (resolved.measure in proportions and resolved.operator in NUMERIC_OPERATORS
                    and isinstance(value, (int, float)) and abs(value - resolved.threshold) <= margin + 1e-9):
                out.append(failing_text(resolved, value))
        return out

    def failing(item_id: str) -> list[Seen]:
        return [s for s in fired.seen[item_id] if not s.holds]

    for event in decision.events("grade_assigned"):
        held = near(fired.seen[event.rule_id])
        if held:
            notes.append(f"{event.stage} grade {event.grade} (rule {event.rule_id}) holds by a narrow margin: {'; '.join(held)}")
        for rule in ruleset.rules:
            if rule.stage == event.stage and rule.grade == event.grade + 1:
                missing = failing(rule.id)
                close = near(missing)
                if missing and len(close) == len(missing):
                    notes.append(f"{event.stage} grade {rule.grade} (rule {rule.id}) is missed by a narrow margin: {'; '.join(close)}")
    for limit in ruleset.limits:
        missing = failing(limit.id)
        held = [] if missing else near(fired.seen[limit.id])
        if held:
            notes.append(f"limit {limit.id} applies by a narrow margin: {'; '.join(held)}")
        elif missing and len(near(missing)) == len(missing):
            notes.append(f"limit {limit.id} nearly applies: {'; '.join(near(missing))}")
    for gap in warranted.data_gaps:
        value = values.get(gap.measure)
        if isinstance(value, (int, float)) and value > gap.above:
            notes.append(f"data gaps in {gap.area}: {gap.measure} = {format_value(value)}, above {format_value(gap.above)}")
    return notes


def _stated(text: str | None) -> str | None:
    return text.strip() if isinstance(text, str) and text.strip() else None
