"""`engine schema`: JSON Schemas from the pydantic models; the published copies and the examples agree."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from engine.authoring.schemas import MODELS, published_schema_path, schema, schema_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
MODELINE = "# yaml-language-server: $schema=../schemas/profile.schema.json"


def _as_an_editor_reads_it(path: Path):
    """YAML as a JSON-Schema validator in an editor sees it: mapping keys and dates are strings."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_published_schema_is_the_generated_one(name):
    published = published_schema_path(name)
    assert published.read_text(encoding="utf-8") == schema_text(name), (
        f"regenerate it: engine schema {name} -o schemas/{name}.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema(name))


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_names_the_profile_schema_and_validates_against_it(example):
    assert example.read_text(encoding="utf-8").splitlines()[0] == MODELINE
    target = (example.parent / MODELINE.split("=", 1)[1]).resolve()
    assert target == published_schema_path("profile").resolve()
    jsonschema.Draft202012Validator(json.loads(target.read_text(encoding="utf-8"))).validate(_as_an_editor_reads_it(example))


def test_the_profile_schema_refuses_what_the_engine_refuses():
    validator = jsonschema.Draft202012Validator(schema("profile"))
    data = _as_an_editor_reads_it(ROOT / "examples" / "camden.yaml")
    data["authority"]["nmae"] = "typo"
    data["settings"]["childminders"]["national"]["good_or_better"] = 1.4
    messages = []
    errors = list(validator.iter_errors(data))
    while errors:  # an optional value's errors sit in the context of its anyOf
        error = errors.pop()
        messages.append(error.message)
        errors += error.context
    assert any("'nmae' was unexpected" in m for m in messages)
    assert any("1.4 is greater than the maximum of 1.0" in m for m in messages)


def test_the_shipped_ruleset_validates_against_the_ruleset_schema():
    jsonschema.Draft202012Validator(schema("ruleset")).validate(_as_an_editor_reads_it(ROOT / "rules" / "csa-2009.yaml"))


def test_the_cli_prints_the_schema_and_writes_it(run_cli, tmp_path):
    code, out, _ = run_cli("schema", "profile")
    assert code == 0 and json.loads(out)["title"] == "Profile" and out == schema_text("profile")
    code, _, _ = run_cli("schema", "judgement", "-o", tmp_path / "j.json")
    assert code == 0 and (tmp_path / "j.json").read_text(encoding="utf-8") == schema_text("judgement")
    code, _, err = run_cli("schema", "letter")
    assert code == 2 and "'letter' is not one of 'profile', 'ruleset', 'judgement'" in err
