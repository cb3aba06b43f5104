"""Passive monitoring: gateway events in, the service's decisions out.

Translation only. Whether a message is looked at (channel allowlist, bots, cooldowns), what it
matches and what to do about it are the service's business; this module turns discord.py events
into `IncomingMessage`s and hands the resulting `Decision`s to `_replies`.
"""

from __future__ import annotations

import logging

import discord

from bot.adapters.discord._context import PLATFORM
from bot.adapters.discord._replies import delete_reply, post_decision
from bot.core.models import IncomingMessage
from bot.core.service import ClaimwatchService

__all__ = [
    "incoming",
    "on_bulk_delete",
    "on_channel_delete",
    "on_delete",
    "on_edit",
    "on_message",
]

log = logging.getLogger(__name__)

# Message types a person writes; joins, pins, boosts and thread notices carry no claims.
PERSON_MESSAGE_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})


def incoming(message: discord.Message) -> IncomingMessage | None:
    """The core's view of a server message; None for what is never checked (DMs, notices)."""
    if message.guild is None or message.type not in PERSON_MESSAGE_TYPES:
        return None
    channel = message.channel
    if isinstance(channel, discord.Thread):
        # Moderators choose channels; a thread is monitored when its parent is.
        channel_id, thread_id = str(channel.parent_id), str(channel.id)
    else:
        channel_id, thread_id = str(channel.id), None
    author = message.author
    roles = author.roles if isinstance(author, discord.Member) else []
    return IncomingMessage(
        platform=PLATFORM,
        server_id=str(message.guild.id),
        channel_id=channel_id,
        message_id=str(message.id),
        author_id=str(author.id),
        text=message.content,
        author_is_bot=author.bot or message.webhook_id is not None,
        author_roles=frozenset(str(role.id) for role in roles if not role.is_default()),
        thread_id=thread_id,
        created_at=message.created_at,
    )


async def on_message(
    client: discord.Client, service: ClaimwatchService, message: discord.Message
) -> None:
    msg = incoming(message)
    if msg is None:
        return
    await post_decision(client, service, await service.on_message(msg))


async def on_edit(
    client: discord.Client, service: ClaimwatchService, event: discord.RawMessageUpdateEvent
) -> None:
    before = event.cached_message
    if before is not None and before.content == event.message.content:
        return  # an embed unfurled or a pin changed: the text is what it was
    msg = incoming(event.message)
    if msg is None:
        return
    await post_decision(client, service, await service.on_message_edited(msg))


async def on_delete(
    client: discord.Client, service: ClaimwatchService, event: discord.RawMessageDeleteEvent
) -> None:
    if event.guild_id is None:
        return
    await delete_reply(
        client,
        service,
        guild_id=event.guild_id,
        channel_id=event.channel_id,
        message_id=event.message_id,
    )


async def on_bulk_delete(
    client: discord.Client, service: ClaimwatchService, event: discord.RawBulkMessageDeleteEvent
) -> None:
    if event.guild_id is None:
        return
    for message_id in sorted(event.message_ids):
        await delete_reply(
            client,
            service,
            guild_id=event.guild_id,
            channel_id=event.channel_id,
            message_id=message_id,
        )


async def on_channel_delete(service: ClaimwatchService, channel: discord.abc.GuildChannel) -> None:
    """A deleted channel leaves the server's settings: watched, ignored, or the moderators' log."""
    server_id, channel_id = str(channel.guild.id), str(channel.id)
    if await service.forget_channel(PLATFORM, server_id, channel_id):
        log.info(
            "channel %s of server %s was deleted: dropped from its settings", channel_id, server_id
        )
