"""Safe YAML loading that remembers where every value came from (line and column, 1-based).

Every YAML file the engine reads comes through here: profiles, rulesets, catalogues, letter wording,
judgement files, column configs, rule test cases and audit checkpoints. What a careless or hostile file
can cost is bounded, and each bound is a located error with its own code:

- **size**: at most :data:`MAX_BYTES` (1 MiB) is read (``yaml-too-large``); the largest shipped file is
  under 15 KB, a profile under 10 KB;
- **aliases**: an alias inside the node it names (``a: &a [*a]``) is refused (``yaml-recursive-alias``),
  and the values are counted as the document would be built with every alias expanded: past
  :data:`MAX_NODES` (100,000) it is refused (``yaml-too-many-nodes``), so a 1 KB "alias bomb" that would
  expand to billions of values costs no more than an honest file;
- **nesting**: libyaml refuses more than 1,000 levels, and nothing here recurses;
- **tags**: only the safe loader's (``yaml-unsafe``).

Reading is three steps, each usable alone: :func:`compose` (text to a node graph), :func:`measure` (the
bounds: recursive aliases and the expanded size, no locations kept), :func:`locate` (the line and column of
every value and key, and duplicate keys), then the safe constructor builds the data.

Profiles, read by the thousand, have a faster way in: :func:`read_yaml` builds the data alone, straight from
libyaml's nodes, and leaves the locations to be worked out by :func:`parse_yaml` only if a problem has to be
placed. It takes the careful way at once for anything out of the ordinary: anchors and aliases, merge keys,
any tag beyond plain strings, numbers, booleans, nulls, dates, mappings and lists, a file past the size
bound, and any error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
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
_STR, _MAP, _SEQ = f"{_TAG}str", f"{_TAG}map", f"{_TAG}seq"

MAX_BYTES = 1024 * 1024
MAX_NODES = 100_000


def read_bytes(path: Path | str, error_class: type[EngineError], missing: str = "no such file") -> bytes:
    """The file's bytes; never more than MAX_BYTES is read, whatever the file is (a device, a huge file)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise error_class([Problem("file-not-found", missing, str(path))]) from None
    except OSError as exc:
        raise error_class([Problem("file-not-found", f"cannot read the file: {exc.strerror or exc}", str(path))]) from None
    if len(data) > MAX_BYTES:
        raise error_class([_too_large(str(path))])
    return data


def read_text(path: Path | str, error_class: type[EngineError]) -> str:
    """The file's text, UTF-8, read within the bound of :func:`read_bytes`."""
    data = read_bytes(path, error_class)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        raise error_class([Problem("file-not-found", f"cannot read the file as UTF-8: {exc.reason} (byte {exc.start + 1})",
                                   str(path), line, column)]) from None


def parse_yaml(text: str, file: str, error_class: type[EngineError]) -> SourceDocument:
    """Parse ``text`` with the safe loader only, within the bounds above; problems are located."""
    if len(text) > MAX_BYTES or (len(text) * 4 > MAX_BYTES and len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES):
        raise error_class([_too_large(file)])
    try:
        loader = _SafeLoader(text)
    except yaml.YAMLError as exc:  # the pure-Python reader refuses a control character as it starts
        raise error_class([Problem("yaml-syntax", str(exc).splitlines()[0], file)]) from None
    try:
        node = compose(loader, file, error_class)
        if node is None:
            return SourceDocument(file, None)
        problems = measure(node, text, file)
        if problems:
            raise error_class(problems)
        located = locate(node, file)
        if located.problems:
            raise error_class(located.problems)
        data = _construct(loader, node, file, error_class)
    finally:
        loader.dispose()
    return SourceDocument(file, data, located.locations, located.key_locations)


def load_yaml(path: Path | str, error_class: type[EngineError]) -> SourceDocument:
    return parse_yaml(read_text(path, error_class), str(path), error_class)


def compose(loader: Any, file: str, error_class: type[EngineError]) -> yaml.Node | None:
    """The document's node graph (an alias is the node it names, so the graph may share nodes); syntax errors located."""
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    except yaml.MarkedYAMLError as exc:
        line, col = _mark(exc)
        raise error_class([Problem("yaml-syntax", _yaml_message(exc), file, line, col)]) from None
    except yaml.YAMLError as exc:
        raise error_class([Problem("yaml-syntax", str(exc).splitlines()[0], file)]) from None
    except RecursionError:  # the pure-Python composer only; libyaml stops at 1,000 levels itself
        raise error_class([Problem("yaml-syntax", "the document is nested too deeply", file)]) from None


