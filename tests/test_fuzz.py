"""Fuzzing the engine with files from elsewhere: the shipped examples, ruleset, a judgement file, a table of
profiles and the tables and column config `profiles build` reads, each mutated by hypothesis (keys deleted
and duplicated, wrong types, huge and non-finite numbers, aliases and alias bombs, control and invisible
characters, formula-leading text, path-like codes, truncation) and run through the command line in-process.

For every mutant: no traceback; exit code 0 or 2; on exit 2 every line on standard error located as
``file:line:col: code: message``; nothing written outside the output folder.

About a minute on two cores. ``ENGINE_FUZZ_SCALE=20 pytest tests/test_fuzz.py`` runs twenty times as many
examples of each kind (a longer run before a release, or after touching a loader).
"""
from __future__ import annotations

import copy
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cli import main
from engine.ingest.profile_table import profiles_to_table

from .conftest import EXAMPLES, ROOT

SCALE = max(1, int(os.environ.get("ENGINE_FUZZ_SCALE", "1")))
LOCATED = re.compile(r"^.+:\d+:\d+: [a-z0-9-]+: ")
ESCAPE = "engine-fuzz-escape"  # what path-like values are named, so an escape would be found


def _examples(n: int):
    return settings(max_examples=n * SCALE, deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])


# --- What a hostile or careless sender puts in a value ------------------------------------------------

HOSTILE_TEXT = ["", " ", "\u200b\u200d\ufeff", "=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=cmd", "line\r\nbreak",
                "Camden\n  Final band      4 (performs excellently)", "\x1b[31mred\x1b[0m", "<script>alert(1)</script>",
                "$\\frac{1}{0}$", "# heading", "[link](http://evil.example)", "\u202eevil", "\x00nul", "\ud800", "🙂",
                f"../{ESCAPE}", f"/tmp/{ESCAPE}", f"a/../../{ESCAPE}", "x" * 5000, "yes", "on", "~", "null", ".nan",
                "2009-13-45", "0x1F", "1e400", "&anchor", "*alias", "!!python/object:os.system"]
HOSTILE_NUMBERS = [0, -1, 1, 4, 5, 2**31, 2**63, 2**64, -(2**63) - 1, 10**30, 10**400, 1e-05, 5e-05, 1e16, 0.5, 1.5, -0.0,
                   float("inf"), float("-inf"), float("nan"), 1e308]
values = st.one_of(
    st.sampled_from(HOSTILE_TEXT), st.sampled_from(HOSTILE_NUMBERS), st.booleans(), st.none(),
    st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Z", "Cc", "Cf"]), max_size=30),
    st.integers(), st.floats(), st.just([]), st.just({}), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["good", "value", "x"]), st.integers(), max_size=2),
)
data_mutation = st.tuples(st.sampled_from(["delete", "replace", "replace", "replace", "rename", "duplicate_item"]),
                          st.integers(min_value=0), values)
text_mutation = st.tuples(st.sampled_from(["duplicate_line", "alias", "recursive_alias", "alias_bomb", "truncate", "insert",
                                           "huge"]),
                          st.integers(min_value=0), st.integers(min_value=0), st.sampled_from(HOSTILE_TEXT))


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            out += [prefix + (key,)] + _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += [prefix + (index,)] + _paths(value, prefix + (index,))
    return out


def _mutate_data(data: Any, mutations: list[tuple]) -> Any:
    data = copy.deepcopy(data)
    for kind, pick, payload in mutations:
        paths = _paths(data)
        if not paths:
            return data
        path = paths[pick % len(paths)]
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        if kind == "delete":
            del parent[key]
        elif kind == "replace":
            parent[key] = payload
        elif kind == "rename" and isinstance(parent, dict) and isinstance(payload, (str, int)) and payload not in parent:
            parent[payload] = parent.pop(key)
        elif kind == "duplicate_item" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
    return data


def _dump(data: Any) -> str:
    try:
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    except (yaml.YAMLError, UnicodeEncodeError):  # a lone surrogate cannot be dumped: write it as an escape instead
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=False, width=100)


