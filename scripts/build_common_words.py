"""Regenerate bot/core/matching/data/common_words.tsv.gz from the `wordfreq` package.

The matcher discounts words that are common in everyday language ("bought", "money", "war"), so that
only distinctive terms ("Bucha", "biolabs", "Bugatti") carry a match. wordfreq is needed only to
rebuild this table, not at run time:  pip install wordfreq && python scripts/build_common_words.py
"""

from __future__ import annotations

import gzip
from pathlib import Path

import wordfreq  # type: ignore[import-not-found]

LANGUAGES = ("en", "uk", "ru")
WORDS_PER_LANGUAGE = 30_000
OUT = Path(__file__).resolve().parent.parent / "bot/core/matching/data/common_words.tsv.gz"


def main() -> None:
    lines = []
    for lang in LANGUAGES:
        for word in wordfreq.top_n_list(lang, WORDS_PER_LANGUAGE):
            if any(ch.isalpha() for ch in word):
                lines.append(f"{lang}\t{word}\t{wordfreq.zipf_frequency(word, lang):.1f}")
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"{len(lines)} words -> {OUT}")


if __name__ == "__main__":
    main()
