"""The matcher: from a chat message to the fact-base entry it asserts, with a calibrated score.

Per message: clean and key the text; pick candidate phrasings from the postings of its rarer keys,
those it shares at least two words with (unrelated chatter stops here); for each candidate,
measure how much of the phrasing's weighted evidence the message carries (typos forgiven) and
how similar the two read (rapidfuzz), and how much of what the message says belongs to the
candidate's entry; turn that evidence into a confidence with a logistic model fitted on the
development set (`python -m bench.calibrate`); then judge the stance. A debunk is never an alert.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from operator import mul
from typing import NamedTuple

from rapidfuzz import fuzz, process

from bot.core.factbase import FactBase
from bot.core.matching.index import (
    FactIndex,
    Phrasing,
    Terms,
    keys_of,
    terms_of,
)
from bot.core.matching.lexicon import (
    FIRST_PERSON_POSSESSIVES,
    commonness,
    is_name,
    is_specific,
    side_of,
)
from bot.core.matching.normalize import skeleton
from bot.core.matching.stance import ClaimProfile, stance_of
from bot.core.models import FactEntry, Match, Stance, Tier

__all__ = [
    "ALERT_THRESHOLD",
    "SUGGEST_THRESHOLD",
    "Features",
    "Matcher",
    "Thresholds",
    "confidence",
]

# Tiers on the confidence scale (0..100), chosen on tests/data/devset.jsonl with a margin (see
# README, "How well it works").
ALERT_THRESHOLD = 85.0
SUGGEST_THRESHOLD = 65.0

RETRIEVE_MIN_COVERAGE = 0.3  # exact-key coverage a phrasing needs to be scored at all
MAX_CANDIDATES = 10  # phrasings scored in full per message
MAX_PHRASINGS_PER_ENTRY = 3  # so that one entry's many phrasings leave room for rivals
PHRASING_COVERAGE_WEIGHT = 0.5  # picks an entry's closest phrasing: coverage against similarity
TYPO_MIN_SIMILARITY = 80.0  # rapidfuzz ratio for a misspelt word to count as the claim's word
TYPO_CREDIT = 0.8  # a misspelt term counts for this share of its weight
TYPO_MIN_LENGTH = 5
ENTRY_WEIGHT_CAP = 12.0  # shared evidence beyond this adds no confidence
MAX_TEXT_CHARS = 4_000  # longer posts are judged on their start; keeps the worst case bounded
AMBIGUITY_MARGIN = 3.0  # two different claims this close: let a moderator decide
# One shared word is never enough ("my boss is a real dictator"): a phrasing is scored only when
# the message has this many of its words as written (all, if it has fewer). Chat that shares one
# everyday word with a short phrasing ("don't forget") stops at retrieval.
MIN_SHARED_TERMS = 2
SELF_EVIDENT_TERMS = 3
TELLING_COMMONNESS = 0.6  # rarer than "camp" or "summer" (zipf 4.6 or rarer): not everyday talk
# A word most of an entry's phrasings use is how people put the claim ("Bugatti", "yachts", "4%"),
# even when the context repeats it: it counts towards `Features.message_share`. Only for entries
# with enough phrasings to tell; a lone claim sentence's words are all "used by most".
SPOKEN_MIN_PHRASINGS = 5
SPOKEN_SHARE = 0.25
# Entries whose stance profile and claim words stay built: a bot on a large base would
# otherwise build one for every entry it ever came near and keep them all.
ENTRY_CACHE_SIZE = 4_096


class Features(NamedTuple):
    """What the confidence in "this message asserts this entry" rests on, each in 0..1."""

    coverage: float  # weighted share of the closest phrasing's terms in the message
    similarity: float  # rapidfuzz token_set_ratio of the two, over 100
    # Both over the entry's words (`_EntryWords`), not the closest phrasing alone:
    message_share: float  # share of the message's distinctive words that the claim speaks of
    entry_weight: float  # weight of the claim words present, over ENTRY_WEIGHT_CAP


# A logistic model over `Features`, fitted by `python -m bench.calibrate` on the development set
# against the bundled base and against its one-sentence version; refit after changing a feature
# (tests/core/matching/test_quality.py fails until these are the fit's values).
CONFIDENCE_INTERCEPT = -4.55
CONFIDENCE_WEIGHTS = Features(
    coverage=2.52,
    similarity=4.12,
    message_share=2.70,
    entry_weight=1.97,
)


def confidence(features: Features) -> float:
    """The calibrated confidence, 0..100, that a message with these features makes the claim."""
    z = CONFIDENCE_INTERCEPT + sum(map(mul, CONFIDENCE_WEIGHTS, features))
    return 100.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True, slots=True)
class Thresholds:
    alert: float = ALERT_THRESHOLD
    suggest: float = SUGGEST_THRESHOLD

    def tier(self, score: float) -> Tier:
        if score >= self.alert:
            return Tier.ALERT
        if score >= self.suggest:
            return Tier.SUGGEST
        return Tier.NONE


@dataclass(frozen=True, slots=True)
class _Scored:
    closeness: float  # how close the phrasing reads, to pick an entry's best phrasing
    phrasing: Phrasing
    matched: frozenset[str]  # the message's keys that are the phrasing's
    misspelt: frozenset[str]  # the message's keys close enough to one of the phrasing's
    coverage: float
    similarity: float

    @property
    def shared(self) -> int:
        return len(self.matched) + len(self.misspelt)


@dataclass(frozen=True, slots=True)
class _EntryWords:
    """An entry's words as evidence that a message makes its claim, not just names its topic."""

    # Keys of the phrasings and keywords that the context does not use: what the claim says
    # happened. Words the known facts share ("Mariupol", "theatre", "invaded") say what it is
    # about, and a correction repeats them.
    claim: frozenset[str]
    # The claim words, and the words most phrasings use (SPOKEN_SHARE): how people say it.
    spoken: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Judged:
    score: float  # the confidence
    scored: _Scored
    features: Features


