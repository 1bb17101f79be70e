"""The app's store: an embedded SQLite file by default, any SQLAlchemy
database by URL, the schema migrated with Alembic when the store opens.

    from wfm.storage import Store, database_url
    store = Store.open(database_url("wfm-data", os.environ))
"""

from wfm.storage.contention import StoreBusy
from wfm.storage.migrate import UnusableDatabase
from wfm.storage.store import (
    DEFAULT_CENTER,
    DEFAULT_DATA_DIR,
    NotFound,
    RosterVersion,
    ScenarioInfo,
    Store,
    StoredOverride,
    TableInfo,
    database_url,
)

__all__ = [
    "DEFAULT_CENTER",
    "DEFAULT_DATA_DIR",
    "NotFound",
    "RosterVersion",
    "ScenarioInfo",
    "Store",
    "StoreBusy",
    "StoredOverride",
    "TableInfo",
    "UnusableDatabase",
    "database_url",
]
