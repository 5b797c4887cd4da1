"""Council profiles from provider-level inspection records, an indicators table, statistical neighbours
and a councils table. National and similar-areas comparators are computed from the data.

Every row that cannot be used (unknown council, setting type or indicator, a duplicate provider, an
impossible grade, a value that is not a number) is reported as a located problem and left out; nothing
is dropped silently. A council whose own row is unusable gets no profile.
"""
from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .. import writing
from ..characters import text_problem
from ..errors import BuildError, Code, Problem, did_you_mean
from ..load.ruleset import ruleset_for_year
from ..load.yaml import load_yaml
from ..model.catalogue import Catalogue
from ..model.profile import GOOD_OR_BETTER, GRADES, Profile
from ..model.source import SourceDocument
from ..model.validation import validate
from ..model.values import COUNCIL_CODE, COUNT_MAX, LINE_MAX, MAGNITUDE_MAX, Line
from .profile_table import profiles_to_table
from .tables import check_writable, line_of, read_table, require_columns, write_table

DEFAULT_GRADES: dict[str, str] = {"1": "outstanding", "2": "good", "3": "satisfactory", "4": "inadequate", **{g: g for g in GRADES}}
SAFEGUARDING_KINDS = ("joint area review", "inspection of safeguarding and looked after children")


