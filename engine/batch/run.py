"""Many councils at once: every profile in folders, files or tables rated, one result row per council.

The inputs are listed first (file names, table rows), never read all at once; profiles are read, parsed and
rated in chunks, the measures of each chunk derived together, by worker processes (one per CPU by default).
Results come back in the order of the inputs, exactly as a serial run gives them, and only the parent
process writes the audit trail: the workers encode each record (engine.audit.store.prepare), the parent
appends each chunk's records in one transaction, so a kill loses at most the chunk in flight. A council
whose profile is invalid is reported with its location and does not stop the others. For notebooks, :func:`rate_all` returns the results as a pandas DataFrame.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..audit.store import AuditStore, PreparedRecord, prepare
from ..decide.pipeline import Evaluation, evaluate_document, evaluate_many
from ..errors import EXIT_BAD_INPUT, EXIT_OK, EngineError, Problem, ProfileError
from ..ingest.profile_table import column_problems, document_text, row_document
from ..ingest.tables import check_writable, is_table, line_of, read_table, write_table
from ..load.catalogue import load_catalogue
from ..load.profile import profile_for_ruleset, ruleset_for_document
from ..load.translation import carried_lines
from ..load.yaml import read_text, read_yaml
from ..model.loaded import LoadedProfile, LoadedRuleset
from ..model.source import SourceDocument
from ..model.trace import Decision
from ..model.translation import Carried
from ..model.values import BEST_FIRST
from ..paths import shown_path
from ..render.escape import one_line

PROFILE_SUFFIXES = (".yaml", ".yml")
# A result row's columns: these, with a "<stage>_grade" column for each grading stage between them.
LEADING = ["authority", "authority_code", "year", "status", "proposed_band", "limits", "limited_band", "judgement", "final_band",
           "final_words", "previous_band", "direction"]
TRAILING = ["decisive_rules", "withheld_by", "ruleset", "ruleset_file", "what_if", "input_hash", "source", "audit_record"]
BANDS = ["proposed_band", "limited_band", "final_band", "previous_band"]  # empty when withheld (or, previous, not given)
CHUNK = 64  # profiles a worker rates at once: their measures are derived together


@dataclass(frozen=True)
class ProfileSource:
    """One council's profile: its label (``file`` or ``table:line``), and its YAML text or the file holding it; a
    table's row also carries its data, already read and located at its cells."""

    label: str
    file: str
    text: str | None = None  # None for a profile file: read when it is rated
    document: SourceDocument | None = None  # for a table row

    def read(self) -> str:
        return self.text if self.text is not None else read_text(self.file, ProfileError)


@dataclass
class Failure:
    source: str
    problems: list[Problem]


class OverCouncils:
    """A result over councils some of which may not have been evaluated: the others were, and it says so."""

    failures: list[Failure]

    @property
    def problems(self) -> list[Problem]:
        """Each council that could not be evaluated, located."""
        return [p for f in self.failures for p in f.problems]

    @property
    def exit_code(self) -> int:
        """2 when a council could not be evaluated: the result then holds fewer councils than were given."""
        return EXIT_BAD_INPUT if self.failures else EXIT_OK


@dataclass
class BatchResult(OverCouncils):
    results: pd.DataFrame
    failures: list[Failure] = field(default_factory=list)
    band_words: dict[int, str] = field(default_factory=dict)
    audit_path: Path | None = None
    ruleset: str | None = None  # the ruleset given for every profile, whatever its year
    carried: list[Carried] = field(default_factory=list)  # the profiles translated into the ruleset's words
    recorded: int = 0  # evaluations recorded in the audit trail

    @property
    def rated(self) -> pd.DataFrame:
        """Councils given a band (not withheld)."""
        return self.results[self.results["status"] == "rated"]

    @property
    def withheld(self) -> pd.DataFrame:
        """Councils whose rating is withheld: no band is published."""
        return self.results[self.results["status"] == "withheld"]

    @property
    def limited(self) -> pd.DataFrame:
        """Councils whose band a limit lowered."""
        rated = self.rated
        return rated[rated["limited_band"] < rated["proposed_band"]]

    def distribution(self) -> dict[int, int]:
        """How many councils got each band; withheld councils are counted apart (``withheld``)."""
        counts = Counter(int(b) for b in self.rated["final_band"]) if len(self.results) else Counter()
        return {band: int(counts.get(band, 0)) for band in BEST_FIRST}

    def summary_lines(self) -> list[str]:
        return summary(self)


