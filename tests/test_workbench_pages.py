"""The workbench's pages over HTTP (the app factory, its own stores): the year's table with its filters and its
formula-safe export, a council's review, four-eyes judgement through the audit chain, the audit trail, the rules
diff, re-rating a changed file, and the accounts commands."""
from __future__ import annotations

import csv
import io
import re
import shutil

import pytest

import engine
from engine.workbench.accounts import AccountStore
from engine.workbench.pages import interval_text

from .workbench import HOSTILE_NAME, ROOT, client_for, csrf_of, decide_form, make_app, propose_form


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("workbench-pages"))


def names_in(html: str) -> list[str]:
    return re.findall(r'<td><a href="/year/2009/council/[^"]+">([^<]*)</a></td>', html)


def test_the_year_lists_every_council_with_its_bands_and_chart(app):
    page = client_for(app, "vera").get("/year/2009")
    assert page.status_code == 200
    assert len(names_in(page.text)) == 5
    assert 'id="distribution"' in page.text and "<rect" in page.text
    assert "London Borough of Camden" in page.text and "limit_priority_actions" in page.text


def test_the_year_lists_the_bands_and_words_of_its_rulesets_scale_best_first_as_text(tmp_path):
    text = (ROOT / "rules" / "csa-2009.yaml").read_text(encoding="utf-8")
    reworded = text.replace("4: {words: performs excellently,", "4: {words: performs <b>excellently</b> as reworded,")
    reworded = reworded.replace("2: {words: performs adequately,", "2: {words: performs only adequately,")
    assert reworded.count("as reworded") == 1 and "only adequately" in reworded
    (tmp_path / "csa-2009.yaml").write_text(reworded, encoding="utf-8")
    app = make_app(tmp_path / "councils", ruleset=tmp_path / "csa-2009.yaml")
    page = client_for(app, "vera").get("/year/2009").text
    scale = engine.load_ruleset(tmp_path / "csa-2009.yaml").ruleset.scale
    band_filter = page.split('name="band"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="(\d+)"', band_filter) == [str(b) for b in sorted(scale, reverse=True)]
    assert ">4 (performs &lt;b&gt;excellently&lt;/b&gt; as reworded)</option>" in band_filter
    assert ">2 (performs only adequately)</option>" in band_filter
    chart = page.split('id="distribution"', 1)[1].split("</svg>", 1)[0]
    assert "<title>band 4 (performs &lt;b&gt;excellently&lt;/b&gt; as reworded): 1</title>" in chart
    assert "<b>excellently" not in page


def test_filtering_the_year_to_band_4_shows_camden_alone(app):
    page = client_for(app, "vera").get("/year/2009?band=4")
    assert names_in(page.text) == ["London Borough of Camden"]


@pytest.mark.parametrize(("query", "expected"), [
    ("limit=limit_safeguarding_inadequate", ["Northfield Borough Council (fictional)"]),
    ("q=camb", ["Cambridgeshire County Council"]),
    ("status=withheld", []),
])
def test_the_year_filters_by_limit_name_and_status(app, query, expected):
    assert names_in(client_for(app, "vera").get(f"/year/2009?{query}").text) == expected


def test_the_year_sorts_on_the_server(app):
    client = client_for(app, "vera")
    ascending = names_in(client.get("/year/2009?sort=final&order=asc").text)
    descending = names_in(client.get("/year/2009?sort=final&order=desc").text)
    assert ascending[0] == "Northfield Borough Council (fictional)" and descending[0] == "London Borough of Camden"


def test_a_hostile_council_name_is_text_in_the_page_and_in_the_export(app):
    client = client_for(app, "vera")
    page = client.get("/year/2009")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    exported = list(csv.reader(io.StringIO(client.get("/year/2009/councils.csv").text)))
    cells = [row[0] for row in exported[1:]]
    assert "'" + HOSTILE_NAME in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for row in exported for c in row)


