"""The column config of `engine profiles build`: how real extracts are read and mapped onto the builder's names.

Everything a published file needs is said here, never in code per file: the header row and the preamble above
it, the encoding, suppression markers and thousands separators; rows of England, of regions or of other years;
council names matched to codes (with an alias list); the extract's setting types, grades and sectors; indicators
taken as they are or derived as ratios of named columns; the ruleset whose vocabulary the profiles use. Every
key is optional and unknown keys are refused with their location. A config written for the synthetic tables
(a mapping per table, no reading options) reads as it always did.
"""
from __future__ import annotations

import codecs
import fnmatch
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, field_validator

from ..errors import BuildError, Problem, did_you_mean
from ..load.yaml import load_yaml
from ..model.profile import GRADES
from ..model.source import DataPath, Location, SourceDocument
from ..model.validation import validate
from ..model.values import Line
from ..paths import rules_dir


def _text(value: Any) -> Any:
    """Codes and years are text in an extract; YAML reads 970 or 2016 as numbers, so take them back as text."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


Text = Annotated[str, BeforeValidator(_text)]


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reading(_Config):
    """How to read the file itself."""

    header_row: int = Field(1, ge=1, description="The line of the header; lines above it are a preamble, skipped")
    encoding: Line = Field("utf-8-sig", description="utf-8-sig also reads UTF-8 without a byte-order mark")
    sheet: Text | None = Field(None, description="The sheet of an Excel workbook (default: the first)")
    suppressed: list[Text] = Field([], description="Markers of a value withheld or not available, e.g. x, c, '-': a gap, never a zero")
    thousands: Line | None = Field(None, description="The thousands separator in numbers, e.g. ',' for \"1,380\"")


class RowMatch(_Config):
    """Rows whose ``column`` holds one of ``values``."""

    column: Line
    values: list[Text]


class TableConfig(_Config):
    file: Line | None = Field(None, description="Which of the tables given this entry reads: its file name (wildcards * ?); default any")
    source: Line | None = Field(None, description="Who publishes the extract, cited in the summary and the profiles")
    read: Reading = Reading()
    set_aside_rows: dict[str, RowMatch] = Field({}, description="Reason -> rows set aside for it (regional rows, ...)")

    def reads(self, file_name: str) -> bool:
        return self.file is None or fnmatch.fnmatch(file_name, self.file)


class CouncilRows(TableConfig):
    councils_by: Literal["code", "name"] = Field("code", description="Whether the council column holds codes or names")
    other_councils: Literal["report", "set_aside"] = Field(
        "report", description="Rows naming a council not in the councils table: a problem, or set aside and counted")


class CouncilColumns(_Config):
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
    # Optional, for 2010 and 2011 profiles: with a date, an inspection goes into the profile's dated history
    # (`inspections`) instead of the single field; the areas for priority action of the unannounced inspection are
    # resolved on `priority_actions_resolved_on` when it is given.
    evidence_date: Line = "evidence_date"
    previous_band: Line = "previous_band"
    safeguarding_date: Line = "safeguarding_date"
    unannounced_date: Line = "unannounced_date"
    priority_actions_resolved_on: Line = "priority_actions_resolved_on"
    pending_inspection: Line = "pending_inspection"
    pending_inspection_date: Line = "pending_inspection_date"


class SettingColumns(_Config):
    provider: Line = "provider"
    council: Line = "council"
    setting_type: Line = "setting_type"
    grade: Line = "grade"
    inspection_date: Line = "inspection_date"


class IndicatorColumns(_Config):
    council: Line = "council"
    indicator: Line = "indicator"
    value: Line = "value"
    year: Line | None = None
    trend: Line = "trend"  # optional: improving, stable or declining


class NeighbourColumns(_Config):
    council: Line = "council"
    neighbour: Line = "neighbour"


class CouncilsTable(TableConfig):
    columns: CouncilColumns = CouncilColumns()


class GivenApart(_Config):
    """Settings of some types also counted apart by another column's value into the setting types that are part of
    them (``part_of``: council-run homes against others); settings whose value names no part are set aside."""

    column: Line
    types: list[Line]
    parts: dict[Line, Line] = Field(description="Value in the column -> the setting type that is the part, e.g. "
                                                "'Local authority': council_childrens_homes")

    _origin: dict[str, tuple[str, int, int]] = PrivateAttr(default_factory=dict)

    def origin(self, value: str) -> tuple[str, int, int]:
        """Where the part for ``value`` was written (file, line, column)."""
        return self._origin.get(value, ("<column config>", 1, 1))


class SettingsTable(CouncilRows):
    columns: SettingColumns = SettingColumns()
    setting_types: dict[Line, Line] = {}  # value in the extract -> key in the catalogue's setting types
    set_aside_types: dict[Line, Line] = Field({}, description="Value in the extract -> why settings of that type are set aside")
    grades: dict[Line, Line] = {}  # value in the extract -> outstanding | good | satisfactory | inadequate
    given_apart: GivenApart | None = None
    date_format: Line = Field("%Y-%m-%d", description="How inspection dates are written (strftime codes)")


class MappedIndicator(_Config):
    """A measure of a long table taken as a catalogue indicator."""

    id: Line
    year: Text | None = Field(None, description="The year to select for this measure (default: the table's)")
    national: Literal["row", "computed"] = Field("row", description="computed: ignore the England row (e.g. not on the councils' scale)")


class Ratio(_Config):
    """An indicator derived from a wide table: the sum of ``numerator`` columns over the sum of ``denominator`` columns."""

    numerator: list[Line]
    denominator: list[Line] = []
    scale: float = Field(1.0, description="100 for a percentage")
    decimals: int = Field(2, ge=0, le=10)
    national: Literal["row", "computed"] = "row"

    @field_validator("numerator", "denominator", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class IndicatorsTable(CouncilRows):
    layout: Literal["long", "wide"] = Field("long", description="long: a row per council and indicator; wide: a row per council")
    columns: IndicatorColumns = IndicatorColumns()
    indicators: dict[str, str | MappedIndicator] = Field(
        {}, description="long: measure in the extract -> catalogue indicator; other measures are set aside and counted")
    year: Text | None = Field(None, description="long: keep the rows of this year (columns.year); the others are set aside and counted")
    national_rows: RowMatch | None = Field(None, description="The rows of England: the national comparator where the extract gives one")
    derived: dict[str, Ratio] = Field({}, description="wide: catalogue indicator -> the ratio of columns it is")

    def mapped(self, code: str) -> MappedIndicator | None:
        found = self.indicators.get(code)
        return MappedIndicator(id=found) if isinstance(found, str) else found


class NeighboursTable(CouncilRows):
    columns: NeighbourColumns = NeighbourColumns()


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, (dict, BaseModel)) else value


class ColumnConfig(_Config):
    """How the columns (and setting-type, grade and indicator values) of real extracts map to the builder's names."""

    ruleset: Line | None = Field(None, description="The ruleset whose catalogue is the profiles' vocabulary: a name in rules/ or a file")
    year: int | None = Field(None, ge=2000, le=2100, description="The profiles' assessment year (default 2009)")
    council_aliases: dict[str, Text] | str = Field({}, description="Council name as spelt in an extract -> code; or a YAML file of them")
    councils: CouncilsTable = CouncilsTable()
    settings: Annotated[list[SettingsTable], BeforeValidator(_one_or_many)] = [SettingsTable()]
    indicators: Annotated[list[IndicatorsTable], BeforeValidator(_one_or_many)] = [IndicatorsTable()]
    neighbours: NeighboursTable = NeighboursTable()

    _alias_origin: dict[str, tuple[str, int, int]] = PrivateAttr(default_factory=dict)

    def aliases(self) -> dict[str, str]:
        return self.council_aliases if isinstance(self.council_aliases, dict) else {}

    def alias_origin(self, spelling: str) -> tuple[str, int, int]:
        """Where an alias was written (file, line, column), for problems about it."""
        return self._alias_origin.get(spelling, ("<column config>", 1, 1))

    def entry(self, role: Literal["settings", "indicators"], file_name: str) -> SettingsTable | IndicatorsTable | None:
        """The entry that reads a table of this file name: the first whose ``file`` matches."""
        entries: list[Any] = self.settings if role == "settings" else self.indicators
        return next((e for e in entries if e.reads(file_name)), None)


