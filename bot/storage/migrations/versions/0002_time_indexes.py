"""Indexes on the time of every swept table, so the hourly retention sweep finds old rows without
reading whole tables.

Revision ID: 0002
Revises: 0001
Create Date: 2025-03-15
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, time column) of every table the sweep deletes from by age.
TIMED = (("audit_log", "at"), ("queue", "created_at"), ("replies", "at"), ("feedback", "at"))


def upgrade() -> None:
    for table, column in TIMED:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table, column in TIMED:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
