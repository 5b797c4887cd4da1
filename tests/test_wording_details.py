"""Small things a reader trips on (issue 23): measure inputs printed as JSON, counts agreeing with their nouns,
numbers written one way within a phrase and no sentence opening with a figure, audit list filtered; a proportion in
words counting the noun after it as the letters do ("all national indicators", "nearly all the types of setting")."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from engine.audit.store import AuditStore
from engine.authoring.cases import case_profile_text, load_case
from engine.decide.pipeline import evaluate_file
from engine.model.wording import PLACEHOLDER, Numbers, agree, counted, no_opening_figure, quantifier, render, spelled
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


# --- A proportion in words before the noun it counts -------------------------------------------------------------

PROPORTIONS = {"all": 1.0, "nearly_all": 0.9, "a_very_large_majority": 0.8, "a_large_majority": 0.65, "the_majority": 0.5,
               "a_minority": 0.2, "few": 0.0}
RULESETS = sorted((ROOT / "rules").glob("csa-*.yaml"))


@pytest.mark.parametrize("words, definite, bare", [
    ("all", "all", "all"), ("nearly all", "nearly all", "nearly all"),
    ("a very large majority", "a very large majority of", "a very large majority of"),
    ("a large majority", "a large majority of", "a large majority of"), ("the majority", "the majority of", "the majority of"),
    ("a minority", "a minority of", "a minority of"), ("few", "few of", "few"), ("none", "none of", "no"),
])
def test_each_proportion_word_takes_of_as_the_letters_write_it(words, definite, bare):
    assert quantifier(words) == definite  # before "the": "nearly all the types", "a minority of the indicators"
    assert quantifier(words, definite=False) == bare  # before a bare plural: "all national indicators"


@pytest.mark.parametrize("share, indicators, types", [
    (1.0, "All national indicators", "in all the types of setting"),
    (0.92, "Nearly all national indicators", "in nearly all the types of setting"),
    (0.85, "A very large majority of national indicators", "in a very large majority of the types of setting"),
    (0.7, "A large majority of national indicators", "in a large majority of the types of setting"),
    (0.55, "The majority of national indicators", "in the majority of the types of setting"),
    (0.3, "A minority of national indicators", "in a minority of the types of setting"),
    (0.1, "Few national indicators", "in few of the types of setting"),
    (0.0, "No national indicators", "in none of the types of setting"),
])
def test_a_because_sentence_words_a_proportion_with_the_noun_it_counts_and_opens_with_a_capital(share, indicators, types):
    text = render("{x:words} of national indicators are in line; in {x:words} of the types of setting.", {"x": share}, PROPORTIONS)
    assert text == f"{indicators} are in line; {types}."


def test_a_proportion_in_words_that_counts_no_noun_stays_a_word_and_a_missing_one_says_so():
    assert render("at least {x:words}", {"x": 0.85}, PROPORTIONS) == "At least a very large majority"
    assert render("in {x:words} of the types", {}, PROPORTIONS) == "In (not available) of the types"


def _because_templates(node: object) -> list[str]:
    if isinstance(node, dict):
        return [t for key, value in node.items() for t in ([value] if key == "because" else _because_templates(value))]
    if isinstance(node, list):
        return [t for item in node for t in _because_templates(item)]
    return []


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
def test_every_proportion_in_words_of_a_shipped_ruleset_counts_a_noun(path):
    """A proportion word in brackets or alone ("secondary schools good or better (a large majority)") says nothing a
    figure would not say better; and "Only none of the indicators" cannot be said, so no sentence puts "Only" before one."""
    templates = _because_templates(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert templates
    for template in templates:
        text = " ".join(template.split())
        for match in PLACEHOLDER.finditer(text):
            if match.group(2) == "words":
                assert text[match.end():].startswith(" of "), text
                assert not text[:match.start()].endswith("Only "), text


def _published_letter(run_cli, tmp_path, case: str) -> str:
    path = ROOT / "rules" / "cases" / f"csa-{case[-4:]}" / "published" / f"{case}.yaml"
    text, _ = case_profile_text(load_case(path), path)
    profile = tmp_path / f"{case}.yaml"
    profile.write_text(text, encoding="utf-8")
    code, out, err = run_cli("letter", profile)
    assert code == 0, err
    return " ".join(out.replace(" *[illustrative]*", "").split())


def test_a_generated_letter_says_all_national_indicators_and_all_the_types_never_all_of(run_cli, tmp_path):
    text = _published_letter(run_cli, tmp_path, "cambridgeshire-2009")
    assert "All national indicators (36 of 36), including those for staying safe" in text
    for wrong in ("all of national", "All of national", "all of the types", "In all of the types", "In nearly all of"):
        assert wrong not in text


def test_camdens_settings_sentence_is_the_letters_finding_and_leaves_vulnerable_and_secondary_provision_to_their_own(examples):
    text = " ".join(letter(examples / "camden.yaml").replace(" *[illustrative]*", "").split())
    sentence = next(s for s in re.split(r"(?<=\.) ", text) if s.startswith("Almost no provision is judged inadequate"))
    assert sentence == ("Almost no provision is judged inadequate (21 of 786 settings), and the proportion good or better is at "
                        "least in line with the national average in nearly all the types of setting.")
    assert "vulnerable" in text and "no secondary schools are inadequate" in text  # said by the letter's own sentences
    assert "no secondary school is inadequate" not in text and "In nearly all of the types" not in text
