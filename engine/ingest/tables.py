"""Tables in and out: CSV, Excel and Parquet by the file's extension, every cell kept as text so that
problems can be located as ``file:line:column`` (line = the row's line in the file, header on line 1).

Tables are written whole or not at all (:mod:`engine.writing`); in CSV and Excel every text cell is made a
safe spreadsheet cell (:func:`engine.characters.cell`: no control characters, no live formula).
"""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pandas as pd

from .. import writing
from ..characters import cell
from ..errors import BuildError, EngineError, Problem, did_you_mean

READABLE = (".csv", ".xlsx", ".xls", ".parquet")
WRITABLE = (".csv", ".json", ".parquet", ".xlsx")


def is_table(path: Path | str) -> bool:
    return Path(path).suffix.lower() in READABLE


def read_table(path: Path | str, error_class: type[EngineError], *, header_row: int = 1, encoding: str = "utf-8-sig",
               sheet: str | None = None) -> pd.DataFrame:
    """The table as text cells ('' where empty). Row i (0-based) is on line i + header_row + 1 of the file: lines
    above the header (a preamble) are skipped, empty lines are kept as rows of empty cells. A header cell with no
    name is named ``column N`` (its 1-based position). A byte-order mark is not part of the first name."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READABLE:
        raise error_class([Problem("table-invalid", f"cannot read a '{suffix}' file as a table", str(path),
                                   suggestion=f"give one of: {', '.join(READABLE)}")])
    if not path.is_file():
        raise error_class([Problem("file-not-found", "no such file", str(path))])
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False, skiprows=header_row - 1,
                                encoding=encoding)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path).astype(str).replace({"None": "", "nan": "", "<NA>": ""})
        else:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, header=header_row - 1,
                                  sheet_name=int(sheet) if sheet and sheet.isdigit() else sheet or 0)
    except Exception as exc:  # each reader raises its own errors; all mean "not a readable table"
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise error_class([Problem("table-invalid", f"cannot read the table: {first}", str(path))]) from None
    frame.columns = [f"column {i + 1}" if str(c).startswith("Unnamed: ") else str(c).strip() for i, c in enumerate(frame.columns)]
    if suffix != ".parquet":
        _refuse_repeated_names(path, error_class, header_row, encoding, sheet)
    return frame.fillna("").map(lambda cell: str(cell).strip())


def _refuse_repeated_names(path: Path, error_class: type[EngineError], header_row: int, encoding: str,
                           sheet: str | None) -> None:
    """pandas reads a second 'x' as 'x.1', which would then pass for a part of 'x': the header as written decides
    (an empty cell named ``column N`` as in :func:`read_table`)."""
    try:
        if path.suffix.lower() == ".csv":
            header = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False, skiprows=header_row - 1,
                                 encoding=encoding, skip_blank_lines=False)
        else:
            header = pd.read_excel(path, header=None, nrows=1, dtype=str, keep_default_na=False, skiprows=header_row - 1,
                                   sheet_name=int(sheet) if sheet and sheet.isdigit() else sheet or 0)
    except pd.errors.EmptyDataError:  # a blank header line: the main read found no names either
        return
    written = [str(c).strip() for c in header.iloc[0]] if len(header) else []
    first: dict[str, int] = {}
    problems = []
    for number, name in enumerate((name if name not in ("", "nan") else f"column {i + 1}" for i, name in enumerate(written)), 1):
        if name in first:
            problems.append(Problem("table-invalid", f"column '{name}' is named twice (first as column {first[name]})",
                                    str(path), header_row, number))
        first.setdefault(name, number)
    if problems:
        raise error_class(problems)


def line_of(row_index: int) -> int:
    """The file line of a data row (the header is line 1)."""
    return int(row_index) + 2


def require_columns(frame: pd.DataFrame, needed: dict[str, str], file: str, error_class: type[EngineError]) -> dict[str, int]:
    """Column positions (1-based) of the needed columns, by the builder's name; raises if any is absent."""
    positions = {str(c): i + 1 for i, c in enumerate(frame.columns)}
    missing = [f"'{column}' (for {name})" for name, column in needed.items() if column not in positions]
    if missing:
        hint = did_you_mean(needed[next(n for n in needed if needed[n] not in positions)], positions)
        raise error_class([Problem("table-missing-column", f"no column {', '.join(missing)}; the table has: "
                                   f"{', '.join(positions) or 'no columns'}", file, 1, 1,
                                   suggestion=hint or "map the column names in a column config")])
    return {name: positions[column] for name, column in needed.items()}


def check_writable(path: Path | str) -> None:
    """Refuse, before any work is done, an output name whose extension names no table format, or a place
    that cannot be written (a file where its folder should be, a folder without permission)."""
    suffix = Path(path).suffix.lower()
    if suffix not in WRITABLE:
        raise BuildError([Problem("table-invalid", f"cannot write a '{suffix}' table", str(path),
                                   suggestion=f"name the output with one of: {', '.join(WRITABLE)}")])
    writing.check_writable(path)


def write_table(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write by extension, whole or not at all: .csv, .json (records), .parquet, .xlsx."""
    check_writable(path)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx"):
        frame = spreadsheet_safe(frame)

    def write(handle: BinaryIO) -> None:
        if suffix == ".csv":
            handle.write(frame.to_csv(index=False).encode("utf-8"))
        elif suffix == ".json":
            handle.write(frame.to_json(orient="records", indent=2).encode("utf-8"))
        elif suffix == ".parquet":
            frame.to_parquet(handle, index=False)
        else:
            frame.to_excel(handle, index=False, engine="openpyxl")

    return writing.write_file(path, write)


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell, and every column name, a safe spreadsheet cell; numbers stay numbers."""
    safe = frame.map(cell) if len(frame.columns) else frame.copy()
    safe.columns = [cell(str(c)) for c in frame.columns]
    return safe
