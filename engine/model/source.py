"""A parsed input document that remembers where each value came from, so problems can be located.

Only the record lives here; reading YAML into one is :mod:`engine.load.yaml`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import Code, Problem

Location = tuple[int, int]  # line and column, 1-based
DataPath = tuple[Any, ...]  # keys and list indexes from the document's root


Locations = tuple[dict[DataPath, Location], dict[DataPath, Location]]  # of values, of mapping keys


class SourceDocument:
    """A parsed document with the source location of every mapping key and value.

    A document read without locations (the fast path) is given ``locate_later``: the locations are worked out
    the first time a problem has to be placed, by parsing the text again.
    """

    def __init__(self, file: str, data: Any, locations: dict[DataPath, Location] | None = None,
                 key_locations: dict[DataPath, Location] | None = None, *,
                 locate_later: Callable[[], Locations] | None = None):
        self.file = file
        self.data = data
        self._locations = locations
        self._key_locations = key_locations
        self._locate_later = locate_later

    def _ensure_located(self) -> None:
        if self._locations is None and self._locate_later is not None:
            self._locations, self._key_locations = self._locate_later()
            self._locate_later = None

    @property
    def locations(self) -> dict[DataPath, Location]:
        self._ensure_located()
        return self._locations if self._locations is not None else {(): (1, 1)}

    @property
    def key_locations(self) -> dict[DataPath, Location]:
        self._ensure_located()
        return self._key_locations if self._key_locations is not None else {}

    def locate(self, path: DataPath, *, key: bool = False) -> Location:
        """Location of the value at ``path`` (or of its key), falling back to the nearest parent."""
        path = tuple(path)
        table = self.key_locations if key else self.locations
        while path:
            if path in table:
                return table[path]
            if not key and path in self.key_locations:
                return self.key_locations[path]
            path = path[:-1]
        return self.locations.get((), (1, 1))

    def problem(self, code: Code, message: str, path: DataPath = (), *, key: bool = False,
                suggestion: str | None = None) -> Problem:
        line, column = self.locate(path, key=key)
        return Problem(code, message, self.file, line, column, suggestion)

    def with_data(self, data: Any) -> SourceDocument:
        """The same file and locations over other data (a copy from which parts were set aside)."""
        return SourceDocument(self.file, data, self.locations, self.key_locations)