class _Columns(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Column names and values of extracts: text without control characters (engine.model.values.Line).
class CouncilColumns(_Columns):
    council: Line = "council"
    name: Line = "name"
    safeguarding_kind: Line = "safeguarding_kind"
    safeguarding_year: Line = "safeguarding_year"
    safeguarding: Line = "safeguarding"
    looked_after_children: Line = "looked_after_children"
    unannounced_year: Line = "unannounced_year"
    strengths: Line = "strengths"
    areas_for_development: Line = "areas_for_development"
    areas_for_priority_action: Line = "areas_for_priority_action"


class SettingColumns(_Columns):
    provider: Line = "provider"
    council: Line = "council"
    setting_type: Line = "setting_type"
    grade: Line = "grade"
    inspection_date: Line = "inspection_date"


class IndicatorColumns(_Columns):
    council: Line = "council"
    indicator: Line = "indicator"
    value: Line = "value"


class NeighbourColumns(_Columns):
    council: Line = "council"
    neighbour: Line = "neighbour"


class CouncilsTable(_Columns):
    columns: CouncilColumns = CouncilColumns()


class SettingsTable(_Columns):
    columns: SettingColumns = SettingColumns()
    setting_types: dict[Line, Line] = {}  # value in the extract -> key in indicators/setting-types.yaml
    grades: dict[Line, Line] = {}  # value in the extract -> outstanding | good | satisfactory | inadequate


class IndicatorsTable(_Columns):
    columns: IndicatorColumns = IndicatorColumns()


class NeighboursTable(_Columns):
    columns: NeighbourColumns = NeighbourColumns()


class ColumnConfig(_Columns):
    """How the columns (and setting-type and grade values) of real extracts map to the builder's names."""

    councils: CouncilsTable = CouncilsTable()
    settings: SettingsTable = SettingsTable()
    indicators: IndicatorsTable = IndicatorsTable()
    neighbours: NeighboursTable = NeighboursTable()


def load_column_config(path: Path | str | None) -> ColumnConfig:
    if path is None:
        return ColumnConfig()
    doc = load_yaml(path, BuildError)
    config, problems = validate(ColumnConfig, doc if doc.data is not None else _empty(doc),
                                code_invalid="column-config-invalid", code_unknown_key="column-config-invalid")
    if config is None:
        raise BuildError(problems)
    for value in config.settings.grades.values():
        if value not in GRADES:
            raise BuildError([doc.problem("column-config-invalid", f"'{value}' is not a grade",
                                          ("settings", "grades"), suggestion=f"use one of: {', '.join(GRADES)}")])
    return config


def _empty(doc: SourceDocument) -> SourceDocument:
    return doc.with_data({})


@dataclass
class BuildResult:
    profiles: dict[str, dict[str, Any]]  # council code -> profile, as the YAML profile format has it
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Tables:
    """The four tables, as files (CSV, Excel, Parquet) or as DataFrames already in memory."""

    councils: Path | str | pd.DataFrame
    settings: Path | str | pd.DataFrame
    indicators: Path | str | pd.DataFrame
    neighbours: Path | str | pd.DataFrame


def build_profiles(tables: Tables, config: ColumnConfig | None = None, *, year: int = 2009,
                   catalogue: Catalogue | None = None) -> BuildResult:
    """One profile per council of the councils table, in the vocabulary of the ruleset for ``year`` (or the
    catalogue given); problems for every row left out."""
    config = config or ColumnConfig()
    catalogue = catalogue or ruleset_for_year(year).catalogue
    problems: list[Problem] = []
    councils = _councils(tables.councils, config.councils.columns, year, problems)
    known = set(councils)
    neighbours = _neighbours(tables.neighbours, config.neighbours.columns, known, problems)
    settings = _settings(tables.settings, config.settings, known, catalogue, problems)
    indicators = _indicators(tables.indicators, config.indicators.columns, known, catalogue, problems)
    counts, national_settings = _setting_counts(settings)
    wide = indicators.pivot(index="council", columns="indicator", values="value") if len(indicators) else pd.DataFrame()
    national_indicators = wide.mean()
    profiles = {}
    councils_file = tables.councils if not isinstance(tables.councils, pd.DataFrame) else "<table>"
    for code, council in councils.items():
        if council is None:
            continue  # its own row was reported
        profile = {"authority": {"name": council["name"], "code": code}, "year": year}
        profile["settings"] = _settings_evidence(code, counts, national_settings, neighbours.get(code, []), catalogue)
        for section in ("safeguarding_inspection", "unannounced_inspection"):
            if council.get(section):
                profile[section] = council[section]
        profile["indicators"] = _indicator_values(code, wide, national_indicators, neighbours.get(code, []))
        invalid = _invalid(profile)
        if invalid:  # the checks above should make this impossible; never write a profile that would not load
            problems.append(Problem("record-invalid", f"the profile built for council '{code}' does not validate: {invalid}",
                                    str(councils_file), council["line"], 1))
            continue
        profiles[code] = profile
    return BuildResult(profiles, sorted(problems, key=Problem.sort_key))


def _invalid(profile: dict[str, Any]) -> str | None:
    try:
        Profile.model_validate(profile)
    except ValidationError as exc:
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return None


def _read(path, columns: _Columns, required: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, int], str]:
    if isinstance(path, pd.DataFrame):  # a table already in memory (notebooks, the benchmark)
        frame, path = path.astype(str).replace({"nan": ""}).reset_index(drop=True), "<table>"
    else:
        frame = read_table(path, BuildError)
    names = columns.model_dump()
    present = {n: c for n, c in names.items() if c in set(frame.columns)}
    positions = require_columns(frame, {n: names[n] for n in required}, str(path), BuildError)
    positions.update({n: list(frame.columns).index(c) + 1 for n, c in present.items()})
    frame = frame.rename(columns={c: n for n, c in present.items()})
    return frame, positions, str(path)


def _councils(path, columns: CouncilColumns, year: int, problems: list[Problem]) -> dict[str, dict | None]:
    frame, at, file = _read(path, columns, ("council", "name"))
    out: dict[str, dict | None] = {}
    first_line: dict[str, int] = {}
    for i, row in frame.iterrows():
        line = line_of(i)
        code = row["council"]
        where = functools.partial(_cell, file, line, at)
        if not code or not row["name"]:
            problems.append(Problem("record-invalid", "a council needs a code and a name", *where("council" if not code else "name")))
            continue
        if code in first_line:
            problems.append(Problem("duplicate-record", f"council '{code}' is given twice (first on line {first_line[code]})", *where("council")))
            out[code] = None
            continue
        first_line[code] = line
        found: list[Problem] = []
        # The code names the profile's file: it must be a safe file name; the name is free text.
        if not re.fullmatch(COUNCIL_CODE, code):
            found.append(Problem("record-invalid", f"council code '{code[:40]}{'...' if len(code) > 40 else ''}' is not a code: "
                                 "letters, digits, - and _, at most 32 characters", *where("council")))
        name_problem = text_problem(row["name"]) or (f"is longer than {LINE_MAX} characters" if len(row["name"]) > LINE_MAX else None)
        if name_problem:
            found.append(Problem("record-invalid", f"council name {name_problem}", *where("name")))
        council = {"name": row["name"], "line": line}
        council["safeguarding_inspection"] = _safeguarding(row, where, found)
        council["unannounced_inspection"] = _unannounced(row, where, found)
        problems.extend(found)
        out[code] = None if found else council
    return out


