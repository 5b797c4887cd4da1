"""The sensitivity of a ruleset over councils as one self-contained HTML page (``engine rules sensitivity
RULESET --profiles DIR -o sensitivity.html``): a summary of every threshold, then one small chart per
threshold (councils in each band as it moves, its value marked, the interval its rule cases allow shaded)
with the table behind it. Styles and charts inline (matplotlib SVG, as the report's), nothing fetched.

It lives with the threshold analyses, not in engine.render, because it reads their results; it draws with
engine.render's charts and styles (sensitivity may import render, never the reverse).
"""
from __future__ import annotations

import math
from html import escape

from ..render.charts import sweep_chart
from ..render.html import STYLE
from ..version import __version__
from .sensitivity import interval_text, number
from .sweep import BANDS, CouncilSweep, ThresholdSweep

PAGE_STYLE = STYLE + """
td.flag{color:#a40e26;font-weight:600}section.threshold{margin-top:1.6rem}
section.threshold h2{font-family:ui-monospace,monospace;font-size:1.05rem}
"""


def _slug(path: str) -> str:
    return "threshold-" + path.replace(".", "-").replace("_", "-")


def render_page(result: CouncilSweep) -> str:
    loaded = result.ruleset
    r = loaded.ruleset
    n = len(result.councils)
    title = f"Threshold sensitivity: {r.id} {r.version} over {n} council{'s' * (n != 1)}"
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{escape(title)}</title>",
             f"<style>{PAGE_STYLE}</style>", "</head>", "<body>",
             f"<header><h1>{escape(title)}</h1><p class=\"meta\">Ruleset {escape(loaded.path)} · sha256 "
             f"{loaded.content_hash[:12]} · engine {escape(__version__)}</p></header>", _summary(result)]
    parts += [_threshold(s) for s in result.sweeps]
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _summary(result: CouncilSweep) -> str:
    out = ['<section id="summary"><h2>Summary</h2>',
           "<p>For each threshold: the interval of values over which every rule case of the ruleset keeps its expected "
           "outcome (a threshold no case bounds is unconstrained by any published outcome), and how many councils' final "
           "bands change as it moves within that interval, across its whole range, and by one point either way "
           "(0.01 for shares and tolerances, 1 for whole numbers).</p>"]
    for whole, what in ((False, "shares and tolerances"), (True, "bounds on whole numbers")):
        best = result.most_sensitive(whole)
        if best is not None:
            out.append(f'<p class="most" id="most-{"whole" if whole else "shares"}">Most councils per point among {what}: '
                       f'<a href="#{_slug(best.threshold.path)}"><code>{escape(best.threshold.path)}</code></a>, '
                       f"{best.per_point} council(s).</p>")
    head = ("<tr><th>Threshold</th><th>Value</th><th>Cases allow</th><th>Councils moved within it</th>"
            "<th>Across the range</th><th>Per point</th></tr>")
    rows = []
    for s in result.sweeps:
        interval = s.interval
        allowed = interval_text(interval) if interval is not None else "(no cases)"
        free = interval is not None and interval.unconstrained
        rows.append(f'<tr><td><a href="#{_slug(s.threshold.path)}"><code>{escape(s.threshold.path)}</code></a></td>'
                    f'<td class="num">{number(s.threshold.value)}</td>'
                    f'<td{" class=flag" if free else ""}>{escape(allowed)}{" unconstrained" if free else ""}</td>'
                    f'<td class="num">{"" if s.moved_in_interval is None else s.moved_in_interval}</td>'
                    f'<td class="num">{s.moved_in_range}</td><td class="num">{s.per_point}</td></tr>')
    out.append(f'<table id="summary-table">{head}{"".join(rows)}</table></section>')
    return "\n".join(out)


def _threshold(s: ThresholdSweep) -> str:
    values = [row.value for row in s.rows]
    counts = {("withheld" if band is None else str(band)): [row.bands.get(band, 0) for row in s.rows] for band in reversed(BANDS)}
    counts = {label: series for label, series in counts.items() if label != "withheld" or any(series)}
    shaded = None
    if s.interval is not None:
        low = s.interval.low.value if s.interval.low.bounded else -math.inf
        high = s.interval.high.value if s.interval.high.bounded else math.inf
        shaded = (max(low, s.low), min(high, s.high))
    chart = sweep_chart(values, counts, s.threshold.value, shaded, s.threshold.path, _slug(s.threshold.path))
    interval = f"; the cases allow {escape(interval_text(s.interval))}" if s.interval is not None else ""
    used = ", ".join(s.threshold.used_by) or "no condition (it only chooses words)"
    head = "<tr><th>Value</th>" + "".join(f"<th>{'withheld' if b is None else b}</th>" for b in BANDS) + "<th>Changed</th></tr>"
    body = "".join(f'<tr><td class="num">{number(row.value)}</td>'
                   + "".join(f'<td class="num">{c}</td>' for c in row.counts()) + f'<td class="num">{row.changed}</td></tr>'
                   for row in s.rows)
    return (f'<section class="threshold" id="{_slug(s.threshold.path)}"><h2>{escape(s.threshold.path)} = {number(s.threshold.value)}</h2>'
            f"<p>Used by {escape(used)}. Swept from {number(s.low)} to {number(s.high)}{interval}. "
            f"{s.moved_in_range} council(s) change band somewhere in that range; {s.per_point} by one point either way.</p>"
            f'<figure class="chart">{chart}<figcaption>Councils in each final band as {escape(s.threshold.path)} moves; '
            "the dashed line is its value, the shaded span what the rule cases allow.</figcaption></figure>"
            f"<details><summary>The table</summary><table>{head}{body}</table></details></section>")
