"""The use cases of claimwatch: what every adapter (Discord, Slack, console, CLI) calls.

The service wires a fact base and its matcher to the moderator policy and the store. It decides;
adapters only translate platform events to `IncomingMessage` and render the `Decision` back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from bot.core import policy
from bot.core.factbase import FactBase, load_bundled, load_factbase
from bot.core.matching import Matcher
from bot.core.models import (
    Action,
    Decision,
    GuildConfig,
    IncomingMessage,
    Match,
    ReplyMode,
    Tier,
)
from bot.core.ports import (
    AUDIT_APPROVED,
    AUDIT_DISMISSED,
    QUEUE_APPROVED,
    QUEUE_DISMISSED,
    AuditRecord,
    Clock,
    QueueItem,
    ReplyRecord,
    ReplyRef,
    ServerStats,
    Store,
)
from bot.errors import ConfigError, StorageError

__all__ = [
    "AUDIT_APPROVED",
    "AUDIT_DISMISSED",
    "DEDUPE_TTL",
    "FEEDBACK_VOTES",
    "INLINE_MATCH_MAX_CHARS",
    "RETENTION_SWEEP_INTERVAL",
    "ClaimwatchService",
    "QueueItem",
    "ReplyRef",
    "ServerStats",
    "UtcClock",
]

# Platforms redeliver events after reconnects and retries (Slack retries within minutes, a
# Discord gateway resume replays what was missed); a day covers both with room to spare.
DEDUPE_TTL = dt.timedelta(days=1)
# Matching a short message takes well under a millisecond; longer posts can take a few, so they
# are matched in a worker thread to keep a live bot's event loop responsive.
INLINE_MATCH_MAX_CHARS = 1_000
# How often a running bot sweeps what is past each server's retention: records outlive their
# `retention_days` by at most this. Every replica sweeps; the store lets one at a time through.
RETENTION_SWEEP_INTERVAL = dt.timedelta(hours=1)
# What people may say about a reply of the bot.
FEEDBACK_VOTES = ("helpful", "not_helpful", "wrong_claim")

# What a message the service never looked at "matched": nothing.
_UNCHECKED = Match(entry=None, tier=Tier.NONE, score=0.0)

log = logging.getLogger(__name__)


class UtcClock:
    """The wall clock, always timezone-aware UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class ClaimwatchService:
    """Checks messages against the fact base under each server's moderator policy.

    Build once per process; it starts no tasks and does no I/O until a use case is called.
    """

    def __init__(self, *, factbase: FactBase, store: Store, clock: Clock | None = None) -> None:
        self._matcher = Matcher(factbase)
        self._store = store
        self._clock: Clock = clock or UtcClock()

    @property
    def factbase(self) -> FactBase:
        """The fact base currently in use (replaced by `reload_facts`)."""
        return self._matcher.factbase

    @property
    def matcher(self) -> Matcher:
        """The matcher built from the current fact base."""
        return self._matcher

    # --- checking ------------------------------------------------------------------------------

    def check(self, text: str) -> Match:
        """Match `text` with the calibrated thresholds and no moderator policy (/factcheck, CLI)."""
        return self._matcher.match(text)

    async def on_message(self, msg: IncomingMessage) -> Decision:
        """Decide what passive monitoring does with one chat message: reply, suggest or ignore."""
        return await self._decide(msg, edited=False)

    async def on_message_edited(self, msg: IncomingMessage) -> Decision:
        """Check an edited message again, once; IGNORE when it was answered or re-checked."""
        return await self._decide(msg, edited=True)

    async def _decide(self, msg: IncomingMessage, *, edited: bool) -> Decision:
        config = await self._store.get_config(msg.platform, msg.server_id)

        def decide(action: Action, reason: str, match: Match = _UNCHECKED) -> Decision:
            return Decision(
                action=action,
                message=msg,
                match=match,
                reason=reason,
                reply_mode=config.reply_mode,
                log_channel=config.log_channel,
                language=config.language,
            )

        skip = policy.skip_reason(msg, config)
        if skip is not None:
            return decide(Action.IGNORE, skip)
        event_key = f"{msg.platform}:{msg.server_id}:{msg.channel_id}:{msg.message_id}"
        if edited:
            # A reply (or a queue item) stays about the original; editing a message to fish for
            # a second answer gets none.
            if await self._store.was_answered(
                msg.platform, msg.server_id, msg.channel_id, msg.message_id
            ):
                return decide(Action.IGNORE, "already answered")
            event_key += ":edited"
        if not await self._store.claim_event(event_key, ttl=DEDUPE_TTL, now=self._clock.now()):
            return decide(Action.IGNORE, "already re-checked" if edited else "duplicate delivery")

        match = await self._match(msg.text, config)
        action, reason = policy.action_for(match, config)
        if action is Action.IGNORE:
            return decide(action, reason, match)

        now = self._clock.now()
        # match.entry is set for every REPLY/SUGGEST: policy ignores matches without one.
        claim_id = match.entry.id if match.entry is not None else ""
        if action is Action.REPLY:
            keys = policy.cooldown_keys(msg, claim_id, config)
            if not await self._store.take_cooldowns(keys, now=now):
                # Not queued either: the bot spoke here moments ago; moderators need no echo of it.
                return decide(Action.IGNORE, "cooldown", match)
            decision = decide(action, reason, match)
        else:
            keys = policy.queue_cooldown_keys(msg, claim_id, config)
            if not await self._store.take_cooldowns(keys, now=now):
                return decide(Action.IGNORE, "already with the moderators", match)
            decision = decide(action, reason, match)
            item = await self._store.enqueue(decision, now=now)
            decision = replace(decision, queue_id=item.id)
        await self._audit(decision, config, now=now)
        return decision

    async def _match(self, text: str, config: GuildConfig) -> Match:
        matcher = self._matcher  # one matcher for the whole message, even across a reload
        thresholds = policy.thresholds_for(config, matcher.thresholds)
        if len(text) > INLINE_MATCH_MAX_CHARS:
            return await asyncio.to_thread(matcher.match, text, thresholds=thresholds)
        return matcher.match(text, thresholds=thresholds)

    # --- moderators ----------------------------------------------------------------------------

    async def set_config(self, platform: str, server_id: str, config: GuildConfig) -> None:
        """Store a server's (or workspace's) moderator settings; ConfigError when out of bounds.

        With `store_message_text` off, message text kept earlier is erased.
        """
        policy.validate_config(config, self._matcher.thresholds)
        await self._store.set_config(platform, server_id, config)
        if not config.store_message_text:
            await self._store.forget_texts(platform, server_id)

    async def update_config(self, platform: str, server_id: str, **changes: object) -> GuildConfig:
        """Change some settings of a server and return its whole configuration.

        Keys are `GuildConfig` field names; values are typed or text (see
        `policy.parse_config_changes`). All or nothing: on ConfigError nothing changes.
        Switching `store_message_text` off erases the message text kept so far.
        """
        tags = policy.known_tags(self.factbase)
        parsed = policy.parse_config_changes(changes, known_tags=tags)
        thresholds = self._matcher.thresholds

        def change(current: GuildConfig) -> GuildConfig:
            updated = replace(current, **parsed)  # type: ignore[arg-type]
            policy.validate_config(updated, thresholds)
            return updated

        updated = await self._store.update_config(platform, server_id, change)
        if "store_message_text" in parsed and not updated.store_message_text:
            # Taking the permission back takes back what was kept under it.
            await self._store.forget_texts(platform, server_id)
        return updated

    async def edit_list(
        self,
        platform: str,
        server_id: str,
        key: str,
        *,
        add: Iterable[str] = (),
        remove: Iterable[str] = (),
    ) -> GuildConfig:
        """Add ids to and remove ids from one list setting (`policy.LIST_FIELDS`) and return the
        whole configuration.

        Atomic, unlike reading the list and setting it again: two moderators adding channels at
        the same moment both keep theirs. ConfigError (and no change) for a bad id, an unknown
        tag to add, or a list grown past `policy.MAX_IDS`.
        """
        if key not in policy.LIST_FIELDS:
            lists = ", ".join(policy.LIST_FIELDS)
            raise ConfigError(f"{key}: not a list setting (lists: {lists})")
        tags = policy.known_tags(self.factbase)
        added = policy.parse_config_changes({key: list(add)}, known_tags=tags)[key]
        # Taking away a tag the fact base no longer has is fine: that is how it gets cleaned up.
        removed = policy.parse_config_changes({key: list(remove)})[key]
        assert isinstance(added, frozenset) and isinstance(removed, frozenset)
        thresholds = self._matcher.thresholds

        def change(current: GuildConfig) -> GuildConfig:
            values: frozenset[str] = getattr(current, key)
            updated = replace(current, **{key: (values | added) - removed})  # type: ignore[arg-type]
            policy.validate_config(updated, thresholds)
            return updated

        return await self._store.update_config(platform, server_id, change)

    async def forget_channel(self, platform: str, server_id: str, channel_id: str) -> bool:
        """A channel was deleted: drop it from every channel list and clear it as the moderators'
        log, in one atomic update (a moderator changing the settings meanwhile keeps their
        change). True when the settings mentioned the channel."""
        forgotten = False

        def change(current: GuildConfig) -> GuildConfig:
            nonlocal forgotten
            updated = policy.without_channel(current, channel_id)
            forgotten = updated != current
            return updated

        await self._store.update_config(platform, server_id, change)
        return forgotten

    async def get_config(self, platform: str, server_id: str) -> GuildConfig:
        """A server's moderator settings (defaults when none were stored)."""
        return await self._store.get_config(platform, server_id)

    async def pending(self, platform: str, server_id: str) -> list[QueueItem]:
        """The moderators' queue of one server: borderline matches waiting for a decision."""
        return await self._store.pending(platform, server_id)

    async def approve(self, queue_id: str, *, moderator: str) -> Decision | None:
        """Approve a queued match: the REPLY decision to post, or None if unknown or resolved."""
        now = self._clock.now()
        item = await self._store.resolve(
            queue_id, status=QUEUE_APPROVED, moderator=moderator, now=now
        )
        if item is None:
            return None
        queued = item.decision
        # A moderator's approval is the explicit choice to answer in the channel, so a server in
        # moderators-only mode gets the reply in a thread.
        mode = ReplyMode.THREAD if queued.reply_mode is ReplyMode.MODERATORS_ONLY else None
        decision = replace(
            queued,
            action=Action.REPLY,
            reason=f"approved by a moderator ({queued.reason})",
            reply_mode=mode or queued.reply_mode,
            queue_id=item.id,
            extra={**queued.extra, "approved_by": moderator},
        )
        config = await self._store.get_config(queued.message.platform, queued.message.server_id)
        await self._audit(decision, config, now=now, action=AUDIT_APPROVED, actor=moderator)
        return decision

    async def dismiss(self, queue_id: str, *, moderator: str) -> bool:
        """Dismiss a queued match; False if the item is unknown or already resolved."""
        now = self._clock.now()
        item = await self._store.resolve(
            queue_id, status=QUEUE_DISMISSED, moderator=moderator, now=now
        )
        if item is None:
            return False
        message = item.decision.message
        config = await self._store.get_config(message.platform, message.server_id)
        await self._audit(item.decision, config, now=now, action=AUDIT_DISMISSED, actor=moderator)
        return True

    async def _audit(
        self,
        decision: Decision,
        config: GuildConfig,
        *,
        now: dt.datetime,
        action: str | None = None,
        actor: str | None = None,
    ) -> None:
        msg, match = decision.message, decision.match
        await self._store.audit(
            AuditRecord(
                platform=msg.platform,
                server_id=msg.server_id,
                channel_id=msg.channel_id,
                message_id=msg.message_id,
                claim_id=match.entry.id if match.entry is not None else None,
                score=match.score,
                tier=match.tier.value,
                action=action or decision.action.value,
                at=now,
                actor=actor,
                author_id=msg.author_id,
                # Privacy: message text is kept only where the server's moderators opted in.
                text=msg.text if config.store_message_text else None,
            )
        )

    # --- replies and feedback ------------------------------------------------------------------

    async def record_reply(
        self, decision: Decision, *, reply_id: str, reply_channel_id: str
    ) -> None:
        """The bot posted `reply_id` for `decision.message`: note it on the audit record and
        remember it for deletes, edits and feedback."""
        msg, entry = decision.message, decision.match.entry
        await self._store.record_reply(
            ReplyRecord(
                platform=msg.platform,
                server_id=msg.server_id,
                channel_id=msg.channel_id,
                message_id=msg.message_id,
                author_id=msg.author_id,
                claim_id=entry.id if entry is not None else None,
                reply=ReplyRef(channel_id=reply_channel_id, reply_id=reply_id),
                at=self._clock.now(),
            )
        )

    async def on_message_deleted(
        self, *, platform: str, server_id: str, channel_id: str, message_id: str
    ) -> ReplyRef | None:
        """A message was deleted: the bot's reply to it (for the adapter to delete), if any.

        The reply is forgotten, a pending queue item for the message is dropped and any stored
        text of the message is erased.
        """
        return await self._store.forget_message(platform, server_id, channel_id, message_id)

    async def record_feedback(
        self, *, platform: str, server_id: str, reply_id: str, user_id: str, vote: str
    ) -> bool:
        """A user's vote on a reply; a later vote replaces their earlier one.

        True when recorded, False when the reply is unknown (never recorded, or forgotten).
        `vote` must be one of FEEDBACK_VOTES (else ConfigError).
        """
        if vote not in FEEDBACK_VOTES:
            raise ConfigError(f"vote: expected one of {', '.join(FEEDBACK_VOTES)} (got {vote!r})")
        return await self._store.record_feedback(
            platform=platform,
            server_id=server_id,
            reply_id=reply_id,
            user_id=user_id,
            vote=vote,
            now=self._clock.now(),
        )

    async def stats(self, platform: str, server_id: str) -> ServerStats:
        """What the bot did on a server and how moderators and users judged it."""
        return await self._store.stats(platform, server_id)

    # --- privacy -------------------------------------------------------------------------------

    async def forget(self, platform: str, server_id: str) -> None:
        """Delete everything stored about a server: configuration, audit, queue, feedback."""
        await self._store.forget_server(platform, server_id)

    async def forget_user(self, platform: str, user_id: str) -> None:
        """Delete what is stored about a user: their messages' records, votes and queue items;
        their name on moderator actions is erased and their id leaves every `exempt_users`."""
        await self._store.forget_user(platform, user_id)

    async def sweep(self) -> int:
        """Retention: delete what is older than each server's `retention_days`; rows deleted.

        Also erases message text on servers with `store_message_text` off: text a message audited
        while the option was being switched off (after `forget_texts`) lasts until this sweep.
        """
        return await self._store.sweep(now=self._clock.now())

    async def keep_retention(self, *, interval: dt.timedelta = RETENTION_SWEEP_INTERVAL) -> None:
        """Sweep now and then every `interval` until cancelled (a running bot's background task).

        A sweep that fails (the database is briefly away, or a bug) is logged and tried again
        next time: retention is no reason to take a bot down, nor to end without a word.
        """
        while True:
            try:
                deleted = await self.sweep()
            except StorageError as exc:
                log.warning("retention sweep failed, next try in %s: %s", interval, exc)
            except Exception:
                log.exception("retention sweep failed unexpectedly, next try in %s", interval)
            else:
                if deleted:
                    log.info("retention sweep: %d records deleted", deleted)
            await asyncio.sleep(interval.total_seconds())

    # --- fact base -----------------------------------------------------------------------------

    def reload_facts(self, paths: Sequence[str | Path]) -> None:
        """Load a new fact base from `paths` (empty: the bundled one) and switch to it.

        All or nothing: on FactBaseError the running fact base and matcher stay in use and the
        error propagates to the caller.
        """
        factbase = load_factbase(paths) if paths else load_bundled()
        # One assignment swaps fact base and matcher together; a message being matched keeps the
        # matcher it started with.
        self._matcher = Matcher(factbase)
