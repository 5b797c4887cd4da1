"""The decision as JSON: the model itself, with proposed_band and final_band at the top level."""
from __future__ import annotations

from ..model.trace import Decision


def render_json(decision: Decision) -> str:
    """pydantic's own encoder: the model as it is, with its measure events at the head of the trace."""
    return decision.model_dump_json(indent=2) + "\n"
