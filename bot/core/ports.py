"""What the core needs from the outside world, as Protocols. Storage implements them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.core.models import Decision, GuildConfig

__all__ = [
    "AUDIT_APPROVED",
    "AUDIT_DISMISSED",
    "QUEUE_APPROVED",
    "QUEUE_DISMISSED",
    "QUEUE_PENDING",
    "AuditRecord",
    "Clock",
    "QueueItem",
    "ReplyRecord",
    "ReplyRef",
    "ServerStats",
    "Store",
]

# Audit actions for a moderator's verdict on a queued match (automatic ones are `Action` values).
AUDIT_APPROVED = "approved"
AUDIT_DISMISSED = "dismissed"
# The states of a queue item.
QUEUE_PENDING = "pending"
QUEUE_APPROVED = "approved"
QUEUE_DISMISSED = "dismissed"


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A borderline match waiting for a moderator.

    `decision.queue_id` is the item's id. While an item is pending its decision keeps the message
    text and author id (moderators review them); a resolved item keeps neither.
    """

    id: str
    decision: Decision
    created_at: dt.datetime
    status: str = QUEUE_PENDING  # pending | approved | dismissed
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
    # Whose message it was, so that forget_user can find it; stores keep only a salted hash.
    author_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReplyRef:
    """Where the bot's reply to a message is: enough for an adapter to delete or edit it."""

    channel_id: str
    reply_id: str


@dataclass(frozen=True, slots=True)
class ReplyRecord:
    """A reply the bot posted, remembered for deletes, edits and feedback."""

    platform: str
    server_id: str
    channel_id: str  # of the message answered
    message_id: str
    author_id: str  # of the message answered; stores keep only a salted hash
    claim_id: str | None
    reply: ReplyRef
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class ServerStats:
    """What the bot did on one server, and how people judged it."""

    alerts: int  # replies posted on the bot's own confidence
    suggestions: int  # matches sent to the moderators
    approved: int
    dismissed: int
    per_claim: dict[str, int]  # claim id -> replies (automatic and approved)
    feedback: dict[str, int]  # vote -> count
    moderator_precision: float | None  # approved / (approved + dismissed); None before any


class Store(Protocol):
    """Everything the service remembers. Implementations must be safe across processes.

    User ids passed in (authors, voters) are stored as salted hashes, never in the clear.
    """

    async def get_config(self, platform: str, server_id: str) -> GuildConfig: ...

    async def set_config(self, platform: str, server_id: str, config: GuildConfig) -> None: ...

    async def update_config(
        self, platform: str, server_id: str, change: Callable[[GuildConfig], GuildConfig]
    ) -> GuildConfig:
        """Apply `change` to the stored configuration atomically and return the result.

        `change` may run more than once (when another process changed the row meanwhile); an
        exception from it propagates and nothing is stored.
        """
        ...

    async def claim_event(
        self, key: str, *, ttl: dt.timedelta, now: dt.datetime | None = None
    ) -> bool:
        """True the first time `key` is seen within `ttl`; False for a duplicate delivery."""
        ...

    async def take_cooldowns(self, keys: dict[str, dt.timedelta], *, now: dt.datetime) -> bool:
        """If none of `keys` is cooling down, start all of them and return True; else False."""
        ...

    async def audit(self, record: AuditRecord) -> None: ...

    async def audit_records(self, platform: str, server_id: str) -> list[AuditRecord]:
        """A server's audit records, oldest first (`author_id` holds the salted hash)."""
        ...

    async def was_answered(
        self, platform: str, server_id: str, channel_id: str, message_id: str
    ) -> bool:
        """Whether the bot replied to the message or sent it to the moderators."""
        ...

    async def enqueue(self, decision: Decision, *, now: dt.datetime) -> QueueItem: ...

    async def resolve(
        self, queue_id: str, *, status: str, moderator: str, now: dt.datetime
    ) -> QueueItem | None:
        """Mark a pending item approved or dismissed; None when unknown or already resolved.

        The item returned still carries the message text and author; the stored one no longer
        does.
        """
        ...

    async def pending(self, platform: str, server_id: str) -> list[QueueItem]:
        """The pending items of one server, oldest first."""
        ...

    async def record_reply(self, reply: ReplyRecord) -> None:
        """Remember the reply and note its id on the message's audit records."""
        ...

    async def forget_message(
        self, platform: str, server_id: str, channel_id: str, message_id: str
    ) -> ReplyRef | None:
        """The message was deleted: drop its reply (returned), pending queue items and text."""
        ...

    async def record_feedback(
        self,
        *,
        platform: str,
        server_id: str,
        reply_id: str,
        user_id: str,
        vote: str,
        now: dt.datetime,
    ) -> bool:
        """One vote per user per reply (a later vote replaces it); False for an unknown reply."""
        ...

    async def stats(self, platform: str, server_id: str) -> ServerStats: ...

    async def forget_texts(self, platform: str, server_id: str) -> None:
        """Erase the message text kept on a server's audit records (pending queue items keep
        theirs: moderators still have to review them)."""
        ...

    async def forget_server(self, platform: str, server_id: str) -> None: ...

    async def forget_user(self, platform: str, user_id: str) -> None:
        """Delete a user's records and votes, erase them as moderator, and take their id off
        every server's `exempt_users`."""
        ...

    async def sweep(self, *, now: dt.datetime) -> int:
        """Delete records older than each server's retention and expired dedupe/cooldown state.

        Returns the number of rows deleted; 0 when another process is sweeping at the moment.
        """
        ...
