"""What the core needs from the outside world, as Protocols. Storage implements them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from bot.core.models import Decision, GuildConfig

__all__ = ["AuditRecord", "Clock", "QueueItem", "Store"]


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A borderline match waiting for a moderator."""

    id: str
    decision: Decision
    created_at: dt.datetime
    status: str = "pending"  # pending | approved | dismissed
    resolved_by: str | None = None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    platform: str
    server_id: str
    channel_id: str
    message_id: str
    claim_id: str | None
    score: float
    tier: str
    action: str
    at: dt.datetime
    reply_id: str | None = None
    actor: str | None = None  # the moderator, for approvals and dismissals
    text: str | None = None  # only where the server opted in to storing message text


class Store(Protocol):
    """Everything the service remembers. Implementations must be safe across processes."""

    async def get_config(self, platform: str, server_id: str) -> GuildConfig: ...

    async def set_config(self, platform: str, server_id: str, config: GuildConfig) -> None: ...

    async def claim_event(self, key: str, *, ttl: dt.timedelta) -> bool:
        """True the first time `key` is seen within `ttl`; False for a duplicate delivery."""
        ...

    async def take_cooldowns(self, keys: dict[str, dt.timedelta], *, now: dt.datetime) -> bool:
        """If none of `keys` is cooling down, start all of them and return True; else False."""
        ...

    async def audit(self, record: AuditRecord) -> None: ...

    async def enqueue(self, decision: Decision, *, now: dt.datetime) -> QueueItem: ...

    async def resolve(
        self, queue_id: str, *, status: str, moderator: str, now: dt.datetime
    ) -> QueueItem | None:
        """Mark a pending item approved or dismissed; None when unknown or already resolved."""
        ...

    async def pending(self, platform: str, server_id: str) -> list[QueueItem]: ...
