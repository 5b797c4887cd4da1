"""Docs cannot drift: the error codes, the commands' help and the README's examples are checked."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys

import click
from click.testing import CliRunner

from engine.cli import main
from engine.errors import CODES

from .conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_every_error_code_is_documented_in_the_readme_in_order():
    section = README.split("## Errors", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z0-9-]+)` \| ", section, flags=re.M)
    assert documented == list(CODES)


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


def test_the_readme_usage_examples_run(run_cli, monkeypatch):
    section = README.split("## Using it", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    commands = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    commands = [c for c in commands if c.startswith("engine ")]
    assert commands
    monkeypatch.chdir(ROOT)
    for command in commands:
        code, out, err = run_cli(*shlex.split(command)[1:])
        assert code == 0, f"{command}: {err}"
        assert out


def test_the_readme_python_example_runs(monkeypatch):
    section = README.split("## Using it", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert (namespace["decision"].proposed_band, namespace["decision"].final_band) == (4, 4)


def test_help_does_not_import_pandas_or_durable_rules_or_the_web_stack():
    code = ("import sys; from click.testing import CliRunner; from engine.cli import main; "
            "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0; "
            "print(sorted(m for m in ('pandas', 'durable', 'durable.engine', 'starlette', 'jinja2', 'uvicorn', 'argon2') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_workbench_section_starts_with_the_three_commands_and_shows_the_screenshot():
    section = README.split("## For reviewers: the workbench", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    commands = [shlex.split(line.split("#")[0]) for line in block.splitlines()]
    assert [c[:2] for c in commands] == [["engine", "users"], ["engine", "users"], ["engine", "serve"]]
    for command in commands:  # each parses as the CLI has it
        result = CliRunner().invoke(main, [*command[1:], "--help"])
        assert result.exit_code == 0, result.output
    (image,) = re.findall(r"!\[[^]]*\]\(([^)]+)\)", section)
    assert (ROOT / image).is_file()
    for role in ("viewer", "assessor", "moderator", "admin"):
        assert f"**{role}**" in section
