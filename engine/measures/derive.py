"""Measures derived from profiles with pandas and numpy, for a whole chunk of profiles at once: shares by
setting type and group, comparisons with national and similar-areas figures, indicator comparisons
respecting polarity, shares per outcome. One profile is a chunk of one.

Each chunk is laid out as councils x setting types and councils x indicators; every share, comparison and
sum over a group or outcome is one vectorised operation over the chunk. A profile's values are then read
off the arrays; the inputs each value came from (which setting types, which indicators) are worked out
only when asked for, since most evaluations never show them.

The names and meanings of the measures are :mod:`engine.model.measures`; a measure that cannot be derived
is absent, never zero: absence is a data gap.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
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
from ..model.measures import (
    COMPARATORS,
    COUNT_FIELDS,
    IN_FORCE,
    INDICATOR_FIELDS,
    INDICATOR_SCOPE_FIELDS,
    JUDGED,
    JUDGEMENT_MEASURES,
    NOT_IN_FORCE,
    NOT_JUDGED,
    SETTING_SCOPE_FIELDS,
    SETTING_TYPE_FIELDS,
    Fields,
)
from ..model.profile import GOOD_OR_BETTER, GRADES, Profile
from ..model.ruleset import Comparison, Ruleset

ABOVE, IN_LINE, BELOW = "above", "in_line", "below"
BETTER, WORSE = "better", "worse"
_EPSILON = 1e-12  # a difference within tolerance by rounding error only is still in line
_GOOD = [GRADES.index(g) for g in GOOD_OR_BETTER]
_OUTSTANDING, _INADEQUATE = GRADES.index("outstanding"), GRADES.index("inadequate")


def in_line_from(difference: float) -> float:
    """The smallest tolerance at which a comparison with this signed difference is in line, in the arithmetic
    :func:`_compare` does (a tolerance's breakpoint: just below it the comparison is above or below)."""
    size = abs(float(difference))
    tolerance = size - _EPSILON
    while size > tolerance + _EPSILON:  # rounding may leave the first guess a step short, or a step long
        tolerance = math.nextafter(tolerance, math.inf)
    while not size > math.nextafter(tolerance, -math.inf) + _EPSILON:
        tolerance = math.nextafter(tolerance, -math.inf)
    return max(tolerance, 0.0)


def _compare(diff: np.ndarray, known: np.ndarray, tolerance: float, higher: str, lower: str) -> np.ndarray:
    """higher / in_line / lower by a signed difference and a tolerance; None where there is no comparison."""
    out = np.select([diff > tolerance + _EPSILON, diff < -tolerance - _EPSILON], [higher, lower], IN_LINE).astype(object)
    out[~known] = None
    return out


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.where(whole > 0, whole, 1), np.nan)


