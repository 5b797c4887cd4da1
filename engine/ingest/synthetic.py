"""A seeded, SYNTHETIC England: 152 councils, their settings' inspection records, indicator values,
statistical neighbours and safeguarding inspections, as the tables `engine profiles build` reads.

Nothing here is real. Every council is named "... (synthetic)" and coded ``SYN###``; the files written
say SYNTHETIC in their names. The generator exists so that tests, the documentation and the benchmark can run
the whole path (records -> profiles -> bands) on something the size and shape of England in 2009, 2010
or 2011.

Each council has a hidden quality (normal). Settings' grades, indicator values and the chance of an
inadequate safeguarding inspection or of areas for priority action all follow it, with noise; the
parameters below (per year, ``YEARS``) are calibrated so that each year's ruleset spreads the 152 councils
roughly as that year's bands were: 2009 10 / 93 / 40 / 9; 2010 20 / 77 / 37 / 12 with 6 withheld; 2011
28 / 71 / 33 / 15 with 5 withheld. They are generator parameters, not domain rules: the rulesets' thresholds
are not tuned to them.

For 2010 and 2011 the councils table also gives what those profiles carry: the evidence date, last year's
band, the dates of the latest full and unannounced inspections (so the profile holds a dated history), when
areas for priority action were resolved, and a pending inspection; children's homes run by the council and
private or voluntary ones come apart; for 2011 the indicators carry a trend.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .. import writing
from ..errors import BuildError, Problem
from ..load.ruleset import ruleset_for_year, rulesets_by_year
from ..model.catalogue import Catalogue
from ..model.values import DEFAULT_YEAR
from .columns import ColumnConfig

COUNCILS = 152
NEIGHBOURS = 10
YEAR = DEFAULT_YEAR

# Setting type -> (median count per council, logit of the national share good or better).
_SETTINGS = {
    "childminders": (260, 0.45), "childcare": (120, 0.6), "childrens_centres": (14, 0.5),
    "nursery_schools": (3, 2.0), "primary_schools": (110, 0.7), "secondary_schools": (24, 0.5),
    "sixth_forms": (12, 0.55), "colleges": (3, 0.6), "special_schools": (8, 1.3),
    "pupil_referral_units": (3, 0.3), "childrens_homes": (9, 0.9),
}
_SINGLE = {"fostering_agency": 0.8, "adoption_agency": 1.1, "private_fostering": 0.2}
# Extract labels, as a provider-level extract names setting types (mapped back by the column config).
PROVISION_LABELS = {
    "childminders": "Childminder", "childcare": "Childcare on non-domestic premises", "childrens_centres": "Children's centre",
    "nursery_schools": "Nursery school", "primary_schools": "Primary school", "secondary_schools": "Secondary school",
    "sixth_forms": "School sixth form", "colleges": "Further education college", "special_schools": "Special school",
    "pupil_referral_units": "Pupil referral unit", "childrens_homes": "Children's home",
    "fostering_agency": "Local authority fostering agency", "adoption_agency": "Local authority adoption agency",
    "private_fostering": "Private fostering arrangements",
    "council_childrens_homes": "Children's home (local authority)",
    "private_childrens_homes": "Children's home (private or voluntary)",
}
_COUNCIL_RUN_HOMES = 0.35  # share of children's homes run by the council, where the year's catalogue has them apart
_MISSING_EVERYWHERE = ("NI_58", "NI_61")  # no data in 2009 for any council, as in the real profile
_UNIVERSAL = ("childminders", "childcare", "nursery_schools", "primary_schools", "secondary_schools", "sixth_forms", "colleges")
_PLACES = ("Ash", "Bram", "Cal", "Dun", "Eld", "Fern", "Gran", "Hart", "Ivy", "Kel", "Lang", "Mar", "Nor",
           "Oak", "Pen", "Quen", "Ros", "Sel", "Thorn", "Ulls", "Ver", "Wes", "Yar")
_ENDS = ("bury", "ford", "ham", "ley", "mouth", "stead", "ton", "wick")
_KINDS = ("County Council", "Borough Council", "City Council", "Metropolitan Borough Council", "London Borough")

# Calibration (see the module docstring).
_QUALITY_ON_SETTINGS = 0.35  # logit shift per unit of quality
_QUALITY_ON_VULNERABLE = 0.8  # the same, for special schools, pupil referral units and (from 2010) children's homes
_SETTING_NOISE = 0.35  # per council and setting type
_INADEQUATE_LOGIT = -3.8  # logit of a setting being inadequate, at quality 0
_INADEQUATE_ON_QUALITY = 0.9
_QUALITY_ON_INDICATORS = 0.03  # relative shift of an indicator per unit of quality
_INDICATOR_NOISE = 0.04


@dataclass(frozen=True)
class Year:
    """One year's generator parameters (calibrated; see the module docstring)."""

    quality_mean: float  # the hidden quality's mean: councils improved from year to year
    quality_sd: float  # and its spread: more councils at both ends after 2009
    quality_floor: float  # clipped below: few councils perform poorly except through safeguarding findings
    safeguarding_inadequate_logit: float  # at quality 0; falls by 1.5 per unit of quality
    priority_logit: float  # logit of areas for priority action at quality 0; falls by 1.0 per unit of quality
    evidence_date: date | None = None  # from 2010: the profile's date, and a dated inspection history
    priority_resolved: float = 0.0  # chance that a council's areas for priority action are resolved by the evidence date
    pending: int = 0  # councils with an inspection pending at the evidence date
    homes_apart: bool = False  # council-run and private or voluntary children's homes apart
    trends: bool = False  # indicators carry a trend
    quality_on_universal: float = _QUALITY_ON_SETTINGS  # childcare, schools, post-16
    inadequate_logit: float = _INADEQUATE_LOGIT  # of a setting being inadequate, at quality 0
    universal_shift: float = 0.0  # added to the logit of good or better for childcare, schools and post-16
    improving_logit: float = 0.0  # of an indicator improving, at quality 0 (with trends)


