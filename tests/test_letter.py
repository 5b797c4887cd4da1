"""The rating letter (issue 5): the seeds' form, and for Camden and Cambridgeshire the same rating and
findings as Ofsted's letters of 9 December 2009 (../shared/seeds/; the key facts are copied here so the
test runs without them)."""
from __future__ import annotations

import yaml

from engine.render.review import letter


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _unmarked(text: str) -> str:
    """The letter without its draft notice and [illustrative] marks (tests/test_provenance.py pins those)."""
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    return "".join(lines).lstrip("\n").replace(" *[illustrative]*", "")


def test_camdens_letter_states_the_seed_letters_rating(examples):
    text = _unmarked(letter(examples / "camden.yaml"))
    assert text.startswith("9 December 2009\n\nMs Ann Baxter  \nDirector of Children, Schools and Families  \n"
                           "London Borough of Camden  \nCrowndale Centre  \n218-220 Eversholt Road  \nLondon  \nNW1 1BD\n\n"
                           "Dear Ms Baxter\n\n**Children's services annual rating**\n")
    assert "| Children's services rating | **Performs excellently (4)** |" in text
    assert "Children's services in the London Borough of Camden perform excellently." in text


def test_camdens_letter_states_the_seed_letters_findings(examples):
    text = _one_line(_unmarked(letter(examples / "camden.yaml")))
    # "A greater than average proportion of nursery, primary and sixth form schools is good or outstanding."
    above = next(s for s in text.split(". ") if s.startswith("A greater than average proportion of"))
    assert all(phase in above for phase in ("nursery schools", "primary schools", "school sixth forms"))
    assert "secondary" not in above
    # "... no secondary schools are inadequate and four of the nine secondary schools are good or better."
    assert "four of the nine secondary schools are good or better, although no secondary schools are inadequate" in text
    # "... at least good in all of the six special schools and the three pupil referral units."
    assert "is at least good in all six special schools and all three pupil referral units" in text
    assert "The council's fostering agency is outstanding." in text
    assert "The joint area review in 2008 judged services for safeguarding and looked after children as outstanding." in text
    assert ("A very large majority of national indicators (32 of 36), including those for staying safe and enjoying and "
            "achieving, are in line with or above similar areas and national figures.") in text
    assert ("In most aspects the difference in the performance of children and young people whose circumstances make "
            "them vulnerable is smaller than the national average.") in text


def test_cambridgeshires_letter_states_the_seed_letters_rating_and_findings(examples):
    raw = _unmarked(letter(examples / "cambridgeshire.yaml"))
    text = _one_line(raw)
    assert "| Children's services rating | **Performs well (3)** |" in raw
    assert "Children's services in Cambridgeshire County Council perform well." in text
    # "... childminders and childcare settings ... This is also true for nursery and primary schools"
    above = next(s for s in text.split(". ") if s.startswith("A greater than average proportion of"))
    assert above.startswith("A greater than average proportion of childminders, childcare settings, nursery schools and "
                            "primary schools is good or outstanding")
    # "Almost no provision is judged inadequate. However, too much secondary and sixth form provision is only adequate."
    assert "almost no provision is judged inadequate" in text
    assert "However, provision in secondary schools is below average" in text
    # one "However," for the two, as the seed's one sentence; no inadequate childminders counted (the seeds never do)
    assert "Provision in school sixth forms is also below average" in text and text.count("However,") == 1
    assert "childminders are inadequate" not in text and "One of the four pupil referral units is inadequate." in text
    # "... only a half of special schools and pupil referral units judged good or outstanding. One pupil referral unit is inadequate."
    assert "four of the eight special schools and two of the four pupil referral units" in text
    assert "One of the four pupil referral units is inadequate." in text
    # "Performance in the local authority's fostering and adoption agencies and private fostering arrangements is good."
    assert "The council's fostering agency, the council's adoption agency and private fostering arrangements are good." in text
    assert "A lack of capacity in two teams impacts on overall performance." in text
    assert "The inspection judged that effective action is taken to safeguard children." in text
    assert ("Performance against a large majority of national indicators (26 of 35), including those for staying safe "
            "and enjoying and achieving, is in line with similar areas and national figures.") in text
    assert "whose circumstances make them vulnerable and that of their peers gets wider" in text


