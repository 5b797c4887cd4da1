from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# Real public extracts are never copied into the repository: tests read them where they lie, beside it.
SHARED_DATA_VARIABLE = "ENGINE_SHARED_DATA"


def shared_data_dir() -> Path:
    """$ENGINE_SHARED_DATA, else ../shared/data beside the repository (as in CI's checkout)."""
    given = os.environ.get(SHARED_DATA_VARIABLE)
    return Path(given) if given else ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real extracts; the test is skipped, saying where it looked, when it is absent."""
    path = shared_data_dir()
    if not (path / "README.md").is_file():
        pytest.skip(f"real extracts not found at {path} (put the shared data beside the repository as ../shared/data, "
                    f"or set {SHARED_DATA_VARIABLE})")
    return path


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
