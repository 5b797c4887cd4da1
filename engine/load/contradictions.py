"""Where two parts of a profile must agree, and are refused (located) when they do not.

- Each inspection in the history carries the fields of its kind: a full inspection its grades, an unannounced
  inspection its findings.
- A single ``safeguarding_inspection`` or ``unannounced_inspection`` given beside a history of that family is
  the history's latest inspection of the family at the evidence date (engine.model.inspections).
- Dates keep their order: no area for priority action resolved before it was found, no inspection of one kind
  given twice on one date; the letter and evidence dates against each other and the assessment year (the
  evidence date no later than the ruleset's evidence policy allows) are engine.check.dates'.
- A setting type given with its parts (children's homes and council-run children's homes) has the parts' sum.
"""
from __future__ import annotations

from typing import Any

from ..check.dates import date_problems
from ..errors import Problem
from ..model.catalogue import Catalogue
from ..model.inspections import FULL, UNANNOUNCED_FAMILY, Held, at_evidence_date, latest
from ..model.profile import CHILDRENS_SERVICES_ASSESSMENT, GRADES, Profile
from ..model.ruleset import EvidencePolicy
from ..model.source import SourceDocument

FULL_ONLY = ("safeguarding", "looked_after_children", "judgements")
UNANNOUNCED_ONLY = ("strengths", "areas_for_development", "areas_for_priority_action", "effective_action_to_safeguard")
# Counts a profile may leave unstated (not none): one the single field leaves out contradicts nothing. One the single
# field states and the history leaves out is refused: the measures and the letter read the history, so it would be lost.
MAY_BE_UNSTATED = ("strengths", "areas_for_development")


def history_problems(profile: Profile, doc: SourceDocument, evidence: EvidencePolicy | None = None) -> list[Problem]:
    problems = []
    seen: dict[tuple[str, Any], int] = {}
    for i, inspection in enumerate(profile.inspections):
        at = ("inspections", i)
        wrong = UNANNOUNCED_ONLY if inspection.full else FULL_ONLY
        for name in wrong:
            if getattr(inspection, name) not in (None, {}):
                problems.append(doc.problem("profile-invalid", f"inspections.{i}: {_a(inspection.kind)} has no '{name}'",
                                            at + (name,), key=True))
        if inspection.full and inspection.safeguarding is None:
            problems.append(doc.problem("profile-invalid", f"inspections.{i}: {_a(inspection.kind)} needs its 'safeguarding' grade", at))
        key = (inspection.kind, inspection.date)
        if key in seen:
            problems.append(doc.problem("profile-contradiction", f"inspections.{i}: the {inspection.kind} of {inspection.date} is given "
                                        f"twice (first as inspections.{seen[key]})", at + ("date",)))
        seen.setdefault(key, i)
        for j, action in enumerate(inspection.areas_for_priority_action or []):
            if action.resolved_on is not None and action.resolved_on < inspection.date:
                problems.append(doc.problem("profile-contradiction", f"an area for priority action resolved on {action.resolved_on}, before "
                                            f"the inspection of {inspection.date} that found it",
                                            at + ("areas_for_priority_action", j, "resolved_on")))
    problems += _rating_history_problems(profile, doc)
    problems += date_problems(profile, doc, evidence)
    if problems:
        return problems  # the history itself is unsound: comparing the single fields with it would mislead
    return _single_field_problems(profile, doc)


def _rating_history_problems(profile: Profile, doc: SourceDocument) -> list[Problem]:
    """A notice to improve is lifted after it was served; earlier ratings are earlier, once a year each, and last
    year's band agrees with ``previous_band``."""
    problems = []
    notice = profile.notice_to_improve
    if notice is not None and notice.lifted_on is not None and notice.lifted_on < notice.served_on:
        problems.append(doc.problem("profile-contradiction", f"the notice to improve is lifted on {notice.lifted_on}, before it was "
                                    f"served on {notice.served_on}", ("notice_to_improve", "lifted_on")))
    first: dict[int, int] = {}
    for i, rating in enumerate(profile.previous_ratings):
        at = ("previous_ratings", i)
        if rating.year >= profile.year:
            problems.append(doc.problem("profile-contradiction", f"previous_ratings.{i}: {rating.year} is not before the assessment "
                                        f"year {profile.year}", at + ("year",)))
        if rating.year in first:
            problems.append(doc.problem("profile-contradiction", f"previous_ratings.{i}: {rating.year} is given twice (first as "
                                        f"previous_ratings.{first[rating.year]})", at + ("year",)))
        first.setdefault(rating.year, i)
        if (rating.year == profile.year - 1 and rating.assessment == CHILDRENS_SERVICES_ASSESSMENT
                and profile.previous_band is not None and rating.band != profile.previous_band):
            problems.append(doc.problem("profile-contradiction", f"previous_ratings.{i}: the band of {rating.year} is {rating.band}, "
                                        f"but previous_band says {profile.previous_band}", at + ("band",)))
    return problems


