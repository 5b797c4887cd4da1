"""The rating letter (issue 5): the seeds' form, and for Camden and Cambridgeshire the same rating and
findings as Ofsted's letters of 9 December 2009 (../shared/seeds/; the key facts are copied here so the
test runs without them)."""
from __future__ import annotations

import yaml

from engine.render.review import letter

from .helpers import rules_with_letter_wording


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
    # "A greater than average proportion of nursery, primary and sixth form schools is good or outstanding." Camden's
    # illustrative childcare is above average too, so the early years open and the schools follow ("also true").
    assert "Children get off to a good start with a higher than average proportion of childcare settings that are good or better." in text
    assert "This is also true for nursery, primary and sixth form schools, with the proportion judged" in text
    # "However, secondary school provision is mostly satisfactory, although no secondary schools are inadequate and four
    # of the nine secondary schools are good or better."
    assert ("However, secondary school provision is mostly satisfactory, although no secondary schools are inadequate and "
            "four of the nine secondary schools are good or better.") in text
    # "... at least good in all of the six special schools and the three pupil referral units."
    assert "is at least good in all six special schools and all three pupil referral units" in text
    # "The fostering agency is outstanding.": the council's own services in one sentence, grade by grade, the owner
    # named once (Rochdale 2010: "The local authority's adoption agency is good and its fostering agency is outstanding")
    assert "The local authority's fostering agency is outstanding and its adoption agency is good." in text
    assert "The joint area review in 2008 judged services for safeguarding and looked after children as outstanding." in text
    assert ("A very large majority of national indicators (32 of 36), including those for staying safe and enjoying and "
            "achieving, are in line with or above similar areas and national figures.") in text
    assert ("In most aspects the difference in the performance of children and young people whose circumstances make "
            "them vulnerable is smaller than the national average. Good progress is being made in narrowing the achievement "
            "gap for pupils eligible for free school meals at both Key Stage 2 and Key Stage 4, and at Key Stage 2 the "
            "attainment of minority ethnic groups is good and improving.") in text
    # No areas for priority action and no summary: nothing to set the judgement against, so it joins the inspection's sentence.
    assert ("identified six strengths, one area for development and no areas for priority action, and judged that effective "
            "action is taken to safeguard children.") in text
    assert "However," not in text.replace("However, secondary", "")


def test_cambridgeshires_letter_states_the_seed_letters_rating_and_findings(examples):
    raw = _unmarked(letter(examples / "cambridgeshire.yaml"))
    text = _one_line(raw)
    assert "| Children's services rating | **Performs well (3)** |" in raw
    assert "Children's services in Cambridgeshire County Council perform well." in text
    # "Children get off to a good start with a higher than average proportion of childminders and childcare settings that
    # are good or better. This is also true for nursery and primary schools, with the proportion judged to be good or
    # better above both similar areas and that seen nationally."
    assert ("Children get off to a good start with a higher than average proportion of childminders and childcare settings "
            "that are good or better. This is also true for nursery and primary schools, with the proportion judged to be "
            "good or better above both similar areas and that seen nationally.") in text
    # "Almost no provision is judged inadequate. However, too much secondary and sixth form provision is only adequate."
    assert ("that seen nationally. Almost no provision is judged inadequate (26 of 1697 settings), and the proportion good "
            "or better is at least in line with the national average in the majority of the types of setting. However,") in text
    assert ("However, too much secondary and sixth form provision is only adequate: 14 of the 31 secondary schools and 10 of "
            "the 22 school sixth forms are good or better.") in text
    # one "However," and one "Nevertheless," (the seed's two contrasts); no inadequate childminders counted (the seeds never do)
    assert text.count("However,") == 1 and text.count("Nevertheless,") == 1
    assert "childminders are inadequate" not in text and "One of the four pupil referral units is inadequate." in text
    # "Provision for children and young people whose circumstances make them vulnerable is satisfactory overall, with
    # only a half of special schools and pupil referral units judged good or outstanding."
    assert ("Provision for children and young people whose circumstances make them vulnerable is satisfactory overall, with "
            "only four of the eight special schools and two of the four pupil referral units judged good or outstanding.") in text
    # "Performance in the local authority's fostering and adoption agencies and private fostering arrangements is good."
    assert "The local authority's fostering and adoption agencies and private fostering arrangements are good." in text
    # "Although one of the children's homes is judged outstanding too many are judged to be only satisfactory."
    assert ("Although one of the children's homes is judged outstanding, too many are judged to be only satisfactory: two of "
            "the six children's homes are good or better.") in text
    # "... identified a number of strengths, but a lack of capacity in two teams impacts on overall performance.
    # However, the inspection judged that effective action is taken to safeguard children."
    assert ("one area for priority action, but a lack of capacity in two teams impacts on overall performance. Nevertheless, "
            "the inspection judged that effective action is taken to safeguard children.") in text
    assert ("Performance against a large majority of national indicators (26 of 35), including those for staying safe "
            "and enjoying and achieving, is in line with similar areas and national figures.") in text
    # "Educational achievement at the age of 11 and 16 is high; however, the difference ... gets wider as they get
    # older. This trend continues to 19 with fewer young people from low income families going on to university when
    # leaving school. Overall achievement at 19 is good and a high proportion of young people are engaged in education,
    # employment or training."
    assert ("Educational achievement at the ages of 11 and 16 is high. The difference in performance of children and young "
            "people whose circumstances make them vulnerable and that of their peers gets wider. This trend continues to 19, "
            "with fewer young people from low income families going on to university when leaving school than nationally. "
            "Overall achievement at 19 is good and a high proportion of young people are engaged in education, employment "
            "or training.") in text


