"""Validate a document against a model; pydantic's errors become located problems, with "did you mean"."""
from __future__ import annotations

import re
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import Code, Problem, did_you_mean
from .source import DataPath, SourceDocument

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], doc: SourceDocument, *, code_invalid: Code, code_unknown_key: Code,
             root: DataPath = ()) -> tuple[M | None, list[Problem]]:
    """Validate ``doc.data`` (or the part at ``root``) against ``model``; return (instance or None, problems)."""
    data = doc.data
    for step in root:
        data = data[step]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [_problem(model, doc, root, err, code_invalid, code_unknown_key) for err in exc.errors()]


def _problem(model: type[BaseModel], doc: SourceDocument, root: DataPath, err: Any, code_invalid: Code,
             code_unknown_key: Code) -> Problem:
    extra = err["type"] == "extra_forbidden"  # the unknown key is the last step, whatever characters it holds
    loc = root + (clean_loc(err["loc"][:-1]) + (err["loc"][-1],) if extra else clean_loc(err["loc"]))
    where = ".".join(str(p) for p in loc) or "the document"
    if err["type"] == "extra_forbidden":
        name = loc[-1]
        allowed = fields_at(model, clean_loc(err["loc"])[:-1])
        listed = f"expected one of: {', '.join(sorted(allowed))}" if allowed else None
        return doc.problem(code_unknown_key, f"unknown field '{name}' in {'.'.join(map(str, loc[:-1])) or 'the document'}",
                           loc, key=True, suggestion=did_you_mean(str(name), allowed) or listed)
    if err["type"] == "missing":
        return doc.problem(code_invalid, f"{where}: a value is required here", loc[:-1] or loc, key=True)
    message = err["msg"]
    if "input" in err and not isinstance(err["input"], (dict, list)):
        message += f" (got {err['input']!r})"
    return doc.problem(code_invalid, f"{where}: {message}", loc)


_SCHEMA_STEP = re.compile(r"^[a-z][a-z-]*\[.*\]$", re.S)  # e.g. function-before[...], list[int], tagged-union[...]


def clean_loc(loc: tuple[Any, ...]) -> DataPath:
    """pydantic's error location as a path into the input: without the union members and validators it inserts
    (a key of the input is kept, whatever brackets it holds)."""
    return tuple(p for p in loc if not (isinstance(p, str) and _SCHEMA_STEP.match(p)))


def fields_at(model: type[BaseModel], path: DataPath) -> list[str]:
    """Field names of the model reached by following ``path`` through nested models, dicts and lists."""
    current = field_type(model, path)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def field_type(model: type[BaseModel], path: DataPath) -> Any:
    """The type a model expects at ``path`` (an Optional unwrapped), or None where the path leaves the model."""
    current: Any = model
    for step in path:
        current = _inner(current, step)
        if current is None:
            return None
    return current


def _inner(current: Any, step: Any) -> Any:
    if isinstance(current, type) and issubclass(current, BaseModel):
        field = current.model_fields.get(step) if isinstance(step, str) else None
        return _unwrap(field.annotation) if field else None
    if typing.get_origin(current) in (dict, list):
        args = typing.get_args(current)
        return _unwrap(args[-1]) if args else None
    return None


def _unwrap(annotation: Any) -> Any:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        return _unwrap(members[0]) if len(members) == 1 else annotation
    if typing.get_origin(annotation) is typing.Annotated:
        return _unwrap(args[0])
    return annotation
