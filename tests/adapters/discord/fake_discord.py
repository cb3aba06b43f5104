"""A protocol-level fake of Discord: the REST API and the gateway, on 127.0.0.1 only.

The real discord.py client talks to it exactly as it talks to Discord (the tests point
`Route.BASE` and `DiscordWebSocket.DEFAULT_GATEWAY` here). The fake plays one server ("guild")
with a few channels, roles and members, and lets a test act as Discord's users: post, edit and
delete messages, run slash commands, click buttons. It records every request the bot makes.

It also refuses what Discord would refuse, and notes each refusal in `violations` (the test
fixture fails any test that leaves one): unknown or missing fields, content over 2,000
characters, embeds over Discord's limits, bad components, interactions answered twice or after
Discord's 3 seconds, follow-ups before an acknowledgement, malformed commands.

Gateway: HELLO, IDENTIFY (token and privileged intents checked: 4004, 4014), READY and
GUILD_CREATE, heartbeats acknowledged, RESUME replaying what was missed, and `drop()` to cut
the connection. REST: `rate_limit()` answers the next matching request with a 429 as Discord
does (with `Via` header and `retry_after`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

JSON = dict[str, Any]
BODY = web.RequestKey("body", object)  # the parsed JSON body of a REST request

API = "/api/v10"
DISCORD_EPOCH_MS = 1_420_070_400_000
HEARTBEAT_INTERVAL_MS = 41_250
INTERACTION_DEADLINE_S = 3.0
DEFAULT_WAIT_S = 5.0
BUCKET_LIMIT = 50  # requests per rate-limit bucket and reset; the tests never come near it
MESSAGE_CONTENT_INTENT = 1 << 15
EPHEMERAL = 1 << 6

# Permission bits (https://discord.com/developers/docs/topics/permissions).
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
MANAGE_GUILD = 1 << 5
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
MEMBER_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | READ_MESSAGE_HISTORY
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)

# Discord's limits on what a bot sends.
MAX_CONTENT = 2_000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6_000
EMBED_LIMITS = {"title": 256, "description": 4_096}
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1_024
MAX_FOOTER = 2_048
MAX_AUTHOR_NAME = 256
MAX_ROWS = 5
MAX_ROW_ITEMS = 5
MAX_CUSTOM_ID = 100
MAX_LABEL = 80
MAX_CHOICES = 25
MAX_CHOICE_NAME = 100
THREAD_ARCHIVE_MINUTES = {60, 1440, 4320, 10080}

MESSAGE_FIELDS = {
    "content", "nonce", "tts", "embeds", "allowed_mentions", "message_reference", "components",
    "sticker_ids", "attachments", "flags", "enforce_nonce", "poll",
}  # fmt: skip
WEBHOOK_FIELDS = {
    "content", "username", "avatar_url", "tts", "embeds", "allowed_mentions", "components",
    "attachments", "flags", "thread_name", "applied_tags", "poll",
}  # fmt: skip
CALLBACK_MESSAGE_FIELDS = {
    "tts", "content", "embeds", "allowed_mentions", "flags", "components", "attachments", "poll",
}  # fmt: skip
EDIT_FIELDS = {"content", "embeds", "flags", "allowed_mentions", "components", "attachments"}
EMBED_FIELDS = {
    "title", "type", "description", "url", "timestamp", "color", "footer", "image", "thumbnail",
    "video", "provider", "author", "fields", "flags",
}  # fmt: skip
ALLOWED_MENTIONS_FIELDS = {"parse", "roles", "users", "replied_user"}
REFERENCE_FIELDS = {"type", "message_id", "channel_id", "guild_id", "fail_if_not_exists"}
BUTTON_FIELDS = {"type", "style", "label", "emoji", "custom_id", "sku_id", "url", "disabled", "id"}
THREAD_FIELDS = {"name", "auto_archive_duration", "rate_limit_per_user"}
COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")

# Channel types.
TEXT, FORUM = 0, 15
# Interaction types and callback types.
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE = 2, 3, 4
CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
CALLBACKS_FOR = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
}
# Option types of application commands.
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, CHANNEL, NUMBER = 1, 2, 3, 4, 5, 7, 10
ROLE = 8


class DiscordError(Exception):
    """A refusal, answered as Discord answers it."""

    def __init__(self, status: int, code: int, message: str, *, violation: bool = True) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.violation = status, code, message, violation


def _invalid(problem: str) -> DiscordError:
    return DiscordError(400, 50035, f"Invalid Form Body: {problem}")


def _iso(moment: dt.datetime | None = None) -> str:
    return (moment or dt.datetime.now(dt.UTC)).isoformat()


@dataclass
class Call:
    """One request the bot made."""

    method: str
    path: str
    json: Any
    query: dict[str, str]
    at: float
    status: int = 0


@dataclass
class InteractionRecord:
    """An interaction the fake sent, and how the bot answered it."""

    id: str
    token: str
    type: int
    payload: JSON
    created: float
    callbacks: list[JSON] = field(default_factory=list)  # {"type", "data", "at"}
    followups: list[JSON] = field(default_factory=list)
    original_edits: list[JSON] = field(default_factory=list)

    @property
    def acked(self) -> bool:
        return bool(self.callbacks)


@dataclass
class Session:
    """One gateway session (one shard)."""

    id: str
    shard: tuple[int, int]
    ws: web.WebSocketResponse | None
    seq: int = 0
    sent: list[JSON] = field(default_factory=list)


@dataclass(frozen=True)
class Member:
    """A person (or bot) in the fake server."""

    id: str
    name: str
    roles: tuple[str, ...] = ()
    permissions: int = MEMBER_PERMISSIONS
    bot: bool = False


@dataclass
class RateLimit:
    method: str
    path: re.Pattern[str]
    retry_after: float
    remaining: int = 1
    is_global: bool = False


class FakeDiscord:
    """Discord's REST API and gateway for one bot in one server. Start with `await start()`."""

    def __init__(self, *, token: str = "fake-bot-token", message_content_intent: bool = True):
        self.token = token
        self.message_content_intent = message_content_intent
        self.refuse_threads = False  # True: the bot lacks Create Public Threads everywhere
        self.refuse_posts: set[str] = set()  # channels where the bot lacks Send Messages
        # False: an outage at the bot's start. READY lists the server as unavailable and no
        # GUILD_CREATE follows, so the bot knows none of its channels or roles.
        self.guild_available = True
        self._counter = itertools.count(1)
        self.app_id = self.snowflake()
        self.bot = Member(self.app_id, "claimwatch", bot=True)
        self.guild_id = self.snowflake()
        self.everyone_role = self.guild_id
        self.mod_role = self.snowflake()
        self.roles = {
            self.everyone_role: ("@everyone", MEMBER_PERMISSIONS, 0),
            self.mod_role: ("Claimwatch Moderator", 0, 1),
        }
        self.channels: dict[str, JSON] = {}
        self.general = self._add_channel("general")
        self.offtopic = self._add_channel("off-topic")
        self.modlog = self._add_channel("mod-log")
        self.forum = self._add_channel("questions", kind=FORUM)
        self.alice = Member(self.snowflake(), "alice")
        self.mallory = Member(self.snowflake(), "mallory")
        self.mia = Member(self.snowflake(), "mia", roles=(self.mod_role,))
        self.ann = Member(self.snowflake(), "ann", permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)
        self.otherbot = Member(self.snowflake(), "newsbot", bot=True)
        # A role nobody made a moderator role yet, and a member who holds only that role.
        self.checker_role = self.snowflake()
        self.roles[self.checker_role] = ("Fact Checkers", 0, 2)
        self.fay = Member(self.snowflake(), "fay", roles=(self.checker_role,))

        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.messages: dict[str, JSON] = {}
        self.deleted: set[str] = set()
        self.threads: dict[str, JSON] = {}  # by the id of the message they start from
        self.commands: list[JSON] = []
        self.interactions: dict[str, InteractionRecord] = {}
        self.sessions: dict[int, Session] = {}
        self.identifies: list[JSON] = []
        self.resumes: list[JSON] = []
        self._rate_limits: list[RateLimit] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- life cycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/gateway", self._gateway)
        routes: list[tuple[str, str, Callable[..., Any]]] = [
            ("GET", "/users/@me", self._me),
            ("GET", "/oauth2/applications/@me", self._application),
            ("GET", "/gateway/bot", self._gateway_bot),
            ("PUT", "/applications/{app}/commands", self._put_commands),
            ("POST", "/channels/{channel}/messages", self._create_message),
            ("PATCH", "/channels/{channel}/messages/{message}", self._edit_message),
            ("DELETE", "/channels/{channel}/messages/{message}", self._delete_message),
            ("POST", "/channels/{channel}/messages/{message}/threads", self._create_thread),
            ("POST", "/interactions/{id}/{token}/callback", self._callback),
            ("POST", "/webhooks/{app}/{token}", self._followup),
            ("PATCH", "/webhooks/{app}/{token}/messages/{message}", self._edit_original),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, API + path, handler)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        for session in self.sessions.values():
            if session.ws is not None and not session.ws.closed:
                await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- ids and payloads ------------------------------------------------------------------------

    def snowflake(self) -> str:
        millis = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return str((millis << 22) | (next(self._counter) & 0x3FFFFF))

    def _add_channel(self, name: str, *, kind: int = TEXT) -> str:
        cid = self.snowflake()
        self.channels[cid] = {
            "id": cid,
            "type": kind,
            "guild_id": self.guild_id,
            "name": name,
            "position": len(self.channels),
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "default_auto_archive_duration": 1440,
            "flags": 0,
        }
        return cid

    def user(self, member: Member) -> JSON:
        return {
            "id": member.id,
            "username": member.name,
            "discriminator": "0",
            "global_name": member.name.title(),
            "avatar": None,
            "bot": member.bot,
            "public_flags": 0,
            "flags": 0,
        }

    def member(self, member: Member, *, with_user: bool = True) -> JSON:
        data: JSON = {
            "roles": list(member.roles),
            "joined_at": _iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "pending": False,
            "premium_since": None,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user(member)
        return data

    def _role(self, role_id: str) -> JSON:
        name, permissions, position = self.roles[role_id]
        return {
            "id": role_id,
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    def _guild(self) -> JSON:
        return {
            "id": self.guild_id,
            "name": "Kyiv Diaspora",
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": self.ann.id,
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "roles": [self._role(role) for role in self.roles],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500_000,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": _iso(),
            "large": False,
            "unavailable": False,
            "member_count": 6,
            "voice_states": [],
            "members": [self.member(self.bot)],
            "channels": [dict(channel) for channel in self.channels.values()],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def _message(
        self,
        *,
        channel_id: str,
        author: Member,
        content: str,
        embeds: list[JSON] | None = None,
        components: list[JSON] | None = None,
        flags: int = 0,
        reference: JSON | None = None,
        message_id: str | None = None,
        with_member: bool = True,
        guild: bool = True,
    ) -> JSON:
        data: JSON = {
            "id": message_id or self.snowflake(),
            "channel_id": channel_id,
            "author": self.user(author),
            "content": content,
            "timestamp": _iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": embeds or [],
            "components": components or [],
            "pinned": False,
            "type": 19 if reference else 0,
            "flags": flags,
        }
        if guild:
            data["guild_id"] = self.guild_id
            if with_member:
                data["member"] = self.member(author, with_user=False)
        if reference:
            data["message_reference"] = {**reference, "type": 0}
        return data

    # --- acting as Discord's users ---------------------------------------------------------------

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send a gateway event to the shard that owns the guild (kept for a RESUME while
        disconnected)."""
        await self.dispatch_to(self._session_for(data.get("guild_id")), event, data)

    def _session_for(self, guild_id: str | None) -> Session:
        for session in self.sessions.values():
            shard_id, count = session.shard
            if guild_id is None or (int(guild_id) >> 22) % count == shard_id:
                return session
        raise AssertionError(f"no gateway session for guild {guild_id}")

    async def post(
        self,
        content: str,
        *,
        author: Member | None = None,
        channel_id: str | None = None,
        dm: bool = False,
        gone: bool = False,
    ) -> JSON:
        """A user posts a message (MESSAGE_CREATE).

        `gone`: the user deletes it at once, before the bot can answer (the MESSAGE_DELETE
        event is not sent).
        """
        message = self._message(
            channel_id=channel_id or self.general,
            author=author or self.alice,
            content=content,
            guild=not dm,
        )
        self.messages[message["id"]] = message
        if gone:
            self.deleted.add(message["id"])
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def edit(self, message: JSON, content: str) -> JSON:
        """A user edits a message (MESSAGE_UPDATE carries the whole message)."""
        message.update(content=content, edited_timestamp=_iso())
        await self.dispatch("MESSAGE_UPDATE", dict(message))
        return message

    async def delete(self, message: JSON) -> None:
        """A user deletes a message (MESSAGE_DELETE)."""
        self.deleted.add(message["id"])
        data = {"id": message["id"], "channel_id": message["channel_id"]}
        if "guild_id" in message:
            data["guild_id"] = message["guild_id"]
        await self.dispatch("MESSAGE_DELETE", data)

    async def delete_bulk(self, messages: list[JSON]) -> None:
        """A moderator purges messages of one channel (MESSAGE_DELETE_BULK)."""
        self.deleted.update(message["id"] for message in messages)
        await self.dispatch(
            "MESSAGE_DELETE_BULK",
            {
                "ids": [message["id"] for message in messages],
                "channel_id": messages[0]["channel_id"],
                "guild_id": self.guild_id,
            },
        )

    async def open_forum_post(
        self, forum_id: str, title: str, content: str, *, author: Member | None = None
    ) -> tuple[JSON, JSON]:
        """A member opens a post in a forum: a thread whose first message shares its id."""
        author = author or self.alice
        post_id = self.snowflake()
        thread = self._thread(
            {"id": post_id, "channel_id": forum_id}, owner=author, name=title, archive_minutes=1440
        )
        self.threads[post_id] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        message = self._message(
            channel_id=post_id, author=author, content=content, message_id=post_id
        )
        self.messages[post_id] = message
        await self.dispatch("MESSAGE_CREATE", message)
        return thread, message

    async def delete_channel(self, channel_id: str) -> None:
        """A moderator deletes a channel (CHANNEL_DELETE)."""
        channel = self.channels.pop(channel_id)
        await self.dispatch("CHANNEL_DELETE", channel)

    async def update_channel(self, channel_id: str, **changes: Any) -> JSON:
        """A moderator changes a channel's settings (CHANNEL_UPDATE)."""
        channel = self.channels[channel_id]
        channel.update(changes)
        await self.dispatch("CHANNEL_UPDATE", dict(channel))
        return channel

    def command(self, name: str, *, kind: int = 1) -> JSON:
        for command in self.commands:
            if command["name"] == name and command.get("type", 1) == kind:
                return command
        raise AssertionError(f"the bot registered no command {name!r} (type {kind})")

    def _options(
        self, declared: list[JSON], values: dict[str, Any], resolved: JSON, focused: str | None
    ) -> list[JSON]:
        """Interaction options for `values`, checked against the command the bot registered."""
        by_name = {option["name"]: option for option in declared}
        unknown = set(values) - set(by_name)
        assert not unknown, f"options {unknown} not declared (declared: {sorted(by_name)})"
        options: list[JSON] = []
        for option in declared:
            name = option["name"]
            if name not in values:
                assert not option.get("required"), f"required option {name!r} missing"
                continue
            value, kind = values[name], option["type"]
            if kind == CHANNEL:
                channel = self.channels[value]
                # Discord's client offers only the channel types the command declared.
                allowed = option.get("channel_types")
                assert allowed is None or channel["type"] in allowed, (
                    f"{name}: a channel of type {channel['type']} is not offered ({allowed})"
                )
                resolved.setdefault("channels", {})[value] = {
                    "id": value,
                    "name": channel["name"],
                    "type": channel["type"],
                    "permissions": str(MEMBER_PERMISSIONS),
                }
            elif kind == ROLE:
                assert value in self.roles, f"{name}: Discord offers only the server's roles"
                resolved.setdefault("roles", {})[value] = self._role(value)
            elif kind == STRING:
                # Discord's client enforces lengths before anything is sent (not for autocomplete).
                assert isinstance(value, str)
                if name != focused:  # what is being typed is sent as it stands
                    assert (
                        option.get("min_length", 0) <= len(value) <= option.get("max_length", 6000)
                    )
            elif kind in (INTEGER, NUMBER):
                assert isinstance(value, int | float) and not isinstance(value, bool)
                low, high = option.get("min_value"), option.get("max_value")
                assert (low is None or value >= low) and (high is None or value <= high), (
                    f"Discord would not send {name}={value} (allowed {low}..{high})"
                )
            elif kind == BOOLEAN:
                assert isinstance(value, bool)
            if option.get("choices"):
                assert value in [c["value"] for c in option["choices"]], f"{value!r} not a choice"
            options.append({"name": name, "type": kind, "value": value})
        return options

    def _interaction(
        self,
        kind: int,
        data: JSON,
        *,
        member: Member,
        channel_id: str,
        message: JSON | None = None,
    ) -> JSON:
        channel = self.channels.get(channel_id) or self.threads_by_id().get(channel_id)
        payload: JSON = {
            "id": self.snowflake(),
            "application_id": self.app_id,
            "type": kind,
            "data": data,
            "guild_id": self.guild_id,
            "guild": {"id": self.guild_id, "locale": "en-US", "features": []},
            "channel_id": channel_id,
            "channel": dict(channel) if channel else {"id": channel_id, "type": 0},
            "member": {**self.member(member), "permissions": str(member.permissions)},
            "token": uuid.uuid4().hex,
            "version": 1,
            "app_permissions": str(MEMBER_PERMISSIONS),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": self.guild_id},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        return payload

    async def _send_interaction(self, payload: JSON) -> InteractionRecord:
        record = InteractionRecord(
            id=payload["id"],
            token=payload["token"],
            type=payload["type"],
            payload=payload,
            created=time.monotonic(),
        )
        self.interactions[record.id] = record
        await self.dispatch("INTERACTION_CREATE", payload)
        return record

    async def slash(
        self,
        path: str,
        *,
        member: Member | None = None,
        channel_id: str | None = None,
        focused: str | None = None,
        **values: Any,
    ) -> InteractionRecord:
        """A member runs `/path` ("claimwatch channels add") with option `values`.

        With `focused`, it is an autocomplete request for that option instead.
        """
        name, *subpath = path.split()
        command = self.command(name)
        resolved: JSON = {}
        declared = command.get("options", [])
        chain: list[JSON] = []
        for part in subpath:
            sub = next((o for o in declared if o["name"] == part), None)
            assert sub is not None, f"/{name} has no subcommand {part!r}"
            chain.append({"name": part, "type": sub["type"]})
            declared = sub.get("options", [])
        options = self._options(declared, values, resolved, focused)
        if focused is not None:
            for option in options:
                if option["name"] == focused:
                    option["focused"] = True
        for link in reversed(chain):
            options = [{**link, "options": options}]
        data: JSON = {"id": command["id"], "name": name, "type": 1, "options": options}
        if resolved:
            data["resolved"] = resolved
        kind = AUTOCOMPLETE if focused is not None else APPLICATION_COMMAND
        payload = self._interaction(
            kind, data, member=member or self.mia, channel_id=channel_id or self.general
        )
        return await self._send_interaction(payload)

    async def context_menu(
        self, name: str, target: JSON, *, member: Member | None = None
    ) -> InteractionRecord:
        """A member picks a message context-menu command on `target`."""
        command = self.command(name, kind=3)
        data = {
            "id": command["id"],
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        payload = self._interaction(
            APPLICATION_COMMAND, data, member=member or self.alice, channel_id=target["channel_id"]
        )
        return await self._send_interaction(payload)

    async def click(
        self, message: JSON, custom_id: str, *, member: Member | None = None
    ) -> InteractionRecord:
        """A member clicks the button `custom_id` on `message` (one the bot posted)."""
        ids = [
            item.get("custom_id")
            for row in message.get("components", [])
            for item in row["components"]
        ]
        assert custom_id in ids, f"no button {custom_id!r} on the message (buttons: {ids})"
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(
            MESSAGE_COMPONENT,
            data,
            member=member or self.alice,
            channel_id=message["channel_id"],
            message=dict(message),
        )
        return await self._send_interaction(payload)

    def threads_by_id(self) -> dict[str, JSON]:
        return {thread["id"]: thread for thread in self.threads.values()}

    # --- waiting and reading what the bot sent ---------------------------------------------------

    async def wait_for(
        self, predicate: Callable[[], Any], *, timeout: float = DEFAULT_WAIT_S
    ) -> Any:
        """Wait until `predicate()` is truthy; its value. Fails after `timeout` seconds."""
        return await eventually(predicate, timeout=timeout)

    async def answer_to(
        self, record: InteractionRecord, *, timeout: float = DEFAULT_WAIT_S
    ) -> JSON:
        """The bot's first callback to an interaction."""
        await self.wait_for(lambda: record.callbacks, timeout=timeout)
        return record.callbacks[0]

    def calls_to(self, method: str, pattern: str) -> list[Call]:
        """The bot's requests with `method` whose path matches the regex `pattern`."""
        return [c for c in self.calls if c.method == method and re.search(pattern, c.path)]

    def posted(self, channel_id: str | None = None) -> list[JSON]:
        """Messages the bot created (not interaction responses), oldest first."""
        return [
            call.json
            for call in self.calls
            if call.method == "POST"
            and re.fullmatch(rf"{API}/channels/\d+/messages", call.path)
            and (channel_id is None or call.path.split("/")[4] == channel_id)
            and call.status == 200
        ]

    def bot_messages(self, channel_id: str | None = None) -> list[JSON]:
        """What the bot's created messages look like on Discord now (with ids)."""
        return [
            message
            for message in self.messages.values()
            if message["author"]["id"] == self.bot.id
            and message["id"] not in self.deleted
            and (channel_id is None or message["channel_id"] == channel_id)
        ]

    async def wait_posted(self, count: int = 1, *, timeout: float = DEFAULT_WAIT_S) -> list[JSON]:
        await self.wait_for(lambda: len(self.posted()) >= count, timeout=timeout)
        return self.posted()

    def rate_limit(
        self, method: str, path: str, *, retry_after: float, times: int = 1, is_global: bool = False
    ) -> None:
        """Answer the next `times` requests matching `method` and `path` (a regex) with 429."""
        self._rate_limits.append(
            RateLimit(method, re.compile(path), retry_after, remaining=times, is_global=is_global)
        )

    async def drop(self, *, code: int = 4000) -> None:
        """Cut every gateway connection as Discord does on a failure or a deploy."""
        for session in self.sessions.values():
            if session.ws is not None and not session.ws.closed:
                ws, session.ws = session.ws, None
                await ws.close(code=code, message=b"fake: connection dropped")

    # --- REST ------------------------------------------------------------------------------------

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        if request.path == "/gateway":
            response: web.StreamResponse = await handler(request)
            return response
        body: Any = None
        raw = await request.read()
        if raw:
            if request.headers.get("Content-Type") != "application/json":
                self.violations.append(f"{request.method} {request.path}: body is not JSON")
            body = json.loads(raw)
        call = Call(request.method, request.path, body, dict(request.query), time.monotonic())
        self.calls.append(call)
        try:
            limited = self._take_rate_limit(request)
            if limited is not None:
                call.status = 429
                return self._json(
                    {
                        "message": "You are being rate limited.",
                        "retry_after": limited.retry_after,
                        "global": limited.is_global,
                    },
                    status=429,
                    headers={
                        "Via": "1.1 google",
                        "X-RateLimit-Scope": "user",
                        **self._bucket_headers(
                            request, remaining=0, reset_after=limited.retry_after
                        ),
                    },
                )
            webhook = request.path.startswith(f"{API}/webhooks/") or "/callback" in request.path
            if not webhook and request.headers.get("Authorization") != f"Bot {self.token}":
                raise DiscordError(401, 0, "401: Unauthorized", violation=False)
            request[BODY] = body
            result = await handler(request)
            call.status = 204 if result is None else 200
            headers = self._bucket_headers(request, remaining=BUCKET_LIMIT - 1, reset_after=1.0)
            if result is None:
                return web.Response(status=204, headers=headers)
            return self._json(result, headers=headers)
        except DiscordError as exc:
            call.status = exc.status
            if exc.violation:
                self.violations.append(f"{request.method} {request.path}: {exc.message}")
            return self._json(
                {"message": exc.message, "code": exc.code, "errors": {}}, status=exc.status
            )

    @staticmethod
    def _json(
        data: Any, *, status: int = 200, headers: dict[str, str] | None = None
    ) -> web.Response:
        # Exactly "application/json": discord.py treats anything else (even "; charset=utf-8")
        # as text.
        return web.Response(
            body=json.dumps(data).encode(),
            status=status,
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    @staticmethod
    def _bucket_headers(
        request: web.Request, *, remaining: int, reset_after: float
    ) -> dict[str, str]:
        """The rate-limit headers Discord sends with every REST answer (a bucket per route)."""
        route = request.match_info.route.resource
        template = route.canonical if route is not None else request.path
        bucket = uuid.uuid5(uuid.NAMESPACE_URL, f"{request.method} {template}").hex[:16]
        return {
            "X-RateLimit-Limit": str(BUCKET_LIMIT),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket,
        }

    def _take_rate_limit(self, request: web.Request) -> RateLimit | None:
        for rule in self._rate_limits:
            if rule.remaining and rule.method == request.method and rule.path.search(request.path):
                rule.remaining -= 1
                return rule
        return None

    async def _unknown(self, request: web.Request) -> JSON:
        raise DiscordError(404, 0, f"404: Not Found (the fake has no {request.method} route)")

    async def _me(self, request: web.Request) -> JSON:
        return {**self.user(self.bot), "verified": True, "mfa_enabled": False, "locale": "en-US"}

    async def _application(self, request: web.Request) -> JSON:
        return {
            "id": self.app_id,
            "name": "claimwatch",
            "icon": None,
            "description": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.user(self.ann),
            "team": None,
            "summary": "",
            "verify_key": "0" * 64,
            "flags": (1 << 19) if self.message_content_intent else 0,
            "install_params": None,
            "oauth2_install_params": None,
            "permissions": 0,
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "approximate_guild_count": 1,
        }

    async def _gateway_bot(self, request: web.Request) -> JSON:
        return {
            "url": self.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 0,
                "max_concurrency": 1,
            },
        }

    async def _put_commands(self, request: web.Request) -> list[JSON]:
        if request.match_info["app"] != self.app_id:
            raise DiscordError(403, 50001, "Missing Access")
        commands = request[BODY]
        if not isinstance(commands, list) or len(commands) > 100:
            raise _invalid("expected a list of at most 100 commands")
        for command in commands:
            self._check_command(command)
        names = [(c["name"], c.get("type", 1)) for c in commands]
        if len(set(names)) != len(names):
            raise _invalid("duplicate command names")
        # Discord answers with the stored commands, defaults filled in.
        self.commands = [
            {
                "description": "",
                "options": [],
                "default_member_permissions": None,
                **command,
                "id": self.snowflake(),
                "application_id": self.app_id,
                "version": self.snowflake(),
            }
            for command in commands
        ]
        return self.commands

    def _check_command(self, command: JSON) -> None:
        kind = command.get("type", 1)
        name = command.get("name", "")
        if kind == 1:
            if not COMMAND_NAME.match(name) or name != name.lower():
                raise _invalid(f"command name {name!r}")
            if not 1 <= len(command.get("description", "")) <= 100:
                raise _invalid(f"/{name}: description must be 1-100 characters")
            self._check_options(name, command.get("options", []))
        elif kind in (2, 3):
            if not 1 <= len(name) <= 32 or command.get("options"):
                raise _invalid(f"context menu {name!r}")
        else:
            raise _invalid(f"command type {kind}")

    def _check_options(self, where: str, options: list[JSON]) -> None:
        if len(options) > 25:
            raise _invalid(f"/{where}: more than 25 options")
        seen_optional = False
        for option in options:
            name, kind = option.get("name", ""), option.get("type")
            if not COMMAND_NAME.match(name) or name != name.lower():
                raise _invalid(f"/{where}: option name {name!r}")
            if not 1 <= len(option.get("description", "")) <= 100:
                raise _invalid(f"/{where} {name}: description must be 1-100 characters")
            if kind in (SUB_COMMAND, SUB_COMMAND_GROUP):
                self._check_options(f"{where} {name}", option.get("options", []))
                continue
            if option.get("required"):
                if seen_optional:
                    raise _invalid(f"/{where}: required option {name!r} after an optional one")
            else:
                seen_optional = True
            if len(option.get("choices") or []) > MAX_CHOICES:
                raise _invalid(f"/{where} {name}: more than 25 choices")
            if option.get("choices") and option.get("autocomplete"):
                raise _invalid(f"/{where} {name}: choices and autocomplete together")

    # --- messages --------------------------------------------------------------------------------

    def _live_message(self, message_id: str) -> JSON:
        message = self.messages.get(message_id)
        if message is None or message_id in self.deleted:
            raise DiscordError(404, 10008, "Unknown Message", violation=False)
        return message

    def _check_fields(self, what: str, data: Any, allowed: set[str]) -> None:
        if not isinstance(data, dict):
            raise _invalid(f"{what} must be an object")
        unknown = set(data) - allowed
        if unknown:
            raise _invalid(f"{what}: unknown fields {sorted(unknown)}")

    def _check_message(self, body: Any, allowed: set[str], *, creating: bool) -> None:
        self._check_fields("message", body, allowed)
        content = body.get("content")
        if content is not None and (not isinstance(content, str) or len(content) > MAX_CONTENT):
            raise _invalid(f"content must be a string of at most {MAX_CONTENT} characters")
        embeds = body.get("embeds") or []
        if len(embeds) > MAX_EMBEDS:
            raise _invalid(f"at most {MAX_EMBEDS} embeds")
        total = 0
        for embed in embeds:
            total += self._check_embed(embed)
        if total > MAX_EMBED_TOTAL:
            raise _invalid(f"embeds total {total} characters, over {MAX_EMBED_TOTAL}")
        self._check_components(body.get("components") or [])
        if "allowed_mentions" in body:
            mentions = body["allowed_mentions"]
            self._check_fields("allowed_mentions", mentions, ALLOWED_MENTIONS_FIELDS)
            if not set(mentions.get("parse", [])) <= {"roles", "users", "everyone"}:
                raise _invalid("allowed_mentions.parse")
        if body.get("message_reference") is not None:
            reference = body["message_reference"]
            self._check_fields("message_reference", reference, REFERENCE_FIELDS)
            if reference.get("message_id") is None:
                raise _invalid("message_reference: message_id is required")
        if creating and not (content or embeds or body.get("components") or body.get("poll")):
            raise DiscordError(400, 50006, "Cannot send an empty message")

    def _check_embed(self, embed: Any) -> int:
        self._check_fields("embed", embed, EMBED_FIELDS)
        size = 0
        for key, limit in EMBED_LIMITS.items():
            text = embed.get(key)
            if text is not None:
                if not isinstance(text, str) or len(text) > limit:
                    raise _invalid(f"embed {key} over {limit} characters")
                size += len(text)
        color = embed.get("color")
        if color is not None and not (isinstance(color, int) and 0 <= color <= 0xFFFFFF):
            raise _invalid("embed color must be 0-0xFFFFFF")
        fields = embed.get("fields", [])
        if len(fields) > MAX_FIELDS:
            raise _invalid(f"at most {MAX_FIELDS} embed fields")
        for item in fields:
            self._check_fields("embed field", item, {"name", "value", "inline"})
            name, value = item.get("name"), item.get("value")
            if not isinstance(name, str) or not 1 <= len(name) <= MAX_FIELD_NAME:
                raise _invalid("embed field name missing or over 256 characters")
            if not isinstance(value, str) or not 1 <= len(value) <= MAX_FIELD_VALUE:
                raise _invalid("embed field value missing or over 1024 characters")
            size += len(name) + len(value)
        footer = embed.get("footer")
        if footer is not None:
            self._check_fields("embed footer", footer, {"text", "icon_url"})
            if not 1 <= len(footer.get("text", "")) <= MAX_FOOTER:
                raise _invalid("embed footer text missing or over 2048 characters")
            size += len(footer["text"])
        author = embed.get("author")
        if author is not None:
            self._check_fields("embed author", author, {"name", "url", "icon_url"})
            if not 1 <= len(author.get("name", "")) <= MAX_AUTHOR_NAME:
                raise _invalid("embed author name missing or over 256 characters")
            size += len(author["name"])
        for key in ("url",):
            if key in embed and not str(embed[key]).startswith(("http://", "https://")):
                raise _invalid(f"embed {key} must be an http(s) URL")
        return size

    def _check_components(self, rows: list[Any]) -> None:
        if len(rows) > MAX_ROWS:
            raise _invalid(f"at most {MAX_ROWS} component rows")
        seen: set[str] = set()
        for row in rows:
            if not isinstance(row, dict) or row.get("type") != 1:
                raise _invalid("top-level components must be action rows")
            items = row.get("components", [])
            if not 1 <= len(items) <= MAX_ROW_ITEMS:
                raise _invalid("an action row holds 1-5 buttons")
            for item in items:
                self._check_fields("button", item, BUTTON_FIELDS)
                if item.get("type") != 2 or item.get("style") not in range(1, 7):
                    raise _invalid("only buttons are expected here")
                if len(item.get("label", "")) > MAX_LABEL:
                    raise _invalid("button label over 80 characters")
                if not (item.get("label") or item.get("emoji")):
                    raise _invalid("a button needs a label or an emoji")
                if item["style"] == 5:
                    continue
                custom_id = item.get("custom_id")
                if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= MAX_CUSTOM_ID:
                    raise _invalid("button custom_id missing or over 100 characters")
                if custom_id in seen:
                    raise _invalid(f"duplicate custom_id {custom_id!r}")
                seen.add(custom_id)

    def _store_bot_message(self, channel_id: str, body: JSON, *, flags: int = 0) -> JSON:
        reference = body.get("message_reference")
        message = self._message(
            channel_id=channel_id,
            author=self.bot,
            content=body.get("content") or "",
            embeds=[{**e, "type": "rich"} for e in body.get("embeds") or []],
            components=body.get("components") or [],
            flags=flags | int(body.get("flags") or 0),
            reference=reference,
        )
        self.messages[message["id"]] = message
        return message

    def _channel(self, channel_id: str) -> JSON:
        channel = self.channels.get(channel_id) or self.threads_by_id().get(channel_id)
        if channel is None:
            raise DiscordError(404, 10003, "Unknown Channel")
        return channel

    async def _create_message(self, request: web.Request) -> JSON:
        channel_id = request.match_info["channel"]
        self._channel(channel_id)
        body = request[BODY]
        self._check_message(body, MESSAGE_FIELDS, creating=True)
        if channel_id in self.refuse_posts:
            raise DiscordError(403, 50013, "Missing Permissions", violation=False)
        reference = body.get("message_reference")
        if reference is not None:
            target = self.messages.get(str(reference.get("message_id")))
            if target is None or target["id"] in self.deleted:
                if reference.get("fail_if_not_exists", True):
                    raise DiscordError(
                        400,
                        50035,
                        "Invalid Form Body: message_reference: Unknown message",
                        violation=False,
                    )
                body = {k: v for k, v in body.items() if k != "message_reference"}
        return self._store_bot_message(channel_id, body)

    async def _edit_message(self, request: web.Request) -> JSON:
        message = self._live_message(request.match_info["message"])
        body = request[BODY]
        self._check_message(body, EDIT_FIELDS, creating=False)
        message.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
        message["edited_timestamp"] = _iso()
        return message

    async def _delete_message(self, request: web.Request) -> None:
        message = self._live_message(request.match_info["message"])
        if message["channel_id"] != request.match_info["channel"]:
            raise DiscordError(404, 10008, "Unknown Message")
        if message["author"]["id"] != self.bot.id:
            raise DiscordError(403, 50013, "Missing Permissions")
        self.deleted.add(message["id"])
        await self.dispatch(
            "MESSAGE_DELETE",
            {"id": message["id"], "channel_id": message["channel_id"], "guild_id": self.guild_id},
        )
        return None

    async def _create_thread(self, request: web.Request) -> JSON:
        parent = request.match_info["channel"]
        message = self._live_message(request.match_info["message"])
        if message["channel_id"] != parent:
            raise DiscordError(404, 10008, "Unknown Message")
        body = request[BODY]
        self._check_fields("thread", body, THREAD_FIELDS)
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            raise _invalid("thread name must be 1-100 characters")
        if body.get("auto_archive_duration", 1440) not in THREAD_ARCHIVE_MINUTES:
            raise _invalid("auto_archive_duration")
        if self.refuse_threads:
            raise DiscordError(403, 50013, "Missing Permissions", violation=False)
        if message["id"] in self.threads:
            raise DiscordError(
                400, 160004, "A thread has already been created for this message", violation=False
            )
        thread = self._thread(
            message,
            owner=self.bot,
            name=name,
            archive_minutes=body.get("auto_archive_duration", 1440),
        )
        self.threads[message["id"]] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    def _thread(self, starter: JSON, *, owner: Member, name: str, archive_minutes: int) -> JSON:
        return {
            "id": starter["id"],  # a thread started from a message shares its id
            "type": 11,
            "guild_id": self.guild_id,
            "parent_id": starter["channel_id"],
            "owner_id": owner.id,
            "name": name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": archive_minutes,
                "archive_timestamp": _iso(),
                "locked": False,
                "create_timestamp": _iso(),
            },
        }

    async def open_thread(self, starter: JSON, name: str, *, owner: Member | None = None) -> JSON:
        """A member opens a thread from a message (THREAD_CREATE)."""
        thread = self._thread(starter, owner=owner or self.alice, name=name, archive_minutes=1440)
        self.threads[starter["id"]] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    # --- interactions ----------------------------------------------------------------------------

    def _record_for(self, interaction_id: str, token: str) -> InteractionRecord:
        record = self.interactions.get(interaction_id)
        if record is None or record.token != token:
            raise DiscordError(404, 10062, "Unknown interaction")
        return record

    def _record_by_token(self, app: str, token: str) -> InteractionRecord:
        if app != self.app_id:
            raise DiscordError(404, 10015, "Unknown Webhook")
        for record in self.interactions.values():
            if record.token == token:
                if not record.acked:
                    raise DiscordError(404, 10015, "Unknown Webhook (interaction not acknowledged)")
                return record
        raise DiscordError(404, 10015, "Unknown Webhook")

    async def _callback(self, request: web.Request) -> JSON:
        record = self._record_for(request.match_info["id"], request.match_info["token"])
        elapsed = time.monotonic() - record.created
        if elapsed > INTERACTION_DEADLINE_S:
            raise DiscordError(404, 10062, f"Unknown interaction (answered after {elapsed:.1f} s)")
        if record.acked:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged")
        body = request[BODY]
        self._check_fields("interaction response", body, {"type", "data"})
        kind, data = body.get("type"), body.get("data")
        if kind not in CALLBACKS_FOR.get(record.type, set()):
            raise _invalid(f"callback type {kind} for interaction type {record.type}")
        resource: JSON | None = None
        if kind == CHANNEL_MESSAGE:
            self._check_message(data, CALLBACK_MESSAGE_FIELDS, creating=True)
            message = self._store_bot_message(record.payload["channel_id"], data)
            message["interaction_metadata"] = {
                "id": record.id,
                "type": record.type,
                "user": record.payload["member"]["user"],
                "authorizing_integration_owners": {"0": self.guild_id},
            }
            resource = {"type": kind, "message": message}
        elif kind == UPDATE_MESSAGE:
            self._check_message(data, CALLBACK_MESSAGE_FIELDS, creating=False)
            message = self._live_message(record.payload["message"]["id"])
            message.update(
                {k: v for k, v in data.items() if k in ("content", "embeds", "components")}
            )
            resource = {"type": kind, "message": message}
        elif kind == AUTOCOMPLETE_RESULT:
            self._check_fields("autocomplete", data, {"choices"})
            choices = data.get("choices", [])
            if len(choices) > MAX_CHOICES:
                raise _invalid(f"at most {MAX_CHOICES} choices")
            for choice in choices:
                self._check_fields("choice", choice, {"name", "value", "name_localizations"})
                if not 1 <= len(choice.get("name", "")) <= MAX_CHOICE_NAME:
                    raise _invalid("choice name must be 1-100 characters")
        elif kind in (DEFERRED_MESSAGE, DEFERRED_UPDATE) and data is not None:
            self._check_fields("deferral", data, {"flags"})
        record.callbacks.append({"type": kind, "data": data, "at": elapsed})
        flags = int((data or {}).get("flags") or 0)
        result: JSON = {
            "interaction": {
                "id": record.id,
                "type": record.type,
                "response_message_loading": kind == DEFERRED_MESSAGE,
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            }
        }
        if resource is not None:
            result["resource"] = resource
            result["interaction"]["response_message_id"] = resource["message"]["id"]
        return result

    async def _followup(self, request: web.Request) -> JSON:
        record = self._record_by_token(request.match_info["app"], request.match_info["token"])
        body = request[BODY]
        self._check_message(body, WEBHOOK_FIELDS, creating=True)
        message = self._store_bot_message(record.payload["channel_id"], body)
        record.followups.append(message)
        return message

    async def _edit_original(self, request: web.Request) -> JSON:
        record = self._record_by_token(request.match_info["app"], request.match_info["token"])
        if request.match_info["message"] != "@original":
            raise DiscordError(404, 10008, "Unknown Message")
        body = request[BODY]
        self._check_message(body, EDIT_FIELDS | {"poll"}, creating=False)
        if record.type == MESSAGE_COMPONENT:
            message = self._live_message(record.payload["message"]["id"])
        else:
            message = self._store_bot_message(record.payload["channel_id"], {"content": ""})
        message.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
        record.original_edits.append(body)
        return message

    # --- gateway ---------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(
            json.dumps(
                {"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None, "t": None}
            )
        )
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(frame.data)
            op, data = payload.get("op"), payload.get("d")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            elif op == 2:
                await self._identify(ws, data)
            elif op == 6:
                await self._resume(ws, data)
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: JSON) -> None:
        self.identifies.append(data)
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        if data.get("intents", 0) & MESSAGE_CONTENT_INTENT and not self.message_content_intent:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard_id, count = data.get("shard", [0, 1])
        session = Session(id=uuid.uuid4().hex, shard=(shard_id, count), ws=ws)
        self.sessions[shard_id] = session
        guilds = [g for g in [self.guild_id] if (int(g) >> 22) % count == shard_id]
        await self.dispatch_to(
            session,
            "READY",
            {
                "v": 10,
                "user": {**self.user(self.bot), "verified": True, "mfa_enabled": False},
                "guilds": [{"id": g, "unavailable": True} for g in guilds],
                "session_id": session.id,
                "resume_gateway_url": self.gateway_url,
                "shard": [shard_id, count],
                "application": {"id": self.app_id, "flags": 1 << 19},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "user_settings": {},
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": [],
                "session_type": "normal",
                "auth": {},
            },
        )
        for _ in guilds if self.guild_available else []:
            await self.dispatch_to(session, "GUILD_CREATE", self._guild())

    async def dispatch_to(self, session: Session, event: str, data: JSON) -> None:
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.sent.append(frame)
        if session.ws is not None and not session.ws.closed:
            await session.ws.send_str(json.dumps(frame))

    async def _resume(self, ws: web.WebSocketResponse, data: JSON) -> None:
        self.resumes.append(data)
        session = next((s for s in self.sessions.values() if s.id == data.get("session_id")), None)
        if session is None or data.get("token") != self.token:
            await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
            return
        session.ws = ws
        for frame in session.sent:
            if frame["s"] > (data.get("seq") or 0):
                await ws.send_str(json.dumps(frame))
        await self.dispatch_to(session, "RESUMED", {})


async def eventually(
    predicate: Callable[[], Any], *, timeout: float = DEFAULT_WAIT_S, every: float = 0.005
) -> Any:
    """Poll `predicate` until it is truthy and return its value; AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")
        await asyncio.sleep(every)


def custom_ids(message: JSON) -> list[str]:
    """The custom ids of the buttons on a message, in order."""
    return [
        item["custom_id"]
        for row in message.get("components", [])
        for item in row["components"]
        if "custom_id" in item
    ]


def embed_text(embed: JSON) -> str:
    """Every piece of text in an embed, for assertions."""
    parts: Iterable[str] = [
        embed.get("title", ""),
        embed.get("description", ""),
        *(f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])),
        embed.get("footer", {}).get("text", ""),
    ]
    return "\n".join(parts)
