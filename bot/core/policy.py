"""Moderator policy: whether a message is looked at, what a match leads to, and which
configuration values a moderator may set. Pure functions."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import fields, replace

from bot.core.matching import Thresholds
from bot.core.models import (
    LANGUAGES,
    Action,
    FactEntry,
    GuildConfig,
    IncomingMessage,
    Match,
    ReplyMode,
    Tier,
)
from bot.errors import ConfigError

__all__ = [
    "ALERT_THRESHOLD_MIN",
    "CHANNEL_LIST_FIELDS",
    "CONFIG_FIELDS",
    "COOLDOWN_MAX_S",
    "LIST_FIELDS",
    "MAX_IDS",
    "RETENTION_DAYS_MAX",
    "RETENTION_DAYS_MIN",
    "SUGGEST_THRESHOLD_MIN",
    "THRESHOLD_MAX",
    "ConfigValue",
    "action_for",
    "config_from_values",
    "config_values",
    "cooldown_keys",
    "known_tags",
    "parse_config_changes",
    "queue_cooldown_keys",
    "skip_reason",
    "thresholds_for",
    "validate_config",
    "without_channel",
]


def skip_reason(message: IncomingMessage, config: GuildConfig) -> str | None:
    """Why passive monitoring leaves this message alone, or None when it should be checked."""
    if message.author_is_bot:
        return "author is a bot"
    if message.is_direct:
        return "direct message"
    if not config.enabled:
        return "disabled on this server"
    # A thread counts as its own channel and as part of its parent: ignoring either silences it.
    if message.channel_id in config.ignored_channels or (
        message.thread_id is not None and message.thread_id in config.ignored_channels
    ):
        return "channel ignored"
    if message.channel_id not in config.monitored_channels and (
        message.thread_id is None or message.thread_id not in config.monitored_channels
    ):
        return "channel not monitored"
    if message.author_id in config.exempt_users or message.author_roles & config.exempt_roles:
        return "author exempt"
    return None


def thresholds_for(config: GuildConfig, default: Thresholds) -> Thresholds:
    return Thresholds(
        alert=config.alert_threshold if config.alert_threshold is not None else default.alert,
        suggest=config.suggest_threshold
        if config.suggest_threshold is not None
        else default.suggest,
    )


def action_for(match: Match, config: GuildConfig) -> tuple[Action, str]:
    """What to do with a match under a server's configuration, and why."""
    entry: FactEntry | None = match.entry
    if entry is None or match.tier is Tier.NONE:
        return Action.IGNORE, f"no confident match ({match.stance.value})" if entry else "no match"
    if config.disabled_tags & set(entry.tags):
        return Action.IGNORE, "fact-base tag switched off"
    if match.tier is Tier.SUGGEST:
        return Action.SUGGEST, "borderline match"
    if config.reply_mode is ReplyMode.MODERATORS_ONLY:
        return Action.SUGGEST, "moderators-only mode"
    return Action.REPLY, "confident match"


def cooldown_keys(
    message: IncomingMessage, claim_id: str, config: GuildConfig
) -> dict[str, dt.timedelta]:
    """The cooldowns a reply starts: per channel, per user and per claim, within one server."""
    scope = f"{message.platform}:{message.server_id}"
    keys = {
        f"{scope}:channel:{message.channel_id}": config.channel_cooldown_s,
        f"{scope}:user:{message.author_id}": config.user_cooldown_s,
        f"{scope}:claim:{claim_id}": config.claim_cooldown_s,
    }
    return {key: dt.timedelta(seconds=s) for key, s in keys.items() if s > 0}


def queue_cooldown_keys(
    message: IncomingMessage, claim_id: str, config: GuildConfig
) -> dict[str, dt.timedelta]:
    """The cooldown sending a match to the moderators starts: a claim queued from a channel is
    not queued again from there for the claim cooldown, so one repeated claim cannot flood the
    moderators' log."""
    if config.claim_cooldown_s <= 0:
        return {}
    key = f"{message.platform}:{message.server_id}:queued:{message.channel_id}:{claim_id}"
    return {key: dt.timedelta(seconds=config.claim_cooldown_s)}


# --- configuration values ----------------------------------------------------------------------
#
# Moderators set values through slash commands, Slack modals and `claimwatch config set`, so every
# value arrives either typed (from an adapter) or as text (from a command line). One parser serves
# all of them and refuses anything outside the bounds below with a message naming the setting.

# The calibrated alert threshold is ALERT_THRESHOLD (85); below 84 false alerts on the development
# set double (1.9% down to 70) and debunk alerts grow, so a server may make the bot stricter but
# only a little more eager.
ALERT_THRESHOLD_MIN = 70.0
SUGGEST_THRESHOLD_MIN = 50.0  # below it the moderators' queue fills with noise
THRESHOLD_MAX = 100.0
COOLDOWN_MAX_S = 7 * 24 * 3600
RETENTION_DAYS_MIN = 1
RETENTION_DAYS_MAX = 365
MAX_IDS = 500  # channels, roles, user groups or users in one list
MAX_ID_CHARS = 100
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
_UNSET = frozenset({"", "none", "default"})  # an optional value back to its default
_DURATION = re.compile(r"^(\d+)\s*([smhd]?)$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_ID = re.compile(r"^\S+$")
_TAG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

ConfigValue = bool | int | float | str | list[str] | None

_KINDS: dict[str, str] = {
    "enabled": "bool",
    "monitored_channels": "ids",
    "ignored_channels": "ids",
    "exempt_roles": "ids",
    "exempt_users": "ids",
    "moderator_roles": "ids",
    "reply_mode": "reply_mode",
    "alert_threshold": "threshold",
    "suggest_threshold": "threshold",
    "channel_cooldown_s": "duration",
    "user_cooldown_s": "duration",
    "claim_cooldown_s": "duration",
    "log_channel": "optional_id",
    "language": "language",
    "disabled_tags": "tags",
    "store_message_text": "bool",
    "retention_days": "days",
}
CONFIG_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(GuildConfig))
# The settings that are sets of ids or tags: moderators add to them and remove from them.
LIST_FIELDS: tuple[str, ...] = tuple(key for key, kind in _KINDS.items() if kind in ("ids", "tags"))
# The lists of channel ids (and thread ids), which a deleted channel leaves.
CHANNEL_LIST_FIELDS = ("monitored_channels", "ignored_channels")


def _bad(key: str, problem: str, value: object) -> ConfigError:
    shown = value if isinstance(value, str | int | float | bool) or value is None else type(value)
    return ConfigError(f"{key}: {problem} (got {shown!r})")


