"""Settings from provider-level inspection records: each council's settings counted by latest grade per setting
type, with the national share over every council's settings and the share pooled over its similar areas.

The extract's provision types are mapped onto the vocabulary's setting types, or set aside by name (and
counted, with the reason the column config gives); some types are also counted apart by another column's value
into the setting types that are part of them (council-run homes against private or voluntary ones). Grades of every era map onto the four-point scale.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import BuildError, Code, Problem, did_you_mean
from ..load.removed import part_type_for
from ..model.catalogue import Catalogue
from ..model.profile import GOOD_OR_BETTER, GRADES
from .columns import GivenApart, SettingsTable
from .councils import DEFAULT_GRADES, CouncilIndex, match_councils
from .extract import Extract, TableInput, read_extract, require

RECORD_COLUMNS = ["council", "setting_type", "grade", "part", "provider", "file", "line"]


def mapped(cells: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """Each cell's value in ``mapping``: the exact key, else the key compared without case or outer spaces."""
    exact = cells.map(mapping)
    folded = {str(k).strip().casefold(): v for k, v in mapping.items()}
    return exact.fillna(cells.astype(str).str.strip().str.casefold().map(folded))


@dataclass(frozen=True)
class _Row:
    provider: str
    council: str
    setting_type: str
    grade: str
    date: str
    first: int


def read_settings(source: TableInput, table: SettingsTable, index: CouncilIndex, catalogue: Catalogue,
                  problems: list[Problem]) -> tuple[pd.DataFrame, Extract]:
    """One record per usable setting: council code, setting type, grade and (for types counted apart) its part."""
    columns = table.columns
    extract = read_extract(source, table, "settings")
    require(extract, {"provider": columns.provider, "council": columns.council, "setting_type": columns.setting_type,
                      "grade": columns.grade, **({"given_apart": table.given_apart.column} if table.given_apart else {})})
    frame, fates, file = extract.frame, extract.fates, extract.file
    kinds = frame[columns.setting_type]
    aside = mapped(kinds, table.set_aside_types)
    for reason in dict.fromkeys(aside.dropna()):
        fates.set_aside(aside == reason, reason, kinds)
    type_key = mapped(kinds, {**{k: k for k in catalogue.setting_types}, **table.setting_types})
    fates.set_aside(type_key.notna() & ~type_key.isin(list(catalogue.setting_types)),
                    f"setting type not in the vocabulary ({catalogue.name})", type_key)
    grade_text = frame[columns.grade].str.replace(r"\.0$", "", regex=True)
    grade = mapped(grade_text, {**DEFAULT_GRADES, **{str(k).strip(): v for k, v in table.grades.items()}})
    dates = frame[columns.inspection_date] if columns.inspection_date in frame else pd.Series("", index=frame.index)
    written = dates.str[:10] if table.date_format == "%Y-%m-%d" else dates
    bad_date = (dates != "") & pd.to_datetime(written, format=table.date_format, errors="coerce").isna()

    providers = frame[columns.provider].where(fates.open)
    repeated = providers.notna() & providers.duplicated()
    first = pd.Series(frame.index, index=frame.index).where(fates.open).groupby(providers).transform("min")
    _report(extract, repeated, columns.provider, "duplicate-record", problems,
            lambda r: f"provider '{r.provider}' is given twice (first on line {r.first})", lambda r: None, table, first, dates)
    council = match_councils(extract, columns.council, "council", table, index, problems)
    known = [*table.setting_types, *table.set_aside_types, *catalogue.setting_types]
    advice = "map it under settings.setting_types, or set it aside under settings.set_aside_types, in the column config"
    checks: list[tuple[pd.Series, str, Code, Callable[[_Row], str], Callable[[_Row], str | None]]] = [
        # in order: a row is reported once, for the first check it fails
        (type_key.isna(), columns.setting_type, "unknown-setting-type", lambda r: f"unknown setting type '{r.setting_type}'",
         lambda r: " Else ".join(filter(None, [did_you_mean(r.setting_type, known), advice]))),
        (grade.isna(), columns.grade, "impossible-grade", lambda r: f"'{r.grade}' is not a grade",
         lambda r: f"give 1-4 or one of: {', '.join(GRADES)}" + (", or map it under settings.grades" if table.grades else "")),
        (bad_date, columns.inspection_date, "record-invalid",
         lambda r: f"inspection date '{r.date}' is not a date ({table.date_format.replace('%', '')})", lambda r: None),
    ]
    for mask, column, code, message, hint in checks:
        _report(extract, mask, column, code, problems, message, hint, table, first, dates)
    # A council has one fostering agency (one adoption agency, ...): a second row for it is a duplicate.
    single = type_key.map({k: t.kind == "single" for k, t in catalogue.setting_types.items()}).fillna(False).astype(bool)
    pairs = pd.DataFrame({"council": council, "type": type_key}).where(single & fates.open)
    again = pairs.notna().all(axis=1) & pairs.duplicated()
    for line in frame.index[again]:
        earlier = pairs.index[(pairs["council"] == council[line]) & (pairs["type"] == type_key[line])][0]
        problems.append(Problem("duplicate-record", f"council '{council[line]}' has one {type_key[line].replace('_', ' ')}, already given "
                                f"on line {earlier}", file, int(line), extract.column(columns.setting_type)))
    fates.report(again)
    part = pd.Series(None, index=frame.index, dtype=object)
    if table.given_apart:
        part = _given_apart(extract, table.given_apart, type_key, catalogue)
    used = fates.use()
    return pd.DataFrame({"council": council[used], "setting_type": type_key[used], "grade": grade[used], "part": part[used],
                         "provider": frame.loc[used, columns.provider], "file": file, "line": frame.index[used]},
                        columns=RECORD_COLUMNS), extract