def _construct(loader: Any, node: yaml.Node, file: str, error_class: type[EngineError]) -> Any:
    try:
        return loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        line, col = _mark(exc)
        raise error_class([Problem("yaml-unsafe", _yaml_message(exc), file, line, col,
                                   "only plain YAML is accepted; remove the tag")]) from None
    except yaml.MarkedYAMLError as exc:
        line, col = _mark(exc)
        raise error_class([Problem("yaml-syntax", _yaml_message(exc), file, line, col)]) from None
    except (yaml.YAMLError, ValueError, OverflowError) as exc:  # e.g. a date with a day 32
        line, col = _failing_scalar(loader, node)
        raise error_class([Problem("yaml-syntax", f"cannot read this value: {str(exc).splitlines()[0]}", file, line, col)]) from None


def read_yaml(text: str, file: str, error_class: type[EngineError]) -> SourceDocument:
    """The document, read the fast way when it is plain; its locations worked out only when first needed."""
    data = _plain(text) if len(text) <= MAX_BYTES // 4 and not _NOT_PLAIN.search(text) else _CAREFUL
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
    loader = _PlainLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _Builder(loader).build(node)
    except (yaml.YAMLError, _NotPlain, TypeError, ValueError, OverflowError, RecursionError):
        return _CAREFUL
    finally:
        loader.dispose()


class _NotPlain(Exception):
    """A node the fast path does not build: a duplicate key, an unusual tag, one value past MAX_NODES."""


# The tag the safe loader's resolver gives a plain scalar, by its text: the same few hundred values (grades,
# counts, years, keys) recur in every profile, and the resolver's regular expressions cost more than the rest of
# reading them. Bounded: cleared when full, so a batch of any size holds no more than this.
_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}
_CONSTRUCTED: dict[tuple[str, str], Any] = {}  # (tag, text) -> the int, float, bool, None or date it reads as
_MEMO_SIZE = 20_000


class _PlainLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """The safe loader, its resolution of plain scalars remembered (the same answer, computed once)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is not yaml.ScalarNode:
            return str(super().resolve(kind, value, implicit))
        key = (value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            if len(_RESOLVED) >= _MEMO_SIZE:
                _RESOLVED.clear()
            tag = _RESOLVED[key] = super().resolve(kind, value, implicit)
        return tag


class _Builder:
    """The data from a plain document's nodes, counting them: past MAX_NODES the careful path reads (and refuses) it."""

    def __init__(self, loader: Any):
        self.loader, self.count = loader, 0

    def build(self, node: yaml.Node) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _NotPlain("too many values")
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            if tag == _STR:
                return node.value
            if tag not in _SCALARS:
                raise _NotPlain(tag)
            key = (tag, node.value)
            if key in _CONSTRUCTED:
                return _CONSTRUCTED[key]
            value = self.loader.construct_object(node)
            if len(_CONSTRUCTED) >= _MEMO_SIZE:
                _CONSTRUCTED.clear()
            _CONSTRUCTED[key] = value  # ints, floats, booleans, null and dates: values nobody can change
            return value
        if isinstance(node, yaml.MappingNode) and tag == _MAP:
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node)
                if key in out:
                    raise _NotPlain("duplicate key")
                out[key] = self.build(value_node)
            return out
        if isinstance(node, yaml.SequenceNode) and tag == _SEQ:
            return [self.build(item) for item in node.value]
        raise _NotPlain(tag)


