"""The bot's dependencies as handlers reach them: through the client an interaction came from."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.adapters.discord._respond import DEFER_AFTER_S
from bot.adapters.discord._search import FactSearch
from bot.core.service import ClaimwatchService

__all__ = [
    "PLATFORM",
    "BotDeps",
    "Interaction",
    "deps_of",
    "is_moderator",
    "known_guild",
    "manages_server",
]

PLATFORM = "discord"

Interaction = discord.Interaction[discord.Client]


@dataclass(frozen=True, slots=True)
class BotDeps:
    """What command, button and event handlers need besides the Discord client."""

    service: ClaimwatchService
    defer_after: float = DEFER_AFTER_S
    inflight: set[asyncio.Task[Any]] = field(default_factory=set)
    search: FactSearch = field(default_factory=FactSearch)

    def track(self) -> None:
        """Count the running handler as in flight: a graceful shutdown lets it finish."""
        task = asyncio.current_task()
        if task is not None and task not in self.inflight:
            self.inflight.add(task)
            task.add_done_callback(self.inflight.discard)


def deps_of(client: discord.Client) -> BotDeps:
    """The dependencies of the claimwatch bot `client` (a ClaimwatchBot)."""
    deps = getattr(client, "claimwatch", None)
    if not isinstance(deps, BotDeps):
        raise TypeError(f"{type(client).__name__} is not a claimwatch bot")
    return deps


def known_guild(interaction: Interaction) -> discord.Guild | None:
    """The interaction's server as the gateway sent it, with its channels and roles; None
    until its GUILD_CREATE arrives (a start, an outage). `interaction.guild` is then a stand-in
    built from the interaction alone, with no channels or roles, by which everything looks
    deleted: judge nothing by it."""
    if interaction.guild_id is None:
        return None
    guild = interaction.client.get_guild(interaction.guild_id)
    return None if guild is None or guild.unavailable else guild


def manages_server(interaction: Interaction) -> bool:
    """Manage Server or Administrator: the server's own admins, who name its moderator roles."""
    permissions = interaction.permissions
    return permissions.manage_guild or permissions.administrator


async def is_moderator(interaction: Interaction) -> bool:
    """Manage Server (or Administrator), or a role in the server's `moderator_roles`."""
    if manages_server(interaction):
        return True
    user = interaction.user
    if interaction.guild_id is None or not isinstance(user, discord.Member):
        return False
    service = deps_of(interaction.client).service
    config = await service.get_config(PLATFORM, str(interaction.guild_id))
    return any(str(role.id) in config.moderator_roles for role in user.roles)
