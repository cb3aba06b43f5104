"""HTTP mode: real signed requests to the running server; unsigned, forged or stale ones never
reach the bot."""

from __future__ import annotations

import json
import logging
import time

import pytest

from tests.adapters.slack.conftest import Harness
from tests.adapters.slack.slack_payloads import GENERAL, event_body, message_event, signed_headers

CLAIM = "Zelensky is a dictator who cancelled the elections"
STALE_S = 6 * 60  # Slack's window is five minutes


async def test_a_signed_event_is_acknowledged_and_answered(slack: Harness) -> None:
    answer = await slack.send.event(event_body(message_event(CLAIM)))
    await slack.settle()

    assert answer.status == 200
    assert len(slack.fake.posts(GENERAL)) == 1


async def test_a_wrong_signature_gets_401_and_no_reply(slack: Harness) -> None:
    body = json.dumps(event_body(message_event(CLAIM)))

    answer = await slack.send.post(body, content_type="application/json", secret="not-the-secret")
    await slack.settle()

    assert answer.status == 401
    assert slack.fake.bot_calls() == []


async def test_refusals_are_counted_and_point_at_the_signing_secret(
    slack: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(event_body(message_event(CLAIM)))

    with caplog.at_level(logging.WARNING, logger="bot.adapters.slack"):
        for _ in range(3):
            await slack.send.post(body, content_type="application/json", secret="wrong")

    refused = slack.metrics.counter("claimwatch_slack_refused_total", "")
    assert refused.value() == 3
    warnings = [r.getMessage() for r in caplog.records if "SLACK_SIGNING_SECRET" in r.getMessage()]
    assert len(warnings) == 1  # once a minute, not once a request


async def test_a_stale_timestamp_is_refused_even_when_signed_correctly(slack: Harness) -> None:
    body = json.dumps(event_body(message_event(CLAIM)))

    answer = await slack.send.post(
        body, content_type="application/json", timestamp=int(time.time()) - STALE_S
    )
    await slack.settle()

    assert answer.status == 401
    assert slack.fake.bot_calls() == []


async def test_a_body_changed_after_signing_is_refused(slack: Harness) -> None:
    # Sign one body, send another: a replayed signature cannot carry new content.
    original = json.dumps(event_body(message_event("hello")))
    tampered = original.replace("hello", CLAIM)
    headers = signed_headers(original)
    async with slack.send._session.post(
        slack.send.url,
        data=tampered.encode(),
        headers={"Content-Type": "application/json", **headers},
    ) as response:
        status = response.status
    await slack.settle()

    assert status == 401
    assert slack.fake.bot_calls() == []


async def test_slack_url_verification_gets_its_challenge_back(slack: Harness) -> None:
    body = {"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
    body["type"] = "url_verification"

    answer = await slack.send.post(json.dumps(body), content_type="application/json")

    assert answer.status == 200
    assert answer.json() == {"challenge": body["challenge"]}


async def test_health_and_metrics_share_the_server_with_slack_events(slack: Harness) -> None:
    await slack.send.event(event_body(message_event(CLAIM)))
    await slack.settle()
    session = slack.send._session

    async with session.get(f"{slack.server.url}/healthz") as health:
        assert health.status == 200
    async with session.get(f"{slack.server.url}/metrics") as metrics:
        text = await metrics.text()

    assert 'claimwatch_slack_events_total{outcome="accepted"} 1' in text
    assert 'claimwatch_slack_decisions_total{action="reply"} 1' in text


async def test_an_uninstall_event_is_acknowledged_not_404(slack: Harness) -> None:
    # A 404 would make Slack retry it, and count it against the app's delivery health.
    event = {"type": "app_uninstalled", "event_ts": "1700000000.000001"}

    answer = await slack.send.event(event_body(event))
    await slack.settle()

    assert answer.status == 200
    assert slack.fake.bot_calls() == []
