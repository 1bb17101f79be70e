"""One validator per scenario table: agents, time off, requirements, previous roster.

Each takes a frame of raw cells (text from a CSV, or typed cells from the app's store), the row
each of its rows has in the table a planner sees (header = row 1) and the table's name, and returns
typed objects or a clean table, or raises `InputError` with every located problem. The folder
loader (`scheduler.io`) and the store (`wfm.storage.inputs`) only read their tables and call these,
so a table one accepts the other accepts too.

Requirements at a finer interval than the scenario's are aggregated to it (contacts summed, handle
times weighted by contacts, and the *largest* `required` of the finer intervals, so that no part of
the interval is short); coarser ones are errors, since splitting them would invent a profile.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from pydantic import ValidationError

from forecasts.history import (
    MAX_AHT_SECONDS,
    MAX_CONTACTS_PER_INTERVAL,
    check_interval_grid,
    detect_interval,
    too_long_handle_time,
    too_many_contacts,
)
from forecasts.intervals import BAND_COLUMNS
from forecasts.settings import validation_problems
from scheduler.roster import validate_roster
from scheduler.scenario import MINUTES_PER_WEEK, Agent, ScenarioConfig, TimeOff
from tabular import (
    MAX_AGENTS,
    MAX_PROBLEMS,
    InputError,
    Problem,
    ProblemList,
    as_text,
    normalize_columns,
    parse_datetimes,
    parse_numbers,
    require_columns,
)

AGENT_REQUIRED = ["agent_id", "name", "skills", "min_hours", "max_hours"]
AGENT_OPTIONAL = ["max_days", "night_ok", "earliest_start", "latest_end", "preferred"]
TIME_OFF_REQUIRED = ["agent_id", "start", "end"]
TIME_OFF_OPTIONAL = ["reason"]
REQUIREMENTS_REQUIRED = ["interval_start", "queue", "required"]
REQUIREMENTS_OPTIONAL = ["contacts", "aht_seconds"]
SCENARIO_REQUIREMENT_COLUMNS = ["interval_start", "queue", "contacts", "aht_seconds", "required"]
FIRST_DATA_ROW = 2  # the header is row 1
# More agents required in an interval than this many times the team is a typo, not a plan.
REQUIRED_PER_AGENT = 10

_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_DATE_ONLY = r"^\d{4}-\d{2}-\d{2}$"
_EXAMPLE_TIME = "2026-11-25 14:00"
_EXAMPLE_INTERVAL = "2026-11-23 08:30"


def positions(frame: pd.DataFrame) -> np.ndarray:
    """The rows a table in memory has as a spreadsheet shows it (first data row = row 2)."""
    return np.arange(len(frame)) + FIRST_DATA_ROW


def columns_of(raw: pd.DataFrame, name: str, required: list[str], optional: list[str],
               extra_columns: bool = False) -> tuple[pd.DataFrame, ProblemList]:
    """The raw cells with canonical column names (absent optional ones empty), in the raw frame's row order.
    Missing columns raise, and so do other columns unless `extra_columns`; cell problems are left to the
    caller, in the returned ProblemList."""
    problems = ProblemList(name)
    frame = normalize_columns(raw, required + optional, problems)
    require_columns(frame, required, optional, problems)
    for column in frame.columns:
        if not extra_columns and column not in required + optional:
            problems.add(
                f"unknown column '{column}'; the columns are {', '.join(required + optional)}", row=1, column=column
            )
    problems.raise_if_any()
    return frame.reindex(columns=[*frame.columns, *(c for c in optional if c not in frame)]), problems


# --------------------------------------------------------------------------------------------
# agents
# --------------------------------------------------------------------------------------------


def agents(raw: pd.DataFrame, rows: np.ndarray, name: str, config: ScenarioConfig) -> tuple[Agent, ...]:
    """The agents of a table with `AGENT_REQUIRED` and `AGENT_OPTIONAL` columns; every bad cell is reported.

    Cells are text (`voice;chat`, `yes`, `08:30`) or already typed (a tuple of skills, a bool, a time)."""
    if len(raw) > MAX_AGENTS.value():
        raise InputError(Problem(f"has {len(raw):,} rows, more than {MAX_AGENTS.described()}; "
                                 f"split the center or raise {MAX_AGENTS.variable}", name))
    frame, problems = columns_of(raw, name, AGENT_REQUIRED, AGENT_OPTIONAL)
    found: list[Agent] = []
    first_row_of: dict[str, int] = {}
    for row, cells in zip(rows, frame.to_dict("records")):
        agent = _agent(cells, row, config, problems)
        agent_id = "" if _empty(cells["agent_id"]) else str(cells["agent_id"]).strip()
        if agent_id in first_row_of:
            problems.add(
                f"duplicate agent_id '{agent_id}': row {first_row_of[agent_id]} has it already", row, "agent_id"
            )
            continue
        if agent_id:
            first_row_of[agent_id] = row
        if agent is not None:
            found.append(agent)
    problems.raise_if_any()
    if not found:
        raise InputError(Problem("has no agents; add one row per agent", name))
    return tuple(found)


def _agent(cells: Mapping[str, object], row: int, config: ScenarioConfig, problems: ProblemList) -> Agent | None:
    """One agent from its cells, or None after reporting what is wrong with it."""
    values: dict[str, object] = {}
    found: list[tuple[str, str]] = []  # (message, column)
    for column in AGENT_REQUIRED + AGENT_OPTIONAL:
        cell = cells[column]
        if _empty(cell):
            if column in AGENT_REQUIRED:
                found.append(("is empty; a value is required", column))
            continue
        try:
            values[column] = _AGENT_CELLS.get(column, str)(cell.strip()) if isinstance(cell, str) else cell
        except ValueError as error:
            found.append((str(error), column))
    for skill in values.get("skills", ()):
        if skill not in config.queues:
            found.append((f"unknown skill '{skill}': skills must be queues of the scenario "
                          f"({', '.join(config.queues)})", "skills"))
    if not found:
        try:
            return Agent.model_validate(values)
        except ValidationError as error:
            found = [(_with_input(p, values), p.column) for p in validation_problems(error)]
    for message, column in found:
        problems.add(message, row, column)
    return None


def _empty(cell: object) -> bool:
    """No value: None, NaN, NaT or blank text (an edited table holds any of them)."""
    if isinstance(cell, str):
        return not cell.strip()
    return cell is None or cell is pd.NaT or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell))


def _with_input(problem: Problem, values: Mapping[str, object]) -> str:
    """The problem's message, quoting the cell it is about."""
    if problem.column in values:
        return f"'{values[problem.column]}': {problem.message}"
    return problem.message


