"""The measures a ruleset's conditions may read: every name the engine derives from a profile, with its kind
and meaning. Only names and meanings live here (no pandas), so checks read them without deriving anything;
:mod:`engine.measures` derives the values.

A name is dotted (``settings.secondary_schools.share_good_or_better``). A measure that cannot be derived
(no settings of a type, no indicators for an outcome) is absent, never zero: absence is a data gap.

Inspection measures are taken as of the profile's evidence date (engine.model.inspections): inspections dated
after it do not count, and "latest" means the latest on or before it.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from .catalogue import Catalogue

MeasureKind = Literal["proportion", "count", "category", "number", "year"]
COMPARATORS = ("national", "similar_areas")
# unannounced_inspection.effective_action_to_safeguard: always present with the inspection, so that a rule can
# apply "unless the inspection judged that effective action is taken" (an absent measure satisfies no condition).
JUDGED, NOT_JUDGED = "judged", "not_judged"
# notice_to_improve.in_force: present only when the profile records a notice to improve.
IN_FORCE, NOT_IN_FORCE = "in_force", "not_in_force"
# Facts the letters state that the profile records and the reports show but no shipped ruleset weighs (each
# ruleset's comments and docs/profile-format.md say why): the decision's text lists them as "On record".
RECORDED_NOT_WEIGHED = ("notice_to_improve.in_force", "previous_ratings.count")
JUDGEMENT_MEASURES = "safeguarding_inspection.judgements."  # then the catalogue's inspection judgement: recorded, not weighed


def recorded_not_weighed(name: str) -> bool:
    return name in RECORDED_NOT_WEIGHED or name.startswith(JUDGEMENT_MEASURES)
COUNT_FIELDS = {
    "count_total": "settings with a grade", "count_good_or_better": "settings good or outstanding",
    "count_outstanding": "settings outstanding", "count_inadequate": "settings inadequate",
}
SHARE_FIELDS = {"share_good_or_better": "share good or outstanding", "share_inadequate": "share inadequate"}


def _words(comparator: str) -> str:
    return comparator.replace("_", " ")


# The measure-name scheme, written once: for each family of measures, its fields with their kind and meaning.
# The catalogue below lists the names from these tables, and engine.measures.derive emits its values through
# them (tests/test_vocabulary.py holds what is derived to what is listed).
Fields = dict[str, tuple[MeasureKind, str]]
SETTING_TYPE_FIELDS: Fields = {  # settings.<type>.<field>
    **{f: ("count", text) for f, text in COUNT_FIELDS.items()},
    **{f: ("proportion", text) for f, text in SHARE_FIELDS.items()},
}
for _c in COMPARATORS:  # each comparator's share, then the verdict against it
    SETTING_TYPE_FIELDS[_c] = ("proportion", f"{_words(_c)} share good or better")
    SETTING_TYPE_FIELDS[f"vs_{_c}"] = ("category", f"share good or better above / in_line / below {_words(_c)}")
SETTING_SCOPE_FIELDS: Fields = {  # settings.<field> and groups.<group>.<field>
    **{f: ("count", text) for f, text in COUNT_FIELDS.items()},
    **{f: ("proportion", text) for f, text in SHARE_FIELDS.items()},
    "count_types_compared": ("count", "types of setting with a national comparator"),
    **{f"share_types_in_line_or_above_{c}": ("proportion", f"share of types of setting good or better in line with or above {_words(c)}")
       for c in COMPARATORS},
}
INDICATOR_SCOPE_FIELDS: Fields = {  # indicators.<field> and outcomes.<outcome>.<field>
    "count_available": ("count", "indicators with a value and a comparator"),
    "count_in_line_or_above": ("count", "indicators in line with or above comparators"),
    "share_in_line_or_above": ("proportion", "share of available indicators in line with or above comparators"),
    "count_gaps": ("count", "indicators with no data (gaps)"),
    "share_gaps": ("proportion", "share of the catalogue's indicators with no data"),
    "count_with_trend": ("count", "indicators whose trend the profile gives"),
    "count_improving": ("count", "indicators improving"),
    "share_improving": ("proportion", "share of the indicators with a trend that are improving"),
}
INDICATOR_FIELDS: Fields = {  # indicator.<key>.<field>; the value's meaning is the indicator's title
    "value": ("number", ""),
    "trend": ("category", "improving / stable / declining, as the profile gives it"),
    **{f"vs_{c}": ("category", f"better / in_line / worse than {_words(c)}, by polarity") for c in COMPARATORS},
}


@dataclass(frozen=True)
class MeasureSpec:
    name: str
    kind: MeasureKind
    description: str


def measure_catalogue(catalogue: Catalogue) -> dict[str, MeasureSpec]:
    """Every measure the engine can derive with this catalogue. Rules may use only these names.

    Built once per catalogue content (judgement reads it on every evaluation); callers must not mutate it.
    """
    if catalogue.content_hash not in _BUILT:
        _BUILT[catalogue.content_hash] = {spec.name: spec for spec in _specs(catalogue)}
    return _BUILT[catalogue.content_hash]


_BUILT: dict[str, dict[str, MeasureSpec]] = {}


def measures_of_kind(catalogue: Catalogue, kind: MeasureKind) -> frozenset[str]:
    """The names of every measure of one kind (e.g. every proportion), once per catalogue content."""
    key = (catalogue.content_hash, kind)
    if key not in _OF_KIND:
        _OF_KIND[key] = frozenset(name for name, spec in measure_catalogue(catalogue).items() if spec.kind == kind)
    return _OF_KIND[key]


_OF_KIND: dict[tuple[str, str], frozenset[str]] = {}


def _family(base: str, title: str, fields: Fields) -> Iterator[MeasureSpec]:
    for f, (kind, text) in fields.items():
        yield MeasureSpec(f"{base}.{f}", kind, f"{title}: {text}")


def _specs(cat: Catalogue) -> Iterator[MeasureSpec]:
    for key, setting in cat.setting_types.items():
        yield from _family(f"settings.{key}", setting.title, SETTING_TYPE_FIELDS)
    for scope, title in [("settings", "All settings and services")] + [(f"groups.{g}", t) for g, t in cat.scopes().items()]:
        yield from _family(scope, title, SETTING_SCOPE_FIELDS)
    for scope, title in [("indicators", "All national indicators")] + [(f"outcomes.{o}", t) for o, t in cat.outcomes.items()]:
        yield from _family(scope, title, INDICATOR_SCOPE_FIELDS)
    for key, indicator in cat.indicators.items():
        for f, (kind, text) in INDICATOR_FIELDS.items():
            yield MeasureSpec(f"indicator.{key}.{f}", kind, f"{key} {indicator.title}" if f == "value" else f"{key}: {text}")
    yield from _inspection_specs(cat)
    yield MeasureSpec("vulnerable_gaps.count", "count", "gaps for vulnerable groups reported")
    for f, text in (("narrower_than_national", "narrower than the national gap"), ("narrowing", "narrowing"), ("widening", "widening")):
        yield MeasureSpec(f"vulnerable_gaps.share_{f}", "proportion", f"share of gaps for vulnerable groups {text}")


def _inspection_specs(cat: Catalogue) -> Iterator[MeasureSpec]:
    latest_full = "the latest full inspection at the evidence date"
    yield MeasureSpec("safeguarding_inspection.kind", "category", f"{latest_full}: joint area review or inspection of safeguarding "
                      "and looked after children")
    yield MeasureSpec("safeguarding_inspection.year", "year", f"{latest_full}: its year")
    yield MeasureSpec("safeguarding_inspection.safeguarding", "category", f"{latest_full}: grade for safeguarding")
    yield MeasureSpec("safeguarding_inspection.looked_after_children", "category", f"{latest_full}: grade for looked after children")
    for name, text in cat.inspection_judgements.items():  # recorded, not weighed by any shipped ruleset (docs/profile-format.md)
        yield MeasureSpec(f"{JUDGEMENT_MEASURES}{name}", "category", f"{latest_full}: grade for {text}")
    latest_unannounced = "the latest unannounced inspection of contact, referral and assessment at the evidence date"
    yield MeasureSpec("unannounced_inspection.year", "year", f"{latest_unannounced}: its year")
    for f in ("strengths", "areas_for_development"):
        yield MeasureSpec(f"unannounced_inspection.{f}", "count", f"{latest_unannounced}: {f.replace('_', ' ')}; absent when "
                          "the profile does not state it")
    yield MeasureSpec("unannounced_inspection.areas_for_priority_action", "count",
                      f"{latest_unannounced}: areas for priority action")
    yield MeasureSpec("unannounced_inspection.effective_action_to_safeguard", "category",
                      f"{latest_unannounced}: {JUDGED} when it judged that effective action is taken to safeguard children, "
                      f"else {NOT_JUDGED}")
    yield MeasureSpec("inspections.unresolved_priority_actions", "count",
                      f"{latest_unannounced}: areas for priority action not shown resolved by the evidence date")
    yield MeasureSpec("inspections.resolved_priority_actions", "count",
                      f"{latest_unannounced}: areas for priority action shown resolved by the evidence date")
    yield MeasureSpec("inspections.inadequate_safeguarding_not_lifted", "count",
                      "full inspections at the evidence date that judged safeguarding inadequate and that no later inspection "
                      "lifted (a full inspection grading safeguarding adequate or better, or an unannounced inspection "
                      "without areas for priority action)")
    yield MeasureSpec("inspections.after_evidence_date", "count",
                      "inspections, and a pending inspection, dated after the evidence date: not counted")
    yield MeasureSpec("inspections.pending", "count", "inspections pending at the evidence date (begun or announced, outcome not known)")
    yield MeasureSpec("pending_inspection.kind", "category", "the kind of the inspection pending at the evidence date")
    yield MeasureSpec("notice_to_improve.in_force", "category", f"the government's notice to improve: {IN_FORCE} at the evidence "
                      f"date (served by then, not lifted by then), else {NOT_IN_FORCE}; absent when none is recorded")
    yield MeasureSpec("previous_ratings.count", "count", "earlier years' published ratings the profile records (annual performance "
                      "assessments, children's services assessments); absent when none")