def test_the_export_is_the_table_as_filtered(app):
    client = client_for(app, "vera")
    for query in ("", "band=4", "limit=limit_priority_actions", "sort=final&order=desc"):
        page = client.get(f"/year/2009?{query}")
        exported = list(csv.reader(io.StringIO(client.get(f"/year/2009/councils.csv?{query}").text)))
        assert [name.lstrip("'") for name, *_ in exported[1:]] == [n.replace("&#34;", '"').replace("&lt;", "<").replace("&gt;", ">")
                                                                    .replace("&amp;", "&") for n in names_in(page.text)]
    xlsx = client.get("/year/2009/councils.xlsx?band=4")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_council_page_shows_band_trace_chosen_rule_why_not_and_letter(app):
    page = client_for(app, "vera").get("/year/2009/council/camden").text
    assert 'id="final-band">4<' in page
    assert 'id="rule-settings_excellent"' in page and "chosen for settings by the highest hit policy" in page
    assert "settings.share_types_in_line_or_above_national" in page  # a rule's evidence, with its value
    # The ladder's floor fires for every council; for Camden it is not the finding, so its sentence is not shown.
    poor = page.split('id="rule-settings_poor"', 1)[1].split("</tr>", 1)[0]
    assert "the hit policy chose" in poor and "settings_excellent" in poor
    assert "Too few settings and services are good or better" not in page
    assert all(f'/council/camden/why-not/{band}">Why not {band}' in page for band in (1, 2, 3))
    assert 'id="letter"' in page and "Camden" in page.split('id="letter"', 1)[1]
    assert 'id="history"' in page and 'id="thresholds"' in page


def test_why_not_a_band_off_the_rulesets_scale_is_not_found_naming_its_bands(app):
    """The bands are the ruleset's scale (`scale:`), read as the library reads it, not a list in the page."""
    why = client_for(app, "vera").get("/year/2009/council/camden/why-not/5")
    assert why.status_code == 404 and "band 5 is not on the scale of ruleset csa-2009" in why.text


def test_why_not_a_band_names_what_stands_in_the_way_and_the_council_page_then_shows_it(app):
    client = client_for(app, "vera")
    why = client.get("/year/2009/council/camden/why-not/3")
    assert why.status_code == 200 and 'id="obstacles"' in why.text
    assert client.get("/year/2009/council/camden/why-not/4").status_code == 404  # the band it has
    page = client.get("/year/2009/council/camden").text
    assert "settings_excellent</code>: <code>settings.share_types_in_line_or_above_national" in page.split('id="why-not"', 1)[1]


def test_the_council_page_names_the_limits_in_order_with_their_evidence(app):
    page = client_for(app, "vera").get("/year/2009/council/northfield-inadequate-safeguarding").text
    limits = page.split('id="limits"', 1)[1].split("</section>", 1)[0]
    assert "limit_safeguarding_inadequate" in limits and "a safeguarding finding" in limits


def test_four_eyes_a_proposal_counts_once_another_moderator_confirms_it(app):
    ann, mo = client_for(app, "ann"), client_for(app, "mo")
    proposed = ann.post("/year/2009/council/camden/propose", data=propose_form(ann, band=3, reason="Settings only just excellent"),
                        follow_redirects=False)
    assert proposed.status_code == 303
    assert "awaiting review (band 3)" in mo.get("/year/2009").text
    assert 'id="final-band">4<' in mo.get("/year/2009/council/camden").text  # a proposal does not count yet
    confirmed = mo.post("/year/2009/council/camden/decide", data=decide_form(mo, "confirm"), follow_redirects=False)
    assert confirmed.status_code == 303
    year = mo.get("/year/2009?review=judged").text
    assert names_in(year) == ["London Borough of Camden"] and "judged (band 3)" in year
    page = mo.get("/year/2009/council/camden").text
    assert 'id="judged-band"' in page and "proposed by ann, confirmed by mo" in page
    history = page.split('id="history"', 1)[1]
    assert re.search(r"<td>ann</td>\s*<td>proposed band 3", history) and re.search(r"<td>mo</td>\s*<td>confirmed band 3", history)
    bench = app.state.workbench
    with engine.AuditStore(bench.audit) as store:
        assert store.verify().ok
        records = [r for r in store.records() if r.authority == "London Borough of Camden"]
    assert [(r.run_by, r.final_band) for r in records[-2:]] == [("ann", 4), ("mo", 3)]
    assert records[-1].supersedes == records[-2].record_id
    assert records[-1].as_decision().judgement.assessor == "ann"


