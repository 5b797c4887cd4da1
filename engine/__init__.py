"""engine: a rule-based rating decision engine for the 2009 children's services annual rating.

Heavy modules (pandas, durable-rules) load on first use, so ``engine --help`` stays fast.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "evaluate", "evaluate_file", "load_profile", "parse_profile", "load_ruleset",
           "ruleset_for_year", "Decision", "EngineError", "ProfileError", "RulesetError", "JudgementError"]

_LAZY = {
    "evaluate": "engine.pipeline", "evaluate_file": "engine.pipeline",
    "load_profile": "engine.load", "parse_profile": "engine.load", "load_ruleset": "engine.load",
    "ruleset_for_year": "engine.load", "Decision": "engine.trace",
    "EngineError": "engine.errors", "ProfileError": "engine.errors", "RulesetError": "engine.errors",
    "JudgementError": "engine.errors",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
