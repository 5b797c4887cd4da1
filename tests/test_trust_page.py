"""The page "How much to trust a threshold" (docs/trust.md) stays true: its outputs are the commands' own (the
docs' example runner runs the commands too), and its lists of pinned, one-sided and free thresholds are what those
outputs say."""
from __future__ import annotations

import re
import shlex

import pytest

from engine.sensitivity.sensitivity import Interval, format_text, sensitivity

from .conftest import ROOT
from .docs_examples import parse
from .sensitivity_results import computed

PAGE = (ROOT / "docs" / "trust.md").read_text()
BLOCKS = [b for b in parse(PAGE) if b.kind == "console"]
# Each run: its command, the output shown, and the page's reading of it (the text up to the next run).
RUNS = [(b.examples[0].source, "".join(line + "\n" for line in b.examples[0].shown),
         PAGE[b.end + len("```\n"):BLOCKS[n + 1].start if n + 1 < len(BLOCKS) else len(PAGE)])
        for n, b in enumerate(BLOCKS)]
CSA_2009 = ROOT / "rules" / "csa-2009.yaml"


SECTIONS = ("proportions", "comparison", "rules", "limits", "withhold")


def _paths(line: str) -> set[str]:
    return {name for name in re.findall(r"`([a-z_]+\.[a-z0-9_.]+)`", line) if name.split(".")[0] in SECTIONS}


def _kinds(intervals: list[Interval]) -> dict[str, set[str]]:
    def sides(i: Interval) -> int:
        return bool(i.bounded_by(i.low)) + bool(i.bounded_by(i.high))

    return {"both": {i.threshold.path for i in intervals if sides(i) == 2}, "one": {i.threshold.path for i in intervals if sides(i) == 1},
            "free": {i.threshold.path for i in intervals if sides(i) == 0}}


def test_the_page_shows_two_runs_each_followed_by_its_reading():
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
    assert shown.startswith(format_text(result))  # then, where a case fails (exit 1), what it says on standard error
    kinds = _kinds(result.intervals)
    bullets = {line.split(":**")[0]: line for line in re.split(r"\n(?=- \*\*)", reading) if line.startswith("- **")}
    said = {key: _paths(bullets[label]) for key, label in
            (("both", next(b for b in bullets if "both ends" in b)), ("one", "- **Bounded on one side only"),
             ("free", next(b for b in bullets if "free" in b.lower())))}
    assert said == kinds and all(said.values())
