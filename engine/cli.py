"""The command line: parse arguments, call one public function of :mod:`engine` per command, print. No
domain work here: what a command decides, how it words it and which exit code it ends with belong to its
result (``.text``, ``.exit_code``). This module imports only the package root (an import-linter contract).

The public names are imported inside commands (the package imports each on first use), so that
``engine --help`` imports neither pandas nor durable-rules.
"""
from __future__ import annotations

import functools
import sys
from typing import Any

import click


def reports_errors(command):
    """Bad input becomes located ``file:line:col: code: message`` lines on stderr and the error's exit code (2)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from . import EngineError  # here, not at the top: `engine --help` imports only click

        try:
            return command(*args, **kwargs)
        except EngineError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            _end(exc.exit_code)

    return wrapper


def _end(exit_code: int) -> None:
    """End with the exit code the command's result gives (0 is the ordinary end)."""
    if exit_code:
        sys.exit(exit_code)


def _rules_in_use(ctx: click.Context, _param: click.Parameter, folder: str | None) -> None:
    """``--rules DIR``: read rules (and the sibling indicators/) from DIR for this command; and, run inside a
    checkout whose rules/ or indicators/ differ from those in use, say so on standard error."""
    from . import rules_in_use_notes, use_rules

    if folder is not None:
        ctx.with_resource(use_rules(folder))
    for note in rules_in_use_notes():
        click.echo(note, err=True)


# One definition for every command that reads rules/ or indicators/.
RULES_OPTION = click.option(
    "--rules", "rules_folder", type=click.Path(file_okay=False, exists=True), default=None, expose_value=False, is_eager=True,
    callback=_rules_in_use, metavar="DIR",
    help="The rules folder to use (with its sibling indicators/, if any), e.g. a checkout's rules/ "
         "(default: $ENGINE_RULES, else the rules installed with the engine).")
class _Progress:
    """A progress bar on standard error, opened at the first report of how far a rating is, closed once."""

    def __init__(self) -> None:
        self.bar: Any = None  # click's ProgressBar once the rating reports its length

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="rating", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


