"""Which characters text from elsewhere may hold, written once: the models refuse by it and every renderer
escapes by it.

A *control* character is one that can change how the text around it is shown rather than showing itself:
C0 and C1 controls (newline, carriage return, ESC that starts an ANSI sequence, ...), the Unicode line and
paragraph separators, the bidirectional formatting characters (which can make text read in another order
than it is stored) and lone surrogates (which no file encoding can write). A *visible* character is a
letter, digit, punctuation mark or symbol; spaces, marks and zero-width characters (U+200B, U+200D,
U+FEFF) are not, so text made only of them says nothing.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + BIDI_CONTROLS + "]")
_VISIBLE_CATEGORIES = ("L", "N", "P", "S")


def is_control(character: str) -> bool:
    return _CONTROL.fullmatch(character) is not None


def control_characters(text: str, *, allow_newline: bool = False) -> list[str]:
    """The control characters in ``text``, in order (an ordinary newline left out when allowed)."""
    return [c for c in _CONTROL.findall(text) if not (allow_newline and c == "\n")]


def has_visible(text: str) -> bool:
    return any(unicodedata.category(c)[0] in _VISIBLE_CATEGORIES for c in text)


def code_point(character: str) -> str:
    """How a message names a character: ``U+001B``."""
    return f"U+{ord(character):04X}"


def text_problem(text: str, *, allow_newline: bool = False, allow_blank: bool = False) -> str | None:
    """Why ``text`` is not acceptable free text, or None: a control character (a newline only where allowed),
    or no visible character at all (blank text only where it means "not given")."""
    bad = control_characters(text, allow_newline=allow_newline)
    if bad:
        where = text.index(bad[0]) + 1
        allowed = " other than a newline" if allow_newline else ""
        return f"must not contain control characters{allowed} (found {code_point(bad[0])} at character {where})"
    if not has_visible(text) and not (allow_blank and not text.strip()):
        return "must contain a visible character (letters, digits, punctuation); invisible characters alone say nothing"
    return None


def escape_controls(text: str) -> str:
    """One line for a terminal or a log: every control character, a newline included, shown as its escape
    (``\\n``, ``\\x1b``, ``\\u202e``), so nothing in the text can start a line or move the cursor."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def strip_controls(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` without control characters; with ``keep_newlines``, line breaks (CR LF, CR, U+2028/9) become ``\\n``."""
    if keep_newlines:
        text = re.sub("\r\n|[\r\u2028\u2029]", "\n", text)
    return _CONTROL.sub(lambda m: m.group() if keep_newlines and m.group() == "\n" else "", text)


# A spreadsheet reads a cell starting with one of these as a formula (OWASP's list; the last two are controls).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A spreadsheet cell: numbers as they are; text without control characters and never a live formula."""
    if not isinstance(value, str):
        return value
    text = strip_controls(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


spreadsheet_cell = cell  # the public name (engine.spreadsheet_cell): the workbench's exports use it