def collect(inputs: Iterable[Path | str]) -> tuple[list[ProfileSource], list[Failure]]:
    """Every profile named: a folder's *.yaml files, a profile file, or each row of a table. Files are
    listed, not read: each is read when it is rated."""
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
                sources += [ProfileSource(str(p), str(p)) for p in files]
            elif is_table(path):
                frame = read_table(path, ProfileError)
                columns = list(frame.columns)
                problems = column_problems(columns, str(path))
                if problems:
                    raise ProfileError(problems)
                for i, row in enumerate(frame.to_dict("records")):
                    try:
                        doc = row_document(row, columns, str(path), line_of(i))
                    except EngineError as exc:  # this row only: the others are still rated
                        failures.append(Failure(f"{path}:{line_of(i)}", exc.problems))
                        continue
                    sources.append(ProfileSource(f"{path}:{line_of(i)}", str(path), document_text(doc), doc))
            else:
                read_text(path, ProfileError)  # a named file that cannot be read is reported now, with the others
                sources.append(ProfileSource(str(path), str(path)))
        except EngineError as exc:
            failures.append(Failure(str(path), exc.problems))
    return sources, failures


@dataclass(frozen=True)
class Rated:
    """What rating one source gave: its result row (and, for the audit trail, its record, encoded), or the
    located problems that stopped it."""

    label: str
    row: dict[str, Any] | None = None
    band_words: dict[int, str] | None = None
    record: PreparedRecord | None = None
    problems: list[Problem] | None = None
    carried: Carried | None = None  # the translation that read the profile in the ruleset's words, if one did


@dataclass(frozen=True)
class Recording:
    """That a batch records its evaluations, and as whom: the workers encode each record."""

    run_by: str | None = None


def rate_chunk(sources: list[ProfileSource], ruleset_path: str | None = None, recording: Recording | None = None) -> list[Rated]:
    """Rate a chunk of sources: each parsed and validated, then every valid one decided with its ruleset,
    the measures of all that share a ruleset derived together. Results in the sources' order; with
    ``recording``, each with its audit record encoded."""
    out: list[Rated | None] = [None] * len(sources)
    groups: dict[str, tuple[LoadedRuleset, list[tuple[int, LoadedProfile, str]]]] = {}
    resolved: dict[object, LoadedRuleset] = {}  # by year (or the one given): found once for the chunk, not per profile
    for i, source in enumerate(sources):
        try:
            text = source.read()
            doc = source.document or read_yaml(text, source.file, ProfileError)
            year = doc.data.get("year") if isinstance(doc.data, dict) else None
            key = ruleset_path if ruleset_path is not None else (type(year), year)
            ruleset = resolved.get(key)
            if ruleset is None:
                ruleset = ruleset_for_document(doc, ruleset_path)
                if ruleset is not None:  # a year with no ruleset raises, located at this profile's year
                    resolved[key] = ruleset
            loaded = profile_for_ruleset(doc, ruleset)
        except EngineError as exc:
            out[i] = Rated(source.label, problems=exc.problems)
            continue
        assert ruleset is not None  # validate_profile refuses a profile whose year is not a year
        groups.setdefault(ruleset.content_hash, (ruleset, []))[1].append((i, loaded, text))
    for ruleset, members in groups.values():
        for (i, loaded, text), decision in zip(members, evaluate_many([loaded for _, loaded, _ in members], ruleset), strict=True):
            record = prepare(decision, profile_source_text=text, run_by=recording.run_by) if recording else None
            out[i] = Rated(sources[i].label, result_row(decision, sources[i].label), dict(decision.band_words), record,
                           carried=loaded.carried)
    return [rated for rated in out if rated is not None]


