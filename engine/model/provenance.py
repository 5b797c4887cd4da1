"""Where a profile's values come from: published (a letter or report states it), illustrative (made up to
stand in for a figure nobody published) or derived (built from a published extract).

A profile's ``provenance`` block gives a default and exceptions, each at a dotted path into the profile
(``safeguarding_inspection``, ``settings.childrens_homes.counts.outstanding``); the longest path that covers a
value decides it. A profile without the block says nothing of its values, which are then taken as published
or derived: the analyst's statement that the profile is drawn from published material.

Values laid over a base profile take the kind of where they come from (:func:`laid_over`): an extract's are derived
(``profiles build --base``), a published rule case's are its sources' (over a baseline whose own are illustrative).
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .values import Line, Paragraph

Kind = Literal["published", "illustrative", "derived"]
PathName = str  # a dotted path into the profile, e.g. "settings.childminders.counts"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ValueSource(_Model):
    kind: Kind
    note: Paragraph | None = Field(None, description="Why, or from where, e.g. 'the letter does not mention it'")


class Declared(ValueSource):
    path: Line = Field(description="A dotted path into the profile: a section or a value")


class Provenance(_Model):
    default: Kind = Field("published", description="The kind of every value no path below covers")
    note: Paragraph | None = Field(None, description="Said of the values the default covers, e.g. 'the letter gives no figures'")
    # A list, not a mapping by path: a profile table's columns are dotted paths already (provenance.values.0.path).
    values: list[Declared] = Field([], max_length=500, description="Exceptions by dotted path; the longest path covering a value decides it")

    @field_validator("values")
    @classmethod
    def _each_path_once(cls, values: list[Declared]) -> list[Declared]:
        seen = [v.path for v in values]
        twice = sorted({path for path in seen if seen.count(path) > 1})
        if twice:
            raise ValueError(f"a path is declared more than once: {', '.join(twice)}")
        return values

    def of(self, path: PathName) -> ValueSource:
        """The provenance of the value (or section) at ``path``."""
        declared = {v.path: v for v in self.values}
        parts = path.split(".")
        for n in range(len(parts), 0, -1):
            found = declared.get(".".join(parts[:n]))
            if found is not None:
                return ValueSource(kind=found.kind, note=found.note)
        return ValueSource(kind=self.default, note=self.note)

    def illustrative(self, path: PathName) -> list[tuple[PathName, str | None]]:
        """The illustrative parts of the section at ``path``: the section itself if it is illustrative, else each
        path declared illustrative beneath it, with its note."""
        own = self.of(path)
        if own.kind == "illustrative":
            return [(path, own.note)]
        found = []
        for name in sorted(v.path for v in self.values):
            if name.startswith(path + "."):
                source = self.of(name)
                if source.kind == "illustrative":
                    found.append((name, source.note))
        return found


def measure_sources(measure: str) -> list[PathName]:
    """The profile sections a measure is derived from (measure names as ``engine measures`` lists them)."""
    head, _, rest = measure.partition(".")
    if head == "settings":
        kind, _, _ = rest.partition(".")
        return [f"settings.{kind}"] if "." in rest else ["settings"]
    if head == "groups":
        return ["settings"]
    if head == "indicator":
        return [f"indicators.{rest.partition('.')[0]}"]
    if head in ("indicators", "outcomes"):
        return ["indicators"]
    # An inspection's measures read the history and the single fields as one record (engine.model.inspections):
    # whichever of them the profile gives.
    if head in ("safeguarding_inspection", "unannounced_inspection"):
        return [head, "inspections"]
    if head == "inspections":
        return ["safeguarding_inspection", "unannounced_inspection", "inspections"]
    return [head]


def laid_over(provenance: Any, laid: list[PathName], kind: Kind) -> dict[str, Any]:
    """A base profile's provenance block (as its YAML gives it) with each path laid over it declared ``kind``: the base's
    own kinds stand for what it keeps (a base without the block keeps its default, published), and nothing it declared
    under a laid path."""
    own = dict(provenance) if isinstance(provenance, dict) else {}
    kept = [v for v in own.get("values") or [] if not (isinstance(v, dict) and any(
        str(v.get("path")) == path or str(v.get("path")).startswith(path + ".") for path in laid))]
    return {**own, "values": kept + [{"path": path, "kind": kind} for path in laid]}
