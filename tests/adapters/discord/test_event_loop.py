"""Slow work never holds the gateway's event loop: the bot keeps answering while it runs.

Each test makes one piece of work wait until the test releases it. Run on the event loop, that
work would stop the bot (and the fake Discord beside it) and the test would fail; run in a
worker thread, the bot answers another user meanwhile, and then finishes the slow work too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from bot.adapters.discord import ClaimwatchBot, _search
from bot.adapters.discord._search import EntryIndex
from bot.core.service import INLINE_MATCH_MAX_CHARS
from tests.adapters.discord.conftest import SpyService
from tests.adapters.discord.fake_discord import CHANNEL_MESSAGE, DEFAULT_WAIT_S, FakeDiscord

CLAIM = "the US gave Ukraine 350 billion dollars"
LONG_CLAIM = CLAIM + ". " + "and then we talked about the weather for a long while. " * 30


def held_until(release: threading.Event, work: Callable[..., Any]) -> Callable[..., Any]:
    """`work`, made to wait for `release` first (in whatever thread it is called)."""

    def held(*args: Any, **kwargs: Any) -> Any:
        if not release.wait(DEFAULT_WAIT_S):
            raise AssertionError("held on the event loop: nothing could release it")
        return work(*args, **kwargs)

    return held


async def answers_meanwhile(fake: FakeDiscord) -> None:
    """Another user's /factcheck is answered: the event loop is free."""
    interaction = await fake.slash("factcheck", member=fake.mallory, text="bucha was staged")
    answer = await fake.answer_to(interaction)
    assert answer["data"]["embeds"]


@pytest.fixture
def release() -> threading.Event:
    return threading.Event()


def hold_long_matches(
    monkeypatch: pytest.MonkeyPatch, service: SpyService, release: threading.Event
) -> None:
    matcher = service.matcher
    match = matcher.match
    held = held_until(release, match)
    monkeypatch.setattr(
        matcher,
        "match",
        lambda text, **kw: (
            held(text, **kw) if len(text) > INLINE_MATCH_MAX_CHARS else match(text, **kw)
        ),
    )


async def test_matching_a_long_message_does_not_stop_the_bot(
    fake: FakeDiscord,
    bot: ClaimwatchBot,
    service: SpyService,
    release: threading.Event,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hold_long_matches(monkeypatch, service, release)
    message = await fake.post(LONG_CLAIM)
    await answers_meanwhile(fake)
    assert fake.posted() == []  # the long message is still being matched
    release.set()
    (reply,) = await fake.wait_posted(1)
    assert fake.bot_messages(message["id"]) and reply["embeds"]


async def test_factcheck_of_a_long_text_does_not_stop_the_bot(
    fake: FakeDiscord,
    bot: ClaimwatchBot,
    service: SpyService,
    release: threading.Event,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert len(LONG_CLAIM) <= 2_000  # what /factcheck accepts
    hold_long_matches(monkeypatch, service, release)
    slow = await fake.slash("factcheck", member=fake.alice, text=LONG_CLAIM)
    await answers_meanwhile(fake)
    release.set()
    # Answered directly, or (when the work outlasted the deferral delay) deferred and followed up.
    (answer,) = await fake.wait_for(
        lambda: (
            slow.followups or [c["data"] for c in slow.callbacks if c["type"] == CHANNEL_MESSAGE]
        )
    )
    assert answer["embeds"][0]["title"] == "Fact check · False"


async def test_searching_a_large_fact_base_does_not_stop_the_bot(
    fake: FakeDiscord,
    bot: ClaimwatchBot,
    release: threading.Event,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The bundled fact base is small; pretend it is an imported feed of many thousand entries.
    monkeypatch.setattr(_search, "INLINE_SEARCH_MAX_ENTRIES", 1)
    monkeypatch.setattr(EntryIndex, "find", held_until(release, EntryIndex.find))
    typing = await fake.slash("facts search", member=fake.alice, focused="query", query="bucha")
    await answers_meanwhile(fake)
    release.set()
    choices = (await fake.answer_to(typing))["data"]["choices"]
    assert choices[0]["value"] == "bucha-staged"
