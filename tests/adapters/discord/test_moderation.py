"""`/claimwatch` end to end: who may use it, what each subcommand changes, what it answers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.adapters.discord import PLATFORM, ClaimwatchBot
from bot.core import policy
from bot.core.factbase import FactBase
from bot.core.models import GuildConfig, ReplyMode
from bot.core.service import ClaimwatchService
from bot.storage import SqlStore, open_store
from tests.adapters.discord.conftest import DEFER_AFTER_S, SpyService, start_bot, stop_bot
from tests.adapters.discord.fake_discord import (
    CHANNEL_MESSAGE,
    DEFAULT_WAIT_S,
    DEFERRED_MESSAGE,
    EMBED_LINKS,
    EPHEMERAL,
    INTERACTION_DEADLINE_S,
    FakeDiscord,
    Member,
)

CLAIM = "the US gave Ukraine 350 billion dollars"


async def run(
    fake: FakeDiscord, path: str, *, member: Member | None = None, **options: object
) -> str:
    """Run a moderator command and return its (ephemeral) answer's text."""
    interaction = await fake.slash(path, member=member or fake.mia, **options)
    answer = await fake.answer_to(interaction)
    assert answer["type"] == CHANNEL_MESSAGE
    data = answer["data"]
    assert data["flags"] & EPHEMERAL, "moderator answers are ephemeral"
    assert data["allowed_mentions"] == {"parse": []}
    content: str = data["content"]
    return content


async def config(service: SpyService, fake: FakeDiscord) -> GuildConfig:
    return await service.get_config(PLATFORM, fake.guild_id)


async def config_when(
    service: SpyService, fake: FakeDiscord, predicate: Callable[[GuildConfig], bool]
) -> GuildConfig:
    """The server's settings once `predicate` holds for them (an event handler changes them)."""
    deadline = time.monotonic() + DEFAULT_WAIT_S
    while not predicate(current := await config(service, fake)):
        assert time.monotonic() < deadline, f"settings never changed: {current}"
        await asyncio.sleep(0.005)
    return current


async def test_the_group_is_hidden_from_members_by_default(
    fake: FakeDiscord, bot: ClaimwatchBot
) -> None:
    command = fake.command("claimwatch")
    assert command["default_member_permissions"] == 32  # Manage Server
    assert command["dm_permission"] is False


