"""Safe YAML loading that remembers where every value came from (line and column, 1-based).

Two ways in, one result. :func:`parse_yaml` records the location of every key and value as it reads.
:func:`read_yaml` (for profiles, read by the thousand) builds the data alone, straight from libyaml's nodes,
and leaves the locations to be worked out by :func:`parse_yaml` only if a problem has to be placed. It takes
that careful path at once for anything out of the ordinary: anchors and aliases, merge keys, any tag beyond
plain strings, numbers, booleans, nulls, dates, mappings and lists, and any error.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import EngineError, Problem
from ..model.source import DataPath, Location, Locations, SourceDocument

# libyaml's safe loader when PyYAML was built with it (several times faster, same marks); else pure Python.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# An anchor (&name), an alias (*name) or a merge key (<<) anywhere sends a document down the careful path.
_NOT_PLAIN = re.compile(r"(?:^|[\s\[{,])[&*][^\s,\]}]|<<")
_TAG = "tag:yaml.org,2002:"
_SCALARS = {f"{_TAG}{name}" for name in ("int", "float", "bool", "null", "timestamp")}


def read_text(path: Path | str, error_class: type[EngineError]) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error_class([Problem("file-not-found", "no such file", str(path))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error_class([Problem("file-not-found", f"cannot read the file: {exc}", str(path))]) from None


def parse_yaml(text: str, file: str, error_class: type[EngineError]) -> SourceDocument:
    """Parse ``text`` with the safe loader only; syntax errors become located problems."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return SourceDocument(file, None)
        problems: list[Problem] = []
        locations: dict[DataPath, Location] = {}
        key_locations: dict[DataPath, Location] = {}
        _walk(node, (), locations, key_locations, problems, file)
        if problems:
            raise error_class(problems)
        data = loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        line, col = _mark(exc)
        raise error_class([Problem("yaml-unsafe", _yaml_message(exc), file, line, col,
                                   "only plain YAML is accepted; remove the tag")]) from None
    except yaml.MarkedYAMLError as exc:
        line, col = _mark(exc)
        raise error_class([Problem("yaml-syntax", _yaml_message(exc), file, line, col)]) from None
    except yaml.YAMLError as exc:
        raise error_class([Problem("yaml-syntax", str(exc).splitlines()[0], file)]) from None
    finally:
        loader.dispose()
    return SourceDocument(file, data, locations, key_locations)


def read_yaml(text: str, file: str, error_class: type[EngineError]) -> SourceDocument:
    """The document, read the fast way when it is plain; its locations worked out only when first needed."""
    data = _plain(text) if not _NOT_PLAIN.search(text) else _CAREFUL
    if data is _CAREFUL:
        return parse_yaml(text, file, error_class)

    def locate_later() -> Locations:
        located = parse_yaml(text, file, error_class)
        return located.locations, located.key_locations

    return SourceDocument(file, data, locate_later=locate_later)


_CAREFUL = object()  # the fast path's answer for "read this one the careful way"


def _plain(text: str) -> Any:
    """The data of a plain document, built from libyaml's nodes; _CAREFUL for anything else (the careful path
    then reads it, refusing what must be refused, with its location)."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _build(node, loader)
    except (yaml.YAMLError, _NotPlain, TypeError, ValueError):
        return _CAREFUL
    finally:
        loader.dispose()


class _NotPlain(Exception):
    """A node the fast path does not build: a duplicate key, an unusual tag."""


def _build(node: yaml.Node, loader: Any) -> Any:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == f"{_TAG}str":
            return node.value
        if node.tag in _SCALARS:
            return loader.construct_object(node)
        raise _NotPlain(node.tag)
    if isinstance(node, yaml.MappingNode) and node.tag == f"{_TAG}map":
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _build(key_node, loader)
            if key in out:
                raise _NotPlain("duplicate key")
            out[key] = _build(value_node, loader)
        return out
    if isinstance(node, yaml.SequenceNode) and node.tag == f"{_TAG}seq":
        return [_build(item, loader) for item in node.value]
    raise _NotPlain(node.tag)


def load_yaml(path: Path | str, error_class: type[EngineError]) -> SourceDocument:
    return parse_yaml(read_text(path, error_class), str(path), error_class)


def _mark(exc: yaml.MarkedYAMLError) -> Location:
    mark = exc.problem_mark or exc.context_mark
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return "; ".join(parts) if parts else "malformed YAML"


def _walk(node: yaml.Node, path: DataPath, locations: dict[DataPath, Location],
          key_locations: dict[DataPath, Location], problems: list[Problem], file: str) -> None:
    locations[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = _scalar_key(key_node)
            child = path + (key,)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(Problem("yaml-duplicate-key", f"'{key}' is given twice (first on line {seen[key]})",
                                        file, line, key_node.start_mark.column + 1))
            seen[key] = line
            key_locations[child] = (line, key_node.start_mark.column + 1)
            _walk(value_node, child, locations, key_locations, problems, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), locations, key_locations, problems, file)


def _scalar_key(node: yaml.Node) -> Any:
    # Integer keys (e.g. the scale's band numbers) are constructed as ints by the safe loader.
    raw = node.value if isinstance(node, yaml.ScalarNode) else str(node.value)
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:int":
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw
