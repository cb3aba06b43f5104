"""Moderator policy as pure functions: which messages are looked at, what a match leads to, and
which cooldowns a reply starts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from bot.core import policy
from bot.core.matching import ALERT_THRESHOLD, SUGGEST_THRESHOLD, Thresholds
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
from bot.errors import ConfigError

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


@pytest.mark.parametrize("ignored", ["general", "thread-9"])
def test_a_thread_is_ignored_when_it_or_its_channel_is(ignored: str) -> None:
    config = dataclasses.replace(MONITORED, ignored_channels=frozenset({ignored}))
    for threaded in (
        message(channel_id="thread-9", thread_id="general"),
        message(channel_id="general", thread_id="thread-9"),  # parent first, as Discord's adapter
    ):
        assert policy.skip_reason(threaded, config) == "channel ignored"


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


# --- configuration values ----------------------------------------------------------------------

TAGS = frozenset({"elections", "zelensky"})


def test_every_setting_has_a_parser() -> None:
    assert set(policy.CONFIG_FIELDS) == {f.name for f in dataclasses.fields(GuildConfig)}
    defaults = policy.config_values(GuildConfig())
    assert policy.config_from_values(defaults) == GuildConfig()


@pytest.mark.parametrize(
    ("key", "given", "parsed"),
    [
        ("enabled", "off", False),
        ("enabled", "Yes", True),
        ("enabled", False, False),
        ("monitored_channels", "general, random  help", frozenset({"general", "random", "help"})),
        ("monitored_channels", ["C1", "C2"], frozenset({"C1", "C2"})),
        ("monitored_channels", frozenset({123}), frozenset({"123"})),
        ("monitored_channels", "", frozenset()),
        ("reply_mode", "Moderators-Only", ReplyMode.MODERATORS_ONLY),
        ("reply_mode", ReplyMode.REPLY, ReplyMode.REPLY),
        ("alert_threshold", "85.5", 85.5),
        ("alert_threshold", 90, 90.0),
        ("alert_threshold", "default", None),
        ("suggest_threshold", None, None),
        ("channel_cooldown_s", "90", 90),
        ("channel_cooldown_s", "10m", 600),
        ("user_cooldown_s", "2h", 7200),
        ("claim_cooldown_s", "1d", 86400),
        ("claim_cooldown_s", 0, 0),
        ("log_channel", "mod-log", "mod-log"),
        ("log_channel", "none", None),
        ("language", "UK", "uk"),
        ("disabled_tags", "Elections", frozenset({"elections"})),
        ("store_message_text", "on", True),
        ("retention_days", "30", 30),
    ],
)
def test_settings_are_read_from_typed_values_and_command_line_text(
    key: str, given: object, parsed: object
) -> None:
    assert policy.parse_config_changes({key: given}, known_tags=TAGS) == {key: parsed}


@pytest.mark.parametrize(
    ("key", "given", "says"),
    [
        ("enabled", "maybe", "true or false"),
        ("enabled", 1, "true or false"),
        ("alert_threshold", 50, "between 70 and 100"),
        ("alert_threshold", 100.5, "between 70 and 100"),
        ("alert_threshold", "high", "score"),
        ("alert_threshold", float("nan"), "score"),
        ("alert_threshold", True, "score"),
        ("suggest_threshold", 40, "between 50 and 100"),
        ("channel_cooldown_s", -1, "between 0 and 604800"),
        ("channel_cooldown_s", "-1", "whole number"),
        ("channel_cooldown_s", "8d", "between 0 and 604800"),
        ("channel_cooldown_s", 1.5, "whole number"),
        ("retention_days", 0, "between 1 and 365"),
        ("retention_days", "1d", "whole number"),
        ("monitored_channels", 42, "list of ids"),
        ("monitored_channels", ["ok", "two words"], "one word"),
        ("monitored_channels", ["x" * 101], "100 characters"),
        ("monitored_channels", [str(n) for n in range(policy.MAX_IDS + 1)], "at most"),
        ("reply_mode", "loud", "thread, reply, moderators-only"),
        ("language", "de", "en, uk, ru"),
        ("disabled_tags", "no-such-tag", "no fact-base entry"),
        ("disabled_tags", "Not A Tag!", "lower-case"),
        ("log_channel", ["a"], "an id"),
        ("colour", "red", "unknown setting"),
    ],
)
def test_bad_settings_are_refused_with_the_setting_named(
    key: str, given: object, says: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        policy.parse_config_changes({key: given}, known_tags=TAGS)

    message = str(caught.value)
    assert key in message
    assert says in message


def test_a_suggest_threshold_above_the_alert_threshold_is_refused() -> None:
    default = Thresholds(alert=72.0, suggest=58.0)

    policy.validate_config(GuildConfig(alert_threshold=90.0, suggest_threshold=90.0), default)
    with pytest.raises(ConfigError, match="suggest_threshold"):
        policy.validate_config(GuildConfig(alert_threshold=80.0, suggest_threshold=85.0), default)
    # Against the calibrated alert threshold when the server keeps the default one.
    with pytest.raises(ConfigError, match="suggest_threshold"):
        policy.validate_config(GuildConfig(suggest_threshold=80.0), default)


def test_validate_config_refuses_values_set_around_the_parser() -> None:
    with pytest.raises(ConfigError, match="retention_days"):
        policy.validate_config(GuildConfig(retention_days=0), Thresholds(alert=72.0, suggest=58.0))


def test_plain_values_round_trip() -> None:
    config = GuildConfig(
        monitored_channels=frozenset({"b", "a"}),
        reply_mode=ReplyMode.REPLY,
        alert_threshold=80.0,
        log_channel="log",
        disabled_tags=frozenset({"elections"}),
    )

    values = policy.config_values(config)

    assert values["monitored_channels"] == ["a", "b"]
    assert values["reply_mode"] == "reply"
    assert policy.config_from_values(values) == config
    assert policy.config_from_values({}) == GuildConfig()


# --- the settings reference ----------------------------------------------------------------------

SETTINGS_DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"
README = Path(__file__).resolve().parents[2] / "README.md"


def _documented_settings(doc: Path = SETTINGS_DOC, columns: int = 4) -> dict[str, tuple[str, str]]:
    """setting -> (default, next column) from the moderator settings table of `doc`, whose
    rows have `columns` cells."""
    rows: dict[str, tuple[str, str]] = {}
    for line in doc.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if (
            line.startswith("| `")
            and len(cells) == columns
            and cells[0].strip("`") in policy.CONFIG_FIELDS
        ):
            rows[cells[0].strip("`")] = (cells[1], cells[2])
    return rows


def _as_documented(value: policy.ConfigValue) -> str:
    if value is None or value == []:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def test_the_settings_reference_documents_every_setting_with_its_default() -> None:
    documented = _documented_settings()

    assert sorted(documented) == sorted(policy.CONFIG_FIELDS)
    for key, value in policy.config_values(GuildConfig()).items():
        expected = "calibrated" if key.endswith("_threshold") else _as_documented(value)
        assert documented[key][0] == expected, key
    assert f"(currently {GuildConfig.SCHEMA_VERSION})" in SETTINGS_DOC.read_text(encoding="utf-8")


def test_the_readme_lists_every_setting_with_its_default() -> None:
    documented = _documented_settings(README, columns=3)

    assert sorted(documented) == sorted(policy.CONFIG_FIELDS)
    for key, value in policy.config_values(GuildConfig()).items():
        expected = "calibrated" if key.endswith("_threshold") else _as_documented(value)
        assert documented[key][0] == expected, key
    assert (
        f"{ALERT_THRESHOLD:g} today; {policy.ALERT_THRESHOLD_MIN:g} at the lowest"
        in (documented["alert_threshold"][1])
    )
    assert f"{SUGGEST_THRESHOLD:g} today" in documented["suggest_threshold"][1]


def test_the_settings_reference_states_todays_bounds() -> None:
    documented = _documented_settings()
    top = f"{policy.THRESHOLD_MAX:g}"

    assert documented["alert_threshold"][1].startswith(f"{policy.ALERT_THRESHOLD_MIN:g}–{top}")
    assert documented["suggest_threshold"][1].startswith(f"{policy.SUGGEST_THRESHOLD_MIN:g}–{top}")
    assert documented["retention_days"][1] == (
        f"{policy.RETENTION_DAYS_MIN}–{policy.RETENTION_DAYS_MAX}"
    )
    assert documented["channel_cooldown_s"][1].startswith(f"0–{policy.COOLDOWN_MAX_S} seconds")
    assert f"At most {policy.MAX_IDS} ids per list" in SETTINGS_DOC.read_text(encoding="utf-8")
