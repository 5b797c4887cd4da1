"""The audit store under several writing processes, and a writer killed mid-run."""
from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from engine.audit.store import AuditStore

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Each writer evaluates and records like `engine evaluate` does, printing each record id once committed.
EVALUATE_AND_RECORD = """
import sys
from engine.audit.record import evaluate_and_record
for _ in range(int(sys.argv[2])):
    print(evaluate_and_record(sys.argv[1], run_by=sys.argv[3]).record_id, flush=True)
"""

# Appends one evaluation over and over until killed.
APPEND_FOREVER = """
import sys
from engine import evaluate_file
from engine.audit.store import AuditStore
decision = evaluate_file(sys.argv[1])
text = open(sys.argv[1]).read()
with AuditStore(sys.argv[2]) as store:
    while True:
        print(store.append(decision, profile_source_text=text), flush=True)
"""


def test_four_processes_evaluating_at_once_lose_no_record_and_keep_one_chain(audit_store_in_tmp):
    profiles = ["camden.yaml", "cambridgeshire.yaml", "northfield-inadequate-safeguarding.yaml", "eastbridge-priority-actions.yaml"]
    writers = [subprocess.Popen([sys.executable, "-c", EVALUATE_AND_RECORD, str(EXAMPLES / name), "50", f"writer {i}"],
                                stdout=subprocess.PIPE, text=True, env=os.environ.copy())
               for i, name in enumerate(profiles)]
    printed = []
    for writer in writers:
        out, _ = writer.communicate(timeout=120)
        assert writer.returncode == 0
        printed += out.split()
    with AuditStore(audit_store_in_tmp) as store:
        records = store.records()
        result = store.verify()
    assert result.ok and result.count == 200, result.problem
    assert sorted(r.record_id for r in records) == sorted(printed)
    assert [r.seq for r in records] == list(range(1, 201))
    assert {r.run_by for r in records} == {f"writer {i}" for i in range(4)}


def test_a_writer_killed_during_appends_leaves_a_store_that_verifies_with_every_completed_record(tmp_path):
    path = tmp_path / "killed.sqlite"
    writer = subprocess.Popen([sys.executable, "-c", APPEND_FOREVER, str(EXAMPLES / "camden.yaml"), str(path)],
                              stdout=subprocess.PIPE, text=True)
    completed = [writer.stdout.readline().strip() for _ in range(40)]
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    completed += writer.stdout.read().split()  # ids printed before the kill landed
    writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL
    with AuditStore(path) as store:
        result = store.verify()
        ids = {r.record_id for r in store.records()}
    assert result.ok, result.problem
    assert set(completed) <= ids and len(ids) - len(completed) <= 1  # at most the one committed as it was killed


def test_a_batch_killed_mid_run_keeps_whole_chunks_of_records_and_a_chain_that_verifies(tmp_path):
    """A batch appends a chunk's records in one transaction: killed, it has recorded some whole chunks and
    nothing of the one in flight."""
    from engine.batch.run import CHUNK

    folder = tmp_path / "profiles"
    folder.mkdir()
    text = (EXAMPLES / "camden.yaml").read_text(encoding="utf-8")
    for i in range(CHUNK * 8):
        (folder / f"{i:04d}.yaml").write_text(text, encoding="utf-8")
    path = tmp_path / "batch.sqlite"
    batch = subprocess.Popen([sys.executable, "-m", "engine.cli", "batch", str(folder), "-o", str(tmp_path / "r.csv"),
                              "--audit", str(path), "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and batch.poll() is None:
            if path.exists():
                with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(path, timeout=5)) as con:
                    if con.execute("SELECT count(*) FROM evaluations").fetchone()[0] >= CHUNK:
                        break
            time.sleep(0.05)
        os.kill(batch.pid, signal.SIGKILL)
    finally:
        batch.wait(timeout=30)
    assert batch.returncode == -signal.SIGKILL  # killed mid-run, not finished
    with AuditStore(path) as store:
        result = store.verify()
    assert result.ok, result.problem
    assert result.count >= CHUNK and result.count % CHUNK == 0, result.count  # whole chunks only
