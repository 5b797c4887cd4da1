"""The pipeline: load -> measures -> inference -> combine (grades, band, limits) -> judgement, returning the
decision with its trace. "Load a profile, pick its ruleset, evaluate" is :func:`evaluate_text`; every
command and library entry point that starts from a file goes through it."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import JudgementError, ProfileError
from ..inference.adapter import session
from ..load.profile import profile_for_ruleset, ruleset_for_document
from ..load.yaml import read_text, read_yaml
from ..measures.derive import MeasureView, derive_batch
from ..model.judgement import ProposedJudgement
from ..model.loaded import LoadedProfile, LoadedRuleset
from ..model.source import SourceDocument
from ..model.trace import Decision, RulesetRef, WithheldReason
from ..version import __version__
from .combine import combine
from .direction import direction_of_travel
from .events import limit_outcomes, outcome_events, rule_events, rule_places
from .judgement import apply_judgement, judgement_warranted, withheld_problem


@dataclass(frozen=True)
class Evaluation:
    """One evaluated profile: what was loaded, the ruleset that rated it and the decision."""

    profile: LoadedProfile
    ruleset: LoadedRuleset
    decision: Decision


def evaluate_text(text: str, file: str, ruleset_path: Path | str | None = None,
                  judgement: ProposedJudgement | None = None) -> Evaluation:
    """Evaluate profile YAML with the ruleset given, else the one for its year, and any judgement."""
    return evaluate_document(read_yaml(text, file, ProfileError), ruleset_path, judgement)


def evaluate_document(doc: SourceDocument, ruleset_path: Path | str | None = None,
                      judgement: ProposedJudgement | None = None) -> Evaluation:
    """Evaluate a profile already read (from YAML, or a table's row), its values located in its file."""
    ruleset = ruleset_for_document(doc, ruleset_path)
    loaded = profile_for_ruleset(doc, ruleset)
    if ruleset is None:  # validate_profile has refused the year already; this only tells the type checker
        raise ProfileError([doc.problem("profile-invalid", "the assessment year is not a year", ("year",))])
    return Evaluation(loaded, ruleset, evaluate(loaded, ruleset, judgement))


def evaluate_file(profile_path: Path | str, ruleset_path: Path | str | None = None,
                  judgement: ProposedJudgement | None = None) -> Decision:
    """Evaluate a profile file with the ruleset for its year (or the one given), and any judgement."""
    return evaluate_text(read_text(profile_path, ProfileError), str(profile_path), ruleset_path, judgement).decision


def evaluate(loaded: LoadedProfile, loaded_ruleset: LoadedRuleset, judgement: ProposedJudgement | None = None) -> Decision:
    """The decision: proposed band, limits, then any judgement (refused with JudgementError outside policy); or,
    when a withhold rule fires, a withheld decision with no band."""
    (decision,) = evaluate_many([loaded], loaded_ruleset)
    if judgement is None:
        return decision
    if not decision.rated:
        raise JudgementError([withheld_problem(decision.withheld, loaded.source, "a judgement has no band to move")])
    judged = apply_judgement(decision, judgement, loaded_ruleset)
    return judged.model_copy(update={"direction": direction_of_travel(judged, loaded_ruleset.ruleset)})


def evaluate_many(profiles: Sequence[LoadedProfile], loaded_ruleset: LoadedRuleset) -> list[Decision]:
    """The decisions of a chunk of profiles under one ruleset, their measures derived together."""
    batch = derive_batch([loaded.profile for loaded in profiles], loaded_ruleset.catalogue, loaded_ruleset.ruleset.comparison)
    return [_decide(loaded, loaded_ruleset, batch.view(i)) for i, loaded in enumerate(profiles)]


def _decide(loaded: LoadedProfile, loaded_ruleset: LoadedRuleset, measures: MeasureView) -> Decision:
    profile, ruleset = loaded.profile, loaded_ruleset.ruleset
    values = measures.values
    with session(loaded_ruleset) as facts:
        fired = facts.fire(values)
        outcome = combine(ruleset, fired)
    places = rule_places(loaded_ruleset)
    catalogue = loaded_ruleset.catalogue
    common: dict[str, Any] = dict(
        authority=profile.authority.name, authority_code=profile.authority.code, year=profile.year,
        ruleset=RulesetRef(id=ruleset.id, version=ruleset.version, year=ruleset.year, content_hash=loaded_ruleset.content_hash,
                           catalogue=catalogue.name, catalogue_hash=catalogue.content_hash, transitional=ruleset.transitional,
                           path=_absolute(loaded_ruleset.path)),
        input_hash=loaded.input_hash, engine_version=__version__, band_words={band: step.words for band, step in ruleset.scale.items()},
        previous_band=profile.previous_band, fired_rules=sorted(outcome.fired_rules(ruleset)),
    )
    trace = rule_events(ruleset, outcome, values, places)
    if outcome.withheld_by:
        # No band is published, so none is combined, limited or judged; the rules' findings stay in the trace.
        reasons = [WithheldReason(rule_id=e.rule_id, title=e.title, because=e.because, evidence=e.evidence)
                   for e in trace if e.type == "rating_withheld"]
        return Decision.with_measures(measures, **common, status="withheld", withheld=reasons, grades={}, proposed_band=None,
                                      limits=[], limited_band=None, final_band=None, trace=trace)

    limits = limit_outcomes(ruleset, outcome, values)
    trace += outcome_events(ruleset, outcome, limits, places)
    decision = Decision.with_measures(measures, **common, grades=outcome.grades, proposed_band=outcome.proposed_band,
                                      limits=limits, limited_band=outcome.final_band, final_band=outcome.final_band, trace=trace)
    decision = decision.model_copy(update={"judgement_warranted": judgement_warranted(decision, loaded_ruleset, fired)})
    return decision.model_copy(update={"direction": direction_of_travel(decision, ruleset)})


def _absolute(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except OSError:
        return path
