"""Measures derived from a profile with pandas: shares by setting type and group, comparisons with
national and similar-areas figures, indicator comparisons respecting polarity, shares per outcome.

The names and meanings of the measures are :mod:`engine.model.measures`; a measure that cannot be derived
is absent, never zero: absence is a data gap.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..model.catalogue import Catalogue
from ..model.inspections import (
    FULL,
    UNANNOUNCED_FAMILY,
    Held,
    after_evidence_date,
    at_evidence_date,
    inadequate_not_lifted,
    latest,
    pending_at_evidence_date,
)
from ..model.measures import COMPARATORS, COUNT_FIELDS, JUDGED, NOT_JUDGED
from ..model.profile import GOOD_OR_BETTER, GRADES, Profile, SettingEvidence
from ..model.ruleset import Ruleset

ABOVE, IN_LINE, BELOW = "above", "in_line", "below"
BETTER, WORSE = "better", "worse"


@dataclass
class Measures:
    """Derived measures with the inputs each came from, and the frames behind them (for reports)."""

    values: dict[str, Any]
    inputs: dict[str, dict[str, Any]]
    settings: pd.DataFrame
    indicators: pd.DataFrame


def derive_measures(profile: Profile, catalogue: Catalogue, ruleset: Ruleset) -> Measures:
    values: dict[str, Any] = {}
    inputs: dict[str, dict[str, Any]] = {}
    settings = _settings_frame(profile, catalogue, ruleset.comparison.settings_tolerance)
    _settings_measures(settings, catalogue, values, inputs)
    indicators = _indicators_frame(profile, catalogue, ruleset.comparison.indicator_tolerance)
    _indicator_measures(indicators, catalogue, values, inputs)
    _inspection_measures(profile, values, inputs)
    _gap_measures(profile, values, inputs)
    return Measures(values, inputs, settings, indicators)


def _compare(diff: np.ndarray, known: np.ndarray, tolerance: float, higher: str, lower: str) -> np.ndarray:
    """higher / in_line / lower by a signed difference and a tolerance; NaN where there is no comparison."""
    out = np.select([diff > tolerance + 1e-12, diff < -tolerance - 1e-12], [higher, lower], IN_LINE).astype(object)
    out[~known] = np.nan
    return out


# Frames are built column by column as arrays and handed to pandas once: on frames of a dozen rows,
# each pandas column assignment costs more than the arithmetic it does.
def _settings_frame(profile: Profile, cat: Catalogue, tolerance: float) -> pd.DataFrame:
    """One row per setting type given, and one per whole whose parts alone are given (its counts their sum).
    ``in_totals`` marks the rows the aggregates count, so that no setting is counted twice."""
    keys = list(profile.settings)
    evidence: list[SettingEvidence | None] = [profile.settings[k] for k in keys]
    for whole in cat.setting_types:
        parts = [p for p in cat.parts(whole) if p in profile.settings]
        if parts and whole not in profile.settings:
            keys.append(whole)
            evidence.append(None)
    counts = [_counts(k, e, profile, cat) for k, e in zip(keys, evidence, strict=True)]
    grades: dict[str, np.ndarray] = {g: np.array([c[g] for c in counts], dtype=int) for g in GRADES}
    national = np.array([e.national.good_or_better if e and e.national else np.nan for e in evidence], dtype=float)
    similar = np.array([e.similar_areas.good_or_better if e and e.similar_areas else np.nan for e in evidence], dtype=float)
    total = sum(grades.values()) if keys else np.array([], dtype=int)
    good_or_better = sum(grades[g] for g in GOOD_OR_BETTER) if keys else np.array([], dtype=int)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, good_or_better / np.where(total > 0, total, 1), np.nan)
        share_inadequate = np.where(total > 0, grades["inadequate"] / np.where(total > 0, total, 1), np.nan)
    columns: dict[str, Any] = {
        "group": [cat.setting_types[k].group for k in keys], "title": [cat.setting_types[k].title for k in keys],
        **grades, "national": national, "similar_areas": similar, "single_grade": [e.grade if e else None for e in evidence],
        "count_total": total, "count_good_or_better": good_or_better, "count_outstanding": grades["outstanding"],
        "count_inadequate": grades["inadequate"], "share_good_or_better": share, "share_inadequate": share_inadequate,
        "vs_national": _compare(share - national, ~np.isnan(national) & ~np.isnan(share), tolerance, ABOVE, BELOW),
        "vs_similar_areas": _compare(share - similar, ~np.isnan(similar) & ~np.isnan(share), tolerance, ABOVE, BELOW),
        "derived_from_parts": [e is None for e in evidence],
        "in_totals": [e is not None and not any(p in profile.settings for p in cat.parts(k)) for k, e in zip(keys, evidence, strict=True)],
    }
    return pd.DataFrame(columns, index=pd.Index(keys, name="setting_type"))


def _counts(key: str, evidence: SettingEvidence | None, profile: Profile, cat: Catalogue) -> dict[str, int]:
    """Settings by grade: a counted type's counts, a single service's one grade, or a whole's parts summed."""
    if evidence is None:
        parts = [profile.settings[p] for p in cat.parts(key) if p in profile.settings]
        return {g: sum(getattr(p.counts, g) for p in parts if p.counts) for g in GRADES}
    if evidence.counts is not None:
        return evidence.counts.model_dump()
    return {g: int(g == evidence.grade) for g in GRADES}


