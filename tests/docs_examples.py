"""The documentation's examples, run: every `console` block (commands after `$ `, each followed by what it prints)
and every `pycon` block (`>>> ` lines, each followed by what it shows) in README.md and docs/, against the installed
engine.

    python -m tests.docs_examples            # run every page's examples; exit 1 and a diff where output changed
    python -m tests.docs_examples --update   # write what the commands print now into the pages
    python -m tests.docs_examples --update docs/batch.md   # one page (README.md is one too)

How a page is run. Its examples run in order, as a reader would type them, in one fresh folder laid out as a
checkout: `examples/`, `rules/`, `indicators/` and `schemas/` of this repository, and the shared real extracts at
`../shared/data` (a page whose commands name `../shared/data` is skipped when they are absent); the audit trail is
recorded where it is by default, under the reader's home (shown as `~`). Commands are
`engine ...` only, run in-process through the click commands; what is shown is standard output, and standard
error too when the exit code is not 0 (the audit trail's "recorded as ..." line is standard error, so it is not
shown). Python examples share one namespace per page; a plain `python` block runs too, and must not raise.
An excerpt must show at least one line. Nothing else is normalised, but for what differs from run
to run however right the engine is (the time, and the audit trail's record ids and chain hashes, which follow from it):
those are compared as placeholders. Commands run as the user `analyst`. A line that is only `...` in shown output stands
for any lines (zero or more): the lines around it must appear in that order, each run of them together.
`sh` blocks are not run (set-up lines, commands over files a reader brings); `test_docs.py` checks that the
`engine` commands in them name commands and options that exist.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import sys
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SHARED = "../shared/data"
FENCE = re.compile(r"^```(console|pycon|python)\n(.*?)^```\n", re.S | re.M)
ELISION = "..."
HOME = "home"  # the reader's home folder, inside the checkout's parent, shown as ~
READER = "analyst"  # who runs the commands, as the audit trail records it
ENVIRONMENT = ("ENGINE_AUDIT_DB", "XDG_DATA_HOME", "LOGNAME", "USER")
# What differs from one run to the next however right the engine is: the time, and the audit trail's record ids and
# chain hashes, which follow from when a record was made. Compared as placeholders; shown as one run printed them.
VOLATILE = [(re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?"), "<time>"),
            (re.compile(r"\b[0-9a-f]{32}\b"), "<record id>"),
            (re.compile(r"((?:chain head|head_hash:|head hash) '?)[0-9a-f]{64}\b"), r"\1<hash>")]


@dataclass
class Example:
    source: str  # the command (console, without `$ `) or the Python source (pycon, without prompts)
    shown: list[str]  # the output lines as the page shows them
    line: int  # the page's line of the example's first line
    got: list[str] | None = None


@dataclass
class Block:
    kind: str  # console | pycon | python
    start: int  # offset of the block's body in the page's text
    end: int
    line: int
    examples: list[Example] = field(default_factory=list)

    def text(self) -> str:
        """The block's body with every example's output as it was got (or as shown, where not run)."""
        out = []
        for example in self.examples:
            if self.kind == "console":
                out.append("$ " + example.source)
            elif self.kind == "pycon":
                first, *rest = example.source.split("\n")
                out += [">>> " + first] + ["... " + r for r in rest]
            else:
                out.append(example.source)
            out += example.got if example.got is not None else example.shown
        return "".join(line + "\n" for line in out)


def parse(text: str) -> list[Block]:
    blocks = []
    for match in FENCE.finditer(text):
        kind, body = match.group(1), match.group(2)
        block = Block(kind, match.start(2), match.end(2), text.count("\n", 0, match.start(2)) + 1)
        lines = body.splitlines()
        if kind == "python":
            block.examples.append(Example(body.rstrip("\n"), [], block.line))
        else:
            _examples(block, lines)
        blocks.append(block)
    return blocks


def _examples(block: Block, lines: list[str]) -> None:
    prompt, more = ("$ ", None) if block.kind == "console" else (">>> ", "... ")
    i = 0
    while i < len(lines):
        if not lines[i].startswith(prompt):
            raise ValueError(f"line {block.line + i}: a {block.kind} block's first line is a prompt ({prompt.strip()})")
        start = i
        source = [lines[i][len(prompt):]]
        i += 1
        if block.kind == "console":
            while source[-1].endswith("\\") and i < len(lines):
                source.append(lines[i])
                i += 1
        else:
            while i < len(lines) and (lines[i].startswith(more) or lines[i] == more.strip()):
                source.append(lines[i][len(more):])
                i += 1
        shown = []
        while i < len(lines) and not lines[i].startswith(prompt):
            shown.append(lines[i])
            i += 1
        block.examples.append(Example("\n".join(source), shown, block.line + start))


def volatile(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        for pattern, placeholder in VOLATILE:
            line = pattern.sub(placeholder, line)
        out.append(line)
    return out


def matches(shown: list[str], got: list[str]) -> bool:
    """Shown output against what was got: equal but for the volatile values, or, with `...` lines, each run of lines
    between them found in order."""
    shown, got = volatile(shown), volatile(got)
    if shown and all(line == ELISION for line in shown):
        return False  # an excerpt shows something: `...` alone would hold whatever the command printed
    if ELISION not in shown:
        return shown == got
    runs: list[list[str]] = [[]]
    for line in shown:
        if line == ELISION:
            runs.append([])
        else:
            runs[-1].append(line)
    first, *middle, last = runs
    if got[:len(first)] != first or (last and got[len(got) - len(last):] != last):
        return False
    at, end = len(first), len(got) - len(last)
    for run in middle:
        while at + len(run) <= end and got[at:at + len(run)] != run:
            at += 1
        if at + len(run) > end:
            return False
        at += len(run)
    return True


def reexcerpt(shown: list[str], got: list[str]) -> list[str]:
    """What an excerpt that no longer holds becomes: as many opening and closing lines of the new output as the
    excerpt showed, around one `...`, so a changed hash does not turn an excerpt into the whole output. An excerpt
    with lines shown between two `...` is replaced by the whole output (which middle lines to keep is a writer's
    choice)."""
    if ELISION not in shown:
        return got
    runs: list[list[str]] = [[]]
    for line in shown:
        if line == ELISION:
            runs.append([])
        else:
            runs[-1].append(line)
    if len(runs) != 2 or len(runs[0]) + len(runs[1]) >= len(got):
        return got
    head, tail = len(runs[0]), len(runs[1])
    return got[:head] + [ELISION] + (got[len(got) - tail:] if tail else [])


@dataclass
class PageRun:
    page: Path
    blocks: list[Block]
    skipped: str | None = None

    @property
    def changed(self) -> list[Example]:
        return [e for b in self.blocks for e in b.examples if e.got is not None and not matches(e.shown, e.got)]

    def report(self) -> str:
        out = []
        for example in self.changed:
            out.append(f"{self.page.relative_to(ROOT)}:{example.line}: the output shown is not what `{example.source.splitlines()[0]}` gives")
            out += ["  shown:"] + ["    " + s for s in example.shown] + ["  got:"] + ["    " + g for g in example.got or []]
        return "\n".join(out)

    def updated_text(self) -> str:
        """The page with each changed example's output replaced by what it gives now (an excerpt kept where it still holds)."""
        text = self.page.read_text(encoding="utf-8")
        for block in sorted(self.blocks, key=lambda b: -b.start):
            if block.kind == "python":
                continue
            for example in block.examples:
                if example.got is not None and matches(example.shown, example.got):
                    example.got = example.shown
                elif example.got is not None:
                    example.got = reexcerpt(example.shown, example.got)
            text = text[:block.start] + block.text() + text[block.end:]
        return text


