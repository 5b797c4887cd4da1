"""Every example in docs/ whose output is shown is run against the installed engine, and must print what the page
shows (tests/docs_examples.py says how; `python -m tests.docs_examples --update` writes what they print now)."""
from __future__ import annotations

import pytest

from .conftest import ROOT
from .docs_examples import matches, pages, parse, reexcerpt, run_page


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_on_the_page_prints_what_the_page_shows(page):
    run = run_page(page)
    if run.skipped:
        pytest.skip(run.skipped)
    assert run.changed == [], run.report() + "\n\nIf the new output is right: python -m tests.docs_examples --update " + str(page.relative_to(ROOT))


def test_the_pages_show_outputs_of_the_commands_readers_are_told_about():
    shown = {e.source.split(" --")[0] for page in pages() for b in parse(page.read_text()) if b.kind == "console" for e in b.examples}
    for command in ("engine evaluate examples/camden.yaml", "engine batch profiles/ -o results.csv", "engine letter examples/camden.yaml",
                    "engine explain examples/cambridgeshire.yaml", "engine rules sensitivity rules/csa-2009.yaml", "engine audit verify"):
        assert command in shown


def test_a_changed_output_fails_and_update_writes_what_the_command_prints(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("Camden:\n\n```console\n$ engine evaluate examples/camden.yaml\nFinal band 3\n```\n\n"
                    "```pycon\n>>> 1 + 1\n3\n```\n")
    run = run_page(page)
    assert [e.line for e in run.changed] == [4, 9]
    page.write_text(run.updated_text())
    again = run_page(page)
    assert again.changed == []
    text = page.read_text()
    assert "  Final band      4 (performs excellently)\n" in text and ">>> 1 + 1\n2\n```" in text


def test_an_excerpt_matches_its_lines_in_order_and_nothing_else():
    got = ["a", "b", "c", "d", "e"]
    assert matches(["a", "...", "c", "d", "...", "e"], got)
    assert matches(["...", "d", "e"], got) and matches(["a", "..."], got)
    assert not matches(["a", "...", "d", "c"], got)
    assert not matches(["b", "..."], got)
    assert not matches(["a", "b"], got)
    assert not matches(["...", "c"], got)


def test_a_python_block_that_raises_fails(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```python\nfrom engine import no_such_function\n```\n")
    with pytest.raises(ImportError):
        run_page(page)


def test_update_keeps_an_excerpt_an_excerpt_when_its_lines_change():
    got = ["header v2", "a", "b", "c", "d", "footer v2"]
    new = reexcerpt(["header v1", "...", "footer v1"], got)
    assert new == ["header v2", "...", "footer v2"]
    assert matches(new, got)
    assert reexcerpt(["header v1", "..."], got) == ["header v2", "..."]
    # lines kept between two elisions are a writer's choice: the whole output replaces them
    assert reexcerpt(["h", "...", "b", "...", "f"], got) == got
