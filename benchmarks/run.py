"""Benchmark the engine on this machine and print every figure the README's "Performance" section quotes.

    python benchmarks/run.py                 # the full run (10,000 profiles: several minutes at present)
    python benchmarks/run.py --profiles 2000 # a shorter run

Profiles are SYNTHETIC (engine.synthetic): whole synthetic Englands of 152 councils, one seed after another,
built from their provider-level records by `engine profiles build`'s library and rated one at a time with
the full trace and no audit. Nothing here is a real council.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
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


def _wall(command: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold_evaluate(runs: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ENGINE_AUDIT_DB": str(Path(scratch) / "audit.sqlite")}
        floor = _wall([sys.executable, "-c", DEPENDENCIES], runs, env)
        evaluate = _wall([sys.executable, "-m", "engine.cli", "evaluate", "examples/camden.yaml", "--no-audit"], runs, env)
        audited = _wall([sys.executable, "-m", "engine.cli", "evaluate", "examples/camden.yaml"], runs, env)
    print(f"cold `engine evaluate examples/camden.yaml --no-audit`: {evaluate:.2f} s (median of {runs})")
    print(f"  with the audit record (the default):                {audited:.2f} s")
    print(f"import floor `python -c \"{DEPENDENCIES}\"`: {floor:.2f} s")
    print(f"  ratio: {evaluate / floor:.2f}x the import floor (target: at most 1.5x)")


def _england(seed: int, config):
    from engine.batch.build import Tables, build_profiles
    from engine.batch.synthetic import generate

    england = generate(seed)
    built = build_profiles(Tables(england.councils, england.settings, england.indicators, england.neighbours), config)
    assert not built.problems, built.problems[:3]
    return list(built.profiles.values())


def _texts(profiles) -> list[str]:
    import yaml

    return [yaml.safe_dump(p, sort_keys=False) for p in profiles]


def _plain_fired(compiled: dict, fact: dict) -> set[str]:
    """The same compiled rules (durable-rules' own definition) evaluated in plain Python."""
    def holds(test: dict) -> bool:
        (op, arg), = test.items()
        if op == "$and":
            return all(holds(t) for t in arg)
        if op == "$or":
            return any(holds(t) for t in arg)
        if op in ("$gte", "$lte", "$gt", "$lt", "$neq"):
            (name, threshold), = arg.items()
            if name not in fact:
                return False
            value = fact[name]
            return {"$gte": lambda: value >= threshold, "$lte": lambda: value <= threshold, "$gt": lambda: value > threshold,
                    "$lt": lambda: value < threshold, "$neq": lambda: value != threshold}[op]()
        return op in fact and fact[op] == arg

    return {rule_id for rule_id, rule in compiled.items() if holds(rule["all"][0]["m"])}


def throughput(texts: list[str]) -> None:
    from engine.decide.combine import stage_grade
    from engine.decide.inference import GRADES, MEASURES, compile_ruleset, fact_key, session
    from engine.decide.pipeline import evaluate
    from engine.load.profile import parse_profile
    from engine.load.ruleset import ruleset_for_year
    from engine.measures.derive import derive_measures

    ruleset = ruleset_for_year(2009)
    evaluate(parse_profile(texts[0]), ruleset)  # warm: ruleset compiled and registered once per process
    start = time.perf_counter()
    for text in texts:
        evaluate(parse_profile(text, "synthetic.yaml"), ruleset)
    engine_seconds = time.perf_counter() - start
    print(f"in-process, {len(texts)} synthetic councils, full trace, no audit: {engine_seconds:.2f} s, "
          f"{len(texts) / engine_seconds:.0f} profiles/s (target: under 1 s)")

    # Where the time goes, stage by stage, each profile through every stage in turn (so drift cancels).
    parse_seconds = measure_seconds = durable_seconds = evaluate_seconds = 0.0
    measures, durable_fired = [], []
    for text in texts:
        t0 = time.perf_counter()
        loaded = parse_profile(text, "synthetic.yaml")
        t1 = time.perf_counter()
        values = derive_measures(loaded.profile, ruleset.catalogue, ruleset.ruleset).values
        t2 = time.perf_counter()
        with session(ruleset) as facts:
            fired = facts.assert_measures(values)
            grades = {s: stage_grade(ruleset.ruleset, s, fired).grade for s in ruleset.ruleset.grading_stages}
            fired |= facts.assert_grades(grades)
        t3 = time.perf_counter()
        evaluate(loaded, ruleset)
        t4 = time.perf_counter()
        parse_seconds += t1 - t0
        measure_seconds += t2 - t1
        durable_seconds += t3 - t2
        evaluate_seconds += t4 - t3
        measures.append(values)
        durable_fired.append(fired)

    compiled = compile_ruleset(ruleset.ruleset)
    referenced = ruleset.ruleset.referenced_measures()
    start = time.perf_counter()
    plain_fired = []
    for values in measures:
        fact = {"kind": MEASURES, **{fact_key(k): v for k, v in values.items() if k in referenced and v is not None}}
        fired = _plain_fired(compiled, fact)
        grades = {s: stage_grade(ruleset.ruleset, s, fired).grade for s in ruleset.ruleset.grading_stages}
        fired |= _plain_fired(compiled, {"kind": GRADES, **grades})
        plain_fired.append(fired)
    plain_seconds = time.perf_counter() - start
    agree = sum(a == b for a, b in zip(durable_fired, plain_fired))
    n = len(texts)
    print(f"  per profile: parse and validate {parse_seconds / n * 1000:.1f} ms, derive measures {measure_seconds / n * 1000:.1f} ms, "
          f"durable-rules inference {durable_seconds / n * 1000:.2f} ms, trace, explanations and decision "
          f"{max(0.0, evaluate_seconds - measure_seconds - durable_seconds) / n * 1000:.1f} ms")
    print(f"the compiled rules alone (measures given): durable-rules {n / durable_seconds:.0f} profiles/s, plain Python "
          f"{n / plain_seconds:.0f} profiles/s: durable-rules takes {durable_seconds / plain_seconds:.1f}x the time "
          f"(fired sets agree on {agree} of {n})")
    plain_total = parse_seconds + measure_seconds + plain_seconds
    print(f"  the whole engine against parse + measures + plain-Python rules: {n / engine_seconds:.0f} against "
          f"{n / plain_total:.0f} profiles/s, ratio {engine_seconds / plain_total:.2f}")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def many(count: int, config) -> None:
    """Profiles streamed one England at a time: throughput and peak memory at 1,000 and at ``count``."""
    from engine.decide.pipeline import evaluate
    from engine.load.profile import parse_profile
    from engine.load.ruleset import ruleset_for_year

    ruleset = ruleset_for_year(2009)
    done, seconds, seed, marks = 0, 0.0, 1, {}
    while done < count:
        texts = _texts(_england(seed, config))[: count - done]
        seed += 1
        start = time.perf_counter()
        for text in texts:
            evaluate(parse_profile(text, "synthetic.yaml"), ruleset)
            done += 1
            if done in (1000, count):
                marks[done] = _peak_rss_mb()
        seconds += time.perf_counter() - start
    print(f"in-process, {count} synthetic profiles, full trace, no audit: {count / seconds:.0f} profiles/s "
          f"(target: at least 1,000)")
    for n, mb in sorted(marks.items()):
        print(f"  peak memory (max RSS) after {n} profiles: {mb:.0f} MB")
    if len(marks) == 2:
        low, high = marks[1000], marks[count]
        print(f"  growth from 1,000 to {count}: {high - low:+.0f} MB ({(high - low) / low:+.1%}) (target: flat)")


def audit_rate(texts: list[str], count: int) -> None:
    try:
        from engine.audit.store import AuditStore
    except ImportError:
        print("audit: engine.audit is not part of this installation")
        return
    from engine.decide.pipeline import evaluate
    from engine.load.profile import parse_profile
    from engine.load.ruleset import ruleset_for_year

    ruleset = ruleset_for_year(2009)
    decisions = [(evaluate(parse_profile(t), ruleset), t) for t in texts[:count]]
    with tempfile.TemporaryDirectory() as scratch, AuditStore(Path(scratch) / "audit.sqlite") as store:
        start = time.perf_counter()
        for decision, text in decisions:
            store.append(decision, profile_source_text=text, run_by="benchmark")
        seconds = time.perf_counter() - start
    print(f"audit records appended: {len(decisions) / seconds:.0f} per second ({len(decisions)} records, "
          f"each one transaction with the full decision and trace)")


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
    parser.add_argument("--profiles", type=int, default=10_000, help="profiles for the throughput and memory run")
    parser.add_argument("--runs", type=int, default=5, help="runs of each cold command (the median is printed)")
    args = parser.parse_args()

    from engine import __version__
    from engine.batch.build import load_column_config
    from engine.batch.synthetic import column_config_text

    print(f"engine {__version__}; Python {platform.python_version()} on {platform.platform()}; "
          f"{_cpu()}, {os.cpu_count()} CPUs")
    print("All profiles are SYNTHETIC (engine.synthetic).")
    cold_evaluate(args.runs)
    with tempfile.TemporaryDirectory() as scratch:
        config_path = Path(scratch) / "columns.yaml"
        config_path.write_text(column_config_text())
        config = load_column_config(config_path)
    texts = _texts(_england(2009, config))
    throughput(texts)
    audit_rate(texts, 152)
    many(args.profiles, config)


if __name__ == "__main__":
    main()
