"""Accounts, roles and server-side sessions of the workbench, in its own SQLite store (WAL).

Passwords are hashed with argon2 (argon2-cffi) and never stored, logged or shown. A session is a random
token in an HttpOnly cookie; the store keeps only its SHA-256, with the session's CSRF token, its account
and when it ends (idle and absolute expiry). Failed sign-ins are counted per account and per address: past
a bound, sign-in waits, whatever the password, so guessing is slowed and the wait is said.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

import engine

ENV_VAR = "ENGINE_WORKBENCH_DB"
APPLICATION_ID = 0x456E6757  # "EngW": marks a SQLite file as a workbench store
ROLES = ("viewer", "assessor", "moderator", "admin")
# What each role may do; a role may do what the roles before it may (an admin also reads, proposes, confirms).
RANK = {role: i for i, role in enumerate(ROLES)}
IDLE = timedelta(minutes=30)
LONGEST = timedelta(hours=8)
FAILURES_BEFORE_WAIT = 5  # for one account from one address
FAILURES_FROM_ADDRESS = 25  # for any accounts from one address (one machine trying many names)
FAILURE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10
_HASHER = PasswordHasher()
# Checked against when the account does not exist, so an unknown name costs the same time as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS accounts (
        name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS sessions (
        token_hash TEXT PRIMARY KEY, account TEXT NOT NULL REFERENCES accounts(name), csrf TEXT NOT NULL,
        created_at TEXT NOT NULL, seen_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS failed_signins (account TEXT NOT NULL, address TEXT NOT NULL, at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS failed_by_account ON failed_signins (account, at)",
    "CREATE INDEX IF NOT EXISTS failed_by_address ON failed_signins (address, at)",
    f"PRAGMA application_id = {APPLICATION_ID}",
)


class AccountError(engine.EngineError):
    """A request about accounts that cannot be met: an unknown role, a taken name, a short password, a store that
    is not one (problem code ``account-invalid``, exit code 2 as for any bad input)."""

    def __init__(self, message: str, where: str | os.PathLike[str] = "<accounts>"):
        super().__init__([engine.Problem("account-invalid", message, os.fspath(where))])


class SignInRefused(Exception):
    """Wrong name or password (said the same way for both), or too many failures: ``wait`` seconds then."""

    def __init__(self, message: str, wait: int = 0):
        super().__init__(message)
        self.wait = wait


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    disabled: bool
    created_at: str

    def may(self, role: str) -> bool:
        """True when this account's role includes ``role``'s rights."""
        return not self.disabled and RANK[self.role] >= RANK[role]


@dataclass(frozen=True)
class Session:
    account: Account
    csrf: str
    token_hash: str


def default_store_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The store named, else $ENGINE_WORKBENCH_DB, else beside the default audit store (~/.local/share/engine/)."""
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "engine" / "workbench.sqlite"