def _cell(file: str, line: int, columns: dict[str, int], name: str) -> tuple[str, int, int]:
    """Where a named cell of a row is: file, line and (1-based) column."""
    return file, line, columns.get(name, 1)


Where = Callable[[str], tuple[str, int, int]]


def _safeguarding(row: pd.Series, where: Where, found: list[Problem]) -> dict[str, Any] | None:
    if not row.get("safeguarding"):
        return None
    kind = row.get("safeguarding_kind", "")
    if kind not in SAFEGUARDING_KINDS:
        found.append(Problem("record-invalid", f"safeguarding inspection kind '{kind}' is not one of: {', '.join(SAFEGUARDING_KINDS)}",
                             *where("safeguarding_kind")))
    out = {"kind": kind, "year": _integer(row, "safeguarding_year", where, found, minimum=2000, maximum=2100)}
    for name in ("safeguarding", "looked_after_children"):
        value = _grade_word(row.get(name, ""), DEFAULT_GRADES)
        if row.get(name) and value is None:
            found.append(Problem("impossible-grade", f"'{row[name]}' is not a grade", *where(name),
                                 suggestion=did_you_mean(row[name], GRADES)))
        if value:
            out[name] = value
    return out


def _unannounced(row: pd.Series, where: Where, found: list[Problem]) -> dict[str, Any] | None:
    if not row.get("unannounced_year"):
        return None
    out = {"year": _integer(row, "unannounced_year", where, found, minimum=2000, maximum=2100)}
    for name in ("strengths", "areas_for_development", "areas_for_priority_action"):
        if row.get(name):
            out[name] = _integer(row, name, where, found, minimum=0, maximum=COUNT_MAX)
    return out


def _integer(row: pd.Series, name: str, where: Where, found: list[Problem], minimum: int, maximum: int) -> int | None:
    """A whole number within the profile format's bounds; inf, nan and 1e400 are not numbers here."""
    text = row.get(name, "")
    try:
        number = float(text)
        if not math.isfinite(number) or number != int(number) or not minimum <= number <= maximum:
            raise ValueError
        return int(number)
    except ValueError:
        found.append(Problem("record-invalid", f"{name}: '{text[:40]}' is not a whole number from {minimum} to {maximum:,}",
                             *where(name)))
        return None


def _grade_word(text: str, mapping: dict[str, str]) -> str | None:
    text = text.strip()
    key = text[:-2] if text.endswith(".0") else text
    return mapping.get(key) or mapping.get(key.lower())


def _neighbours(path, columns: NeighbourColumns, known: set[str], problems) -> dict[str, list[str]]:
    frame, at, file = _read(path, columns, ("council", "neighbour"))
    out: dict[str, list[str]] = {}
    for i, row in frame.iterrows():
        bad = next((n for n in ("council", "neighbour") if row[n] not in known), None)
        if bad:
            problems.append(Problem("unknown-council", f"{bad} '{row[bad]}' is not in the councils table", file, line_of(i), at[bad],
                                    suggestion=did_you_mean(row[bad], known)))
            continue
        if row["neighbour"] != row["council"] and row["neighbour"] not in out.setdefault(row["council"], []):
            out[row["council"]].append(row["neighbour"])
    return out


