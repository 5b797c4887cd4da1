"""Profiles as a table, one row per council: each column is a dotted path into the YAML profile format.

``authority.name``, ``year``, ``settings.primary_schools.counts.good``, ``settings.fostering_agency.grade``,
``settings.primary_schools.national.good_or_better``, ``safeguarding_inspection.safeguarding``,
``indicators.NI_73.value``, ``vulnerable_gaps.0.group`` ... An empty cell is an absent value.

A row becomes the profile's data directly (never YAML text: a cell is a value, whatever characters it
holds), with each value located at its row's line and its column, so the profile's problems are
reported as ``table:line:column``. The columns themselves are checked once per table: a column named
twice, or one that is inside another (``year`` and ``year.x``), cannot say what the profile is.
"""
from __future__ import annotations

import typing
from collections.abc import Iterable
from typing import Any

import pandas as pd
import yaml

from ..errors import Problem, ProfileError
from ..model.profile import Profile
from ..model.source import DataPath, Location, SourceDocument
from ..model.validation import field_type


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    items: Iterable[tuple[Any, Any]]
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {prefix: value}
    out: dict[str, Any] = {}
    for key, item in items:
        out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    return out


def profiles_to_table(profiles: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame([flatten(p) for p in profiles])


def column_problems(columns: list[str], file: str) -> list[Problem]:
    """Columns that cannot be read as paths into a profile: one named twice, one inside another, a list
    item that is not numbered. Each is located at its header cell (line 1)."""
    problems = []
    seen: dict[str, int] = {}
    for number, column in enumerate(columns, 1):
        if column in seen:
            problems.append(Problem("table-invalid", f"column '{column}' is given twice (first as column {seen[column]})", file, 1, number))
        seen.setdefault(column, number)
        parts = column.split(".")
        for cut in range(1, len(parts)):
            if _is_list(tuple(parts[:cut])) and not parts[cut].isdigit():
                problems.append(Problem("table-invalid", f"column '{column}': '{'.'.join(parts[:cut])}' is a list; "
                                        f"name its items by number ({'.'.join(parts[:cut])}.0...)", file, 1, number))
    return problems


def row_document(row: dict[str, str], columns: list[str], file: str, line: int) -> SourceDocument:
    """The profile of one row (the columns checked by :func:`column_problems`), every value located at its cell.

    A column may be inside another (``x`` and ``x.0.y``: a field given as a count in some rows and item by item in
    others), but one row may not give both: that row is refused at the inner cell."""
    data: dict[str, Any] = {}
    locations: dict[DataPath, Location] = {(): (line, 1)}
    list_items: dict[DataPath, dict[str, int]] = {}  # a list's path -> its numbered items in the table -> position
    for number, column in enumerate(columns, 1):
        cell = row.get(column, "")
        if cell == "":
            continue
        node: Any = data
        path: DataPath = ()
        parts = column.split(".")
        for depth, part in enumerate(parts):
            key: Any = part
            if _is_list(path):
                positions = list_items.setdefault(path, {})
                key = positions.setdefault(part, len(positions))
            last = depth == len(parts) - 1
            if not isinstance(node, (dict, list)) or (last and isinstance(node, dict) and isinstance(node.get(key), (dict, list))):
                outer = ".".join(parts[:depth] if not isinstance(node, (dict, list)) else parts[:depth + 1])
                raise ProfileError([Problem("table-invalid", f"column '{column}' is inside column '{outer}', and this row gives both: "
                                            "a value cannot also have parts", file, line, number)])
            if isinstance(node, list):
                while len(node) <= key:
                    node.append({})
                if last:
                    node[key] = _value(cell, path + (0,))
                node = node[key]
            else:
                if last:
                    node[key] = _value(cell, path + (key,))
                else:
                    node = node.setdefault(key, [] if _is_list(path + (key,)) else {})
            path = path + (key,)
            locations.setdefault(path, (line, number))
    return SourceDocument(file, data, locations, dict(locations))


def document_text(doc: SourceDocument) -> str:
    """The row's profile as YAML: what the audit trail keeps as the profile evaluated."""
    return yaml.safe_dump(doc.data, sort_keys=False, allow_unicode=True, width=120)


def _is_list(path: DataPath) -> bool:
    return bool(path) and typing.get_origin(field_type(Profile, _typed(path))) is list


def _typed(path: DataPath) -> DataPath:
    return tuple(0 if isinstance(p, int) or (isinstance(p, str) and p.isdigit()) else p for p in path)


def _value(cell: str, path: DataPath) -> Any:
    """A cell as the value the profile format expects there: text where it wants text, else a number or a
    boolean when the cell reads as one (the model then checks it), else the text as given."""
    if field_type(Profile, _typed(path)) is str:
        return cell
    for convert in (int, float):
        try:
            return convert(cell)
        except ValueError:
            pass
    if cell.lower() in ("true", "false"):
        return cell.lower() == "true"
    return cell
