"""The errors the library raises, in one tree under :class:`EngineError`, and the closed list of problem codes.

Every error carries one or more located problems (``file:line:col: code: message``). The CLI prints them
and exits with the error's ``exit_code`` (2, bad input); the library only raises. A check that ran and found
its subject failing (an audit chain broken, a rule test case failing) is not an error but a result, and
exits 1; each command's result says which, by the constants below. docs/errors.md lists each code, generated
from this list when the documentation is built.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from .characters import escape_controls

Code = Literal[
    "yaml-syntax", "yaml-duplicate-key", "yaml-unsafe", "yaml-too-large", "yaml-recursive-alias", "yaml-too-many-nodes",
    "file-not-found", "write-failed",
    "profile-invalid", "profile-unknown-key", "unknown-setting-type", "unknown-indicator", "unknown-vulnerable-group",
    "unknown-inspection-judgement",
    "wrong-evidence-kind", "profile-contradiction", "evidence-date-outside-policy", "evidence-after-letter",
    "date-outside-assessment-year", "no-ruleset-for-year", "no-translation", "untranslatable",
    "ruleset-invalid", "ruleset-unknown-key", "unknown-measure", "unknown-threshold", "threshold-out-of-range",
    "thresholds-unordered", "duplicate-rule-id", "stage-without-default", "table-gap", "table-overlap",
    "table-masked-row", "rule-never-fires", "limits-ambiguous", "policy-contradiction", "template-unknown-measure",
    "inference-limit", "ruleset-inconsistent", "explanation-mismatch", "inference-failed",
    "case-invalid", "judgement-invalid", "judgement-outside-policy", "band-is-final", "band-not-on-scale", "rating-withheld",
    "audit-store-invalid", "audit-store-too-old", "audit-record-not-found", "audit-chain-broken", "audit-supersedes-mismatch",
    "audit-record-stale", "audit-checkpoint-invalid", "audit-checkpoint-mismatch", "account-invalid",
    "table-invalid", "table-missing-column", "column-config-invalid", "unknown-council", "duplicate-record",
    "impossible-grade", "record-invalid", "output-exists",
]

CODES: dict[Code, str] = {
    "yaml-syntax": "The file is not well-formed YAML.",
    "yaml-duplicate-key": "A mapping names the same key twice.",
    "yaml-unsafe": "The file uses a YAML tag that safe loading refuses.",
    "yaml-too-large": "The file is larger than the engine reads (1 MiB): no profile, ruleset or configuration comes near it.",
    "yaml-recursive-alias": "A YAML alias refers to a node that contains it, so the document would be infinite.",
    "yaml-too-many-nodes": "The document, with every alias expanded, has more than 100,000 values (an alias bomb, or far more than any file needs).",
    "file-not-found": "The named file does not exist or cannot be read.",
    "write-failed": "An output could not be written (no space, no permission, a file where a folder should be); nothing was left half-written.",
    "profile-invalid": "A profile value has the wrong type, is out of range or is missing.",
    "profile-unknown-key": "A profile names a field the format does not have.",
    "unknown-setting-type": "A setting type is not in the ruleset's catalogue of setting types.",
    "unknown-indicator": "An indicator id is not in the ruleset's catalogue of indicators.",
    "unknown-vulnerable-group": "A vulnerable group or stage is not in the ruleset's catalogue of vulnerable groups.",
    "unknown-inspection-judgement": "A full inspection's judgement is not in the catalogue's inspection judgements "
                                    "(indicators/inspection-judgements.yaml).",
    "wrong-evidence-kind": "Counts given for a single service, or a single grade for a counted setting type.",
    "profile-contradiction": "Two parts of a profile disagree: an inspection field and the history, a setting type and its parts, dates.",
    "evidence-date-outside-policy": "A profile's evidence date is later than the ruleset's evidence policy allows (`evidence:`: "
                                    "the latest of a rating published on the day, or of one withheld that day and published later).",
    "evidence-after-letter": "A profile's evidence is dated after its letter: its evidence date, or (without one, when everything "
                             "given counts) an inspection, resolution, notice or pending inspection.",
    "date-outside-assessment-year": "A profile's letter or evidence date is outside its assessment year's window (the letter in the "
                                    "year or the next, the evidence not before the year), or, without an evidence date, a fact "
                                    "that would count is later than the year's evidence may be.",
    "no-ruleset-for-year": "No ruleset in rules/ applies to the profile's assessment year.",
    "no-translation": "The profile is written in another catalogue than the ruleset's, and indicators/translations/ has no translation between the two.",
    "untranslatable": "The profile gives an item that the translation into the ruleset's catalogue says cannot be carried (it names why).",
    "ruleset-invalid": "A ruleset file, its catalogue or its letter wording does not validate.",
    "ruleset-unknown-key": "A ruleset, catalogue or letter wording names a field the format does not have.",
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
    "inference-limit": "A ruleset goes beyond what the inference engine (durable-rules 2.0.28) accepts: too many rules, a number it misreads, too much text.",
    "ruleset-inconsistent": "The fired rules do not determine a grade or a band. `rules check` refuses such rulesets, so this is a defect to report.",
    "explanation-mismatch": "The explanation of a rule that did not fire disagrees with the inference engine: a defect to report.",
    "inference-failed": "The inference engine refused a ruleset or a fact that `rules check` let through: a defect to report.",
    "case-invalid": "A rule test case does not validate, or expects an error code that does not exist.",
    "judgement-invalid": "A judgement file does not validate.",
    "judgement-outside-policy": "A judgement the ruleset's policy does not allow.",
    "band-is-final": "A why-not question names the band the profile already gets.",
    "band-not-on-scale": "A why-not question or a judgement names a band that the ruleset's scale (`scale:`) does not have.",
    "rating-withheld": "The rating is withheld (a withhold rule fired), so there is no band to judge or explain.",
    "audit-store-invalid": "The audit store cannot be opened, or is not an engine audit store.",
    "audit-store-too-old": "The audit store was made before bands could be empty, so it cannot record a withheld rating: use a new store.",
    "audit-record-not-found": "No record in the audit store has the given id.",
    "audit-chain-broken": "A record in the audit store was altered, removed or reordered (exit code 1).",
    "audit-supersedes-mismatch": "`--supersedes` names a record of another authority or another year.",
    "audit-record-stale": "A review acted on a council's record that is no longer its newest: someone else recorded first, and nothing was recorded.",
    "audit-checkpoint-invalid": "A checkpoint file does not validate, or belongs to another store.",
    "audit-checkpoint-mismatch": "The records a checkpoint covers were rewritten since it was taken, even if every hash was recomputed (exit code 1).",
    "account-invalid": "A workbench account cannot be added or changed as asked (unknown role, name taken, short password), or the store is not one.",
    "table-invalid": "A table file cannot be read as CSV, Excel or Parquet, or an output name has no table extension.",
    "table-missing-column": "A table lacks a column its layout, or the column config, requires.",
    "column-config-invalid": "A column config for `engine profiles build` does not validate.",
    "unknown-council": "A row names a council that is not in the councils table.",
    "duplicate-record": "Two rows give the same provider, council, single service or council and indicator.",
    "impossible-grade": "A grade that is not 1-4 or outstanding, good, satisfactory, inadequate.",
    "record-invalid": "A table row has a missing, non-numeric or malformed value.",
    "output-exists": "An output file exists and was not to be replaced; a proposed ruleset is never written over a shipped one.",
}


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file."""

    code: Code
    message: str
    file: str = "<input>"
    line: int = 1
    column: int = 1
    suggestion: str | None = None

    def __str__(self) -> str:
        # One line, whatever the input held: a newline or an ANSI escape quoted from a file shows as its escape.
        text = f"{escape_controls(self.file)}:{self.line}:{self.column}: {self.code}: {escape_controls(self.message)}"
        if self.suggestion:
            text += f" ({escape_controls(self.suggestion)})"
        return text

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.code, self.message)


