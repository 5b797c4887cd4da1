"""Council profiles from provider-level inspection records, indicator tables, statistical neighbours and a
councils table, read as their publishers wrote them (see :mod:`engine.ingest.columns`). National and
similar-areas comparators are computed from the data, or taken from the extract's row for England.

Every row read meets one fate, counted in the result's accounts: used, empty, set aside (by reason), England
(the national comparator), or reported as a located problem and left out. Nothing is dropped silently. A
council whose own row is unusable gets no profile. The modules this one assembles: ``extract`` (reading a
file), ``councils`` (the councils table, name matching, neighbours), ``setting_counts``, ``indicator_values``,
``overlay`` (``--base``) and ``ledger`` (the accounts and the summary).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeAlias

import pandas as pd
import yaml
from pydantic import ValidationError

from .. import writing
from ..errors import EXIT_BAD_INPUT, EXIT_OK, BuildError, Problem, ProfileError
from ..load.profile import catalogue_declared
from ..load.ruleset import load_ruleset, ruleset_for_year
from ..model.catalogue import Catalogue
from ..model.loaded import LoadedRuleset
from ..model.profile import Profile
from ..model.values import COUNCIL_CODE, DEFAULT_YEAR
from .columns import ColumnConfig, IndicatorsTable, SettingsTable, load_column_config
from .councils import DEFAULT_GRADES, SAFEGUARDING_KINDS, read_councils, read_neighbours
from .extract import TableInput, name_of
from .indicator_values import IndicatorTable, combine, indicator_evidence, read_indicators, trends_of
from .ledger import TableAccount, summary_lines
from .overlay import DERIVED, overlay_profiles
from .profile_table import profiles_to_table
from .setting_counts import count_settings, read_settings, settings_evidence
from .tables import READABLE, check_writable, write_table

__all__ = ["DEFAULT_GRADES", "SAFEGUARDING_KINDS", "BuildResult", "ColumnConfig", "Tables", "build_and_write", "build_profiles",
           "load_column_config", "summary", "write_profiles"]
Tabled: TypeAlias = "TableInput | Sequence[TableInput] | None"


@dataclass
class BuildResult:
    profiles: dict[str, dict[str, Any]]  # council code -> profile, as the YAML profile format has it
    problems: list[Problem] = field(default_factory=list)
    accounts: list[TableAccount] = field(default_factory=list)  # every table read, and where each of its rows went
    year: int = DEFAULT_YEAR
    vocabulary: str = ""  # the catalogue the profiles are written in
    ruleset: str | None = None  # the ruleset (id and version) that named that catalogue
    overlay: list[str] = field(default_factory=list)  # with --base: what was laid over which profile, and conflicts
    not_read: list[str] = field(default_factory=list)  # files in a folder given that no config entry reads

    @property
    def notable(self) -> bool:
        """Whether any row was other than used or reported: set aside, empty, England's, matched by alias, a gap."""
        return bool(self.not_read or self.overlay or any(
            a.empty or a.national or a.set_aside or a.aliases or a.suppressed or a.gaps or a.notes for a in self.accounts))

    @property
    def exit_code(self) -> int:
        """2 when a row was reported and left out: the profiles were built without it."""
        return EXIT_BAD_INPUT if self.problems else EXIT_OK

    def report_lines(self, output: Path | str, show_summary: bool | None = None) -> list[str]:
        """What ``profiles build`` says once the profiles are written to ``output``: how many, and the summary of
        every row read when asked for (``True``) or, by default (``None``), when something in it is notable."""
        lines = [f"built {len(self.profiles)} profile(s) into {output}"
                 + (f"; {len(self.problems)} row(s) reported and left out" if self.problems else "")]
        if show_summary or (show_summary is None and self.notable):
            lines += summary(self)
        return lines


@dataclass(frozen=True)
class Tables:
    """The tables, as files (CSV, Excel, Parquet) or DataFrames already in memory. Settings and indicators may be
    several tables (or folders of them); only the councils table is required."""

    councils: TableInput
    settings: Tabled = ()
    indicators: Tabled = ()
    neighbours: TableInput | None = None

    def listed(self, role: Literal["settings", "indicators"]) -> list[TableInput]:
        given = self.settings if role == "settings" else self.indicators
        if given is None:
            return []
        return list(given) if isinstance(given, (list, tuple)) else [given]


