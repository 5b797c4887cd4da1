"""MkDocs hooks: the reference pages are generated from the code and the data as the site is built, so they cannot
drift from it (engine.reference). One page per ruleset in rules/ joins the navigation under "Rulesets";
`<!-- reference: NAME -->` in a page is replaced by the generated text NAME (error-codes, schemas)."""
from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File

from engine.reference import error_codes_markdown, ruleset_markdown, schemas_markdown

RULESETS_SECTION = "Rulesets"
FOLDER = "reference/rulesets"
SNIPPETS = {"error-codes": error_codes_markdown, "schemas": schemas_markdown}


def _rulesets(config) -> list[Path]:
    return sorted((Path(config.config_file_path).parent / "rules").glob("*.yaml"))


def _section(nav: list, title: str) -> list | None:
    for entry in nav:
        if isinstance(entry, dict):
            for key, value in entry.items():
                if key == title and isinstance(value, list):
                    return value
                if isinstance(value, list) and (found := _section(value, title)) is not None:
                    return found
    return None


def on_config(config):
    section = _section(config.nav or [], RULESETS_SECTION)
    if section is not None:
        section += [f"{FOLDER}/{path.stem}.md" for path in _rulesets(config)]
    return config


def on_files(files, config):
    for path in _rulesets(config):
        files.append(File.generated(config, f"{FOLDER}/{path.stem}.md", content=ruleset_markdown(path)))
    return files


def on_page_markdown(markdown, page, config, files):
    for name, generate in SNIPPETS.items():
        marker = f"<!-- reference: {name} -->"
        if marker in markdown:
            markdown = markdown.replace(marker, generate())
    return markdown
