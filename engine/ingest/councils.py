"""The councils: the councils table (the list every other table is matched against), council names and
codes matched to it (through an alias list for the spellings extracts use), and statistical neighbours.

A name is matched after trimming and folding case and spaces: first to a council's own name in the councils
table, then to the alias list. A row whose council matches nothing is reported with its location and a
"did you mean", or, where the column config says such rows are expected, set aside and counted.
"""
from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..characters import text_problem
from ..errors import Problem, did_you_mean
from ..model.profile import GRADES
from ..model.values import COUNCIL_CODE, COUNT_MAX, LINE_MAX
from .columns import ColumnConfig, CouncilRows, NeighboursTable
from .extract import Extract, TableInput, read_extract, require

DEFAULT_GRADES: dict[str, str] = {"1": "outstanding", "2": "good", "3": "satisfactory", "4": "inadequate", **{g: g for g in GRADES}}
SAFEGUARDING_KINDS = ("joint area review", "inspection of safeguarding and looked after children")
NOT_IN_TABLE = "council not in the councils table"


def folded(cells: pd.Series) -> pd.Series:
    """Names compared without case, outer spaces or doubled spaces."""
    return cells.astype(str).str.split().str.join(" ").str.casefold()


class CouncilIndex:
    """The councils table's codes and names, and the alias list, for matching the councils other tables name."""

    def __init__(self, names: dict[str, str], config: ColumnConfig, problems: list[Problem]):
        self.names = names  # code -> name
        self.by_name = {" ".join(n.split()).casefold(): c for c, n in names.items()}
        self.by_alias: dict[str, tuple[str, str]] = {}
        for spelling, code in config.aliases().items():
            if code not in names:
                problems.append(Problem("column-config-invalid", f"alias '{spelling}' names council '{code}', which is not in the councils table",
                                        *config.alias_origin(spelling), suggestion=did_you_mean(code, names)))
                continue
            self.by_alias[" ".join(spelling.split()).casefold()] = (code, spelling)

    def match(self, cells: pd.Series, by: str) -> tuple[pd.Series, pd.Series]:
        """The code each cell names (NaN where none), and the alias spelling it was matched through ('' if none)."""
        if by == "code":
            text = cells.astype(str).str.strip()
            return text.where(text.isin(self.names.keys())), pd.Series("", index=cells.index)
        key = folded(cells)
        codes = key.map(self.by_name)
        through = key.map({k: spelling for k, (_, spelling) in self.by_alias.items()}).where(codes.isna(), "").fillna("")
        return codes.fillna(key.map({k: code for k, (code, _) in self.by_alias.items()})), through

    def suggestion(self, value: str, by: str) -> str | None:
        if by == "code":
            return did_you_mean(value, self.names)
        close = did_you_mean(value, list(self.names.values()) + [s for _, s in self.by_alias.values()])
        return close or "add the spelling to the council alias list (council_aliases in the column config)"


def match_councils(extract: Extract, column: str, role: str, table: CouncilRows, index: CouncilIndex,
                   problems: list[Problem], reason: str = NOT_IN_TABLE) -> pd.Series:
    """The code of each open row's council; rows naming no council are reported or set aside (their fate is given)."""
    frame, fates = extract.frame, extract.fates
    codes, through = index.match(frame[column], table.councils_by)
    unmatched = codes.isna() & fates.open
    if table.other_councils == "set_aside":
        fates.set_aside(unmatched, reason, frame[column])
    else:
        for line in frame.index[unmatched]:
            value = frame.at[line, column]
            problems.append(Problem("unknown-council", f"{role} '{value}' is not in the councils table", extract.file, int(line),
                                    extract.column(column), index.suggestion(value, table.councils_by)))
        fates.report(unmatched)
    aliased = (through != "") & fates.open
    for (spelling, code), count in pd.DataFrame({"s": through[aliased], "c": codes[aliased]}).value_counts().items():
        extract.account.aliases[f"'{spelling}' -> {code}"] += int(count)
    return codes


@dataclass
class Councils:
    index: CouncilIndex
    rows: dict[str, dict[str, Any] | None]  # code -> name and inspections; None where its own row was reported
    extract: Extract


