"""How the engine words what it decided, written once: numbers, shares, bands, conditions and evidence, and
the because-sentences (``{measure}`` and ``{measure:words}`` placeholders filled from the evidence, a proportion in
words worded with the noun it counts: quantifier).

Every view (terminal, Markdown, HTML, letter, explanations, rule checks and tests) words a condition with
these functions, so the same condition reads the same everywhere.
"""
from __future__ import annotations

import datetime as _dt
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


def counted(n: int | str, singular: str, plural: str | None = None) -> str:
    """A count with its noun in agreement: '1 area', '2 areas', '0 areas' (plural: the singular with an s)."""
    return f"{n} {singular if str(n) == '1' else plural or singular + 's'}"


def date_text(day: _dt.date, month_only: bool = False) -> str:
    """A date as the letters write it: '9 December 2009', or 'July 2009' for when an inspection was."""
    return f"{day:%B %Y}" if month_only else f"{day.day} {day:%B %Y}"


def band_text(band: int, words: dict[int, str]) -> str:
    return f"{band} ({words[band]})"


WITHHELD = "withheld"  # the status of a decision that gives no band, and how its band is worded


def band_or_status(band: int | None, words: dict[int, str]) -> str:
    """A band with its words, or ``withheld`` for none (a band the scale does not name shows '?')."""
    return WITHHELD if band is None else f"{band} ({words.get(band, '?')})"


# Words that make the noun after them definite: "few of the indicators" keeps its "of"; "few national indicators" has none.
DETERMINERS = frozenset({"the", "their", "those", "these", "its"})
_WITHOUT_OF = frozenset({"all", "nearly all"})  # "nearly all the types of setting", "all national indicators"
_BEFORE_A_BARE_PLURAL = {"few": "few", "none": "no"}  # "few national indicators", "no national indicators"


def quantifier(words: str, definite: bool = True) -> str:
    """A proportion word before the noun it counts, as the letters write it: "all" and "nearly all" take no "of"
    ("nearly all the types of setting", "all national indicators"); a majority or a minority always does ("a large
    majority of national indicators", "a minority of the indicators"); "few" and "none" do before a definite noun
    ("few of the indicators", "none of the indicators") and read "few" and "no" before a bare plural."""
    if words in _WITHOUT_OF:
        return words
    if not definite and words in _BEFORE_A_BARE_PLURAL:
        return _BEFORE_A_BARE_PLURAL[words]
    return f"{words} of"


# A proportion in words that counts the noun after it: the template writes "{measure:words} of" and the noun.
_QUANTIFIED = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*):words\} of (?=(\S+))")


def render(template: str, measures: dict[str, Any], proportions: dict[str, float]) -> str:
    """A because-sentence with its placeholders filled from the measures; the first letter capitalised. A proportion
    in words followed by "of" is worded with the noun it counts (quantifier): "{share:words} of national indicators"
    reads "all national indicators" or "a large majority of national indicators"."""
    def fill(match: re.Match[str]) -> str:
        name, fmt = match.group(1), match.group(2)
        return format_value(measures.get(name), fmt, proportions)

    def fill_quantified(match: re.Match[str]) -> str:
        value = measures.get(match.group(1))
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return f"{format_value(value, 'words', proportions)} of "
        return quantifier(proportion_words(float(value), proportions), definite=match.group(2) in DETERMINERS) + " "

    text = " ".join(template.split())
    text = agree(PLACEHOLDER.sub(fill, _QUANTIFIED.sub(fill_quantified, text)))
    return text[:1].upper() + text[1:]


_PLURAL_MARK = re.compile(r"\b(\d+(?:\.\d+)?) ([A-Za-z-]+)\(s\)")


def agree(text: str) -> str:
    """A count and the noun after it agree: a template writes 'area(s)' after a count, the sentence reads
    '1 area' or '2 areas' (and '0 areas')."""
    return _PLURAL_MARK.sub(lambda m: counted(m.group(1), m.group(2)), text)


# --- Numbers in a letter's sentences ------------------------------------------------------------------------

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
         "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spelled(n: int) -> str:
    """A whole number in words, as a sentence that opens with it writes it: 1697 -> 'one thousand six hundred and
    ninety-seven'. Figures beyond a million stay figures."""
    if n < 0 or n >= 1_000_000:
        return str(n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10 - 2] + ("" if n % 10 == 0 else "-" + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return f"{_ONES[n // 100]} hundred" + ("" if rest == 0 else f" and {spelled(rest)}")
    rest = n % 1000
    return f"{spelled(n // 1000)} thousand" + ("" if rest == 0 else (" and " if rest < 100 else " ") + spelled(rest))


class Numbers:
    """How a letter writes its counts, one rule everywhere: a count that has a word (the wording's number_words,
    'no' to 'twelve') is written in words, else in figures; counts compared in one phrase ('4 of the 22') are
    written alike, so 'ten of the 22' reads '10 of the 22'; and no sentence opens with a figure."""

    def __init__(self, words: list[str]):
        self.words = words

    def _has_word(self, n: int) -> bool:
        return 0 <= n < len(self.words)

    def one(self, n: int) -> str:
        return self.words[n] if self._has_word(n) else str(n)

    def alike(self, *counts: int) -> list[str]:
        """Counts in one phrase: all in words when each has one, else all in figures."""
        if all(self._has_word(n) for n in counts):
            return [self.words[n] for n in counts]
        return [str(n) for n in counts]


_OPENING_FIGURE = re.compile(r"^(\W*)(\d+)\b(?![.,]\d)")


def no_opening_figure(sentence: str) -> str:
    """A sentence that would open with a figure opens with the number in words: '18 of the 520' -> 'Eighteen of
    the 520'."""
    match = _OPENING_FIGURE.match(sentence)
    if match is None:
        return sentence
    words = spelled(int(match.group(2)))
    return match.group(1) + words[:1].upper() + words[1:] + sentence[match.end():]
