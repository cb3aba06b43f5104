"""A local Slack for tests: the Web API, response URLs, OAuth and Socket Mode on 127.0.0.1.

Every Web API call is recorded (method, parameters, token) so a test can assert what the bot
asked Slack to do. The fake answers like Slack does where the bot depends on it: `ok: false` with
`invalid_auth` for unknown tokens, HTTP 429 with `Retry-After` when a test asks for it, a fresh
`ts` for every posted message, `invalid_blocks` for Block Kit beyond Slack's limits (block_kit.py),
and a `ws://127.0.0.1` URL from `apps.connections.open` whose
WebSocket speaks the Socket Mode envelope protocol (hello, envelopes, acks).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.adapters.slack.block_kit import problems, view_problems

__all__ = ["APP_TOKEN", "BOT_TOKEN", "Call", "FakeSlack", "Team"]

BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"
TEAM_ID = "T0001"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
APP_ID = "A0001"
WAIT_TIMEOUT_S = 5.0  # every wait in the tests is bounded; a hung test fails instead
WAIT_POLL_S = 0.01


@dataclass(frozen=True)
class Call:
    """One request the bot made to the fake."""

    method: str  # "chat.postMessage", or "response_url" for posts to a response URL
    params: dict[str, Any]
    token: str | None
    at: float  # time.monotonic() when the request arrived


@dataclass(frozen=True)
class Team:
    team_id: str
    bot_user_id: str = BOT_USER_ID
    bot_id: str = BOT_ID
    name: str = "Test workspace"


@dataclass
class _Socket:
    ws: web.WebSocketResponse
    acks: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)


def _json_or_text(value: Any) -> Any:
    """Form fields carry JSON (blocks, attachments) as strings; decode them for assertions."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


