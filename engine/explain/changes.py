"""Changes to a profile's evidence, for "why not band N": each family is one kind of edit to one piece
of evidence (more secondary schools good or better, an indicator brought in line with its comparators,
no areas for priority action), applied ``k`` times. The search in :mod:`engine.explain.why_not` tries them and
keeps what the engine, re-evaluating the changed profile, shows to work.
"""
from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..model.catalogue import Catalogue
from ..model.profile import GOOD_OR_BETTER, GRADES
from ..model.wording import counted

# One grade up and one grade down the inspection scale (GRADES, best first).
BETTER_GRADES = dict(zip(GRADES[1:], GRADES[:-1], strict=True))
WORSE_GRADES = dict(zip(GRADES[:-1], GRADES[1:], strict=True))


@dataclass(frozen=True)
class Family:
    """One kind of edit: ``apply(data, k)`` returns a changed copy of the profile data."""

    key: str
    affects: Callable[[str], bool]  # does this edit reach the named measure?
    limit: int  # the largest k that makes sense
    apply: Callable[[dict, int], dict]


def families(data: dict, catalogue: Catalogue, tolerance: float, *, better: bool) -> list[Family]:
    """Every edit of the profile's evidence in one direction: ``better`` raises grades, ``not better`` lowers them."""
    out: list[Family] = []
    for key, evidence in data.get("settings", {}).items():
        out += _setting_families(key, evidence, catalogue, better)
    for key, given in data.get("indicators", {}).items():
        family = _indicator_family(key, given, catalogue, tolerance, better)
        if family:
            out.append(family)
    out += _inspection_families(data, better)
    return out


def _settings_scope(key: str, catalogue: Catalogue) -> Callable[[str], bool]:
    group = catalogue.setting_types[key].group

    def affects(measure: str) -> bool:
        parts = measure.split(".")
        if parts[0] == "settings":
            return len(parts) == 2 or parts[1] == key
        return parts[0] == "groups" and parts[1] == group

    return affects


def _move(data: dict, key: str, moves: list[tuple[str, str]], k: int) -> dict:
    """Move k settings of type ``key`` between grades, taking from each source grade in turn."""
    changed = copy.deepcopy(data)
    counts = changed["settings"][key]["counts"]
    for source, target in moves:
        n = min(k, counts.get(source, 0))
        counts[source] = counts.get(source, 0) - n
        counts[target] = counts.get(target, 0) + n
        k -= n
    return changed


def _setting_families(key: str, evidence: dict, catalogue: Catalogue, better: bool) -> list[Family]:
    affects = _settings_scope(key, catalogue)
    if "grade" in evidence:
        steps = BETTER_GRADES if better else WORSE_GRADES
        grade, ladder = evidence["grade"], []
        while grade in steps:
            grade = steps[grade]
            ladder.append(grade)

        def set_grade(data: dict, k: int) -> dict:
            changed = copy.deepcopy(data)
            changed["settings"][key]["grade"] = ladder[k - 1]
            return changed

        return [Family(f"settings.{key}.grade", affects, len(ladder), set_grade)] if ladder else []
    counts = {g: evidence["counts"].get(g, 0) for g in GRADES}
    if better:
        raise_moves = [("satisfactory", "good"), ("inadequate", "good")]
        fewer_inadequate = [("inadequate", "satisfactory")]
        # Fewer inadequate first: where either edit satisfies a condition, it is the smaller change.
        plans = [("fewer_inadequate", fewer_inadequate, counts["inadequate"]),
                 ("good_or_better", raise_moves, counts["satisfactory"] + counts["inadequate"])]
    else:
        plans = [("fewer_good_or_better", [("good", "satisfactory"), ("outstanding", "satisfactory")], counts["good"] + counts["outstanding"]),
                 ("more_inadequate", [("satisfactory", "inadequate")], counts["satisfactory"])]
    return [Family(f"settings.{key}.{name}", affects, limit, functools.partial(_move_k, key, moves))
            for name, moves, limit in plans if limit > 0]


def _move_k(key: str, moves: list[tuple[str, str]], data: dict[str, Any], k: int) -> dict[str, Any]:
    return _move(data, key, moves, k)