def _a(kind: str) -> str:
    """'an unannounced inspection', 'a joint area review'."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _single_field_problems(profile: Profile, doc: SourceDocument) -> list[Problem]:
    problems = []
    counted = at_evidence_date(profile)
    history = [h for h in counted if h.source[0] == "inspections"]
    full, unannounced = profile.safeguarding_inspection, profile.unannounced_inspection
    if full is not None and any(i.full for i in profile.inspections):
        given = {"kind": full.kind, "year": full.year, "safeguarding": full.safeguarding,
                 "looked_after_children": full.looked_after_children}
        # A judgement given in the single field is the history's; one given in the history alone is not contradicted.
        given.update((f"judgements.{name}", grade) for name, grade in full.judgements.items())
        problems += _agrees("safeguarding_inspection", given, latest(history, FULL), doc, profile)
    if unannounced is not None and any(not i.full for i in profile.inspections):
        given = {"year": unannounced.year, "strengths": unannounced.strengths,
                 "areas_for_development": unannounced.areas_for_development,
                 "areas_for_priority_action": unannounced.areas_for_priority_action}
        if unannounced.effective_action_to_safeguard is not None:
            given["effective_action_to_safeguard"] = unannounced.effective_action_to_safeguard
        problems += _agrees("unannounced_inspection", given, latest(history, UNANNOUNCED_FAMILY), doc, profile)
    return problems


def _agrees(field: str, given: dict[str, Any], held: Held | None, doc: SourceDocument, profile: Profile) -> list[Problem]:
    at_date = f" at the evidence date {profile.evidence_date}" if profile.evidence_date else ""
    if held is None:
        return [doc.problem("profile-contradiction", f"{field} is given, but 'inspections' holds no inspection of its family{at_date}: "
                            "the history must hold it too", (field,), key=True)]
    recorded = {"kind": held.kind, "year": held.year, "safeguarding": held.safeguarding,
                "looked_after_children": held.looked_after_children, "strengths": held.strengths,
                "areas_for_development": held.areas_for_development, "areas_for_priority_action": len(held.priority_actions),
                "effective_action_to_safeguard": held.effective_action_to_safeguard,
                **{f"judgements.{name}": grade for name, grade in held.judgements}}
    def says(name: str) -> str:
        if recorded.get(name) is None:  # refused, not a count left out: say why (MAY_BE_UNSTATED)
            return ("does not state it; the measures and the letter read the history, so the single field's statement "
                    "would otherwise be lost")
        return f"says {recorded.get(name)!r}"

    return [doc.problem("profile-contradiction", f"{field}.{name} is {value!r}, but the latest such inspection in 'inspections'{at_date} "
                        f"({'.'.join(map(str, held.source))}, {held.when()}) {says(name)}", (field, *name.split(".")))
            for name, value in given.items()
            if value != recorded.get(name) and not (name in MAY_BE_UNSTATED and value is None)]


def setting_part_problems(profile: Profile, doc: SourceDocument, catalogue: Catalogue) -> list[Problem]:
    """A whole given with its parts must count the same settings as the parts together."""
    problems = []
    for whole, evidence in profile.settings.items():
        if whole not in catalogue.setting_types or evidence.counts is None:
            continue
        parts = [p for p in catalogue.parts(whole) if p in profile.settings and profile.settings[p].counts is not None]
        if not parts:
            continue
        summed = {g: sum(getattr(profile.settings[p].counts, g) for p in parts) for g in GRADES}
        own = evidence.counts.model_dump()
        if own != summed:
            listed = ", ".join(parts)
            problems.append(doc.problem("profile-contradiction", f"settings.{whole} counts {own} but its parts ({listed}) add up to {summed}; "
                                        "give the parts alone, or a whole that is their sum", ("settings", whole, "counts")))
    return problems
