"""Passive monitoring end to end: gateway messages in, REST replies out, through the real client."""

from __future__ import annotations

import json
import logging

import pytest

from bot.adapters.discord import PLATFORM, ClaimwatchBot, build_intents
from bot.core.models import Action, ReplyMode
from bot.core.reply import COLOUR_FALSE
from tests.adapters.discord.conftest import SpyService, settled
from tests.adapters.discord.fake_discord import (
    API,
    FakeDiscord,
    custom_ids,
    embed_text,
    eventually,
)

# A fact-base phrasing, matched with full confidence whatever the matcher's calibration.
CLAIM = "the US gave Ukraine 350 billion dollars"
CLAIM_ENTRY = "us-aid-350-billion"
OTHER_CLAIM = "bucha was staged"
CHATTER = "anyone know a good Ukrainian course? online is fine"


async def test_login_ready_and_guild_create(fake: FakeDiscord, bot: ClaimwatchBot) -> None:
    assert fake.calls_to("GET", "/users/@me$") and fake.calls_to("GET", "/oauth2/applications/@me")
    (identify,) = fake.identifies
    assert identify["intents"] == build_intents().value
    assert bot.intents.message_content and not bot.intents.members and not bot.intents.presences
    assert bot.user is not None and str(bot.user.id) == fake.bot.id
    guild = bot.get_guild(int(fake.guild_id))
    assert guild is not None and {c.name for c in guild.text_channels} >= {"general", "mod-log"}
    names = {(c["name"], c["type"]) for c in fake.commands}
    assert names == {("factcheck", 1), ("facts", 1), ("claimwatch", 1), ("Check this message", 3)}


async def test_every_command_option_is_described(fake: FakeDiscord, bot: ClaimwatchBot) -> None:
    def options(items: list[dict[str, object]]) -> list[dict[str, object]]:
        found = []
        for item in items:
            found.append(item)
            found += options(item.get("options", []))  # type: ignore[arg-type]
        return found

    undescribed = [o["name"] for o in options(fake.commands) if o.get("description") == "…"]
    assert undescribed == []


