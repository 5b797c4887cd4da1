"""``engine rules sensitivity``, as one call for the command line: the intervals the rule cases allow
(engine.sensitivity.sensitivity) and, given profiles, how councils move across each threshold's range
(engine.sensitivity.sweep), as text, JSON or an HTML page."""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, BuildError, Problem
from .files import write_whole
from .sensitivity import Sensitivity, json_objects, sensitivity
from .sensitivity import format_text as intervals_text
from .sweep import CouncilSweep, as_dicts, sensitivity_over_councils
from .sweep import format_text as councils_text


@dataclass
class SensitivityReport:
    cases: Sensitivity
    councils: CouncilSweep | None

    @property
    def problems(self) -> list[Problem]:
        """Profiles that could not be evaluated (the others were swept)."""
        return [p for f in self.councils.failures for p in f.problems] if self.councils else []

    @property
    def failing(self) -> list[str]:
        """A line for each case that fails with the ruleset as it is (it is left out of the intervals)."""
        return [f"case {name} fails with the ruleset as it is: {'; '.join(found)}" for name, found in self.cases.failing]

    @property
    def exit_code(self) -> int:
        """2 when a profile could not be evaluated, else 1 when a case fails with the ruleset as it is, else 0."""
        return EXIT_BAD_INPUT if self.problems else EXIT_FAILED if self.cases.failing else EXIT_OK

    def text(self) -> str:
        return intervals_text(self.cases) + ("\n" + councils_text(self.councils) if self.councils else "")

    def json(self) -> str:
        objects = json_objects(self.cases)
        if self.councils is not None:
            for obj, swept in zip(objects, as_dicts(self.councils), strict=True):
                obj["councils"] = {k: v for k, v in swept.items() if k not in ("threshold", "value", "interval")}
        return json.dumps(objects, indent=2) + "\n"


def threshold_sensitivity(ruleset: Path | str, cases: list[str] | None = None, profiles: Iterable[Path | str] = (),
                          html: Path | str | None = None) -> SensitivityReport:
    """The intervals over the ruleset's cases; with ``profiles``, the sweep over those councils, and with
    ``html`` the page written there (whole or not at all)."""
    profiles = list(profiles)
    if html is not None and not profiles:
        raise BuildError([Problem("file-not-found", "the page shows councils: give --profiles", str(html))])
    if html is not None and Path(html).suffix.lower() not in (".html", ".htm"):
        raise BuildError([Problem("table-invalid", "the page is HTML: name it .html", str(html))])
    result = sensitivity(ruleset, cases)
    councils = None
    if profiles:
        councils = sensitivity_over_councils(result.ruleset, profiles, {i.threshold.path: i for i in result.intervals})
    report = SensitivityReport(result, councils)
    if html is not None and councils is not None:
        from .sensitivity_page import render_page

        write_whole(Path(html), render_page(councils))
    return report

