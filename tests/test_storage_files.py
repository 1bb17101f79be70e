"""Opening a database file the store did not make, or that a newer or older wfm made: it is migrated
when the store recognises it, else refused with a message that says what it is, and left as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from tests.test_storage import config
from wfm.storage import Store, UnusableDatabase
from wfm.storage.migrate import alembic_config, current_revision, head_revision, known_revisions
from wfm.storage.schema import Base


def files_in(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def refused(path: Path) -> str:
    """The message of opening `path`, checking that no file was changed (SQLite may leave an empty
    write-ahead log next to a damaged file that says it uses one)."""
    before = files_in(path.parent)
    with pytest.raises(UnusableDatabase) as raised:
        Store.open(f"sqlite:///{path}")
    after = files_in(path.parent)
    assert after.pop(f"{path.name}-wal", b"") == b""
    assert after == before
    message = str(raised.value)
    assert message.startswith(str(path))
    return message


def run_sql(path: Path, *statements: str) -> None:
    """Statements in a connection that is closed afterwards, so that everything is in the file itself."""
    connection = sqlite3.connect(path)
    try:
        with connection:
            for statement in statements:
                connection.execute(statement)
    finally:
        connection.close()


def a_wfm_database(path: Path) -> Path:
    with Store.open(f"sqlite:///{path}") as store:
        for week in range(20):
            store.create_scenario(config(), name=f"week {week}", center="north")
    return path


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path):
    csv = tmp_path / "wfm.db"
    csv.write_text("agent_id,name\na1,Ann\n")
    assert refused(csv).endswith("is not a wfm database (file is not a database). "
                                 "Move it away, or set WFM_DATABASE_URL to another database.")
    noise = tmp_path / "noise.db"
    noise.write_bytes(bytes(range(256)) * 40)
    assert "is not a wfm database (file is not a database)" in refused(noise)


def test_a_truncated_database_is_reported_as_damaged(tmp_path: Path):
    path = a_wfm_database(tmp_path / "wfm.db")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert "is damaged (database disk image is malformed); wfm left it as it is. Restore it from a backup" in refused(path)


def test_a_database_with_an_overwritten_page_is_reported_as_damaged(tmp_path: Path):
    path = a_wfm_database(tmp_path / "wfm.db")
    content = bytearray(path.read_bytes())
    page = 4096
    content[2 * page: 3 * page] = b"\xff" * page
    path.write_bytes(bytes(content))
    assert "is damaged" in refused(path)


def test_a_database_from_a_newer_wfm_is_refused(tmp_path: Path):
    path = a_wfm_database(tmp_path / "wfm.db")
    run_sql(path, "UPDATE alembic_version SET version_num = '0042_from_the_future'")
    message = refused(path)
    assert "was written by a newer version of wfm (its schema revision '0042_from_the_future' is unknown here" in message
    assert message.endswith("Upgrade wfm to open it. Move it away, or set WFM_DATABASE_URL to another database.")


def test_another_programs_database_is_refused(tmp_path: Path):
    path = tmp_path / "wfm.db"
    run_sql(path, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)", "INSERT INTO invoices (total) VALUES (12.5)")
    assert "is not a wfm database (it holds the tables invoices)" in refused(path)


def test_wfm_tables_that_match_no_known_schema_are_refused(tmp_path: Path):
    path = tmp_path / "wfm.db"
    run_sql(path, "CREATE TABLE centers (id INTEGER PRIMARY KEY, title TEXT)")
    assert "holds wfm tables that match no version of wfm's schema" in refused(path)


def test_tables_made_without_alembic_are_recognised_and_kept(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'wfm.db'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO centers (name, created_at) VALUES ('north', '2026-11-23 08:00:00')"))
    engine.dispose()
    with Store.open(url) as store:
        assert current_revision(store.engine) == head_revision()
        assert store.list_centers() == ["north"]


@pytest.mark.parametrize("revision", known_revisions())
@pytest.mark.parametrize("versioned", [True, False], ids=["with its version table", "without"])
def test_a_database_at_an_older_revision_is_migrated_with_its_data(tmp_path: Path, revision: str, versioned: bool):
    url = f"sqlite:///{tmp_path / 'wfm.db'}"
    alembic = alembic_config(url)
    command.upgrade(alembic, revision)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO centers (name, created_at) VALUES ('north', '2026-11-23 08:00:00')"))
        if not versioned:
            connection.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    with Store.open(url) as store:
        assert current_revision(store.engine) == head_revision()
        assert store.list_centers() == ["north"]
        store.create_scenario(config(), name="week 48", center="north")


def test_a_missing_folder_is_made_and_an_empty_file_becomes_a_database(tmp_path: Path):
    empty = tmp_path / "empty.db"
    empty.touch()
    with Store.open(f"sqlite:///{empty}") as store:
        assert current_revision(store.engine) == head_revision()
    with Store.open(f"sqlite:///{tmp_path / 'new' / 'wfm.db'}") as store:
        assert store.list_centers() == []


def test_a_folder_where_the_file_should_be_is_refused(tmp_path: Path):
    (tmp_path / "wfm.db").mkdir()
    with pytest.raises(UnusableDatabase, match=r"wfm.db cannot be opened \(unable to open database file\): check that it"):
        Store(tmp_path)


def test_a_database_whose_tables_were_changed_by_hand_is_refused(tmp_path: Path):
    path = a_wfm_database(tmp_path / "wfm.db")
    run_sql(path, "DROP TABLE roster_rows", "ALTER TABLE agents ADD COLUMN shoe_size INTEGER",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    assert (f"says it has wfm's schema revision '{head_revision()}', but its tables agents, roster_rows are missing "
            "or were changed. Move it away") in refused(path)


def test_a_table_a_database_adds_of_its_own_is_left_alone(tmp_path: Path):
    path = a_wfm_database(tmp_path / "wfm.db")
    run_sql(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    with Store.open(f"sqlite:///{path}") as store:
        assert len(store.list_scenarios()) == 20