def build_profiles(tables: Tables, config: ColumnConfig | None = None, *, year: int | None = None,
                   catalogue: Catalogue | None = None, ruleset: Path | str | None = None,
                   base: Path | str | None = None) -> BuildResult:
    """One profile per council of the councils table (with ``base``: the base profiles with the built sections laid
    over them), in the vocabulary of the catalogue given, else of ``ruleset``, else of the config's ruleset, else of
    the ruleset for ``year``; problems for every row left out, and an account of every table read."""
    config = config or ColumnConfig()
    year = year or config.year or DEFAULT_YEAR
    ruleset = ruleset or config.ruleset
    named_by = None
    if catalogue is None:
        loaded = load_ruleset(ruleset) if ruleset is not None else _ruleset_for(year)
        catalogue, named_by = loaded.catalogue, f"{loaded.ruleset.id} {loaded.ruleset.version}"
    problems: list[Problem] = []
    for source, entry, role in ((tables.councils, config.councils, "councils"), (tables.neighbours, config.neighbours, "neighbours")):
        if isinstance(source, (str, Path)) and not entry.reads(Path(source).name):
            raise BuildError([Problem("column-config-invalid", f"the column config's {role} entry reads files named '{entry.file}', "
                                      "not this one", str(source), suggestion=f"give the {role} table it was written for")])
    councils = read_councils(tables.councils, config, problems)
    accounts = [councils.extract.account]
    neighbours: dict[str, list[str]] = {}
    if tables.neighbours is not None:
        neighbours, read = read_neighbours(tables.neighbours, config.neighbours, councils.index, problems)
        accounts.append(read.account)
    not_read: list[str] = []
    records = []
    for source, settings_entry in _entries(tables, "settings", config, problems, not_read):
        found, read = read_settings(source, settings_entry, councils.index, catalogue, problems)
        records.append(found)
        accounts.append(read.account)
    counted = count_settings(_distinct_providers(records, accounts, problems)) if records else None
    indicator_tables: list[IndicatorTable] = []
    for source, indicators_entry in _entries(tables, "indicators", config, problems, not_read):
        indicator_tables.append(read_indicators(source, indicators_entry, councils.index, catalogue, problems))
        accounts.append(indicator_tables[-1].extract.account)
    wide, national = combine(indicator_tables, problems)
    trends = trends_of(indicator_tables)
    profiles = {}
    # The profiles name their catalogue when it is not that of the ruleset for their year (or no ruleset is for it),
    # so a ruleset of another catalogue reads them through a translation, never as if written in its own words.
    declared = catalogue_declared(year, catalogue.name)
    for code, council in councils.rows.items():
        if council is None:
            continue  # its own row was reported
        # every value is computed from the extracts read: derived, as a letter and the report must take it
        profile: dict[str, Any] = {"authority": {"name": council["name"], "code": code}, "year": year, **declared,
                                   "provenance": {"default": DERIVED}}
        if counted is not None:
            profile["settings"] = settings_evidence(code, counted, neighbours.get(code, []), catalogue)
        for section in ("evidence_date", "previous_band", "safeguarding_inspection", "unannounced_inspection", "inspections",
                        "pending_inspection"):
            if council.get(section):
                profile[section] = council[section]
        if indicator_tables:
            profile["indicators"] = indicator_evidence(code, wide, national, neighbours.get(code, []), trends)
        invalid = _invalid(profile)
        if invalid:  # the checks above should make this impossible; never write a profile that would not load
            problems.append(Problem("record-invalid", f"the profile built for council '{code}' does not validate: {invalid}",
                                    councils.extract.file, council.get("line", 1), 1))
            continue
        profiles[code] = profile
    overlaid: list[str] = []
    if base is not None:
        sections = (["settings"] if counted is not None else []) + ["safeguarding_inspection", "unannounced_inspection"] \
            + (["indicators"] if indicator_tables else [])
        profiles, overlaid = overlay_profiles(profiles, base, sections, year, problems)
    return BuildResult(profiles, sorted(problems, key=Problem.sort_key), accounts, year, catalogue.name, named_by, overlaid, not_read)


