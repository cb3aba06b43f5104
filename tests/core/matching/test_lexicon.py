"""The shipped word-frequency table stays in step with normalisation."""

from __future__ import annotations

import gzip
from importlib import resources

from bot.core.matching.lexicon import (
    COMMON_WORDS_FILE,
    commonness,
    is_name,
    is_specific,
    is_stop_key,
    side_of,
)
from bot.core.matching.normalize import term_key

SAMPLE_EVERY = 97  # a spread of rows across all three languages


def test_stored_keys_match_term_key() -> None:
    raw = resources.files("bot.core.matching").joinpath(COMMON_WORDS_FILE).read_bytes()
    rows = gzip.decompress(raw).decode("utf-8").splitlines()
    for row in rows[::SAMPLE_EVERY]:
        _lang, word, _zipf, key = row.split("\t")
        assert key == term_key(word), f"rebuild with scripts/build_common_words.py ({word})"


def test_everyday_words_weigh_less_than_distinctive_ones() -> None:
    assert commonness(term_key("money")) < commonness(term_key("biolabs"))
    assert is_stop_key(term_key("the")) and not is_stop_key(term_key("ukraine"))
    assert is_specific("bucha") and is_specific("267") and not is_specific("dictator")


def test_yes_names_no_one() -> None:
    """Its key is that of ЄС (the EU): an abbreviation that cannot be told from "yes" is no name."""
    assert not is_name(term_key("yes")) and side_of(term_key("yes")) is None
    assert side_of(term_key("європа")) == "europe"
