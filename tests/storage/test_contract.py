"""The storage contract: every Store (in memory, SQLite, PostgreSQL) keeps the same promises.

Each test runs once per engine. Most drive the store through the service, as the bots do; a few
check a port method directly where the service only passes it through.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace

import pytest

from bot.core.factbase import FactBase
from bot.core.models import (
    Action,
    Decision,
    GuildConfig,
    IncomingMessage,
    ReplyMode,
)
from bot.core.ports import QUEUE_APPROVED, QUEUE_DISMISSED, AuditRecord, Store
from bot.core.service import ClaimwatchService, ReplyRef
from bot.errors import ConfigError
from tests.storage.conftest import FakeClock, OpenStore

PLATFORM = "discord"
SERVER = "guild-1"
OTHER_SERVER = "guild-2"
CHANNEL = "general"
LOG_CHANNEL = "mod-log"
CLAIM = "Zelensky is a dictator who cancelled the elections"
CLAIM_ID = "zelensky-dictator"
OTHER_CLAIM = "The US runs secret biolabs in Ukraine, everyone knows it"
OTHER_CLAIM_ID = "us-biolabs"
DAY = dt.timedelta(days=1)
NO_COOLDOWNS = {"channel_cooldown_s": 0, "user_cooldown_s": 0, "claim_cooldown_s": 0}


@pytest.fixture
def service(store: Store, factbase: FactBase, clock: FakeClock) -> ClaimwatchService:
    return ClaimwatchService(factbase=factbase, store=store, clock=clock)


def message(
    text: str = CLAIM,
    message_id: str = "m1",
    *,
    author: str = "user-1",
    server: str = SERVER,
    channel: str = CHANNEL,
) -> IncomingMessage:
    return IncomingMessage(
        platform=PLATFORM,
        server_id=server,
        channel_id=channel,
        message_id=message_id,
        author_id=author,
        text=text,
    )


async def monitor(service: ClaimwatchService, server: str = SERVER, **changes: object) -> None:
    await service.update_config(
        PLATFORM, server, monitored_channels=[CHANNEL], log_channel=LOG_CHANNEL, **changes
    )


async def replied(service: ClaimwatchService, msg: IncomingMessage, reply_id: str) -> Decision:
    decision = await service.on_message(msg)
    assert decision.action is Action.REPLY, decision.reason
    await service.record_reply(decision, reply_id=reply_id, reply_channel_id=msg.channel_id)
    return decision


async def queued(service: ClaimwatchService, msg: IncomingMessage) -> str:
    decision = await service.on_message(msg)
    assert decision.action is Action.SUGGEST, decision.reason
    assert decision.queue_id is not None
    return decision.queue_id


# --- configuration -------------------------------------------------------------------------------


async def test_a_server_without_configuration_gets_the_registered_defaults(store: Store) -> None:
    assert await store.get_config(PLATFORM, "never-seen") == GuildConfig()


async def test_every_setting_survives_a_round_trip(store: Store) -> None:
    config = GuildConfig(
        enabled=False,
        monitored_channels=frozenset({"c1", "c2"}),
        ignored_channels=frozenset({"c3"}),
        exempt_roles=frozenset({"mods"}),
        exempt_users=frozenset({"u9"}),
        moderator_roles=frozenset({"r1", "S0123ABCD"}),
        reply_mode=ReplyMode.MODERATORS_ONLY,
        alert_threshold=90.5,
        suggest_threshold=70.0,
        channel_cooldown_s=0,
        user_cooldown_s=5,
        claim_cooldown_s=86_400,
        log_channel="mod-log",
        language="uk",
        disabled_tags=frozenset({"elections"}),
        store_message_text=True,
        retention_days=7,
    )

    await store.set_config(PLATFORM, SERVER, config)

    assert await store.get_config(PLATFORM, SERVER) == config
    assert await store.get_config(PLATFORM, OTHER_SERVER) == GuildConfig()
    assert await store.get_config("slack", SERVER) == GuildConfig()


async def test_update_config_changes_only_the_keys_given(service: ClaimwatchService) -> None:
    await service.update_config(PLATFORM, SERVER, monitored_channels=["a", "b"], language="ru")

    updated = await service.update_config(PLATFORM, SERVER, reply_mode="reply")

    assert updated == GuildConfig(
        monitored_channels=frozenset({"a", "b"}), language="ru", reply_mode=ReplyMode.REPLY
    )
    assert await service.get_config(PLATFORM, SERVER) == updated


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"alert_threshold": 20}, "alert_threshold"),
        ({"suggest_threshold": 95, "alert_threshold": 80}, "suggest_threshold"),
        ({"retention_days": 0}, "retention_days"),
        ({"channel_cooldown_s": -5}, "channel_cooldown_s"),
        ({"language": "de"}, "language"),
        ({"disabled_tags": ["no-such-tag"]}, "disabled_tags"),
        ({"reply_mode": "shout"}, "reply_mode"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_a_bad_configuration_value_changes_nothing(
    service: ClaimwatchService, changes: dict[str, object], named: str
) -> None:
    await monitor(service)
    before = await service.get_config(PLATFORM, SERVER)

    with pytest.raises(ConfigError, match=named):
        # The valid change beside the bad one is refused with it: all or nothing.
        await service.update_config(PLATFORM, SERVER, enabled=False, **changes)

    assert await service.get_config(PLATFORM, SERVER) == before


async def test_an_update_that_raises_stores_nothing(store: Store) -> None:
    def broken(_: GuildConfig) -> GuildConfig:
        raise ConfigError("no")

    with pytest.raises(ConfigError):
        await store.update_config(PLATFORM, SERVER, broken)

    assert await store.get_config(PLATFORM, SERVER) == GuildConfig()


# --- dedupe and cooldowns ------------------------------------------------------------------------


async def test_an_event_is_claimed_once_until_its_ttl_ends(store: Store, clock: FakeClock) -> None:
    now = clock.now()

    assert await store.claim_event("slack:T1:Ev1", ttl=DAY, now=now) is True
    assert await store.claim_event("slack:T1:Ev1", ttl=DAY, now=now + DAY / 2) is False
    assert await store.claim_event("slack:T1:Ev2", ttl=DAY, now=now) is True
    assert await store.claim_event("slack:T1:Ev1", ttl=DAY, now=now + DAY) is True


async def test_cooldowns_start_all_or_none(store: Store, clock: FakeClock) -> None:
    now = clock.now()
    minute = dt.timedelta(minutes=1)

    assert await store.take_cooldowns({"a": minute}, now=now)
    # "a" is cooling down, so "b" must not start either.
    assert not await store.take_cooldowns({"a": minute, "b": minute}, now=now)
    assert await store.take_cooldowns({"b": minute}, now=now)
    assert not await store.take_cooldowns({"a": minute}, now=now + minute / 2)
    assert await store.take_cooldowns({"a": minute, "b": minute}, now=now + minute)


async def test_a_redelivered_message_is_answered_once(service: ClaimwatchService) -> None:
    await monitor(service)

    first = await service.on_message(message())
    again = await service.on_message(message())

    assert first.action is Action.REPLY
    assert (again.action, again.reason) == (Action.IGNORE, "duplicate delivery")


# --- audit ---------------------------------------------------------------------------------------


async def test_a_reply_is_audited_with_its_reply_id_and_no_text(
    service: ClaimwatchService, store: Store, clock: FakeClock
) -> None:
    await monitor(service)

    decision = await replied(service, message(), "r1")

    [record] = await store.audit_records(PLATFORM, SERVER)
    assert (record.platform, record.server_id, record.channel_id, record.message_id) == (
        PLATFORM,
        SERVER,
        CHANNEL,
        "m1",
    )
    assert (record.claim_id, record.tier, record.action) == (CLAIM_ID, "alert", "reply")
    assert record.score == decision.match.score
    assert record.at == clock.now()
    assert record.reply_id == "r1"
    assert record.text is None
    assert record.author_id not in (None, "user-1")  # a salted hash, never the id


async def test_message_text_is_audited_only_where_the_server_opted_in(
    service: ClaimwatchService, store: Store
) -> None:
    await monitor(service, store_message_text=True)
    await monitor(service, OTHER_SERVER)

    await service.on_message(message())
    await service.on_message(message(server=OTHER_SERVER))

    assert [r.text for r in await store.audit_records(PLATFORM, SERVER)] == [CLAIM]
    assert [r.text for r in await store.audit_records(PLATFORM, OTHER_SERVER)] == [None]


async def test_switching_text_storage_off_erases_the_text_kept_so_far(
    service: ClaimwatchService, store: Store
) -> None:
    await monitor(service, store_message_text=True, **NO_COOLDOWNS)
    await monitor(service, OTHER_SERVER, store_message_text=True)
    await service.on_message(message(CLAIM, "m1"))
    await service.on_message(message(CLAIM, "m1", server=OTHER_SERVER))

    await service.update_config(PLATFORM, SERVER, store_message_text="off")
    await service.on_message(message(OTHER_CLAIM, "m2"))

    assert [(r.message_id, r.text) for r in await store.audit_records(PLATFORM, SERVER)] == [
        ("m1", None),
        ("m2", None),
    ]
    assert [r.text for r in await store.audit_records(PLATFORM, OTHER_SERVER)] == [CLAIM]


async def test_a_deleted_channel_leaves_every_channel_setting_and_nothing_else(
    service: ClaimwatchService,
) -> None:
    gone = "off-topic"
    await service.update_config(
        PLATFORM,
        SERVER,
        monitored_channels=[CHANNEL, gone],
        ignored_channels=[gone, "thread-9"],
        exempt_users=[gone],  # an id in a list of users is no channel of this server's
        language="uk",
        retention_days=30,
    )
    await service.update_config(PLATFORM, OTHER_SERVER, monitored_channels=[gone])

    assert await service.forget_channel(PLATFORM, SERVER, gone)

    config = await service.get_config(PLATFORM, SERVER)
    assert config == GuildConfig(
        monitored_channels=frozenset({CHANNEL}),
        ignored_channels=frozenset({"thread-9"}),
        exempt_users=frozenset({gone}),
        language="uk",
        retention_days=30,
    )
    # Only that server: the same id elsewhere is another server's channel.
    assert (await service.get_config(PLATFORM, OTHER_SERVER)).monitored_channels == {gone}
    # Nothing more to drop the second time.
    assert not await service.forget_channel(PLATFORM, SERVER, gone)
    assert await service.get_config(PLATFORM, SERVER) == config


async def test_a_deleted_log_channel_is_no_longer_the_log(service: ClaimwatchService) -> None:
    await monitor(service)

    assert not await service.forget_channel(PLATFORM, SERVER, "elsewhere")
    assert (await service.get_config(PLATFORM, SERVER)).log_channel == LOG_CHANNEL
    assert await service.forget_channel(PLATFORM, SERVER, LOG_CHANNEL)

    config = await service.get_config(PLATFORM, SERVER)
    assert config.log_channel is None
    assert config.monitored_channels == {CHANNEL}


async def test_a_channel_deleted_on_a_server_without_settings_changes_nothing(
    service: ClaimwatchService,
) -> None:
    assert not await service.forget_channel(PLATFORM, SERVER, CHANNEL)
    assert await service.get_config(PLATFORM, SERVER) == GuildConfig()


async def test_a_channel_deleted_while_moderators_edit_the_list_keeps_their_edits(
    service: ClaimwatchService,
) -> None:
    await service.update_config(PLATFORM, SERVER, monitored_channels=["gone", CHANNEL])

    await asyncio.gather(
        service.forget_channel(PLATFORM, SERVER, "gone"),
        *(
            service.edit_list(PLATFORM, SERVER, "monitored_channels", add=[f"new-{n}"])
            for n in range(5)
        ),
    )

    assert (await service.get_config(PLATFORM, SERVER)).monitored_channels == {
        CHANNEL,
        *(f"new-{n}" for n in range(5)),
    }


# --- the moderators' queue -----------------------------------------------------------------------


async def test_a_queued_decision_comes_back_whole(
    service: ClaimwatchService, store: Store, clock: FakeClock
) -> None:
    await monitor(service, reply_mode="moderators-only", language="uk")
    msg = replace(
        message(),
        author_roles=frozenset({"r1", "r2"}),
        thread_id="t1",
        created_at=dt.datetime(2025, 3, 1, 11, 59, 30, tzinfo=dt.UTC),
    )

    decision = await service.on_message(msg)

    assert decision.language == "uk"  # the server's language goes with the decision
    [item] = await service.pending(PLATFORM, SERVER)
    assert item.id == decision.queue_id
    assert item.decision == decision  # message, full fact-base entry, evidence, queue id
    assert item.created_at == clock.now()
    assert item.status == "pending"


async def test_pending_lists_one_servers_open_items_oldest_first(
    service: ClaimwatchService, store: Store
) -> None:
    for server in (SERVER, OTHER_SERVER):
        await monitor(service, server, reply_mode="moderators-only", **NO_COOLDOWNS)
    first = await queued(service, message(CLAIM, "m1"))
    other = await queued(service, message(CLAIM, "m1", server=OTHER_SERVER))
    second = await queued(service, message(OTHER_CLAIM, "m2"))
    third = await queued(service, message(CLAIM, "m3"))
    assert await service.dismiss(second, moderator="mod")

    assert [item.id for item in await service.pending(PLATFORM, SERVER)] == [first, third]
    assert [item.id for item in await service.pending(PLATFORM, OTHER_SERVER)] == [other]
    assert await service.pending("slack", SERVER) == []


async def test_an_item_is_resolved_once_and_keeps_no_text_afterwards(
    store: Store, service: ClaimwatchService, clock: FakeClock
) -> None:
    await monitor(service, reply_mode="moderators-only")
    queue_id = await queued(service, message())

    item = await store.resolve(queue_id, status=QUEUE_APPROVED, moderator="mod-a", now=clock.now())
    again = await store.resolve(queue_id, status=QUEUE_DISMISSED, moderator="b", now=clock.now())

    assert item is not None
    assert (item.id, item.status, item.resolved_by) == (queue_id, QUEUE_APPROVED, "mod-a")
    assert item.decision.message.text == CLAIM  # the caller still gets what was reviewed
    assert again is None
    assert await store.pending(PLATFORM, SERVER) == []
    for unknown in ("999999", "not-a-number", ""):
        assert (
            await store.resolve(unknown, status=QUEUE_APPROVED, moderator="m", now=clock.now())
            is None
        )


async def test_approvals_and_dismissals_are_audited_with_the_moderator(
    service: ClaimwatchService, store: Store
) -> None:
    await monitor(service, reply_mode="moderators-only", **NO_COOLDOWNS)
    approve_id = await queued(service, message(CLAIM, "m1"))
    dismiss_id = await queued(service, message(OTHER_CLAIM, "m2"))

    approved = await service.approve(approve_id, moderator="mod-anna")
    assert await service.dismiss(dismiss_id, moderator="mod-ben")

    assert approved is not None and approved.action is Action.REPLY
    await service.record_reply(approved, reply_id="r1", reply_channel_id=CHANNEL)
    records = await store.audit_records(PLATFORM, SERVER)
    assert [(r.message_id, r.action, r.actor, r.reply_id) for r in records] == [
        ("m1", "suggest", None, None),
        ("m2", "suggest", None, None),
        ("m1", "approved", "mod-anna", "r1"),  # the reply belongs to the approval
        ("m2", "dismissed", "mod-ben", None),
    ]


# --- replies: deletes, edits, feedback -----------------------------------------------------------


async def test_deleting_a_message_returns_the_reply_to_delete_once(
    service: ClaimwatchService,
) -> None:
    await monitor(service)
    await replied(service, message(), "r1")

    where = {"platform": PLATFORM, "server_id": SERVER, "channel_id": CHANNEL}
    ref = await service.on_message_deleted(**where, message_id="m1")
    again = await service.on_message_deleted(**where, message_id="m1")
    unknown = await service.on_message_deleted(**where, message_id="never-answered")

    assert ref == ReplyRef(channel_id=CHANNEL, reply_id="r1")
    assert again is None
    assert unknown is None
    # The reply is forgotten: votes on it are no longer taken.
    assert not await service.record_feedback(
        platform=PLATFORM, server_id=SERVER, reply_id="r1", user_id="u", vote="helpful"
    )


async def test_deleting_a_queued_message_drops_its_item_and_its_stored_text(
    service: ClaimwatchService, store: Store
) -> None:
    await monitor(service, reply_mode="moderators-only", store_message_text=True)
    await queued(service, message())

    await service.on_message_deleted(
        platform=PLATFORM, server_id=SERVER, channel_id=CHANNEL, message_id="m1"
    )

    assert await service.pending(PLATFORM, SERVER) == []
    assert [r.text for r in await store.audit_records(PLATFORM, SERVER)] == [None]


async def test_an_edited_message_is_checked_again_once(service: ClaimwatchService) -> None:
    await monitor(service)
    chatter = await service.on_message(message("I had pizza for dinner"))
    assert chatter.action is Action.IGNORE

    edited = await service.on_message_edited(message(CLAIM))
    edited_again = await service.on_message_edited(message(CLAIM + "!!"))

    assert edited.action is Action.REPLY
    assert (edited_again.action, edited_again.reason) == (Action.IGNORE, "already answered")


async def test_an_edit_is_re_checked_only_once_even_without_a_match(
    service: ClaimwatchService,
) -> None:
    await monitor(service)
    await service.on_message(message("I had pizza for dinner"))

    first = await service.on_message_edited(message("I had pasta for dinner"))
    second = await service.on_message_edited(message(CLAIM))

    assert first.action is Action.IGNORE and first.reason == "no match"
    assert (second.action, second.reason) == (Action.IGNORE, "already re-checked")


async def test_an_answered_message_gets_no_second_answer_when_edited(
    service: ClaimwatchService,
) -> None:
    await monitor(service, **NO_COOLDOWNS)
    await replied(service, message(CLAIM), "r1")

    edited = await service.on_message_edited(message(OTHER_CLAIM))

    assert (edited.action, edited.reason) == (Action.IGNORE, "already answered")


async def test_one_vote_per_user_per_reply_the_latest_counts(service: ClaimwatchService) -> None:
    await monitor(service, **NO_COOLDOWNS)
    await replied(service, message(CLAIM, "m1"), "r1")
    await replied(service, message(OTHER_CLAIM, "m2"), "r2")

    def vote(reply_id: str, user: str, choice: str) -> object:
        return service.record_feedback(
            platform=PLATFORM, server_id=SERVER, reply_id=reply_id, user_id=user, vote=choice
        )

    assert await vote("r1", "ann", "helpful")
    assert await vote("r1", "ann", "wrong_claim")  # replaces ann's first vote
    assert await vote("r1", "ben", "helpful")
    assert await vote("r2", "ann", "not_helpful")
    assert not await vote("r-unknown", "ann", "helpful")
    with pytest.raises(ConfigError, match="vote"):
        await vote("r1", "ann", "love it")

    stats = await service.stats(PLATFORM, SERVER)
    assert stats.feedback == {"helpful": 1, "not_helpful": 1, "wrong_claim": 1}


# --- stats ---------------------------------------------------------------------------------------


async def test_stats_count_alerts_suggestions_and_moderator_judgement(
    service: ClaimwatchService, store: Store
) -> None:
    await monitor(service, **NO_COOLDOWNS)
    await replied(service, message(CLAIM, "m1"), "r1")
    await replied(service, message(CLAIM, "m2"), "r2")
    await replied(service, message(OTHER_CLAIM, "m3"), "r3")
    await service.update_config(PLATFORM, SERVER, reply_mode="moderators-only")
    q1 = await queued(service, message(CLAIM, "m4"))
    q2 = await queued(service, message(OTHER_CLAIM, "m5"))
    q3 = await queued(service, message(OTHER_CLAIM, "m6"))
    await service.approve(q1, moderator="mod")
    await service.approve(q2, moderator="mod")
    await service.dismiss(q3, moderator="mod")

    stats = await service.stats(PLATFORM, SERVER)

    assert (stats.alerts, stats.suggestions, stats.approved, stats.dismissed) == (3, 3, 2, 1)
    assert stats.per_claim == {CLAIM_ID: 3, OTHER_CLAIM_ID: 2}  # replies, approved ones too
    assert stats.moderator_precision == pytest.approx(2 / 3)
    assert stats.feedback == {}
    empty = await service.stats(PLATFORM, OTHER_SERVER)
    assert (empty.alerts, empty.per_claim, empty.moderator_precision) == (0, {}, None)


# --- forgetting ----------------------------------------------------------------------------------


async def test_forget_deletes_everything_about_one_server(
    service: ClaimwatchService, store: Store
) -> None:
    for server in (SERVER, OTHER_SERVER):
        await monitor(service, server, store_message_text=True)
        await replied(service, message(CLAIM, "m1", server=server), "r1")
        await service.record_feedback(
            platform=PLATFORM, server_id=server, reply_id="r1", user_id="ann", vote="helpful"
        )
        await service.update_config(PLATFORM, server, reply_mode="moderators-only")
        await queued(service, message(OTHER_CLAIM, "m2", server=server))
    kept = await service.stats(PLATFORM, OTHER_SERVER)

    await service.forget(PLATFORM, SERVER)

    assert await service.get_config(PLATFORM, SERVER) == GuildConfig()
    assert await store.audit_records(PLATFORM, SERVER) == []
    assert await service.pending(PLATFORM, SERVER) == []
    stats = await service.stats(PLATFORM, SERVER)
    assert (stats.alerts, stats.suggestions, stats.feedback) == (0, 0, {})
    # Dedupe and cooldown state went too: the same message is news again.
    await monitor(service)
    assert (await service.on_message(message(CLAIM, "m1"))).action is Action.REPLY
    # The other server is untouched.
    assert await service.stats(PLATFORM, OTHER_SERVER) == kept
    assert len(await service.pending(PLATFORM, OTHER_SERVER)) == 1


async def test_forget_user_deletes_their_records_and_erases_them_as_moderator(
    service: ClaimwatchService, store: Store, clock: FakeClock
) -> None:
    await monitor(service, store_message_text=True, channel_cooldown_s=0, claim_cooldown_s=0)
    await replied(service, message(CLAIM, "m1", author="ann"), "r1")
    await replied(service, message(CLAIM, "m2", author="ben"), "r2")
    for voter in ("ann", "ben"):
        await service.record_feedback(
            platform=PLATFORM, server_id=SERVER, reply_id="r2", user_id=voter, vote="helpful"
        )
    await service.update_config(PLATFORM, SERVER, reply_mode="moderators-only")
    ann_item = await queued(service, message(OTHER_CLAIM, "m3", author="ann"))
    ben_item = await queued(service, message(OTHER_CLAIM, "m4", author="ben"))
    await service.dismiss(ben_item, moderator="ann")  # ann is a moderator, too
    for server in (SERVER, OTHER_SERVER):
        await service.update_config(PLATFORM, server, exempt_users=["ann", "carl"])
    await service.update_config("slack", SERVER, exempt_users=["ann"])
    await service.update_config(PLATFORM, "exempts-annika", exempt_users=["annika"])

    await service.forget_user(PLATFORM, "ann")

    records = await store.audit_records(PLATFORM, SERVER)
    assert {r.message_id for r in records} == {"m2", "m4"}  # ben's messages only
    assert all(r.actor != "ann" for r in records)
    assert [r.action for r in records if r.message_id == "m4"] == ["suggest", "dismissed"]
    assert ann_item not in {item.id for item in await service.pending(PLATFORM, SERVER)}
    assert (await service.stats(PLATFORM, SERVER)).feedback == {"helpful": 1}
    # ann's reply is forgotten, her user cooldown too (ben's is still running).
    assert (
        await service.on_message_deleted(
            platform=PLATFORM, server_id=SERVER, channel_id=CHANNEL, message_id="m1"
        )
        is None
    )
    cooldown = {f"{PLATFORM}:{SERVER}:user:ann": dt.timedelta(seconds=1)}
    assert await store.take_cooldowns(cooldown, now=clock.now())
    ben_cooldown = {f"{PLATFORM}:{SERVER}:user:ben": dt.timedelta(seconds=1)}
    assert not await store.take_cooldowns(ben_cooldown, now=clock.now())
    # ann is exempt nowhere any more on this platform; other ids and platforms are untouched.
    for server in (SERVER, OTHER_SERVER):
        assert (await service.get_config(PLATFORM, server)).exempt_users == {"carl"}
    assert (await service.get_config("slack", SERVER)).exempt_users == {"ann"}
    assert (await service.get_config(PLATFORM, "exempts-annika")).exempt_users == {"annika"}


# --- retention -----------------------------------------------------------------------------------


async def test_sweep_deletes_what_is_older_than_each_servers_retention(
    service: ClaimwatchService, store: Store, clock: FakeClock
) -> None:
    await monitor(service, SERVER, retention_days=2)
    await monitor(service, OTHER_SERVER)  # the default retention
    for server in (SERVER, OTHER_SERVER):
        await replied(service, message(CLAIM, "old", server=server), f"r-{server}")
        await service.record_feedback(
            platform=PLATFORM, server_id=server, reply_id=f"r-{server}", user_id="u", vote="helpful"
        )
    clock.advance(dt.timedelta(days=3))
    await replied(service, message(OTHER_CLAIM, "new"), "r-new")

    deleted = await service.sweep()

    assert deleted > 0
    assert [r.message_id for r in await store.audit_records(PLATFORM, SERVER)] == ["new"]
    assert [r.message_id for r in await store.audit_records(PLATFORM, OTHER_SERVER)] == ["old"]
    assert (await service.stats(PLATFORM, SERVER)).feedback == {}
    assert (await service.stats(PLATFORM, OTHER_SERVER)).feedback == {"helpful": 1}
    # Expired dedupe and cooldown state went too; a second sweep finds nothing more.
    assert await service.sweep() == 0


async def test_sweep_keeps_what_is_within_retention(
    service: ClaimwatchService, store: Store, clock: FakeClock
) -> None:
    await monitor(service, retention_days=1)
    await replied(service, message(), "r1")
    clock.advance(dt.timedelta(hours=23))

    await service.sweep()

    assert len(await store.audit_records(PLATFORM, SERVER)) == 1


async def test_sweep_erases_text_audited_after_the_option_went_off(
    service: ClaimwatchService, store: Store, clock: FakeClock
) -> None:
    await monitor(service, store_message_text=True, **NO_COOLDOWNS)
    await monitor(service, OTHER_SERVER, store_message_text=True, **NO_COOLDOWNS)
    # A message read the configuration while the option was still on ...
    await service.on_message(message(CLAIM, "m1"))
    (record,) = await store.audit_records(PLATFORM, SERVER)
    await service.update_config(PLATFORM, SERVER, store_message_text=False)
    # ... and audited it only after switching off had erased the text kept so far.
    await store.audit(replace(record, message_id="m2", text=OTHER_CLAIM))
    await service.on_message(message(CLAIM, "o1", server=OTHER_SERVER))
    assert OTHER_CLAIM in [r.text for r in await store.audit_records(PLATFORM, SERVER)]

    await service.sweep()

    assert [(r.message_id, r.text) for r in await store.audit_records(PLATFORM, SERVER)] == [
        ("m1", None),
        ("m2", None),
    ]
    # A server that keeps text keeps it, and the records themselves stay.
    assert [r.text for r in await store.audit_records(PLATFORM, OTHER_SERVER)] == [CLAIM]


async def test_sweep_erases_text_on_a_server_whose_settings_are_gone(store: Store) -> None:
    # A record with text and no configuration that allows it (the defaults keep no text).
    now = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
    await store.audit(
        AuditRecord(
            platform=PLATFORM,
            server_id=SERVER,
            channel_id=CHANNEL,
            message_id="m1",
            claim_id=CLAIM_ID,
            score=90.0,
            tier="alert",
            action="reply",
            at=now,
            author_id="user-1",
            text=CLAIM,
        )
    )

    await store.sweep(now=now)

    assert [r.text for r in await store.audit_records(PLATFORM, SERVER)] == [None]


async def test_several_stores_on_one_database_share_state(open_store: OpenStore) -> None:
    first, second = await open_store(), await open_store()
    now = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)

    await first.set_config(PLATFORM, SERVER, GuildConfig(language="uk"))
    assert await first.claim_event("k", ttl=DAY, now=now)

    assert (await second.get_config(PLATFORM, SERVER)).language == "uk"
    assert not await second.claim_event("k", ttl=DAY, now=now)
