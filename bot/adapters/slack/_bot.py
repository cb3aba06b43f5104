"""The Slack adapter proper: slack-bolt listeners that translate Slack to the service and back.

Slack event -> `IncomingMessage` -> `ClaimwatchService` -> `Decision` -> Block Kit. Thresholds,
cooldowns, the queue and storage are the service's business; this module only translates, checks
who may moderate, and makes sure one Slack event is acted on once across every replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Protocol

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack._admin import HELP_TEXT, AdminCommand, UsageError, parse_admin_command
from bot.adapters.slack._blocks import (
    ACTION_APPROVE,
    ACTION_DISMISS,
    ACTION_FEEDBACK,
    ACTION_FORGET,
    ACTION_SHARE,
    SETUP_CALLBACK,
    SETUP_FIELDS,
    SharedCheck,
    check_blocks,
    config_blocks,
    escape,
    forget_confirm_blocks,
    log_blocks,
    parse_setup,
    reply_blocks,
    reply_fallback,
    resolved_suggestion_blocks,
    setup_view,
    stats_blocks,
    suggestion_blocks,
    unescape,
)
from bot.core import policy
from bot.core.models import (
    Action,
    Decision,
    GuildConfig,
    IncomingMessage,
    Match,
    ReplyMode,
    Tier,
)
from bot.core.reply import DEFAULT_LANGUAGE, Labels, ReplyContent, labels_for, reply_for
from bot.core.service import FEEDBACK_VOTES, INLINE_MATCH_MAX_CHARS, ClaimwatchService
from bot.errors import ConfigError, StorageError
from bot.web import Metrics

__all__ = [
    "CHECK_MESSAGE_CALLBACK",
    "EVENTS_PATH",
    "EVENT_DEDUPE_TTL",
    "PLATFORM",
    "EventClaims",
    "SlackBot",
    "incoming_message",
]

log = logging.getLogger(__name__)

PLATFORM = "slack"
EVENTS_PATH = "/slack/events"
FACTCHECK_COMMAND = "/factcheck"
ADMIN_COMMAND = "/claimwatch"
CHECK_MESSAGE_CALLBACK = "check_message"
# Slack retries an unacknowledged event after about 0 s, 1 min and 5 min; an hour covers every
# retry of one delivery with room for slow replicas, and the store sweeps the keys later.
EVENT_DEDUPE_TTL = dt.timedelta(hours=1)
# Message subtypes that are somebody writing in the channel; the others (joins, topic changes,
# bot messages, ...) carry nothing to check. Edits and deletes have their own handling.
CHAT_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})
EDITED = "message_changed"
DELETED = "message_deleted"
TOMBSTONE = "tombstone"  # a deleted thread parent stays as "This message was deleted."
DIRECT_CHANNEL_TYPES = frozenset({"im", "mpim"})
# Slack errors that mean "the bot cannot post there", answered with advice instead of a crash.
NOT_IN_CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
# ... and those plus a workspace's posting restriction: what an approved reply can meet.
CANNOT_POST_ERRORS = NOT_IN_CHANNEL_ERRORS | {"restricted_action"}
# The refusals an invitation fixes (a private channel without the app reads as not found).
NOT_INVITED_ERRORS = frozenset({"not_in_channel", "channel_not_found"})
# ... and "the message to answer is gone": deleted before the reply went out.
MESSAGE_GONE_ERRORS = frozenset({"thread_not_found", "message_not_found"})
# Slack's notices that a public or private channel is gone for good.
CHANNEL_DELETED_EVENTS = ("channel_deleted", "group_deleted")
# /claimwatch status checks at most this many channels (one conversations.info call each).
MEMBERSHIP_CHECKS_MAX = 20

# In English where no workspace's language is known, or on the settings screens (which stay
# English); answers in a workspace otherwise use its `language`.
ENGLISH = labels_for(DEFAULT_LANGUAGE)
REFUSED = ENGLISH.not_a_workspace_moderator
ONLY_ADMINS_NAME_MODERATORS = (
    "Only workspace admins and owners can change who moderates claimwatch: a moderator by user "
    "group cannot give moderator rights to others."
)
# A wrong signing secret refuses every request; one warning a minute says so without flooding.
REFUSAL_WARNING_INTERVAL_S = 60.0
SOMETHING_WENT_WRONG = ENGLISH.failed


class EventClaims(Protocol):
    """The store's shared dedupe: True the first time a key is seen within `ttl`."""

    async def claim_event(
        self, key: str, *, ttl: dt.timedelta, now: dt.datetime | None = None
    ) -> bool: ...


