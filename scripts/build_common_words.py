"""Regenerate bot/core/matching/data/common_words.tsv.gz from the `wordfreq` package.

The matcher discounts words that are common in everyday language ("bought", "money", "war"), so that
only distinctive terms ("Bucha", "biolabs", "Bugatti") carry a match. wordfreq is needed only to
rebuild this table, not at run time:  pip install wordfreq && python scripts/build_common_words.py
Rebuild it whenever `term_key` changes (tests/core/matching/test_lexicon.py checks that).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import wordfreq  # type: ignore[import-not-found]

from bot.core.matching.normalize import term_key

LANGUAGES = ("en", "uk", "ru")
WORDS_PER_LANGUAGE = 30_000
OUT = Path(__file__).resolve().parent.parent / "bot/core/matching/data/common_words.tsv.gz"


def main() -> None:
    lines = []
    for lang in LANGUAGES:
        for word in wordfreq.top_n_list(lang, WORDS_PER_LANGUAGE):
            if any(ch.isalpha() for ch in word):
                zipf = wordfreq.zipf_frequency(word, lang)
                # The key is stored so that loading costs no normalisation; a test keeps it current.
                lines.append(f"{lang}\t{word}\t{zipf:.1f}\t{term_key(word)}")
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"{len(lines)} words -> {OUT}")


if __name__ == "__main__":
    main()
