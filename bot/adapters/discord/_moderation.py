"""`/claimwatch`: the moderators' controls. Every answer is ephemeral.

Discord hides the group from members without Manage Server (`default_permissions`), but server
admins can change that, so `interaction_check` enforces it again: Manage Server, Administrator
or one of the server's `moderator_roles`. Who those roles are is for Manage Server alone to
decide (`/claimwatch moderators`). Values are validated by the service (`ConfigError`), whose
message the command tree shows to the moderator.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Literal

import discord
from discord import app_commands

from bot.adapters.discord._context import (
    PLATFORM,
    Interaction,
    deps_of,
    is_moderator,
    known_guild,
    manages_server,
)
from bot.adapters.discord._render import config_summary, stats_text
from bot.adapters.discord._respond import Answer, answer
from bot.core.models import GuildConfig, ReplyMode
from bot.core.policy import (
    ALERT_THRESHOLD_MIN,
    COOLDOWN_MAX_S,
    SUGGEST_THRESHOLD_MIN,
    THRESHOLD_MAX,
)

__all__ = [
    "INVITE_PERMISSIONS",
    "ONLY_ADMINS_NAME_MODERATORS",
    "ModeratorCommands",
    "NotModerator",
    "bot_permission_problems",
    "missing_permissions",
    "moderators_text",
]

Mode = Literal["thread", "reply", "moderators-only", "off"]
# What moderators can watch: text and announcement channels, and forums (their posts are threads).
Watchable = discord.TextChannel | discord.ForumChannel

# What the bot needs where it replies, and where it logs.
REPLY_PERMISSIONS = (
    "view_channel",
    "send_messages",
    "embed_links",
    "read_message_history",
    "create_public_threads",
    "send_messages_in_threads",
)
LOG_PERMISSIONS = ("view_channel", "send_messages", "embed_links")
UNKNOWN_SERVER = (
    "Discord has not sent claimwatch this server's channels yet (it just started, or Discord "
    "has an outage): its permissions cannot be checked now. Run `/claimwatch status` again "
    "in a minute."
)
# What the invite link asks for: exactly the above, nothing more (no Manage Messages: the bot
# only ever deletes its own messages).
INVITE_PERMISSIONS = discord.Permissions(**dict.fromkeys(REPLY_PERMISSIONS + LOG_PERMISSIONS, True))


# A moderator by role must not be able to make others moderators (or take an admin's choice
# back): the list is the server admins' alone.
ONLY_ADMINS_NAME_MODERATORS = (
    "Sorry, only members with the Manage Server permission can change who moderates claimwatch: "
    "a moderator role cannot give moderator rights to others."
)
EVERYONE_IS_NO_MODERATOR = (
    "Not changed: @everyone cannot be a moderator role; pick the role your moderators hold."
)


class NotModerator(app_commands.CheckFailure):
    """A member without the rights a moderator command needs; the message says which (empty:
    the general refusal)."""


def missing_permissions(
    channel: discord.abc.GuildChannel | discord.Thread, names: Iterable[str]
) -> str:
    """Which of the permissions `names` the bot lacks in `channel`, as Discord's settings name
    them ("Send Messages, Embed Links"); empty when it has them all."""
    granted = channel.permissions_for(channel.guild.me)
    missing = [name for name in names if not getattr(granted, name)]
    return ", ".join(name.replace("_", " ").title() for name in missing)


def bot_permission_problems(guild: discord.Guild | None, config: GuildConfig) -> list[str]:
    """What the bot cannot do in the channels it is configured for, in moderators' words.

    `guild` is `known_guild(...)`: None while the gateway has not described the server, when
    nothing can be judged (every channel would look deleted)."""
    if guild is None:
        return [UNKNOWN_SERVER]
    problems: list[str] = []
    for channel_id in sorted(config.monitored_channels):
        channel = guild.get_channel(int(channel_id)) if channel_id.isdigit() else None
        if channel is None:
            problems.append(
                f"Channel {channel_id} no longer exists: the next `/claimwatch channels add` "
                "or `remove` drops it."
            )
        elif missing := missing_permissions(channel, REPLY_PERMISSIONS):
            problems.append(f"In <#{channel_id}> claimwatch lacks: {missing}.")
    log_id = config.log_channel
    if log_id is not None:
        log_channel = guild.get_channel(int(log_id)) if log_id.isdigit() else None
        if log_channel is None:
            problems.append(
                f"The log channel {log_id} no longer exists: set another with "
                "`/claimwatch logchannel`, or clear it (`/claimwatch logchannel clear:True`)."
            )
        elif missing := missing_permissions(log_channel, LOG_PERMISSIONS):
            problems.append(f"In <#{log_id}> (the log channel) claimwatch lacks: {missing}.")
    return problems


def _server(interaction: Interaction) -> str:
    if interaction.guild_id is None:  # guild_only: Discord never sends these from a DM
        raise app_commands.NoPrivateMessage()
    return str(interaction.guild_id)


async def _update(interaction: Interaction, **changes: object) -> GuildConfig:
    return await deps_of(interaction.client).service.update_config(
        PLATFORM, _server(interaction), **changes
    )


async def _config(interaction: Interaction) -> GuildConfig:
    return await deps_of(interaction.client).service.get_config(PLATFORM, _server(interaction))


def _gone(interaction: Interaction, ids: frozenset[str], *, roles: bool) -> frozenset[str]:
    """The channels (or roles) of `ids` the server no longer has: deleted while the bot was
    away, they leave with the next change."""
    guild = known_guild(interaction)
    if guild is None:  # not described by the gateway yet: nothing to judge by, keep them all
        return frozenset()
    find = guild.get_role if roles else guild.get_channel
    return frozenset(i for i in ids if not i.isdigit() or find(int(i)) is None)


async def _edit_list(
    interaction: Interaction, key: str, *, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> GuildConfig:
    """Add to and remove from one list setting atomically (two moderators at the same moment
    both keep their change), dropping what the server no longer has."""
    service = deps_of(interaction.client).service
    server = _server(interaction)
    current: frozenset[str] = getattr(await service.get_config(PLATFORM, server), key)
    gone = _gone(interaction, current, roles=key == "moderator_roles")
    # Removing what is gone is idempotent, so reading before the atomic edit loses nothing.
    return await service.edit_list(PLATFORM, server, key, add=add, remove=gone | set(remove))


def _roles_text(roles: Iterable[str]) -> str:
    return ", ".join(f"<@&{rid}>" for rid in sorted(roles))


def moderators_text(config: GuildConfig) -> str:
    """Who may use `/claimwatch` on the server, in moderators' words."""
    if not config.moderator_roles:
        return (
            "Moderators: members with Manage Server only. To add a moderator role, someone "
            "with Manage Server runs `/claimwatch moderators add`."
        )
    return f"Moderators: members with Manage Server, and {_roles_text(config.moderator_roles)}."