_AUDIT_OPTION = click.option("--audit", "audit_path", type=click.Path(dir_okay=False), default=None,
                             help="The audit store (default: $ENGINE_AUDIT_DB, else ~/.local/share/engine/audit.sqlite).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="engine")
def main() -> None:
    """Rate a council's children's services by the 2009, 2010 or 2011 method, and show why.

    \b
    Example:
      engine evaluate examples/camden.yaml
    """


@main.command()
@click.argument("profile", type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for a reviewer, json for programs (proposed_band and final_band at the top level).")
@click.option("--ruleset", "ruleset_path", type=click.Path(dir_okay=False), default=None,
              help="A ruleset file to use instead of the one in rules/ for the profile's year.")
@click.option("--full", is_flag=True, help="Also list every derived measure with its inputs (text format).")
@click.option("--explain", type=click.Choice(["fails"]), default=None,
              help="fails: only the rules, limits and withhold rules that did not fire, each with its first failing "
                   "condition and its place in the ruleset file.")
@click.option("--judgement", "judgement_file", type=click.Path(dir_okay=False), default=None,
              help="A professional judgement: YAML with band, assessor, reason and optionally date.")
@click.option("--override-band", type=int, default=None,
              help="A professional judgement of the band, one of the ruleset's bands (its scale; with --assessor, --reason).")
@click.option("--assessor", default=None, help="Who makes the judgement given by --override-band.")
@click.option("--reason", default=None, help="Why, in writing, for the judgement given by --override-band.")
@click.option("--audit", "audit_path", type=click.Path(dir_okay=False), default=None,
              help="The audit store to record in (default: $ENGINE_AUDIT_DB, else ~/.local/share/engine/audit.sqlite).")
@click.option("--no-audit", is_flag=True, help="Do not record this evaluation.")
@click.option("--supersedes", default=None, help="The id of an earlier record this evaluation revises.")
@RULES_OPTION
@reports_errors
def evaluate(profile: str, output_format: str, ruleset_path: str | None, full: bool, explain: str | None, judgement_file: str | None,
             override_band: int | None, assessor: str | None, reason: str | None, audit_path: str | None,
             no_audit: bool, supersedes: str | None) -> None:
    """Evaluate PROFILE: proposed band, limits, judgement, final band and the trace behind them.

    Every evaluation is recorded in the audit store unless --no-audit is given; the record id and the
    store's path are printed on standard error.

    \b
    Examples:
      engine evaluate examples/camden.yaml
      engine evaluate examples/cambridgeshire.yaml --format json
      engine evaluate examples/camden.yaml --explain fails
      engine evaluate examples/cambridgeshire.yaml --override-band 4 --assessor "A. Assessor" --reason "..."
    """
    from . import evaluate_and_render

    if judgement_file and override_band is not None:
        raise click.UsageError("give either --judgement FILE or --override-band N, not both")
    if override_band is None and (assessor is not None or reason is not None):
        raise click.UsageError("--assessor and --reason go with --override-band")
    if no_audit and supersedes:
        raise click.UsageError("--supersedes names a record, so it cannot go with --no-audit")
    shown = evaluate_and_render(profile, ruleset_path, output_format=output_format, full=full, explain=explain,
                                judgement_file=judgement_file, override_band=override_band, assessor=assessor, reason=reason,
                                record=not no_audit, audit_path=audit_path, supersedes=supersedes)
    for line in shown.notes():
        click.echo(line, err=True)
    click.echo(shown.text, nl=False)


@main.command()
@click.option("--grep", "pattern", default=None, help="Only measures whose name contains this text.")
@click.option("--ruleset", "ruleset_path", type=click.Path(dir_okay=False), default=None,
              help="The ruleset whose catalogue names the measures (default: the newest ruleset in rules/).")
@RULES_OPTION
@reports_errors
def measures(pattern: str | None, ruleset_path: str | None) -> None:
    """List every measure a ruleset's rules may use, with its kind and meaning.

    \b
    Example:
      engine measures --grep secondary_schools
    """
    from . import measures_named_by, measures_of

    click.echo(f"measures of the catalogue named by {measures_named_by(ruleset_path)}", err=True)
    for spec in measures_of(ruleset_path, pattern):
        click.echo(f"{spec.name}\t{spec.kind}\t{spec.description}")


# --- What a reviewer reads: report, letter, why not band N (issue 5) -----------------------------


@main.command()
@click.argument("profile", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--format", "output_format", type=click.Choice(["html", "markdown"]), default="html", show_default=True,
              help="html: one self-contained page with inline charts; markdown: the same evidence and reasons as text.")
@click.option("--judgement", "judgement_file", type=click.Path(dir_okay=False), default=None,
              help="A professional judgement: YAML with band, assessor, reason and optionally date.")
@_AUDIT_OPTION
@click.option("--no-audit", is_flag=True, help="Do not record this evaluation (the page then names no audit record).")
@RULES_OPTION
@reports_errors
def report(profile: str, output: str | None, output_format: str, judgement_file: str | None, audit_path: str | None,
           no_audit: bool) -> None:
    """Report on PROFILE for a reviewer: the band and the rules that decided it, what would change it, then the
    evidence, charts and reasons by stage. The evaluation is recorded in the audit store (as by evaluate) and the
    page names its record.

    \b
    Examples:
      engine report examples/camden.yaml -o camden.html
      engine report examples/cambridgeshire.yaml --format markdown
    """
    from . import report as render_report
    from . import write_report

    if output:
        write_report(profile, output, output_format, judgement_path=judgement_file, record=not no_audit, audit_path=audit_path)
        click.echo(f"wrote {output}")
    else:
        click.echo(render_report(profile, output_format, judgement_path=judgement_file, record=not no_audit, audit_path=audit_path),
                   nl=False)


@main.command()
@click.argument("profile", type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["markdown", "html"]), default="markdown", show_default=True,
              help="markdown for reading or editing, html for a printable page.")
@click.option("--judgement", "judgement_file", type=click.Path(dir_okay=False), default=None,
              help="A professional judgement: YAML with band, assessor, reason and optionally date.")
@RULES_OPTION
@reports_errors
def letter(profile: str, output_format: str, judgement_file: str | None) -> None:
    """Write the rating letter to the council for PROFILE, in the form of Ofsted's 2009 letters.

    \b
    Example:
      engine letter examples/camden.yaml
    """
    from . import letter as render_letter

    click.echo(render_letter(profile, output_format, judgement_path=judgement_file), nl=False)


@main.command()
@click.argument("profile", type=click.Path(dir_okay=False))
@click.option("--why-not", "band", type=int, required=True,
              help="A band of the ruleset's scale other than the final one: what stands in the way, and the smallest changes "
                   "that reach it.")
@RULES_OPTION
@reports_errors
def explain(profile: str, band: int) -> None:
    """Explain why PROFILE did not get BAND: the conditions in the way, the limits, and changes that reach it.

    \b
    Example:
      engine explain examples/cambridgeshire.yaml --why-not 4
    """
    from . import explain_why_not

    click.echo(explain_why_not(profile, band), nl=False)


# --- The audit trail (issue 3) -------------------------------------------------------------------



@main.group()
def audit() -> None:
    """Read and check the audit trail of evaluations. Nothing here edits or deletes a record.

    \b
    Example:
      engine audit verify
    """


@audit.command("list")
@click.option("--council", default=None, help="Only this council's records: its code, or text in its name (any case).")
@click.option("--year", type=int, default=None, help="Only records of this assessment year.")
@click.option("--account", default=None, help="Only records of evaluations run by this account.")
@_AUDIT_OPTION
@reports_errors
def audit_list(council: str | None, year: int | None, account: str | None, audit_path: str | None) -> None:
    """List the recorded evaluations, oldest first: number, id, time, who, authority, bands.

    \b
    Examples:
      engine audit list --audit audit.sqlite
      engine audit list --council camden --year 2009 --account alice
    """
    from . import list_records

    for line in list_records(audit_path, council=council, year=year, account=account):
        click.echo(line)


@audit.command("show")
@click.argument("record_id")
@_AUDIT_OPTION
@reports_errors
def audit_show(record_id: str, audit_path: str | None) -> None:
    """Show one recorded evaluation (RECORD_ID or its first characters) as a reviewer reads it.

    \b
    Example:
      engine audit show 4f2c
    """
    from . import show_record

    click.echo(show_record(record_id, audit_path), nl=False)


@audit.command("export")
@click.option("--format", "output_format", type=click.Choice(["jsonl"]), default="jsonl", show_default=True,
              help="jsonl: one JSON object per record, in chain order.")
@_AUDIT_OPTION
@reports_errors
def audit_export(output_format: str, audit_path: str | None) -> None:
    """Export every record, with its hashes, for archiving or checking elsewhere.

    \b
    Example:
      engine audit export --format jsonl > audit.jsonl
    """
    from . import export_records

    export_records(sys.stdout, audit_path)


@audit.command("verify")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(dir_okay=False), default=None,
              help="A checkpoint (engine audit checkpoint): also report any rewrite of the records it covers.")
