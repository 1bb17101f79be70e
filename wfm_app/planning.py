"""The planning calendar of a center: each week's state, and rolling forward to a new week.

A week is one of the store's scenarios. A new week takes the center's agents, time off and rules as they
are now (those of its latest week), its demand is forecast from the center's history (actuals included)
up to the week, and last week's published roster carries into it by itself (`Store.to_scenario`). One week
is planned at a time; a horizon of N weeks is N such weeks in a row.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import pandas as pd

from forecasts.backtest import TimeBudget
from forecasts.forecast import forecast_history
from forecasts.overrides import DemandOverride
from scheduler.scenario import ScenarioConfig
from tabular import InputError, Problem
from wfm.storage import NotFound, ScenarioInfo, Store
from wfm.storage.store import week_name
from wfm_app import overrides

NO_DEMAND, FORECAST_SAVED, DRAFT, PUBLISHED, NOT_PLANNED = (
    "no demand", "forecast saved", "draft roster", "published", "to plan")
WEEKS_AHEAD = 4  # weeks to plan shown after the center's last week
CALENDAR_COLUMNS = ["week", "state", "versions", "previous roster", "scenario_id"]
# The calendar's forecast time limit unless the planner sets another (as the Forecast page's).
FORECAST_SECONDS = 120
# A week whose share of the time limit is used up still gets a forecast: its default method alone.
LEAST_WEEK_SECONDS = 0.01


class PlannedWeek(NamedTuple):
    """A week just planned: its scenario id and what its forecast says the user should know (e.g. the
    methods a time limit skipped)."""

    scenario_id: int
    notes: tuple[str, ...]


class WeekDemand(NamedTuple):
    forecast: pd.DataFrame
    requirements: pd.DataFrame
    notes: tuple[str, ...]


def week_state(store: Store, info: ScenarioInfo) -> str:
    versions = store.list_versions(info.id, info.week_start)
    if any(version.published for version in versions):
        return PUBLISHED
    if versions:
        return DRAFT
    return FORECAST_SAVED if store.list_tables(scenario_id=info.id, kind="requirements") else NO_DEMAND


def calendar(store: Store, center: str, weeks_ahead: int = WEEKS_AHEAD) -> pd.DataFrame:
    """One row per week of the center, earliest first, then the next `weeks_ahead` weeks to plan."""
    infos = store.list_scenarios(center)
    published = {info.week_start for info in infos if week_state(store, info) == PUBLISHED}
    rows = [{"week": info.week_start, "state": week_state(store, info),
             "versions": len(store.list_versions(info.id, info.week_start)),
             "previous roster": carried_from(info.week_start, published), "scenario_id": info.id} for info in infos]
    last = max((info.week_start for info in infos), default=None)
    for step in range(weeks_ahead if last else 0):
        week = last + dt.timedelta(weeks=step + 1)
        rows.append({"week": week, "state": NOT_PLANNED, "versions": 0,
                     "previous roster": carried_from(week, published), "scenario_id": None})
    return pd.DataFrame(rows, columns=CALENDAR_COLUMNS).astype({"scenario_id": "Int64"})


def carried_from(week: dt.date, published: set[dt.date]) -> str:
    """Which roster carries rest, consecutive days and nights into `week`: last week's published one.
    An older roster carries nothing into Monday (`scheduler.tables.previous_roster`), so without last
    week's the week is planned as repeating."""
    before = week - dt.timedelta(weeks=1)
    return f"published week of {before:%d %b}" if before in published else "none (the week repeats)"


def next_week(store: Store, center: str) -> dt.date:
    """The Monday after the center's last week."""
    return max(info.week_start for info in store.list_scenarios(center)) + dt.timedelta(weeks=1)


