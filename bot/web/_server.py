"""The process's one aiohttp server: health, readiness and metrics; adapters add their routes."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType

from aiohttp import web

from bot.errors import ConfigError
from bot.web._metrics import Metrics

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "HEALTH_PATH",
    "METRICS_PATH",
    "READINESS_TIMEOUT_S",
    "READY_PATH",
    "ReadinessCheck",
    "WebServer",
    "add_readiness_check",
    "build_web_app",
]

log = logging.getLogger(__name__)

DEFAULT_HOST = "0.0.0.0"  # in a container the probes come from outside the loopback
DEFAULT_PORT = 8080
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
# A probe that hangs is as bad as one that fails; kubelet's default probe timeout is 1 s.
READINESS_TIMEOUT_S = 1.0
# How long a stopping server lets in-flight requests finish before closing them.
SHUTDOWN_TIMEOUT_S = 5.0
PROMETHEUS_CONTENT_TYPE = "text/plain"
PROMETHEUS_VERSION = "0.0.4"

ReadinessCheck = Callable[[], Awaitable[bool]]

_METRICS_KEY: web.AppKey[Metrics] = web.AppKey("claimwatch_metrics", Metrics)
_CHECKS_KEY: web.AppKey[dict[str, ReadinessCheck]] = web.AppKey("claimwatch_readiness", dict)
_STARTED_KEY: web.AppKey[float] = web.AppKey("claimwatch_started", float)


async def _healthz(request: web.Request) -> web.Response:
    # Liveness: the event loop answers. Dependencies belong to readiness, not here, or a
    # database blip would get every replica restarted at once.
    uptime = time.monotonic() - request.app[_STARTED_KEY]
    return web.json_response({"status": "ok", "uptime_s": round(uptime, 3)})


async def _run_check(check: ReadinessCheck) -> bool:
    try:
        return await asyncio.wait_for(check(), timeout=READINESS_TIMEOUT_S)
    except Exception:  # a check that raises or hangs means "not ready", never a 500
        log.warning("readiness check failed", exc_info=True)
        return False


async def _readyz(request: web.Request) -> web.Response:
    checks = request.app[_CHECKS_KEY]
    names = sorted(checks)
    results = await asyncio.gather(*(_run_check(checks[name]) for name in names))
    outcome = dict(zip(names, results, strict=True))
    ready = all(results)
    return web.json_response(
        {"status": "ready" if ready else "not ready", "checks": outcome},
        status=200 if ready else 503,
    )


async def _metrics(request: web.Request) -> web.Response:
    body = request.app[_METRICS_KEY].render()
    return web.Response(
        text=body,
        content_type=PROMETHEUS_CONTENT_TYPE,
        headers={"X-Prometheus-Version": PROMETHEUS_VERSION},
    )


def build_web_app(
    *,
    metrics: Metrics,
    readiness: Mapping[str, ReadinessCheck] | None = None,
) -> web.Application:
    """An aiohttp application serving /healthz, /readyz and /metrics.

    Adapters add their own routes (Slack HTTP mode adds /slack/events) before the server starts.
    /readyz is 200 when every check in `readiness` returns True within READINESS_TIMEOUT_S, and
    503 otherwise; more checks may be added with `add_readiness_check` until the app starts.
    """
    app = web.Application()
    app[_METRICS_KEY] = metrics
    app[_CHECKS_KEY] = dict(readiness or {})
    app[_STARTED_KEY] = time.monotonic()
    app.router.add_get(HEALTH_PATH, _healthz)
    app.router.add_get(READY_PATH, _readyz)
    app.router.add_get(METRICS_PATH, _metrics)
    return app


def add_readiness_check(app: web.Application, name: str, check: ReadinessCheck) -> None:
    """Register one more readiness check on an app built by `build_web_app`."""
    app[_CHECKS_KEY][name] = check


class WebServer:
    """Serve an aiohttp application on host:port for the duration of an `async with` block.

    Port 0 picks a free port; `port` and `url` then tell which one. A port that cannot be
    bound (in use, not allowed) raises ConfigError, one line for the operator.
    """

    def __init__(self, app: web.Application, *, host: str, port: int) -> None:
        self._app = app
        self._host = host
        self._requested_port = port
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the server is not running")
        return self._port

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self._host in ("0.0.0.0", "") else self._host
        return f"http://{host}:{self.port}"

    async def __aenter__(self) -> WebServer:
        runner = web.AppRunner(
            self._app, access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT_S
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._requested_port)
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            # Mostly "address already in use": another claimwatch, or another service.
            raise ConfigError(
                f"cannot serve on {self._host}:{self._requested_port}: "
                f"{exc.strerror or exc}; stop what uses the port or choose another with --port"
            ) from exc
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        self._port = int(address[1])
        log.info("web server listening on %s:%d", self._host, self._port)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._port = None
