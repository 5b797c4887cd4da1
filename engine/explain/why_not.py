"""Why not band N: the conditions that stand in the way, the limits that would still cap the band, and
the smallest changes to the evidence that reach band N, found by re-evaluating changed profiles.

The search is greedy and checked: for each condition in the way it tries every edit of the evidence
that reaches the condition's measure (engine.evidence_changes), keeps the smallest that satisfies it (or
the one that gets closest), and re-derives the measures after each; at the end the changed profile is
evaluated through the whole engine (durable-rules decides), and the answer says what that gave.
The answer as text is :mod:`engine.explain.text`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from ..decide.judgement import withheld_problem
from ..decide.pipeline import evaluate, evaluate_text
from ..errors import EngineError, Problem, ProfileError
from ..inference.compiled import Resolved, resolve
from ..load.profile import parse_profile
from ..load.yaml import read_text
from ..measures.derive import derive_batch
from ..model.loaded import LoadedRuleset
from ..model.profile import Profile
from ..model.ruleset import Row, Ruleset
from ..model.trace import Decision, Evidence
from .changes import Family, Unit, changed_units, describe_changes, families, profile_data, revert, step_back

MAX_ROUNDS = 6
MAX_STEPS = 40


@dataclass(frozen=True)
class Goal:
    """A condition that must come to hold (or, for a rule that must stop firing, to fail)."""

    owner: str  # the rule or limit id
    condition: Resolved

    def holds(self, measures: dict[str, Any]) -> bool:
        return self.condition.measure in measures and self.condition.holds(measures[self.condition.measure])

    def distance(self, measures: dict[str, Any]) -> float:
        """How far the measure is from satisfying the condition; 0 when it holds."""
        if self.holds(measures):
            return 0.0
        value = measures.get(self.condition.measure)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return float("inf") if value is None else 1.0
        gap = abs(value - self.condition.threshold)
        return gap + 1e-9  # strict operators: reaching the threshold is not yet enough


@dataclass(frozen=True)
class Obstacle:
    """A condition in the way, as the original evaluation saw it, and the change that satisfied it."""

    owner: str
    title: str
    evidence: Evidence
    change: list[tuple[Unit, str]]
    holds_after: bool | None = None  # in the changed profile the engine evaluated; None when no change was made


@dataclass
class WhyNot:
    authority: str
    band: int
    decision: Decision
    stages: list[tuple[str, int, int]]  # stage, grade now, grade needed
    row_id: str
    obstacles: list[Obstacle]
    capping_limits: list[Obstacle]
    changes: list[str]
    changed_profile: dict
    result: Decision | None
    other_ways: dict[str, list[str]]  # stage -> the other rules giving the grade needed, not the way followed

    @property
    def reached(self) -> bool:
        return self.result is not None and self.result.final_band == self.band


def why_not(profile_path: Path | str, band: int, ruleset_path: Path | str | None = None) -> WhyNot:
    evaluated = evaluate_text(read_text(profile_path, ProfileError), str(profile_path), ruleset_path)
    loaded, ruleset, decision = evaluated.profile, evaluated.ruleset, evaluated.decision
    off_scale = ruleset.ruleset.band_problem(band)
    if off_scale is not None:
        raise EngineError([ruleset.source.problem("band-not-on-scale", off_scale, ("scale",))])
    if decision.final_band is None:
        raise EngineError([withheld_problem(decision.withheld, loaded.source, f"there is no band to compare with band {band}")])
    if band == decision.final_band:
        other = band + 1 if band < max(decision.band_words) else band - 1
        raise EngineError([Problem("band-is-final", f"band {band} ({decision.band_words[band]}) is the band the profile "
                                   "already gets; ask why not another band", str(profile_path),
                                   suggestion=f"ask why not band {other}")])
    rules = ruleset.ruleset
    row, needed = _nearest_row(decision, rules, band)
    # A grade may be given by more than one rule (a second way to excellent): follow each way, and answer with the
    # one whose changes reach the band, fewest first; ties go to the rule declared first.
    search = _Search(ruleset, better=band > decision.final_band)
    answers = [(_search(search, loaded.profile, decision, band, needed, ways, row.id), ways)
               for ways in _ways(decision, rules, needed)]
    return min(answers, key=lambda found: _worse(*found))[0]


def _worse(answer: WhyNot, ways: dict[str, str]) -> tuple[bool, bool, bool, int]:
    """How far an answer falls short: not reaching the band, no change found, reaching it by a rule other than the
    way followed (its obstacles would not be what gave the band), then the number of changes."""
    other_way = answer.result is None or any(rule not in answer.result.fired_rules for rule in ways.values())
    return (not answer.reached, answer.result is None, other_way, len(answer.changes))


def _search(search: _Search, profile: Profile, decision: Decision, band: int, needed: dict[str, int],
            ways: dict[str, str], row_id: str) -> WhyNot:
    """The greedy search for band ``band``, through rule ``ways[stage]`` where a stage's grade must rise."""
    ruleset = search.ruleset
    rules = ruleset.ruleset
    data = original = profile_data(profile)
    obstacles: list[Obstacle] = []
    capping: list[Obstacle] = []
    current = decision
    first: list[Goal] = []
    for round_ in range(MAX_ROUNDS):
        grade_goals = _grade_goals(current, rules, needed, ways)
        limit_goals = _limit_goals(current, rules, band)
        if round_ == 0:
            obstacles = [_obstacle(goal, current, rules) for goal in grade_goals]
            capping = [_obstacle(goal, current, rules) for goal in limit_goals]
            first = grade_goals + limit_goals
        if not grade_goals and not limit_goals:
            break
        for goal in grade_goals + limit_goals:
            before = data
            data = search.satisfy(data, goal)
            _record(obstacles + capping, goal, describe_changes(original, data, ruleset.catalogue),
                    set(changed_units(before, data)))
        current = _evaluate_data(data, ruleset)
        if current.final_band == band:
            break
    if data is original:
        result = None
    elif current.final_band == band:
        data, current = _prune(original, data, current, band, ruleset)
        result = current
    else:
        result = current
    kept = set(changed_units(original, data))
    for obstacle in obstacles + capping:
        obstacle.change[:] = [(unit, text) for unit, text in obstacle.change if unit in kept]
    if result is not None:
        after = result.measure_values()
        obstacles, capping = ([replace(o, holds_after=goal.holds(after)) for o, goal in zip(group, goals, strict=True)]
                              for group, goals in ((obstacles, first[:len(obstacles)]), (capping, first[len(obstacles):])))
    others = {stage: [r.id for r in _giving(rules, stage, needed[stage]) if r.id != rule] for stage, rule in ways.items()}
    return WhyNot(decision.authority, band, decision, [(s, decision.grades[s], g) for s, g in needed.items()], row_id,
                  obstacles, capping, [text for _, text in describe_changes(original, data, ruleset.catalogue)], data, result,
                  {stage: ids for stage, ids in others.items() if ids})


