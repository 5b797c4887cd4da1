"""Council profiles from provider-level inspection records, an indicators table, statistical neighbours
and a councils table. National and similar-areas comparators are computed from the data.

Every row that cannot be used (unknown council, setting type or indicator, a duplicate provider, an
impossible grade, a value that is not a number) is reported as a located problem and left out; nothing
is dropped silently. A council whose own row is unusable gets no profile.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict

from ..errors import BuildError, Code, Problem, did_you_mean
from ..load.ruleset import ruleset_for_year
from ..load.yaml import load_yaml
from ..model.catalogue import Catalogue
from ..model.profile import GOOD_OR_BETTER, GRADES
from ..model.source import SourceDocument
from ..model.validation import validate
from .profile_table import profiles_to_table
from .tables import check_writable, line_of, read_table, require_columns, write_table

DEFAULT_GRADES: dict[str, str] = {"1": "outstanding", "2": "good", "3": "satisfactory", "4": "inadequate", **{g: g for g in GRADES}}
SAFEGUARDING_KINDS = ("joint area review", "inspection of safeguarding and looked after children")
TRENDS = ("improving", "stable", "declining")


class _Columns(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CouncilColumns(_Columns):
    council: str = "council"
    name: str = "name"
    safeguarding_kind: str = "safeguarding_kind"
    safeguarding_year: str = "safeguarding_year"
    safeguarding: str = "safeguarding"
    looked_after_children: str = "looked_after_children"
    unannounced_year: str = "unannounced_year"
    strengths: str = "strengths"
    areas_for_development: str = "areas_for_development"
    areas_for_priority_action: str = "areas_for_priority_action"
    # Optional, for 2010 and 2011 profiles: with a date, an inspection goes into the profile's dated history
    # (`inspections`) instead of the single field; the areas for priority action of the unannounced inspection are
    # resolved on `priority_actions_resolved_on` when it is given.
    evidence_date: str = "evidence_date"
    previous_band: str = "previous_band"
    safeguarding_date: str = "safeguarding_date"
    unannounced_date: str = "unannounced_date"
    priority_actions_resolved_on: str = "priority_actions_resolved_on"
    pending_inspection: str = "pending_inspection"
    pending_inspection_date: str = "pending_inspection_date"


class SettingColumns(_Columns):
    provider: str = "provider"
    council: str = "council"
    setting_type: str = "setting_type"
    grade: str = "grade"
    inspection_date: str = "inspection_date"


class IndicatorColumns(_Columns):
    council: str = "council"
    indicator: str = "indicator"
    value: str = "value"
    trend: str = "trend"  # optional: improving, stable or declining


class NeighbourColumns(_Columns):
    council: str = "council"
    neighbour: str = "neighbour"


class CouncilsTable(_Columns):
    columns: CouncilColumns = CouncilColumns()


class SettingsTable(_Columns):
    columns: SettingColumns = SettingColumns()
    setting_types: dict[str, str] = {}  # value in the extract -> key in indicators/setting-types.yaml
    grades: dict[str, str] = {}  # value in the extract -> outstanding | good | satisfactory | inadequate


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
    trends = {(c, i): t for c, i, t in indicators[["council", "indicator", "trend"]].itertuples(index=False) if t}
    national_indicators = wide.mean()
    profiles = {}
    for code, council in councils.items():
        if council is None:
            continue  # its own row was reported
        profile = {"authority": {"name": council["name"], "code": code}, "year": year}
        profile["settings"] = _settings_evidence(code, counts, national_settings, neighbours.get(code, []), catalogue)
        for section in ("evidence_date", "previous_band", "safeguarding_inspection", "unannounced_inspection", "inspections",
                        "pending_inspection"):
            if council.get(section):
                profile[section] = council[section]
        profile["indicators"] = _indicator_values(code, wide, national_indicators, neighbours.get(code, []), trends)
        profiles[code] = profile
    return BuildResult(profiles, sorted(problems, key=Problem.sort_key))


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
        council = {"name": row["name"]}
        council["safeguarding_inspection"] = _safeguarding(row, where, found)
        council["unannounced_inspection"] = _unannounced(row, where, found)
        council.update(_dated(council, row, where, found))
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
    out = {"kind": kind, "year": _integer(row, "safeguarding_year", where, found)}
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
    out = {"year": _integer(row, "unannounced_year", where, found)}
    for name in ("strengths", "areas_for_development", "areas_for_priority_action"):
        if row.get(name):
            out[name] = _integer(row, name, where, found, minimum=0)
    return out


def _dated(council: dict[str, Any], row: pd.Series, where: Where, found: list[Problem]) -> dict[str, Any]:
    """The optional columns of 2010 and 2011: the evidence date, last year's band, a pending inspection, and the dates
    that move an inspection from its single field into the dated history."""
    out: dict[str, Any] = {}
    if row.get("evidence_date"):
        out["evidence_date"] = _date(row, "evidence_date", where, found)
    if row.get("previous_band"):
        band = _integer(row, "previous_band", where, found, minimum=1)
        if band is not None and band > 4:
            found.append(Problem("record-invalid", f"previous_band: '{band}' is not a band 1-4", *where("previous_band")))
        out["previous_band"] = band
    history = []
    full = council.get("safeguarding_inspection")
    if full and row.get("safeguarding_date"):
        del council["safeguarding_inspection"]
        history.append({"kind": full["kind"], "date": _date(row, "safeguarding_date", where, found),
                         **{k: v for k, v in full.items() if k in ("safeguarding", "looked_after_children")}})
    unannounced = council.get("unannounced_inspection")
    if unannounced and row.get("unannounced_date"):
        del council["unannounced_inspection"]
        resolved = _date(row, "priority_actions_resolved_on", where, found) if row.get("priority_actions_resolved_on") else None
        count = unannounced.get("areas_for_priority_action") or 0
        actions: list[dict[str, Any]] | int = [{"resolved_on": resolved} for _ in range(count)] if resolved else count  # a count: none resolved
        history.append({"kind": "unannounced inspection", "date": _date(row, "unannounced_date", where, found),
                        **{k: v for k, v in unannounced.items() if k in ("strengths", "areas_for_development")},
                        **({"areas_for_priority_action": actions} if actions else {})})
    if history:
        out["inspections"] = sorted(history, key=lambda h: str(h["date"]))
    if row.get("pending_inspection"):
        kind = row["pending_inspection"]
        if kind not in (*SAFEGUARDING_KINDS, "unannounced inspection"):
            found.append(Problem("record-invalid", f"pending inspection kind '{kind}' is not one of: "
                                 f"{', '.join((*SAFEGUARDING_KINDS, 'unannounced inspection'))}", *where("pending_inspection")))
        out["pending_inspection"] = {"kind": kind, "date": _date(row, "pending_inspection_date", where, found)}
    return out


def _date(row: pd.Series, name: str, where: Where, found: list[Problem]) -> str | None:
    text = row.get(name, "")
    if pd.isna(pd.to_datetime(str(text)[:10], format="%Y-%m-%d", errors="coerce")):
        found.append(Problem("record-invalid", f"{name}: '{text}' is not a date (YYYY-MM-DD)", *where(name)))
        return None
    return str(text)[:10]


def _integer(row: pd.Series, name: str, where: Where, found: list[Problem], minimum: int | None = None) -> int | None:
    text = row.get(name, "")
    try:
        value = int(float(text))
        if value != float(text) or (minimum is not None and value < minimum):
            raise ValueError
        return value
    except ValueError:
        found.append(Problem("record-invalid", f"{name}: '{text}' is not a whole number"
                             + (f" of at least {minimum}" if minimum is not None else ""), *where(name)))
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
    rows: list[tuple[str, str, float, str]] = []
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
            except ValueError:
                problems.append(Problem("record-invalid", f"value '{row['value']}' is not a number", *where("value")))
                continue
            trend = row.get("trend") or ""
            if trend and trend not in TRENDS:
                problems.append(Problem("record-invalid", f"trend '{trend}' is not one of: {', '.join(TRENDS)}", *where("trend")))
                continue
            first_line[key] = line
            rows.append((row["council"], row["indicator"], value, trend))
    return pd.DataFrame(rows, columns=["council", "indicator", "value", "trend"])


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


def _indicator_values(code: str, wide: pd.DataFrame, national: pd.Series, neighbours: list[str],
                      trends: dict[tuple[str, str], str] | None = None) -> dict:
    """Each indicator's value with the national mean and the mean over the council's similar areas (and its trend,
    when the table gives one)."""
    if code not in wide.index:
        return {}
    similar = wide.reindex(neighbours).mean() if neighbours else None
    out = {}
    for key, value in wide.loc[code].dropna().items():
        entry: dict[str, Any] = {"value": float(value), "national": round(float(national[key]), 2)}
        if similar is not None and pd.notna(similar[key]):
            entry["similar_areas"] = round(float(similar[key]), 2)
        if trends and (code, key) in trends:
            entry["trend"] = trends[(code, key)]
        out[key] = entry
    return out


HEADER = "# Built by `engine profiles build` from {sources}.\n# Comparators (national, similar areas) are computed from those tables.\n"


def write_profiles(result: BuildResult, output: Path | str, sources: list[str]) -> list[Path]:
    """One YAML profile per council into a folder, or one table (a row per council) by the file's extension."""
    output = Path(output)
    if output.suffix:
        return [write_table(profiles_to_table(list(result.profiles.values())), output)]
    output.mkdir(parents=True, exist_ok=True)
    header = HEADER.format(sources=", ".join(sources))
    if any("synthetic" in s.lower() for s in sources):
        header = "# SYNTHETIC: made from synthetic records; not a real council.\n" + header
    written = []
    for code, profile in result.profiles.items():
        path = output / f"{code}.yaml"
        path.write_text(header + yaml.safe_dump(profile, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
        written.append(path)
    return written


def build_and_write(tables: Tables, output: Path | str, *, columns: Path | str | None = None,
                    year: int = 2009) -> tuple[BuildResult, list[Path]]:
    """Build every profile and write them (see :func:`write_profiles`)."""
    if Path(output).suffix:
        check_writable(output)
    result = build_profiles(tables, load_column_config(columns), year=year)
    sources = [str(tables.councils), str(tables.settings), str(tables.indicators), str(tables.neighbours)]
    return result, write_profiles(result, output, sources)