def _summary(interaction: Interaction, config: GuildConfig, head: str) -> Answer:
    problems = bot_permission_problems(known_guild(interaction), config)
    summary = config_summary(config, problems=problems)
    return Answer(content=f"{head}\n\n{summary}\n{moderators_text(config)}")


async def _run(interaction: Interaction, work: Awaitable[Answer]) -> None:
    await answer(interaction, work, defer_after=deps_of(interaction.client).defer_after)


class ModeratorCommands(app_commands.Group):
    """`/claimwatch ...` for moderators."""

    channels = app_commands.Group(
        name="channels", description="Choose the channels claimwatch watches"
    )
    moderators = app_commands.Group(
        name="moderators", description="Choose the roles that may use /claimwatch"
    )

    def __init__(self) -> None:
        super().__init__(
            name="claimwatch",
            description="Moderator settings for claimwatch",
            guild_only=True,
            default_permissions=discord.Permissions(manage_guild=True),
        )

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        if not await is_moderator(interaction):
            raise NotModerator()
        return True

    @app_commands.command(name="setup", description="First-time setup: what to watch, where to log")
    @app_commands.describe(
        channel="A channel to watch (default: this one)",
        log_channel="Where borderline matches go for a moderator's decision",
        mode="How claimwatch answers (default: in a thread under the message)",
    )
    async def setup(
        self,
        interaction: Interaction,
        channel: Watchable | None = None,
        log_channel: discord.TextChannel | None = None,
        mode: Literal["thread", "reply", "moderators-only"] = "thread",
    ) -> None:
        async def work() -> Answer:
            here = interaction.channel
            # Run inside a thread (or a forum post), it sets up the channel the thread is in.
            watched = channel or (here.parent if isinstance(here, discord.Thread) else here)
            changes: dict[str, object] = {"enabled": True, "reply_mode": ReplyMode(mode)}
            if log_channel is not None:
                changes["log_channel"] = str(log_channel.id)
            add = [str(watched.id)] if isinstance(watched, Watchable) else []
            # The list first: it is what can be refused (too many channels), and a refusal
            # must leave every setting as it was. The rest cannot fail once the list passed.
            await _edit_list(interaction, "monitored_channels", add=add)
            config = await _update(interaction, **changes)
            return _summary(
                interaction,
                config,
                "**claimwatch is set up.** It reads the channels below and answers known claims; "
                "borderline ones go to the log channel with Reply / Dismiss buttons. "
                "Change anything with the other `/claimwatch` commands.",
            )

        await _run(interaction, work())

    @channels.command(name="add", description="Watch a channel")
    @app_commands.describe(channel="The channel or forum to watch (its threads and posts too)")
    async def channels_add(self, interaction: Interaction, channel: Watchable) -> None:
        async def work() -> Answer:
            config = await _edit_list(interaction, "monitored_channels", add=[str(channel.id)])
            return _summary(interaction, config, f"Now watching <#{channel.id}>.")

        await _run(interaction, work())

    @channels.command(name="remove", description="Stop watching a channel")
    @app_commands.describe(channel="The channel to stop watching")
    async def channels_remove(self, interaction: Interaction, channel: Watchable) -> None:
        async def work() -> Answer:
            config = await _edit_list(interaction, "monitored_channels", remove=[str(channel.id)])
            return _summary(interaction, config, f"No longer watching <#{channel.id}>.")

        await _run(interaction, work())

    @channels.command(name="list", description="Show the watched channels")
    async def channels_list(self, interaction: Interaction) -> None:
        async def work() -> Answer:
            config = await _config(interaction)
            watched = ", ".join(f"<#{cid}>" for cid in sorted(config.monitored_channels))
            return Answer(content=f"Watched channels: {watched or 'none'}.")

        await _run(interaction, work())

    @moderators.command(name="add", description="Let members with a role use /claimwatch")
    @app_commands.describe(role="The role your moderators hold (Manage Server needed to set it)")
    async def moderators_add(self, interaction: Interaction, role: discord.Role) -> None:
        if not manages_server(interaction):
            raise NotModerator(ONLY_ADMINS_NAME_MODERATORS)

        async def work() -> Answer:
            if role.is_default():
                return Answer(content=EVERYONE_IS_NO_MODERATOR)
            config = await _edit_list(interaction, "moderator_roles", add=[str(role.id)])
            return Answer(
                content=f"<@&{role.id}> can now use `/claimwatch`.\n\n" + moderators_text(config)
            )

        await _run(interaction, work())

    @moderators.command(name="remove", description="Take /claimwatch away from a role")
    @app_commands.describe(role="The role that should no longer moderate claimwatch")
    async def moderators_remove(self, interaction: Interaction, role: discord.Role) -> None:
        if not manages_server(interaction):
            raise NotModerator(ONLY_ADMINS_NAME_MODERATORS)

        async def work() -> Answer:
            config = await _edit_list(interaction, "moderator_roles", remove=[str(role.id)])
            return Answer(
                content=f"<@&{role.id}> is no longer a moderator role.\n\n"
                + moderators_text(config)
            )

        await _run(interaction, work())

    @moderators.command(name="list", description="Show who may use /claimwatch")
    async def moderators_list(self, interaction: Interaction) -> None:
        async def work() -> Answer:
            return Answer(content=moderators_text(await _config(interaction)))

        await _run(interaction, work())

    @app_commands.command(name="mode", description="How claimwatch answers, or switch it off")
    @app_commands.describe(
        mode="thread, reply inline, moderators-only (every match to the log), or off (quiet)"
    )
    async def mode(self, interaction: Interaction, mode: Mode) -> None:
        async def work() -> Answer:
            if mode == "off":
                config = await _update(interaction, enabled=False)
                return _summary(interaction, config, "claimwatch is now quiet on this server.")
            config = await _update(interaction, enabled=True, reply_mode=ReplyMode(mode))
            return _summary(interaction, config, f"Mode set to **{mode}**.")

        await _run(interaction, work())

    @app_commands.command(name="thresholds", description="How sure a match must be")
    @app_commands.describe(
        alert="Reply in the channel at this match confidence or above",
        suggest="Ask the moderators at this match confidence or above",
        reset="Go back to claimwatch's calibrated defaults",
    )
    async def thresholds(
        self,
        interaction: Interaction,
        alert: app_commands.Range[float, ALERT_THRESHOLD_MIN, THRESHOLD_MAX] | None = None,
        suggest: app_commands.Range[float, SUGGEST_THRESHOLD_MIN, THRESHOLD_MAX] | None = None,
        reset: bool = False,
    ) -> None:
        async def work() -> Answer:
            if reset:
                config = await _update(interaction, alert_threshold=None, suggest_threshold=None)
                return _summary(interaction, config, "Thresholds back to the defaults.")
            changes = {
                name: value
                for name, value in (("alert_threshold", alert), ("suggest_threshold", suggest))
                if value is not None
            }
            if not changes:
                return _summary(interaction, await _config(interaction), "Nothing changed.")
            config = await _update(interaction, **changes)
            return _summary(interaction, config, "Thresholds updated.")

        await _run(interaction, work())

    @app_commands.command(
        name="cooldown", description="How long claimwatch stays quiet after a reply"
    )
    @app_commands.describe(
        channel="Seconds between replies in one channel",
        user="Seconds between replies to one person",
        claim="Seconds between replies about the same claim",
    )
    async def cooldown(
        self,
        interaction: Interaction,
        channel: app_commands.Range[int, 0, COOLDOWN_MAX_S] | None = None,
        user: app_commands.Range[int, 0, COOLDOWN_MAX_S] | None = None,
        claim: app_commands.Range[int, 0, COOLDOWN_MAX_S] | None = None,
    ) -> None:
        async def work() -> Answer:
            changes = {
                name: value
                for name, value in (
                    ("channel_cooldown_s", channel),
                    ("user_cooldown_s", user),
                    ("claim_cooldown_s", claim),
                )
                if value is not None
            }
            if not changes:
                return _summary(interaction, await _config(interaction), "Nothing changed.")
            config = await _update(interaction, **changes)
            return _summary(interaction, config, "Cooldowns updated.")

        await _run(interaction, work())

    @app_commands.command(name="logchannel", description="Where borderline matches go")
    @app_commands.describe(
        channel="The moderators' log channel", clear="Stop posting to a log channel"
    )
    async def logchannel(
        self,
        interaction: Interaction,
        channel: discord.TextChannel | None = None,
        clear: bool = False,
    ) -> None:
        async def work() -> Answer:
            if clear:
                config = await _update(interaction, log_channel=None)
                return _summary(interaction, config, "Log channel cleared.")
            if channel is None:
                return _summary(interaction, await _config(interaction), "Nothing changed.")
            config = await _update(interaction, log_channel=str(channel.id))
            return _summary(interaction, config, f"Log channel set to <#{channel.id}>.")

        await _run(interaction, work())

    @app_commands.command(name="status", description="Show claimwatch's settings on this server")
    async def status(self, interaction: Interaction) -> None:
        async def work() -> Answer:
            return _summary(interaction, await _config(interaction), "**claimwatch settings**")

        await _run(interaction, work())

    @app_commands.command(name="stats", description="What claimwatch did on this server")
    async def stats(self, interaction: Interaction) -> None:
        async def work() -> Answer:
            service = deps_of(interaction.client).service
            return Answer(content=stats_text(await service.stats(PLATFORM, _server(interaction))))

        await _run(interaction, work())

    @app_commands.command(
        name="forget", description="Delete everything claimwatch keeps about this server"
    )
    @app_commands.describe(confirm="Set to True to delete settings, queue, replies and feedback")
    async def forget(self, interaction: Interaction, confirm: bool) -> None:
        async def work() -> Answer:
            if not confirm:
                return Answer(
                    content="Nothing deleted. Run `/claimwatch forget confirm:True` to delete "
                    "everything claimwatch keeps about this server."
                )
            await deps_of(interaction.client).service.forget(PLATFORM, _server(interaction))
            return Answer(
                content="Done: claimwatch deleted everything it kept about this server "
                "(settings, queue, reply records, feedback). It watches no channel until "
                "`/claimwatch setup` runs again."
            )

        await _run(interaction, work())
