"""The console replay: a channel shown as a chat would show it, with the bot's replies under the
messages they answer, the moderators' queue, and one approval."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from bot.adapters.console import (
    DEMO_MODERATOR,
    DEMO_PLATFORM,
    DEMO_SERVER,
    demo_config,
    replay,
    sample_channel_path,
)
from bot.core.factbase import FactBase, load_bundled
from bot.core.models import ReplyMode
from bot.core.service import ClaimwatchService
from bot.errors import InputFormatError
from bot.storage.memory import MemoryStore

CHANNEL_FILE = Path(__file__).resolve().parent.parent / "data" / "console_channel.jsonl"
CLAIM = "Zelensky is a dictator who cancelled the elections"
OTHER_CLAIM = "The US runs secret biolabs in Ukraine, everyone knows it"
CHATTER = "I had pizza for dinner"
CONSOLE_WIDTH = 120


@pytest.fixture(scope="module")
def factbase() -> FactBase:
    return load_bundled()


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def service(factbase: FactBase, store: MemoryStore) -> ClaimwatchService:
    return ClaimwatchService(factbase=factbase, store=store)


def console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=CONSOLE_WIDTH, color_system=None), buffer


def lines_of(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


async def test_replies_appear_right_under_the_claims_they_answer(
    service: ClaimwatchService,
) -> None:
    out, buffer = console()

    report = await replay(CHANNEL_FILE, service=service, console=out)

    text = buffer.getvalue()
    assert report.messages == len(lines_of(CHANNEL_FILE))
    assert report.replies == 2  # the two claims; not chatter, the debunk or the bot
    assert report.suggestions == 0
    assert report.approved == 0
    claim_at = text.index(f"boris: {CLAIM}")
    reply_at = text.index("Fact check · Misleading")
    next_at = text.index(f"carla: {CHATTER}")
    assert claim_at < reply_at < next_at
    assert text.index(f"boris: {OTHER_CLAIM}") < text.index("Fact check · False")
    assert "Confidence" in text
    assert "https://zakon.rada.gov.ua/laws/show/389-19" in text  # sources cited
    assert "queue: empty" in text


async def test_a_ukrainian_demo_server_gets_ukrainian_replies_with_the_curated_text(
    service: ClaimwatchService,
) -> None:
    out, buffer = console()

    report = await replay(
        CHANNEL_FILE, service=service, console=out, config=demo_config(language="uk")
    )

    text = buffer.getvalue()
    assert report.replies == 2
    assert text.index(f"boris: {CLAIM}") < text.index("Перевірка фактів · Вводить в оману")
    assert "Перевірка фактів · Неправда" in text
    assert "Джерела" in text and "Впевненість " in text and "станом на 20" in text
    assert "martial law" in text  # the fact base's context, as curated
    for english in ("Fact check", "Sources", "Confidence", "as of"):
        assert english not in text


async def test_message_text_is_shown_literally(service: ClaimwatchService) -> None:
    out, buffer = console()

    await replay(CHANNEL_FILE, service=service, console=out)

    assert "[bold]see you[/bold]" in buffer.getvalue()  # chat text is not rich markup


async def test_the_replay_configures_a_monitored_demo_server(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    await replay(CHANNEL_FILE, service=service, console=console()[0])

    config = await store.get_config(DEMO_PLATFORM, DEMO_SERVER)
    assert config == demo_config()
    assert config.monitored_channels and config.log_channel
    assert {record.platform for record in store.audit_log} == {DEMO_PLATFORM}


async def test_the_queue_is_shown_its_best_item_approved_and_its_weakest_dismissed(
    service: ClaimwatchService, store: MemoryStore
) -> None:
    out, buffer = console()
    config = replace(demo_config(), reply_mode=ReplyMode.MODERATORS_ONLY)
    scores = {
        service.check(line["text"]).claim_id: service.check(line["text"]).score
        for line in map(json.loads, CHANNEL_FILE.read_text(encoding="utf-8").splitlines())
    }
    best, weakest = sorted(("zelensky-dictator", "us-biolabs"), key=scores.__getitem__)[::-1]

    report = await replay(CHANNEL_FILE, service=service, console=out, config=config)

    text = buffer.getvalue()
    assert (report.replies, report.suggestions, report.approved) == (0, 2, 1)
    queue_at = text.index("Moderators' queue")
    assert "zelensky-dictator" in text[queue_at:]
    assert "us-biolabs" in text[queue_at:]
    approved_at = text.index(f"{DEMO_MODERATOR} approved")
    assert queue_at < approved_at < text.index("Fact check ·", approved_at)
    assert f"{DEMO_MODERATOR} dismissed" in text[approved_at:]
    assert await store.pending("console", "demo") == []
    resolved = [r for r in store.audit_log if r.actor == DEMO_MODERATOR]
    assert [(r.claim_id, r.action) for r in resolved] == [
        (best, "approved"),
        (weakest, "dismissed"),
    ]


async def test_a_missing_channel_file_is_an_input_error(
    service: ClaimwatchService, tmp_path: Path
) -> None:
    with pytest.raises(InputFormatError):
        await replay(tmp_path / "nope.jsonl", service=service, console=console()[0])


async def test_the_bundled_sample_channel_replays(service: ClaimwatchService) -> None:
    path = sample_channel_path()
    out, buffer = console()

    report = await replay(path, service=service, console=out)

    assert report.messages == len(lines_of(path))
    assert report.replies + report.suggestions > 0
    assert report.approved == (1 if report.suggestions else 0)
    assert "Fact check · " in buffer.getvalue()
