"""The quality floor on the labelled development set (tests/data/devset.jsonl).

The floor is what the matcher reaches today, minus a little slack; it stops a change from quietly
making the bot noisier or blinder. `make bench` prints the full figures beside the baselines.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bench.calibrate import calibration_rows, fit
from bot.core.factbase import load_bundled
from bot.core.matching import Matcher
from bot.core.matching.matcher import CONFIDENCE_INTERCEPT, CONFIDENCE_WEIGHTS

DEVSET = Path(__file__).resolve().parents[2] / "data" / "devset.jsonl"
NEGATIVE_LABELS = {"benign", "lookalike", "offtopic"}
MIN_DEVSET_SIZE = 300

FLOOR_PRECISION = 0.97
FLOOR_RECALL_EN = 0.88
FLOOR_RECALL_UK_RU = 0.92
CEILING_FALSE_ALERTS = 0.01
CEILING_DEBUNK_ALERTS = 0.05


def test_devset_quality_floor() -> None:
    rows = [json.loads(line) for line in DEVSET.read_text(encoding="utf-8").splitlines() if line]
    assert len(rows) >= MIN_DEVSET_SIZE
    matcher = Matcher(load_bundled())
    alerts = correct = 0
    asserted: Counter[str] = Counter()
    found: Counter[str] = Counter()
    negatives = false_alerts = debunks = debunk_alerts = 0
    for row in rows:
        result = matcher.match(row["text"])
        right = result.claim_id == row["claim_id"] and row["label"] in ("assert", "question")
        alerts += result.alert
        correct += result.alert and right
        group = "en" if row["lang"] == "en" else "uk+ru"
        if row["label"] == "assert":
            asserted[group] += 1
            found[group] += result.alert and right
        elif row["label"] in NEGATIVE_LABELS:
            negatives += 1
            false_alerts += result.alert
        elif row["label"] == "debunk":
            debunks += 1
            debunk_alerts += result.alert
    assert correct / alerts >= FLOOR_PRECISION
    assert found["en"] / asserted["en"] >= FLOOR_RECALL_EN
    assert found["uk+ru"] / asserted["uk+ru"] >= FLOOR_RECALL_UK_RU
    assert false_alerts / negatives <= CEILING_FALSE_ALERTS
    assert debunk_alerts / debunks <= CEILING_DEBUNK_ALERTS


def test_the_confidence_model_is_the_fit_on_the_development_set() -> None:
    """The committed constants are what `python -m bench.calibrate` gives today: a change to the
    features, the fact base or the dev set that moves the fit must come with the refitted model."""
    intercept, weights = fit(calibration_rows())
    assert pytest.approx(intercept, abs=0.006) == CONFIDENCE_INTERCEPT
    for name, committed, fitted in zip(weights._fields, CONFIDENCE_WEIGHTS, weights, strict=True):
        assert committed == pytest.approx(fitted, abs=0.006), f"refit: {name} is now {fitted:.2f}"
