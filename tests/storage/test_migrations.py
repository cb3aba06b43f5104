"""Migrations: they build exactly the schema the code uses, on both engines, and several
processes starting at once (three replicas after a deploy) all come up on one migrated schema."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import URL, Connection

from bot.core.models import GuildConfig
from bot.errors import StorageError
from bot.storage import open_store
from bot.storage._tables import guild_configs, meta, metadata
from bot.storage.sql import SqlStore, create_engine, head_revision, upgrade
from tests.storage.conftest import ROOT, data_dir_of, process_env

PROCESSES = 3
UPGRADE_TIMEOUT_S = 120


def _differences(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), metadata))


async def test_the_migrations_build_the_schema_the_code_uses(database: URL) -> None:
    engine = create_engine(database)
    try:
        assert await upgrade(engine) == head_revision()
        async with engine.connect() as conn:
            assert await conn.run_sync(_differences) == []
    finally:
        await engine.dispose()


async def test_upgrading_again_keeps_the_data_and_the_salt(database: URL) -> None:
    config = GuildConfig(language="uk", monitored_channels=frozenset({"c1"}))
    async with await SqlStore.open(database) as first:
        await first.set_config("discord", "g1", config)

    async with await SqlStore.open(database) as again:  # opening migrates: nothing left to do
        assert await again.get_config("discord", "g1") == config
        async with again.engine.connect() as conn:
            assert await conn.scalar(sa.select(sa.func.count()).select_from(meta)) == 1


async def test_a_database_of_the_first_release_is_upgraded_with_its_data(database: URL) -> None:
    engine = create_engine(database)
    try:
        assert await upgrade(engine, "0001") == "0001"
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(guild_configs).values(
                    platform="discord",
                    server_id="g1",
                    schema_version=1,
                    settings={"language": "uk"},
                    updated_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
                )
            )
    finally:
        await engine.dispose()

    async with await SqlStore.open(database) as store:
        assert (await store.get_config("discord", "g1")).language == "uk"
        async with store.engine.connect() as conn:
            assert await conn.run_sync(_differences) == []


async def test_an_unmigrated_database_is_refused_when_upgrades_are_off(database: URL) -> None:
    with pytest.raises(StorageError, match="claimwatch db upgrade"):
        await SqlStore.open(database, upgrade_schema=False)


async def test_a_database_migrated_by_a_newer_claimwatch_is_refused_with_the_reason(
    database: URL,
) -> None:
    engine = create_engine(database)
    try:
        await upgrade(engine)
        async with engine.begin() as conn:
            await conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))

        with pytest.raises(StorageError, match=r"newer claimwatch .* upgrade claimwatch"):
            await upgrade(engine)
    finally:
        await engine.dispose()


async def test_several_processes_upgrading_at_once_all_succeed(
    database: URL, tmp_path: Path
) -> None:
    # The SQLite default lives in the data directory: the processes find it through the setting.
    data_dir = data_dir_of(database, tmp_path)
    env = process_env(database, data_dir)

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "db", "upgrade"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            check=False,
            timeout=UPGRADE_TIMEOUT_S,
        )

    results = await asyncio.gather(*(asyncio.to_thread(run) for _ in range(PROCESSES)))

    for result in results:
        assert result.returncode == 0, result.stderr
        assert f"revision {head_revision()}" in result.stdout
    store = await open_store(
        env.get("DATABASE_URL"), data_dir=data_dir, upgrade=False
    )  # schema current: no upgrade needed
    try:
        async with store.engine.connect() as conn:
            assert await conn.scalar(sa.select(sa.func.count()).select_from(meta)) == 1
            assert await conn.run_sync(_differences) == []
    finally:
        await store.aclose()