class _Typos:
    """The message's words near a claim word's spelling, looked up once per message: the
    candidate phrasings of one entry share most of their words."""

    def __init__(self, terms: Terms) -> None:
        pairs = [(skeleton(t), k) for t, k in zip(terms.tokens, terms.keys, strict=True) if k]
        self._spellings = [spelling for spelling, _ in pairs]
        self._keys = [key for _, key in pairs]
        self._near: dict[str, tuple[str, ...]] = {}

    def near(self, spelling: str) -> tuple[str, ...]:
        """Keys of the message words whose spelling is within TYPO_MIN_SIMILARITY."""
        found = self._near.get(spelling)
        if found is None:
            hits = process.extract(
                spelling,
                self._spellings,
                scorer=fuzz.ratio,
                processor=None,  # both sides are skeletons already
                score_cutoff=TYPO_MIN_SIMILARITY,
                limit=None,
            )
            found = self._near[spelling] = tuple(self._keys[i] for _, _, i in hits)
        return found


NO_MATCH = Match(entry=None, tier=Tier.NONE, score=0.0)


def _names_something(terms: Terms, matched: frozenset[str]) -> bool:
    """Whether the message names its subject: a country or leader, or a rare shared word."""
    return any(
        is_specific(tok) and (key in matched or is_name(key))
        for tok, key in zip(terms.tokens, terms.keys, strict=True)
        if key
    )


def _says_enough(terms: Terms, best: _Scored) -> bool:
    """A message sharing SELF_EVIDENT_TERMS of a claim's words, not all everyday ones, makes it
    without naming anyone ("illegitimate president, term ended in May 2024"), unless it speaks
    of the writer's own things ("my gym membership term expired"). Everyday words alone ("the
    kids were evacuated from summer camp") do not."""
    if best.shared < SELF_EVIDENT_TERMS or not FIRST_PERSON_POSSESSIVES.isdisjoint(terms.tokens):
        return False
    return any(commonness(key) >= TELLING_COMMONNESS for key in best.matched | best.misspelt)