class FakeSlack:
    """A Slack Web API, response-URL sink, OAuth token endpoint and Socket Mode server."""

    def __init__(self) -> None:
        self.tokens: dict[str, Team] = {BOT_TOKEN: Team(TEAM_ID)}
        self.app_tokens: set[str] = {APP_TOKEN}
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        # channel id -> is the bot a member (unknown ids: channel_not_found)
        # Slack refuses a post where the bot is known not to be a member, or that is archived.
        self.channels: dict[str, bool] = {}
        self.archived: set[str] = set()
        # code -> (team, bot token) handed out by oauth.v2.access
        self.install_codes: dict[str, tuple[Team, str]] = {}
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.socket_connections = 0
        # What apps.connections.open hands out instead of the fake's own socket (None: its own)
        self.socket_url: str | None = None
        # (method, what Slack would refuse) for every payload refused as invalid_blocks
        self.refused: list[tuple[str, list[str]]] = []
        self._rate_limits: dict[str, deque[int]] = defaultdict(deque)
        self._failures: dict[str, deque[str]] = defaultdict(deque)
        self._ts = itertools.count(1)
        self._sockets: list[_Socket] = []
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{hook}", self._response_url)
        app.router.add_get("/socket", self._socket)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def close(self) -> None:
        for socket in self._sockets:
            await socket.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        assert self._port is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL, as the bot's `api_url` setting takes it."""
        return f"{self.url}/api/"

    def response_url(self, name: str | None = None) -> str:
        return f"{self.url}/response/{name or uuid.uuid4().hex}"

    # --- test controls ---------------------------------------------------------------------------

    def rate_limit(self, method: str, *, retry_after: int, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 and `Retry-After: retry_after`."""
        self._rate_limits[method].extend([retry_after] * times)

    def fail(self, method: str, error: str, *, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with `ok: false` and `error`."""
        self._failures[method].extend([error] * times)

    def add_user(self, user_id: str, *, admin: bool = False, owner: bool = False) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": user_id.lower(),
            "is_admin": admin,
            "is_owner": owner,
            "is_primary_owner": False,
            "is_bot": False,
        }

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def posts(self, channel: str) -> list[Call]:
        """chat.postMessage calls to one channel, in order."""
        return [c for c in self.calls_to("chat.postMessage") if c.params.get("channel") == channel]

    def bot_calls(self) -> list[Call]:
        """Calls that change what people see (not lookups like auth.test or users.info)."""
        visible = (
            "chat.postMessage",
            "chat.postEphemeral",
            "chat.update",
            "chat.delete",
            "views.open",
            "response_url",
        )
        return [call for call in self.calls if call.method in visible]

    async def wait_for(
        self, method: str, count: int = 1, *, timeout: float = WAIT_TIMEOUT_S
    ) -> list[Call]:
        """Wait until `method` was called at least `count` times; the calls, in order."""
        deadline = time.monotonic() + timeout
        while True:
            calls = self.calls_to(method)
            if len(calls) >= count:
                return calls
            if time.monotonic() > deadline:
                seen = [call.method for call in self.calls]
                raise AssertionError(f"{method} called {len(calls)} times, wanted {count}: {seen}")
            await asyncio.sleep(WAIT_POLL_S)

    # --- Web API ---------------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                form = await request.post()
                params.update({key: _json_or_text(value) for key, value in form.items()})
        return params

    @staticmethod
    def _token(request: web.Request, params: dict[str, Any]) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ")
        token = params.pop("token", None)
        return str(token) if token is not None else None

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _block_problems(self, method: str, params: dict[str, Any]) -> list[str]:
        """Slack checks Block Kit before it acts; a refused payload changes nothing."""
        found: list[str] = []
        if "blocks" in params:
            found = problems(params["blocks"])
        if isinstance(params.get("view"), dict):
            found = view_problems(params["view"])
        if found:
            self.refused.append((method, found))
        return found

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        token = self._token(request, params)
        self.calls.append(Call(method, params, token, time.monotonic()))
        pending = self._rate_limits.get(method)
        if pending:
            retry_after = pending.popleft()
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(retry_after)},
            )
        failing = self._failures.get(method)
        if failing:
            return web.json_response({"ok": False, "error": failing.popleft()})
        if method == "apps.connections.open":
            if token not in self.app_tokens:
                return web.json_response({"ok": False, "error": "invalid_auth"})
            ticket = uuid.uuid4().hex
            url = self.socket_url or f"ws://127.0.0.1:{self._port}/socket?ticket={ticket}"
            return web.json_response({"ok": True, "url": url})
        if method == "oauth.v2.access":
            return web.json_response(self._oauth_access(params))
        team = self.tokens.get(token or "")
        if team is None:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        refused = self._block_problems(method, params)
        if refused:
            return web.json_response({"ok": False, "error": "invalid_blocks", "errors": refused})
        return web.json_response(self._answer(method, params, team))

    def _answer(self, method: str, params: dict[str, Any], team: Team) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": team.name,
                "user": "claimwatch",
                "team_id": team.team_id,
                "user_id": team.bot_user_id,
                "bot_id": team.bot_id,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            channel = str(params.get("channel"))
            if channel in self.archived:
                return {"ok": False, "error": "is_archived"}
            if self.channels.get(channel) is False:
                return {"ok": False, "error": "not_in_channel"}
            ts = self._next_ts()
            message = {"type": "message", "ts": ts, "bot_id": team.bot_id, **params}
            self.messages[(channel, ts)] = message
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.update":
            key = (str(params.get("channel")), str(params.get("ts")))
            if key not in self.messages:
                return {"ok": False, "error": "message_not_found"}
            self.messages[key] = {**self.messages[key], **params}
            return {"ok": True, "channel": key[0], "ts": key[1]}
        if method == "chat.delete":
            key = (str(params.get("channel")), str(params.get("ts")))
            if self.messages.pop(key, None) is None:
                return {"ok": False, "error": "message_not_found"}
            return {"ok": True, "channel": key[0], "ts": key[1]}
        if method == "chat.getPermalink":
            channel, ts = params.get("channel"), str(params.get("message_ts"))
            return {"ok": True, "permalink": f"https://test.slack.com/archives/{channel}/p{ts}"}
        if method == "users.info":
            user = self.users.get(str(params.get("user")))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": user}
        if method == "usergroups.users.list":
            group = self.usergroups.get(str(params.get("usergroup")))
            if group is None:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": group}
        if method == "conversations.info":
            channel = str(params.get("channel"))
            if channel not in self.channels:
                return {"ok": False, "error": "channel_not_found"}
            return {
                "ok": True,
                "channel": {
                    "id": channel,
                    "is_member": self.channels[channel],
                    "is_archived": channel in self.archived,
                },
            }
        if method == "views.open":
            return {"ok": True, "view": {"id": "V" + uuid.uuid4().hex[:8], **params["view"]}}
        return {"ok": True}

    def _oauth_access(self, params: dict[str, Any]) -> dict[str, Any]:
        installed = self.install_codes.get(str(params.get("code")))
        if installed is None:
            return {"ok": False, "error": "invalid_code"}
        team, token = installed
        self.tokens[token] = team
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": "UINSTALLER"},
            "scope": "chat:write,commands",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": team.bot_user_id,
            "team": {"id": team.team_id, "name": team.name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        params = {"hook": request.match_info["hook"], **body}
        self.calls.append(Call("response_url", params, None, time.monotonic()))
        if self._block_problems("response_url", params):
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    # --- Socket Mode -----------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        socket = _Socket(ws)
        self._sockets.append(socket)
        self.socket_connections += 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake-slack", "approximate_connection_time": 3600},
                "connection_info": {"app_id": APP_ID},
            }
        )
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                continue
            ack = json.loads(frame.data)
            waiter = socket.acks.pop(str(ack.get("envelope_id")), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(ack)
        self._sockets.remove(socket)
        return ws

    async def wait_for_socket(self, *, timeout: float = WAIT_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while not self._sockets:
            if time.monotonic() > deadline:
                raise AssertionError("the bot never opened a Socket Mode connection")
            await asyncio.sleep(WAIT_POLL_S)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        """Send one raw frame (e.g. Slack's `disconnect` notice) on the newest connection."""
        await self.wait_for_socket()
        await self._sockets[-1].ws.send_json(frame)

    async def wait_for_connections(self, count: int, *, timeout: float = WAIT_TIMEOUT_S) -> None:
        """Wait until the bot has opened `count` Socket Mode connections in all."""
        deadline = time.monotonic() + timeout
        while self.socket_connections < count or not self._sockets:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.socket_connections} connections, wanted {count}")
            await asyncio.sleep(WAIT_POLL_S)

    async def send_envelope(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        timeout: float = WAIT_TIMEOUT_S,
    ) -> dict[str, Any]:
        """Deliver one envelope over Socket Mode and return the bot's ack."""
        await self.wait_for_socket(timeout=timeout)
        socket = self._sockets[-1]
        envelope_id = uuid.uuid4().hex
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        socket.acks[envelope_id] = waiter
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = "timeout" if retry_attempt else ""
        await socket.ws.send_json(envelope)
        return await asyncio.wait_for(waiter, timeout=timeout)
