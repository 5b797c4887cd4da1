"""Docs cannot drift: the README's set-up lines and length, the commands' help, the generated list of error codes,
and every `engine` command the pages name without running it (the examples with shown output are run by
test_docs_examples.py)."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.errors import CODES
from engine.reference import error_codes_markdown

from .conftest import ROOT

README = (ROOT / "README.md").read_text()
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_every_error_code_is_documented_in_order_from_the_codes_own_list():
    documented = re.findall(r"^\| `([a-z0-9-]+)` \| (.*) \|$", error_codes_markdown(), flags=re.M)
    assert [code for code, _ in documented] == list(CODES)
    assert all(meaning == CODES[code] for code, meaning in documented)  # no meaning holds a `|`, so none is escaped
    assert "<!-- reference: error-codes -->" in (ROOT / "docs" / "errors.md").read_text()


def test_the_readme_is_a_front_door():
    assert len(README.splitlines()) <= 150
    assert "docs/index.md" in README and "mkdocs build --strict" in README


def _commands(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def test_every_command_has_help_with_an_example():
    missing = [name for name, command in _commands(main) if "Example" not in (command.help or "")]
    assert missing == []


def test_the_readme_starts_with_the_two_set_up_commands():
    lines = README.splitlines()
    assert lines[2] == "```sh"
    assert "pip install ." in lines[3] and lines[3].endswith("engine evaluate examples/camden.yaml")
    assert lines[4] == "pip install '.[test]' && pytest"


def _sh_commands(text: str) -> list[str]:
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("  #")[0].strip()
            commands += [part.strip() for part in line.split("&&") if part.strip().startswith("engine ")]
    return commands


def _parse(command: str) -> click.Command:
    words = shlex.split(command)[1:]
    group: click.Command = main
    while isinstance(group, click.Group):
        assert words and words[0] in group.commands, f"{command}: no such command"
        group, words = group.commands[words[0]], words[1:]
    try:
        with group.make_context(group.name, list(words), resilient_parsing=False):
            return group
    except FileNotFoundError:  # a file the reader brings (the words were parsed: an unknown option fails before this)
        return group
    except click.BadParameter as error:
        if "does not exist" not in error.format_message():
            raise
        return group


def test_a_named_command_with_an_option_it_does_not_have_is_caught():
    (command,) = _sh_commands("```sh\nengine evaluate examples/camden.yaml --formatt json   # a typo\n```\n")
    with pytest.raises(click.UsageError):
        _parse(command)
    assert _parse("engine evaluate examples/camden.yaml --format json").name == "evaluate"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_engine_command_a_page_names_without_running_it_exists_with_its_options(page):
    """`sh` blocks are not run (they name files a reader brings); their commands and options must still exist."""
    for command in _sh_commands(page.read_text()):
        _parse(command)


def test_help_does_not_import_pandas_or_durable_rules_or_the_web_stack():
    code = ("import sys; from click.testing import CliRunner; from engine.cli import main; "
            "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0; "
            "print(sorted(m for m in ('pandas', 'durable', 'durable.engine', 'starlette', 'jinja2', 'uvicorn', 'argon2') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_workbench_section_starts_with_the_three_commands_and_shows_the_screenshot():
    section = (ROOT / "docs" / "workbench.md").read_text().split("## For reviewers: the workbench", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    commands = [shlex.split(line.split("#")[0]) for line in block.splitlines()]
    assert [c[:2] for c in commands] == [["engine", "users"], ["engine", "users"], ["engine", "serve"]]
    for command in commands:  # each parses as the CLI has it
        result = CliRunner().invoke(main, [*command[1:], "--help"])
        assert result.exit_code == 0, result.output
    (image,) = re.findall(r"!\[[^]]*\]\(([^)]+)\)", section)
    assert (ROOT / "docs" / image).is_file()
    for role in ("viewer", "assessor", "moderator", "admin"):
        assert f"**{role}**" in section
