"""`claimwatch run discord`: run the bot until it is stopped, with one clear line on bad setup."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import aiohttp
import discord

from bot.adapters.discord._bot import ClaimwatchBot
from bot.core.service import ClaimwatchService
from bot.errors import EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE

__all__ = [
    "EXIT_OK",
    "EXIT_SETUP",
    "EXIT_UNREACHABLE",
    "TOKEN_ENV",
    "ServiceFactory",
    "run",
]

log = logging.getLogger(__name__)

TOKEN_ENV = "DISCORD_TOKEN"
EXIT_SETUP = EXIT_USAGE  # the operator can fix it: token, intents, shard options
PROGRAM = "claimwatch"
DOCS = "docs/discord.md"

MISSING_TOKEN = (
    f"no Discord bot token: set {TOKEN_ENV} (or the settings file's token) to the token from "
    f"the Developer Portal, Bot page (see {DOCS})"
)
BAD_TOKEN = (
    "Discord rejected the bot token: in the Developer Portal, Bot page, press Reset Token and "
    f"set {TOKEN_ENV} to the new one"
)
NO_INTENT = (
    "the Message Content intent is off for this bot: switch on Bot > Privileged Gateway "
    "Intents > Message Content Intent in the Developer Portal, then start again"
)
UNREACHABLE = (
    "cannot reach Discord ({reason}): check the network, proxy or firewall, then start again"
)
SHARDS_NEED_COUNT = "--shard-ids needs --shard-count (the total number of shards of the bot)"
BAD_SHARD_COUNT = "--shard-count must be at least 1"
BAD_SHARD_ID = "every shard id must be between 0 and shard count - 1, each given once"

ServiceFactory = Callable[[], ClaimwatchService | AbstractAsyncContextManager[ClaimwatchService]]


def _fail(message: str, *, code: int = EXIT_SETUP) -> int:
    sys.stderr.write(f"{PROGRAM}: error: {message}\n")
    return code


@contextlib.asynccontextmanager
async def _open(factory: ServiceFactory) -> AsyncIterator[ClaimwatchService]:
    made = factory()
    if isinstance(made, AbstractAsyncContextManager):
        async with made as service:
            yield service
    else:
        yield made


async def _serve(
    token: str,
    factory: ServiceFactory,
    shard_ids: list[int] | None,
    shard_count: int | None,
) -> None:
    async with _open(factory) as service:
        bot = ClaimwatchBot(service=service, shard_ids=shard_ids, shard_count=shard_count)
        async with bot:
            loop = asyncio.get_running_loop()
            # `docker stop`, systemd and Kubernetes send SIGTERM: finish what is in flight,
            # close the gateway cleanly, exit 0. (Not available off the main thread.)
            stopping: list[asyncio.Task[None]] = []  # a reference keeps the task alive
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(
                    signal.SIGTERM, lambda: stopping.append(loop.create_task(bot.shutdown()))
                )
            await bot.start(token)


def run(
    *,
    token: str | None,
    service_factory: ServiceFactory,
    shard_ids: list[int] | None = None,
    shard_count: int | None = None,
) -> int:
    """Run claimwatch on Discord until it is stopped; returns the process exit code.

    `token` falls back to $DISCORD_TOKEN. `service_factory` is called once inside the bot's
    event loop and returns the service, or an async context manager yielding it (to open and
    close a database with the bot). `shard_ids` (with `shard_count`) run only those shards, so
    several processes can share one bot. A missing or rejected token, a missing Message
    Content intent or bad shard options print one line to stderr and return EXIT_SETUP;
    Discord out of reach at start, one line and EXIT_UNREACHABLE.
    """
    token = (token or os.environ.get(TOKEN_ENV) or "").strip().removeprefix("Bot ").strip()
    if not token:
        return _fail(MISSING_TOKEN)
    if shard_ids is not None and shard_count is None:
        return _fail(SHARDS_NEED_COUNT)
    if shard_count is not None and shard_count < 1:
        return _fail(BAD_SHARD_COUNT)
    if shard_ids is not None and shard_count is not None:
        in_range = all(0 <= shard < shard_count for shard in shard_ids)
        if not shard_ids or not in_range or len(set(shard_ids)) != len(shard_ids):
            return _fail(BAD_SHARD_ID)
    try:
        asyncio.run(_serve(token, service_factory, shard_ids, shard_count))
    except discord.LoginFailure:
        return _fail(BAD_TOKEN)
    except discord.PrivilegedIntentsRequired:
        return _fail(NO_INTENT)
    except (aiohttp.ClientConnectionError, discord.DiscordServerError) as exc:
        # Only while logging in: once connected, discord.py reconnects by itself.
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return _fail(UNREACHABLE.format(reason=reason), code=EXIT_UNREACHABLE)
    return EXIT_OK
