"""Indicator values per council, from long tables (a row per council and measure, perhaps per year) or wide ones
(a row per council, indicators derived as ratios of named columns), with the national and similar-areas figures.

The national comparator is the extract's own row for England where it gives one (and the column config does
not say otherwise), else the mean over councils. A suppressed or empty cell leaves a gap, counted, never a
zero; so does a ratio whose denominator is 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, did_you_mean
from ..model.catalogue import Catalogue
from .columns import IndicatorsTable, MappedIndicator, Ratio
from .councils import CouncilIndex, match_councils
from .extract import Extract, Numbers, TableInput, numbers, read_extract, require

VALUE_COLUMNS = ["council", "indicator", "value", "file", "line", "trend"]
TRENDS = ("improving", "stable", "declining")


@dataclass
class IndicatorTable:
    """What one table gave: values by council, and England's values where the table has a row for it."""

    values: pd.DataFrame  # VALUE_COLUMNS
    national: dict[str, float]
    extract: Extract


def read_indicators(source: TableInput, table: IndicatorsTable, index: CouncilIndex, catalogue: Catalogue,
                    problems: list[Problem]) -> IndicatorTable:
    extract = read_extract(source, table, "indicators")
    if table.national_rows:
        require(extract, {"national_rows": table.national_rows.column})
    read = _wide if table.layout == "wide" else _long
    return read(extract, table, index, catalogue, problems)


def _national_rows(extract: Extract, table: IndicatorsTable) -> pd.Series:
    if table.national_rows is None:
        return pd.Series(False, index=extract.frame.index)
    return extract.frame[table.national_rows.column].isin(table.national_rows.values)


def _long(extract: Extract, table: IndicatorsTable, index: CouncilIndex, catalogue: Catalogue, problems: list[Problem]) -> IndicatorTable:
    columns = table.columns
    require(extract, {"council": columns.council, "indicator": columns.indicator, "value": columns.value,
                      **({"year": columns.year} if columns.year else {})})
    frame, fates, account = extract.frame, extract.fates, extract.account
    codes = frame[columns.indicator]
    if table.indicators:
        specs = {code: table.mapped(code) for code in codes[fates.open].unique()}
        spec = codes.map(specs)
        ids = spec.map(lambda m: m.id if isinstance(m, MappedIndicator) else None)
        fates.set_aside(ids.isna(), "measure not mapped to an indicator in the column config", codes)
        fates.set_aside(ids.notna() & ~ids.isin(list(catalogue.indicators)), f"indicator not in the vocabulary ({catalogue.name})", ids)
    else:
        spec, ids = pd.Series(None, index=frame.index, dtype=object), codes
    if columns.year:
        wanted = spec.map(lambda m: m.year if isinstance(m, MappedIndicator) and m.year else table.year)
        chosen = [table.year] if table.year else []
        chosen += [f"{code} {m.year}" for code, m in ((c, table.mapped(c)) for c in table.indicators) if m and m.year]
        fates.set_aside(wanted.notna() & (frame[columns.year] != wanted), f"other years (kept: {', '.join(chosen)})", frame[columns.year])
    computed = spec.map(lambda m: isinstance(m, MappedIndicator) and m.national == "computed").astype(bool)
    england = _national_rows(extract, table)
    fates.set_aside(england & computed, "England row not used: the column config computes this national comparator", ids)
    values = numbers(frame[columns.value], extract.reading)
    national: dict[str, float] = {}
    for line in frame.index[fates.national(england)]:
        if pd.notna(values.values[line]):
            national[ids[line]] = float(values.values[line])
        else:
            account.notes.append(f"{ids[line]}: England's value is missing on line {line} ('{frame.at[line, columns.value]}'); "
                                 "the national comparator is computed")
    council = match_councils(extract, columns.council, "council", table, index, problems)
    for line in frame.index[fates.report(fates.open & ~ids.isin(list(catalogue.indicators)))]:
        problems.append(Problem("unknown-indicator", f"unknown indicator '{ids[line]}'", extract.file, int(line),
                                extract.column(columns.indicator), suggestion=did_you_mean(ids[line], catalogue.indicators)))
    pairs = pd.DataFrame({"council": council, "indicator": ids}).where(fates.open)
    repeated = pairs.notna().all(axis=1) & pairs.duplicated()
    for line in frame.index[fates.report(repeated)]:
        earlier = pairs.index[(pairs["council"] == council[line]) & (pairs["indicator"] == ids[line])][0]
        problems.append(Problem("duplicate-record", f"{ids[line]} for '{frame.at[line, columns.council]}' is given twice (first on line {earlier})",
                                extract.file, int(line), extract.column(columns.indicator)))
    for line in frame.index[fates.report(fates.open & values.invalid)]:
        problems.append(Problem("record-invalid", f"value '{frame.at[line, columns.value]}' is not a number", extract.file, int(line),
                                extract.column(columns.value), suggestion="list it under read.suppressed if it marks a value withheld"))
    # An optional trend per value (improving, stable, declining), where the letters speak of one.
    trend = frame[columns.trend].astype(str).str.strip() if columns.trend in extract.positions else pd.Series("", index=frame.index)
    for line in frame.index[fates.report(fates.open & (trend != "") & ~trend.isin(TRENDS))]:
        problems.append(Problem("record-invalid", f"trend '{trend[line]}' is not one of: {', '.join(TRENDS)}", extract.file, int(line),
                                extract.column(columns.trend)))
    used = fates.use()
    for what, mask in (("suppressed", values.suppressed), ("blank", values.blank)):
        counts = ids[used & mask].value_counts()
        if what == "suppressed":
            account.suppressed.update({str(k): int(v) for k, v in counts.items()})
        account.gaps.update({str(k): int(v) for k, v in counts.items()})
    kept = used & values.values.notna()
    out = pd.DataFrame({"council": council[kept], "indicator": ids[kept], "value": values.values[kept], "file": extract.file,
                        "line": frame.index[kept], "trend": trend[kept]}, columns=VALUE_COLUMNS)
    return IndicatorTable(out, national, extract)


