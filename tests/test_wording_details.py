"""Small things a reader trips on (issue 23): measure inputs printed as JSON, counts agreeing with their nouns,
numbers written one way within a phrase and no sentence opening with a figure, audit list filtered."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.audit.store import AuditStore
from engine.decide.pipeline import evaluate_file
from engine.model.wording import Numbers, agree, counted, no_opening_figure, spelled
from engine.render.review import letter, report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]


def test_evaluate_full_prints_each_measures_inputs_as_json_not_python(run_cli, examples):
    code, out, _ = run_cli("evaluate", examples / "camden.yaml", "--full", "--no-audit")
    assert code == 0
    measures = out.split("\nMeasures\n", 1)[1].splitlines()
    assert measures and "{'" not in out and "True" not in out.split("\nMeasures\n", 1)[1]
    for line in measures:
        inputs = line.split("   ", 2)[-1]
        assert isinstance(json.loads(inputs), dict), line


@pytest.mark.parametrize("example, phrase", [("eastbridge-priority-actions.yaml", "2 areas for priority action"),
                                             ("staffordshire-2011.yaml", "1 area for priority action")])
def test_a_count_of_areas_for_priority_action_agrees_with_its_noun(run_cli, example, phrase):
    code, out, _ = run_cli("evaluate", ROOT / "examples" / example, "--no-audit")
    assert code == 0 and phrase in out and "area(s)" not in out


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_no_output_of_a_shipped_example_writes_a_plural_in_brackets(run_cli, example):
    outputs = [run_cli("evaluate", example, "--no-audit")[1], report(example, "markdown"), letter(example)]
    for output in outputs:
        assert not re.search(r"\d \w+\(s\)", output)


def test_agreement_and_counted_words():
    assert agree("identified 1 area(s) and 0 area(s); 3 strength(s)") == "identified 1 area and 0 areas; 3 strengths"
    assert counted(1, "area for priority action", "areas for priority action") == "1 area for priority action"
    assert counted(2, "area for priority action", "areas for priority action") == "2 areas for priority action"


def test_numbers_compared_in_one_phrase_are_written_alike():
    n = Numbers(WORDS)
    assert n.alike(4, 9) == ["four", "nine"]
    assert n.alike(10, 22) == ["10", "22"] and n.alike(14, 31) == ["14", "31"]
    assert n.one(3) == "three" and n.one(13) == "13"


def test_a_sentence_never_opens_with_a_figure():
    assert no_opening_figure("18 of the 520 childminders are inadequate.") == "Eighteen of the 520 childminders are inadequate."
    assert no_opening_figure("1697 settings.") == "One thousand six hundred and ninety-seven settings."
    assert no_opening_figure("Four of the nine.") == "Four of the nine."
    assert [spelled(n) for n in (0, 21, 100, 105, 2000, 2013)] == ["zero", "twenty-one", "one hundred", "one hundred and five",
                                                                   "two thousand", "two thousand and thirteen"]


def test_cambridgeshires_letter_writes_each_phrases_numbers_alike_and_opens_no_sentence_with_a_figure(examples):
    text = " ".join(letter(examples / "cambridgeshire.yaml").replace(" *[illustrative]*", "").split())
    assert "10 of the 22 school sixth forms" in text and "ten of the 22" not in text
    assert "14 of the 31 secondary schools" in text
    # The seed letters never count inadequate childminders (issue 19), so that sentence, which opened with a
    # figure before the number rule, is not made at all; the rule itself is pinned by the test below.
    assert "childminders are inadequate" not in text
    assert "four of the eight special schools and two of the four pupil referral units" in text


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_no_sentence_of_a_shipped_examples_letter_opens_with_a_figure(example):
    body = " ".join(line for line in letter(example).splitlines() if not line.startswith(("|", ">")))
    text = " ".join(body.replace(" *[illustrative]*", "").split())
    openings = re.findall(r"(?:^|[.!?] )(\d+)\b(?!\s*(?:December|November|January))", text)
    assert openings == []
    spelled_out = {spelled(n) for n in range(1000)} | set(WORDS)
    for match in re.finditer(r"\b([\w-]+) of the ([\w-]+)\b", text):
        part, whole = match.groups()
        kinds = ["figure" if w.isdigit() else "word" if w.lower() in spelled_out else None for w in (part, whole)]
        if None in kinds or kinds[0] == kinds[1]:
            continue
        assert kinds == ["word", "figure"] and part[0].isupper(), match.group(0)  # only a sentence's opening is spelled out


def test_audit_list_filters_by_council_year_and_account(run_cli, tmp_path, examples):
    path = tmp_path / "audit.sqlite"
    with AuditStore(path) as store:
        for example, who in (("camden.yaml", "alice"), ("cambridgeshire.yaml", "bob"), ("staffordshire-2011.yaml", "alice")):
            decision = evaluate_file(examples / example)
            store.append(decision, profile_source_text=(examples / example).read_text(encoding="utf-8"), run_by=who)

    def listed(*options: str) -> list[str]:
        code, out, err = run_cli("audit", "list", "--audit", path, *options)
        assert code == 0, err
        return [line.split("\t")[4] for line in out.splitlines()]

    assert listed() == ["London Borough of Camden 2009", "Cambridgeshire County Council 2009", "Staffordshire County Council 2011"]
    assert listed("--council", "CAMDEN") == ["London Borough of Camden 2009"]
    assert listed("--council", "873") == ["Cambridgeshire County Council 2009"]  # its code
    assert listed("--year", "2009") == ["London Borough of Camden 2009", "Cambridgeshire County Council 2009"]
    assert listed("--account", "alice") == ["London Borough of Camden 2009", "Staffordshire County Council 2011"]
    assert listed("--account", "alice", "--year", "2011") == ["Staffordshire County Council 2011"]
    assert listed("--council", "%") == [] and listed("--council", "_") == []  # text, not a pattern
    assert listed("--council", "County", "--account", "bob") == ["Cambridgeshire County Council 2009"]
