"""A seeded, SYNTHETIC England: 152 councils, their settings' inspection records, indicator values,
statistical neighbours and safeguarding inspections, as the tables `engine profiles build` reads.

Nothing here is real. Every council is named "... (synthetic)" and coded ``SYN###``; the files written
say SYNTHETIC in their names. The generator exists so that tests, the README and the benchmark can run
the whole path (records -> profiles -> bands) on something the size and shape of England in 2009.

Each council has a hidden quality (normal, mean 0). Settings' grades, indicator values and the chance of
an inadequate safeguarding inspection or of areas for priority action all follow it, with noise; the
parameters below are calibrated so that ``rules/csa-2009.yaml`` spreads the 152 councils roughly as 2009's
bands were (10 / 93 / 40 / 9). They are generator parameters, not domain rules.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .. import writing
from ..load.ruleset import ruleset_for_year
from ..model.catalogue import Catalogue

COUNCILS = 152
NEIGHBOURS = 10
YEAR = 2009

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
}
_MISSING_EVERYWHERE = ("NI_58", "NI_61")  # no data in 2009 for any council, as in the real profile
_PLACES = ("Ash", "Bram", "Cal", "Dun", "Eld", "Fern", "Gran", "Hart", "Ivy", "Kel", "Lang", "Mar", "Nor",
           "Oak", "Pen", "Quen", "Ros", "Sel", "Thorn", "Ulls", "Ver", "Wes", "Yar")
_ENDS = ("bury", "ford", "ham", "ley", "mouth", "stead", "ton", "wick")
_KINDS = ("County Council", "Borough Council", "City Council", "Metropolitan Borough Council", "London Borough")

# Calibration (see the module docstring).
_QUALITY_FLOOR = -1.1  # clipped below: in 2009 few councils performed poorly but through safeguarding findings
_SAFEGUARDING_INADEQUATE_LOGIT = -4.4  # at quality 0; falls by 1.5 per unit of quality
_QUALITY_ON_SETTINGS = 0.35  # logit shift per unit of quality
_QUALITY_ON_VULNERABLE = 0.8  # the same, for special schools and pupil referral units
_SETTING_NOISE = 0.35  # per council and setting type
_INADEQUATE_LOGIT = -3.8  # logit of a setting being inadequate, at quality 0
_INADEQUATE_ON_QUALITY = 0.9
_QUALITY_ON_INDICATORS = 0.03  # relative shift of an indicator per unit of quality
_INDICATOR_NOISE = 0.04


@dataclass(frozen=True)
class SyntheticEngland:
    """The four tables `engine profiles build` reads, in the layout of the shipped column config."""

    councils: pd.DataFrame
    settings: pd.DataFrame
    indicators: pd.DataFrame
    neighbours: pd.DataFrame


def generate(seed: int = 2009, councils: int = COUNCILS, catalogue: Catalogue | None = None) -> SyntheticEngland:
    """A synthetic England; the same seed gives the same tables."""
    catalogue = catalogue or ruleset_for_year(YEAR).catalogue
    rng = np.random.default_rng(seed)
    codes = [f"SYN{i:03d}" for i in range(1, councils + 1)]
    names = _names(rng, councils)
    quality = np.maximum(rng.normal(0.0, 1.0, councils), _QUALITY_FLOOR)
    size = rng.lognormal(0.0, 0.45, councils)
    context = np.column_stack([quality * 0.6 + rng.normal(0, 0.8, councils), np.log(size)])
    return SyntheticEngland(
        councils=_councils(rng, codes, names, quality),
        settings=_settings(rng, codes, quality, size),
        indicators=_indicators(rng, codes, quality, catalogue),
        neighbours=_neighbours(codes, context),
    )


def write(directory: Path | str, seed: int = 2009, councils: int = COUNCILS) -> dict[str, Path]:
    """Write the tables as CSV files named ``synthetic-*.csv`` and the column config that reads them."""
    directory = Path(directory)
    writing.check_writable(directory, folder=True)
    england = generate(seed, councils)
    paths = {name: directory / f"synthetic-{name}.csv" for name in ("councils", "settings", "indicators", "neighbours")}
    paths["config"] = directory / "synthetic-columns.yaml"
    contents: dict[Path, writing.Content] = {paths[name]: getattr(england, name).to_csv(index=False) for name in paths if name != "config"}
    contents[paths["config"]] = column_config_text()
    writing.write_files(contents, inside=directory)  # the five files together, or none
    return paths


def column_config_text() -> str:
    """The column config mapping the synthetic extract's names to the builder's (see README)."""
    labels = "\n".join(f"    {json.dumps(label)}: {key}" for key, label in PROVISION_LABELS.items())
    return f"""# SYNTHETIC data: column names of the synthetic extract -> the names `engine profiles build` reads.
councils:
  columns: {{council: LA code, name: LA name}}
settings:
  columns: {{provider: URN, council: LA code, setting_type: Provision type, grade: Overall effectiveness, inspection_date: Inspection date}}
  setting_types:
{labels}
indicators:
  columns: {{council: LA code, indicator: Indicator, value: Value}}
neighbours:
  columns: {{council: LA code, neighbour: Neighbour LA code}}
"""


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


def _settings(rng, codes, quality, size) -> pd.DataFrame:
    frames = []
    urn = 100000
    for i, code in enumerate(codes):
        for setting_type, (median, logit) in list(_SETTINGS.items()) + [(k, (1, v)) for k, v in _SINGLE.items()]:
            if setting_type in _SINGLE:
                n = 1
            else:
                n = int(rng.poisson(median * size[i]))
                if setting_type in ("secondary_schools", "primary_schools", "special_schools", "pupil_referral_units"):
                    n = max(n, 1)
            if n == 0:
                continue
            effect = _QUALITY_ON_VULNERABLE if setting_type in ("special_schools", "pupil_referral_units") else _QUALITY_ON_SETTINGS
            shift = effect * quality[i] + rng.normal(0, _SETTING_NOISE)
            inadequate = _INADEQUATE_LOGIT - _INADEQUATE_ON_QUALITY * quality[i] + rng.normal(0, 0.3)
            grades = _grades(rng, n, logit + shift, inadequate)
            days = rng.integers(0, 3 * 365, n)
            frames.append(pd.DataFrame({
                "URN": np.arange(urn, urn + n), "LA code": code, "Provision type": PROVISION_LABELS[setting_type],
                "Overall effectiveness": grades,
                "Inspection date": (np.datetime64(date(YEAR, 3, 31)) - days.astype("timedelta64[D]")).astype(str),
            }))
            urn += n
    return pd.concat(frames, ignore_index=True)


def _indicators(rng, codes, quality, catalogue: Catalogue) -> pd.DataFrame:
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
            rows.append({"LA code": code, "Indicator": key, "Value": round(float(value), 2)})
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


def _councils(rng, codes, names, quality) -> pd.DataFrame:
    rows = []
    for i, code in enumerate(codes):
        recent = rng.random() < 0.3
        p_inadequate = float(_logistic(_SAFEGUARDING_INADEQUATE_LOGIT - 1.5 * quality[i]))
        safeguarding = "inadequate" if rng.random() < p_inadequate else ("outstanding" if quality[i] > 1.2 else "good" if quality[i] > -0.6 else "adequate")
        p_priority = float(_logistic(-3.8 - 1.0 * quality[i]))
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
