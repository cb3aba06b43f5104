"""Stance: does a message assert the claim it mentions, ask about it, relay it, or debunk it?

Cues are judged against the claim's own wording, so a claim that itself says "fake" or "no
elections" is not mistaken for a debunk when someone repeats it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.core.matching.index import Terms, terms_of
from bot.core.matching.lexicon import (
    CUE_IDIOMS,
    DEBUNK_CUES,
    DEBUNK_PHRASES,
    FALSITY_WORDS,
    HEDGES,
    NEGATION_SKIP,
    NEGATIONS,
    QUESTION_OPENERS,
    REPORT_CUES,
    REPORT_PHRASES,
    commonness,
    is_name,
)
from bot.core.models import Stance

__all__ = ["NEGATION_WINDOW", "ClaimProfile", "stance_of"]

# How many tokens after a negation, within its clause, it still governs: "did NOT really START it".
NEGATION_WINDOW = 3
NEGATED_WORDS = 2  # content words a negation reaches: "не починала війну" negates both
# Summed rarity of context words a message must repeat to count as citing the facts (two rare
# words, or three everyday ones).
FACT_ECHO_MIN = 1.4
QUOTES = '"“”«»„'
_QUOTED = re.compile(r"[\"“”«»„]([^\"“”«»„]{3,})[\"“”«»„]")


def _governed_positions(terms: Terms, i: int) -> Iterator[int]:
    """Positions of the content words a negation at token `i` governs: the next ones of its
    clause, within NEGATION_WINDOW tokens, up to NEGATED_WORDS distinct keys ("did not START
    the WAR", "не ДИКТАТОР")."""
    keys: set[str] = set()
    end = min(len(terms.tokens), i + 1 + NEGATION_WINDOW)
    for j in range(i + 1, end):
        if terms.clauses[j] != terms.clauses[i] or len(keys) == NEGATED_WORDS:
            return
        if terms.keys[j] and terms.tokens[j] not in NEGATION_SKIP:
            keys.add(terms.keys[j])
            yield j


def _governed(terms: Terms, i: int) -> set[str]:
    """The keys a negation at token `i` governs."""
    return {terms.keys[j] for j in _governed_positions(terms, i)}


def _denied_cue(terms: Terms, i: int, claim_keys: frozenset[str]) -> int | None:
    """The falsity word a negation at token `i` denies ("not a MYTH", "no HOAX", "not RIGGED"),
    if it is the first content word the negation governs: it then says the claim is true. One
    the claim itself uses ("bucha was not STAGED") is the claim's word, denied like any other."""
    j = next(_governed_positions(terms, i), None)
    if j is None or terms.tokens[j] not in FALSITY_WORDS or terms.keys[j] in claim_keys:
        return None
    return j


@dataclass(frozen=True, slots=True)
class ClaimProfile:
    """What a claim's own phrasings contain, so that repeating them is not read as a debunk."""

    keys: frozenset[str]
    negated: frozenset[str]  # keys the claim itself negates ("won't hold elections")
    text: str  # every phrasing, cleaned
    facts: dict[str, float]  # distinctive words of what is known (context), never of the claim

    @classmethod
    def of(cls, phrasings: Sequence[Terms], known: Sequence[Terms] = ()) -> ClaimProfile:
        negated: set[str] = set()
        for terms in phrasings:
            for i, tok in enumerate(terms.tokens):
                if tok in NEGATIONS:
                    negated |= _governed(terms, i)
        keys = frozenset(k for t in phrasings for k in t.key_set)
        # Years and figures recur in claims and facts alike: they cite nothing.
        facts = {
            k: commonness(k)
            for t in known
            for k in t.key_set
            if k not in keys and not is_name(k) and not k.isdigit()
        }
        return cls(
            keys=keys,
            negated=frozenset(negated),
            text="\n".join(t.cleaned for t in phrasings),
            facts=facts,
        )


def _quotes_the_claim(cleaned: str, matched: frozenset[str]) -> bool:
    """A quotation holding most of the claim's shared terms: the claim is cited, not made.
    Scare quotes around another phrase ("a 'wartime leader'") do not count."""
    if not matched:
        return False
    quoted: set[str] = set()
    for span in _QUOTED.findall(cleaned):
        quoted.update(k for k in terms_of(span).keys if k)
    return len(quoted & matched) * 2 > len(matched)


def stance_of(
    terms: Terms, *, matched: frozenset[str], claim: ClaimProfile
) -> tuple[Stance, tuple[str, ...]]:
    """The message's stance toward one claim, with the cues that decided it.

    `matched` are the keys the message shares with the claim.
    """
    cues: list[str] = []
    tokens = terms.tokens
    negations = [i for i, tok in enumerate(tokens) if tok in NEGATIONS]
    denied: set[int] = set()  # positions of cue words a negation denies
    for i in negations:
        hedged = i + 1 < len(tokens) and tokens[i + 1] in HEDGES
        cue = _denied_cue(terms, i, claim.keys)
        if cue is not None:
            denied.add(cue)
        elif not hedged and (_governed(terms, i) & matched) - claim.negated:
            cues.append(tokens[i])
    # "No, not «all 267»": a standalone no, then a negation, answers someone.
    if len(negations) > 1 and negations[0] == 0 and terms.clauses[1] != terms.clauses[0]:
        cues.append(f"{tokens[0]}, {tokens[negations[1]]}")
    for i, tok in enumerate(tokens):
        if (
            tok in DEBUNK_CUES
            and i not in denied
            and terms.keys[i] not in claim.keys
            and tuple(tokens[i : i + 2]) not in CUE_IDIOMS
        ):
            cues.append(tok)
    cues.extend(p for p in DEBUNK_PHRASES if p in terms.raw and p not in claim.text)
    # Someone who cites what is known ("joint investment fund", "Russian airstrike", "ICC
    # warrants") is correcting the claim, not making it.
    echoed = [k for k in terms.key_set if k in claim.facts]
    if sum(claim.facts[k] for k in echoed) >= FACT_ECHO_MIN:
        cues.extend(f"cites:{k}" for k in sorted(echoed))
    if cues:
        return Stance.DEBUNKS, tuple(cues)
    reported = [
        tok
        for tok, key in zip(terms.tokens, terms.keys, strict=True)
        if key not in claim.keys and tok in REPORT_CUES
    ]
    reported.extend(p for p in REPORT_PHRASES if p in terms.cleaned and p not in claim.text)
    if _quotes_the_claim(terms.cleaned, matched) and not any(q in claim.text for q in QUOTES):
        reported.append("quotation")
    if reported:
        return Stance.REPORTS, tuple(reported)
    if "?" in terms.cleaned or terms.cleaned.startswith(QUESTION_OPENERS):
        return Stance.QUESTIONS, ("?",)
    return Stance.ASSERTS, ()
