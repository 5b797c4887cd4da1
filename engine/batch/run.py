"""Many councils at once: every profile in folders, files or tables rated, one result row per council.

A council whose profile is invalid is reported with its location and does not stop the others. For
notebooks, :func:`rate_all` returns the results as a pandas DataFrame.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..audit.store import AuditStore
from ..decide.pipeline import evaluate_document, evaluate_text
from ..errors import EngineError, Problem, ProfileError
from ..load.yaml import read_text
from ..model.source import SourceDocument
from ..model.trace import Decision
from ..render.escape import one_line
from .profile_table import column_problems, document_text, row_document
from .tables import check_writable, is_table, line_of, read_table, write_table

PROFILE_SUFFIXES = (".yaml", ".yml")
# A result row's columns: these, with a "<stage>_grade" column for each grading stage between them.
LEADING = ["authority", "authority_code", "year", "proposed_band", "limits", "limited_band", "judgement", "final_band",
           "final_words"]
TRAILING = ["decisive_rules", "ruleset", "input_hash", "source", "audit_record"]


@dataclass(frozen=True)
class ProfileSource:
    """One council's profile as read: its label (``file`` or ``table:line``) and its text; a table's row also
    carries its data, already read and located at its cells."""

    label: str
    file: str
    text: str
    document: SourceDocument | None = None  # for a table row


@dataclass
class Failure:
    source: str
    problems: list[Problem]


@dataclass
class BatchResult:
    results: pd.DataFrame
    failures: list[Failure] = field(default_factory=list)
    band_words: dict[int, str] = field(default_factory=dict)
    audit_path: Path | None = None

    @property
    def limited(self) -> pd.DataFrame:
        """Councils whose band a limit lowered."""
        return self.results[self.results["limited_band"] < self.results["proposed_band"]]

    def distribution(self) -> dict[int, int]:
        counts = Counter(self.results["final_band"]) if len(self.results) else Counter()
        return {band: int(counts.get(band, 0)) for band in (4, 3, 2, 1)}


def collect(inputs: Iterable[Path | str]) -> tuple[list[ProfileSource], list[Failure]]:
    """Every profile named: a folder's *.yaml files, a profile file, or each row of a table."""
    sources: list[ProfileSource] = []
    failures: list[Failure] = []
    for given in inputs:
        path = Path(given)
        try:
            if path.is_dir():
                # Regular files only: a pipe or a device named *.yaml in the folder would block or never end.
                files = sorted(p for p in path.iterdir() if p.suffix.lower() in PROFILE_SUFFIXES and p.is_file())
                if not files:
                    raise ProfileError([Problem("file-not-found", "no profile files (*.yaml) in this folder", str(path))])
                sources += [_file_source(p) for p in files]
            elif is_table(path):
                frame = read_table(path, ProfileError)
                columns = list(frame.columns)
                problems = column_problems(columns, str(path))
                if problems:
                    raise ProfileError(problems)
                for i, row in enumerate(frame.to_dict("records")):
                    doc = row_document(row, columns, str(path), line_of(i))
                    sources.append(ProfileSource(f"{path}:{line_of(i)}", str(path), document_text(doc), doc))
            else:
                sources.append(_file_source(path))
        except EngineError as exc:
            failures.append(Failure(str(path), exc.problems))
    return sources, failures


def _file_source(path: Path) -> ProfileSource:
    return ProfileSource(str(path), str(path), read_text(path, ProfileError))


def evaluate_source(source: ProfileSource) -> Decision:
    """The decision for one source; a table row's problems are located on its row and column."""
    if source.document is not None:
        return evaluate_document(source.document).decision
    return evaluate_text(source.text, source.file).decision