def shared_data() -> Path:
    given = os.environ.get("ENGINE_SHARED_DATA")
    return Path(given) if given else ROOT.parent / "shared" / "data"


@contextlib.contextmanager
def checkout() -> Iterator[Path]:
    """A fresh folder laid out as a checkout, with the shared extracts beside it where they exist; the working folder
    and the audit store are set to it for the while."""
    with tempfile.TemporaryDirectory(prefix="docs-examples-") as tmp:
        top = Path(tmp)
        repo = top / "repo"
        repo.mkdir()
        for name in ("examples", "rules", "indicators", "schemas"):
            (repo / name).symlink_to(ROOT / name)
        if shared_data().is_dir():
            (top / "shared").mkdir()
            (top / "shared" / "data").symlink_to(shared_data())
        before = Path.cwd()
        saved = {name: os.environ.get(name) for name in ENVIRONMENT}
        os.chdir(repo)
        os.environ.pop("ENGINE_AUDIT_DB", None)  # the store a reader's commands record in: the default one, under ~
        os.environ["XDG_DATA_HOME"] = str(top / HOME / ".local" / "share")
        os.environ["LOGNAME"] = os.environ["USER"] = READER
        try:
            yield repo
        finally:
            os.chdir(before)
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def run_page(page: Path) -> PageRun:
    blocks = parse(page.read_text(encoding="utf-8"))
    run = PageRun(page, blocks)
    needs_shared = any(SHARED in e.source for b in blocks for e in b.examples)
    if needs_shared and not (shared_data() / "README.md").is_file():
        run.skipped = f"real extracts not found at {shared_data()}"
        return run
    namespace: dict = {"__name__": "__docs__"}
    with checkout() as repo:
        for block in blocks:
            for example in block.examples:
                if block.kind == "console":
                    example.got = _command(example.source, repo)
                elif block.kind == "pycon":
                    example.got = _python(example.source, namespace, f"{page.name}:{example.line}", "single")
                else:
                    _python(example.source, namespace, f"{page.name}:{example.line}", "exec", strict=True)  # raises if it fails
    return run