def _indicator_family(key: str, given: dict, catalogue: Catalogue, tolerance: float, better: bool) -> Family | None:
    indicator = catalogue.indicators[key]
    comparators = [given[c] for c in ("similar_areas", "national") if given.get(c) is not None]
    if not comparators:
        return None
    higher = indicator.polarity == "higher"
    # The edge of "in line" on the side of each comparator that matters, as measures.py defines it.
    edges = [c - tolerance * (abs(c) or 1.0) if higher else c + tolerance * (abs(c) or 1.0) for c in comparators]
    if better:
        target = math.ceil(max(edges) * 10 - 1e-9) / 10 if higher else math.floor(min(edges) * 10 + 1e-9) / 10
        if (higher and given["value"] >= target) or (not higher and given["value"] <= target):
            return None
    else:
        target = math.floor(min(edges) * 10 - 1e-9) / 10 - 0.1 if higher else math.ceil(max(edges) * 10 + 1e-9) / 10 + 0.1
        if (higher and given["value"] <= target) or (not higher and given["value"] >= target):
            return None
    outcome = indicator.outcome

    def affects(measure: str) -> bool:
        parts = measure.split(".")
        return parts[0] == "indicators" or (parts[0] == "outcomes" and parts[1] == outcome) or (
            parts[0] == "indicator" and parts[1] == key)

    def set_value(data: dict, k: int) -> dict:
        changed = copy.deepcopy(data)
        changed["indicators"][key]["value"] = round(target, 1)
        return changed

    return Family(f"indicator.{key}.value", affects, 1, set_value)


def _inspection_families(data: dict, better: bool) -> list[Family]:
    out = []
    unannounced = data.get("unannounced_inspection")
    if unannounced is not None:
        count = unannounced.get("areas_for_priority_action", 0)
        limit = count if better else 3

        def priority(data: dict, k: int) -> dict:
            changed = copy.deepcopy(data)
            changed["unannounced_inspection"]["areas_for_priority_action"] = count - k if better else count + k
            return changed

        if limit:
            out.append(Family("unannounced_inspection.areas_for_priority_action",
                              lambda m: m.startswith("unannounced_inspection."), limit, priority))
    inspection = data.get("safeguarding_inspection")
    if inspection is not None:
        steps = BETTER_GRADES if better else WORSE_GRADES
        grade = steps.get(inspection["safeguarding"])
        if grade and grade != "outstanding":

            def safeguarding(data: dict, k: int) -> dict:
                changed = copy.deepcopy(data)
                changed["safeguarding_inspection"]["safeguarding"] = grade
                return changed

            out.append(Family("safeguarding_inspection.safeguarding", lambda m: m.startswith("safeguarding_inspection."), 1,
                              safeguarding))
    if better:
        out += _history_families(data)
    return out


def _reads_inspections(measure: str) -> bool:
    return measure.startswith(("inspections.", "safeguarding_inspection.", "unannounced_inspection."))


def _history_families(data: dict) -> list[Family]:
    """Better evidence in the dated history: areas for priority action resolved by the evidence date, and a full
    inspection graded one step better (the edits that lift the 2010 and 2011 caps)."""
    out = []
    evidence = data.get("evidence_date")
    for i, inspection in enumerate(data.get("inspections", [])):
        if inspection["kind"] == "unannounced inspection":
            actions = inspection.get("areas_for_priority_action") or []
            open_ = [j for j, a in enumerate(actions) if not a.get("resolved_on") or (evidence and a["resolved_on"] > evidence)]
            if open_:
                out.append(Family(f"inspections.{i}.areas_for_priority_action", _reads_inspections, len(open_),
                                  functools.partial(_resolve, i, open_, evidence or inspection["date"])))
        elif BETTER_GRADES.get(inspection["safeguarding"]) not in (None, "outstanding"):
            out.append(Family(f"inspections.{i}.safeguarding", _reads_inspections, 1,
                              functools.partial(_regrade, i, BETTER_GRADES[inspection["safeguarding"]])))
    return out


def _resolve(i: int, open_: list[int], when: str, data: dict, k: int) -> dict:
    """k of the inspection's open areas for priority action resolved on ``when`` (the evidence date)."""
    changed = copy.deepcopy(data)
    for j in open_[:k]:
        changed["inspections"][i]["areas_for_priority_action"][j]["resolved_on"] = when
    return changed


def _regrade(i: int, grade: str, data: dict, k: int) -> dict:
    changed = copy.deepcopy(data)
    changed["inspections"][i]["safeguarding"] = grade
    return changed


Unit = tuple[str, Any]  # ("settings", type) | ("indicators", id) | (inspection section, field) | ("inspections", index)
INSPECTION_FIELDS = (("unannounced_inspection", "areas_for_priority_action"), ("safeguarding_inspection", "safeguarding"))


