"""One tree of errors. Each carries a code, a location and (where obvious) a suggestion.

The CLI prints every problem as ``file:line:col: code: message`` and exits 2; the library raises.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable

# The closed list of problem codes. README "Error codes" documents each; a test keeps them in step.
CODES: dict[str, str] = {
    "yaml-syntax": "The file is not well-formed YAML.",
    "yaml-duplicate-key": "A mapping names the same key twice.",
    "yaml-unsafe": "The file uses a YAML tag that safe loading refuses.",
    "file-not-found": "The named file does not exist or cannot be read.",
    "profile-invalid": "A profile value has the wrong type, is out of range or is missing.",
    "profile-unknown-key": "A profile names a field the format does not have.",
    "unknown-setting-type": "A setting type is not in indicators/setting-types.yaml.",
    "unknown-indicator": "An indicator id is not in indicators/national-indicators.yaml.",
    "unknown-vulnerable-group": "A vulnerable group or stage is not in indicators/vulnerable-groups.yaml.",
    "wrong-evidence-kind": "Counts given for a single service, or a single grade for a counted setting type.",
    "no-ruleset-for-year": "No ruleset in rules/ applies to the profile's assessment year.",
    "ruleset-invalid": "A ruleset file does not validate.",
    "ruleset-unknown-key": "A ruleset names a field the format does not have.",
    "unknown-measure": "A rule refers to a measure that the engine does not derive.",
    "unknown-threshold": "A rule names a proportion that the ruleset does not define.",
    "threshold-out-of-range": "A proportion threshold lies outside 0 to 1.",
    "thresholds-unordered": "Named proportions are not in descending order.",
    "duplicate-rule-id": "Two rules, rows or limits share an id.",
    "stage-without-default": "A grading stage has no rule without conditions, so some profiles get no grade.",
    "table-gap": "A combination of grades that no decision-table row covers.",
    "table-overlap": "A combination of grades that several rows cover under a unique hit policy.",
    "table-masked-row": "A row that can never be chosen under the hit policy.",
    "rule-never-fires": "A rule, limit or decision-table row that no profile can make fire: its conditions cannot all hold together.",
    "limits-ambiguous": "Limits whose order changes the result and is not stated: a cap listed before a one-grade step that can apply with it.",
    "policy-contradiction": "A judgement policy that contradicts itself.",
    "template-unknown-measure": "A because-sentence names a measure that does not exist.",
    "case-invalid": "A rule test case does not validate, or expects an error code that does not exist.",
    "judgement-invalid": "A judgement file does not validate.",
    "judgement-outside-policy": "A judgement the ruleset's policy does not allow.",
    "band-is-final": "explain --why-not names the band the profile already gets.",
    "audit-store-invalid": "The audit store cannot be opened, or is not an engine audit store.",
    "audit-record-not-found": "No record in the audit store has the given id.",
    "audit-chain-broken": "A record in the audit store was altered, removed or reordered (exit code 1).",
    "table-invalid": "A table file cannot be read as CSV, Excel or Parquet, or an output name has no table extension.",
    "table-missing-column": "A table lacks a column its layout, or the column config, requires.",
    "column-config-invalid": "A column config for `engine profiles build` does not validate.",
    "unknown-council": "A row names a council that is not in the councils table.",
    "duplicate-record": "Two rows give the same provider, council, single service or council and indicator.",
    "impossible-grade": "A grade that is not 1-4 or outstanding, good, satisfactory, inadequate.",
    "record-invalid": "A table row has a missing, non-numeric or malformed value.",
}


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file."""

    code: str
    message: str
    file: str = "<input>"
    line: int = 1
    column: int = 1
    suggestion: str | None = None

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.code}: {self.message}"
        if self.suggestion:
            text += f" ({self.suggestion})"
        return text

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.code, self.message)


@dataclass
class EngineError(Exception):
    """Base of every error the library raises for bad input. Holds one or more problems."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.problems = sorted(self.problems, key=Problem.sort_key)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @property
    def code(self) -> str:
        return self.problems[0].code if self.problems else "error"


class ProfileError(EngineError):
    """A profile that cannot be read or does not validate."""


class RulesetError(EngineError):
    """A ruleset (or catalogue) that cannot be read or does not validate."""


class JudgementError(EngineError):
    """A judgement that is malformed or outside the ruleset's policy."""


class AuditError(EngineError):
    """An audit store that cannot be used, or a record that is not in it."""


def did_you_mean(name: str, choices: Iterable[str]) -> str | None:
    """A "did you mean" hint for a misspelt name, or None when nothing is close."""
    match = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None
