"""The candidate index: every phrasing of every entry as weighted term keys, with postings.

Weights combine rarity inside the fact base (BM25-style idf over entries, so an entry's many
phrasings do not dilute its own terms) with rarity in everyday language (`commonness`): "Bucha"
counts for much more than "bought" or "war".
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from bot.core.factbase import FactBase
from bot.core.matching.lexicon import commonness, is_stop_key
from bot.core.matching.normalize import clean, skeleton, term_key, tokenize_clauses
from bot.core.models import FactEntry

__all__ = ["MAX_POSTINGS", "FactIndex", "Phrasing", "Terms", "terms_of"]

# A key shared by more phrasings than this is too common to pick candidates by; it still counts
# as evidence once a candidate is found. Keeps retrieval cost flat as the fact base grows.
MAX_POSTINGS = 2_000
MIN_TOKEN_LENGTH_FOR_KEY = 2


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


def terms_of(text: str) -> Terms:
    cleaned = clean(text)
    token_list, clauses = tokenize_clauses(cleaned)
    keys = tuple(map(evidence_key, token_list))
    return Terms(
        text.casefold(),
        cleaned,
        tuple(token_list),
        keys,
        frozenset(keys).difference(("",)),
        tuple(clauses),
    )


@dataclass(frozen=True, slots=True)
class Phrasing:
    entry: int  # position in FactIndex.entries
    text: str
    lang: str
    keys: tuple[str, ...]  # distinct keys, heaviest first
    skeletons: tuple[str, ...]  # a full spelling per key, for typo-tolerant comparison
    key_string: str  # keys in text order, for rapidfuzz
    total_weight: float


@dataclass(slots=True)
class FactIndex:
    """Phrasings, term weights and postings for one fact base."""

    factbase: FactBase
    entries: tuple[FactEntry, ...] = ()
    phrasings: list[Phrasing] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    postings: dict[str, array[int]] = field(default_factory=dict)
    entry_vocab: list[frozenset[str]] = field(default_factory=list)  # cleaned tokens, all phrasings
    keyword_keys: list[frozenset[str]] = field(default_factory=list)
    exclude_keys: list[frozenset[str]] = field(default_factory=list)
    parsed: list[list[Terms]] = field(default_factory=list)  # per entry, per phrasing

    @classmethod
    def build(cls, factbase: FactBase) -> FactIndex:
        index = cls(factbase=factbase, entries=factbase.entries)
        parsed: list[list[tuple[str, str, Terms]]] = []
        doc_freq: dict[str, int] = defaultdict(int)
        for entry in factbase.entries:
            texts = [(lang, text, terms_of(text)) for lang, text in entry.all_phrasings()]
            parsed.append(texts)
            index.parsed.append([terms for _lang, _text, terms in texts])
            entry_keys: set[str] = set()
            vocab: set[str] = set()
            for _lang, _text, terms in texts:
                entry_keys |= terms.key_set
                vocab.update(terms.tokens)
            keywords = frozenset(k for kw in entry.keywords for k in terms_of(kw).key_set)
            entry_keys |= keywords
            for key in entry_keys:
                doc_freq[key] += 1
            index.entry_vocab.append(frozenset(vocab))
            index.keyword_keys.append(keywords)
            index.exclude_keys.append(
                frozenset(k for ex in entry.excludes for k in terms_of(ex).key_set)
            )
        total = len(factbase.entries)
        index.weights = {
            key: math.log1p((total - df + 0.5) / (df + 0.5)) * commonness(key)
            for key, df in doc_freq.items()
        }
        postings: dict[str, list[int]] = defaultdict(list)
        for entry_pos, texts in enumerate(parsed):
            seen: set[tuple[str, ...]] = set()
            for lang, text, terms in texts:
                if not terms.key_set:
                    continue
                ordered = tuple(sorted(terms.key_set, key=lambda k: -index.weights[k]))
                if ordered in seen:  # a phrasing that reduces to the same terms adds nothing
                    continue
                seen.add(ordered)
                first_spelling: dict[str, str] = {}
                for tok, key in zip(terms.tokens, terms.keys, strict=True):
                    if key:
                        first_spelling.setdefault(key, skeleton(tok))
                phrasing_id = len(index.phrasings)
                index.phrasings.append(
                    Phrasing(
                        entry=entry_pos,
                        text=text,
                        lang=lang,
                        keys=ordered,
                        skeletons=tuple(first_spelling[k] for k in ordered),
                        key_string=" ".join(k for k in terms.keys if k),
                        total_weight=sum(index.weights[k] for k in ordered),
                    )
                )
                for key in ordered:
                    postings[key].append(phrasing_id)
        index.postings = {
            key: array("i", ids) for key, ids in postings.items() if len(ids) <= MAX_POSTINGS
        }
        return index