def test_a_finding_on_named_indicators_goes_when_its_indicators_are_in_line(examples, tmp_path):
    data = yaml.safe_load((examples / "cambridgeshire.yaml").read_text())
    data["indicators"]["NI_106"] = {"value": 21.0, "similar_areas": 21.0, "national": 21.0}
    data["indicators"]["NI_75"] = {"value": 47.6, "similar_areas": 47.6, "national": 47.6}
    profile = tmp_path / "cambridgeshire-in-line.yaml"
    profile.write_text(yaml.safe_dump(data, sort_keys=False))
    text = _one_line(letter(profile))
    assert "university" not in text  # NI_106 in line: nothing to say
    # NI_73 is still above, NI_75 in line: achievement "at the ages of 11 and 16" is not said of one of them.
    assert "Educational achievement at the ages of 11 and 16 is high" not in text


def test_no_letter_of_a_shipped_example_repeats_an_opening_or_counts_inadequate_childminders(examples):
    for example in sorted(examples.glob("*.yaml")):
        text = _unmarked(letter(example))
        if " perform " not in text:  # withheld: no rating paragraphs
            continue
        body = text[text.index(" perform "):text.index("The children's services rating is provided")]
        for paragraph in body.split("\n\n")[1:]:  # each paragraph after the headline
            openings = [" ".join(s.split()[:3]) for s in _one_line(paragraph).split(". ")]
            repeated = {o for o in openings if openings.count(o) > 1}
            assert not repeated, (example.name, repeated)
            assert paragraph.count("However,") <= 1, example.name
        assert not any(f"{kind} are inadequate" in body or f"{kind} is inadequate" in body
                       for kind in ("childminders", "childcare settings")), example.name


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
    # The limit follows the inspection's findings, referring back to them, not stating them again.
    assert ("identified five strengths, two areas for development and one area for priority action, but a lack of capacity "
            "in two teams impacts on overall performance. These findings limit the rating by one grade, to performs "
            "adequately.") in _one_line(_unmarked(letter(profile)))


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


def test_a_below_average_sentence_agrees_with_one_setting_good_or_better(examples, tmp_path):
    # Westmoor 2010: one of three council-run children's homes good or better, and one of three private ones: the two
    # said together ("are"); the council's alone, "is".
    text = _one_line(letter(examples / "westmoor-2010-inadequate-safeguarding.yaml"))
    assert ("Too many children's homes run by the council and private and voluntary children's homes are judged to be only "
            "satisfactory: one of the three children's homes run by the council and one of the three private and voluntary "
            "children's homes are good or better.") in text
    assert "14 of the 31 secondary schools and 10 of the 22 school sixth forms are good or better" in text
    data = yaml.safe_load((examples / "westmoor-2010-inadequate-safeguarding.yaml").read_text())
    del data["settings"]["private_childrens_homes"]
    profile = tmp_path / "westmoor-council-homes.yaml"
    profile.write_text(yaml.safe_dump(data, sort_keys=False))
    text = _one_line(letter(profile))
    assert "one of the three children's homes run by the council is good or better." in text


def test_rules_check_refuses_letter_wording_that_names_what_the_ruleset_lacks(tmp_path, monkeypatch, run_cli):
    def edit(data: dict) -> None:
        data["evidence"]["below_average_blocks"][0]["several"] = "Too much {phase} provision is only adequate."
        data["indicator_sentences"][0]["follows"] = "settings"
        data["indicator_sentences"][1]["clauses"][0]["after_rule"] = {"finding_gaps_widen": "this trend continues"}
        data["evidence"]["group_mostly_at_least"] = "most"

    rules_with_letter_wording(tmp_path, "csa-2009", edit, monkeypatch)
    code, out, err = run_cli("rules", "check")
    assert (code, out) == (2, "")
    assert "'evidence.below_average_blocks.0.several' uses {phase}, which the letter does not fill" in err
    assert "'indicator_sentences.0.follows' follows 'settings', which is not a stage of the indicators paragraph" in err
    assert "a clause is said after rule 'finding_gaps_widen', which is not a rule of ruleset 'csa-2009'" in err
    assert "'evidence.group_mostly_at_least' names 'most', which is not a proportion of ruleset 'csa-2009'" in err


def test_the_letter_says_the_latest_inspections_of_a_profiles_history(examples):
    # Westmoor 2010 gives its inspections as a dated history, not the single fields of 2009.
    text = _one_line(_unmarked(letter(examples / "westmoor-2010-inadequate-safeguarding.yaml")))
    assert ("The inspection of safeguarding and looked after children in November 2009 judged services for safeguarding as "
            "inadequate and for looked after children as satisfactory.") in text
    assert ("The unannounced inspection of contact, referral and assessment arrangements for children in need in June 2009 "
            "identified four strengths, two areas for development and no areas for priority action") in text


def test_all_of_two_settings_are_both(examples):
    text = _one_line(_unmarked(letter(examples / "kingsmere-2011-excellent.yaml")))
    # The special schools are counted by the rule's "13 of 14 children's homes and special schools", so not again here.
    assert "is at least good in both pupil referral units." in text and "all two" not in text


def test_the_inspections_own_summary_joined_to_its_findings_is_escaped_for_each_medium(examples, tmp_path):
    data = yaml.safe_load((examples / "cambridgeshire.yaml").read_text())
    data["unannounced_inspection"]["summary"] = "A <script>x</script> *team* is short of staff."
    profile = tmp_path / "cambridgeshire-summary.yaml"
    profile.write_text(yaml.safe_dump(data, sort_keys=False))
    html = letter(profile, "html")
    assert "one area for priority action, but a &lt;script&gt;x&lt;/script&gt; *team* is short of staff." in html
    assert "<script>" not in html
    markdown = _one_line(letter(profile))
    assert r"one area for priority action, but a &lt;script&gt;x&lt;/script&gt; \*team\* is short of staff." in markdown
