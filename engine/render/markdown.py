"""The reviewer's report as Markdown: the same headline, evidence and reasons as the HTML page, no charts.

Text from the profile or a judgement is escaped with :func:`engine.render.escape.markdown` (shown as written,
never structure or HTML); the ruleset's titles and sentences keep their emphasis but carry no HTML.
"""
from __future__ import annotations

from ..model.trace import Decision
from ..model.wording import evidence_text, failing_text
from .escape import markdown, markdown_prose
from .evidence import comparison, indicator_status, number, outcome_blocks, percent, setting_rows, setting_summary
from .reasons import fired_note, passed_over, reason_stages
from .reviewed import Reviewed, record_sentence
from .summary import deciding_rules, gap_rows, inspection_rows, measures_read, record_rows, what_would_change


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def render_report_markdown(reviewed: Reviewed) -> str:
    d: Decision = reviewed.decision
    words = d.band_words
    catalogue = reviewed.ruleset.catalogue
    out: list[str] = []
    add = out.append
    add(f"# Children's services annual rating {d.year}: {markdown(d.authority)}")
    add("")
    add(f"Ruleset {markdown(d.ruleset.named())}" + ("; a transitional year" if d.ruleset.transitional else "")
        + f"; ruleset sha256 {d.ruleset.content_hash[:12]}; input sha256 {d.input_hash[:12]}; {markdown(record_sentence(reviewed))}")
    add("")
    if d.rated:
        add("| proposed band | limits | judgement | final band |")
        add("|---|---|---|---|")
        limits = "; ".join(f"{markdown_prose(limit.title)}: {limit.band_before} → {limit.band_after}"
                           + ("" if limit.binding else " (not binding)") for limit in d.limits) or "none applied"
        judgement = (f"{d.judgement.band} ({words[d.judgement.band]}) by {markdown(d.judgement.assessor)}: {markdown(d.judgement.reason)}"
                     if d.judgement is not None else "none")
        add(f"| {d.proposed_band} ({d.words(d.proposed_band)}) | {limits} | {judgement} | "
            f"**{d.final_band} ({d.words(d.final_band)})** |")
    else:
        add("**The rating is withheld: no band is published.**")
        add("")
        for reason in d.withheld:
            add(f"- {markdown_prose(reason.title)} (`{reason.rule_id}`): {markdown_prose(reason.because)}")
    if d.direction is not None:
        add("")
        add(f"**Since last year: {d.direction.direction}.** {markdown_prose(d.direction.because)}")
    ruleset = reviewed.ruleset.ruleset
    add("")
    add("## Decided by")
    add("")
    for deciding in deciding_rules(d, ruleset):
        add(f"- `{deciding.id}` {markdown_prose(deciding.title)}: {markdown_prose(deciding.because)}")
    add("")
    add("## What would change it")
    for change in what_would_change(d, ruleset):
        add("")
        add(f"**Band {change.band} ({change.words})**")
        add("")
        for line in change.lines or ["nothing in this evidence stands in the way"]:
            add(f"- {markdown_prose(line)}")
    if d.judgement_warranted:
        add("")
        add("**Where judgement may be warranted**")
        add("")
        for note in d.judgement_warranted:
            add(f"- {markdown_prose(note)}")
    add("")
    add("The smallest changes to the evidence that reach a band: `engine explain PROFILE --why-not N`.")
    add("")
    add("## Evidence")
    add("")
    add("### Settings and services")
    add("")
    add("| setting type | settings by grade | good or better | national | similar areas | against national | against similar areas |")
    add("|---|---|--:|--:|--:|---|---|")
    for r in setting_rows(reviewed.measures.settings, catalogue):
        add(f"| {_cell(r.title)} | {setting_summary(r)} | {percent(r.share_good_or_better)} | {percent(r.national)} | "
            f"{percent(r.similar_areas)} | {comparison(r.vs_national)} | {comparison(r.vs_similar_areas)} |")
    add("")
    add("### National indicators by Every Child Matters outcome")
    for block in outcome_blocks(reviewed.measures.indicators, catalogue):
        add("")
        add(f"#### {block.title}: {block.count_in_line_or_above} of {block.count_available} in line or above "
            f"({percent(block.share_in_line_or_above)})")
        add("")
        add("| indicator | value | similar areas | national | against similar areas | against national | status |")
        add("|---|--:|--:|--:|---|---|---|")
        for indicator in block.rows:
            status = indicator_status(indicator)
            add(f"| {indicator.key.replace('_', ' ')} {_cell(indicator.title)} | {number(indicator.value)} | "
                f"{number(indicator.similar_areas)} | {number(indicator.national)} | {comparison(indicator.vs_similar_areas)} | "
                f"{comparison(indicator.vs_national)} | " + (f"*{status}*" if indicator.gap else status) + " |")
    add("")
    add("### Safeguarding and unannounced inspections")
    add("")
    rows = inspection_rows(reviewed.loaded.profile)
    add("| inspection | findings |\n|---|---|" if rows else "None in the profile.")
    for label, text in rows:
        add(f"| {label} | {_cell(markdown(text))} |")
    add("")
    records = record_rows(reviewed.loaded.profile)
    if records:  # only where the profile records them: a report of a profile without them reads as before
        add("### Notice to improve and earlier ratings")
        add("")
        add("Recorded and shown; the ruleset does not weigh them (its comments say why).")
        add("")
        add("| record | what |\n|---|---|")
        for label, text in records:
            add(f"| {label} | {_cell(markdown(text))} |")
        add("")
    add("### Gaps for vulnerable groups")
    add("")
    gaps = gap_rows(reviewed.loaded.profile)
    add("| group | stage | gap | national gap | trend |\n|---|---|--:|--:|---|" if gaps else "None in the profile.")
    for gap in gaps:
        add("| " + " | ".join(gap) + " |")
    add("")
    add("<details><summary>Every measure the rules and limits read</summary>")
    add("")
    add("| measure | value | read by |\n|---|--:|---|")
    for read in measures_read(d, ruleset):
        add(f"| `{read.measure}` | {read.value} | {', '.join(read.read_by)} |")
    add("")
    add("</details>")
    add("")
    add("## Reasons")
    for stage in reason_stages(d, reviewed.ruleset.ruleset, user=markdown):
        add("")
        add(f"### {markdown_prose(stage.title)}")
        add("")
        if stage.summary:
            add(stage.summary)
            add("")
        for event in stage.fired:
            ident = event.limit_id if event.type == "limit_applied" else event.rule_id
            note = fired_note(event, d)
            sentence = "" if passed_over(event) else f": {markdown_prose(event.because)}"
            add(f"- **{markdown_prose(event.title)}** (`{ident}`){f' *({note})*' if note else ''}{sentence}")
            for e in event.evidence:
                add(f"  - `{evidence_text(e, e.value, e.holds)}`")
        if stage.not_fired:
            add("")
            add("<details><summary>Rules that did not fire</summary>")
            add("")
            for event in stage.not_fired:
                add(f"- `{event.rule_id}` {markdown_prose(event.title)}: {failing_text(event.failing, event.failing.value)}")
            add("")
            add("</details>")
    add("")
    add("## Audit record")
    add("")
    add(markdown(record_sentence(reviewed)) + ".")
    if d.judgement is not None:
        j = d.judgement
        add("")
        add(f"Judgement recorded with it: band {d.limited_band} → {j.band} by {markdown(j.assessor)}"
            + (f" on {markdown(j.date)}" if j.date else "") + f": {markdown(j.reason)}")
    return "\n".join(out) + "\n"