def evaluate_batch(inputs: Iterable[Path | str], *, audit: Path | str | None = None, run_by: str | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   sources: list[ProfileSource] | None = None) -> BatchResult:
    """Rate every profile; with ``audit`` (a store path), record each evaluation in the audit trail.

    ``progress`` is called after each profile with (profiles done, profiles in all).
    """
    failures: list[Failure] = []
    if sources is None:
        sources, failures = collect(inputs)
    store = _open_audit(audit)
    rows: list[dict[str, Any]] = []
    band_words: dict[int, str] = {}
    try:
        for done, source in enumerate(sources, 1):
            try:
                decision = evaluate_source(source)
            except EngineError as exc:
                failures.append(Failure(source.label, exc.problems))
            else:
                band_words = band_words or dict(decision.band_words)
                record = store.append(decision, profile_source_text=source.text, run_by=run_by) if store else None
                rows.append(result_row(decision, source.label, record))
            if progress:
                progress(done, len(sources))
    finally:
        if store:
            store.close()
    grade_columns = list(dict.fromkeys(k for row in rows for k in row if k not in LEADING + TRAILING))
    frame = pd.DataFrame(rows, columns=LEADING + grade_columns + TRAILING)
    return BatchResult(frame, failures, band_words, Path(audit) if audit is not None else None)


def rate_to_file(inputs: Iterable[Path | str], output: Path | str, **options: Any) -> BatchResult:
    """Rate every profile and write one row per council rated to ``output`` (.csv, .json, .parquet, .xlsx)."""
    check_writable(output)  # before any work: a wrong name should not cost a whole run
    result = evaluate_batch(inputs, **options)
    write_table(result.results, output)
    return result


def _open_audit(audit: Path | str | None) -> AuditStore | None:
    return AuditStore(audit) if audit is not None else None


def result_row(decision: Decision, source: str, audit_record: str | None = None) -> dict[str, Any]:
    """One council's result: bands side by side, and the rules that decided them."""
    grades = {e.stage: e.rule_id for e in decision.events("grade_assigned")}
    rows = [e.row_id for e in decision.events("band_combined")]
    binding = [limit.limit_id for limit in decision.limits if limit.binding]
    judgement = decision.judgement
    return {
        "authority": decision.authority, "authority_code": decision.authority_code, "year": decision.year,
        "proposed_band": decision.proposed_band, "limits": "; ".join(binding), "limited_band": decision.limited_band,
        "judgement": f"{judgement.band} ({judgement.assessor})" if judgement else "",
        "final_band": decision.final_band, "final_words": decision.words(decision.final_band),
        **{f"{stage}_grade": grade for stage, grade in decision.grades.items()},
        "decisive_rules": "; ".join([grades[s] for s in sorted(grades)] + rows + binding),
        "ruleset": f"{decision.ruleset.id} {decision.ruleset.version}", "input_hash": decision.input_hash,
        "source": source, "audit_record": audit_record or "",
    }


def rate_all(*inputs: Path | str, audit: Path | str | None = None) -> pd.DataFrame:
    """For notebooks: the results of every profile as a DataFrame (failures are in ``.attrs['failures']``)."""
    result = evaluate_batch(inputs, audit=audit)
    frame = result.results
    frame.attrs["failures"] = [str(p) for f in result.failures for p in f.problems]
    return frame


def summary(result: BatchResult) -> list[str]:
    """Lines for the end of a run: how many were rated, the distribution of bands, the limited councils."""
    rated, failed = len(result.results), len(result.failures)
    lines = [f"rated {rated} council(s)" + (f"; {failed} could not be rated (see above)" if failed else "")]
    for band, n in result.distribution().items():
        words = result.band_words.get(band, "")
        share = f" ({n / rated:.0%})" if rated else ""
        lines.append(f"  {band} {words:<22} {n:>5}{share}")
    limited = result.limited
    lines.append(f"band limited: {len(limited)} council(s)")
    for row in limited.itertuples():
        lines.append(f"  {one_line(row.authority)}: {row.proposed_band} -> {row.limited_band} ({row.limits})")
    if result.audit_path:
        lines.append(f"audit trail: {rated} evaluation(s) recorded in {result.audit_path}")
    return lines
