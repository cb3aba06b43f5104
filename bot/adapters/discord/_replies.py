"""The bot's own messages: replies, moderators' log entries, and the buttons on them.

Posting renders a core `Decision`; it never re-decides. The buttons survive restarts: each is a
`DynamicItem` whose state lives in its `custom_id`, so Discord hands the state back with every
click and discord.py rebuilds the item from the template (`ClaimwatchBot.setup_hook` registers
the templates). A reply posted last week still answers its buttons.

    cw:fb:<vote>            feedback on a reply: helpful | not_helpful | wrong_claim
    cw:q:<action>:<queue>   a moderator's answer to a queued match: reply | dismiss
"""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Any, Literal

import discord

from bot.adapters.discord._context import PLATFORM, Interaction, deps_of, is_moderator
from bot.adapters.discord._moderation import missing_permissions
from bot.adapters.discord._render import (
    reply_embed,
    resolved_embed,
    suggestion_embed,
    thread_name,
)
from bot.adapters.discord._respond import Answer, answer, send_error
from bot.core.models import Action, Decision, ReplyMode
from bot.core.reply import DEFAULT_LANGUAGE, Labels, labels_for, reply_for
from bot.core.service import FEEDBACK_VOTES, ClaimwatchService
from bot.errors import StorageError

__all__ = [
    "NOT_A_MODERATOR",
    "CannotPost",
    "FeedbackButton",
    "QueueButton",
    "delete_reply",
    "feedback_view",
    "post_decision",
    "post_reply",
    "post_suggestion",
    "queue_view",
    "server_language",
]

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES: Literal[1440] = (
    1440  # a day: long enough for the discussion a fact check starts
)
# Discord's JSON error codes.
UNKNOWN_MESSAGE = 10008
THREAD_ALREADY_CREATED = 160004
NO_MENTIONS = discord.AllowedMentions.none()

ENGLISH = labels_for(DEFAULT_LANGUAGE)
FEEDBACK_STYLES: dict[str, discord.ButtonStyle] = {
    "helpful": discord.ButtonStyle.success,
    "not_helpful": discord.ButtonStyle.secondary,
    "wrong_claim": discord.ButtonStyle.danger,
}
# In English, where no server's language is known (answers in a server use its `language`).
NOT_A_MODERATOR = ENGLISH.not_a_moderator
FAILED = ENGLISH.failed

QueueAction = Literal["reply", "dismiss"]
Destination = discord.TextChannel | discord.Thread | discord.PartialMessageable


# --- posting -------------------------------------------------------------------------------------


class CannotPost(Exception):
    """Discord refused the bot's message in a channel: a permission is missing, or the channel
    is gone. A moderator can fix it; `/claimwatch status` lists what is missing where."""

    def __init__(self, channel_id: str, exc: discord.HTTPException) -> None:
        reason = (
            "the channel no longer exists"
            if exc.status == 404
            else exc.text or f"HTTP {exc.status}"
        )
        super().__init__(f"claimwatch may not post in <#{channel_id}> ({reason})")
        self.channel_id = channel_id
        self.reason = reason


def destination(client: discord.Client, channel_id: str, guild_id: str) -> Destination:
    """A channel to send to: from the cache when possible, else a bare one built from its id."""
    channel = client.get_channel(int(channel_id))
    if isinstance(channel, discord.TextChannel | discord.Thread):
        return channel
    return client.get_partial_messageable(int(channel_id), guild_id=int(guild_id))


def _is_gone(exc: discord.HTTPException) -> bool:
    """The message to answer was deleted (404 on a thread, 400 on a reply reference)."""
    return exc.code == UNKNOWN_MESSAGE or (exc.status == 400 and "message_reference" in exc.text)


async def post_decision(
    client: discord.Client, service: ClaimwatchService, decision: Decision
) -> None:
    """Render what the service decided: a reply, a moderators' log entry, or nothing."""
    if decision.action is Action.REPLY:
        await post_reply(client, service, decision)
    elif decision.action is Action.SUGGEST:
        await post_suggestion(client, decision)


