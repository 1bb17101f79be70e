"""Alembic environment of the storage, configured in code by `wfm.storage.migrate` (no alembic.ini).

`migrate.upgrade` hands over an open connection in `config.attributes["connection"]`, so the migration
runs on the engine the store already built (SQLite pragmas included). Offline mode (`--sql`) is not
used by the store; it renders the SQL from the `sqlalchemy.url` option for a DBA to review.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from wfm.storage.schema import Base


def configure(**options) -> None:
    # Batch mode lets later revisions alter SQLite tables (SQLite's ALTER TABLE is limited).
    context.configure(target_metadata=Base.metadata, render_as_batch=True, compare_type=True, **options)


def run_offline() -> None:
    configure(url=context.config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        with create_engine(context.config.get_main_option("sqlalchemy.url")).connect() as connection:
            migrate(connection)
    else:
        migrate(connection)


def migrate(connection) -> None:
    configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
