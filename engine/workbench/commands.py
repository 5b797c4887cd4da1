"""What ``engine users`` and ``engine serve`` do, as functions of the public surface (``engine.add_account``,
``engine.serve_workbench``, ...): the command line only parses arguments and prints."""
from __future__ import annotations

import os
from collections.abc import Callable

from .accounts import Account, AccountStore, default_store_path


def add_account(name: str, role: str, password: str, store: str | os.PathLike[str] | None = None) -> Account:
    """``engine users add``: a new account with a role, its password hashed (argon2); AccountError when refused."""
    return AccountStore(default_store_path(store)).add(name, role, password)


def list_accounts(store: str | os.PathLike[str] | None = None) -> list[Account]:
    """``engine users list``: every account of the store, by name."""
    return AccountStore(default_store_path(store), create=False).accounts()


def disable_account(name: str, store: str | os.PathLike[str] | None = None) -> None:
    """``engine users disable``: the account can no longer sign in, and its sessions end now."""
    AccountStore(default_store_path(store), create=False).disable(name)


def serve_workbench(directory: str | os.PathLike[str], *, ruleset: str | os.PathLike[str] | None = None,
                    audit: str | os.PathLike[str] | None = None, store: str | os.PathLike[str] | None = None,
                    checkpoint: str | os.PathLike[str] | None = None, host: str = "127.0.0.1", port: int = 8000,
                    progress: Callable[[int, int], None] | None = None, say: Callable[[str], None] = print) -> None:
    """``engine serve``: rate the folder (``progress`` as it goes), say where it is served and to whom, and serve it
    until stopped."""
    from .app import create_app, run

    app = create_app(directory, ruleset=ruleset, audit=audit, store=store, progress=progress, checkpoint=checkpoint)
    if not app.state.workbench.accounts.accounts():
        say(f"no account in {default_store_path(store)}: add the first with `engine users add NAME --role admin`")
    where = "this machine only" if host in ("127.0.0.1", "localhost", "::1") else "every machine that can reach this address"
    say(f"serving {os.fspath(directory)} on http://{host}:{port}/ ({where})")
    run(app, host, port)