@pytest.mark.parametrize(("band", "refusal"), [
    (1, "refused by policy clause judgement.max_change"),
    (5, "band 5 is not on the scale of ruleset csa-2009: its bands are 1 (performs poorly)"),  # the ruleset's scale decides
], ids=["policy", "off-the-scale"])
def test_a_proposal_outside_the_policy_is_refused_and_nothing_is_recorded(app, band, refusal):
    ann = client_for(app, "ann")
    before = len(engine.AuditStore(app.state.workbench.audit).records())
    refused = ann.post("/year/2009/council/cambridgeshire/propose", data=propose_form(ann, "cambridgeshire", band=band),
                       follow_redirects=False)
    assert refused.status_code == 422
    assert refusal in refused.text
    assert len(engine.AuditStore(app.state.workbench.audit).records()) == before


def test_a_returned_proposal_says_why_and_may_be_proposed_again(app):
    ann, meg = client_for(app, "ann"), client_for(app, "meg")
    assert ann.post("/year/2009/council/cambridgeshire/propose", data=propose_form(ann, "cambridgeshire", band=4),
                    follow_redirects=False).status_code == 303
    silent = meg.post("/year/2009/council/cambridgeshire/decide", data=decide_form(meg, "return", slug="cambridgeshire"),
                      follow_redirects=False)
    assert silent.status_code == 422 and "comment" in silent.text
    returned = meg.post("/year/2009/council/cambridgeshire/decide",
                        data=decide_form(meg, "return", "The <b>evidence</b> does not carry it", slug="cambridgeshire"),
                        follow_redirects=False)
    assert returned.status_code == 303
    page = ann.get("/year/2009/council/cambridgeshire").text
    assert "returned by meg" in page and "The &lt;b&gt;evidence&lt;/b&gt; does not carry it" in page
    assert 'id="propose"' in page


def test_acting_on_a_council_that_changed_is_refused_and_shows_the_new_state(app):
    ann, alan = client_for(app, "ann"), client_for(app, "alan")
    first, second = propose_form(ann, "eastbridge-priority-actions", band=2), propose_form(alan, "eastbridge-priority-actions", band=2)
    assert ann.post("/year/2009/council/eastbridge-priority-actions/propose", data=first, follow_redirects=False).status_code == 303
    late = alan.post("/year/2009/council/eastbridge-priority-actions/propose", data=second, follow_redirects=False)
    assert late.status_code == 409
    assert "changed under you" in late.text and "awaiting review" in late.text


def test_the_audit_page_verifies_filters_and_shows_a_record(app):
    alan, meg = client_for(app, "alan"), client_for(app, "meg")
    slug = "northfield-inadequate-safeguarding"
    assert alan.post(f"/year/2009/council/{slug}/propose", data=propose_form(alan, slug, band=1), follow_redirects=False).status_code == 303
    assert meg.post(f"/year/2009/council/{slug}/decide", data=decide_form(meg, "confirm", slug=slug), follow_redirects=False).status_code == 303
    client = client_for(app, "vera")
    page = client.get("/audit?verify=1").text
    assert "Chain verified" in page
    by_meg = client.get("/audit?account=meg").text
    assert "confirmed band 1" in by_meg and "<td>alan</td>" not in by_meg.split('id="records"', 1)[1]
    record_id = by_meg.split('href="/audit/record/', 1)[1].split('"', 1)[0]
    record = client.get(f"/audit/record/{record_id}").text
    assert "confirmed: band 1 proposed by alan" in record and "confirmed by meg" in record
    assert client.get("/audit?from=2000-01-01&to=2000-01-02").text.count('href="/audit/record/') == 0


def test_the_diff_page_compares_the_year_with_another_shipped_ruleset_only(app):
    client = client_for(app, "vera")
    page = client.get("/year/2009/diff").text
    choices = re.findall(r"<option[^>]*>([^<]*)</option>", page)
    assert choices and all(c.endswith((".yaml",)) for c in choices)
    compared = client.get("/year/2009/diff", params={"against": choices[0]}).text
    assert 'id="diff-summary"' in compared
    typed = client.get("/year/2009/diff", params={"against": "/etc/passwd"}).text
    assert 'id="diff-summary"' not in typed


def test_a_changed_profile_is_rated_again(tmp_path):
    app = make_app(tmp_path)
    folder = app.state.workbench.folder.folder
    app.state.workbench.folder.refresh_every = 0  # look at the files on every request
    client = client_for(app, "vera")
    assert names_in(client.get("/year/2009?band=4").text) == ["London Borough of Camden"]
    text = (folder / "camden.yaml").read_text(encoding="utf-8")
    changed = text.replace("  safeguarding: outstanding\n", "  safeguarding: inadequate\n")
    assert changed != text
    (folder / "camden.yaml").write_text(changed, encoding="utf-8")
    import os
    os.utime(folder / "camden.yaml", (1, 1))
    assert names_in(client.get("/year/2009?band=4").text) == []
    shutil.rmtree(folder)


