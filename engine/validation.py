"""Turn pydantic validation errors into located problems, with "did you mean" for unknown keys."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Problem, did_you_mean
from .source import SourceDocument


def validate(model: type[BaseModel], doc: SourceDocument, *, code_invalid: str, code_unknown_key: str,
             root: tuple = ()) -> tuple[Any, list[Problem]]:
    """Validate ``doc.data`` against ``model``; return (instance or None, problems)."""
    data = doc.data
    for step in root:
        data = data[step]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [_problem(model, doc, root, err, code_invalid, code_unknown_key) for err in exc.errors()]


def _problem(model: type[BaseModel], doc: SourceDocument, root: tuple, err: dict, code_invalid: str,
             code_unknown_key: str) -> Problem:
    loc = root + _clean_loc(err["loc"])
    where = ".".join(str(p) for p in loc) or "the document"
    if err["type"] == "extra_forbidden":
        name = loc[-1]
        allowed = _fields_at(model, _clean_loc(err["loc"])[:-1])
        return doc.problem(code_unknown_key, f"unknown field '{name}' in {'.'.join(map(str, loc[:-1])) or 'the document'}",
                           loc, key=True,
                           suggestion=did_you_mean(str(name), allowed) or (f"expected one of: {', '.join(sorted(allowed))}" if allowed else None))
    if err["type"] == "missing":
        return doc.problem(code_invalid, f"{where}: a value is required here", loc[:-1] or loc, key=True)
    message = err["msg"]
    if "input" in err and not isinstance(err["input"], (dict, list)):
        message += f" (got {err['input']!r})"
    return doc.problem(code_invalid, f"{where}: {message}", loc)


def _clean_loc(loc: tuple) -> tuple:
    # pydantic inserts the names of union members and validators into loc; they are not keys of the input.
    return tuple(p for p in loc if not (isinstance(p, str) and (p.startswith("function-") or "[" in p)))


def _fields_at(model: type[BaseModel], path: tuple) -> list[str]:
    """Field names of the model reached by following ``path`` through nested models, dicts and lists."""
    current: Any = model
    for step in path:
        current = _inner_model(current, step)
        if current is None:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(current: Any, step: Any) -> Any:
    import typing

    if isinstance(current, type) and issubclass(current, BaseModel):
        field = current.model_fields.get(step) if isinstance(step, str) else None
        return _unwrap(field.annotation) if field else None
    origin = typing.get_origin(current)
    if origin in (dict, list):
        args = typing.get_args(current)
        return _unwrap(args[-1]) if args else None
    return None


def _unwrap(annotation: Any) -> Any:
    import typing

    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        models = [a for a in args if a is not type(None)]
        return _unwrap(models[0]) if len(models) == 1 else annotation
    if typing.get_origin(annotation) is typing.Annotated:
        return _unwrap(args[0])
    return annotation
