"""Finding fact-base entries by word: what `/facts search` and autocomplete offer."""

from __future__ import annotations

from dataclasses import replace

from bot.adapters.discord._search import EntryIndex, FactSearch
from bot.core.factbase import FactBase


def ids(found: list[object]) -> list[str]:
    return [entry.id for entry in found]  # type: ignore[attr-defined]


def test_every_word_must_be_found_and_ids_rank_first(factbase: FactBase) -> None:
    index = EntryIndex(factbase)
    found = ids(index.find("Zelensky", limit=25))
    named = [entry_id for entry_id in found if "zelensky" in entry_id]
    assert len(named) >= 5 and found[: len(named)] == named
    assert ids(index.find("bucha staged", limit=25)) == ["bucha-staged"]
    assert index.find("bucha yachts", limit=25) == []


def test_found_by_claim_tag_or_keyword_in_any_language(factbase: FactBase) -> None:
    index = EntryIndex(factbase)
    assert "bucha-staged" in ids(index.find("civilians", limit=25))  # a word of the claim
    assert ids(index.find("инсценировка", limit=25)) == ["bucha-staged"]  # a keyword
    entry = factbase.get("bucha-staged")
    assert entry is not None and entry.tags
    assert "bucha-staged" in ids(index.find(entry.tags[0], limit=100))


def test_limit_and_an_empty_query(factbase: FactBase) -> None:
    index = EntryIndex(factbase)
    assert len(index.find("", limit=3)) == 3
    assert len(index.find("the", limit=2)) == 2


async def test_a_new_fact_base_gets_a_new_index(factbase: FactBase) -> None:
    search = FactSearch()
    assert ids(await search.find(factbase, "bucha staged", limit=5)) == ["bucha-staged"]
    renamed = FactBase(
        entries=tuple(replace(e, id=f"v2-{e.id}") for e in factbase), origin="reloaded"
    )
    assert ids(await search.find(renamed, "bucha staged", limit=5)) == ["v2-bucha-staged"]