def _settings(path, table: SettingsTable, known: set[str], catalogue: Catalogue, problems) -> pd.DataFrame:
    frame, at, file = _read(path, table.columns, ("provider", "council", "setting_type", "grade"))
    grades = {**DEFAULT_GRADES, **{str(k).strip(): v for k, v in table.grades.items()}}
    types = {**{k: k for k in catalogue.setting_types}, **table.setting_types}
    frame["line"] = range(2, len(frame) + 2)
    frame["type_key"] = frame["setting_type"].map(types)
    grade_text = frame["grade"].str.replace(r"\.0$", "", regex=True)
    frame["grade_word"] = grade_text.map(grades).fillna(grade_text.str.lower().map(grades))
    single = frame["type_key"].map({k: t.kind == "single" for k, t in catalogue.setting_types.items()}).fillna(False).astype(bool)
    dates = frame["inspection_date"] if "inspection_date" in frame else pd.Series("", index=frame.index)
    bad_date = (dates != "") & pd.to_datetime(dates.str[:10], format="%Y-%m-%d", errors="coerce").isna()
    first_provider = frame.groupby("provider")["line"].transform("min")
    checks: list[tuple[pd.Series, str, Code, Callable[[_Row], str], Callable[[_Row], str | None]]] = [
        # in order: a row is reported once, for the first check it fails
        (frame["provider"].duplicated(), "provider", "duplicate-record",
         lambda r: f"provider '{r.provider}' is given twice (first on line {r.first})", lambda r: None),
        (~frame["council"].isin(known), "council", "unknown-council",
         lambda r: f"council '{r.council}' is not in the councils table", lambda r: did_you_mean(r.council, known)),
        (frame["type_key"].isna(), "setting_type", "unknown-setting-type",
         lambda r: f"unknown setting type '{r.setting_type}'",
         lambda r: did_you_mean(r.setting_type, types) or "map it under settings.setting_types in the column config"),
        (frame["grade_word"].isna(), "grade", "impossible-grade",
         lambda r: f"'{r.grade}' is not a grade", lambda r: f"give 1-4 or one of: {', '.join(GRADES)}"),
        (bad_date, "inspection_date", "record-invalid",
         lambda r: f"inspection date '{r.date}' is not a date (YYYY-MM-DD)", lambda r: None),
    ]
    usable = pd.Series(True, index=frame.index)
    for mask, column, code, message, hint in checks:
        for i in frame.index[mask & usable]:
            row = _Row(frame.at[i, "provider"], frame.at[i, "council"], frame.at[i, "setting_type"], frame.at[i, "grade"],
                       dates.at[i], int(first_provider.at[i]))
            problems.append(Problem(code, message(row), file, int(frame.at[i, "line"]), at.get(column, 1), hint(row)))
        usable &= ~mask
    # A council has one fostering agency (one adoption agency, ...): a second row for it is a duplicate.
    again = single & usable & frame.duplicated(["council", "type_key"]) & frame[["council", "type_key"]].notna().all(axis=1)
    first_single = frame[single & usable].groupby(["council", "type_key"])["line"].min()
    for i in frame.index[again]:
        council, key = frame.at[i, "council"], frame.at[i, "type_key"]
        problems.append(Problem("duplicate-record", f"council '{council}' has one {key.replace('_', ' ')}, already given on line "
                                f"{first_single[(council, key)]}", file, int(frame.at[i, "line"]), at["setting_type"]))
    usable &= ~again
    kept = frame[usable]
    return pd.DataFrame({"council": kept["council"], "setting_type": kept["type_key"], "grade": kept["grade_word"]})


@dataclass(frozen=True)
class _Row:
    provider: str
    council: str
    setting_type: str
    grade: str
    date: str
    first: int


def _indicators(path, columns: IndicatorColumns, known: set[str], catalogue: Catalogue, problems) -> pd.DataFrame:
    frame, at, file = _read(path, columns, ("council", "indicator", "value"))
    rows: list[tuple[str, str, float]] = []
    first_line: dict[tuple[str, str], int] = {}
    for i, row in frame.iterrows():
        line = line_of(i)
        where = functools.partial(_cell, file, line, at)
        key = (row["council"], row["indicator"])
        if row["council"] not in known:
            problems.append(Problem("unknown-council", f"council '{row['council']}' is not in the councils table", *where("council"),
                                    suggestion=did_you_mean(row["council"], known)))
        elif row["indicator"] not in catalogue.indicators:
            problems.append(Problem("unknown-indicator", f"unknown indicator '{row['indicator']}'", *where("indicator"),
                                    suggestion=did_you_mean(row["indicator"], catalogue.indicators)))
        elif key in first_line:
            problems.append(Problem("duplicate-record", f"{row['indicator']} for '{row['council']}' is given twice "
                                    f"(first on line {first_line[key]})", *where("indicator")))
        elif row["value"] == "":
            continue  # an empty value is a data gap, as an absent row is
        else:
            try:
                value = float(row["value"])
                if not (math.isfinite(value) and abs(value) <= MAGNITUDE_MAX):
                    raise ValueError
            except ValueError:
                problems.append(Problem("record-invalid", f"value '{row['value'][:40]}' is not a number "
                                        f"(finite, within {MAGNITUDE_MAX:,.0f} of zero)", *where("value")))
                continue
            first_line[key] = line
            rows.append((row["council"], row["indicator"], value))
    return pd.DataFrame(rows, columns=["council", "indicator", "value"])