def _settings_measures(frame: pd.DataFrame, cat: Catalogue, values: dict, inputs: dict) -> None:
    # The frame's columns are computed vectorised; aggregating a dozen rows is done over plain records,
    # since pandas' per-call overhead on frames this small costs more than the arithmetic.
    rows = frame.to_dict("index")
    scopes: dict[str, list[tuple[str, dict]]] = {"settings": []}
    member_of = _memberships(cat)
    for key, row in rows.items():
        if row["in_totals"]:
            scopes["settings"].append((key, row))
            for scope in member_of[key]:
                scopes.setdefault(scope, []).append((key, row))
        base = f"settings.{key}"
        counts = {g: int(row[g]) for g in GRADES}
        for f in COUNT_FIELDS:
            _put(values, inputs, f"{base}.{f}", int(row[f]), counts)
        if row["count_total"] > 0:
            _put(values, inputs, f"{base}.share_good_or_better", float(row["share_good_or_better"]),
                 {"count_good_or_better": int(row["count_good_or_better"]), "count_total": int(row["count_total"])})
            _put(values, inputs, f"{base}.share_inadequate", float(row["share_inadequate"]),
                 {"count_inadequate": int(row["count_inadequate"]), "count_total": int(row["count_total"])})
        for comparator in COMPARATORS:
            if pd.notna(row[comparator]):
                _put(values, inputs, f"{base}.{comparator}", float(row[comparator]), {"source": "profile"})
            if isinstance(row[f"vs_{comparator}"], str):
                _put(values, inputs, f"{base}.vs_{comparator}", row[f"vs_{comparator}"],
                     {"share_good_or_better": float(row["share_good_or_better"]), comparator: float(row[comparator])})
    for scope in ["settings"] + [f"groups.{g}" for g in cat.scopes()]:
        part = scopes.get(scope)
        if not part:
            continue
        sums = {f: sum(int(row[f]) for _, row in part) for f in COUNT_FIELDS}
        types = [key for key, _ in part]
        for f, v in sums.items():
            _put(values, inputs, f"{scope}.{f}", v, {"setting_types": types})
        if sums["count_total"] > 0:
            _put(values, inputs, f"{scope}.share_good_or_better", sums["count_good_or_better"] / sums["count_total"],
                 {"count_good_or_better": sums["count_good_or_better"], "count_total": sums["count_total"]})
            _put(values, inputs, f"{scope}.share_inadequate", sums["count_inadequate"] / sums["count_total"],
                 {"count_inadequate": sums["count_inadequate"], "count_total": sums["count_total"]})
        for comparator in COMPARATORS:
            compared = [(key, row[f"vs_{comparator}"]) for key, row in part if isinstance(row[f"vs_{comparator}"], str)]
            if comparator == "national":
                _put(values, inputs, f"{scope}.count_types_compared", len(compared), {"setting_types": [k for k, _ in compared]})
            if compared:
                ok = [k for k, v in compared if v != BELOW]
                _put(values, inputs, f"{scope}.share_types_in_line_or_above_{comparator}", len(ok) / len(compared),
                     {"in_line_or_above": ok, "below": [k for k, v in compared if v == BELOW]})


