"""Stores for the contract suite: in memory, a SQLite file, and PostgreSQL.

PostgreSQL runs when CLAIMWATCH_TEST_POSTGRES_URL names a server (`.ci/run` starts one); each test
gets a schema of its own, dropped afterwards. A URL that is set but unreachable fails the tests
that need it instead of skipping them; under CI the URL must be set.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL

from bot.core.factbase import FactBase, load_bundled
from bot.core.ports import Store
from bot.storage.memory import MemoryStore
from bot.storage.sql import SqlStore, database_url

POSTGRES_ENV = "CLAIMWATCH_TEST_POSTGRES_URL"
CONNECT_TIMEOUT_S = 10.0
ENGINES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
SQL_ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ROOT = Path(__file__).resolve().parents[2]

OpenStore = Callable[[], Awaitable[Store]]


def postgres_url() -> URL:
    """The test server's URL; skips when none is configured (fails under CI)."""
    raw = os.environ.get(POSTGRES_ENV, "").strip()
    if not raw:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must test PostgreSQL (see .ci/run)")
        pytest.skip(f"PostgreSQL not configured ({POSTGRES_ENV})")
    return database_url(raw, data_dir=Path.cwd())


async def admin_connection(url: URL) -> asyncpg.Connection:
    """A plain asyncpg connection for creating and dropping schemas and databases."""
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        return await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_S)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        shown = url.render_as_string(hide_password=True)
        pytest.fail(f"{POSTGRES_ENV} is set but {shown} is unreachable: {exc!r}")


def fresh_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def postgres_database() -> AsyncIterator[URL]:
    """A database of its own on the test server (for what a schema cannot isolate)."""
    url = postgres_url()
    admin = await admin_connection(url)
    name = fresh_name("claimwatch_t")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def store_factory(engine: str, tmp_path: Path) -> AsyncIterator[OpenStore]:
    """Opens stores on one and the same database (in memory: the same store)."""
    opened: list[SqlStore] = []
    admin: asyncpg.Connection | None = None
    schema: str | None = None
    if engine == "memory":
        shared = MemoryStore()

        async def factory() -> Store:
            return shared

    else:
        if engine == "sqlite":
            url = database_url(None, data_dir=tmp_path)
        else:
            url = postgres_url()
            admin = await admin_connection(url)
            schema = fresh_name("t")
            await admin.execute(f'CREATE SCHEMA "{schema}"')

        async def factory() -> Store:
            store = await SqlStore.open(url, schema=schema)
            opened.append(store)
            return store

    try:
        yield factory
    finally:
        for store in opened:
            await store.aclose()
        if admin is not None:
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await admin.close()


@pytest.fixture(params=ENGINES)
async def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OpenStore]:
    """Opens stores of one engine on one database; parametrised over every engine."""
    async with store_factory(request.param, tmp_path) as factory:
        yield factory


@pytest.fixture(params=SQL_ENGINES)
async def sql_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    """A SQL store (SQLite, PostgreSQL) on a database of its own."""
    async with store_factory(request.param, tmp_path) as factory:
        store = await factory()
        assert isinstance(store, SqlStore)
        yield store


@pytest.fixture
async def store(open_store: OpenStore) -> Store:
    return await open_store()


@pytest.fixture(scope="session")
def factbase() -> FactBase:
    return load_bundled()


class FakeClock:
    """A clock the test moves by hand; starts at a fixed UTC time."""

    def __init__(self) -> None:
        self.current = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self.current

    def advance(self, delta: dt.timedelta) -> None:
        self.current += delta


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=SQL_ENGINES)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> URL:
    """An empty database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return database_url(None, data_dir=tmp_path / "data")
    url: URL = request.getfixturevalue("postgres_database")
    return url


def data_dir_of(database: URL, fallback: Path) -> Path:
    """The data directory a process must be given to find `database` (SQLite: its folder)."""
    if database.get_backend_name() == "sqlite":
        return Path(database.database or "").parent
    return fallback


def process_env(database: URL, data_dir: Path) -> dict[str, str]:
    """The environment of a claimwatch process on `database`: no settings of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMWATCH_")}
    env.pop("DATABASE_URL", None)
    env["CLAIMWATCH_DATA_DIR"] = str(data_dir)
    if database.get_backend_name() == "postgresql":
        env["DATABASE_URL"] = database.render_as_string(hide_password=False)
    return env
