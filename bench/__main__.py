"""`python -m bench` (`make bench`): quality and speed of claimwatch beside two baselines.

python -m bench                      full run: dev set, foreign feed, speed up to 100k entries
python -m bench --quick              smoke run: 1k and 10k entries, fewer messages
python -m bench --quality FILE ...   also score these labelled JSON Lines files (besides the dev
                                     and check sets)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.baselines import BM25_MIN_SCORE, NAIVE_CUTOFF, SYSTEMS, build_system
from bench.quality import Example, evaluate, evaluate_foreign, load_examples
from bench.report import build_table, check_targets, derive_speed
from bench.speed import DEVSET, ROOT, SpeedPlan, run_speed
from bot.core.factbase import FactBase, load_bundled, load_factbase

DATA = ROOT / "bench" / "data"
# Labelled like the dev set but never used to tune or fit anything: the first look at how the
# matcher does on messages it was not shaped on.
CHECKSET = DATA / "checkset.jsonl"
FOREIGN_FEED = DATA / "foreign_feed.json"
FOREIGN_POSTS = DATA / "foreign_posts.jsonl"
RESULTS = ROOT / "bench" / "results.json"

FULL_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
FULL_MESSAGES = 5_000  # "a few thousand distinct messages"
QUICK_MESSAGES = 1_000
FULL_REPEATS = 3
# Seconds of timed matching per (base, system). The naive baseline needs ~0.5 s a message at
# 100k entries, so it is cut off and its rate taken from what it did; claimwatch is expected to
# finish the stream well within its box.
FULL_TIME_BOX = {"claimwatch": 60.0, "naive": 5.0, "bm25": 5.0}
QUICK_TIME_BOX = {"claimwatch": 20.0, "naive": 1.0, "bm25": 1.0}

TABLE_WIDTH = 150  # when stdout is not a terminal (make, CI logs), rich would assume 80 columns

console = Console(stderr=True)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _score_all(factbase: FactBase, score: Any, examples: list[Example]) -> dict[str, Any]:
    """Build each system over `factbase` and score it; a system that fails to build is reported."""
    systems: dict[str, Any] = {}
    for name in SYSTEMS:
        try:
            systems[name] = score(build_system(name, factbase).decide, examples)
        except Exception as exc:  # the matcher may be mid-rewrite: report it, run the rest
            systems[name] = {"error": f"{type(exc).__name__}: {exc}"}
            console.print(f"[red]{name} failed: {exc}[/red]")
    return systems


def _quality(files: list[Path], feed: Path, posts: Path) -> dict[str, Any]:
    bundled = load_bundled()
    result: dict[str, Any] = {"bundled_entries": len(bundled), "files": {}}
    for path in files:
        console.print(f"quality: {_display(path)}")
        examples = load_examples(path)
        result["files"][_display(path)] = {
            "examples": len(examples),
            "systems": _score_all(bundled, evaluate, examples),
        }
    if feed.exists() and posts.exists():
        console.print(f"quality: foreign feed {_display(feed)}")
        foreign_base = load_factbase([feed])
        foreign_posts = load_examples(posts, labels=None)
        result["foreign"] = {
            "feed": _display(feed),
            "entries": len(foreign_base),
            "posts": len(foreign_posts),
            "systems": _score_all(foreign_base, evaluate_foreign, foreign_posts),
        }
    else:
        result["foreign"] = {"skipped": f"no {_display(feed)} and {_display(posts)}"}
    return result


def _write_results(results: dict[str, Any], path: Path) -> None:
    # Write then rename, so a reader never sees half a file.
    partial = path.with_suffix(".json.tmp")
    partial.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a smoke run")
    parser.add_argument(
        "--quality",
        nargs="+",
        type=Path,
        default=[],
        metavar="FILE",
        help=f"labelled JSON Lines files scored besides {_display(DEVSET)}",
    )
    parser.add_argument("--no-quality", action="store_true", help="skip the quality part")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed part")
    parser.add_argument("--sizes", nargs="+", type=int, help="synthetic fact-base sizes")
    parser.add_argument("--messages", type=int, help="timed messages per measurement")
    parser.add_argument(
        "--repeats", type=int, help=f"runs per measurement, fastest kept (default {FULL_REPEATS})"
    )
    parser.add_argument("--foreign-feed", type=Path, default=FOREIGN_FEED)
    parser.add_argument("--foreign-posts", type=Path, default=FOREIGN_POSTS)
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the results")
    parser.add_argument("--strict", action="store_true", help="exit 1 unless every target passes")
    return parser.parse_args()


def main() -> int:
    args = _arguments()
    started = time.perf_counter()
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "quick": args.quick,
        "argv": sys.argv[1:],
        "baselines": {
            "naive": {"scorer": "token_set_ratio", "score_cutoff": NAIVE_CUTOFF},
            "bm25": {"k1": 1.5, "b": 0.75, "method": "lucene", "min_score": BM25_MIN_SCORE},
        },
    }
    if not args.no_quality:
        files = [path for path in (DEVSET, CHECKSET) if path.exists()] + list(args.quality)
        if not DEVSET.exists():
            console.print(f"[yellow]no {_display(DEVSET)}: scoring only the files given[/yellow]")
        results["quality"] = _quality(files, args.foreign_feed, args.foreign_posts)
    if not args.no_speed:
        plan = SpeedPlan(
            systems=SYSTEMS,
            sizes=tuple(args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)),
            messages=args.messages or (QUICK_MESSAGES if args.quick else FULL_MESSAGES),
            time_box_s=QUICK_TIME_BOX if args.quick else FULL_TIME_BOX,
            repeats=args.repeats or (1 if args.quick else FULL_REPEATS),
        )
        with tempfile.TemporaryDirectory(prefix="claimwatch-bench-") as workdir:
            results["speed"] = run_speed(plan, Path(workdir), progress=console.print)
        derive_speed(results["speed"])
    results["targets"] = check_targets(results)
    # A target that could not be measured (a system failed, a file is missing) is not a pass.
    results["all_pass"] = all(t["pass"] is True for t in results["targets"])
    results["total_s"] = round(time.perf_counter() - started, 1)
    _write_results(results, args.out)
    out = Console()
    if not out.is_terminal:
        out = Console(width=TABLE_WIDTH)
    out.print(build_table(results))
    passed, failed = (sum(t["pass"] is want for t in results["targets"]) for want in (True, False))
    missing = len(results["targets"]) - passed - failed
    console.print(
        f"targets: {passed} passed, {failed} failed, {missing} not measured; "
        f"{results['total_s']} s; results in {_display(args.out)}",
        soft_wrap=True,
    )
    return 1 if args.strict and not results["all_pass"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
