"""What each page shows, as plain values for its template: the year's table with its filters, a council's
review, the audit trail and the rules diff. No HTML here (the templates escape every value)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import engine

from .review import standing
from .year import Council, Folder, review_states

NEAR = 0.05  # a deciding condition within this of its threshold is "near a boundary"
SORTS = ("name", "code", "proposed", "final", "status", "direction", "review", "margin")
BAR_STEP = 60  # the chart's bars, one per band, this far apart
STATES = {"none": "not reviewed", "proposed": "awaiting review", "confirmed": "judged", "returned": "returned",
          "judged": "judgement recorded outside the workbench", "unreadable": "unreadable record"}


@dataclass
class YearView:
    year: int
    rows: list[dict[str, Any]]
    total: int
    distribution: dict[int, int]
    bands: list[int]  # the scale of the ruleset the year's councils were rated with, best first
    band_words: dict[int, str]  # each band's words, as that ruleset's scale gives them
    limits: list[str]
    filters: dict[str, str]
    unrated: list[Council] = field(default_factory=list)

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """The current view as a table (the CSV and XLSX exports): the columns the page shows."""
        header = ["authority", "code", "proposed_band", "limits", "final_band", "status", "direction", "review",
                  "nearest_threshold", "margin"]
        return header, [[r["name"], r["code"], r["proposed"], "; ".join(r["limits"]), r["final"], r["status"], r["direction"],
                         r["review_words"], r["nearest"], r["margin"]] for r in self.rows]

    def chart(self) -> list[dict[str, Any]]:
        """One bar per band of the scale, best first, for the SVG chart: its count and its height out of 100."""
        most = max(self.distribution.values(), default=0) or 1
        return [{"band": band, "count": self.distribution.get(band, 0), "words": self.band_words.get(band, ""),
                 "height": round(100 * self.distribution.get(band, 0) / most), "y": 110 - round(100 * self.distribution.get(band, 0) / most),
                 "x": 10 + n * BAR_STEP} for n, band in enumerate(self.bands)]

    @property
    def chart_width(self) -> int:
        return 10 + BAR_STEP * len(self.bands)


def year_rows(folder: Folder, audit: Path, year: int, params: dict[str, str]) -> YearView | None:
    councils = folder.of_year(year)
    if not councils:
        return None
    states = review_states(audit, year)
    rows: list[dict[str, Any]] = []
    # one year's councils are rated with one ruleset (the year's, or the one the workbench was started with)
    ruleset = next(c.evaluation.ruleset.ruleset for c in councils if c.evaluation is not None)
    for council in councils:
        row = council.row
        assert row is not None
        state = states.get(str(row["authority"]), {"state": "none"})
        judged = state["state"] == "confirmed"
        final = state.get("final_band") if judged else row["final_band"]
        rows.append({
            "slug": council.slug, "name": row["authority"], "code": row["authority_code"] or "", "proposed": row["proposed_band"],
            "limits": council.binding, "applied": council.applied, "final": final, "status": row["status"],
            "direction": row["direction"] or "", "review": state["state"], "review_words": STATES.get(state["state"], state["state"]),
            "review_band": state.get("band"), "nearest": council.nearest[0] if council.nearest else "",
            "margin": round(council.nearest[1], 4) if council.nearest else None,
        })
    distribution: dict[int, int] = {}
    for r in rows:
        if r["status"] == "rated" and r["final"] is not None:
            distribution[int(r["final"])] = distribution.get(int(r["final"]), 0) + 1
    limits = sorted({limit for r in rows for limit in r["limits"]})
    filters = {k: params.get(k, "") for k in ("band", "limit", "status", "near", "review", "q", "sort", "order")}
    shown = [r for r in rows if _keeps(r, filters)]
    key = filters["sort"] if filters["sort"] in SORTS else "name"
    shown.sort(key=lambda r: _sort_key(r, key), reverse=filters["order"] == "desc")
    return YearView(year, shown, len(rows), distribution, ruleset.bands, {band: step.words for band, step in ruleset.scale.items()},
                    limits, filters)


def _keeps(row: dict[str, Any], f: dict[str, str]) -> bool:
    if f["band"] and str(row["final"]) != f["band"]:
        return False
    if f["limit"] and f["limit"] not in row["limits"]:
        return False
    if f["status"] and row["status"] != f["status"]:
        return False
    if f["near"] and not (row["margin"] is not None and row["margin"] <= NEAR):
        return False
    if f["review"] == "awaiting" and row["review"] != "proposed":
        return False
    if f["review"] == "judged" and row["review"] != "confirmed":
        return False
    if f["review"] == "none" and row["review"] not in ("none", "judged"):
        return False
    return not (f["q"] and f["q"].casefold() not in str(row["name"]).casefold())


def _sort_key(row: dict[str, Any], key: str) -> tuple[Any, ...]:
    value = {"name": row["name"], "code": row["code"], "proposed": row["proposed"], "final": row["final"], "status": row["status"],
             "direction": row["direction"], "review": row["review_words"], "margin": row["margin"]}[key]
    return (value is None, value if value is not None else 0, str(row["name"]).casefold())


def council_page(folder: Folder, audit: Path, council: Council, intervals: bool,
                 trail: dict[Any, Any] | None = None, signature: Any = None) -> dict[str, Any]:
    """Everything a council's page shows: the decision and its trace, limits, why not each other band, the
    letter, the thresholds the band turned on with their intervals, the judgement's standing and the history.

    ``trail``: where to keep the standing and history read from the audit store, by council and ``signature`` (the
    store's state: a record appended changes it), so a page read again does not read the store again."""
    review = folder.review(council)
    evaluation = review.evaluation
    decision = evaluation.decision
    # the sections only the file decides are rendered once (Workbench.static); their thresholds are read for that
    thresholds = _thresholds(decision, evaluation.ruleset, folder if intervals else None) if review.static is None else []
    key = (council.slug, decision.input_hash, signature)
    if trail is not None and signature is not None and key in trail:
        where, history = trail[key]
    else:
        where, history = standing(audit, decision), _history(audit, decision)
        if trail is not None and signature is not None:
            if len(trail) > 1000:  # bounded: a year's councils, a few states each
                trail.clear()
            trail[key] = (where, history)
    policy = evaluation.ruleset.ruleset.judgement
    return {"decision": decision, "review": review, "thresholds": thresholds, "standing": where, "history": history,
            "states": STATES, "policy": policy, "chosen": _chosen(decision)}


def _chosen(decision: Any) -> dict[str, str]:
    """For each stage, the fired rule the hit policy chose, and why (the stage's hit policy)."""
    return {e.rule_id: f"chosen for {e.stage} by the {e.hit_policy} hit policy" for e in decision.events("grade_assigned")}


def _thresholds(decision: Any, loaded_ruleset: Any, folder: Folder | None) -> list[dict[str, Any]]:
    """The named thresholds of the conditions that decided the grades, with this council's value and margin,
    and each threshold's interval over the rule cases when asked for."""
    intervals = folder.intervals(loaded_ruleset.path) if folder is not None else {}
    chosen = {e.rule_id for e in decision.events("grade_assigned")}
    out: dict[str, dict[str, Any]] = {}
    for event in decision.trace:
        if event.type == "rule_fired" and event.rule_id in chosen:
            evidence = event.evidence
        elif event.type == "rule_not_fired" and event.stage in decision.grades and event.grade == decision.grades[event.stage] + 1:
            evidence = [event.failing]
        elif event.type == "limit_applied":
            evidence = event.evidence
        else:
            continue
        for item in evidence:
            if not isinstance(item.threshold, (int, float)) or isinstance(item.value, bool):
                continue
            path = f"proportions.{item.threshold_name}" if item.threshold_name else None
            interval = intervals.get(path) if path else None
            margin = abs(float(item.value) - float(item.threshold)) if isinstance(item.value, (int, float)) else None
            owner = event.limit_id if event.type == "limit_applied" else event.rule_id
            out.setdefault(f"{owner}:{item.measure}", {
                "rule": owner, "measure": item.measure, "operator": item.operator, "threshold": item.threshold,
                "name": item.threshold_name, "value": item.value, "holds": item.holds, "margin": margin,
                "interval": (interval.as_dict() if interval is not None else None),
                "interval_text": interval_text(interval.as_dict()) if interval is not None else ""})
    return sorted(out.values(), key=lambda t: (t["margin"] is None, t["margin"] or 0))


def interval_text(interval: dict[str, Any]) -> str:
    """An interval as `rules sensitivity` writes it: [ ] includes an end, ( ) excludes it."""
    low, high = interval["low"], interval["high"]
    return (f"{'[' if interval['low_included'] else '('}{low:.4g}, {high:.4g}{']' if interval['high_included'] else ')'}"
            if isinstance(low, (int, float)) and isinstance(high, (int, float)) else f"{low} to {high}")


def _history(audit: Path, decision: Any) -> list[dict[str, Any]]:
    """Every record of this council and year, oldest first, with the review step each records."""
    from .year import review_of

    out = []
    with engine.AuditStore(audit) as store:
        for summary in store.summaries():
            if summary["year"] == decision.year and summary["authority"] == decision.authority:
                out.append({**summary, "step": review_of(summary["judgement"])})
    return out


@dataclass
class AuditView:
    records: list[dict[str, Any]]
    total: int
    verified: Any  # engine.VerifyResult, or None when not asked for
    accounts: list[str]
    councils: list[str]


def audit_rows(audit: Path, params: dict[str, str], verify: bool, checkpoint: Path | None = None) -> AuditView:
    """The records, filtered by council, account and date (from, to: ISO dates), newest first; with ``verify``, the
    chain's verdict (held to ``checkpoint`` too, when one is configured)."""
    from .year import review_of

    council, account = params.get("council", "").strip(), params.get("account", "").strip()
    since, until = _date(params.get("from")), _date(params.get("to"))
    records, accounts, councils, total = [], set(), set(), 0
    verified = None
    if verify:
        try:
            verified = engine.verify_audit(audit, checkpoint).result
        except engine.EngineError as exc:  # a checkpoint that does not load
            verified = engine.VerifyResult(False, 0, "", problem="; ".join(p.message for p in exc.problems))
    with engine.AuditStore(audit) as store:
        for summary in store.summaries():
            total += 1
            accounts.add(summary["run_by"])
            councils.add(summary["authority"])
            day = str(summary["recorded_at"])[:10]
            if council and council.casefold() not in str(summary["authority"]).casefold():
                continue
            if account and account != summary["run_by"]:
                continue
            if (since and day < since) or (until and day > until):
                continue
            records.append({**summary, "step": review_of(summary["judgement"])})
    records.reverse()
    return AuditView(records[:500], total, verified, sorted(accounts), sorted(councils))


def _date(text: str | None) -> str | None:
    try:
        return date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None


@dataclass
class DiffView:
    old: str
    new: str | None
    choices: list[str]
    moves: list[dict[str, Any]]
    unchanged: int
    failures: list[str]


def diff_view(folder: Folder, year: int, against: str | None) -> DiffView | None:
    """The year's ruleset beside another the engine ships (chosen from a list, never a typed path): which
    councils move, and the rules and limits whose firing changed."""
    councils = folder.of_year(year)
    if not councils:
        return None
    old = folder.ruleset or engine.ruleset_for_year(year).path
    choices = []
    for other in (2009, 2010, 2011):
        try:
            path = engine.ruleset_for_year(other).path
        except engine.EngineError:
            continue
        if path != old and path not in choices:
            choices.append(path)
    if against not in choices:
        return DiffView(old, None, choices, [], 0, [])
    diff = engine.rules_diff(old, str(against), [str(c.path) for c in councils])
    moves, unchanged = [], 0
    for council in diff.councils:
        limits = [change for change in council.changed_rules if change.part == "limits"]
        if not council.band_changed and not limits:
            unchanged += 1
            continue
        moves.append({"authority": council.authority, "code": council.authority_code or "", "before": council.final_band_before,
                      "after": council.final_band_after, "status_before": council.status_before, "status_after": council.status_after,
                      "limits": [change.text() for change in limits],
                      "rules": [change.text() for change in council.changed_rules if change.part != "limits"]})
    return DiffView(old, str(against), choices, moves, unchanged, [str(p) for f in diff.failures for p in f.problems])
