"""Because-sentences: ``{measure}`` and ``{measure:words}`` placeholders filled from the evidence."""
from __future__ import annotations

import re
from typing import Any

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?::([a-z_]+))?\}")
FORMATS = ("words", "percent", "count", "value")


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


def format_value(value: Any, fmt: str | None = None, proportions: dict[str, float] | None = None) -> str:
    if value is None:
        return "(not available)"
    if fmt == "words" and isinstance(value, (int, float)):
        return proportion_words(float(value), proportions or {})
    if fmt == "percent" and isinstance(value, (int, float)):
        return f"{value * 100:.0f}%"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"
    return str(value).replace("_", " ")


def render(template: str, measures: dict[str, Any], proportions: dict[str, float]) -> str:
    def fill(match: re.Match) -> str:
        name, fmt = match.group(1), match.group(2)
        return format_value(measures.get(name), fmt, proportions)

    text = PLACEHOLDER.sub(fill, " ".join(template.split()))
    return text[:1].upper() + text[1:]
