"""Several bot processes on one database: however their work interleaves, a message gets one
answer, a queue item one verdict, and no moderator's change is lost.

Each test runs two services on two stores with their own engines and connection pools (in memory:
one shared store), and fires the same work at both with asyncio.gather, so only the database can
settle who wins. A store that reads and then writes (SELECT, then INSERT) fails them on both
engines. The last test races two real bot processes.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from bot.core.factbase import FactBase
from bot.core.models import Action, GuildConfig, IncomingMessage
from bot.core.service import ClaimwatchService
from bot.storage.sql import SqlStore
from tests.storage.conftest import ROOT, OpenStore, data_dir_of, process_env

PLATFORM = "discord"
SERVER = "guild-1"
CHANNEL = "general"
CLAIM = "Zelensky is a dictator who cancelled the elections"
DELIVERIES = 24  # the same message, delivered this many times across both processes
PROCESS_TIMEOUT_S = 120  # guards against a hang only; a healthy run takes a few seconds


@pytest.fixture
async def services(open_store: OpenStore, factbase: FactBase) -> list[ClaimwatchService]:
    return [
        ClaimwatchService(factbase=factbase, store=await open_store()),
        ClaimwatchService(factbase=factbase, store=await open_store()),
    ]


def message(message_id: str, author: str = "user-1") -> IncomingMessage:
    return IncomingMessage(
        platform=PLATFORM,
        server_id=SERVER,
        channel_id=CHANNEL,
        message_id=message_id,
        author_id=author,
        text=CLAIM,
    )


async def test_the_same_message_raced_through_two_processes_gets_one_reply(
    services: list[ClaimwatchService],
) -> None:
    await services[0].update_config(PLATFORM, SERVER, monitored_channels=[CHANNEL])

    decisions = await asyncio.gather(
        *(services[n % 2].on_message(message("m1")) for n in range(DELIVERIES))
    )

    actions = Counter(d.action for d in decisions)
    assert actions == {Action.REPLY: 1, Action.IGNORE: DELIVERIES - 1}
    assert {d.reason for d in decisions if d.action is Action.IGNORE} == {"duplicate delivery"}
    assert (await services[1].stats(PLATFORM, SERVER)).alerts == 1


async def test_different_messages_of_one_claim_raced_get_one_reply_under_cooldowns(
    services: list[ClaimwatchService],
) -> None:
    await services[0].update_config(PLATFORM, SERVER, monitored_channels=[CHANNEL])

    decisions = await asyncio.gather(
        *(services[n % 2].on_message(message(f"m{n}", f"user-{n}")) for n in range(DELIVERIES))
    )

    assert Counter(d.action for d in decisions)[Action.REPLY] == 1
    assert {d.reason for d in decisions if d.action is Action.IGNORE} == {"cooldown"}


async def test_a_claim_raced_through_two_processes_reaches_the_moderators_once(
    services: list[ClaimwatchService],
) -> None:
    await services[0].update_config(
        PLATFORM, SERVER, monitored_channels=[CHANNEL], reply_mode="moderators-only"
    )

    decisions = await asyncio.gather(
        *(services[n % 2].on_message(message(f"m{n}", f"user-{n}")) for n in range(DELIVERIES))
    )

    assert Counter(d.action for d in decisions)[Action.SUGGEST] == 1
    assert len(await services[1].pending(PLATFORM, SERVER)) == 1


async def test_two_moderators_approving_at_once_give_one_reply(
    services: list[ClaimwatchService],
) -> None:
    await services[0].update_config(
        PLATFORM, SERVER, monitored_channels=[CHANNEL], reply_mode="moderators-only"
    )
    queued = await services[0].on_message(message("m1"))
    assert queued.queue_id is not None

    results = await asyncio.gather(
        *(services[n % 2].approve(queued.queue_id, moderator=f"mod-{n}") for n in range(8)),
        *(services[n % 2].dismiss(queued.queue_id, moderator=f"mod-{n}") for n in range(8)),
    )

    approvals = [r for r in results[:8] if r is not None]
    dismissals = [r for r in results[8:] if r]
    assert len(approvals) + len(dismissals) == 1
    stats = await services[1].stats(PLATFORM, SERVER)
    assert stats.approved + stats.dismissed == 1


async def test_concurrent_changes_to_different_settings_are_all_kept(
    services: list[ClaimwatchService],
) -> None:
    changes = [
        {"language": "uk"},
        {"reply_mode": "reply"},
        {"retention_days": 30},
        {"log_channel": "mod-log"},
        {"store_message_text": True},
        {"user_cooldown_s": 60},
    ]

    await asyncio.gather(
        *(
            services[n % 2].update_config(PLATFORM, SERVER, **change)
            for n, change in enumerate(changes)
        )
    )

    config = await services[0].get_config(PLATFORM, SERVER)
    assert (config.language, config.reply_mode.value, config.retention_days) == ("uk", "reply", 30)
    assert (config.log_channel, config.store_message_text, config.user_cooldown_s) == (
        "mod-log",
        True,
        60,
    )


async def test_moderators_adding_channels_at_once_keep_every_channel(
    services: list[ClaimwatchService],
) -> None:
    channels = [f"channel-{n}" for n in range(8)]

    await asyncio.gather(
        *(
            services[n % 2].edit_list(PLATFORM, SERVER, "monitored_channels", add=[channel])
            for n, channel in enumerate(channels)
        )
    )
    await services[1].edit_list(PLATFORM, SERVER, "monitored_channels", remove=channels[:2])

    config = await services[0].get_config(PLATFORM, SERVER)
    assert config.monitored_channels == frozenset(channels[2:])


async def test_two_bot_processes_racing_one_message_reply_once(
    database: URL, tmp_path: Path
) -> None:
    async with await SqlStore.open(database) as store:
        await store.set_config(
            PLATFORM, SERVER, GuildConfig(monitored_channels=frozenset({CHANNEL}))
        )
    go = tmp_path / "go"
    env = process_env(database, data_dir_of(database, tmp_path))
    processes = [
        await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "tests.storage.race_process", str(go), str(DELIVERIES // 2)),
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            line = await asyncio.wait_for(process.stdout.readline(), PROCESS_TIMEOUT_S)
            assert line == b"ready\n", line
        go.touch()  # both processes are up: start the race
        results = [
            await asyncio.wait_for(process.communicate(), PROCESS_TIMEOUT_S)
            for process in processes
        ]
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()

    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err.decode()
    decisions = Counter(tuple(decision) for out, _ in results for decision in json.loads(out))
    # The duplicates are recognised as such, not merely held back by a cooldown.
    assert decisions == {
        (Action.REPLY.value, "confident match"): 1,
        (Action.IGNORE.value, "duplicate delivery"): DELIVERIES - 1,
    }