def _invalid(profile: dict[str, Any]) -> str | None:
    try:
        Profile.model_validate(profile)
    except ValidationError as exc:
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return None


def _ruleset_for(year: int) -> LoadedRuleset:
    """The ruleset for the profiles' year, whose catalogue is their vocabulary when neither config nor caller names one."""
    try:
        return ruleset_for_year(year)
    except ProfileError as exc:
        raise BuildError([Problem(p.code, p.message, "<profiles build>", suggestion="name the vocabulary's ruleset: `ruleset:` in "
                                  "the column config, or --ruleset FILE") for p in exc.problems]) from None


def _entries(tables: Tables, role: Literal["settings", "indicators"], config: ColumnConfig, problems: list[Problem],
             not_read: list[str]) -> list[tuple[TableInput, Any]]:
    """Each table of a role with the config entry that reads it; a folder gives the files some entry reads."""
    out: list[tuple[TableInput, SettingsTable | IndicatorsTable]] = []
    for given in tables.listed(role):
        if not isinstance(given, pd.DataFrame) and Path(given).is_dir():
            files = sorted(p for p in Path(given).iterdir() if p.suffix.lower() in READABLE)
            chosen = [(p, config.entry(role, p.name)) for p in files]
            not_read += [f"{p}: no {role} entry in the column config reads it" for p, e in chosen if e is None]
            out += [(p, e) for p, e in chosen if e is not None]
            if not any(e for _, e in chosen):
                problems.append(Problem("file-not-found", f"no file in this folder is one the column config's {role} entries read",
                                        str(given)))
            continue
        entry = config.entry(role, "<table>" if isinstance(given, pd.DataFrame) else Path(given).name)
        if entry is None:
            patterns = ", ".join(e.file or "*" for e in (config.settings if role == "settings" else config.indicators))
            problems.append(Problem("column-config-invalid", f"no {role} entry in the column config reads this file (entries read: {patterns})",
                                    name_of(given)))
            continue
        out.append((given, entry))
    return out


def _distinct_providers(records: list[pd.DataFrame], accounts: list[TableAccount], problems: list[Problem]) -> pd.DataFrame:
    """The settings of every table; a provider in two tables is counted once (the later row is reported)."""
    joined = pd.concat(records, ignore_index=True)
    again = joined["provider"].duplicated()
    for row in joined[again].itertuples():
        first = joined[joined["provider"] == row.provider].iloc[0]
        problems.append(Problem("duplicate-record", f"provider '{row.provider}' is also given on line {first.line} of {first.file}",
                                row.file, int(row.line)))
        account = next(a for a in accounts if a.role == "settings" and a.file == row.file)
        account.used, account.reported = account.used - 1, account.reported + 1
    return joined[~again]


def summary(result: BuildResult) -> list[str]:
    """What was built, in which vocabulary, and what became of every row read (see :mod:`engine.ingest.ledger`)."""
    ruleset = f", of ruleset {result.ruleset}" if result.ruleset else ""
    lines = [f"profiles of {result.year}, in the vocabulary of catalogue {result.vocabulary}{ruleset}"]
    lines += summary_lines(result.accounts)
    lines += result.not_read
    if result.overlay:
        lines.append("laid over base profiles:")
        lines += [f"  {line}" for line in result.overlay]
    return lines


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
    files: dict[Path, writing.Content] = {
        output / f"{code}.yaml": header + yaml.safe_dump(profile, sort_keys=False, allow_unicode=True, width=120)
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


def build_and_write(tables: Tables, output: Path | str, *, columns: Path | str | None = None, year: int | None = None,
                    ruleset: Path | str | None = None, base: Path | str | None = None) -> tuple[BuildResult, list[Path]]:
    """Build every profile and write them (see :func:`write_profiles`)."""
    if Path(output).suffix:
        check_writable(output)
    else:
        writing.check_writable(output, folder=True)
    result = build_profiles(tables, load_column_config(columns), year=year, ruleset=ruleset, base=base)
    sources = [f"{a.file} ({a.source})" if a.source else a.file for a in result.accounts]
    if base is not None:
        sources.append(f"the base profiles in {base}")
    return result, write_profiles(result, output, sources)