def _rated(sources: list[ProfileSource], ruleset_path: str | None, recording: Recording | None,
           workers: int) -> Iterator[list[Rated]]:
    """Each chunk's results, in order; with several workers, a few chunks are in flight at once."""
    chunks = [sources[i:i + CHUNK] for i in range(0, len(sources), CHUNK)]
    if workers <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            yield rate_chunk(chunk, ruleset_path, recording)
        return
    # fork: the workers start with the rulesets this process has loaded; the inference adapter forgets the
    # durable-rules host it may have had, so each worker builds its own (engine.inference.adapter).
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[list[Rated]]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(rate_chunk, chunk, ruleset_path, recording))
            if len(pending) >= 2 * workers:  # bounded: memory stays flat however many profiles
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def evaluate_source(source: ProfileSource, ruleset_path: Path | str | None = None) -> Evaluation:
    """One source evaluated whole (with the ruleset given, else the one for its year); a table row's problems are
    located at its cells."""
    return evaluate_document(source.document or read_yaml(source.read(), source.file, ProfileError), ruleset_path)


def evaluate_batch(inputs: Iterable[Path | str], *, audit: Path | str | None = None, run_by: str | None = None,
                   progress: Callable[[int, int], None] | None = None, sources: list[ProfileSource] | None = None,
                   ruleset: Path | str | None = None, workers: int | None = None) -> BatchResult:
    """Rate every profile (with the ruleset given, else each with the one for its year); with ``audit`` (a
    store path), record each evaluation in the audit trail.

    ``workers``: processes rating chunks at once (default: the CPU count; 1 rates in this process).
    ``progress`` is called as chunks finish with (profiles done, profiles in all).
    """
    failures: list[Failure] = []
    if sources is None:
        sources, failures = collect(inputs)
    store = _open_audit(audit)
    rows: list[dict[str, Any]] = []
    carried: list[Carried] = []
    band_words: dict[int, str] = {}
    done = recorded = 0
    try:
        for chunk in _rated(sources, str(ruleset) if ruleset is not None else None, Recording(run_by) if store else None,
                            workers if workers is not None else (os.cpu_count() or 1)):
            records: list[tuple[dict[str, Any], PreparedRecord]] = []
            for rated in chunk:
                if rated.problems is not None:
                    failures.append(Failure(rated.label, rated.problems))
                    continue
                assert rated.row is not None
                band_words = band_words or dict(rated.band_words or {})
                if rated.record is not None:
                    records.append((rated.row, rated.record))
                rows.append(rated.row)
                if rated.carried is not None:
                    carried.append(rated.carried)
            if store is not None and records:  # the chunk's records in one transaction: all of them or none
                for (row, _), record_id in zip(records, store.append_prepared([r for _, r in records]), strict=True):
                    row["audit_record"] = record_id
                recorded += len(records)
            done += len(chunk)
            if progress:
                progress(done, len(sources))
    finally:
        if store:
            store.close()
    grade_columns = list(dict.fromkeys(k for row in rows for k in row if k not in LEADING + TRAILING))
    frame = pd.DataFrame(rows, columns=LEADING + grade_columns + TRAILING)
    for column in BANDS + [c for c in grade_columns]:
        frame[column] = frame[column].astype("Int64")  # whole numbers, empty where there is none
    return BatchResult(frame, failures, band_words, Path(audit) if audit is not None else None,
                       str(ruleset) if ruleset is not None else None, carried, recorded)


def rate_to_file(inputs: Iterable[Path | str], output: Path | str, **options: Any) -> BatchResult:
    """Rate every profile and write one row per council rated to ``output`` (.csv, .json, .parquet, .xlsx)."""
    check_writable(output)  # before any work: a wrong name should not cost a whole run
    result = evaluate_batch(inputs, **options)
    write_table(result.results, output)
    return result


def _open_audit(audit: Path | str | None) -> AuditStore | None:
    return AuditStore(audit) if audit is not None else None


