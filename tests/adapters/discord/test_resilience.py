"""When Discord pushes back: rate limits, a dropped gateway, several processes sharing the bot."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.discord import PLATFORM, ClaimwatchBot
from bot.adapters.discord._bot import MAX_RATELIMIT_WAIT_S
from bot.core.models import ReplyMode
from tests.adapters.discord.conftest import SpyService, settled, start_bot, stop_bot
from tests.adapters.discord.fake_discord import FakeDiscord, eventually

CLAIM = "the US gave Ukraine 350 billion dollars"
OTHER_CLAIM = "bucha was staged"
RETRY_AFTER_S = 0.3  # short, so the test stays fast; long enough to measure


async def test_a_429_is_waited_out_then_the_reply_goes_through(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    await service.update_config(PLATFORM, fake.guild_id, reply_mode=ReplyMode.REPLY)
    messages = rf"/channels/{fake.general}/messages$"
    fake.rate_limit("POST", messages, retry_after=RETRY_AFTER_S)
    await fake.post(CLAIM)
    (reply,) = await fake.wait_posted(1)
    limited, accepted = fake.calls_to("POST", messages)
    assert (limited.status, accepted.status) == (429, 200)
    assert accepted.at - limited.at >= RETRY_AFTER_S
    assert reply["embeds"]


async def test_a_rate_limit_too_long_to_wait_drops_that_reply_and_logs_why(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService, caplog: pytest.LogCaptureFixture
) -> None:
    await service.update_config(PLATFORM, fake.guild_id, reply_mode=ReplyMode.REPLY)
    messages = rf"/channels/{fake.general}/messages$"
    fake.rate_limit("POST", messages, retry_after=MAX_RATELIMIT_WAIT_S + 30)
    dropped = await fake.post(CLAIM)
    await fake.wait_for(lambda: fake.calls_to("POST", messages))
    await settled(bot)
    assert fake.posted() == []  # not retried minutes later, when the conversation moved on
    (why,) = [r for r in caplog.records if r.name.startswith("bot.") and "dropped" in r.message]
    assert why.levelname == "WARNING" and "wait 60 s" in why.message
    assert f"message {dropped['id']}" in why.message
    # The next claim goes out as usual.
    await fake.post(OTHER_CLAIM)
    (reply,) = await fake.wait_posted(1)
    assert reply["embeds"]


async def test_a_429_on_an_interaction_callback_is_waited_out_too(
    fake: FakeDiscord, bot: ClaimwatchBot
) -> None:
    fake.rate_limit("POST", r"/interactions/\d+/\w+/callback$", retry_after=RETRY_AFTER_S)
    interaction = await fake.slash("factcheck", member=fake.alice, text=CLAIM)
    answer = await fake.answer_to(interaction)
    assert answer["data"]["embeds"] and answer["at"] >= RETRY_AFTER_S


async def test_the_client_resumes_after_the_gateway_drops_and_still_answers(
    fake: FakeDiscord, bot: ClaimwatchBot
) -> None:
    (session,) = fake.sessions.values()
    seen = session.seq
    await fake.drop(code=4000)
    # Posted while the bot is away: Discord replays it on RESUME.
    message = await fake.post(CLAIM)
    (resume,) = await fake.wait_for(lambda: fake.resumes)
    assert resume["session_id"] == session.id and resume["seq"] == seen
    assert len(fake.identifies) == 1  # resumed, not a new session
    await fake.wait_posted(1)
    assert fake.bot_messages(message["id"])  # answered in the thread on the message
    # And it keeps working on the resumed connection.
    await fake.post("bucha was staged")
    await fake.wait_posted(2)


async def test_an_expired_session_is_identified_again_and_still_answers(
    fake: FakeDiscord, bot: ClaimwatchBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def at_once(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before identifying again (Discord's pace for new sessions)."""

    monkeypatch.setattr(bot, "before_identify_hook", at_once)
    (session,) = fake.sessions.values()
    session.id = "expired"  # Discord forgot the session: RESUME is refused (op 9)
    await fake.drop(code=4000)
    await fake.wait_for(lambda: fake.resumes and len(fake.identifies) == 2)
    await fake.wait_for(lambda: fake.sessions[0] is not session and fake.sessions[0].ws)
    message = await fake.post(CLAIM)
    await fake.wait_posted(1)
    assert fake.bot_messages(message["id"])


async def test_shards_split_across_processes(fake: FakeDiscord, service: SpyService) -> None:
    """Two processes, one shard each: one publishes the commands, the guild's owner answers."""
    bots = [ClaimwatchBot(service=service, shard_ids=[shard], shard_count=2) for shard in (0, 1)]
    tasks = [asyncio.create_task(bot.start(fake.token)) for bot in bots]
    try:
        await eventually(lambda: len(fake.sessions) == 2)
        assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
        owner = bots[(int(fake.guild_id) >> 22) % 2]
        await eventually(lambda: owner.get_guild(int(fake.guild_id)))
        await fake.post(CLAIM)
        await fake.wait_posted(1)
        assert len(fake.calls_to("PUT", "/commands$")) == 1  # only the process with shard 0
    finally:
        for bot, task in zip(bots, tasks, strict=True):
            await stop_bot(bot, task)
    assert len(fake.posted()) == 1


async def test_a_restart_answers_with_the_new_process(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    await bot.close()
    second, task = await start_bot(fake, service)
    try:
        await fake.post(CLAIM)
        await fake.wait_posted(1)
    finally:
        await stop_bot(second, task)
    assert len(fake.identifies) == 2


async def test_shutdown_lets_a_reply_in_flight_finish(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    service.delay_s = 0.3  # the store is slow: the reply is still being worked on
    await fake.post(CLAIM)
    await eventually(lambda: bot.claimwatch.inflight)
    await bot.shutdown()  # what SIGTERM does
    assert bot.is_closed()
    assert len(fake.posted()) == 1
