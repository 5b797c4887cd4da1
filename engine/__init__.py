"""engine: a rule-based rating decision engine for Ofsted's children's services annual rating (2009-2011).

The public surface is the names in ``__all__``. For type checkers they are imported below; at run time each
is imported on first use, so that ``engine --help`` (which imports this package) does not import pandas or
durable-rules. ``tests/test_public_api.py`` holds the two lists together.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .version import __version__

if TYPE_CHECKING:
    from .audit.checkpoint import take_checkpoint
    from .audit.record import RecordedEvaluation, evaluate_and_record
    from .audit.store import AuditStore, VerifyResult, default_audit_path
    from .batch.run import BatchResult, evaluate_batch, rate_all
    from .characters import spreadsheet_cell
    from .decide.pipeline import Evaluation, evaluate, evaluate_file, evaluate_text
    from .errors import AuditError, BuildError, DefectError, EngineError, JudgementError, Problem, ProfileError, RulesetError
    from .explain.why_not import WhyNot, why_not
    from .load.catalogue import load_catalogue
    from .load.profile import load_profile, parse_profile
    from .load.ruleset import load_ruleset, ruleset_for_year
    from .model.catalogue import Catalogue
    from .model.judgement import ProposedJudgement
    from .model.loaded import LoadedProfile, LoadedRuleset
    from .model.profile import Profile
    from .model.ruleset import Ruleset
    from .model.trace import Decision
    from .render.review import letter, report
    from .sensitivity.calibrate import Calibration, calibrate
    from .sensitivity.diff import RulesDiff, rules_diff
    from .sensitivity.trust import SensitivityReport, threshold_sensitivity

# Each public name and the module that defines it.
_WHERE: dict[str, str] = {
    "AuditError": "errors", "AuditStore": "audit.store", "BatchResult": "batch.run", "BuildError": "errors",
    "Calibration": "sensitivity.calibrate", "Catalogue": "model.catalogue", "Decision": "model.trace", "DefectError": "errors", "EngineError": "errors",
    "Evaluation": "decide.pipeline", "JudgementError": "errors", "LoadedProfile": "model.loaded",
    "LoadedRuleset": "model.loaded", "Problem": "errors", "Profile": "model.profile", "ProfileError": "errors",
    "ProposedJudgement": "model.judgement", "RecordedEvaluation": "audit.record", "Ruleset": "model.ruleset",
    "RulesDiff": "sensitivity.diff", "RulesetError": "errors", "SensitivityReport": "sensitivity.trust",
    "VerifyResult": "audit.store", "WhyNot": "explain.why_not", "calibrate": "sensitivity.calibrate",
    "evaluate": "decide.pipeline", "evaluate_and_record": "audit.record", "evaluate_batch": "batch.run",
    "evaluate_file": "decide.pipeline", "evaluate_text": "decide.pipeline", "letter": "render.review",
    "load_catalogue": "load.catalogue", "load_profile": "load.profile", "load_ruleset": "load.ruleset",
    "parse_profile": "load.profile", "rate_all": "batch.run", "report": "render.review",
    "rules_diff": "sensitivity.diff", "ruleset_for_year": "load.ruleset", "threshold_sensitivity": "sensitivity.trust",
    "why_not": "explain.why_not", "default_audit_path": "audit.store", "spreadsheet_cell": "characters",
    "take_checkpoint": "audit.checkpoint",
}

__all__ = [
    "AuditError", "AuditStore", "BatchResult", "BuildError", "Calibration", "Catalogue", "Decision", "DefectError",
    "EngineError", "Evaluation", "JudgementError", "LoadedProfile", "LoadedRuleset", "Problem", "Profile",
    "ProfileError", "ProposedJudgement", "RecordedEvaluation", "RulesDiff", "Ruleset", "RulesetError",
    "SensitivityReport", "VerifyResult", "WhyNot", "__version__", "calibrate", "default_audit_path", "evaluate",
    "evaluate_and_record", "evaluate_batch", "evaluate_file", "evaluate_text", "letter", "load_catalogue",
    "load_profile", "load_ruleset", "parse_profile", "rate_all", "report", "rules_diff", "ruleset_for_year",
    "spreadsheet_cell", "take_checkpoint", "threshold_sensitivity", "why_not",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
