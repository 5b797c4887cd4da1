"""Shared wording for renderings: how evidence and conditions read to a reviewer."""
from __future__ import annotations

from ..ruleset import OPERATOR_WORDS
from ..templates import format_value
from ..trace import Evidence

SYMBOLS = {"at_least": ">=", "at_most": "<=", "above": ">", "below": "<", "equals": "=", "not_equals": "!="}


def threshold_text(e: Evidence) -> str:
    value = format_value(e.threshold)
    return f"{e.threshold_name.replace('_', ' ')} ({value})" if e.threshold_name else value


def evidence_text(e: Evidence) -> str:
    """e.g. 'settings.share_types_in_line_or_above_national = 0.583, needs at least a large majority (0.65)'"""
    actual = "not available" if e.value is None else format_value(e.value)
    mark = "holds" if e.holds else "fails"
    return f"{e.measure} = {actual}; {mark}: {OPERATOR_WORDS[e.operator]} {threshold_text(e)}"


def band_text(band: int, words: dict[int, str]) -> str:
    return f"{band} ({words[band]})"
