"""The `Store`: centers, scenarios, agents, time off, stored tables and roster versions in one database.

Every public method is one transaction; `Store.transaction()` groups several into one unit of work.
Input is validated before anything is written, so a bad row raises InputError and leaves the
database as it was. Writes take the write lock when they begin and are retried while another writer
holds it (`contention`); reads never wait for writes on SQLite (write-ahead logging).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pandas as pd
from sqlalchemy import Engine, Select, create_engine, delete, event, func, make_url, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from forecasts.history import validate_history
from forecasts.overrides import DemandOverride
from scheduler.io import load_scenario
from scheduler.roster import ROSTER_COLUMNS, validate_roster
from scheduler.scenario import Agent, Scenario, ScenarioConfig, TimeOff
from tabular import InputError, Problem
from wfm import auth
from wfm.auth import LoginRefused, NotAllowed, SessionPolicy, User
from wfm.storage import audit, contention, inputs, migrate, users
from wfm.storage.inputs import Rows
from wfm.storage.schema import (
    AgentRecord,
    CenterRecord,
    DemandOverrideRecord,
    RosterRowRecord,
    RosterSeenRecord,
    RosterVersionRecord,
    ScenarioRecord,
    SessionRecord,
    StoredTableRecord,
    TimeOffRecord,
    UserRecord,
    utcnow,
)

DEFAULT_DATA_DIR = Path("wfm-data")
DATABASE_FILE = "wfm.db"
URL_VARIABLE = "WFM_DATABASE_URL"
DEFAULT_CENTER = "default"
WRITES = "wfm_writes"  # execution option of the engine that writes: its transactions take the write lock

Params = ParamSpec("Params")
Result = TypeVar("Result")


# The open unit of work and its store, per thread and task (Streamlit serves sessions from several threads).
_unit_of_work: ContextVar[tuple[Store, Session] | None] = ContextVar("wfm_storage_unit_of_work", default=None)
# The logged-in user the store acts for (`Store.acting_as`), per thread and task like the unit of work.
_acting: ContextVar[User | None] = ContextVar("wfm_storage_acting_user", default=None)


class NotFound(InputError):
    """An id or name the store does not hold (e.g. a mistyped version number on the command line)."""

    def __init__(self, what: str):
        super().__init__(Problem(f"{what} is not in the store"))


@dataclass(frozen=True)
class ScenarioInfo:
    id: int
    center: str
    name: str
    week_start: dt.date
    created_at: dt.datetime  # UTC
    updated_at: dt.datetime  # UTC: when its settings, agents or time off were last saved


@dataclass(frozen=True)
class TableInfo:
    id: int
    kind: str  # history, forecast, requirements or previous_roster
    name: str
    scenario_id: int | None  # None for a center's history
    uploaded_at: dt.datetime  # UTC
    uploaded_by: str | None
    interval_minutes: int | None
    row_count: int


@dataclass(frozen=True)
class StoredOverride:
    id: int
    override: DemandOverride
    created_at: dt.datetime  # UTC
    created_by: str | None


@dataclass(frozen=True)
class RosterVersion:
    id: int
    scenario_id: int
    week_start: dt.date
    number: int  # 1, 2, ... within the scenario's week
    status: str  # draft or published
    created_at: dt.datetime  # UTC
    created_by: str
    published_at: dt.datetime | None  # UTC
    published_by: str | None
    parent_id: int | None  # the published version an edit started from

    @property
    def published(self) -> bool:
        return self.status == "published"


def database_url(data_dir: str | Path = DEFAULT_DATA_DIR, env: Mapping[str, str] | None = None) -> str:
    """The database the app opens: `WFM_DATABASE_URL` from `env` when set, else `data_dir/wfm.db`.

    The app passes `os.environ`; the store itself never reads the environment, so tests and the CLI
    decide explicitly."""
    explicit = (env or {}).get(URL_VARIABLE, "").strip()
    return explicit or sqlite_file_url(Path(data_dir) / DATABASE_FILE)


def sqlite_file_url(path: Path) -> str:
    # Absolute, so that a later change of working directory cannot open a different file.
    return URL.create("sqlite", database=str(path.resolve())).render_as_string()


def create_store_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(parsed, pool_pre_ping=True)
        event.listen(engine, "connect", postgres_connect)
        return engine
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    if is_sqlite_file(parsed):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": contention.BUSY_TIMEOUT_SECONDS})
    event.listen(engine, "connect", sqlite_connect)
    event.listen(engine, "begin", sqlite_begin)
    return engine


def is_sqlite_file(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and bool(url.database) and url.database != ":memory:"


def sqlite_connect(connection: Any, _record: Any) -> None:
    # Python's sqlite3 opens transactions only before INSERT/UPDATE/DELETE, so a migration's DDL and a
    # unit of work's reads would run outside them; we emit BEGIN ourselves (see `sqlite_begin`).
    connection.isolation_level = None
    # SQLite ignores foreign keys (and so the cascades) unless asked, on every connection.
    connection.execute("PRAGMA foreign_keys=ON")


def postgres_connect(connection: Any, _record: Any) -> None:
    # A write waits for a row another scheduler's save holds as long as SQLite waits for its write
    # lock, then fails as contended (and is retried), instead of waiting for ever.
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {round(contention.BUSY_TIMEOUT_SECONDS * 1000)}")
    connection.commit()


def sqlite_begin(connection: Any) -> None:
    # A write takes the write lock up front: begun deferred, it would read, then find at its first
    # write that another save got in between, and fail at once instead of waiting (see `contention`).
    immediate = connection.get_execution_options().get(WRITES, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def use_write_ahead_log(engine: Engine) -> None:
    """Readers go on while a scheduler writes, and the other way round. The mode is kept in the file,
    so it is set once, and only on a database the store recognised (it changes the file's header)."""
    connection = engine.raw_connection()
    try:
        connection.driver_connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()


def where(url: URL) -> str:
    """The database as messages name it: its file, or its URL without the password."""
    return url.database if is_sqlite_file(url) else url.render_as_string(hide_password=True)


def unit_of_work(method: Callable[Params, Result]) -> Callable[Params, Result]:
    """A public method: inside `Store.transaction()` it is part of that unit of work; on its own it is one
    transaction, run again whole (`contention.retried`) when another writer kept the database busy."""

    @functools.wraps(method)
    def run(self: Store, *args: Any, **kwargs: Any) -> Result:
        if self._joined() is not None:
            return method(self, *args, **kwargs)
        # An attempt may have consumed an iterator of rows; every attempt must see them all.
        args = tuple(list(value) if isinstance(value, Iterator) else value for value in args)
        kwargs = {key: list(value) if isinstance(value, Iterator) else value for key, value in kwargs.items()}
        return contention.retried(lambda: method(self, *args, **kwargs))

    return run


def guarded(action: str) -> Callable[[Callable[Params, Result]], Callable[Params, Result]]:
    """A method the acting user's role must be allowed (`wfm.auth.PERMISSIONS[action]`); without an
    acting user (the command line, scripts) it is not checked."""

    def decorate(method: Callable[Params, Result]) -> Callable[Params, Result]:
        @functools.wraps(method)
        def run(*args: Any, **kwargs: Any) -> Result:
            user = _acting.get()
            if user is not None:
                auth.require(user, action)
            return method(*args, **kwargs)

        return run

    return decorate


def actor(by: str | None = None) -> str | None:
    """Who the audit trail names: the acting user, else who the caller says did it."""
    user = _acting.get()
    return user.username if user is not None else by


def own_shifts_only() -> User | None:
    """The acting user when they may see only their own published shifts (an agent), else None."""
    user = _acting.get()
    return user if user is not None and not auth.allowed(user, "see_all_shifts") else None


class Store:
    """The shared storage. `Store()` opens `./wfm-data/wfm.db`; `Store(folder)` another data folder;
    `Store.open(url)` any SQLAlchemy URL. Opening migrates the schema to the newest revision.
    `sessions` says how long a login lasts."""

    def __init__(self, data_dir: str | Path = DEFAULT_DATA_DIR, *, url: str | None = None,
                 sessions: SessionPolicy = SessionPolicy()):
        self.url = url or database_url(data_dir)
        self.sessions = sessions
        self.engine = create_store_engine(self.url)
        writer = self.engine.execution_options(**{WRITES: True})
        try:
            contention.retried(lambda: migrate.upgrade(writer, where(self.engine.url)))
            if is_sqlite_file(self.engine.url):
                contention.retried(lambda: use_write_ahead_log(self.engine))
        except BaseException:
            self.engine.dispose()
            raise
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(writer, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, sessions: SessionPolicy = SessionPolicy()) -> Store:
        return cls(url=url, sessions=sessions)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ---- units of work -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several calls: their writes are all kept, or none is if an exception leaves the block.

        It waits for the write lock when it begins, retried like a single call; the block itself cannot
        be run again, so a busy database inside it raises StoreBusy at once."""
        if self._joined() is not None:
            yield
            return
        with contention.busy_as_store_busy(), contention.retried(self._locked_unit_of_work):
            yield

    def _locked_unit_of_work(self) -> ExitStack:
        """A write unit of work, begun (so holding the write lock), to be closed by the caller."""
        stack = ExitStack()
        stack.enter_context(self._session(write=True))
        return stack

    def _joined(self) -> Session | None:
        joined = _unit_of_work.get()
        return joined[1] if joined is not None and joined[0] is self else None

    @contextmanager
    def _session(self, *, write: bool = False) -> Iterator[Session]:
        """The open unit of work if there is one (so calls inside `transaction()` join it), else a new one;
        a new write unit of work takes the write lock before anything runs in it."""
        joined = self._joined()
        if joined is not None:
            yield joined
            return
        with (self._writes if write else self._reads).begin() as session:
            if write:
                session.connection()
            token = _unit_of_work.set((self, session))
            try:
                yield session
            finally:
                _unit_of_work.reset(token)

    @contextmanager
    def acting_as(self, user: User) -> Iterator[User]:
        """Calls inside the block act for a logged-in user: each is refused (NotAllowed) unless the user's
        role may do it, the audit trail names them, and an agent reads only their own published shifts.
        The app wraps every page of a logged-in user in it."""
        token = _acting.set(user)
        try:
            yield user
        finally:
            _acting.reset(token)

    # ---- centers and scenarios -----------------------------------------------------------------

    @unit_of_work
    def list_centers(self) -> list[str]:
        with self._session() as session:
            return list(session.scalars(select(CenterRecord.name).order_by(CenterRecord.name)))

    def create_center(self, name: str, config: ScenarioConfig | Mapping[str, Any], agents: Rows, *,
                      history: pd.DataFrame, time_off: Rows = (), history_name: str = "history",
                      by: str | None = None) -> int:
        """A new center with its history and its first week (config, agents, time off); returns the week's
        scenario id. A name already taken is refused, and nothing is saved unless everything is valid."""
        name = name.strip() if isinstance(name, str) else name
        config = inputs.scenario_config(config)
        with self.transaction():
            self.require_new_center(name)
            scenario_id = self.create_scenario(config, name=week_name(config.week_start), center=name)
            self.replace_agents(scenario_id, agents)
            self.replace_time_off(scenario_id, time_off)
            self.save_history(name, history, name=history_name, by=by)
        return scenario_id

    def require_new_center(self, name: str) -> None:
        """InputError when a center of that name exists (names choose the center in the app)."""
        if name in self.list_centers():
            raise InputError(Problem(f"a center named '{name}' exists already; choose another name",
                                     column="center name"))

    @guarded("edit_rules")
    @unit_of_work
    def delete_center(self, name: str) -> None:
        """The center and everything it owns: weeks, agents, time off, tables and roster versions."""
        with self._session(write=True) as session:
            record = session.scalar(select(CenterRecord).where(CenterRecord.name == name))
            if record is None:
                raise NotFound(f"center '{name}'")
            weeks = session.scalar(select(func.count()).where(ScenarioRecord.center_id == record.id))
            session.delete(record)
            audit.record(session, "delete_center", f"center '{name}'", actor=actor(), center=name, weeks=weeks)

    @guarded("edit_rules")
    @unit_of_work
    def create_scenario(self, config: ScenarioConfig | Mapping[str, Any], *, name: str,
                        center: str = DEFAULT_CENTER) -> int:
        """A new scenario holding `config`; returns its id."""
        config = inputs.scenario_config(config)
        with self._session(write=True) as session:
            record = ScenarioRecord(center=center_record(session, center), name=name,
                                    week_start=config.week_start, config=config.model_dump(mode="json"))
            session.add(record)
            session.flush()
            audit_scenario(session, record, "create_scenario", week_start=config.week_start.isoformat())
            return record.id

    @guarded("edit_rules")
    @unit_of_work
    def save_scenario_config(self, scenario_id: int, config: ScenarioConfig | Mapping[str, Any]) -> None:
        config = inputs.scenario_config(config)
        with self._session(write=True) as session:
            record = scenario_record(session, scenario_id)
            new = config.model_dump(mode="json")
            changed = sorted(key for key in new.keys() | record.config.keys() if new.get(key) != record.config.get(key))
            record.config = new
            record.week_start = config.week_start
            record.updated_at = utcnow()
            audit_scenario(session, record, "edit_rules", changed=changed)

    @unit_of_work
    def load_scenario_config(self, scenario_id: int) -> ScenarioConfig:
        with self._session() as session:
            return stored_config(scenario_record(session, scenario_id))

    @unit_of_work
    def scenario_info(self, scenario_id: int) -> ScenarioInfo:
        with self._session() as session:
            return scenario_info(scenario_record(session, scenario_id))

    @unit_of_work
    def list_scenarios(self, center: str | None = None) -> list[ScenarioInfo]:
        query = select(ScenarioRecord).join(ScenarioRecord.center).order_by(ScenarioRecord.week_start, ScenarioRecord.id)
        if center is not None:
            query = query.where(CenterRecord.name == center)
        with self._session() as session:
            return [scenario_info(record) for record in session.scalars(query)]

    # ---- agents and time off -------------------------------------------------------------------

    @guarded("edit_agents")
    @unit_of_work
    def replace_agents(self, scenario_id: int, agents: Rows) -> None:
        """Make `agents` (Agent models, dicts or a frame with Agent's columns) the scenario's agents."""
        with self._session(write=True) as session:
            record = scenario_record(session, scenario_id)
            validated = inputs.agents(agents, stored_config(record))
            record.updated_at = utcnow()
            before, after = agent_ids(session, scenario_id), {agent.agent_id for agent in validated}
            audit_scenario(session, record, "replace_agents", agents=len(validated),
                           added=sorted(after - before), removed=sorted(before - after))
            session.execute(delete(AgentRecord).where(AgentRecord.scenario_id == scenario_id))
            session.add_all(
                AgentRecord(scenario_id=scenario_id, position=position, **agent.model_dump())
                for position, agent in enumerate(validated)
            )

    @guarded("see_planning")
    @unit_of_work
    def load_agents(self, scenario_id: int) -> tuple[Agent, ...]:
        with self._session() as session:
            scenario_record(session, scenario_id)
            query = select(AgentRecord).where(AgentRecord.scenario_id == scenario_id).order_by(AgentRecord.position)
            return tuple(
                Agent.model_validate({field: getattr(record, field) for field in Agent.model_fields})
                for record in session.scalars(query)
            )

    @guarded("edit_agents")
    @unit_of_work
    def replace_time_off(self, scenario_id: int, time_off: Rows) -> None:
        """Make `time_off` the scenario's time off; each agent must be one of its agents."""
        with self._session(write=True) as session:
            record = scenario_record(session, scenario_id)
            validated = inputs.time_off(time_off, agent_ids(session, scenario_id))
            record.updated_at = utcnow()
            audit_scenario(session, record, "replace_time_off", entries=len(validated))
            session.execute(delete(TimeOffRecord).where(TimeOffRecord.scenario_id == scenario_id))
            session.add_all(
                TimeOffRecord(scenario_id=scenario_id, position=position, **leave.model_dump())
                for position, leave in enumerate(validated)
            )

    @unit_of_work
    def load_time_off(self, scenario_id: int) -> tuple[TimeOff, ...]:
        """The scenario's time off; for an acting agent, only their own, of their own center (for My shifts)."""
        agent = own_shifts_only()
        with self._session() as session:
            record = scenario_record(session, scenario_id)
            query = select(TimeOffRecord).where(TimeOffRecord.scenario_id == scenario_id).order_by(TimeOffRecord.position)
            if agent is not None:
                if record.center.name != agent.center:
                    raise NotAllowed(agent, "see_planning")
                query = query.where(TimeOffRecord.agent_id == agent.agent_id)
            return tuple(
                TimeOff.model_validate({field: getattr(record, field) for field in TimeOff.model_fields})
                for record in session.scalars(query)
            )

    # ---- stored tables -------------------------------------------------------------------------
    # Each save adds a table (nothing is overwritten); loading takes the newest, or the newest of a name.

    @guarded("edit_demand")
    @unit_of_work
    def save_history(self, center: str, table: pd.DataFrame, *, name: str, by: str | None = None) -> int:
        """A center's interval history (validated like a history file); returns the table id."""
        history = validate_history(table, name)
        with self._session(write=True) as session:
            owner = center_record(session, center)
            return add_table(session, "history", history, name=name, by=by, center_id=owner.id)

    @guarded("see_planning")
    @unit_of_work
    def load_history(self, center: str, name: str | None = None) -> pd.DataFrame:
        with self._session() as session:
            owner = session.scalar(select(CenterRecord).where(CenterRecord.name == center))
            if owner is None:
                raise NotFound(f"center '{center}'")
            return stored_table(session, "history", name, center_id=owner.id, scenario_id=None)

    @guarded("edit_demand")
    @unit_of_work
    def save_forecast(self, scenario_id: int, table: pd.DataFrame, *, name: str = "forecast",
                      by: str | None = None) -> int:
        forecast = inputs.forecast(table, name)
        with self._session(write=True) as session:
            return add_scenario_table(session, scenario_id, "forecast", forecast, name=name, by=by)

    def load_forecast(self, scenario_id: int, name: str | None = None) -> pd.DataFrame:
        return self._load_scenario_table(scenario_id, "forecast", name)

    @guarded("edit_demand")
    @unit_of_work
    def save_requirements(self, scenario_id: int, table: pd.DataFrame, *, name: str = "requirements",
                          by: str | None = None) -> int:
        """Requirements that fit the scenario (its queues and interval grid), extra columns kept."""
        with self._session(write=True) as session:
            config = stored_config(scenario_record(session, scenario_id))
            requirements = inputs.requirements(table, config, name, len(agent_ids(session, scenario_id)) or None)
            requirements.attrs["interval_minutes"] = config.interval_minutes
            return add_scenario_table(session, scenario_id, "requirements", requirements, name=name, by=by)

    def load_requirements(self, scenario_id: int, name: str | None = None) -> pd.DataFrame:
        return self._load_scenario_table(scenario_id, "requirements", name)

    @guarded("edit_demand")
    @unit_of_work
    def save_previous_roster(self, scenario_id: int, roster: pd.DataFrame, *, name: str = "previous_roster",
                             by: str | None = None) -> int:
        """Last week's roster as given (e.g. from another system); it wins over a published one in the store.
        It must end before the scenario's week starts (`scheduler.tables.previous_roster`)."""
        with self._session(write=True) as session:
            config = stored_config(scenario_record(session, scenario_id))
            table = inputs.previous_roster(roster, config, name, agent_ids(session, scenario_id) or None)
            return add_scenario_table(session, scenario_id, "previous_roster", table, name=name, by=by)

    @guarded("see_planning")
    @unit_of_work
    def list_tables(self, *, center: str | None = None, scenario_id: int | None = None,
                    kind: str | None = None) -> list[TableInfo]:
        query = select(StoredTableRecord).order_by(StoredTableRecord.id)
        if center is not None:
            query = query.join(CenterRecord).where(CenterRecord.name == center)
        if scenario_id is not None:
            query = query.where(StoredTableRecord.scenario_id == scenario_id)
        if kind is not None:
            query = query.where(StoredTableRecord.kind == kind)
        with self._session() as session:
            return [table_info(record) for record in session.scalars(query)]

    @guarded("see_planning")
    @unit_of_work
    def _load_scenario_table(self, scenario_id: int, kind: str, name: str | None) -> pd.DataFrame:
        with self._session() as session:
            scenario_record(session, scenario_id)
            return stored_table(session, kind, name, scenario_id=scenario_id)

    # ---- demand overrides ----------------------------------------------------------------------
    # Kept apart from the forecast (which stays as the methods made it), so that each can be removed again.

    @guarded("edit_demand")
    @unit_of_work
    def add_demand_override(self, scenario_id: int, override: DemandOverride | Mapping[str, Any], *,
                            by: str | None = None) -> int:
        """An override of the week's forecast (one of its queues, inside its days); returns its id."""
        with self._session(write=True) as session:
            record = scenario_record(session, scenario_id)
            checked = inputs.demand_override(override, stored_config(record))
            row = DemandOverrideRecord(scenario_id=scenario_id, created_by=actor(by), **checked.model_dump())
            session.add(row)
            session.flush()
            audit_scenario(session, record, "add_demand_override", override_id=row.id,
                           **checked.model_dump(mode="json"))
            return row.id

    @guarded("edit_demand")
    @unit_of_work
    def remove_demand_override(self, override_id: int) -> None:
        with self._session(write=True) as session:
            row = session.get(DemandOverrideRecord, override_id)
            if row is None:
                raise NotFound(f"demand override {override_id}")
            audit_scenario(session, scenario_record(session, row.scenario_id), "remove_demand_override",
                           override_id=row.id, **stored_override(row).override.model_dump(mode="json"))
            session.delete(row)

    @guarded("see_planning")
    @unit_of_work
    def list_demand_overrides(self, scenario_id: int) -> list[StoredOverride]:
        """The week's overrides in the order they were added."""
        with self._session() as session:
            scenario_record(session, scenario_id)
            query = (select(DemandOverrideRecord).where(DemandOverrideRecord.scenario_id == scenario_id)
                     .order_by(DemandOverrideRecord.id))
            return [stored_override(row) for row in session.scalars(query)]

    # ---- roster versions -----------------------------------------------------------------------

    @guarded("generate")
    @unit_of_work
    def save_roster(self, scenario_id: int, roster: pd.DataFrame, by: str, *, week: dt.date | None = None,
                    summary: Mapping[str, Any] | None = None) -> int:
        """A new draft version of the week's roster (default: the scenario's week); returns its id."""
        table, stats, by = validate_roster(roster), inputs.summary(summary or {}), inputs.person(by, "created_by")
        with self._session(write=True) as session:
            record = scenario_record(session, scenario_id)
            week = inputs.monday(week or record.week_start)
            version = add_version(session, scenario_id, week, by, stats, parent_id=None)
            add_roster_rows(session, version.id, table)
            audit_version(session, version, "save_roster", by, rows=len(table))
            return version.id

    @guarded("edit_roster")
    @unit_of_work
    def save_roster_edit(self, version_id: int, roster: pd.DataFrame, by: str, *,
                         summary: Mapping[str, Any] | None = None) -> int:
        """Save an edited roster. A draft is updated in place; a published version is never changed:
        the edit becomes a new draft whose parent it is. Returns the id of the version saved."""
        table, stats, by = validate_roster(roster), inputs.summary(summary or {}), inputs.person(by, "created_by")
        with self._session(write=True) as session:
            version = version_record(session, version_id)
            if version.status == "published":
                version = add_version(session, version.scenario_id, version.week_start, by, stats, parent_id=version.id)
            else:
                session.execute(delete(RosterRowRecord).where(RosterRowRecord.version_id == version.id))
                version.summary = stats  # a summary describes the rows it was saved with
            add_roster_rows(session, version.id, table)
            audit_version(session, version, "edit_roster", by, rows=len(table), edited_version=version_id)
            return version.id

    @guarded("publish")
    @unit_of_work
    def publish(self, version_id: int, by: str) -> RosterVersion:
        """Publish a draft. Publishing a published version changes nothing (a repeated click is harmless)."""
        by = inputs.person(by, "published_by")
        with self._session(write=True) as session:
            version = version_record(session, version_id)
            if version.status == "draft":
                version.status, version.published_at, version.published_by = "published", utcnow(), by
                audit_version(session, version, "publish", by)
            return roster_version(version)

    @unit_of_work
    def get_version(self, version_id: int) -> RosterVersion:
        with self._session() as session:
            return roster_version(visible_version(session, version_id))

    @unit_of_work
    def list_versions(self, scenario_id: int, week: dt.date | None = None) -> list[RosterVersion]:
        query = (select(RosterVersionRecord).where(RosterVersionRecord.scenario_id == scenario_id)
                 .order_by(RosterVersionRecord.week_start, RosterVersionRecord.number))
        if week is not None:
            query = query.where(RosterVersionRecord.week_start == week)
        if own_shifts_only() is not None:
            query = query.where(RosterVersionRecord.status == "published")
        with self._session() as session:
            scenario_record(session, scenario_id)
            return [roster_version(record) for record in session.scalars(query)]

    @unit_of_work
    def latest_published(self, scenario_id: int, week: dt.date | None = None) -> RosterVersion | None:
        """The version published last for the week (default: the scenario's week), or None."""
        with self._session() as session:
            week = week or scenario_record(session, scenario_id).week_start
            query = newest_published().where(RosterVersionRecord.scenario_id == scenario_id,
                                             RosterVersionRecord.week_start == week)
            record = session.scalar(query)
            return None if record is None else roster_version(record)

    @unit_of_work
    def load_roster(self, version_id: int) -> pd.DataFrame:
        """The version's roster table (`agent_id, name, queue, activity, start, end`) in the order saved;
        for an acting agent, only their own rows of a published version of their center."""
        with self._session() as session:
            visible_version(session, version_id)
            table = roster_frame(session, version_id)
        agent = own_shifts_only()
        return table if agent is None else table[table["agent_id"] == agent.agent_id].reset_index(drop=True)

    @unit_of_work
    def mark_seen(self, scenario_id: int, version_id: int) -> None:
        """The logged-in user has seen this published version of the week (My shifts marks later changes)."""
        user = _acting.get()
        if user is None:
            raise InputError(Problem("only a logged-in user sees a roster", column="user"))
        with self._session(write=True) as session:
            version = visible_version(session, version_id)
            if version.scenario_id != scenario_id or version.status != "published":
                raise NotFound(f"published roster version {version_id} of scenario {scenario_id}")
            values = dict(user_id=user.id, scenario_id=scenario_id, version_id=version_id, seen_at=utcnow())
            session.execute(dialect_insert(session)(RosterSeenRecord).values(**values).on_conflict_do_update(
                index_elements=[RosterSeenRecord.user_id, RosterSeenRecord.scenario_id],
                set_={"version_id": version_id, "seen_at": values["seen_at"]}))

    @unit_of_work
    def last_seen(self, scenario_id: int) -> int | None:
        """The published version of the week the logged-in user saw last, or None."""
        user = _acting.get()
        if user is None:
            return None
        with self._session() as session:
            return session.scalar(select(RosterSeenRecord.version_id).where(
                RosterSeenRecord.user_id == user.id, RosterSeenRecord.scenario_id == scenario_id))

    @guarded("see_planning")
    @unit_of_work
    def roster_summary(self, version_id: int) -> dict[str, Any]:
        with self._session() as session:
            return dict(version_record(session, version_id).summary)

    # ---- whole scenarios -----------------------------------------------------------------------

    @guarded("see_planning")
    @unit_of_work
    def to_scenario(self, scenario_id: int) -> Scenario:
        """The stored scenario as the engine loads it: config, agents, time off, the week's requirements and
        last week's roster (a stored previous roster, else the center's published roster of that week).

        Parts saved at different times are checked against each other again, since e.g. a queue
        removed from the config afterwards would leave agents with an unknown skill."""
        with self._session() as session:
            record = scenario_record(session, scenario_id)
            config = stored_config(record)
            agents = inputs.agents(self.load_agents(scenario_id), config)
            time_off = inputs.time_off(self.load_time_off(scenario_id), {agent.agent_id for agent in agents})
            requirements = inputs.week_requirements(self.load_requirements(scenario_id), config, len(agents))
            return Scenario(
                config=config,
                agents=tuple(agents),
                requirements=requirements,
                time_off=tuple(time_off),
                previous_roster=previous_roster(session, record),
            )

    # ---- users, sessions and the audit trail -------------------------------------------------------
    # Adding users, resetting passwords and removing users: the command line (`wfm user`), or a scheduler in
    # the app ("manage_users"). Anyone changes their own password with `change_password`.

    @guarded("manage_users")
    @unit_of_work
    def add_user(self, username: str, password: str, *, role: str, center: str = DEFAULT_CENTER,
                 agent_id: str | None = None, must_change_password: bool = False) -> User:
        """A new user (an agent user names one of the center's agents). A removed user's name may be given
        again: the user comes back with the new role and password."""
        name, password_hash = users.username(username), auth.hash_password(password)
        with self._session(write=True) as session:
            owner = center_record(session, center)
            linked = users.check_role(role, agent_id, owner, session)
            if users.user_record(session, name) is not None:
                raise InputError(Problem(f"{name!r} already exists: choose another username", column="username"))
            record = users.user_record(session, name, active=False) or UserRecord(username=name)
            record.role, record.center, record.agent_id, record.active = role, owner, linked, True
            record.password_hash, record.must_change_password = password_hash, must_change_password
            session.add(record)
            session.flush()
            audit.record(session, "add_user", f"user {name}", actor=actor(), center=owner.name, role=role,
                         agent_id=linked)
            return users.user(record)

    @guarded("manage_users")
    def set_password(self, username: str, password: str, *, must_change_password: bool = False) -> None:
        """A new password for the user (an administrator's reset); their open sessions are closed."""
        self._store_password(username, password, must_change_password)

    def change_password(self, username: str, old_password: str, new_password: str) -> User:
        """The user's own change (e.g. of a one-time password at first login): refused unless the old
        password is right. Their open sessions are closed."""
        with self.acting_as(self.authenticate(username, old_password)):
            self._store_password(username, new_password, must_change_password=False)
        return self.authenticate(username, new_password)

    @unit_of_work
    def _store_password(self, username: str, password: str, must_change_password: bool) -> None:
        password_hash = auth.hash_password(password)
        with self._session(write=True) as session:
            record = users.existing_user(session, username)
            record.password_hash, record.must_change_password = password_hash, must_change_password
            users.close_sessions(session, record.id)
            audit.record(session, "set_password", f"user {record.username}", actor=actor(), center=record.center.name)

    @guarded("manage_users")
    @unit_of_work
    def remove_user(self, username: str) -> None:
        """The user can no longer log in and their sessions end; the audit trail keeps their name."""
        with self._session(write=True) as session:
            record = users.existing_user(session, username)
            record.active = False
            users.close_sessions(session, record.id)
            audit.record(session, "remove_user", f"user {record.username}", actor=actor(), center=record.center.name)

    @guarded("manage_users")
    @unit_of_work
    def list_users(self, center: str | None = None) -> list[User]:
        """The active users, by name."""
        query = select(UserRecord).where(UserRecord.active.is_(True)).order_by(UserRecord.username)
        if center is not None:
            query = query.join(UserRecord.center).where(CenterRecord.name == center)
        with self._session() as session:
            return [users.user(record) for record in session.scalars(query)]

    def authenticate(self, username: str, password: str) -> User:
        """The user whose password this is; LoginRefused with one message for an unknown or removed user
        and a wrong password. A hash made with weaker parameters than today's is replaced."""
        stored = self._password_hash(username)
        if stored is None:
            auth.hash_for_wrong_user()
            raise LoginRefused(auth.WRONG_LOGIN)
        user_id, password_hash = stored
        if not auth.verify_password(password_hash, password):
            raise LoginRefused(auth.WRONG_LOGIN)
        if auth.needs_rehash(password_hash):
            self._replace_hash(user_id, password_hash, auth.hash_password(password))
        return self._user(user_id)

    @unit_of_work
    def open_session(self, user: User) -> str:
        """A login for the user: the token the browser keeps (the database keeps only its digest)."""
        with self._session(write=True) as session:
            return users.open_session(session, user.id, self.sessions, utcnow())

    @unit_of_work
    def session_user(self, token: str) -> User:
        """The user of a live session; LoginRefused when the token is unknown or closed, its user removed,
        or it expired (idle longer than `sessions.idle`, or older than `sessions.absolute`)."""
        now = utcnow()
        with self._session() as session:
            record = users.live_session(session, token, self.sessions, now)
            found, stale = users.user(record.user), now - record.last_seen_at >= users.LAST_SEEN_EVERY
        if stale:
            self._note_activity(record.id, now)
        return found

    @unit_of_work
    def close_session(self, token: str) -> None:
        """Log out (a token that is no session is ignored)."""
        with self._session(write=True) as session:
            session.execute(delete(SessionRecord).where(SessionRecord.token_digest == auth.token_digest(token)))

    @guarded("see_audit")
    @unit_of_work
    def audit_log(self, center: str | None = None, since: dt.datetime | None = None, limit: int = 1000) -> pd.DataFrame:
        """Who changed what and when, newest first: columns at (UTC), actor, action, center, object, details."""
        with self._session() as session:
            return audit.log(session, center, since, limit)

    @unit_of_work
    def _password_hash(self, username: str) -> tuple[int, str] | None:
        with self._session() as session:
            record = users.user_record(session, username) if isinstance(username, str) else None
            return None if record is None else (record.id, record.password_hash)

    @unit_of_work
    def _replace_hash(self, user_id: int, old_hash: str, new_hash: str) -> None:
        with self._session(write=True) as session:
            record = session.get(UserRecord, user_id)
            if record.password_hash == old_hash:  # unless the password was changed meanwhile
                record.password_hash = new_hash

    @unit_of_work
    def _user(self, user_id: int) -> User:
        with self._session() as session:
            return users.user(session.get(UserRecord, user_id))

    @unit_of_work
    def _note_activity(self, session_id: int, now: dt.datetime) -> None:
        with self._session(write=True) as session:
            session.execute(update(SessionRecord).where(SessionRecord.id == session_id).values(last_seen_at=now))

    def import_scenario_folder(self, folder: str | Path, *, center: str = DEFAULT_CENTER,
                               name: str | None = None, by: str | None = None) -> int:
        """Load a scenario folder (`scheduler.io.load_scenario`) and store it as a new scenario; returns its id."""
        scenario = load_scenario(folder)
        with self.transaction():
            scenario_id = self.create_scenario(scenario.config, name=name or Path(folder).resolve().name, center=center)
            self.replace_agents(scenario_id, scenario.agents)
            self.replace_time_off(scenario_id, scenario.time_off)
            self.save_requirements(scenario_id, scenario.requirements, by=by)
            if scenario.previous_roster is not None:
                self.save_previous_roster(scenario_id, scenario.previous_roster, by=by)
        return scenario_id


def week_name(week: dt.date) -> str:
    return f"Week of {week:%d %b %Y}"


# ---- records ------------------------------------------------------------------------------------


def center_record(session: Session, name: str) -> CenterRecord:
    """The center of that name, created on first use. Two schedulers creating the same new center at
    once on PostgreSQL: the later insert waits for the first to commit, then does nothing and finds it."""
    if not isinstance(name, str) or not name.strip():
        raise InputError(Problem("is empty; name the center", column="center"))
    query = select(CenterRecord).where(CenterRecord.name == name.strip())
    record = session.scalar(query)
    if record is None:
        insert = dialect_insert(session)(CenterRecord).values(name=name.strip(), created_at=utcnow())
        session.execute(insert.on_conflict_do_nothing(index_elements=[CenterRecord.name]))
        record = session.scalar(query)
    return record


def dialect_insert(session: Session) -> Callable[..., Any]:
    """The database's INSERT, which has ON CONFLICT (both SQLite and PostgreSQL do)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def audit_scenario(session: Session, record: ScenarioRecord, action: str, **details: Any) -> None:
    audit.record(session, action, f"scenario {record.id} '{record.name}'", actor=actor(), center=record.center.name,
                 **details)


def audit_version(session: Session, version: RosterVersionRecord, action: str, by: str, **details: Any) -> None:
    scenario = scenario_record(session, version.scenario_id)
    audit.record(session, action, f"roster version {version.id} (week {version.week_start}, number {version.number})",
                 actor=actor(by), center=scenario.center.name, scenario_id=scenario.id, **details)


def visible_version(session: Session, version_id: int) -> RosterVersionRecord:
    """The version, unless the acting user is an agent and it is a draft or another center's."""
    version = version_record(session, version_id)
    agent = own_shifts_only()
    if agent is not None and (version.status != "published"
                              or scenario_record(session, version.scenario_id).center.name != agent.center):
        raise NotAllowed(agent, "see_all_shifts")
    return version


def scenario_record(session: Session, scenario_id: int) -> ScenarioRecord:
    record = session.get(ScenarioRecord, scenario_id)
    if record is None:
        raise NotFound(f"scenario {scenario_id}")
    return record


def version_record(session: Session, version_id: int) -> RosterVersionRecord:
    record = session.get(RosterVersionRecord, version_id)
    if record is None:
        raise NotFound(f"roster version {version_id}")
    return record


def stored_config(record: ScenarioRecord) -> ScenarioConfig:
    return ScenarioConfig.model_validate(record.config)


def scenario_info(record: ScenarioRecord) -> ScenarioInfo:
    return ScenarioInfo(id=record.id, center=record.center.name, name=record.name, week_start=record.week_start,
                        created_at=record.created_at, updated_at=record.updated_at)


def add_table(session: Session, kind: str, table: pd.DataFrame, *, name: str, by: str | None,
              center_id: int, scenario_id: int | None = None) -> int:
    record = StoredTableRecord(
        center_id=center_id, scenario_id=scenario_id, kind=kind, name=name, uploaded_by=by,
        interval_minutes=table.attrs.get("interval_minutes"), row_count=len(table), csv=inputs.to_csv(table),
    )
    session.add(record)
    session.flush()
    audit.record(session, f"save_{kind}", f"{kind.replace('_', ' ')} '{name}'", actor=actor(by),
                 center=session.get(CenterRecord, center_id).name, table_id=record.id, scenario_id=scenario_id,
                 rows=len(table))
    return record.id


def add_scenario_table(session: Session, scenario_id: int, kind: str, table: pd.DataFrame, *, name: str,
                       by: str | None) -> int:
    owner = scenario_record(session, scenario_id)
    return add_table(session, kind, table, name=name, by=by, center_id=owner.center_id, scenario_id=scenario_id)


def newest_table(session: Session, kind: str, name: str | None, **owner: int | None) -> StoredTableRecord | None:
    """The newest table of a kind (and name) whose owner columns (center_id, scenario_id) match."""
    query = select(StoredTableRecord).where(StoredTableRecord.kind == kind).order_by(StoredTableRecord.id.desc())
    for column, value in owner.items():
        query = query.where(getattr(StoredTableRecord, column).is_(None) if value is None
                            else getattr(StoredTableRecord, column) == value)
    if name is not None:
        query = query.where(StoredTableRecord.name == name)
    return session.scalars(query.limit(1)).first()


def stored_table(session: Session, kind: str, name: str | None, **owner: int | None) -> pd.DataFrame:
    record = newest_table(session, kind, name, **owner)
    if record is None:
        raise NotFound(f"{kind.replace('_', ' ')}{f' {name!r}' if name else ''}")
    return table_frame(record)


def table_frame(record: StoredTableRecord) -> pd.DataFrame:
    table = inputs.from_csv(record.csv)
    if record.interval_minutes is not None:
        table.attrs["interval_minutes"] = record.interval_minutes
    return table


def table_info(record: StoredTableRecord) -> TableInfo:
    return TableInfo(id=record.id, kind=record.kind, name=record.name, scenario_id=record.scenario_id,
                     uploaded_at=record.uploaded_at, uploaded_by=record.uploaded_by,
                     interval_minutes=record.interval_minutes, row_count=record.row_count)


def stored_override(row: DemandOverrideRecord) -> StoredOverride:
    override = DemandOverride(queue=row.queue, start=row.start, end=row.end, factor=row.factor, note=row.note)
    return StoredOverride(id=row.id, override=override, created_at=row.created_at, created_by=row.created_by)


def add_version(session: Session, scenario_id: int, week: dt.date, by: str, summary: dict[str, Any],
                parent_id: int | None) -> RosterVersionRecord:
    """A new draft, numbered after the week's last version. Locking the scenario's row makes concurrent
    saves number one after the other on PostgreSQL (SQLite has one writer at a time anyway)."""
    session.execute(select(ScenarioRecord.id).where(ScenarioRecord.id == scenario_id).with_for_update())
    last = session.scalar(select(func.max(RosterVersionRecord.number)).where(
        RosterVersionRecord.scenario_id == scenario_id, RosterVersionRecord.week_start == week))
    version = RosterVersionRecord(scenario_id=scenario_id, week_start=week, number=(last or 0) + 1, status="draft",
                                  created_by=by, summary=summary, parent_id=parent_id)
    session.add(version)
    session.flush()
    return version


def add_roster_rows(session: Session, version_id: int, table: pd.DataFrame) -> None:
    session.add_all(
        RosterRowRecord(version_id=version_id, position=position, agent_id=row.agent_id, name=row.name,
                        queue=row.queue, activity=row.activity, start=row.start.to_pydatetime(),
                        end=row.end.to_pydatetime())
        for position, row in enumerate(table.itertuples(index=False))
    )


def roster_frame(session: Session, version_id: int) -> pd.DataFrame:
    query = select(*(getattr(RosterRowRecord, column) for column in ROSTER_COLUMNS)).where(
        RosterRowRecord.version_id == version_id).order_by(RosterRowRecord.position)
    table = pd.DataFrame(session.execute(query).all(), columns=ROSTER_COLUMNS)
    return table.astype({"start": "datetime64[ns]", "end": "datetime64[ns]"})


def roster_version(record: RosterVersionRecord) -> RosterVersion:
    return RosterVersion(
        id=record.id, scenario_id=record.scenario_id, week_start=record.week_start, number=record.number,
        status=record.status, created_at=record.created_at, created_by=record.created_by,
        published_at=record.published_at, published_by=record.published_by, parent_id=record.parent_id,
    )


def newest_published() -> Select[tuple[RosterVersionRecord]]:
    return (select(RosterVersionRecord).where(RosterVersionRecord.status == "published")
            .order_by(RosterVersionRecord.published_at.desc(), RosterVersionRecord.number.desc()).limit(1))


def agent_ids(session: Session, scenario_id: int) -> set[str]:
    return set(session.scalars(select(AgentRecord.agent_id).where(AgentRecord.scenario_id == scenario_id)))


def previous_roster(session: Session, record: ScenarioRecord) -> pd.DataFrame | None:
    """Last week's roster: one stored with the scenario, else the newest roster of the center published
    for the week before. None makes the week cyclic (Sunday night covers Monday morning)."""
    stored = newest_table(session, "previous_roster", None, scenario_id=record.id)
    if stored is not None:
        return table_frame(stored)
    query = newest_published().join(ScenarioRecord).where(
        ScenarioRecord.center_id == record.center_id,
        RosterVersionRecord.week_start == record.week_start - dt.timedelta(days=7),
    )
    published = session.scalar(query)
    return None if published is None else roster_frame(session, published.id)