class _AliasList(_Config):
    aliases: dict[str, Text]


def load_column_config(path: Path | str | None) -> ColumnConfig:
    """The column config in ``path`` (defaults where absent); its alias list read and its ruleset found."""
    if path is None:
        return ColumnConfig()
    doc = load_yaml(path, BuildError)
    if doc.data is None:
        doc = doc.with_data({})
    if not isinstance(doc.data, dict):
        raise BuildError([doc.problem("column-config-invalid", "a column config is a mapping with councils, settings, indicators, neighbours")])
    doc = _listed(_listed(doc, "settings"), "indicators")
    config, problems = validate(ColumnConfig, doc, code_invalid="column-config-invalid", code_unknown_key="column-config-invalid")
    if config is None:
        raise BuildError(problems)
    problems = _value_problems(config, doc)
    if problems:
        raise BuildError(problems)
    here = Path(path).parent
    update: dict[str, Any] = {}
    origin: dict[str, tuple[str, int, int]] = {}
    if isinstance(config.council_aliases, str):
        update["council_aliases"], origin = _alias_file(here / config.council_aliases, doc)
    else:
        origin = {k: (doc.file, *doc.locate(("council_aliases", k), key=True)) for k in config.council_aliases}
    if config.ruleset is not None:
        update["ruleset"] = str(_ruleset_path(config.ruleset, here, doc))
    config = config.model_copy(update=update)
    config._alias_origin.update(origin)
    for i, settings in enumerate(config.settings):
        if settings.given_apart is not None:
            settings.given_apart._origin.update({value: (doc.file, *doc.locate(("settings", i, "given_apart", "parts", value)))
                                                 for value in settings.given_apart.parts})
    return config


