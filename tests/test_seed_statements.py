"""Every statement of the two 2009 seed letters' rating paragraphs, and of the letter text the published cases quote,
checked against `engine letter` for that council by its facts: the setting types, grade words, comparators,
indicators, groups and numbers it names. A statement is expressed when one sentence of the generated letter names
every fact it names. The counts are printed (pytest -s); each statement not expressed is listed with why, and a
listed gap that the letter now expresses fails the test, so the list stays true. The check cannot pass vacuously:
every statement names at least two facts, each expressed statement is said by exactly one sentence, and dropping
that sentence from the letter fails the check."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.authoring.cases import Source, case_profile_text, load_case
from engine.paths import rules_dir

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
if not SEEDS.is_dir():  # a worktree sits beside main, not inside the shared folder's parent
    SEEDS = Path("/work/shared/seeds")
LETTER_TITLE = "Children's services annual rating"  # a source with this title, published by Ofsted, is the letter

# A fact as the letters word it, and the words the generated letter may use for it.
FACTS: dict[str, tuple[str, ...]] = {
    "childminders": ("childminders",), "childcare": ("childcare",), "nursery": ("nursery",), "primary": ("primary",),
    "secondary": ("secondary",), "sixth form": ("sixth form",), "special schools": ("special schools",),
    "pupil referral unit": ("pupil referral unit",), "private fostering": ("private fostering",),
    "fostering agenc": ("fostering agenc",), "adoption": ("adoption",), "children's homes": ("children's homes",),
    "joint area review": ("joint area review",), "unannounced inspection": ("unannounced inspection",),
    "strengths": ("strength",), "two teams": ("two teams",), "effective action": ("effective action",),
    "safeguard": ("safeguard",),
    "good or outstanding": ("good or outstanding", "good or better"), "outstanding": ("outstanding",),
    "inadequate": ("inadequate",), "almost no": ("almost no",),
    "only adequate": ("only adequate", "mostly satisfactory"), "satisfactory": ("satisfactory",),
    # "This is also true for" carries the sentence before it ("a higher than average proportion"), as Ofsted's does.
    "greater than average": ("greater than average", "higher than average", "this is also true"),
    "higher than average": ("greater than average", "higher than average", "this is also true"),
    "similar areas": ("similar areas",), "national indicators": ("national indicators",),
    "staying safe": ("staying safe",), "enjoying and achieving": ("enjoying and achieving",),
    "very large majority": ("very large majority",), "large majority": ("large majority",),
    "vulnerable": ("vulnerable",), "smaller than the national average": ("smaller than the national average",),
    "wider": ("wider",), "narrowing": ("narrowing",), "improving": ("improving",), "improvement": ("improve",),
    "free school meals": ("free school meals",), "key stage 2": ("key stage 2",), "key stage 4": ("key stage 4",),
    "minority ethnic": ("minority ethnic",), "low income": ("low income",), "university": ("university",),
    "achievement": ("achievement",), "education, employment or training": ("education, employment or training",),
    # Facts recorded, not weighed (issue 19, item 5): a notice to improve, an inspection's other judgements, last year's rating.
    "improvement notice": ("improvement notice",), "capacity for improvement": ("capacity for improvement",),
    "management": ("management",), "value for money": ("value for money",),
    "ambition and prioritisation": ("ambition and prioritisation",), "assessment and direct work": ("assessment and direct work",),
    "looked after": ("looked after", "looked-after"), "last year": ("last year",),
    "annual performance assessment": ("annual performance assessment",),
    **{f"performs {manner}": (f"performs {manner}",) for manner in ("excellently", "well", "adequately", "poorly")},
}
# The numbers a statement names must be in the sentence that says it, as a word or a figure.
NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
_NUMBER = re.compile(r"(?<![-\w])(" + "|".join(NUMBERS) + r"|\d+)\b")  # not "post-16": a name, not a count

# Statements the generated letter does not express, and why (the profile cannot carry it, or no sentence says it).
KNOWN_GAPS: dict[str, dict[str, str]] = {
    "camden": {},
    "cambridgeshire": {},
}
# The same for the published cases' letter text, by case: the case's profile carries only what its file encodes over
# the year's baseline (a council typical of England), so a finding the file does not encode is not said.
CASE_GAPS: dict[str, dict[str, str]] = {
    "camden-2009": {
        "A very large majority of national indicators": (
            "the case encodes no indicator: over the baseline every indicator is in line, so the letter says all of "
            "them (36 of 36); the case would need indicators of which a very large majority are in line or above"),
    },
    # On branch issue-19-p2011 (the 2011 letter as the Yorkshire Post quotes it); kept here so the check holds when it lands.
    "barnsley-2010": {
        "There have been some improvements made in early years": (
            "the 2011 letter's, quoted for the 2010 band ('as they did in 2010'): improvements since 2010 are not the 2010 "
            "letter's to state"),
        "However, the quality of secondary schools is still too low": (
            "the 2011 letter's, quoted for the 2010 band: the 2010 letter says its secondary schools and results at 16 "
            "below comparators (the settings sentence and the limit's), and has no 'still'"),
    },
    "cheshire-east-2010": {
        "performing well": (
            "the council's release quoting the band's words ('judged to be \u201cperforming well\u201d overall'), "
            "which the headline says"),
    },
    "barnsley-2011": {
        "There have been some improvements made in early years": (
            "the profile carries no earlier year's grades of settings, so no improvement in them (letters-needs.md)"),
        "However, the quality of secondary schools is still too low": (
            "attainment by the age of 19 has no indicator in 2011's single data list; the rest is said, by the limit's "
            "sentence (secondary schools and results at 16 below comparators)"),
    },
    "wandsworth-2011": {
        "Achievement by very young children at the end of the Early Years Foundation Stage": (
            "the profile carries no trend ('and improving'); the letter names no single indicator above its comparators "
            "(the case's early years result, above both, is counted among the indicators in line or above)"),
        "Very young children from families with low incomes also consistently do better": (
            "the baseline has no national early years gap for children from low-income families, and no trend "
            "('narrowing well'), so the case encodes neither (see its comment)"),
        "Attainment for those from families with low incomes at this age (16-year-olds)": (
            "the profile carries no trend ('improving steadily'); the narrower gap at 16 is said among the vulnerable "
            "groups' gaps, smaller than the national average, not by its group and stage"),
    },
    "cambridgeshire-2009": {
        "Performance against the large majority of national indicators": (
            "the case encodes no indicator: over the baseline every indicator is in line, so the letter says all of "
            "them (36 of 36), not a large majority"),
        "Educational achievement at the age of 11 and 16 is high": (
            "the case encodes no indicator: NI_73 and NI_75 (results at 11 and 16) are the baseline's, in line"),
        "This trend continues to 19": (
            "the case encodes no indicator: NI_106 (low income backgrounds progressing to higher education) is the "
            "baseline's, in line"),
    },
}


def split_statements(text: str) -> list[str]:
    """Statements: sentences, and clauses a semicolon parts ("... is high; however, the difference ...")."""
    return [s.strip() for s in re.split(r"(?<=[.;])\s+(?=[A-Za-z])", " ".join(text.split())) if s.strip()]


def rating_statements(letter: str) -> list[str]:
    """The statements of a letter's rating paragraphs: after the headline, up to the section 138 paragraph."""
    start = re.search(r"^Children's services in .* perform \w+\.$", letter, re.M)
    end = letter.index("The children's services rating is provided")
    assert start is not None
    return split_statements(letter[start.end():end])


