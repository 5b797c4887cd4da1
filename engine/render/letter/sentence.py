"""What every part of the letter is made of: the composed Letter, its sentences filled from the wording's templates,
the marks they carry (text from the profile or a judgement, a sentence resting on an illustrative value), the
openings of contrast a paragraph uses once each, and the rules' sentences of a stage, each said once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...model.provenance import measure_sources
from ...model.ruleset import Limit, Rule, Withhold
from ...model.trace import Decision, LimitApplied, RatingWithheld, RuleFired
from ...model.wording import placeholders
from ..reviewed import Reviewed

# Private-use characters around text from the profile or a judgement, inside a composed paragraph.
USER_OPEN, USER_CLOSE = "\ue000", "\ue001"
# After a sentence resting on a value the profile marks illustrative: each medium shows it as ILLUSTRATIVE_MARK.
ILLUSTRATIVE = "\ue002"
ILLUSTRATIVE_MARK = "[illustrative]"


@dataclass
class Letter:
    date: str | None
    address: list[str]
    salutation: str | None
    title: str
    blocks: list[tuple[str, Any]] = field(default_factory=list)  # ("p" | "heading" | "scale" | "rating", content)
    # The illustrative values the letter rests on (dotted path -> the profile's note): a draft, naming each.
    illustrative: dict[str, str | None] = field(default_factory=dict)

    @property
    def draft(self) -> bool:
        return bool(self.illustrative)


class Marks:
    """Marks each sentence resting on a value the profile marks illustrative, and keeps those values for the
    letter's draft notice. A rule's sentence rests on the measures its conditions and its sentence read."""

    def __init__(self, reviewed: Reviewed, letter: Letter):
        self.provenance = reviewed.loaded.profile.provenance
        self.given = reviewed.loaded.profile.model_dump(exclude_none=True)
        self.letter = letter
        self.because: dict[str, list[str]] = {}
        if self.provenance is None:
            return
        ruleset = reviewed.ruleset.ruleset
        every: list[Rule | Limit | Withhold] = [*ruleset.rules, *ruleset.limits, *ruleset.withhold]
        items = {item.id: item for item in every}
        for event in reviewed.decision.trace:
            if not isinstance(event, RuleFired | LimitApplied | RatingWithheld):
                continue
            item = items.get(event.limit_id if isinstance(event, LimitApplied) else event.rule_id)
            if item is not None:
                measures = [c.measure for c in item.when] + [name for name, _ in placeholders(item.because)]
                self.because.setdefault(event.because, []).extend(source for m in measures for source in measure_sources(m))

    def mark(self, sentence: str, *sources: str) -> str:
        """The sentence, marked if any of the profile sections it rests on is (or holds) an illustrative value."""
        if self.provenance is None or not sentence:
            return sentence
        found = [part for source in dict.fromkeys(sources or self.because.get(sentence, [])) if self._gives(source)
                 for part in self.provenance.illustrative(source)]
        for path, note in found:
            self.letter.illustrative.setdefault(path, note)
        return sentence + ILLUSTRATIVE if found else sentence

    def _gives(self, source: str) -> bool:
        """Whether the profile gives the section: one it leaves out states nothing a sentence could rest on (the history
        or a single field, of the inspections a measure reads)."""
        value: Any = self.given
        for part in source.split("."):
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return False
        return value not in ({}, [])


def filled(template: str, **values: Any) -> str:
    text = " ".join(template.split()).format(**values)
    first = 1 if text.startswith(USER_OPEN) else 0
    return text[:first + 1].upper() + text[first + 1:]


def user_text(text: str) -> str:
    """Text from the profile or a judgement, marked for escaping (any marks inside it dropped)."""
    return USER_OPEN + text.replace(USER_OPEN, "").replace(USER_CLOSE, "") + USER_CLOSE


def segments(text: str) -> list[tuple[bool, str]]:
    """(from the profile or a judgement?, text) for each part of a composed paragraph."""
    out = []
    for n, part in enumerate(re.split(f"[{USER_OPEN}{USER_CLOSE}]", text)):
        if part:
            out.append((n % 2 == 1, part))
    return out


def join_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class Contrast:
    """The openings of contrast a paragraph may use, each once ("However, " then "Nevertheless, "): Ofsted's letters
    never open three sentences with "However,"."""

    def __init__(self, openings: list[str]):
        self.left = list(openings)

    def next(self) -> str:
        return self.left.pop(0) if self.left else ""


def stage_sentences(decision: Decision, stages: list[str], said: set[str]) -> list[str]:
    """For each stage in turn: the sentence of the rule that set its grade, or every fired rule's for a stage
    that sets none; a sentence the letter has already said is not said again."""
    graded = {e.stage: e.rule_id for e in decision.events("grade_assigned")}
    out = [e.because for stage in stages for e in decision.events("rule_fired")
           if e.stage == stage and (stage not in graded or e.rule_id == graded[stage]) and e.because not in said]
    said.update(out)
    return out