def _listed(doc: SourceDocument, key: str) -> SourceDocument:
    """A single table entry (``settings: {...}``) as a list of one, keeping every location of its values."""
    if not isinstance(doc.data.get(key), dict):
        return doc

    def moved(table: dict[DataPath, Location]) -> dict[DataPath, Location]:
        out = dict(table)
        out.update({(key, 0) + path[1:]: where for path, where in table.items() if path[:1] == (key,) and len(path) > 1})
        out.setdefault((key, 0), table.get((key,), (1, 1)))
        return out

    return SourceDocument(doc.file, {**doc.data, key: [doc.data[key]]}, moved(doc.locations), moved(doc.key_locations))


def _value_problems(config: ColumnConfig, doc: SourceDocument) -> list[Problem]:
    """Values the model's types accept but the builder cannot use: a grade that is not one, an unknown encoding."""
    problems = []
    tables: list[tuple[DataPath, TableConfig]] = [(("councils",), config.councils), (("neighbours",), config.neighbours)]
    tables += [(("settings", i), t) for i, t in enumerate(config.settings)]
    tables += [(("indicators", i), t) for i, t in enumerate(config.indicators)]
    for where, table in tables:
        try:
            codecs.lookup(table.read.encoding)
        except LookupError:
            problems.append(doc.problem("column-config-invalid", f"unknown encoding '{table.read.encoding}'", where + ("read", "encoding"),
                                        suggestion="e.g. utf-8-sig, utf-8, cp1252, latin-1"))
    for i, settings in enumerate(config.settings):
        for key, value in settings.grades.items():
            if value not in GRADES:
                problems.append(doc.problem("column-config-invalid", f"'{value}' is not a grade", ("settings", i, "grades", key),
                                            suggestion=f"use one of: {', '.join(GRADES)}"))
    for i, indicators in enumerate(config.indicators):
        where = ("indicators", i)
        if indicators.layout == "wide" and indicators.indicators:
            problems.append(doc.problem("column-config-invalid", "a wide table derives its indicators (derived:), it does not map measures",
                                        where + ("indicators",), key=True))
        if indicators.layout == "long" and indicators.derived:
            problems.append(doc.problem("column-config-invalid", "derived indicators need layout: wide (a row per council)",
                                        where + ("derived",), key=True))
        years = indicators.year is not None or any(not isinstance(m, str) and m.year for m in indicators.indicators.values())
        if years and indicators.columns.year is None:
            problems.append(doc.problem("column-config-invalid", "a year is chosen but no column holds the year",
                                        where + ("year",), key=True, suggestion="name it as columns.year"))
    return problems


def _alias_file(path: Path, config_doc: SourceDocument) -> tuple[dict[str, str], dict[str, tuple[str, int, int]]]:
    if not path.is_file():
        raise BuildError([config_doc.problem("file-not-found", f"no alias list '{path}'", ("council_aliases",))])
    doc = load_yaml(path, BuildError)
    aliases, problems = validate(_AliasList, doc, code_invalid="column-config-invalid", code_unknown_key="column-config-invalid")
    if aliases is None:
        raise BuildError(problems)
    return aliases.aliases, {k: (doc.file, *doc.locate(("aliases", k), key=True)) for k in aliases.aliases}


def _ruleset_path(name: str, here: Path, doc: SourceDocument) -> Path:
    """A ruleset named as in rules/ (``csa-2009``) or as a file relative to the config."""
    path = (here / name) if name.endswith((".yaml", ".yml")) or "/" in name else rules_dir() / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in rules_dir().glob("*.yaml"))
        raise BuildError([doc.problem("column-config-invalid", f"no ruleset '{name}' (rulesets in {rules_dir()}: {', '.join(known) or 'none'})",
                                      ("ruleset",), suggestion=did_you_mean(name, known))])
    return path
