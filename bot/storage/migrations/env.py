"""Alembic environment: migrations run on the connection claimwatch hands over.

`bot.storage.sql.upgrade` opens the connection, takes the migration lock and calls Alembic with
the connection in `config.attributes["connection"]`; there is no alembic.ini and no offline mode.
"""

from __future__ import annotations

from alembic import context

from bot.storage._tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("claimwatch migrations run through `claimwatch db upgrade`")

# transactional_ddl: the whole upgrade is one transaction on SQLite too (claimwatch issues its own
# BEGIN there), so a failed migration leaves nothing half done.
context.configure(
    connection=connection,
    target_metadata=metadata,
    transactional_ddl=True,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