def _given_apart(extract: Extract, apart: GivenApart, type_key: pd.Series, catalogue: Catalogue) -> pd.Series:
    """Each open row of a type given apart: the part (a setting type ``part_of`` it) its value in ``apart.column``
    names; rows whose value names no part are set aside, since a whole given with its parts is their sum."""
    frame, fates = extract.frame, extract.fates
    problems = []
    for value, name in apart.parts.items():
        if not any(catalogue.setting_types.get(name) and catalogue.setting_types[name].part_of == whole for whole in apart.types):
            meant = [m for m in (part_type_for(name, whole, catalogue) for whole in apart.types) if m]
            parts = [p for whole in apart.types for p in catalogue.parts(whole)]
            file, line, column = apart.origin(value)
            problems.append(Problem("column-config-invalid", f"given_apart: '{name}' is not a setting type that is part of "
                                    f"{' or '.join(apart.types)} in catalogue {catalogue.name}", file, line, column,
                                    f"write {json.dumps(value)}: {meant[0]}" if meant else
                                    f"its parts: {', '.join(parts)}" if parts else "this catalogue does not split them: delete given_apart"))
    if problems:
        raise BuildError(problems)
    wanted = fates.open & type_key.isin(apart.types)
    part = mapped(frame[apart.column], apart.parts).where(wanted)
    fates.set_aside(wanted & part.isna(), f"{', '.join(apart.types)} given apart by {apart.column}, but no part for this value", frame[apart.column])
    given = pd.DataFrame({"type": type_key[wanted], "part": part[wanted]}).dropna().value_counts()
    extract.account.notes.append(f"given apart by {apart.column}: " + ", ".join(f"{t} {name} {n}" for (t, name), n in sorted(given.items())))
    return part


def _report(extract: Extract, mask: pd.Series, column: str, code: Code, problems: list[Problem], message: Callable[[_Row], str],
            hint: Callable[[_Row], str | None], table: SettingsTable, first: pd.Series, dates: pd.Series) -> None:
    columns, frame = table.columns, extract.frame
    for line in frame.index[extract.fates.report(mask)]:
        first_line = first.at[line]
        row = _Row(frame.at[line, columns.provider], frame.at[line, columns.council], frame.at[line, columns.setting_type],
                   frame.at[line, columns.grade], dates.at[line], int(first_line) if pd.notna(first_line) else int(line))
        problems.append(Problem(code, message(row), extract.file, int(line), extract.column(column), hint(row)))


@dataclass
class SettingCounts:
    counts: dict[tuple[str, str], dict[str, int]]  # (council, setting type) -> grade -> settings
    national: pd.DataFrame  # setting type -> good_or_better, inadequate


def count_settings(records: pd.DataFrame) -> SettingCounts:
    """Counts by grade per (council, setting type), a setting given apart counted in its whole and in its part (a
    setting type of its own), and the national shares per setting type."""
    apart = records.dropna(subset=["part"])
    records = pd.concat([records, apart.assign(setting_type=apart["part"])], ignore_index=True) if len(apart) else records
    counts = pd.crosstab([records["council"], records["setting_type"]], records["grade"]).reindex(columns=list(GRADES), fill_value=0)
    by_type = counts.groupby(level="setting_type").sum()
    total = by_type.sum(axis=1)
    national = pd.DataFrame({"good_or_better": by_type[list(GOOD_OR_BETTER)].sum(axis=1) / total,
                             "inadequate": by_type["inadequate"] / total})
    return SettingCounts(counts.to_dict("index"), national)


def settings_evidence(code: str, counted: SettingCounts, neighbours: list[str], catalogue: Catalogue) -> dict[str, Any]:
    """Counts (or the single grade) per setting type, with the national share and the share pooled over similar areas."""
    counts, national = counted.counts, counted.national
    out = {}
    for setting_type in catalogue.setting_types:
        own = counts.get((code, setting_type))
        if own is None:
            continue
        evidence: dict[str, Any] = {}
        if catalogue.setting_types[setting_type].kind == "single":
            evidence["grade"] = next(g for g in GRADES if own[g] > 0)
        else:
            evidence["counts"] = {g: int(own[g]) for g in GRADES if own[g]}
        evidence["national"] = {"good_or_better": round(float(national.at[setting_type, "good_or_better"]), 3),
                                "inadequate": round(float(national.at[setting_type, "inadequate"]), 3)}
        similar = [counts[(n, setting_type)] for n in neighbours if (n, setting_type) in counts]
        total = sum(sum(c.values()) for c in similar)
        if total:
            good = sum(c[g] for c in similar for g in GOOD_OR_BETTER)
            evidence["similar_areas"] = {"good_or_better": round(good / total, 3)}
        out[setting_type] = evidence
    return out
