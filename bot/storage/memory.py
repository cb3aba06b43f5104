"""An in-memory Store: for the console demo, tests and single-process runs without a database."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from dataclasses import replace

from bot.core.models import Decision, GuildConfig
from bot.core.ports import AuditRecord, QueueItem

__all__ = ["MemoryStore"]


class MemoryStore:
    def __init__(self) -> None:
        self._configs: dict[tuple[str, str], GuildConfig] = {}
        self._events: dict[str, dt.datetime] = {}
        self._cooldowns: dict[str, dt.datetime] = {}
        self._queue: dict[str, QueueItem] = {}
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()
        self.audit_log: list[AuditRecord] = []

    async def get_config(self, platform: str, server_id: str) -> GuildConfig:
        return self._configs.get((platform, server_id), GuildConfig())

    async def set_config(self, platform: str, server_id: str, config: GuildConfig) -> None:
        self._configs[(platform, server_id)] = config

    async def claim_event(self, key: str, *, ttl: dt.timedelta) -> bool:
        now = dt.datetime.now(dt.UTC)
        async with self._lock:
            seen = self._events.get(key)
            if seen is not None and now - seen < ttl:
                return False
            self._events[key] = now
            return True

    async def take_cooldowns(self, keys: dict[str, dt.timedelta], *, now: dt.datetime) -> bool:
        async with self._lock:
            if any(self._cooldowns.get(k, now) > now for k in keys):
                return False
            for key, length in keys.items():
                self._cooldowns[key] = now + length
            return True

    async def audit(self, record: AuditRecord) -> None:
        self.audit_log.append(record)

    async def enqueue(self, decision: Decision, *, now: dt.datetime) -> QueueItem:
        item = QueueItem(id=str(next(self._ids)), decision=decision, created_at=now)
        self._queue[item.id] = item
        return item

    async def resolve(
        self, queue_id: str, *, status: str, moderator: str, now: dt.datetime
    ) -> QueueItem | None:
        async with self._lock:
            item = self._queue.get(queue_id)
            if item is None or item.status != "pending":
                return None
            item = replace(item, status=status, resolved_by=moderator)
            self._queue[queue_id] = item
            return item

    async def pending(self, platform: str, server_id: str) -> list[QueueItem]:
        return [
            item
            for item in self._queue.values()
            if item.status == "pending"
            and item.decision.message.platform == platform
            and item.decision.message.server_id == server_id
        ]