def test_the_letter_carries_the_fixed_paragraphs_and_the_four_point_scale(examples):
    text = letter(examples / "cambridgeshire.yaml")
    assert "Ofsted guidance published in May 2009 explained" in text
    assert "Ofsted has decided therefore to use 2009 as a transitional year easing into the full application of the new system in 2010." in _one_line(text)
    for row in ("| 4 | Performs excellently | An organisation that significantly exceeds minimum requirements |",
                "| 1 | Performs poorly | An organisation that does not meet minimum requirements |"):
        assert row in text
    assert "section 138 of the Education and Inspections Act 2006" in _one_line(text)


def test_the_transitional_paragraph_goes_when_the_ruleset_is_not_transitional(examples, tmp_path):
    from engine.paths import rules_dir

    ruleset = tmp_path / "csa-2009.yaml"
    ruleset.write_text((rules_dir() / "csa-2009.yaml").read_text().replace("transitional: true", "transitional: false"))
    text = letter(examples / "camden.yaml", ruleset_path=ruleset)
    assert "transitional year" not in text
    assert "perform excellently" in text


def test_a_binding_limit_changes_the_letters_rating_and_gives_its_reason(examples, tmp_path):
    data = yaml.safe_load((examples / "cambridgeshire.yaml").read_text())
    data["unannounced_inspection"].update(areas_for_priority_action=1, effective_action_to_safeguard=False)
    profile = tmp_path / "cambridgeshire-priority.yaml"
    profile.write_text(yaml.safe_dump(data, sort_keys=False))
    text = _one_line(letter(profile))
    assert "| Children's services rating | **Performs adequately (2)** |" in text
    assert "Children's services in Cambridgeshire County Council perform adequately." in text
    assert ("identified 1 area for priority action and did not judge that effective action is taken to safeguard "
            "children, which limits the rating by one grade") in text
    assert "one area for priority action" in text


def test_the_letter_as_html_is_one_page_with_the_rating(examples):
    page = letter(examples / "camden.yaml", "html")
    assert page.startswith("<!DOCTYPE html>")
    assert '<td id="rating"><strong>Performs excellently (4)</strong></td>' in page
    assert "<em>Every Child Matters</em>" in page and "http" not in page


def test_cli_letter_prints_markdown(run_cli, examples):
    code, out, err = run_cli("letter", examples / "camden.yaml")
    assert code == 0 and err == ""
    assert _unmarked(out).splitlines()[0] == "9 December 2009"
    assert "Children's services in the London Borough of Camden perform excellently." in out


def test_a_judgement_sets_the_letters_rating_and_is_named_with_its_reason(run_cli, examples, tmp_path):
    judgement = tmp_path / "judgement.yaml"
    judgement.write_text("band: 4\nassessor: A. Reviewer\nreason: Secondary provision has improved since its inspections.\n")
    code, out, err = run_cli("letter", examples / "cambridgeshire.yaml", "--judgement", judgement)
    assert code == 0, err
    assert "| Children's services rating | **Performs excellently (4)** |" in out
    assert ("Professional judgement by A. Reviewer placed the rating at performs excellently: Secondary provision has "
            "improved since its inspections.") in out


def test_a_below_average_sentence_agrees_with_one_setting_good_or_better(examples):
    # Westmoor 2010: one of three council-run children's homes good or better ("is", not "are").
    text = _one_line(letter(examples / "westmoor-2010-inadequate-safeguarding.yaml"))
    assert "one of the three children's homes run by the council is good or better" in text
    assert "14 of the 31 secondary schools are good or better" in text
