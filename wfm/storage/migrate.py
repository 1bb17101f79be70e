"""Alembic, configured in code: the migration scripts ship inside the package, so no alembic.ini is needed.

The store calls `upgrade(engine, where)` every time it opens a database: a fresh database gets the
whole schema, an older one is migrated, an up-to-date one is left alone. A database it does not
recognise (not a database, damaged, another program's, or from a newer wfm) is refused unchanged.

To write a new revision after changing `schema.py`:

    from alembic import command
    from wfm.storage.migrate import alembic_config
    command.revision(alembic_config("sqlite:///scratch.db"), "what changed", autogenerate=True)

(on a scratch database upgraded to the current head), then review the generated file.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect
from sqlalchemy.exc import DatabaseError

from tabular import InputError, Problem

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
MIGRATION_LOCK = 0x77666D  # "wfm": the PostgreSQL advisory lock that stores opening at once take in turn
ELSEWHERE = "Move it away, or set WFM_DATABASE_URL to another database."
# What SQLite says of a file it cannot use, in a planner's words.
SQLITE_UNREADABLE = {
    "SQLITE_NOTADB": "is not a wfm database ({reason}). " + ELSEWHERE,
    "SQLITE_CORRUPT": "is damaged ({reason}); wfm left it as it is. Restore it from a backup, or move it away "
                      "and start a new one.",
    "SQLITE_CANTOPEN": "cannot be opened ({reason}): check that it names a file, not a folder, in a folder "
                       "you may write to.",
}


class UnusableDatabase(InputError):
    """A database the store will not open, and has not changed."""

    def __init__(self, where: str, what: str):
        super().__init__(Problem(f"{where} {what}"))


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url)
    return config


def head_revision() -> str:
    """The newest revision the package ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships no migration"
    return head


def known_revisions() -> list[str]:
    """Every revision the package ships, newest first."""
    return [script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()]


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None before the first migration)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, where: str) -> None:
    """Bring the database to the newest revision in one transaction (a no-op when it is there).

    Tables made without Alembic (so without its version table) that match a known revision are
    stamped with it, then migrated. Anything else raises UnusableDatabase naming `where`, before the
    first write."""
    config = alembic_config()
    with unreadable_as_unusable(where), engine.begin() as connection:
        wait_for_other_openers(connection)
        require_intact(connection, where)
        config.attributes["connection"] = connection
        revision, tables = MigrationContext.configure(connection).get_current_revision(), table_columns(connection)
        if revision is None:
            unversioned = recognised_revision(tables, where)
            if unversioned is not None:
                command.stamp(config, unversioned)
        elif revision not in known_revisions():
            raise UnusableDatabase(where, f"was written by a newer version of wfm (its schema revision "
                                          f"{revision!r} is unknown here, whose newest is {head_revision()!r}). "
                                          f"Upgrade wfm to open it. {ELSEWHERE}")
        elif changed := changed_tables(tables, schema_at(revision)):
            raise UnusableDatabase(where, f"says it has wfm's schema revision {revision!r}, but its tables "
                                          f"{', '.join(changed)} are missing or were changed. {ELSEWHERE}")
        command.upgrade(config, "head")


def wait_for_other_openers(connection: Connection) -> None:
    """Stores opening a fresh database at once migrate it one after the other, the later ones finding it
    done. SQLite: the write lock the store's transaction began with; PostgreSQL: a lock until commit."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")


@contextmanager
def unreadable_as_unusable(where: str) -> Iterator[None]:
    """What SQLite says of a file it cannot read as a database, as an UnusableDatabase naming it."""
    try:
        yield
    except DatabaseError as error:
        what = SQLITE_UNREADABLE.get(getattr(error.orig, "sqlite_errorname", None))
        if what is None:
            raise
        raise UnusableDatabase(where, what.format(reason=error.orig)) from None


def require_intact(connection: Connection, where: str) -> None:
    """SQLite's quick check: a file cut short or partly overwritten is reported before anything reads it."""
    if connection.dialect.name != "sqlite":
        return
    found = connection.exec_driver_sql("PRAGMA quick_check").scalars().all()
    if found != ["ok"]:
        raise UnusableDatabase(where, SQLITE_UNREADABLE["SQLITE_CORRUPT"].format(reason=found[0]))


def table_columns(connection: Connection) -> dict[str, frozenset[str]]:
    """The database's tables (but Alembic's) and their column names."""
    inspector = inspect(connection)
    return {table: frozenset(column["name"] for column in inspector.get_columns(table))
            for table in inspector.get_table_names() if table != VERSION_TABLE}


def recognised_revision(tables: dict[str, frozenset[str]], where: str) -> str | None:
    """The revision whose schema has exactly these tables and columns; None for an empty database."""
    if not tables:
        return None
    for revision in known_revisions():
        if tables == schema_at(revision):
            return revision
    ours = set(schema_at(head_revision()))
    if ours.isdisjoint(tables):
        raise UnusableDatabase(where, f"is not a wfm database (it holds the tables {', '.join(sorted(tables))}). "
                                      + ELSEWHERE)
    raise UnusableDatabase(where, "holds wfm tables that match no version of wfm's schema (made by hand, or "
                                  "by a development version). " + ELSEWHERE)


def changed_tables(tables: dict[str, frozenset[str]], expected: dict[str, frozenset[str]]) -> list[str]:
    """The expected tables that are missing or have other columns (tables of its own a database may add)."""
    return sorted(table for table, columns in expected.items() if tables.get(table) != columns)


@functools.cache
def schema_at(revision: str) -> dict[str, frozenset[str]]:
    """The tables and columns the migrations build up to `revision`, on a scratch in-memory database."""
    config = alembic_config()
    with create_engine("sqlite://").begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        return table_columns(connection)
