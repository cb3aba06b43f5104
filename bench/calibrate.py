"""`python -m bench.calibrate`: fit the matcher's confidence model on the development set.

The model is a logistic regression over `bot.core.matching.matcher.Features`. Every phrasing
the matcher scores for a development-set message is one row: positive when the message asserts
or asks about that phrasing's claim, negative otherwise. (The matcher judges an entry by its most
convincing phrasing; which one that is depends on the model, and a fit on those alone can swing
between two models. The phrasings scored do not depend on it.) Messages labelled as debunks, and
those the stance rules call debunks, are left out: no score makes them alerts.

The rows come from two fact bases: the bundled one, and the same entries cut to their one claim
sentence, the shape of an imported ClaimReview feed. So the model learns how much a lone claim
sentence's weaker evidence is still worth, without looking at any foreign feed.

It prints the constants to paste into matcher.py; tests/core/matching/test_quality.py checks that
the committed ones are what this fit gives.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from bench.quality import Example, load_examples
from bot.core.factbase import FactBase, load_bundled
from bot.core.matching.matcher import Features, Matcher
from bot.core.models import Stance

__all__ = ["DEVSET", "L2_PENALTY", "fit", "one_sentence_base", "training_rows"]

DEVSET = Path(__file__).resolve().parent.parent / "tests" / "data" / "devset.jsonl"
WANTED_LABELS = frozenset({"assert", "question"})
L2_PENALTY = 1.0  # on the weights, not the intercept: keeps them from chasing single examples
NEWTON_STEPS = 25

Row = tuple[Features, bool]


def one_sentence_base(factbase: FactBase) -> FactBase:
    """The same entries with only their claim sentence: no phrasings, keywords or excludes."""
    entries = tuple(
        dataclasses.replace(entry, phrasings={}, keywords=(), excludes=()) for entry in factbase
    )
    return FactBase(entries=entries, origin=f"{factbase.origin} (claim sentences only)")


def training_rows(matcher: Matcher, examples: Iterable[Example]) -> list[Row]:
    rows: list[Row] = []
    for example in examples:
        if example.label == "debunk" or matcher.match(example.text).stance is Stance.DEBUNKS:
            continue
        for entry, features in matcher.phrasing_evidence(example.text):
            wanted = example.label in WANTED_LABELS and entry.id == example.claim_id
            rows.append((features, wanted))
    return rows


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting; one row per feature, so a handful."""
    n = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            for c in range(col, n + 1):
                a[r][c] -= factor * a[col][c]
    solution = [0.0] * n
    for r in range(n - 1, -1, -1):
        solution[r] = (a[r][n] - sum(a[r][c] * solution[c] for c in range(r + 1, n))) / a[r][r]
    return solution


def fit(rows: Sequence[Row], l2: float = L2_PENALTY) -> tuple[float, Features]:
    """Intercept and weights of the L2-penalised logistic regression, by Newton's method."""
    size = len(Features._fields) + 1
    beta = [0.0] * size
    xs = [(1.0, *features) for features, _ in rows]
    ys = [1.0 if wanted else 0.0 for _, wanted in rows]
    for _ in range(NEWTON_STEPS):
        gradient = [0.0] * size
        hessian = [[0.0] * size for _ in range(size)]
        for x, y in zip(xs, ys, strict=True):
            z = sum(b * v for b, v in zip(beta, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-z))
            for i in range(size):
                gradient[i] += (p - y) * x[i]
                for j in range(i, size):
                    hessian[i][j] += p * (1.0 - p) * x[i] * x[j]
        for i in range(size):
            for j in range(i):
                hessian[i][j] = hessian[j][i]
            if i:  # the intercept is not penalised
                gradient[i] += l2 * beta[i]
                hessian[i][i] += l2
        step = _solve(hessian, gradient)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
    return beta[0], Features(*beta[1:])


def calibration_rows() -> list[Row]:
    examples = load_examples(DEVSET)
    bundled = load_bundled()
    rows = training_rows(Matcher(bundled), examples)
    rows += training_rows(Matcher(one_sentence_base(bundled)), examples)
    return rows


def main() -> None:
    rows = calibration_rows()
    intercept, weights = fit(rows)
    positives = sum(wanted for _, wanted in rows)
    print(f"# {len(rows)} rows, {positives} positive")
    print(f"CONFIDENCE_INTERCEPT = {intercept:.2f}")
    print("CONFIDENCE_WEIGHTS = Features(")
    for name, value in zip(Features._fields, weights, strict=True):
        print(f"    {name}={value:.2f},")
    print(")")


if __name__ == "__main__":
    main()
