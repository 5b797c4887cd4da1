"""Measures derived from a profile with pandas: shares by setting type and group, comparisons with
national and similar-areas figures, indicator comparisons respecting polarity, shares per outcome.

Every measure has a dotted name (``settings.secondary_schools.share_good_or_better``) listed by
:func:`measure_catalogue`; rules refer to measures by these names. A measure that cannot be derived
(no settings of a type, no indicators for an outcome) is absent, never zero: absence is a data gap.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
import pandas as pd

from .catalogue import Catalogue
from .profile import GRADES, Profile
from .ruleset import Ruleset

ABOVE, IN_LINE, BELOW = "above", "in_line", "below"
BETTER, WORSE = "better", "worse"


@dataclass(frozen=True)
class MeasureSpec:
    name: str
    kind: str  # proportion | count | category | number | year
    description: str


def measure_catalogue(catalogue: Catalogue) -> dict[str, MeasureSpec]:
    """Every measure the engine can derive, given the catalogues. Rules may use only these names."""
    return {spec.name: spec for spec in _specs(catalogue)}


def _specs(cat: Catalogue) -> Iterator[MeasureSpec]:
    count_fields = {
        "count_total": "settings with a grade", "count_good_or_better": "settings good or outstanding",
        "count_outstanding": "settings outstanding", "count_inadequate": "settings inadequate",
    }
    share_fields = {"share_good_or_better": "share good or outstanding", "share_inadequate": "share inadequate"}
    for key, setting in cat.setting_types.items():
        base = f"settings.{key}"
        for f, text in count_fields.items():
            yield MeasureSpec(f"{base}.{f}", "count", f"{setting.title}: {text}")
        for f, text in share_fields.items():
            yield MeasureSpec(f"{base}.{f}", "proportion", f"{setting.title}: {text}")
        for comparator in ("national", "similar_areas"):
            yield MeasureSpec(f"{base}.{comparator}", "proportion", f"{setting.title}: {comparator.replace('_', ' ')} share good or better")
            yield MeasureSpec(f"{base}.vs_{comparator}", "category",
                              f"{setting.title}: share good or better above / in_line / below {comparator.replace('_', ' ')}")
    for scope, title in [("settings", "All settings and services")] + [(f"groups.{g}", t) for g, t in cat.groups.items()]:
        for f, text in count_fields.items():
            yield MeasureSpec(f"{scope}.{f}", "count", f"{title}: {text}")
        for f, text in share_fields.items():
            yield MeasureSpec(f"{scope}.{f}", "proportion", f"{title}: {text}")
        yield MeasureSpec(f"{scope}.count_types_compared", "count", f"{title}: types of setting with a national comparator")
        for comparator in ("national", "similar_areas"):
            yield MeasureSpec(f"{scope}.share_types_in_line_or_above_{comparator}", "proportion",
                              f"{title}: share of types of setting good or better in line with or above {comparator.replace('_', ' ')}")
    for scope, title in [("indicators", "All national indicators")] + [(f"outcomes.{o}", t) for o, t in cat.outcomes.items()]:
        yield MeasureSpec(f"{scope}.count_available", "count", f"{title}: indicators with a value and a comparator")
        yield MeasureSpec(f"{scope}.count_in_line_or_above", "count", f"{title}: indicators in line with or above comparators")
        yield MeasureSpec(f"{scope}.share_in_line_or_above", "proportion", f"{title}: share of available indicators in line with or above comparators")
        yield MeasureSpec(f"{scope}.count_gaps", "count", f"{title}: indicators with no data (gaps)")
        yield MeasureSpec(f"{scope}.share_gaps", "proportion", f"{title}: share of the catalogue's indicators with no data")
    for key, indicator in cat.indicators.items():
        yield MeasureSpec(f"indicator.{key}.value", "number", f"{key} {indicator.title}")
        for comparator in ("national", "similar_areas"):
            yield MeasureSpec(f"indicator.{key}.vs_{comparator}", "category",
                              f"{key}: better / in_line / worse than {comparator.replace('_', ' ')}, by polarity")
    yield MeasureSpec("safeguarding_inspection.kind", "category", "joint area review or inspection of safeguarding and looked after children")
    yield MeasureSpec("safeguarding_inspection.year", "year", "year of the latest safeguarding inspection")
    yield MeasureSpec("safeguarding_inspection.safeguarding", "category", "grade for safeguarding")
    yield MeasureSpec("safeguarding_inspection.looked_after_children", "category", "grade for looked after children")
    yield MeasureSpec("unannounced_inspection.year", "year", "year of the latest unannounced inspection of contact, referral and assessment")
    for f in ("strengths", "areas_for_development", "areas_for_priority_action"):
        yield MeasureSpec(f"unannounced_inspection.{f}", "count", f"unannounced inspection: {f.replace('_', ' ')}")
    yield MeasureSpec("vulnerable_gaps.count", "count", "gaps for vulnerable groups reported")
    for f, text in (("narrower_than_national", "narrower than the national gap"), ("narrowing", "narrowing"), ("widening", "widening")):
        yield MeasureSpec(f"vulnerable_gaps.share_{f}", "proportion", f"share of gaps for vulnerable groups {text}")


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


def _compare(share: pd.Series, comparator: pd.Series, tolerance: float) -> pd.Series:
    diff = share - comparator
    out = np.select([diff > tolerance + 1e-12, diff < -tolerance - 1e-12], [ABOVE, BELOW], IN_LINE)
    return pd.Series(out, index=share.index).where(comparator.notna())


def _settings_frame(profile: Profile, cat: Catalogue, tolerance: float) -> pd.DataFrame:
    rows = []
    for key, evidence in profile.settings.items():
        counts = evidence.counts.model_dump() if evidence.counts else {g: int(g == evidence.grade) for g in GRADES}
        rows.append({
            "setting_type": key, "group": cat.setting_types[key].group, "title": cat.setting_types[key].title,
            **counts,
            "national": evidence.national.good_or_better if evidence.national else np.nan,
            "similar_areas": evidence.similar_areas.good_or_better if evidence.similar_areas else np.nan,
            "single_grade": evidence.grade,
        })
    columns = ["setting_type", "group", "title", *GRADES, "national", "similar_areas", "single_grade"]
    frame = pd.DataFrame(rows, columns=columns).set_index("setting_type")
    frame["count_total"] = frame[list(GRADES)].sum(axis=1).astype(int)
    frame["count_good_or_better"] = (frame["outstanding"] + frame["good"]).astype(int)
    frame["count_outstanding"] = frame["outstanding"].astype(int)
    frame["count_inadequate"] = frame["inadequate"].astype(int)
    total = frame["count_total"].where(frame["count_total"] > 0)
    frame["share_good_or_better"] = frame["count_good_or_better"] / total
    frame["share_inadequate"] = frame["count_inadequate"] / total
    frame["vs_national"] = _compare(frame["share_good_or_better"], frame["national"].astype(float), tolerance)
    frame["vs_similar_areas"] = _compare(frame["share_good_or_better"], frame["similar_areas"].astype(float), tolerance)
    return frame


def _settings_measures(frame: pd.DataFrame, cat: Catalogue, values: dict, inputs: dict) -> None:
    for key, row in frame.iterrows():
        base = f"settings.{key}"
        counts = {g: int(row[g]) for g in GRADES}
        for f in ("count_total", "count_good_or_better", "count_outstanding", "count_inadequate"):
            _put(values, inputs, f"{base}.{f}", int(row[f]), counts)
        if row["count_total"] > 0:
            _put(values, inputs, f"{base}.share_good_or_better", float(row["share_good_or_better"]),
                 {"count_good_or_better": int(row["count_good_or_better"]), "count_total": int(row["count_total"])})
            _put(values, inputs, f"{base}.share_inadequate", float(row["share_inadequate"]),
                 {"count_inadequate": int(row["count_inadequate"]), "count_total": int(row["count_total"])})
        for comparator in ("national", "similar_areas"):
            if pd.notna(row[comparator]):
                _put(values, inputs, f"{base}.{comparator}", float(row[comparator]), {"source": "profile"})
            if isinstance(row[f"vs_{comparator}"], str):
                _put(values, inputs, f"{base}.vs_{comparator}", row[f"vs_{comparator}"],
                     {"share_good_or_better": float(row["share_good_or_better"]), comparator: float(row[comparator])})
    scopes = [("settings", frame)] + [(f"groups.{g}", frame[frame["group"] == g]) for g in cat.groups]
    for scope, part in scopes:
        if part.empty:
            continue
        sums = {f: int(part[f].sum()) for f in ("count_total", "count_good_or_better", "count_outstanding", "count_inadequate")}
        types = list(part.index)
        for f, v in sums.items():
            _put(values, inputs, f"{scope}.{f}", v, {"setting_types": types})
        if sums["count_total"] > 0:
            _put(values, inputs, f"{scope}.share_good_or_better", sums["count_good_or_better"] / sums["count_total"],
                 {"count_good_or_better": sums["count_good_or_better"], "count_total": sums["count_total"]})
            _put(values, inputs, f"{scope}.share_inadequate", sums["count_inadequate"] / sums["count_total"],
                 {"count_inadequate": sums["count_inadequate"], "count_total": sums["count_total"]})
        for comparator in ("national", "similar_areas"):
            compared = part[f"vs_{comparator}"].dropna()
            if comparator == "national":
                _put(values, inputs, f"{scope}.count_types_compared", int(len(compared)), {"setting_types": list(compared.index)})
            if len(compared):
                ok = compared[compared != BELOW]
                _put(values, inputs, f"{scope}.share_types_in_line_or_above_{comparator}", len(ok) / len(compared),
                     {"in_line_or_above": list(ok.index), "below": list(compared[compared == BELOW].index)})


def _indicators_frame(profile: Profile, cat: Catalogue, tolerance: float) -> pd.DataFrame:
    rows = []
    for key, indicator in cat.indicators.items():
        given = profile.indicators.get(key)
        rows.append({
            "indicator": key, "title": indicator.title, "outcome": indicator.outcome, "polarity": indicator.polarity,
            "unit": indicator.unit,
            "value": given.value if given else np.nan,
            "similar_areas": given.similar_areas if given and given.similar_areas is not None else np.nan,
            "national": given.national if given and given.national is not None else np.nan,
        })
    frame = pd.DataFrame(rows).set_index("indicator")
    sign = np.where(frame["polarity"] == "higher", 1.0, -1.0)
    for comparator in ("similar_areas", "national"):
        c = frame[comparator].astype(float)
        scale = c.abs().where(c.abs() > 0, 1.0)
        signed = sign * (frame["value"].astype(float) - c) / scale
        out = np.select([signed > tolerance + 1e-12, signed < -tolerance - 1e-12], [BETTER, WORSE], IN_LINE)
        frame[f"vs_{comparator}"] = pd.Series(out, index=frame.index).where(frame["value"].notna() & c.notna())
    compared = frame[["vs_similar_areas", "vs_national"]]
    frame["available"] = compared.notna().any(axis=1)
    # In line with or above means not worse than any comparator the profile gives.
    frame["in_line_or_above"] = frame["available"] & ~(compared == WORSE).any(axis=1)
    frame["gap"] = ~frame["available"]
    return frame


def _indicator_measures(frame: pd.DataFrame, cat: Catalogue, values: dict, inputs: dict) -> None:
    for key, row in frame.iterrows():
        if pd.notna(row["value"]):
            _put(values, inputs, f"indicator.{key}.value", float(row["value"]), {"source": "profile"})
        for comparator in ("national", "similar_areas"):
            if isinstance(row[f"vs_{comparator}"], str):
                _put(values, inputs, f"indicator.{key}.vs_{comparator}", row[f"vs_{comparator}"],
                     {"value": float(row["value"]), comparator: float(row[comparator]), "polarity": row["polarity"]})
    scopes = [("indicators", frame)] + [(f"outcomes.{o}", frame[frame["outcome"] == o]) for o in cat.outcomes]
    for scope, part in scopes:
        if part.empty:
            continue
        available = part[part["available"]]
        ok = available[available["in_line_or_above"]]
        gaps = list(part.index[part["gap"]])
        _put(values, inputs, f"{scope}.count_available", int(len(available)), {"indicators": list(available.index)})
        _put(values, inputs, f"{scope}.count_in_line_or_above", int(len(ok)), {"indicators": list(ok.index)})
        _put(values, inputs, f"{scope}.count_gaps", len(gaps), {"gaps": gaps})
        _put(values, inputs, f"{scope}.share_gaps", len(gaps) / len(part), {"count_gaps": len(gaps), "in_catalogue": int(len(part))})
        if len(available):
            _put(values, inputs, f"{scope}.share_in_line_or_above", len(ok) / len(available),
                 {"count_in_line_or_above": int(len(ok)), "count_available": int(len(available)),
                  "below": list(available.index[~available["in_line_or_above"]])})


def _inspection_measures(profile: Profile, values: dict, inputs: dict) -> None:
    found = profile.safeguarding_inspection
    if found:
        for f in ("kind", "year", "safeguarding", "looked_after_children"):
            if getattr(found, f) is not None:
                _put(values, inputs, f"safeguarding_inspection.{f}", getattr(found, f), {"source": "profile"})
    unannounced = profile.unannounced_inspection
    if unannounced:
        for f in ("year", "strengths", "areas_for_development", "areas_for_priority_action"):
            _put(values, inputs, f"unannounced_inspection.{f}", getattr(unannounced, f), {"source": "profile"})


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