@_AUDIT_OPTION
@reports_errors
def audit_verify(checkpoint_file: str | None, audit_path: str | None) -> None:
    """Re-compute the hash chain; exit 1 naming the first record altered, removed or reordered.

    With --checkpoint, the records the checkpoint covers must also be those it recorded: a rewrite after
    which every hash was recomputed is caught too (exit 1).

    \b
    Examples:
      engine audit verify --audit audit.sqlite
      engine audit verify --checkpoint audit.checkpoint.yaml
    """
    from . import verify_audit

    checked = verify_audit(audit_path, checkpoint_file)
    click.echo(checked.text, err=not checked.ok, nl=False)
    _end(checked.exit_code)


@audit.command("checkpoint")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the checkpoint to this file (default: print it, to keep it elsewhere).")
@_AUDIT_OPTION
@reports_errors
def audit_checkpoint(output: str | None, audit_path: str | None) -> None:
    """Verify the chain and write a checkpoint of it (record count, head hash, time, engine version) to keep
    somewhere else: `audit verify --checkpoint` then catches a rewrite even with every hash recomputed.

    \b
    Example:
      engine audit checkpoint -o audit.checkpoint.yaml
    """
    from . import take_checkpoint

    checked = take_checkpoint(audit_path, output)
    click.echo(checked.text, err=not checked.ok, nl=False)
    _end(checked.exit_code)


