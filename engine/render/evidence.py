"""The evidence a reviewer reads, as plain rows: settings by type and indicators by outcome.

Built from the frames :func:`engine.measures.derive.derive_measures` returns; the HTML and Markdown reports
and the charts all read these rows, so every view shows the same figures.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..measures.derive import ABOVE, BELOW, BETTER, IN_LINE, WORSE
from ..model.catalogue import Catalogue
from ..model.profile import GOOD_OR_BETTER, GRADES
from ..model.wording import format_value, percent_text

COMPARISON_WORDS = {ABOVE: "above", IN_LINE: "in line", BELOW: "below", BETTER: "better", WORSE: "worse"}


@dataclass(frozen=True)
class SettingRow:
    key: str
    title: str
    group: str
    counts: dict[str, int]
    single_grade: str | None
    share_good_or_better: float | None
    national: float | None
    similar_areas: float | None
    vs_national: str | None
    vs_similar_areas: str | None
    in_totals: bool = True  # False for a whole whose parts are given too (the parts count in every total), or a type the
    # catalogue counts in no total (the youth offending service)


@dataclass(frozen=True)
class IndicatorRow:
    key: str
    title: str
    unit: str
    polarity: str
    value: float | None
    similar_areas: float | None
    national: float | None
    vs_similar_areas: str | None
    vs_national: str | None
    in_line_or_above: bool
    gap: bool


@dataclass(frozen=True)
class OutcomeBlock:
    key: str
    title: str
    rows: list[IndicatorRow]

    @property
    def count_available(self) -> int:
        return sum(not r.gap for r in self.rows)

    @property
    def count_in_line_or_above(self) -> int:
        return sum(r.in_line_or_above for r in self.rows)

    @property
    def share_in_line_or_above(self) -> float | None:
        return self.count_in_line_or_above / self.count_available if self.count_available else None


def _number(value: object) -> float | None:
    return None if pd.isna(value) else float(value)  # type: ignore[arg-type]


def _category(value: object) -> str | None:
    return value if isinstance(value, str) else None


def setting_rows(frame: pd.DataFrame, catalogue: Catalogue) -> list[SettingRow]:
    """One row per setting type in the profile, in the catalogue's order."""
    order = [k for k in catalogue.setting_types if k in frame.index]
    return [SettingRow(key=k, title=frame.at[k, "title"] + (" (its parts together)" if frame.at[k, "derived_from_parts"] else ""),
                       group=frame.at[k, "group"],
                       counts={g: int(frame.at[k, g]) for g in GRADES},
                       single_grade=_category(frame.at[k, "single_grade"]),
                       share_good_or_better=_number(frame.at[k, "share_good_or_better"]),
                       national=_number(frame.at[k, "national"]), similar_areas=_number(frame.at[k, "similar_areas"]),
                       vs_national=_category(frame.at[k, "vs_national"]),
                       vs_similar_areas=_category(frame.at[k, "vs_similar_areas"]), in_totals=bool(frame.at[k, "in_totals"]))
            for k in order]


def outcome_blocks(frame: pd.DataFrame, catalogue: Catalogue) -> list[OutcomeBlock]:
    """National indicators grouped by Every Child Matters outcome; gaps included and marked."""
    blocks = []
    for outcome, title in catalogue.outcomes.items():
        part = frame[frame["outcome"] == outcome]
        rows = [IndicatorRow(key=k, title=r["title"], unit=r["unit"], polarity=r["polarity"], value=_number(r["value"]),
                             similar_areas=_number(r["similar_areas"]), national=_number(r["national"]),
                             vs_similar_areas=_category(r["vs_similar_areas"]), vs_national=_category(r["vs_national"]),
                             in_line_or_above=bool(r["in_line_or_above"]), gap=bool(r["gap"]))
                for k, r in part.iterrows()]
        if rows:
            blocks.append(OutcomeBlock(outcome, title, rows))
    return blocks


percent = percent_text


def number(value: float | None) -> str:
    return "–" if value is None else format_value(value)


def comparison(value: str | None) -> str:
    return "–" if value is None else COMPARISON_WORDS.get(value, value.replace("_", " "))


def good_or_better(row: SettingRow) -> int:
    return sum(row.counts[g] for g in GOOD_OR_BETTER)


def total(row: SettingRow) -> int:
    return sum(row.counts.values())


def setting_summary(row: SettingRow) -> str:
    """Counts by grade (``1 outstanding, 3 good, 5 satisfactory``) or the single service's grade."""
    if row.single_grade:
        return row.single_grade
    return ", ".join(f"{n} {g}" for g, n in row.counts.items() if n) or "none"


def indicator_status(row: IndicatorRow) -> str:
    if row.gap:
        return "gap: no data"
    return "in line or above" if row.in_line_or_above else "below"
