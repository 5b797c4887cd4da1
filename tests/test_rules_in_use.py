"""Which rules a command reads, and that a rule author's edits to a checkout's rules/ either take effect
(``--rules``, ``$ENGINE_RULES``) or are reported as not in use.

The packaged copy of a plain install (``engine/_data``) is simulated by pointing ``engine.paths.PACKAGED`` at a
copy; one test builds and installs a real wheel to show the same from outside."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import engine.paths
from engine.paths import checkout_differences, rules_dir, use_rules

ROOT = Path(__file__).resolve().parent.parent
# Camden's indicators are in line or above in 0.889 of cases: raising "a very large majority" above that takes
# its indicators grade, and its band, from 4 to 3.
EDIT = ("  a_very_large_majority: 0.8\n", "  a_very_large_majority: 0.89\n")
NOTE = "engine: note: rules/ in this checkout differs from the rules in use"


def _copy_data(into: Path) -> None:
    for name in ("rules", "indicators", "examples"):
        shutil.copytree(ROOT / name, into / name, ignore=shutil.ignore_patterns("__pycache__"))


@pytest.fixture
def installed(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """A plain install's packaged data (copied) and a checkout beside it whose rules/csa-2009.yaml is edited;
    the working folder is the checkout. Returns (packaged data folder, checkout)."""
    packaged = tmp_path / "site-packages" / "engine" / "_data"
    _copy_data(packaged)
    checkout = tmp_path / "checkout"
    _copy_data(checkout)
    shutil.copy(ROOT / "pyproject.toml", checkout / "pyproject.toml")
    ruleset = checkout / "rules" / "csa-2009.yaml"
    text = ruleset.read_text(encoding="utf-8")
    assert text.count(EDIT[0]) == 1
    ruleset.write_text(text.replace(*EDIT), encoding="utf-8")
    monkeypatch.setattr(engine.paths, "PACKAGED", packaged)
    for env in ("ENGINE_RULES", "ENGINE_RULES_DIR", "ENGINE_INDICATORS_DIR"):
        monkeypatch.delenv(env, raising=False)
    monkeypatch.chdir(checkout)
    return packaged, checkout


COMMANDS = [
    ("evaluate", "examples/camden.yaml", "--no-audit"),
    ("evaluate", "examples/camden.yaml", "--no-audit", "--format", "json"),
    ("report", "examples/camden.yaml", "--format", "markdown"),
    ("letter", "examples/camden.yaml"),
    ("explain", "examples/cambridgeshire.yaml", "--why-not", "4"),
    ("rules", "check"),
    ("rules", "test"),
    ("measures", "--grep", "secondary"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_each_command_after_a_plain_install_says_the_checkouts_edited_rules_are_not_in_use(installed, run_cli, args):
    packaged, _ = installed
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert f"{NOTE}, {packaged / 'rules'} (csa-2009.yaml); this command reads the rules in use." in err.splitlines()
    assert "give --rules rules/ (or set ENGINE_RULES=rules), or install it editable: pip install -e ." in err
    named = (out + err).replace("\\", "")  # Markdown escapes the underscore of _data
    assert f"{packaged / 'rules'}/csa-20" in named  # the output names the ruleset file it used


@pytest.mark.parametrize("how", ["--rules", "ENGINE_RULES"])
def test_the_checkouts_edited_rules_take_effect_with_rules_or_engine_rules(installed, run_cli, monkeypatch, how):
    before = json.loads(run_cli("evaluate", "examples/camden.yaml", "--no-audit", "--format", "json")[1])
    given = ["--rules", "rules"] if how == "--rules" else []
    if how == "ENGINE_RULES":
        monkeypatch.setenv("ENGINE_RULES", "rules")
    code, out, err = run_cli("evaluate", "examples/camden.yaml", "--no-audit", "--format", "json", *given)
    after = json.loads(out)
    assert (code, err) == (0, "")
    assert (before["final_band"], after["final_band"]) == (4, 3)
    assert after["ruleset"]["path"] == "rules/csa-2009.yaml"
    # rules check and rules test with no argument check what evaluation now uses: the Camden case fails.
    code, out, err = run_cli("rules", "check", *given)
    assert (code, err) == (0, "") and out.splitlines()[0].startswith("rules/csa-2009.yaml: no problems")
    code, out, _ = run_cli("rules", "test", *given)
    assert code == 1 and "FAIL  rules/cases/csa-2009/camden.yaml" in out
    assert "Rulesets: csa-2009 1.3.1 (rules/csa-2009.yaml)" in out


def test_rules_given_restores_the_rules_in_use_after_the_command(installed, run_cli):
    packaged, _ = installed
    run_cli("rules", "check", "--rules", "rules")
    assert rules_dir() == packaged / "rules" and "ENGINE_RULES" not in os.environ


def test_rules_given_bring_the_sibling_indicators(installed):
    _, checkout = installed
    with use_rules("rules"):
        assert engine.paths.indicators_dir() == checkout / "indicators"


def test_an_edited_catalogue_in_the_checkout_is_reported_too(installed):
    packaged, checkout = installed
    shutil.copy(packaged / "rules" / "csa-2009.yaml", checkout / "rules" / "csa-2009.yaml")
    part = checkout / "indicators" / "national-indicators.yaml"
    part.write_text(part.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    (found,) = checkout_differences()
    assert (found.name, found.files) == ("indicators", (part.name,))


def test_no_note_where_the_checkouts_rules_are_those_in_use_or_outside_a_checkout(installed, run_cli, tmp_path, monkeypatch):
    packaged, checkout = installed
    shutil.copy(packaged / "rules" / "csa-2009.yaml", checkout / "rules" / "csa-2009.yaml")
    assert run_cli("rules", "check")[2] == ""  # the same files: nothing to say
    (checkout / "rules" / "csa-2009.yaml").write_text("edited", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run_cli("rules", "check")[2] == ""  # not in a checkout


def test_a_real_plain_install_reads_its_packaged_rules_and_says_so_in_a_checkout(tmp_path):
    """A built wheel installed as pip installs it (into a folder of its own, put first on the path; its
    dependencies are this environment's): the note, then --rules."""
    wheels, installed = tmp_path / "wheels", tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", wheels, ROOT],
                   check=True, capture_output=True, timeout=120)
    (wheel,) = wheels.glob("engine-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", installed, wheel], check=True,
                   capture_output=True, timeout=120)
    assert (installed / "engine" / "_data" / "rules" / "csa-2009.yaml").is_file()
    checkout = tmp_path / "checkout"
    _copy_data(checkout)
    shutil.copy(ROOT / "pyproject.toml", checkout / "pyproject.toml")
    ruleset = checkout / "rules" / "csa-2009.yaml"
    ruleset.write_text(ruleset.read_text(encoding="utf-8").replace(*EDIT), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENGINE_RULES") and k != "ENGINE_INDICATORS_DIR"}
    env["PYTHONPATH"] = str(installed)
    command = [sys.executable, "-c", "import sys; from engine.cli import main; sys.exit(main())"]

    def engine_(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, *args], cwd=checkout, env=env, capture_output=True, text=True, timeout=120)

    plain = engine_("evaluate", "examples/camden.yaml", "--no-audit", "--format", "json")
    assert NOTE in plain.stderr and "_data/rules" in plain.stderr
    assert json.loads(plain.stdout)["final_band"] == 4
    given = engine_("evaluate", "examples/camden.yaml", "--no-audit", "--format", "json", "--rules", "rules/")
    assert given.stderr == "" and json.loads(given.stdout)["final_band"] == 3
