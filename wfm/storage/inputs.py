"""What callers hand the store, validated before anything is written.

The scenario's tables go through the same validators as a scenario folder's files
(`scheduler.tables`, `forecasts.history`, `scheduler.roster`): this module only turns what callers
give (models, dicts or frames) into tables of cells, numbered as a spreadsheet shows them (the first
data row is row 2), so a table the store accepts is one the folder would accept too. Every check
raises `tabular.InputError` naming the row and the field, so the app can show the problems next
to its tables.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from forecasts.history import validate_history
from forecasts.overrides import DemandOverride
from forecasts.staffing import validation_problems
from scheduler import tables
from scheduler.scenario import Agent, ScenarioConfig, TimeOff
from tabular import InputError, Problem

Rows = pd.DataFrame | Iterable[BaseModel | Mapping[str, Any]]

TEXT_COLUMNS = ["queue", "method", "agent_id", "name", "activity"]
DATE_COLUMNS = ["interval_start", "start", "end"]


def scenario_config(config: ScenarioConfig | Mapping[str, Any]) -> ScenarioConfig:
    try:
        return ScenarioConfig.model_validate(config)
    except ValidationError as error:
        raise InputError(validation_problems(error, "scenario")) from None


def agents(rows: Rows, config: ScenarioConfig) -> list[Agent]:
    """Agents with unique ids whose skills are queues of the scenario (`scheduler.tables.agents`)."""
    table = frame(rows, list(Agent.model_fields))
    return list(tables.agents(table, tables.positions(table), "agents", config))


def time_off(rows: Rows, known_agents: set[str]) -> list[TimeOff]:
    """Time off of agents the scenario has (`scheduler.tables.time_off`)."""
    table = frame(rows, list(TimeOff.model_fields))
    return list(tables.time_off(table, tables.positions(table), "time_off", known_agents))


def frame(rows: Rows, columns: list[str]) -> pd.DataFrame:
    """Rows (models, dicts or a frame) as a table of cells; without rows, an empty table of `columns`."""
    if isinstance(rows, pd.DataFrame):
        return rows.reset_index(drop=True)
    records = [row.model_dump() if isinstance(row, BaseModel) else dict(row) for row in rows]
    return pd.DataFrame.from_records(records) if records else pd.DataFrame(columns=columns)


def forecast(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """A forecast has the history's columns (and `method`): the history validator checks them."""
    validate_history(table, name)
    return table


def requirements(table: pd.DataFrame, config: ScenarioConfig, name: str = "requirements",
                 agent_count: int | None = None) -> pd.DataFrame:
    """A requirements table that fits the scenario (`scheduler.tables.requirements`): its queues, on its
    interval grid (a finer table is aggregated to it), one row per interval and queue."""
    table = table.reset_index(drop=True)
    return tables.requirements(table, tables.positions(table), name, config, agent_count)


def week_requirements(table: pd.DataFrame, config: ScenarioConfig, agent_count: int | None = None) -> pd.DataFrame:
    """The scenario's week of a stored requirements table, checked against the scenario again, with every
    interval and queue present: intervals absent from the table need no one, as in a scenario folder."""
    checked = requirements(table, config, agent_count=agent_count)
    return tables.scenario_requirements(tables.week_rows(checked, config, "requirements"), config)


def previous_roster(table: pd.DataFrame, config: ScenarioConfig, name: str,
                    known_agents: set[str] | None) -> pd.DataFrame:
    """Last week's roster for the scenario's week (`scheduler.tables.previous_roster`)."""
    table = table.reset_index(drop=True)
    return tables.previous_roster(table, tables.positions(table), name, config.week_start, known_agents)


def demand_override(override: DemandOverride | Mapping[str, Any], config: ScenarioConfig) -> DemandOverride:
    """An override of one of the scenario's queues, inside its horizon."""
    try:
        checked = DemandOverride.model_validate(override)
    except ValidationError as error:
        raise InputError(validation_problems(error, "demand override")) from None
    first = dt.datetime.combine(config.week_start, dt.time())
    last = first + dt.timedelta(minutes=config.horizon_minutes)
    problems = []
    if checked.queue not in config.queues:
        problems.append(Problem(f"'{checked.queue}' is not a queue of the week ({', '.join(config.queues)})",
                                "demand override", column="queue"))
    if checked.start < first or checked.end > last:
        problems.append(Problem(f"{checked.start:%a %d %b %H:%M} to {checked.end:%a %d %b %H:%M} is not inside the "
                                f"planned days ({first:%d %b} to {last - dt.timedelta(days=1):%d %b})",
                                "demand override", column="start"))
    if problems:
        raise InputError(problems)
    return checked


def summary(values: Mapping[str, Any]) -> dict[str, Any]:
    """A roster summary as plain JSON (numpy numbers, as the evaluation produces them, become numbers)."""
    try:
        return json.loads(json.dumps(dict(values), default=plain))
    except (TypeError, ValueError) as error:
        raise InputError(Problem(f"cannot be stored as JSON: {error}", "summary")) from None


def plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (dt.date, dt.time, pd.Timestamp)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def person(name: str, column: str) -> str:
    """Who saved or published: required, since a published roster must say who stands behind it."""
    if not isinstance(name, str) or not name.strip():
        raise InputError(Problem("is empty; say who does this", column=column))
    return name.strip()


def monday(day: dt.date) -> dt.date:
    if day.weekday() != 0:
        raise InputError(Problem(f"{day} is a {day:%A}; a roster week starts on a Monday", column="week_start"))
    return day


def to_csv(table: pd.DataFrame) -> str:
    return table.to_csv(index=False)


def from_csv(text: str) -> pd.DataFrame:
    """A stored table with its types back: times as datetimes and names as text (a queue named 1 stays "1")."""
    header = pd.read_csv(io.StringIO(text), nrows=0).columns
    texts = {column: str for column in TEXT_COLUMNS if column in header}
    table = pd.read_csv(io.StringIO(text), dtype=texts, keep_default_na=False, na_values=numeric_na(header, texts))
    for column in DATE_COLUMNS:
        if column in table:
            table[column] = pd.to_datetime(table[column], format="ISO8601").astype("datetime64[ns]")
    return table


def numeric_na(header: pd.Index, texts: Mapping[str, type]) -> dict[str, list[str]]:
    """Empty cells are missing numbers, but empty text (a break row's queue) stays ""."""
    return {column: [""] for column in header if column not in texts}
