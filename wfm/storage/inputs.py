"""What callers hand the store, validated before anything is written.

Every check raises `forecasts.errors.InputError` naming the row (as a spreadsheet shows it: the
first data row is row 2) and the field, so the app can show the problems next to its tables.
Histories, forecasts and rosters go through the readers' own validators (`forecasts.history`,
`scheduler.roster`), so a table the store accepts is one those files would accept too; requirements
are checked against the scenario they are saved for (its queues and interval grid).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from forecasts.errors import InputError, Problem
from forecasts.history import ProblemList, as_text, parse_datetimes, parse_numbers, require_columns, validate_history
from forecasts.staffing import validation_problems
from scheduler.io import SCENARIO_REQUIREMENT_COLUMNS, complete_week
from scheduler.scenario import MINUTES_PER_WEEK, Agent, ScenarioConfig, TimeOff

Model = TypeVar("Model", bound=BaseModel)
Rows = pd.DataFrame | Iterable[BaseModel | Mapping[str, Any]]

FIRST_DATA_ROW = 2  # the header is row 1
REQUIREMENTS_REQUIRED = ["interval_start", "queue", "required"]
TEXT_COLUMNS = ["queue", "method", "agent_id", "name", "activity"]
DATE_COLUMNS = ["interval_start", "start", "end"]


def scenario_config(config: ScenarioConfig | Mapping[str, Any]) -> ScenarioConfig:
    try:
        return ScenarioConfig.model_validate(config)
    except ValidationError as error:
        raise InputError(validation_problems(error, "scenario")) from None


def agents(rows: Rows, config: ScenarioConfig) -> list[Agent]:
    """Agents with unique ids whose skills are queues of the scenario."""
    validated = models(Agent, rows, "agents")
    problems = duplicate_ids(validated) + unknown_skills(validated, config)
    if problems:
        raise InputError(problems)
    return validated


def time_off(rows: Rows, known_agents: set[str]) -> list[TimeOff]:
    """Time off of agents the scenario has."""
    validated = models(TimeOff, rows, "time_off")
    problems = [
        Problem(f"unknown agent '{leave.agent_id}': not among the scenario's agents", "time_off", row, "agent_id")
        for row, leave in enumerate(validated, start=FIRST_DATA_ROW)
        if leave.agent_id not in known_agents
    ]
    if problems:
        raise InputError(problems)
    return validated


def models(model: type[Model], rows: Rows, file: str) -> list[Model]:
    """Each row validated as `model`; the problems of every row are reported together."""
    validated: list[Model] = []
    problems: list[Problem] = []
    for row, values in enumerate(records(rows), start=FIRST_DATA_ROW):
        try:
            validated.append(model.model_validate(values))
        except ValidationError as error:
            # Our validators' messages come prefixed with "Value error, "; users need only the words.
            problems += [dataclasses.replace(p, row=row, message=p.message.removeprefix("Value error, "))
                         for p in validation_problems(error, file)]
    if problems:
        raise InputError(problems)
    return validated


def records(rows: Rows) -> list[BaseModel | Mapping[str, Any]]:
    """Rows of a frame as dicts with None for empty cells (an edited table holds NaN there)."""
    if isinstance(rows, pd.DataFrame):
        return rows.astype(object).where(rows.notna(), None).to_dict("records")
    return list(rows)


def duplicate_ids(validated: list[Agent]) -> list[Problem]:
    first_row: dict[str, int] = {}
    problems = []
    for row, agent in enumerate(validated, start=FIRST_DATA_ROW):
        if agent.agent_id in first_row:
            message = f"duplicate agent_id '{agent.agent_id}': row {first_row[agent.agent_id]} has it already"
            problems.append(Problem(message, "agents", row, "agent_id"))
        first_row.setdefault(agent.agent_id, row)
    return problems


def unknown_skills(validated: list[Agent], config: ScenarioConfig) -> list[Problem]:
    return [
        Problem(f"unknown skill '{skill}': skills must be queues of the scenario ({', '.join(config.queues)})",
                "agents", row, "skills")
        for row, agent in enumerate(validated, start=FIRST_DATA_ROW)
        for skill in agent.skills
        if skill not in config.queues
    ]


def forecast(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """A forecast has the history's columns (and `method`): the history validator checks them."""
    validate_history(table, name)
    return table