def result_row(decision: Decision, source: str, audit_record: str | None = None) -> dict[str, Any]:
    """One council's result: bands side by side (empty when withheld), and the rules that decided them."""
    grades = {e.stage: e.rule_id for e in decision.events("grade_assigned")}
    rows = [e.row_id for e in decision.events("band_combined")]
    binding = [limit.limit_id for limit in decision.limits if limit.binding]
    judgement = decision.judgement
    return {
        "authority": decision.authority, "authority_code": decision.authority_code, "year": decision.year,
        "status": decision.status, "proposed_band": decision.proposed_band, "limits": "; ".join(binding),
        "limited_band": decision.limited_band, "judgement": f"{judgement.band} ({judgement.assessor})" if judgement else "",
        "final_band": decision.final_band, "final_words": decision.words(decision.final_band),
        "previous_band": decision.previous_band, "direction": decision.direction.direction if decision.direction else "",
        **{f"{stage}_grade": grade for stage, grade in decision.grades.items()},
        "decisive_rules": "; ".join([grades[s] for s in sorted(grades)] + rows + binding),
        "withheld_by": "; ".join(r.rule_id for r in decision.withheld),
        "ruleset": f"{decision.ruleset.id} {decision.ruleset.version}", "ruleset_file": shown_path(decision.ruleset.path),
        "what_if": what_if(decision), "input_hash": decision.input_hash,
        "source": source, "audit_record": audit_record or "",
    }


def what_if(decision: Decision) -> str:
    """For a profile rated by the ruleset of another year: what was applied to what, and how much of the evidence
    the method reads the profile has ('' when the ruleset is the one for the profile's year)."""
    ruleset = decision.ruleset
    if ruleset.year == decision.year:
        return ""
    types = load_catalogue(ruleset.catalogue).setting_types
    present = {name.split(".")[1] for name in decision.measure_values()
               if name.startswith("settings.") and name.endswith(".count_total") and name.count(".") == 2}
    return (f"{ruleset.id} {ruleset.version} (the method for {ruleset.year}) applied to {decision.year} data; "
            f"evidence for {len(present & set(types))} of {len(types)} setting types")


def rate_all(*inputs: Path | str, audit: Path | str | None = None, ruleset: Path | str | None = None,
             workers: int | None = None) -> pd.DataFrame:
    """For notebooks: the results of every profile as a DataFrame (failures are in ``.attrs['failures']``)."""
    result = evaluate_batch(inputs, audit=audit, ruleset=ruleset, workers=workers)
    frame = result.results
    frame.attrs["failures"] = [str(p) for f in result.failures for p in f.problems]
    return frame


def summary(result: BatchResult) -> list[str]:
    """Lines for the end of a run: how many were rated, the distribution of bands, the withheld councils apart, the
    limited councils."""
    rated, withheld, failed = len(result.rated), len(result.withheld), len(result.failures)
    lines = [f"rated {rated} council(s)" + (f"; {withheld} withheld" if withheld else "")
             + (f"; {failed} could not be rated (see above)" if failed else "")]
    if result.ruleset:
        lines.append(f"ruleset: {result.ruleset}, for every profile whatever its year")
    elif len(result.results):
        used = result.results[["ruleset", "ruleset_file"]].drop_duplicates().sort_values("ruleset")
        lines.append("rulesets used: " + "; ".join(f"{one_line(r.ruleset)} ({one_line(r.ruleset_file)})" for r in used.itertuples()))
    lines += carried_lines(result.carried)
    if rated and result.results["what_if"].ne("").any():
        lines.append("WHAT-IF, not a rating Ofsted gave:")
        for text, n in result.results.loc[result.results["what_if"] != "", "what_if"].value_counts().sort_index().items():
            lines.append(f"  {text}: {n} council(s)")
    for band, n in result.distribution().items():
        words = result.band_words.get(band, "")
        share = f" ({n / rated:.0%})" if rated else ""
        lines.append(f"  {band} {words:<22} {n:>5}{share}")
    if withheld:
        lines.append(f"withheld (no band published): {withheld} council(s)")
        for row in result.withheld.itertuples():
            lines.append(f"  {row.authority}: {row.withheld_by}")
    limited = result.limited
    lines.append(f"band limited: {len(limited)} council(s)")
    for row in limited.itertuples():
        lines.append(f"  {one_line(row.authority)}: {row.proposed_band} -> {row.limited_band} ({row.limits})")
    if result.audit_path:
        lines.append(f"audit trail: {result.recorded} evaluation(s) recorded in {result.audit_path}")
    return lines
