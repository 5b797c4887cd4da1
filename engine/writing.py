"""Every file the engine writes is written whole or not at all, and only where it was asked to write.

A file goes to a temporary file in its own folder, is flushed to the disk (fsync) and then renamed over the
name asked for: a reader sees the old file or the new one, never part of one. A full disk, a missing
permission, a file where a folder should be: each is a located problem (``write-failed``, exit code 2),
with no temporary file left behind and the old file (if any) untouched.

Several files that belong together (a folder of profiles) are all written as temporary files first and
renamed only when every one was written, so a failure part-way leaves none of them. With ``inside``, a
file whose name would land outside that folder (``../x``, an absolute path) is refused before anything is
written.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

from .errors import Problem, WriteError

Content = str | bytes | Callable[[BinaryIO], None]  # text (UTF-8), bytes, or a function writing to a binary file


def write_file(path: Path | str, content: Content, *, inside: Path | str | None = None) -> Path:
    """Write one file whole or not at all; its folder is made when missing."""
    return write_files({Path(path): content}, inside=inside)[0]


def write_files(files: Mapping[Path, Content], *, inside: Path | str | None = None) -> list[Path]:
    """Write several files as one: every temporary file is written and flushed before any is renamed into place."""
    targets = [Path(p) for p in files]
    for target in targets:
        if inside is not None:
            check_inside(target, Path(inside))
        check_writable(target)
    written: list[tuple[Path, Path]] = []  # (temporary, target)
    try:
        for target, content in zip(targets, files.values(), strict=True):
            written.append((_write_temporary(target, content), target))
        for temporary, target in written:
            try:
                os.replace(temporary, target)
            except OSError as exc:
                raise _failed(target, exc) from None
        for folder in {target.parent for target in targets}:
            _sync_folder(folder)
    finally:
        for temporary, _ in written:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
    return targets


def check_inside(target: Path, folder: Path) -> None:
    """Refuse a target that would not be a file directly inside ``folder`` (a name with a path in it)."""
    if target.name in ("", ".", "..") or target.parent.resolve() != folder.resolve():
        raise WriteError([Problem("write-failed", f"refusing to write outside the folder {folder}: {target}", str(target))])


def check_writable(path: Path | str, *, folder: bool = False) -> None:
    """Before any work is done: refuse an output that cannot be written (a file where a folder should be, a
    folder where the file should be, a folder without write permission)."""
    path = Path(path)
    if folder:
        if path.exists() and not path.is_dir():
            raise WriteError([Problem("write-failed", "not a folder: a file of this name is in the way", str(path))])
        _check_folder(path, path)
        return
    if path.is_dir():
        raise WriteError([Problem("write-failed", "a folder of this name is in the way of the output file", str(path))])
    _check_folder(path.parent, path)


def _check_folder(folder: Path, target: Path) -> None:
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise WriteError([Problem("write-failed", f"cannot make the folder {folder}: {existing} is a file", str(target))])
    if not os.access(existing, os.W_OK | os.X_OK):
        raise WriteError([Problem("write-failed", f"no permission to write in {existing}", str(target))])


def _write_temporary(target: Path, content: Content) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            raise IsADirectoryError(21, "a folder of this name is in the way", str(target))
        descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _failed(target, exc) from None
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            if callable(content):
                content(handle)
            else:
                handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # as an ordinary new file would be, not mkstemp's 0600
    except BaseException as exc:  # an interrupt too: no temporary file is left behind
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        if isinstance(exc, Exception):  # the disk, or a writer (pandas, openpyxl) refusing the content
            raise _failed(target, exc) from None
        raise
    return temporary


def _sync_folder(folder: Path) -> None:
    """Make the renames themselves durable; not every system can open a folder, which is no failure."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _failed(target: Path, exc: Exception) -> WriteError:
    reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc).split("\n")[0] or type(exc).__name__
    return WriteError([Problem("write-failed", f"cannot write the file: {reason}; nothing was written", str(target))])
