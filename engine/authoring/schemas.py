"""JSON Schemas generated from the pydantic models, so that editors validate a file as it is typed.

The published copies live in ``schemas/<name>.schema.json``; a test keeps them equal to what this
module generates. A YAML file opts in with a first line such as
``# yaml-language-server: $schema=../schemas/profile.schema.json``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .. import writing
from ..model.judgement import JudgementFile
from ..model.profile import Profile
from ..model.ruleset import Ruleset

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# name -> (module, model, what the file is)
MODELS: dict[str, tuple[type[BaseModel], str]] = {
    "profile": (Profile, "A council's children's-services performance profile for one assessment year"),
    "ruleset": (Ruleset, "A rating ruleset: named proportions, grading rules, decision table, limits"),
    "judgement": (JudgementFile, "A named assessor's professional judgement on a proposed band"),
}


def schema_model(name: str) -> type[BaseModel]:
    return MODELS[name][0]


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the input files called ``name``: what an editor validates against."""
    generated = schema_model(name).model_json_schema(mode="validation")
    return {"$schema": DRAFT, "$id": f"{name}.schema.json", "description": MODELS[name][1], **generated}


def schema_text(name: str) -> str:
    return json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n"


def write_schema(name: str, output: Path | str) -> Path:
    """The schema written to ``output``, whole or not at all."""
    return writing.write_file(output, schema_text(name))


def published_schema_path(name: str, directory: Path | None = None) -> Path:
    return Path(directory or Path(__file__).resolve().parent.parent.parent / "schemas") / f"{name}.schema.json"