def changed_units(before: dict, after: dict) -> list[Unit]:
    """The pieces of evidence that differ between two profiles, in profile order."""
    units: list[Unit] = [("settings", k) for k, v in after.get("settings", {}).items() if v != before["settings"][k]]
    units += [("indicators", k) for k, v in after.get("indicators", {}).items() if v != before["indicators"][k]]
    units += [(section, f) for section, f in INSPECTION_FIELDS
              if (after.get(section) or {}).get(f) != (before.get(section) or {}).get(f)]
    units += [("inspections", i) for i, inspection in enumerate(after.get("inspections", [])) if inspection != before["inspections"][i]]
    return units


def revert(after: dict, before: dict, unit: Unit) -> dict:
    """``after`` with one piece of evidence put back as it was in ``before``."""
    changed = copy.deepcopy(after)
    section, key = unit
    if section in ("settings", "indicators", "inspections"):
        changed[section][key] = copy.deepcopy(before[section][key])
    else:
        changed[section][key] = before[section][key]
    return changed


def step_back(after: dict, before: dict, unit: Unit) -> dict | None:
    """``after`` with one setting of a counted type moved back towards ``before``; None when there is none to move."""
    section, key = unit
    if section != "settings" or "counts" not in after[section][key]:
        return None
    new, old = after[section][key]["counts"], before[section][key]["counts"]
    gained = [g for g in GRADES if new.get(g, 0) > old.get(g, 0)]
    lost = [g for g in GRADES if new.get(g, 0) < old.get(g, 0)]
    if not gained or not lost:
        return None
    changed = copy.deepcopy(after)
    counts = changed[section][key]["counts"]
    counts[gained[0]] -= 1
    counts[lost[-1]] = counts.get(lost[-1], 0) + 1
    return changed


def describe_changes(before: dict, after: dict, catalogue: Catalogue) -> list[tuple[Unit, str]]:
    """The differences between two profiles' evidence, in a reviewer's words, each with the evidence it edits."""
    out: list[tuple[Unit, str]] = []
    for section, key in changed_units(before, after):
        if section == "settings":
            evidence, old, setting = after["settings"][key], before["settings"][key], catalogue.setting_types[key]
            if "grade" in evidence:
                out.append(((section, key), f"{setting.title} {evidence['grade']} instead of {old['grade']}"))
                continue
            new_counts, old_counts = evidence["counts"], old["counts"]
            total = sum(new_counts.get(g, 0) for g in GRADES)
            good_new = sum(new_counts.get(g, 0) for g in GOOD_OR_BETTER)
            good_old = sum(old_counts.get(g, 0) for g in GOOD_OR_BETTER)
            if good_new != good_old:
                out.append(((section, key), f"{good_new} of {total} {setting.plural} good or better instead of {good_old}"))
            if new_counts.get("inadequate", 0) != old_counts.get("inadequate", 0):
                out.append(((section, key), f"{new_counts.get('inadequate', 0)} of {total} {setting.plural} inadequate "
                                            f"instead of {old_counts.get('inadequate', 0)}"))
        elif section == "indicators":
            given, old = after["indicators"][key], before["indicators"][key]["value"]
            comparators = ", ".join(f"{c.replace('_', ' ')} {given[c]:g}" for c in ("similar_areas", "national")
                                    if given.get(c) is not None)
            out.append(((section, key), f"{key} ({catalogue.indicators[key].title}) {given['value']:g} instead of {old:g} "
                                        f"({comparators})"))
        elif section == "inspections":
            new, old = after["inspections"][key], before["inspections"][key]
            what = f"the {new['kind']} of {new['date']}"
            if new.get("safeguarding") != old.get("safeguarding"):
                out.append(((section, key), f"{what}: safeguarding {new['safeguarding']} instead of {old['safeguarding']}"))
            resolved = sum(a.get("resolved_on") != b.get("resolved_on") for a, b in
                           zip(new.get("areas_for_priority_action") or [], old.get("areas_for_priority_action") or [], strict=True))
            if resolved:
                out.append(((section, key), f"{what}: {counted(resolved, 'area')} for priority action resolved by the evidence date"))
        else:
            out.append(((section, key), f"{section.replace('_', ' ')}: {key.replace('_', ' ')} {after[section][key]} "
                                        f"instead of {before[section][key]}"))
    return out


def profile_data(profile: Any) -> dict:
    """A profile as plain data that :func:`families` can edit and the loader can read back."""
    return profile.model_dump(mode="json", exclude_none=True)
