"""Letters never state an illustrative value unmarked: a profile's values carry their provenance (published,
illustrative, derived from an extract); each sentence resting on an illustrative value is marked, and the
letter says at its top that it is a draft, naming each value."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from engine.model.provenance import Provenance, measure_sources
from engine.render.review import letter

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
JAR = "The joint area review in 2007 judged services for safeguarding and looked after children as good."


def _with_provenance(tmp_path: Path, example: str, provenance: dict | None) -> Path:
    data = yaml.safe_load((ROOT / "examples" / example).read_text(encoding="utf-8"))
    data.pop("provenance", None)
    if provenance is not None:
        data["provenance"] = provenance
    path = tmp_path / example
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _sentences(text: str) -> list[str]:
    body = " ".join(line for line in text.splitlines() if not line.startswith(">"))
    return re.split(r"(?<=[.*]) (?=[A-Z0-9])", " ".join(body.split()))


def test_cambridgeshires_letter_marks_the_joint_area_review_its_profile_marks_illustrative(examples):
    text = letter(examples / "cambridgeshire.yaml")
    assert text.startswith("> **DRAFT, not to be issued as it stands")
    assert "> - safeguarding\\_inspection (the letter does not mention it)" in text
    assert f"{JAR} *[illustrative]*" in " ".join(text.split())


def test_a_sentence_resting_only_on_published_values_is_not_marked(examples):
    text = " ".join(letter(examples / "cambridgeshire.yaml").split())
    for published in ("The local authority's fostering and adoption agencies and private fostering arrangements are good.",
                      "Nevertheless, the inspection judged that effective action is taken to safeguard children."):
        assert published in text and f"{published} *[illustrative]*" not in text


def test_marking_one_value_illustrative_marks_its_sentence_and_names_only_it(tmp_path):
    path = _with_provenance(tmp_path, "cambridgeshire.yaml",
                            {"values": [{"path": "safeguarding_inspection", "kind": "illustrative", "note": "made up"}]})
    text = letter(path)
    assert text.startswith("> **DRAFT") and "> - safeguarding\\_inspection (made up)\n\n" in text
    assert " ".join(text.split()).count("*[illustrative]*") == 1 and f"{JAR} *[illustrative]*" in " ".join(text.split())


def test_a_profile_of_published_and_derived_values_gives_a_letter_that_is_no_draft(tmp_path):
    for provenance in (None, {"default": "derived"}, {"default": "published", "values": [{"path": "indicators", "kind": "derived"}]}):
        text = letter(_with_provenance(tmp_path, "cambridgeshire.yaml", provenance))
        assert "DRAFT" not in text and "[illustrative]" not in text
        assert JAR in " ".join(text.split())


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_no_letter_from_a_shipped_example_states_an_illustrative_value_unmarked(example):
    """Every shipped example marks its illustrative values; so its letter is a draft naming them, and every
    sentence of its evidence that states a figure is marked (figures in words too: 'four of the nine')."""
    provenance = Provenance.model_validate(yaml.safe_load(example.read_text(encoding="utf-8"))["provenance"])
    for output_format in ("markdown", "html"):
        text = letter(example, output_format)
        assert ("DRAFT, not to be issued as it stands" in text) is (provenance.default == "illustrative")
    text = letter(example)
    figure = re.compile(r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) of\b", re.I)
    for sentence in _sentences(text.split("**Children's services rating", 1)[1].split("The children's services rating is provided")[0]):
        if figure.search(sentence) and "[illustrative]" not in sentence:
            # only the values the profile marks published may be stated without a mark
            assert any(k in sentence for k in ("secondary schools", "special schools")), sentence


def test_the_html_letter_marks_the_sentence_and_heads_with_the_notice(examples):
    html = letter(examples / "cambridgeshire.yaml", "html")
    assert '<aside id="draft">' in html and html.index('<aside id="draft">') < html.index("<h1>")
    assert f'{JAR} <span class="illustrative">[illustrative]</span>' in " ".join(html.split())


def test_the_longest_declared_path_decides_and_a_section_holding_an_illustrative_value_is_named():
    p = Provenance.model_validate({"default": "published", "values": [{"path": "settings.childminders", "kind": "illustrative"},
                                                                      {"path": "settings.childminders.counts", "kind": "published"}]})
    assert p.of("settings.childminders.counts.good").kind == "published"
    assert p.of("settings.childminders.national").kind == "illustrative"
    assert [path for path, _ in p.illustrative("settings")] == ["settings.childminders"]
    assert p.illustrative("settings.childminders.counts") == []


def test_measures_are_traced_to_the_profile_sections_they_are_derived_from():
    assert measure_sources("settings.childminders.share_good_or_better") == ["settings.childminders"]
    assert measure_sources("settings.share_types_in_line_or_above_national") == ["settings"]
    assert measure_sources("indicator.NI_99.vs_national") == ["indicators.NI_99"]
    assert measure_sources("outcomes.staying_safe.share_in_line_or_above") == ["indicators"]
    # An inspection's measures read the history and the single fields as one record.
    assert measure_sources("safeguarding_inspection.safeguarding") == ["safeguarding_inspection", "inspections"]
    assert measure_sources("inspections.inadequate_safeguarding_not_lifted") == [
        "safeguarding_inspection", "unannounced_inspection", "inspections"]


def test_a_sentence_on_an_inspection_rests_on_the_part_of_the_profile_that_gives_it(tmp_path):
    # Westmoor gives its inspections in the history alone, published here: the limit's sentence, whose placeholders
    # name safeguarding_inspection.*, rests on the history, and no single field the profile leaves out is named.
    path = _with_provenance(tmp_path, "westmoor-2010-inadequate-safeguarding.yaml",
                            {"default": "illustrative", "values": [{"path": "inspections", "kind": "published"}]})
    text = letter(path)
    notice = text.split("\n\n", 1)[0]
    assert "inspection" not in notice
    limit = "The inspection of safeguarding and looked after children in November 2009 judged"
    assert [s for s in _sentences(text) if "[illustrative]" in s and ("inspection" in s.split(",")[0])] == []
    assert any(s.startswith(limit) for s in _sentences(text))


def _case_letter(tmp_path: Path, case: str) -> str:
    from engine.authoring.cases import case_profile_text, load_case

    path = ROOT / "rules" / "cases" / case
    profile = tmp_path / path.name
    profile.write_text(case_profile_text(load_case(path), path)[0], encoding="utf-8")
    return letter(profile)


def test_a_band_only_cases_letter_marks_every_figure_as_the_baselines(tmp_path):
    # Rochdale 2009: its sources give the band alone (performs well); every figure in its letter is the baseline's.
    text = _case_letter(tmp_path, "csa-2009/published/rochdale-2009.yaml")
    assert text.startswith("> **DRAFT, not to be issued as it stands")
    assert "(the baseline's, a council typical of England, not a figure a source gives for this council)" in text
    figure = re.compile(r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten) (of|strengths)\b", re.I)
    evidence = text.split("**Children's services rating", 1)[1].split("The children's services rating is provided")[0]
    stated = [s for s in _sentences(evidence) if figure.search(s)]
    assert stated and all("[illustrative]" in s for s in stated)
    assert "| Children's services rating | **Performs well (3)** |" in text  # the band, published, is not marked


def test_a_published_cases_own_facts_are_not_marked_and_the_baselines_are(tmp_path):
    # Camden 2009 lays its letter's facts over the baseline: all six special schools and three pupil referral units
    # good or better, the joint area review of 2008; the national shares and the adoption agency are the baseline's.
    sentences = _sentences(_case_letter(tmp_path, "csa-2009/published/camden-2009.yaml"))

    def said(start: str) -> str:
        return next(s for s in sentences if s.startswith(start))

    assert "[illustrative]" not in said("Provision for children and young people whose circumstances make them vulnerable")
    assert "[illustrative]" not in said("The joint area review in 2008")
    assert "[illustrative]" in said("However, secondary school provision")
    assert "[illustrative]" in said("The local authority's fostering agency is outstanding and its adoption agency")


def test_a_path_declared_twice_is_refused_at_its_line(tmp_path):
    from engine.errors import ProfileError
    from engine.load.profile import load_profile

    path = _with_provenance(tmp_path, "camden.yaml", {"values": [{"path": "indicators", "kind": "derived"},
                                                                 {"path": "indicators", "kind": "illustrative"}]})
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    (problem,) = caught.value.problems
    assert problem.code == "profile-invalid" and "declared more than once: indicators" in problem.message and problem.line