def _now() -> datetime:
    return datetime.now(UTC)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class AccountStore:
    """Accounts, sessions and failed sign-ins. Each method is one short transaction: safe across threads
    (a connection per call) and processes (WAL, a busy timeout)."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True):
        self.path = Path(path)
        self._local = threading.local()
        if not create and not self.path.is_file():
            raise AccountError("no workbench store here; add the first admin with `engine users add NAME --role admin`", self.path)
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._connect() as con:
                (app_id,) = con.execute("PRAGMA application_id").fetchone()
                if app_id != APPLICATION_ID:
                    if con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                        raise AccountError("this SQLite file is not a workbench store", self.path)
                    for statement in _SCHEMA:
                        con.execute(statement)
                con.execute("PRAGMA journal_mode = WAL")
        except sqlite3.Error as exc:
            raise AccountError(f"cannot use this file as a workbench store: {exc}", self.path) from None

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection (kept: every request checks a session, and opening one costs more than the query)."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=True)
            con.execute("PRAGMA synchronous = FULL")
            self._local.con = con
        yield con

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise

    # --- accounts ---------------------------------------------------------------------------------

    def add(self, name: str, role: str, password: str) -> Account:
        name = name.strip()
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}: one of {', '.join(ROLES)}", self.path)
        if not name or len(name) > 64 or not name.isprintable():
            raise AccountError("an account name is 1 to 64 printable characters", self.path)
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"a password has at least {MIN_PASSWORD} characters", self.path)
        created = _now().isoformat(timespec="seconds")
        with self._write() as con:
            if con.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
                raise AccountError(f"an account named {name!r} exists already", self.path)
            con.execute("INSERT INTO accounts (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                        (name, role, _HASHER.hash(password), created))
        return Account(name, role, False, created)

    def accounts(self) -> list[Account]:
        with self._connect() as con:
            rows = con.execute("SELECT name, role, disabled, created_at FROM accounts ORDER BY name").fetchall()
        return [Account(n, r, bool(d), c) for n, r, d, c in rows]

    def account(self, name: str) -> Account | None:
        with self._connect() as con:
            row = con.execute("SELECT name, role, disabled, created_at FROM accounts WHERE name = ?", (name,)).fetchone()
        return Account(row[0], row[1], bool(row[2]), row[3]) if row else None

    def disable(self, name: str) -> None:
        """The account can no longer sign in, and every session it has ends now."""
        with self._write() as con:
            if not con.execute("UPDATE accounts SET disabled = 1 WHERE name = ?", (name,)).rowcount:
                raise AccountError(f"no account named {name!r}", self.path)
            con.execute("DELETE FROM sessions WHERE account = ?", (name,))

    # --- sign-in and sessions ---------------------------------------------------------------------

    def sign_in(self, name: str, password: str, address: str) -> tuple[str, Session]:
        """A new session (its cookie token and the session) for the right name and password."""
        since = (_now() - FAILURE_WINDOW).isoformat()
        with self._connect() as con:
            by_account = con.execute("SELECT count(*), min(at) FROM failed_signins WHERE account = ? AND address = ? AND at > ?",
                                     (name, address, since)).fetchone()
            by_address = con.execute("SELECT count(*), min(at) FROM failed_signins WHERE address = ? AND at > ?", (address, since)).fetchone()
            row = con.execute("SELECT password_hash, disabled FROM accounts WHERE name = ?", (name,)).fetchone()
        for (count, first), bound in ((by_account, FAILURES_BEFORE_WAIT), (by_address, FAILURES_FROM_ADDRESS)):
            if count >= bound:
                wait = int((datetime.fromisoformat(first) + FAILURE_WINDOW - _now()).total_seconds()) + 1
                raise SignInRefused(f"too many failed sign-ins: try again in {max(wait, 1)} seconds", max(wait, 1))
        try:
            _HASHER.verify(row[0] if row else _DUMMY_HASH, password)
            ok = row is not None and not row[1]
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok:
            with self._write() as con:
                con.execute("INSERT INTO failed_signins (account, address, at) VALUES (?, ?, ?)", (name, address, _now().isoformat()))
            raise SignInRefused("wrong account name or password")
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), _now().isoformat()
        with self._write() as con:
            con.execute("DELETE FROM failed_signins WHERE account = ? AND address = ?", (name, address))
            con.execute("INSERT INTO sessions (token_hash, account, csrf, created_at, seen_at) VALUES (?, ?, ?, ?, ?)",
                        (_hash_token(token), name, csrf, now, now))
        session = self.session(token)
        assert session is not None
        return token, session

    def session(self, token: str | None) -> Session | None:
        """The live session of this cookie token, its idle time renewed; None when there is none or it ended."""
        if not token:
            return None
        key, now = _hash_token(token), _now()
        with self._connect() as con:
            row = con.execute("SELECT s.account, s.csrf, s.created_at, s.seen_at, a.role, a.disabled, a.created_at "
                              "FROM sessions s JOIN accounts a ON a.name = s.account WHERE s.token_hash = ?", (key,)).fetchone()
            if row is None:
                return None
            name, csrf, created, seen, role, disabled, account_created = row
            if disabled or now - datetime.fromisoformat(seen) > IDLE or now - datetime.fromisoformat(created) > LONGEST:
                con.execute("DELETE FROM sessions WHERE token_hash = ?", (key,))
                return None
            if now - datetime.fromisoformat(seen) > timedelta(seconds=60):  # renewed at most once a minute: reads stay reads
                con.execute("UPDATE sessions SET seen_at = ? WHERE token_hash = ?", (now.isoformat(), key))
        return Session(Account(name, role, bool(disabled), account_created), csrf, key)

    def sign_out(self, token: str | None) -> None:
        if token:
            with self._write() as con:
                con.execute("DELETE FROM sessions WHERE token_hash = ?", (_hash_token(token),))