class _Settings:
    """Councils x setting types (the catalogue's order); scopes are all settings, then each group and combined
    group. A whole whose parts alone are given (children's homes from council-run and private ones) has the
    parts' counts summed; wherever a whole and its parts are both given, only the parts count in the totals."""

    def __init__(self, profiles: Sequence[Profile], cat: Catalogue, tolerance: float):
        self.types = list(cat.setting_types)
        self.scopes = ["settings"] + [f"groups.{g}" for g in cat.scopes()]
        index = {key: t for t, key in enumerate(self.types)}
        parts = {key: [index[part] for part in cat.parts(key)] for key in self.types}
        counted = [cat.setting_types[key].in_totals for key in self.types]  # a type outside every total (catalogue)
        shape = (len(profiles), len(self.types))
        self.counts = np.zeros(shape + (len(GRADES),), dtype=np.int64)
        self.present = np.zeros(shape, dtype=bool)
        self.in_totals = np.zeros(shape, dtype=bool)
        self.derived = np.zeros(shape, dtype=bool)  # a whole made of its parts' counts
        self.comparator = {c: np.full(shape, np.nan) for c in COMPARATORS}
        self.order: list[list[int]] = []  # each profile's setting types: as the profile gives them, then wholes made of parts
        self.single: list[list[str | None]] = []
        for p, profile in enumerate(profiles):
            order: list[int] = []
            single: list[str | None] = []
            for key, evidence in profile.settings.items():
                t = index[key]
                order.append(t)
                single.append(evidence.grade)
                self.present[p, t] = True
                self.in_totals[p, t] = counted[t] and not any(self.types[q] in profile.settings for q in parts[key])
                if evidence.counts is not None:
                    self.counts[p, t] = [getattr(evidence.counts, g) for g in GRADES]
                else:
                    self.counts[p, t, GRADES.index(evidence.grade)] = 1
                for c in COMPARATORS:
                    given = getattr(evidence, c)
                    if given is not None:
                        self.comparator[c][p, t] = given.good_or_better
            for key in self.types:
                given_parts = [q for q in parts[key] if self.present[p, q]]
                if given_parts and key not in profile.settings:
                    t = index[key]
                    order.append(t)
                    single.append(None)
                    self.present[p, t] = self.derived[p, t] = True
                    self.counts[p, t] = self.counts[p, given_parts].sum(axis=0)
            self.order.append(order)
            self.single.append(single)
        self.fields = {
            "count_total": self.counts.sum(axis=2), "count_good_or_better": self.counts[:, :, _GOOD].sum(axis=2),
            "count_outstanding": self.counts[:, :, _OUTSTANDING], "count_inadequate": self.counts[:, :, _INADEQUATE],
        }
        self.share_good_or_better = _share(self.fields["count_good_or_better"], self.fields["count_total"])
        self.share_inadequate = _share(self.fields["count_inadequate"], self.fields["count_total"])
        share_known = ~np.isnan(self.share_good_or_better)
        self.vs = {c: _compare(self.share_good_or_better - self.comparator[c], share_known & ~np.isnan(self.comparator[c]),
                               tolerance, ABOVE, BELOW) for c in COMPARATORS}
        # Which setting types each scope holds (types x scopes), then every scope's sums in one product each.
        membership = np.zeros((len(self.types), len(self.scopes)), dtype=np.int64)
        membership[:, 0] = 1
        for t, key in enumerate(self.types):
            for s, scope in enumerate(cat.scopes(), start=1):
                membership[t, s] = cat.in_scope(scope, key)
        present = self.in_totals.astype(np.int64)  # what the totals count
        self.scope_types = present @ membership
        self.scope_fields = {f: (values * present) @ membership for f, values in self.fields.items()}
        self.scope_share_good_or_better = _share(self.scope_fields["count_good_or_better"], self.scope_fields["count_total"])
        self.scope_share_inadequate = _share(self.scope_fields["count_inadequate"], self.scope_fields["count_total"])
        self.compared = {c: ((self.vs[c] != None) & self.in_totals).astype(np.int64) @ membership for c in COMPARATORS}  # noqa: E711
        self.in_line_or_above = {c: ((self.vs[c] != None) & (self.vs[c] != BELOW) & self.in_totals).astype(np.int64) @ membership  # noqa: E711
                                 for c in COMPARATORS}
        self.membership = membership.astype(bool)
        self.members = self.membership.tolist()
        self.type_index = index
        self.scope_index = {scope: s for s, scope in enumerate(self.scopes)}
        self._rows: dict[int, dict[str, Any]] = {}

    def values(self, p: int, out: dict[str, Any]) -> None:
        fields = {f: a[p].tolist() for f, a in self.fields.items()}
        shares = self.share_good_or_better[p].tolist(), self.share_inadequate[p].tolist()
        comparators = {c: a[p].tolist() for c, a in self.comparator.items()}
        vs = {c: a[p].tolist() for c, a in self.vs.items()}
        for t in self.order[p]:
            row = {f: fields[f][t] for f in COUNT_FIELDS}
            if fields["count_total"][t] > 0:
                row["share_good_or_better"], row["share_inadequate"] = shares[0][t], shares[1][t]
            for c in COMPARATORS:
                if comparators[c][t] == comparators[c][t]:  # not NaN
                    row[c] = comparators[c][t]
                if vs[c][t] is not None:
                    row[f"vs_{c}"] = vs[c][t]
            _emit(out, f"settings.{self.types[t]}", row, SETTING_TYPE_FIELDS)
        scope_types = self.scope_types[p].tolist()
        sums = {f: a[p].tolist() for f, a in self.scope_fields.items()}
        scope_shares = self.scope_share_good_or_better[p].tolist(), self.scope_share_inadequate[p].tolist()
        compared = {c: a[p].tolist() for c, a in self.compared.items()}
        in_line = {c: a[p].tolist() for c, a in self.in_line_or_above.items()}
        for s, scope in enumerate(self.scopes):
            if not scope_types[s]:
                continue
            row = {f: sums[f][s] for f in COUNT_FIELDS}
            if sums["count_total"][s] > 0:
                row["share_good_or_better"], row["share_inadequate"] = scope_shares[0][s], scope_shares[1][s]
            row["count_types_compared"] = compared["national"][s]
            for c in COMPARATORS:
                if compared[c][s]:
                    row[f"share_types_in_line_or_above_{c}"] = in_line[c][s] / compared[c][s]
            _emit(out, scope, row, SETTING_SCOPE_FIELDS)

    def _row(self, p: int) -> dict[str, Any]:
        """Profile ``p``'s arrays as Python lists, made once: reading a numpy element costs a microsecond each time,
        and a trace asks for the inputs of every measure."""
        row = self._rows.get(p)
        if row is None:
            row = self._rows[p] = {
                "counts": self.counts[p].tolist(), "share_good_or_better": self.share_good_or_better[p].tolist(),
                "in_totals": self.in_totals[p].tolist(), **{f: a[p].tolist() for f, a in self.fields.items()},
                "comparator": {c: a[p].tolist() for c, a in self.comparator.items()},
                "vs": {c: a[p].tolist() for c, a in self.vs.items()},
                "scope": {f: a[p].tolist() for f, a in self.scope_fields.items()}}
        return row

    def inputs(self, p: int, name: str) -> dict[str, Any] | None:
        scope, _, field = name.rpartition(".")
        row = self._row(p)
        if scope.startswith("settings.") and scope[len("settings."):] in self.type_index:
            t = self.type_index[scope[len("settings."):]]
            counts = dict(zip(GRADES, row["counts"][t], strict=True))
            total = row["count_total"][t]
            if field in COUNT_FIELDS:
                return counts
            if field == "share_good_or_better":
                return {"count_good_or_better": row["count_good_or_better"][t], "count_total": total}
            if field == "share_inadequate":
                return {"count_inadequate": row["count_inadequate"][t], "count_total": total}
            if field in COMPARATORS:
                return {"source": "profile"}
            c = field[len("vs_"):]
            return {"share_good_or_better": row["share_good_or_better"][t], c: row["comparator"][c][t]}
        if scope not in self.scope_index:
            return None
        s = self.scope_index[scope]
        types = [t for t in self.order[p] if self.members[t][s] and row["in_totals"][t]]
        if field in COUNT_FIELDS:
            return {"setting_types": [self.types[t] for t in types]}
        if field in ("share_good_or_better", "share_inadequate"):
            part = "count_good_or_better" if field == "share_good_or_better" else "count_inadequate"
            return {part: row["scope"][part][s], "count_total": row["scope"]["count_total"][s]}
        if field == "count_types_compared":
            return {"setting_types": [self.types[t] for t in types if row["vs"]["national"][t] is not None]}
        c = field[len("share_types_in_line_or_above_"):]
        compared = [t for t in types if row["vs"][c][t] is not None]
        return {"in_line_or_above": [self.types[t] for t in compared if row["vs"][c][t] != BELOW],
                "below": [self.types[t] for t in compared if row["vs"][c][t] == BELOW]}

    def frame(self, p: int, cat: Catalogue) -> pd.DataFrame:
        """One council's settings as the reports read them (a row per setting type, in the profile's order)."""
        order = self.order[p]
        keys = [self.types[t] for t in order]
        columns: dict[str, Any] = {
            "group": [cat.setting_types[k].group for k in keys], "title": [cat.setting_types[k].title for k in keys],
            **{g: self.counts[p, order, i] for i, g in enumerate(GRADES)},
            "national": self.comparator["national"][p, order], "similar_areas": self.comparator["similar_areas"][p, order],
            "single_grade": self.single[p], **{f: a[p, order] for f, a in self.fields.items()},
            "share_good_or_better": self.share_good_or_better[p, order], "share_inadequate": self.share_inadequate[p, order],
            "vs_national": self.vs["national"][p, order], "vs_similar_areas": self.vs["similar_areas"][p, order],
            "derived_from_parts": self.derived[p, order], "in_totals": self.in_totals[p, order],
        }
        return pd.DataFrame(columns, index=pd.Index(keys, name="setting_type"))


