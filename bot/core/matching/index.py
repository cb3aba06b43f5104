"""The candidate index: every phrasing of every entry as weighted term keys, with postings.

Weights combine rarity inside the fact base (BM25-style idf over entries, so an entry's many
phrasings do not dilute its own terms) with rarity in everyday language (`commonness`): "Bucha"
counts for much more than "bought" or "war".
"""

from __future__ import annotations

import math
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

from bot.core.factbase import FactBase
from bot.core.matching.lexicon import commonness, is_name, is_specific, is_stop_key, side_of
from bot.core.matching.normalize import (
    clause_split,
    clean,
    clean_normalized,
    skeleton,
    term_key,
    tokenize_clauses,
    words,
)
from bot.core.models import FactEntry

__all__ = [
    "MAX_POSTINGS",
    "FactIndex",
    "Phrasing",
    "Terms",
    "first_side",
    "keys_of",
    "terms_of",
    "whole_text_terms",
]

# A key shared by more phrasings than this is too common to pick candidates by; it still counts
# as evidence once a candidate is found. Keeps retrieval cost flat as the fact base grows.
MAX_POSTINGS = 500
MIN_TOKEN_LENGTH_FOR_KEY = 2
# Distinct words whose terms are kept (about half a kilobyte each): chat repeats its words far
# more than its messages.
WORD_CACHE_SIZE = 20_000


@dataclass(frozen=True, slots=True)
class Terms:
    """A text reduced to what matching needs."""

    raw: str  # case-folded original, for cues that cleaning removes (emoji)
    cleaned: str
    tokens: tuple[str, ...]
    keys: tuple[str, ...]  # per token, "" for stop words
    key_set: frozenset[str]
    clauses: tuple[int, ...]  # per token, the clause it belongs to


@lru_cache(maxsize=200_000)
def evidence_key(token: str) -> str:
    """The key a token contributes as evidence, or "" for stop words and stray letters."""
    if len(token) < MIN_TOKEN_LENGTH_FOR_KEY and not token.isdigit():
        return ""
    key = term_key(token)
    return "" if not key or is_stop_key(key) else key


class _Word(NamedTuple):
    """One of `words(text)`, reduced as `terms_of` reduces a text."""

    cleaned: str
    tokens: tuple[str, ...]
    keys: tuple[str, ...]
    clauses: tuple[int, ...]  # per token, counted from the word's start
    breaks: int  # clause breaks in the word: the clause number it ends on


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _word(word: str) -> _Word:
    cleaned = clean_normalized(word)
    tokens, clauses, breaks = clause_split(cleaned)
    return _Word(cleaned, tuple(tokens), tuple(map(evidence_key, tokens)), tuple(clauses), breaks)


_word_cleaned = attrgetter("cleaned")
_word_tokens = attrgetter("tokens")
_word_keys = attrgetter("keys")


def keys_of(text: str) -> set[str]:
    """The evidence keys of `text`, with "" if it has a stop word: `set(terms_of(text).keys)`,
    built in the same order, for a cache look-up per word seen before. Enough to tell most chat
    from a candidate without computing its terms."""
    return set(chain.from_iterable(map(_word_keys, map(_word, words(text)))))


def first_side(keys: Iterable[str]) -> str | None:
    """The party the first of `keys` that names one names ("rosia" -> "russia")."""
    return next((side for k in keys if (side := side_of(k))), None)


def terms_of(text: str) -> Terms:
    """`text` reduced to what matching needs: as `clean`, `tokenize_clauses` and `evidence_key`
    make it of the whole text, but word by word (see `words`), since chat repeats its words and
    each word's terms are cached."""
    return _assembled(text, list(map(_word, words(text))))


def whole_text_terms(text: str) -> Terms:
    """`terms_of`, computed on the whole text at once: for the fact base's own texts, read once
    at build. Through the per-word cache, a large base's words would crowd the chat's out and
    cost tens of MB at the build's peak, and one regex pass over a long text is quicker."""
    cleaned = clean(text)
    tokens, clauses = tokenize_clauses(cleaned)
    keys = tuple(map(evidence_key, tokens))
    return Terms(
        text.casefold(), cleaned, tuple(tokens), keys, frozenset(keys) - {""}, tuple(clauses)
    )


def _assembled(text: str, parts: list[_Word]) -> Terms:
    numbered: list[int] = []
    start = 0  # the clause number the previous words end on
    for part in parts:
        numbered.extend([start + c for c in part.clauses] if start else part.clauses)
        start += part.breaks
    keys = tuple(chain.from_iterable(map(_word_keys, parts)))
    return Terms(
        text.casefold(),
        " ".join(filter(None, map(_word_cleaned, parts))),
        tuple(chain.from_iterable(map(_word_tokens, parts))),
        keys,
        frozenset(keys).difference(("",)),
        tuple(numbered),
    )


@dataclass(frozen=True, slots=True)
class Phrasing:
    entry: int  # position in FactIndex.entries
    text: str
    lang: str
    keys: tuple[str, ...]  # distinct keys, heaviest first
    skeletons: tuple[str, ...]  # a full spelling per key, for typo-tolerant comparison
    total_weight: float
    retrieval_weight: float  # the part of total_weight carried by keys that have postings
    names: bool  # names a specific subject (a country, a leader, a rare word, a figure)
    side: str | None  # the party it names first, if any


