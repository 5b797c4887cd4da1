"""Benchmark the engine on this machine, each figure side by side with a floor measured in the same run, and
print every figure docs/performance.md quotes.

    python benchmarks/run.py                                # the full run (10,000 profiles, 50,000 audit records)
    python benchmarks/run.py --profiles 2000 --records 10000  # a shorter run
    python benchmarks/run.py --only workbench --seconds 5     # the workbench alone, 5 s a page kind

Profiles are SYNTHETIC (engine.ingest.synthetic): whole synthetic Englands of 152 councils, one seed after
another, built from their provider-level records by `engine profiles build`'s library and written as files.
Nothing here is a real council. Floors: reading the same files with PyYAML's C safe loader (the least any
rating of them must do), and importing the engine's dependencies (the least a cold command must do).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What `engine evaluate` needs imported before it can work: the floor no evaluation can beat.
DEPENDENCIES = "import click, yaml, numpy, pandas, pydantic, durable.engine"
# Reads every profile file of a folder with PyYAML's C safe loader: the floor of merely reading the input.
READ_FLOOR = """
import sys, pathlib, yaml
for path in sorted(pathlib.Path(sys.argv[1]).glob('*.yaml')):
    yaml.load(path.read_text(encoding='utf-8'), Loader=yaml.CSafeLoader)
