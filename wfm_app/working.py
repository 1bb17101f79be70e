"""The working roster of a session: the one the roster page shows, edits, saves and publishes.

Every change goes through `replace`, which bumps a revision number; the derived views (coverage,
summary, violations) are computed once per revision and scenario, not on every rerun of the page.
"""

from __future__ import annotations

import pandas as pd

from scheduler.scenario import Scenario
from wfm.storage import Store
from wfm_app import state
from wfm_app.roster_views import RosterView, derive, fingerprint

UNDO_DEPTH = 20


def roster() -> pd.DataFrame | None:
    return state.get(state.ROSTER)


def follow_scenario(scenario_id: int, store: Store) -> None:
    """Forget another scenario's working roster; on first sight of a scenario, open its newest version
    (the latest published one, else the newest draft), so the page shows what the team works on."""
    if state.get(state.ROSTER_SCENARIO) == scenario_id:
        return
    state.drop(state.ROSTER, state.ROSTER_RESULT, state.ROSTER_ORIGIN, state.ROSTER_VIEW, state.ROSTER_UNDO,
               state.ROSTER_PROGRESS, state.EDIT_MESSAGE)
    state.put(state.ROSTER_SCENARIO, scenario_id)
    versions = store.list_versions(scenario_id, store.scenario_info(scenario_id).week_start)
    if versions:
        newest = store.latest_published(scenario_id) or versions[-1]
        replace(store.load_roster(newest.id), origin=newest.id, saved=True)


def replace(table: pd.DataFrame, *, origin: int | None, saved: bool, result=None, undoable: bool = False) -> None:
    """Make `table` the working roster. `origin` is the stored version it came from or was saved as."""
    if undoable and roster() is not None:
        history = (state.get(state.ROSTER_UNDO) or [])[-(UNDO_DEPTH - 1):]
        current = (roster(), state.get(state.ROSTER_ORIGIN), state.get(state.ROSTER_SAVED))
        state.put(state.ROSTER_UNDO, history + [current])
    elif not undoable:
        state.drop(state.ROSTER_UNDO)
    state.put(state.ROSTER, table.reset_index(drop=True))
    state.put(state.ROSTER_ORIGIN, origin)
    state.put(state.ROSTER_SAVED, saved)
    state.put(state.ROSTER_RESULT, result)
    state.put(state.ROSTER_REVISION, state.get(state.ROSTER_REVISION, 0) + 1)


def undo() -> bool:
    history = state.get(state.ROSTER_UNDO) or []
    if not history:
        return False
    table, origin, saved = history.pop()
    result = state.get(state.ROSTER_RESULT)
    replace(table, origin=origin, saved=saved, result=result, undoable=False)
    state.put(state.ROSTER_UNDO, history)
    return True


def mark_saved(version_id: int) -> None:
    state.put(state.ROSTER_ORIGIN, version_id)
    state.put(state.ROSTER_SAVED, True)


def view(scenario: Scenario) -> RosterView:
    key = (state.get(state.ROSTER_REVISION), fingerprint(scenario))
    cached = state.get(state.ROSTER_VIEW)
    if cached is None or cached[0] != key:
        cached = (key, derive(roster(), scenario, state.get(state.ROSTER_RESULT)))
        state.put(state.ROSTER_VIEW, cached)
    return cached[1]