def _skills(text: str) -> tuple[str, ...]:
    skills = tuple(skill.strip() for skill in text.split(";") if skill.strip())
    if not skills:
        raise ValueError(f"'{text}' names no queue; separate skills with ';', e.g. voice;chat")
    return skills


def _yes_no(text: str) -> bool:
    word = text.lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError(f"'{text}' is not yes or no (also accepted: true/false, 1/0)")


def _clock(text: str) -> dt.time:
    match = _CLOCK.match(text)
    hour, minute = (int(part) for part in match.groups()) if match else (-1, -1)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(f"'{text}' is not a time of day; write HH:MM, e.g. 08:30")
    return dt.time(hour, minute)


_AGENT_CELLS: dict[str, Callable[[str], object]] = {
    "skills": _skills,
    "night_ok": _yes_no,
    "earliest_start": _clock,
    "latest_end": _clock,
}


# --------------------------------------------------------------------------------------------
# time off
# --------------------------------------------------------------------------------------------


def time_off(raw: pd.DataFrame, rows: np.ndarray, name: str, known_agents: set[str] | None) -> tuple[TimeOff, ...]:
    """Time off of a table `agent_id, start, end[, reason]`; agents are checked when `known_agents` is given.

    A date alone as `start` means its midnight, as `end` the end of that day."""
    frame, problems = columns_of(raw, name, TIME_OFF_REQUIRED, TIME_OFF_OPTIONAL)
    text = {column: as_text(frame[column]) for column in frame}
    start = parse_datetimes(text["start"], rows, "start", _EXAMPLE_TIME, problems)
    end = parse_datetimes(text["end"], rows, "end", _EXAMPLE_TIME, problems)
    end = end.where(~text["end"].str.match(_DATE_ONLY), end + pd.Timedelta(days=1))
    ids = text["agent_id"]
    problems.add_cells("agent_id", rows, ids == "", ids, lambda _: "is empty; name the agent")
    if known_agents is not None:
        _unknown_agents(ids, rows, known_agents, problems)
    problems.add_cells("end", rows, end <= start, text["end"], lambda value: f"'{value}' is not after start")
    problems.raise_if_any()
    return tuple(
        TimeOff(agent_id=agent_id, start=begin.to_pydatetime(), end=finish.to_pydatetime(), reason=reason)
        for agent_id, begin, finish, reason in zip(ids, start, end, text["reason"])
    )