YEARS = {
    2009: Year(quality_mean=0.0, quality_sd=1.0, quality_floor=-1.1, safeguarding_inadequate_logit=-4.4, priority_logit=-3.8),
    2010: Year(quality_mean=0.8, quality_sd=1.25, quality_floor=-0.7, safeguarding_inadequate_logit=-3.4, priority_logit=-2.0,
               evidence_date=date(2010, 8, 18), priority_resolved=0.5, pending=6, homes_apart=True),
    # 2011, re-tuned with csa-2011's revisions of issue 19 so the spread stays near 8 November 2011's: inadequate full
    # inspections a little rarer (-4.8, was -4.4), since an inadequate inspection lifted only by an unannounced one now
    # caps at performs adequately (Essex, Leeds 2011); universal settings a little better (+0.3, was -0.45), since
    # excellent universal services now ask for a very large majority good or better (Wandsworth 2011).
    2011: Year(quality_mean=0.0, quality_sd=1.0, quality_floor=-1.1, safeguarding_inadequate_logit=-4.8, priority_logit=-3.1,
               evidence_date=date(2011, 6, 30), priority_resolved=0.5, pending=5, homes_apart=True, trends=True,
               improving_logit=-0.5, universal_shift=0.3),
}


@dataclass(frozen=True)
class SyntheticEngland:
    """The four tables `engine profiles build` reads, in the layout of the shipped column config."""

    councils: pd.DataFrame
    settings: pd.DataFrame
    indicators: pd.DataFrame
    neighbours: pd.DataFrame