def _parse_bool(key: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _bad(key, "expected true or false", value)


def _parse_int(key: str, value: object, low: int, high: int, *, duration: bool) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        text = value.strip().lower()
        found = _DURATION.match(text) if duration else re.match(r"^(\d+)()$", text)
        if found:
            number = int(found.group(1)) * _UNIT_SECONDS[found.group(2)]
    if number is None:
        unit = " (seconds, or with s/m/h/d: 90s, 10m, 2h, 1d)" if duration else ""
        raise _bad(key, f"expected a whole number{unit}", value)
    if not low <= number <= high:
        raise _bad(key, f"must be between {low} and {high}", value)
    return number


def _parse_threshold(key: str, value: object) -> float | None:
    low = ALERT_THRESHOLD_MIN if key == "alert_threshold" else SUGGEST_THRESHOLD_MIN
    if value is None or (isinstance(value, str) and value.strip().lower() in _UNSET):
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            number = float(value.strip())
    if number is None or math.isnan(number):
        raise _bad(key, "expected a score from 0 to 100, or 'default'", value)
    if not low <= number <= THRESHOLD_MAX:
        raise _bad(key, f"must be between {low:g} and {THRESHOLD_MAX:g}, or 'default'", value)
    return number


def _parse_id(key: str, value: object) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise _bad(key, "expected an id", value)
    text = str(value).strip()
    if not _ID.match(text) or len(text) > MAX_ID_CHARS:
        raise _bad(key, f"an id is one word of at most {MAX_ID_CHARS} characters", value)
    return text


def _parse_ids(key: str, value: object) -> frozenset[str]:
    items: list[object]
    if isinstance(value, str):
        items = [part for part in re.split(r"[\s,]+", value) if part]  # "a, b c" from a command
    elif isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        items = list(value)
    else:
        raise _bad(key, "expected a list of ids", value)
    if len(items) > MAX_IDS:
        raise ConfigError(f"{key}: at most {MAX_IDS} ids (got {len(items)})")
    return frozenset(_parse_id(key, item) for item in items)


def _parse_value(key: str, value: object, known_tags: Collection[str] | None) -> object:
    kind = _KINDS[key]
    if kind == "bool":
        return _parse_bool(key, value)
    if kind == "ids":
        return _parse_ids(key, value)
    if kind == "tags":
        tags = frozenset(tag.lower() for tag in _parse_ids(key, value))
        for tag in sorted(tags):
            if not _TAG.match(tag):
                raise _bad(key, "a tag is lower-case words joined by '-'", tag)
        unknown = sorted(tags.difference(known_tags)) if known_tags is not None else []
        if unknown:
            known = ", ".join(sorted(known_tags or ()))
            raise _bad(key, f"no fact-base entry has this tag (tags: {known})", unknown[0])
        return tags
    if kind == "reply_mode":
        try:
            return ReplyMode(value.strip().lower() if isinstance(value, str) else "")
        except ValueError:
            modes = ", ".join(mode.value for mode in ReplyMode)
            raise _bad(key, f"expected one of {modes}", value) from None
    if kind == "threshold":
        return _parse_threshold(key, value)
    if kind == "duration":
        return _parse_int(key, value, 0, COOLDOWN_MAX_S, duration=True)
    if kind == "days":
        return _parse_int(key, value, RETENTION_DAYS_MIN, RETENTION_DAYS_MAX, duration=False)
    if kind == "optional_id":
        if value is None or (isinstance(value, str) and value.strip().lower() in _UNSET):
            return None
        return _parse_id(key, value)
    # kind == "language"
    text = value.strip().lower() if isinstance(value, str) else value
    if text not in LANGUAGES:
        raise _bad(key, f"expected one of {', '.join(LANGUAGES)}", value)
    return text


def known_tags(entries: Iterable[FactEntry]) -> frozenset[str]:
    """The tags a server can switch off: those of the fact base in use."""
    return frozenset(tag for entry in entries for tag in entry.tags)


def parse_config_changes(
    changes: Mapping[str, object], *, known_tags: Collection[str] | None = None
) -> dict[str, object]:
    """Typed, bounded values for `GuildConfig` fields from typed values or command-line text.

    Lists of ids accept any iterable of str, or one string of ids separated by commas or spaces;
    cooldowns accept seconds or 90s/10m/2h/1d; optional values accept 'default' (or None).
    `disabled_tags` must be tags of `known_tags` when given. Raises ConfigError naming the first
    bad setting.
    """
    parsed: dict[str, object] = {}
    for key, value in changes.items():
        if key not in _KINDS:
            raise ConfigError(f"unknown setting {key!r} (settings: {', '.join(CONFIG_FIELDS)})")
        parsed[key] = _parse_value(key, value, known_tags)
    return parsed


def validate_config(config: GuildConfig, default: Thresholds) -> None:
    """Refuse a configuration whose values, alone or together, are out of bounds."""
    # Re-parsing every field catches values that did not come through parse_config_changes.
    parse_config_changes(config_values(config))
    effective = thresholds_for(config, default)
    if effective.suggest > effective.alert:
        raise ConfigError(
            f"suggest_threshold ({effective.suggest:g}) must not be above "
            f"alert_threshold ({effective.alert:g})"
        )


def without_channel(config: GuildConfig, channel_id: str) -> GuildConfig:
    """The configuration with no trace of a (deleted) channel: off every channel list, and no
    longer the moderators' log."""
    lists = {key: getattr(config, key) - {channel_id} for key in CHANNEL_LIST_FIELDS}
    log_channel = None if config.log_channel == channel_id else config.log_channel
    return replace(config, **lists, log_channel=log_channel)


def config_values(config: GuildConfig) -> dict[str, ConfigValue]:
    """The configuration as plain JSON values (sets as sorted lists), field by field."""
    values: dict[str, ConfigValue] = {}
    for name in CONFIG_FIELDS:
        value = getattr(config, name)
        if isinstance(value, frozenset):
            values[name] = sorted(value)
        elif isinstance(value, ReplyMode):
            values[name] = value.value
        else:
            values[name] = value
    return values


def config_from_values(values: Mapping[str, object]) -> GuildConfig:
    """A configuration from plain values (as `config_values` writes them); absent keys default."""
    return replace(GuildConfig(), **parse_config_changes(values))  # type: ignore[arg-type]
