"""Text from files the engine did not write (an authority's name, an assessor, a reason, a note, and the
ruleset's own sentences) made safe for the medium it is written to. Each medium's rule is written once,
here; every renderer uses these.

- **terminal**: control characters removed (so no ANSI escape reaches the terminal), and every line after
  the first indented, so nothing in the text can begin a line of its own: no forged "Final band" line,
  nothing that looks like a heading.
- **Markdown**: ``<``, ``>`` (and an ``&`` that would start an entity) as entities, so no tag passes; Markdown's punctuation backslash-escaped, so
  the text cannot open a heading, list, link, table cell or emphasis; line breaks as ``<br>``.
- **HTML**: :func:`html.escape` (the standard library), used as it is.
- **spreadsheet cells** (CSV, XLSX): control characters removed (a carriage return would split a CSV row;
  openpyxl refuses them), and text that a spreadsheet would read as a formula (starting with ``=``,
  ``+``, ``-`` or ``@``, OWASP's list with tab and carriage return, which are removed already) gets a
  leading apostrophe, so it shows as text. Written in :mod:`engine.characters` (the tables of
  :mod:`engine.ingest`, below the renderers, write cells too) and used from here like the others.
- **one line** (a chart's label, a line of a listing): control characters removed and line breaks as
  spaces; on charts matplotlib's mathematics is switched off where they are drawn
  (:mod:`engine.render.charts`), so a ``$`` is a dollar sign.
"""
from __future__ import annotations

import re
from typing import Any

from ..characters import FORMULA_STARTS, cell, strip_controls

__all__ = ["FORMULA_STARTS", "TERMINAL_INDENT", "cell", "markdown", "markdown_prose", "one_line", "terminal"]

TERMINAL_INDENT = "    "
# Characters with a meaning anywhere in a line (code, emphasis, links, table cells, strikethrough, GitHub's
# mathematics, e-mail and web autolinks), and those with one only where a line begins (headings, lists,
# setext underlines, ordered lists "1." and "1)").
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]|~$:@])|(?i:(?<=www)\.)")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([#+=-]|\d+(?=[.)]))")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")  # an ampersand that would start an entity such as &lt;


def _no_html(text: str) -> str:
    return _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def terminal(text: Any, indent: str = TERMINAL_INDENT) -> str:
    """``text`` for a terminal line: no control characters, continuation lines indented by ``indent``."""
    lines = strip_controls(str(text), keep_newlines=True).split("\n")
    return "\n".join([lines[0], *(indent + line for line in lines[1:])])


def markdown(text: Any) -> str:
    """``text`` as literal Markdown: it shows as written and cannot change the document's structure."""
    escaped = _no_html(strip_controls(str(text), keep_newlines=True))
    lines = [_MARKDOWN_INLINE.sub(lambda m: "\\" + m.group(), line) for line in escaped.split("\n")]
    lines = [_MARKDOWN_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2) if not m.group(2).isdigit()
                                      else m.group(1) + m.group(2) + "\\", line) for line in lines]
    return "<br>".join(lines)


def markdown_prose(text: Any) -> str:
    """The ruleset's own sentences in Markdown: its emphasis kept, but no HTML, no line of its own and no table cell."""
    text = _no_html(strip_controls(str(text), keep_newlines=True))
    return " ".join(text.split("\n")).replace("|", "\\|")


def one_line(text: Any) -> str:
    """A chart's label, or a field of a one-line listing: no control characters, line breaks as spaces."""
    return " ".join(strip_controls(str(text), keep_newlines=True).split("\n"))
