"""Targets, pass/fail, and the one table `python -m bench` prints."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text

from bench.baselines import SYSTEMS

__all__ = [
    "FOREIGN_TARGETS",
    "QUALITY_TARGETS",
    "SPEED_TARGETS",
    "Target",
    "build_table",
    "check_targets",
    "derive_speed",
]

OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "<": operator.lt,
}


@dataclass(frozen=True, slots=True)
class Target:
    metric: str  # key in a metrics dict
    op: str
    threshold: float
    percent: bool = False  # show as a percentage

    def check(self, value: float | None) -> bool | None:
        return None if value is None else OPS[self.op](value, self.threshold)

    def describe(self) -> str:
        if self.percent:
            shown = f"{self.threshold:.0%}"
        elif float(self.threshold).is_integer():
            shown = f"{self.threshold:,.0f}"
        else:
            shown = f"{self.threshold:.3g}"
        return f"{self.op} {shown}"


QUALITY_TARGETS = {
    "precision": Target("precision", ">=", 0.97, percent=True),
    "recall_en": Target("recall_en", ">=", 0.90, percent=True),
    "recall_uk_ru": Target("recall_uk_ru", ">=", 0.80, percent=True),
    "false_alert_rate": Target("false_alert_rate", "<=", 0.01, percent=True),
    "debunk_alert_rate": Target("debunk_alert_rate", "<=", 0.10, percent=True),
}
FOREIGN_TARGETS = {
    "precision": Target("precision", ">=", 0.85, percent=True),
    "recall": Target("recall", ">=", 0.5, percent=True),
    "topic_alert_rate": Target("topic_alert_rate", "<=", 0.05, percent=True),
}
# (fact base, metric) -> target; the speed metrics are claimwatch's, derived in derive_speed.
SPEED_TARGETS = {
    ("bundled", "msg_per_s"): Target("msg_per_s", ">=", 20_000),
    ("10000", "x_naive"): Target("x_naive", ">=", 50),
    ("100000", "vs_1000"): Target("vs_1000", ">=", 1 / 3),
    ("10000", "load_index_s"): Target("load_index_s", "<", 3.0),
    ("100000", "peak_rss_mb"): Target("peak_rss_mb", "<", 300),
}

QUALITY_ROWS = (
    ("precision", "alert precision"),
    ("recall_en", "recall, en assertions"),
    ("recall_uk_ru", "recall, uk+ru assertions"),
    ("recall_question", "recall, questions"),
    ("false_alert_rate", "false alerts (benign, lookalike, offtopic)"),
    ("debunk_alert_rate", "alerts on debunks"),
)
FOREIGN_ROWS = (
    ("precision", "alert precision"),
    ("recall", "recall, assertions"),
    ("topic_alert_rate", "alerts on topic posts"),
)


def derive_speed(speed: dict[str, Any]) -> None:
    """Add claimwatch's ratios: to the baselines on the same base, and to itself at 1,000."""
    bases = speed["bases"]
    small = bases.get("1000", {}).get("claimwatch", {}).get("msg_per_s")
    for label, systems in bases.items():
        mine = systems.get("claimwatch", {})
        rate = mine.get("msg_per_s")
        for other in ("naive", "bm25"):
            theirs = systems.get(other, {}).get("msg_per_s")
            mine[f"x_{other}"] = rate / theirs if rate and theirs else None
        mine["vs_1000"] = rate / small if rate and small and label != "1000" else None


def _value(metrics: dict[str, Any], key: str) -> float | None:
    found = metrics.get(key)
    return found.get("value") if isinstance(found, dict) else found


def check_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target with claimwatch's value and pass (True/False, None when not measured)."""
    rows: list[dict[str, Any]] = []

    def add(section: str, target: Target, metrics: dict[str, Any]) -> None:
        value = _value(metrics, target.metric)
        rows.append(
            {
                "section": section,
                "metric": target.metric,
                "target": target.describe(),
                "op": target.op,
                "threshold": target.threshold,
                "value": value,
                "pass": target.check(value),
            }
        )

    for name, quality in results.get("quality", {}).get("files", {}).items():
        metrics = quality.get("systems", {}).get("claimwatch", {})
        for target in QUALITY_TARGETS.values():
            add(f"quality: {name}", target, metrics)
    foreign = results.get("quality", {}).get("foreign", {})
    if "systems" in foreign:
        for target in FOREIGN_TARGETS.values():
            add("foreign feed", target, foreign["systems"].get("claimwatch", {}))
    if "speed" in results:
        bases = results["speed"]["bases"]
        for (base, _), target in SPEED_TARGETS.items():
            # Listed even when the size was not run (--quick), as "not measured".
            add(f"speed: {base}", target, bases.get(base, {}).get("claimwatch", {}))
    return rows


