"""An in-memory Store: the fake every test can use, and single-process runs without a database.

It keeps the same promises as the SQL store (one contract suite checks both), within one process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.core.models import Decision, GuildConfig
from bot.core.ports import (
    QUEUE_PENDING,
    AuditRecord,
    QueueItem,
    ReplyRecord,
    ReplyRef,
    ServerStats,
)
from bot.storage._common import (
    ANSWERED,
    REPLIED,
    SALT_BYTES,
    private_cooldown_key,
    server_prefix,
    server_stats,
    user_cooldown_suffix,
    user_hash,
    without_personal_data,
)

__all__ = ["MemoryStore"]

_MessageKey = tuple[str, str, str, str]  # platform, server, channel, message


@dataclass(frozen=True, slots=True)
class _Vote:
    platform: str
    server_id: str
    reply_id: str
    user_hash: str
    vote: str
    at: dt.datetime


class MemoryStore:
    """Everything in dicts; `audit_log` is public so tests can read what was audited."""

    def __init__(self) -> None:
        self._salt = secrets.token_bytes(SALT_BYTES)
        self._configs: dict[tuple[str, str], GuildConfig] = {}
        self._events: dict[str, dt.datetime] = {}  # key -> expires at
        self._cooldowns: dict[str, dt.datetime] = {}  # key -> cooling down until
        self._queue: dict[str, QueueItem] = {}
        self._queue_authors: dict[str, str] = {}  # queue id -> author hash
        self._replies: dict[_MessageKey, ReplyRecord] = {}  # author_id holds the hash
        self._votes: dict[tuple[str, str, str, str], _Vote] = {}
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()
        self.audit_log: list[AuditRecord] = []  # author_id holds the hash

    async def aclose(self) -> None:
        """Nothing to release; here so every store closes the same way."""

    def _hash(self, platform: str, user_id: str) -> str:
        return user_hash(self._salt, platform, user_id)

    # --- configuration ---------------------------------------------------------------------

    async def get_config(self, platform: str, server_id: str) -> GuildConfig:
        return self._configs.get((platform, server_id), GuildConfig())

    async def set_config(self, platform: str, server_id: str, config: GuildConfig) -> None:
        self._configs[(platform, server_id)] = config

    async def update_config(
        self, platform: str, server_id: str, change: Callable[[GuildConfig], GuildConfig]
    ) -> GuildConfig:
        async with self._lock:
            config = change(await self.get_config(platform, server_id))
            self._configs[(platform, server_id)] = config
            return config

    # --- dedupe and cooldowns --------------------------------------------------------------

    async def claim_event(
        self, key: str, *, ttl: dt.timedelta, now: dt.datetime | None = None
    ) -> bool:
        now = now or dt.datetime.now(dt.UTC)
        async with self._lock:
            expires = self._events.get(key)
            if expires is not None and expires > now:
                return False
            self._events[key] = now + ttl
            return True

    async def take_cooldowns(self, keys: dict[str, dt.timedelta], *, now: dt.datetime) -> bool:
        keys = {private_cooldown_key(key, self._salt): length for key, length in keys.items()}
        async with self._lock:
            if any(self._cooldowns.get(k, now) > now for k in keys):
                return False
            for key, length in keys.items():
                self._cooldowns[key] = now + length
            return True

    # --- audit and replies -----------------------------------------------------------------

    async def audit(self, record: AuditRecord) -> None:
        author = record.author_id
        hashed = self._hash(record.platform, author) if author is not None else None
        self.audit_log.append(replace(record, author_id=hashed))

    async def audit_records(self, platform: str, server_id: str) -> list[AuditRecord]:
        return [r for r in self.audit_log if (r.platform, r.server_id) == (platform, server_id)]

    async def was_answered(
        self, platform: str, server_id: str, channel_id: str, message_id: str
    ) -> bool:
        key = (platform, server_id, channel_id, message_id)
        return any(
            (r.platform, r.server_id, r.channel_id, r.message_id) == key and r.action in ANSWERED
            for r in self.audit_log
        )

    async def record_reply(self, reply: ReplyRecord) -> None:
        key = (reply.platform, reply.server_id, reply.channel_id, reply.message_id)
        self._replies[key] = replace(reply, author_id=self._hash(reply.platform, reply.author_id))
        self.audit_log = [
            replace(r, reply_id=reply.reply.reply_id)
            if (r.platform, r.server_id, r.channel_id, r.message_id) == key
            and r.action in REPLIED
            and r.reply_id is None
            else r
            for r in self.audit_log
        ]

    async def forget_message(
        self, platform: str, server_id: str, channel_id: str, message_id: str
    ) -> ReplyRef | None:
        key = (platform, server_id, channel_id, message_id)
        async with self._lock:
            for item_id, item in list(self._queue.items()):
                msg = item.decision.message
                same = (msg.platform, msg.server_id, msg.channel_id, msg.message_id) == key
                if same and item.status == QUEUE_PENDING:
                    del self._queue[item_id]
            self.audit_log = [
                replace(r, text=None)
                if (r.platform, r.server_id, r.channel_id, r.message_id) == key
                else r
                for r in self.audit_log
            ]
            reply = self._replies.pop(key, None)
            return reply.reply if reply is not None else None

    # --- the moderators' queue -------------------------------------------------------------

    async def enqueue(self, decision: Decision, *, now: dt.datetime) -> QueueItem:
        item_id = str(next(self._ids))
        item = QueueItem(id=item_id, decision=replace(decision, queue_id=item_id), created_at=now)
        self._queue[item_id] = item
        self._queue_authors[item_id] = self._hash(
            decision.message.platform, decision.message.author_id
        )
        return item

    async def resolve(
        self, queue_id: str, *, status: str, moderator: str, now: dt.datetime
    ) -> QueueItem | None:
        async with self._lock:
            item = self._queue.get(queue_id)
            if item is None or item.status != QUEUE_PENDING:
                return None
            item = replace(item, status=status, resolved_by=moderator)
            self._queue[queue_id] = replace(item, decision=without_personal_data(item.decision))
            return item

    async def pending(self, platform: str, server_id: str) -> list[QueueItem]:
        return [
            item
            for item in self._queue.values()
            if item.status == QUEUE_PENDING
            and item.decision.message.platform == platform
            and item.decision.message.server_id == server_id
        ]

    # --- feedback and stats ----------------------------------------------------------------

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
        known = any(
            r.platform == platform and r.server_id == server_id and r.reply.reply_id == reply_id
            for r in self._replies.values()
        )
        if not known:
            return False
        voter = self._hash(platform, user_id)
        self._votes[(platform, server_id, reply_id, voter)] = _Vote(
            platform, server_id, reply_id, voter, vote, now
        )
        return True

    async def stats(self, platform: str, server_id: str) -> ServerStats:
        return server_stats(
            (
                (r.action, r.claim_id, 1)
                for r in self.audit_log
                if r.platform == platform and r.server_id == server_id
            ),
            (
                (v.vote, 1)
                for v in self._votes.values()
                if v.platform == platform and v.server_id == server_id
            ),
        )

    # --- forgetting ------------------------------------------------------------------------

    async def forget_texts(self, platform: str, server_id: str) -> None:
        self.audit_log = [
            replace(r, text=None) if (r.platform, r.server_id) == (platform, server_id) else r
            for r in self.audit_log
        ]

    async def forget_server(self, platform: str, server_id: str) -> None:
        server = (platform, server_id)
        prefix = server_prefix(platform, server_id)
        async with self._lock:
            self._configs.pop(server, None)
            self.audit_log = [r for r in self.audit_log if (r.platform, r.server_id) != server]
            for item_id, item in list(self._queue.items()):
                if (item.decision.message.platform, item.decision.message.server_id) == server:
                    del self._queue[item_id]
                    self._queue_authors.pop(item_id, None)
            self._replies = {k: v for k, v in self._replies.items() if k[:2] != server}
            self._votes = {k: v for k, v in self._votes.items() if k[:2] != server}
            self._events = {k: v for k, v in self._events.items() if not k.startswith(prefix)}
            self._cooldowns = {k: v for k, v in self._cooldowns.items() if not k.startswith(prefix)}

    async def forget_user(self, platform: str, user_id: str) -> None:
        hashed = self._hash(platform, user_id)
        suffix = user_cooldown_suffix(hashed)
        async with self._lock:
            for (config_platform, server_id), config in list(self._configs.items()):
                if config_platform == platform and user_id in config.exempt_users:
                    self._configs[(platform, server_id)] = replace(
                        config, exempt_users=config.exempt_users - {user_id}
                    )
            self.audit_log = [
                replace(r, actor=None) if r.platform == platform and r.actor == user_id else r
                for r in self.audit_log
                if not (r.platform == platform and r.author_id == hashed)
            ]
            for item_id, item in list(self._queue.items()):
                if item.decision.message.platform != platform:
                    continue
                if self._queue_authors.get(item_id) == hashed:
                    del self._queue[item_id]
                    self._queue_authors.pop(item_id, None)
                elif item.resolved_by == user_id:
                    self._queue[item_id] = replace(item, resolved_by=None)
            self._replies = {
                k: v
                for k, v in self._replies.items()
                if not (k[0] == platform and v.author_id == hashed)
            }
            self._votes = {
                k: v for k, v in self._votes.items() if not (k[0] == platform and k[3] == hashed)
            }
            self._cooldowns = {
                k: v
                for k, v in self._cooldowns.items()
                if not (k.startswith(f"{platform}:") and k.endswith(suffix))
            }

    async def sweep(self, *, now: dt.datetime) -> int:
        def expired(platform: str, server_id: str, at: dt.datetime) -> bool:
            days = self._configs.get((platform, server_id), GuildConfig()).retention_days
            return at < now - dt.timedelta(days=days)

        def text_allowed(platform: str, server_id: str) -> bool:
            return self._configs.get((platform, server_id), GuildConfig()).store_message_text

        async with self._lock:
            before = self._size()
            # Text audited by a message that read the configuration just before
            # `store_message_text` went off (after `forget_texts` ran) is erased here.
            self.audit_log = [
                r
                if r.text is None or text_allowed(r.platform, r.server_id)
                else replace(r, text=None)
                for r in self.audit_log
                if not expired(r.platform, r.server_id, r.at)
            ]
            for item_id, item in list(self._queue.items()):
                msg = item.decision.message
                if expired(msg.platform, msg.server_id, item.created_at):
                    del self._queue[item_id]
                    self._queue_authors.pop(item_id, None)
            self._replies = {k: v for k, v in self._replies.items() if not expired(*k[:2], v.at)}
            self._votes = {k: v for k, v in self._votes.items() if not expired(*k[:2], v.at)}
            self._events = {k: v for k, v in self._events.items() if v > now}
            self._cooldowns = {k: v for k, v in self._cooldowns.items() if v > now}
            return before - self._size()

    def _size(self) -> int:
        return (
            len(self.audit_log)
            + len(self._queue)
            + len(self._replies)
            + len(self._votes)
            + len(self._events)
            + len(self._cooldowns)
        )