_MEMBERSHIPS: dict[str, dict[str, list[str]]] = {}


def _memberships(cat: Catalogue) -> dict[str, list[str]]:
    """For each setting type, the groups and combined groups (``groups.<name>``) it counts in; once per catalogue."""
    if cat.content_hash not in _MEMBERSHIPS:
        _MEMBERSHIPS[cat.content_hash] = {key: [f"groups.{scope}" for scope in cat.scopes() if cat.in_scope(scope, key)]
                                          for key in cat.setting_types}
    return _MEMBERSHIPS[cat.content_hash]


def _indicators_frame(profile: Profile, cat: Catalogue, tolerance: float) -> pd.DataFrame:
    keys = list(cat.indicators)
    meta = [cat.indicators[k] for k in keys]
    given = [profile.indicators.get(k) for k in keys]

    def column(field: str) -> np.ndarray:
        return np.array([getattr(g, field) if g is not None and getattr(g, field) is not None else np.nan for g in given],
                        dtype=float)

    value, similar, national = column("value"), column("similar_areas"), column("national")
    sign = np.array([1.0 if m.polarity == "higher" else -1.0 for m in meta])
    columns: dict[str, Any] = {
        "title": [m.title for m in meta], "outcome": [m.outcome for m in meta], "polarity": [m.polarity for m in meta],
        "unit": [m.unit for m in meta], "value": value, "similar_areas": similar, "national": national,
        "trend": [g.trend if g is not None else None for g in given],
    }
    worse_than_any = np.zeros(len(keys), dtype=bool)
    available = np.zeros(len(keys), dtype=bool)
    for name, comparator in (("similar_areas", similar), ("national", national)):
        known = ~np.isnan(value) & ~np.isnan(comparator)
        scale = np.where(np.abs(comparator) > 0, np.abs(comparator), 1.0)
        with np.errstate(invalid="ignore"):
            signed = sign * (value - comparator) / scale  # polarity: for lower-is-better, a fall is better
        verdict = _compare(signed, known, tolerance, BETTER, WORSE)
        columns[f"vs_{name}"] = verdict
        available |= known
        worse_than_any |= known & (verdict == WORSE)
    columns["available"] = available
    # In line with or above means not worse than any comparator the profile gives.
    columns["in_line_or_above"] = available & ~worse_than_any
    columns["gap"] = ~available
    return pd.DataFrame(columns, index=pd.Index(keys, name="indicator"))


def _indicator_measures(frame: pd.DataFrame, cat: Catalogue, values: dict, inputs: dict) -> None:
    rows = frame.to_dict("index")
    scopes: dict[str, list[tuple[str, dict]]] = {"indicators": []}
    for key, row in rows.items():
        scopes["indicators"].append((key, row))
        scopes.setdefault(f"outcomes.{row['outcome']}", []).append((key, row))
        if pd.notna(row["value"]):
            _put(values, inputs, f"indicator.{key}.value", float(row["value"]), {"source": "profile"})
        if isinstance(row["trend"], str):
            _put(values, inputs, f"indicator.{key}.trend", row["trend"], {"source": "profile"})
        for comparator in COMPARATORS:
            if isinstance(row[f"vs_{comparator}"], str):
                _put(values, inputs, f"indicator.{key}.vs_{comparator}", row[f"vs_{comparator}"],
                     {"value": float(row["value"]), comparator: float(row[comparator]), "polarity": row["polarity"]})
    for scope in ["indicators"] + [f"outcomes.{o}" for o in cat.outcomes]:
        part = scopes.get(scope)
        if not part:
            continue
        available = [key for key, row in part if row["available"]]
        ok = [key for key, row in part if row["available"] and row["in_line_or_above"]]
        gaps = [key for key, row in part if row["gap"]]
        _put(values, inputs, f"{scope}.count_available", len(available), {"indicators": available})
        _put(values, inputs, f"{scope}.count_in_line_or_above", len(ok), {"indicators": ok})
        _put(values, inputs, f"{scope}.count_gaps", len(gaps), {"gaps": gaps})
        _put(values, inputs, f"{scope}.share_gaps", len(gaps) / len(part), {"count_gaps": len(gaps), "in_catalogue": len(part)})
        if available:
            _put(values, inputs, f"{scope}.share_in_line_or_above", len(ok) / len(available),
                 {"count_in_line_or_above": len(ok), "count_available": len(available),
                  "below": [k for k in available if k not in ok]})
        with_trend = [key for key, row in part if isinstance(row["trend"], str)]
        if with_trend:
            improving = [key for key, row in part if row["trend"] == "improving"]
            _put(values, inputs, f"{scope}.count_with_trend", len(with_trend), {"indicators": with_trend})
            _put(values, inputs, f"{scope}.count_improving", len(improving), {"indicators": improving})
            _put(values, inputs, f"{scope}.share_improving", len(improving) / len(with_trend),
                 {"count_improving": len(improving), "count_with_trend": len(with_trend)})


