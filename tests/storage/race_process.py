"""One bot process of the cross-process race (tests/storage/test_race.py): opens the store that
DATABASE_URL names (the SQLite default under CLAIMWATCH_DATA_DIR when unset), says "ready", waits
for the go file, then handles the same message several times at once and prints the decisions
as JSON [action, reason] pairs.

    python -m tests.storage.race_process GO_FILE DELIVERIES
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from bot.core.factbase import load_bundled
from bot.core.models import IncomingMessage
from bot.core.service import ClaimwatchService
from bot.storage import open_store

GO_POLL_S = 0.005
MESSAGE = IncomingMessage(
    platform="discord",
    server_id="guild-1",
    channel_id="general",
    message_id="m1",
    author_id="user-1",
    text="Zelensky is a dictator who cancelled the elections",
)


async def main(go_file: Path, deliveries: int) -> None:
    data_dir = Path(os.environ["CLAIMWATCH_DATA_DIR"])
    async with await open_store(os.environ.get("DATABASE_URL"), data_dir=data_dir) as store:
        service = ClaimwatchService(factbase=load_bundled(), store=store)
        # Warm up first, so that the race is not decided by who opened connections or built the
        # matcher's lazy parts sooner: a connection per delivery, and one match.
        await asyncio.gather(*(service.get_config("discord", "guild-1") for _ in range(deliveries)))
        service.check(MESSAGE.text)
        print("ready", flush=True)
        while not go_file.exists():  # every process starts the race at the same moment
            await asyncio.sleep(GO_POLL_S)
        decisions = await asyncio.gather(*(service.on_message(MESSAGE) for _ in range(deliveries)))
    print(json.dumps([(d.action.value, d.reason) for d in decisions]), flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
