"""Implementations of the core's storage port, and `open_store` to pick one.

    store = await open_store(settings.database_url, data_dir=settings.data_dir)
    try:
        service = ClaimwatchService(factbase=..., store=store)
        ...
    finally:
        await store.aclose()

or `async with await open_store(...) as store: ...`. Without a URL the store is the SQLite file
`<data_dir>/claimwatch.sqlite3`, created (and migrated) on first start; a postgresql:// URL
selects PostgreSQL. `MemoryStore` (bot.storage.memory) is the in-memory fake for tests.
"""

from __future__ import annotations

from pathlib import Path

from bot.storage.sql import SQLITE_FILE, SqlStore, database_url

__all__ = ["SQLITE_FILE", "SqlStore", "open_store"]


async def open_store(url: str | None, *, data_dir: Path, upgrade: bool = True) -> SqlStore:
    """Open the store `url` names (None or "": SQLite under `data_dir`) and migrate its schema.

    With `upgrade=False` the schema must already be current. Raises ConfigError for a URL
    claimwatch cannot use and StorageError when the database cannot be reached or migrated.
    The store closes with `await store.aclose()` or as an async context manager.
    """
    return await SqlStore.open(database_url(url, data_dir=data_dir), upgrade_schema=upgrade)
