"""Every command is a public function of `engine` with a typed result that carries its text and exit code; the
CLI only prints them. docs/python-api.md maps each command to its function, and is held to the CLI here."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import click
import pytest

import engine
from engine.cli import main
from engine.paths import shown_path

ROOT = Path(__file__).resolve().parent.parent
CAMDEN = ROOT / "examples" / "camden.yaml"


def _commands(group: click.Group, prefix: str = "engine") -> set[str]:
    names = set()
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            names |= _commands(command, f"{prefix} {name}")
        else:
            names.add(f"{prefix} {name}")
    return names


def test_the_api_page_names_a_public_function_for_every_command():
    rows = [line.split(" | ") for line in (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| `engine ")]
    assert {row[0].strip("| `") for row in rows} == _commands(main)
    for row in rows:
        named = re.findall(r"`(\w+)`", row[1])
        assert named and set(named) <= set(engine.__all__), row[1]


def test_a_clean_ruleset_is_summarised_by_its_result():
    (checked,) = engine.check_rulesets([str(ROOT / "rules" / "csa-2009.yaml")])
    # named as every output names a file: relative to the working folder where it is under it
    assert checked.summary.startswith(f"{shown_path(ROOT / 'rules' / 'csa-2009.yaml')}: no problems (")
    assert re.search(r"\(\d+ rules, \d+ decision-table rows, \d+ limits", checked.summary)


def test_a_verified_chain_exits_0_and_a_checkpoint_it_no_longer_holds_exits_1(tmp_path):
    store = tmp_path / "audit.sqlite"
    for _ in range(2):
        engine.evaluate_and_record(CAMDEN, audit_path=store)
    checked = engine.verify_audit(store)
    assert (checked.ok, checked.exit_code) == (True, 0)
    assert checked.text == f"{store}: 2 record(s) verified; chain head {checked.result.head_hash}\n"

    taken = engine.take_checkpoint(store, tmp_path / "anchor.yaml")
    assert taken.checkpoint is not None and taken.checkpoint.records == 2 and taken.exit_code == 0
    assert taken.text.endswith(f"checkpoint of 2 record(s) written to {tmp_path / 'anchor.yaml'}\n")
    assert engine.verify_audit(store, tmp_path / "anchor.yaml").exit_code == 0

    with sqlite3.connect(store) as con:  # the last record removed by whoever can write the store
        con.execute("DROP TRIGGER IF EXISTS evaluations_are_not_deleted")
        con.execute("DELETE FROM evaluations WHERE seq = 2")
    con.close()
    broken = engine.verify_audit(store, tmp_path / "anchor.yaml")
    assert (broken.ok, broken.exit_code) == (False, 1)
    assert broken.text == broken.result.report(store) + "\n"
    refused = engine.take_checkpoint(store)
    assert (refused.checkpoint, refused.exit_code) == (None, 1)  # a checkpoint of a broken chain anchors nothing


def test_bad_input_ends_with_the_errors_exit_code():
    assert engine.WriteError.exit_code == engine.EngineError.exit_code == 2


@pytest.mark.parametrize("options", [{}, {"output_format": "json"}, {"explain": "fails"}, {"full": True}],
                         ids=["text", "json", "fails", "full"])
def test_engine_evaluate_prints_what_its_one_function_returns(run_cli, tmp_path, options):
    """`engine evaluate` calls evaluate_and_render alone: what it prints is the function's text, the judgement
    applied as it applies it, and its notes are what the command says on standard error."""
    flags = {"output_format": ["--format", "json"], "explain": ["--explain", "fails"], "full": ["--full"]}
    args = [a for key in options for a in flags[key]]
    judgement = ["--override-band", "4", "--assessor", "A. Assessor", "--reason", "The settings only just fall short"]
    code, out, err = run_cli("evaluate", ROOT / "examples" / "cambridgeshire.yaml", *args, *judgement, "--audit", tmp_path / "a.sqlite")
    shown = engine.evaluate_and_render(ROOT / "examples" / "cambridgeshire.yaml", **options, override_band=4, assessor="A. Assessor",
                                       reason="The settings only just fall short", record=False)
    assert code == 0 and shown.decision.final_band == 4
    assert _without_record_ids(out) == _without_record_ids(shown.text)
    recorded = engine.evaluate_and_render(ROOT / "examples" / "cambridgeshire.yaml", audit_path=tmp_path / "b.sqlite")
    assert recorded.notes() == [f"recorded as {recorded.recorded.record_id} in {tmp_path / 'b.sqlite'}"]
    assert err.startswith("recorded as ")


def _without_record_ids(text: str) -> str:
    return re.sub(r"[0-9a-f]{32,64}", "<hash>", text)
