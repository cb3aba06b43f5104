"""The process's HTTP face: liveness, readiness and Prometheus metrics on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.errors import ConfigError
from bot.web import (
    READINESS_TIMEOUT_S,
    Metrics,
    ReadinessCheck,
    WebServer,
    add_readiness_check,
    build_web_app,
)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def ready() -> bool:
    return True


async def not_ready() -> bool:
    return False


async def broken() -> bool:
    raise RuntimeError("database down")


async def hanging() -> bool:
    await asyncio.sleep(READINESS_TIMEOUT_S * 10)
    return True


async def get(
    session: aiohttp.ClientSession, app: web.Application, path: str
) -> tuple[int, str, str]:
    async with (
        WebServer(app, host="127.0.0.1", port=0) as server,
        session.get(server.url + path) as response,
    ):
        return response.status, response.content_type, await response.text()


async def test_healthz_answers_while_the_process_runs(session: aiohttp.ClientSession) -> None:
    app = build_web_app(metrics=Metrics(), readiness={"db": not_ready})

    status, content_type, body = await get(session, app, "/healthz")

    # Liveness ignores dependencies: a database blip must not get the pod restarted.
    assert status == 200
    assert content_type == "application/json"
    assert '"status": "ok"' in body


async def test_readyz_is_200_when_every_check_passes(session: aiohttp.ClientSession) -> None:
    app = build_web_app(metrics=Metrics(), readiness={"db": ready})
    add_readiness_check(app, "slack", ready)

    status, _, body = await get(session, app, "/readyz")

    assert status == 200
    assert '"db": true' in body and '"slack": true' in body


@pytest.mark.parametrize("failing", [not_ready, broken, hanging])
async def test_readyz_is_503_when_a_check_fails_raises_or_hangs(
    session: aiohttp.ClientSession, failing: ReadinessCheck, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The probe's patience, shortened: the hanging check must still time out, only sooner.
    monkeypatch.setattr("bot.web._server.READINESS_TIMEOUT_S", 0.05)
    app = build_web_app(metrics=Metrics(), readiness={"db": ready, "slack": failing})

    status, _, body = await get(session, app, "/readyz")

    assert status == 503
    assert '"slack": false' in body and '"db": true' in body


async def test_metrics_speak_the_prometheus_text_format(session: aiohttp.ClientSession) -> None:
    metrics = Metrics()
    events = metrics.counter("claimwatch_events_total", "Events, by outcome.")
    events.inc(outcome="accepted")
    events.inc(2, outcome="accepted")
    events.inc(outcome='dup"licate')
    app = build_web_app(metrics=metrics)

    status, content_type, body = await get(session, app, "/metrics")

    assert status == 200
    assert content_type == "text/plain"
    assert body.splitlines() == [
        "# HELP claimwatch_events_total Events, by outcome.",
        "# TYPE claimwatch_events_total counter",
        'claimwatch_events_total{outcome="accepted"} 3',
        'claimwatch_events_total{outcome="dup\\"licate"} 1',
    ]


def test_counters_only_go_up_and_names_are_checked() -> None:
    metrics = Metrics()
    counter = metrics.counter("claimwatch_x_total", "x")

    assert metrics.counter("claimwatch_x_total", "again") is counter
    with pytest.raises(ValueError, match="only goes up"):
        counter.inc(-1)
    with pytest.raises(ValueError, match="invalid metric name"):
        metrics.counter("bad name", "x")
    with pytest.raises(ValueError, match="invalid label name"):
        counter.inc(**{"bad-label": "x"})


async def test_the_server_stops_listening_when_the_block_ends(
    session: aiohttp.ClientSession,
) -> None:
    async with WebServer(build_web_app(metrics=Metrics()), host="127.0.0.1", port=0) as server:
        url = server.url

    with pytest.raises(aiohttp.ClientConnectionError):
        async with session.get(url + "/healthz"):
            pass
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.port


async def test_a_port_in_use_is_one_clear_error() -> None:
    async with WebServer(build_web_app(metrics=Metrics()), host="127.0.0.1", port=0) as first:
        second = WebServer(build_web_app(metrics=Metrics()), host="127.0.0.1", port=first.port)
        with pytest.raises(
            ConfigError, match=rf"cannot serve on 127\.0\.0\.1:{first.port}: .*--port"
        ):
            await second.__aenter__()
