"""The rating letter: fixed paragraphs from rules/letters/<ruleset>.yaml, the band in the scale's words,
the settings evidence in sentences, and the fired rules' ``because`` sentences (grades, findings, limits).

The evidence is said as Ofsted's letters of 9 December 2009 say it (../shared/seeds/): one sentence a finding,
related findings joined (types above or below average block by block, the council's own services in one
sentence, an inspection's findings with its summary), openings chosen by what the evidence is, each contrast
used once a paragraph. Which words, blocks and findings is the wording's (data); how they are put together is here.

Text from the profile or a judgement (the authority's name, a summary, the assessor and reason) is marked
where it enters a paragraph, so each medium escapes it by its own rule (:mod:`engine.render.escape`) while
the wording's own Markdown (``*Every Child Matters*``) is kept.

The letter's parts, each a module, each importing only modules after it in this list: :mod:`.compose` (the
paragraphs in order), :mod:`.settings` and :mod:`.inspections` (the settings paragraph), :mod:`.indicators`,
:mod:`.counts` (the wording of counts), :mod:`.media` (Markdown and HTML) and :mod:`.sentence` (what every sentence is
made of, and the Letter).
"""
from __future__ import annotations

from .compose import compose_letter
from .media import draft_notice, letter_html, letter_markdown
from .sentence import ILLUSTRATIVE, ILLUSTRATIVE_MARK, USER_CLOSE, USER_OPEN, Letter

__all__ = ["ILLUSTRATIVE", "ILLUSTRATIVE_MARK", "USER_CLOSE", "USER_OPEN", "Letter", "compose_letter", "draft_notice", "letter_html",
           "letter_markdown"]