"""
# rate_all over a folder in a process of its own; prints its peak memory (max RSS, MB).
RATE_ALL = """
import resource, sys
from engine import rate_all
frame = rate_all(sys.argv[1], workers=int(sys.argv[2]))
assert len(frame) == int(sys.argv[3]), len(frame)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def _wall(command: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _env(scratch: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "ENGINE_AUDIT_DB": str(scratch / "audit.sqlite")}


def write_englands(folder: Path, count: int) -> list[Path]:
    """``count`` synthetic profiles as files, England after England (seeds 2009, 2010, ...)."""
    import yaml

    from engine.ingest.build import Tables, build_profiles
    from engine.ingest.synthetic import column_config, generate

    config = column_config()
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    seed = 2009
    while len(paths) < count:
        england = generate(seed)
        built = build_profiles(Tables(england.councils, england.settings, england.indicators, england.neighbours), config)
        assert not built.problems, built.problems[:3]
        for code, profile in built.profiles.items():
            if len(paths) == count:
                break
            path = folder / f"{seed}-{code}.yaml"
            path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
            paths.append(path)
        seed += 1
    return paths


def cold(scratch: Path, runs: int) -> None:
    env = _env(scratch)
    floor = _wall([sys.executable, "-c", DEPENDENCIES], runs, env)
    evaluate = _wall([sys.executable, "-m", "engine.cli", "evaluate", "examples/camden.yaml", "--no-audit"], runs, env)
    check = _wall([sys.executable, "-m", "engine.cli", "rules", "check"], runs, env)
    print(f"cold `engine evaluate examples/camden.yaml --no-audit`: {evaluate:.2f} s against the import floor "
          f"`python -c \"{DEPENDENCIES}\"` {floor:.2f} s: {evaluate / floor:.2f}x (target: at most 1.5x)")
    print(f"cold `engine rules check` (imports neither pandas nor durable-rules): {check:.2f} s")


def in_process(paths: list[Path], label: str) -> float:
    """Profiles/s through the library in this process (one worker), full trace, no audit."""
    from engine.batch.run import evaluate_batch

    evaluate_batch([paths[0]], workers=1)  # warm: rulesets loaded and compiled once per process
    start = time.perf_counter()
    result = evaluate_batch(paths, workers=1)
    seconds = time.perf_counter() - start
    assert len(result.results) == len(paths) and not result.failures
    print(f"{label}: {seconds:.2f} s, {len(paths) / seconds:.0f} profiles/s")
    return seconds


def trace_cost(paths: list[Path]) -> None:
    """What the full trace costs when it is shown: every measure event made and serialised."""
    from engine.decide.pipeline import evaluate_text

    texts = [p.read_text(encoding="utf-8") for p in paths]
    decisions = [evaluate_text(text, str(p)).decision for text, p in zip(texts, paths, strict=True)]
    start = time.perf_counter()
    for decision in decisions:
        decision.model_dump_json()
    seconds = time.perf_counter() - start
    print(f"  serialising each decision with its whole trace (pydantic's JSON, as audit record format 2 stored it): "
          f"{seconds / len(paths) * 1000:.2f} ms a profile")


def stages(paths: list[Path]) -> None:
    """Where the time goes, per profile, for a chunk of profiles rated together."""
    from engine.decide.pipeline import evaluate_many
    from engine.errors import ProfileError
    from engine.load.profile import ruleset_for_document, validate_profile
    from engine.load.yaml import parse_yaml, read_yaml
    from engine.measures.derive import derive_batch

    texts = [p.read_text(encoding="utf-8") for p in paths]
    t0 = time.perf_counter()
    docs = [read_yaml(text, str(p), ProfileError) for text, p in zip(texts, paths, strict=True)]
    parse = time.perf_counter() - t0
    for text, p in zip(texts, paths, strict=True):  # what a profile with an error costs: read again, located
        parse_yaml(text, str(p), ProfileError)
    careful = time.perf_counter() - t0 - parse
    t1 = time.perf_counter()
    ruleset = ruleset_for_document(docs[0])
    assert ruleset is not None
    loaded = [validate_profile(doc, ruleset.catalogue) for doc in docs]
    t2 = time.perf_counter()
    derive_batch([one.profile for one in loaded], ruleset.catalogue, ruleset.ruleset.comparison)
    t3 = time.perf_counter()
    evaluate_many(loaded, ruleset)
    t4 = time.perf_counter()
    n = len(paths)
    rest = (t4 - t3) - (t3 - t2)
    print(f"  per profile: parse {parse / n * 1000:.2f} ms (as the batch reads; with every location "
          f"worked out, as for a profile with an error, {careful / n * 1000:.2f} ms), validate {(t2 - t1) / n * 1000:.2f} ms, "
          f"measures (chunk of {n}) {(t3 - t2) / n * 1000:.2f} ms, durable-rules, trace and decision {rest / n * 1000:.2f} ms")


def whole_command(folder: Path, scratch: Path, count: int, runs: int) -> None:
    """The whole `engine batch` with the audit off and on, beside reading the same files with the C safe loader."""
    env = _env(scratch)
    floor = _wall([sys.executable, "-c", READ_FLOOR, str(folder)], runs, env)
    command = [sys.executable, "-m", "engine.cli", "batch", str(folder), "-o", str(scratch / "results.csv")]
    off = _wall(command + ["--no-audit"], runs, env)
    on = _wall(command + ["--audit", str(scratch / "batch-audit.sqlite")], runs, env)  # the store grows run by run, as in use
    print(f"whole `engine batch` of {count} profile files (start-up, {os.cpu_count()} workers, CSV), audit off: {off:.2f} s, "
          f"{count / off:.0f} profiles/s, against reading the same files with the C safe loader {floor:.2f} s: "
          f"ratio {off / floor:.2f} (target: at most 1.0)")
    print(f"  the same batch with the audit on: {on:.2f} s, {count / on:.0f} records a second (target: at least 1,000), "
          f"against the audit off {off:.2f} s: ratio {on / off:.2f} (target: at most 1.3)")


def parse_floor(paths: list[Path]) -> None:
    """Reading a profile the way the batch does, beside reading it with the C safe loader (CPU time, best of 2)."""
    import yaml

    from engine.errors import ProfileError
    from engine.load.yaml import read_yaml

    texts = [p.read_text(encoding="utf-8") for p in paths]

    def best(action) -> float:
        times = []
        for _ in range(2):
            start = time.process_time()
            action()
            times.append(time.process_time() - start)
        return min(times) / len(texts) * 1000

    floor = best(lambda: [yaml.load(text, Loader=yaml.CSafeLoader) for text in texts])
    ours = best(lambda: [read_yaml(text, str(p), ProfileError) for text, p in zip(texts, paths, strict=True)])
    print(f"parse ({len(texts)} profiles): reading a profile as the batch does {ours:.2f} ms (CPU), against PyYAML's C safe loader "
          f"{floor:.2f} ms: ratio {ours / floor:.2f} (target: at most 1.0)")


def memory(folder_1000: Path, folder_all: Path, count: int, scratch: Path) -> None:
    env = _env(scratch)
    marks = {}
    for folder, n in ((folder_1000, 1000), (folder_all, count)):
        out = subprocess.run([sys.executable, "-c", RATE_ALL, str(folder), str(os.cpu_count() or 1), str(n)],
                             check=True, capture_output=True, text=True, env=env, cwd=ROOT)
        marks[n] = float(out.stdout.strip())
        print(f"peak memory (max RSS) of rate_all over {n} profiles, a fresh process: {marks[n]:.0f} MB")
    if count > 1000:
        print(f"  {count} against 1,000: {marks[count] / marks[1000]:.2f}x (target: at most 1.1x)")


def audit(paths: list[Path], scratch: Path, records: int) -> None:
    """Encoding, appending and verifying records, each beside its floor; bytes per record beside format 2's."""
    import dataclasses
    import sqlite3
    import tracemalloc
    import uuid

    from engine.audit.store import FIELDS, AuditStore, prepare
    from engine.batch.run import CHUNK
    from engine.decide.pipeline import evaluate_many
    from engine.errors import ProfileError
    from engine.load.profile import parse_profile, ruleset_for_document
    from engine.load.yaml import read_yaml
    from engine.render.audit import record_line

    texts = [p.read_text(encoding="utf-8") for p in paths]
    ruleset = ruleset_for_document(read_yaml(texts[0], str(paths[0]), ProfileError))
    assert ruleset is not None
    loaded = [parse_profile(text, str(p), ruleset.catalogue) for text, p in zip(texts, paths, strict=True)]
    decisions, again = evaluate_many(loaded, ruleset), evaluate_many(loaded, ruleset)  # each encoded from cold

    start = time.perf_counter()
    prepared = [prepare(d, profile_source_text=text, run_by="benchmark") for d, text in zip(decisions, texts, strict=True)]
    encode = (time.perf_counter() - start) / len(decisions) * 1000
    start = time.perf_counter()
    for decision in again:
        decision.model_dump_json()
    old_encode = (time.perf_counter() - start) / len(decisions) * 1000
    print(f"audit: encoding a record (format 3: orjson, zstd) {encode:.2f} ms, against format 2's JSON of the same "
          f"decision {old_encode:.2f} ms: ratio {encode / old_encode:.2f}")

    new_bytes = [sum(len(v) if isinstance(v, bytes) else len(str(v).encode()) for v in r.fields.values() if v is not None)
                 for r in prepared]
    old_bytes = [n - len(r.fields["decision"]) + len(d.model_dump_json().encode())
                 for n, r, d in zip(new_bytes, prepared, decisions, strict=True)]
    new, old = statistics.mean(new_bytes), statistics.mean(old_bytes)
    print(f"  bytes per record (the stored values): {new:,.0f}, against format 2's {old:,.0f}: ratio {new / old:.2f} "
          "(target: at most 0.25)")

    def fresh(group: list) -> list:  # the same records under new ids, to append them again
        return [dataclasses.replace(r, fields={**r.fields, "record_id": uuid.uuid4().hex}) for r in group]

    path = scratch / "bench-audit.sqlite"
    singly = min(200, len(prepared))
    with AuditStore(path) as store:
        start = time.perf_counter()
        for record in fresh(prepared[:singly]):
            store.append_prepared([record])
        one = singly / (time.perf_counter() - start)
        groups = [fresh(prepared[i:i + CHUNK]) for i in range(0, len(prepared), CHUNK)]
        start = time.perf_counter()
        for group in groups:
            store.append_prepared(group)
        grouped = len(prepared) / (time.perf_counter() - start)
    floor_path = scratch / "bench-floor.sqlite"  # the same rows, the same transactions, no chain: SQLite alone
    con = sqlite3.connect(floor_path, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = FULL")
    con.execute(f"CREATE TABLE evaluations ({', '.join(FIELDS)}, record_hash)")
    rows = [[*(r.fields.get(f) for f in FIELDS), "0" * 64] for r in prepared]
    start = time.perf_counter()
    for i in range(0, len(rows), CHUNK):
        con.execute("BEGIN IMMEDIATE")
        con.executemany(f"INSERT INTO evaluations VALUES ({', '.join('?' * (len(FIELDS) + 1))})", rows[i:i + CHUNK])
        con.execute("COMMIT")
    floor = len(rows) / (time.perf_counter() - start)
    con.close()
    print(f"  appended a second: {grouped:,.0f} in groups of {CHUNK} (a batch's chunk, one transaction each), {one:,.0f} "
          f"one transaction each; SQLite alone, the same rows in the same transactions: {floor:,.0f}: ratio {grouped / floor:.2f}")

    with AuditStore(path) as store:  # grown to ``records`` records, the batch's records again and again
        have = store.verify().count
        while have < records:
            group = fresh(prepared[:min(CHUNK, records - have)])
            store.append_prepared(group)
            have += len(group)
    with AuditStore(path, create=False) as store:
        store.verify()  # the file in the page cache, for verify and the floor alike
        start = time.perf_counter()
        result = store.verify()
        verify = result.count / (time.perf_counter() - start)
        start = time.perf_counter()
        for _ in store._con.execute(f"SELECT {', '.join(FIELDS)}, record_hash FROM evaluations ORDER BY seq"):
            pass
        read = result.count / (time.perf_counter() - start)
        assert result.ok, result.problem
        peaks = {}
        def listing() -> None:  # each line made and dropped, as `engine audit list` prints it
            for row in store.summaries():
                record_line(row)

        for name, action in (("verify", store.verify), ("list", listing)):
            tracemalloc.start()
            action()
            peaks[name] = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
    size = path.stat().st_size / result.count
    print(f"  verify {result.count:,} records: {verify:,.0f} a second (target: at least 20,000), against reading the same "
          f"rows with no check {read:,.0f} a second: ratio {verify / read:.2f}; the file {size:,.0f} bytes a record")
    print(f"  peak memory (Python's, tracemalloc) over {result.count:,} records: verify {peaks['verify']:.1f} MB, "
          f"list {peaks['list']:.1f} MB (flat: a record at a time)")


WORKBENCH_HOST = "127.0.0.1"  # never another address: the load stays on this machine


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def workbench(england: list[Path], scratch: Path, seconds: float, clients: int) -> None:
    """`engine serve` over 152 councils on 127.0.0.1: ``clients`` concurrent clients for ``seconds`` on the year's page,
    then on council pages, each beside the same server's trivial response (/ping, the session still checked)."""
    import asyncio
    import re
    import socket

    import httpx

    folder = scratch / "workbench"
    folder.mkdir()
    for path in england:
        (folder / path.name).write_bytes(path.read_bytes())
    env = _env(scratch)
    store = scratch / "workbench.sqlite"
    password = "benchmark-password"
    subprocess.run([sys.executable, "-m", "engine.cli", "users", "add", "bench", "--role", "viewer", "--store", str(store)],
                   input=password + "\n", text=True, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    with socket.socket() as s:
        s.bind((WORKBENCH_HOST, 0))
        port = s.getsockname()[1]
    base = f"http://{WORKBENCH_HOST}:{port}"
    server = subprocess.Popen([sys.executable, "-m", "engine.cli", "serve", str(folder), "--store", str(store), "--host", WORKBENCH_HOST,
                               "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        start = time.perf_counter()
        while True:
            try:
                httpx.get(f"{base}/sign-in", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, "the server stopped"
                time.sleep(0.2)
        print(f"workbench: {len(england)} synthetic councils rated and served in {time.perf_counter() - start:.1f} s "
              f"(start-up: imports and the batch)")
        client = httpx.Client(base_url=base, timeout=60, follow_redirects=True)
        page = client.get("/sign-in").text
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        client.post("/sign-in", data={"csrf": token, "name": "bench", "password": password, "next": "/"})
        year = client.get("/").url.path
        slugs = re.findall(r'href="(/year/\d+/council/[^"]+)"', client.get(year).text)[:10]
        warm = time.perf_counter()
        for slug in slugs:  # each council's review is worked out on its first visit, then kept
            client.get(slug)
        print(f"  first visit of {len(slugs)} council pages (evaluation, letter): {(time.perf_counter() - warm) / len(slugs) * 1000:.0f} ms each")
        cookies = dict(client.cookies)

        async def load(paths: list[str], duration: float) -> tuple[list[float], int]:
            latencies: list[float] = []
            deadline = time.perf_counter() + duration

            async def one(n: int) -> None:
                async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=60) as session:
                    i = n
                    while time.perf_counter() < deadline:
                        begin = time.perf_counter()
                        response = await session.get(paths[i % len(paths)])
                        latencies.append(time.perf_counter() - begin)
                        assert response.status_code == 200, response.status_code
                        i += 1

            await asyncio.gather(*(one(n) for n in range(clients)))
            return latencies, len(latencies)

        for label, paths, goal in (("trivial response (/ping), the floor", ["/ping"], None),
                                   ("the year's page (152 councils)", [year], 100),
                                   (f"council pages ({len(slugs)}, visited before)", slugs, 50)):
            asyncio.run(load(paths, min(2.0, seconds)))  # warm-up, not counted: connections, the server's threads
            latencies, count = asyncio.run(load(paths, seconds))
            p50, p95 = _percentile(latencies, 0.5) * 1000, _percentile(latencies, 0.95) * 1000
            target = f" (target p95: at most {goal} ms)" if goal else ""
            print(f"  {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {count / seconds:.0f} requests/s, "
                  f"{clients} clients for {seconds:g} s{target}")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=10_000, help="profiles for the throughput and memory runs")
    parser.add_argument("--runs", type=int, default=3, help="runs of each whole command (the median is printed)")
    parser.add_argument("--records", type=int, default=50_000, help="records in the audit store that verify reads")
    parser.add_argument("--only", choices=["workbench"], default=None, help="run only this part")
    parser.add_argument("--seconds", type=float, default=20.0, help="the workbench's load on each kind of page, in seconds")
    parser.add_argument("--clients", type=int, default=20, help="the workbench's concurrent clients")
    args = parser.parse_args()

    from engine import __version__

    print(f"engine {__version__}; Python {platform.python_version()} on {platform.platform()}; {_cpu()}, {os.cpu_count()} CPUs")
    print("All profiles are SYNTHETIC (engine.ingest.synthetic).")
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        if args.only == "workbench":
            workbench(write_englands(scratch / "all", 152), scratch, args.seconds, args.clients)
            return
        cold(scratch, args.runs)
        paths = write_englands(scratch / "all", args.profiles)
        england = paths[:152]
        in_process(england, "152 synthetic councils in-process, full trace, no audit (target: at most 0.3 s)")
        stages(england)
        trace_cost(england)
        seconds = in_process(paths, f"{len(paths)} synthetic profiles in-process, one worker, full trace, no audit")
        print(f"  {len(paths) / seconds:.0f} profiles/s on one core (target: at least 1,000 on this machine)")
        ten = scratch / "1520"
        ten.mkdir()
        for path in paths[:1520]:
            (ten / path.name).write_bytes(path.read_bytes())
        whole_command(ten, scratch, min(1520, len(paths)), args.runs)
        thousand = scratch / "1000"
        thousand.mkdir()
        for path in paths[:1000]:
            (thousand / path.name).write_bytes(path.read_bytes())
        memory(thousand, scratch / "all", len(paths), scratch)
        parse_floor(paths[:608])
        audit(paths[:1520], scratch, args.records)
        workbench(england, scratch, args.seconds, args.clients)


if __name__ == "__main__":
    main()
