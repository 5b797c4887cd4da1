"""Digests of decisions, so a test can show the batch path (rebuilt for speed in issue 11) gives the same bands,
fired rules and trace content. The 2010 and 2011 digests were checked, decision by decision, against the
per-profile implementation those years were first written with (issue 12) before they were pinned.

Regenerate only when a change of the rules or the measures is meant to change decisions:
``python -m tests.golden`` rewrites tests/data/decision-digests.json (say why in the commit).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DIGESTS = Path(__file__).resolve().parent / "data" / "decision-digests.json"


# Fields added to the trace and the limits after the digests were pinned (issue 17: the trace's structure, which fired
# rule each hit policy chose, limits that bind together). They say more about the same decision; the digest leaves
# them out so that it still pins what it pinned, unchanged (tests/test_trace_structure.py pins them).
ADDED = frozenset({"id", "parent", "source", "chosen", "chosen_rule", "holds_alone"})


def content(decision: Any) -> dict[str, Any]:
    """What must not change: the bands, the limits, the fired rules and the whole trace (measures with inputs)."""
    data = json.loads(decision.model_dump_json())
    for item in data["trace"] + data["limits"]:
        for key in ADDED & set(item):
            del item[key]
    return {key: data[key] for key in ("status", "withheld", "proposed_band", "limited_band", "final_band", "limits",
                                       "grades", "fired_rules", "judgement_warranted", "direction", "trace")}


def digest(decision: Any) -> str:
    return hashlib.sha256(json.dumps(content(decision), sort_keys=True).encode()).hexdigest()


YEARS = (2009, 2010, 2011)


def synthetic_texts(year: int = 2009) -> dict[str, str]:
    """The synthetic England of the year (its own default seed), built into profiles as an analyst would."""
    import yaml

    from engine.ingest.build import Tables, build_profiles
    from engine.ingest.synthetic import column_config, generate

    england = generate(year=year)
    config = column_config(year)
    built = build_profiles(Tables(england.councils, england.settings, england.indicators, england.neighbours), config,
                           year=year)
    return {code: yaml.safe_dump(profile, sort_keys=False) for code, profile in built.profiles.items()}


def case_texts() -> dict[str, tuple[str, str]]:
    """The profile of every shipped case that expects a decision (not an error code)."""
    from engine.authoring.cases import case_profile_text, find_cases, load_case

    cases = {path: load_case(path) for path in find_cases()}
    return {f"{path.parent.name}/{path.stem}": case_profile_text(case, path)
            for path, case in cases.items() if case.expect.error_code is None}


def compute() -> dict[str, dict[str, str]]:
    from engine.decide.pipeline import evaluate_text

    cases = {name: digest(evaluate_text(text, where).decision) for name, (text, where) in case_texts().items()}
    synthetic = {f"synthetic-{year}": {code: digest(evaluate_text(text, f"{code}.yaml").decision)
                                       for code, text in synthetic_texts(year).items()} for year in YEARS}
    return {"cases": dict(sorted(cases.items())), **synthetic}


if __name__ == "__main__":
    DIGESTS.write_text(json.dumps(compute(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {DIGESTS}")
