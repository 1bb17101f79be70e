"""Several schedulers saving into one store at once: every write is kept, none fails, reads go on."""

from __future__ import annotations

import multiprocessing
import sqlite3
import sys
import time
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from tests.storage_backends import store_url  # noqa: F401  (a fixture: each test runs on SQLite and PostgreSQL)
from tests.test_storage import agent, config, roster
from wfm.storage import Store, StoreBusy, contention, inputs

PROCESSES = 4
SAVES = 10


def save_concurrently(url: str, worker: int, shared_scenario: int, own_scenario: int, ready, results) -> None:
    """One scheduler: once every scheduler has the store open, creates a scenario in a center none has
    made yet, then alternates new roster versions and agent lists; reports the versions it saved, or
    the error that stopped it."""
    try:
        with Store.open(url) as store:
            ready.wait()
            store.create_scenario(config(), name=f"worker {worker}", center="new center")
            versions = []
            for save in range(SAVES):
                versions.append(store.save_roster(shared_scenario, roster(f"w{worker}s{save}"), by=f"worker {worker}"))
                store.replace_agents(own_scenario, [agent(f"w{worker}a{n}") for n in range(save + 1)])
        results.put((worker, versions))
    except Exception as error:  # reported to the test, which fails naming it
        results.put((worker, repr(error)))


def test_concurrent_saves_from_several_processes_are_all_kept(store_url: str, monkeypatch: pytest.MonkeyPatch):
    url = store_url
    # An AppTest earlier in the run leaves app.py as __main__, and new processes would run it first:
    # the schedulers' processes start from a main module of their own.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    with Store.open(url) as store:
        shared = store.create_scenario(config(), name="shared")
        own = [store.create_scenario(config(), name=f"worker {worker}") for worker in range(PROCESSES)]
    # Each scheduler is its own OS process; a fork server imports the test module once for all of them.
    context = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods()
                                          else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([__name__])
    ready, results = context.Barrier(PROCESSES, timeout=60), context.Queue()
    workers = [context.Process(target=save_concurrently, args=(url, worker, shared, own[worker], ready, results))
               for worker in range(PROCESSES)]
    for process in workers:
        process.start()
    saved = dict(results.get(timeout=60) for _ in workers)
    for process in workers:
        process.join(timeout=10)

    assert {worker: versions for worker, versions in saved.items() if isinstance(versions, str)} == {}  # none failed
    with Store.open(url) as store:
        versions = store.list_versions(shared)
        assert sorted(version.id for version in versions) == sorted(id_ for ids in saved.values() for id_ in ids)
        assert [version.number for version in versions] == list(range(1, PROCESSES * SAVES + 1))
        for worker, ids in saved.items():
            assert [store.load_roster(id_)["agent_id"].iloc[0] for id_ in ids] == [f"w{worker}s{n}" for n in range(SAVES)]
            assert [a.agent_id for a in store.load_agents(own[worker])] == [f"w{worker}a{n}" for n in range(SAVES)]
        assert sorted(info.name for info in store.list_scenarios("new center")) == [
            f"worker {worker}" for worker in range(PROCESSES)]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path) as opened:
        yield opened


