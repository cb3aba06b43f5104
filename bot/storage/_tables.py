"""The database schema, as SQLAlchemy Core tables. Alembic migrations create it; a test checks
that the migrations and these tables agree on both engines."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

__all__ = [
    "audit_log",
    "cooldowns",
    "events",
    "feedback",
    "guild_configs",
    "meta",
    "metadata",
    "queue",
    "replies",
]

ID = 100  # platform ids: Discord snowflakes, Slack team/channel ids and message timestamps
KEY = 512  # dedupe and cooldown keys: "platform:server:kind:id..."
HASH = 64  # hex HMAC-SHA256
SALT_KEY = "user_salt"  # the meta row holding the salt of user hashes


class UtcDateTime(sa.TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every engine.

    PostgreSQL keeps `timestamptz`; SQLite has no time zones, so values are stored as naive UTC
    (its fixed text format then sorts and compares correctly) and read back as aware UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: claimwatch stores timezone-aware UTC times only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# SQLite only auto-increments a plain INTEGER primary key.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(256), nullable=False),
)

guild_configs = sa.Table(
    "guild_configs",
    metadata,
    sa.Column("platform", sa.String(32), primary_key=True),
    sa.Column("server_id", sa.String(ID), primary_key=True),
    sa.Column("schema_version", sa.Integer, nullable=False),
    # Only the settings that differ from the registered defaults: a changed default reaches every
    # server that never chose otherwise.
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("key", sa.String(KEY), primary_key=True),
    sa.Column("expires_at", UtcDateTime, nullable=False, index=True),
)

cooldowns = sa.Table(
    "cooldowns",
    metadata,
    sa.Column("key", sa.String(KEY), primary_key=True),
    sa.Column("until", UtcDateTime, nullable=False, index=True),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("server_id", sa.String(ID), nullable=False),
    sa.Column("channel_id", sa.String(ID), nullable=False),
    sa.Column("message_id", sa.String(ID), nullable=False),
    sa.Column("claim_id", sa.String(ID)),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("tier", sa.String(16), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Column("reply_id", sa.String(ID)),
    sa.Column("actor", sa.String(ID)),
    sa.Column("author_hash", sa.String(HASH)),
    sa.Column("text", sa.Text),
    sa.Index(None, "platform", "server_id", "at"),
    sa.Index(None, "platform", "server_id", "channel_id", "message_id"),
    sa.Index(None, "platform", "author_hash"),
)

queue = sa.Table(
    "queue",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("server_id", sa.String(ID), nullable=False),
    sa.Column("channel_id", sa.String(ID), nullable=False),
    sa.Column("message_id", sa.String(ID), nullable=False),
    sa.Column("author_hash", sa.String(HASH), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.Column("resolved_at", UtcDateTime),
    sa.Column("resolved_by", sa.String(ID)),
    sa.Column("decision", sa.JSON, nullable=False),
    sa.Index(None, "platform", "server_id", "status"),
    sa.Index(None, "platform", "author_hash"),
)

replies = sa.Table(
    "replies",
    metadata,
    sa.Column("platform", sa.String(32), primary_key=True),
    sa.Column("server_id", sa.String(ID), primary_key=True),
    sa.Column("channel_id", sa.String(ID), primary_key=True),
    sa.Column("message_id", sa.String(ID), primary_key=True),
    sa.Column("reply_channel_id", sa.String(ID), nullable=False),
    sa.Column("reply_id", sa.String(ID), nullable=False),
    sa.Column("claim_id", sa.String(ID)),
    sa.Column("author_hash", sa.String(HASH), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Index(None, "platform", "server_id", "reply_id"),
    sa.Index(None, "platform", "author_hash"),
)

feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("platform", sa.String(32), primary_key=True),
    sa.Column("server_id", sa.String(ID), primary_key=True),
    sa.Column("reply_id", sa.String(ID), primary_key=True),
    sa.Column("user_hash", sa.String(HASH), primary_key=True),
    sa.Column("vote", sa.String(16), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Index(None, "platform", "user_hash"),
)
