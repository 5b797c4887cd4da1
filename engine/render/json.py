"""The decision as JSON: the model itself, with proposed_band and final_band at the top level."""
from __future__ import annotations

from ..model.trace import Decision
from ..paths import shown_path


def render_json(decision: Decision) -> str:
    """pydantic's own encoder: the model as it is, with its measure events at the head of the trace."""
    if decision.ruleset.path:  # named as every output names it: relative to the working folder where it can
        decision = decision.model_copy(update={"ruleset": decision.ruleset.model_copy(update={"path": shown_path(decision.ruleset.path)})})
    return decision.model_dump_json(indent=2) + "\n"
