"""A local Slack (tests/adapters/slack/fake_slack.py) and the real bot serving HTTP mode on
127.0.0.1, wired to the real service over an in-memory store."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest

from bot.adapters.slack import (
    Backend,
    RetryAfterHandler,
    SlackBot,
    SlackSettings,
    build_web_client,
    serve,
)
from bot.core.factbase import FactBase, load_bundled
from bot.core.matching import Matcher
from bot.core.models import Tier
from bot.core.ports import Store
from bot.core.service import ClaimwatchService
from bot.storage.memory import MemoryStore
from bot.web import Metrics, WebServer, build_web_app
from tests.adapters.slack.fake_slack import BOT_TOKEN, TEAM_ID, FakeSlack
from tests.adapters.slack.slack_payloads import (
    ALICE,
    GENERAL,
    GROUP_MOD,
    MOD,
    MOD_GROUP,
    MODS,
    RANDOM,
    SIGNING_SECRET,
    SlackSender,
)

OTHER_WORKSPACE_GROUP = "S0ELSEWHERE"  # sorts before MOD_GROUP, so it is asked first
IDLE_TIMEOUT_S = 5.0
START_TIMEOUT_S = 5.0
STOP_TIMEOUT_S = 15.0
# Cooldowns off: each test posts a handful of claims within milliseconds.
TEST_CONFIG: dict[str, object] = {
    "monitored_channels": [GENERAL],
    "log_channel": MODS,
    "channel_cooldown_s": 0,
    "user_cooldown_s": 0,
    "claim_cooldown_s": 0,
}


# slack_sdk and AsyncApp read these when an argument is missing; a developer's real Slack
# credentials or proxy must never steer the tests away from the loopback fake.
FOREIGN_ENV = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
)


@pytest.fixture(autouse=True)
def _no_foreign_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in FOREIGN_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def factbase() -> FactBase:
    return load_bundled()


# Hedged or terse ways of saying checked claims; the matcher's calibration decides which of them
# is borderline today, so the tests ask it instead of hard-coding one.
BORDERLINE_CANDIDATES = (
    "Zelensky owns yachts",
    "Zelensky has yachts I heard",
    "weapons sold on black market",
    "zelensky yachts?",
    "maybe the biolabs thing is real",
)


@pytest.fixture(scope="session")
def borderline(factbase: FactBase) -> str:
    """A message the calibrated matcher sends to the moderators rather than answering."""
    matcher = Matcher(factbase)
    for text in BORDERLINE_CANDIDATES:
        if matcher.match(text).tier is Tier.SUGGEST:
            return text
    pytest.fail(f"none of {BORDERLINE_CANDIDATES} is borderline any more: add one that is")


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    slack.add_user(ALICE)
    slack.add_user(MOD, admin=True)
    slack.add_user(GROUP_MOD)
    slack.usergroups[MOD_GROUP] = [GROUP_MOD]
    slack.channels.update({GENERAL: True, MODS: True, RANDOM: True})
    await slack.start()
    yield slack
    await slack.close()
    # Every test that posts Block Kit also proves Slack would accept it.
    assert slack.refused == [], slack.refused


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


async def configured_service(factbase: FactBase, store: Store) -> ClaimwatchService:
    service = ClaimwatchService(factbase=factbase, store=store)
    await service.update_config("slack", TEAM_ID, **TEST_CONFIG)
    return service


@pytest.fixture
async def service(factbase: FactBase, store: MemoryStore) -> ClaimwatchService:
    return await configured_service(factbase, store)


class RecordingSleep:
    """Stands in for asyncio.sleep in the Web API client's Retry-After waits: the test learns
    how long the client would have waited, without waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


def make_bot(
    fake: FakeSlack,
    service: ClaimwatchService,
    store: Store,
    metrics: Metrics | None = None,
    sleep: RecordingSleep | None = None,
) -> SlackBot:
    rate_limit = RetryAfterHandler(jitter_s=0, sleep=sleep or RecordingSleep())
    client = build_web_client(base_url=fake.api_url, token=BOT_TOKEN, rate_limit=rate_limit)
    return SlackBot(
        service=service,
        events=store,
        client=client,
        signing_secret=SIGNING_SECRET,
        # A group of another workspace first: the fake knows only MOD_GROUP, as Slack would.
        moderator_groups=frozenset({OTHER_WORKSPACE_GROUP, MOD_GROUP}),
        metrics=metrics,
    )


@dataclass
class Harness:
    """One running bot (HTTP mode) and the local Slack it talks to."""

    fake: FakeSlack
    bot: SlackBot
    service: ClaimwatchService
    store: Store
    send: SlackSender
    metrics: Metrics
    server: WebServer
    sleeps: RecordingSleep

    async def settle(self) -> None:
        """Wait until every listener the last requests started has finished."""
        assert await self.bot.wait_idle(IDLE_TIMEOUT_S), "listeners still running"


@pytest.fixture
async def http_session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def slack(
    fake: FakeSlack,
    service: ClaimwatchService,
    store: MemoryStore,
    http_session: aiohttp.ClientSession,
) -> AsyncIterator[Harness]:
    metrics, sleeps = Metrics(), RecordingSleep()
    bot = make_bot(fake, service, store, metrics, sleeps)
    app = build_web_app(metrics=metrics)
    bot.mount(app)
    async with WebServer(app, host="127.0.0.1", port=0) as server:
        sender = SlackSender(http_session, f"{server.url}/slack/events")
        harness = Harness(fake, bot, service, store, sender, metrics, server, sleeps)
        yield harness
        await harness.settle()


@dataclass
class Running:
    """`serve()` running in a task, as `claimwatch run slack` runs it."""

    server: WebServer
    bot: SlackBot
    stop: asyncio.Event
    task: asyncio.Task[None]

    async def settle(self) -> None:
        assert await self.bot.wait_idle(IDLE_TIMEOUT_S)


@contextlib.asynccontextmanager
async def running(
    settings: SlackSettings, backend: Backend, *, http: bool = False
) -> AsyncIterator[Running]:
    stop = asyncio.Event()
    up: asyncio.Future[tuple[WebServer, SlackBot]] = asyncio.get_running_loop().create_future()

    @contextlib.asynccontextmanager
    async def factory() -> AsyncIterator[Backend]:
        yield backend

    task = asyncio.create_task(
        serve(
            settings=settings,
            service_factory=factory,
            http=http,
            host="127.0.0.1",
            port=0,
            stop=stop,
            started=lambda server, bot: up.set_result((server, bot)),
        )
    )
    done, _ = await asyncio.wait({task, up}, timeout=START_TIMEOUT_S, return_when="FIRST_COMPLETED")
    if task in done:
        task.result()  # raises what serve() raised
    assert up in done, "serve() did not start"
    server, bot = up.result()
    try:
        yield Running(server, bot, stop, task)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=STOP_TIMEOUT_S)
