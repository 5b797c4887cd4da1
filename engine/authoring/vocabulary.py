"""``engine measures``: the measures a ruleset's rules may read, in its catalogue's vocabulary."""
from __future__ import annotations

from pathlib import Path

from ..errors import Problem, RulesetError
from ..load.ruleset import load_ruleset, rulesets_by_year
from ..model.measures import MeasureSpec, measure_catalogue
from ..paths import rules_dir, shown_path


def measures_of(ruleset_path: Path | str | None = None, containing: str | None = None) -> list[MeasureSpec]:
    """Every measure of the ruleset's catalogue (default: the newest ruleset in rules/), optionally only those
    whose name contains ``containing``."""
    specs = measure_catalogue(load_ruleset(measures_ruleset(ruleset_path)).catalogue).values()
    return [spec for spec in specs if containing is None or containing in spec.name]


def measures_ruleset(ruleset_path: Path | str | None = None) -> Path:
    """The ruleset whose catalogue ``engine measures`` lists: the one given, else the newest in rules/."""
    if ruleset_path is not None:
        return Path(ruleset_path)
    available = rulesets_by_year()
    if not available:
        raise RulesetError([Problem("file-not-found", "no ruleset in this folder", str(rules_dir()))])
    return available[max(available)]


def measures_named_by(ruleset_path: Path | str | None = None) -> str:
    """The ruleset file ``engine measures`` reads the catalogue of, as every output names a file."""
    return shown_path(measures_ruleset(ruleset_path))
