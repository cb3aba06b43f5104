"""Normalisation: robust on any text, and spellings across scripts meet."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.matching import normalize
from bot.core.matching.index import evidence_key, keys_of, terms_of, whole_text_terms
from bot.core.matching.normalize import (
    KEY_LENGTH,
    clean,
    clean_normalized,
    term_key,
    tokenize,
    tokenize_clauses,
    words,
)

# Texts made of the pieces cleaning and tokenising treat specially, which st.text() rarely
# strings together: noise, apostrophes, clause marks and words, repeats, characters that NFKC
# turns into spaces or marks ("\xa0", "´"), combining marks, letters that fold into two.
_PIECES = [
    " ", "  ", "\n", "\t", "\xa0", "\u2003", "´", "\u0301", "’", "ʼ", "‘", "'", "ŉ", "ß", "İ",
    "ǅ", "ﬁ", "①", "❶", "²", "_", "*", "~", "|", ">", "#", "[", "]", "\\", "<", "@", ":", ",",
    ".", "?", "!", "…", "—", "(", ")", "https://x.y/z", "www.x", "<@123>", "<#9>", "<!here>",
    "<:e:1>", "<a:e:12>", "@bob", ":smile:", "🤡", "💙💛", "\u200d", "\ufe0f", "a", "h", "w",
    "sooooo", "AAAA", "111", "mh17", "350bn", "zelenskyy", "Зеленський", "but", "но", "а", "Київ",
    "don't", "is", "1",
]  # fmt: skip
_TRICKY = st.lists(st.sampled_from(_PIECES), max_size=25).map("".join)


def _plain_clean(text: str) -> str:
    """`clean` without its shortcuts: every step on the whole text."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(normalize._APOSTROPHES)
    text = normalize._REPEATS.sub(r"\1\1", normalize._NOISE.sub(" ", text))
    return " ".join(text.split())


def _plain_clauses(cleaned: str) -> tuple[list[str], list[int]]:
    tokens: list[str] = []
    clauses: list[int] = []
    clause = 0
    for tok in normalize._TOKEN_OR_BREAK.findall(cleaned):
        if not tok or tok in normalize.CLAUSE_WORDS:
            clause += 1
            if not tok:
                continue
        tokens.append(normalize.NAME_VARIANTS.get(tok, tok))
        clauses.append(clause)
    return tokens, clauses


@given(st.text())
def test_cleaning_and_keying_never_crash_on_any_unicode(text: str) -> None:
    terms = terms_of(text)
    assert len(terms.tokens) == len(terms.keys) == len(terms.clauses)
    assert all(len(key) <= KEY_LENGTH for key in terms.keys)


@given(st.text())
def test_cleaning_is_idempotent(text: str) -> None:
    assert clean(clean(text)) == clean(text)


def test_noise_is_removed_but_words_stay() -> None:
    text = "**Zelenskyy** is a DICTATOR!!!! 🤡 https://t.me/x <@123456> <#987> @someone sooooo true"
    assert tokenize(clean(text)) == ["zelensky", "is", "a", "dictator", "soo", "true"]


def test_cyrillic_and_latin_transliteration_share_keys() -> None:
    cyrillic = [term_key(t) for t in tokenize(clean("Зеленский диктатор, выборов нет"))]
    latin = [term_key(t) for t in tokenize(clean("zelenskiy diktator, vyborov net"))]
    assert cyrillic == latin


def test_inflected_forms_share_a_key() -> None:
    assert term_key("виборів") == term_key("вибори") == term_key("выборов")
    assert term_key("labs") == term_key("lab")


def test_amounts_split_from_units() -> None:
    assert tokenize(clean("$350bn to Ukraine")) == ["350", "billion", "to", "ukraine"]
    assert tokenize(clean("MH17 was shot down")) == ["mh17", "was", "shoot", "down"]


@given(st.one_of(st.text(), _TRICKY))
def test_shortcuts_change_nothing(text: str) -> None:
    cleaned = clean(text)
    assert cleaned == _plain_clean(text)
    assert tokenize_clauses(cleaned) == _plain_clauses(cleaned)
    assert tokenize(cleaned) == _plain_clauses(cleaned)[0]


@given(st.one_of(st.text(), _TRICKY))
def test_word_by_word_is_the_whole_text(text: str) -> None:
    cleaned = clean(text)
    assert " ".join(filter(None, map(clean_normalized, words(text)))) == cleaned
    assert terms_of(text) == whole_text_terms(text)
    # The same keys in the same order: candidate scores are summed in the set's order.
    assert list(keys_of(text)) == list(set(map(evidence_key, tokenize(cleaned))))


@pytest.mark.parametrize(
    "text",
    ["ŉ", "ǅ", "ß", "İ", "ﬁ", "SOOOO", "zelenskyy", "but", "Но", "don’t", "❶❶❶", "a\u0301", "ʼʼʼ"],
)
def test_single_words_clean_as_in_text(text: str) -> None:
    assert clean(text) == _plain_clean(text)
    assert clean(f"x, {text} y") == _plain_clean(f"x, {text} y")
    assert terms_of(f"x, {text} y") == whole_text_terms(f"x, {text} y")
