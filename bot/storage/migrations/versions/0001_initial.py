"""Initial schema: configuration, dedupe and cooldowns, audit, queue, replies, feedback.

Revision ID: 0001
Revises:
Create Date: 2025-03-01
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Types spelled out rather than imported, so this revision stays as it was when the models move.
ID = sa.String(100)
PLATFORM = sa.String(32)
HASH = sa.String(64)
KEY = sa.String(512)
TIME = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    meta = op.create_table(
        "meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )
    # The salt of user hashes: made once per database, so every process sharing it agrees.
    op.bulk_insert(meta, [{"key": "user_salt", "value": secrets.token_hex(32)}])

    op.create_table(
        "guild_configs",
        sa.Column("platform", PLATFORM, nullable=False),
        sa.Column("server_id", ID, nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("platform", "server_id", name="pk_guild_configs"),
    )
    op.create_table(
        "events",
        sa.Column("key", KEY, nullable=False),
        sa.Column("expires_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_events"),
    )
    op.create_index("ix_events_expires_at", "events", ["expires_at"])
    op.create_table(
        "cooldowns",
        sa.Column("key", KEY, nullable=False),
        sa.Column("until", TIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_cooldowns"),
    )
    op.create_index("ix_cooldowns_until", "cooldowns", ["until"])

    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("platform", PLATFORM, nullable=False),
        sa.Column("server_id", ID, nullable=False),
        sa.Column("channel_id", ID, nullable=False),
        sa.Column("message_id", ID, nullable=False),
        sa.Column("claim_id", ID, nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("reply_id", ID, nullable=True),
        sa.Column("actor", ID, nullable=True),
        sa.Column("author_hash", HASH, nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index(
        "ix_audit_log_platform_server_id_at", "audit_log", ["platform", "server_id", "at"]
    )
    op.create_index(
        "ix_audit_log_platform_server_id_channel_id_message_id",
        "audit_log",
        ["platform", "server_id", "channel_id", "message_id"],
    )
    op.create_index("ix_audit_log_platform_author_hash", "audit_log", ["platform", "author_hash"])

    op.create_table(
        "queue",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("platform", PLATFORM, nullable=False),
        sa.Column("server_id", ID, nullable=False),
        sa.Column("channel_id", ID, nullable=False),
        sa.Column("message_id", ID, nullable=False),
        sa.Column("author_hash", HASH, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("resolved_at", TIME, nullable=True),
        sa.Column("resolved_by", ID, nullable=True),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_queue"),
    )
    op.create_index(
        "ix_queue_platform_server_id_status", "queue", ["platform", "server_id", "status"]
    )
    op.create_index("ix_queue_platform_author_hash", "queue", ["platform", "author_hash"])

    op.create_table(
        "replies",
        sa.Column("platform", PLATFORM, nullable=False),
        sa.Column("server_id", ID, nullable=False),
        sa.Column("channel_id", ID, nullable=False),
        sa.Column("message_id", ID, nullable=False),
        sa.Column("reply_channel_id", ID, nullable=False),
        sa.Column("reply_id", ID, nullable=False),
        sa.Column("claim_id", ID, nullable=True),
        sa.Column("author_hash", HASH, nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "server_id", "channel_id", "message_id", name="pk_replies"
        ),
    )
    op.create_index(
        "ix_replies_platform_server_id_reply_id", "replies", ["platform", "server_id", "reply_id"]
    )
    op.create_index("ix_replies_platform_author_hash", "replies", ["platform", "author_hash"])

    op.create_table(
        "feedback",
        sa.Column("platform", PLATFORM, nullable=False),
        sa.Column("server_id", ID, nullable=False),
        sa.Column("reply_id", ID, nullable=False),
        sa.Column("user_hash", HASH, nullable=False),
        sa.Column("vote", sa.String(16), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "server_id", "reply_id", "user_hash", name="pk_feedback"
        ),
    )
    op.create_index("ix_feedback_platform_user_hash", "feedback", ["platform", "user_hash"])


def downgrade() -> None:
    for table in ("feedback", "replies", "queue", "audit_log", "cooldowns", "events"):
        op.drop_table(table)
    op.drop_table("guild_configs")
    op.drop_table("meta")