def _failing_scalar(loader: Any, root: yaml.Node) -> Location:
    """Where the value is that the constructor could not build (found again on this failing path only)."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                loader.construct_object(node)
            except Exception:
                return node.start_mark.line + 1, node.start_mark.column + 1
        stack.extend(reversed(_children(node)))
    return root.start_mark.line + 1, root.start_mark.column + 1


def measure(root: yaml.Node, text: str, file: str) -> list[Problem]:
    """The bounds on aliases and size, checked without expanding any alias: a problem for the first alias
    inside the node it names, or at the value where the document, aliases expanded, passes MAX_NODES."""
    if "&" not in text:  # no anchor, so no alias: the graph is a tree, and its size is its number of nodes
        beyond = _node_beyond(root, MAX_NODES)
        return [] if beyond is None else [Problem("yaml-too-many-nodes", f"the document has more than {MAX_NODES:,} values",
                                                  file, beyond.start_mark.line + 1, beyond.start_mark.column + 1)]
    return _measure_aliases(root, text, file)


def _node_beyond(root: yaml.Node, limit: int) -> yaml.Node | None:
    """The node, in document order, after the first ``limit`` nodes of a tree; None when there are no more."""
    count = 0
    stack = [root]
    while stack:
        node = stack.pop()
        count += 1
        if count > limit:
            return node
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in reversed(node.value) for part in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return None


def _measure_aliases(root: yaml.Node, text: str, file: str) -> list[Problem]:
    """One walk in document order, each node entered once. A node's expanded size is known when it is left
    (the values counted while inside it); an alias adds the expanded size of the node it names, which is
    already known unless that node is still open: then the alias is inside it."""
    count = 0
    size: dict[int, int] = {}  # node id -> its expanded size, once left
    open_nodes: set[int] = set()
    alias_index = 0  # aliases met so far, in document order: the n-th is the n-th alias event of the text
    stack: list[tuple[yaml.Node, bool, int]] = [(root, False, 0)]
    while stack:
        node, leaving, counted_before = stack.pop()
        key = id(node)
        if leaving:
            open_nodes.discard(key)
            size[key] = count - counted_before
            continue
        if key in open_nodes or key in size:  # a second path to a node: an alias
            if key in open_nodes:
                return [_at_alias(text, alias_index, file, "yaml-recursive-alias",
                                  "this alias refers to a node that contains it, so the document would never end",
                                  "name a node that is complete before the alias")]
            count += size[key]
            alias_index += 1
            if count > MAX_NODES:
                return [_at_alias(text, alias_index - 1, file, "yaml-too-many-nodes",
                                  f"with its aliases expanded the document has more than {MAX_NODES:,} values",
                                  "write the values out, or use fewer aliases of large nodes")]
            continue
        count += 1
        if count > MAX_NODES:
            return [Problem("yaml-too-many-nodes", f"the document has more than {MAX_NODES:,} values", file,
                            node.start_mark.line + 1, node.start_mark.column + 1)]
        open_nodes.add(key)
        stack.append((node, True, count - 1))
        stack.extend((child, False, 0) for child in reversed(_children(node)))
    return []


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _at_alias(text: str, index: int, file: str, code: Any, message: str, suggestion: str) -> Problem:
    """A problem at the ``index``-th alias of the text (the composed graph keeps no alias marks, so the events
    are read again; only on this failing path)."""
    seen = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            if seen == index and event.start_mark is not None:
                return Problem(code, message + f" (*{event.anchor})", file, event.start_mark.line + 1,
                               event.start_mark.column + 1, suggestion)
            seen += 1
    return Problem(code, message, file, 1, 1, suggestion)


@dataclass
class Located:
    locations: dict[DataPath, Location] = field(default_factory=dict)
    key_locations: dict[DataPath, Location] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def locate(root: yaml.Node, file: str) -> Located:
    """The line and column of every value and mapping key by its path, and every duplicate key. Aliases are
    followed (call :func:`measure` first: it bounds how far)."""
    out = Located()
    stack: list[tuple[yaml.Node, DataPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        out.locations[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        children: list[tuple[yaml.Node, DataPath]] = []
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = _scalar_key(key_node)
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                if key in seen:
                    out.problems.append(Problem("yaml-duplicate-key", f"'{key}' is given twice (first on line {seen[key]})",
                                                file, line, column))
                seen[key] = line
                out.key_locations[path + (key,)] = (line, column)
                children.append((value_node, path + (key,)))
        elif isinstance(node, yaml.SequenceNode):
            children = [(item, path + (index,)) for index, item in enumerate(node.value)]
        stack.extend(reversed(children))
    return out


def _scalar_key(node: yaml.Node) -> Any:
    # Integer keys (e.g. the scale's band numbers) are constructed as ints by the safe loader.
    raw = node.value if isinstance(node, yaml.ScalarNode) else f"<{node.tag.rsplit(':', 1)[-1]} at line {node.start_mark.line + 1}>"
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:int":
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def _too_large(file: str) -> Problem:
    return Problem("yaml-too-large", f"the file is larger than {MAX_BYTES:,} bytes (1 MiB), the most the engine reads", file,
                   suggestion="no profile, ruleset or configuration needs more; split a batch into one profile per file")


def _position(data: bytes, offset: int) -> Location:
    before = data[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[line_start:].decode("utf-8", "replace")) + 1


def _mark(exc: yaml.MarkedYAMLError) -> Location:
    mark = exc.problem_mark or exc.context_mark
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return "; ".join(parts) if parts else "malformed YAML"
