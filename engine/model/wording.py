"""How the engine words what it decided, written once: numbers, shares, bands, conditions and evidence, and
the because-sentences (``{measure}`` and ``{measure:words}`` placeholders filled from the evidence).

Every view (terminal, Markdown, HTML, letter, explanations, rule checks and tests) words a condition with
these functions, so the same condition reads the same everywhere.
"""
from __future__ import annotations

import re
from typing import Any, Protocol

from .ruleset import Operator

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?::([a-z_]+))?\}")
FORMATS = ("words", "percent", "count", "value")
OPERATOR_WORDS: dict[Operator, str] = {
    "at_least": "at least", "at_most": "at most", "above": "above", "below": "below",
    "equals": "equal to", "not_equals": "other than",
}
NOT_AVAILABLE = "not available"


class Stated(Protocol):
    """A condition as stated: a measure, an operator and a threshold (named, when the rule used a proportion)."""

    @property
    def measure(self) -> str: ...
    @property
    def operator(self) -> Operator: ...
    @property
    def threshold(self) -> Any: ...
    @property
    def threshold_name(self) -> str | None: ...


def placeholders(template: str) -> list[tuple[str, str | None]]:
    return [(m.group(1), m.group(2)) for m in PLACEHOLDER.finditer(template)]


def proportion_words(share: float, proportions: dict[str, float]) -> str:
    """Ofsted's word for a share: the first named proportion (from the highest) that it reaches."""
    if share <= 0:
        return "none"
    for name, bound in sorted(proportions.items(), key=lambda kv: -kv[1]):
        if share >= bound - 1e-9:
            return name.replace("_", " ")
    return "few"


def percent_text(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def format_value(value: Any, fmt: str | None = None, proportions: dict[str, float] | None = None) -> str:
    """A value as a reviewer reads it: whole numbers without decimals, shares to three figures, words for names."""
    if value is None:
        return f"({NOT_AVAILABLE})"
    if fmt == "words" and isinstance(value, (int, float)):
        return proportion_words(float(value), proportions or {})
    if fmt == "percent" and isinstance(value, (int, float)):
        return percent_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"
    return str(value).replace("_", " ")


def value_text(value: Any) -> str:
    """A measure's value in a condition: its figure, or 'not available'."""
    return NOT_AVAILABLE if value is None else format_value(value)


def threshold_text(c: Stated) -> str:
    """e.g. 'a large majority (0.65)' for a named proportion, else the threshold itself."""
    value = format_value(c.threshold)
    return f"{c.threshold_name.replace('_', ' ')} ({value})" if c.threshold_name else value


def needs_text(c: Stated) -> str:
    """e.g. 'at least a large majority (0.65)'."""
    return f"{OPERATOR_WORDS[c.operator]} {threshold_text(c)}"


def condition_text(c: Stated) -> str:
    """e.g. 'settings.share_inadequate at most 0.05'."""
    return f"{c.measure} {needs_text(c)}"


def failing_text(c: Stated, value: Any) -> str:
    """A condition that does not hold, with the actual value: 'measure = 0.583, needs at least ...'."""
    return f"{c.measure} = {value_text(value)}, needs {needs_text(c)}"


def evidence_text(c: Stated, value: Any, holds: bool) -> str:
    """e.g. 'settings.share_types_in_line_or_above_national = 0.583; holds: at least the majority (0.5)'."""
    return f"{c.measure} = {value_text(value)}; {'holds' if holds else 'fails'}: {needs_text(c)}"


def band_text(band: int, words: dict[int, str]) -> str:
    return f"{band} ({words[band]})"


WITHHELD = "withheld"  # the status of a decision that gives no band, and how its band is worded


def band_or_status(band: int | None, words: dict[int, str]) -> str:
    """A band with its words, or ``withheld`` for none (a band the scale does not name shows '?')."""
    return WITHHELD if band is None else f"{band} ({words.get(band, '?')})"


def render(template: str, measures: dict[str, Any], proportions: dict[str, float]) -> str:
    """A because-sentence with its placeholders filled from the measures; the first letter capitalised."""
    def fill(match: re.Match[str]) -> str:
        name, fmt = match.group(1), match.group(2)
        return format_value(measures.get(name), fmt, proportions)

    text = PLACEHOLDER.sub(fill, " ".join(template.split()))
    return text[:1].upper() + text[1:]
