"""``engine profiles translate DIR --to CATALOGUE -o OUT/``: profiles rewritten in another catalogue's words.

Each profile is read in the catalogue it is written in (the one it names, else that of the ruleset for its year),
carried by the translation in indicators/translations/ and checked against the target catalogue; it is written to
OUT under its own file name, its leading comments kept and a line added saying what was translated. A profile
that cannot be read or translated is reported, located, and not written; those that can are written together.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import writing
from ..errors import EXIT_BAD_INPUT, EXIT_OK, EngineError, Problem, ProfileError
from ..load.catalogue import catalogue_names, load_catalogue
from ..load.profile import catalogue_declared, validate_profile, written_in
from ..load.translation import carried_lines, load_translation, translate_profile
from ..load.yaml import read_text, read_yaml
from ..model.translation import Carried


@dataclass
class Translated:
    """What ``translate_profiles`` did: the files written, what each translation did, and the profiles refused."""

    target: str
    written: list[Path] = field(default_factory=list)
    carried: list[Carried] = field(default_factory=list)
    unchanged: int = 0  # profiles already in the target's words, written as they were
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = [f"wrote {len(self.written)} profile(s) in the words of catalogue {self.target}"
                 + (f"; {self.unchanged} already in them, copied" if self.unchanged else "")
                 + (f"; {len({p.file for p in self.problems})} could not be translated (see above)" if self.problems else "")]
        return lines + carried_lines(self.carried, "translated")

    @property
    def text(self) -> str:
        return "\n".join(self.summary()) + "\n"

    @property
    def exit_code(self) -> int:
        """2 when some profile could not be translated (it was reported and not written), else 0."""
        return EXIT_BAD_INPUT if self.problems else EXIT_OK


def _profile_files(inputs: Iterable[Path | str]) -> list[Path]:
    files: list[Path] = []
    for given in inputs:
        path = Path(given)
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return files


def _comments(text: str) -> str:
    """The comment lines a profile opens with (its provenance, a SYNTHETIC mark), kept above the translation."""
    lines = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line if line.endswith("\n") else line + "\n")
    return "".join(lines)


def translate_profiles(inputs: Iterable[Path | str], target: str, output: Path | str) -> Translated:
    """Every profile in ``inputs`` (folders of *.yaml, or files) written into ``output`` in ``target``'s words."""
    output = Path(output)
    writing.check_writable(output, folder=True)
    if target not in catalogue_names():
        raise ProfileError([Problem("no-translation", f"no catalogue '{target}' in indicators/", "--to",
                                    suggestion=f"one of: {', '.join(catalogue_names())}")])
    catalogue = load_catalogue(target)
    result = Translated(target)
    files: dict[Path, writing.Content] = {}
    for path in _profile_files(inputs):
        try:
            text = read_text(path, ProfileError)
            doc = read_yaml(text, str(path), ProfileError)
            source = written_in(doc)
            if source is None:
                raise ProfileError([doc.problem("no-translation", "the profile names no catalogue and no ruleset is for its year, "
                                                "so the words it is written in are not known", ("year",),
                                                suggestion="say them: catalogue: csa-2009 (or another in indicators/)")])
            if source == target:
                validate_profile(doc, catalogue)
                files[output / path.name] = text
                result.unchanged += 1
                continue
            original = validate_profile(doc, load_catalogue(source))
            data, carried = translate_profile(original, load_translation(source, target), load_catalogue(source))
            data = {**{k: data[k] for k in ("authority", "year")}, **catalogue_declared(data["year"], target),
                    **{k: v for k, v in data.items() if k not in ("authority", "year")}}
            validate_profile(doc.with_data(data), catalogue)
        except EngineError as exc:
            result.problems += exc.problems
            continue
        dropped = sum(1 for _, _, fate, _ in carried.items if fate == "dropped")
        note = (f"# Translated by `engine profiles translate` from catalogue {source} into {target} "
                f"(indicators/translations/{Path(carried.translation.path).name}); {dropped} item(s) dropped.\n")
        files[output / path.name] = _comments(text) + note + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
        result.carried.append(carried)
    result.written = writing.write_files(files, inside=output) if files else []
    return result
