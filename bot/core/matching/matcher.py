"""The matcher: from a chat message to the fact-base entry it asserts, with a calibrated score.

Per message: clean and key the text; pick candidate phrasings from the postings of its rarer keys
(unrelated chatter shares no key and stops here); for each candidate, measure how much of the
phrasing's weighted evidence the message carries (typos forgiven) and how similar the two read
(rapidfuzz); then judge the stance. A debunk is never an alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat

from rapidfuzz import fuzz, process

from bot.core.factbase import FactBase
from bot.core.matching.index import (
    FactIndex,
    Phrasing,
    Terms,
    evidence_key,
    terms_of,
)
from bot.core.matching.lexicon import is_name, is_specific, side_of
from bot.core.matching.normalize import clean, skeleton, tokenize
from bot.core.matching.stance import ClaimProfile, stance_of
from bot.core.models import FactEntry, Match, Stance, Tier

__all__ = ["ALERT_THRESHOLD", "SUGGEST_THRESHOLD", "Matcher", "Thresholds"]

# Calibrated on tests/data/devset.jsonl with a margin (see README, "How well it works").
ALERT_THRESHOLD = 72.0
SUGGEST_THRESHOLD = 58.0

RETRIEVE_MIN_COVERAGE = 0.3  # exact-key coverage a phrasing needs to be scored at all
MAX_CANDIDATES = 10  # phrasings scored in full per message
MAX_PHRASINGS_PER_ENTRY = 3  # so that one entry's many phrasings leave room for rivals
COVERAGE_WEIGHT = 0.5  # share of the score from weighted term evidence; the rest is similarity
TYPO_MIN_SIMILARITY = 80.0  # rapidfuzz ratio for a misspelt word to count as the claim's word
TYPO_CREDIT = 0.8  # a misspelt term counts for this share of its weight
TYPO_MIN_LENGTH = 5
THIN_ENTRY_BONUS = 13.0  # added for an entry with one phrasing, less for two to four
FULL_PHRASINGS = 5
KEYWORD_BONUS = 4.0  # an entry's curated keyword present in the message
MAX_TEXT_CHARS = 4_000  # longer posts are judged on their start; keeps the worst case bounded
AMBIGUITY_MARGIN = 3.0  # two different claims this close: let a moderator decide
# One shared word is never enough ("my boss is a real dictator"): below this many shared terms
# the score is scaled down out of reach of both tiers.
MIN_SHARED_TERMS = 2
LONE_TERM_FACTOR = 0.5


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
    score: float
    phrasing: Phrasing
    matched: frozenset[str]
    coverage: float
    similarity: float


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


def _blames_another_party(terms: Terms, matched: frozenset[str], subject: str | None) -> bool:
    """The message puts another party where the claim has its subject: "Russia started the war"
    is not "Ukraine started the war", however many words they share. Only a message naming one
    party, before any claim word, counts ("Bucha was staged after the Russians left" does not)."""
    if subject is None:
        return False
    named = {side for k in terms.key_set if (side := side_of(k))}
    if len(named) != 1 or subject in named:
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
        # The best of many phrasings scores higher than a lone claim sentence would for the same
        # message; entries with few phrasings (imported fact-checks) get that difference back.
        self._thin_bonus = [
            THIN_ENTRY_BONUS
            * max(0, FULL_PHRASINGS - len(e.all_phrasings()))
            / (FULL_PHRASINGS - 1)
            for e in factbase.entries
        ]
        # Built on first need: only entries that messages come close to ever need one.
        self._profiles: dict[int, ClaimProfile] = {}

    def __len__(self) -> int:
        return len(self._index.entries)

    def match(self, text: str, *, thresholds: Thresholds | None = None) -> Match:
        """The entry `text` most likely asserts, tiered by `thresholds` (default: calibrated)."""
        text = text[:MAX_TEXT_CHARS]
        cleaned = clean(text)
        # Chatter whose words could not cover enough of any phrasing stops here, before any
        # further work (an upper bound: the same cut `_candidates` makes, computed cheaply).
        max_share = self._index.max_share
        reach = sum(map(max_share.get, map(evidence_key, tokenize(cleaned)), repeat(0.0)))
        if reach < RETRIEVE_MIN_COVERAGE:
            return NO_MATCH
        terms = terms_of(text, cleaned=cleaned)
        candidates = self._candidates(terms)
        if not candidates:
            return NO_MATCH
        best_by_entry: dict[int, _Scored] = {}
        message_keys = " ".join(k for k in terms.keys if k)
        typos = _Typos(terms)
        for phrasing in candidates:
            excluded = self._index.exclude_keys.get(phrasing.entry)
            if excluded is not None and excluded & terms.key_set:
                continue
            scored = self._score(terms, message_keys, typos, phrasing)
            current = best_by_entry.get(phrasing.entry)
            if current is None or scored.score > current.score:
                best_by_entry[phrasing.entry] = scored
        if not best_by_entry:
            return NO_MATCH
        ranked = sorted(best_by_entry.values(), key=lambda s: -s.score)
        best = ranked[0]
        entry_pos = best.phrasing.entry
        entry = self._index.entries[entry_pos]
        stance, cues = stance_of(terms, matched=best.matched, claim=self._profile(entry_pos))
        tier = (thresholds or self.thresholds).tier(best.score)
        if stance is Stance.DEBUNKS:
            tier = Tier.NONE
        elif tier is Tier.ALERT and (
            stance is Stance.REPORTS
            or (len(ranked) > 1 and ranked[1].score >= best.score - AMBIGUITY_MARGIN)
            or (best.phrasing.names and not _names_something(terms, best.matched))
            or _blames_another_party(terms, best.matched, self._index.subject_side[entry_pos])
        ):
            # Relayed, ambiguous, or about nothing in particular ("who started the war in the
            # group chat?"): a moderator decides.
            tier = Tier.SUGGEST
        return self._as_match(entry, tier, stance, cues, best)

    def _profile(self, entry_pos: int) -> ClaimProfile:
        profile = self._profiles.get(entry_pos)
        if profile is None:
            entry = self._index.entries[entry_pos]
            known = [terms_of(entry.context), *(terms_of(s.title) for s in entry.sources)]
            phrasings = [terms_of(text) for _lang, text in entry.all_phrasings()]
            profile = ClaimProfile.of(phrasings, known)
            self._profiles[entry_pos] = profile  # a race only builds the same value twice
        return profile

    def _candidates(self, terms: Terms) -> list[Phrasing]:
        postings = self._index.postings
        weights = self._index.weights
        acc: dict[int, float] = {}
        for key in terms.key_set:
            ids = postings.get(key)
            if ids is None:
                continue
            weight = weights[key]
            for pid in ids:
                acc[pid] = acc.get(pid, 0.0) + weight
        if not acc:
            return []
        phrasings = self._index.phrasings
        covered = [
            (total / phrasings[pid].retrieval_weight, pid)
            for pid, total in acc.items()
            if total >= RETRIEVE_MIN_COVERAGE * phrasings[pid].retrieval_weight
        ]
        covered.sort(reverse=True)
        chosen: list[Phrasing] = []
        per_entry: dict[int, int] = {}
        for _cov, pid in covered:
            phrasing = phrasings[pid]
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
        shared = len(matched)
        missing = [
            (k, s)
            for k, s in zip(phrasing.keys, phrasing.skeletons, strict=True)
            if k not in matched
        ]
        for key, spelling in missing:
            if len(spelling) >= TYPO_MIN_LENGTH and any(
                k not in matched for k in typos.near(spelling)
            ):
                evidence += TYPO_CREDIT * weights[key]
                shared += 1
        coverage = evidence / phrasing.total_weight
        # token_set_ratio compares word sets, so the phrasing's keys in any order will do.
        similarity = fuzz.token_set_ratio(" ".join(phrasing.keys), message_keys)
        score = COVERAGE_WEIGHT * 100.0 * coverage + (1.0 - COVERAGE_WEIGHT) * similarity
        score += self._thin_bonus[phrasing.entry]
        keywords = self._index.keyword_keys.get(phrasing.entry)
        if keywords is not None and keywords & terms.key_set:
            score += KEYWORD_BONUS
        if shared < min(MIN_SHARED_TERMS, len(phrasing.keys)):
            score *= LONE_TERM_FACTOR
        return _Scored(min(100.0, score), phrasing, matched, coverage, similarity)

    def _as_match(
        self, entry: FactEntry, tier: Tier, stance: Stance, cues: tuple[str, ...], best: _Scored
    ) -> Match:
        return Match(
            entry=entry,
            tier=tier,
            score=round(best.score, 1),
            stance=stance,
            phrasing=best.phrasing.text,
            terms=tuple(k for k in best.phrasing.keys if k in best.matched),
            similarity=round(best.similarity, 1),
            evidence=round(100.0 * best.coverage, 1),
            cues=cues,
        )
