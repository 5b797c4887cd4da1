"""The composed letter in each medium: Markdown and HTML, each escaping text from the profile or a judgement by its own
rule (:mod:`engine.render.escape`) and showing a sentence resting on an illustrative value with its mark, under the
draft notice naming those values.
"""
from __future__ import annotations

import re
from html import escape

from ..escape import markdown, markdown_prose
from .sentence import ILLUSTRATIVE, ILLUSTRATIVE_MARK, Letter, segments


def _markdown_paragraph(text: str) -> str:
    marked = "".join(markdown(part) if from_file else markdown_prose(part) for from_file, part in segments(text))
    return marked.replace(ILLUSTRATIVE, f" *{markdown_prose(ILLUSTRATIVE_MARK)}*")


def _html_paragraph(text: str) -> str:
    marked = "".join(escape(part) if from_file else _emphasis(escape(part)) for from_file, part in segments(text))
    return marked.replace(ILLUSTRATIVE, f' <span class="illustrative">{ILLUSTRATIVE_MARK}</span>')


def draft_notice(letter: Letter) -> tuple[str, list[str]]:
    """The notice heading a letter that rests on illustrative values: a sentence, and each value with its note."""
    head = ("DRAFT, not to be issued as it stands: this letter rests on values the profile marks illustrative, not "
            f"published. Each sentence stating one is marked {ILLUSTRATIVE_MARK}. The illustrative values:")
    by_note: dict[str | None, list[str]] = {}
    for path, note in letter.illustrative.items():
        by_note.setdefault(note, []).append(path)
    return head, [", ".join(paths) + (f" ({note})" if note else "") for note, paths in by_note.items()]


def letter_markdown(letter: Letter) -> str:
    out: list[str] = []
    if letter.draft:
        head, values = draft_notice(letter)
        out += [f"> **{markdown_prose(head)}**", ">", *[f"> - {markdown(value)}" for value in values], ""]
    if letter.date:
        out += [letter.date, ""]
    if letter.address:
        address = [markdown(line) for line in letter.address]
        out += [line + "  " for line in address[:-1]] + [address[-1], ""]
    if letter.salutation:
        out += [markdown(letter.salutation), ""]
    out += [f"**{letter.title}**", ""]
    for kind, content in letter.blocks:
        if kind == "p":
            out += [_markdown_paragraph(content), ""]
        elif kind == "heading":
            out += [f"**{content}**", ""]
        elif kind == "scale":
            out += ["| band | rating | meaning |", "|---|---|---|"]
            out += [f"| {band} | {markdown_prose(words.capitalize())} | {markdown_prose(meaning)} |"
                    for band, words, meaning in content] + [""]
        elif kind == "rating":
            out += ["| | |", "|---|---|", f"| {content[0]} | **{content[1]}** |", ""]
        elif kind == "closing":
            closing, signatory, note = content
            out += [closing, "", "", *[line + "  " for line in signatory[:-1]], signatory[-1], "", f"*{note}*"]
    return "\n".join(out).rstrip() + "\n"


def letter_html(letter: Letter) -> str:
    body: list[str] = []
    if letter.draft:
        head, values = draft_notice(letter)
        body.append(f'<aside id="draft"><p><strong>{escape(head)}</strong></p><ul>'
                    + "".join(f"<li>{escape(value)}</li>" for value in values) + "</ul></aside>")
    if letter.date:
        body.append(f'<p class="date">{escape(letter.date)}</p>')
    if letter.address:
        body.append('<p class="address">' + "<br>".join(escape(line) for line in letter.address) + "</p>")
    if letter.salutation:
        body.append(f"<p>{escape(letter.salutation)}</p>")
    body.append(f"<h1>{escape(letter.title)}</h1>")
    for kind, content in letter.blocks:
        if kind == "p":
            body.append(f"<p>{_html_paragraph(content)}</p>")
        elif kind == "heading":
            body.append(f"<h2>{escape(content)}</h2>")
        elif kind == "scale":
            rows = "".join(f"<tr><td>{band}</td><td>{escape(words.capitalize())}</td><td>{escape(meaning)}</td></tr>"
                           for band, words, meaning in content)
            body.append(f'<table class="scale">{rows}</table>')
        elif kind == "rating":
            body.append(f'<table class="rating"><tr><td>{escape(content[0])}</td><td id="rating"><strong>{escape(content[1])}'
                        "</strong></td></tr></table>")
        elif kind == "closing":
            closing, signatory, note = content
            body.append(f"<p>{escape(closing)}</p><p class=\"signatory\">{'<br>'.join(escape(s) for s in signatory)}</p>"
                        f'<p class="note">{escape(note)}</p>')
    style = ("body{font-family:Georgia,serif;max-width:46rem;margin:2rem auto;line-height:1.5;padding:0 1rem}"
             "table{border-collapse:collapse;margin:.8rem 0}td{border:1px solid #999;padding:.3rem .6rem}"
             "h1,h2{font-size:1.05rem}.note{font-size:.8rem;color:#555}"
             "#draft{border:2px solid #b00;padding:.2rem 1rem}.illustrative{color:#b00;font-size:.85rem}")
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(letter.title)}</title><style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def _emphasis(text: str) -> str:
    """The one Markdown mark the fixed paragraphs use: *Every Child Matters* in italics."""
    return re.sub(r"\*([^*]+)\*", r"<em>\1</em>", text)
