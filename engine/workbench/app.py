"""The workbench as an ASGI application (Starlette, Jinja2 with autoescaping): :func:`create_app`.

Every route but sign-in and the static files answers only to a signed-in account with the role for it,
checked here on the server; every form carries the session's CSRF token; every response carries a
Content-Security-Policy that allows the app's own origin only (no inline script, no inline style). Bad
requests get a page with their status (400, 403, 404, 409, 422, 429), never a traceback.
"""
from __future__ import annotations

import csv
import functools
import io
import os
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import engine

from .accounts import ROLES, AccountError, AccountStore, Session, SignInRefused, default_store_path
from .pages import audit_rows, council_page, year_rows
from .review import ReviewRefused, decide, propose
from .year import Folder

SESSION_COOKIE = "engine_session"
SIGNIN_COOKIE = "engine_signin"  # the sign-in form's CSRF token, before there is a session
HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
                                 b"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
MAX_FORM_BYTES = 64 * 1024
MAX_REASON = 4000


class SecurityHeaders:
    """Adds the security headers to every response, and no-store to every page that is not a static file."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class Workbench:
    """What every request reads: the folder, the stores and the templates."""

    def __init__(self, folder: Folder, audit: Path, accounts: AccountStore, intervals: bool, checkpoint: Path | None = None):
        self.folder, self.audit, self.accounts, self.intervals = folder, audit, accounts, intervals
        self.checkpoint = checkpoint  # a checkpoint file the chain is held to when verified from the page
        self.year_cache: dict[Any, Any] = {}
        self.trail: dict[Any, Any] = {}  # each council's standing and history, by the audit store's state
        self.templates = Environment(loader=PackageLoader("engine.workbench", "templates"),
                                     autoescape=select_autoescape(default=True, default_for_string=True))

    def static(self, council: Any, context: dict[str, Any]) -> Markup:
        """The sections of a council's page that its file alone decides (limits, trace, thresholds, letter), rendered
        once per version of the file."""
        review = context["review"]
        if review.static is None:
            review.static = Markup(self.templates.get_template("council_review.html").render(year=council.year, council=council, **context))
        return review.static

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        session: Session | None = getattr(request.state, "session", None)
        html = self.templates.get_template(template).render(session=session, roles=ROLES, request=request, **context)
        return HTMLResponse(html, status_code=status)


Handler = Callable[[Request], Awaitable[Response]]


def requires(role: str, *, data: bool = False) -> Callable[[Handler], Handler]:
    """The route answers only to a live session whose account has ``role``; a POST also needs its CSRF token.

    Without a session a page redirects to sign-in and data is refused with 401; with the wrong role, 403."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            bench: Workbench = request.app.state.workbench
            session = await run_in_threadpool(bench.accounts.session, request.cookies.get(SESSION_COOKIE))
            if session is None:
                if data or request.method != "GET":
                    raise HTTPException(401, "sign in first")
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)
            request.state.session = session
            if not session.account.may(role):
                raise HTTPException(403, f"this needs the {role} role; {session.account.name} is a {session.account.role}")
            if request.method == "POST":
                form = await read_form(request)
                if not secrets.compare_digest(str(form.get("csrf", "")), session.csrf):
                    raise HTTPException(403, "the form's security token is missing or stale: reload the page and try again")
            return await handler(request)

        return endpoint

    return wrap


async def read_form(request: Request) -> dict[str, str]:
    """The posted form's fields, once per request; a body too large or not a form is a 400."""
    cached = getattr(request.state, "form", None)
    if cached is not None:
        return cached
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        raise HTTPException(400, "the form is too large")
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise HTTPException(400, "a form is posted as application/x-www-form-urlencoded")
    try:
        form = await request.form(max_files=0, max_fields=50)
    except Exception:  # python-multipart's parse errors, a body cut short
        raise HTTPException(400, "the form could not be read") from None
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    request.state.form = fields
    return fields


def _bench(request: Request) -> Workbench:
    bench: Workbench = request.app.state.workbench
    return bench


# --- sign-in --------------------------------------------------------------------------------------


async def sign_in_page(request: Request) -> Response:
    token = secrets.token_urlsafe(24)
    response = _bench(request).render(request, "sign_in.html", csrf=token, next=_safe_next(request.query_params.get("next")))
    _set_cookie(request, response, SIGNIN_COOKIE, token)
    return response


