"""`claimwatch run slack`: check the credentials, then serve Slack in Socket Mode or HTTP mode
beside /healthz, /readyz and /metrics until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, NamedTuple, TextIO

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.adapters.slack._bot import EventClaims, SlackBot
from bot.adapters.slack._client import build_web_client
from bot.adapters.slack._oauth import oauth_settings
from bot.adapters.slack._settings import DOCS_HINT, SlackSettings
from bot.core.service import ClaimwatchService
from bot.errors import EXIT_OK, ClaimwatchError, ConfigError, UnreachableError, exit_code_of
from bot.web import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    Metrics,
    WebServer,
    add_readiness_check,
    build_web_app,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = [
    "DRAIN_TIMEOUT_S",
    "Backend",
    "ServiceFactory",
    "run",
    "serve",
]

log = logging.getLogger(__name__)

PROGRAM = "claimwatch"
# Replies being posted when the process is told to stop get this long to finish.
DRAIN_TIMEOUT_S = 10.0
# How often Socket Mode pings Slack; a dead connection is noticed within about four of these.
SOCKET_PING_INTERVAL_S = 10.0
# slack_sdk retries a WebSocket it cannot open forever; at startup that means a firewall or proxy
# in the way, which the operator should hear about instead of a silent, never-ready process.
SOCKET_CONNECT_TIMEOUT_S = 30.0


class Backend(NamedTuple):
    """What the Slack app runs on: the service, and the store whose `claim_event` dedupes
    Slack deliveries across replicas (the same store the service uses). With OAuth
    installation the store must be the SQL store: installations go in its database."""

    service: ClaimwatchService
    store: EventClaims


# Like the Discord adapter's: a ready Backend, or an async context manager that opens (and
# later closes) one inside the event loop the app runs in.
ServiceFactory = Callable[[], Backend | AbstractAsyncContextManager[Backend]]


@contextlib.asynccontextmanager
async def _open(factory: ServiceFactory) -> AsyncIterator[Backend]:
    made = factory()
    if isinstance(made, AbstractAsyncContextManager):
        async with made as backend:
            yield backend
    else:
        yield made


def _api_problem(name: str, error: str) -> ConfigError:
    advice = {
        "invalid_auth": "the token is wrong or was revoked; copy it again",
        "not_authed": "no token reached Slack",
        "account_inactive": "the app was uninstalled or the token revoked; reinstall the app",
        "token_revoked": "the token was revoked; reinstall the app",
        "not_allowed_token_type": "this is the wrong kind of token",
        "missing_scope": "the token lacks a scope (app-level tokens need connections:write)",
    }.get(error, "see the Slack error above")
    return ConfigError(f"Slack rejected {name} ({error}): {advice} ({DOCS_HINT})")


async def _ask(name: str, base_url: str, call: Awaitable[AsyncSlackResponse]) -> AsyncSlackResponse:
    try:
        return await call
    except SlackApiError as exc:
        raise _api_problem(name, str(exc.response.get("error") or "unknown_error")) from exc
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise UnreachableError(
            f"cannot reach the Slack Web API at {base_url} ({exc or type(exc).__name__});"
            " check the network, proxy or CLAIMWATCH_SLACK_API_URL"
        ) from exc


async def verify_credentials(
    settings: SlackSettings, client: AsyncWebClient, *, socket_mode: bool
) -> str | None:
    """Ask Slack whether the tokens work; the Socket Mode URL it handed out, if asked for one.

    Raises ConfigError with one line naming the variable and what to do.
    """
    if not settings.oauth:
        await _ask("SLACK_BOT_TOKEN", settings.base_url, client.auth_test(token=settings.bot_token))
    if not socket_mode:
        return None
    opened = await _ask(
        "SLACK_APP_TOKEN",
        settings.base_url,
        client.apps_connections_open(app_token=str(settings.app_token)),
    )
    return str(opened["url"])


def _engine_of(backend: Backend) -> AsyncEngine:
    """The SQL store's engine: OAuth installations live in the same database."""
    from sqlalchemy.ext.asyncio import AsyncEngine

    engine = getattr(backend.store, "engine", None)
    if not isinstance(engine, AsyncEngine):
        raise ConfigError(
            "OAuth installation (SLACK_CLIENT_ID) keeps each workspace's token in the database, "
            f"but the store has none; run with the SQL store ({DOCS_HINT})"
        )
    return engine


async def _connect(handler: AsyncSocketModeHandler, stop: asyncio.Event) -> None:
    """Open the WebSocket; UnreachableError if it does not open in time. Returns early on
    `stop`."""
    connecting = asyncio.ensure_future(handler.connect_async())  # type: ignore[no-untyped-call]
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait(
            {connecting, stopping},
            timeout=SOCKET_CONNECT_TIMEOUT_S,
            return_when=asyncio.FIRST_COMPLETED,
        )
    finally:
        stopping.cancel()
        if not connecting.done():
            connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connecting
    if connecting.cancelled():
        if stop.is_set():
            return
        raise UnreachableError(
            f"cannot open the Socket Mode connection to Slack within "
            f"{SOCKET_CONNECT_TIMEOUT_S:.0f} s (see the errors above); allow outbound WebSockets "
            f"to wss-primary.slack.com, set HTTPS_PROXY, or run with --http ({DOCS_HINT})"
        )
    connecting.result()


