"""The Store on SQLAlchemy (async): SQLite through aiosqlite, PostgreSQL through asyncpg.

Every statement is SQLAlchemy that both engines understand (INSERT ... ON CONFLICT included);
races between processes are settled by the database: primary keys and conditional upserts for
dedupe and cooldowns, conditional UPDATEs for the queue, and row locks (PostgreSQL) or one writer
at a time (SQLite, `BEGIN IMMEDIATE`) for read-modify-write.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.core import policy
from bot.core.models import Decision, GuildConfig
from bot.core.ports import (
    QUEUE_PENDING,
    AuditRecord,
    QueueItem,
    ReplyRecord,
    ReplyRef,
    ServerStats,
)
from bot.errors import ConfigError, StorageError
from bot.storage._codec import decision_from_json, decision_to_json
from bot.storage._common import (
    ANSWERED,
    REPLIED,
    private_cooldown_key,
    server_prefix,
    server_stats,
    user_cooldown_suffix,
    user_hash,
    without_personal_data,
)
from bot.storage._tables import (
    SALT_KEY,
    audit_log,
    cooldowns,
    events,
    feedback,
    guild_configs,
    meta,
    queue,
    replies,
)

__all__ = [
    "CONFIG_UPGRADES",
    "MIGRATIONS_PATH",
    "SQLITE_BUSY_TIMEOUT_S",
    "SQLITE_FILE",
    "SqlStore",
    "create_engine",
    "current_revision",
    "database_url",
    "head_revision",
    "upgrade",
]

log = logging.getLogger(__name__)

MIGRATIONS_PATH = Path(__file__).resolve().parent / "migrations"
SQLITE_FILE = "claimwatch.sqlite3"  # under the data directory
SQLITE_DRIVER = "sqlite+aiosqlite"
POSTGRES_DRIVER = "postgresql+asyncpg"
# How long a SQLite writer waits for another process's write to finish before giving up.
SQLITE_BUSY_TIMEOUT_S = 30.0
# Pooled PostgreSQL connections are replaced after this long, before proxies or firewalls drop
# them as idle.
POOL_RECYCLE_S = 1800
# Any constants work as long as every claimwatch process uses the same ones ("claimw", "sweep").
MIGRATION_LOCK_ID = 0x636C61696D77
SWEEP_LOCK_ID = 0x7377656570
# No server keeps records for less than this, so younger rows need no look at the retention.
_MIN_RETENTION = dt.timedelta(days=policy.RETENTION_DAYS_MIN)
_DEFAULT_VALUES = policy.config_values(GuildConfig())
_READ_ONLY = "claimwatch_read_only"  # execution option of transactions that only read


class _Refused(Exception):
    """Rolls a transaction back on purpose (a cooldown was taken meanwhile)."""


# --- engines and migrations ----------------------------------------------------------------------


def database_url(url: str | None, *, data_dir: Path) -> URL:
    """The SQLAlchemy URL for `url` (None: the SQLite file under `data_dir`), async driver set.

    Accepts postgres://, postgresql://, postgresql+asyncpg://, sqlite:/// and
    sqlite+aiosqlite:/// URLs; anything else is a ConfigError.
    """
    if not url:
        return make_url(f"{SQLITE_DRIVER}:///{(data_dir / SQLITE_FILE).resolve()}")
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError("DATABASE_URL: not a database URL") from exc
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgres", "postgresql"):
        if driver not in ("", "asyncpg"):
            raise ConfigError("DATABASE_URL: PostgreSQL is used through asyncpg (postgresql://)")
        return parsed.set(drivername=POSTGRES_DRIVER)
    if backend == "sqlite":
        if driver not in ("", "aiosqlite"):
            raise ConfigError("DATABASE_URL: SQLite is used through aiosqlite (sqlite:///)")
        if parsed.database in (None, "", ":memory:"):
            raise ConfigError("DATABASE_URL: SQLite needs a file (sqlite:///path/to/file)")
        return parsed.set(drivername=SQLITE_DRIVER)
    raise ConfigError(f"DATABASE_URL: unsupported database {backend!r} (SQLite or PostgreSQL)")


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transactions out of the driver's hands so that `_on_sqlite_begin` can open them
    # (pysqlite would otherwise begin lazily and deferred).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL: readers never wait for the writer; NORMAL sync is durable enough in WAL mode.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock up front: a transaction that reads and then writes can
    # never meet another writer halfway (a deferred one would fail with "database is locked").
    # Readers need no lock in WAL mode.
    read_only = connection.get_execution_options().get(_READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def create_engine(url: URL, *, schema: str | None = None) -> AsyncEngine:
    """An async engine for `url` (from `database_url`).

    `schema` (PostgreSQL only) puts claimwatch's tables in that schema instead of `public`.
    """
    if url.get_backend_name() == "sqlite":
        if url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        sa.event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        sa.event.listen(engine.sync_engine, "begin", _on_sqlite_begin)
        return engine
    connect_args: dict[str, Any] = {}
    if schema is not None:
        connect_args["server_settings"] = {"search_path": schema}
    # No pre-ping (a round trip before every transaction): a connection the server dropped fails
    # one transaction, the pool then replaces it; recycling keeps idle ones from going stale.
    return create_async_engine(url, connect_args=connect_args, pool_recycle=POOL_RECYCLE_S)


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_PATH))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The schema revision this claimwatch needs."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None  # there is at least the initial revision
    return head


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The database's schema revision (None before the first upgrade)."""
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_current)
    except (SQLAlchemyError, OSError) as exc:
        raise StorageError(_describe(exc, engine.url)) from exc


