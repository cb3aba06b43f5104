"""Buttons end to end: feedback under replies, Reply/Dismiss in the log, across restarts."""

from __future__ import annotations

import copy

import pytest

from bot.adapters.discord import PLATFORM, ClaimwatchBot
from bot.core.models import ReplyMode
from tests.adapters.discord.conftest import SpyService, start_bot, stop_bot
from tests.adapters.discord.fake_discord import (
    CHANNEL_MESSAGE,
    CREATE_PUBLIC_THREADS,
    EPHEMERAL,
    JSON,
    SEND_MESSAGES,
    UPDATE_MESSAGE,
    FakeDiscord,
    embed_text,
)

CLAIM = "the US gave Ukraine 350 billion dollars"


async def replied(fake: FakeDiscord) -> JSON:
    """Post a claim and return the bot's reply as it now stands on Discord."""
    message = await fake.post(CLAIM)
    await fake.wait_posted(1)
    (reply,) = fake.bot_messages(message["id"])
    return reply


async def queued(fake: FakeDiscord, service: SpyService) -> tuple[JSON, JSON]:
    """Post a claim that goes to the moderators; the message and the log entry."""
    await service.update_config(PLATFORM, fake.guild_id, reply_mode=ReplyMode.MODERATORS_ONLY)
    message = await fake.post(CLAIM)
    await fake.wait_posted(1)
    (entry,) = fake.bot_messages(fake.modlog)
    return message, copy.deepcopy(entry)  # as a moderator's screen shows it, even later


@pytest.mark.parametrize("vote", ["helpful", "not_helpful", "wrong_claim"])
async def test_feedback_is_recorded_and_thanked_privately(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService, vote: str
) -> None:
    reply = await replied(fake)
    interaction = await fake.click(reply, f"cw:fb:{vote}", member=fake.mallory)
    answer = await fake.answer_to(interaction)
    assert answer["type"] == CHANNEL_MESSAGE and answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"].startswith("Thanks")
    assert (await service.stats(PLATFORM, fake.guild_id)).feedback == {vote: 1}