def _prune(original: dict, data: dict, current: Decision, band: int, ruleset: LoadedRuleset) -> tuple[dict, Decision]:
    """Drop every change the band does not need: undo each piece of evidence in turn, else give back one setting
    at a time, and keep each undoing that the engine, evaluating the profile, shows still gives the band."""
    for unit in changed_units(original, data):
        attempt: dict | None = revert(data, original, unit)
        whole = True
        while attempt is not None:
            decision = _evaluate_data(attempt, ruleset)
            if decision.final_band != band:
                if not whole:
                    break
                whole = False
            else:
                data, current = attempt, decision
            attempt = step_back(data, original, unit)
    return data, current


def _nearest_row(decision: Decision, rules: Ruleset, band: int) -> tuple[Row, dict[str, int]]:
    """The decision-table row giving ``band`` that needs the least change of grades, and the grades it needs."""
    found = rules.nearest_grades(decision.grades, band)
    if found is None:
        raise EngineError([Problem("ruleset-invalid", f"no row of the decision table '{rules.decision_table.id}' gives band {band}")])
    return found


def _giving(rules: Ruleset, stage: str, grade: int) -> list[Any]:
    """The rules of ``stage`` that give ``grade``, in the order declared."""
    return [r for r in rules.rules if r.stage == stage and r.grade == grade]


def _ways(decision: Decision, rules: Ruleset, needed: dict[str, int]) -> list[dict[str, str]]:
    """Every choice of one rule per stage whose grade must rise, among the rules giving the grade needed."""
    choices: list[dict[str, str]] = [{}]
    for stage, grade in needed.items():
        if decision.grades[stage] < grade:
            choices = [{**chosen, stage: rule.id} for chosen in choices for rule in _giving(rules, stage, grade)]
    return choices


def _grade_goals(decision: Decision, rules: Ruleset, needed: dict[str, int], ways: dict[str, str]) -> list[Goal]:
    goals: list[Goal] = []
    for stage, grade in needed.items():
        now = decision.grades[stage]
        if now < grade:  # the rule chosen for the needed grade must fire: every condition of it that fails
            rule = next(r for r in _giving(rules, stage, grade) if r.id == ways[stage])
            goals += [Goal(rule.id, resolve(c, rules)) for c in rule.when]
        elif now > grade:  # every fired rule above the needed grade must stop firing: one condition each
            for rule in rules.rules:
                if (rule.stage == stage and rule.grade is not None and rule.grade > grade and rule.id in decision.fired_rules
                        and rule.when):
                    goals.append(Goal(rule.id, resolve(rule.when[0], rules).negated()))
    return goals


