"""Text normalisation shared by indexing and matching.

Two levels:
- `clean(text)`: what a reader sees, minus noise — Unicode NFKC, case folded, URLs, mentions, custom
  emoji, markup and pictographs removed, letters repeated for emphasis squeezed ("sooooo" -> "soo").
- `term_key(token)`: a script-neutral skeleton used for term evidence. Cyrillic is transliterated
  and Latin spellings simplified so that "зеленский", "zelenskiy" and "Zelenskyy" meet; the key
  keeps the first `KEY_LENGTH` letters, a cheap stemmer for Ukrainian and Russian inflection.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "KEY_LENGTH",
    "clause_split",
    "clean",
    "clean_normalized",
    "skeleton",
    "term_key",
    "tokenize",
    "tokenize_clauses",
    "words",
]

# Five letters keep the root of most inflected Ukrainian/Russian words ("виборів", "выборов" ->
# "vibor") while still telling English words apart.
KEY_LENGTH = 5

_NOISE = re.compile(
    # The lookahead names every character a piece of noise can start with, so that at most
    # positions the engine rejects all the alternatives at once.
    r"(?=[hw<@:*_~`|>#\[\]{}\\\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D])(?:"
    r"https?://\S+|www\.\S+"  # URLs
    r"|<a?:\w+:\d+>"  # Discord custom emoji
    r"|<[@#!][^>\s]*>"  # Discord/Slack mentions, channel links, <!here>
    r"|(?<!\w)@\w+"  # plain @mentions
    r"|:[a-z0-9_+\-]+:"  # :shortcode: emoji
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]"  # pictographs, variation selector, ZWJ
    r"|[*_~`|>#\[\]{}\\]+"  # markup
    r")"
)
_REPEATS = re.compile(r"(\w)\1{2,}")
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u02bc\u2018´", "'"))
# Letters then digits stay one token ("mh17", "f16"); digits then letters split ("350bn").
# One letter run, then its digits or apostrophe parts: written so that the engine never
# backtracks into the letters (a third less time than trying each shape from the start).
_WORD = r"[^\W\d_]+(?:\d+[^\W_]*|(?:'[^\W\d_]+)*)|\d+"
_TOKEN = re.compile(_WORD)
# A token, or punctuation that ends a clause (negation does not reach past it).
_TOKEN_OR_BREAK = re.compile(rf"({_WORD})|[,.;:!?…—–()]")
# Conjunctions that open a new clause: "he is not a saint, but a dictator".
CLAUSE_WORDS = frozenset(
    [
        "but",
        "because",
        "while",
        "though",
        "although",
        "however",
        "а",
        "но",
        "але",
        "бо",
        "проте",
        "однак",
        "потому",
    ]
)

# Common misspellings and spellings of names that claims revolve around, mapped to one form.
NAME_VARIANTS = {
    "zelenskyy": "zelensky",
    "zelenskiy": "zelensky",
    "zelenskyi": "zelensky",
    "zelenskij": "zelensky",
    "zelenskii": "zelensky",
    "zelenski": "zelensky",
    "zelinsky": "zelensky",
    "zelinskyy": "zelensky",
    "zelenksy": "zelensky",
    "zelensy": "zelensky",
    "zelenskey": "zelensky",
    "zelenskyj": "zelensky",
    "zelensk": "zelensky",
    "zelya": "zelensky",
    "zelia": "zelensky",
    "зеля": "зеленський",
    "зелі": "зеленський",
    "зелю": "зеленський",
    "зелени": "зеленський",
    "зелупа": "зеленський",
    "zelenska": "zelenska",
    "zelenskaya": "zelenska",
    "kiev": "kyiv",
    "kyyiv": "kyiv",
    "kiyv": "kyiv",
    "kharkov": "kharkiv",
    "odessa": "odesa",
    "putler": "putin",
    # amounts, so that "$350bn" and "350 billion" meet
    "bn": "billion",
    "billy": "billion",
    "bil": "billion",
    "млрд": "billion",
    "миллиардов": "billion",
    "мільярдів": "billion",
    "mln": "million",
    "млн": "million",
    # English irregular verbs, so that "flee" meets "fled" and "pay" meets "paid"
    "fled": "flee",
    "fleeing": "flee",
    "flew": "fly",
    "gave": "give",
    "given": "give",
    "paid": "pay",
    "bought": "buy",
    "shot": "shoot",
    "stole": "steal",
    "stolen": "steal",
    "sold": "sell",
    "ran": "run",
    "began": "begin",
    "begun": "begin",
    "blew": "blow",
    "blown": "blow",
    "took": "take",
    "taken": "take",
    "lost": "lose",
    "won": "win",
    "hid": "hide",
    "hidden": "hide",
    "killed": "kill",
}

_CYRILLIC_TO_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "e",
        "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m",
        "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h",
        "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "i", "ь": "", "э": "e",
        "ю": "iu", "я": "ia", "'": "",
    }
)  # fmt: skip
# Latin spellings simplified after transliteration, longest first: "kh" and "h" meet, "y" and "i".
_LATIN_SIMPLIFY = (
    ("sch", "sh"),
    ("shch", "sh"),
    ("kh", "h"),
    ("ck", "k"),
    ("ph", "f"),
    ("ye", "e"),
    ("c", "k"),
    ("q", "k"),
    ("x", "ks"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
)
_DOUBLES = re.compile(r"(.)\1+")


# Replacements for `sub` are functions, not templates such as r"\1\1": `sub` calls back into
# Python to parse a template on every call, which costs more than the search itself.
def _two(repeat: re.Match[str]) -> str:
    return repeat[1] * 2


def _one(repeat: re.Match[str]) -> str:
    return repeat[1]


def clean(text: str) -> str:
    """Case-folded, de-noised text; never raises on any string."""
    return clean_normalized(_nfkc(text))


def words(text: str) -> list[str]:
    """`text` in NFKC, split at whitespace: the pieces `clean` and `tokenize` work on one by one.

    Nothing that cleaning removes or squeezes, nor any token, spans whitespace (NFKC, which can
    make spaces, comes first), so `clean(text)` is the non-empty `clean_normalized(word)` of these
    words joined by spaces, and its tokens are theirs in order: callers can cache per word.
    """
    return _nfkc(text).split()


def clean_normalized(text: str) -> str:
    """`clean` of text already in NFKC, such as one of `words(text)`."""
    text = text.casefold()
    if not text.isascii():  # every character _APOSTROPHES maps is non-ASCII
        text = text.translate(_APOSTROPHES)
    if text.isalpha():  # a plain word, the common case: no noise matches letters alone
        return _REPEATS.sub(_two, text)
    text = _REPEATS.sub(_two, _NOISE.sub(" ", text))
    return " ".join(text.split())


def _nfkc(text: str) -> str:
    # NFKC leaves ASCII as it is, and most chat is ASCII
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def tokenize(cleaned: str) -> list[str]:
    """Word tokens of cleaned text, with name spellings unified ("zelenskyy" -> "zelensky")."""
    return [NAME_VARIANTS.get(tok, tok) for tok in _TOKEN.findall(cleaned)]


def tokenize_clauses(cleaned: str) -> tuple[list[str], list[int]]:
    """Tokens as `tokenize` gives them, and the clause number of each token."""
    tokens, clauses, _breaks = clause_split(cleaned)
    return tokens, clauses


def clause_split(cleaned: str) -> tuple[list[str], list[int], int]:
    """`tokenize_clauses`, and the clause number it ends on: the clauses of text that follows
    `cleaned` are numbered on from there."""
    if cleaned.isalpha():  # a plain word: one token, no marks
        clause = int(cleaned in CLAUSE_WORDS)
        return [NAME_VARIANTS.get(cleaned, cleaned)], [clause], clause
    tokens: list[str] = []
    clauses: list[int] = []
    clause = 0
    for tok in _TOKEN_OR_BREAK.findall(cleaned):  # "" stands for a clause-ending mark
        if not tok or tok in CLAUSE_WORDS:
            clause += 1
            if not tok:
                continue
        tokens.append(NAME_VARIANTS.get(tok, tok))
        clauses.append(clause)
    return tokens, clauses, clause


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """Script-neutral spelling of a token: transliterated, simplified, doubled letters squeezed."""
    word = token.translate(_CYRILLIC_TO_LATIN)
    for old, new in _LATIN_SIMPLIFY:
        if old in word:
            word = word.replace(old, new)
    return _DOUBLES.sub(_one, word)


@lru_cache(maxsize=200_000)
def term_key(token: str) -> str:
    """A token's index key: its skeleton, an English plural 's' dropped, cut to KEY_LENGTH."""
    word = skeleton(token)
    if len(word) > 3 and word.endswith("s") and token.isascii() and not word.isdigit():
        word = word[:-1]
    return word[:KEY_LENGTH]
