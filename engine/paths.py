"""Where the shipped rules/ and indicators/ are: inside the installed package, else the source tree."""
from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str, env: str) -> Path:
    if os.environ.get(env):
        return Path(os.environ[env])
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name  # a source checkout or an editable install


def rules_dir() -> Path:
    return _data_dir("rules", "ENGINE_RULES_DIR")


def indicators_dir() -> Path:
    return _data_dir("indicators", "ENGINE_INDICATORS_DIR")
