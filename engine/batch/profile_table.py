"""Profiles as a table, one row per council: each column is a dotted path into the YAML profile format.

``authority.name``, ``year``, ``settings.primary_schools.counts.good``, ``settings.fostering_agency.grade``,
``settings.primary_schools.national.good_or_better``, ``safeguarding_inspection.safeguarding``,
``indicators.NI_73.value``, ``vulnerable_gaps.0.group`` ... An empty cell is an absent value.

A row is turned back into profile YAML with one value per line, so the profile loader's problems
(``file:line:col``) can be moved onto the table's cell: its row's line and its column.
"""
from __future__ import annotations

import json
import typing
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..errors import Problem
from ..model.profile import Profile
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


def row_to_yaml(row: dict[str, str], columns: list[str]) -> tuple[str, dict[int, int]]:
    """Profile YAML for one row, and for each YAML line the (1-based) table column it came from."""
    tree: dict = {}
    for column in columns:
        cell = row.get(column, "")
        if cell == "":
            continue
        node = tree
        parts = column.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = (cell, columns.index(column) + 1)
    lines: list[str] = []
    origin: dict[int, int] = {}
    _emit(tree, (), 0, lines, origin)
    return "\n".join(lines) + "\n", origin


def _emit(node: dict, path: tuple, indent: int, lines: list[str], origin: dict[int, int], first_prefix: str = "") -> None:
    is_list = _is_list_field(path)
    for n, (key, value) in enumerate(node.items()):
        pad = " " * indent
        if is_list:
            # Items of a list: "- " before the item's first key, the rest aligned under it.
            if isinstance(value, dict):
                _emit(value, path + (0,), indent + 2, lines, origin, first_prefix=pad + "- ")
            else:
                cell, column = value
                lines.append(f"{pad}- {_scalar(cell, path + (0,))}")
                origin[len(lines)] = column
            continue
        lead = first_prefix if (first_prefix and n == 0) else pad
        if isinstance(value, dict):
            lines.append(f"{lead}{_key(key)}:")
            origin[len(lines)] = _first_column(value)
            _emit(value, path + (key,), indent + 2, lines, origin)
        else:
            cell, column = value
            lines.append(f"{lead}{_key(key)}: {_scalar(cell, path + (key,))}")
            origin[len(lines)] = column


def _first_column(node: dict) -> int:
    for value in node.values():
        return _first_column(value) if isinstance(value, dict) else value[1]
    return 1


def _key(key: str) -> str:
    return key if key.replace("_", "").isalnum() else json.dumps(key)


def _is_list_field(path: tuple[Any, ...]) -> bool:
    return bool(path) and typing.get_origin(field_type(Profile, path)) is list


def _scalar(cell: str, path: tuple) -> str:
    """A number or boolean as YAML reads it, unless the profile format wants text there."""
    wanted = field_type(Profile, path)
    if wanted is not str:
        for convert in (int, float):
            try:
                convert(cell)
                return cell
            except ValueError:
                pass
        if cell.lower() in ("true", "false"):
            return cell.lower()
    return json.dumps(cell)


def relocate(problem: Problem, table: str, line: int, origin: dict[int, int]) -> Problem:
    """A problem found in a row's generated YAML, moved onto the table's row and column."""
    return Problem(problem.code, problem.message, table, line, origin.get(problem.line, 1), problem.suggestion)
