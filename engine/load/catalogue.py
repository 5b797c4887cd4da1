"""Reading a catalogue (indicators/<name>.yaml and the part files it names) into a validated Catalogue."""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import Problem, RulesetError
from ..model.catalogue import Catalogue, CatalogueIndex, Indicators, SettingTypes, VulnerableGroups
from ..model.source import SourceDocument
from ..model.validation import validate
from ..paths import indicators_dir
from .yaml import load_yaml, parse_yaml, read_bytes

_PARSED: dict[str, Catalogue] = {}  # by content hash: a process reads each catalogue's files once


def catalogue_names(directory: Path | None = None) -> list[str]:
    """The catalogues in indicators/: index files (those naming their parts)."""
    found = []
    for path in sorted(Path(directory or indicators_dir()).glob("*.yaml")):
        try:
            data = load_yaml(path, RulesetError).data
        except RulesetError:
            continue
        if isinstance(data, dict) and "setting_types" in data and isinstance(data["setting_types"], str):
            found.append(path.stem)
    return found


def load_catalogue(name: str, directory: Path | None = None) -> Catalogue:
    """The catalogue ``name``: its index file and the three parts it names, validated, with their hash."""
    folder = Path(directory or indicators_dir())
    index_path = folder / f"{name}.yaml"
    index_bytes = _read(index_path)
    index_doc = parse_yaml(_text(index_path, index_bytes), str(index_path), RulesetError)
    index, problems = validate(CatalogueIndex, index_doc, code_invalid="ruleset-invalid", code_unknown_key="ruleset-unknown-key")
    if index is None:
        raise RulesetError(problems)
    parts = {"setting_types": index.setting_types, "indicators": index.indicators, "vulnerable_groups": index.vulnerable_groups}
    contents = {part: _read(folder / file) for part, file in parts.items()}
    digest = hashlib.sha256(b"index\0" + index_bytes)
    for part, data in contents.items():
        digest.update(f"\0{part}\0".encode() + data)
    content_hash = digest.hexdigest()
    if content_hash not in _PARSED:
        docs = {part: parse_yaml(_text(folder / parts[part], data), str(folder / parts[part]), RulesetError)
                for part, data in contents.items()}
        _PARSED[content_hash] = _build(name, index, docs, content_hash)
    return _PARSED[content_hash]


def _read(path: Path) -> bytes:
    return read_bytes(path, RulesetError, missing="no such catalogue file")


def _text(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RulesetError([Problem("file-not-found", f"cannot read the file as UTF-8: {exc}", str(path))]) from None


def _build(name: str, index: CatalogueIndex, docs: dict[str, SourceDocument], content_hash: str) -> Catalogue:
    problems: list[Problem] = []
    st, found = validate(SettingTypes, docs["setting_types"], code_invalid="ruleset-invalid", code_unknown_key="ruleset-unknown-key")
    problems += found
    ind, found = validate(Indicators, docs["indicators"], code_invalid="ruleset-invalid", code_unknown_key="ruleset-unknown-key")
    problems += found
    vg, found = validate(VulnerableGroups, docs["vulnerable_groups"], code_invalid="ruleset-invalid", code_unknown_key="ruleset-unknown-key")
    problems += found
    if st is None or ind is None or vg is None:
        raise RulesetError(problems)
    for key, setting in st.setting_types.items():
        if setting.group not in st.groups:
            problems.append(docs["setting_types"].problem("ruleset-invalid", f"setting type '{key}' names unknown group '{setting.group}'",
                                                          ("setting_types", key, "group")))
    for key, indicator in ind.indicators.items():
        if indicator.outcome not in ind.outcomes:
            problems.append(docs["indicators"].problem("ruleset-invalid", f"indicator '{key}' names unknown outcome '{indicator.outcome}'",
                                                       ("indicators", key, "outcome")))
    if problems:
        raise RulesetError(problems)
    return Catalogue(name=name, title=index.title, groups=st.groups, setting_types=st.setting_types, outcomes=ind.outcomes,
                     indicators=ind.indicators, vulnerable_groups=vg.groups, vulnerable_stages=vg.stages,
                     content_hash=content_hash)
