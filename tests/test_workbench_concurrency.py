"""Many reviewers at once: two assessors proposing for the same council at the same moment, fifty times: exactly
one proposal is recorded each time, the other is told the council changed, and the chain verifies. A server
killed after a confirmation has lost nothing."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

import engine

from .workbench import PASSWORDS, ROLES, client_for, csrf_of, decide_form, make_app, propose_form, year_folder

ROUNDS = 50


def test_two_assessors_at_once_one_proposal_wins_each_time_and_the_chain_holds(tmp_path):
    app = make_app(tmp_path)
    bench = app.state.workbench
    ann, alan, mo = client_for(app, "ann"), client_for(app, "alan"), client_for(app, "mo")
    first = propose_form(ann, "cambridgeshire", band=4)
    tokens = {"ann": first["csrf"], "alan": csrf_of(alan.get("/year/2009").text)}
    decision = bench.folder.review(bench.folder.council(2009, "cambridgeshire")).evaluation.decision
    barrier = threading.Barrier(2)

    def propose(client, name: str, expected: str) -> int:
        form = {**first, "csrf": tokens[name], "expected": expected, "reason": f"{name}: the indicators are strong"}
        barrier.wait()
        return client.post("/year/2009/council/cambridgeshire/propose", data=form, follow_redirects=False).status_code

    winners = []
    with ThreadPoolExecutor(2) as pool:
        for round_ in range(ROUNDS):
            with engine.AuditStore(bench.audit) as store:
                expected = store.latest_of(decision.authority, decision.authority_code, decision.year) or ""
            statuses = list(pool.map(lambda args: propose(*args), [(ann, "ann", expected), (alan, "alan", expected)]))
            assert sorted(statuses) == [303, 409], statuses
            winners.append("ann" if statuses[0] == 303 else "alan")
            action = "confirm" if round_ % 2 else "return"
            assert mo.post("/year/2009/council/cambridgeshire/decide", data=decide_form(mo, action, "moderated", "cambridgeshire"),
                           follow_redirects=False).status_code == 303
    with engine.AuditStore(bench.audit) as store:
        assert store.verify().ok
        steps = [r for r in store.records() if r.authority == "Cambridgeshire County Council"]
    assert len(steps) == 2 * ROUNDS  # one proposal and one moderation a round: no loser was recorded
    assert [r.run_by for r in steps[::2]] == winners and {r.run_by for r in steps[1::2]} == {"mo"}
    assert all(later.supersedes == earlier.record_id for earlier, later in zip(steps, steps[1:], strict=False))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_killed_server_loses_no_confirmed_judgement(tmp_path):
    folder = year_folder(tmp_path)
    audit, store = tmp_path / "audit.sqlite", tmp_path / "workbench.sqlite"
    for name in ("ann", "mo"):
        result = subprocess.run([sys.executable, "-m", "engine.cli", "users", "add", name, "--role", ROLES[name], "--store", str(store)],
                                input=PASSWORDS[name] + "\n", capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "engine.cli", "serve", str(folder), "--audit", str(audit), "--store", str(store),
                               "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{base}/sign-in", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read() if server.poll() is not None else "timeout"
                time.sleep(0.3)
        clients = {}
        for name in ("ann", "mo"):
            client = httpx.Client(base_url=base, timeout=60, follow_redirects=True)
            page = client.get("/sign-in")
            assert client.post("/sign-in", data={"csrf": csrf_of(page.text), "name": name, "password": PASSWORDS[name], "next": "/"}).status_code in (200, 303)
            clients[name] = client
        assert clients["ann"].post("/year/2009/council/camden/propose", data=propose_form(clients["ann"], band=3)).status_code in (200, 303)
        confirmed = clients["mo"].post("/year/2009/council/camden/decide", data=decide_form(clients["mo"], "confirm"))
        assert confirmed.status_code == 200 and "judged-band" in confirmed.text
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        stderr = server.stderr.read() if server.stderr else ""
    assert "serving" in stderr and "127.0.0.1" in stderr and "this machine only" in stderr
    assert not re.search("|".join(PASSWORDS.values()), stderr)
    with engine.AuditStore(audit) as reopened:
        assert reopened.verify().ok
        last = reopened.records()[-1]
    assert (last.run_by, last.final_band, last.as_decision().judgement.assessor) == ("mo", 3, "ann")
