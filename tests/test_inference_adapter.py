"""The durable-rules adapter survives what durable-rules itself does not: facts no rule matches, and numbers
Python writes in a form durable-rules cannot read (found by experiment: engine/inference/NOTES.md, durable-rules 2.0.28)."""
from __future__ import annotations

import math
import subprocess
import sys

from engine.inference.compiled import durable_fact_value

from .conftest import ROOT

NO_ROW_MATCHES = """
from engine.inference.adapter import session
from engine.load.ruleset import ruleset_for_year
loaded = ruleset_for_year(2009)
for _ in range(50):
    with session(loaded) as facts:
        assert facts.assert_grades({"settings": 99, "indicators": 99}) == set()
print("ok")
"""


def test_a_fact_no_rule_matches_leaves_a_state_that_is_deleted_cleanly():
    # Without a rule that matches every fact, deleting such a state crashed the process (a segmentation fault).
    result = subprocess.run([sys.executable, "-c", NO_ROW_MATCHES], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr


def test_floats_written_with_an_exponent_and_no_point_are_moved_one_step_and_no_further():
    for value in (5e-05, 1e-05, -3e-07):
        moved = durable_fact_value(value, frozenset())
        assert "." in repr(moved) and moved in (math.nextafter(value, math.inf), math.nextafter(value, -math.inf))
    assert durable_fact_value(1e16, frozenset()) == 10**16  # a whole number: the same number, as an int
    for value in (0.05, 0.0001, 5.5e-05, 1.5e16, 3, "inadequate", 0.0):
        assert durable_fact_value(value, frozenset()) == value


def test_a_share_of_five_in_a_hundred_thousand_is_evaluated(run_cli, tmp_path):
    profile = tmp_path / "tiny-share.yaml"
    profile.write_text("authority: {name: Test Borough}\nyear: 2009\nsettings:\n  childminders:\n"
                       "    counts: {good: 19999, inadequate: 1}\n    national: {good_or_better: 0.62}\n")
    code, out, err = run_cli("evaluate", profile, "--full", "--no-audit")
    assert code == 0, err
    assert "settings.share_inadequate = 5e-05" in out  # shown exactly; only durable-rules sees the next float