def _unknown_agents(ids: pd.Series, rows: np.ndarray, known_agents: set[str], problems: ProblemList) -> None:
    unknown = (ids != "") & ~ids.isin(known_agents)
    problems.add_cells("agent_id", rows, unknown, ids,
                       lambda value: f"unknown agent '{value}': not one of the scenario's agents")


# --------------------------------------------------------------------------------------------
# previous roster
# --------------------------------------------------------------------------------------------


def previous_roster(raw: pd.DataFrame, rows: np.ndarray, name: str, week_start: dt.date,
                    known_agents: set[str] | None) -> pd.DataFrame:
    """Last week's roster: a valid roster of known agents that ends before the week starts, except for
    shifts that start on the Sunday before and run over midnight into it, and that reaches into the
    week before (otherwise it would chain nothing across Monday). A roster with no rows says that
    nobody worked last week."""
    roster = validate_roster(raw, name, rows)
    problems = ProblemList(name)
    if known_agents is not None:
        _unknown_agents(roster["agent_id"], rows, known_agents, problems)
    _reaching_into_the_week(roster, rows, pd.Timestamp(week_start), problems)
    problems.raise_if_any()
    _check_touches_last_week(roster, pd.Timestamp(week_start), name)
    return roster


def _reaching_into_the_week(roster: pd.DataFrame, rows: np.ndarray, week: pd.Timestamp,
                            problems: ProblemList) -> None:
    """Report the first row of each shift (a run of segments joining end to start) that reaches past
    Monday 00:00 without having started on the Sunday before."""
    ordered = roster.assign(row=rows).sort_values(["agent_id", "start"], kind="stable")
    new_shift = (ordered["agent_id"] != ordered["agent_id"].shift()) | (ordered["start"] != ordered["end"].shift())
    shifts = ordered.groupby(new_shift.cumsum()).agg(row=("row", "first"), start=("start", "min"), end=("end", "max"))
    sunday = week - pd.Timedelta(days=1)
    into_week = (shifts["end"] > week) & ~shifts["start"].between(sunday, week, inclusive="left")
    for shift in shifts[into_week].head(MAX_PROBLEMS).itertuples():
        problems.add(_reaching_message(shift.start, shift.end, week), shift.row, "start")


def _reaching_message(start: pd.Timestamp, end: pd.Timestamp, week: pd.Timestamp) -> str:
    rule = ("a previous roster is last week's: only a shift that starts on the Sunday before may run over "
            "midnight into the week")
    if start >= week:
        return (f"this shift starts at {start:%Y-%m-%d %H:%M}, not before the week being planned (from Monday "
                f"{week:%Y-%m-%d} 00:00); {rule}. Was this week's roster given as last week's?")
    return (f"this shift runs from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}, into the week being planned "
            f"(from Monday {week:%Y-%m-%d} 00:00); {rule}")


def _check_touches_last_week(roster: pd.DataFrame, week: pd.Timestamp, name: str) -> None:
    last_week = week - pd.Timedelta(days=7)
    if roster.empty or (roster["end"] > last_week).any():
        return
    raise InputError(Problem(
        f"has no shift in the week before {week:%Y-%m-%d} (its shifts run from {roster['start'].min():%Y-%m-%d} "
        f"to {roster['end'].max():%Y-%m-%d}); as last week's roster it would stop the week from repeating yet "
        "carry no rest or consecutive days into Monday. Give the roster of the week of "
        f"{last_week:%Y-%m-%d}, or remove the file to plan the week as repeating", name))


# --------------------------------------------------------------------------------------------
# requirements
# --------------------------------------------------------------------------------------------


