"""The decision as plain text for a terminal: headline, grades with reasons, limits, what did not fire.

Text that came from a file (the authority's name, the assessor and reason, the ruleset's titles and
sentences) goes through :func:`engine.render.escape.terminal`: it cannot start a line of its own.
"""
from __future__ import annotations

import json
from collections.abc import Callable

from ..model.measures import recorded_not_weighed
from ..model.trace import Decision
from ..model.wording import band_text, counted, evidence_text, failing_text, value_text
from .escape import terminal

VALUE_COLUMN = " " * 18  # where the values of the headline lines begin: "  Proposed band   "


def render_text(decision: Decision, *, full: bool = False) -> str:
    """The decision for a terminal: the bands, the rules behind each, the findings (fired rules of stages that
    set no grade), what did not fire and why, and with ``full`` every derived measure."""
    d, words = decision, decision.band_words
    out: list[str] = []
    add = out.append
    add(f"Children's services annual rating {d.year}: {terminal(d.authority)}")
    add(f"Ruleset {terminal(d.ruleset.named())}, sha256 {d.ruleset.content_hash[:12]}"
        + ("; a transitional year" if d.ruleset.transitional else "") + f"; input sha256 {d.input_hash[:12]}")
    add("")
    if d.rated:
        _bands(d, add)
    else:
        add("  Status          withheld: no band is published")
        for reason in d.withheld:
            add(f"  Withheld by     {reason.rule_id}: {terminal(reason.because, VALUE_COLUMN)}")
    if d.direction is not None:
        add(f"  Since last year {d.direction.direction} ({d.direction.previous_band} -> {d.direction.band}): {terminal(d.direction.because, VALUE_COLUMN)}")
    elif d.previous_band is not None:
        add(f"  Since last year last year's band was {band_text(d.previous_band, words)}; no band this year to compare")
    recorded = [e for e in d.events("measure_derived") if recorded_not_weighed(e.measure)]
    for event in recorded:  # shown beside the bands, read by no rule of the shipped rulesets
        add(f"  On record       {event.measure} = {value_text(event.value)}   {terminal(inputs_text(event.inputs), VALUE_COLUMN)}")
    if d.judgement_warranted:
        add("")
        add("Judgement may be warranted:")
        for note in d.judgement_warranted:
            add(f"  - {note}")

    fired = {e.rule_id: e for e in d.events("rule_fired")}
    add("")
    add("Why")
    for event in d.events("grade_assigned"):
        rule = fired[event.rule_id]
        add(f"  {event.stage} grade {event.grade}, from rule {rule.rule_id} ({terminal(rule.title)}; hit policy: {event.hit_policy}):")
        add(f"    {terminal(rule.because, '    ')}")
        for e in rule.evidence:
            add(f"      {evidence_text(e, e.value, e.holds)}")
    for combined in d.events("band_combined"):
        add(f"  proposed band {d.proposed_band}, from decision table row {combined.row_id} (hit policy: {combined.hit_policy})")
    for event in d.events("limit_applied"):
        add(f"  limit {event.limit_id} ({terminal(event.title)}): {event.band_before} -> {event.band_after}"
            + ("" if event.binding else f" (binds too: on its own it would hold the band at {d.limited_band})"
               if event.holds_alone else " (not binding)"))
        add(f"    {terminal(event.because, '    ')}")
        for e in event.evidence:
            add(f"      {evidence_text(e, e.value, e.holds)}")
    for event in d.events("rating_withheld"):
        add(f"  withheld by {event.rule_id} ({event.title}):")
        add(f"    {event.because}")
        for e in event.evidence:
            add(f"      {evidence_text(e, e.value, e.holds)}")

    graded = {e.stage for e in d.events("grade_assigned")}
    findings = [e for e in fired.values() if e.stage not in graded]
    if findings:
        add("")
        add("Findings")
        for event in findings:
            add(f"  {event.rule_id}: {terminal(event.because)}")

    not_fired = d.events("rule_not_fired")
    if not_fired:
        add("")
        add("Rules that did not fire (first failing condition)")
        for event in not_fired:
            add(f"  {event.rule_id}: {failing_text(event.failing, event.failing.value)}")

    gaps = d.measure_values().get("indicators.count_gaps")
    if gaps:
        add("")
        add(f"Data gaps: {counted(gaps, 'national indicator')} without data: {', '.join(d.measure_inputs('indicators.count_gaps')['gaps'])}")
    if full:
        add("")
        add("Measures")
        for event in d.events("measure_derived"):
            add(f"  {event.measure} = {value_text(event.value)}   {terminal(inputs_text(event.inputs))}")
    return "\n".join(out) + "\n"


def inputs_text(inputs: dict) -> str:
    """A measure's inputs as JSON on one line (what the JSON output gives), not Python's repr."""
    return json.dumps(inputs, ensure_ascii=False, separators=(", ", ": "), default=str)


def _bands(d: Decision, add: Callable[[str], None]) -> None:
    """Proposed band, limits, judgement and final band, side by side."""
    words = d.band_words
    combined = d.events("band_combined")[0]
    grades = " x ".join(f"{k} {v}" for k, v in combined.grades.items())
    add(f"  Proposed band   {band_text(combined.band, words)}   [{combined.table_id}: row {combined.row_id}, {grades}]")
    if not d.limits:
        add("  Limits          none applied")
    for limit in d.limits:
        state = (f"{limit.band_before} -> {limit.band_after}" if limit.binding else
                 f"binds too (band already {limit.band_before}; on its own it would hold it there)" if limit.holds_alone else
                 f"not binding (band already {limit.band_before})")
        add(f"  Limit           {limit.limit_id}: {state}")
    if d.judgement is not None:
        j = d.judgement
        add(f"  Judgement       {d.limited_band} -> {j.band} by {terminal(j.assessor, VALUE_COLUMN)}: {terminal(j.reason, VALUE_COLUMN)}")
    add(f"  Final band      {band_text(d.final_band, words) if d.final_band is not None else 'none'}")