async def upgrade(engine: AsyncEngine, revision: str = "head") -> str | None:
    """Migrate the database to `revision`; safe to run from several processes at once.

    PostgreSQL: the upgrade runs under a transaction-level advisory lock, so one process migrates
    while the others wait and then find nothing left to do. SQLite: the upgrade is one
    `BEGIN IMMEDIATE` transaction, which serialises the processes the same way.
    Returns the revision reached.
    """

    def run(connection: Connection) -> str | None:
        config = _alembic_config(connection)
        current = _current(connection)
        known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
        if current is not None and current not in known:
            # Alembic would only say it "can't locate revision": say who migrated it, and why.
            where = engine.url.render_as_string(hide_password=True)
            raise StorageError(
                f"database {where} is at schema revision {current}, which a newer claimwatch "
                f"made (this one knows up to {head_revision()}): upgrade claimwatch"
            )
        command.upgrade(config, revision)
        return _current(connection)

    try:
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK_ID)))
            return await conn.run_sync(run)
    except (SQLAlchemyError, OSError) as exc:
        raise StorageError(_describe(exc, engine.url)) from exc


def _describe(exc: BaseException, url: URL) -> str:
    where = url.render_as_string(hide_password=True)
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"database {where}: {type(exc).__name__}: {detail[0] if detail else ''}"


# --- configuration records -----------------------------------------------------------------------


def _thresholds_follow_calibration(values: dict[str, Any]) -> dict[str, Any]:
    """1 -> 2, 2 -> 3: the matcher's score changed scale (1 -> 2: it became a calibrated
    confidence; 2 -> 3: the model is fitted on every phrasing scored), so a threshold chosen on
    the old scale (82 to be stricter than the old alert default of 80) would now be more eager
    than the new default (85). Both thresholds go back to following the calibrated default."""
    return {k: v for k, v in values.items() if k not in ("alert_threshold", "suggest_threshold")}


# Upgrades of stored configurations, by the version they upgrade from: {1: upgrade_1_to_2, ...}.
# A release that bumps GuildConfig.SCHEMA_VERSION registers one here.
CONFIG_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _thresholds_follow_calibration,
    2: _thresholds_follow_calibration,
}


def _erase_texts(platform: str, server_id: str) -> sa.Update:
    """The statement that erases the message text a server's audit records keep."""
    return (
        sa.update(audit_log)
        .where(
            audit_log.c.platform == platform,
            audit_log.c.server_id == server_id,
            audit_log.c.text.is_not(None),
        )
        .values(text=None)
    )


def _encode_config(config: GuildConfig) -> dict[str, Any]:
    values = policy.config_values(config)
    return {k: v for k, v in values.items() if v != _DEFAULT_VALUES[k]}