@contextlib.asynccontextmanager
async def _socket_mode(
    bot: SlackBot, app_token: str, url: str, stop: asyncio.Event
) -> AsyncIterator[AsyncSocketModeHandler]:
    handler = AsyncSocketModeHandler(bot.app, app_token, ping_interval=SOCKET_PING_INTERVAL_S)
    # Reuse the URL the credential check obtained instead of asking Slack for another one.
    handler.client.wss_uri = url
    try:
        await _connect(handler, stop)
        yield handler
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        # close() cancels the client's tasks without waiting; wait, so none outlives the loop.
        client = handler.client
        tasks = [
            task
            for task in (
                client.message_processor,
                client.current_session_monitor,
                client.message_receiver,
            )
            if task is not None
        ]
        await asyncio.gather(*tasks, return_exceptions=True)


async def serve(
    *,
    settings: SlackSettings,
    service_factory: ServiceFactory,
    http: bool,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    stop: asyncio.Event | None = None,
    started: Callable[[WebServer, SlackBot], None] | None = None,
) -> None:
    """Run the Slack app until `stop` is set (default: never). Raises ClaimwatchError (one line)
    on missing or rejected credentials, before anything is served.

    Socket Mode (default) connects out to Slack; HTTP mode (`http=True`) serves /slack/events.
    Both serve /healthz, /readyz and /metrics on host:port, plus the OAuth install pages when
    SLACK_CLIENT_ID is set. `started` is called once everything is up (tests use it).
    """
    settings.check(http=http)
    stop = stop if stop is not None else asyncio.Event()
    metrics = Metrics()
    async with contextlib.AsyncExitStack() as stack:
        session = aiohttp.ClientSession()
        stack.push_async_callback(session.close)
        client = build_web_client(
            base_url=settings.base_url,
            token=None if settings.oauth else settings.bot_token,
            session=session,
        )
        socket_url = await verify_credentials(settings, client, socket_mode=not http)
        backend = await stack.enter_async_context(_open(service_factory))
        oauth = await oauth_settings(settings, _engine_of(backend)) if settings.oauth else None
        bot = SlackBot(
            service=backend.service,
            events=backend.store,
            client=client,
            signing_secret=settings.signing_secret,
            oauth_settings=oauth,
            moderator_groups=settings.moderator_groups,
            metrics=metrics,
        )
        web_app = build_web_app(metrics=metrics)
        bot.mount(web_app, events=http)
        sockets: list[AsyncSocketModeHandler] = []

        async def slack_ready() -> bool:
            # HTTP mode is ready once serving (the credentials were checked); Socket Mode once
            # the WebSocket is up, and not while it reconnects.
            return socket_url is None or any([await s.client.is_connected() for s in sockets])

        add_readiness_check(web_app, "slack", slack_ready)
        async with contextlib.AsyncExitStack() as serving:
            server = await serving.enter_async_context(WebServer(web_app, host=host, port=port))
            if socket_url is not None:
                sockets.append(
                    await serving.enter_async_context(
                        _socket_mode(bot, str(settings.app_token), socket_url, stop)
                    )
                )
            mode = "HTTP mode" if http else "Socket Mode"
            scope = "OAuth installation" if settings.oauth else "one workspace"
            log.info("claimwatch on Slack: %s, %s, port %d", mode, scope, server.port)
            if started is not None:
                started(server, bot)
            await stop.wait()
            log.info("stopping: no new Slack requests; finishing the ones in flight")
        if not await bot.wait_idle(DRAIN_TIMEOUT_S):
            log.warning("stopped with Slack requests still in flight after %.0f s", DRAIN_TIMEOUT_S)


def run(
    *,
    settings: SlackSettings,
    service_factory: ServiceFactory,
    http: bool = False,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    stderr: TextIO | None = None,
) -> int:
    """`claimwatch run slack [--http]`: serve until SIGINT/SIGTERM; the process exit code.

    Missing or rejected credentials print one line on stderr ("claimwatch: error: …", saying what
    to do) and return 2; a Slack that cannot be reached returns 1, which a supervisor retries.
    """
    err = stderr or sys.stderr

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
                loop.add_signal_handler(signum, stop.set)
        await serve(
            settings=settings,
            service_factory=service_factory,
            http=http,
            host=host,
            port=port,
            stop=stop,
        )

    try:
        asyncio.run(main())
    except ClaimwatchError as exc:
        err.write(f"{PROGRAM}: error: {' '.join(str(exc).split())}\n")
        return exit_code_of(exc)
    return EXIT_OK
