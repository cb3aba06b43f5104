"""Starting the app: missing or wrong credentials end with one line that says what to do, and
HTTP mode serves Slack beside the health endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import io
import socket
import threading
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from bot.adapters.slack import Backend, SlackSettings, run, serve
from bot.core.factbase import FactBase
from bot.errors import ConfigError, UnreachableError
from bot.storage.memory import MemoryStore
from tests.adapters.slack.conftest import configured_service, running
from tests.adapters.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.adapters.slack.slack_payloads import (
    GENERAL,
    SIGNING_SECRET,
    SlackSender,
    event_body,
    message_event,
)

CLAIM = "Zelensky is a dictator who cancelled the elections"
THREAD_TIMEOUT_S = 5.0


@contextlib.asynccontextmanager
async def never_opened() -> AsyncIterator[Backend]:
    raise AssertionError("the service must not be built before the credentials are checked")
    yield  # pragma: no cover


@pytest.mark.parametrize(
    ("settings", "http", "names"),
    [
        (SlackSettings(app_token=APP_TOKEN), False, "SLACK_BOT_TOKEN is not set"),
        (SlackSettings(bot_token="xoxp-user", app_token=APP_TOKEN), False, "xoxb-"),
        (SlackSettings(bot_token=BOT_TOKEN), False, "SLACK_APP_TOKEN is not set"),
        (SlackSettings(bot_token=BOT_TOKEN, app_token=BOT_TOKEN), False, "xapp-"),
        (SlackSettings(bot_token=BOT_TOKEN), True, "SLACK_SIGNING_SECRET is not set"),
        (SlackSettings(client_id="1.2", signing_secret="s"), True, "SLACK_CLIENT_SECRET"),
        (SlackSettings(client_secret="x", signing_secret="s"), True, "SLACK_CLIENT_ID is not"),
        (
            SlackSettings(
                bot_token=BOT_TOKEN, client_id="1.2", client_secret="x", signing_secret="s"
            ),
            True,
            "are both set",
        ),
        (
            SlackSettings(bot_token=BOT_TOKEN, app_token=APP_TOKEN, api_url="slack.com/api"),
            False,
            "CLAIMWATCH_SLACK_API_URL",
        ),
        (
            SlackSettings(
                bot_token=BOT_TOKEN, app_token=APP_TOKEN, moderator_groups=frozenset({"@mods"})
            ),
            False,
            "CLAIMWATCH_SLACK_MODERATOR_GROUPS",
        ),
    ],
)
def test_missing_or_malformed_credentials_are_one_clear_line(
    settings: SlackSettings, http: bool, names: str
) -> None:
    err = io.StringIO()

    code = run(settings=settings, service_factory=never_opened, http=http, stderr=err)

    assert code == 2
    line = err.getvalue()
    assert line.count("\n") == 1 and line.startswith("claimwatch: error: ")
    assert names in line
    assert "docs/slack.md" in line or "URL" in line or "GROUPS" in line


def test_settings_come_from_the_usual_slack_variables() -> None:
    settings = SlackSettings.from_env(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_SIGNING_SECRET": "s3cret",
            "CLAIMWATCH_SLACK_API_URL": "http://127.0.0.1:9/api",
            "CLAIMWATCH_SLACK_MODERATOR_GROUPS": "S01, S02",
        }
    )

    assert settings.base_url == "http://127.0.0.1:9/api/"
    assert settings.moderator_groups == {"S01", "S02"}
    assert not settings.oauth
    assert BOT_TOKEN not in repr(settings) and "s3cret" not in repr(settings)


@pytest.fixture
def threaded_fake() -> Iterator[FakeSlack]:
    """The fake Slack on its own event loop, for `run()`, which owns the main one."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fake = FakeSlack()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(THREAD_TIMEOUT_S)
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(fake.close(), loop).result(THREAD_TIMEOUT_S)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(THREAD_TIMEOUT_S)
        loop.close()


def test_a_bot_token_slack_rejects_is_one_clear_line(threaded_fake: FakeSlack) -> None:
    settings = SlackSettings(
        bot_token="xoxb-revoked", app_token=APP_TOKEN, api_url=threaded_fake.api_url
    )
    err = io.StringIO()

    code = run(settings=settings, service_factory=never_opened, stderr=err)

    assert code == 2
    assert err.getvalue() == (
        "claimwatch: error: Slack rejected SLACK_BOT_TOKEN (invalid_auth): the token is wrong or"
        " was revoked; copy it again (see docs/slack.md)\n"
    )


async def test_an_app_token_slack_rejects_names_slack_app_token(fake: FakeSlack) -> None:
    settings = SlackSettings(bot_token=BOT_TOKEN, app_token="xapp-wrong", api_url=fake.api_url)

    with pytest.raises(ConfigError, match="Slack rejected SLACK_APP_TOKEN"):
        await serve(settings=settings, service_factory=never_opened, http=False, port=0)


async def test_an_unreachable_slack_is_one_clear_line() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = SlackSettings(
        bot_token=BOT_TOKEN, signing_secret="s", api_url=f"http://127.0.0.1:{port}/api/"
    )

    with pytest.raises(
        UnreachableError, match=r"cannot reach the Slack Web API at http://127\.0\.0\.1"
    ):
        await serve(settings=settings, service_factory=never_opened, http=True, port=0)


async def test_http_mode_serves_slack_events_beside_the_probes(
    fake: FakeSlack,
    factbase: FactBase,
    store: MemoryStore,
    http_session: aiohttp.ClientSession,
) -> None:
    settings = SlackSettings(
        bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=fake.api_url
    )
    backend = Backend(await configured_service(factbase, store), store)

    async with running(settings, backend, http=True) as app:
        sender = SlackSender(http_session, f"{app.server.url}/slack/events")
        answer = await sender.event(event_body(message_event(CLAIM)))
        forged = await sender.post("{}", content_type="application/json", secret="wrong")
        await app.settle()
        async with http_session.get(f"{app.server.url}/readyz") as ready:
            assert ready.status == 200
        async with http_session.get(f"{app.server.url}/metrics") as metrics:
            assert "claimwatch_slack_decisions_total" in await metrics.text()

    assert answer.status == 200
    assert forged.status == 401
    assert len(fake.posts(GENERAL)) == 1
    assert fake.calls_to("apps.connections.open") == []  # no socket in HTTP mode
