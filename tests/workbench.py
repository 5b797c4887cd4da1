"""Helpers for the workbench's tests: a small year (the 2009 examples and a council with a hostile name), an app
made by the factory with its own stores, accounts of every role, and signing in as a browser does."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from engine.workbench.app import create_app

ROOT = Path(__file__).resolve().parent.parent
HOSTILE_NAME = '=HYPERLINK("http://evil.example","<script>alert(1)</script>")'
PASSWORDS = {"vera": "viewer-password-1", "ann": "assessor-password-1", "alan": "assessor-password-2",
             "mo": "moderator-password-1", "meg": "moderator-password-2", "ada": "admin-password-12"}
ROLES = {"vera": "viewer", "ann": "assessor", "alan": "assessor", "mo": "moderator", "meg": "moderator", "ada": "admin"}


def year_folder(folder: Path) -> Path:
    """The 2009 examples, and a copy of Cambridgeshire under a name that is markup and a formula."""
    target = folder / "profiles-2009"
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        if (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("year") == 2009:
            shutil.copy(path, target / path.name)
    hostile = yaml.safe_load((ROOT / "examples" / "cambridgeshire.yaml").read_text(encoding="utf-8"))
    hostile["authority"]["name"] = HOSTILE_NAME
    hostile["authority"].pop("code", None)
    (target / "hostile.yaml").write_text(yaml.safe_dump(hostile, sort_keys=False), encoding="utf-8")
    return target


def make_app(folder: Path, **options):
    """The app over a fresh copy of the year, with its own audit and workbench stores and an account of each role."""
    app = create_app(year_folder(folder), audit=folder / "audit.sqlite", store=folder / "workbench.sqlite",
                     intervals=options.pop("intervals", False), **options)
    accounts = app.state.workbench.accounts
    for name, role in ROLES.items():
        accounts.add(name, role, PASSWORDS[name])
    return app


def csrf_of(html: str, form_id: str | None = None) -> str:
    """The CSRF token of the page's form (the form with this id, when given)."""
    if form_id is not None:
        html = html.split(f'id="{form_id}"', 1)[1]
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def field_of(html: str, name: str, form_id: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html.split(f'id="{form_id}"', 1)[1])
    assert found, f"no {name} in form {form_id}"
    return found.group(1)


def sign_in(client, name: str, password: str | None = None):
    """Sign in as the browser does: the sign-in page's token, then the form. Returns the response (a 303 when it worked)."""
    page = client.get("/sign-in")
    return client.post("/sign-in", data={"csrf": csrf_of(page.text), "name": name, "password": password or PASSWORDS[name],
                                         "next": "/"}, follow_redirects=False)


def client_for(app, name: str | None = None, base_url: str = "http://127.0.0.1"):
    from starlette.testclient import TestClient

    client = TestClient(app, base_url=base_url)
    if name is not None:
        assert sign_in(client, name).status_code == 303
    return client


def propose_form(client, slug: str = "camden", band: int = 3, reason: str = "Strong leadership; narrow margin in settings.",
                 year: int = 2009) -> dict[str, str]:
    page = client.get(f"/year/{year}/council/{slug}")
    assert page.status_code == 200
    return {"csrf": csrf_of(page.text), "expected": field_of(page.text, "expected", "propose"),
            "input_hash": field_of(page.text, "input_hash", "propose"), "band": str(band), "reason": reason}


def decide_form(client, action: str, comment: str = "", slug: str = "camden", year: int = 2009) -> dict[str, str]:
    page = client.get(f"/year/{year}/council/{slug}")
    assert 'id="decide"' in page.text, "no confirm/return form on the page"
    return {"csrf": csrf_of(page.text), "expected": field_of(page.text, "expected", "decide"),
            "input_hash": field_of(page.text, "input_hash", "decide"), "action": action, "comment": comment}