def hold_the_write_lock(store: Store) -> sqlite3.Connection:
    """Another scheduler in the middle of a save: it holds the write lock and has written, not committed."""
    other = sqlite3.connect(store.engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO centers (name, created_at) VALUES ('south', '2026-11-23 08:00:00')")
    return other


def test_reads_go_on_while_another_scheduler_writes(store: Store):
    scenario_id = store.create_scenario(config(), name="week 48", center="north")
    with store.engine.connect() as connection:  # readers never wait, even for a save's commit
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    other = hold_the_write_lock(store)
    try:
        began = time.monotonic()
        assert store.list_centers() == ["north"]  # the other save is not committed yet
        assert store.load_scenario_config(scenario_id) == config()
        assert time.monotonic() - began < 1
    finally:
        other.rollback()
        other.close()


def test_a_save_waits_for_the_other_scheduler_then_succeeds(store: Store):
    other = hold_the_write_lock(store)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(store.create_scenario, config(), name="week 48", center="north")
        time.sleep(0.5)
        assert not pending.done()  # waiting for the lock, not failed
        other.commit()
        other.close()
        scenario_id = pending.result(timeout=10)
    assert store.list_centers() == ["north", "south"] and store.scenario_info(scenario_id).name == "week 48"


def test_a_save_that_never_gets_the_lock_says_the_database_is_busy(store: Store, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(contention, "BUSY_TIMEOUT_SECONDS", 0.2)
    with Store(tmp_path) as impatient:  # the same database, waiting 0.2 s a time for the lock
        other = hold_the_write_lock(impatient)
        try:
            began = time.monotonic()
            with pytest.raises(StoreBusy, match="The database is busy: another scheduler is saving. Try again"):
                impatient.create_scenario(config(), name="week 48")
            assert time.monotonic() - began < 5
            with pytest.raises(StoreBusy):
                with impatient.transaction():
                    impatient.create_scenario(config(), name="week 48")
        finally:
            other.rollback()
            other.close()
    assert store.list_scenarios() == []


def test_on_postgresql_a_save_that_never_gets_the_row_says_the_database_is_busy(store_url: str, monkeypatch):
    """Another scheduler's save holds the scenario (as a new roster version does) through every attempt."""
    if not store_url.startswith("postgresql"):
        pytest.skip("SQLite's busy timeout is tested above")
    monkeypatch.setattr(contention, "BUSY_TIMEOUT_SECONDS", 0.2)
    with Store.open(store_url) as store:
        scenario_id = store.create_scenario(config(), name="week 48")
        with store.engine.connect() as other:
            other.exec_driver_sql(f"SELECT id FROM scenarios WHERE id = {scenario_id} FOR UPDATE")
            began = time.monotonic()
            with pytest.raises(StoreBusy, match="The database is busy: another scheduler is saving. Try again"):
                store.save_roster(scenario_id, roster(), by="planner")
            assert time.monotonic() - began < 5
            other.rollback()
        assert store.list_versions(scenario_id) == []
        store.save_roster(scenario_id, roster(), by="planner")  # the lock released, the retry goes through
        assert len(store.list_versions(scenario_id)) == 1


def refused_by(driver_error: Exception) -> OperationalError:
    return OperationalError("INSERT ...", {}, driver_error)


def sqlite_error(name: str) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorname = name
    return error


class PostgresError(Exception):
    def __init__(self, sqlstate: str):
        self.sqlstate = sqlstate


@pytest.mark.parametrize(("driver_error", "retried"), [
    (sqlite_error("SQLITE_BUSY"), True),
    (sqlite_error("SQLITE_BUSY_SNAPSHOT"), True),
    (sqlite_error("SQLITE_LOCKED"), True),
    (sqlite_error("SQLITE_READONLY"), False),
    (PostgresError("40001"), True),  # serialization failure
    (PostgresError("40P01"), True),  # deadlock
    (PostgresError("23505"), False),  # unique violation: a real error
])
def test_which_refusals_are_retried(driver_error: Exception, retried: bool):
    assert contention.contended(refused_by(driver_error)) is retried


def test_a_refused_attempt_is_run_again_whole_with_every_row(store: Store, monkeypatch):
    scenario_id = store.create_scenario(config(), name="week 48")
    validate, refusals = inputs.agents, [refused_by(sqlite_error("SQLITE_BUSY"))]

    def refused_once(rows, scenario_config):
        validated = validate(rows, scenario_config)
        if refusals:
            raise refusals.pop()
        return validated

    monkeypatch.setattr(inputs, "agents", refused_once)
    store.replace_agents(scenario_id, (agent(agent_id) for agent_id in ("a1", "a2")))  # rows read once only
    assert [a.agent_id for a in store.load_agents(scenario_id)] == ["a1", "a2"] and not refusals
