"""The kinds of value a file from elsewhere may give, each with its bounds: checked once, at the boundary,
by the models that use them, so every consumer (evaluation, reports, letters, tables, the audit trail)
can trust them.

- **Whole numbers** (counts, years, bands, grades) are never booleans: YAML 1.1 reads ``yes``, ``on`` and
  ``true`` as true, which would otherwise become 1.
- **Counts** lie between 0 and :data:`COUNT_MAX`. No council has 100,000 settings of one type (all of
  England has fewer: about 17,000 primary schools and 60,000 childminders in 2009), and the bound keeps
  every count, sum and share far inside 64-bit arithmetic.
- **Numbers** (indicator values, gaps, comparators) are finite, within :data:`MAGNITUDE_MAX` (10^9) of zero:
  indicators are percentages, rates per 10,000 or 100,000, days or counts of a council's children.
- **Text** (names, reasons, assessors, notes) has no control characters (a newline only in a paragraph:
  a reason, a note, a summary) and at least one visible character (:mod:`engine.characters`), and a
  bounded length: :data:`LINE_MAX` characters for a line, :data:`PARAGRAPH_MAX` for a paragraph.
- **Council codes** are safe file names: letters, digits, ``-`` and ``_``, at most 32 characters
  (``202``, ``E09000007``, ``SYN001``); a profile is written to ``<code>.yaml``.
"""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from ..characters import text_problem

COUNT_MAX = 100_000
MAGNITUDE_MAX = 1e9
LINE_MAX = 300
PARAGRAPH_MAX = 10_000
COUNCIL_CODE = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"


def not_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a number, not true or false (YAML reads yes, no, on and off as true and false)")
    return value


def _text(*, allow_newline: bool, allow_blank: bool = False) -> AfterValidator:
    def check(value: str) -> str:
        problem = text_problem(value, allow_newline=allow_newline, allow_blank=allow_blank)
        if problem:
            raise ValueError(problem)
        return value

    return AfterValidator(check)


# The bounds come before the boolean check: so pydantic applies them to the number and publishes them in
# the JSON Schema as minimum and maximum.
Whole = Annotated[int, BeforeValidator(not_boolean)]
Count = Annotated[int, Field(ge=0, le=COUNT_MAX), BeforeValidator(not_boolean)]
Year = Annotated[int, Field(ge=2000, le=2100), BeforeValidator(not_boolean)]
# The rating's four-point scale: every ruleset's `scale:` gives words for exactly these bands (rules check refuses any
# other), so code that has no ruleset at hand reads them here, best first where it lists them as BEST_FIRST.
BANDS = (1, 2, 3, 4)
# The assessment year a command assumes when none is given: the first year rated.
DEFAULT_YEAR = 2009
BEST_FIRST = tuple(reversed(BANDS))
Band = Annotated[int, Field(ge=BANDS[0], le=BANDS[-1]), BeforeValidator(not_boolean)]
Number = Annotated[float, Field(allow_inf_nan=False, ge=-MAGNITUDE_MAX, le=MAGNITUDE_MAX), BeforeValidator(not_boolean)]
Finite = Annotated[float, Field(allow_inf_nan=False), BeforeValidator(not_boolean)]
Proportion = Annotated[float, Field(allow_inf_nan=False, ge=0.0, le=1.0), BeforeValidator(not_boolean)]

Line = Annotated[str, Field(max_length=LINE_MAX), _text(allow_newline=False)]
Paragraph = Annotated[str, Field(max_length=PARAGRAPH_MAX), _text(allow_newline=True)]
# Where blank text means "not stated" (a judgement's assessor and reason): blank passes, to be refused by the policy.
StatedLine = Annotated[str, Field(max_length=LINE_MAX), _text(allow_newline=False, allow_blank=True)]
StatedParagraph = Annotated[str, Field(max_length=PARAGRAPH_MAX), _text(allow_newline=True, allow_blank=True)]
CouncilCode = Annotated[str, Field(pattern=COUNCIL_CODE, description="Letters, digits, - and _; at most 32 characters")]
