"""Reading a catalogue (indicators/<name>.yaml and the part files it names) into a validated Catalogue."""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import Problem, RulesetError, did_you_mean
from ..model.catalogue import Catalogue, CatalogueIndex, Indicators, InspectionJudgements, SettingTypes, VulnerableGroups
from ..model.source import SourceDocument
from ..model.validation import validate
from ..paths import indicators_dir
from .yaml import load_yaml, parse_yaml, read_bytes

_PARSED: dict[str, Catalogue] = {}  # by content hash: a process parses each catalogue once
# By folder and name: the files read and their (mtime, size) then, so an unchanged catalogue costs a few stats.
_READ: dict[tuple[str, str], tuple[tuple[tuple[str, int, int], ...], Catalogue]] = {}


def file_signature(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """Each file's path, modification time and size: enough to tell that a file read before is unchanged."""
    found = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            return ()
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


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
    """The catalogue ``name``: its index file and the parts it names (three, and optionally the inspection judgements), validated, with their hash."""
    folder = Path(directory or indicators_dir())
    read = _READ.get((str(folder), name))
    if read is not None and read[0] and file_signature([Path(p) for p, _, _ in read[0]]) == read[0]:
        return read[1]
    index_path = folder / f"{name}.yaml"
    index_bytes = _read(index_path)
    index_doc = parse_yaml(_text(index_path, index_bytes), str(index_path), RulesetError)
    index, problems = validate(CatalogueIndex, index_doc, code_invalid="ruleset-invalid", code_unknown_key="ruleset-unknown-key")
    if index is None:
        raise RulesetError(problems)
    parts = {"setting_types": index.setting_types, "indicators": index.indicators, "vulnerable_groups": index.vulnerable_groups}
    if index.inspection_judgements is not None:
        parts["inspection_judgements"] = index.inspection_judgements
    contents = {part: _read(folder / file) for part, file in parts.items()}
    digest = hashlib.sha256(b"index\0" + index_bytes)
    for part, data in contents.items():
        digest.update(f"\0{part}\0".encode() + data)
    content_hash = digest.hexdigest()
    if content_hash not in _PARSED:
        docs = {part: parse_yaml(_text(folder / parts[part], data), str(folder / parts[part]), RulesetError)
                for part, data in contents.items()}
        _PARSED[content_hash] = _build(name, index, docs, content_hash)
    signature = file_signature([index_path, *(folder / file for file in parts.values())])
    _READ[(str(folder), name)] = (signature, _PARSED[content_hash])
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
    judgements: InspectionJudgements | None = None
    if "inspection_judgements" in docs:
        judgements, found = validate(InspectionJudgements, docs["inspection_judgements"], code_invalid="ruleset-invalid",
                                     code_unknown_key="ruleset-unknown-key")
        problems += found
    if st is None or ind is None or vg is None or ("inspection_judgements" in docs and judgements is None):
        raise RulesetError(problems)
    for key, setting in st.setting_types.items():
        if setting.group not in st.groups:
            problems.append(docs["setting_types"].problem("ruleset-invalid", f"setting type '{key}' names unknown group '{setting.group}'",
                                                          ("setting_types", key, "group")))
    problems += _part_problems(st, docs["setting_types"])
    for key, indicator in ind.indicators.items():
        if indicator.outcome not in ind.outcomes:
            problems.append(docs["indicators"].problem("ruleset-invalid", f"indicator '{key}' names unknown outcome '{indicator.outcome}'",
                                                       ("indicators", key, "outcome")))
    if problems:
        raise RulesetError(problems)
    return Catalogue(name=name, title=index.title, groups=st.groups, setting_types=st.setting_types, outcomes=ind.outcomes,
                     indicators=ind.indicators, vulnerable_groups=vg.groups, vulnerable_stages=vg.stages,
                     content_hash=content_hash, combined_groups=st.combined_groups,
                     inspection_judgements=judgements.judgements if judgements is not None else {})


def _part_problems(st: SettingTypes, doc: SourceDocument) -> list[Problem]:
    """A part names a counted whole of its own group that is not itself a part; a combined group names known
    types and does not reuse a group's name (both are measured as groups.<name>)."""
    problems = []
    for key, setting in st.setting_types.items():
        if setting.part_of is None:
            continue
        whole = st.setting_types.get(setting.part_of)
        where = ("setting_types", key, "part_of")
        if whole is None:
            problems.append(doc.problem("ruleset-invalid", f"setting type '{key}' is part of unknown type '{setting.part_of}'", where,
                                        suggestion=did_you_mean(setting.part_of, st.setting_types)))
        elif whole.part_of is not None or whole.kind != "counted" or setting.kind != "counted" or whole.group != setting.group:
            problems.append(doc.problem("ruleset-invalid", f"setting type '{key}' can be part only of a counted type of its own group "
                                        f"that is not itself a part; '{setting.part_of}' is not", where))
    for name, combined in st.combined_groups.items():
        if name in st.groups:
            problems.append(doc.problem("ruleset-invalid", f"combined group '{name}' has the name of a group", ("combined_groups", name), key=True))
        for i, key in enumerate(combined.setting_types):
            if key not in st.setting_types:
                problems.append(doc.problem("ruleset-invalid", f"combined group '{name}' names unknown setting type '{key}'",
                                            ("combined_groups", name, "setting_types", i), suggestion=did_you_mean(key, st.setting_types)))
    return problems