class _Indicators:
    """Councils x indicators (the catalogue's order); scopes are all indicators, then each outcome."""

    def __init__(self, profiles: Sequence[Profile], cat: Catalogue, tolerance: float):
        self.keys = list(cat.indicators)
        self.meta = [cat.indicators[k] for k in self.keys]
        outcomes = list(cat.outcomes)
        self.scopes = ["indicators"] + [f"outcomes.{o}" for o in outcomes]
        shape = (len(profiles), len(self.keys))
        self.value, self.similar_areas, self.national = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
        self.trend = np.full(shape, None, dtype=object)
        index = {key: i for i, key in enumerate(self.keys)}
        for p, profile in enumerate(profiles):
            for key, given in profile.indicators.items():
                i = index[key]
                self.value[p, i] = given.value
                self.trend[p, i] = given.trend
                if given.similar_areas is not None:
                    self.similar_areas[p, i] = given.similar_areas
                if given.national is not None:
                    self.national[p, i] = given.national
        sign = np.array([1.0 if m.polarity == "higher" else -1.0 for m in self.meta])
        self.vs: dict[str, np.ndarray] = {}
        worse_than_any = np.zeros(shape, dtype=bool)
        self.available = np.zeros(shape, dtype=bool)
        for name in ("similar_areas", "national"):
            comparator = getattr(self, name)
            known = ~np.isnan(self.value) & ~np.isnan(comparator)
            scale = np.where(np.abs(comparator) > 0, np.abs(comparator), 1.0)
            with np.errstate(invalid="ignore"):
                signed = sign * (self.value - comparator) / scale  # polarity: for lower-is-better, a fall is better
            self.vs[name] = _compare(signed, known, tolerance, BETTER, WORSE)
            self.available |= known
            worse_than_any |= known & (self.vs[name] == WORSE)
        # In line with or above means not worse than any comparator the profile gives.
        self.in_line_or_above = self.available & ~worse_than_any
        self.gap = ~self.available
        membership = np.zeros((len(self.keys), len(self.scopes)), dtype=np.int64)
        membership[:, 0] = 1
        for i, m in enumerate(self.meta):
            membership[i, 1 + outcomes.index(m.outcome)] = 1
        self.membership = membership.astype(bool)
        self.members = self.membership.tolist()
        self.key_index = index
        self.scope_index = {scope: s for s, scope in enumerate(self.scopes)}
        self._scopes_seen: dict[tuple[int, int], dict[str, dict[str, Any]]] = {}
        self.in_catalogue = membership.sum(axis=0).tolist()
        self.scope_available = self.available.astype(np.int64) @ membership
        self.scope_in_line = self.in_line_or_above.astype(np.int64) @ membership
        self.scope_gaps = self.gap.astype(np.int64) @ membership
        self.scope_with_trend = (self.trend != None).astype(np.int64) @ membership  # noqa: E711
        self.scope_improving = (self.trend == "improving").astype(np.int64) @ membership

    def values(self, p: int, out: dict[str, Any]) -> None:
        value, trend = self.value[p].tolist(), self.trend[p].tolist()
        vs = {c: self.vs[c][p].tolist() for c in COMPARATORS}
        for i, key in enumerate(self.keys):
            row: dict[str, Any] = {}
            if value[i] == value[i]:  # not NaN
                row["value"] = value[i]
            if trend[i] is not None:
                row["trend"] = trend[i]
            for c in COMPARATORS:
                if vs[c][i] is not None:
                    row[f"vs_{c}"] = vs[c][i]
            _emit(out, f"indicator.{key}", row, INDICATOR_FIELDS)
        available, in_line, gaps = self.scope_available[p].tolist(), self.scope_in_line[p].tolist(), self.scope_gaps[p].tolist()
        for s, scope in enumerate(self.scopes):
            if not self.in_catalogue[s]:
                continue
            row = {"count_available": available[s], "count_in_line_or_above": in_line[s], "count_gaps": gaps[s],
                   "share_gaps": gaps[s] / self.in_catalogue[s]}
            if available[s]:
                row["share_in_line_or_above"] = in_line[s] / available[s]
            with_trend, improving = int(self.scope_with_trend[p, s]), int(self.scope_improving[p, s])
            if with_trend:
                row.update(count_with_trend=with_trend, count_improving=improving, share_improving=improving / with_trend)
            _emit(out, scope, row, INDICATOR_SCOPE_FIELDS)

    def inputs(self, p: int, name: str) -> dict[str, Any] | None:
        scope, _, field = name.rpartition(".")
        if scope.startswith("indicator."):
            i = self.key_index[scope[len("indicator."):]]
            if field in ("value", "trend"):
                return {"source": "profile"}
            c = field[len("vs_"):]
            return {"value": float(self.value[p, i]), c: float(getattr(self, c)[p, i]), "polarity": self.meta[i].polarity}
        if scope not in self.scope_index:
            return None
        return self._scope_inputs(p, self.scope_index[scope])[field]

    def _scope_inputs(self, p: int, s: int) -> dict[str, dict[str, Any]]:
        """What each count and share of a scope came from, for profile ``p``: made once for all of them."""
        found = self._scopes_seen.get((p, s))
        if found is not None:
            return found
        available_p, in_line_p, gap_p, trend_p = (a[p].tolist() for a in (self.available, self.in_line_or_above, self.gap, self.trend))
        members = [i for i in range(len(self.keys)) if self.members[i][s]]
        available = [self.keys[i] for i in members if available_p[i]]
        ok = [self.keys[i] for i in members if available_p[i] and in_line_p[i]]
        gaps = [self.keys[i] for i in members if gap_p[i]]
        with_trend = [self.keys[i] for i in members if trend_p[i] is not None]
        improving = [self.keys[i] for i in members if trend_p[i] == "improving"]
        by_field: dict[str, dict[str, Any]] = {
            "count_with_trend": {"indicators": with_trend}, "count_improving": {"indicators": improving},
            "share_improving": {"count_improving": len(improving), "count_with_trend": len(with_trend)},
            "count_available": {"indicators": available}, "count_in_line_or_above": {"indicators": ok},
            "count_gaps": {"gaps": gaps}, "share_gaps": {"count_gaps": len(gaps), "in_catalogue": len(members)},
            "share_in_line_or_above": {"count_in_line_or_above": len(ok), "count_available": len(available),
                                       "below": [k for k in available if k not in ok]}}
        self._scopes_seen[(p, s)] = by_field
        return by_field

    def frame(self, p: int) -> pd.DataFrame:
        """One council's indicators as the reports read them (a row per catalogue indicator)."""
        columns: dict[str, Any] = {
            "title": [m.title for m in self.meta], "outcome": [m.outcome for m in self.meta],
            "polarity": [m.polarity for m in self.meta], "unit": [m.unit for m in self.meta], "value": self.value[p],
            "similar_areas": self.similar_areas[p], "national": self.national[p], "vs_similar_areas": self.vs["similar_areas"][p],
            "vs_national": self.vs["national"][p], "available": self.available[p], "in_line_or_above": self.in_line_or_above[p],
            "gap": self.gap[p], "trend": self.trend[p],
        }
        return pd.DataFrame(columns, index=pd.Index(self.keys, name="indicator"))