@dataclass(frozen=True, slots=True)
class _Draft:
    """A phrasing between the two passes of `FactIndex.build`: its keys, before weights exist."""

    entry: int
    text: str
    lang: str
    keys: tuple[str, ...]  # distinct keys, in text order
    spellings: tuple[str, ...]  # a full spelling of each key
    names: bool
    side: str | None


@dataclass(slots=True)
class FactIndex:
    """Phrasings, term weights and postings for one fact base."""

    factbase: FactBase
    entries: tuple[FactEntry, ...] = ()
    phrasings: list[Phrasing] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    postings: dict[str, array[int]] = field(default_factory=dict)
    # The largest share of any phrasing's retrieval weight that one key carries: a message whose
    # keys cannot add up to a candidate's minimum coverage needs no further look.
    max_share: dict[str, float] = field(default_factory=dict)
    # Only entries that have curated keywords or excludes appear here.
    keyword_keys: dict[int, frozenset[str]] = field(default_factory=dict)
    exclude_keys: dict[int, frozenset[str]] = field(default_factory=dict)
    # The party each entry's claim sentence names first, usually its subject ("Ukraine started…").
    subject_side: list[str | None] = field(default_factory=list)
    # Entry i's phrasings are phrasings[phrasing_starts[i]:phrasing_starts[i + 1]].
    phrasing_starts: array[int] = field(default_factory=lambda: array("i"))

    def entry_phrasings(self, entry_pos: int) -> list[Phrasing]:
        start, end = self.phrasing_starts[entry_pos], self.phrasing_starts[entry_pos + 1]
        return self.phrasings[start:end]

    @classmethod
    def build(cls, factbase: FactBase) -> FactIndex:
        index = cls(factbase=factbase, entries=factbase.entries)
        drafts: list[_Draft] = []
        doc_freq: dict[str, int] = defaultdict(int)
        for entry_pos, entry in enumerate(factbase.entries):
            entry_keys: set[str] = set()
            seen: set[frozenset[str]] = set()
            side: str | None = None
            for lang, text in entry.all_phrasings():
                terms = whole_text_terms(text)
                first = first_side(terms.keys)
                if text is entry.claim:
                    side = first
                # A phrasing that reduces to the same terms as another adds nothing.
                if not terms.key_set or terms.key_set in seen:
                    continue
                seen.add(terms.key_set)
                entry_keys |= terms.key_set
                spellings: dict[str, str] = {}
                for tok, key in zip(terms.tokens, terms.keys, strict=True):
                    if key and key not in spellings:
                        spellings[key] = skeleton(tok)
                names = any(
                    is_specific(tok)
                    for tok, key in zip(terms.tokens, terms.keys, strict=True)
                    if key
                )
                drafts.append(
                    _Draft(
                        entry_pos,
                        text,
                        lang,
                        tuple(spellings),
                        tuple(spellings.values()),
                        names,
                        first,
                    )
                )
            if entry.keywords:
                keywords = frozenset(
                    k for kw in entry.keywords for k in whole_text_terms(kw).key_set
                )
                index.keyword_keys[entry_pos] = keywords
                entry_keys |= keywords
            if entry.excludes:
                index.exclude_keys[entry_pos] = frozenset(
                    k for ex in entry.excludes for k in whole_text_terms(ex).key_set
                )
            for key in entry_keys:
                doc_freq[key] += 1
            index.subject_side.append(side)
        total = len(factbase.entries)
        weights = index.weights = {
            sys.intern(key): math.log1p((total - df + 0.5) / (df + 0.5)) * commonness(key)
            for key, df in doc_freq.items()
        }
        phrasing_freq = Counter(key for draft in drafts for key in draft.keys)
        # Country and leader names, and keys shared by too many phrasings, pick no candidates:
        # they would make every on-topic message walk long postings lists.
        retrieval = {
            key for key, n in phrasing_freq.items() if n <= MAX_POSTINGS and not is_name(key)
        }
        postings: dict[str, array[int]] = defaultdict(lambda: array("i"))
        per_entry = Counter(draft.entry for draft in drafts)
        start = 0
        for entry_pos in range(total):
            index.phrasing_starts.append(start)
            start += per_entry[entry_pos]
        index.phrasing_starts.append(start)
        for phrasing_id, draft in enumerate(drafts):
            order = sorted(range(len(draft.keys)), key=lambda i: -weights[draft.keys[i]])
            keys = tuple(sys.intern(draft.keys[i]) for i in order)
            index.phrasings.append(
                Phrasing(
                    entry=draft.entry,
                    text=draft.text,
                    lang=draft.lang,
                    keys=keys,
                    skeletons=tuple(draft.spellings[i] for i in order),
                    total_weight=sum(weights[k] for k in keys),
                    retrieval_weight=sum(weights[k] for k in keys if k in retrieval),
                    names=draft.names,
                    side=draft.side,
                )
            )
            phrasing = index.phrasings[-1]
            for key in keys:
                if key in retrieval:
                    postings[key].append(phrasing_id)
                    share = weights[key] / phrasing.retrieval_weight
                    if share > index.max_share.get(key, 0.0):
                        index.max_share[key] = share
        drafts.clear()
        index.postings = dict(postings)
        return index
