"""Throughput, latency, load+index time and peak memory, one fresh process per (fact base, system).

A fresh process per measurement keeps peak RSS honest (nothing left over from a bigger base or
another system) and makes load+index time a cold start, as when the bot boots.
Run as `python -m bench.speed --system NAME --factbase PATH|bundled ...` it is that worker.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BUNDLED", "SpeedPlan", "run_speed"]

BUNDLED = "bundled"
RESULT_MARKER = "BENCH-RESULT "
# Untimed messages first, to the steady state of a running bot: lazy imports done, caches warm,
# a small base's entries all met once. At most WARMUP_TIME_BOX_S of them: the naive baseline
# needs half a second a message at 100k entries and has nothing to warm.
WARMUP_MESSAGES = 2_000
WARMUP_TIME_BOX_S = 2.0
SEED = 20240224
# Libraries that spawn thread pools would use the second core; the bench measures one.
SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "RAYON_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",  # same set/dict order in every worker: same stream, same answers
}
WORKER_TIMEOUT_S = 240  # a worker that hangs must not hang the whole run
ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "tests" / "data" / "devset.jsonl"


@dataclass(frozen=True, slots=True)
class SpeedPlan:
    """What to measure: which systems, which sizes, how many messages, how long per system."""

    systems: tuple[str, ...]
    sizes: tuple[int, ...]
    messages: int
    time_box_s: dict[str, float]
    # Runs per (base, system), in rounds over all of them; the fastest is reported, as `timeit`
    # advises: on a shared machine other work only ever slows a run down, by up to a half here.
    repeats: int = 1


@dataclass(slots=True)
class _DevLines:
    """The dev set's lines, grouped by the part of the traffic they stand in for."""

    chatter: list[str] = field(default_factory=list)
    on_topic: list[str] = field(default_factory=list)
    claims: list[tuple[str | None, str]] = field(default_factory=list)  # (claim id, text)


def _rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB.

    VmHWM, not ru_maxrss: Linux carries the parent's high-water mark through fork+exec into
    ru_maxrss, so a worker started by a big parent would report the parent's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux, B on macOS


def _pin_to_one_core() -> int | None:
    if not hasattr(os, "sched_setaffinity"):
        return None
    core = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


def _devset_lines() -> _DevLines:
    from bench.quality import load_examples

    lines = _DevLines()
    if not DEVSET.exists():
        return lines
    for ex in load_examples(DEVSET):
        if ex.label in ("offtopic", "benign"):
            lines.chatter.append(ex.text)
        elif ex.label == "assert":
            lines.claims.append((ex.claim_id, ex.text))
        else:
            lines.on_topic.append(ex.text)
    return lines


def _worker(
    system_name: str, factbase_arg: str, messages: int, time_box_s: float
) -> dict[str, Any]:
    core = _pin_to_one_core()
    rss_start = _rss_mb()
    from bench.baselines import build_system
    from bench.traffic import mixed_traffic
    from bot.core.factbase import load_bundled, load_factbase

    rss_imports = _rss_mb()
    started = time.perf_counter()
    factbase = load_bundled() if factbase_arg == BUNDLED else load_factbase([factbase_arg])
    loaded = time.perf_counter()
    rss_loaded = _rss_mb()  # the loader's own peak: parsing a big feed can dominate
    system = build_system(system_name, factbase)
    indexed = time.perf_counter()
    # A long-running bot loads its fact base once; freezing it keeps the garbage collector from
    # walking the whole index in the middle of a message (done for every system alike).
    gc.freeze()
    rss_indexed = _rss_mb()

    lines = _devset_lines()
    # The dev set's assertions are claims only if the base under test holds their entry.
    claims = [text for claim_id, text in lines.claims if claim_id and factbase.get(claim_id)]
    stream = mixed_traffic(
        factbase,
        messages + WARMUP_MESSAGES,
        SEED,
        chatter_lines=lines.chatter,
        on_topic_lines=lines.on_topic,
        claim_lines=claims,
    )
    decide = system.decide
    warm_until = time.perf_counter() + WARMUP_TIME_BOX_S
    for text in stream[:WARMUP_MESSAGES]:
        decide(text)
        if time.perf_counter() > warm_until:
            break

    timed = stream[WARMUP_MESSAGES:]
    latencies_ns: list[int] = []
    alerts = 0
    clock = time.perf_counter_ns
    deadline = clock() + int(time_box_s * 1e9)
    begin = clock()
    for text in timed:
        t0 = clock()
        alert, _ = decide(text)
        t1 = clock()
        latencies_ns.append(t1 - t0)
        alerts += alert
        if t1 > deadline:
            break
    wall_s = (clock() - begin) / 1e9
    done = len(latencies_ns)
    cuts = statistics.quantiles(latencies_ns, n=100) if done >= 2 else [0.0] * 99
    return {
        "system": system_name,
        "entries": len(factbase),
        "messages": done,
        "messages_planned": len(timed),
        "time_boxed": done < len(timed),
        "wall_s": wall_s,
        "msg_per_s": done / wall_s if wall_s else None,
        "p50_us": (cuts[49] if done >= 2 else latencies_ns[0]) / 1e3,
        "p99_us": (cuts[98] if done >= 2 else latencies_ns[0]) / 1e3,
        "alert_share": alerts / done if done else None,
        "load_s": loaded - started,
        "index_s": indexed - loaded,
        "load_index_s": indexed - started,
        "peak_rss_after_imports_mb": rss_imports,
        "peak_rss_after_load_mb": rss_loaded,
        "peak_rss_after_index_mb": rss_indexed,
        "peak_rss_mb": _rss_mb(),
        "peak_rss_at_start_mb": rss_start,
        "core": core,
    }


