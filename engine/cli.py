"""The command line: parse arguments, call one library function, print. No domain work here.

Heavy imports (pandas, durable-rules) happen inside commands so that ``engine --help`` stays fast.
"""
from __future__ import annotations

import functools
import os
import sys

import click

EXIT_BAD_INPUT = 2


def reports_errors(command):
    """Bad input becomes located ``file:line:col: code: message`` lines on stderr and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from .errors import EngineError

        try:
            return command(*args, **kwargs)
        except EngineError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            sys.exit(EXIT_BAD_INPUT)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="engine")
def main() -> None:
    """Rate a council's children's services, 2009 method, and show why.

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
@reports_errors
def evaluate(profile: str, output_format: str, ruleset_path: str | None, full: bool) -> None:
    """Evaluate PROFILE: proposed band, limits, final band and the trace behind them.

    \b
    Examples:
      engine evaluate examples/camden.yaml
      engine evaluate examples/cambridgeshire.yaml --format json
    """
    from .pipeline import evaluate_file

    decision = evaluate_file(profile, ruleset_path)
    if output_format == "json":
        from .render.json import render_json

        click.echo(render_json(decision), nl=False)
    else:
        from .render.text import render_text

        click.echo(render_text(decision, full=full), nl=False)


@main.command()
@click.option("--grep", "pattern", default=None, help="Only measures whose name contains this text.")
@reports_errors
def measures(pattern: str | None) -> None:
    """List every measure rules may use, with its kind and meaning.

    \b
    Example:
      engine measures --grep secondary_schools
    """
    from .catalogue import load_catalogue
    from .measures import measure_catalogue

    for spec in measure_catalogue(load_catalogue()).values():
        if pattern is None or pattern in spec.name:
            click.echo(f"{spec.name}\t{spec.kind}\t{spec.description}")


if __name__ == "__main__":  # pragma: no cover
    main()