def roll_forward(store: Store, center: str, week: dt.date, by: str, methods: list[str] | None = None,
                 time_limit: float | None = None) -> PlannedWeek:
    """A new week of the center (a Monday not planned yet) from its latest week's agents, time off and rules,
    with its demand forecast from the center's history before the week (within `time_limit` seconds, None: no
    limit) and staffed."""
    infos = store.list_scenarios(center)
    if week.weekday() != 0:
        raise InputError(Problem(f"{week} is a {week:%A}; a planning week starts on a Monday", column="week"))
    if any(info.week_start == week for info in infos):
        raise InputError(Problem(f"the week of {week:%d %b %Y} is planned already; choose it in the sidebar",
                                 column="week"))
    latest = max(infos, key=lambda info: info.week_start)
    config = store.load_scenario_config(latest.id).model_copy(update={"week_start": week})
    demand = week_demand(store, center, config, methods, time_limit=time_limit)
    with store.transaction():
        scenario_id = store.create_scenario(config, name=week_name(week), center=center)
        store.replace_agents(scenario_id, store.load_agents(latest.id))
        store.replace_time_off(scenario_id, store.load_time_off(latest.id))
        save_demand(store, scenario_id, demand, by)
    return PlannedWeek(scenario_id, demand.notes)


def plan_weeks(store: Store, center: str, first: dt.date, count: int, by: str,
               methods: list[str] | None = None, time_limit: float | None = None) -> list[PlannedWeek]:
    """`count` new weeks in a row from `first` (each rolled forward from the one before). `time_limit`: seconds
    for all their forecasts, each week taking an equal share of what is left (None: no limit)."""
    budget = TimeBudget(time_limit)
    planned = []
    for step in range(count):
        share = None if time_limit is None else max(round(budget.remaining() / (count - step), 2), LEAST_WEEK_SECONDS)
        week = first + dt.timedelta(weeks=step)
        done = roll_forward(store, center, week, by, methods, share)
        planned.append(done._replace(notes=tuple(f"week of {week:%d %b %Y}: {note}" for note in done.notes)))
    return planned


def forecast_week(store: Store, scenario_id: int, by: str, methods: list[str] | None = None,
                  time_limit: float | None = None) -> tuple[str, ...]:
    """Forecast and staff a planned week from the center's history before it (within `time_limit` seconds,
    None: no limit), and save it as its demand; returns the forecast's notes."""
    info = store.scenario_info(scenario_id)
    demand = week_demand(store, info.center, store.load_scenario_config(scenario_id), methods,
                         overrides.week_overrides(store, scenario_id), time_limit)
    with store.transaction():
        save_demand(store, scenario_id, demand, by)
    return demand.notes


def week_demand(store: Store, center: str, config: ScenarioConfig, methods: list[str] | None,
                week_overrides: list[DemandOverride] = (), time_limit: float | None = None) -> WeekDemand:
    """The week's forecast (within `time_limit` seconds) and its staffing requirement at the scenario's targets,
    overrides applied, with the forecast's notes."""
    result = forecast_history(center_history(store, center, config.week_start), start=config.week_start,
                              weeks=config.weeks, methods=methods, time_limit=time_limit)
    requirements = overrides.requirement(result.forecast, list(week_overrides), config.staffing_config())
    return WeekDemand(result.forecast, requirements, result.notes)


def save_demand(store: Store, scenario_id: int, demand: WeekDemand, by: str) -> None:
    store.save_forecast(scenario_id, demand.forecast, by=by)
    store.save_requirements(scenario_id, demand.requirements, by=by)


def center_history(store: Store, center: str, before: dt.date) -> pd.DataFrame:
    """The center's history (actuals included) before `before`, so a past week is forecast as it was then."""
    try:
        history = store.load_history(center)
    except NotFound:
        raise InputError(Problem("has no history to forecast from; create the center with an interval history",
                                 column="history")) from None
    kept = history[history["interval_start"] < pd.Timestamp(before)]
    if kept.empty:
        raise InputError(Problem(f"has no interval before {before:%d %b %Y} to forecast the week from; "
                                 "choose a later week or upload actuals", column="history"))
    kept.attrs = dict(history.attrs)
    return kept

