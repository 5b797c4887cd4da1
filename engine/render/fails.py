"""Only what failed, and why: the trace's view of the rules, limits and withhold rules that did not fire, each
with its first failing condition and the line of the ruleset file that states it (as OPA's ``--explain
fails`` shows only the expressions that were false). ``engine evaluate PROFILE --explain fails`` prints it."""
from __future__ import annotations

import json

from ..model.trace import Decision, RuleNotFired
from ..model.wording import failing_text
from .escape import terminal


def fails(decision: Decision) -> list[RuleNotFired]:
    """The trace's ``rule_not_fired`` events, in the trace's order: grading rules and findings, then withhold
    rules, then limits (limits only when rated: a withheld decision applies none)."""
    return list(decision.events("rule_not_fired"))


def render_fails(decision: Decision, output_format: str = "text") -> str:
    """The failures as text for a terminal (``file:line:col: id (stage): the failing condition``) or JSON."""
    failed = fails(decision)
    if output_format == "json":
        return json.dumps([e.model_dump(mode="json") for e in failed], indent=2) + "\n"
    out = [f"What did not fire for {terminal(decision.authority)} {decision.year}, and why (first failing condition): "
           f"{len(failed)} of the rules, limits and withhold rules"]
    for event in failed:
        where = f"{event.source}: " if event.source else ""
        grade = f", grade {event.grade}" if event.grade is not None else ""
        out.append(f"  {where}{event.rule_id} ({event.stage}{grade}): {failing_text(event.failing, event.failing.value)}"
                   + (" (not available)" if event.reason == "not available" else ""))
    return "\n".join(out) + "\n"