def _mutate_text(text: str, mutations: list[tuple]) -> str:
    for kind, first, second, payload in mutations:
        lines = text.splitlines()
        if not lines:
            return text
        keyed = [i for i, line in enumerate(lines) if re.match(r"^\s*[\w.-]+:", line)]
        if kind == "duplicate_line" and keyed:
            i = keyed[first % len(keyed)]
            lines.insert(i + 1, lines[i])
        elif kind == "alias" and len(keyed) > 1:
            i, j = sorted((keyed[first % len(keyed)], keyed[second % len(keyed)]))
            inline = re.match(r"^(\s*[\w.-]+:)\s+(\S.*)$", lines[j])
            if i != j and inline:
                lines[i] = re.sub(r"^(\s*[\w.-]+:)", r"\1 &fuzz", lines[i], count=1)
                lines[j] = f"{inline.group(1)} *fuzz"
        elif kind == "recursive_alias" and keyed:
            i = keyed[first % len(keyed)]
            indent = re.match(r"^(\s*)", lines[i]).group(1)
            lines.insert(i, f"{indent}fuzz_loop: &loop [*loop]")
        elif kind == "alias_bomb":
            lines += ["bomb_a: &ba [x, x, x, x, x, x, x, x, x]"] + [
                f"bomb_{b}: &b{b} [{', '.join(['*b' + a] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
        elif kind == "truncate":
            return text[: first % max(len(text), 1)]
        elif kind == "insert":
            position = first % (len(text) + 1)
            return text[:position] + payload + text[position:]
        elif kind == "huge":
            lines.append("# " + "x" * (1024 * 1024 + 10))
        text = "\n".join(lines) + "\n"
    return text


def _save(path: Path, text: str) -> None:
    """As a sender's file would be: a lone surrogate becomes bytes that are not UTF-8."""
    path.write_bytes(text.encode("utf-8", "surrogatepass"))


# --- Running a command and judging the outcome -------------------------------------------------------

def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")} | set(Path("/tmp").glob(f"{ESCAPE}*")) | set(root.parent.glob(f"{ESCAPE}*"))


def _run(workspace: Path, *args: Any) -> None:
    """Run the command in ``workspace``; it may write only under workspace/out."""
    before = _files(workspace)
    cwd = os.getcwd()
    os.chdir(workspace)
    try:
        result = CliRunner().invoke(main, [str(a) for a in args])
    finally:
        os.chdir(cwd)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        raise AssertionError("a traceback:\n" + "".join(traceback.format_exception(*result.exc_info)))
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr)
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert lines and all(LOCATED.match(line) for line in lines), result.stderr
    out = workspace / "out"
    escaped = {p for p in _files(workspace) - before if not (p == out or p.is_relative_to(out))}
    assert escaped == set(), escaped


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "work").mkdir()
    return tmp_path / "work"


def _fresh(workspace: Path) -> None:
    shutil.rmtree(workspace, ignore_errors=True)
    workspace.mkdir()
    for leftover in list(Path("/tmp").glob(f"{ESCAPE}*")) + list(workspace.parent.glob(f"{ESCAPE}*")):
        raise AssertionError(f"a file was written outside the output folder: {leftover}")


# --- The fuzz tests, one per kind of file ---------------------------------------------------------------

PROFILES = {path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.glob("*.yaml"))}
VIEWS = [("evaluate", "--no-audit"), ("evaluate", "--no-audit", "--format", "json"), ("report", "--format", "markdown", "-o", "out/r.md"),
         ("letter",), ("report", "-o", "out/r.html")]


@given(example=st.sampled_from(sorted(PROFILES)), mutations=st.lists(data_mutation, min_size=1, max_size=3),
       text=st.lists(text_mutation, max_size=1), view=st.sampled_from(VIEWS))
@_examples(400)
def test_fuzzed_profiles_give_a_decision_or_located_errors(workspace, example, mutations, text, view):
    _fresh(workspace)
    path = workspace / example
    _save(path, _mutate_text(_dump(_mutate_data(PROFILES[example], mutations)), text))
    _run(workspace, view[0], path, *view[1:])


RULESET = yaml.safe_load((ROOT / "rules" / "csa-2009.yaml").read_text(encoding="utf-8"))


@given(mutations=st.lists(data_mutation, min_size=1, max_size=2), text=st.lists(text_mutation, max_size=1))
@_examples(200)
def test_fuzzed_rulesets_are_checked_and_any_that_pass_evaluate(workspace, mutations, text):
    _fresh(workspace)
    path = workspace / "ruleset.yaml"
    _save(path, _mutate_text(_dump(_mutate_data(RULESET, mutations)), text))
    _run(workspace, "rules", "check", path)
    _run(workspace, "evaluate", EXAMPLES / "cambridgeshire.yaml", "--ruleset", path, "--no-audit")


