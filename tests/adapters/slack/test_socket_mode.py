"""Socket Mode end to end: `serve()` checks the tokens, opens the WebSocket URL the fake's
`apps.connections.open` hands out, and answers envelopes (events, commands, interactions)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.adapters.slack import Backend, SlackSettings, serve
from bot.core.factbase import FactBase
from bot.errors import UnreachableError
from bot.storage.memory import MemoryStore
from tests.adapters.slack.conftest import STOP_TIMEOUT_S, Running, configured_service, running
from tests.adapters.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.adapters.slack.slack_payloads import (
    GENERAL,
    MOD,
    MODS,
    block_action,
    command_body,
    event_body,
    message_event,
)

CLAIM = "Zelensky is a dictator who cancelled the elections"


@pytest.fixture
async def socket_app(
    fake: FakeSlack, factbase: FactBase, store: MemoryStore
) -> AsyncIterator[Running]:
    settings = SlackSettings(bot_token=BOT_TOKEN, app_token=APP_TOKEN, api_url=fake.api_url)
    backend = Backend(await configured_service(factbase, store), store)
    async with running(settings, backend) as app:
        await fake.wait_for_socket()
        yield app


async def test_socket_mode_connects_with_the_app_token(
    fake: FakeSlack, socket_app: Running, http_session: aiohttp.ClientSession
) -> None:
    (opened,) = fake.calls_to("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert fake.calls_to("auth.test")[0].token == BOT_TOKEN
    assert fake.socket_connections == 1
    async with http_session.get(f"{socket_app.server.url}/readyz") as ready:
        assert ready.status == 200
        assert (await ready.json())["checks"] == {"slack": True}


async def test_an_event_envelope_is_acked_and_answered_in_thread(
    fake: FakeSlack, socket_app: Running
) -> None:
    event = message_event(CLAIM)

    ack = await fake.send_envelope("events_api", event_body(event))
    await socket_app.settle()

    assert "envelope_id" in ack
    (reply,) = fake.posts(GENERAL)
    assert reply.params["thread_ts"] == event["ts"]


async def test_a_redelivered_envelope_is_acked_but_answered_once(
    fake: FakeSlack, socket_app: Running
) -> None:
    body = event_body(message_event(CLAIM))

    first = await fake.send_envelope("events_api", body)
    again = await fake.send_envelope("events_api", body, retry_attempt=1)
    await socket_app.settle()

    assert first["envelope_id"] != again["envelope_id"]  # both acknowledged
    assert len(fake.posts(GENERAL)) == 1


async def test_a_slash_command_over_the_socket_is_acked_then_answered(
    fake: FakeSlack, socket_app: Running
) -> None:
    body = command_body("/factcheck", CLAIM, response_url=fake.response_url("cmd"))

    ack = await fake.send_envelope("slash_commands", body)
    await socket_app.settle()

    assert "envelope_id" in ack
    (answer,) = fake.calls_to("response_url")
    assert answer.params["response_type"] == "ephemeral"


async def test_a_button_over_the_socket_reaches_the_moderators_queue(
    fake: FakeSlack, borderline: str, socket_app: Running
) -> None:
    await fake.send_envelope("events_api", event_body(message_event(borderline)))
    await socket_app.settle()
    (queued,) = fake.posts(MODS)
    ts = next(ts for (channel, ts) in fake.messages if channel == MODS)
    queue_id = queued.params["blocks"][-1]["elements"][0]["value"]
    payload = block_action(
        "claimwatch_approve",
        queue_id,
        message={"type": "message", "ts": ts, "blocks": queued.params["blocks"]},
        channel=MODS,
        response_url=fake.response_url(),
        user=MOD,
    )

    await fake.send_envelope("interactive", payload)
    await socket_app.settle()

    assert len(fake.posts(GENERAL)) == 1
    assert len(fake.calls_to("chat.update")) == 1


async def test_when_slack_asks_to_reconnect_the_bot_opens_a_new_socket(
    fake: FakeSlack, socket_app: Running
) -> None:
    # Slack refreshes Socket Mode connections every few hours with a `disconnect` notice.
    await fake.send_frame({"type": "disconnect", "reason": "refresh_requested"})
    await fake.wait_for_connections(2)

    await fake.send_envelope("events_api", event_body(message_event(CLAIM)))
    await socket_app.settle()

    assert len(fake.calls_to("apps.connections.open")) == 2
    assert len(fake.posts(GENERAL)) == 1


async def test_stopping_closes_the_socket_and_the_server(
    fake: FakeSlack, factbase: FactBase, store: MemoryStore, http_session: aiohttp.ClientSession
) -> None:
    settings = SlackSettings(bot_token=BOT_TOKEN, app_token=APP_TOKEN, api_url=fake.api_url)
    backend = Backend(await configured_service(factbase, store), store)
    async with running(settings, backend) as app:
        await fake.wait_for_socket()
        url = app.server.url
    assert app.task.done() and app.task.exception() is None
    with pytest.raises(aiohttp.ClientConnectionError):
        async with http_session.get(f"{url}/healthz"):
            pass


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_websocket_that_cannot_be_opened_is_one_clear_error(
    fake: FakeSlack, factbase: FactBase, store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A firewall that lets HTTPS to the Web API through but not the WebSocket.
    fake.socket_url = f"ws://127.0.0.1:{unused_port()}/socket"
    monkeypatch.setattr("bot.adapters.slack._runner.SOCKET_CONNECT_TIMEOUT_S", 0.2)
    settings = SlackSettings(bot_token=BOT_TOKEN, app_token=APP_TOKEN, api_url=fake.api_url)
    backend = Backend(await configured_service(factbase, store), store)

    with pytest.raises(UnreachableError, match="cannot open the Socket Mode connection"):
        async with running(settings, backend):
            pass


async def test_stopping_while_the_websocket_cannot_be_opened_stops_at_once(
    fake: FakeSlack, factbase: FactBase, store: MemoryStore
) -> None:
    fake.socket_url = f"ws://127.0.0.1:{unused_port()}/socket"
    settings = SlackSettings(bot_token=BOT_TOKEN, app_token=APP_TOKEN, api_url=fake.api_url)
    backend = Backend(await configured_service(factbase, store), store)
    stop = asyncio.Event()

    task = asyncio.create_task(
        serve(
            settings=settings,
            service_factory=lambda: backend,
            http=False,
            host="127.0.0.1",
            port=0,
            stop=stop,
        )
    )
    await fake.wait_for("apps.connections.open")
    stop.set()  # SIGTERM while claimwatch is still trying to connect

    await asyncio.wait_for(task, timeout=STOP_TIMEOUT_S)  # returns; no hang, no error
