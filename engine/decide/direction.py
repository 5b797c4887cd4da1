"""Direction of travel: this year's final band against last year's published band, and what in this year's
decision made the difference.

Last year's evidence is not in the profile, only last year's band; so the explanation compares this year's
decision with what last year's band would need under this year's rules:

- fallen: the limit that took the band below last year's (and any other fired limit that would hold it there);
  else the decision-table row and the rules that set each grade below what the nearest row giving last year's
  band needs;
- risen: the row and the rules that set each grade above what that nearest row needs, and which limits that
  would have held the band at last year's or below did not apply;
- a professional judgement that moved the band across last year's is named too.
"""
from __future__ import annotations

from ..model.ruleset import Ruleset
from ..model.trace import Decision, Direction, DirectionOfTravel
from ..model.wording import band_text


def direction_word(previous: int | None, band: int | None) -> Direction | None:
    """``risen``, ``held`` or ``fallen`` from last year's band to this year's; None without both bands."""
    if previous is None or band is None:
        return None
    return "held" if band == previous else "risen" if band > previous else "fallen"


def direction_of_travel(decision: Decision, ruleset: Ruleset) -> DirectionOfTravel | None:
    previous, band = decision.previous_band, decision.final_band
    direction = direction_word(previous, band)
    if previous is None or band is None or direction is None or decision.proposed_band is None or decision.limited_band is None:
        return None
    words = decision.band_words
    if direction == "held":
        return DirectionOfTravel(previous_band=previous, band=band, direction=direction, made_the_difference=[],
                                 because=f"The band held at {band_text(band, words)}, last year's band.")
    made: list[str] = []
    clauses: list[str] = []
    reasons: list[str] = []
    judgement = decision.judgement
    if judgement is not None and (decision.limited_band < previous) != (band < previous):
        made.append("judgement")
        clauses.append(f"the professional judgement of {judgement.assessor} moved it from {decision.limited_band} to {band}")
    if direction == "fallen" and decision.limited_band < previous <= decision.proposed_band:
        crossed = next(limit for limit in decision.limits if limit.band_before >= previous > limit.band_after)
        also = [limit for limit in decision.limits if limit is not crossed and limit.band_after < previous]
        made += [crossed.limit_id] + [limit.limit_id for limit in also]
        clauses.append(f"limit {crossed.limit_id} took it from {crossed.band_before} to {crossed.band_after}"
                       + (f" ({', '.join(limit.limit_id for limit in also)} would hold it there too)" if also else "")
                       + f"; the grades alone give {decision.proposed_band}")
        reasons += [crossed.because] + [limit.because for limit in also]
    elif (direction == "fallen" and decision.proposed_band < previous) or (direction == "risen" and decision.limited_band > previous):
        grade_made, grade_clause, grade_reasons = _grades(decision, ruleset, previous, below=direction == "fallen")
        made += grade_made
        clauses.append(grade_clause)
        reasons += grade_reasons
        if direction == "risen":
            held = [limit.id for limit in ruleset.limits
                    if limit.id not in decision.fired_rules and limit.effect.apply(decision.proposed_band, ruleset.lowest_band) <= previous]
            if held:
                clauses.append(f"no limit that would hold it at {previous} or below applied ({', '.join(held)})")
    change = "rose" if direction == "risen" else "fell"
    because = (f"The band {change} from {band_text(previous, words)} last year to {band_text(band, words)}: "
               + "; ".join(clauses) + ".")
    return DirectionOfTravel(previous_band=previous, band=band, direction=direction, made_the_difference=list(dict.fromkeys(made)),
                             because=because, reasons=reasons)


def _grades(decision: Decision, ruleset: Ruleset, previous: int, *, below: bool) -> tuple[list[str], str, list[str]]:
    """The row and the rules behind each grade that differs, the wrong way, from the nearest row giving last year's band."""
    combined = decision.events("band_combined")[0]
    nearest = ruleset.nearest_grades(decision.grades, previous)
    rule_of = {e.stage: e.rule_id for e in decision.events("grade_assigned")}
    because = {e.rule_id: e.because for e in decision.events("rule_fired")}
    if nearest is None:
        return [combined.row_id], f"decision table row {combined.row_id} gives {decision.proposed_band}; no row gives {previous}", []
    row, needed = nearest
    differing = [stage for stage, grade in decision.grades.items() if (grade < needed[stage] if below else grade > needed[stage])]
    grades = " x ".join(f"{stage} {grade}" for stage, grade in needed.items())
    rules = ", ".join(f"{stage} grade {decision.grades[stage]} from rule {rule_of[stage]}" for stage in differing)
    clause = (f"decision table row {combined.row_id} gives {decision.proposed_band}, and the nearest grades that give {previous} "
              f"({grades}, row {row.id}) differ in {rules}")
    return [combined.row_id] + [rule_of[s] for s in differing], clause, [because[rule_of[s]] for s in differing]