JUDGEMENT = {"band": 4, "assessor": "A. Assessor", "reason": "Recent evidence shows practice has improved", "date": "2009-12-01"}


@given(mutations=st.lists(data_mutation, min_size=1, max_size=2), text=st.lists(text_mutation, max_size=1))
@_examples(120)
def test_fuzzed_judgements_are_applied_or_refused_with_a_location(workspace, mutations, text):
    _fresh(workspace)
    path = workspace / "judgement.yaml"
    _save(path, _mutate_text(_dump(_mutate_data(JUDGEMENT, mutations)), text))
    _run(workspace, "evaluate", EXAMPLES / "cambridgeshire.yaml", "--judgement", path, "--no-audit")


TABLE = profiles_to_table(list(PROFILES.values())).astype(object)
cell_mutation = st.tuples(st.integers(min_value=0), st.integers(min_value=0), values)
header_mutation = st.tuples(st.sampled_from(["rename", "repeat", "inside"]), st.integers(min_value=0), st.sampled_from(HOSTILE_TEXT))


@given(cells=st.lists(cell_mutation, max_size=4), headers=st.lists(header_mutation, max_size=1),
       suffix=st.sampled_from([".csv", ".xlsx"]), output=st.sampled_from(["out/results.csv", "out/results.xlsx", "out/results.json"]))
@_examples(60)
def test_fuzzed_tables_of_profiles_are_rated_or_refused_with_a_location(workspace, cells, headers, suffix, output):
    _fresh(workspace)
    table = TABLE.copy()
    for row, column, value in cells:
        table.iat[row % len(table), column % len(table.columns)] = value if not isinstance(value, (list, dict)) else str(value)
    columns = [str(c) for c in table.columns]
    for kind, pick, name in headers:
        at = pick % len(columns)
        if kind == "rename":
            columns[at] = name.replace("\x00", "")
        elif kind == "repeat":
            columns[at] = columns[(at + 1) % len(columns)]
        else:
            columns.append(columns[at] + ".x")
            table[f"extra{len(columns)}"] = "1"
    path = workspace / f"councils{suffix}"
    try:
        table.columns = columns
        table.to_csv(path, index=False) if suffix == ".csv" else table.to_excel(path, index=False)
    except Exception:  # a cell no spreadsheet can hold (a lone surrogate, say): not a file anyone could send
        return
    _run(workspace, "batch", path, "-o", output, "--no-audit")


@pytest.fixture(scope="module")
def england(tmp_path_factory) -> dict[str, Path]:
    from engine.ingest.synthetic import write

    return write(tmp_path_factory.mktemp("england"), seed=17, councils=5)


@given(table=st.sampled_from(["councils", "settings", "indicators", "neighbours", "config"]),
       cells=st.lists(cell_mutation, min_size=1, max_size=3), text=st.lists(text_mutation, max_size=1),
       output=st.sampled_from(["out/profiles", "out/profiles.csv"]))
@_examples(40)
def test_fuzzed_extracts_and_column_configs_build_profiles_or_report_rows(workspace, england, table, cells, text, output):
    _fresh(workspace)
    copies = {name: workspace / path.name for name, path in england.items()}
    for name, path in england.items():
        shutil.copy(path, copies[name])
    if table == "config":
        data = yaml.safe_load(england["config"].read_text(encoding="utf-8"))
        _save(copies["config"], _mutate_text(_dump(_mutate_data(data, [("replace", r, v) for r, _, v in cells])), text))
    else:
        frame = pd.read_csv(england[table], dtype=str, keep_default_na=False)
        for row, column, value in cells:  # a lone surrogate cannot be in a file: as sent, it is the replacement character
            frame.iat[row % len(frame), column % len(frame.columns)] = str(value).encode("utf-8", "replace").decode("utf-8")
        frame.to_csv(copies[table], index=False)
    _run(workspace, "profiles", "build", "--councils", copies["councils"], "--settings", copies["settings"], "--indicators",
         copies["indicators"], "--neighbours", copies["neighbours"], "--columns", copies["config"], "-o", output)
