"""Helpers for the tests of the authoring tools: a small SYNTHETIC England, ruleset files with an edit, batch runs
with a given ruleset, and a page opened offline in Debian's chromium."""
from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from engine.batch.run import evaluate_batch
from engine.ingest.build import Tables, build_profiles, load_column_config
from engine.ingest.synthetic import write

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

_BUILT: dict[tuple[int, int], Path] = {}


def synthetic_profiles(folder: Path, councils: int = 12, seed: int = 2009) -> Path:
    """A folder holding one YAML profile per synthetic council, built once per process (under the first
    ``folder`` given) and shared: tests must not change it (copy it first)."""
    key = (councils, seed)
    if key not in _BUILT:
        source = folder / f"synthetic-{councils}-{seed}"
        paths = write(source / "tables", seed=seed, councils=councils)
        built = build_profiles(Tables(paths["councils"], paths["settings"], paths["indicators"], paths["neighbours"]),
                               load_column_config(paths["config"]))
        assert built.problems == []
        (source / "profiles").mkdir(exist_ok=True)
        for code, profile in built.profiles.items():
            (source / "profiles" / f"{code}.yaml").write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
        _BUILT[key] = source / "profiles"
    return _BUILT[key]


def examples_of_year(folder: Path, year: int) -> Path:
    """A folder holding a copy of each example profile (examples/*.yaml) of the given year: the examples span
    several years, and a ruleset evaluates only the profiles its own catalogue describes."""
    target = folder / f"examples-{year}"
    target.mkdir(exist_ok=True)
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        if (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("year") == year:
            shutil.copy(path, target / path.name)
    assert any(target.iterdir()), f"no example profile of {year}"
    return target


def ruleset_with(tmp_path: Path, name: str, *replacements: tuple[str, str], source: Path | None = None) -> Path:
    """A copy of a ruleset file (default: rules/csa-2009.yaml) with each (old, new) text replaced once."""
    text = (source or ROOT / "rules" / "csa-2009.yaml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rules_with_letter_wording(folder: Path, ruleset_id: str, edit: Callable[[dict], None],
                               monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the rules folder in use, with ``edit`` applied to the letter wording of ``ruleset_id`` (as YAML data),
    made the rules folder evaluation uses."""
    from engine.paths import rules_dir

    rules = folder / "rules"
    shutil.copytree(rules_dir(), rules)
    wording = rules / "letters" / f"{ruleset_id}.yaml"
    data = yaml.safe_load(wording.read_text(encoding="utf-8"))
    edit(data)
    wording.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("ENGINE_RULES_DIR", str(rules))
    return rules


def batch_with(ruleset_text: str, profiles: Path, folder: Path, monkeypatch: pytest.MonkeyPatch):
    """A batch run over ``profiles`` with rules/ holding only this 2009 ruleset (and the letters): the results frame."""
    rules = folder / "rules-for-batch"
    shutil.rmtree(rules, ignore_errors=True)
    shutil.copytree(ROOT / "rules" / "letters", rules / "letters")
    (rules / "csa-2009.yaml").write_text(ruleset_text, encoding="utf-8")
    monkeypatch.setenv("ENGINE_RULES_DIR", str(rules))
    try:
        result = evaluate_batch([profiles])
    finally:
        monkeypatch.delenv("ENGINE_RULES_DIR")
    assert result.failures == []
    return result.results


@contextmanager
def offline_page(target: Path) -> Iterator:
    """``target`` opened in headless chromium with every request beyond the file refused (and listed)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        tab = browser.new_page(viewport={"width": 1200, "height": 900})
        tab.requests_elsewhere = []
        tab.on("request", lambda r: None if r.url.startswith("file://") else tab.requests_elsewhere.append(r.url))
        tab.route(lambda url: not url.startswith("file://"), lambda route: route.abort())
        tab.goto(target.as_uri())
        try:
            yield tab
        finally:
            browser.close()
