"""claimwatch on Slack: slash commands, a message shortcut, passive monitoring and moderator
controls, in Socket Mode or HTTP mode, for one workspace or many (OAuth installation).

`claimwatch run slack [--http] [--port N]` is wired like this (`run` returns the exit code and
prints one line for missing or rejected credentials):

    @contextlib.asynccontextmanager
    async def backend() -> AsyncIterator[Backend]:
        async with await open_store(settings.database, data_dir=settings.data_dir) as store:
            yield Backend(ClaimwatchService(factbase=factbase, store=store), store)

    return run(settings=SlackSettings.from_env(), service_factory=backend, http=args.http,
               port=args.port)

Tests and embedders use `serve` (the same, as a coroutine with a stop event) or `SlackBot`.
docs/slack.md explains how to create the Slack app and run it in either mode.
"""

from bot.adapters.slack._bot import EVENT_DEDUPE_TTL, EVENTS_PATH, PLATFORM, EventClaims, SlackBot
from bot.adapters.slack._client import RetryAfterHandler, build_web_client
from bot.adapters.slack._oauth import BOT_SCOPES
from bot.adapters.slack._runner import Backend, ServiceFactory, run, serve, verify_credentials
from bot.adapters.slack._settings import SlackSettings

__all__ = [
    "BOT_SCOPES",
    "EVENTS_PATH",
    "EVENT_DEDUPE_TTL",
    "PLATFORM",
    "Backend",
    "EventClaims",
    "RetryAfterHandler",
    "ServiceFactory",
    "SlackBot",
    "SlackSettings",
    "build_web_client",
    "run",
    "serve",
    "verify_credentials",
]