async def test_non_moderators_get_a_polite_refusal_and_change_nothing(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    # Discord only hides the command; an admin may have shown it to everyone.
    before = await config(service, fake)
    for path, options in [
        ("claimwatch status", {}),
        ("claimwatch channels add", {"channel": fake.offtopic}),
    ]:
        text = await run(fake, path, member=fake.mallory, **options)
        assert text.startswith("Sorry, only this server's moderators")
        assert "Manage Server" in text and "moderator roles" in text
    assert await config(service, fake) == before


async def test_moderators_by_role_or_by_manage_server(
    fake: FakeDiscord, bot: ClaimwatchBot
) -> None:
    for member in (fake.mia, fake.ann):
        assert "**claimwatch settings**" in await run(fake, "claimwatch status", member=member)


async def test_setup_configures_a_new_server_and_says_what_is_left(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    await service.forget(PLATFORM, fake.guild_id)  # a new server: its admin sets it up
    admin = fake.ann
    text = await run(fake, "claimwatch setup", member=admin, channel_id=fake.general, mode="reply")
    assert text.startswith("**claimwatch is set up.**")
    assert "No log channel" in text  # guided: what still needs doing
    assert "Moderators: members with Manage Server only" in text
    assert "`/claimwatch moderators add`" in text
    current = await config(service, fake)
    assert current.monitored_channels == {fake.general} and current.reply_mode is ReplyMode.REPLY
    text = await run(fake, "claimwatch setup", member=admin, log_channel=fake.modlog)
    assert f"<#{fake.modlog}>" in text and "No log channel" not in text
    assert (await config(service, fake)).log_channel == fake.modlog


async def test_setup_warns_about_missing_bot_permissions(
    fake: FakeDiscord, bot: ClaimwatchBot
) -> None:
    deny_embeds = {"id": fake.everyone_role, "type": 0, "allow": "0", "deny": str(EMBED_LINKS)}
    await fake.update_channel(fake.offtopic, permission_overwrites=[deny_embeds])
    text = await run(fake, "claimwatch channels add", channel=fake.offtopic)
    assert f"In <#{fake.offtopic}> claimwatch lacks: Embed Links." in text


async def test_channels_add_remove_list(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    assert "Now watching" in await run(fake, "claimwatch channels add", channel=fake.offtopic)
    assert (await config(service, fake)).monitored_channels == {fake.general, fake.offtopic}
    listed = await run(fake, "claimwatch channels list")
    assert f"<#{fake.general}>" in listed and f"<#{fake.offtopic}>" in listed
    await run(fake, "claimwatch channels remove", channel=fake.general)
    assert (await config(service, fake)).monitored_channels == {fake.offtopic}


async def test_mode_off_keeps_the_bot_quiet(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    assert "quiet" in await run(fake, "claimwatch mode", mode="off")
    message = await fake.post(CLAIM)
    assert (await service.decision_for(message["id"])).reason == "disabled on this server"
    await run(fake, "claimwatch mode", mode="reply")
    current = await config(service, fake)
    assert current.enabled and current.reply_mode is ReplyMode.REPLY


async def test_thresholds_and_their_validation(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    assert "Thresholds updated" in await run(fake, "claimwatch thresholds", alert=90.0)
    assert (await config(service, fake)).alert_threshold == 90.0
    refused = await run(fake, "claimwatch thresholds", alert=70.0, suggest=80.0)
    assert refused.startswith("Not changed:") and "suggest_threshold" in refused
    assert (await config(service, fake)).alert_threshold == 90.0  # all or nothing
    await run(fake, "claimwatch thresholds", reset=True)
    assert (await config(service, fake)).alert_threshold is None


async def test_cooldown(fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService) -> None:
    assert "Cooldowns updated" in await run(fake, "claimwatch cooldown", channel=60, claim=7200)
    current = await config(service, fake)
    assert (current.channel_cooldown_s, current.claim_cooldown_s) == (60, 7200)
    assert "Nothing changed" in await run(fake, "claimwatch cooldown")


async def test_logchannel_set_and_clear(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    await run(fake, "claimwatch logchannel", channel=fake.offtopic)
    assert (await config(service, fake)).log_channel == fake.offtopic
    assert "cleared" in await run(fake, "claimwatch logchannel", clear=True)
    assert (await config(service, fake)).log_channel is None


async def test_status_and_stats(fake: FakeDiscord, bot: ClaimwatchBot) -> None:
    status = await run(fake, "claimwatch status")
    assert f"<#{fake.general}>" in status and f"<#{fake.modlog}>" in status
    await fake.post(CLAIM)
    await fake.wait_posted(1)
    stats = await run(fake, "claimwatch stats")
    assert "Replies on its own confidence: 1" in stats and "`us-aid-350-billion`: 1" in stats


async def test_forget_needs_confirmation(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    assert "Nothing deleted" in await run(fake, "claimwatch forget", confirm=False)
    assert (await config(service, fake)).monitored_channels == {fake.general}
    assert "deleted everything" in await run(fake, "claimwatch forget", confirm=True)
    assert await config(service, fake) == GuildConfig()


async def test_slow_storage_is_deferred_then_answered(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    service.delay_s = DEFER_AFTER_S * 2  # a database having a bad moment
    interaction = await fake.slash("claimwatch status", member=fake.mia)
    answer = await fake.answer_to(interaction)
    assert answer["type"] == DEFERRED_MESSAGE and answer["data"]["flags"] & EPHEMERAL
    assert answer["at"] < INTERACTION_DEADLINE_S
    (followup,) = await fake.wait_for(lambda: interaction.followups)
    assert "**claimwatch settings**" in followup["content"]


async def test_a_forum_can_be_watched_and_its_posts_are_answered_in_the_post(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    assert "Now watching" in await run(fake, "claimwatch channels add", channel=fake.forum)
    assert fake.forum in (await config(service, fake)).monitored_channels
    post, message = await fake.open_forum_post(fake.forum, "Is this true?", CLAIM)
    (reply,) = await fake.wait_posted(1)
    assert fake.posted(post["id"]) == [reply]
    assert str(reply["message_reference"]["message_id"]) == message["id"]


async def test_setup_inside_a_thread_watches_the_channel_it_is_in(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    await service.forget(PLATFORM, fake.guild_id)
    thread = await fake.open_thread(await fake.post("hello"), "planning", owner=fake.ann)
    await run(fake, "claimwatch setup", member=fake.ann, channel_id=thread["id"])
    assert (await config(service, fake)).monitored_channels == {fake.general}


async def test_a_deleted_channel_leaves_the_settings(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    await run(fake, "claimwatch channels add", channel=fake.offtopic)
    await fake.delete_channel(fake.offtopic)
    await fake.delete_channel(fake.modlog)
    current = await config_when(
        service, fake, lambda c: fake.offtopic not in c.monitored_channels and not c.log_channel
    )
    assert current.monitored_channels == {fake.general}


async def test_channels_deleted_while_the_bot_was_away_are_dropped_on_the_next_change(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    gone = "1234567890123456789"
    await service.update_config(
        PLATFORM, fake.guild_id, monitored_channels=frozenset({fake.general, gone})
    )
    assert f"Channel {gone} no longer exists" in await run(fake, "claimwatch status")
    text = await run(fake, "claimwatch channels add", channel=fake.offtopic)
    assert "no longer exists" not in text
    assert (await config(service, fake)).monitored_channels == {fake.general, fake.offtopic}


async def test_a_deleted_log_channel_is_named_as_the_log_channel(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    gone = "1234567890123456789"
    await service.update_config(PLATFORM, fake.guild_id, log_channel=gone)
    status = await run(fake, "claimwatch status")
    assert f"The log channel {gone} no longer exists" in status
    assert "`/claimwatch logchannel`" in status and "clear" in status
    assert "channels add" not in status  # those never touch the log channel


async def test_nothing_is_dropped_while_discord_has_not_described_the_server(
    fake: FakeDiscord, service: SpyService
) -> None:
    # An outage as the bot starts: Discord says the server is unavailable and sends none of
    # its channels or roles, yet interactions arrive.
    fake.guild_available = False
    bot, task = await start_bot(fake, service)
    try:
        before = await config(service, fake)
        status = await run(fake, "claimwatch status", member=fake.ann)
        assert "no longer exists" not in status and "lacks" not in status
        assert "permissions cannot be checked now" in status

        text = await run(fake, "claimwatch setup", member=fake.ann, channel_id=fake.offtopic)
        assert text.startswith("**claimwatch is set up.**")
        await run(fake, "claimwatch moderators add", member=fake.ann, role=fake.checker_role)
    finally:
        await stop_bot(bot, task)
    after = await config(service, fake)
    assert after.monitored_channels == {fake.general, fake.offtopic}
    assert after.moderator_roles == {fake.mod_role, fake.checker_role}
    assert after.log_channel == before.log_channel == fake.modlog


async def test_setup_refused_changes_nothing(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Adding the channel would pass the limit on watched channels (Discord's own limit of 500
    # channels a server makes it rare; a limit of one makes it happen here).
    monkeypatch.setattr(policy, "MAX_IDS", 1)
    await run(fake, "claimwatch mode", mode="off")
    before = await config(service, fake)
    text = await run(
        fake,
        "claimwatch setup",
        member=fake.ann,
        channel_id=fake.offtopic,
        log_channel=fake.offtopic,
        mode="reply",
    )
    assert text.startswith("Not changed:") and "at most 1 ids" in text
    assert await config(service, fake) == before  # still off, same log channel, same mode


# --- who moderates: /claimwatch moderators ------------------------------------------------------


async def test_a_member_with_a_configured_moderator_role_is_a_moderator(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    refused = await run(fake, "claimwatch status", member=fake.fay)
    assert refused.startswith("Sorry, only this server's moderators")

    text = await run(fake, "claimwatch moderators add", member=fake.ann, role=fake.checker_role)

    assert f"<@&{fake.checker_role}> can now use `/claimwatch`" in text
    assert (await config(service, fake)).moderator_roles == {fake.mod_role, fake.checker_role}
    status = await run(fake, "claimwatch status", member=fake.fay)
    assert "**claimwatch settings**" in status
    assert f"<@&{fake.checker_role}>" in status and f"<@&{fake.mod_role}>" in status
    listed = await run(fake, "claimwatch moderators list", member=fake.fay)
    assert f"<@&{fake.checker_role}>" in listed


async def test_a_role_taken_off_the_list_no_longer_moderates(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    text = await run(fake, "claimwatch moderators remove", member=fake.ann, role=fake.mod_role)

    assert "Moderators: members with Manage Server only" in text
    refused = await run(fake, "claimwatch channels add", member=fake.mia, channel=fake.offtopic)
    assert refused.startswith("Sorry, only this server's moderators")
    assert (await config(service, fake)).monitored_channels == {fake.general}


async def test_a_moderator_by_role_cannot_change_who_moderates(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    before = await config(service, fake)
    for path, role in [
        ("claimwatch moderators add", fake.checker_role),  # granting rights to others
        ("claimwatch moderators remove", fake.mod_role),
    ]:
        text = await run(fake, path, member=fake.mia, role=role)
        assert text.startswith("Sorry, only members with the Manage Server permission")
        assert "a moderator role cannot give moderator rights to others" in text
    assert await config(service, fake) == before
    # Seeing who moderates is fine.
    assert f"<@&{fake.mod_role}>" in await run(fake, "claimwatch moderators list", member=fake.mia)


async def test_everyone_cannot_be_a_moderator_role(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    text = await run(fake, "claimwatch moderators add", member=fake.ann, role=fake.everyone_role)

    assert text.startswith("Not changed: @everyone cannot be a moderator role")
    assert (await config(service, fake)).moderator_roles == {fake.mod_role}


async def test_moderator_roles_are_stored_and_survive_a_restart(
    fake: FakeDiscord, factbase: FactBase, tmp_path: Path
) -> None:
    async def started() -> tuple[SqlStore, ClaimwatchBot, asyncio.Task[None]]:
        store = await open_store(None, data_dir=tmp_path)
        bot, task = await start_bot(fake, ClaimwatchService(factbase=factbase, store=store))
        return store, bot, task

    store, bot, task = await started()
    await run(fake, "claimwatch moderators add", member=fake.ann, role=fake.checker_role)
    await stop_bot(bot, task)
    await store.aclose()

    store, bot, task = await started()
    try:
        assert "**claimwatch settings**" in await run(fake, "claimwatch status", member=fake.fay)
    finally:
        await stop_bot(bot, task)
        await store.aclose()


async def test_two_channel_adds_at_the_same_moment_both_keep_theirs(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = service.get_config

    async def slow_read(platform: str, server_id: str) -> GuildConfig:
        config = await read(platform, server_id)
        await asyncio.sleep(DEFER_AFTER_S / 5)  # both read the settings before either writes
        return config

    monkeypatch.setattr(service, "get_config", slow_read)
    first, second = await asyncio.gather(
        fake.slash("claimwatch channels add", member=fake.ann, channel=fake.offtopic),
        fake.slash("claimwatch channels add", member=fake.ann, channel=fake.forum),
    )
    for interaction in (first, second):
        assert "Now watching" in (await fake.answer_to(interaction))["data"]["content"]

    watched = (await config(service, fake)).monitored_channels
    assert watched == {fake.general, fake.offtopic, fake.forum}