async def test_claim_gets_a_threaded_reply_with_a_sourced_embed(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    message = await fake.post(CLAIM)
    (reply,) = await fake.wait_posted(1)

    (thread_call,) = fake.calls_to("POST", rf"/messages/{message['id']}/threads$")
    assert thread_call.path == f"{API}/channels/{fake.general}/messages/{message['id']}/threads"
    assert thread_call.json["name"] == "Fact check · False"  # the verdict, never the claim
    thread_id = message["id"]  # a thread started from a message takes the message's id
    assert fake.posted(thread_id) == [reply]

    (embed,) = reply["embeds"]
    assert embed["title"] == "Fact check · False"
    assert embed["color"] == COLOUR_FALSE
    sources = next(f for f in embed["fields"] if f["name"] == "Sources")["value"]
    assert sources.count("](https://") >= 2  # sources as links
    assert "%" in next(f for f in embed["fields"] if f["name"] == "Match confidence")["value"]
    assert reply["allowed_mentions"] == {"parse": []}  # nobody is pinged
    assert custom_ids(reply) == ["cw:fb:helpful", "cw:fb:not_helpful", "cw:fb:wrong_claim"]
    # Never amplify: neither the message nor the fact base's claim sentence is quoted.
    entry = service.factbase.get(CLAIM_ENTRY)
    assert entry is not None
    text = json.dumps(reply, ensure_ascii=False)
    assert CLAIM not in text and entry.claim not in text
    assert "Congress approved" in embed_text(embed)


async def test_reply_mode_answers_inline_with_a_reference(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    await service.update_config(PLATFORM, fake.guild_id, reply_mode=ReplyMode.REPLY)
    message = await fake.post(CLAIM)
    (reply,) = await fake.wait_posted(1)
    assert fake.calls_to("POST", "/threads$") == []
    assert fake.posted(fake.general) == [reply]
    reference = reply["message_reference"]
    assert str(reference["message_id"]) == message["id"]  # Discord takes ids as int or str
    assert str(reference["channel_id"]) == fake.general
    assert reference["fail_if_not_exists"] is True
    # A reply pings its author unless told not to.
    assert reply["allowed_mentions"] == {"parse": [], "replied_user": False}


async def test_chatter_bots_other_channels_and_dms_get_nothing(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    ignored = [
        await fake.post(CHATTER),
        await fake.post(CLAIM, author=fake.otherbot),
        await fake.post(CLAIM, author=fake.bot),
        await fake.post(CLAIM, channel_id=fake.offtopic),
    ]
    for message in ignored:
        assert (await service.decision_for(message["id"])).action is Action.IGNORE
    await fake.post(CLAIM, dm=True)  # never reaches the service: no server, no settings
    await settled(bot)
    assert fake.calls_to("POST", "/channels/") == []
    # The same claim from a person in a watched channel is answered: the bot was listening.
    await fake.post(CLAIM)
    await fake.wait_posted(1)
    await settled(bot)
    assert len(fake.posted()) == 1  # and nothing for the DM, handled before it


async def test_cooldowns_keep_the_bot_from_answering_again(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    await service.update_config(PLATFORM, fake.guild_id, channel_cooldown_s=120)
    await fake.post(CLAIM, author=fake.alice)
    await fake.wait_posted(1)
    for text in (CLAIM, OTHER_CLAIM):  # the same claim again, or another one, soon after
        later = await fake.post(text, author=fake.mallory)
        assert (await service.decision_for(later["id"])).reason == "cooldown"
    await settled(bot)
    assert len(fake.posted()) == 1


async def test_messages_in_threads_of_a_watched_channel_are_answered_in_the_thread(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    # A thread under #general, opened by a member on an earlier message.
    thread = await fake.open_thread(await fake.post(CHATTER), "questions")
    message = await fake.post(CLAIM, channel_id=thread["id"])
    (reply,) = await fake.wait_posted(1)
    assert fake.posted(thread["id"]) == [reply]
    assert str(reply["message_reference"]["message_id"]) == message["id"]


async def test_borderline_match_goes_to_the_log_channel_with_buttons(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    # Moderators-only mode sends every match the way borderline ones go: to the log channel.
    await service.update_config(PLATFORM, fake.guild_id, reply_mode=ReplyMode.MODERATORS_ONLY)
    message = await fake.post(f"{CLAIM} @everyone **read this**")
    (entry,) = await fake.wait_posted(1)
    decision = await service.decision_for(message["id"])
    assert decision.action is Action.SUGGEST and decision.queue_id is not None
    assert fake.posted(fake.modlog) == [entry]
    assert fake.posted(fake.general) == []
    assert custom_ids(entry) == [
        f"cw:q:reply:{decision.queue_id}",
        f"cw:q:dismiss:{decision.queue_id}",
    ]
    (embed,) = entry["embeds"]
    text = embed_text(embed)
    assert (
        CLAIM_ENTRY in text and f"/channels/{fake.guild_id}/{fake.general}/{message['id']}" in text
    )
    # The excerpt shows the message defused: no live @everyone, no markdown.
    excerpt = next(f for f in embed["fields"] if f["name"] == "Excerpt")["value"]
    assert "@everyone" not in excerpt and "\\*\\*read this\\*\\*" in excerpt
    assert entry["allowed_mentions"] == {"parse": []}


async def test_deleted_message_takes_the_reply_with_it(
    fake: FakeDiscord, bot: ClaimwatchBot
) -> None:
    message = await fake.post(CLAIM)
    await fake.wait_posted(1)
    (reply,) = fake.bot_messages(message["id"])  # in the thread opened from the message
    await fake.delete(message)
    await fake.wait_for(lambda: fake.calls_to("DELETE", rf"/messages/{reply['id']}$"))
    (call,) = fake.calls_to("DELETE", "/messages/")
    assert call.path == f"{API}/channels/{message['id']}/messages/{reply['id']}"
    assert fake.bot_messages() == []


async def test_a_purge_takes_the_replies_with_it(fake: FakeDiscord, bot: ClaimwatchBot) -> None:
    claims = [await fake.post(CLAIM), await fake.post(OTHER_CLAIM)]
    await fake.wait_posted(2)
    await fake.delete_bulk(claims)
    await fake.wait_for(lambda: len(fake.calls_to("DELETE", "/messages/")) == 2)
    assert fake.bot_messages() == []


async def test_deleting_an_unanswered_message_deletes_nothing(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    chatter = await fake.post(CHATTER)
    await service.decision_for(chatter["id"])
    await fake.delete(chatter)
    # Then a claim, answered: by then the delete was handled, without a DELETE call.
    await fake.post(CLAIM)
    await fake.wait_posted(1)
    assert fake.calls_to("DELETE", "/messages/") == []


async def test_message_edited_into_a_claim_is_checked_again_once(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    message = await fake.post(CHATTER)
    assert (await service.decision_for(message["id"])).action is Action.IGNORE
    await fake.edit(message, OTHER_CLAIM)
    (reply,) = await fake.wait_posted(1)
    assert reply["embeds"][0]["title"] == "Fact check · False"
    # Edited again into another claim: already answered, no second reply.
    before = len(service.decisions)
    await fake.edit(message, CLAIM)
    await fake.wait_for(lambda: len(service.decisions) > before)
    assert service.decisions[-1].action is Action.IGNORE
    assert len(fake.posted()) == 1


@pytest.mark.parametrize("mode", [ReplyMode.THREAD, ReplyMode.REPLY])
async def test_reply_to_a_message_deleted_meanwhile_posts_nothing(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService, mode: ReplyMode
) -> None:
    await service.update_config(PLATFORM, fake.guild_id, reply_mode=mode)
    await fake.post(CLAIM, gone=True)
    await fake.wait_for(lambda: fake.calls_to("POST", f"/channels/{fake.general}/messages"))
    await fake.post(OTHER_CLAIM)  # handled after the first one was given up
    await fake.wait_posted(1)
    assert len(fake.bot_messages()) == 1


async def test_without_thread_permission_the_reply_goes_inline(
    fake: FakeDiscord, bot: ClaimwatchBot
) -> None:
    fake.refuse_threads = True
    message = await fake.post(CLAIM)
    (reply,) = await fake.wait_posted(1)
    assert fake.posted(fake.general) == [reply]
    assert str(reply["message_reference"]["message_id"]) == message["id"]


async def test_a_thread_people_already_opened_gets_the_reply(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    message = await fake.post(CHATTER)
    await service.decision_for(message["id"])
    thread = await fake.open_thread(message, "discussion")
    await fake.edit(message, CLAIM)  # now it is a claim, and a thread hangs off it already
    (reply,) = await fake.wait_posted(1)
    assert fake.posted(thread["id"]) == [reply]


async def test_matches_wait_in_the_queue_without_a_log_channel(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    await service.update_config(
        PLATFORM, fake.guild_id, reply_mode=ReplyMode.MODERATORS_ONLY, log_channel=None
    )
    message = await fake.post(CLAIM)
    assert (await service.decision_for(message["id"])).action is Action.SUGGEST
    await settled(bot)
    assert len(await service.pending(PLATFORM, fake.guild_id)) == 1
    assert fake.posted() == []


def warnings_from_the_bot(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("bot.") and r.levelname == "WARNING"
    ]


async def test_a_channel_the_bot_may_not_post_in_gets_a_warning_not_a_crash(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService, caplog: pytest.LogCaptureFixture
) -> None:
    await service.update_config(PLATFORM, fake.guild_id, reply_mode=ReplyMode.REPLY)
    fake.refuse_posts.add(fake.general)  # a moderator took Send Messages away
    message = await fake.post(CLAIM)
    await fake.wait_for(lambda: fake.calls_to("POST", f"/channels/{fake.general}/messages"))
    await settled(bot)
    (warning,) = warnings_from_the_bot(caplog)
    assert f"message {message['id']}" in warning
    assert f"may not post in <#{fake.general}> (Missing Permissions)" in warning
    assert fake.bot_messages() == []


async def test_a_log_channel_the_bot_may_not_post_in_keeps_the_match_queued(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService, caplog: pytest.LogCaptureFixture
) -> None:
    await service.update_config(PLATFORM, fake.guild_id, reply_mode=ReplyMode.MODERATORS_ONLY)
    fake.refuse_posts.add(fake.modlog)
    await fake.post(CLAIM)
    await fake.wait_for(lambda: fake.calls_to("POST", f"/channels/{fake.modlog}/messages"))
    await settled(bot)
    (warning,) = warnings_from_the_bot(caplog)
    assert f"may not post in <#{fake.modlog}>" in warning
    assert len(await service.pending(PLATFORM, fake.guild_id)) == 1


async def test_a_deleted_channel_leaves_every_setting_and_only_that_is_logged(
    fake: FakeDiscord,
    bot: ClaimwatchBot,
    service: SpyService,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await service.edit_list(PLATFORM, fake.guild_id, "monitored_channels", add=[fake.offtopic])
    await service.edit_list(PLATFORM, fake.guild_id, "ignored_channels", add=[fake.offtopic])
    forgotten: list[tuple[str, bool]] = []
    forget_channel = service.forget_channel

    async def noting(platform: str, server_id: str, channel_id: str) -> bool:
        changed = await forget_channel(platform, server_id, channel_id)
        forgotten.append((channel_id, changed))
        return changed

    monkeypatch.setattr(service, "forget_channel", noting)

    with caplog.at_level(logging.INFO, logger="bot.adapters.discord"):
        await fake.delete_channel(fake.forum)  # in no setting
        await fake.delete_channel(fake.offtopic)  # watched and ignored
        await fake.delete_channel(fake.modlog)  # the moderators' log
        await eventually(lambda: len(forgotten) == 3)

    assert sorted(forgotten) == sorted(
        [(fake.forum, False), (fake.offtopic, True), (fake.modlog, True)]
    )
    config = await service.get_config(PLATFORM, fake.guild_id)
    assert config.monitored_channels == {fake.general}
    assert config.ignored_channels == frozenset()
    assert config.log_channel is None
    dropped = [r.getMessage() for r in caplog.records if "dropped from its settings" in r.message]
    assert len(dropped) == 2
    assert not any(fake.forum in line for line in dropped)
