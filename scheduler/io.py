"""Load a scenario folder into a `Scenario`, and write one.

Files of a scenario folder (problems in any of them raise `InputError` naming file, row and column;
one load reports the problems of every file it could read, not just the first):

`scenario.yaml` (or `scenario.toml`): `ScenarioConfig`; unknown keys are errors. Clock times may be
written unquoted (`latest_start: 16:00`), which YAML 1.1 would otherwise read as a number.

`agents.csv`: `agent_id, name, skills, min_hours, max_hours` and optionally `max_days, night_ok,
earliest_start, latest_end, preferred`.
    skills          queues the agent may serve, separated by `;` (`voice;chat`); each must be a
                    queue of scenario.yaml
    min/max_hours   paid hours in the week
    max_days        working days in the week (empty: no limit beyond the rules)
    night_ok        yes/no, true/false or 1/0; empty means yes
    earliest_start, latest_end   daily availability window, HH:MM (a window may wrap midnight)
    preferred       early, day, late or night
Unknown columns are errors: this file is written for this tool, and a misspelt optional column
would otherwise be silently ignored.

`time_off.csv` (optional): `agent_id, start, end` and optionally `reason`; local ISO date-times
(`2026-11-25 14:00`) or dates: a date as `start` means from its midnight, a date as `end` means to
the end of that day (the next midnight), so `2026-11-25,2026-11-25` is the whole day.

`previous_roster.csv` (optional): last week's roster in the roster format (`scheduler.roster`).

Demand (`demand:` in scenario.yaml, paths relative to the folder), exactly one of:
    requirements    CSV `interval_start, queue, required` (+ optional `contacts, aht_seconds`), e.g. the
                    output of `wfm staff`;
    forecast        CSV `interval_start, queue, contacts, aht_seconds`, staffed at the queues' targets;
    history         an interval history (`forecasts.history`), forecast for the week, then staffed;
                    optionally shaped by `special_days`.
Every demand queue must be a queue of scenario.yaml. Files at a finer interval than
`interval_minutes` are aggregated to it (contacts summed, handle times weighted by contacts, and for
a requirements file the *largest* `required` of the finer intervals, so that no part of the
interval is short); coarser files are errors, since splitting them would invent a profile. Only
the week [week_start, week_start + 7 days) is kept; intervals of the week absent from the file
need no one (`required` 0, `contacts` 0), for every queue of scenario.yaml.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from pydantic import ValidationError

from forecasts.errors import InputError, Problem
from forecasts.forecast import forecast_history
from forecasts.history import (
    ProblemList,
    interval_minutes,
    normalize_columns,
    parse_datetimes,
    parse_numbers,
    read_history,
    read_raw_csv,
    require_columns,
)
from forecasts.settings import SettingsLoader, parse_yaml, read_settings_text, validation_problems
from forecasts.special_days import read_special_days
from forecasts.staffing import staffing_requirements
from scheduler.roster import read_roster_rows, write_roster
from scheduler.scenario import MINUTES_PER_WEEK, Agent, Scenario, ScenarioConfig, TimeOff

CONFIG_FILES = ("scenario.yaml", "scenario.yml", "scenario.toml")
AGENTS_FILE = "agents.csv"
TIME_OFF_FILE = "time_off.csv"
PREVIOUS_ROSTER_FILE = "previous_roster.csv"

AGENT_REQUIRED = ["agent_id", "name", "skills", "min_hours", "max_hours"]
AGENT_OPTIONAL = ["max_days", "night_ok", "earliest_start", "latest_end", "preferred"]
TIME_OFF_REQUIRED = ["agent_id", "start", "end"]
TIME_OFF_OPTIONAL = ["reason"]
REQUIREMENTS_REQUIRED = ["interval_start", "queue", "required"]
REQUIREMENTS_OPTIONAL = ["contacts", "aht_seconds"]
SCENARIO_REQUIREMENT_COLUMNS = ["interval_start", "queue", "contacts", "aht_seconds", "required"]

Progress = Callable[[int, int, str], None]

_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_DATE_ONLY = r"^\d{4}-\d{2}-\d{2}$"
_EXAMPLE_TIME = "2026-11-25 14:00"


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_scenario(folder: str | Path, progress: Progress | None = None) -> Scenario:
    """Read and validate a scenario folder; `progress(step, total, message)` follows the forecast
    when the demand is a history. Raises InputError with every problem found."""
    folder = Path(folder)
    config = read_config(folder)
    problems: list[Problem] = []
    agents = _collecting(problems, read_agents, folder / AGENTS_FILE, config)
    # Unknown-agent checks would only echo agents.csv's own problems, so they wait for a valid file.
    known = {agent.agent_id for agent in agents} if agents is not None else None
    time_off = _collecting(problems, read_time_off, folder / TIME_OFF_FILE, known)
    previous = _collecting(problems, read_previous_roster, folder / PREVIOUS_ROSTER_FILE, known)
    requirements = _collecting(problems, read_demand, folder, config, progress)
    if problems:
        raise InputError(problems)
    return Scenario(
        config=config,
        agents=agents,
        requirements=requirements,
        time_off=time_off,
        previous_roster=previous,
        folder=folder,
    )


def _collecting(problems: list[Problem], read: Callable, *args):
    """`read(*args)`, or None after adding its input problems to `problems`."""
    try:
        return read(*args)
    except InputError as error:
        problems.extend(error.problems)
        return None


def config_path(folder: Path) -> Path:
    """The folder's one settings file; two (say scenario.yaml and scenario.toml) would leave it unclear which is meant."""
    found = [folder / name for name in CONFIG_FILES if (folder / name).is_file()]
    if len(found) == 1:
        return found[0]
    if found:
        names = " and ".join(path.name for path in found)
        raise InputError(Problem(f"has both {names}; keep the one you mean and remove the other", str(folder)))
    if not folder.is_dir():
        raise InputError(Problem("scenario folder not found; check the path", str(folder)))
    raise InputError(Problem(f"no {CONFIG_FILES[0]} (or {CONFIG_FILES[-1]}) in the scenario folder", str(folder)))


