"""Moderator policy: whether a message is looked at, and what a match leads to. Pure functions."""

from __future__ import annotations

import datetime as dt

from bot.core.matching import Thresholds
from bot.core.models import Action, FactEntry, GuildConfig, IncomingMessage, Match, ReplyMode, Tier

__all__ = ["action_for", "cooldown_keys", "skip_reason", "thresholds_for"]


def skip_reason(message: IncomingMessage, config: GuildConfig) -> str | None:
    """Why passive monitoring leaves this message alone, or None when it should be checked."""
    if message.author_is_bot:
        return "author is a bot"
    if message.is_direct:
        return "direct message"
    if not config.enabled:
        return "disabled on this server"
    if message.channel_id in config.ignored_channels:
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