def _profile_measures(profile: Profile) -> dict[str, tuple[Any, dict[str, Any]]]:
    """The measures of a profile's inspections and vulnerable groups, with their inputs: a few per profile."""
    out: dict[str, tuple[Any, dict[str, Any]]] = {}
    _inspection_measures(profile, out)
    _history_measures(profile, out)
    gaps = profile.vulnerable_gaps
    if gaps:
        n = len(gaps)
        out["vulnerable_gaps.count"] = (n, {"source": "profile"})
        narrower = sum(g.gap < g.national_gap for g in gaps)
        out["vulnerable_gaps.share_narrower_than_national"] = (narrower / n, {"narrower": narrower, "count": n})
        for trend in ("narrowing", "widening"):
            k = sum(g.trend == trend for g in gaps)
            out[f"vulnerable_gaps.share_{trend}"] = (k / n, {trend: k, "count": n})
    return out


def _history_measures(profile: Profile, out: dict[str, tuple[Any, dict[str, Any]]]) -> None:
    """The notice to improve and the earlier ratings: recorded and shown, read by no shipped rule (each ruleset says why)."""
    notice = profile.notice_to_improve
    if notice is not None:
        out["notice_to_improve.in_force"] = (IN_FORCE if notice.in_force(profile.evidence_date) else NOT_IN_FORCE, {
            "served_on": _date(notice.served_on), "lifted_on": _date(notice.lifted_on), "evidence_date": _date(profile.evidence_date)})
    if profile.previous_ratings:
        out["previous_ratings.count"] = (len(profile.previous_ratings), {
            str(r.year): f"{r.assessment} {r.band}" for r in sorted(profile.previous_ratings, key=lambda r: r.year)})


