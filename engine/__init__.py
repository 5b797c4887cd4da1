"""engine: a rule-based rating decision engine for Ofsted's children's services annual rating (2009-2011).

The public surface is the names in ``__all__``. For type checkers they are imported below; at run time each
is imported on first use, so that ``engine --help`` (which imports this package) does not import pandas or
durable-rules. ``tests/test_shape.py`` pins the names and holds the two lists together.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .version import __version__

if TYPE_CHECKING:
    from .audit.checkpoint import AuditCheck, take_checkpoint, verify_audit
    from .audit.record import RecordedEvaluation, evaluate_and_record
    from .audit.store import AuditStore, VerifyResult, default_audit_path, export_records
    from .authoring.cases import CaseProfiles, write_case_profiles
    from .authoring.check_files import RulesetChecked, check_rulesets
    from .authoring.rule_tests import RuleTestRun, run_rule_tests
    from .authoring.schemas import schema_text, write_schema
    from .authoring.vocabulary import measures_named_by, measures_of
    from .batch.run import BatchResult, evaluate_batch, rate_all, rate_to_file
    from .characters import spreadsheet_cell
    from .decide.pipeline import Evaluation, evaluate, evaluate_file, evaluate_text
    from .errors import AuditError, BuildError, DefectError, EngineError, JudgementError, Problem, ProfileError, RulesetError, WriteError
    from .explain.text import explain_why_not
    from .explain.why_not import WhyNot, why_not
    from .ingest.build import BuildResult, Tables, build_and_write
    from .ingest.synthetic import write_synthetic
    from .ingest.translate import Translated, translate_profiles
    from .load.catalogue import load_catalogue
    from .load.judgement import judgement_from_file, judgement_from_options
    from .load.profile import load_profile, parse_profile
    from .load.ruleset import load_ruleset, ruleset_for_year
    from .model.catalogue import Catalogue
    from .model.judgement import ProposedJudgement
    from .model.loaded import LoadedProfile, LoadedRuleset
    from .model.measures import MeasureSpec
    from .model.profile import Profile
    from .model.ruleset import Ruleset
    from .model.trace import Decision, RuleNotFired
    from .paths import rules_in_use_notes, use_rules
    from .render.audit import list_records, show_record
    from .render.evaluation import RenderedEvaluation, evaluate_and_render
    from .render.fails import fails, render_fails
    from .render.json import render_json
    from .render.review import letter, report, write_report
    from .render.text import render_text
    from .sensitivity.calibrate import Calibration, calibrate
    from .sensitivity.diff import RulesDiff, rules_diff
    from .sensitivity.published import PublishedCalibration, published_calibration
    from .sensitivity.trust import SensitivityReport, threshold_sensitivity
    from .workbench.accounts import Account, AccountError
    from .workbench.commands import add_account, disable_account, list_accounts, serve_workbench

# Each public name and the module that defines it.
_WHERE: dict[str, str] = {
    "Account": "workbench.accounts", "AccountError": "workbench.accounts", "add_account": "workbench.commands",
    "disable_account": "workbench.commands", "list_accounts": "workbench.commands", "serve_workbench": "workbench.commands",
    "AuditCheck": "audit.checkpoint", "AuditError": "errors", "AuditStore": "audit.store", "BatchResult": "batch.run",
    "BuildError": "errors", "BuildResult": "ingest.build", "Calibration": "sensitivity.calibrate", "CaseProfiles": "authoring.cases",
    "Catalogue": "model.catalogue", "Decision": "model.trace", "DefectError": "errors", "EngineError": "errors",
    "Evaluation": "decide.pipeline", "JudgementError": "errors", "LoadedProfile": "model.loaded",
    "LoadedRuleset": "model.loaded", "MeasureSpec": "model.measures", "Problem": "errors", "Profile": "model.profile",
    "ProfileError": "errors", "ProposedJudgement": "model.judgement", "RecordedEvaluation": "audit.record", "RenderedEvaluation": "render.evaluation",
    "RuleTestRun": "authoring.rule_tests", "RulesDiff": "sensitivity.diff", "PublishedCalibration": "sensitivity.published", "Ruleset": "model.ruleset",
    "RulesetChecked": "authoring.check_files", "RulesetError": "errors", "SensitivityReport": "sensitivity.trust",
    "Tables": "ingest.build", "Translated": "ingest.translate", "VerifyResult": "audit.store", "WhyNot": "explain.why_not", "WriteError": "errors",
    "build_and_write": "ingest.build", "calibrate": "sensitivity.calibrate",
    "check_rulesets": "authoring.check_files", "default_audit_path": "audit.store", "evaluate": "decide.pipeline",
    "evaluate_and_record": "audit.record", "evaluate_and_render": "render.evaluation", "evaluate_batch": "batch.run", "evaluate_file": "decide.pipeline",
    "evaluate_text": "decide.pipeline", "explain_why_not": "explain.text", "export_records": "audit.store",
    "judgement_from_file": "load.judgement", "judgement_from_options": "load.judgement", "letter": "render.review",
    "list_records": "render.audit", "load_catalogue": "load.catalogue", "load_profile": "load.profile",
    "load_ruleset": "load.ruleset", "measures_named_by": "authoring.vocabulary",
    "measures_of": "authoring.vocabulary", "parse_profile": "load.profile",
    "rate_all": "batch.run", "rate_to_file": "batch.run",
    "render_fails": "render.fails", "RuleNotFired": "model.trace", "fails": "render.fails", "render_json": "render.json", "render_text": "render.text",
    "report": "render.review", "rules_diff": "sensitivity.diff", "published_calibration": "sensitivity.published", "ruleset_for_year": "load.ruleset",
    "rules_in_use_notes": "paths", "use_rules": "paths",
    "run_rule_tests": "authoring.rule_tests", "schema_text": "authoring.schemas", "show_record": "render.audit", "spreadsheet_cell": "characters",
    "take_checkpoint": "audit.checkpoint", "threshold_sensitivity": "sensitivity.trust",
    "translate_profiles": "ingest.translate", "verify_audit": "audit.checkpoint", "why_not": "explain.why_not", "write_report": "render.review",
    "write_case_profiles": "authoring.cases", "write_schema": "authoring.schemas", "write_synthetic": "ingest.synthetic",
}

__all__ = [
    "Account", "AccountError", "AuditCheck", "AuditError", "AuditStore", "BatchResult", "BuildError", "BuildResult",
    "Calibration", "CaseProfiles", "Catalogue", "Decision", "DefectError", "EngineError", "Evaluation", "JudgementError",
    "LoadedProfile", "LoadedRuleset", "MeasureSpec", "Problem", "Profile", "ProfileError", "ProposedJudgement", "PublishedCalibration",
    "RecordedEvaluation", "RenderedEvaluation", "RuleNotFired", "RuleTestRun", "RulesDiff", "Ruleset", "RulesetChecked", "RulesetError",
    "SensitivityReport", "Tables", "Translated", "VerifyResult", "WhyNot", "WriteError", "__version__", "add_account",
    "build_and_write", "calibrate", "check_rulesets", "default_audit_path", "disable_account", "evaluate",
    "evaluate_and_record", "evaluate_and_render", "evaluate_batch", "evaluate_file", "evaluate_text", "explain_why_not", "export_records",
    "fails", "judgement_from_file", "judgement_from_options", "letter", "list_accounts", "list_records",
    "load_catalogue", "load_profile", "load_ruleset", "measures_named_by", "measures_of", "parse_profile", "published_calibration", "rate_all",
    "rate_to_file", "render_fails", "render_json", "render_text", "report", "rules_diff", "rules_in_use_notes",
    "ruleset_for_year", "run_rule_tests", "schema_text", "serve_workbench", "show_record", "spreadsheet_cell",
    "take_checkpoint", "threshold_sensitivity", "translate_profiles", "use_rules", "verify_audit", "why_not",
    "write_case_profiles", "write_report", "write_schema", "write_synthetic",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
