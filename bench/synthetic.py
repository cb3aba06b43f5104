"""Synthetic ClaimReview fact bases of any size, generated deterministically.

Claims read like the ones fact-checkers publish: one sentence of 8-25 words, a subject (a
person, a country, an institution), an act, an object with numbers, and a place or a year. Content
words come from a Zipf-like vocabulary: a few hundred real words are common, tens of thousands of
made-up words form the long tail, so most words are rare, as in a real fact base.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["MAX_WORDS", "MIN_WORDS", "claim_sentences", "write_claimreview"]

MIN_WORDS, MAX_WORDS = 8, 25
ZIPF_EXPONENT = 1.07  # the usual fit for word frequencies in natural text
# Zipf-Mandelbrot shift: flattens the head so the commonest content word is in ~10% of claims,
# not in most of them (function words, which do dominate, come from the templates).
ZIPF_SHIFT = 10
LATIN_TAIL = 40_000  # made-up words after the common ones, Latin script
CYRILLIC_TAIL = 12_000
SHARE_CYRILLIC = 0.12  # some fact-checkers publish in Ukrainian or Russian
FIRST_DATE = dt.date(2022, 2, 24)
RATINGS = ("False", "False", "False", "Misleading", "Misleading", "Missing context")
PUBLISHERS = ("StopFake", "VoxCheck", "Full Fact", "AFP Fact Check", "EUvsDisinfo", "Provereno")


def _words(text: str) -> list[str]:
    return text.split()


COMMON_EN = _words(
    "army soldiers weapons money billion government president secret plan troops war west nato "
    "tanks missiles drones biolabs refugees grain gas oil sanctions election vote border bank "
    "children mercenaries nazis media footage video photos fake staged report documents aid "
    "dollars euros factory plant reactor dam bridge port airport hospital school church village "
    "city region front offensive attack strike ceasefire talks treaty deal corruption villa "
    "yacht passport citizens prisoners camps shells ammunition fuel prices wheat fertilizer "
    "pipeline nuclear chemical laboratory vaccine virus minister general commander officer "
    "volunteers recruits draft mobilization pensions salaries taxes loans debt gold reserves "
    "ships fleet submarine satellite internet hackers servers bots trolls propaganda agents "
    "spies embassy diplomats parliament court judges police protest riots curfew martial law "
    "blackout energy heating water food bread medicine doctors nurses trucks trains convoy"
)
COMMON_CYR = _words(
    "армія зброя гроші мільярд уряд президент таємний план війська війна захід нато танки "
    "ракети дрони біолабораторії біженці зерно газ санкції вибори кордон діти найманці відео "
    "фейк документи допомога долари завод міст порт лікарня школа церква село місто фронт "
    "армия оружие деньги правительство войска война запад биолаборатории беженцы выборы граница "
    "дети наемники видео документы помощь доллары мост больница школа церковь город"
)
SUBJECTS_EN = (
    "Ukraine", "Russia", "The Pentagon", "NATO", "The EU", "Poland", "The Kremlin",
    "Ukrainian officials", "Western media", "The WHO", "The IMF", "A leaked memo",
)  # fmt: skip
SUBJECTS_CYR = ("Україна", "Росія", "НАТО", "Пентагон", "Кремль", "Евросоюз", "Польша")
VERBS_EN = (
    "secretly sold", "is hiding", "bought", "destroyed", "smuggled", "sent", "paid for",
    "staged", "banned", "stole", "is building", "admitted to funding", "shipped", "burned",
)  # fmt: skip
VERBS_CYR = ("таємно продала", "приховує", "купила", "знищила", "вивезла", "тайно продал")
LINKS_EN = ("to", "in", "near", "for", "with", "from", "after", "before", "during")
LINKS_CYR = ("в", "у", "до", "для", "з", "після", "під час")
FIRST = ("Oleksandr", "Viktor", "Hanna", "Sergei", "Mariia", "Dmitry", "Olena", "John", "Ursula")
PLACES = ("Kyiv", "Odesa", "Bucha", "Mariupol", "Kherson", "Donetsk", "Crimea", "Lviv", "Poland")
PLACES_CYR = ("Київ", "Одеса", "Буча", "Маріуполь", "Херсон", "Донецк", "Крым", "Львов")
LATIN_SYLLABLES = _words(
    "ko va ren lit mor den sha pol tyr gan vel zor ist mak ber ul chen dov ras nik ol ta"
)
CYRILLIC_SYLLABLES = _words(
    "ко ва рен лит мор ден ша пол тир ган вел зор іст мак бер ул чен дов рас ник"
)


def _made_up_words(syllables: list[str], count: int, rng: random.Random) -> list[str]:
    words: dict[str, None] = {}  # ordered and unique
    while len(words) < count:
        words["".join(rng.choices(syllables, k=rng.randint(2, 4)))] = None
    return list(words)


class _Vocabulary:
    """Words ranked by frequency, sampled with probability proportional to (rank + q) ** -s."""

    def __init__(self, common: list[str], tail: list[str]) -> None:
        known = set(common)
        self.words = common + [w for w in tail if w not in known]
        weights = ((rank + ZIPF_SHIFT) ** -ZIPF_EXPONENT for rank in range(1, len(self.words) + 1))
        self.cum_weights = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum_weights, k=count)


def _number(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"{rng.randint(2, 99)}%"
    if kind == 1:
        return f"{rng.randint(2, 900)} million"
    if kind == 2:
        return str(rng.randint(2014, 2025))
    return f"{rng.randint(2, 50_000):,}"


def _sentence(
    rng: random.Random,
    vocab: _Vocabulary,
    names: list[str],
    subjects: tuple[str, ...],
    verbs: tuple[str, ...],
    links: tuple[str, ...],
    known_places: tuple[str, ...],
) -> str:
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    places = names if rng.random() < 0.5 else known_places
    subject = rng.choice(subjects) if rng.random() < 0.6 else rng.choice(names)
    words = [*subject.split(), *rng.choice(verbs).split(), _number(rng), *vocab.draw(rng, 2)]
    while len(words) < target:  # tails: "in Odesa", "for 40 million", "with drones biolabs"
        tail_kind = rng.randrange(3)
        if tail_kind == 0:
            tail = [rng.choice(links), *rng.choice(places).split()]
        elif tail_kind == 1:
            tail = [rng.choice(links), _number(rng), *vocab.draw(rng, 1)]
        else:
            tail = [rng.choice(links), *vocab.draw(rng, rng.randint(1, 3))]
        words.extend(tail)
    # Items like "secretly sold" or "40 million" hold two words: count words, not items.
    return " ".join(" ".join(words).split()[:MAX_WORDS]) + "."


def claim_sentences(count: int, seed: int) -> Iterator[str]:
    """`count` claims; the same seed gives the same claims."""
    rng = random.Random(seed)
    latin = _Vocabulary(COMMON_EN, _made_up_words(LATIN_SYLLABLES, LATIN_TAIL, rng))
    cyrillic = _Vocabulary(COMMON_CYR, _made_up_words(CYRILLIC_SYLLABLES, CYRILLIC_TAIL, rng))
    # Surnames are made up too, so people are as varied as in a real base: "Viktor Korenmak".
    surnames = [w.capitalize() for w in _made_up_words(LATIN_SYLLABLES, 3_000, rng)]
    names = [f"{rng.choice(FIRST)} {surname}" for surname in surnames]
    cyr_names = [w.capitalize() for w in _made_up_words(CYRILLIC_SYLLABLES, 1_000, rng)]
    for _ in range(count):
        if rng.random() < SHARE_CYRILLIC:
            yield _sentence(
                rng, cyrillic, cyr_names, SUBJECTS_CYR, VERBS_CYR, LINKS_CYR, PLACES_CYR
            )
        else:
            yield _sentence(rng, latin, names, SUBJECTS_EN, VERBS_EN, LINKS_EN, PLACES)


def _claimreview(index: int, claim: str, rng: random.Random) -> dict[str, Any]:
    published = FIRST_DATE + dt.timedelta(days=rng.randrange(1_200))
    identifier = f"synth-{index:06d}"
    publisher = rng.choice(PUBLISHERS)
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "identifier": identifier,
        "url": f"https://factcheck.example.org/{published:%Y/%m}/{identifier}",
        "claimReviewed": claim,
        "author": {"@type": "Organization", "name": publisher},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1,
            "worstRating": 1,
            "bestRating": 5,
            "alternateName": rng.choice(RATINGS),
        },
        "datePublished": published.isoformat(),
        "itemReviewed": {"@type": "Claim", "datePublished": published.isoformat()},
    }


def write_claimreview(path: Path, count: int, seed: int) -> Path:
    """Write `count` ClaimReview objects as one JSON array, streamed so 100k entries stay cheap."""
    rng = random.Random(seed + 1)
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for index, claim in enumerate(claim_sentences(count, seed)):
            if index:
                out.write(",\n")
            out.write(json.dumps(_claimreview(index, claim, rng), ensure_ascii=False))
        out.write("\n]\n")
    return path