def _command(source: str, repo: Path) -> list[str]:
    from click.testing import CliRunner

    from engine.cli import main

    words = shlex.split(source.replace("\\\n", " "))
    if words[:1] != ["engine"]:
        raise ValueError(f"the examples run `engine` commands only, not {words[:1]}")
    result = CliRunner().invoke(main, words[1:], catch_exceptions=False)
    text = result.stdout + (result.stderr if result.exit_code else "")
    return normalised(text, repo).splitlines()


def normalised(text: str, repo: Path) -> str:
    """Paths as a reader sees them: the checkout's own relative to it (`.`), the reader's home as `~`, and the
    engine's shipped rules and catalogues (inside the installed package, or this checkout) as `rules/`, `indicators/`."""
    from engine.paths import indicators_dir, rules_dir

    home = repo.parent / HOME
    for shipped, name in ((rules_dir(), "rules"), (indicators_dir(), "indicators")):
        for path in {str(shipped.resolve()), str(shipped)}:
            text = _replace(text, path + os.sep, name + "/")
    return _replace(_replace(_replace(text, str(home), "~"), str(repo) + os.sep, ""), str(repo), ".")


def _replace(text: str, path: str, shown: str) -> str:
    """A path replaced as written, and as Markdown output escapes it (`_` as `\\_`)."""
    return text.replace(path, shown).replace(path.replace("_", "\\_"), shown)


def _python(source: str, namespace: dict, name: str, mode: str, strict: bool = False) -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            exec(compile(source, name, mode), namespace)
        except SystemExit as exit:  # a script's ending: fine with code 0, a failure otherwise
            if exit.code not in (0, None):
                raise AssertionError(f"{name}: the example exits with {exit.code}:\n{out.getvalue()}") from None
        except Exception:
            if strict:
                raise
            kind, value, _ = sys.exc_info()
            print("Traceback (most recent call last):\n  ...")
            print(traceback.format_exception_only(kind, value)[-1].rstrip())
    return out.getvalue().splitlines()


def pages() -> list[Path]:
    """The README and every page of docs/ with an example to run."""
    found = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
    return [p for p in found if FENCE.search(p.read_text(encoding="utf-8"))]


def main(argv: list[str]) -> int:
    """Run the examples of the pages given (default: every page); with --update, write what they print now."""
    update = "--update" in argv
    chosen = [Path(a).resolve() for a in argv if a != "--update"] or pages()
    status = 0
    for page in chosen:
        run = run_page(page)
        if run.skipped:
            print(f"{page.relative_to(ROOT)}: skipped ({run.skipped})")
        elif update:
            if run.changed:
                page.write_text(run.updated_text(), encoding="utf-8")
                print(f"{page.relative_to(ROOT)}: {len(run.changed)} example(s) updated")
        elif run.changed:
            print(run.report())
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
