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
        ({"embeds": [embed(description="d" * 4_000)] * 2}, "over 6000"),
        ({"tts": False}, "empty message"),
        (
            {"components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "x"}]}]},
            "custom_id missing",
        ),
    ],
)
async def test_refuses_bad_messages(
    fake: FakeDiscord, http: aiohttp.ClientSession, body: dict[str, Any], problem: str
) -> None:
    status, error = await post(http, f"/channels/{fake.general}/messages", body)
    assert status == 400 and problem in error["message"]
    assert len(fake.violations) == 1
    fake.violations.clear()  # expected here; the fixture fails any test that leaves one


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