def _decode_config(platform: str, server_id: str, version: int, settings: Any) -> GuildConfig:
    if version > GuildConfig.SCHEMA_VERSION:
        raise StorageError(
            f"configuration of {platform} server {server_id} has schema version {version}, "
            f"newer than this claimwatch ({GuildConfig.SCHEMA_VERSION}): upgrade claimwatch"
        )
    values = dict(settings) if isinstance(settings, dict) else {}
    for old in range(version, GuildConfig.SCHEMA_VERSION):
        values = CONFIG_UPGRADES[old](values)
    kept: dict[str, object] = {}
    for key, value in values.items():
        # A value the current bounds refuse (or a setting that no longer exists) falls back to
        # its default rather than taking the bot down for that server.
        try:
            kept.update(policy.parse_config_changes({key: value}))
        except ConfigError as exc:
            log.warning("%s server %s: stored setting ignored: %s", platform, server_id, exc)
    return replace(GuildConfig(), **kept)  # type: ignore[arg-type]


# --- the store -----------------------------------------------------------------------------------


class SqlStore:
    """The Store on a SQLAlchemy async engine. Build with `SqlStore.open` (or `open_store`);
    close with `aclose()` or `async with`."""

    def __init__(self, *, engine: AsyncEngine, salt: bytes) -> None:
        self._engine = engine
        self._salt = salt

    @classmethod
    async def open(
        cls, url: URL, *, upgrade_schema: bool = True, schema: str | None = None
    ) -> SqlStore:
        """Connect, migrate (unless `upgrade_schema` is False: then the schema must be current)
        and read the salt of user hashes. Raises StorageError when the database is unusable."""
        engine = create_engine(url, schema=schema)
        try:
            if upgrade_schema:
                await upgrade(engine)
            else:
                current, head = await current_revision(engine), head_revision()
                if current != head:
                    raise StorageError(
                        f"database schema is at revision {current or 'none'}, this claimwatch "
                        f"needs {head}: run `claimwatch db upgrade`"
                    )
            try:
                async with engine.connect() as conn:
                    salt = await conn.scalar(sa.select(meta.c.value).where(meta.c.key == SALT_KEY))
            except (SQLAlchemyError, OSError) as exc:
                raise StorageError(_describe(exc, engine.url)) from exc
            if salt is None:
                raise StorageError("database has no salt for user hashes: was it migrated?")
            return cls(engine=engine, salt=bytes.fromhex(salt))
        except BaseException:
            await engine.dispose()
            raise

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @asynccontextmanager
    async def _tx(self, *, read_only: bool = False) -> AsyncIterator[AsyncConnection]:
        """One transaction; `read_only` ones do not take SQLite's write lock."""
        try:
            async with self._engine.connect() as conn:
                if read_only and conn.dialect.name == "postgresql":
                    # A read needs no BEGIN and COMMIT round trips around it.
                    await conn.execution_options(isolation_level="AUTOCOMMIT")
                elif read_only:
                    await conn.execution_options(**{_READ_ONLY: True})
                async with conn.begin():
                    yield conn
        except (SQLAlchemyError, OSError) as exc:
            raise StorageError(_describe(exc, self._engine.url)) from exc

    def _hash(self, platform: str, user_id: str) -> str:
        return user_hash(self._salt, platform, user_id)

    @staticmethod
    def _insert(conn: AsyncConnection, table: sa.Table) -> Any:
        """INSERT with ON CONFLICT, which both engines understand; SQLAlchemy spells it per
        dialect (their constructs share one API)."""
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    async def _upsert(
        self, conn: AsyncConnection, table: sa.Table, key: dict[str, Any], values: dict[str, Any]
    ) -> None:
        """Insert the row, or update it where its primary key is taken: one statement."""
        insert = self._insert(conn, table).values(**key, **values)
        await conn.execute(insert.on_conflict_do_update(index_elements=list(key), set_=values))

    # --- configuration ---------------------------------------------------------------------

    async def get_config(self, platform: str, server_id: str) -> GuildConfig:
        async with self._tx(read_only=True) as conn:
            return await self._read_config(conn, platform, server_id)

    async def _read_config(
        self, conn: AsyncConnection, platform: str, server_id: str, *, lock: bool = False
    ) -> GuildConfig:
        query = sa.select(guild_configs.c.schema_version, guild_configs.c.settings).where(
            guild_configs.c.platform == platform, guild_configs.c.server_id == server_id
        )
        row = (await conn.execute(query.with_for_update() if lock else query)).first()
        if row is None:
            return GuildConfig()
        return _decode_config(platform, server_id, row.schema_version, row.settings)

    async def set_config(self, platform: str, server_id: str, config: GuildConfig) -> None:
        await self.update_config(platform, server_id, lambda _: config)

    async def update_config(
        self, platform: str, server_id: str, change: Callable[[GuildConfig], GuildConfig]
    ) -> GuildConfig:
        key = {"platform": platform, "server_id": server_id}
        async with self._tx() as conn:
            # The row must exist before it can be locked: otherwise two first changes of a server
            # would both start from the defaults and the later insert would drop the earlier one.
            await conn.execute(
                self._insert(conn, guild_configs)
                .values(
                    **key,
                    schema_version=GuildConfig.SCHEMA_VERSION,
                    settings={},
                    updated_at=dt.datetime.now(dt.UTC),
                )
                .on_conflict_do_nothing()
            )
            # FOR UPDATE holds other writers of this row on PostgreSQL (SQLite has one writer).
            config = change(await self._read_config(conn, platform, server_id, lock=True))
            await conn.execute(
                sa.update(guild_configs)
                .where(guild_configs.c.platform == platform, guild_configs.c.server_id == server_id)
                .values(
                    schema_version=GuildConfig.SCHEMA_VERSION,
                    settings=_encode_config(config),
                    updated_at=dt.datetime.now(dt.UTC),
                )
            )
            return config

    # --- dedupe and cooldowns --------------------------------------------------------------

    async def claim_event(
        self, key: str, *, ttl: dt.timedelta, now: dt.datetime | None = None
    ) -> bool:
        now = now or dt.datetime.now(dt.UTC)
        async with self._tx() as conn:
            return await self._start(conn, events.c.expires_at, {key: now + ttl}, now=now)

    async def _start(
        self,
        conn: AsyncConnection,
        until: sa.Column[dt.datetime],
        rows: dict[str, dt.datetime],
        *,
        now: dt.datetime,
    ) -> bool:
        """Start every key of `rows` (key -> new `until`) in `until`'s table unless it is still
        running at `now`; True when all of them started.

        One INSERT ... ON CONFLICT DO UPDATE ... WHERE <expired>: a key still running is neither
        inserted nor updated, so the row count tells. The database settles races between
        processes: a concurrent insert of the same key waits for the first and then finds it
        running. Keys are sorted so that overlapping sets lock in the same order.
        """
        table = until.table
        insert = self._insert(conn, table).values(
            [{"key": key, until.name: rows[key]} for key in sorted(rows)]
        )
        started = await conn.execute(
            insert.on_conflict_do_update(
                index_elements=[table.c.key],
                set_={until.name: insert.excluded[until.name]},
                where=until <= now,
            )
        )
        return bool(started.rowcount == len(rows))

    async def take_cooldowns(self, keys: dict[str, dt.timedelta], *, now: dt.datetime) -> bool:
        if not keys:
            return True
        rows = {private_cooldown_key(key, self._salt): now + length for key, length in keys.items()}
        try:
            async with self._tx() as conn:
                if not await self._start(conn, cooldowns.c.until, rows, now=now):
                    raise _Refused  # some started, some running: roll all of them back
        except _Refused:
            return False
        return True

    # --- audit and replies -----------------------------------------------------------------

    async def audit(self, record: AuditRecord) -> None:
        author = record.author_id
        async with self._tx() as conn:
            await conn.execute(
                sa.insert(audit_log).values(
                    platform=record.platform,
                    server_id=record.server_id,
                    channel_id=record.channel_id,
                    message_id=record.message_id,
                    claim_id=record.claim_id,
                    score=record.score,
                    tier=record.tier,
                    action=record.action,
                    at=record.at,
                    reply_id=record.reply_id,
                    actor=record.actor,
                    author_hash=self._hash(record.platform, author) if author else None,
                    text=record.text,
                )
            )

    async def audit_records(self, platform: str, server_id: str) -> list[AuditRecord]:
        async with self._tx(read_only=True) as conn:
            rows = await conn.execute(
                sa.select(audit_log)
                .where(audit_log.c.platform == platform, audit_log.c.server_id == server_id)
                .order_by(audit_log.c.id)
            )
            return [
                AuditRecord(
                    platform=r.platform,
                    server_id=r.server_id,
                    channel_id=r.channel_id,
                    message_id=r.message_id,
                    claim_id=r.claim_id,
                    score=r.score,
                    tier=r.tier,
                    action=r.action,
                    at=r.at,
                    reply_id=r.reply_id,
                    actor=r.actor,
                    text=r.text,
                    author_id=r.author_hash,
                )
                for r in rows
            ]

    @staticmethod
    def _message_is(table: sa.Table, platform: str, server: str, channel: str, message: str) -> Any:
        return sa.and_(
            table.c.platform == platform,
            table.c.server_id == server,
            table.c.channel_id == channel,
            table.c.message_id == message,
        )

    async def was_answered(
        self, platform: str, server_id: str, channel_id: str, message_id: str
    ) -> bool:
        async with self._tx(read_only=True) as conn:
            found = await conn.scalar(
                sa.select(audit_log.c.id)
                .where(
                    self._message_is(audit_log, platform, server_id, channel_id, message_id),
                    audit_log.c.action.in_(ANSWERED),
                )
                .limit(1)
            )
            return found is not None

    async def record_reply(self, reply: ReplyRecord) -> None:
        key = {
            "platform": reply.platform,
            "server_id": reply.server_id,
            "channel_id": reply.channel_id,
            "message_id": reply.message_id,
        }
        async with self._tx() as conn:
            await self._upsert(
                conn,
                replies,
                key,
                {
                    "reply_channel_id": reply.reply.channel_id,
                    "reply_id": reply.reply.reply_id,
                    "claim_id": reply.claim_id,
                    "author_hash": self._hash(reply.platform, reply.author_id),
                    "at": reply.at,
                },
            )
            await conn.execute(
                sa.update(audit_log)
                .where(
                    self._message_is(audit_log, *key.values()),
                    audit_log.c.action.in_(REPLIED),
                    audit_log.c.reply_id.is_(None),
                )
                .values(reply_id=reply.reply.reply_id)
            )

    async def forget_message(
        self, platform: str, server_id: str, channel_id: str, message_id: str
    ) -> ReplyRef | None:
        ids = (platform, server_id, channel_id, message_id)
        async with self._tx() as conn:
            row = (
                await conn.execute(
                    sa.select(replies.c.reply_channel_id, replies.c.reply_id).where(
                        self._message_is(replies, *ids)
                    )
                )
            ).first()
            await conn.execute(sa.delete(replies).where(self._message_is(replies, *ids)))
            await conn.execute(
                sa.delete(queue).where(
                    self._message_is(queue, *ids), queue.c.status == QUEUE_PENDING
                )
            )
            await conn.execute(
                sa.update(audit_log)
                .where(self._message_is(audit_log, *ids), audit_log.c.text.is_not(None))
                .values(text=None)
            )
            return ReplyRef(channel_id=row.reply_channel_id, reply_id=row.reply_id) if row else None

    # --- the moderators' queue -------------------------------------------------------------

    async def enqueue(self, decision: Decision, *, now: dt.datetime) -> QueueItem:
        msg = decision.message
        async with self._tx() as conn:
            result = await conn.execute(
                sa.insert(queue).values(
                    platform=msg.platform,
                    server_id=msg.server_id,
                    channel_id=msg.channel_id,
                    message_id=msg.message_id,
                    author_hash=self._hash(msg.platform, msg.author_id),
                    status=QUEUE_PENDING,
                    created_at=now,
                    decision=decision_to_json(decision),
                )
            )
            assert result.inserted_primary_key is not None  # an INSERT of one row
            item_id = str(result.inserted_primary_key[0])
        return QueueItem(id=item_id, decision=replace(decision, queue_id=item_id), created_at=now)

    async def resolve(
        self, queue_id: str, *, status: str, moderator: str, now: dt.datetime
    ) -> QueueItem | None:
        if not queue_id.isdigit():
            return None
        async with self._tx() as conn:
            row = (
                await conn.execute(
                    sa.select(queue.c.decision, queue.c.created_at).where(
                        queue.c.id == int(queue_id), queue.c.status == QUEUE_PENDING
                    )
                )
            ).first()
            if row is None:
                return None
            decision = decision_from_json(row.decision, queue_id=queue_id)
            stripped = without_personal_data(decision)
            # The status condition settles a race between two moderators: one update wins.
            done = await conn.execute(
                sa.update(queue)
                .where(queue.c.id == int(queue_id), queue.c.status == QUEUE_PENDING)
                .values(
                    status=status,
                    resolved_by=moderator,
                    resolved_at=now,
                    decision=decision_to_json(stripped),
                )
            )
            if not done.rowcount:
                return None
        return QueueItem(
            id=queue_id,
            decision=decision,
            created_at=row.created_at,
            status=status,
            resolved_by=moderator,
        )

    async def pending(self, platform: str, server_id: str) -> list[QueueItem]:
        async with self._tx(read_only=True) as conn:
            rows = await conn.execute(
                sa.select(queue.c.id, queue.c.decision, queue.c.created_at)
                .where(
                    queue.c.platform == platform,
                    queue.c.server_id == server_id,
                    queue.c.status == QUEUE_PENDING,
                )
                .order_by(queue.c.id)
            )
            return [
                QueueItem(
                    id=str(r.id),
                    decision=decision_from_json(r.decision, queue_id=str(r.id)),
                    created_at=r.created_at,
                )
                for r in rows
            ]

    # --- feedback and stats ----------------------------------------------------------------

    async def record_feedback(
        self,
        *,
        platform: str,
        server_id: str,
        reply_id: str,
        user_id: str,
        vote: str,
        now: dt.datetime,
    ) -> bool:
        async with self._tx() as conn:
            known = await conn.scalar(
                sa.select(replies.c.reply_id)
                .where(
                    replies.c.platform == platform,
                    replies.c.server_id == server_id,
                    replies.c.reply_id == reply_id,
                )
                .limit(1)
            )
            if known is None:
                return False
            key = {
                "platform": platform,
                "server_id": server_id,
                "reply_id": reply_id,
                "user_hash": self._hash(platform, user_id),
            }
            await self._upsert(conn, feedback, key, {"vote": vote, "at": now})
            return True

    async def stats(self, platform: str, server_id: str) -> ServerStats:
        async with self._tx(read_only=True) as conn:
            actions = await conn.execute(
                sa.select(audit_log.c.action, audit_log.c.claim_id, sa.func.count())
                .where(audit_log.c.platform == platform, audit_log.c.server_id == server_id)
                .group_by(audit_log.c.action, audit_log.c.claim_id)
            )
            votes = await conn.execute(
                sa.select(feedback.c.vote, sa.func.count())
                .where(feedback.c.platform == platform, feedback.c.server_id == server_id)
                .group_by(feedback.c.vote)
            )
            return server_stats(((a, c, n) for a, c, n in actions), ((v, n) for v, n in votes))

    # --- forgetting ------------------------------------------------------------------------

    async def forget_texts(self, platform: str, server_id: str) -> None:
        async with self._tx() as conn:
            await conn.execute(_erase_texts(platform, server_id))

    async def forget_server(self, platform: str, server_id: str) -> None:
        prefix = server_prefix(platform, server_id)
        async with self._tx() as conn:
            for table in (guild_configs, audit_log, queue, replies, feedback):
                await conn.execute(
                    sa.delete(table).where(
                        table.c.platform == platform, table.c.server_id == server_id
                    )
                )
            for table in (events, cooldowns):
                await conn.execute(
                    sa.delete(table).where(table.c.key.startswith(prefix, autoescape=True))
                )

    async def forget_user(self, platform: str, user_id: str) -> None:
        hashed = self._hash(platform, user_id)
        async with self._tx() as conn:
            # Servers that exempt the user: the text match only narrows the search (JSON as text
            # reads the same on both engines); the decoded settings decide.
            exempting = await conn.execute(
                sa.select(guild_configs)
                .where(
                    guild_configs.c.platform == platform,
                    sa.cast(guild_configs.c.settings, sa.Text).contains(user_id, autoescape=True),
                )
                .with_for_update()
            )
            for row in exempting.all():
                config = _decode_config(platform, row.server_id, row.schema_version, row.settings)
                if user_id in config.exempt_users:
                    kept = replace(config, exempt_users=config.exempt_users - {user_id})
                    await conn.execute(
                        sa.update(guild_configs)
                        .where(
                            guild_configs.c.platform == platform,
                            guild_configs.c.server_id == row.server_id,
                        )
                        .values(
                            schema_version=GuildConfig.SCHEMA_VERSION,
                            settings=_encode_config(kept),
                            updated_at=dt.datetime.now(dt.UTC),
                        )
                    )
            for table in (audit_log, queue, replies):
                await conn.execute(
                    sa.delete(table).where(
                        table.c.platform == platform, table.c.author_hash == hashed
                    )
                )
            await conn.execute(
                sa.delete(feedback).where(
                    feedback.c.platform == platform, feedback.c.user_hash == hashed
                )
            )
            # As a moderator: the decisions stay on record, the name goes.
            await conn.execute(
                sa.update(audit_log)
                .where(audit_log.c.platform == platform, audit_log.c.actor == user_id)
                .values(actor=None)
            )
            await conn.execute(
                sa.update(queue)
                .where(queue.c.platform == platform, queue.c.resolved_by == user_id)
                .values(resolved_by=None)
            )
            await conn.execute(
                sa.delete(cooldowns).where(
                    cooldowns.c.key.startswith(f"{platform}:", autoescape=True),
                    cooldowns.c.key.endswith(user_cooldown_suffix(hashed), autoescape=True),
                )
            )

    @staticmethod
    async def _erase_texts_not_allowed(
        conn: AsyncConnection, configs: dict[tuple[str, str], GuildConfig]
    ) -> None:
        """Erase the text on audit records of servers with `store_message_text` off: a message
        that read the configuration just before the option went off writes its record after
        `forget_texts` ran."""
        with_text = await conn.execute(
            sa.select(audit_log.c.platform, audit_log.c.server_id)
            .where(audit_log.c.text.is_not(None))
            .distinct()
        )
        for platform, server_id in with_text.all():
            config = configs.get((platform, server_id))
            if config is None or not config.store_message_text:
                await conn.execute(_erase_texts(platform, server_id))

    async def sweep(self, *, now: dt.datetime) -> int:
        deleted = 0
        async with self._tx() as conn:
            # Every replica sweeps now and then; one at a time is enough, and the others skip
            # rather than wait or delete the same rows twice. (SQLite: one writer at a time.)
            if conn.dialect.name == "postgresql" and not await conn.scalar(
                sa.select(sa.func.pg_try_advisory_xact_lock(SWEEP_LOCK_ID))
            ):
                return 0
            configs = {
                (r.platform, r.server_id): _decode_config(
                    r.platform, r.server_id, r.schema_version, r.settings
                )
                for r in await conn.execute(sa.select(guild_configs))
            }
            await self._erase_texts_not_allowed(conn, configs)
            retention = {
                server: dt.timedelta(days=config.retention_days)
                for server, config in configs.items()
            }
            default = dt.timedelta(days=GuildConfig().retention_days)
            timed: Sequence[tuple[sa.Table, sa.Column[dt.datetime]]] = (
                (audit_log, audit_log.c.at),
                (queue, queue.c.created_at),
                (replies, replies.c.at),
                (feedback, feedback.c.at),
            )
            for table, at in timed:
                # Only servers with rows old enough to be swept under any retention.
                servers = await conn.execute(
                    sa.select(table.c.platform, table.c.server_id)
                    .where(at < now - _MIN_RETENTION)
                    .distinct()
                )
                for platform, server_id in servers.all():
                    cutoff = now - retention.get((platform, server_id), default)
                    result = await conn.execute(
                        sa.delete(table).where(
                            table.c.platform == platform,
                            table.c.server_id == server_id,
                            at < cutoff,
                        )
                    )
                    deleted += result.rowcount
            for table, until in ((events, events.c.expires_at), (cooldowns, cooldowns.c.until)):
                deleted += (await conn.execute(sa.delete(table).where(until <= now))).rowcount
        return deleted
