"""What a report shows first, as plain rows for each medium: the rules that decided the band, what would change
it (the next band up and down), and the inputs the rules and limits read that the evidence tables do not show.

Computed from the decision's trace alone (durable-rules decided which rules fired; the first failing condition of
each rule that did not fire is in the trace). The smallest changes that reach a band are a search:
``engine explain PROFILE --why-not N``; tests/test_report.py checks the two name the same obstacles.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..model.profile import Profile
from ..model.ruleset import Limit, Rule, Ruleset, Withhold
from ..model.trace import Decision
from ..model.wording import counted, failing_text, needs_text, value_text


@dataclass(frozen=True)
class Deciding:
    """One rule that decided: a stage's grade, the decision-table row, a binding limit, a withhold rule, a judgement."""

    part: str  # "grade", "row", "limit", "withheld", "judgement"
    id: str
    title: str
    because: str


@dataclass
class Change:
    """What stands between the final band and ``band``: each line a rule or limit and the condition in the way."""

    band: int
    words: str
    lines: list[str] = field(default_factory=list)


def deciding_rules(d: Decision, ruleset: Ruleset) -> list[Deciding]:
    """The rules the band rests on, in the order they act."""
    if not d.rated:
        return [Deciding("withheld", r.rule_id, r.title, r.because) for r in d.withheld]
    fired = {e.rule_id: e for e in d.events("rule_fired")}
    out = [Deciding("grade", e.rule_id, f"{ruleset.stages[e.stage].title}: grade {e.grade}", fired[e.rule_id].because)
           for e in d.events("grade_assigned")]
    for combined in d.events("band_combined"):
        grades = ", ".join(f"{stage} {grade}" for stage, grade in combined.grades.items())
        out.append(Deciding("row", combined.row_id, f"{ruleset.decision_table.title}: {grades}",
                            f"proposed band {combined.band} ({d.band_words[combined.band]})"))
    out += [Deciding("limit", limit.limit_id, limit.title, f"{limit.band_before} → {limit.band_after}: {limit.because}")
            for limit in d.limits if limit.binding]
    if d.judgement is not None:
        j = d.judgement
        out.append(Deciding("judgement", j.assessor, f"professional judgement: {d.limited_band} → {j.band}", j.reason))
    return out


def what_would_change(d: Decision, ruleset: Ruleset) -> list[Change]:
    """For the band above and the band below the final one: the conditions in the way, from the trace."""
    if not d.rated or d.final_band is None or d.proposed_band is None:
        return []
    out = []
    if d.final_band + 1 in d.band_words:
        out.append(_up(d, ruleset, d.final_band + 1))
    if d.final_band - 1 in d.band_words:
        out.append(_down(d, d.final_band - 1))
    return out


def _up(d: Decision, ruleset: Ruleset, band: int) -> Change:
    change = Change(band, d.band_words[band])
    add = change.lines.append
    assert d.proposed_band is not None
    if d.proposed_band < band:
        rows = [row for row in ruleset.decision_table.rows if row.band >= band]
        if rows:
            def shortfall(row) -> int:
                return sum(max(0, min(grades) - d.grades.get(stage, 0)) for stage, grades in row.grades.items())

            row = min(rows, key=shortfall)
            add(f"decision-table row {row.id} gives band {row.band}: "
                + ", ".join(f"{stage} grade {'/'.join(str(g) for g in grades)}" for stage, grades in row.grades.items()))
            not_fired = {e.rule_id: e for e in d.events("rule_not_fired")}
            for stage, grades in row.grades.items():
                now = d.grades.get(stage)
                if now in grades:
                    continue
                need = min(g for g in grades if now is None or g > now) if any(now is None or g > now for g in grades) else min(grades)
                for rule in ruleset.rules:
                    if rule.stage == stage and rule.grade == need and rule.id in not_fired:
                        event = not_fired[rule.id]
                        add(f"{stage} grade {now} needs {need}: rule {rule.id} ({rule.title}) fails at "
                            f"{failing_text(event.failing, event.failing.value)}")
    for limit in d.limits:
        if limit.band_after < band:
            add(f"limit {limit.limit_id} ({limit.title}) holds the band at {limit.band_after}: {limit.because}")
    if d.judgement is None and d.judgement_warranted:
        add("a professional judgement, where the ruleset allows one: " + "; ".join(d.judgement_warranted))
    return change


def _down(d: Decision, band: int) -> Change:
    change = Change(band, d.band_words[band] + " or below")
    add = change.lines.append
    for event in d.events("rule_not_fired"):
        if event.stage == "limits":
            add(f"limit {event.rule_id} ({event.title}) applies if {event.failing.measure} is {needs_text(event.failing)} "
                f"(now {value_text(event.failing.value)})")
    rules = [f"{e.stage} grade {e.grade} on rule {e.rule_id}" for e in d.events("grade_assigned")]
    if rules:
        add("a lower grade where a condition of the rule it rests on fails: " + "; ".join(rules) + " (conditions under Reasons)")
    return change


