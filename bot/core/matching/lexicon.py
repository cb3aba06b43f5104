"""Word lists the matcher relies on: how common a word is in everyday language, and stance cues.

Cues are compared by `term_key`, so one entry covers inflections and both scripts
("propaganda", "пропаганда", "пропаганды" share one key).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from bot.core.matching.normalize import term_key

__all__ = [
    "COMMON_WORDS_FILE",
    "COMMON_ZIPF_CEILING",
    "CUE_IDIOMS",
    "DEBUNK_CUES",
    "DEBUNK_PHRASES",
    "FIRST_PERSON_POSSESSIVES",
    "HEDGES",
    "NEGATIONS",
    "NEGATION_SKIP",
    "QUESTION_OPENERS",
    "REPORT_CUES",
    "REPORT_PHRASES",
    "STOP_ZIPF",
    "CueWords",
    "commonness",
    "is_name",
    "is_specific",
    "is_stop_key",
    "side_of",
]

COMMON_WORDS_FILE = "data/common_words.tsv.gz"
# Zipf frequency (log10 per billion words): "the" 7.7, "war" 5.4, "dictator" 3.7, "Bucha" ~1.
STOP_ZIPF = 6.0  # at or above: a function word, never evidence
COMMON_ZIPF_CEILING = 7.0  # where a word's weight would reach zero
COMMON_ZIPF_SPAN = 4.0  # zipf 3.0 or rarer keeps full weight
MIN_COMMON_FACTOR = 0.15  # even a very common content word keeps a little weight


@cache
def _frequency_tables() -> tuple[dict[str, float], dict[str, float]]:
    """Everyday-language frequency (highest over en/uk/ru) by word, and by key: a key stands
    for every word that shares it. Rows: language, word, zipf, key (see scripts/)."""
    by_word: dict[str, float] = {}
    by_key: dict[str, float] = {}
    raw = resources.files("bot.core.matching").joinpath(COMMON_WORDS_FILE).read_bytes()
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        _lang, word, zipf, key = line.split("\t")
        value = float(zipf)
        if value > by_word.get(word, 0.0):
            by_word[word] = value
        if value > by_key.get(key, 0.0):
            by_key[key] = value
    return by_word, by_key


def _zipf_by_word() -> dict[str, float]:
    return _frequency_tables()[0]


def _zipf_by_key() -> dict[str, float]:
    return _frequency_tables()[1]


@lru_cache(maxsize=20_000)  # asked for every key of every message that nears a claim
def commonness(key: str) -> float:
    """A factor in [MIN_COMMON_FACTOR, 1]: 1 for rare words, small for everyday ones."""
    zipf = _zipf_by_key().get(key, 0.0)
    factor = (COMMON_ZIPF_CEILING - zipf) / COMMON_ZIPF_SPAN
    return max(MIN_COMMON_FACTOR, min(1.0, factor))


# Rarer than this in everyday language, a word names something specific (Bucha, biolabs, MH17).
SPECIFIC_ZIPF = 3.0
MIN_SPECIFIC_DIGITS = 2  # "267 drones", "$350bn", "4%" are specific; a lone digit is not


def is_specific(token: str) -> bool:
    """A word that pins a message to a subject: a listed name, a figure, or a rare word."""
    if term_key(token) in _NAMES:
        return True
    if token.isdigit():
        return len(token) >= MIN_SPECIFIC_DIGITS
    return _zipf_by_word().get(token, 0.0) < SPECIFIC_ZIPF


def is_name(key: str) -> bool:
    """A country or leader name: evidence of topic, not of any one claim."""
    return key in _NAMES


def is_stop_key(key: str) -> bool:
    if key in _NAMES:
        return False
    return (len(key) < 2 and not key.isdigit()) or _zipf_by_key().get(key, 0.0) >= STOP_ZIPF


def _keys(words: str) -> frozenset[str]:
    return frozenset(term_key(w) for w in words.split())


# Country and people names are as frequent as function words in Ukrainian and Russian text, yet
# "who started the war" is not the claim without "Ukraine": they stay (lightly weighted) evidence.
# The parties a claim can blame or credit. "Russia started the war" shares every word but one
# with "Ukraine started the war": the party named is what tells them apart.
_SIDES = {
    "ukraine": "ukraine ukrainian україна український украина украинский kyiv київ києва києві "
    "киев киева киеве zelensky "
    "зеленський зеленский зсу всу",
    "russia": "russia russian росія російський россия российский рф moscow москва москви москвы "
    "москве putin путін "
    "путин kremlin кремль",
    "us": "usa сша america american америка американський американский pentagon пентагон "
    "washington вашингтон",
    # Not "ЄС" or "ЕС" (the EU): their key is that of "yes".
    "europe": "europe european європа европа eu",
    "nato": "nato нато",
}
_SIDE_OF_KEY = {term_key(word): side for side, words in _SIDES.items() for word in words.split()}
_NAMES = frozenset(_SIDE_OF_KEY) | _keys("crimea крим крым donbas донбас")


def side_of(key: str) -> str | None:
    """The party a key names ("rosia" -> "russia"), if any."""
    return _SIDE_OF_KEY.get(key)


# Negations: a debunk when one stands just before a claim term and the claim itself has none there.
NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "isn't",
        "wasn't",
        "aren't",
        "weren't",
        "didn't",
        "doesn't",
        "don't",
        "hasn't",
        "haven't",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "isnt",
        "wasnt",
        "didnt",
        "doesnt",
        "dont",
        "won't",
        "wont",
        "can't",
        "cannot",
        "cant",
        "couldn't",
        "never",
        "не",
        "ні",
        "ни",
        "нет",
        "немає",
        "нема",
        "ніколи",
        "никогда",
        "ніхто",
        "никто",
        "жодних",
        "жодної",
        "жодного",
        "жоден",
        "ніякої",
        "ніяких",
        "никаких",
        "никакой",
        "никакого",
        "ни",
        "одного",
        "ни",
        "одной",
    ]
)


@dataclass(frozen=True, slots=True)
class CueWords:
    """Cue words. Latin ones count only as written, since their keys collide with everyday
    words ("face" and "fake" share one); Cyrillic ones count by key, so inflections do too."""

    latin: frozenset[str]
    cyrillic_keys: frozenset[str]

    @classmethod
    def of(cls, words: str) -> CueWords:
        split = words.split()
        return cls(
            latin=frozenset(w for w in split if w.isascii()),
            cyrillic_keys=frozenset(term_key(w) for w in split if not w.isascii()),
        )

    def __contains__(self, token: object) -> bool:
        if not isinstance(token, str):
            return False
        if token.isascii():
            return token in self.latin
        return term_key(token) in self.cyrillic_keys


# Words that call a claim false or mock it, in any of the three languages.
_DEBUNK_WORDS = (
    "myth myths debunked debunk debunking debunks hoax hoaxes lie lies lied lying liar liars "
    "propaganda propagandist propagandists disinformation disinfo misinformation misinfo nonsense "
    "bullshit bs conspiracy untrue baseless fabricated fabrication fake fakes faked falsehood "
    "false "
    "factcheck ridiculous absurd bogus garbage busted narrative narratives wrong incorrect "
    "inaccurate exaggerated exaggeration "
    "міф міфи фейк фейки брехня брехливий неправда пропаганда пропагандисти дезінформація "
    "спростовано "
    "спростування вигадка маячня нісенітниця "
    "миф мифы фейк фейки ложь лживый враньё вранье неправда пропаганда пропагандисты дезинформация "
    "опровергнуто опровержение выдумка бред чушь"
)
DEBUNK_CUES = CueWords.of(_DEBUNK_WORDS)
# Words that call something false, cues or not: "rigged" may be the claimant's word for the
# investigation, but "not rigged", like "not a myth", says something is true.
FALSITY_WORDS = CueWords.of(f"{_DEBUNK_WORDS} rigged sham сфальсифікований сфальсифицированный")

# Cue words that belong to a claim's own idiom when the next word follows: "a false flag".
CUE_IDIOMS = frozenset([("false", "flag")])

# Debunking phrases of several words, matched in the cleaned text.
DEBUNK_PHRASES = (
    "made up",
    "not true",
    "no evidence",
    "no proof",
    "zero evidence",
    "fact check",
    "stop spreading",
    "still believe",
    "falling for",
    "fell for",
    "don't believe",
    "nothing to do with",
    "не правда",
    "нет доказательств",
    "немає доказів",
    "это не так",
    "це не так",
    "не вірте",
    "не верьте",
    # sarcasm that repeats a claim to mock it
    "oh sure",
    "yeah right",
    "sure jan",
    "who still believes",
    "anyone still believe",
    "хто ще вірить",
    "хто досі вірить",
    "кто ещё верит",
    "кто еще верит",
    "кто до сих пор верит",
)

# Adverbs between a negation and the word it negates: "did NOT actually START".
NEGATION_SKIP = frozenset(
    [
        "actually",
        "really",
        "truly",
        "literally",
        "ever",
        "even",
        "fully",
        "entirely",
        "completely",
        "exactly",
        "directly",
        # "not a single one got through" is the universal claim itself, not a denial
        "single",
        # words that only complete the negation: "don't contribute ANYTHING"
        "any",
        "anything",
        "anyone",
        "anybody",
        "справді",
        "дійсно",
        "зовсім",
        "взагалі",
        "действительно",
        "вообще",
        "совсем",
    ]
)

# "not only", "not saying": a negation that hedges rather than denies.
HEDGES = frozenset(
    [
        "forget",  # "don't forget he ran away"
        "забувайте",
        "забывайте",
        "only",
        "just",
        "saying",
        "say",
        "that",
        "even",
        "sure",
        "ли",
        "лише",
        "тільки",
        "только",
        "просто",
    ]
)

# Reported speech: someone else's claim relayed, often to criticise it.
REPORT_CUES = CueWords.of(
    "claim claims claimed claiming allegedly alleged supposedly reportedly kremlin tass "
    "кажуть стверджують заявляють пишуть нібито буцімто "
    "говорят утверждают заявляют пишут якобы мол будто"
)

# Reported speech of several words: someone relays a claim they came across.
REPORT_PHRASES = (
    "post saying",
    "posts saying",
    "keeps saying",
    "keep saying",
    "people saying",
    "they say",
    "claiming that",
    "according to russian",
    "according to the kremlin",
    "russian tv",
    "state tv",
    "кажуть що",
    "кажуть, що",
    "говорят что",
    "говорят, что",
    "по телевизору",
)

# The writer's own things: "my dictator just cancelled elections" is a game, "my kid refuses to
# step down" a slide, "our referendum" a club's. Not "наші"/"наши": people who claim Russia's
# strikes hit only the military say "our missiles".
FIRST_PERSON_POSSESSIVES = frozenset(
    {"my", "mine", "our", "ours"}
    | {"мій", "моя", "моє", "мої", "мого", "моєї"}
    | {"мой", "моё", "мое", "мои", "моего"}
)

QUESTION_OPENERS = (
    "is it true",
    "is that true",
    "is this true",
    "did ",
    "does ",
    "do ",
    "was ",
    "were ",
    "is ",
    "are ",
    "has ",
    "have ",
    "can someone",
    "can anyone",
    "anyone know",
    "any source",
    "правда ли",
    "правда что",
    "это правда",
    "чи правда",
    "це правда",
    "правда, що",
    "правда що",
    "правда, что",
)