def _verdict(passed: bool | None) -> Text:
    if passed is None:
        return Text("n/a", style="yellow")
    return Text("PASS", style="bold green") if passed else Text("FAIL", style="bold red")


def _rate_cell(found: Any) -> str:
    if not isinstance(found, dict):
        return "error" if found is None else str(found)
    if found.get("value") is None:
        return "-"
    return f"{found['value']:.1%} ({found['hits']}/{found['total']})"


def _number(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _speed_rows(label: str, systems: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(metric key for targets, row title, one cell per system)."""

    def cells(show: Callable[[dict[str, Any]], str]) -> list[str]:
        out = []
        for name in SYSTEMS:
            run = systems.get(name, {})
            out.append(
                f"error: {run['error'][:40]}" if "error" in run else show(run) if run else ""
            )
        return out

    def rate(run: dict[str, Any]) -> str:
        shown = _number(run.get("msg_per_s"))
        return f"{shown} ({run['messages']:,} msgs, time-boxed)" if run.get("time_boxed") else shown

    mine = systems.get("claimwatch", {})
    rows = [
        ("entries", "entries", cells(lambda r: _number(r.get("entries")))),
        ("msg_per_s", "messages/s, one core", cells(rate)),
        (
            "latency",
            "p50 / p99 per message, µs",
            cells(lambda r: f"{_number(r.get('p50_us'), 1)} / {_number(r.get('p99_us'), 1)}"),
        ),
        (
            "alert_share",
            "alerts in the stream (~5% are claims)",
            cells(lambda r: "-" if r.get("alert_share") is None else f"{r['alert_share']:.1%}"),
        ),
        (
            "load_index_s",
            "load + index, s",
            cells(lambda r: f"{r['load_s']:.2f} + {r['index_s']:.2f}" if "load_s" in r else "-"),
        ),
        (
            "peak_rss_mb",
            "peak RSS, MB (peak after load)",
            cells(
                lambda r: (
                    f"{_number(r.get('peak_rss_mb'))} ({_number(r.get('peak_rss_after_load_mb'))})"
                )
            ),
        ),
        (
            "x_naive",
            "claimwatch ÷ naive throughput",
            [f"{_number(mine.get('x_naive'), 1)}x", "", ""],
        ),
        ("x_bm25", "claimwatch ÷ bm25 throughput", [f"{_number(mine.get('x_bm25'), 1)}x", "", ""]),
    ]
    if label not in ("bundled", "1000") and mine.get("vs_1000") is not None:
        rows.append(("vs_1000", "throughput ÷ that at 1,000", [f"{mine['vs_1000']:.2f}", "", ""]))
    return rows


def build_table(results: dict[str, Any]) -> Table:
    table = Table(title="claimwatch bench", show_lines=False, header_style="bold")
    table.add_column("metric")
    for name in SYSTEMS:
        table.add_column(name, justify="right")
    table.add_column("target", justify="right")
    table.add_column("", justify="center")

    def heading(title: str) -> None:
        table.add_section()
        table.add_row(Text(title, style="bold cyan"), *[""] * (len(SYSTEMS) + 2))

    def target_cells(target: Target | None, value: float | None) -> tuple[str, Text | str]:
        return (target.describe(), _verdict(target.check(value))) if target else ("", "")

    quality = results.get("quality", {})
    for name, data in quality.get("files", {}).items():
        heading(f"quality: {name} ({data.get('examples', 0)} examples)")
        systems = data.get("systems", {})
        for key, title in QUALITY_ROWS:
            mine = _value(systems.get("claimwatch", {}), key)
            cells = [_rate_cell(systems.get(s, {}).get(key)) for s in SYSTEMS]
            table.add_row(title, *cells, *target_cells(QUALITY_TARGETS.get(key), mine))
    foreign = quality.get("foreign", {})
    if "systems" in foreign:
        heading(f"foreign fact base: {foreign['entries']} entries, {foreign['posts']} posts")
        for key, title in FOREIGN_ROWS:
            mine = _value(foreign["systems"].get("claimwatch", {}), key)
            cells = [_rate_cell(foreign["systems"].get(s, {}).get(key)) for s in SYSTEMS]
            table.add_row(title, *cells, *target_cells(FOREIGN_TARGETS.get(key), mine))
    elif foreign.get("skipped"):
        heading(f"foreign fact base: skipped ({foreign['skipped']})")

    speed = results.get("speed", {})
    for label, systems in speed.get("bases", {}).items():
        shown = (
            "bundled fact base" if label == "bundled" else f"synthetic ClaimReview, {label} entries"
        )
        heading(f"speed: {shown}")
        for key, title, cells in _speed_rows(label, systems):
            target = SPEED_TARGETS.get((label, key))
            table.add_row(
                title, *cells, *target_cells(target, systems.get("claimwatch", {}).get(key))
            )
    return table
