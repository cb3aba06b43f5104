"""Normalisation: robust on any text, and spellings across scripts meet."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.matching.index import terms_of
from bot.core.matching.normalize import KEY_LENGTH, clean, term_key, tokenize


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