def _wide(extract: Extract, table: IndicatorsTable, index: CouncilIndex, catalogue: Catalogue, problems: list[Problem]) -> IndicatorTable:
    columns = table.columns
    needed = {"council": columns.council}
    for key, ratio in table.derived.items():
        needed.update({f"{key} numerator": c for c in ratio.numerator})
        needed.update({f"{key} denominator": c for c in ratio.denominator})
    require(extract, {name: column for name, column in needed.items()})
    frame, fates, account = extract.frame, extract.fates, extract.account
    england = fates.national(_national_rows(extract, table))
    council = match_councils(extract, columns.council, "council", table, index, problems)
    repeated = council.where(fates.open).pipe(lambda c: c.notna() & c.duplicated())
    for line in frame.index[fates.report(repeated)]:
        problems.append(Problem("duplicate-record", f"council '{council[line]}' is given twice", extract.file, int(line),
                                extract.column(columns.council)))
    used = fates.use()
    parsed: dict[str, Numbers] = {}
    wanted = {k: r for k, r in table.derived.items() if k in catalogue.indicators}
    for key in table.derived.keys() - wanted.keys():
        account.notes.append(f"{key}: derived by the column config but not in the vocabulary ({catalogue.name}); not built")
    for column in dict.fromkeys(c for r in wanted.values() for c in r.numerator + r.denominator):
        parsed[column] = numbers(frame[column], extract.reading)
        cells = parsed[column]
        if cells.suppressed[used].any():
            account.suppressed[column] += int(cells.suppressed[used].sum())
        for line in frame.index[(used | england) & cells.invalid]:
            problems.append(Problem("record-invalid", f"{column}: '{frame.at[line, column]}' is not a number", extract.file, int(line),
                                    extract.column(column), suggestion="list it under read.suppressed if it marks a value withheld"))
    rows, national = [], {}
    for key, ratio in wanted.items():
        value, why = _ratio(ratio, parsed)
        for reason, count in why[used].value_counts().items():
            account.gaps[key] += int(count)
            account.notes.append(f"{key}: {count} council(s) without a value: {reason}")
        kept = used & value.notna()
        rows.append(pd.DataFrame({"council": council[kept], "indicator": key, "value": value[kept], "file": extract.file, "trend": "",
                                  "line": frame.index[kept]}, columns=VALUE_COLUMNS))
        for line in frame.index[england]:
            if ratio.national == "computed":
                account.notes.append(f"{key}: England's row (line {line}) not used: the column config computes this national comparator")
            elif pd.notna(value[line]):
                national[key] = float(value[line])
            else:
                account.notes.append(f"{key}: England's row (line {line}) gives no value ({why[line]}); the national comparator is computed")
    values = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=VALUE_COLUMNS)
    return IndicatorTable(values, national, extract)


