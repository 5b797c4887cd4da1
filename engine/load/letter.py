"""Reading a ruleset's letter wording, rules/letters/<ruleset id>.yaml, validated and checked."""
from __future__ import annotations

from pathlib import Path

from ..check.letter import letter_problems
from ..errors import RulesetError
from ..model.letter import LetterWording
from ..model.ruleset import Ruleset
from ..model.validation import validate
from ..paths import rules_dir
from .yaml import load_yaml


def wording_path(ruleset_id: str, directory: Path | None = None) -> Path:
    """Where a ruleset's letter wording lives. Ruleset ids are safe file names (engine.model.ruleset.SAFE_NAME)."""
    return Path(directory or rules_dir()) / "letters" / f"{ruleset_id}.yaml"


def load_wording(ruleset: Ruleset, directory: Path | None = None) -> LetterWording:
    doc = load_yaml(wording_path(ruleset.id, directory), RulesetError)
    wording, problems = validate(LetterWording, doc, code_invalid="ruleset-invalid", code_unknown_key="ruleset-unknown-key")
    if wording is None:
        raise RulesetError(problems)
    problems = letter_problems(doc, wording, ruleset)
    if problems:
        raise RulesetError(problems)
    return wording
