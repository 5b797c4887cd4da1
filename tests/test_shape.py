"""The code's shape: a public surface that is typed and pinned, no import cycle, the layers held, and what
ships is enough for the documented commands after a plain install."""
from __future__ import annotations

import ast
import inspect
import os
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import engine

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "engine"

PUBLIC = [
    "Account", "AccountError", "AuditCheck", "AuditError", "AuditStore", "BatchResult", "BuildError", "BuildResult",
    "Calibration", "CaseProfiles", "Catalogue", "Decision", "DefectError", "EngineError", "Evaluation", "JudgementError",
    "LoadedProfile", "LoadedRuleset", "MeasureSpec", "Problem", "Profile", "ProfileError", "ProposedJudgement",
    "PublishedCalibration", "RecordedEvaluation", "RenderedEvaluation", "RuleNotFired", "RuleTestRun", "RulesDiff", "Ruleset", "RulesetChecked", "RulesetError",
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


def test_the_public_names_are_pinned_and_sorted():
    assert engine.__all__ == PUBLIC == sorted(PUBLIC)


def test_every_public_name_resolves_and_type_checkers_see_the_same_import():
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    checked = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    static = {alias.asname or alias.name: f"engine.{node.module}" for node in checked.body
              if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert sorted(static) == [name for name in PUBLIC if name != "__version__"]
    for name, module in static.items():
        value = getattr(engine, name)
        assert getattr(sys.modules[module], name) is value, name


def test_the_types_public_functions_return_are_public_too():
    missing = set()
    for name in PUBLIC:
        value = getattr(engine, name)
        if inspect.isfunction(value):
            returned = inspect.signature(value, eval_str=True).return_annotation
            for part in getattr(returned, "__args__", (returned,)):
                if getattr(part, "__module__", "").startswith("engine.") and part.__name__ not in PUBLIC:
                    missing.add(f"{name} -> {part.__name__}")
    assert missing == set()


def test_rate_all_is_reachable_from_the_package():
    from engine.batch.run import rate_all

    assert engine.rate_all is rate_all


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("engine", include_external_packages=True)


def test_the_import_graph_of_the_package_has_no_cycle():
    graph = _graph()
    modules = {m for m in graph.modules if m.startswith("engine.")}  # the root only gathers the public names
    edges = {m: {i for i in graph.find_modules_directly_imported_by(m) if i in modules} for m in modules}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(module: str, path: list[str]) -> bool:
        state[module] = 1
        for nxt in sorted(edges[module]):
            if state.get(nxt) == 1:
                cycle.extend(path[path.index(nxt):] + [module, nxt] if nxt in path else [module, nxt])
                return True
            if nxt not in state and visit(nxt, path + [module]):
                return True
        state[module] = 2
        return False

    assert not any(visit(m, []) for m in sorted(modules) if m not in state), " -> ".join(cycle)


def test_only_the_adapter_imports_durable_and_only_cli_knows_flags():
    graph = _graph()
    assert graph.find_modules_that_directly_import("durable") == {"engine.inference.adapter"}
    assert graph.find_modules_that_directly_import("click") == {"engine.cli"}


def test_the_command_line_imports_only_the_package_root_and_its_contract_names_every_module_beside_it():
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    (cli,) = [c for c in contracts if c.get("source_modules") == ["engine.cli"]]
    beside = {f"engine.{p.stem}" for p in PACKAGE.iterdir()
              if (p.suffix == ".py" and p.stem not in ("__init__", "cli")) or (p / "__init__.py").is_file()}
    assert set(cli["forbidden_modules"]) == beside
    direct = _graph().find_modules_directly_imported_by("engine.cli")
    assert {m for m in direct if m.startswith("engine")} == {"engine"}


def test_the_layers_contract_holds():
    result = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                             "sys.exit(lint_imports_command())"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_rules_test_passes_after_install_from_any_folder(tmp_path):
    """Run as an installed program from an empty folder: the shipped cases find the examples they name."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["ENGINE_AUDIT_DB"] = str(tmp_path / "audit.sqlite")
    result = subprocess.run([sys.executable, "-m", "engine.cli", "rules", "test", "--coverage"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 failed" in result.stdout and "Every rule, row and limit fired in at least one case." in result.stdout


@pytest.mark.parametrize("command", [["rules", "check"], ["measures", "--grep", "secondary"]])
def test_light_commands_do_not_import_pandas_or_durable_rules(command):
    code = ("import sys; from click.testing import CliRunner; from engine.cli import main; "
            f"r = CliRunner().invoke(main, {command!r}); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('pandas', 'durable', 'durable.engine', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
