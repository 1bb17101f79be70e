"""Several schedulers saving at once: a write waits for the database's write lock, is retried a few
times with a growing pause, and only then gives up with `StoreBusy`, which the app shows as it is.

SQLite has one writer at a time. Its writes begin with BEGIN IMMEDIATE (see `store.sqlite_begin`):
a deferred BEGIN that reads first cannot wait at its first write for a save that got in between (in
WAL mode SQLite refuses it at once, busy timeout or not), which lost most of 50 concurrent saves.
PostgreSQL: serialization failures, deadlocks and lock timeouts are retried the same way.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from tabular import InputError, Problem

T = TypeVar("T")

BUSY_TIMEOUT_SECONDS = 5.0  # how long SQLite waits for the write lock, per attempt
ATTEMPTS = 3
FIRST_PAUSE_SECONDS = 0.05  # doubled after every attempt, with jitter so that waiting writers spread out
SQLITE_CONTENTION = ("SQLITE_BUSY", "SQLITE_LOCKED")  # prefixes: SQLITE_BUSY_SNAPSHOT and the like too
POSTGRES_CONTENTION = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


class StoreBusy(InputError):
    """Another writer kept the database locked through every attempt; nothing was saved."""

    def __init__(self) -> None:
        super().__init__(Problem("The database is busy: another scheduler is saving. Try again in a moment."))


def contended(error: BaseException) -> bool:
    """Whether the database refused the work only because another transaction held what it needed."""
    if not isinstance(error, DBAPIError):
        return False
    driver_error = error.orig
    sqlite_name = getattr(driver_error, "sqlite_errorname", None)
    if sqlite_name is not None:
        return sqlite_name.startswith(SQLITE_CONTENTION)
    state = getattr(driver_error, "sqlstate", None) or getattr(driver_error, "pgcode", None)  # psycopg 3 or 2
    return state in POSTGRES_CONTENTION


def retried(work: Callable[[], T]) -> T:
    """`work()`, run again after a pause when the database was busy; StoreBusy after the last attempt.
    `work` must be a whole transaction, so that a failed attempt left nothing behind."""
    for attempt in range(1, ATTEMPTS):
        try:
            return work()
        except DBAPIError as error:
            if not contended(error):
                raise
        time.sleep(FIRST_PAUSE_SECONDS * 2 ** (attempt - 1) * (1 + random.random()))
    with busy_as_store_busy():
        return work()


@contextmanager
def busy_as_store_busy() -> Iterator[None]:
    """A contention error inside the block becomes StoreBusy (for work that cannot be run again)."""
    try:
        yield
    except DBAPIError as error:
        if contended(error):
            raise StoreBusy() from error
        raise
