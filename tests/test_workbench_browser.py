"""The workbench in a real browser (Debian's chromium, driven by Playwright), against the app served by uvicorn on
127.0.0.1: an assessor filters the year to band 4, opens Camden, reads a rule's evidence and proposes band 3; a
moderator confirms it; the year and Camden's history show it; a moderator cannot confirm their own proposal; a
viewer sees no judgement form; the CSV export matches the table; a hostile name is text. The council page's
screenshot is docs/workbench-council.png (docs/workbench.md shows it), rewritten only when ENGINE_UPDATE_SCREENSHOT=1: a test run
leaves the checkout as it found it."""
from __future__ import annotations

import csv
import io
import os
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from .helpers import CHROMIUM
from .workbench import HOSTILE_NAME, PASSWORDS, make_app

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
SCREENSHOT = (Path(__file__).resolve().parent.parent / "docs" / "workbench-council.png" if os.environ.get("ENGINE_UPDATE_SCREENSHOT") == "1"
              else Path(tempfile.gettempdir()) / f"engine-workbench-council-{os.getpid()}.png")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    import uvicorn

    app = make_app(tmp_path_factory.mktemp("workbench-browser"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        yield launched
        launched.close()


def open_as(browser, base_url: str, name: str):
    """A fresh browser context signed in as ``name``, refusing every request that leaves the app."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.elsewhere, page.dialogs, page.errors = [], [], []
    page.on("request", lambda r: None if r.url.startswith(base_url) else page.elsewhere.append(r.url))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.route(lambda url: not url.startswith(base_url), lambda route: route.abort())
    page.goto(f"{base_url}/year/2009")
    assert "/sign-in" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORDS[name])
    page.click("form.sign-in button[type=submit]")
    page.wait_for_url(f"{base_url}/year/2009")
    return page


def table_names(page) -> list[str]:
    return [cell.strip() for cell in page.locator("#councils tbody tr td:first-child").all_inner_texts()]


def test_an_assessor_proposes_and_another_moderator_confirms_in_the_browser(browser, base_url):
    ann = open_as(browser, base_url, "ann")
    ann.select_option("select[name=band]", "4")
    ann.click("#apply")
    assert table_names(ann) == ["London Borough of Camden"]
    ann.click("text=London Borough of Camden")
    assert ann.locator("#final-band").inner_text() == "4"
    rule = ann.locator("#rule-settings_excellent")
    rule.locator("summary").click()
    evidence = rule.locator("details li").first
    assert evidence.is_visible() and "settings.share_types_in_line_or_above_national" in evidence.inner_text()
    ann.select_option("#propose select[name=band]", "3")
    ann.fill("#propose textarea[name=reason]", "Settings are excellent by the narrowest margin; the unannounced inspection found development areas.")
    ann.click("#propose button[type=submit]")
    assert "awaiting review" in ann.locator("#standing").inner_text()
    assert ann.locator("#decide").count() == 0  # an assessor does not moderate
    SCREENSHOT.parent.mkdir(exist_ok=True)

    mo = open_as(browser, base_url, "mo")
    mo.goto(f"{base_url}/year/2009/council/camden")
    mo.click("#decide button[value=confirm]")
    assert "judged" in mo.locator("#standing").inner_text()
    assert mo.locator("#judged-band .band").inner_text() == "3" and mo.locator("#final-band").inner_text() == "3"
    history = mo.locator("#history tbody tr")
    texts = history.all_inner_texts()
    assert any("ann" in t and "proposed band 3" in t for t in texts) and any("mo" in t and "confirmed band 3" in t for t in texts)
    mo.goto(f"{base_url}/year/2009/council/camden")
    mo.screenshot(path=str(SCREENSHOT), full_page=False)
    assert SCREENSHOT.stat().st_size > 0
    mo.goto(f"{base_url}/year/2009")
    camden = mo.locator("#councils tbody tr", has_text="London Borough of Camden")
    assert "judged (band 3)" in camden.inner_text()
    assert camden.locator("td.final").inner_text() == "3"
    for page in (ann, mo):
        assert page.elsewhere == [] and page.dialogs == [] and page.errors == []


def test_a_moderator_cannot_confirm_their_own_proposal_in_the_browser(browser, base_url):
    meg = open_as(browser, base_url, "meg")
    meg.goto(f"{base_url}/year/2009/council/cambridgeshire")
    meg.fill("#propose textarea[name=reason]", "The indicators are stronger than the settings suggest.")
    meg.click("#propose button[type=submit]")
    assert "awaiting review" in meg.locator("#standing").inner_text()
    assert meg.locator("#decide").count() == 0 and meg.locator("#own-proposal").is_visible()


def test_a_viewer_sees_no_judgement_form(browser, base_url):
    vera = open_as(browser, base_url, "vera")
    vera.goto(f"{base_url}/year/2009/council/northfield-inadequate-safeguarding")
    assert vera.locator("#judgement").is_visible()
    assert vera.locator("#propose").count() == 0 and vera.locator("#decide").count() == 0


def test_the_csv_export_matches_the_table_and_a_hostile_name_is_text(browser, base_url):
    vera = open_as(browser, base_url, "vera")
    assert HOSTILE_NAME in table_names(vera)  # shown as the text it is
    assert vera.dialogs == []
    vera.click("th a:text('Final')")  # sorted on the server: the export follows the view
    shown = table_names(vera)
    href = vera.locator("#export-csv").get_attribute("href")
    exported = list(csv.reader(io.StringIO(vera.request.get(f"{base_url}{href}").text())))
    assert [row[0] for row in exported[1:]] == ["'" + name if name.startswith("=") else name for name in shown]
    assert "'" + HOSTILE_NAME in [row[0] for row in exported]


def test_keyboard_shortcuts_move_down_the_table_and_open_a_council(browser, base_url):
    vera = open_as(browser, base_url, "vera")
    vera.keyboard.press("/")
    assert vera.evaluate("document.activeElement.name") == "q"
    vera.locator("h1").click()  # leave the search box
    vera.keyboard.press("j")
    first = vera.locator("#councils tbody tr.current td:first-child").inner_text().strip()
    assert first == table_names(vera)[0]
    vera.keyboard.press("Enter")
    vera.wait_for_url("**/council/**")
    assert first in vera.locator("#council-name").inner_text()