def _inspection_measures(profile: Profile, out: dict[str, tuple[Any, dict[str, Any]]]) -> None:
    """The inspections as of the evidence date (engine.model.inspections): the latest of each family, areas for
    priority action not resolved by then, inadequate full inspections no later one lifted, pending inspections."""
    counted = at_evidence_date(profile)
    full = latest(counted, FULL)
    if full is not None:
        for f in ("kind", "year", "safeguarding", "looked_after_children"):
            if getattr(full, f) is not None:
                out[f"safeguarding_inspection.{f}"] = (getattr(full, f), _where(full))
        for name, grade in full.judgements:
            out[f"{JUDGEMENT_MEASURES}{name}"] = (grade, _where(full))
    unannounced = latest(counted, UNANNOUNCED_FAMILY)
    if unannounced is not None:
        found = {"year": unannounced.year, "strengths": unannounced.strengths,
                 "areas_for_development": unannounced.areas_for_development,
                 "areas_for_priority_action": len(unannounced.priority_actions),
                 "effective_action_to_safeguard": JUDGED if unannounced.effective_action_to_safeguard else NOT_JUDGED}
        for f, value in found.items():
            if value is not None:  # a count the profile does not state is not available, not none
                out[f"unannounced_inspection.{f}"] = (value, _where(unannounced))
        unresolved = unannounced.unresolved(profile.evidence_date)
        since = {**_where(unannounced), "evidence_date": _date(profile.evidence_date)}
        out["inspections.unresolved_priority_actions"] = (unresolved, since)
        out["inspections.resolved_priority_actions"] = (len(unannounced.priority_actions) - unresolved, since)
    if counted:
        standing = inadequate_not_lifted(counted)
        out["inspections.inadequate_safeguarding_not_lifted"] = (
            len(standing), {"inspections": [".".join(map(str, h.source)) for h in standing], "evidence_date": _date(profile.evidence_date)})
    later = after_evidence_date(profile)
    pending = pending_at_evidence_date(profile)
    if profile.evidence_date is not None:
        out["inspections.after_evidence_date"] = (
            len(later) + int(profile.pending_inspection is not None and not pending),
            {"inspections": [".".join(map(str, h.source)) for h in later], "evidence_date": _date(profile.evidence_date)})
    out["inspections.pending"] = (int(pending), {"evidence_date": _date(profile.evidence_date)})
    if pending and profile.pending_inspection is not None:
        out["pending_inspection.kind"] = (profile.pending_inspection.kind,
                                          {"source": "profile", "date": _date(profile.pending_inspection.date)})