def read_councils(source: TableInput, config: ColumnConfig, problems: list[Problem]) -> Councils:
    table = config.councils
    columns = table.columns
    extract = read_extract(source, table, "councils")
    require(extract, {"council": columns.council, "name": columns.name})
    named = {n: c for n, c in columns.model_dump().items() if c in extract.positions}
    frame = extract.frame
    out: dict[str, dict[str, Any] | None] = {}
    first_line: dict[str, int] = {}
    bad = pd.Series(False, index=frame.index)
    for line in frame.index[extract.fates.open]:
        row = {n: frame.at[line, c] for n, c in named.items()}
        where = functools.partial(_cell, extract, int(line), named)
        code = row["council"]
        if not code or not row["name"]:
            problems.append(Problem("record-invalid", "a council needs a code and a name", *where("council" if not code else "name")))
            bad[line] = True
            continue
        if code in first_line:
            problems.append(Problem("duplicate-record", f"council '{code}' is given twice (first on line {first_line[code]})", *where("council")))
            out[code], bad[line] = None, True
            continue
        first_line[code] = int(line)
        found: list[Problem] = []
        # The code names the profile's file: it must be a safe file name; the name is free text.
        if not re.fullmatch(COUNCIL_CODE, code):
            found.append(Problem("record-invalid", f"council code '{code[:40]}{'...' if len(code) > 40 else ''}' is not a code: "
                                 "letters, digits, - and _, at most 32 characters", *where("council")))
        name_problem = text_problem(row["name"]) or (f"is longer than {LINE_MAX} characters" if len(row["name"]) > LINE_MAX else None)
        if name_problem:
            found.append(Problem("record-invalid", f"council name {name_problem}", *where("name")))
        council: dict[str, Any] = {"name": row["name"], "line": int(line)}
        council["safeguarding_inspection"] = _safeguarding(row, where, found)
        council["unannounced_inspection"] = _unannounced(row, where, found)
        council.update(_dated(council, row, where, found))
        problems.extend(found)
        out[code] = None if found else council
        bad[line] = bool(found)
    extract.fates.report(bad)
    extract.fates.use()
    names = {code: frame.at[line, columns.name] for code, line in first_line.items()}
    return Councils(CouncilIndex(names, config, problems), out, extract)


def _cell(extract: Extract, line: int, named: dict[str, str], name: str) -> tuple[str, int, int]:
    """Where a named cell of a row is: file, line and (1-based) column."""
    return extract.file, line, extract.column(named.get(name, ""))


Where = Callable[[str], tuple[str, int, int]]


def _safeguarding(row: dict[str, str], where: Where, found: list[Problem]) -> dict[str, Any] | None:
    if not row.get("safeguarding"):
        return None
    kind = row.get("safeguarding_kind", "")
    if kind not in SAFEGUARDING_KINDS:
        found.append(Problem("record-invalid", f"safeguarding inspection kind '{kind}' is not one of: {', '.join(SAFEGUARDING_KINDS)}",
                             *where("safeguarding_kind")))
    out = {"kind": kind, "year": _integer(row, "safeguarding_year", where, found, minimum=2000, maximum=2100)}
    for name in ("safeguarding", "looked_after_children"):
        value = grade_word(row.get(name, ""), DEFAULT_GRADES)
        if row.get(name) and value is None:
            found.append(Problem("impossible-grade", f"'{row[name]}' is not a grade", *where(name),
                                 suggestion=did_you_mean(row[name], GRADES)))
        if value:
            out[name] = value
    return out


def _unannounced(row: dict[str, str], where: Where, found: list[Problem]) -> dict[str, Any] | None:
    if not row.get("unannounced_year"):
        return None
    out = {"year": _integer(row, "unannounced_year", where, found, minimum=2000, maximum=2100)}
    for name in ("strengths", "areas_for_development", "areas_for_priority_action"):
        if row.get(name):
            out[name] = _integer(row, name, where, found, minimum=0, maximum=COUNT_MAX)
    return out


def _integer(row: dict[str, str], name: str, where: Where, found: list[Problem], minimum: int, maximum: int) -> int | None:
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


def _dated(council: dict[str, Any], row: dict[str, str], where: Where, found: list[Problem]) -> dict[str, Any]:
    """The optional columns of 2010 and 2011: the evidence date, last year's band, a pending inspection, and the dates
    that move an inspection from its single field into the dated history."""
    out: dict[str, Any] = {}
    if row.get("evidence_date"):
        out["evidence_date"] = _date(row, "evidence_date", where, found)
    if row.get("previous_band"):
        out["previous_band"] = _integer(row, "previous_band", where, found, minimum=1, maximum=4)
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


def _date(row: dict[str, str], name: str, where: Where, found: list[Problem]) -> str | None:
    text = row.get(name, "")
    if pd.isna(pd.to_datetime(str(text)[:10], format="%Y-%m-%d", errors="coerce")):
        found.append(Problem("record-invalid", f"{name}: '{text[:40]}' is not a date (YYYY-MM-DD)", *where(name)))
        return None
    return str(text)[:10]


def grade_word(text: str, mapping: dict[str, str]) -> str | None:
    text = text.strip()
    key = text[:-2] if text.endswith(".0") else text
    return mapping.get(key) or mapping.get(key.lower())


def read_neighbours(source: TableInput, table: NeighboursTable, index: CouncilIndex, problems: list[Problem]) -> tuple[dict[str, list[str]], Extract]:
    """Each council's statistical neighbours, in the table's order; a council is not its own neighbour."""
    columns = table.columns
    extract = read_extract(source, table, "neighbours")
    require(extract, {"council": columns.council, "neighbour": columns.neighbour})
    council = match_councils(extract, columns.council, "council", table, index, problems)
    neighbour = match_councils(extract, columns.neighbour, "neighbour", table, index, problems, reason="neighbour not in the councils table")
    fates = extract.fates
    fates.set_aside(council == neighbour, "a council named as its own neighbour", council)
    pairs = pd.DataFrame({"council": council, "neighbour": neighbour})
    fates.set_aside(pairs.where(fates.open).dropna().duplicated().reindex(pairs.index, fill_value=False),
                    "the same neighbour listed twice", council)
    used = fates.use()
    out: dict[str, list[str]] = {}
    for code, other in zip(council[used], neighbour[used], strict=True):
        out.setdefault(code, []).append(other)
    return out, extract
