"""Fixtures: a fake Discord on 127.0.0.1, the real service, and the real bot connected to both."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator

import discord
import pytest
import yarl

from bot.adapters.discord import PLATFORM, ClaimwatchBot
from bot.core.factbase import FactBase, load_bundled
from bot.core.models import Decision, GuildConfig, IncomingMessage
from bot.core.service import ClaimwatchService
from bot.storage.memory import MemoryStore
from tests.adapters.discord.fake_discord import FakeDiscord, eventually

# Far below Discord's 3 s but far above what an in-memory answer takes: the slow-service test
# crosses it on purpose, nothing else comes near it.
DEFER_AFTER_S = 0.5
STOP_TIMEOUT_S = 5.0


class SpyService(ClaimwatchService):
    """The real service, noting each decision so tests can tell "handled, said nothing"."""

    def __init__(self, factbase: FactBase) -> None:
        super().__init__(factbase=factbase, store=MemoryStore())
        self.decisions: list[Decision] = []
        self.delay_s = 0.0  # > 0: a slow database (get_config and on_message take this long)

    async def on_message(self, msg: IncomingMessage) -> Decision:
        await asyncio.sleep(self.delay_s)
        decision = await super().on_message(msg)
        self.decisions.append(decision)
        return decision

    async def on_message_edited(self, msg: IncomingMessage) -> Decision:
        decision = await super().on_message_edited(msg)
        self.decisions.append(decision)
        return decision

    async def get_config(self, platform: str, server_id: str) -> GuildConfig:
        await asyncio.sleep(self.delay_s)
        return await super().get_config(platform, server_id)

    async def decision_for(self, message_id: str) -> Decision:
        """Wait until the service decided about `message_id` (the latest decision)."""
        found: list[Decision] = await eventually(
            lambda: [d for d in self.decisions if d.message.message_id == message_id]
        )
        return found[-1]


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_logged_errors() -> Iterator[None]:
    """Fail a test in which the bot or discord.py logged an error: handled or not, it is a bug
    the user would notice (a reply missing, an interaction failing)."""
    handler = _Errors()
    loggers = [logging.getLogger("discord"), logging.getLogger("bot")]
    for logger in loggers:
        logger.addHandler(handler)
    yield
    for logger in loggers:
        logger.removeHandler(handler)
    assert [r.getMessage() for r in handler.records] == [], "errors were logged"


@pytest.fixture(scope="session")
def factbase() -> FactBase:
    return load_bundled()


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url)
    )
    yield fake
    await fake.close()
    assert fake.violations == [], "the bot sent what Discord would refuse"


@pytest.fixture
async def service(fake: FakeDiscord, factbase: FactBase) -> SpyService:
    service = SpyService(factbase)
    # A server that went through /claimwatch setup and made "Claimwatch Moderator" (mia's role)
    # a moderator role; channel and user cooldowns off so one test can post several claims (the
    # per-claim cooldown stays on).
    await service.set_config(
        PLATFORM,
        fake.guild_id,
        GuildConfig(
            monitored_channels=frozenset({fake.general}),
            moderator_roles=frozenset({fake.mod_role}),
            log_channel=fake.modlog,
            channel_cooldown_s=0,
            user_cooldown_s=0,
        ),
    )
    return service


async def start_bot(
    fake: FakeDiscord, service: ClaimwatchService
) -> tuple[ClaimwatchBot, asyncio.Task[None]]:
    """Start a bot against the fake and wait until it knows the server and published commands."""
    bot = ClaimwatchBot(service=service, defer_after=DEFER_AFTER_S)
    task = asyncio.create_task(bot.start(fake.token))
    try:
        await eventually(
            lambda: task.done() or (fake.commands and bot.get_guild(int(fake.guild_id)))
        )
        if task.done():
            task.result()  # raise what stopped it
    except BaseException:
        await stop_bot(bot, task)
        raise
    return bot, task


async def settled(bot: ClaimwatchBot) -> None:
    """Wait until no event or interaction handler of `bot` is running (after one started)."""
    await eventually(lambda: not bot.claimwatch.inflight)


async def stop_bot(bot: ClaimwatchBot, task: asyncio.Task[None]) -> None:
    """Close the bot; re-raise whatever stopped it early (a payload it could not parse, ...)."""
    await bot.close()
    await asyncio.wait_for(asyncio.wait({task}), STOP_TIMEOUT_S)
    task.result()


@pytest.fixture
async def bot(fake: FakeDiscord, service: SpyService) -> AsyncIterator[ClaimwatchBot]:
    client, task = await start_bot(fake, service)
    yield client
    await stop_bot(client, task)
