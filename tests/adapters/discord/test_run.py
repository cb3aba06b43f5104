"""`run()`, the `claimwatch run discord` entry point: one clear line for each setup mistake."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.discord import EXIT_SETUP, EXIT_UNREACHABLE, TOKEN_ENV, run
from bot.core.factbase import FactBase
from bot.core.service import ClaimwatchService
from bot.storage.memory import MemoryStore
from tests.adapters.discord.fake_discord import FakeDiscord


def never_called() -> ClaimwatchService:
    raise AssertionError("the service must not be built when the token is missing")


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, f"expected one line on stderr, got: {err!r}"
    assert "Traceback" not in err
    return err


def test_missing_token(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert run(token=None, service_factory=never_called) == EXIT_SETUP
    line = one_line(capsys)
    assert line.startswith("claimwatch: error: no Discord bot token") and TOKEN_ENV in line


def test_shard_ids_need_a_shard_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(token="x", service_factory=never_called, shard_ids=[0]) == EXIT_SETUP
    assert "--shard-count" in one_line(capsys)
    for shard_ids, shard_count in (([2], 2), ([-1], 2), ([1, 1], 2)):
        assert (
            run(
                token="x",
                service_factory=never_called,
                shard_ids=shard_ids,
                shard_count=shard_count,
            )
            == EXIT_SETUP
        )
        assert "between 0 and shard count - 1, each given once" in one_line(capsys)
    assert run(token="x", service_factory=never_called, shard_count=0) == EXIT_SETUP
    assert "--shard-count must be at least 1" in one_line(capsys)


async def run_in_thread(token: str | None, factbase: FactBase) -> int:
    # run() owns its event loop (asyncio.run), so it runs beside the fake's loop.
    def factory() -> ClaimwatchService:
        return ClaimwatchService(factbase=factbase, store=MemoryStore())

    return await asyncio.to_thread(run, token=token, service_factory=factory)


async def test_bad_token(
    fake: FakeDiscord, factbase: FactBase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_in_thread("not-the-token", factbase) == EXIT_SETUP
    line = one_line(capsys)
    assert "Discord rejected the bot token" in line and "Reset Token" in line


async def test_token_from_the_environment(
    fake: FakeDiscord,
    factbase: FactBase,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The right token from the environment gets past login; the intent check then stops it.
    fake.message_content_intent = False
    monkeypatch.setenv(TOKEN_ENV, fake.token)
    assert await run_in_thread(None, factbase) == EXIT_SETUP
    assert "Message Content" in one_line(capsys)


async def test_missing_message_content_intent(
    fake: FakeDiscord, factbase: FactBase, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.message_content_intent = False
    assert await run_in_thread(f"Bot {fake.token}", factbase) == EXIT_SETUP  # pasted with prefix
    line = one_line(capsys)
    assert "Message Content intent is off" in line and "Developer Portal" in line
    assert fake.identifies and fake.commands  # it got as far as Discord lets it


async def test_discord_out_of_reach(
    fake: FakeDiscord, factbase: FactBase, capsys: pytest.CaptureFixture[str]
) -> None:
    await fake.close()  # nothing listens on its port any more
    # Not EXIT_SETUP: supervisors retry this one (deploy/systemd: RestartPreventExitStatus=2).
    assert await run_in_thread(fake.token, factbase) == EXIT_UNREACHABLE != EXIT_SETUP
    line = one_line(capsys)
    assert line.startswith("claimwatch: error: cannot reach Discord (") and "network" in line