def generate(seed: int | None = None, councils: int = COUNCILS, catalogue: Catalogue | None = None, *,
             year: int = YEAR) -> SyntheticEngland:
    """A synthetic England for the assessment year; the same seed and year give the same tables (the default seed is
    the year, the seed each year's calibration was checked with)."""
    if year not in YEARS:
        raise BuildError([Problem("record-invalid", f"no synthetic England for {year}: the generator is calibrated for "
                                  f"{', '.join(map(str, YEARS))}", "<synthetic>")])
    params = YEARS[year]
    catalogue = catalogue or ruleset_for_year(year).catalogue
    rng = np.random.default_rng(year if seed is None else seed)
    codes = [f"SYN{i:03d}" for i in range(1, councils + 1)]
    names = _names(rng, councils)
    quality = np.maximum(rng.normal(params.quality_mean, params.quality_sd, councils), params.quality_floor)
    size = rng.lognormal(0.0, 0.45, councils)
    context = np.column_stack([quality * 0.6 + rng.normal(0, 0.8, councils), np.log(size)])
    table = _councils(rng, codes, names, quality, params) if params.evidence_date is None else \
        _councils_with_history(rng, codes, names, quality, params)
    return SyntheticEngland(
        councils=table,
        settings=_settings(rng, codes, quality, size, year, params),
        indicators=_indicators(rng, codes, quality, catalogue, params),
        neighbours=_neighbours(codes, context),
    )


def write(directory: Path | str, seed: int | None = None, councils: int = COUNCILS, *, year: int | None = None) -> dict[str, Path]:
    """``engine profiles synthetic``: write the tables as CSV files named ``synthetic-*.csv`` and the column config
    that reads them; returns each file by name (``engine.write_synthetic``). No year: the default year."""
    england = generate(seed, councils, year=year or YEAR)
    directory = Path(directory)
    writing.check_writable(directory, folder=True)
    paths = {name: directory / f"synthetic-{name}.csv" for name in ("councils", "settings", "indicators", "neighbours")}
    paths["config"] = directory / "synthetic-columns.yaml"
    contents: dict[Path, writing.Content] = {paths[name]: getattr(england, name).to_csv(index=False) for name in paths if name != "config"}
    contents[paths["config"]] = column_config_text(year or YEAR)
    writing.write_files(contents, inside=directory)  # the five files together, or none
    return paths


def column_config_text(year: int = YEAR) -> str:
    """The column config mapping the synthetic extract's names to the builder's (see docs/synthetic.md), with the year the
    tables were generated for and the ruleset of that year, so the profiles built from it are of that year."""
    labels = "\n".join(f"    {json.dumps(label)}: {key}" for key, label in PROVISION_LABELS.items())
    ruleset = rulesets_by_year()[year].stem
    return f"""# SYNTHETIC data: column names of the synthetic extract -> the names `engine profiles build` reads.
ruleset: {ruleset}    # the vocabulary of the profiles: this ruleset's catalogue
year: {year}          # the assessment year the tables were generated for
councils:
  columns: {{council: LA code, name: LA name}}
settings:
  columns: {{provider: URN, council: LA code, setting_type: Provision type, grade: Overall effectiveness, inspection_date: Inspection date}}
  setting_types:
{labels}
indicators:
  columns: {{council: LA code, indicator: Indicator, value: Value, trend: Trend}}
neighbours:
  columns: {{council: LA code, neighbour: Neighbour LA code}}
"""


def column_config(year: int = YEAR) -> ColumnConfig:
    """The column config of :func:`column_config_text`, read (its ruleset the file in rules/), for building in Python."""
    config = ColumnConfig.model_validate(yaml.safe_load(column_config_text(year)))
    return config.model_copy(update={"ruleset": str(rulesets_by_year()[year])})


def _names(rng: np.random.Generator, n: int) -> list[str]:
    seen: set[str] = set()
    names: list[str] = []
    while len(names) < n:
        place = str(rng.choice(_PLACES)) + str(rng.choice(_ENDS))
        if place in seen:
            continue
        seen.add(place)
        names.append(f"{place} {rng.choice(_KINDS)} (synthetic)")
    return names


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def _grades(rng: np.random.Generator, n: int, good_logit: float, inadequate_logit: float) -> np.ndarray:
    """n grades 1..4 (1 outstanding, 4 inadequate, as Ofsted codes them)."""
    p_inadequate = _logistic(inadequate_logit)
    p_good_or_better = _logistic(good_logit) * (1 - p_inadequate)
    p_outstanding = p_good_or_better * 0.25
    p = np.array([p_outstanding, p_good_or_better - p_outstanding, 1 - p_good_or_better - p_inadequate, p_inadequate])
    return rng.choice(np.arange(1, 5), size=n, p=p / p.sum())