def _where(held: Held) -> dict[str, Any]:
    return {"source": ".".join(map(str, held.source)), "date": _date(held.date) if held.date else held.year}


def _emit(out: dict[str, Any], base: str, row: dict[str, Any], fields: Fields) -> None:
    """A family's measures, named by its table's fields (engine.model.measures); tests/test_vocabulary.py holds
    every field derived to a field the table names, and the reverse."""
    out.update((f"{base}.{f}", v) for f, v in row.items())


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


class MeasureBatch:
    """The measures of a chunk of profiles, derived together."""

    def __init__(self, profiles: Sequence[Profile], catalogue: Catalogue, comparison: Comparison):
        self.catalogue = catalogue
        self.settings = _Settings(profiles, catalogue, comparison.settings_tolerance)
        self.indicators = _Indicators(profiles, catalogue, comparison.indicator_tolerance)
        self.others = [_profile_measures(profile) for profile in profiles]

    def __len__(self) -> int:
        return len(self.others)

    def values(self, p: int) -> dict[str, Any]:
        """Every measure derivable for profile ``p``, by name (absent measures are absent)."""
        out: dict[str, Any] = {}
        self.settings.values(p, out)
        self.indicators.values(p, out)
        out.update((name, value) for name, (value, _) in self.others[p].items())
        return out

    def inputs(self, p: int, name: str) -> dict[str, Any]:
        """What a measure of profile ``p`` came from (the figures, or the setting types and indicators counted)."""
        if name in self.others[p]:
            return self.others[p][name][1]
        found = self.settings.inputs(p, name) if name.startswith(("settings.", "groups.")) else self.indicators.inputs(p, name)
        if found is None:
            raise KeyError(name)
        return found

    def view(self, p: int) -> MeasureView:
        return MeasureView(self, p, self.values(p))


