"""Every problem of a ruleset in one pass, even when parts of it do not validate.

Field-level validation (pydantic) and the semantic checks (engine.check.ruleset) usually run one after the
other: a ruleset that does not validate has no model to check. So that an analyst sees everything at
once, :func:`checks_despite_invalid` sets aside the parts that did not validate (a rule, a row, a limit,
a named proportion), runs the semantic checks on the rest, and drops any finding that the missing part
could have caused (a table gap where a row was set aside, say). Locations stay those of the file.
"""
from __future__ import annotations

import copy
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..errors import Problem
from ..model.catalogue import Catalogue
from ..model.loaded import LoadedRuleset
from ..model.measures import measure_catalogue
from ..model.ruleset import Condition, Ruleset
from ..model.source import DataPath, Location, SourceDocument
from ..model.validation import clean_loc
from ..model.values import BANDS
from .logic import ROW_NEVER_CHOSEN
from .ruleset import check_ruleset, condition_problems

LISTS = (("rules",), ("limits",), ("withhold",), ("decision_table", "rows"))
# Stand-ins for top-level values that did not validate; the semantic checks never read these.
STAND_INS: dict[str, Any] = {
    "id": "ruleset", "version": "0", "year": 0, "title": "", "transitional": False, "provenance": None,
    "comparison": {"settings_tolerance": 0.0, "indicator_tolerance": 0.0},
    "scale": {band: {"words": "", "meaning": ""} for band in BANDS}, "grade_scale": [1, 2, 3, 4],
}
TABLE_STAND_INS: dict[str, Any] = {"id": "decision_table", "title": "", "hit_policy": "unique"}
STAGE_STAND_INS: dict[str, Any] = {"title": "", "hit_policy": "highest"}
TABLE_CODES = ("table-gap", "table-overlap", "table-masked-row")
MAX_ROUNDS = 5
_CONDITIONS = TypeAdapter(list[Condition])


class _Renumbered(SourceDocument):
    """The file's locations for a copy of its data from which list items were set aside."""

    def __init__(self, doc: SourceDocument, data: Any, kept: dict[DataPath, list[int]]):
        super().__init__(doc.file, data, doc.locations, doc.key_locations)
        self._kept = kept

    def locate(self, path: DataPath, *, key: bool = False) -> Location:
        path = tuple(path)
        for prefix, kept in self._kept.items():
            n = len(prefix)
            if path[:n] == prefix and len(path) > n and isinstance(path[n], int) and path[n] < len(kept):
                path = prefix + (kept[path[n]],) + path[n + 1:]
        return super().locate(path, key=key)


def checks_despite_invalid(doc: SourceDocument, path: str, content_hash: str, catalogue: Catalogue) -> list[Problem]:
    """The semantic problems of the parts of a ruleset that validate, when the whole does not."""
    data = copy.deepcopy(doc.data)
    set_aside: dict[tuple, set[int]] = {prefix: set() for prefix in LISTS}
    dropped_proportions: set[str] = set()
    table_damaged = False
    for _ in range(MAX_ROUNDS):
        working, kept = _without(data, set_aside)
        try:
            ruleset = Ruleset.model_validate(working)
            break
        except ValidationError as exc:
            for error in exc.errors():
                loc = clean_loc(error["loc"])
                where = _set_aside(data, loc, set_aside, dropped_proportions)
                if where is None:
                    return []  # a part the checks cannot do without: the field problems say enough
                table_damaged |= where == "table"
    else:
        return []
    loaded = LoadedRuleset(ruleset, _Renumbered(doc, working, kept), path, content_hash, catalogue)
    problems = check_ruleset(loaded) + _set_aside_condition_problems(doc, ruleset, catalogue, data, set_aside)
    rules_missing = bool(set_aside[("rules",)])

    def caused_by_what_was_set_aside(p: Problem) -> bool:
        row_never_chosen = p.code == "rule-never-fires" and p.message.startswith(ROW_NEVER_CHOSEN.split("'")[0])
        if table_damaged and (p.code in TABLE_CODES or row_never_chosen):
            return True
        if rules_missing and (p.code == "stage-without-default" or row_never_chosen):
            return True
        return p.code == "unknown-threshold" and any(p.message == f"unknown proportion '{n}'" for n in dropped_proportions)

    return [p for p in problems if not caused_by_what_was_set_aside(p)]


def _set_aside_condition_problems(doc: SourceDocument, ruleset: Ruleset, catalogue: Catalogue, data: dict[str, Any],
                                  set_aside: dict[DataPath, set[int]]) -> list[Problem]:
    """The conditions of a rule or limit that was set aside are still checked, when they validate."""
    measures = measure_catalogue(catalogue)
    problems = []
    for section in ("rules", "limits", "withhold"):
        for i in sorted(set_aside[(section,)]):
            item = data[section][i]
            try:
                conditions = _CONDITIONS.validate_python(item.get("when") if isinstance(item, dict) else None)
            except ValidationError:
                continue
            problems += condition_problems(doc, ruleset, measures, conditions, (section, i))
    return problems


def _set_aside(data: dict, loc: tuple, set_aside: dict, dropped_proportions: set) -> str | None:
    """Record what to set aside for one validation error; the kind of part, or None to give up."""
    for prefix in LISTS:
        n = len(prefix)
        if loc[:n] == prefix and len(loc) > n and isinstance(loc[n], int):
            set_aside[prefix].add(loc[n])
            return "table" if prefix[0] == "decision_table" else "item"
    if not loc:
        return None
    if loc[0] == "proportions" and len(loc) > 1 and isinstance(data.get("proportions"), dict):
        data["proportions"].pop(loc[1], None)
        dropped_proportions.add(str(loc[1]))
        return "item"
    if loc[0] == "decision_table" and len(loc) == 2 and loc[1] in TABLE_STAND_INS and isinstance(data.get("decision_table"), dict):
        data["decision_table"][loc[1]] = TABLE_STAND_INS[loc[1]]
        return "table"
    if loc[0] == "stages" and len(loc) == 3 and loc[2] in STAGE_STAND_INS and isinstance(data.get("stages"), dict) \
            and isinstance(data["stages"].get(loc[1]), dict):
        data["stages"][loc[1]][loc[2]] = STAGE_STAND_INS[loc[2]]
        return "item"
    if loc[0] == "judgement":
        data.pop("judgement", None)
        return "item"
    if loc[0] in STAND_INS:
        data[loc[0]] = copy.deepcopy(STAND_INS[loc[0]])
        return "item"
    return None


def _without(data: dict, set_aside: dict) -> tuple[dict, dict[tuple, list[int]]]:
    """A copy of data without the set-aside list items, and for each list the original index of each kept item."""
    working = copy.deepcopy(data)
    kept: dict[tuple, list[int]] = {}
    for prefix, indexes in set_aside.items():
        parent: Any = working
        for step in prefix[:-1]:
            parent = parent.get(step) if isinstance(parent, dict) else None
        items = parent.get(prefix[-1]) if isinstance(parent, dict) else None
        if isinstance(items, list):
            kept[prefix] = [i for i in range(len(items)) if i not in indexes]
            parent[prefix[-1]] = [items[i] for i in kept[prefix]]
    return working, kept