# --- Rule authors' tools: rules check, rules test, schema (issue 4) ------------------------------

@main.group()
def rules() -> None:
    """Check rulesets and run their test cases, for the analysts who maintain rules/.

    \b
    Example:
      engine rules check rules/csa-2009.yaml
    """


@rules.command("check")
@click.argument("rulesets", nargs=-1, type=click.Path(dir_okay=False))
@RULES_OPTION
@reports_errors
def rules_check(rulesets: tuple[str, ...]) -> None:
    """Check RULESETS (default: every ruleset in rules/) without evaluating: every problem, sorted, exit 2 if any.

    \b
    Example:
      engine rules check rules/csa-2009.yaml
    """
    from . import check_rulesets

    for checked in check_rulesets(rulesets):
        click.echo(checked.summary)


@rules.command("test")
@click.argument("cases", nargs=-1, type=click.Path(exists=False))
@click.option("--coverage", is_flag=True, help="Also count, per rule, decision-table row and limit, the cases that made it fire.")
@click.option("--ruleset", "ruleset_path", type=click.Path(dir_okay=False), default=None,
              help="Run every case against this ruleset file (a draft, an edited copy) instead of its own; "
                   "default cases: those of the ruleset's id, rules/cases/<id>/.")
@RULES_OPTION
@reports_errors
def rules_test(cases: tuple[str, ...], coverage: bool, ruleset_path: str | None) -> None:
    """Run rule test CASES (files or folders; default: rules/cases/): pass or fail per case, exit 1 on any failure.

    \b
    Examples:
      engine rules test
      engine rules test rules/cases/csa-2009 --coverage
      engine rules test rules/cases/csa-2009 --ruleset draft.yaml
    """
    from . import run_rule_tests

    run = run_rule_tests(list(cases), ruleset_path)
    click.echo(run.text(coverage), nl=False)
    _end(run.exit_code)


@rules.command("profiles")
@click.argument("cases", nargs=-1, type=click.Path(exists=False))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="A folder for the profiles.")
@RULES_OPTION
@reports_errors
def rules_profiles(cases: tuple[str, ...], output: str) -> None:
    """Write the profile each rule test case in CASES (files or folders; default: rules/cases/) evaluates, its
    changes laid over its baseline, so that evaluate, letter and report read it as its test does.

    \b
    Example:
      engine rules profiles rules/cases/csa-2009/published -o published-2009/
      engine letter published-2009/leeds-2009.yaml
    """
    from . import write_case_profiles

    written = write_case_profiles(list(cases), output)
    click.echo(written.text, nl=False)
    _end(written.exit_code)


@rules.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.argument("profiles", nargs=-1, required=True, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="text: the summary and each council whose band changes, with the rules behind it; json and csv: "
                   "every council given, changed or not.")
@RULES_OPTION
@reports_errors
def rules_diff_command(old: str, new: str, profiles: tuple[str, ...], output_format: str) -> None:
    """What changing ruleset OLD for NEW does to every council in PROFILES (folders, profile files or tables).

    Each council is evaluated with both rulesets: bands before and after, and the rules, decision-table rows
    and limits whose firing changed. A council that cannot be evaluated with one of them is reported
    (file:line:col) and the exit code is then 2.

    \b
    Examples:
      engine rules diff rules/csa-2009.yaml draft.yaml profiles/
      engine rules diff rules/csa-2009.yaml rules/csa-2010.yaml profiles/ --format csv > moves.csv
    """
    from . import rules_diff

    diff = rules_diff(old, new, profiles)
    for problem in diff.problems:
        click.echo(str(problem), err=True)
    click.echo(diff.text(output_format), nl=False)
    _end(diff.exit_code)


@rules.command("sensitivity")
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.option("--cases", "cases", multiple=True, type=click.Path(),
              help="The rule cases to hold (files or folders; default: rules/cases/<the ruleset's id>/).")