@dataclass(frozen=True)
class Read:
    measure: str
    value: str
    read_by: list[str]


def measures_read(d: Decision, ruleset: Ruleset) -> list[Read]:
    """Every measure a rule, limit or withhold rule reads, its value for this profile, and which read it."""
    readers: dict[str, list[str]] = {}
    every: list[Rule | Limit | Withhold] = [*ruleset.rules, *ruleset.limits, *ruleset.withhold]
    for item in every:
        for condition in item.when:
            readers.setdefault(condition.measure, []).append(item.id)
    values = d.measure_values()
    return [Read(name, value_text(values.get(name)) if name in values else "no data", sorted(set(by)))
            for name, by in sorted(readers.items())]


def inspection_rows(profile: Profile) -> list[tuple[str, str]]:
    """The safeguarding and unannounced inspections (and the history and any pending inspection) as label, text."""
    out = []
    s = profile.safeguarding_inspection
    if s is not None:
        looked_after = f", looked after children {s.looked_after_children}" if s.looked_after_children else ""
        out.append(("Safeguarding inspection", f"{s.kind} {s.year}: safeguarding {s.safeguarding}{looked_after}{_sub_judgements(s.judgements)}"))
    u = profile.unannounced_inspection
    if u is not None:
        out.append(("Unannounced inspection", f"{u.year}: " + _findings(u.strengths, u.areas_for_development, u.areas_for_priority_action,
                                                                       u.effective_action_to_safeguard, u.summary)))
    for i in profile.inspections:
        if i.full:
            looked_after = f", looked after children {i.looked_after_children}" if i.looked_after_children else ""
            out.append(("Inspection", f"{i.kind} {i.date.isoformat()}: safeguarding {i.safeguarding}{looked_after}{_sub_judgements(i.judgements)}"))
        else:
            areas = i.areas_for_priority_action or []
            resolved = [a.resolved_on.isoformat() for a in areas if a.resolved_on]
            text = _findings(i.strengths, i.areas_for_development, len(areas), i.effective_action_to_safeguard, i.summary)
            if areas:
                text += f" ({len(resolved)} resolved" + (f": {', '.join(resolved)}" if resolved else "") + ")"
            out.append(("Inspection", f"{i.kind} {i.date.isoformat()}: {text}"))
    if profile.pending_inspection is not None:
        p = profile.pending_inspection
        out.append(("Pending inspection", f"{p.kind}, {p.date.isoformat()}" + (f": {p.note}" if p.note else "")))
    return out


def _sub_judgements(judgements: Mapping[str, str]) -> str:
    """'; capacity for improvement good, ...': a full inspection's other judgements, where given."""
    given = [f"{name.replace('_', ' ')} {grade}" for name, grade in judgements.items()]
    return "; " + ", ".join(given) if given else ""


def record_rows(profile: Profile) -> list[tuple[str, str]]:
    """The notice to improve and the earlier years' ratings, as label, text: recorded and shown beside the decision
    (no shipped ruleset weighs them: docs/profile-format.md, "Facts recorded, not weighed")."""
    out = []
    notice = profile.notice_to_improve
    if notice is not None:
        state = "in force at the evidence date" if notice.in_force(profile.evidence_date) else "not in force at the evidence date"
        if profile.evidence_date is None:
            state = "in force" if notice.lifted_on is None else "lifted"
        out.append(("Notice to improve", f"served {notice.served_on.isoformat()}"
                    + (f", lifted {notice.lifted_on.isoformat()}" if notice.lifted_on else "") + f"; {state}"
                    + (f". {notice.note}" if notice.note else "")))
    for rating in sorted(profile.previous_ratings, key=lambda r: r.year):
        out.append((f"Rating {rating.year}", f"{rating.assessment}: {rating.band}" + (f". {rating.note}" if rating.note else "")))
    return out


def _findings(strengths: int | None, development: int | None, priority: int, effective: bool | None, summary: str | None) -> str:
    """The findings the profile gives: a count it does not state (None) is not said, 0 is ('0 strengths')."""
    action = {True: "; effective action is taken to safeguard children", False: "; effective action is not judged taken", None: ""}[effective]
    counts = [counted(strengths, "strength") if strengths is not None else None,
              counted(development, "area for development", "areas for development") if development is not None else None,
              counted(priority, "area for priority action", "areas for priority action")]
    return ", ".join(c for c in counts if c is not None) + action + (f". {summary}" if summary else "")


def gap_rows(profile: Profile) -> list[tuple[str, str, str, str, str]]:
    """The vulnerable groups' attainment gaps: group, stage, gap, national gap, trend."""
    return [(g.group.replace("_", " "), g.stage.replace("_", " "), value_text(g.gap), value_text(g.national_gap), g.trend or "")
            for g in profile.vulnerable_gaps]