async def test_buttons_keep_working_after_a_restart(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    reply = await replied(fake)
    await bot.close()  # the fixture's bot goes away: a deploy, a crash
    restarted, task = await start_bot(fake, service)
    try:
        interaction = await fake.click(reply, "cw:fb:wrong_claim", member=fake.alice)
        assert (await fake.answer_to(interaction))["data"]["content"].startswith("Thanks")
    finally:
        await stop_bot(restarted, task)
    assert (await service.stats(PLATFORM, fake.guild_id)).feedback == {"wrong_claim": 1}


async def test_log_entry_buttons_keep_working_after_a_restart(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    message, entry = await queued(fake, service)
    await bot.close()
    restarted, task = await start_bot(fake, service)
    try:
        interaction = await fake.click(entry, entry_button(entry, "reply"), member=fake.mia)
        assert (await fake.answer_to(interaction))["type"] == UPDATE_MESSAGE
        await fake.wait_for(lambda: fake.bot_messages(message["id"]))
    finally:
        await stop_bot(restarted, task)
    assert (await service.pending(PLATFORM, fake.guild_id)) == []


async def test_reply_button_posts_the_fact_check_and_closes_the_log_entry(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    message, entry = await queued(fake, service)
    interaction = await fake.click(entry, entry_button(entry, "reply"), member=fake.mia)
    answer = await fake.answer_to(interaction)
    assert answer["type"] == UPDATE_MESSAGE
    assert answer["data"]["components"] == []  # the buttons are gone
    outcome = embed_text(answer["data"]["embeds"][0])
    assert f"Approved by <@{fake.mia.id}>" in outcome and "reply posted" in outcome
    # The approved reply opens a thread on the original message, like any reply.
    (reply,) = fake.bot_messages(message["id"])
    assert reply["embeds"][0]["title"] == "Fact check · False"
    assert (await service.pending(PLATFORM, fake.guild_id)) == []


async def test_reply_button_says_when_the_bot_may_not_post_there(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    message, entry = await queued(fake, service)
    # A moderator took Create Public Threads and Send Messages away in #general meanwhile.
    deny = {
        "id": fake.everyone_role,
        "type": 0,
        "allow": "0",
        "deny": str(SEND_MESSAGES | CREATE_PUBLIC_THREADS),
    }
    await fake.update_channel(fake.general, permission_overwrites=[deny])
    fake.refuse_threads = True
    fake.refuse_posts.add(fake.general)
    interaction = await fake.click(entry, entry_button(entry, "reply"), member=fake.mia)
    answer = await fake.answer_to(interaction)
    # Told privately what is missing; the entry keeps its buttons and the match its place.
    assert answer["type"] == CHANNEL_MESSAGE and answer["data"]["flags"] & EPHEMERAL
    missing = "Missing Permissions: Send Messages, Embed Links"
    assert f"claimwatch may not post in <#{fake.general}> ({missing})" in answer["data"]["content"]
    assert fake.messages[entry["id"]]["components"] == entry["components"]
    assert [item.id for item in await service.pending(PLATFORM, fake.guild_id)] == [
        entry_button(entry, "reply").rsplit(":", 1)[1]
    ]
    assert fake.bot_messages(fake.general) == [] and fake.bot_messages(message["id"]) == []
    assert (await service.stats(PLATFORM, fake.guild_id)).approved == 0

    # Send Messages given back (threads still not): the same button now posts the reply.
    await fake.update_channel(
        fake.general, permission_overwrites=[{**deny, "deny": str(CREATE_PUBLIC_THREADS)}]
    )
    fake.refuse_posts.discard(fake.general)
    again = await fake.click(entry, entry_button(entry, "reply"), member=fake.mia)
    answer = await fake.answer_to(again)
    assert answer["type"] == UPDATE_MESSAGE and answer["data"]["components"] == []
    assert "reply posted" in embed_text(answer["data"]["embeds"][0])
    # Without threads, a plain reply under the message.
    (reply,) = fake.bot_messages(fake.general)
    assert str(reply["message_reference"]["message_id"]) == message["id"]
    assert (await service.pending(PLATFORM, fake.guild_id)) == []


async def test_dismiss_button_closes_the_entry_without_replying(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    message, entry = await queued(fake, service)
    interaction = await fake.click(entry, entry_button(entry, "dismiss"), member=fake.ann)
    answer = await fake.answer_to(interaction)
    assert answer["type"] == UPDATE_MESSAGE and answer["data"]["components"] == []
    assert f"Dismissed by <@{fake.ann.id}>" in embed_text(answer["data"]["embeds"][0])
    assert fake.bot_messages(message["id"]) == []
    # A second moderator on a stale copy of the entry learns it is done.
    again = await fake.click(entry, entry_button(entry, "reply"), member=fake.mia)
    late = await fake.answer_to(again)
    assert late["type"] == CHANNEL_MESSAGE and late["data"]["flags"] & EPHEMERAL
    assert "already handled" in late["data"]["content"]
    assert fake.bot_messages(message["id"]) == []


async def test_non_moderators_cannot_approve(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    message, entry = await queued(fake, service)
    interaction = await fake.click(entry, entry_button(entry, "reply"), member=fake.mallory)
    answer = await fake.answer_to(interaction)
    assert answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"].startswith("Sorry, only this server's moderators")
    assert fake.bot_messages(message["id"]) == []
    assert len(await service.pending(PLATFORM, fake.guild_id)) == 1


def entry_button(entry: JSON, action: str) -> str:
    (custom_id,) = [
        item["custom_id"]
        for row in entry["components"]
        for item in row["components"]
        if item["custom_id"].startswith(f"cw:q:{action}:")
    ]
    return custom_id