def requirements(table: pd.DataFrame, config: ScenarioConfig, name: str = "requirements") -> pd.DataFrame:
    """A requirements table that fits the scenario: its queues, on its interval grid, one row per
    interval and queue. Returned typed, with any extra columns (service_level, ...) kept."""
    minutes = table.attrs.get("interval_minutes")
    table = table.reset_index(drop=True)
    problems = ProblemList(name)
    require_columns(table, REQUIREMENTS_REQUIRED, ["contacts", "aht_seconds"], problems)
    if minutes and minutes != config.interval_minutes:
        # Unlike a file, a table in memory is not aggregated: its rows would land on the wrong intervals.
        problems.add(f"is in {minutes}-minute intervals but the scenario has interval_minutes: "
                     f"{config.interval_minutes}", column="interval_start")
    problems.raise_if_any()
    rows = np.arange(len(table)) + FIRST_DATA_ROW
    typed = table.assign(
        interval_start=parse_datetimes(as_text(table["interval_start"]), rows, "interval_start", "2026-11-23 08:30", problems),
        queue=as_text(table["queue"]),
        required=count(table["required"], rows, "required", problems, whole=True),
    )
    for column in ("contacts", "aht_seconds"):
        if column in table:
            typed[column] = count(table[column], rows, column, problems, empty_ok=True)
    problems.raise_if_any()
    fits_scenario(typed, config, rows, problems)
    problems.raise_if_any()
    return typed


def count(values: pd.Series, rows: np.ndarray, column: str, problems: ProblemList,
          empty_ok: bool = False, whole: bool = False) -> pd.Series:
    """Numbers ≥ 0 (empty cells allowed where `empty_ok`; whole numbers, as integers, where `whole`)."""
    text = as_text(values)
    numbers = parse_numbers(text)
    unreadable = numbers.isna() if not empty_ok else (text != "") & numbers.isna()
    problems.add_cells(column, rows, unreadable, text, lambda value: f"'{value}' is not a number")
    problems.add_cells(column, rows, numbers < 0, text, lambda value: f"{value} is negative")
    if not whole:
        return numbers
    fraction = numbers.notna() & (numbers != np.floor(numbers))
    problems.add_cells(column, rows, fraction, text, lambda value: f"{value} is not a whole number of agents")
    return numbers.fillna(0).astype(int)


def fits_scenario(table: pd.DataFrame, config: ScenarioConfig, rows: np.ndarray, problems: ProblemList) -> None:
    queue, start = table["queue"], table["interval_start"]
    problems.add_cells("queue", rows, ~queue.isin(list(config.queues)), queue,
                       lambda value: f"queue '{value}' is not a queue of the scenario ({', '.join(config.queues)})")
    off_grid = (start - start.dt.normalize()).dt.total_seconds() % (config.interval_minutes * 60) != 0
    problems.add_cells("interval_start", rows, off_grid, start,
                       lambda value: f"{value:%Y-%m-%d %H:%M} is not on the scenario's {config.interval_minutes}-minute grid")
    repeated = table.duplicated(["interval_start", "queue"])
    problems.add_cells("interval_start", rows, repeated, start,
                       lambda value: f"{value:%Y-%m-%d %H:%M} appears twice for the same queue")


def week_requirements(table: pd.DataFrame, config: ScenarioConfig) -> pd.DataFrame:
    """The scenario's week of a requirements table with every interval and queue present: intervals
    absent from the table need no one, as when `scheduler.io` loads a folder."""
    problems = ProblemList("requirements")
    fits_scenario(table, config, np.arange(len(table)) + FIRST_DATA_ROW, problems)
    problems.raise_if_any()
    starts = pd.date_range(pd.Timestamp(config.week_start), periods=MINUTES_PER_WEEK // config.interval_minutes,
                           freq=f"{config.interval_minutes}min")
    if not table["interval_start"].between(starts[0], starts[-1]).any():
        raise InputError(Problem(f"has no rows in the week of {config.week_start}", "requirements"))
    week = complete_week(table.reindex(columns=SCENARIO_REQUIREMENT_COLUMNS), config).astype({"required": int})
    week.attrs["interval_minutes"] = config.interval_minutes
    return week.sort_values(["interval_start", "queue"], ignore_index=True)


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