def _spawn(system: str, factbase: str, messages: int, time_box_s: float) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "bench.speed",
        "--system",
        system,
        "--factbase",
        factbase,
        "--messages",
        str(messages),
        "--time-box",
        str(time_box_s),
    ]
    env = {**os.environ, **SINGLE_THREAD_ENV}
    try:
        done = subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"system": system, "error": f"worker timed out after {WORKER_TIMEOUT_S} s"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            return dict(json.loads(line.removeprefix(RESULT_MARKER)))
    tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return {"system": system, "error": f"worker exited {done.returncode}: {tail}"}


def run_speed(
    plan: SpeedPlan,
    workdir: Path,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Every system on the bundled base and on synthetic bases of each size, one process each."""
    from bench.synthetic import write_claimreview

    bases: list[tuple[str, str]] = [(BUNDLED, BUNDLED)]
    results: dict[str, Any] = {"messages": plan.messages, "seed": SEED, "bases": {}}
    for size in plan.sizes:
        path = workdir / f"claimreview-{size}.json"
        started = time.perf_counter()
        write_claimreview(path, size, seed=SEED + size)
        progress(f"generated {size:,} ClaimReview entries in {time.perf_counter() - started:.1f} s")
        bases.append((str(size), str(path)))
    # Round after round over every base and system: a slow spell on the machine then lands on
    # one run of each, not on all runs of one base (whose ratio to another base would suffer).
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {
        label: {system: [] for system in plan.systems} for label, _ in bases
    }
    for attempt in range(1, plan.repeats + 1):
        for label, factbase in bases:
            for system in plan.systems:
                progress(f"speed: {system} on {label} ({attempt}/{plan.repeats})")
                box = plan.time_box_s[system]
                runs[label][system].append(_spawn(system, factbase, plan.messages, box))
    for label, per_system in runs.items():
        results["bases"][label] = {
            system: _fastest_run(done) for system, done in per_system.items()
        }
    return results


def _fastest_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of highest throughput, with every run's throughput beside it and the highest
    peak RSS of any (memory is not noise); a failed run is reported if no run succeeded."""
    done = [r for r in runs if r.get("msg_per_s")]
    if not done:
        return runs[0]
    fastest = dict(max(done, key=lambda r: r["msg_per_s"]))
    fastest["runs_msg_per_s"] = [r.get("msg_per_s") for r in runs]
    fastest["peak_rss_mb"] = max(r["peak_rss_mb"] for r in done)
    return fastest


def _main() -> None:
    parser = argparse.ArgumentParser(description="one speed measurement (run by `python -m bench`)")
    parser.add_argument("--system", required=True)
    parser.add_argument("--factbase", required=True, help=f"a ClaimReview file or {BUNDLED!r}")
    parser.add_argument("--messages", type=int, required=True)
    parser.add_argument("--time-box", type=float, required=True, help="seconds of timed matching")
    args = parser.parse_args()
    result = _worker(args.system, args.factbase, args.messages, args.time_box)
    print(RESULT_MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
    _main()
