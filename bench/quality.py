"""Alert quality on labelled JSON Lines files: precision, recall by language, false-alert rates."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.baselines import Decide

__all__ = [
    "DEV_LABELS",
    "Example",
    "evaluate",
    "evaluate_foreign",
    "load_examples",
]

DEV_LABELS = frozenset({"assert", "question", "debunk", "benign", "lookalike", "offtopic"})
# An alert on these is a correct alert (when the claim id matches): the bot should answer both.
WANTED_LABELS = frozenset({"assert", "question"})
# Messages that name no claim at all: any alert on them is a false alert.
UNRELATED_LABELS = frozenset({"benign", "lookalike", "offtopic"})
SLAVIC = frozenset({"uk", "ru"})


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    lang: str
    label: str
    claim_id: str | None


def load_examples(path: Path, labels: frozenset[str] | None = DEV_LABELS) -> list[Example]:
    """Read one labelled file; `labels=None` accepts any label (the foreign posts add "topic")."""
    examples = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                example = Example(
                    text=str(row["text"]),
                    lang=str(row.get("lang") or ""),
                    label=str(row["label"]),
                    claim_id=row.get("claim_id") or None,
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a labelled example ({exc})") from exc
            if labels is not None and example.label not in labels:
                raise ValueError(f"{path}:{number}: unknown label {example.label!r}")
            examples.append(example)
    return examples


def _rate(hits: int, total: int) -> dict[str, Any]:
    # None, not 0, when nothing was measured: a missing class must not read as a perfect score.
    return {"value": hits / total if total else None, "hits": hits, "total": total}


def _alerts(decide: Decide, examples: Iterable[Example]) -> list[tuple[Example, bool, str | None]]:
    return [(ex, *decide(ex.text)) for ex in examples]


def _precision(results: list[tuple[Example, bool, str | None]]) -> dict[str, Any]:
    alerts = [(ex, cid) for ex, alert, cid in results if alert]
    good = sum(1 for ex, cid in alerts if ex.label in WANTED_LABELS and cid == ex.claim_id)
    return _rate(good, len(alerts))


def _recall(results: list[tuple[Example, bool, str | None]], langs: frozenset[str] | None) -> Any:
    wanted = [
        (ex, alert, cid)
        for ex, alert, cid in results
        if ex.label == "assert" and (langs is None or ex.lang in langs)
    ]
    hits = sum(1 for ex, alert, cid in wanted if alert and cid == ex.claim_id)
    return _rate(hits, len(wanted))


def _alert_rate(results: list[tuple[Example, bool, str | None]], labels: frozenset[str]) -> Any:
    chosen = [alert for ex, alert, _ in results if ex.label in labels]
    return _rate(sum(chosen), len(chosen))


def evaluate(decide: Decide, examples: list[Example]) -> dict[str, Any]:
    results = _alerts(decide, examples)
    return {
        "precision": _precision(results),
        "recall_en": _recall(results, frozenset({"en"})),
        "recall_uk_ru": _recall(results, SLAVIC),
        "recall_question": _rate(
            sum(1 for ex, a, cid in results if ex.label == "question" and a and cid == ex.claim_id),
            sum(1 for ex, _, _ in results if ex.label == "question"),
        ),
        "false_alert_rate": _alert_rate(results, UNRELATED_LABELS),
        "debunk_alert_rate": _alert_rate(results, frozenset({"debunk"})),
    }


def evaluate_foreign(decide: Decide, posts: list[Example]) -> dict[str, Any]:
    results = _alerts(decide, posts)
    return {
        "precision": _precision(results),
        "recall": _recall(results, None),
        "topic_alert_rate": _alert_rate(results, frozenset({"topic"})),
    }
