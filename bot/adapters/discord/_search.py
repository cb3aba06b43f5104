"""Finding fact-base entries by word, for `/facts search` and autocomplete, off the event loop.

A lookup for people browsing the fact base, not the matcher (which decides whether a message
makes a claim). It runs on every keystroke of an autocomplete, which Discord cannot defer, so
it is built to stay fast for an imported feed of a hundred thousand entries: each entry's
searchable words are joined once per fact base, and a large one is scanned in a worker thread.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.core.factbase import FactBase
from bot.core.models import FactEntry

__all__ = ["INLINE_SEARCH_MAX_ENTRIES", "EntryIndex", "FactSearch"]

# Scanning takes about a microsecond an entry: up to this many the scan stays within the
# millisecond a handler may hold the event loop; beyond, it goes to a worker thread.
INLINE_SEARCH_MAX_ENTRIES = 1_000


class EntryIndex:
    """One fact base's entries with the words they are found by (id, claim, tags, keywords).

    Phrasings are left out: there are dozens per entry, and the keywords already name what an
    entry is about in each language.
    """

    def __init__(self, factbase: FactBase) -> None:
        self.factbase = factbase
        self._texts = [
            (entry, " ".join((entry.id, entry.claim, *entry.tags, *entry.keywords)).casefold())
            for entry in factbase
        ]

    def find(self, query: str, *, limit: int) -> list[FactEntry]:
        """Entries holding every word of `query`, those whose id holds them all first."""
        words = query.casefold().split()
        if not words:
            return list(self.factbase)[:limit]
        by_id: list[FactEntry] = []
        others: list[FactEntry] = []
        for entry, text in self._texts:
            if all(word in text for word in words):
                named = all(word in entry.id for word in words)
                (by_id if named else others).append(entry)
                if len(by_id) >= limit:
                    break  # nothing can rank above these
        return (by_id + others)[:limit]


@dataclass
class FactSearch:
    """The index of the service's current fact base, rebuilt (in a thread) when it changes."""

    _index: EntryIndex | None = field(default=None, repr=False)

    async def index(self, factbase: FactBase) -> EntryIndex:
        index = self._index
        if index is None or index.factbase is not factbase:
            if len(factbase) > INLINE_SEARCH_MAX_ENTRIES:
                index = await asyncio.to_thread(EntryIndex, factbase)
            else:
                index = EntryIndex(factbase)
            self._index = index
        return index

    async def find(self, factbase: FactBase, query: str, *, limit: int) -> list[FactEntry]:
        """`EntryIndex.find` on `factbase`, in a worker thread when the fact base is large."""
        index = await self.index(factbase)
        if len(factbase) > INLINE_SEARCH_MAX_ENTRIES:
            return await asyncio.to_thread(index.find, query, limit=limit)
        return index.find(query, limit=limit)
