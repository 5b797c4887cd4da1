"""``engine measures``: the measures a ruleset's rules may read, in its catalogue's vocabulary."""
from __future__ import annotations

from pathlib import Path

from ..errors import Problem, RulesetError
from ..load.ruleset import load_ruleset, rulesets_by_year
from ..model.measures import MeasureSpec, measure_catalogue
from ..paths import rules_dir


def measures_of(ruleset_path: Path | str | None = None, containing: str | None = None) -> list[MeasureSpec]:
    """Every measure of the ruleset's catalogue (default: the newest ruleset in rules/), optionally only those
    whose name contains ``containing``."""
    if ruleset_path is None:
        available = rulesets_by_year()
        if not available:
            raise RulesetError([Problem("file-not-found", "no ruleset in this folder", str(rules_dir()))])
        ruleset_path = available[max(available)]
    specs = measure_catalogue(load_ruleset(ruleset_path).catalogue).values()
    return [spec for spec in specs if containing is None or containing in spec.name]