def requirements(raw: pd.DataFrame, rows: np.ndarray, name: str, config: ScenarioConfig,
                 agent_count: int | None = None) -> pd.DataFrame:
    """A requirements table `interval_start, queue, required` (+ optional `contacts, aht_seconds`) on the
    scenario's interval grid, in the order given (finer tables aggregated to the grid, in time order).

    Its queues must be the scenario's; `required` may not exceed `REQUIRED_PER_AGENT` times the team
    (`agent_count`, or the largest team allowed when it is not known). Other columns (`wfm staff`
    writes service_level and more) are kept as given when the table is already on the grid."""
    frame, problems = columns_of(raw, name, REQUIREMENTS_REQUIRED, REQUIREMENTS_OPTIONAL, extra_columns=True)
    if frame.empty:
        raise InputError(Problem("has no data rows below the header", name))
    text = {column: as_text(frame[column]) for column in REQUIREMENTS_REQUIRED + REQUIREMENTS_OPTIONAL}
    most_required = REQUIRED_PER_AGENT * (agent_count or MAX_AGENTS.value())
    table = frame.assign(
        interval_start=parse_datetimes(text["interval_start"], rows, "interval_start", _EXAMPLE_INTERVAL, problems),
        queue=text["queue"],
        contacts=_count(text["contacts"], rows, "contacts", problems, MAX_CONTACTS_PER_INTERVAL, too_many_contacts,
                        default=0.0),
        aht_seconds=_count(text["aht_seconds"], rows, "aht_seconds", problems, MAX_AHT_SECONDS, too_long_handle_time,
                           default=np.nan),
        required=_count(text["required"], rows, "required", problems, most_required,
                        lambda value: _too_many_required(value, agent_count), whole=True),
    ).reset_index(drop=True)
    problems.add_cells("queue", rows, table["queue"] == "", table["queue"], lambda _: "is empty; name the queue")
    problems.raise_if_any()
    problems.extend(undeclared_queues(table["queue"], first_rows(table["queue"], rows), config, name))
    _check_duplicates(table, rows, problems)
    minutes = raw.attrs.get("interval_minutes")  # a table `wfm staff` made knows its interval, however sparse
    if minutes:
        check_interval_grid(table, rows, minutes, problems)
    else:
        minutes = detect_interval(table, rows, problems, default=config.interval_minutes)
    problems.raise_if_any()
    typed = on_grid(table, minutes, config.interval_minutes, name)
    return typed.astype({"required": int})


def _too_many_required(value: float, agent_count: int | None) -> str:
    if agent_count:
        return (f"{value:g} agents required in one interval is more than {REQUIRED_PER_AGENT} times the "
                f"scenario's {agent_count} agents; check the number")
    return f"{value:g} agents required in one interval is implausible; check the number"


def _count(text: pd.Series, rows: np.ndarray, column: str, problems: ProblemList, most: float,
           too_large: Callable[[float], str], default: float | None = None, whole: bool = False) -> pd.Series:
    """A column of numbers from 0 to `most`; empty cells take `default` (an error without one)."""
    numbers = parse_numbers(text)
    empty = text == ""
    if default is None:
        problems.add_cells(column, rows, empty, text, lambda _: "is empty; a number is required")
    problems.add_cells(column, rows, ~empty & numbers.isna(), text, lambda value: f"'{value}' is not a number")
    problems.add_cells(column, rows, numbers < 0, text, lambda value: f"{value} is negative")
    problems.add_cells(column, rows, numbers > most, numbers, too_large)
    if whole:
        fraction = numbers.notna() & (numbers != np.floor(numbers))
        problems.add_cells(column, rows, fraction, text, lambda value: f"{value} is not a whole number of agents")
    return numbers.where(~empty, default)


def _check_duplicates(table: pd.DataFrame, rows: np.ndarray, problems: ProblemList) -> None:
    keys = ["interval_start", "queue"]
    first_row = table.assign(row=rows).groupby(keys)["row"].transform("min").to_numpy()
    later = rows != first_row
    for row, first, start, queue in zip(rows[later], first_row[later], table["interval_start"][later],
                                        table["queue"][later]):
        problems.add(f"duplicate: row {first} already has {start:%Y-%m-%d %H:%M} for queue '{queue}'",
                     row, "interval_start")


def undeclared_queues(queues: pd.Series, first_rows: Mapping[str, int], config: ScenarioConfig,
                      name: str) -> list[Problem]:
    """One problem per queue of a demand table that the scenario does not declare, at its first row."""
    declared = ", ".join(config.queues)
    return [
        Problem(f"queue '{queue}' is not declared in the scenario (queues: {declared}); "
                "add it under queues or remove its rows", name, first_rows.get(queue), "queue")
        for queue in sorted(set(queues) - set(config.queues))
    ]