def _limit_goals(decision: Decision, rules: Ruleset, band: int) -> list[Goal]:
    """Limits that fire and would hold the band below ``band``: one condition of each must fail."""
    return [Goal(limit.id, resolve(limit.when[0], rules).negated()) for limit in rules.limits
            if limit.id in decision.fired_rules and limit.effect.apply(band, rules.lowest_band) < band]


def _obstacle(goal: Goal, decision: Decision, rules: Ruleset) -> Obstacle:
    values = decision.measure_values()
    c = goal.condition
    value = values.get(c.measure)
    titles = {r.id: r.title for r in rules.conditioned}
    evidence = Evidence(measure=c.measure, value=value, operator=c.operator, threshold=c.threshold,
                        threshold_name=c.threshold_name, holds=goal.holds(values))
    return Obstacle(goal.owner, titles[goal.owner], evidence, [])


def _record(obstacles: list[Obstacle], goal: Goal, changes: list[tuple[Unit, str]], edited: set[Unit]) -> None:
    """The changes made for a goal, as they stand against the original profile."""
    for obstacle in obstacles:
        if obstacle.owner == goal.owner and obstacle.evidence.measure == goal.condition.measure and not obstacle.change:
            obstacle.change.extend((unit, text) for unit, text in changes if unit in edited)


def _evaluate_data(data: dict, ruleset: LoadedRuleset) -> Decision:
    loaded = parse_profile(yaml.safe_dump(data, sort_keys=False), "<changed profile>", ruleset.catalogue, ruleset)
    return evaluate(loaded, ruleset)


class _Search:
    """Greedy search over edits of the evidence, judged by the engine's own measures."""

    def __init__(self, ruleset: LoadedRuleset, *, better: bool):
        self.ruleset = ruleset
        self.better = better
        self._memo: dict[str, dict[str, Any]] = {}

    def measures(self, data: dict) -> dict[str, Any]:
        key = json.dumps(data, sort_keys=True, default=str)
        if key not in self._memo:
            profile = Profile.model_validate(data)
            self._memo[key] = derive_batch([profile], self.ruleset.catalogue, self.ruleset.ruleset.comparison).values(0)
        return self._memo[key]

    def families(self, data: dict) -> list[Family]:
        return families(data, self.ruleset.catalogue, self.ruleset.ruleset.comparison.indicator_tolerance, better=self.better)

    def satisfy(self, data: dict, goal: Goal) -> dict:
        distance = goal.distance(self.measures(data))
        options = self._scan(data, goal, distance) if distance else []
        for _ in range(MAX_STEPS):
            if distance == 0 or not options:
                break
            # One that satisfies the condition with the fewest settings or values changed; else the most progress per change.
            done = [o for o in options if o[2] == 0]
            k, key, new_distance = min(done, key=lambda o: o[0]) if done else max(options, key=lambda o: (distance - o[2]) / o[0])
            data, distance = self._family(data, key).apply(data, k), new_distance
            # The other edits, tried again from the changed profile; scan afresh only when none still helps.
            options = [o for o in (self._retry(data, goal, distance, o) for o in options if o[1] != key) if o]
            if distance and not options:
                options = self._scan(data, goal, distance)
        return data

    def _family(self, data: dict, key: str) -> Family:
        return next(f for f in self.families(data) if f.key == key)

    def _retry(self, data: dict, goal: Goal, distance: float, option):
        k, key, _ = option
        family = next((f for f in self.families(data) if f.key == key), None)
        if family is None:
            return None
        k = min(k, family.limit)
        found = goal.distance(self.measures(family.apply(data, k)))
        return (k, key, found) if found < distance else None

    def _scan(self, data: dict, goal: Goal, distance: float):
        options = []
        for family in self.families(data):
            if family.affects(goal.condition.measure):
                found = self._smallest_progress(data, family, goal, distance)
                if found:
                    options.append(found)
        return options

    def _smallest_progress(self, data: dict, family: Family, goal: Goal, distance: float):
        """The smallest k for which the family's edit brings the measure closer; None if even the largest does not."""
        if goal.distance(self.measures(family.apply(data, family.limit))) >= distance:
            return None
        low, high = 0, 1  # grow the step until it helps, then narrow it down
        while high < family.limit and goal.distance(self.measures(family.apply(data, high))) >= distance:
            low, high = high, min(family.limit, high * 2)
        while high - low > 1:
            mid = (low + high) // 2
            if goal.distance(self.measures(family.apply(data, mid))) < distance:
                high = mid
            else:
                low = mid
        return high, family.key, goal.distance(self.measures(family.apply(data, high)))
