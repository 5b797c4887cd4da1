"""Built sections laid over existing profiles (``profiles build --base DIR``): a hand-typed profile keeps what
it has, and gains the sections built from the extracts (real looked-after-children indicators, say).

A value the base profile already had and the extracts give differently is replaced, and each such conflict is
listed with both values; nothing is replaced silently. A base profile is matched to a council by its
``authority.code``; one with no code, or a code the councils table lacks, is listed and not written.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import BuildError, Problem
from ..load.yaml import load_yaml
from ..model.provenance import Kind, laid_over
from .profile_table import flatten

OVERLAID = ("settings", "indicators")  # merged entry by entry; other built sections replace the base's whole
DERIVED: Kind = "derived"  # the provenance of a value built from an extract (engine.model.provenance)


def overlay_profiles(built: dict[str, dict[str, Any]], base: Path | str, sections: list[str], year: int,
                     problems: list[Problem]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The base profiles with the built ``sections`` laid over them, by council code; and lines saying what changed."""
    folder = Path(base)
    if not folder.is_dir():
        raise BuildError([Problem("file-not-found", "no such folder of base profiles", str(folder))])
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml"))
    if not files:
        raise BuildError([Problem("file-not-found", "no profile files (*.yaml) in this folder of base profiles", str(folder))])
    out: dict[str, dict[str, Any]] = {}
    origin: dict[str, Path] = {}
    lines: list[str] = []
    for path in files:
        doc = load_yaml(path, BuildError)
        data = doc.data if isinstance(doc.data, dict) else {}
        authority = data.get("authority")
        code = str(authority.get("code") or "") if isinstance(authority, dict) else ""
        if not code:
            lines.append(f"{path}: no authority.code, so no council to match; not written")
            continue
        if code not in built:
            lines.append(f"{path}: council '{code}' was not built (not in the councils table, or its row was reported); not written")
            continue
        if code in out:
            problems.append(Problem("duplicate-record", f"a second base profile for council '{code}' (the first is {origin[code]})",
                                    str(path), *doc.locate(("authority", "code"))))
            continue
        merged = dict(data)
        changed: list[str] = []
        laid: list[str] = []  # the dotted paths the built values now hold
        for section in sections:
            new = built[code].get(section)
            if new is None:
                continue
            old = data.get(section)
            if section in OVERLAID and isinstance(old, dict):
                merged[section] = {**old, **new}
                changed += [_conflict(f"{section}.{key}", old[key], new[key]) for key in new if key in old and old[key] != new[key]]
                laid += [f"{section}.{key}" for key in new]
            else:
                merged[section] = new
                laid.append(section)
                if old is not None and old != new:
                    changed.append(_conflict(section, old, new))
        merged["provenance"] = laid_over(data.get("provenance"), laid, DERIVED)
        out[code], origin[code] = merged, path
        added = sum(len(built[code].get(s) or {}) for s in sections if s in OVERLAID)
        lines.append(f"{path} -> council {code}: {added} built entr{'y' if added == 1 else 'ies'} laid over it, "
                     f"{len(changed)} conflict(s) (the built value replaces the base's)")
        lines += [f"  {change}" for change in changed]
        if data.get("year") != year:
            lines.append(f"  its year {data.get('year')} is kept; the built sections come from tables of {year}")
    return out, lines


def _conflict(where: str, old: Any, new: Any) -> str:
    before, after = flatten(old), flatten(new)
    differing = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    parts = [f"{k or 'value'}: {before.get(k, 'absent')} -> {after.get(k, 'absent')}" for k in differing]
    return f"conflict {where}: " + "; ".join(parts)
