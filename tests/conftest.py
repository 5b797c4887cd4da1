from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True)
def audit_store_in_tmp(tmp_path, monkeypatch) -> Path:
    """Evaluations are recorded by default: every test records into its own store, never the real one."""
    path = tmp_path / "audit.sqlite"
    monkeypatch.setenv("ENGINE_AUDIT_DB", str(path))
    return path


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def run_cli():
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    from click.testing import CliRunner

    from engine.cli import main

    def run(*args: str):
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run