def _setting_counts(settings: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """Counts by grade per (council, setting type), and the national shares per setting type."""
    counts = pd.crosstab([settings["council"], settings["setting_type"]], settings["grade"]).reindex(columns=list(GRADES), fill_value=0)
    by_type = counts.groupby(level="setting_type").sum()
    total = by_type.sum(axis=1)
    national = pd.DataFrame({"good_or_better": by_type[list(GOOD_OR_BETTER)].sum(axis=1) / total,
                             "inadequate": by_type["inadequate"] / total})
    return counts.to_dict("index"), national


def _settings_evidence(code: str, counts: dict, national: pd.DataFrame, neighbours: list[str], catalogue: Catalogue) -> dict:
    """Counts (or the single grade) per setting type, with the national share and the share pooled over similar areas."""
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


def _indicator_values(code: str, wide: pd.DataFrame, national: pd.Series, neighbours: list[str]) -> dict:
    """Each indicator's value with the national mean and the mean over the council's similar areas."""
    if code not in wide.index:
        return {}
    similar = wide.reindex(neighbours).mean() if neighbours else None
    out = {}
    for key, value in wide.loc[code].dropna().items():
        entry = {"value": float(value), "national": round(float(national[key]), 2)}
        if similar is not None and pd.notna(similar[key]):
            entry["similar_areas"] = round(float(similar[key]), 2)
        out[key] = entry
    return out


HEADER = "# Built by `engine profiles build` from {sources}.\n# Comparators (national, similar areas) are computed from those tables.\n"


def write_profiles(result: BuildResult, output: Path | str, sources: list[str]) -> list[Path]:
    """One YAML profile per council into a folder, or one table (a row per council) by the file's extension.

    Either way, all or nothing: every council code is checked to be a safe file name before anything is
    written, and the profiles are written as one (:func:`engine.writing.write_files`)."""
    output = Path(output)
    if output.suffix:
        return [write_table(profiles_to_table(list(result.profiles.values())), output)]
    _check_codes(list(result.profiles), output)
    header = HEADER.format(sources=", ".join(" ".join(s.split()) for s in sources))
    if any("synthetic" in s.lower() for s in sources):
        header = "# SYNTHETIC: made from synthetic records; not a real council.\n" + header
    files = {output / f"{code}.yaml": header + yaml.safe_dump(profile, sort_keys=False, allow_unicode=True, width=120)
             for code, profile in result.profiles.items()}
    return writing.write_files(files, inside=output)


def _check_codes(codes: list[str], output: Path) -> None:
    problems = [Problem("write-failed", f"council code '{code[:40]}' is not a safe file name; nothing was written", str(output))
                for code in codes if not re.fullmatch(COUNCIL_CODE, code)]
    seen: dict[str, str] = {}
    for code in codes:  # on a disk that ignores case, E09 and e09 would be one file
        if code.lower() in seen and seen[code.lower()] != code:
            problems.append(Problem("write-failed", f"council codes '{seen[code.lower()]}' and '{code}' differ only in case: "
                                    "one file on many disks; nothing was written", str(output)))
        seen.setdefault(code.lower(), code)
    if problems:
        raise BuildError(problems)


def build_and_write(tables: Tables, output: Path | str, *, columns: Path | str | None = None,
                    year: int = 2009) -> tuple[BuildResult, list[Path]]:
    """Build every profile and write them (see :func:`write_profiles`)."""
    if Path(output).suffix:
        check_writable(output)
    else:
        writing.check_writable(output, folder=True)
    result = build_profiles(tables, load_column_config(columns), year=year)
    sources = [str(tables.councils), str(tables.settings), str(tables.indicators), str(tables.neighbours)]
    return result, write_profiles(result, output, sources)
