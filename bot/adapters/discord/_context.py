"""The bot's dependencies as handlers reach them: through the client an interaction came from."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.adapters.discord._respond import DEFER_AFTER_S
from bot.adapters.discord._search import FactSearch
from bot.core.service import ClaimwatchService

__all__ = ["MODERATOR_ROLE_NAME", "PLATFORM", "BotDeps", "Interaction", "deps_of", "is_moderator"]

PLATFORM = "discord"

# GuildConfig has no moderator-role setting yet: members holding a role with this name (any
# case) count as moderators besides those with Manage Server. Servers create the role themselves.
MODERATOR_ROLE_NAME = "claimwatch moderator"

Interaction = discord.Interaction[discord.Client]


@dataclass(frozen=True, slots=True)
class BotDeps:
    """What command, button and event handlers need besides the Discord client."""

    service: ClaimwatchService
    moderator_role: str = MODERATOR_ROLE_NAME
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


def is_moderator(interaction: Interaction, role_name: str) -> bool:
    """Manage Server (or Administrator), or the server's claimwatch moderator role."""
    permissions = interaction.permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    user = interaction.user
    wanted = role_name.casefold()
    return isinstance(user, discord.Member) and any(
        role.name.casefold() == wanted for role in user.roles
    )
