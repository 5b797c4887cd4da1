"""README "How much to trust a threshold" stays true: its outputs are the commands' own, and its lists of pinned,
one-sided and free thresholds are what those outputs say."""
from __future__ import annotations

import re
import shlex

import pytest

from engine.sensitivity.sensitivity import Interval, format_text, sensitivity

from .conftest import ROOT
from .sensitivity_results import computed

SECTION = (ROOT / "README.md").read_text().split("## How much to trust a threshold", 1)[1].split("\n## ", 1)[0]
RUNS = re.findall(r"```sh\n(.*?)\n```\n\n```text\n(.*?)```\n\n(.*?)(?=\n```sh|\Z)", SECTION, flags=re.S)
CSA_2009 = ROOT / "rules" / "csa-2009.yaml"


SECTIONS = ("proportions", "comparison", "rules", "limits", "withhold")


def _paths(line: str) -> set[str]:
    return {name for name in re.findall(r"`([a-z_]+\.[a-z0-9_.]+)`", line) if name.split(".")[0] in SECTIONS}


def _kinds(intervals: list[Interval]) -> dict[str, set[str]]:
    def sides(i: Interval) -> int:
        return bool(i.bounded_by(i.low)) + bool(i.bounded_by(i.high))

    return {"both": {i.threshold.path for i in intervals if sides(i) == 2}, "one": {i.threshold.path for i in intervals if sides(i) == 1},
            "free": {i.threshold.path for i in intervals if sides(i) == 0}}


def test_the_section_shows_two_runs_each_followed_by_its_reading():
    assert [shlex.split(command)[:3] for command, _, _ in RUNS] == [["engine", "rules", "sensitivity"]] * 2


@pytest.mark.parametrize("run", [0, 1])
def test_each_output_is_the_commands_own_and_each_list_is_what_it_says(run, monkeypatch):
    command, shown, reading = RUNS[run]
    monkeypatch.chdir(ROOT)
    args = shlex.split(command)[1:]
    # The command prints format_text of this call (tests/test_sensitivity.py runs the command itself).
    assert args[:3] == ["rules", "sensitivity", "rules/csa-2009.yaml"] and set(args[3::2]) <= {"--cases"}
    cases = args[4::2]
    result = sensitivity(CSA_2009, cases) if cases else computed(CSA_2009)
    assert shown == format_text(result)
    kinds = _kinds(result.intervals)
    bullets = {line.split(":**")[0]: line for line in re.split(r"\n(?=- \*\*)", reading) if line.startswith("- **")}
    said = {key: _paths(bullets[label]) for key, label in
            (("both", next(b for b in bullets if "both ends" in b)), ("one", "- **Bounded on one side only"),
             ("free", next(b for b in bullets if "free" in b.lower())))}
    assert said == kinds and all(said.values())
