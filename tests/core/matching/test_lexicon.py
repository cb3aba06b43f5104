"""The shipped word-frequency table stays in step with normalisation."""

from __future__ import annotations

import gzip
from importlib import resources

from bot.core.matching.lexicon import COMMON_WORDS_FILE, commonness, is_specific, is_stop_key
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
