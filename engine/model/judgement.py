"""A professional judgement of the band, as an assessor states it (a file or command-line options)."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from .values import Band, StatedLine, StatedParagraph, Whole

NOT_STATED = "not stated"  # recorded when the policy does not require an assessor or a reason and none is given


class JudgementFile(BaseModel):
    """A judgement as written in a small YAML file: band, assessor, reason, optional date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    band: Band
    assessor: StatedLine | None = None
    reason: StatedParagraph | None = None
    date: _dt.date | None = None


class JudgementOptions(BaseModel):
    """A judgement as command-line options give it: the band is any whole number here, checked against the scale
    of the ruleset in use when the judgement is applied (engine.decide.judgement)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    band: Whole
    assessor: StatedLine | None = None
    reason: StatedParagraph | None = None


@dataclass(frozen=True)
class ProposedJudgement:
    """A judgement before the ruleset's policy has been checked; assessor and reason may be missing."""

    band: int
    assessor: str | None = None
    reason: str | None = None
    date: str | None = None