def _ts_to_datetime(ts: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(float(ts), tz=dt.UTC) if ts else None
    except (TypeError, ValueError, OverflowError):
        return None


def incoming_message(event: Mapping[str, Any], team_id: str) -> IncomingMessage | None:
    """A Slack message event as the core's `IncomingMessage` (None without channel or ts).

    Slack escapes `&`, `<` and `>` in message text; the core matches the text people wrote.
    """
    channel, ts = event.get("channel"), event.get("ts")
    if not channel or not ts:
        return None
    author_is_bot = bool(event.get("bot_id")) or event.get("subtype") == "bot_message"
    return IncomingMessage(
        platform=PLATFORM,
        server_id=team_id,
        channel_id=str(channel),
        message_id=str(ts),
        author_id=str(event.get("user") or event.get("bot_id") or ""),
        text=unescape(str(event.get("text") or "")),
        author_is_bot=author_is_bot,
        is_direct=event.get("channel_type") in DIRECT_CHANNEL_TYPES,
        thread_id=str(event["thread_ts"]) if event.get("thread_ts") else None,
        created_at=_ts_to_datetime(str(ts)),
    )


class _InFlight:
    """Counts listener bodies still running, so shutdown (and tests) can wait for them."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        self._count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._count -= 1
            if self._count == 0:
                self._idle.set()

    async def wait(self, timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        # Listener tasks are scheduled during dispatch; let them start before looking.
        await asyncio.sleep(0)
        # Check the count, not only the event: a failing listener hands over to the error
        # handler, which starts counting again before a waiter woken in between gets to run.
        while self._count:
            try:
                await asyncio.wait_for(self._idle.wait(), timeout=deadline - loop.time())
            except TimeoutError:
                return False
            await asyncio.sleep(0)
        return True


class SlackBot:
    """A slack-bolt `AsyncApp` wired to the claimwatch service.

    One workspace: pass `client` with the bot token. Many workspaces: pass `client` without a
    token plus `oauth_settings` (installations come from its installation store). `events` is the
    shared store whose `claim_event` makes replicas agree on who handles a delivery.
    """

    def __init__(
        self,
        *,
        service: ClaimwatchService,
        events: EventClaims,
        client: AsyncWebClient,
        signing_secret: str | None = None,
        oauth_settings: AsyncOAuthSettings | None = None,
        moderator_groups: frozenset[str] = frozenset(),
        metrics: Metrics | None = None,
    ) -> None:
        self._service = service
        self._events = events
        self._moderator_groups = moderator_groups
        self._inflight = _InFlight()
        metrics = metrics or Metrics()
        self._event_counter = metrics.counter(
            "claimwatch_slack_events_total", "Slack events received, by outcome."
        )
        self._decision_counter = metrics.counter(
            "claimwatch_slack_decisions_total", "Decisions on Slack messages, by action."
        )
        self._error_counter = metrics.counter(
            "claimwatch_slack_errors_total", "Errors while handling Slack requests."
        )
        self._rejected_counter = metrics.counter(
            "claimwatch_slack_refused_total",
            "HTTP requests refused for a bad signature or a stale timestamp.",
        )
        self._last_refusal_warning: float | None = None
        self._app = AsyncApp(
            name="claimwatch",
            logger=log,
            client=client,
            # Explicit, so SLACK_* variables in the environment never change behaviour behind
            # the settings' back (AsyncApp falls back to them when given None).
            signing_secret=signing_secret or "",
            oauth_settings=oauth_settings,
            request_verification_enabled=True,
            ignoring_self_events_enabled=True,
            process_before_response=False,
        )
        self._register()

    @property
    def app(self) -> AsyncApp:
        """The slack-bolt app (Socket Mode handlers and tests dispatch to it)."""
        return self._app

    # --- wiring ---------------------------------------------------------------------------------

    def _register(self) -> None:
        app = self._app
        app.middleware(self._dedupe)
        app.error(self._on_error)
        app.event("message")(self._on_message)
        app.command(FACTCHECK_COMMAND)(self._on_factcheck)
        app.command(ADMIN_COMMAND)(self._on_admin)
        app.shortcut(CHECK_MESSAGE_CALLBACK)(self._on_check_message)
        app.action(ACTION_SHARE)(self._on_share)
        app.action(ACTION_APPROVE)(self._on_queue_action)
        app.action(ACTION_DISMISS)(self._on_queue_action)
        for vote in FEEDBACK_VOTES:
            app.action(f"{ACTION_FEEDBACK}_{vote}")(self._on_feedback)
        app.action(ACTION_FORGET)(self._on_forget)
        app.view(SETUP_CALLBACK)(self._on_setup_submitted)
        # One workspace, one token: nothing to drop, but an unhandled event would get a 404 and
        # Slack would retry it (the manifest subscribes to both for OAuth apps).
        for deleted in CHANNEL_DELETED_EVENTS:
            app.event(deleted)(self._on_channel_deleted)
        app.event("app_uninstalled")(self._on_uninstalled)
        app.event("tokens_revoked")(self._on_tokens_revoked)

    def mount(self, web_app: web.Application, *, events: bool = True) -> None:
        """Add Slack's routes to the health/metrics app: /slack/events (HTTP mode) and, for
        OAuth installation, the install and redirect pages."""
        if events:
            web_app.router.add_post(EVENTS_PATH, self._handle_http)
        flow = self._app.oauth_flow
        if flow is not None:
            web_app.router.add_get(flow.install_path, self._handle_install)
            web_app.router.add_get(flow.redirect_uri_path, self._handle_oauth_redirect)

    async def _handle_http(self, request: web.Request) -> web.Response:
        response = await self._app.async_dispatch(await to_bolt_request(request))
        if response.status == HTTPStatus.UNAUTHORIZED:
            self._refused(request)
        return await to_aiohttp_response(response)

    def _refused(self, request: web.Request) -> None:
        """Bolt refuses a bad signature or a stale timestamp with a debug line only; when
        SLACK_SIGNING_SECRET is wrong every request is refused, so say so where operators look."""
        self._rejected_counter.inc()
        now = asyncio.get_running_loop().time()
        if self._last_refusal_warning is None or (
            now - self._last_refusal_warning >= REFUSAL_WARNING_INTERVAL_S
        ):
            self._last_refusal_warning = now
            log.warning(
                "refused a request to %s from %s: bad signature or timestamp more than five "
                "minutes off; if every request is refused, SLACK_SIGNING_SECRET is wrong "
                "(Basic Information > App Credentials)",
                EVENTS_PATH,
                request.remote,
            )

    async def _handle_install(self, request: web.Request) -> web.Response:
        flow = self._app.oauth_flow
        assert flow is not None  # only routed when OAuth is configured
        return await to_aiohttp_response(
            await flow.handle_installation(await to_bolt_request(request))
        )

    async def _handle_oauth_redirect(self, request: web.Request) -> web.Response:
        flow = self._app.oauth_flow
        assert flow is not None
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    async def wait_idle(self, timeout: float) -> bool:
        """Wait until no listener is running (False if some still are after `timeout`)."""
        return await self._inflight.wait(timeout)

    # --- middleware and errors -----------------------------------------------------------------

    async def _dedupe(
        self, body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        """Act on each Events API delivery once, whichever replica it reaches, however often
        Slack retries it; a duplicate is acknowledged (200) so Slack stops retrying."""
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and event_id:
            team = str(body.get("team_id") or "")
            key = f"{PLATFORM}:{team}:event:{event_id}"
            if not await self._events.claim_event(key, ttl=EVENT_DEDUPE_TTL):
                self._event_counter.inc(outcome="duplicate")
                return BoltResponse(status=200, body="")
            self._event_counter.inc(outcome="accepted")
        await next()
        return None

    @contextlib.asynccontextmanager
    async def _handling(
        self, what: str, respond: AsyncRespond | None = None
    ) -> AsyncIterator[None]:
        """Run a listener body: counted for draining, its errors reported here and not raised.

        Errors stop at this boundary on purpose: slack-bolt marks an already acknowledged
        request as unacknowledged when its listener raises, and Slack would then see a 404.
        """
        async with self._inflight.track():
            try:
                yield
            except Exception as error:
                await self._report(error, what, respond)

    async def _report(self, error: Exception, what: str, respond: AsyncRespond | None) -> None:
        """Log with context, count, and tell the person briefly when there is someone to tell."""
        self._error_counter.inc(kind=type(error).__name__)
        log.error("error handling Slack %s: %s", what, error, exc_info=error)
        if respond is not None and respond.response_url:
            with contextlib.suppress(Exception):  # a courtesy; never raise from here
                await respond(
                    text=SOMETHING_WENT_WRONG, response_type="ephemeral", replace_original=False
                )

    async def _on_error(
        self, error: Exception, body: dict[str, Any], respond: AsyncRespond | None
    ) -> None:
        """What slack-bolt catches outside the listeners (middleware, the store's dedupe)."""
        async with self._inflight.track():
            what = str(body.get("type") or body.get("command") or "request")
            await self._report(error, what, respond)

    async def _on_channel_deleted(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """A deleted channel leaves the workspace's settings (watched, ignored, the log), as on
        Discord; an archived one stays, since it can be unarchived (status warns about it)."""
        async with self._handling(str(event.get("type"))):
            team, channel = str(context.team_id or ""), str(event.get("channel") or "")
            if not channel:
                return
            if await self._service.forget_channel(PLATFORM, team, channel):
                log.info(
                    "channel %s of workspace %s was deleted: dropped from its settings",
                    channel,
                    team,
                )

    async def _on_uninstalled(self, context: AsyncBoltContext) -> None:
        async with self._handling("app_uninstalled"):
            log.warning("claimwatch was uninstalled from Slack workspace %s", context.team_id)
            if self._app.installation_store is not None:  # OAuth: its tokens are now useless
                await self._app.default_app_uninstalled_event_listener()(context=context)

    async def _on_tokens_revoked(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        async with self._handling("tokens_revoked"):
            log.warning("Slack revoked claimwatch's tokens in workspace %s", context.team_id)
            if self._app.installation_store is not None:
                await self._app.default_tokens_revoked_event_listener()(
                    event=event, context=context
                )

    # --- passive monitoring --------------------------------------------------------------------

    async def _on_message(
        self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        async with self._handling("message event"):
            team = str(context.team_id or event.get("team") or "")
            subtype = event.get("subtype")
            if subtype == EDITED:
                await self._on_edited(event, team, client)
            elif subtype == DELETED:
                await self._on_deleted(team, event.get("channel"), event.get("deleted_ts"), client)
            elif subtype in CHAT_SUBTYPES:
                msg = incoming_message(event, team)
                if msg is not None:
                    await self._render(await self._service.on_message(msg), client)

    async def _on_edited(self, event: dict[str, Any], team: str, client: AsyncWebClient) -> None:
        new: dict[str, Any] = event.get("message") or {}
        old: dict[str, Any] = event.get("previous_message") or {}
        if new.get("subtype") == TOMBSTONE:
            await self._on_deleted(team, event.get("channel"), new.get("ts"), client)
            return
        # Slack also sends message_changed for link previews and thread reply counts.
        if new.get("text") == old.get("text"):
            return
        channel_type = event.get("channel_type")
        msg = incoming_message(
            {**new, "channel": event.get("channel"), "channel_type": channel_type}, team
        )
        if msg is not None:
            await self._render(await self._service.on_message_edited(msg), client)

    async def _on_deleted(
        self, team: str, channel: str | None, ts: str | None, client: AsyncWebClient
    ) -> None:
        if not channel or not ts:
            return
        ref = await self._service.on_message_deleted(
            platform=PLATFORM, server_id=team, channel_id=channel, message_id=ts
        )
        if ref is not None:
            try:
                await client.chat_delete(channel=ref.channel_id, ts=ref.reply_id)
            except SlackApiError as exc:
                if exc.response.get("error") != "message_not_found":  # already gone: fine
                    raise

    async def _render(self, decision: Decision, client: AsyncWebClient) -> None:
        self._decision_counter.inc(action=decision.action.value)
        log.debug("slack %s: %s", decision.action.value, decision.reason)
        if decision.action is Action.REPLY:
            await self._post_reply(decision, client)
        elif decision.action is Action.SUGGEST:
            await self._post_suggestion(decision, client)

    async def _post_reply(self, decision: Decision, client: AsyncWebClient) -> bool:
        """Answer the decision's message in its thread and record the reply; False when the
        message was deleted before the reply went out."""
        msg = decision.message
        content = reply_for(decision.match, language=decision.language)
        try:
            posted = await client.chat_postMessage(
                channel=msg.channel_id,
                thread_ts=msg.thread_id or msg.message_id,
                # "reply" mode: in the thread and, like a Discord reply, visible in the channel.
                reply_broadcast=decision.reply_mode is ReplyMode.REPLY,
                text=reply_fallback(content),
                blocks=reply_blocks(content, feedback=True),
                unfurl_links=False,
                unfurl_media=False,
                link_names=False,
            )
        except SlackApiError as exc:
            if exc.response.get("error") not in MESSAGE_GONE_ERRORS:
                raise
            log.info("message %s was deleted before the reply went out", msg.message_id)
            return False
        reply_ts, reply_channel = str(posted["ts"]), str(posted["channel"])
        await self._service.record_reply(
            decision, reply_id=reply_ts, reply_channel_id=reply_channel
        )
        if decision.log_channel:
            link = await self._permalink(client, reply_channel, reply_ts)
            await self._post_log(
                client, decision.log_channel, log_blocks(decision, reply_link=link)
            )
        return True

    async def _post_suggestion(self, decision: Decision, client: AsyncWebClient) -> None:
        if not decision.log_channel:
            # Queued all the same: /claimwatch status counts it.
            log.info(
                "queued %s in %s: no log channel", decision.queue_id, decision.message.server_id
            )
            return
        msg = decision.message
        permalink = await self._permalink(client, msg.channel_id, msg.message_id)
        await client.chat_postMessage(
            channel=decision.log_channel,
            text=labels_for(decision.language).review_title,
            blocks=suggestion_blocks(decision, permalink=permalink),
            unfurl_links=False,
            unfurl_media=False,
            link_names=False,
        )

    async def _post_log(self, client: AsyncWebClient, channel: str, blocks: list[Any]) -> None:
        # The log is a courtesy to moderators; the reply is already out, so a log channel the
        # bot cannot post to is reported, not raised.
        try:
            await client.chat_postMessage(
                channel=channel,
                text="claimwatch replied",
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
                link_names=False,
            )
        except SlackApiError as exc:
            log.warning("cannot post to the log channel %s: %s", channel, exc.response.get("error"))

    @staticmethod
    async def _permalink(client: AsyncWebClient, channel: str, ts: str) -> str | None:
        try:
            found = await client.chat_getPermalink(channel=channel, message_ts=ts)
        except SlackApiError:
            return None
        link = found.get("permalink")
        return str(link) if link else None

    # --- moderators ----------------------------------------------------------------------------

    @staticmethod
    async def _is_admin(client: AsyncWebClient, user_id: str) -> bool:
        """Workspace admins and owners: the only ones who name the moderators' user groups."""
        try:
            info = await client.users_info(user=user_id)
        except SlackApiError as exc:
            # A missing scope must not lock admins out silently.
            log.warning("cannot look up Slack user %s: %s", user_id, exc.response.get("error"))
            return False
        user: dict[str, Any] = info.get("user") or {}
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))

    async def _is_moderator(self, client: AsyncWebClient, team: str, user_id: str) -> bool:
        """Workspace admins and owners, and members of a moderators' user group: the workspace's
        `moderator_roles` and, for every workspace, CLAIMWATCH_SLACK_MODERATOR_GROUPS."""
        if await self._is_admin(client, user_id):
            return True
        config = await self._service.get_config(PLATFORM, team)
        for group in sorted(self._moderator_groups | config.moderator_roles):
            try:
                members = await client.usergroups_users_list(usergroup=group)
            except SlackApiError as exc:
                # With OAuth the groups of every workspace are listed, and each workspace knows
                # only its own; a deleted group is no reason to skip the others either.
                log.info("cannot list user group %s: %s", group, exc.response.get("error"))
                continue
            if user_id in (members.get("users") or []):
                return True
        return False

    async def _on_queue_action(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        async with self._handling("moderator button", respond):
            user: dict[str, Any] = body.get("user") or {}
            user_id = str(user.get("id") or "")
            team = str(context.team_id or (body.get("team") or {}).get("id") or "")
            labels = await self._labels(team)
            if not await self._is_moderator(client, team, user_id):
                await respond(
                    text=labels.not_a_workspace_moderator,
                    response_type="ephemeral",
                    replace_original=False,
                )
                return
            action: dict[str, Any] = body["actions"][0]
            queue_id = str(action.get("value") or "")
            # The outcome is mrkdwn: labels and names escaped, a channel left as a mention.
            moderator = escape(str(user.get("name") or user.get("username") or "a moderator"))
            if action.get("action_id") == ACTION_APPROVE:
                queued = await self._queued(team, queue_id)
                if queued is None:
                    outcome = escape(labels.queue_gone)
                else:
                    refusal = await _refusal_to_post(client, queued)
                    if refusal is not None:
                        # Approving first would close the item with nothing posted: it stays
                        # queued, buttons and all, for a click once the app is invited.
                        await respond(
                            text=_refused_reply(labels, refusal),
                            response_type="ephemeral",
                            replace_original=False,
                        )
                        return
                    outcome = await self._approve(queue_id, user_id, moderator, labels, client)
            elif await self._service.dismiss(queue_id, moderator=user_id):
                outcome = escape(labels.dismissed_by).format(moderator=moderator)
            else:
                outcome = escape(labels.queue_gone)
            message: dict[str, Any] = body.get("message") or {}
            channel: dict[str, Any] = body.get("channel") or {}
            await client.chat_update(
                channel=str(channel.get("id")),
                ts=str(message.get("ts")),
                text=outcome,
                blocks=resolved_suggestion_blocks(message.get("blocks") or [], outcome),
            )

    async def _queued(self, team: str, queue_id: str) -> Decision | None:
        """The item's match as it was queued; None when it is not pending in this workspace (a
        button cannot approve another workspace's match)."""
        pending = await self._service.pending(PLATFORM, team)
        return next((item.decision for item in pending if item.id == queue_id), None)

    async def _approve(
        self, queue_id: str, user_id: str, moderator: str, labels: Labels, client: AsyncWebClient
    ) -> str:
        """Approve the item and post its reply; what the moderators are shown, as mrkdwn
        (`moderator` comes escaped)."""
        decision = await self._service.approve(queue_id, moderator=user_id)
        if decision is None:
            return escape(labels.queue_gone)
        try:
            posted = await self._post_reply(decision, client)
        except SlackApiError as exc:
            # The channel check passed a moment ago (or Slack would not say): the app was
            # removed, or posting restricted, in between. The approval stands (the store cannot
            # reopen an item whose text it erased), and the moderators are told nothing went out.
            error = str(exc.response.get("error"))
            if error not in CANNOT_POST_ERRORS:
                raise
            why = _cannot_post(labels, _Refusal(decision.message.channel_id, error))
        else:
            if posted:
                link = escape(labels.reply_posted)
                return escape(labels.approved_by).format(moderator=moderator, link=link)
            why = escape(labels.message_gone)
        return escape(labels.approved_not_posted).format(moderator=moderator, why=why)

    # --- feedback ------------------------------------------------------------------------------

    async def _on_feedback(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        async with self._handling("feedback button", respond):
            container: dict[str, Any] = body.get("container") or {}
            message: dict[str, Any] = body.get("message") or {}
            reply_id = str(container.get("message_ts") or message.get("ts") or "")
            vote = str(body["actions"][0].get("value") or "")
            recorded = await self._service.record_feedback(
                platform=PLATFORM,
                server_id=str(context.team_id or ""),
                reply_id=reply_id,
                user_id=str((body.get("user") or {}).get("id") or ""),
                vote=vote,
            )
            labels = await self._labels(str(context.team_id or ""))
            text = labels.feedback_thanks if recorded else labels.feedback_unknown
            await respond(text=text, response_type="ephemeral", replace_original=False)

    # --- /factcheck, "Check this message" and sharing ------------------------------------------

    async def _check(self, text: str) -> Match:
        if len(text) > INLINE_MATCH_MAX_CHARS:  # long texts match in a thread (see service)
            return await asyncio.to_thread(self._service.check, text)
        return self._service.check(text)

    @staticmethod
    def _content(match: Match, language: str) -> ReplyContent | None:
        if match.entry is None or match.tier is Tier.NONE:
            return None
        return reply_for(match, language=language)

    async def _language(self, team: str) -> str:
        """The workspace's language for an answer: English when the settings cannot be read,
        since a fact check needs no database and must not fail because the store is down."""
        try:
            return (await self._service.get_config(PLATFORM, team)).language
        except StorageError as exc:
            log.warning("cannot read workspace %s's language, answering in English: %s", team, exc)
            return DEFAULT_LANGUAGE

    async def _labels(self, team: str) -> Labels:
        return labels_for(await self._language(team))

    async def _answer_check(
        self, text: str, respond: AsyncRespond, thread_ts: str | None, *, team: str
    ) -> None:
        language = await self._language(team)
        match = await self._check(text)
        content = self._content(match, language)
        await respond(
            text=reply_fallback(content) if content else labels_for(language).check_no_match,
            blocks=check_blocks(match, content, thread_ts=thread_ts, language=language),
            response_type="ephemeral",
        )

    async def _on_factcheck(
        self,
        ack: AsyncAck,
        command: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        async with self._handling(FACTCHECK_COMMAND, respond):
            team = str(context.team_id or "")
            text = unescape(str(command.get("text") or "")).strip()
            if not text:
                usage = (await self._labels(team)).factcheck_usage
                await respond(text=usage, response_type="ephemeral")
                return
            await self._answer_check(text, respond, thread_ts=None, team=team)

    async def _on_check_message(
        self,
        ack: AsyncAck,
        shortcut: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        async with self._handling("message shortcut", respond):
            team = str(context.team_id or "")
            message: dict[str, Any] = shortcut.get("message") or {}
            text = unescape(str(message.get("text") or "")).strip()
            if not text:
                nothing = (await self._labels(team)).nothing_to_check
                await respond(text=nothing, response_type="ephemeral")
                return
            thread_ts = message.get("thread_ts") or message.get("ts")
            await self._answer_check(
                text, respond, thread_ts=str(thread_ts) if thread_ts else None, team=team
            )

    async def _on_share(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        async with self._handling("share button", respond):
            language = await self._language(str(context.team_id or ""))
            labels = labels_for(language)
            shared = SharedCheck.decode(str(body["actions"][0].get("value") or ""))
            entry = self._service.factbase.get(shared.claim_id) if shared is not None else None
            if shared is None or entry is None:
                await respond(
                    text=labels.share_gone, response_type="ephemeral", replace_original=False
                )
                return
            shown = Match(entry=entry, tier=Tier.ALERT, score=shared.score)
            content = reply_for(shown, language=language)
            channel = str((body.get("channel") or {}).get("id") or "")
            try:
                await client.chat_postMessage(
                    channel=channel,
                    thread_ts=shared.thread_ts,
                    text=reply_fallback(content),
                    blocks=reply_blocks(content, feedback=False),
                    unfurl_links=False,
                    unfurl_media=False,
                    link_names=False,
                )
            except SlackApiError as exc:
                if exc.response.get("error") not in NOT_IN_CHANNEL_ERRORS:
                    raise
                await respond(
                    text=labels.not_in_channel, response_type="ephemeral", replace_original=False
                )
                return
            await respond(delete_original=True)

    # --- /claimwatch ---------------------------------------------------------------------------

    async def _on_admin(
        self,
        ack: AsyncAck,
        command: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        async with self._handling(ADMIN_COMMAND, respond):
            team = str(context.team_id or command.get("team_id") or "")
            user_id = str(command.get("user_id") or "")
            if not await self._is_moderator(client, team, user_id):
                await respond(text=REFUSED, response_type="ephemeral")
                return
            # Slack escapes what people type and sends what autocomplete inserts as markup
            # (`<#C…|name>`, `<!channel>`); errors quote the text back, escaped again so that a
            # quoted `@channel` stays text.
            try:
                parsed = parse_admin_command(unescape(str(command.get("text") or "")))
            except UsageError as exc:
                await respond(text=escape(str(exc)), response_type="ephemeral")
                return
            try:
                await self._run_admin(parsed, team, command, client, respond)
            except ConfigError as exc:
                await respond(text=f"Not changed: {escape(str(exc))}", response_type="ephemeral")

    async def _run_admin(
        self,
        parsed: AdminCommand,
        team: str,
        command: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        service = self._service
        if parsed.kind == "help":
            await respond(text=HELP_TEXT, response_type="ephemeral")
        elif parsed.kind == "setup":
            config = await service.get_config(PLATFORM, team)
            metadata = json.dumps({"channel": command.get("channel_id")})
            await client.views_open(
                trigger_id=str(command.get("trigger_id")),
                view=setup_view(
                    config,
                    private_metadata=metadata,
                    default_alert=service.matcher.thresholds.alert,
                    default_suggest=service.matcher.thresholds.suggest,
                    threshold_floor=(policy.ALERT_THRESHOLD_MIN, policy.SUGGEST_THRESHOLD_MIN),
                    cooldown_max_s=policy.COOLDOWN_MAX_S,
                ),
            )
        elif parsed.kind == "status":
            await self._respond_status(team, client, respond, note=None)
        elif parsed.kind == "stats":
            stats = await service.stats(PLATFORM, team)
            await respond(
                text="claimwatch stats", blocks=stats_blocks(stats), response_type="ephemeral"
            )
        elif parsed.kind == "forget":
            await respond(
                text="Delete everything claimwatch stored about this workspace?",
                blocks=forget_confirm_blocks(),
                response_type="ephemeral",
            )
        elif parsed.kind == "moderators":
            await self._run_moderators(
                parsed, team, str(command.get("user_id") or ""), client, respond
            )
        elif parsed.kind == "channels":
            chosen = list(parsed.channels)
            # add/remove edit the list atomically: two moderators adding channels at the same
            # moment both keep theirs. set replaces it, as asked.
            if parsed.op == "add":
                await service.edit_list(PLATFORM, team, "monitored_channels", add=chosen)
            elif parsed.op == "remove":
                await service.edit_list(PLATFORM, team, "monitored_channels", remove=chosen)
            else:
                await service.update_config(PLATFORM, team, monitored_channels=chosen)
            await self._respond_status(team, client, respond, note="Saved.")
        else:
            await service.update_config(PLATFORM, team, **parsed.changes)
            await self._respond_status(team, client, respond, note="Saved.")

    async def _run_moderators(
        self,
        parsed: AdminCommand,
        team: str,
        user_id: str,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        if parsed.op == "list":
            config = await self._service.get_config(PLATFORM, team)
            await respond(text=self._moderators_text(config), response_type="ephemeral")
            return
        # A moderator by group must not make others moderators: the list is the admins' alone.
        if not await self._is_admin(client, user_id):
            await respond(text=ONLY_ADMINS_NAME_MODERATORS, response_type="ephemeral")
            return
        groups = list(parsed.groups)
        if parsed.op == "add":
            config = await self._service.edit_list(PLATFORM, team, "moderator_roles", add=groups)
        else:
            config = await self._service.edit_list(PLATFORM, team, "moderator_roles", remove=groups)
        await respond(text=f"Saved. {self._moderators_text(config)}", response_type="ephemeral")

    def _moderators_text(self, config: GuildConfig) -> str:
        """Who may use /claimwatch in the workspace. Groups are shown by id: a `<!subteam^…>`
        would notify everyone in them. The operator's groups are not listed: with OAuth they
        include other workspaces' groups."""
        parts = ["workspace admins and owners"]
        if config.moderator_roles:
            groups = ", ".join(f"`{escape(group)}`" for group in sorted(config.moderator_roles))
            parts.append(f"members of {groups}")
        if self._moderator_groups:
            parts.append("members of the user groups the operator set for every workspace")
        text = "Moderators: " + "; ".join(parts) + "."
        if not config.moderator_roles:
            text += " An admin adds a user group with `/claimwatch moderators add @group`."
        return text

    async def _status_blocks(self, team: str, client: AsyncWebClient) -> list[Any]:
        config = await self._service.get_config(PLATFORM, team)
        pending = await self._service.pending(PLATFORM, team)
        thresholds = self._service.matcher.thresholds
        blocks = config_blocks(
            config,
            pending=len(pending),
            default_alert=thresholds.alert,
            default_suggest=thresholds.suggest,
            problems=await _membership_problems(client, config),
        )
        moderators = {"type": "mrkdwn", "text": self._moderators_text(config)}
        return [*blocks, {"type": "context", "elements": [moderators]}]

    async def _respond_status(
        self, team: str, client: AsyncWebClient, respond: AsyncRespond, *, note: str | None
    ) -> None:
        blocks = await self._status_blocks(team, client)
        await respond(text=note or "claimwatch settings", blocks=blocks, response_type="ephemeral")

    async def _on_setup_submitted(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        # A modal must be answered within 3 s with its errors, so the work happens before ack.
        async with self._handling("setup form"):
            try:
                await self._save_setup(ack, body, view, context, client)
            except Exception:
                if ack.response is None:  # else the form closed already and Slack is answered
                    await ack(response_action="errors", errors={"reply_mode": SOMETHING_WENT_WRONG})
                raise

    async def _save_setup(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        user_id = str((body.get("user") or {}).get("id") or "")
        team = str(context.team_id or (body.get("team") or {}).get("id") or "")
        if not await self._is_moderator(client, team, user_id):
            await ack(response_action="errors", errors={"reply_mode": REFUSED})
            return
        changes = parse_setup((view.get("state") or {}).get("values") or {})
        try:
            await self._service.update_config(PLATFORM, team, **changes)
        except ConfigError as exc:
            await ack(response_action="errors", errors={_error_block(exc, changes): str(exc)})
            return
        await ack()
        try:
            channel = json.loads(view.get("private_metadata") or "{}").get("channel")
        except (json.JSONDecodeError, AttributeError):
            channel = None
        if channel:
            await client.chat_postEphemeral(
                channel=str(channel),
                user=user_id,
                text="claimwatch settings saved.",
                blocks=await self._status_blocks(team, client),
            )

    async def _on_forget(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        async with self._handling("forget button", respond):
            user_id = str((body.get("user") or {}).get("id") or "")
            team = str(context.team_id or "")
            if not await self._is_moderator(client, team, user_id):
                await respond(text=REFUSED, response_type="ephemeral", replace_original=False)
                return
            await self._service.forget(PLATFORM, team)
            await respond(
                text="Done: everything claimwatch stored about this workspace was deleted.",
                replace_original=True,
            )


@dataclass(frozen=True)
class _Refusal:
    """Slack's `error` for a post in `channel`."""

    channel: str
    error: str


async def _posting_error(client: AsyncWebClient, channel: str) -> str | None:
    """The error Slack would answer a post in `channel` with ("not_in_channel",
    "channel_not_found" or "is_archived"); None when the app may post there. Other errors (an
    app installed before channels:read was asked for) are raised."""
    try:
        info = await client.conversations_info(channel=channel)
    except SlackApiError as exc:
        if exc.response.get("error") == "channel_not_found":
            return "channel_not_found"
        raise
    conversation: dict[str, Any] = info.get("channel") or {}
    if conversation.get("is_archived"):
        return "is_archived"
    if not conversation.get("is_member"):
        return "not_in_channel"
    return None


async def _refusal_to_post(client: AsyncWebClient, queued: Decision) -> _Refusal | None:
    """Why the reply to `queued` cannot go out; None when it can, or when Slack will not say
    (then the post itself finds out)."""
    channel = queued.message.channel_id
    try:
        error = await _posting_error(client, channel)
    except SlackApiError as exc:
        log.info("cannot check membership of %s: %s", channel, exc.response.get("error"))
        return None
    return None if error is None else _Refusal(channel, error)


def _cannot_post(labels: Labels, refusal: _Refusal) -> str:
    """Where and why nothing was posted, as mrkdwn."""
    channel = f"<#{escape(refusal.channel)}>"
    return escape(labels.cannot_post).format(channel=channel, reason=escape(refusal.error))


def _refused_reply(labels: Labels, refusal: _Refusal) -> str:
    """The moderator's private answer to a Reply click refused before approving, as mrkdwn:
    the item stays queued, so a click after the fix still works."""
    text = _cannot_post(labels, refusal)
    if refusal.error in NOT_INVITED_ERRORS:
        retry = escape(labels.invite_then_retry).format(reply=escape(labels.reply_button))
        return f"{text}. {retry}"
    return f"{text}."


async def _membership_problems(client: AsyncWebClient, config: GuildConfig) -> list[str]:
    """Channels in the settings the bot cannot work in: Slack only sends an app the messages of
    channels it was invited to, so a watched channel without the bot is silently unwatched."""
    wanted = sorted(config.monitored_channels)
    if config.log_channel is not None and config.log_channel not in config.monitored_channels:
        wanted.append(config.log_channel)
    problems: list[str] = []
    for channel in wanted[:MEMBERSHIP_CHECKS_MAX]:
        try:
            error = await _posting_error(client, channel)
        except SlackApiError as exc:
            # An app installed before channels:read was asked for: no check, no false alarm.
            log.info("cannot check membership of %s: %s", channel, exc.response.get("error"))
            return problems
        if error == "channel_not_found":
            problems.append(
                f"<#{escape(channel)}> is gone, or private without claimwatch in it: "
                "invite claimwatch there or remove it from the settings."
            )
        elif error == "is_archived":
            problems.append(f"<#{escape(channel)}> is archived: remove it from the settings.")
        elif error == "not_in_channel":
            problems.append(
                f"claimwatch is not in <#{escape(channel)}>, so it sees nothing there: "
                "`/invite @claimwatch` in that channel."
            )
    if problems and len(wanted) > MEMBERSHIP_CHECKS_MAX:
        problems.append(f"(Only the first {MEMBERSHIP_CHECKS_MAX} channels were checked.)")
    return problems


def _error_block(error: ConfigError, changes: Mapping[str, object]) -> str:
    """The modal block a ConfigError is about ("alert_threshold: must be …" names it)."""
    text = str(error)
    for name in SETUP_FIELDS:
        if text.startswith(name) and name in changes:
            return name
    return "reply_mode"  # always present and required: a safe place for a general error
