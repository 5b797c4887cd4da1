"""The reviewer's report as one self-contained HTML page: styles and charts inline, nothing fetched."""
from __future__ import annotations

from html import escape

from ..model.ruleset import Ruleset
from ..model.trace import Decision, Evidence
from ..model.wording import counted, evidence_text, failing_text
from .charts import outcomes_chart, settings_chart
from .evidence import OutcomeBlock, SettingRow, comparison, indicator_status, number, outcome_blocks, percent, setting_rows, setting_summary
from .reasons import chart_thresholds, fired_note, passed_over, reason_stages
from .reviewed import Reviewed, record_sentence
from .summary import deciding_rules, gap_rows, inspection_rows, measures_read, record_rows, what_would_change

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:72rem;padding:1.5rem;
color:#1b1f23;line-height:1.45}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{border-bottom:2px solid #1f5f8b;padding-bottom:.2rem;margin-top:2rem}
.meta{color:#57606a;font-size:.9rem}
.headline{display:flex;gap:.8rem;flex-wrap:wrap;margin:1.2rem 0}
.step{border:1px solid #d0d7de;border-radius:6px;padding:.7rem 1rem;min-width:11rem;flex:1}
.step .label{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:#57606a}
.step .band{font-size:1.9rem;font-weight:700}.step .words{font-weight:600}
.step.final{background:#1f5f8b;color:#fff;border-color:#1f5f8b}.step.final .label{color:#dbe9f4}
table{border-collapse:collapse;width:100%;margin:.6rem 0 1rem;font-size:.9rem}
th,td{border-bottom:1px solid #d8dee4;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
.below,.worse{color:#a40e26;font-weight:600}.above,.better{color:#116329;font-weight:600}
tr.gap td{color:#8c959f;font-style:italic}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}figcaption{font-size:.85rem;color:#57606a}
.rule{border-left:4px solid #1f5f8b;padding:.2rem .8rem;margin:.8rem 0}
.rule.limit{border-color:#a40e26}.rule .id{font-family:ui-monospace,monospace;font-size:.85rem;color:#57606a}
.because{margin:.3rem 0}ul.evidence{font-family:ui-monospace,monospace;font-size:.8rem;margin:.2rem 0}
.rule.lower{border-color:#d0d7de;opacity:.8}.note{margin-left:.6rem;font-size:.8rem;color:#57606a}
details{margin:.6rem 0}summary{cursor:pointer;color:#1f5f8b}
.headline{margin:.6rem 0}.step{padding:.4rem .8rem}.step .band{font-size:1.5rem}
#decided-by ul,#what-would-change ul{margin:.2rem 0;padding-left:1.2rem;font-size:.9rem}
#decided-by h2,#what-would-change h2{margin-top:.8rem;font-size:1.15rem}
#decided-by .why{color:#57606a}
"""


def render_report_html(reviewed: Reviewed) -> str:
    d: Decision = reviewed.decision
    catalogue = reviewed.ruleset.catalogue
    settings = setting_rows(reviewed.measures.settings, catalogue)
    outcomes = outcome_blocks(reviewed.measures.indicators, catalogue)
    title = f"Children's services annual rating {d.year}: {d.authority}"
    ruleset = reviewed.ruleset.ruleset
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="meta">Ruleset {escape(d.ruleset.named())}'
        + (f"; {d.ruleset.year} is a transitional year" if d.ruleset.transitional else "")
        + f" · ruleset sha256 {d.ruleset.content_hash[:12]} · input sha256 {d.input_hash[:12]}"
        + f" · engine {escape(d.engine_version)} · {escape(record_sentence(reviewed))}</p></header>",
        _headline(d),
        _decided_by(d, ruleset),
        _what_would_change(d, ruleset),
        '<section id="evidence"><h2>Evidence</h2>',
        "<h3>Settings and services</h3>", _settings_table(settings),
        f'<figure id="chart-settings">{settings_chart(settings, d.authority)}'
        "<figcaption>Share of settings good or better by type, against national and similar areas.</figcaption></figure>",
        "<h3>National indicators by Every Child Matters outcome</h3>",
        *[_outcome_table(block) for block in outcomes],
        f'<figure id="chart-outcomes">{outcomes_chart(outcomes, chart_thresholds(reviewed.ruleset.ruleset))}'
        "<figcaption>Share of available indicators in line with or above comparators, by outcome; dashed lines are "
        "the ruleset's thresholds.</figcaption></figure>",
        _inspections(reviewed),
        _measures_read(d, ruleset),
        "</section>",
        _reasons(d, ruleset),
        _audit(reviewed),
        "</body>", "</html>",
    ]
    return "\n".join(parts) + "\n"


def _step(label: str, band: int | None, words: str, extra: str = "", css: str = "") -> str:
    shown = "–" if band is None else str(band)
    return (f'<div class="step {css}" id="{label.lower().replace(" ", "-")}"><div class="label">{escape(label)}</div>'
            f'<div class="band">{shown}</div><div class="words">{escape(words)}</div>{extra}</div>')


def _headline(d: Decision) -> str:
    words = d.band_words
    if not d.rated:
        reasons = "".join(f"<div>{escape(r.because)}</div>" for r in d.withheld)
        steps = [_step("Final band", None, "withheld: not published", reasons, css="final")]
    else:
        steps = [_step("Proposed band", d.proposed_band, d.words(d.proposed_band))]
        if d.limits:
            notes = "".join(f"<div>{escape(limit.title)}: {limit.band_before} → {limit.band_after}"
                            + ("" if limit.binding else " (not binding)") + "</div>" for limit in d.limits)
            steps.append(_step("After limits", d.limited_band, d.words(d.limited_band), notes))
        else:
            steps.append(_step("Limits", None, "none applied"))
        if d.judgement is not None:
            j = d.judgement
            steps.append(_step("Judgement", j.band, words[j.band], f"<div>{escape(j.assessor)}: {escape(j.reason)}</div>"))
        steps.append(_step("Final band", d.final_band, d.words(d.final_band), css="final"))
    if d.direction is not None:
        steps.append(_step("Since last year", d.direction.previous_band, f"{d.direction.direction} from {words[d.direction.previous_band]}",
                           f"<div>{escape(d.direction.because)}</div>"))
    return '<section id="headline" class="headline">' + "".join(steps) + "</section>"


def _settings_table(rows: list[SettingRow]) -> str:
    head = ("<tr><th>Setting type</th><th>Settings by grade</th><th>Good or better</th><th>National</th>"
            "<th>Similar areas</th><th>Against national</th><th>Against similar areas</th></tr>")
    body = []
    for r in rows:
        body.append(f"<tr><td>{escape(r.title)}</td><td>{escape(setting_summary(r))}</td>"
                    f'<td class="num">{percent(r.share_good_or_better)}</td><td class="num">{percent(r.national)}</td>'
                    f'<td class="num">{percent(r.similar_areas)}</td>'
                    f'<td class="{r.vs_national or ""}">{comparison(r.vs_national)}</td>'
                    f'<td class="{r.vs_similar_areas or ""}">{comparison(r.vs_similar_areas)}</td></tr>')
    return f'<table id="settings-table">{head}{"".join(body)}</table>'


def _outcome_table(block: OutcomeBlock) -> str:
    head = ("<tr><th>Indicator</th><th>Value</th><th>Similar areas</th><th>National</th>"
            "<th>Against similar areas</th><th>Against national</th><th>Status</th></tr>")
    body = []
    for r in block.rows:
        body.append(f'<tr class="{"gap" if r.gap else ""}"><td>{escape(r.key.replace("_", " "))} {escape(r.title)}</td>'
                    f'<td class="num">{number(r.value)}</td><td class="num">{number(r.similar_areas)}</td>'
                    f'<td class="num">{number(r.national)}</td>'
                    f'<td class="{r.vs_similar_areas or ""}">{comparison(r.vs_similar_areas)}</td>'
                    f'<td class="{r.vs_national or ""}">{comparison(r.vs_national)}</td>'
                    f"<td>{indicator_status(r)}</td></tr>")
    share = percent(block.share_in_line_or_above)
    return (f'<h4 id="outcome-{block.key}">{escape(block.title)}: {block.count_in_line_or_above} of {block.count_available} '
            f"in line or above ({share})</h4><table class=\"outcome\">{head}{''.join(body)}</table>")


def _evidence_list(evidence: list[Evidence]) -> str:
    return '<ul class="evidence">' + "".join(f"<li>{escape(evidence_text(e, e.value, e.holds))}</li>" for e in evidence) + "</ul>"


def _reasons(d: Decision, ruleset: Ruleset) -> str:
    out = ['<section id="reasons"><h2>Reasons</h2>']
    for stage in reason_stages(d, ruleset):
        out.append(f'<h3 id="stage-{stage.key}">{escape(stage.title)}</h3>')
        if stage.summary:
            out.append(f"<p>{escape(stage.summary)}</p>")
        for event in stage.fired:
            css = "rule limit" if event.type in ("limit_applied", "rating_withheld") else "rule"
            ident = event.limit_id if event.type == "limit_applied" else event.rule_id
            if passed_over(event):
                css += " lower"
            note = f'<span class="note">{escape(fired_note(event, d))}</span>' if fired_note(event, d) else ""
            sentence = "" if passed_over(event) else f'<p class="because">{escape(event.because)}</p>'
            out.append(f'<div class="{css}"><div><strong>{escape(event.title)}</strong> <span class="id">{escape(ident)}</span>{note}</div>'
                       f'{sentence}{_evidence_list(event.evidence)}</div>')
        if stage.not_fired:
            items = "".join(f'<li><span class="id">{escape(e.rule_id)}</span> {escape(e.title)}: '
                            f"{escape(failing_text(e.failing, e.failing.value))}</li>" for e in stage.not_fired)
            out.append(f"<details><summary>{counted(len(stage.not_fired), 'rule')} that did not fire</summary><ul>{items}</ul></details>")
    out.append("</section>")
    return "\n".join(out)


def _decided_by(d: Decision, ruleset: Ruleset) -> str:
    items = "".join(f'<li><span class="id">{escape(r.id)}</span> {escape(r.title)}: <span class="why">{escape(r.because)}</span></li>'
                    for r in deciding_rules(d, ruleset))
    return f'<section id="decided-by"><h2>Decided by</h2><ul>{items}</ul></section>'


def _what_would_change(d: Decision, ruleset: Ruleset) -> str:
    out = ['<section id="what-would-change"><h2>What would change it</h2>']
    changes = what_would_change(d, ruleset)
    for change in changes:
        lines = "".join(f"<li>{escape(line)}</li>" for line in change.lines) or "<li>nothing in this evidence stands in the way</li>"
        out.append(f'<div id="change-to-{change.band}"><strong>Band {change.band} ({escape(change.words)})</strong><ul>{lines}</ul></div>')
    if not changes:
        out.append("<p>The rating is withheld: a band is published when the conditions above no longer hold.</p>")
    if d.judgement_warranted:
        out.append('<div id="judgement-warranted"><strong>Where judgement may be warranted</strong><ul>'
                   + "".join(f"<li>{escape(note)}</li>" for note in d.judgement_warranted) + "</ul></div>")
    out.append('<p class="meta">The smallest changes to the evidence that reach a band: '
               "<code>engine explain PROFILE --why-not N</code>.</p></section>")
    return "\n".join(out)


def _inspections(reviewed: Reviewed) -> str:
    profile = reviewed.loaded.profile
    rows = "".join(f"<tr><th>{escape(label)}</th><td>{escape(text)}</td></tr>" for label, text in inspection_rows(profile))
    out = ['<h3>Safeguarding and unannounced inspections</h3>',
           f'<table id="inspections-table">{rows}</table>' if rows else "<p>None in the profile.</p>"]
    records = record_rows(profile)
    if records:  # only where the profile records them
        out += ["<h3>Notice to improve and earlier ratings</h3>",
                "<p>Recorded and shown; the ruleset does not weigh them (its comments say why).</p>",
                '<table id="records-table">' + "".join(f"<tr><th>{escape(label)}</th><td>{escape(text)}</td></tr>"
                                                       for label, text in records) + "</table>"]
    out.append("<h3>Gaps for vulnerable groups</h3>")
    gaps = gap_rows(profile)
    if gaps:
        out.append('<table id="gaps-table"><tr><th>Group</th><th>Stage</th><th>Gap</th><th>National gap</th><th>Trend</th></tr>'
                   + "".join(f'<tr><td>{escape(g)}</td><td>{escape(st)}</td><td class="num">{gap}</td><td class="num">{nat}</td>'
                             f"<td>{escape(trend)}</td></tr>" for g, st, gap, nat, trend in gaps) + "</table>")
    else:
        out.append("<p>None in the profile.</p>")
    return "\n".join(out)


def _measures_read(d: Decision, ruleset: Ruleset) -> str:
    rows = "".join(f'<tr><td class="id">{escape(r.measure)}</td><td class="num">{escape(r.value)}</td><td>{escape(", ".join(r.read_by))}</td></tr>'
                   for r in measures_read(d, ruleset))
    return ("<details id=\"measures-read\"><summary>Every measure the rules and limits read</summary>"
            f"<table><tr><th>Measure</th><th>Value</th><th>Read by</th></tr>{rows}</table></details>")


def _audit(reviewed: Reviewed) -> str:
    d = reviewed.decision
    out = ['<section id="audit"><h2>Audit record</h2>', f"<p>{escape(record_sentence(reviewed))}</p>"]
    if d.judgement is not None:
        j = d.judgement
        out.append(f"<p>Judgement recorded with it: band {d.limited_band} → {j.band} by {escape(j.assessor)}"
                   + (f" on {escape(j.date)}" if j.date else "") + f": {escape(j.reason)}</p>")
    else:
        out.append("<p>No professional judgement.</p>")
    out.append("</section>")
    return "\n".join(out)
