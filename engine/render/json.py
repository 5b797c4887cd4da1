"""The decision as JSON: the model itself, with proposed_band and final_band at the top level."""
from __future__ import annotations

import json

from ..model.trace import Decision


def render_json(decision: Decision) -> str:
    return json.dumps(decision.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
