"""The workbench over HTTP against the real app (the factory, its own stores): no route answers without a
session, every role is refused what it may not do, every form needs its own session's CSRF token, a session
ends at sign-out, failed sign-ins are slowed, the password is nowhere, and bad requests get a clear page."""
from __future__ import annotations

import logging
import sqlite3

import pytest

from engine.workbench.accounts import AccountStore

from .workbench import PASSWORDS, client_for, csrf_of, decide_form, make_app, propose_form, sign_in

PAGES = ["/", "/year/2009", "/year/2009/council/camden", "/year/2009/council/camden/why-not/3", "/year/2009/diff", "/audit", "/accounts"]
DATA = ["/ping", "/year/2009/councils.csv", "/year/2009/councils.xlsx"]
FORMS = ["/sign-out", "/accounts/add", "/accounts/disable", "/year/2009/council/camden/propose", "/year/2009/council/camden/decide", "/audit/checkpoint"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("workbench-security"))


@pytest.fixture(scope="module")
def record_id(app):
    """A record of the audit trail (a proposal for Eastbridge), for the record page's route."""
    ann = client_for(app, "ann")
    assert ann.post("/year/2009/council/eastbridge-priority-actions/propose",
                    data=propose_form(ann, "eastbridge-priority-actions", band=2), follow_redirects=False).status_code == 303
    page = ann.get("/audit")
    return page.text.split('href="/audit/record/', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_without_a_session_redirects_to_sign_in(app, path):
    response = client_for(app).get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=")


def test_the_record_page_without_a_session_redirects_to_sign_in(app, record_id):
    response = client_for(app).get(f"/audit/record/{record_id}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")


@pytest.mark.parametrize("path", DATA)
def test_data_without_a_session_is_refused_with_401(app, path):
    response = client_for(app).get(path, follow_redirects=False)
    assert response.status_code == 401
    assert "Traceback" not in response.text


@pytest.mark.parametrize("path", FORMS)
def test_a_form_posted_without_a_session_is_refused_with_401(app, path):
    response = client_for(app).post(path, data={"csrf": "x", "band": "3", "reason": "r"}, follow_redirects=False)
    assert response.status_code == 401


def test_a_viewer_sees_no_judgement_form_and_is_refused_a_proposal(app):
    vera = client_for(app, "vera")
    page = vera.get("/year/2009/council/cambridgeshire")
    assert page.status_code == 200 and 'id="propose"' not in page.text
    form = {"csrf": csrf_of(page.text), "expected": "", "input_hash": "x", "band": "4", "reason": "I say so"}
    assert vera.post("/year/2009/council/cambridgeshire/propose", data=form, follow_redirects=False).status_code == 403


def test_an_assessor_may_not_confirm_and_only_an_admin_takes_a_checkpoint(app):
    ann = client_for(app, "ann")
    page = ann.get("/audit")
    token = csrf_of(page.text)
    decide = {"csrf": token, "expected": "", "input_hash": "x", "action": "confirm", "comment": ""}
    assert ann.post("/year/2009/council/camden/decide", data=decide, follow_redirects=False).status_code == 403
    assert ann.post("/audit/checkpoint", data={"csrf": token}, follow_redirects=False).status_code == 403
    assert 'id="checkpoint"' not in page.text
    mo = client_for(app, "mo")
    assert mo.post("/audit/checkpoint", data={"csrf": csrf_of(mo.get("/audit").text)}, follow_redirects=False).status_code == 403
    ada = client_for(app, "ada")
    taken = ada.post("/audit/checkpoint", data={"csrf": csrf_of(ada.get("/audit").text)}, follow_redirects=False)
    assert taken.status_code == 200 and "head_hash" in taken.text


def test_a_form_without_its_csrf_token_or_with_another_sessions_is_refused(app):
    ann, alan = client_for(app, "ann"), client_for(app, "alan")
    form = propose_form(ann, "cambridgeshire", band=4)
    missing = {k: v for k, v in form.items() if k != "csrf"}
    assert ann.post("/year/2009/council/cambridgeshire/propose", data=missing, follow_redirects=False).status_code == 403
    other = {**form, "csrf": csrf_of(alan.get("/year/2009").text)}
    refused = ann.post("/year/2009/council/cambridgeshire/propose", data=other, follow_redirects=False)
    assert refused.status_code == 403 and "security token" in refused.text
    assert "awaiting review" not in ann.get("/year/2009/council/cambridgeshire").text  # nothing was recorded


def test_the_sign_in_form_needs_its_own_token(app):
    client = client_for(app)
    response = client.post("/sign-in", data={"csrf": "guessed", "name": "ann", "password": PASSWORDS["ann"]}, follow_redirects=False)
    assert response.status_code == 403
    assert "engine_session" not in response.cookies


def test_the_session_cookie_is_httponly_strict_and_secure_over_https(app):
    plain = sign_in(client_for(app), "vera")
    cookie = plain.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Secure" not in cookie
    secure = sign_in(client_for(app, base_url="https://127.0.0.1"), "vera")
    assert "Secure" in secure.headers["set-cookie"]


def test_a_session_cookie_is_not_accepted_after_sign_out(app):
    client = client_for(app, "vera")
    cookie = client.cookies.get("engine_session")
    assert client.get("/ping").status_code == 200
    out = client.post("/sign-out", data={"csrf": csrf_of(client.get("/year/2009").text)}, follow_redirects=False)
    assert out.status_code == 303
    replay = client_for(app)
    replay.cookies.set("engine_session", cookie)
    assert replay.get("/ping").status_code == 401
    assert replay.get("/year/2009", follow_redirects=False).status_code == 303


def test_a_disabled_account_loses_its_session(app):
    app.state.workbench.accounts.add("temp", "viewer", "temporary-password")
    client = client_for(app)
    assert sign_in(client, "temp", "temporary-password").status_code == 303
    assert client.get("/ping").status_code == 200
    app.state.workbench.accounts.disable("temp")
    assert client.get("/ping").status_code == 401
    assert sign_in(client_for(app), "temp", "temporary-password").status_code == 401


def test_repeated_failed_sign_ins_are_slowed_even_with_the_right_password_after(app):
    app.state.workbench.accounts.add("slow", "viewer", "the-right-password")
    client = client_for(app)
    for _ in range(5):
        assert sign_in(client, "slow", "a-wrong-password").status_code == 401
    slowed = sign_in(client, "slow", "the-right-password")
    assert slowed.status_code == 429
    assert int(slowed.headers["retry-after"]) > 0
    assert "try again in" in slowed.text


def test_an_unknown_name_and_a_wrong_password_are_told_alike(app):
    unknown, wrong = sign_in(client_for(app), "nobody", "whatever-password"), sign_in(client_for(app), "vera", "not-her-password")
    assert unknown.status_code == wrong.status_code == 401
    assert "wrong account name or password" in unknown.text and "wrong account name or password" in wrong.text


def test_the_password_is_in_no_log_record_or_page(app, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    password = "a-password-nobody-should-see"
    app.state.workbench.accounts.add("pat", "assessor", password)
    client = client_for(app)
    pages = [sign_in(client, "pat", password)]
    pages += [client.get(p) for p in PAGES]
    pages.append(client.post("/year/2009/council/northfield-inadequate-safeguarding/propose",
                             data=propose_form(client, "northfield-inadequate-safeguarding", band=1), follow_redirects=False))
    assert all(password not in (p.text + str(p.headers)) for p in pages)
    assert password not in caplog.text
    bench = app.state.workbench
    for store in (bench.audit, bench.accounts.path):
        with sqlite3.connect(store) as con:  # every table, every column, as text
            for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                for row in con.execute(f"SELECT * FROM {table}"):
                    assert password not in " ".join(map(str, row))
    assert AccountStore(bench.accounts.path).accounts()  # the store still opens


def test_every_response_carries_the_security_headers(app):
    client = client_for(app, "vera")
    for response in (client.get("/year/2009"), client.get("/static/workbench.css"), client_for(app).get("/sign-in"),
                     client.get("/year/2009/council/no-such-council")):
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"


def test_no_page_has_inline_script_or_style(app):
    client = client_for(app, "ada")
    for path in PAGES:
        html = client.get(path).text
        assert "<script>" not in html.replace("&lt;script&gt;", "") and "style=" not in html and " on" + "click=" not in html
        assert '<script src="/static/workbench.js"' in html


@pytest.mark.parametrize("path", ["/year/2009/council/no-such-council", "/year/1999", "/year/abc", "/audit/record/ffffffff"])
def test_an_unknown_council_year_or_record_is_a_404_page(app, path):
    response = client_for(app, "vera").get(path)
    assert response.status_code == 404
    assert "Not found" in response.text and "Traceback" not in response.text


# A whole number off the ruleset's scale ({"band": "9"}) is well formed: the library refuses it, 422 naming the
# scale's bands (tests/test_workbench_pages.py).
@pytest.mark.parametrize("form", [{"band": "three"}, {"band": "2.5"}, {"band": ""}])
def test_a_malformed_proposal_is_a_400_page(app, form):
    ann = client_for(app, "ann")
    data = {**propose_form(ann, "cambridgeshire"), **form}
    response = ann.post("/year/2009/council/cambridgeshire/propose", data=data, follow_redirects=False)
    assert response.status_code == 400 and "Bad request" in response.text


def test_a_body_that_is_not_a_form_is_a_400_page(app):
    ann = client_for(app, "ann")
    response = ann.post("/year/2009/council/cambridgeshire/propose", content=b"\xff\xfe{]", headers={"content-type": "application/json"})
    assert response.status_code == 400


def test_sign_in_goes_on_only_to_a_page_of_this_site(app):
    client = client_for(app)
    page = client.get("/sign-in?next=//evil.example/")
    assert 'value="//evil.example/"' not in page.text
    response = client.post("/sign-in", data={"csrf": csrf_of(page.text), "name": "vera", "password": PASSWORDS["vera"],
                                             "next": "https://evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_a_moderator_cannot_confirm_their_own_proposal(app):
    mo = client_for(app, "mo")
    assert mo.post("/year/2009/council/hostile/propose", data=propose_form(mo, "hostile", band=4), follow_redirects=False).status_code == 303
    page = mo.get("/year/2009/council/hostile")
    assert 'id="decide"' not in page.text and 'id="own-proposal"' in page.text
    meg_form = decide_form(client_for(app, "meg"), "confirm", slug="hostile")
    refused = mo.post("/year/2009/council/hostile/decide", data={**meg_form, "csrf": csrf_of(page.text)}, follow_redirects=False)
    assert refused.status_code == 403
    assert "someone other than its proposer" in refused.text


def test_only_an_admin_manages_accounts_and_never_their_own_from_the_page(app):
    mo = client_for(app, "mo")
    assert mo.get("/accounts").status_code == 403
    token = csrf_of(mo.get("/year/2009").text)
    assert mo.post("/accounts/add", data={"csrf": token, "name": "evil", "role": "admin", "password": "x" * 12},
                   follow_redirects=False).status_code == 403
    ada = client_for(app, "ada")
    page = ada.get("/accounts")
    assert page.status_code == 200 and "<td>mo</td>" in page.text
    added = ada.post("/accounts/add", data={"csrf": csrf_of(page.text), "name": "newbie", "role": "viewer", "password": "newbie-password"},
                     follow_redirects=False)
    assert added.status_code == 303 and sign_in(client_for(app), "newbie", "newbie-password").status_code == 303
    own = ada.post("/accounts/disable", data={"csrf": csrf_of(page.text), "name": "ada"}, follow_redirects=False)
    assert own.status_code == 422 and app.state.workbench.accounts.account("ada").disabled is False
    assert ada.post("/accounts/disable", data={"csrf": csrf_of(page.text), "name": "newbie"}, follow_redirects=False).status_code == 303
    assert app.state.workbench.accounts.account("newbie").disabled


def test_every_route_of_the_app_is_refused_without_a_session(app):
    from starlette.routing import Route

    samples = {"year": "2009", "slug": "camden", "band": "3", "kind": "csv", "record_id": "ffff", "action": "add"}
    public = {"/sign-in"}
    seen = 0
    for route in app.routes:
        if not isinstance(route, Route) or route.path in public:
            continue
        path = route.path
        for name, value in samples.items():
            path = path.replace("{" + name + "}", value)
        assert "{" not in path, path
        for method in sorted(route.methods or {"GET"}):
            if method == "HEAD":
                continue
            response = client_for(app).request(method, path, data={"csrf": "x"} if method == "POST" else None, follow_redirects=False)
            seen += 1
            if method == "GET" and path not in DATA:
                assert response.status_code == 303 and response.headers["location"].startswith("/sign-in"), (method, path)
            else:
                assert response.status_code == 401, (method, path)
    assert seen >= len(PAGES) + len(DATA) + len(FORMS) - 1
