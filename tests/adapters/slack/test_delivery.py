"""Retries, duplicates and rate limits: Slack re-delivers what it thinks was lost, replicas share
the work, and the Web API sometimes says "slow down"."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError

from bot.adapters.slack import RetryAfterHandler, build_web_client
from bot.core.factbase import FactBase
from bot.errors import StorageError
from bot.web import Metrics, WebServer, build_web_app
from tests.adapters.slack.conftest import Harness, RecordingSleep, configured_service, make_bot
from tests.adapters.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.adapters.slack.slack_payloads import (
    GENERAL,
    MODS,
    SlackSender,
    event_body,
    message_event,
)
from tests.storage.conftest import ENGINES, store_factory

CLAIM = "Zelensky is a dictator who cancelled the elections"
RETRY_AFTER_S = 7


async def test_a_retried_event_is_acknowledged_and_answered_once(slack: Harness) -> None:
    body = event_body(message_event(CLAIM))

    first = await slack.send.event(body)
    retries = [await slack.send.event(body, retry_num=n) for n in (1, 2, 3)]
    await slack.settle()

    assert first.status == 200
    assert [r.status for r in retries] == [200, 200, 200]
    assert len(slack.fake.posts(GENERAL)) == 1
    events = slack.metrics.counter("claimwatch_slack_events_total", "")
    assert events.value(outcome="duplicate") == 3


async def test_a_retry_whose_first_delivery_never_arrived_is_answered(slack: Harness) -> None:
    # Slack retries when it got no answer; the first attempt may never have reached us.
    await slack.send.event(event_body(message_event(CLAIM)), retry_num=1)
    await slack.settle()

    assert len(slack.fake.posts(GENERAL)) == 1


async def test_the_same_message_under_a_new_event_id_is_still_answered_once(
    slack: Harness,
) -> None:
    event = message_event(CLAIM)

    await slack.send.event(event_body(event, event_id="Ev1"))
    await slack.send.event(event_body(event, event_id="Ev2"))
    await slack.settle()

    assert len(slack.fake.posts(GENERAL)) == 1


@pytest.fixture(params=ENGINES)
async def two_replicas(
    request: pytest.FixtureRequest,
    fake: FakeSlack,
    factbase: FactBase,
    tmp_path: Path,
    http_session: aiohttp.ClientSession,
) -> AsyncIterator[list[Harness]]:
    """Two app instances (two services, two servers) on one database, as two replicas behind a
    load balancer: one MemoryStore object, or two SQL stores (two engines) on one SQLite file or
    one PostgreSQL database."""
    replicas: list[Harness] = []
    async with contextlib.AsyncExitStack() as stack:
        open_store = await stack.enter_async_context(store_factory(request.param, tmp_path))
        for _ in range(2):
            store = await open_store()
            service = await configured_service(factbase, store)
            metrics, sleeps = Metrics(), RecordingSleep()
            bot = make_bot(fake, service, store, metrics, sleeps)
            app = build_web_app(metrics=metrics)
            bot.mount(app)
            server = await stack.enter_async_context(WebServer(app, host="127.0.0.1", port=0))
            sender = SlackSender(http_session, f"{server.url}/slack/events")
            replicas.append(Harness(fake, bot, service, store, sender, metrics, server, sleeps))
        yield replicas
        for harness in replicas:
            await harness.settle()


async def test_two_replicas_sharing_a_store_answer_a_duplicated_delivery_once(
    fake: FakeSlack, two_replicas: list[Harness]
) -> None:
    body = event_body(message_event(CLAIM))

    # The load balancer sends the first delivery to one replica and Slack's retry to the other,
    # at the same moment.
    first, second = two_replicas
    answers = await asyncio.gather(first.send.event(body), second.send.event(body, retry_num=1))
    for harness in two_replicas:
        await harness.settle()

    assert [a.status for a in answers] == [200, 200]
    assert len(fake.posts(GENERAL)) == 1
    outcomes = [
        harness.metrics.counter("claimwatch_slack_events_total", "").value(outcome="duplicate")
        for harness in two_replicas
    ]
    assert sorted(outcomes) == [0, 1]


async def test_a_rate_limited_reply_is_sent_after_retry_after(slack: Harness) -> None:
    slack.fake.rate_limit("chat.postMessage", retry_after=RETRY_AFTER_S)

    await slack.send.event(event_body(message_event(CLAIM)))
    await slack.settle()

    attempts = slack.fake.posts(GENERAL)
    assert len(attempts) == 2  # the 429, then the reply
    assert slack.sleeps.waits == [RETRY_AFTER_S]  # waited as long as Slack asked, no less
    assert [channel for channel, _ in slack.fake.messages] == [GENERAL, MODS]  # reply, log


async def test_waits_longer_than_the_cap_are_not_retried(fake: FakeSlack) -> None:
    sleep = RecordingSleep()
    client = build_web_client(
        base_url=fake.api_url,
        token=BOT_TOKEN,
        rate_limit=RetryAfterHandler(max_wait_s=30, jitter_s=0, sleep=sleep),
    )
    fake.rate_limit("chat.postMessage", retry_after=5)
    fake.rate_limit("chat.postMessage", retry_after=300)

    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=GENERAL, text="hi")

    assert raised.value.response.status_code == 429
    assert sleep.waits == [5]  # waited as told once, then refused to hang for five minutes
    assert len(fake.calls_to("chat.postMessage")) == 2


async def test_an_event_the_store_cannot_record_is_refused_so_slack_sends_it_again(
    slack: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = event_body(message_event(CLAIM))
    real_claim = slack.store.claim_event

    async def database_down(*args: object, **kwargs: object) -> bool:
        raise StorageError("database unreachable")

    monkeypatch.setattr(slack.store, "claim_event", database_down)
    first = await slack.send.event(body)
    await slack.settle()
    monkeypatch.setattr(slack.store, "claim_event", real_claim)
    retry = await slack.send.event(body, retry_num=1)
    await slack.settle()

    assert first.status >= 500  # not acknowledged: Slack retries instead of the event being lost
    assert retry.status == 200
    assert len(slack.fake.posts(GENERAL)) == 1
    errors = slack.metrics.counter("claimwatch_slack_errors_total", "")
    assert errors.value(kind="StorageError") == 1
