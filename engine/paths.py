"""Where the rules/ and indicators/ in use are, and whether a checkout's differ from them.

In order: the folder given (``--rules DIR``, :func:`use_rules`, ``$ENGINE_RULES``), else the copy packaged
with an installed engine, else the source tree (a checkout or an editable install). A rules folder given
brings its sibling ``indicators/`` when it has one (a checkout, or the packaged ``_data`` layout);
``$ENGINE_INDICATORS_DIR`` still names a catalogue folder on its own.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
SOURCE_TREE = _PACKAGE.parent
# The copy `pip install .` makes (pyproject.toml's force-include); tests point this at a copy to act installed.
PACKAGED = _PACKAGE / "_data"
RULES_ENV = "ENGINE_RULES"
_OLD_RULES_ENV = "ENGINE_RULES_DIR"  # the name tests and scripts used before ENGINE_RULES; still honoured
INDICATORS_ENV = "ENGINE_INDICATORS_DIR"


def _given_rules() -> Path | None:
    for env in (RULES_ENV, _OLD_RULES_ENV):
        if os.environ.get(env):
            return Path(os.environ[env])
    return None


def _default(name: str) -> Path:
    installed = PACKAGED / name
    return installed if installed.is_dir() else SOURCE_TREE / name


def rules_dir() -> Path:
    """The rules folder evaluation, checks and rule tests read."""
    return _given_rules() or _default("rules")


def indicators_dir() -> Path:
    """The catalogue folder: $ENGINE_INDICATORS_DIR, else the given rules folder's sibling, else the default."""
    if os.environ.get(INDICATORS_ENV):
        return Path(os.environ[INDICATORS_ENV])
    given = _given_rules()
    if given is not None and (given.parent / "indicators").is_dir():
        return given.parent / "indicators"
    return _default("indicators")


@contextmanager
def use_rules(folder: Path | str) -> Iterator[Path]:
    """Read rules (and the sibling indicators/, if any) from ``folder`` inside the block, in this process and
    the processes it starts (the setting is the environment's ``ENGINE_RULES``)."""
    saved = os.environ.get(RULES_ENV)
    os.environ[RULES_ENV] = str(Path(folder).resolve())
    try:
        yield rules_dir()
    finally:
        if saved is None:
            del os.environ[RULES_ENV]
        else:
            os.environ[RULES_ENV] = saved


def shown_path(path: Path | str) -> str:
    """A path as a reader gives it: relative to the working folder when it is under it, else as it is."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


# --- A checkout's rules against the rules in use -----------------------------------------------------

@dataclass(frozen=True)
class CheckoutDifference:
    """A checkout's data folder (rules/ or indicators/) whose files differ from the folder in use."""

    name: str  # "rules" or "indicators"
    checkout: Path
    in_use: Path
    files: tuple[str, ...]  # relative to the folder: changed, added or missing

    def sentence(self) -> str:
        listed = ", ".join(self.files[:3]) + (f" and {len(self.files) - 3} more" if len(self.files) > 3 else "")
        return (f"{shown_path(self.checkout)}/ in this checkout differs from the {self.name} in use, "
                f"{shown_path(self.in_use)} ({listed})")


def find_checkout(start: Path | None = None) -> Path | None:
    """The engine source checkout holding ``start`` (default: the working folder), if any: the nearest folder
    up with a pyproject.toml naming the project ``engine`` and a rules/ folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        project = folder / "pyproject.toml"
        if (folder / "rules").is_dir() and project.is_file():
            try:
                text = project.read_text(encoding="utf-8", errors="replace")
            except OSError:
                return None
            return folder if 'name = "engine"' in text else None
    return None


def checkout_differences(start: Path | None = None) -> list[CheckoutDifference]:
    """The checkout's rules/ and indicators/ that differ from the default copy in use: none outside a checkout,
    when the checkout's folders are the ones in use, or when the rules in use were chosen ($ENGINE_RULES,
    ``--rules``)."""
    checkout = find_checkout(start)
    if checkout is None or _given_rules() is not None:  # rules chosen on purpose are named in every output instead
        return []
    found = []
    for name, in_use in (("rules", rules_dir()), ("indicators", indicators_dir())):
        mine = checkout / name
        if not mine.is_dir() or _same_folder(mine, in_use) or (name == "indicators" and os.environ.get(INDICATORS_ENV)):
            continue
        files = _differing_files(mine, in_use)
        if files:
            found.append(CheckoutDifference(name, mine, in_use, files))
    return found


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _digests(folder: Path) -> dict[str, str]:
    out = {}
    for path in folder.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            try:
                out[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                continue
    return out


def _differing_files(mine: Path, in_use: Path) -> tuple[str, ...]:
    a, b = _digests(mine), _digests(in_use) if in_use.is_dir() else {}
    return tuple(sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name)))


def rules_in_use_notes(start: Path | None = None) -> list[str]:
    """What a command says on standard error inside a checkout whose rules/ or indicators/ differ from those in use,
    and how to use the checkout's (none when nothing differs)."""
    differences = checkout_differences(start)
    notes = [f"engine: note: {d.sentence()}; this command reads the {d.name} in use." for d in differences]
    if differences:
        rules = shown_path(differences[0].checkout.parent / "rules")
        notes.append(f"engine: note: to use the checkout's, give --rules {rules}/ (or set ENGINE_RULES={rules}), "
                     "or install it editable: pip install -e .")
    return notes