# The exit codes every command's result maps to (``.exit_code``): 0 when all is well.
EXIT_OK = 0
EXIT_FAILED = 1  # the check ran and its subject fails: a chain broken, a rule test case failing
EXIT_BAD_INPUT = 2  # a file from elsewhere could not be used, or an output could not be written


@dataclass
class EngineError(Exception):
    """Base of every error the library raises. Holds one or more located problems, sorted."""

    problems: list[Problem] = field(default_factory=list)
    exit_code: ClassVar[int] = EXIT_BAD_INPUT

    def __post_init__(self) -> None:
        self.problems = sorted(self.problems, key=Problem.sort_key)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @property
    def code(self) -> str:
        return self.problems[0].code if self.problems else "error"


class ProfileError(EngineError):
    """A profile (or a rule test case) that cannot be read or does not validate."""


class RulesetError(EngineError):
    """A ruleset, its catalogue or its letter wording that cannot be read or does not validate."""


class JudgementError(EngineError):
    """A judgement that is malformed or outside the ruleset's policy."""


class AuditError(EngineError):
    """An audit store that cannot be used, or a record that is not in it."""


class BuildError(EngineError):
    """Tables, or a column config, that `profiles build` or `batch` cannot read at all."""


class WriteError(EngineError):
    """An output that could not be written; nothing was left half-written."""


class DefectError(EngineError):
    """The engine's own results disagree with each other. Never bad input: a defect to report."""


def did_you_mean(name: str, choices: Iterable[str]) -> str | None:
    """A "did you mean" hint for a misspelt name, or None when nothing is close."""
    match = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None
