"""The claimwatch Discord client: intents, commands, persistent buttons and gateway events."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord import _monitor
from bot.adapters.discord._commands import build_commands
from bot.adapters.discord._context import BotDeps, Interaction, deps_of
from bot.adapters.discord._moderation import INVITE_PERMISSIONS, ModeratorCommands, NotModerator
from bot.adapters.discord._replies import (
    FAILED,
    NOT_A_MODERATOR,
    CannotPost,
    FeedbackButton,
    QueueButton,
)
from bot.adapters.discord._respond import DEFER_AFTER_S, send_error
from bot.core.service import ClaimwatchService
from bot.errors import ConfigError

__all__ = [
    "INVITE_SCOPES",
    "MAX_RATELIMIT_WAIT_S",
    "ClaimwatchBot",
    "ClaimwatchTree",
    "build_intents",
    "invite_url",
]

log = logging.getLogger(__name__)

# A rate limit longer than this raises instead of sleeping: a fact check posted minutes after
# the conversation moved on does more harm than good. 30 s is discord.py's smallest allowed.
MAX_RATELIMIT_WAIT_S = 30.0
SERVERS_ONLY = "This command works in servers only."
SHUTDOWN_GRACE_S = 10.0  # what a deploy waits for replies being posted; systemd/k8s allow 30 s


INVITE_SCOPES = ("bot", "applications.commands")


def invite_url(application_id: int) -> str:
    """The link a server admin opens to add the bot, with the scopes and permissions it needs."""
    return discord.utils.oauth_url(
        application_id, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES
    )


def build_intents() -> discord.Intents:
    """The gateway intents claimwatch needs, and nothing more."""
    intents = discord.Intents.none()
    intents.guilds = True  # channels, threads and roles: where to reply, who moderates
    intents.guild_messages = True  # messages created, edited and deleted in servers
    intents.message_content = True  # privileged: the text to check (Developer Portal switch)
    return intents


def _event_context(args: tuple[Any, ...]) -> str:
    """Which server, channel and message a gateway event was about, for the log."""
    event = args[0] if args else None
    if isinstance(event, discord.Message):
        guild = event.guild.id if event.guild is not None else None
        return f"server {guild}, channel {event.channel.id}, message {event.id}"
    if isinstance(event, discord.RawMessageUpdateEvent | discord.RawMessageDeleteEvent):
        return f"server {event.guild_id}, channel {event.channel_id}, message {event.message_id}"
    if isinstance(event, discord.RawBulkMessageDeleteEvent):
        count = len(event.message_ids)
        return f"server {event.guild_id}, channel {event.channel_id}, {count} messages"
    if isinstance(event, discord.abc.GuildChannel):
        return f"server {event.guild.id}, channel {event.id}"
    return "no message"


class ClaimwatchTree(app_commands.CommandTree[discord.Client]):
    """The command tree, with the one place where command errors become a brief answer."""

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        deps_of(interaction.client).track()  # runs in the command's own task
        return True

    async def on_error(
        self, interaction: Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        if isinstance(cause, NotModerator):
            text = str(cause) or NOT_A_MODERATOR
        elif isinstance(cause, ConfigError):
            text = f"Not changed: {cause}"
        elif isinstance(cause, app_commands.NoPrivateMessage):
            text = SERVERS_ONLY
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error(
                "/%s failed in server %s for user %s",
                command,
                interaction.guild_id,
                interaction.user.id,
                exc_info=cause,
            )
            text = FAILED
        await send_error(interaction, text)


class ClaimwatchBot(discord.AutoShardedClient):
    """claimwatch on Discord. Build it with its dependencies; it connects on `start`.

    `shard_ids` and `shard_count` let several processes share one bot (each runs some shards);
    without them discord.py asks Discord how many shards to run, all in this process.
    """

    def __init__(
        self,
        *,
        service: ClaimwatchService,
        defer_after: float = DEFER_AFTER_S,
        shard_ids: list[int] | None = None,
        shard_count: int | None = None,
    ) -> None:
        options: dict[str, Any] = {"shard_ids": shard_ids, "shard_count": shard_count}
        super().__init__(
            intents=build_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT_S,
            # None is discord.py's own default for both; its stubs just do not say so.
            **options,
        )
        self.claimwatch = BotDeps(service=service, defer_after=defer_after)
        self.tree = ClaimwatchTree(self)

    @property
    def service(self) -> ClaimwatchService:
        return self.claimwatch.service

    async def setup_hook(self) -> None:
        self.add_dynamic_items(FeedbackButton, QueueButton)
        # Autocomplete cannot be deferred: index the fact base before the first keystroke.
        await self.claimwatch.search.index(self.service.factbase)
        for command in build_commands():
            self.tree.add_command(command)
        self.tree.add_command(ModeratorCommands())
        # Commands are global and the same for every shard: one process publishes them.
        if self.shard_ids is None or 0 in self.shard_ids:
            await self.tree.sync()

    async def on_ready(self) -> None:
        log.info("connected as %s to %d servers", self.user, len(self.guilds))
        if self.application_id is not None:
            log.info("add it to a server: %s", invite_url(self.application_id))

    async def shutdown(self, *, grace: float = SHUTDOWN_GRACE_S) -> None:
        """Give the handlers in flight up to `grace` seconds to finish, then close.

        A deploy (SIGTERM) then loses no reply half-posted and no interaction half-answered.
        """
        pending = set(self.claimwatch.inflight)
        if pending:
            await asyncio.wait(pending, timeout=grace)
        await self.close()

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """The one place where a failed gateway event is logged, with what it was about."""
        error = sys.exc_info()[1]
        about = _event_context(args)
        if isinstance(error, discord.RateLimited):
            # max_ratelimit_timeout: a fact check that would go out this late is dropped.
            log.warning(
                "%s (%s): dropped, Discord asked to wait %.0f s before the next request",
                event_method,
                about,
                error.retry_after,
            )
            return
        if isinstance(error, CannotPost):
            log.warning("%s (%s): %s", event_method, about, error)
            return
        log.error("%s (%s) failed", event_method, about, exc_info=error)

    async def on_message(self, message: discord.Message) -> None:
        self.claimwatch.track()
        await _monitor.on_message(self, self.service, message)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        self.claimwatch.track()
        await _monitor.on_edit(self, self.service, payload)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        self.claimwatch.track()
        await _monitor.on_delete(self, self.service, payload)

    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        self.claimwatch.track()
        await _monitor.on_bulk_delete(self, self.service, payload)

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        self.claimwatch.track()
        await _monitor.on_channel_delete(self.service, channel)