def read_config(folder: str | Path) -> ScenarioConfig:
    """`scenario.yaml` or `scenario.toml` of a folder, validated."""
    path = config_path(Path(folder))
    data = _parse_config(path)
    if not isinstance(data, dict):
        raise InputError(Problem("expected a mapping of settings (week_start, queues, demand, ...)", str(path)))
    return _validated_config(data, path)


class _ConfigLoader(SettingsLoader):
    """YAML 1.1 reads `16:00` as the base-60 integer 960; a scenario means a clock time, and pydantic
    wants it as two-digit `HH:MM` text."""


_CLOCK_TAG = "tag:wfm,2026:clock"
_ConfigLoader.yaml_implicit_resolvers = {
    first: list(resolvers) for first, resolvers in SettingsLoader.yaml_implicit_resolvers.items()
}
for _digit in "0123456789":  # ahead of the int resolver, which would match first
    _ConfigLoader.yaml_implicit_resolvers[_digit].insert(0, (_CLOCK_TAG, re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?$")))
_ConfigLoader.add_constructor(_CLOCK_TAG, lambda loader, node: _two_digit_hour(loader.construct_scalar(node)))


def _two_digit_hour(clock: str) -> str:
    """`6:00` or `6:00:00` as `06:00` or `06:00:00`."""
    hour, rest = clock.split(":", 1)
    return f"{hour.zfill(2)}:{rest}"


def _parse_config(path: Path) -> object:
    text = read_settings_text(path)
    if path.suffix == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:  # TOML itself refuses a key given twice
            raise InputError(Problem(f"not valid TOML: {error}", str(path))) from None
    return parse_yaml(text, str(path), _ConfigLoader)


# --------------------------------------------------------------------------------------------
# agents.csv
# --------------------------------------------------------------------------------------------


def read_agents(path: Path, config: ScenarioConfig) -> tuple[Agent, ...]:
    """Agents of `agents.csv`; every bad cell is reported."""
    name = str(path)
    frame, problems = _read_table(path, AGENT_REQUIRED, AGENT_OPTIONAL)
    agents: list[Agent] = []
    first_row_of: dict[str, int] = {}
    for row, cells in frame.iterrows():
        agent = _agent(cells, row, config, problems)
        agent_id = cells["agent_id"]
        if agent_id in first_row_of:
            problems.add(
                f"duplicate agent_id '{agent_id}': row {first_row_of[agent_id]} has it already", row, "agent_id"
            )
            continue
        if agent_id:
            first_row_of[agent_id] = row
        if agent is not None:
            agents.append(agent)
    problems.raise_if_any()
    if not agents:
        raise InputError(Problem("has no agents below the header; add one row per agent", name))
    return tuple(agents)


def _agent(cells: pd.Series, row: int, config: ScenarioConfig, problems: ProblemList) -> Agent | None:
    """One agent from its text cells, or None after reporting what is wrong with it."""
    values: dict[str, object] = {}
    found: list[tuple[str, str]] = []  # (message, column)
    for column in AGENT_REQUIRED + AGENT_OPTIONAL:
        text = cells[column]
        if not text:
            if column in AGENT_REQUIRED:
                found.append(("is empty; a value is required", column))
            continue
        try:
            values[column] = _AGENT_CELLS.get(column, str)(text)
        except ValueError as error:
            found.append((str(error), column))
    for skill in values.get("skills", ()):
        if skill not in config.queues:
            found.append((f"unknown skill '{skill}': skills must be queues of scenario.yaml "
                          f"({', '.join(config.queues)})", "skills"))
    if not found:
        try:
            return Agent.model_validate(values)
        except ValidationError as error:
            found = [(_with_input(p, values), p.column) for p in validation_problems(error)]
    for message, column in found:
        problems.add(message, row, column)
    return None


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
# time_off.csv and previous_roster.csv
# --------------------------------------------------------------------------------------------


def read_time_off(path: Path, known_agents: set[str] | None) -> tuple[TimeOff, ...]:
    """Time off of `time_off.csv` (none without the file); agents are checked when `known_agents` is given."""
    if not path.exists():
        return ()
    frame, problems = _read_table(path, TIME_OFF_REQUIRED, TIME_OFF_OPTIONAL)
    rows = frame.index.to_numpy()
    start = parse_datetimes(frame["start"], rows, "start", _EXAMPLE_TIME, problems)
    end = parse_datetimes(frame["end"], rows, "end", _EXAMPLE_TIME, problems)
    whole_day = frame["end"].str.match(_DATE_ONLY)
    end = end.where(~whole_day, end + pd.Timedelta(days=1))
    ids = frame["agent_id"]
    problems.add_cells("agent_id", rows, ids == "", ids, lambda _: "is empty; name the agent")
    if known_agents is not None:
        unknown = (ids != "") & ~ids.isin(known_agents)
        problems.add_cells("agent_id", rows, unknown, ids, lambda value: f"unknown agent '{value}': not in agents.csv")
    backwards = end <= start
    problems.add_cells("end", rows, backwards, frame["end"], lambda value: f"'{value}' is not after start")
    problems.raise_if_any()
    return tuple(
        TimeOff(agent_id=agent_id, start=begin.to_pydatetime(), end=finish.to_pydatetime(), reason=reason)
        for agent_id, begin, finish, reason in zip(ids, start, end, frame["reason"])
    )


def read_previous_roster(path: Path, known_agents: set[str] | None) -> pd.DataFrame | None:
    """Last week's roster (None without the file); its agents must be in agents.csv."""
    if not path.exists():
        return None
    roster, rows = read_roster_rows(path, str(path))
    if known_agents is None:
        return roster
    problems = ProblemList(str(path))
    ids = roster["agent_id"].astype(str)
    unknown = ~ids.isin(known_agents)
    problems.add_cells("agent_id", rows, unknown, ids, lambda value: f"unknown agent '{value}': not in agents.csv")
    problems.raise_if_any()
    return roster


def _read_table(path: Path, required: list[str], optional: list[str],
                extra_columns: bool = False) -> tuple[pd.DataFrame, ProblemList]:
    """A CSV of text cells with canonical column names (absent optional ones as ""), index = spreadsheet
    row. Missing columns raise, and so do other columns unless `extra_columns`; cell problems are left
    to the caller, in the returned ProblemList."""
    problems = ProblemList(str(path))
    frame = normalize_columns(read_raw_csv(path, str(path)), required + optional, problems)
    require_columns(frame, required, optional, problems)
    for column in frame.columns:
        if not extra_columns and column not in required + optional:
            problems.add(
                f"unknown column '{column}'; the columns are {', '.join(required + optional)}", row=1, column=column
            )
    problems.raise_if_any()
    for column in optional:
        if column not in frame:
            frame[column] = ""
    return frame, problems


# --------------------------------------------------------------------------------------------
# Demand
# --------------------------------------------------------------------------------------------


def read_demand(folder: Path, config: ScenarioConfig, progress: Progress | None = None) -> pd.DataFrame:
    """The week's requirements (`SCENARIO_REQUIREMENT_COLUMNS`, sorted by interval and queue) from the
    demand source of scenario.yaml."""
    demand = config.demand
    if demand.requirements:
        path = folder / demand.requirements
        week = _week_rows(read_requirements(path), config, path)
    else:
        path = folder / (demand.forecast or demand.history)
        forecast = read_history(path, str(path)) if demand.forecast else _forecast(folder, config, progress)
        week = _staffed(_week_rows(forecast, config, path), config)
    table = week[SCENARIO_REQUIREMENT_COLUMNS].sort_values(["interval_start", "queue"], ignore_index=True)
    table["required"] = table["required"].astype(int)
    table.attrs["interval_minutes"] = config.interval_minutes
    return table


def _forecast(folder: Path, config: ScenarioConfig, progress: Progress | None) -> pd.DataFrame:
    """The forecast of the scenario's week from its history (and special days)."""
    path = folder / config.demand.history
    history = read_history(path, str(path))
    _check_queues(history, config, path)  # before the forecast, which may take half a minute
    special_path = folder / config.demand.special_days if config.demand.special_days else None
    special_days = read_special_days(special_path, str(special_path)) if special_path else None
    result = forecast_history(history, start=config.week_start, weeks=1, special_days=special_days, progress=progress)
    forecast = result.forecast
    forecast.attrs["interval_minutes"] = result.interval_minutes
    return forecast


def read_requirements(path: Path) -> pd.DataFrame:
    """A requirements CSV as `interval_start, queue, contacts, aht_seconds, required` in file order
    (index = spreadsheet row), with `attrs["interval_minutes"]` detected from its rows."""
    # Extra columns are welcome: `wfm staff` writes service_level, occupancy and more.
    frame, problems = _read_table(path, REQUIREMENTS_REQUIRED, REQUIREMENTS_OPTIONAL, extra_columns=True)
    if frame.empty:
        raise InputError(Problem("has no data rows below the header", str(path)))
    rows = frame.index.to_numpy()
    table = pd.DataFrame(
        {
            "interval_start": parse_datetimes(
                frame["interval_start"], rows, "interval_start", "2026-11-23 08:30", problems
            ),
            "queue": frame["queue"],
            "contacts": _count(frame, "contacts", rows, problems, default=0.0),
            "aht_seconds": _count(frame, "aht_seconds", rows, problems, default=np.nan),
            "required": _count(frame, "required", rows, problems, whole=True),
        },
        index=frame.index,
    )
    problems.add_cells("queue", rows, frame["queue"] == "", frame["queue"], lambda _: "is empty; name the queue")
    problems.raise_if_any()
    _check_duplicates(table, problems)
    problems.raise_if_any()
    table.attrs["interval_minutes"] = _detected_interval(table, str(path))
    return table


def _count(frame: pd.DataFrame, column: str, rows: np.ndarray, problems: ProblemList,
           default: float | None = None, whole: bool = False) -> pd.Series:
    """A column of numbers ≥ 0; empty cells take `default` (an error without one)."""
    text = frame[column]
    numbers = parse_numbers(text)
    empty = text == ""
    if default is None:
        problems.add_cells(column, rows, empty, text, lambda _: "is empty; a number is required")
    problems.add_cells(column, rows, ~empty & numbers.isna(), text, lambda value: f"'{value}' is not a number")
    problems.add_cells(column, rows, numbers < 0, text, lambda value: f"{value} is negative")
    if whole:
        fraction = numbers.notna() & (numbers != np.floor(numbers))
        problems.add_cells(column, rows, fraction, text, lambda value: f"{value} is not a whole number of agents")
    return numbers.where(~empty, default)


def _check_duplicates(table: pd.DataFrame, problems: ProblemList) -> None:
    keys = ["interval_start", "queue"]
    first_row = table.reset_index(names="row").groupby(keys)["row"].transform("min").to_numpy()
    for row, first, (start, queue) in zip(table.index, first_row, table[keys].itertuples(index=False)):
        if row != first:
            message = f"duplicate: row {first} already has {start:%Y-%m-%d %H:%M} for queue '{queue}'"
            problems.add(message, row, "interval_start")


def _detected_interval(table: pd.DataFrame, name: str) -> int:
    """The file's interval length, with history's detection (which numbers rows by position)."""
    rows = table.index.to_numpy()
    try:
        return interval_minutes(table.reset_index(drop=True))
    except InputError as error:
        located = [
            dataclasses.replace(p, file=name, row=None if p.row is None else int(rows[p.row - 2]))
            for p in error.problems
        ]
        raise InputError(located) from None


def _check_queues(table: pd.DataFrame, config: ScenarioConfig, path: Path) -> None:
    """Every queue of a demand table is a queue of scenario.yaml."""
    undeclared = sorted(set(table["queue"].astype(str)) - set(config.queues))
    if not undeclared:
        return
    declared = ", ".join(config.queues)
    first_rows = _first_rows(path, undeclared)
    raise InputError([
        Problem(f"queue '{queue}' is not declared in scenario.yaml (queues: {declared}); "
                "add it under queues or remove its rows", str(path), first_rows.get(queue), "queue")
        for queue in undeclared
    ])


def _first_rows(path: Path, queues: list[str]) -> dict[str, int]:
    """Spreadsheet row of each queue's first row in the file; read again because history comes back
    sorted, which is fine on this error path."""
    raw = normalize_columns(read_raw_csv(path, str(path)), ["queue"], ProblemList(str(path)))
    if "queue" not in raw:  # a history without a queue column is all 'default'
        return {}
    firsts = raw.reset_index(names="row").groupby("queue")["row"].min()
    return {queue: int(firsts[queue]) for queue in queues if queue in firsts}


def _week_rows(table: pd.DataFrame, config: ScenarioConfig, path: Path) -> pd.DataFrame:
    """The rows of the scenario's week on its interval grid, with every (interval, queue) present."""
    _check_queues(table, config, path)
    start = pd.Timestamp(config.week_start)
    end = start + pd.Timedelta(minutes=MINUTES_PER_WEEK)
    inside = table[(table["interval_start"] >= start) & (table["interval_start"] < end)]
    if inside.empty:
        first, last = table["interval_start"].min(), table["interval_start"].max()
        raise InputError(Problem(
            f"has no rows in the week of {start:%Y-%m-%d} (the file runs from {first:%Y-%m-%d %H:%M} "
            f"to {last:%Y-%m-%d %H:%M}); check week_start in scenario.yaml", str(path)))
    gridded = _on_grid(inside, table.attrs["interval_minutes"], config.interval_minutes, path)
    return complete_week(gridded, config)


def _on_grid(table: pd.DataFrame, file_minutes: int, minutes: int, path: Path) -> pd.DataFrame:
    """Rows on the scenario's interval grid: finer files aggregated, coarser ones refused."""
    if file_minutes == minutes:
        return table
    if file_minutes > minutes:
        raise InputError(Problem(
            f"is in {file_minutes}-minute intervals but scenario.yaml has interval_minutes: {minutes}; "
            f"set interval_minutes: {file_minutes} or give {minutes}-minute data", str(path), column="interval_start"))
    coarse = table.assign(interval_start=table["interval_start"].dt.floor(f"{minutes}min"))
    workload = coarse["contacts"] * coarse["aht_seconds"].fillna(0)
    grouped = coarse.assign(workload=workload).groupby(["interval_start", "queue"], as_index=False)
    sums = grouped.agg(contacts=("contacts", "sum"), workload=("workload", "sum"))
    sums["aht_seconds"] = (sums["workload"] / sums["contacts"]).where(sums["contacts"] > 0)
    if "required" in table:
        sums["required"] = grouped["required"].max()["required"]
    return sums.drop(columns="workload")


def complete_week(table: pd.DataFrame, config: ScenarioConfig) -> pd.DataFrame:
    """Every interval of the week for every queue of scenario.yaml: absent ones need no one."""
    starts = pd.date_range(pd.Timestamp(config.week_start), periods=MINUTES_PER_WEEK // config.interval_minutes,
                           freq=f"{config.interval_minutes}min")
    grid = pd.MultiIndex.from_product([starts, list(config.queues)], names=["interval_start", "queue"])
    columns = [c for c in SCENARIO_REQUIREMENT_COLUMNS[2:] if c in table]
    week = table.set_index(["interval_start", "queue"])[columns].reindex(grid).reset_index()
    fill = {"contacts": 0.0, "required": 0}
    return week.fillna({column: value for column, value in fill.items() if column in week})


def _staffed(forecast: pd.DataFrame, config: ScenarioConfig) -> pd.DataFrame:
    return staffing_requirements(forecast, config.staffing_config(), config.interval_minutes)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def write_scenario(
    folder: str | Path,
    config: Mapping | ScenarioConfig,
    agents: pd.DataFrame,
    time_off: pd.DataFrame | None = None,
    previous_roster: pd.DataFrame | None = None,
    files: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """Write a scenario folder that `load_scenario` reads back, and return it.

    `config` is validated first (InputError if bad) and written as given, defaults left out; `agents` and
    `time_off` may hold text or typed cells (skills as lists, night_ok as bools, times, timestamps);
    `files` are further tables by file name, such as the demand file named in `config`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    settings = config if isinstance(config, ScenarioConfig) else _validated_config(config, folder / CONFIG_FILES[0])
    text = yaml.safe_dump(settings.model_dump(mode="json", exclude_unset=True), sort_keys=False, allow_unicode=True)
    (folder / CONFIG_FILES[0]).write_text(text, encoding="utf-8")
    tables = {AGENTS_FILE: agents, TIME_OFF_FILE: time_off, **(files or {})}
    for name, table in tables.items():
        if table is not None:
            table.map(_cell_text).to_csv(folder / name, index=False, lineterminator="\n")
    if previous_roster is not None:
        write_roster(previous_roster, folder / PREVIOUS_ROSTER_FILE)
    return folder


def _validated_config(data: Mapping, path: Path) -> ScenarioConfig:
    try:
        return ScenarioConfig.model_validate(data)
    except ValidationError as error:
        raise InputError(validation_problems(error, str(path))) from None


def _cell_text(value: object) -> str:
    """A cell as the CSV readers of this module expect it."""
    if isinstance(value, (list, tuple)):
        return ";".join(str(item) for item in value)
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a column with gaps is float: 5 rather than 5.0
    return str(value)
