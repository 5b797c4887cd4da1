"""``engine rules check``: every problem of ruleset files, their catalogues and their letter wording, at once."""
from __future__ import annotations

from pathlib import Path

from ..errors import EngineError, Problem, RulesetError
from ..load.letter import load_wording
from ..load.ruleset import load_ruleset
from ..model.loaded import LoadedRuleset
from ..paths import rules_dir


def check_ruleset_files(paths: list[str] | None = None) -> list[tuple[str, LoadedRuleset]]:
    """Check the given ruleset files (default: every ruleset in rules/) without evaluating anything.

    Returns (file, loaded ruleset) for each when none has a problem; otherwise raises one RulesetError
    holding every problem of every file, sorted."""
    files = [Path(p) for p in paths] if paths else sorted(rules_dir().glob("*.yaml"))
    loaded: list[tuple[str, LoadedRuleset]] = []
    problems: list[Problem] = []
    for file in files:
        try:
            ruleset = load_ruleset(file)
            load_wording(ruleset.ruleset)
            loaded.append((str(file), ruleset))
        except EngineError as exc:
            problems += exc.problems
    if problems:
        raise RulesetError(problems)
    return loaded
