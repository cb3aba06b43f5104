"""claimwatch on Discord: slash commands, passive monitoring and moderator controls.

    run(token=..., service_factory=...)       the `claimwatch run discord` entry point
    ClaimwatchBot(service=...)                 the discord.py client, for embedding and tests

The adapter only translates between discord.py and the core service (`ClaimwatchService`); see
docs/discord.md for creating the Discord application and running the bot.
"""

from __future__ import annotations

from bot.adapters.discord import _compat  # noqa: F401  (first: imports discord.py quietly)
from bot.adapters.discord._bot import ClaimwatchBot, build_intents, invite_url
from bot.adapters.discord._context import PLATFORM
from bot.adapters.discord._run import (
    EXIT_OK,
    EXIT_SETUP,
    EXIT_UNREACHABLE,
    TOKEN_ENV,
    ServiceFactory,
    run,
)

__all__ = [
    "EXIT_OK",
    "EXIT_SETUP",
    "EXIT_UNREACHABLE",
    "PLATFORM",
    "TOKEN_ENV",
    "ClaimwatchBot",
    "ServiceFactory",
    "build_intents",
    "invite_url",
    "run",
]