def _ratio(ratio: Ratio, parsed: dict[str, Numbers]) -> tuple[pd.Series, pd.Series]:
    """The ratio per row (NaN where there is none) and, where there is none, why."""
    def total(names: list[str]) -> pd.Series:
        return sum((parsed[n].values for n in names), start=pd.Series(0.0, index=parsed[names[0]].values.index))

    numerator = total(ratio.numerator)
    denominator = total(ratio.denominator) if ratio.denominator else pd.Series(1.0, index=numerator.index)
    inputs = ratio.numerator + ratio.denominator
    why = pd.Series("", index=numerator.index)
    for reason, attribute in (("a cell is not a number", "invalid"), ("an input is empty", "blank"), ("an input is suppressed", "suppressed")):
        hit = np.logical_or.reduce([getattr(parsed[n], attribute).to_numpy() for n in inputs])
        why = why.where(~hit, reason)
    zero = (why == "") & (denominator == 0)
    why = why.where(~zero, "the denominator is 0")
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (numerator / denominator * ratio.scale).round(ratio.decimals)
    return value.where(why == ""), why.where(why != "")


def comparator(value: float) -> float:
    """A national or similar-areas figure for the profile: two decimals, or three significant figures below 1."""
    if value == 0 or abs(value) >= 1:
        return round(value, 2)
    return round(value, max(2, 2 - math.floor(math.log10(abs(value)))))


def combine(tables: list[IndicatorTable], problems: list[Problem]) -> tuple[pd.DataFrame, pd.Series]:
    """Every table's values as council x indicator, and the national figure per indicator (England's row, else
    the mean over councils). The same indicator for a council from two tables is a duplicate."""
    values = pd.concat([t.values for t in tables], ignore_index=True) if tables else pd.DataFrame(columns=VALUE_COLUMNS)
    again = values.duplicated(["council", "indicator"], keep="first")
    for row in values[again].itertuples():
        first = values[(values["council"] == row.council) & (values["indicator"] == row.indicator)].iloc[0]
        problems.append(Problem("duplicate-record", f"{row.indicator} for '{row.council}' is also given on line {first.line} of {first.file}",
                                row.file, int(row.line)))
    values = values[~again]
    if not len(values):
        return pd.DataFrame(), pd.Series(dtype=float)
    wide = values.pivot(index="council", columns="indicator", values="value").astype(float)
    national = wide.mean()
    for table in tables:
        for key, value in table.national.items():
            national[key] = value
    return wide, national


def trends_of(tables: list[IndicatorTable]) -> dict[tuple[str, str], str]:
    """Each (council, indicator) trend the tables give."""
    return {(row.council, row.indicator): row.trend for table in tables for row in table.values.itertuples() if row.trend}


def indicator_evidence(code: str, wide: pd.DataFrame, national: pd.Series, neighbours: list[str],
                       trends: dict[tuple[str, str], str] | None = None) -> dict:
    """Each indicator's value with the national figure and the mean over the council's similar areas, and its trend
    where the table gives one."""
    if code not in wide.index:
        return {}
    similar = wide.reindex(neighbours).mean() if neighbours else None
    out = {}
    for key, value in wide.loc[code].dropna().items():
        entry: dict[str, Any] = {"value": float(value), "national": comparator(float(national[key]))}
        if similar is not None and pd.notna(similar[key]):
            entry["similar_areas"] = comparator(float(similar[key]))
        if trends and (code, key) in trends:
            entry["trend"] = trends[(code, key)]
        out[key] = entry
    return out