def first_rows(queues: pd.Series, rows: np.ndarray) -> dict[str, int]:
    """The spreadsheet row of each queue's first row."""
    return {queue: int(row) for queue, row in pd.Series(rows).groupby(queues.to_numpy()).min().items()}


def on_grid(table: pd.DataFrame, file_minutes: int, minutes: int, name: str) -> pd.DataFrame:
    """Rows on the scenario's interval grid: finer tables aggregated, coarser ones refused. A
    forecast's prediction-interval limits are summed like its contacts: exact when the finer
    intervals' errors move together (a busy day), a little wide where they do not."""
    if file_minutes == minutes:
        return table
    if file_minutes > minutes:
        raise InputError(Problem(
            f"is in {file_minutes}-minute intervals but the scenario has interval_minutes: {minutes}; "
            f"set interval_minutes: {file_minutes} or give {minutes}-minute data", name, column="interval_start"))
    coarse = table.assign(interval_start=table["interval_start"].dt.floor(f"{minutes}min"))
    workload = coarse["contacts"] * coarse["aht_seconds"].fillna(0)
    grouped = coarse.assign(workload=workload).groupby(["interval_start", "queue"], as_index=False)
    sums = grouped.agg(contacts=("contacts", "sum"), workload=("workload", "sum"))
    sums["aht_seconds"] = (sums["workload"] / sums["contacts"]).where(sums["contacts"] > 0)
    if "required" in table:
        sums["required"] = grouped["required"].max()["required"]
    bands = [column for column in BAND_COLUMNS if column in table]
    if bands:
        sums[bands] = grouped[bands].sum()[bands]
    return sums.drop(columns="workload")


# --------------------------------------------------------------------------------------------
# the week
# --------------------------------------------------------------------------------------------


def week_rows(table: pd.DataFrame, config: ScenarioConfig, name: str) -> pd.DataFrame:
    """The rows of a demand table on the scenario's grid that fall in its weeks (`weeks` from
    week_start), with every interval and queue present (see `complete_week`). Every week needs rows."""
    start = pd.Timestamp(config.week_start)
    end = start + pd.Timedelta(minutes=config.horizon_minutes)
    inside = table[(table["interval_start"] >= start) & (table["interval_start"] < end)]
    week_of = (inside["interval_start"] - start) // pd.Timedelta(minutes=MINUTES_PER_WEEK)
    missing = [start + pd.Timedelta(weeks=week) for week in range(config.weeks) if not (week_of == week).any()]
    if missing:
        first, last = table["interval_start"].min(), table["interval_start"].max()
        weeks = ", ".join(f"{monday:%Y-%m-%d}" for monday in missing)
        asked = "" if config.weeks == 1 else f"; weeks: {config.weeks} plans every week from {start:%Y-%m-%d}"
        raise InputError(Problem(
            f"has no rows in the week{'s' if len(missing) > 1 else ''} of {weeks} (the file runs from "
            f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}); check week_start{asked}", name))
    return complete_week(inside, config)


def scenario_requirements(week: pd.DataFrame, config: ScenarioConfig) -> pd.DataFrame:
    """A week's requirements as the engine takes them: `SCENARIO_REQUIREMENT_COLUMNS`, sorted by interval
    and queue, `required` whole."""
    table = week[SCENARIO_REQUIREMENT_COLUMNS].sort_values(["interval_start", "queue"], ignore_index=True)
    table = table.astype({"required": int})
    table.attrs["interval_minutes"] = config.interval_minutes
    return table


def complete_week(table: pd.DataFrame, config: ScenarioConfig) -> pd.DataFrame:
    """Every interval of the weeks for every queue of the scenario: absent ones need no one (and
    have no contacts, nor prediction intervals where the table has them)."""
    starts = pd.date_range(pd.Timestamp(config.week_start), periods=config.horizon_minutes // config.interval_minutes,
                           freq=f"{config.interval_minutes}min")
    grid = pd.MultiIndex.from_product([starts, list(config.queues)], names=["interval_start", "queue"])
    columns = [c for c in SCENARIO_REQUIREMENT_COLUMNS[2:] + BAND_COLUMNS if c in table]
    week = table.set_index(["interval_start", "queue"])[columns].reindex(grid).reset_index()
    fill = {"contacts": 0.0, "required": 0, **dict.fromkeys(BAND_COLUMNS, 0.0)}
    return week.fillna({column: value for column, value in fill.items() if column in week})
