"""Reading one extract as its publisher wrote it: the preamble above the header, the encoding, empty rows,
rows set aside by a column's value, and numbers with suppression markers and thousands separators.

Cells stay text until a number is wanted; a suppressed cell is a gap, never a zero. Every row keeps the line
it has in the file (the frame's index), so problems are located as ``file:line:column``.
"""
from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pandas as pd

from ..errors import BuildError, Problem, did_you_mean
from ..model.values import MAGNITUDE_MAX
from .columns import Reading, TableConfig
from .ledger import RowFates, TableAccount
from .tables import read_table

TableInput: TypeAlias = "Path | str | pd.DataFrame"


@dataclass
class Extract:
    file: str
    frame: pd.DataFrame  # text cells; the index is each row's line in the file
    header_line: int
    positions: dict[str, int]  # column name -> 1-based position
    fates: RowFates
    reading: Reading

    @property
    def account(self) -> TableAccount:
        return self.fates.account

    def column(self, name: str) -> int:
        return self.positions.get(name, 1)


def name_of(source: TableInput) -> str:
    return "<table>" if isinstance(source, pd.DataFrame) else str(source)


def read_extract(source: TableInput, table: TableConfig, role: str) -> Extract:
    """The table's rows with their lines; empty rows (every cell blank) and ``set_aside_rows`` already counted."""
    reading = table.read
    if isinstance(source, pd.DataFrame):  # a table already in memory (notebooks, the benchmark)
        frame, header_line = source.astype(str).replace({"nan": "", "None": ""}).reset_index(drop=True), 1
    else:
        frame = read_table(source, BuildError, header_row=reading.header_row, encoding=reading.encoding, sheet=reading.sheet)
        header_line = reading.header_row
    frame.index = pd.RangeIndex(header_line + 1, header_line + 1 + len(frame))
    positions = {str(c): i + 1 for i, c in enumerate(frame.columns)}
    extract = Extract(name_of(source), frame, header_line, positions, RowFates(frame, TableAccount(role, name_of(source), table.source)),
                      reading)
    extract.fates.empty((frame == "").all(axis=1) if len(frame.columns) else pd.Series(True, index=frame.index))
    require(extract, {f"set_aside_rows.{reason}": match.column for reason, match in table.set_aside_rows.items()})
    for reason, match in table.set_aside_rows.items():
        extract.fates.set_aside(frame[match.column].isin(match.values), reason, frame[match.column])
    return extract


def require(extract: Extract, needed: dict[str, str]) -> None:
    """Every needed column is in the header; else one problem naming what the table has, and where its header may be."""
    missing = {name: column for name, column in needed.items() if column not in extract.positions}
    if not missing:
        return
    listed = ", ".join(f"'{column}' (for {name})" for name, column in missing.items())
    first = next(iter(missing.values()))
    hint = _header_elsewhere(extract, set(missing.values())) or did_you_mean(first, extract.positions) \
        or "map the column names in a column config"
    raise BuildError([Problem("table-missing-column", f"no column {listed}; the table has: {', '.join(extract.positions) or 'no columns'}",
                              extract.file, extract.header_line, 1, suggestion=hint)])


def _header_elsewhere(extract: Extract, names: set[str]) -> str | None:
    """For a CSV whose header is not where the config says: the line that holds the missing names."""
    if not extract.file.lower().endswith(".csv"):
        return None
    try:
        with open(extract.file, newline="", encoding=extract.reading.encoding) as handle:
            for number, row in enumerate(itertools.islice(csv.reader(handle), 30), 1):
                if names <= {cell.strip() for cell in row} and number != extract.header_line:
                    return f"the header looks like line {number}: set read.header_row: {number}"
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return None


@dataclass
class Numbers:
    """A text column read as numbers: values (NaN where there is none) and why each missing one is missing."""

    values: pd.Series
    suppressed: pd.Series  # a marker of a value withheld or not available
    blank: pd.Series
    invalid: pd.Series  # text that is neither a number nor a marker


def numbers(cells: pd.Series, reading: Reading) -> Numbers:
    text = cells.astype(str).str.strip()
    blank = text == ""
    markers = {m.strip().casefold() for m in reading.suppressed}
    suppressed = text.str.casefold().isin(markers) & ~blank
    plain = text
    if reading.thousands:
        grouped = text.str.fullmatch(r"[-+]?\d{1,3}(" + _escape(reading.thousands) + r"\d{3})+(\.\d+)?")
        plain = text.where(~grouped, text.str.replace(reading.thousands, "", regex=False))
    values = pd.to_numeric(plain.where(~(blank | suppressed)), errors="coerce").astype(float)
    values = values.where(np.isfinite(values) & (values.abs() <= MAGNITUDE_MAX))  # the profile format's bound
    # Twelve significant digits: extracts carry binary noise ("14.700000000000001"), no real figure has more.
    values = values.map(lambda v: float(f"{v:.12g}"), na_action="ignore")
    return Numbers(values, suppressed, blank, values.isna() & ~blank & ~suppressed)


def _escape(separator: str) -> str:
    return "".join("\\" + c if not c.isalnum() else c for c in separator)