async def post_reply(
    client: discord.Client, service: ClaimwatchService, decision: Decision
) -> discord.Message | None:
    """Answer the decision's message and record the reply; None when the message is gone."""
    msg = decision.message
    content = reply_for(decision.match, language=decision.language)
    where = destination(client, msg.thread_id or msg.channel_id, msg.server_id)
    original = where.get_partial_message(int(msg.message_id))
    embed, view = reply_embed(content), feedback_view(decision.language)
    try:
        # Inside a thread there is no thread to open: reply where the message is.
        if decision.reply_mode is ReplyMode.REPLY or msg.thread_id is not None:
            sent = await _reply(where, original, embed, view)
        else:
            name = thread_name(content)
            sent = await _reply_in_thread(client, msg.server_id, where, original, embed, view, name)
    except discord.Forbidden as exc:
        raise CannotPost(msg.thread_id or msg.channel_id, exc) from exc
    except discord.HTTPException as exc:
        if not _is_gone(exc):
            raise
        log.info("message %s was deleted before the reply went out", msg.message_id)
        return None
    await service.record_reply(
        decision, reply_id=str(sent.id), reply_channel_id=str(sent.channel.id)
    )
    return sent


async def _reply(
    where: Destination,
    original: discord.PartialMessage,
    embed: discord.Embed,
    view: discord.ui.View,
) -> discord.Message:
    return await where.send(
        embed=embed,
        view=view,
        reference=original.to_reference(fail_if_not_exists=True),
        mention_author=False,
        allowed_mentions=NO_MENTIONS,
    )


async def _reply_in_thread(
    client: discord.Client,
    guild_id: str,
    where: Destination,
    original: discord.PartialMessage,
    embed: discord.Embed,
    view: discord.ui.View,
    name: str,
) -> discord.Message:
    thread: Destination
    try:
        thread = await original.create_thread(
            name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES
        )
    except discord.HTTPException as exc:
        if _is_gone(exc):
            raise
        if exc.code != THREAD_ALREADY_CREATED:
            # No permission to open threads, or a channel without them: a plain reply still
            # answers the message.
            log.info("cannot open a thread (HTTP %s, code %s); replying", exc.status, exc.code)
            return await _reply(where, original, embed, view)
        # People are already talking about it in a thread: answer there. A thread opened on a
        # message has the message's id.
        thread = destination(client, str(original.id), guild_id)
    return await thread.send(embed=embed, view=view, allowed_mentions=NO_MENTIONS)


def _lacking_to_reply(client: discord.Client, decision: Decision) -> tuple[str, str] | None:
    """Where the reply to `decision` would go and the permissions the bot lacks there for
    `post_reply` to succeed; None when it has them (or the channel is not in the cache: then
    only posting can tell)."""
    msg = decision.message
    where = client.get_channel(int(msg.thread_id or msg.channel_id))
    if not isinstance(where, discord.TextChannel | discord.Thread) or (
        isinstance(where, discord.Thread) and where.parent is None
    ):
        return None
    opens_thread = decision.reply_mode is not ReplyMode.REPLY and msg.thread_id is None
    # A thread it may not open falls back to a plain reply (see `_reply_in_thread`).
    in_thread = isinstance(where, discord.Thread) or (
        opens_thread and where.permissions_for(where.guild.me).create_public_threads
    )
    send = "send_messages_in_threads" if in_thread else "send_messages"
    needed = ("view_channel", send, "embed_links", "read_message_history")
    missing = missing_permissions(where, needed)
    return (str(where.id), missing) if missing else None


