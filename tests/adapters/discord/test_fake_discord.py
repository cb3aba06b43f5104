"""The fake refuses what Discord refuses: otherwise every other test here would prove little."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.adapters.discord.fake_discord import (
    API,
    CHANNEL_MESSAGE,
    INTERACTION_DEADLINE_S,
    FakeDiscord,
    Session,
)


@pytest.fixture
async def http(fake: FakeDiscord) -> AsyncIterator[aiohttp.ClientSession]:
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession(f"http://127.0.0.1:{fake.port}", headers=headers) as session:
        yield session


async def post(http: aiohttp.ClientSession, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    async with http.post(API + path, json=body) as response:
        assert response.headers["Content-Type"] == "application/json"
        return response.status, await response.json()


def embed(**overrides: Any) -> dict[str, Any]:
    return {"title": "Fact check · False", "description": "Context.", **overrides}


def button(custom_id: str, **overrides: Any) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": "Helpful", "custom_id": custom_id, **overrides}


def rows(*buttons_per_row: int) -> dict[str, Any]:
    """A message with action rows holding that many buttons each (custom ids all distinct)."""
    return {
        "components": [
            {"type": 1, "components": [button(f"b{row}.{i}") for i in range(count)]}
            for row, count in enumerate(buttons_per_row)
        ]
    }


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"content": "x" * 2_001}, "at most 2000"),
        ({"content": "hi", "mention_everyone": True}, "unknown fields"),
        ({"embeds": [embed(colour=1)]}, "unknown fields"),
        ({"embeds": [embed(title="t" * 257)]}, "title over 256"),
        ({"embeds": [embed(description="d" * 4_097)]}, "description over 4096"),
        ({"embeds": [embed(fields=[{"name": "n", "value": "v" * 1_025}])]}, "over 1024"),
        ({"embeds": [embed(fields=[{"value": "v"}])]}, "name missing"),
        ({"embeds": [embed(fields=[{"name": "n", "value": "v"}] * 26)]}, "at most 25"),
        ({"embeds": [embed(fields=[{"name": "n" * 257, "value": "v"}])]}, "over 256"),
        ({"embeds": [embed(footer={"text": "f" * 2_049})]}, "footer text missing or over 2048"),
        ({"embeds": [embed(footer={})]}, "footer text missing"),
        ({"embeds": [embed(author={"name": "a", "avatar": "x"})]}, "unknown fields"),
        ({"embeds": [embed(description="d" * 4_000)] * 2}, "over 6000"),
        (
            {
                "embeds": [
                    embed(description="d" * 4_000, fields=[{"name": "n", "value": "v" * 1_024}] * 2)
                ]
            },
            "over 6000",
        ),
        ({"tts": False}, "empty message"),
        ({"content": "x", "message_reference": {"channel_id": "1"}}, "message_id is required"),
        (rows(5, 5, 5, 5, 5, 1), "at most 5 component rows"),
        (rows(6), "1-5 buttons"),
        (rows(0), "1-5 buttons"),
        ({"components": [{"type": 1, "components": [button("x" * 101)]}]}, "over 100"),
        ({"components": [{"type": 1, "components": [button("a"), button("a")]}]}, "duplicate"),
        ({"components": [{"type": 1, "components": [button("a", label="")]}]}, "label or"),
        ({"components": [button("a")]}, "must be action rows"),
        (
            {"components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "x"}]}]},
            "custom_id missing",
        ),
        ({"components": [{"type": 1, "components": [button("a", colour="red")]}]}, "unknown"),
    ],
)
async def test_refuses_bad_messages(
    fake: FakeDiscord, http: aiohttp.ClientSession, body: dict[str, Any], problem: str
) -> None:
    status, error = await post(http, f"/channels/{fake.general}/messages", body)
    assert status == 400 and problem in error["message"]
    assert len(fake.violations) == 1
    fake.violations.clear()  # expected here; the fixture fails any test that leaves one


async def test_accepts_messages_at_discords_limits(
    fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    """Right at each limit is still fine: the refusals above are the limits, not stricter."""
    at_limits = embed(
        title="t" * 256,
        description="d" * 1_896,
        fields=[{"name": "n" * 256, "value": "v" * 1_024}] * 3,
        footer={"text": "f" * 8},
    )  # 6,000 characters in all
    status, _ = await post(http, f"/channels/{fake.general}/messages", {"embeds": [at_limits]})
    assert status == 200
    body = {"content": "x" * 2_000, **rows(5, 5, 5, 5, 5)}
    body["components"][0]["components"][0]["custom_id"] = "c" * 100
    status, _ = await post(http, f"/channels/{fake.general}/messages", body)
    assert status == 200


async def test_refuses_a_wrong_token_and_unknown_routes(
    fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    async with http.get(API + "/users/@me", headers={"Authorization": "Bot nope"}) as response:
        assert response.status == 401
    async with http.get(API + "/guilds/1/audit-logs") as response:
        assert response.status == 404
    assert fake.violations == [
        f"GET {API}/guilds/1/audit-logs: 404: Not Found (the fake has no GET route)"
    ]
    fake.violations.clear()


async def test_rate_limit_answers_like_discord(
    fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    fake.rate_limit("POST", "/messages$", retry_after=1.5)
    async with http.post(API + f"/channels/{fake.general}/messages", json={"content": "x"}) as r:
        assert r.status == 429 and r.headers["Via"]
        assert await r.json() == {
            "message": "You are being rate limited.",
            "retry_after": 1.5,
            "global": False,
        }
    status, _ = await post(http, f"/channels/{fake.general}/messages", {"content": "x"})
    assert status == 200  # only the next request was limited


async def test_refuses_late_double_and_premature_interaction_answers(
    fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    async with http.put(
        API + f"/applications/{fake.app_id}/commands",
        json=[{"name": "ping", "description": "Ping", "type": 1}],
    ) as response:
        assert response.status == 200
    fake.sessions[0] = Session(id="offline", shard=(0, 1), ws=None)  # no bot listening
    first, late = await fake.slash("ping"), await fake.slash("ping")
    callback = "/interactions/{}/{}/callback"
    answer = {"type": CHANNEL_MESSAGE, "data": {"content": "pong"}}

    status, _ = await post(http, f"/webhooks/{fake.app_id}/{first.token}", {"content": "early"})
    assert status == 404  # a follow-up needs an acknowledged interaction
    assert (await post(http, callback.format(first.id, first.token), answer))[0] == 200
    status, error = await post(http, callback.format(first.id, first.token), answer)
    assert (status, error["code"]) == (400, 40060)  # already acknowledged
    late.created -= INTERACTION_DEADLINE_S + 0.1
    status, error = await post(http, callback.format(late.id, late.token), answer)
    assert (status, error["code"]) == (404, 10062)  # Discord forgot it after 3 s
    assert len(fake.violations) == 3
    fake.violations.clear()


async def test_refuses_malformed_commands(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    path = API + f"/applications/{fake.app_id}/commands"
    for command in (
        {"name": "Fact Check", "description": "spaces and capitals", "type": 1},
        {"name": "x", "description": "d" * 101, "type": 1},
        {
            "name": "x",
            "description": "optional before required",
            "options": [
                {"name": "a", "description": "a", "type": 3},
                {"name": "b", "description": "b", "type": 3, "required": True},
            ],
        },
    ):
        async with http.put(path, json=[command]) as response:
            assert response.status == 400
    assert len(fake.violations) == 3
    fake.violations.clear()
