"""What only the SQL store has to show: where it keeps its file, which URLs it takes, what its
rows hold (hashes, not user ids; settings that differ from the defaults) and how it reads rows
written by another version."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.core.factbase import FactBase
from bot.core.models import GuildConfig, IncomingMessage, ReplyMode
from bot.core.ports import AuditRecord
from bot.core.service import ClaimwatchService
from bot.errors import ConfigError, StorageError
from bot.storage import SQLITE_FILE, SqlStore, open_store
from bot.storage._tables import guild_configs, metadata
from bot.storage.sql import CONFIG_UPGRADES, SWEEP_LOCK_ID, database_url
from tests.storage.conftest import admin_connection, postgres_url, store_factory

PLATFORM = "slack"
SERVER = "T0001"
CLAIM = "Zelensky is a dictator who cancelled the elections"
AUTHOR = "U-author-4711"
VOTER = "U-voter-0815"


async def test_the_default_is_a_sqlite_file_created_in_the_data_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "not" / "yet" / "there"

    store = await open_store(None, data_dir=data_dir)
    try:
        await store.set_config(PLATFORM, SERVER, GuildConfig(language="uk"))
    finally:
        await store.aclose()

    assert (data_dir / SQLITE_FILE).is_file()
    async with await open_store("", data_dir=data_dir) as again:
        assert (await again.get_config(PLATFORM, SERVER)).language == "uk"


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u:p@db.example/claimwatch", "postgresql+asyncpg"),
        ("postgres://u@db.example/claimwatch", "postgresql+asyncpg"),
        ("postgresql+asyncpg://u@db.example/claimwatch", "postgresql+asyncpg"),
        ("sqlite:///var/lib/claimwatch/db.sqlite3", "sqlite+aiosqlite"),
    ],
)
def test_database_urls_get_the_async_driver(url: str, driver: str, tmp_path: Path) -> None:
    assert database_url(url, data_dir=tmp_path).drivername == driver


@pytest.mark.parametrize(
    "url",
    [
        "mysql://u@db/claimwatch",
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql+psycopg://u@h/d",
        "::",
    ],
)
async def test_a_database_url_claimwatch_cannot_use_is_a_config_error(
    url: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        await open_store(url, data_dir=tmp_path)


async def test_an_unreachable_database_is_a_storage_error_without_the_password(
    tmp_path: Path,
) -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    with pytest.raises(StorageError) as caught:
        await open_store("postgresql://claimwatch:s3cret@127.0.0.1:1/claimwatch", data_dir=tmp_path)

    assert "127.0.0.1:1" in str(caught.value)
    assert "s3cret" not in str(caught.value)


async def _all_stored_text(store: SqlStore) -> str:
    async with store.engine.connect() as conn:
        rows = [
            repr(tuple(row))
            for table in metadata.sorted_tables
            for row in await conn.execute(sa.select(table))
        ]
    return "\n".join(rows)


async def test_authors_and_voters_are_stored_only_as_salted_hashes(
    sql_store: SqlStore, factbase: FactBase
) -> None:
    service = ClaimwatchService(factbase=factbase, store=sql_store)
    await service.update_config(PLATFORM, SERVER, monitored_channels=["C1"])

    def msg(message_id: str) -> IncomingMessage:
        return IncomingMessage(
            platform=PLATFORM,
            server_id=SERVER,
            channel_id="C1",
            message_id=message_id,
            author_id=AUTHOR,
            text=CLAIM,
        )

    decision = await service.on_message(msg("1.0"))
    await service.record_reply(decision, reply_id="1.1", reply_channel_id="C1")
    assert await service.record_feedback(
        platform=PLATFORM, server_id=SERVER, reply_id="1.1", user_id=VOTER, vote="helpful"
    )
    # Two queue items, one approved (and answered) and one dismissed.
    await service.update_config(PLATFORM, SERVER, reply_mode="moderators-only", claim_cooldown_s=0)
    items = [(await service.on_message(msg(f"{n}.0"))).queue_id for n in (2, 3)]
    assert None not in items
    approved = await service.approve(str(items[0]), moderator="M1")
    assert approved is not None and approved.message.author_id == AUTHOR
    await service.record_reply(approved, reply_id="2.1", reply_channel_id="C1")
    assert await service.dismiss(str(items[1]), moderator="M1")

    stored = await _all_stored_text(sql_store)

    assert "1.1" in stored and "2.1" in stored  # the replies are there ...
    assert AUTHOR not in stored and VOTER not in stored  # ... their people are not
    assert CLAIM not in stored  # nor the message text, without the server's opt-in
    # forget_user still finds the approved reply by its author's hash.
    await service.forget_user(PLATFORM, AUTHOR)
    assert "2.1" not in await _all_stored_text(sql_store)


async def test_only_settings_that_differ_from_the_defaults_are_stored(sql_store: SqlStore) -> None:
    await sql_store.set_config(PLATFORM, SERVER, GuildConfig(language="ru", retention_days=30))

    async with sql_store.engine.connect() as conn:
        row = (await conn.execute(sa.select(guild_configs))).one()

    assert row.schema_version == GuildConfig.SCHEMA_VERSION
    assert row.settings == {"language": "ru", "retention_days": 30}


async def _store_raw(store: SqlStore, version: int, settings: dict[str, object]) -> None:
    async with store.engine.begin() as conn:
        await conn.execute(
            sa.insert(guild_configs).values(
                platform=PLATFORM,
                server_id=SERVER,
                schema_version=version,
                settings=settings,
                updated_at=dt.datetime.now(dt.UTC),
            )
        )


async def test_a_stored_value_out_of_todays_bounds_falls_back_to_its_default(
    sql_store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    await _store_raw(
        sql_store,
        GuildConfig.SCHEMA_VERSION,
        {"language": "uk", "alert_threshold": 10, "gone": True},
    )

    with caplog.at_level(logging.WARNING):
        config = await sql_store.get_config(PLATFORM, SERVER)

    assert config == GuildConfig(language="uk")
    assert "alert_threshold" in caplog.text and "gone" in caplog.text


async def test_an_older_configuration_is_upgraded_when_read_and_stored_as_current(
    sql_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A release that renames `language` to `reply_language` (say) bumps the version and registers
    # an upgrade; records written before it are read through the upgrade.
    current = GuildConfig.SCHEMA_VERSION
    monkeypatch.setattr(GuildConfig, "SCHEMA_VERSION", current + 1)

    def rename(values: dict[str, object]) -> dict[str, object]:
        values = dict(values)
        values["language"] = values.pop("reply_language", "en")
        return values

    monkeypatch.setitem(CONFIG_UPGRADES, current, rename)
    await _store_raw(sql_store, current, {"reply_language": "ru", "retention_days": 30})

    assert await sql_store.get_config(PLATFORM, SERVER) == GuildConfig(
        language="ru", retention_days=30
    )
    await sql_store.update_config(PLATFORM, SERVER, lambda config: config)
    async with sql_store.engine.connect() as conn:
        row = (await conn.execute(sa.select(guild_configs))).one()
    assert (row.schema_version, row.settings) == (
        current + 1,
        {"language": "ru", "retention_days": 30},
    )


@pytest.mark.parametrize("version", [1, 2])
async def test_thresholds_stored_on_an_older_scale_follow_the_calibrated_default_again(
    sql_store: SqlStore, version: int
) -> None:
    # Older thresholds were on another score scale: 82 meant "stricter than 80", which on today's
    # scale would be more eager than the default of 85.
    others: dict[str, object] = {
        "language": "uk",
        "retention_days": 30,
        "monitored_channels": ["C1", "C2"],
        "log_channel": "C9",
        "reply_mode": "reply",
        "store_message_text": True,
        "channel_cooldown_s": 60,
    }
    await _store_raw(
        sql_store, version, {**others, "alert_threshold": 82.0, "suggest_threshold": 62.0}
    )

    config = await sql_store.get_config(PLATFORM, SERVER)

    assert (config.alert_threshold, config.suggest_threshold) == (None, None)
    assert config == GuildConfig(
        language="uk",
        retention_days=30,
        monitored_channels=frozenset({"C1", "C2"}),
        log_channel="C9",
        reply_mode=ReplyMode.REPLY,
        store_message_text=True,
        channel_cooldown_s=60,
    )
    # Its next change stores it as current, thresholds gone, the rest as it was.
    await sql_store.update_config(PLATFORM, SERVER, lambda current: current)
    async with sql_store.engine.connect() as conn:
        row = (await conn.execute(sa.select(guild_configs))).one()
    assert row.schema_version == GuildConfig.SCHEMA_VERSION
    assert "alert_threshold" not in row.settings and "suggest_threshold" not in row.settings
    assert row.settings["monitored_channels"] == ["C1", "C2"]


async def test_a_threshold_set_on_todays_scale_is_kept(sql_store: SqlStore) -> None:
    await _store_raw(
        sql_store, GuildConfig.SCHEMA_VERSION, {"alert_threshold": 90.0, "suggest_threshold": 70.0}
    )

    config = await sql_store.get_config(PLATFORM, SERVER)

    assert (config.alert_threshold, config.suggest_threshold) == (90.0, 70.0)


def test_the_settings_reference_says_what_each_config_upgrade_did() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "settings.md").read_text("utf-8")

    assert f"(currently {GuildConfig.SCHEMA_VERSION})" in text
    assert sorted(CONFIG_UPGRADES) == list(range(1, GuildConfig.SCHEMA_VERSION))
    for old in CONFIG_UPGRADES:
        assert f"**{old} → {old + 1}**" in text, old
    assert "resets `alert_threshold` and `suggest_threshold`" in text


async def test_a_configuration_from_a_newer_claimwatch_is_refused(sql_store: SqlStore) -> None:
    await _store_raw(sql_store, GuildConfig.SCHEMA_VERSION + 1, {})

    with pytest.raises(StorageError, match="newer"):
        await sql_store.get_config(PLATFORM, SERVER)


@pytest.mark.postgres
async def test_while_one_replica_sweeps_on_postgresql_the_others_skip(tmp_path: Path) -> None:
    now = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    old = AuditRecord(
        platform=PLATFORM,
        server_id=SERVER,
        channel_id="C1",
        message_id="1.0",
        claim_id="zelensky-dictator",
        score=90.0,
        tier="alert",
        action="reply",
        at=now - dt.timedelta(days=GuildConfig().retention_days + 1),
    )
    async with store_factory("postgres", tmp_path) as open_sql_store:
        store = await open_sql_store()
        await store.audit(old)
        other_replica = await admin_connection(postgres_url())
        try:
            async with other_replica.transaction():
                await other_replica.execute("SELECT pg_advisory_xact_lock($1)", SWEEP_LOCK_ID)
                assert await store.sweep(now=now) == 0  # skipped, not waiting
                assert len(await store.audit_records(PLATFORM, SERVER)) == 1
        finally:
            await other_replica.close()

        assert await store.sweep(now=now) == 1
        assert await store.audit_records(PLATFORM, SERVER) == []