def _settings(rng, codes, quality, size, year: int, params: Year) -> pd.DataFrame:
    frames = []
    urn = 100000
    counted = list(_SETTINGS.items())
    for i, code in enumerate(codes):
        for setting_type, (median, logit) in counted + [(k, (1, v)) for k, v in _SINGLE.items()]:
            if setting_type in _SINGLE:
                n = 1
            else:
                n = int(rng.poisson(median * size[i]))
                if setting_type in ("secondary_schools", "primary_schools", "special_schools", "pupil_referral_units"):
                    n = max(n, 1)
            if n == 0:
                continue
            vulnerable = setting_type in ("special_schools", "pupil_referral_units") or (params.homes_apart and setting_type == "childrens_homes")
            effect = _QUALITY_ON_VULNERABLE if vulnerable else params.quality_on_universal if setting_type in _UNIVERSAL else _QUALITY_ON_SETTINGS
            shift = effect * quality[i] + rng.normal(0, _SETTING_NOISE)
            inadequate = params.inadequate_logit - _INADEQUATE_ON_QUALITY * quality[i] + rng.normal(0, 0.3)
            grades = _grades(rng, n, logit + shift + (params.universal_shift if setting_type in _UNIVERSAL else 0.0), inadequate)
            days = rng.integers(0, 3 * 365, n)
            labels = np.full(n, PROVISION_LABELS[setting_type], dtype=object)
            if params.homes_apart and setting_type == "childrens_homes":
                council_run = rng.random(n) < _COUNCIL_RUN_HOMES
                labels = np.where(council_run, PROVISION_LABELS["council_childrens_homes"], PROVISION_LABELS["private_childrens_homes"])
            frames.append(pd.DataFrame({
                "URN": np.arange(urn, urn + n), "LA code": code, "Provision type": labels,
                "Overall effectiveness": grades,
                "Inspection date": (np.datetime64(date(year, 3, 31)) - days.astype("timedelta64[D]")).astype(str),
            }))
            urn += n
    return pd.concat(frames, ignore_index=True)


def _indicators(rng, codes, quality, catalogue: Catalogue, params: Year) -> pd.DataFrame:
    rows = []
    for key, indicator in catalogue.indicators.items():
        if key in _MISSING_EVERYWHERE:
            continue
        base = _indicator_base(rng, indicator.unit)
        sign = 1.0 if indicator.polarity == "higher" else -1.0
        for i, code in enumerate(codes):
            if rng.random() < 0.04:
                continue  # a data gap for this council
            relative = sign * _QUALITY_ON_INDICATORS * quality[i] + rng.normal(0, _INDICATOR_NOISE)
            value = base * (1 + relative) if base > 0 else base + abs(base) * relative
            row = {"LA code": code, "Indicator": key, "Value": round(float(value), 2)}
            if params.trends:  # better councils improve more often
                improving = rng.random() < _logistic(params.improving_logit + 0.8 * quality[i])
                row["Trend"] = "improving" if improving else str(rng.choice(["stable", "declining"]))
            rows.append(row)
    return pd.DataFrame(rows)


def _indicator_base(rng, unit: str) -> float:
    if unit == "percent":
        return float(rng.uniform(20, 80))
    if unit.startswith("rate per"):
        return float(rng.uniform(100, 2000))
    return float(rng.uniform(1, 20))


def _neighbours(codes, context) -> pd.DataFrame:
    scaled = (context - context.mean(axis=0)) / context.std(axis=0)
    distance = ((scaled[:, None, :] - scaled[None, :, :]) ** 2).sum(axis=2)
    np.fill_diagonal(distance, np.inf)
    rows = []
    for i, code in enumerate(codes):
        for j in np.argsort(distance[i])[:NEIGHBOURS]:
            rows.append({"LA code": code, "Neighbour LA code": codes[j]})
    return pd.DataFrame(rows)