@click.option("--profiles", "profiles", multiple=True, type=click.Path(),
              help="Councils to sweep (folders of profiles, profile files or tables): how many change band as each threshold moves.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for a reviewer; json: a list of objects with threshold, value, low, high, bounded_by, ...")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="With --profiles: also write the HTML page (one chart per threshold) to this file.")
@RULES_OPTION
@reports_errors
def rules_sensitivity(ruleset: str, cases: tuple[str, ...], profiles: tuple[str, ...], output_format: str, output: str | None) -> None:
    """For every threshold of RULESET, the interval of values over which every rule case keeps its outcome.

    Each named proportion, tolerance and literal bound in a condition is named by a dotted path into the
    ruleset (proportions.a_large_majority, comparison.settings_tolerance, rules.settings_good.when.1.at_most).
    A threshold no case bounds is flagged as unconstrained by any published outcome. Exit 1 if a case fails
    with the ruleset as it is (it is left out of the intervals).

    \b
    Examples:
      engine rules sensitivity rules/csa-2009.yaml
      engine rules sensitivity rules/csa-2009.yaml --profiles profiles/ -o sensitivity.html
    """
    from . import threshold_sensitivity

    report = threshold_sensitivity(ruleset, list(cases) or None, profiles, output)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    click.echo(report.json() if output_format == "json" else report.text(), nl=False)
    if output:
        click.echo(f"wrote {output}", err=True)
    for line in report.failing:
        click.echo(line, err=True)
    _end(report.exit_code)


@rules.command("calibrate")
@click.argument("rulesets", metavar="[RULESET]...", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--outcomes", default=None, type=click.Path(dir_okay=False),
              help="Search instead: published outcomes, a table (CSV, Excel, Parquet) with authority (name or code), year, "
                   "published_band; with --profiles and -o.")
@click.option("--profiles", "profiles", multiple=True, type=click.Path(),
              help="With --outcomes: the councils' profiles (folders of profiles, profile files or tables).")
@click.option("-o", "--output", default=None, type=click.Path(dir_okay=False),
              help="With --outcomes: where to write the proposed ruleset, a new file (never a shipped ruleset).")
@click.option("--force", is_flag=True, help="With --outcomes: replace the output file if it exists.")
@click.option("--cases", "cases", multiple=True, type=click.Path(),
              help="The rule cases to hold (default: rules/cases/<the ruleset's id>/).")
@click.option("--only", "only", multiple=True,
              help="With --outcomes: search only these thresholds (dotted paths); default: every threshold a condition uses.")
@click.option("--diff", "diff_output", type=click.Path(dir_okay=False), default=None,
              help="With --outcomes: also write the rules diff of the proposal's effect to this file (.json, .csv or .txt).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Without --outcomes: text for a reviewer; json: per ruleset, each threshold's place and intervals.")
@RULES_OPTION
@reports_errors
def rules_calibrate(rulesets: tuple[str, ...], outcomes: str | None, profiles: tuple[str, ...], output: str | None, force: bool,
                    cases: tuple[str, ...], only: tuple[str, ...], diff_output: str | None, output_format: str) -> None:
    """Where each threshold may lie so that every published outcome is reproduced; or, with --outcomes, a search for values.

    Without --outcomes: for every threshold of each RULESET (default: every shipped ruleset), the interval over
    which every published case keeps its band, status and direction of travel, and the cases bounding each end
    (a known miss bounds nothing), beside the interval the invented cases allow; and whether the ruleset's value
    lies inside, on the edge of or outside the published interval. Exit 1 if a value lies outside, or a case fails.

    With --outcomes: search RULESET's thresholds, within what its rule cases allow, for values that reproduce the
    most published bands of a table; prints agreement before and after, each threshold moved, the councils still
    missed with their decisive rules, and the rules diff of the proposal's effect; writes the proposed ruleset to -o.

    \b
    Examples:
      engine rules calibrate rules/csa-2009.yaml
      engine rules calibrate rules/csa-2009.yaml --outcomes published.csv --profiles profiles/ -o proposed.yaml
    """
    if outcomes is None:
        given = [name for name, value in (("--profiles", profiles), ("-o", output), ("--force", force), ("--only", only),
                                          ("--diff", diff_output)) if value]
        if given:
            raise click.UsageError(f"{', '.join(given)} go{'es' * (len(given) == 1)} with --outcomes (the search)")
        from . import published_calibration

        placed = published_calibration(rulesets, list(cases) or None)
        click.echo(placed.json() if output_format == "json" else placed.text(), nl=False)
        _end(placed.exit_code)
        return
    if len(rulesets) != 1 or not profiles or output is None:
        raise click.UsageError("the search (--outcomes) calibrates one RULESET, with --profiles and -o")
    from . import calibrate

    result = calibrate(rulesets[0], outcomes, profiles, output, cases=list(cases) or None, force=force, only=list(only) or None)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    click.echo(result.text(), nl=False)
    if diff_output:
        result.diff.write(diff_output)
        click.echo(f"wrote {diff_output}", err=True)
    _end(result.exit_code)