async def sign_in(request: Request) -> Response:
    bench = _bench(request)
    form = await read_form(request)
    expected = request.cookies.get(SIGNIN_COOKIE, "")
    if not expected or not secrets.compare_digest(str(form.get("csrf", "")), expected):
        raise HTTPException(403, "the sign-in form's security token is missing or stale: reload the page and try again")
    name, password = form.get("name", ""), form.get("password", "")
    address = request.client.host if request.client else "unknown"
    next_page = _safe_next(form.get("next"))
    try:
        token, _ = await run_in_threadpool(bench.accounts.sign_in, name, password, address)
    except SignInRefused as exc:
        fresh = secrets.token_urlsafe(24)
        refused: Response = bench.render(request, "sign_in.html", status=429 if exc.wait else 401, csrf=fresh, next=next_page,
                                error=str(exc), name=name)
        if exc.wait:
            refused.headers["retry-after"] = str(exc.wait)
        _set_cookie(request, refused, SIGNIN_COOKIE, fresh)
        return refused
    response = RedirectResponse(next_page, status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, token)
    response.delete_cookie(SIGNIN_COOKIE, path="/")
    return response


@requires("viewer")
async def sign_out(request: Request) -> Response:
    await run_in_threadpool(_bench(request).accounts.sign_out, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //elsewhere or a scheme) is followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")


# --- pages ------------------------------------------------------------------------------------------


@requires("viewer")
async def home(request: Request) -> Response:
    bench = _bench(request)
    folder = bench.folder
    await run_in_threadpool(folder.refresh)
    years = folder.years()
    if len(years) == 1 and not folder.unrated():
        return RedirectResponse(f"/year/{years[0]}", status_code=303)
    counts = {year: len(folder.of_year(year)) for year in years}
    return bench.render(request, "home.html", years=years, counts=counts, unrated=folder.unrated(), folder=str(folder.folder))


@requires("viewer", data=True)
async def ping(request: Request) -> Response:
    """The trivial response: the floor the benchmark measures the pages against (a session is still checked)."""
    return PlainTextResponse("ok")


def _year(request: Request) -> int:
    try:
        return int(request.path_params["year"])
    except ValueError:
        raise HTTPException(404, "no such year") from None


@requires("viewer")
async def year_page(request: Request) -> Response:
    bench = _bench(request)
    year = _year(request)
    await run_in_threadpool(bench.folder.refresh)
    params = dict(request.query_params)
    key = (year, tuple(sorted(params.items())), bench.folder.version, _signature(bench.audit))
    cached = bench.year_cache.get(key)
    if cached is None:
        view = await run_in_threadpool(year_rows, bench.folder, bench.audit, year, params)
        if view is None:
            raise HTTPException(404, f"no council of {year} in this folder")
        cached = (view, Markup(bench.templates.get_template("year_rows.html").render(year=year, view=view)))
        bench.year_cache.clear()  # one view kept: the latest asked for
        bench.year_cache[key] = cached
    query = urlencode({k: v for k, v in request.query_params.items() if k != "format"})
    return bench.render(request, "year.html", year=year, view=cached[0], rows=cached[1], query=query)


def _signature(audit: Path) -> tuple[tuple[int, int], ...]:
    """What changes whenever a record is appended: the store's files' sizes and times (SQLite in WAL mode)."""
    out = []
    for path in (audit, audit.with_name(audit.name + "-wal")):
        try:
            stat = path.stat()
            out.append((stat.st_size, stat.st_mtime_ns))
        except OSError:
            out.append((0, 0))
    return tuple(out)


@requires("viewer", data=True)
async def year_export(request: Request) -> Response:
    bench = _bench(request)
    year = _year(request)
    kind = request.path_params["kind"]
    if kind not in ("csv", "xlsx"):
        raise HTTPException(404, "exports are .csv or .xlsx")
    view = await run_in_threadpool(year_rows, bench.folder, bench.audit, year, dict(request.query_params))
    if view is None:
        raise HTTPException(404, f"no council of {year} in this folder")
    header, rows = view.table()
    safe = [[engine.spreadsheet_cell(value) for value in row] for row in [header, *rows]]
    disposition = f'attachment; filename="councils-{year}.{kind}"'
    if kind == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(safe)
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={"content-disposition": disposition})
    return Response(await run_in_threadpool(_xlsx, safe),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": disposition})


def _xlsx(rows: list[list[Any]]) -> bytes:
    import pandas as pd

    out = io.BytesIO()
    pd.DataFrame(rows[1:], columns=rows[0]).to_excel(out, index=False, engine="openpyxl")
    return out.getvalue()


def _council(request: Request) -> Any:
    bench = _bench(request)
    council = bench.folder.council(_year(request), request.path_params["slug"])
    if council is None or council.row is None:
        raise HTTPException(404, "no such council in this year")
    return council


@requires("viewer")
async def council_view(request: Request) -> Response:
    bench = _bench(request)
    council = await run_in_threadpool(_council, request)
    context = await run_in_threadpool(council_page, bench.folder, bench.audit, council, bench.intervals, bench.trail,
                                      _signature(bench.audit))
    return bench.render(request, "council.html", year=council.year, council=council, static=bench.static(council, context), **context)


@requires("viewer")
async def why_not_view(request: Request) -> Response:
    bench = _bench(request)
    council = await run_in_threadpool(_council, request)
    try:
        band = int(request.path_params["band"])
    except ValueError:
        raise HTTPException(404, "a band is a whole number") from None
    evaluation = (await run_in_threadpool(bench.folder.review, council)).evaluation
    decision = evaluation.decision
    off_scale = evaluation.ruleset.ruleset.band_problem(band)  # the bands are the ruleset's scale
    if off_scale is not None:
        raise HTTPException(404, off_scale)
    if band == decision.final_band or not decision.rated:
        raise HTTPException(404, "why not asks about a band the council did not get")
    why = await run_in_threadpool(bench.folder.why_not, council, band)
    return bench.render(request, "why_not.html", year=council.year, council=council, decision=decision, band=band, why=why)


@requires("assessor")
async def council_propose(request: Request) -> Response:
    bench = _bench(request)
    form = await read_form(request)
    council = await run_in_threadpool(_council, request)
    try:
        band = int(form.get("band", ""))  # whether it is on the ruleset's scale, the library says (band-not-on-scale)
    except ValueError:
        raise HTTPException(400, "the band is a whole number") from None
    reason = form.get("reason", "").strip()
    if len(reason) > MAX_REASON:
        raise HTTPException(400, f"a reason is at most {MAX_REASON} characters")
    account = request.state.session.account.name
    return await _act(request, council, lambda: propose(bench.folder, bench.audit, council, account, band, reason,
                                                        form.get("expected") or None, form.get("input_hash", "")))


@requires("moderator")
async def council_decide(request: Request) -> Response:
    bench = _bench(request)
    form = await read_form(request)
    council = await run_in_threadpool(_council, request)
    action = form.get("action", "")
    if action not in ("confirm", "return"):
        raise HTTPException(400, "the action is confirm or return")
    comment = form.get("comment", "").strip()
    if len(comment) > MAX_REASON:
        raise HTTPException(400, f"a comment is at most {MAX_REASON} characters")
    account = request.state.session.account.name
    return await _act(request, council, lambda: decide(bench.folder, bench.audit, council, account, action, comment,
                                                       form.get("expected") or None, form.get("input_hash", "")))


async def _act(request: Request, council: Any, step: Callable[[], str]) -> Response:
    """Take a review step; refused, the council's page again with the reason and the state as it is now."""
    bench = _bench(request)
    try:
        await run_in_threadpool(step)
    except ReviewRefused as exc:
        context = await run_in_threadpool(council_page, bench.folder, bench.audit, council, bench.intervals)
        return bench.render(request, "council.html", status=exc.status, year=council.year, council=council,
                            refused=exc.messages, static=bench.static(council, context), **context)
    return RedirectResponse(f"/year/{council.year}/council/{council.slug}#judgement", status_code=303)


@requires("viewer")
async def audit_page(request: Request) -> Response:
    bench = _bench(request)
    params = dict(request.query_params)
    verify = params.get("verify") == "1"
    view = await run_in_threadpool(audit_rows, bench.audit, params, verify, bench.checkpoint)
    return bench.render(request, "audit.html", view=view, params=params)


@requires("viewer")
async def audit_record(request: Request) -> Response:
    bench = _bench(request)
    record_id = request.path_params["record_id"]

    def read() -> Any:
        with engine.AuditStore(bench.audit) as store:
            return store.get(record_id)

    try:
        record = await run_in_threadpool(read)
    except engine.AuditError:
        raise HTTPException(404, "no record has this id") from None
    from .year import review_of

    return bench.render(request, "record.html", record=record, step=review_of(record.judgement),
                        decision=record.as_decision())


@requires("admin")
async def audit_checkpoint(request: Request) -> Response:
    bench = _bench(request)

    try:
        taken = await run_in_threadpool(engine.take_checkpoint, bench.audit)
    except engine.EngineError as exc:
        raise HTTPException(409, "; ".join(p.message for p in exc.problems)) from None
    if taken.checkpoint is None:
        raise HTTPException(409, f"the chain does not verify, so a checkpoint would anchor nothing: {taken.result.problem}")
    return Response(taken.text, media_type="application/yaml",
                    headers={"content-disposition": 'attachment; filename="audit-checkpoint.yaml"'})


@requires("viewer")
async def diff_page(request: Request) -> Response:
    bench = _bench(request)
    year = _year(request)
    from .pages import diff_view

    view = await run_in_threadpool(diff_view, bench.folder, year, request.query_params.get("against"))
    if view is None:
        raise HTTPException(404, f"no council of {year} in this folder")
    return bench.render(request, "diff.html", year=year, view=view)


@requires("admin")
async def accounts_page(request: Request) -> Response:
    bench = _bench(request)
    return bench.render(request, "accounts.html", accounts=await run_in_threadpool(bench.accounts.accounts))


@requires("admin")
async def accounts_change(request: Request) -> Response:
    """Add an account (name, role, password) or disable one; the admin's own account is never disabled from here."""
    bench = _bench(request)
    form = await read_form(request)
    action = request.path_params["action"]
    try:
        if action == "add":
            await run_in_threadpool(bench.accounts.add, form.get("name", ""), form.get("role", ""), form.get("password", ""))
        elif action == "disable":
            if form.get("name") == request.state.session.account.name:
                raise AccountError("an admin does not disable their own account here: another admin, or `engine users disable`, does")
            await run_in_threadpool(bench.accounts.disable, form.get("name", ""))
        else:
            raise HTTPException(404, "accounts are added or disabled")
    except AccountError as exc:  # its messages only: the store's path is the server's business
        return bench.render(request, "accounts.html", status=422, accounts=await run_in_threadpool(bench.accounts.accounts),
                            refused=[p.message for p in exc.problems])
    return RedirectResponse("/accounts", status_code=303)


# --- errors -----------------------------------------------------------------------------------------


async def http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "something went wrong on the server; nothing was recorded"
    bench = _bench(request)
    return bench.render(request, "error.html", status=status, status_code=status, detail=detail)


async def server_error(request: Request, exc: Exception) -> Response:
    return _bench(request).render(request, "error.html", status=500, status_code=500,
                                  detail="something went wrong on the server; nothing was recorded")


def create_app(profiles: str | os.PathLike[str], *, ruleset: str | os.PathLike[str] | None = None,
               audit: str | os.PathLike[str] | None = None, store: str | os.PathLike[str] | None = None,
               intervals: bool = True, progress: Callable[[int, int], None] | None = None,
               checkpoint: str | os.PathLike[str] | None = None) -> Starlette:
    """The workbench over a folder of profiles (rated now, through the library's batch).

    ``audit``: the audit store (default as for ``engine evaluate``); ``store``: the workbench's store of accounts
    and sessions (default $ENGINE_WORKBENCH_DB, else beside the audit store's default); ``intervals``: show
    each threshold's interval over the rule cases on a council's page (seconds, once per ruleset); ``checkpoint``: a
    checkpoint file (``engine audit checkpoint``) the audit page's verify holds the chain to."""
    folder_path = Path(profiles)
    if not folder_path.exists():
        raise engine.ProfileError([engine.Problem("file-not-found", "no folder of profiles here", str(folder_path))])
    folder = Folder(folder_path, ruleset, progress)
    audit_path = engine.default_audit_path(audit)
    engine.AuditStore(audit_path).close()  # made now, so every page reads the same store
    accounts = AccountStore(default_store_path(store))
    static = Path(__file__).with_name("static")
    routes = [
        Route("/", home),
        Route("/sign-in", sign_in_page, methods=["GET"]),
        Route("/sign-in", sign_in, methods=["POST"]),
        Route("/sign-out", sign_out, methods=["POST"]),
        Route("/ping", ping),
        Route("/year/{year}", year_page),
        Route("/year/{year}/councils.{kind}", year_export),
        Route("/year/{year}/diff", diff_page),
        Route("/year/{year}/council/{slug}", council_view),
        Route("/year/{year}/council/{slug}/why-not/{band}", why_not_view),
        Route("/year/{year}/council/{slug}/propose", council_propose, methods=["POST"]),
        Route("/year/{year}/council/{slug}/decide", council_decide, methods=["POST"]),
        Route("/audit", audit_page),
        Route("/audit/record/{record_id}", audit_record),
        Route("/audit/checkpoint", audit_checkpoint, methods=["POST"]),
        Route("/accounts", accounts_page),
        Route("/accounts/{action}", accounts_change, methods=["POST"]),
        Mount("/static", StaticFiles(directory=static), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.workbench = Workbench(folder, audit_path, accounts, intervals, Path(checkpoint) if checkpoint else None)
    app.add_middleware(SecurityHeaders)
    return app


def run(app: Starlette, host: str, port: int) -> None:
    """Serve the app in this process (uvicorn); no access log, so nothing a form carried is written anywhere."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
