"""Moderator policy as pure functions: which messages are looked at, what a match leads to, and
which cooldowns a reply starts."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core import policy
from bot.core.matching import Thresholds
from bot.core.models import (
    Action,
    FactEntry,
    GuildConfig,
    IncomingMessage,
    Match,
    ReplyMode,
    Source,
    Stance,
    Tier,
    Verdict,
)

ENTRY = FactEntry(
    id="zelensky-dictator",
    claim="Volodymyr Zelenskyy is a dictator because he refuses to hold elections.",
    verdict=Verdict.MISLEADING,
    context="Ukrainian law forbids elections while martial law is in force.",
    sources=(Source("Verkhovna Rada", "Martial law act", "https://zakon.rada.gov.ua/x"),),
    phrasings={"en": ("Zelensky is a dictator",)},
    tags=("zelensky", "elections"),
)
GENERAL = frozenset({"general"})
MONITORED = GuildConfig(monitored_channels=GENERAL)


def message(**fields: object) -> IncomingMessage:
    base: dict[str, object] = {
        "platform": "discord",
        "server_id": "guild-1",
        "channel_id": "general",
        "message_id": "m1",
        "author_id": "user-1",
        "text": "Zelensky is a dictator who cancelled the elections",
    }
    base.update(fields)
    return IncomingMessage(**base)  # type: ignore[arg-type]


def match(tier: Tier, *, entry: FactEntry | None = ENTRY, stance: Stance = Stance.ASSERTS) -> Match:
    return Match(entry=entry, tier=tier, score=90.0, stance=stance)


# --- skip_reason -------------------------------------------------------------------------------


def test_a_message_in_a_monitored_channel_is_checked() -> None:
    assert policy.skip_reason(message(), MONITORED) is None


def test_a_message_in_a_thread_of_a_monitored_channel_is_checked() -> None:
    threaded = message(channel_id="thread-9", thread_id="general")
    assert policy.skip_reason(threaded, MONITORED) is None


@pytest.mark.parametrize(
    ("fields", "config", "reason"),
    [
        ({"author_is_bot": True}, MONITORED, "author is a bot"),
        ({"is_direct": True}, MONITORED, "direct message"),
        ({}, GuildConfig(enabled=False, monitored_channels=frozenset({"general"})), "disabled"),
        ({}, GuildConfig(), "channel not monitored"),
        ({"channel_id": "random"}, MONITORED, "channel not monitored"),
        (
            {},
            GuildConfig(
                monitored_channels=frozenset({"general"}), ignored_channels=frozenset({"general"})
            ),
            "channel ignored",
        ),
        (
            {"author_id": "mod-1"},
            GuildConfig(
                monitored_channels=frozenset({"general"}), exempt_users=frozenset({"mod-1"})
            ),
            "author exempt",
        ),
        (
            {"author_roles": frozenset({"mods", "members"})},
            GuildConfig(
                monitored_channels=frozenset({"general"}), exempt_roles=frozenset({"mods"})
            ),
            "author exempt",
        ),
    ],
)
def test_messages_passive_monitoring_leaves_alone(
    fields: dict[str, object], config: GuildConfig, reason: str
) -> None:
    skipped = policy.skip_reason(message(**fields), config)
    assert skipped is not None
    assert reason in skipped


def test_bots_are_never_answered_even_in_monitored_channels() -> None:
    # Two bots answering each other is the worst loop a chat can get.
    assert policy.skip_reason(message(author_is_bot=True), MONITORED) == "author is a bot"


# --- thresholds_for ----------------------------------------------------------------------------


def test_server_thresholds_override_the_calibrated_ones() -> None:
    default = Thresholds(alert=80.0, suggest=60.0)

    assert policy.thresholds_for(GuildConfig(), default) == default
    assert policy.thresholds_for(GuildConfig(alert_threshold=90.0), default) == Thresholds(
        alert=90.0, suggest=60.0
    )
    assert policy.thresholds_for(
        GuildConfig(alert_threshold=95.0, suggest_threshold=85.0), default
    ) == Thresholds(alert=95.0, suggest=85.0)


# --- action_for --------------------------------------------------------------------------------


def test_a_confident_match_is_answered() -> None:
    assert policy.action_for(match(Tier.ALERT), MONITORED) == (Action.REPLY, "confident match")


def test_a_borderline_match_goes_to_the_moderators() -> None:
    assert policy.action_for(match(Tier.SUGGEST), MONITORED) == (
        Action.SUGGEST,
        "borderline match",
    )


def test_moderators_only_mode_turns_replies_into_suggestions() -> None:
    config = GuildConfig(reply_mode=ReplyMode.MODERATORS_ONLY)
    assert policy.action_for(match(Tier.ALERT), config) == (Action.SUGGEST, "moderators-only mode")


def test_no_match_and_debunks_are_ignored() -> None:
    nothing = policy.action_for(match(Tier.NONE, entry=None), MONITORED)
    debunk = policy.action_for(match(Tier.NONE, stance=Stance.DEBUNKS), MONITORED)

    assert nothing == (Action.IGNORE, "no match")
    assert debunk[0] is Action.IGNORE
    assert "debunks" in debunk[1]


@pytest.mark.parametrize("tier", [Tier.ALERT, Tier.SUGGEST])
def test_a_switched_off_tag_ignores_even_confident_matches(tier: Tier) -> None:
    config = GuildConfig(disabled_tags=frozenset({"elections"}))
    assert policy.action_for(match(tier), config) == (Action.IGNORE, "fact-base tag switched off")


# --- cooldown_keys -----------------------------------------------------------------------------


def test_a_reply_starts_channel_user_and_claim_cooldowns() -> None:
    config = GuildConfig(channel_cooldown_s=60, user_cooldown_s=600, claim_cooldown_s=3600)

    keys = policy.cooldown_keys(message(), ENTRY.id, config)

    assert keys == {
        "discord:guild-1:channel:general": dt.timedelta(seconds=60),
        "discord:guild-1:user:user-1": dt.timedelta(seconds=600),
        "discord:guild-1:claim:zelensky-dictator": dt.timedelta(seconds=3600),
    }


def test_cooldowns_set_to_zero_are_off() -> None:
    config = GuildConfig(channel_cooldown_s=0, user_cooldown_s=0, claim_cooldown_s=30)
    assert list(policy.cooldown_keys(message(), ENTRY.id, config)) == [
        "discord:guild-1:claim:zelensky-dictator"
    ]


def test_cooldowns_of_different_servers_never_collide() -> None:
    here = policy.cooldown_keys(message(), ENTRY.id, GuildConfig())
    there = policy.cooldown_keys(message(server_id="guild-2"), ENTRY.id, GuildConfig())
    slack = policy.cooldown_keys(message(platform="slack"), ENTRY.id, GuildConfig())
    assert not set(here) & set(there)
    assert not set(here) & set(slack)