@main.command("schema")
@click.argument("name", type=click.Choice(["profile", "ruleset", "judgement"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write to this file instead of printing.")
@reports_errors
def schema_command(name: str, output: str | None) -> None:
    """Print the JSON Schema of NAME files (profile, ruleset or judgement), for editors to validate as you type.

    \b
    Example:
      engine schema profile -o schemas/profile.schema.json
    """
    from . import schema_text, write_schema

    if output:
        write_schema(name, output)
    else:
        click.echo(schema_text(name), nl=False)


# --- All councils at once: batch, profiles build, synthetic England (issue 6) ---------------------


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The results, one row per council rated: .csv, .json, .parquet or .xlsx.")
@click.option("--audit", "audit_path", type=click.Path(dir_okay=False), default=None,
              help="The audit store to record in (default: $ENGINE_AUDIT_DB, else ~/.local/share/engine/audit.sqlite).")
@click.option("--no-audit", is_flag=True, help="Do not record the evaluations.")
@click.option("--ruleset", "ruleset_path", type=click.Path(dir_okay=False), default=None,
              help="A ruleset file to rate every profile with, whatever its year (a what-if where the years differ, "
                   "labelled so in the output).")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Processes rating at once (default: one per CPU). Results are the same, in the same order.")
@RULES_OPTION
@reports_errors
def batch(inputs: tuple[str, ...], output: str, audit_path: str | None, no_audit: bool, ruleset_path: str | None,
          workers: int | None) -> None:
    """Rate every council in INPUTS: folders of profiles, profile files, or tables with a council per row.

    A council whose profile is invalid is reported (file:line:col) and the rest are still rated and
    written; the exit code is then 2. The summary gives the distribution of bands, the councils whose
    rating is withheld (counted apart) and the councils whose band a limit lowered.

    \b
    Examples:
      engine batch profiles/ -o results.csv
      engine batch councils.xlsx -o results.parquet --no-audit
      engine batch real-2015/ --ruleset rules/csa-2009.yaml -o what-if-2015.csv
      engine batch profiles/ -o under-2010.csv --ruleset rules/csa-2010.yaml
    """
    from . import default_audit_path, rate_to_file

    progress = _Progress()
    try:
        result = rate_to_file(inputs, output, audit=None if no_audit else default_audit_path(audit_path),
                              progress=progress if sys.stderr.isatty() else None, ruleset=ruleset_path, workers=workers)
    finally:
        progress.close()
    for problem in result.problems:
        click.echo(str(problem), err=True)
    click.echo(f"wrote {output}")
    for line in result.summary_lines():
        click.echo(line)
    _end(result.exit_code)


@main.group()
def profiles() -> None:
    """Make council profiles from inspection records and indicator tables.

    \b
    Example:
      engine profiles synthetic data/ && engine profiles build --councils data/synthetic-councils.csv ...
    """


@profiles.command("build")
@click.option("--councils", required=True, type=click.Path(dir_okay=False),
              help="One row per council: code, name, and its latest safeguarding and unannounced inspections.")
@click.option("--settings", multiple=True, type=click.Path(),
              help="Provider-level inspection records: provider, council, setting type, latest grade, inspection date. "
                   "May be given more than once.")
@click.option("--indicators", multiple=True, type=click.Path(),
              help="Indicator values: a row per council and indicator, or a row per council with indicators derived from "
                   "its columns. A file or a folder; may be given more than once.")
@click.option("--neighbours", type=click.Path(dir_okay=False), default=None,
              help="Statistical neighbours: council -> each of its similar areas, one row each.")
@click.option("--columns", "columns_config", type=click.Path(dir_okay=False), default=None,
              help="A column config (YAML): how to read the extracts and map their names and values to the builder's.")
@click.option("--year", type=int, default=None, help="The assessment year of the profiles (default: the column config's, else the first year rated).")
@click.option("--ruleset", "ruleset_path", type=click.Path(dir_okay=False), default=None,
              help="The ruleset whose catalogue is the profiles' vocabulary (default: the column config's, else the ruleset "
                   "for the year).")
@click.option("--base", type=click.Path(file_okay=False), default=None,
              help="A folder of existing profiles: lay the built sections over them (matched by authority.code), listing "
                   "every value that changes.")
@click.option("--summary/--no-summary", "show_summary", default=None,
              help="Say what became of every row read (default: when rows were set aside, skipped or matched by alias).")
@click.option("-o", "--output", required=True, type=click.Path(),
              help="A folder for one YAML profile per council, or a table file (.csv, .xlsx, .parquet) with a row each.")
@RULES_OPTION
@reports_errors
def profiles_build(councils: str, settings: tuple[str, ...], indicators: tuple[str, ...], neighbours: str | None,
                   columns_config: str | None, year: int | None, ruleset_path: str | None, base: str | None,
                   show_summary: bool | None, output: str) -> None:
    """Build council profiles; national and similar-areas comparators are computed from the tables, or taken
    from an extract's row for England.

    Rows that cannot be used are reported (file:line:col) and left out; the exit code is then 2. Rows the
    column config sets aside are counted, by reason, in the summary.

    \b
    Examples:
      engine profiles build --councils data/synthetic-councils.csv --settings data/synthetic-settings.csv \\
        --indicators data/synthetic-indicators.csv --neighbours data/synthetic-neighbours.csv \\
        --columns data/synthetic-columns.yaml -o profiles/
      engine profiles build --columns examples/real/looked-after-2011.yaml --councils la_152.csv \\
        --indicators cla_2011/ --indicators outcomes_2011/ --neighbours neighbours.csv --base examples/ -o overlaid/
    """
    from . import Tables, build_and_write

    if not settings and not indicators:
        raise click.UsageError("give --settings or --indicators (or both): there is nothing to build from")
    result, written = build_and_write(Tables(councils, settings, indicators, neighbours), output, columns=columns_config,
                                      year=year, ruleset=ruleset_path, base=base)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    for line in result.report_lines(output, show_summary):
        click.echo(line)
    _end(result.exit_code)


@profiles.command("synthetic")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--seed", type=int, default=None, help="The same seed gives the same England (default: the year).")
@click.option("--councils", type=click.IntRange(2, 10000), default=152, show_default=True, help="How many councils.")
@click.option("--year", type=int, default=None,
              help="The assessment year (2009, 2010 or 2011): its ruleset's vocabulary, and a spread like that year's "
                   "(default: the first year rated).")
@RULES_OPTION
@reports_errors
def profiles_synthetic(directory: str, seed: int | None, councils: int, year: int | None) -> None:
    """Write a SYNTHETIC England into DIRECTORY: the four tables `profiles build` reads and their column config.

    The column config written names the year and its ruleset, so `engine profiles build --columns` with it
    makes profiles of that year.

    \b
    Examples:
      engine profiles synthetic data/ --seed 2009
      engine profiles synthetic data-2010/ --year 2010
    """
    from . import write_synthetic

    for name, path in write_synthetic(directory, seed, councils, year=year).items():
        click.echo(f"{name}: {path}")
    click.echo("SYNTHETIC: generated data, not real councils.")


@profiles.command("translate")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--to", "target", required=True, help="The catalogue to write them in (a name in indicators/, e.g. csa-2011).")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="A folder for the translated profiles.")
@reports_errors
def profiles_translate(inputs: tuple[str, ...], target: str, output: str) -> None:
    """Rewrite profiles (folders of *.yaml, or files) in another catalogue's words, by the translation in
    indicators/translations/, and say what became of every item: kept, renamed, merged or dropped, and why.

    
    Example:
      engine profiles translate profiles-2010/ --to csa-2011 -o profiles-2010-in-2011/
    """
    from . import translate_profiles

    result = translate_profiles(inputs, target, output)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    click.echo(result.text, nl=False)
    _end(result.exit_code)


# --- The reviewers' workbench (issue 18) ----------------------------------------------------------

_STORE_OPTION = click.option("--store", "store_path", type=click.Path(dir_okay=False), default=None,
                             help="The workbench's store of accounts and sessions (default: $ENGINE_WORKBENCH_DB, else "
                                  "~/.local/share/engine/workbench.sqlite).")


@main.group()
def users() -> None:
    """Accounts of the workbench: add, list, disable. There is no default account: the first admin is added here.

    \b
    Example:
      engine users add alice --role admin
    """


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["viewer", "assessor", "moderator", "admin"]),
              help="viewer reads; assessor proposes judgements; moderator confirms or returns others' proposals; admin manages.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input (as when it is a pipe).")
@_STORE_OPTION
@reports_errors
def users_add(name: str, role: str, password_stdin: bool, store_path: str | None) -> None:
    """Add the account NAME with a role; its password is asked for (never given on the command line).

    \b
    Examples:
      engine users add alice --role admin
      printf '%s\\n' "$PASSWORD" | engine users add bob --role assessor --password-stdin
    """
    from . import add_account

    # From the terminal, asked twice and not echoed; from a pipe (or with --password-stdin), its first line.
    piped = password_stdin or not sys.stdin.isatty()
    password = sys.stdin.readline().rstrip("\r\n") if piped else click.prompt("Password", hide_input=True, confirmation_prompt=True)
    account = add_account(name, role, password, store_path)
    click.echo(f"added {account.name} ({account.role})")


@users.command("list")
@_STORE_OPTION
@reports_errors
def users_list(store_path: str | None) -> None:
    """List the accounts: name, role, whether disabled, when added.

    \b
    Example:
      engine users list
    """
    from . import list_accounts

    for account in list_accounts(store_path):
        click.echo(f"{account.name}\t{account.role}\t{'disabled' if account.disabled else 'active'}\t{account.created_at}")


@users.command("disable")
@click.argument("name")
@_STORE_OPTION
@reports_errors
def users_disable(name: str, store_path: str | None) -> None:
    """Disable the account NAME: it can no longer sign in, and its sessions end now.

    \b
    Example:
      engine users disable bob
    """
    from . import disable_account

    disable_account(name, store_path)
    click.echo(f"disabled {name}")


@main.command()
@click.argument("directory", type=click.Path(exists=True))
@click.option("--ruleset", "ruleset_path", type=click.Path(dir_okay=False), default=None,
              help="A ruleset file to rate every profile with, instead of the one for its year.")
@click.option("--audit", "audit_path", type=click.Path(dir_okay=False), default=None,
              help="The audit store (default: $ENGINE_AUDIT_DB, else ~/.local/share/engine/audit.sqlite).")
@_STORE_OPTION
@click.option("--checkpoint", "checkpoint_file", type=click.Path(dir_okay=False), default=None,
              help="A checkpoint file (`engine audit checkpoint`) the audit page's verify holds the chain to.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on (127.0.0.1: this machine only).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@reports_errors
def serve(directory: str, ruleset_path: str | None, audit_path: str | None, store_path: str | None, checkpoint_file: str | None,
          host: str, port: int) -> None:
    """Serve the reviewers' workbench over DIRECTORY's profiles: the year, each council, four-eyes judgement, the audit trail.

    \b
    Example:
      engine users add alice --role admin && engine serve examples/
    """
    from . import serve_workbench

    progress = _Progress()

    def say(line: str) -> None:
        progress.close()  # the rating is done once the server speaks
        click.echo(line, err=True)

    try:
        serve_workbench(directory, ruleset=ruleset_path, audit=audit_path, store=store_path, checkpoint=checkpoint_file,
                        host=host, port=port, progress=progress, say=say)
    finally:
        progress.close()


if __name__ == "__main__":  # pragma: no cover
    main()