async def post_suggestion(client: discord.Client, decision: Decision) -> discord.Message | None:
    """Show a queued match to the moderators in the server's log channel, with buttons."""
    msg = decision.message
    if decision.log_channel is None or decision.queue_id is None:
        log.info("queued %s in server %s: no log channel", decision.queue_id, msg.server_id)
        return None
    content = reply_for(decision.match, language=decision.language)
    embed = suggestion_embed(decision, content, guild_id=msg.server_id)
    where = destination(client, decision.log_channel, msg.server_id)
    view = queue_view(decision.queue_id, decision.language)
    try:
        return await where.send(embed=embed, view=view, allowed_mentions=NO_MENTIONS)
    except (discord.Forbidden, discord.NotFound) as exc:
        # The match stays queued: a moderator fixing the log channel loses nothing.
        raise CannotPost(decision.log_channel, exc) from exc


async def delete_reply(
    client: discord.Client,
    service: ClaimwatchService,
    *,
    guild_id: int,
    channel_id: int,
    message_id: int,
) -> None:
    """The original message is gone: take the bot's reply with it."""
    channel = client.get_channel(channel_id)
    # The service knows thread messages by their parent channel, as `incoming` reported them.
    parent = channel.parent_id if isinstance(channel, discord.Thread) else None
    ref = await service.on_message_deleted(
        platform=PLATFORM,
        server_id=str(guild_id),
        channel_id=str(parent or channel_id),
        message_id=str(message_id),
    )
    if ref is None:
        return
    where = destination(client, ref.channel_id, str(guild_id))
    with contextlib.suppress(discord.NotFound):  # a moderator was faster
        await where.get_partial_message(int(ref.reply_id)).delete()


# --- buttons -------------------------------------------------------------------------------------


async def server_language(service: ClaimwatchService, guild_id: int | None) -> str:
    """A server's `language`, for answering one of its interactions (English outside one)."""
    if guild_id is None:
        return DEFAULT_LANGUAGE
    return (await service.get_config(PLATFORM, str(guild_id))).language


async def _failure_labels(service: ClaimwatchService, guild_id: int | None) -> Labels:
    # Telling the user something failed must not fail too: the store may be what is down.
    try:
        return labels_for(await server_language(service, guild_id))
    except StorageError:
        return ENGLISH


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=rf"cw:fb:(?P<vote>{'|'.join(FEEDBACK_VOTES)})",
):
    """ "Helpful", "Not helpful", "Wrong claim" under a reply, in the server's language.

    The label is not part of the state: a button rebuilt from a click is never shown again.
    """

    def __init__(self, vote: str, language: str = DEFAULT_LANGUAGE) -> None:
        super().__init__(
            discord.ui.Button(
                label=labels_for(language).feedback_buttons[vote],
                style=FEEDBACK_STYLES[vote],
                custom_id=f"cw:fb:{vote}",
            )
        )
        self.vote: str = vote

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FeedbackButton:
        return cls(match["vote"])

    async def callback(self, interaction: Interaction) -> None:
        deps = deps_of(interaction.client)
        deps.track()
        if interaction.guild_id is None or interaction.message is None:
            return
        guild_id, reply_id = str(interaction.guild_id), str(interaction.message.id)

        async def work() -> Answer:
            labels = labels_for(await server_language(deps.service, interaction.guild_id))
            recorded = await deps.service.record_feedback(
                platform=PLATFORM,
                server_id=guild_id,
                reply_id=reply_id,
                user_id=str(interaction.user.id),
                vote=self.vote,
            )
            return Answer(content=labels.feedback_thanks if recorded else labels.feedback_unknown)

        try:
            await answer(interaction, work(), defer_after=deps.defer_after)
        except Exception:
            log.exception(
                "feedback %s on reply %s (server %s) failed", self.vote, reply_id, guild_id
            )
            labels = await _failure_labels(deps.service, interaction.guild_id)
            await send_error(interaction, labels.failed)


class QueueButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"cw:q:(?P<action>reply|dismiss):(?P<queue>[A-Za-z0-9_.-]{1,80})",
):
    """ "Reply" and "Dismiss" on a moderators' log entry, in the server's language."""

    def __init__(
        self, action: QueueAction, queue_id: str, language: str = DEFAULT_LANGUAGE
    ) -> None:
        approve = action == "reply"
        labels = labels_for(language)
        super().__init__(
            discord.ui.Button(
                label=labels.reply_button if approve else labels.dismiss_button,
                style=discord.ButtonStyle.primary if approve else discord.ButtonStyle.secondary,
                custom_id=f"cw:q:{action}:{queue_id}",
            )
        )
        self.action: QueueAction = action
        self.queue_id = queue_id

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> QueueButton:
        return cls("reply" if match["action"] == "reply" else "dismiss", match["queue"])

    async def callback(self, interaction: Interaction) -> None:
        deps = deps_of(interaction.client)
        deps.track()
        try:
            if not await is_moderator(interaction):
                labels = labels_for(await server_language(deps.service, interaction.guild_id))
                await send_error(interaction, labels.not_a_moderator)
                return
            await answer(interaction, self._resolve(interaction), defer_after=deps.defer_after)
        except Exception:
            log.exception("%s on queue item %s failed", self.action, self.queue_id)
            labels = await _failure_labels(deps.service, interaction.guild_id)
            await send_error(interaction, labels.failed)

    async def _resolve(self, interaction: Interaction) -> Answer:
        service = deps_of(interaction.client).service
        language = await server_language(service, interaction.guild_id)
        labels = labels_for(language)
        moderator = f"<@{interaction.user.id}>"
        if self.action == "dismiss":
            if not await service.dismiss(self.queue_id, moderator=str(interaction.user.id)):
                return Answer(content=labels.queue_gone)
            outcome = labels.dismissed_by.format(moderator=moderator)
        else:
            queued = await self._queued(interaction)
            if queued is None:
                return Answer(content=labels.queue_gone)
            lacking = _lacking_to_reply(interaction.client, queued)
            if lacking is not None:
                # Approving first would close the entry with nothing posted: it stays queued,
                # buttons and all, for a click once the permission is granted.
                channel_id, missing = lacking
                reason = f"Missing Permissions: {missing}"
                return Answer(
                    content=labels.cannot_post.format(channel=f"<#{channel_id}>", reason=reason)
                )
            decision = await service.approve(self.queue_id, moderator=str(interaction.user.id))
            if decision is None:
                return Answer(content=labels.queue_gone)
            try:
                sent = await post_reply(interaction.client, service, decision)
            except CannotPost as exc:
                sent = None
                gone = labels.cannot_post.format(channel=f"<#{exc.channel_id}>", reason=exc.reason)
            else:
                gone = labels.message_gone
            outcome = (
                labels.approved_by.format(
                    moderator=moderator, link=f"[{labels.reply_posted}]({sent.jump_url})"
                )
                if sent is not None
                else labels.approved_not_posted.format(moderator=moderator, why=gone)
            )
        log_entry = interaction.message
        if log_entry is None or not log_entry.embeds:
            return Answer(content=outcome)
        embed = resolved_embed(log_entry.embeds[0], outcome, language=language)
        return Answer(embed=embed, update=True)

    async def _queued(self, interaction: Interaction) -> Decision | None:
        """This entry's match as it was queued; None when it is not pending in this server (a
        button cannot approve another server's match)."""
        if interaction.guild_id is None:
            return None
        service = deps_of(interaction.client).service
        pending = await service.pending(PLATFORM, str(interaction.guild_id))
        return next((item.decision for item in pending if item.id == self.queue_id), None)


def feedback_view(language: str = DEFAULT_LANGUAGE) -> discord.ui.View:
    """The buttons under every reply, labelled in `language`."""
    view = discord.ui.View(timeout=None)
    for vote in FEEDBACK_VOTES:
        view.add_item(FeedbackButton(vote, language))
    return view


def queue_view(queue_id: str, language: str = DEFAULT_LANGUAGE) -> discord.ui.View:
    """The buttons on a moderators' log entry, labelled in `language`."""
    view = discord.ui.View(timeout=None)
    view.add_item(QueueButton("reply", queue_id, language))
    view.add_item(QueueButton("dismiss", queue_id, language))
    return view