def _blames_another_party(
    terms: Terms, matched: frozenset[str], subject: str | None, phrasing_side: str | None
) -> bool:
    """The message puts another party where the claim has its subject: "Russia started the war"
    is not "Ukraine started the war", however many words they share. Only a message naming one
    party, before any claim word, counts ("Bucha was staged after the Russians left" does not),
    and not the party the closest phrasing itself names first ("those Ukrainian children were
    rescued" for a claim whose subject is Russia)."""
    if subject is None:
        return False
    named = {side for k in terms.key_set if (side := side_of(k))}
    if len(named) != 1 or subject in named or phrasing_side in named:
        return False
    for key in terms.keys:
        if side_of(key):
            return True
        if key in matched:
            return False
    return False


class Matcher:
    """Matches messages against one fact base. Build once; `match` is pure and thread-safe."""

    def __init__(self, factbase: FactBase, *, thresholds: Thresholds | None = None) -> None:
        self.factbase = factbase
        self.thresholds = thresholds or Thresholds()
        self._index = FactIndex.build(factbase)
        # Read for every candidate phrasing: a flat array beats an attribute per look-up.
        self._retrieval_weights = array("d", (p.retrieval_weight for p in self._index.phrasings))
        # For `_candidates`: the keys that pick no candidates, and the phrasings of one key.
        self._unposted = frozenset(self._index.weights.keys() - self._index.postings.keys())
        self._one_key = frozenset(
            pid for pid, phrasing in enumerate(self._index.phrasings) if len(phrasing.keys) == 1
        )
        # Built on first need: only entries that messages come close to ever need them.
        self._profile: Callable[[int], ClaimProfile] = lru_cache(ENTRY_CACHE_SIZE)(
            self._build_profile
        )
        self._words: Callable[[int], _EntryWords] = lru_cache(ENTRY_CACHE_SIZE)(self._build_words)

    def __len__(self) -> int:
        return len(self._index.entries)

    def match(self, text: str, *, thresholds: Thresholds | None = None) -> Match:
        """The entry `text` most likely asserts, tiered by `thresholds` (default: calibrated)."""
        found = self._rank(text)
        if found is None:
            return NO_MATCH
        terms, ranked = found
        judged = ranked[0]
        best = judged.scored
        entry_pos = best.phrasing.entry
        entry = self._index.entries[entry_pos]
        stance, cues = stance_of(
            terms, matched=best.matched | best.misspelt, claim=self._profile(entry_pos)
        )
        tier = (thresholds or self.thresholds).tier(judged.score)
        if stance is Stance.DEBUNKS:
            tier = Tier.NONE
        elif tier is Tier.ALERT and (
            stance is Stance.REPORTS
            or (len(ranked) > 1 and ranked[1].score >= judged.score - AMBIGUITY_MARGIN)
            or self._about_no_one(terms, best, stance)
            or _blames_another_party(
                terms,
                best.matched,
                self._index.subject_side[entry_pos],
                best.phrasing.side,
            )
        ):
            # Relayed, ambiguous, or about nothing in particular ("who started the war in the
            # group chat?"): a moderator decides.
            tier = Tier.SUGGEST
        return self._as_match(entry, tier, stance, cues, judged)

    def _about_no_one(self, terms: Terms, best: _Scored, stance: Stance) -> bool:
        """The claim names its subject and the message names none, nor says enough of the claim
        to make it without one. A phrasing that leaves the subject out ("the guy's term expired")
        is still about the party its claim sentence names."""
        names = best.phrasing.names or self._index.subject_side[best.phrasing.entry] is not None
        if not names or _names_something(terms, best.matched):
            return False
        # Three words of one of an entry's many curated phrasings make the claim; of a lone
        # formal claim sentence they may be nothing but its topic.
        curated = len(self._index.entry_phrasings(best.phrasing.entry)) > 1
        return not (stance is Stance.ASSERTS and curated and _says_enough(terms, best))

    def phrasing_evidence(self, text: str) -> list[tuple[FactEntry, Features]]:
        """Every phrasing scored for `text`, with its entry and features: what `python -m
        bench.calibrate` fits the model on. Unlike each entry's most convincing phrasing, the
        set does not depend on the model, so a refit on it gives the same model back."""
        found = self._judge_candidates(text)
        if found is None:
            return []
        entries = self._index.entries
        return [(entries[j.scored.phrasing.entry], j.features) for j in found[1]]

    def _rank(self, text: str) -> tuple[Terms, list[_Judged]] | None:
        """The message's terms and its candidate entries, each by its most convincing phrasing,
        most confident first; None when nothing in the fact base comes near."""
        found = self._judge_candidates(text)
        if found is None:
            return None
        terms, judged = found
        best: dict[int, _Judged] = {}
        for one in judged:
            # The closest-reading phrasing may share two words ("bucha was staged") where a
            # longer one shares four.
            entry_pos = one.scored.phrasing.entry
            current = best.get(entry_pos)
            if current is None or (one.score, one.scored.closeness) > (
                current.score,
                current.scored.closeness,
            ):
                best[entry_pos] = one
        return terms, sorted(best.values(), key=lambda j: -j.score)

    def _judge_candidates(self, text: str) -> tuple[Terms, list[_Judged]] | None:
        """The message's terms and every candidate phrasing judged; None when nothing in the
        fact base comes near."""
        text = text[:MAX_TEXT_CHARS]
        # Chatter whose words could not cover enough of any phrasing stops here, before any
        # further work (an upper bound: the same cut `_candidates` makes, computed cheaply).
        keys = keys_of(text)
        max_share = self._index.max_share
        if sum(map(max_share.get, keys, repeat(0.0))) < RETRIEVE_MIN_COVERAGE:
            return None
        candidates = self._candidates(keys)
        if not candidates:
            return None
        terms = terms_of(text)
        message_keys = " ".join(k for k in terms.keys if k)
        typos = _Typos(terms)
        # Everyday rarity, not fact-base weight: words the fact base has never seen count too.
        said = sum(map(commonness, terms.key_set))
        shares: dict[int, tuple[float, float]] = {}
        judged: list[_Judged] = []
        for phrasing in candidates:
            entry_pos = phrasing.entry
            excluded = self._index.exclude_keys.get(entry_pos)
            if excluded is not None and excluded & terms.key_set:
                continue
            share = shares.get(entry_pos)
            if share is None:
                share = shares[entry_pos] = self._entry_share(terms, said, entry_pos)
            judged.append(self._judge(self._score(terms, message_keys, typos, phrasing), share))
        return (terms, judged) if judged else None

    def _build_profile(self, entry_pos: int) -> ClaimProfile:
        entry = self._index.entries[entry_pos]
        # Through the word cache: the entries messages come near are few, and their words are
        # those of the claims still to come.
        known = [terms_of(entry.context), *(terms_of(s.title) for s in entry.sources)]
        phrasings = [terms_of(text) for _lang, text in entry.all_phrasings()]
        return ClaimProfile.of(phrasings, known)

    def _candidates(self, keys: set[str]) -> list[Phrasing]:
        """The phrasings sharing at least RETRIEVE_MIN_COVERAGE of their weight and
        MIN_SHARED_TERMS of their keys with `keys`, at most MAX_CANDIDATES, and
        MAX_PHRASINGS_PER_ENTRY of each entry."""
        postings = self._index.postings
        weights = self._index.weights
        acc: dict[int, float] = {}
        twice: set[int] = set()  # the phrasings two of the keys or more lead to
        for key in keys:
            ids = postings.get(key)
            if ids is not None:
                weight = weights[key]
                for pid in ids:
                    if pid in acc:
                        acc[pid] += weight
                        twice.add(pid)
                    else:
                        acc[pid] = weight
        # Only those can share MIN_SHARED_TERMS keys with the message, unless it has a key that
        # picks no candidates (a name, a word too common), or a phrasing has a single key.
        pool: Iterable[int] = acc
        if self._unposted.isdisjoint(keys):
            pool = twice.union(self._one_key.intersection(acc)) if self._one_key else twice
        if not pool:
            return []
        phrasings = self._index.phrasings
        retrieval = self._retrieval_weights
        # Closest first; among equally covered phrasings, those sharing more weight: in a large
        # base many phrasings are fully covered by one shared figure or name.
        covered = [
            (total / retrieval[pid], total, pid)
            for pid in pool
            if (total := acc[pid]) >= RETRIEVE_MIN_COVERAGE * retrieval[pid]
        ]
        covered.sort(reverse=True)
        chosen: list[Phrasing] = []
        per_entry: dict[int, int] = {}
        for _cov, _total, pid in covered:
            phrasing = phrasings[pid]
            if len(keys.intersection(phrasing.keys)) < min(MIN_SHARED_TERMS, len(phrasing.keys)):
                continue
            seen = per_entry.get(phrasing.entry, 0)
            if seen < MAX_PHRASINGS_PER_ENTRY:
                per_entry[phrasing.entry] = seen + 1
                chosen.append(phrasing)
                if len(chosen) == MAX_CANDIDATES:
                    break
        return chosen

    def _score(self, terms: Terms, message_keys: str, typos: _Typos, phrasing: Phrasing) -> _Scored:
        weights = self._index.weights
        matched = terms.key_set.intersection(phrasing.keys)
        evidence = sum(weights[k] for k in matched)
        misspelt: set[str] = set()  # the message's keys taken for misspellings of claim words
        for key, spelling in zip(phrasing.keys, phrasing.skeletons, strict=True):
            if key in matched or len(spelling) < TYPO_MIN_LENGTH:
                continue
            near = [k for k in typos.near(spelling) if k not in matched]
            if near:
                evidence += TYPO_CREDIT * weights[key]
                misspelt.update(near)
        coverage = evidence / phrasing.total_weight
        # token_set_ratio compares word sets, so the phrasing's keys in any order will do.
        similarity = fuzz.token_set_ratio(" ".join(phrasing.keys), message_keys)
        closeness = PHRASING_COVERAGE_WEIGHT * 100.0 * coverage
        closeness += (1.0 - PHRASING_COVERAGE_WEIGHT) * similarity
        return _Scored(closeness, phrasing, matched, frozenset(misspelt), coverage, similarity)

    def _build_words(self, entry_pos: int) -> _EntryWords:
        phrasings = self._index.entry_phrasings(entry_pos)
        used = Counter(k for p in phrasings for k in p.keys)
        keys = set(used) | self._index.keyword_keys.get(entry_pos, frozenset())
        keys.difference_update(keys_of(self._index.entries[entry_pos].context))
        claim = frozenset(keys)
        spoken = claim
        if len(phrasings) >= SPOKEN_MIN_PHRASINGS:
            most = SPOKEN_SHARE * len(phrasings)
            spoken = claim.union(k for k, n in used.items() if n >= most)
        return _EntryWords(claim, spoken)

    def _entry_share(self, terms: Terms, said: float, entry_pos: int) -> tuple[float, float]:
        """`Features.message_share` and `Features.entry_weight` of the message of `terms` for
        one entry; `said` is the summed commonness of the message's keys."""
        words = self._words(entry_pos)
        weights = self._index.weights
        spoken = sum(map(commonness, terms.key_set & words.spoken))
        claimed = sum(weights[k] for k in terms.key_set & words.claim)
        return (
            spoken / said if said else 0.0,
            min(claimed, ENTRY_WEIGHT_CAP) / ENTRY_WEIGHT_CAP,
        )

    def _judge(self, scored: _Scored, share: tuple[float, float]) -> _Judged:
        features = Features(scored.coverage, scored.similarity / 100.0, *share)
        return _Judged(confidence(features), scored, features)

    def _as_match(
        self, entry: FactEntry, tier: Tier, stance: Stance, cues: tuple[str, ...], judged: _Judged
    ) -> Match:
        best = judged.scored
        return Match(
            entry=entry,
            tier=tier,
            score=round(judged.score, 1),
            stance=stance,
            phrasing=best.phrasing.text,
            terms=tuple(k for k in best.phrasing.keys if k in best.matched),
            similarity=round(best.similarity, 1),
            evidence=round(100.0 * best.coverage, 1),
            cues=cues,
        )
