"""The Slack Web API client claimwatch uses: a configurable base URL and retries we chose."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

__all__ = [
    "MAX_RATE_LIMIT_RETRIES",
    "MAX_RETRY_AFTER_S",
    "WEB_API_TIMEOUT_S",
    "RetryAfterHandler",
    "build_web_client",
]

log = logging.getLogger(__name__)

WEB_API_TIMEOUT_S = 30
# Slack's Tier 3/4 methods recover within a minute; a longer Retry-After means the bot is
# misbehaving (or the workspace is), and a listener should fail rather than hang for minutes.
MAX_RETRY_AFTER_S = 60
MAX_RATE_LIMIT_RETRIES = 3
# Several replicas rate-limited together should not all come back in the same millisecond.
RETRY_JITTER_S = 0.25
CONNECTION_RETRIES = 2
# A reset connection is usually fine on the next try; no need for slack_sdk's 1-3 s backoff.
CONNECTION_RETRY_INTERVAL_S = 0.25
SERVER_ERROR_RETRIES = 2

Sleep = Callable[[float], Awaitable[None]]


class RetryAfterHandler(AsyncRetryHandler):
    """Retry HTTP 429 after the `Retry-After` seconds Slack asks for (plus a little jitter).

    slack_sdk's own handler has one retry and an unbounded wait; this one retries up to
    `max_retry_count` times and gives up on waits above `max_wait_s`.
    """

    def __init__(
        self,
        *,
        max_retry_count: int = MAX_RATE_LIMIT_RETRIES,
        max_wait_s: float = MAX_RETRY_AFTER_S,
        jitter_s: float = RETRY_JITTER_S,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait_s = max_wait_s
        self.jitter_s = jitter_s
        self._sleep = sleep

    @staticmethod
    def retry_after(response: HttpResponse | None) -> float | None:
        """The wait Slack asked for, in seconds; None when the response is no 429."""
        if response is None or response.status_code != 429:
            return None
        for name, values in response.headers.items():
            if name.lower() == "retry-after" and values:
                first = values[0] if isinstance(values, list) else values
                try:
                    return max(0.0, float(first))
                except ValueError:
                    break
        return 1.0  # a 429 without a usable header: Slack's documented minimum wait

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        wait = self.retry_after(response)
        if wait is None:
            return False
        if wait > self.max_wait_s:
            log.warning("Slack asked to wait %.0f s for %s; not retrying", wait, request.url)
            return False
        return True

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = self.retry_after(response) or 0.0
        state.next_attempt_requested = True
        log.info("rate limited on %s; retrying in %.1f s", request.url, wait)
        await self._sleep(wait + random.uniform(0, self.jitter_s))
        state.increment_current_attempt()


def retry_handlers(*, rate_limit: RetryAfterHandler | None = None) -> list[AsyncRetryHandler]:
    """Connection errors, 429 (after Retry-After) and 500/503, each a bounded number of times."""
    return [
        AsyncConnectionErrorRetryHandler(
            max_retry_count=CONNECTION_RETRIES,
            interval_calculator=FixedValueRetryIntervalCalculator(CONNECTION_RETRY_INTERVAL_S),
        ),
        rate_limit or RetryAfterHandler(),
        AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
    ]


def build_web_client(
    *,
    base_url: str,
    token: str | None,
    session: aiohttp.ClientSession | None = None,
    rate_limit: RetryAfterHandler | None = None,
    logger: logging.Logger | None = None,
) -> AsyncWebClient:
    """An AsyncWebClient on `base_url` with claimwatch's retry handlers.

    Bolt copies base URL, retry handlers and session into the client of every request, so the
    workspace clients of an OAuth app inherit them.
    """
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        timeout=WEB_API_TIMEOUT_S,
        session=session,
        retry_handlers=retry_handlers(rate_limit=rate_limit),
        logger=logger,
    )
