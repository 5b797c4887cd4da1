"""The answer to "why not band N" as a reviewer reads it."""
from __future__ import annotations

from pathlib import Path

from ..model.wording import band_text, needs_text, value_text
from ..render.escape import terminal
from .why_not import Obstacle, why_not


def explain_why_not(profile_path: Path | str, band: int, ruleset_path: Path | str | None = None) -> str:
    answer = why_not(profile_path, band, ruleset_path)
    d = answer.decision
    words = d.band_words
    assert d.final_band is not None and d.proposed_band is not None, "why_not refuses a withheld rating"
    out = [f"Why not band {band_text(band, words)} for {terminal(answer.authority)}?",
           f"The final band is {band_text(d.final_band, words)}; the proposed band was {band_text(d.proposed_band, words)}.",
           f"Ruleset {terminal(d.ruleset.named())}.", ""]
    needs = ", ".join(f"{stage} grade {want}" for stage, _, want in answer.stages)
    out.append(f"Band {band} comes from decision table row {answer.row_id}: {needs}.")
    for stage, now, want in answer.stages:
        if now != want:
            out.append(f"  {stage} grade is {now}; needs {want}")
    for stage, others in answer.other_ways.items():
        best = "reaches the band with the fewest changes" if answer.reached else "comes nearest"
        out.append(f"  {stage} grade {dict((s, w) for s, _, w in answer.stages)[stage]} is given by other rules too "
                   f"({', '.join(others)}): each way was tried, and this answer follows the one that {best}")
    out += ["", "What stands in the way"]
    if not answer.obstacles:
        out.append("  nothing in the grades: the grades already give the band")
    for o in answer.obstacles:
        out += _obstacle_lines(o)
    out += ["", "Limits that would still cap the band"]
    if not answer.capping_limits:
        out.append("  none")
    for o in answer.capping_limits:
        out += _obstacle_lines(o)
    out += [""]
    if answer.result is None:
        out.append("No change to the evidence was found that moves the band.")
    else:
        r = answer.result
        assert r.final_band is not None, "a changed profile's rating is withheld only if the original's was"
        verdict = "reaches" if answer.reached else "does not reach"
        out.append(f"Changes that, applied together, give band {band_text(r.final_band, words)} "
                   f"(proposed {r.proposed_band}; the changed profile evaluated through the engine {verdict} band {band}):")
        out += [f"  - {c}" for c in answer.changes]
    return "\n".join(out) + "\n"


def _obstacle_lines(o: Obstacle) -> list[str]:
    e = o.evidence
    lines = [f"  {o.owner} ({terminal(o.title)}): {e.measure} = {value_text(e.value)}; needs {needs_text(e)}"
             + ("" if not e.holds else " (holds now)")]
    if e.holds:
        return lines
    if o.change:
        return lines + [f"      smallest change: {text}" for _, text in o.change]
    if o.holds_after:
        return lines + ["      (satisfied by the changes made for earlier conditions)"]
    return lines + ["      (no change found satisfies it)"]