def _inspection_measures(profile: Profile, values: dict, inputs: dict) -> None:
    """The inspections as of the evidence date (engine.model.inspections): the latest of each family, areas for
    priority action not resolved by then, inadequate full inspections no later one lifted, pending inspections."""
    counted = at_evidence_date(profile)
    full = latest(counted, FULL)
    if full is not None:
        for f in ("kind", "year", "safeguarding", "looked_after_children"):
            if getattr(full, f) is not None:
                _put(values, inputs, f"safeguarding_inspection.{f}", getattr(full, f), _where(full))
    unannounced = latest(counted, UNANNOUNCED_FAMILY)
    if unannounced is not None:
        found = {"year": unannounced.year, "strengths": unannounced.strengths,
                 "areas_for_development": unannounced.areas_for_development,
                 "areas_for_priority_action": len(unannounced.priority_actions),
                 "effective_action_to_safeguard": JUDGED if unannounced.effective_action_to_safeguard else NOT_JUDGED}
        for f, value in found.items():
            _put(values, inputs, f"unannounced_inspection.{f}", value, _where(unannounced))
        unresolved = unannounced.unresolved(profile.evidence_date)
        since = {**_where(unannounced), "evidence_date": _date(profile.evidence_date)}
        _put(values, inputs, "inspections.unresolved_priority_actions", unresolved, since)
        _put(values, inputs, "inspections.resolved_priority_actions", len(unannounced.priority_actions) - unresolved, since)
    if counted:
        standing = inadequate_not_lifted(counted)
        _put(values, inputs, "inspections.inadequate_safeguarding_not_lifted", len(standing),
             {"inspections": [".".join(map(str, h.source)) for h in standing], "evidence_date": _date(profile.evidence_date)})
    later = after_evidence_date(profile)
    pending = pending_at_evidence_date(profile)
    if profile.evidence_date is not None:
        _put(values, inputs, "inspections.after_evidence_date", len(later) + int(profile.pending_inspection is not None and not pending),
             {"inspections": [".".join(map(str, h.source)) for h in later], "evidence_date": _date(profile.evidence_date)})
    _put(values, inputs, "inspections.pending", int(pending), {"evidence_date": _date(profile.evidence_date)})
    if pending and profile.pending_inspection is not None:
        _put(values, inputs, "pending_inspection.kind", profile.pending_inspection.kind,
             {"source": "profile", "date": _date(profile.pending_inspection.date)})


def _where(held: Held) -> dict[str, Any]:
    return {"source": ".".join(map(str, held.source)), "date": _date(held.date) if held.date else held.year}


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _gap_measures(profile: Profile, values: dict, inputs: dict) -> None:
    gaps = profile.vulnerable_gaps
    if not gaps:
        return
    frame = pd.DataFrame([g.model_dump() for g in gaps])
    n = len(frame)
    _put(values, inputs, "vulnerable_gaps.count", n, {"source": "profile"})
    narrower = int((frame["gap"] < frame["national_gap"]).sum())
    _put(values, inputs, "vulnerable_gaps.share_narrower_than_national", narrower / n, {"narrower": narrower, "count": n})
    for trend in ("narrowing", "widening"):
        k = int((frame["trend"] == trend).sum())
        _put(values, inputs, f"vulnerable_gaps.share_{trend}", k / n, {trend: k, "count": n})


def _put(values: dict, inputs: dict, name: str, value: Any, source: dict) -> None:
    values[name] = value
    inputs[name] = source
