"""``engine rules check``: every problem of ruleset files, their catalogues and their letter wording, at once."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import EngineError, Problem, RulesetError
from ..load.letter import load_wording
from ..load.ruleset import load_ruleset
from ..model.loaded import LoadedRuleset
from ..paths import rules_dir, shown_path


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


@dataclass(frozen=True)
class RulesetChecked:
    """A ruleset file that checked clean, and the ruleset it holds."""

    path: str
    loaded: LoadedRuleset

    @property
    def summary(self) -> str:
        """The line ``engine rules check`` prints for it: what the file holds, counted."""
        ruleset = self.loaded.ruleset
        withhold = f", {len(ruleset.withhold)} withhold rule{'s' * (len(ruleset.withhold) != 1)}" if ruleset.withhold else ""
        return (f"{shown_path(self.path)}: no problems ({len(ruleset.rules)} rules, {len(ruleset.decision_table.rows)} "
                f"decision-table rows, {len(ruleset.limits)} limits{withhold})")


def check_rulesets(paths: Iterable[str] = ()) -> list[RulesetChecked]:
    """``engine rules check``: :func:`check_ruleset_files` over ``paths`` (default: every ruleset in rules/), each
    clean file with its summary; any problem of any file raises one RulesetError (exit code 2)."""
    return [RulesetChecked(path, loaded) for path, loaded in check_ruleset_files(list(paths) or None)]