def facts_of(statement: str) -> set[str]:
    text = statement.lower()
    found = {fact for fact in FACTS if fact in text}
    for wider, narrower in (("very large majority", "large majority"), ("only adequate", "satisfactory"),
                            ("private fostering", "fostering agenc"), ("good or outstanding", "outstanding")):
        if wider in found:
            found.discard(narrower)
    found |= {f"#{n}" for n in _NUMBER.findall(text)}
    return found


def _says(sentence: str, fact: str) -> bool:
    text = sentence.lower()
    if fact.startswith("#"):
        number = fact[1:]
        forms = {number} | ({str(NUMBERS.index(number) + 1)} if number in NUMBERS else set()) | (
            {NUMBERS[int(number) - 1]} if number.isdigit() and 0 < int(number) <= len(NUMBERS) else set())
        return any(re.search(rf"\b{form}\b", text) for form in forms)
    return any(word in text for word in FACTS[fact])


def saying(statement: str, generated: list[str]) -> list[str]:
    """The generated sentences that name every fact the statement names. A statement naming fewer than two facts
    cannot be checked by them (one common word would match it): no sentence says it, so it is listed with why."""
    facts = facts_of(statement)
    return [s for s in generated if len(facts) >= 2 and all(_says(s, f) for f in facts)]