def test_users_are_added_from_stdin_listed_and_disabled(run_cli, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from engine.cli import main

    store = tmp_path / "workbench.sqlite"
    runner = CliRunner()
    added = runner.invoke(main, ["users", "add", "alice", "--role", "admin", "--store", str(store)], input="a-long-password\n")
    assert added.exit_code == 0, added.output
    assert "a-long-password" not in added.output and "a-long-password" not in store.read_bytes().decode("latin-1")
    short = runner.invoke(main, ["users", "add", "bob", "--role", "viewer", "--store", str(store)], input="short\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    assert runner.invoke(main, ["users", "list", "--store", str(store)]).output.startswith("alice\tadmin\tactive")
    assert runner.invoke(main, ["users", "disable", "alice", "--store", str(store)]).exit_code == 0
    assert "disabled" in runner.invoke(main, ["users", "list", "--store", str(store)]).output
    assert runner.invoke(main, ["users", "disable", "nobody", "--store", str(store)]).exit_code == 2


def test_there_is_no_default_account(tmp_path):
    app = make_app(tmp_path)
    assert AccountStore(tmp_path / "fresh.sqlite").accounts() == []
    client = client_for(app)
    for name, password in (("admin", "admin"), ("admin", "password"), ("root", "root")):
        page = client.get("/sign-in")
        response = client.post("/sign-in", data={"csrf": csrf_of(page.text), "name": name, "password": password}, follow_redirects=False)
        assert response.status_code == 401


def test_the_thresholds_a_band_turned_on_are_shown_with_their_intervals(tmp_path):
    app = make_app(tmp_path, intervals=True)
    page = client_for(app, "vera").get("/year/2009/council/cambridgeshire").text
    thresholds = page.split('id="thresholds"', 1)[1].split("</section>", 1)[0]
    folder = app.state.workbench.folder
    ruleset = folder.review(folder.council(2009, "cambridgeshire")).evaluation.ruleset.path
    intervals = folder.intervals(ruleset)  # engine.threshold_sensitivity's, kept from the page
    majority = intervals["proportions.the_majority"].as_dict()
    assert "the_majority" in thresholds and interval_text(majority) in thresholds
    assert interval_text({"low": 0.6388888, "high": 0.7352941, "low_included": False, "high_included": True}) == "(0.6389, 0.7353]"


def test_a_proposal_made_on_a_profile_since_changed_cannot_be_confirmed(tmp_path):
    import os

    app = make_app(tmp_path)
    app.state.workbench.folder.refresh_every = 0
    ann, mo = client_for(app, "ann"), client_for(app, "mo")
    assert ann.post("/year/2009/council/cambridgeshire/propose", data=propose_form(ann, "cambridgeshire", band=4),
                    follow_redirects=False).status_code == 303
    path = app.state.workbench.folder.folder / "cambridgeshire.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("letter_date: 2009-12-09", "letter_date: 2009-12-10", 1), encoding="utf-8")
    os.utime(path, (2, 2))
    refused = mo.post("/year/2009/council/cambridgeshire/decide", data=decide_form(mo, "confirm", slug="cambridgeshire"),
                      follow_redirects=False)
    assert refused.status_code == 409 and "changed since the proposal" in refused.text


def test_the_audit_page_holds_the_chain_to_a_configured_checkpoint(tmp_path):
    first = make_app(tmp_path / "first")
    ann = client_for(first, "ann")
    assert ann.post("/year/2009/council/camden/propose", data=propose_form(ann), follow_redirects=False).status_code == 303
    checkpoint = tmp_path / "checkpoint.yaml"
    checkpoint.write_text(engine.take_checkpoint(first.state.workbench.audit).text, encoding="utf-8")
    from engine.workbench.app import create_app

    bench = first.state.workbench
    held = create_app(bench.folder.folder, audit=bench.audit, store=bench.accounts.path, intervals=False, checkpoint=checkpoint)
    page = client_for(held, "vera").get("/audit?verify=1").text
    assert "Chain verified: 1 record(s)" in page and "are unchanged" in page
