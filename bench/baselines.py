"""The systems the bench compares: claimwatch's `Matcher` and two baselines one would try first.

Every system answers the same question for a message: alert or not, and for which entry id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

import bm25s  # type: ignore[import-untyped]
import numpy as np
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_RUSSIAN  # type: ignore[import-untyped]
from rapidfuzz import fuzz, process, utils

from bot.core.factbase import FactBase

__all__ = [
    "BM25_MIN_SCORE",
    "NAIVE_CUTOFF",
    "SYSTEMS",
    "BM25Baseline",
    "Decide",
    "NaiveBaseline",
    "build_system",
]

SYSTEMS = ("claimwatch", "naive", "bm25")

# rapidfuzz score (0..100) at which the naive baseline calls a message a match.
NAIVE_CUTOFF = 70

# Raw BM25 score (k1=1.5, b=0.75, Lucene idf) a message needs against its best claim to alert.
# Chosen on the dev set against the bundled base (~30 entries, where a word found in one claim
# is worth ~3 points): 4.0 is the lowest half-point step with no alert on its benign, lookalike
# and offtopic lines, and also where BM25's precision peaks (~0.8); 3.0 already fires on ~5% of
# them. BM25 scores are not normalised: idf grows with the base (a rare word is worth ~10 at
# 100k entries), so the same cutoff is looser on big bases. That is the baseline's weakness.
BM25_MIN_SCORE = 4.0

# The same regex bm25s uses (scikit-learn's), so Cyrillic words are tokens too.
_TOKEN_RE = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN) | frozenset(STOPWORDS_RUSSIAN)

Decide = Callable[[str], tuple[bool, str | None]]


class System(Protocol):
    def decide(self, text: str) -> tuple[bool, str | None]: ...


class NaiveBaseline:
    """rapidfuzz `extractOne` with token_set_ratio over one canonical sentence per entry."""

    def __init__(self, factbase: FactBase, cutoff: float = NAIVE_CUTOFF) -> None:
        self._ids = [entry.id for entry in factbase]
        # Choices are normalised once here; only the query is processed per call. Passing
        # `processor=` to extractOne would re-process every choice on every message.
        self._choices = [utils.default_process(entry.claim) for entry in factbase]
        self._cutoff = cutoff

    def decide(self, text: str) -> tuple[bool, str | None]:
        found = process.extractOne(
            utils.default_process(text),
            self._choices,
            scorer=fuzz.token_set_ratio,
            score_cutoff=self._cutoff,
        )
        if found is None:
            return False, None
        return True, self._ids[found[2]]


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN_RE.findall(text.lower()) if t not in _STOPWORDS]


class BM25Baseline:
    """bm25s over the same canonical sentences; alert when the best score reaches a cutoff."""

    def __init__(self, factbase: FactBase, min_score: float = BM25_MIN_SCORE) -> None:
        self._ids = [entry.id for entry in factbase]
        self._min_score = min_score
        self._index = bm25s.BM25()
        self._index.index([_tokens(entry.claim) for entry in factbase], show_progress=False)

    def score(self, text: str) -> tuple[float, int]:
        """Best score and the index of its entry (-1 when the message shares no indexed word)."""
        ids = self._index.get_tokens_ids(_tokens(text))
        if not ids:
            return 0.0, -1
        scores = self._index.get_scores_from_ids(ids)
        best = int(np.argmax(scores))
        return float(scores[best]), best

    def decide(self, text: str) -> tuple[bool, str | None]:
        best_score, best = self.score(text)
        if best < 0 or best_score < self._min_score:
            return False, None
        return True, self._ids[best]


class ClaimwatchSystem:
    """Adapter over the real matcher; imported lazily so the baselines run without it."""

    def __init__(self, factbase: FactBase) -> None:
        from bot.core.matching import Matcher

        self._matcher = Matcher(factbase)

    def decide(self, text: str) -> tuple[bool, str | None]:
        result = self._matcher.match(text)
        return result.alert, result.claim_id


def build_system(name: str, factbase: FactBase) -> System:
    """Build (index) one system over a fact base; the caller times this."""
    if name == "claimwatch":
        return ClaimwatchSystem(factbase)
    if name == "naive":
        return NaiveBaseline(factbase)
    if name == "bm25":
        return BM25Baseline(factbase)
    raise ValueError(f"unknown system {name!r}; expected one of {', '.join(SYSTEMS)}")
