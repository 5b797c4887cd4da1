"""A ruleset's version names one text: the audit trail, the report and the letter's draft note give the version, so
two different rulesets (or letter wordings) under one version would let two reviewers read different sentences,
or different bands, as the same release. tests/data/ruleset-releases.json records each released version's hashes;
changing a shipped ruleset or its letter wording fails here until it gets a new version and a new entry there.

The version's minor number moves when a decision can change (a condition, a threshold, a row, a limit), the patch
number when only wording does (docs/rule-authors.md, "Versions")."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from engine.load.letter import wording_path
from engine.load.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
RELEASES = Path(__file__).resolve().parent / "data" / "ruleset-releases.json"
SHIPPED = sorted((ROOT / "rules").glob("csa-*.yaml"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _release(path: Path) -> tuple[str, str, dict[str, str]]:
    """A ruleset file's id, version and the hashes of its text and of its letter wording (rules/letters/, beside it)."""
    ruleset = load_ruleset(path).ruleset
    return ruleset.id, ruleset.version, {
        "ruleset_sha256": _sha(path),
        "letter_wording_sha256": _sha(wording_path(ruleset.id, path.parent)),
    }


def _unreleased_change(path: Path, releases: dict[str, dict[str, dict[str, str]]]) -> str | None:
    """Why the file cannot ship under its version, or None if its version records exactly this text."""
    ruleset_id, version, hashes = _release(path)
    recorded = releases.get(ruleset_id, {}).get(version)
    if recorded is None:
        return f"{ruleset_id} {version} is not recorded in {RELEASES.name}: add it with {hashes}"
    if recorded != hashes:
        return (f"{ruleset_id} {version} has changed since it was released: give it a new version (patch for wording "
                f"only, minor where a decision can change) and record it in {RELEASES.name} with {hashes}")
    return None


def _releases() -> dict[str, dict[str, dict[str, str]]]:
    return json.loads(RELEASES.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_changed_ruleset_or_letter_wording_carries_a_new_version(path: Path) -> None:
    assert _unreleased_change(path, _releases()) is None


@pytest.mark.parametrize("changed", ["ruleset", "letter wording"])
def test_one_changed_word_under_the_same_version_is_refused(tmp_path: Path, changed: str) -> None:
    source = SHIPPED[0]
    ruleset_id = load_ruleset(source).ruleset.id
    wording = wording_path(ruleset_id, source.parent)
    (tmp_path / "letters").mkdir()
    copy, copy_wording = tmp_path / source.name, wording_path(ruleset_id, tmp_path)
    copy.write_bytes(source.read_bytes())
    copy_wording.write_bytes(wording.read_bytes())
    assert _unreleased_change(copy, _releases()) is None
    edited = copy if changed == "ruleset" else copy_wording
    edited.write_text(edited.read_text(encoding="utf-8") + "# one more comment\n", encoding="utf-8")
    assert "give it a new version" in (_unreleased_change(copy, _releases()) or "")