def expressed(statement: str, generated: list[str]) -> bool:
    return bool(saying(statement, generated))


def letter_sentences(out: str) -> list[str]:
    """The sentences of a generated letter's rating paragraphs (without the [illustrative] marks)."""
    body = out[out.index("perform "):out.index("The children's services rating is provided")].replace("*[illustrative]*", "")
    return [s for s in re.split(r"(?<=[.])\s+(?=[A-Z0-9])", " ".join(body.split())) if s][1:]  # after the headline


def unexplained(statements: list[str], generated: list[str], gaps: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """(not expressed, of those not listed with a reason, listed but expressed after all)."""
    missing = [s for s in statements if not expressed(s, generated)]
    unlisted = [s for s in missing if not any(s.startswith(start) for start in gaps)]
    stale = [start for start in gaps if not any(s.startswith(start) for s in missing)]
    return missing, unlisted, stale


def generated_sentences(run_cli, profile: Path) -> list[str]:
    code, out, err = run_cli("letter", str(profile))
    assert code == 0, err
    return letter_sentences(out)


def _report(name: str, statements: list[str], missing: list[str], gaps: dict[str, str]) -> None:
    print(f"\n{name}: {len(statements) - len(missing)} of {len(statements)} statements expressed by `engine letter`")
    for statement in missing:
        reason = next((why for start, why in gaps.items() if statement.startswith(start)), "NOT LISTED")
        print(f"  not expressed: {statement[:90]}... ({reason})")


def _seed(council: str) -> list[str]:
    return rating_statements((SEEDS / f"2009-{council}-letter.txt").read_text(encoding="utf-8"))


@pytest.mark.parametrize("council", ["camden", "cambridgeshire"])
def test_every_seed_statement_is_expressed_or_listed_with_why(run_cli, council, capsys):
    statements = _seed(council)
    assert len(statements) >= 8  # the rating paragraphs, not the guidance
    weak = [s for s in statements if len(facts_of(s)) < 2]
    assert not weak, f"statements naming fewer than two facts, which one common word would match: {weak}"
    generated = generated_sentences(run_cli, ROOT / "examples" / f"{council}.yaml")
    missing, unlisted, stale = unexplained(statements, generated, KNOWN_GAPS[council])
    with capsys.disabled():
        _report(f"{council} (seed letter)", statements, missing, KNOWN_GAPS[council])
    assert not unlisted, f"statements neither expressed nor listed with a reason: {unlisted}"
    assert not stale, f"listed as not expressed, but the letter now expresses them: {stale}"
    assert not missing, "every seed statement is expressed (issue 19)"


@pytest.mark.parametrize("council", ["camden", "cambridgeshire"])
def test_each_seed_statement_is_said_by_one_sentence_whose_loss_fails_the_check(run_cli, council):
    statements = _seed(council)
    generated = generated_sentences(run_cli, ROOT / "examples" / f"{council}.yaml")
    for statement in statements:
        said_by = saying(statement, generated)
        assert len(said_by) == 1, (statement, said_by)  # one sentence per finding, and the match is not loose
        dropped = [s for s in generated if s != said_by[0]]
        _, unlisted, _ = unexplained(statements, dropped, KNOWN_GAPS[council])
        assert unlisted == [statement], f"dropping {said_by[0]!r} should leave only {statement!r} unexpressed"


def test_dropping_the_fostering_sentence_from_camdens_letter_fails_the_check(run_cli):
    statements = _seed("camden")
    generated = generated_sentences(run_cli, ROOT / "examples" / "camden.yaml")
    dropped = [s for s in generated if "fostering agency" not in s]
    assert len(dropped) == len(generated) - 1
    _, unlisted, _ = unexplained(statements, dropped, KNOWN_GAPS["camden"])
    assert unlisted == ["The fostering agency is outstanding."]


HEADLINE = re.compile(r"Children's services in .+? perform (?:excellently|well|adequately|poorly)")
QUOTED = re.compile(r"“([^”]*)”?")  # the words inside curly quotes, to the closing mark or the end


def letter_text(source: Source) -> list[str]:
    """The rating letter's own sentences among a source's quotes: all of them when the source is the letter (titled as
    the letters are, published by Ofsted); when another source quotes the letter's headline (a newspaper quoting the
    letter, Barnsley 2011), the words it quotes. Never the headline itself."""
    quotes = [q.replace("’", "'") for q in source.quotes]
    if source.publisher.startswith("Ofsted") and source.title == LETTER_TITLE:
        text = quotes
    elif any(HEADLINE.search(q) for q in quotes):
        text = [part for q in quotes for part in QUOTED.findall(q)]  # only what it puts in the letter's mouth
    else:
        return []
    return [s for part in text for s in split_statements(part) if not HEADLINE.match(s)]


def letter_quotes(folder: Path | None = None) -> dict[Path, list[str]]:
    """The published cases whose sources quote the rating letter, with the statements of its rating paragraphs."""
    found: dict[Path, list[str]] = {}
    for path in sorted((folder or rules_dir()).glob("cases/*/published/*.yaml")):
        statements = [s for source in load_case(path).sources for s in letter_text(source)]
        if statements:
            found[path] = statements
    return found


@pytest.mark.parametrize("path", list(letter_quotes()), ids=lambda p: p.stem)
def test_every_quoted_letter_statement_of_a_published_case_is_expressed_or_listed_with_why(run_cli, path, tmp_path, capsys):
    statements = letter_quotes()[path]
    text, _ = case_profile_text(load_case(path), path)
    profile = tmp_path / f"{path.stem}.yaml"
    profile.write_text(text, encoding="utf-8")
    generated = generated_sentences(run_cli, profile)
    gaps = CASE_GAPS.get(path.stem, {})
    missing, unlisted, stale = unexplained(statements, generated, gaps)
    with capsys.disabled():
        _report(f"{path.stem} (published case)", statements, missing, gaps)
    assert not unlisted, f"statements neither expressed nor listed with a reason: {unlisted}"
    assert not stale, f"listed as not expressed, but the letter now expresses them: {stale}"


def test_the_published_cases_that_quote_a_letter_are_found():
    assert {p.stem for p in letter_quotes()} >= {"camden-2009", "cambridgeshire-2009"}


def test_a_newspapers_quotation_of_a_letter_is_letter_text_and_its_own_words_are_not():
    source = Source(title="Inspectors call for improvement", publisher="A newspaper", date="not shown", address="https://example.org",
                    quotes=["Ms Winstanley added: \u201cChildren\u2019s services in Barnsley perform adequately as they did in 2010. "
                            "There have been some improvements.", "\u201cHowever, the quality of secondary schools is still too low.\u201d",
                            "The council said it was disappointed."])
    assert letter_text(source) == ["There have been some improvements.",
                                   "However, the quality of secondary schools is still too low."]
    # A source that does not quote the letter's headline gives no letter text, whatever it says.
    assert letter_text(source.model_copy(update={"quotes": source.quotes[1:]})) == []


def test_a_statement_is_matched_by_its_facts_not_its_words():
    generated = ["A greater than average proportion of childcare settings and nursery, primary and sixth form schools is "
                 "good or outstanding."]
    assert expressed("A greater than average proportion of nursery, primary and sixth form schools is good or outstanding.",
                     generated)
    assert not expressed("A greater than average proportion of secondary schools is good or outstanding.", generated)
    assert not expressed("Children's services perform excellently.", generated)  # no fact: nothing to check
    assert not expressed("Provision in childcare has improved.", generated)  # one fact: too loose to check
    # The numbers a statement names are facts: "four of the nine" is not said by "four of the eleven".
    assert expressed("Four of the nine secondary schools are good.", ["Four of the nine secondary schools are good or better."])
    assert not expressed("Four of the nine secondary schools are good.", ["Four of the 11 secondary schools are good or better."])
    assert expressed("One pupil referral unit is inadequate.", ["1 of the 4 pupil referral units is inadequate."])