@dataclass(frozen=True, eq=False)
class MeasureView:
    """One profile's measures: the values, read off the batch, and the inputs of each, on demand."""

    batch: MeasureBatch
    index: int
    values: dict[str, Any]

    def inputs(self, name: str) -> dict[str, Any]:
        return self.batch.inputs(self.index, name)

    def whole(self) -> Measures:
        """This profile's measures with every input worked out, and the evidence frames the reports read."""
        batch, p = self.batch, self.index
        return Measures(self.values, {name: batch.inputs(p, name) for name in self.values},
                        batch.settings.frame(p, batch.catalogue), batch.indicators.frame(p))


def derive_batch(profiles: Sequence[Profile], catalogue: Catalogue, comparison: Comparison) -> MeasureBatch:
    """The measures of every profile of a chunk, derived together (vectorised over the chunk)."""
    return MeasureBatch(profiles, catalogue, comparison)


@dataclass
class Measures:
    """One profile's measures with the inputs each came from, and the frames behind them (for reports)."""

    values: dict[str, Any]
    inputs: dict[str, dict[str, Any]]
    settings: pd.DataFrame
    indicators: pd.DataFrame


def derive_measures(profile: Profile, catalogue: Catalogue, ruleset: Ruleset) -> Measures:
    """One profile's measures, every input worked out, and the evidence frames the reports read."""
    return derive_batch([profile], catalogue, ruleset.comparison).view(0).whole()
