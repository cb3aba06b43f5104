"""The process's HTTP face: /healthz, /readyz and /metrics on one aiohttp server.

Slack HTTP mode mounts /slack/events (and the OAuth pages) on the same application, so one port
serves probes, metrics and Slack.
"""

from bot.web._metrics import Counter, Metrics
from bot.web._server import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    HEALTH_PATH,
    METRICS_PATH,
    READINESS_TIMEOUT_S,
    READY_PATH,
    ReadinessCheck,
    WebServer,
    add_readiness_check,
    build_web_app,
)

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "HEALTH_PATH",
    "METRICS_PATH",
    "READINESS_TIMEOUT_S",
    "READY_PATH",
    "Counter",
    "Metrics",
    "ReadinessCheck",
    "WebServer",
    "add_readiness_check",
    "build_web_app",
]
