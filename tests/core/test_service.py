"""The service's use cases as a moderator and a channel would see them: replies, the queue, the
audit log, cooldowns, duplicates, and fact-base reloads that never leave the bot without facts."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import shutil
from pathlib import Path

import pytest

from bot.core import policy
from bot.core.factbase import FactBase, bundled_path, load_bundled
from bot.core.models import Action, GuildConfig, IncomingMessage, ReplyMode, Tier
from bot.core.service import (
    AUDIT_APPROVED,
    AUDIT_DISMISSED,
    INLINE_MATCH_MAX_CHARS,
    ClaimwatchService,
    ReplyRef,
    UtcClock,
)
from bot.errors import ConfigError, FactBaseError, StorageError
from bot.storage.memory import MemoryStore

PLATFORM = "discord"
SERVER = "guild-1"
CHANNEL = "general"
LOG_CHANNEL = "mod-log"
CLAIM = "Zelensky is a dictator who cancelled the elections"
CLAIM_ID = "zelensky-dictator"
OTHER_CLAIM = "The US runs secret biolabs in Ukraine, everyone knows it"
CHATTER = "I had pizza for dinner"
DEBUNK = "That Zelensky is a dictator who cancelled the elections is a debunked myth"
LONG_GAP = dt.timedelta(days=2)  # longer than every default cooldown


class FakeClock:
    def __init__(self) -> None:
        self.current = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self.current

    def advance(self, delta: dt.timedelta) -> None:
        self.current += delta


@pytest.fixture(scope="module")
def factbase() -> FactBase:
    return load_bundled()


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(factbase: FactBase, store: MemoryStore, clock: FakeClock) -> ClaimwatchService:
    return ClaimwatchService(factbase=factbase, store=store, clock=clock)


def message(
    text: str,
    message_id: str = "m1",
    *,
    author: str = "user-1",
    channel: str = CHANNEL,
    **fields: object,
) -> IncomingMessage:
    return IncomingMessage(
        platform=PLATFORM,
        server_id=SERVER,
        channel_id=channel,
        message_id=message_id,
        author_id=author,
        text=text,
        **fields,  # type: ignore[arg-type]
    )


async def monitor(store: MemoryStore, **settings: object) -> GuildConfig:
    config = GuildConfig(
        monitored_channels=frozenset({CHANNEL}),
        log_channel=LOG_CHANNEL,
        **settings,  # type: ignore[arg-type]
    )
    await store.set_config(PLATFORM, SERVER, config)
    return config


# --- passive monitoring --------------------------------------------------------------------------


async def test_a_claim_in_a_monitored_channel_gets_a_reply_and_an_audit_record(
    service: ClaimwatchService, store: MemoryStore, clock: FakeClock
) -> None:
    await monitor(store, reply_mode=ReplyMode.REPLY)

    decision = await service.on_message(message(CLAIM))

    assert decision.action is Action.REPLY
    assert decision.match.claim_id == CLAIM_ID
    assert decision.match.tier is Tier.ALERT
    assert decision.reply_mode is ReplyMode.REPLY
    assert decision.log_channel == LOG_CHANNEL
    [record] = store.audit_log
    assert (record.platform, record.server_id, record.channel_id, record.message_id) == (
        PLATFORM,
        SERVER,
        CHANNEL,
        "m1",
    )
    assert record.claim_id == CLAIM_ID
    assert record.action == "reply"
    assert record.at == clock.now()
    assert record.text is None  # privacy: no message text without the server's opt-in
    assert await store.pending(PLATFORM, SERVER) == []


async def test_message_text_is_audited_only_where_the_server_opted_in(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    await monitor(store, store_message_text=True)

    await service.on_message(message(CLAIM))

    assert [record.text for record in store.audit_log] == [CLAIM]


async def test_an_unmonitored_channel_is_ignored_without_matching(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    decision = await service.on_message(message(CLAIM))  # default config: nothing monitored

    assert decision.action is Action.IGNORE
    assert decision.reason == "channel not monitored"
    assert decision.match.entry is None and decision.match.score == 0
    assert store.audit_log == []
    # Not even the delivery was recorded: once the channel is monitored, the message counts.
    await monitor(store)
    assert (await service.on_message(message(CLAIM))).action is Action.REPLY


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"author_is_bot": True}, "author is a bot"),
        ({"is_direct": True}, "direct message"),
        ({"author_roles": frozenset({"mods"})}, "author exempt"),
    ],
)
async def test_bots_direct_messages_and_exempt_authors_are_left_alone(
    service: ClaimwatchService, store: MemoryStore, fields: dict[str, object], reason: str
) -> None:
    await monitor(store, exempt_roles=frozenset({"mods"}))

    decision = await service.on_message(message(CLAIM, **fields))  # type: ignore[arg-type]

    assert decision.action is Action.IGNORE
    assert decision.reason == reason
    assert decision.match.entry is None
    assert store.audit_log == []


async def test_chatter_and_debunks_get_no_reply(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    await monitor(store)

    chatter = await service.on_message(message(CHATTER, "m1"))
    debunk = await service.on_message(message(DEBUNK, "m2"))

    assert chatter.action is Action.IGNORE
    assert chatter.match.entry is None
    assert debunk.action is Action.IGNORE
    assert debunk.match.claim_id is None
    assert store.audit_log == []
    assert await store.pending(PLATFORM, SERVER) == []


async def test_a_duplicate_delivery_is_answered_once(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    await monitor(store)

    first = await service.on_message(message(CLAIM, "m1"))
    again = await service.on_message(message(CLAIM, "m1"))

    assert first.action is Action.REPLY
    assert again.action is Action.IGNORE
    assert again.reason == "duplicate delivery"
    assert len(store.audit_log) == 1


async def test_the_same_message_id_in_another_channel_is_not_a_duplicate(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    await store.set_config(PLATFORM, SERVER, GuildConfig(monitored_channels=frozenset({"a", "b"})))

    first = await service.on_message(message(CLAIM, "m1", channel="a", author="a"))
    second = await service.on_message(message(OTHER_CLAIM, "m1", channel="b", author="b"))

    assert first.action is Action.REPLY
    assert second.action is Action.REPLY


async def test_cooldowns_hold_back_repeated_replies_until_they_expire(
    service: ClaimwatchService, store: MemoryStore, clock: FakeClock
) -> None:
    await monitor(store)

    first = await service.on_message(message(CLAIM, "m1", author="a"))
    same_claim = await service.on_message(message(CLAIM, "m2", author="b"))
    same_channel = await service.on_message(message(OTHER_CLAIM, "m3", author="c"))
    clock.advance(LONG_GAP)
    later = await service.on_message(message(CLAIM, "m4", author="a"))

    assert first.action is Action.REPLY
    assert (same_claim.action, same_claim.reason) == (Action.IGNORE, "cooldown")
    assert (same_channel.action, same_channel.reason) == (Action.IGNORE, "cooldown")
    assert later.action is Action.REPLY
    assert [record.message_id for record in store.audit_log] == ["m1", "m4"]
    assert await store.pending(PLATFORM, SERVER) == []  # cooled-down claims are not queued


async def test_without_cooldowns_every_claim_is_answered(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    await monitor(store, channel_cooldown_s=0, user_cooldown_s=0, claim_cooldown_s=0)

    decisions = [await service.on_message(message(CLAIM, f"m{n}")) for n in range(3)]

    assert [d.action for d in decisions] == [Action.REPLY] * 3


async def test_moderators_only_mode_sends_alerts_to_the_queue(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    await monitor(store, reply_mode=ReplyMode.MODERATORS_ONLY)

    decision = await service.on_message(message(CLAIM))

    assert decision.action is Action.SUGGEST
    assert decision.reason == "moderators-only mode"
    assert decision.log_channel == LOG_CHANNEL
    [item] = await store.pending(PLATFORM, SERVER)
    assert decision.queue_id == item.id
    assert item.decision.match.claim_id == CLAIM_ID
    [record] = store.audit_log
    assert record.action == "suggest"


async def test_a_repeated_claim_reaches_the_moderators_once_per_channel_and_claim_cooldown(
    service: ClaimwatchService, store: MemoryStore, clock: FakeClock
) -> None:
    config = await monitor(store, reply_mode=ReplyMode.MODERATORS_ONLY)
    channels = frozenset({CHANNEL, "news"})
    await store.set_config(
        PLATFORM, SERVER, dataclasses.replace(config, monitored_channels=channels)
    )

    first = await service.on_message(message(CLAIM, "m1", author="a"))
    repeated = await service.on_message(message(CLAIM, "m2", author="b"))
    elsewhere = await service.on_message(message(CLAIM, "m3", author="c", channel="news"))
    other_claim = await service.on_message(message(OTHER_CLAIM, "m4", author="d"))
    clock.advance(LONG_GAP)
    later = await service.on_message(message(CLAIM, "m5", author="b"))

    assert (repeated.action, repeated.reason) == (Action.IGNORE, "already with the moderators")
    queued = [first, elsewhere, other_claim, later]
    assert [d.action for d in queued] == [Action.SUGGEST] * 4
    assert [item.id for item in await store.pending(PLATFORM, SERVER)] == [
        d.queue_id for d in queued
    ]


async def test_a_strict_server_threshold_turns_a_clear_claim_into_a_suggestion(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    await monitor(store, alert_threshold=101.0)  # above any score: nothing is sure enough

    decision = await service.on_message(message(CLAIM))

    assert decision.action is Action.SUGGEST
    assert decision.reason == "borderline match"
    assert decision.queue_id is not None


async def test_a_switched_off_tag_silences_its_claims(
    service: ClaimwatchService, store: MemoryStore, factbase: FactBase
) -> None:
    entry = factbase.get(CLAIM_ID)
    assert entry is not None
    await monitor(store, disabled_tags=frozenset({entry.tags[0]}))

    silenced = await service.on_message(message(CLAIM, "m1"))
    other = await service.on_message(message(OTHER_CLAIM, "m2"))

    assert silenced.action is Action.IGNORE
    assert silenced.reason == "fact-base tag switched off"
    assert other.action is Action.REPLY


async def test_long_messages_are_matched_too(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    await monitor(store)
    text = CLAIM + ". " + "We talked about the weather and the football at lunch. " * 40
    assert len(text) > INLINE_MATCH_MAX_CHARS  # the worker-thread path

    decision = await service.on_message(message(text))

    assert decision.match.entry is not None
    assert decision.match.entry.id == CLAIM_ID


# --- the moderators' queue -----------------------------------------------------------------------


async def test_approving_a_queued_match_gives_a_reply_once(
    service: ClaimwatchService, store: MemoryStore, clock: FakeClock
) -> None:
    await monitor(store, reply_mode=ReplyMode.MODERATORS_ONLY)
    queued = await service.on_message(message(CLAIM))
    assert queued.queue_id is not None
    clock.advance(dt.timedelta(minutes=5))

    approved = await service.approve(queued.queue_id, moderator="mod-anna")
    twice = await service.approve(queued.queue_id, moderator="mod-ben")

    assert approved is not None
    assert approved.action is Action.REPLY
    assert approved.message == queued.message
    assert approved.match == queued.match
    assert approved.queue_id == queued.queue_id
    assert approved.reply_mode is ReplyMode.THREAD  # approval means: answer in the channel
    assert twice is None
    assert await store.pending(PLATFORM, SERVER) == []
    record = store.audit_log[-1]
    assert (record.action, record.actor, record.claim_id) == (AUDIT_APPROVED, "mod-anna", CLAIM_ID)
    assert record.at == clock.now()
    assert len(store.audit_log) == 2  # the suggestion and the approval


async def test_dismissing_a_queued_match_is_audited_and_final(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    await monitor(store, reply_mode=ReplyMode.MODERATORS_ONLY)
    queued = await service.on_message(message(CLAIM))
    assert queued.queue_id is not None

    assert await service.dismiss(queued.queue_id, moderator="mod-anna") is True
    assert await service.dismiss(queued.queue_id, moderator="mod-anna") is False
    assert await service.approve(queued.queue_id, moderator="mod-ben") is None
    assert await service.pending(PLATFORM, SERVER) == []
    record = store.audit_log[-1]
    assert (record.action, record.actor) == (AUDIT_DISMISSED, "mod-anna")


async def test_unknown_queue_items_cannot_be_resolved(service: ClaimwatchService) -> None:
    assert await service.approve("no-such-item", moderator="mod") is None
    assert await service.dismiss("no-such-item", moderator="mod") is False


async def test_set_config_is_what_on_message_uses(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    config = GuildConfig(monitored_channels=frozenset({CHANNEL}))
    await service.set_config(PLATFORM, SERVER, config)

    assert await service.get_config(PLATFORM, SERVER) == config
    assert (await service.on_message(message(CLAIM))).action is Action.REPLY


# --- check and reload ----------------------------------------------------------------------------


def test_check_matches_without_any_policy_or_storage(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    assert service.check(CLAIM).claim_id == CLAIM_ID
    assert service.check(CLAIM).alert
    assert service.check(CHATTER).claim_id is None
    assert store.audit_log == []


def test_reload_swaps_the_fact_base(service: ClaimwatchService, tmp_path: Path) -> None:
    only = tmp_path / "only.yaml"
    shutil.copy(bundled_path() / "entries" / "us-biolabs.yaml", only)

    service.reload_facts([only])

    assert [entry.id for entry in service.factbase] == ["us-biolabs"]
    assert service.check(CLAIM).claim_id is None
    assert service.check(OTHER_CLAIM).claim_id == "us-biolabs"
    service.reload_facts([])  # empty: back to the bundled fact base
    assert service.check(CLAIM).claim_id == CLAIM_ID


async def test_a_broken_reload_keeps_the_running_fact_base(
    service: ClaimwatchService, store: MemoryStore, factbase: FactBase, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: half-an-entry\nclaim: [unclosed\n", encoding="utf-8")

    with pytest.raises(FactBaseError) as caught:
        service.reload_facts([bundled_path(), broken])

    assert str(broken) in str(caught.value)
    assert service.factbase is factbase
    await monitor(store)
    assert (await service.on_message(message(CLAIM))).action is Action.REPLY


def test_the_default_clock_is_timezone_aware_utc(factbase: FactBase) -> None:
    now = UtcClock().now()
    assert now.utcoffset() == dt.timedelta(0)
    service = ClaimwatchService(factbase=factbase, store=MemoryStore())
    assert len(service.factbase) == len(factbase)


# --- moderator configuration, replies, feedback ---------------------------------------------------


async def test_update_config_takes_command_line_text_and_typed_values(
    service: ClaimwatchService,
) -> None:
    config = await service.update_config(
        PLATFORM,
        SERVER,
        monitored_channels="general, news",
        exempt_roles=["mods"],
        claim_cooldown_s="2h",
        reply_mode="reply",
        store_message_text="on",
    )

    assert config == GuildConfig(
        monitored_channels=frozenset({"general", "news"}),
        exempt_roles=frozenset({"mods"}),
        claim_cooldown_s=7200,
        reply_mode=ReplyMode.REPLY,
        store_message_text=True,
    )
    assert (await service.on_message(message(CLAIM))).action is Action.REPLY


async def test_set_config_refuses_a_configuration_out_of_bounds(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    with pytest.raises(ConfigError, match="alert_threshold"):
        await service.set_config(PLATFORM, SERVER, GuildConfig(alert_threshold=10.0))

    assert await store.get_config(PLATFORM, SERVER) == GuildConfig()


async def test_an_approved_reply_is_noted_on_the_approval_record(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    await monitor(store, reply_mode=ReplyMode.MODERATORS_ONLY)
    queued = await service.on_message(message(CLAIM))
    assert queued.queue_id is not None
    approved = await service.approve(queued.queue_id, moderator="mod-anna")
    assert approved is not None

    await service.record_reply(approved, reply_id="r-9", reply_channel_id="thread-9")

    assert [(r.action, r.reply_id) for r in store.audit_log] == [
        ("suggest", None),
        (AUDIT_APPROVED, "r-9"),
    ]
    ref = await service.on_message_deleted(
        platform=PLATFORM, server_id=SERVER, channel_id=CHANNEL, message_id="m1"
    )
    assert ref == ReplyRef(channel_id="thread-9", reply_id="r-9")


async def test_an_edit_in_an_unmonitored_channel_is_left_alone(
    service: ClaimwatchService,
) -> None:
    decision = await service.on_message_edited(message(CLAIM))
    assert (decision.action, decision.reason) == (Action.IGNORE, "channel not monitored")


async def test_an_unknown_vote_is_refused_before_anything_is_looked_up(
    service: ClaimwatchService,
) -> None:
    with pytest.raises(ConfigError, match="helpful, not_helpful, wrong_claim"):
        await service.record_feedback(
            platform=PLATFORM, server_id=SERVER, reply_id="r1", user_id="u", vote="+1"
        )


async def test_the_retention_sweep_runs_on_the_service_clock(
    service: ClaimwatchService, store: MemoryStore, clock: FakeClock
) -> None:
    await monitor(store, retention_days=1)
    await service.on_message(message(CLAIM))

    clock.advance(dt.timedelta(hours=12))
    await service.sweep()
    assert len(store.audit_log) == 1
    clock.advance(dt.timedelta(hours=13))
    assert await service.sweep() >= 1
    assert store.audit_log == []


class DatabaseAwayOnce(MemoryStore):
    """A store whose first sweep fails with `error` (by default as when the database restarts);
    counts the sweeps."""

    def __init__(self, *, sweeps_wanted: int, error: Exception | None = None) -> None:
        super().__init__()
        self.sweeps = 0
        self.sweeps_wanted = sweeps_wanted
        self.enough = asyncio.Event()
        self.error = error or StorageError("database 127.0.0.1: connection refused")

    async def sweep(self, *, now: dt.datetime) -> int:
        self.sweeps += 1
        if self.sweeps >= self.sweeps_wanted:
            self.enough.set()
        if self.sweeps == 1:
            raise self.error
        return await super().sweep(now=now)


async def test_a_running_bot_keeps_retention_even_after_a_failed_sweep(
    factbase: FactBase, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    store = DatabaseAwayOnce(sweeps_wanted=3)
    service = ClaimwatchService(factbase=factbase, store=store, clock=clock)
    await monitor(store, retention_days=1)
    await service.on_message(message(CLAIM))
    clock.advance(dt.timedelta(days=2))

    with caplog.at_level(logging.WARNING):
        task = asyncio.create_task(service.keep_retention(interval=dt.timedelta(0)))
        await store.enough.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    assert store.audit_log == []  # swept by the second try
    assert "retention sweep failed" in caplog.text and "connection refused" in caplog.text


async def test_a_sweep_that_fails_unexpectedly_is_logged_with_its_traceback_and_tried_again(
    factbase: FactBase, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    store = DatabaseAwayOnce(sweeps_wanted=3, error=KeyError("retention_days"))
    service = ClaimwatchService(factbase=factbase, store=store, clock=clock)
    await monitor(store, retention_days=1)
    await service.on_message(message(CLAIM))
    clock.advance(dt.timedelta(days=2))

    with caplog.at_level(logging.WARNING):
        task = asyncio.create_task(service.keep_retention(interval=dt.timedelta(0)))
        await store.enough.wait()
        assert not task.done()  # the bug did not end the task
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    assert store.audit_log == []  # swept by the second try
    (failed,) = [r for r in caplog.records if "failed unexpectedly" in r.getMessage()]
    assert failed.levelno == logging.ERROR
    assert failed.exc_info is not None and isinstance(failed.exc_info[1], KeyError)


async def test_edit_list_adds_and_removes_within_the_bounds(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    await monitor(store)

    edited = await service.edit_list(
        PLATFORM, SERVER, "disabled_tags", add=["Elections", "biolabs"], remove=["gone-tag"]
    )
    assert edited.disabled_tags == {"elections", "biolabs"}  # tags are case-folded

    too_many = [f"c{n}" for n in range(policy.MAX_IDS)]
    with pytest.raises(ConfigError, match=f"at most {policy.MAX_IDS}"):
        await service.edit_list(PLATFORM, SERVER, "monitored_channels", add=too_many)
    with pytest.raises(ConfigError, match="not a list setting"):
        await service.edit_list(PLATFORM, SERVER, "language", add=["uk"])
    assert (await service.get_config(PLATFORM, SERVER)).monitored_channels == {CHANNEL}