def _councils(rng, codes, names, quality, params: Year) -> pd.DataFrame:
    rows = []
    for i, code in enumerate(codes):
        recent = rng.random() < 0.3
        p_inadequate = float(_logistic(params.safeguarding_inadequate_logit - 1.5 * quality[i]))
        safeguarding = "inadequate" if rng.random() < p_inadequate else ("outstanding" if quality[i] > 1.2 else "good" if quality[i] > -0.6 else "adequate")
        p_priority = float(_logistic(params.priority_logit - 1.0 * quality[i]))
        rows.append({
            "LA code": code, "LA name": names[i],
            "safeguarding_kind": "inspection of safeguarding and looked after children" if recent else "joint area review",
            "safeguarding_year": 2009 if recent else int(rng.choice([2006, 2007, 2008])),
            "safeguarding": safeguarding.replace("adequate", "satisfactory") if safeguarding == "adequate" else safeguarding,
            "looked_after_children": "good" if quality[i] > -0.3 else "satisfactory",
            "unannounced_year": 2009,
            "strengths": int(rng.integers(2, 8)), "areas_for_development": int(rng.integers(0, 5)),
            "areas_for_priority_action": int(rng.random() < p_priority) * int(rng.integers(1, 4)),
        })
    return pd.DataFrame(rows)


# Inspections of safeguarding and looked after children replaced joint area reviews from June 2009.
_FIRST_INSPECTION_OF_SAFEGUARDING = date(2009, 6, 1)


def _councils_with_history(rng, codes, names, quality, params: Year) -> pd.DataFrame:
    """From 2010: each council's latest full and unannounced inspections with their dates, when its areas for priority
    action were resolved, last year's band, and (for ``params.pending`` councils) an inspection pending."""
    evidence = params.evidence_date
    assert evidence is not None
    pending = set(rng.choice(len(codes), size=min(params.pending, len(codes)), replace=False).tolist())
    rows = []
    for i, code in enumerate(codes):
        full_date = evidence - timedelta(days=int(rng.integers(30, 3 * 365)))
        p_inadequate = float(_logistic(params.safeguarding_inadequate_logit - 1.5 * quality[i]))
        safeguarding = "inadequate" if rng.random() < p_inadequate else \
            "outstanding" if quality[i] > 1.2 else "good" if quality[i] > -0.6 else "satisfactory"
        unannounced_date = evidence - timedelta(days=int(rng.integers(1, 360)))
        p_priority = float(_logistic(params.priority_logit - 1.0 * quality[i]))
        priority = int(rng.random() < p_priority) * int(rng.integers(1, 4))
        resolved = priority and rng.random() < params.priority_resolved and unannounced_date < evidence - timedelta(days=30)
        resolved_on = unannounced_date + timedelta(days=int(rng.integers(14, max(15, (evidence - unannounced_date).days))))
        previous = float(quality[i] + rng.normal(0, 0.5))
        rows.append({
            "LA code": code, "LA name": names[i], "evidence_date": evidence.isoformat(),
            "previous_band": 4 if previous > 1.3 else 3 if previous > -0.2 else 2 if previous > -1.2 else 1,
            "safeguarding_kind": "inspection of safeguarding and looked after children" if full_date >= _FIRST_INSPECTION_OF_SAFEGUARDING
            else "joint area review",
            "safeguarding_year": full_date.year, "safeguarding_date": full_date.isoformat(), "safeguarding": safeguarding,
            "looked_after_children": "good" if quality[i] > -0.3 else "satisfactory",
            "unannounced_year": unannounced_date.year, "unannounced_date": unannounced_date.isoformat(),
            "strengths": int(rng.integers(2, 8)), "areas_for_development": int(rng.integers(0, 5)),
            "areas_for_priority_action": priority,
            "priority_actions_resolved_on": min(resolved_on, evidence).isoformat() if resolved else "",
            "pending_inspection": "inspection of safeguarding and looked after children" if i in pending else "",
            "pending_inspection_date": (evidence - timedelta(days=int(rng.integers(1, 60)))).isoformat() if i in pending else "",
        })
    return pd.DataFrame(rows)


write_synthetic = write  # its public name: engine.write_synthetic
