"""What every page needs: the settings, the shared store, the scenario being worked on, who is logged in.

The store is a cached resource: one engine (and connection pool) per database for the whole server,
shared by every session. On first start, an empty store gets the sample center, so the app opens on
something to look at.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st

from forecasts.sample import sample_history
from wfm import auth
from wfm.auth import User
from wfm.demo import write_demo_scenario
from scheduler.scenario import Scenario, ScenarioConfig
from wfm.storage import ScenarioInfo, Store
from wfm_app import state
from wfm_app.settings import Settings

SAMPLE_NAME = "Sample center"
SAMPLE_FOLDER = "sample-center"

# The logged-in user of this script run (set by app.py around the page, never read from the session state).
_user: ContextVar[User | None] = ContextVar("wfm_app_user", default=None)


def settings() -> Settings:
    return Settings.from_env(os.environ)


@st.cache_resource(show_spinner="Opening the store (the first start imports the sample center)…")
def open_store(url: str, data_dir: str) -> Store:
    """The store at `url`, with the sample center imported when it holds no scenario yet."""
    store = Store.open(url)
    if not store.list_scenarios():
        with store.transaction():  # holds the write lock: a server started at the same moment waits, then finds it
            if not store.list_scenarios():
                import_sample(store, data_dir, SAMPLE_NAME)
    return store


def import_sample(store: Store, data_dir: str, center: str) -> int:
    """The sample center of `wfm demo` (voice, chat, email and social) under the name `center`, with its
    history (so its next weeks can be forecast); returns its week's scenario id. The demo folder carries the
    week's forecast, and the import stores it and its requirements, so the roster page never waits for a
    forecast."""
    folder = write_demo_scenario(os.path.join(data_dir, SAMPLE_FOLDER), deferred=True)
    with store.transaction():
        store.require_new_center(center)
        scenario_id = store.import_scenario_folder(folder, center=center, name=center, by="wfm app")
        # The week's forecast too (the folder's demand), so that its overrides have a forecast to scale.
        store.save_forecast(scenario_id, pd.read_csv(folder / "forecast.csv", parse_dates=["interval_start"]),
                            by="wfm app")
        store.save_history(center, sample_history(deferred=True), name="sample history", by="wfm app")
    return scenario_id


def store() -> Store:
    current = settings()
    return open_store(current.database_url, str(current.data_dir))


@contextmanager
def acting_as(user: User) -> Iterator[User]:
    """The page runs for `user`: the store checks each call against their role and names them in the audit trail."""
    token = _user.set(user)
    try:
        with store().acting_as(user):
            yield user
    finally:
        _user.reset(token)


def current_user() -> User:
    user_ = _user.get()
    if user_ is None:
        raise RuntimeError("no user is logged in: pages run inside context.acting_as")
    return user_


def may(action: str) -> bool:
    """Whether the logged-in user's role may do `action` (wfm.auth.PERMISSIONS): pages hide what it may not."""
    return auth.allowed(current_user(), action)


def centers() -> list[str]:
    return store().list_centers()


def center() -> str | None:
    """The center chosen in the sidebar (the first one until someone chooses); an agent's own center; None when
    there is none."""
    if not may("see_planning"):
        return current_user().center
    chosen, known = state.get(state.CENTER), centers()
    return chosen if chosen in known else (known[0] if known else None)


def scenarios() -> list[ScenarioInfo]:
    """The chosen center's weeks, earliest first."""
    return store().list_scenarios(center())


def scenario_id() -> int:
    """The week chosen in the sidebar (the center's latest until someone chooses)."""
    chosen = state.get(state.SCENARIO_ID)
    known = [info.id for info in scenarios()]
    return chosen if chosen in known else known[-1]


def scenario_config() -> ScenarioConfig:
    return store().load_scenario_config(scenario_id())


def scenario() -> Scenario:
    """The scenario as the engine sees it, read afresh: another session (or the CLI) may have changed it."""
    return store().to_scenario(scenario_id())


def roster_frame() -> Scenario:
    """Config, agents and time off: enough to read a published roster, even before the week has a demand. An
    agent reads no agents (their name comes with the roster) and only their own time off."""
    scenario_id_ = scenario_id()
    if not may("see_planning"):
        return Scenario(config=scenario_config(), agents=(), requirements=pd.DataFrame(),
                        time_off=store().load_time_off(scenario_id_))
    return Scenario(config=store().load_scenario_config(scenario_id_), agents=store().load_agents(scenario_id_),
                    requirements=pd.DataFrame(), time_off=store().load_time_off(scenario_id_))


def user() -> str:
    """Who saves and publishes: the logged-in username."""
    return current_user().username


def viewer_zone() -> dt.tzinfo:
    """The browser's time zone, for the moments something was saved or published (UTC when the browser
    does not say or names a zone this machine does not know)."""
    try:
        return ZoneInfo(st.context.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC
