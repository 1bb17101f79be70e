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

`previous_roster.csv` (optional): last week's roster in the roster format (`scheduler.roster`); it must
end before the week starts, but for shifts that start on the Sunday before and run over midnight.

Demand (`demand:` in scenario.yaml, paths relative to the folder and inside it), exactly one of:
    requirements    CSV `interval_start, queue, required` (+ optional `contacts, aht_seconds`), e.g. the
                    output of `wfm staff`;
    forecast        CSV `interval_start, queue, contacts, aht_seconds`, staffed at the queues' targets;
    history         an interval history (`forecasts.history`), forecast for the week, then staffed;
                    optionally shaped by `special_days`.
Every demand queue must be a queue of scenario.yaml. Files at a finer interval than
`interval_minutes` are aggregated to it; coarser files are errors. Only the week [week_start,
week_start + 7 days) is kept; intervals of the week absent from the file need no one (`required` 0,
`contacts` 0), for every queue of scenario.yaml.

This module only reads: the tables are validated by `scheduler.tables` (as the app's store does), the
history and forecast by `forecasts.history`, within the input limits of `tabular.limits`. No file of
the folder is opened when it resolves (through symlinks) to a place outside the folder.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from pydantic import ValidationError

from forecasts.forecast import forecast_history
from forecasts.history import read_forecast, read_history
from forecasts.special_days import read_special_days
from forecasts.settings import SettingsLoader, parse_yaml, validation_problems
from forecasts.staffing import staffing_requirements
from scheduler import tables
from scheduler.roster import write_roster
from scheduler.scenario import MAX_WEEKS, Agent, Scenario, ScenarioConfig, TimeOff
from tabular import (
    MAX_AGENTS,
    InputError,
    Problem,
    ProblemList,
    as_text,
    inside_folder,
    normalize_columns,
    read_raw_csv,
    read_text,
)
from tabular.spreadsheet import to_csv

CONFIG_FILES = ("scenario.yaml", "scenario.yml", "scenario.toml")
AGENTS_FILE = "agents.csv"
TIME_OFF_FILE = "time_off.csv"
PREVIOUS_ROSTER_FILE = "previous_roster.csv"

Progress = Callable[[int, int, str], None]


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_scenario(folder: str | Path, progress: Progress | None = None, weeks: int | None = None) -> Scenario:
    """Read and validate a scenario folder; `progress(step, total, message)` follows the forecast
    when the demand is a history; `weeks` overrides scenario.yaml's. Raises InputError with every
    problem found."""
    folder = Path(folder)
    config = with_weeks(read_config(folder), weeks)
    problems: list[Problem] = []
    agents = _collecting(problems, read_agents, folder / AGENTS_FILE, config)
    # Unknown-agent checks would only echo agents.csv's own problems, so they wait for a valid file.
    known = {agent.agent_id for agent in agents} if agents is not None else None
    time_off = _collecting(problems, read_time_off, folder / TIME_OFF_FILE, known)
    previous = _collecting(problems, read_previous_roster, folder / PREVIOUS_ROSTER_FILE, config.week_start, known)
    requirements = _collecting(problems, read_demand, folder, config, progress, len(known) if known else None)
    if problems:
        raise InputError(problems)
    return Scenario(
        config=config,
        agents=agents,
        requirements=requirements,
        time_off=time_off,
        previous_roster=previous,
        folder=folder,
        notes=requirements.attrs.get("notes", ()),
    )


def with_weeks(config: ScenarioConfig, weeks: int | None) -> ScenarioConfig:
    """The config planning `weeks` weeks (`wfm roster --weeks`), or as it is without."""
    if weeks is None:
        return config
    if not 1 <= weeks <= MAX_WEEKS:
        raise InputError(Problem(f"--weeks {weeks}: plan from 1 to {MAX_WEEKS} weeks at once"))
    return config.model_copy(update={"weeks": weeks})


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
    return validated_config(data, str(path))


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
    return parse_config_text(read_text(path, str(path)), str(path))


def parse_config_text(text: str, name: str) -> object:
    """The settings of a scenario file's text; `name` ending in `.toml` means TOML, else YAML (an upload
    is parsed as a file of the folder is)."""
    if name.endswith(".toml"):
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:  # TOML itself refuses a key given twice
            raise InputError(Problem(f"not valid TOML: {error}", name)) from None
    return parse_yaml(text, name, _ConfigLoader)


# --------------------------------------------------------------------------------------------
# Tables: read here, validated by `scheduler.tables`
# --------------------------------------------------------------------------------------------


def read_agents(path: Path, config: ScenarioConfig) -> tuple[Agent, ...]:
    """Agents of `agents.csv`; every bad cell is reported."""
    raw = read_raw_csv(_in_folder(path), str(path), max_rows=MAX_AGENTS)  # stops reading past the limit
    return tables.agents(raw, raw.index.to_numpy(), str(path), config)


def read_time_off(path: Path, known_agents: set[str] | None) -> tuple[TimeOff, ...]:
    """Time off of `time_off.csv` (none without the file); agents are checked when `known_agents` is given."""
    if not path.exists():
        return ()
    raw = read_raw_csv(_in_folder(path), str(path))
    return tables.time_off(raw, raw.index.to_numpy(), str(path), known_agents)


def read_previous_roster(path: Path, week_start: dt.date, known_agents: set[str] | None) -> pd.DataFrame | None:
    """Last week's roster (None without the file): see `tables.previous_roster`."""
    if not path.exists():
        return None
    raw = read_raw_csv(_in_folder(path), str(path))
    return tables.previous_roster(raw, raw.index.to_numpy(), str(path), week_start, known_agents)


def _in_folder(path: Path) -> Path:
    """A file of the scenario folder, refused unread when a symlink takes it outside the folder."""
    if not inside_folder(path.parent, path):
        raise InputError(Problem("links to a file outside the scenario folder; put the file itself in the folder",
                                 str(path)))
    return path


# --------------------------------------------------------------------------------------------
# Demand
# --------------------------------------------------------------------------------------------


def read_demand(folder: Path, config: ScenarioConfig, progress: Progress | None = None,
                agent_count: int | None = None) -> pd.DataFrame:
    """The week's requirements (`tables.SCENARIO_REQUIREMENT_COLUMNS`, sorted by interval and queue) from the
    demand source of scenario.yaml; `required` may not exceed ten times `agent_count` agents. `attrs["notes"]`:
    the forecast's notes when the demand is a history."""
    demand, notes = config.demand, ()
    if demand.requirements:
        path = demand_file(folder, "requirements", demand.requirements)
        week = tables.week_rows(read_requirements(path, config, agent_count), config, str(path))
    else:
        key = "forecast" if demand.forecast else "history"
        path = demand_file(folder, key, getattr(demand, key))
        forecast = read_forecast(path, str(path)) if demand.forecast else _forecast(path, folder, config, progress)
        _check_queues(forecast, config, path)
        gridded = tables.on_grid(forecast, forecast.attrs["interval_minutes"], config.interval_minutes, str(path))
        week = _staffed(tables.week_rows(gridded, config, str(path)), config)
        notes = forecast.attrs.get("notes", ())  # a forecast of the history has them
    requirements = tables.scenario_requirements(week, config)
    requirements.attrs["notes"] = notes
    return requirements


def demand_file(folder: Path, key: str, relative: str) -> Path:
    """A file named under `demand:`; it must lie inside the folder (it is not opened otherwise)."""
    path = folder / relative
    if not inside_folder(folder, path):
        raise InputError(Problem(
            f"'{relative}' is outside the scenario folder; copy the file into the folder and name it relative "
            "to it (e.g. forecast.csv)", str(folder), column=f"demand.{key}"))
    return path


def read_requirements(path: Path, config: ScenarioConfig, agent_count: int | None = None) -> pd.DataFrame:
    """A requirements CSV on the scenario's interval grid (see `tables.requirements`)."""
    raw = read_raw_csv(path, str(path))
    return tables.requirements(raw, raw.index.to_numpy(), str(path), config, agent_count)


def _forecast(path: Path, folder: Path, config: ScenarioConfig, progress: Progress | None) -> pd.DataFrame:
    """The forecast of the scenario's weeks from its history (and special days)."""
    history = read_history(path, str(path))
    _check_queues(history, config, path)  # before the forecast, which may take half a minute
    special_path = demand_file(folder, "special_days", config.demand.special_days) if config.demand.special_days else None
    special_days = read_special_days(special_path, str(special_path)) if special_path else None
    result = forecast_history(history, start=config.week_start, weeks=config.weeks, special_days=special_days,
                              progress=progress, time_limit=config.demand.forecast_time_limit_seconds)
    forecast = result.forecast
    forecast.attrs["interval_minutes"] = result.interval_minutes
    forecast.attrs["notes"] = result.notes
    return forecast


def _check_queues(history: pd.DataFrame, config: ScenarioConfig, path: Path) -> None:
    """Every queue of a history or forecast is a queue of scenario.yaml."""
    if not history["queue"].isin(list(config.queues)).all():
        raise InputError(tables.undeclared_queues(history["queue"], _first_rows(path), config, str(path)))


def _first_rows(path: Path) -> dict[str, int]:
    """Spreadsheet row of each queue's first row in the file; read again because history comes back
    sorted, which is fine on this error path."""
    raw = normalize_columns(read_raw_csv(path, str(path)), ["queue"], ProblemList(str(path)))
    if "queue" not in raw:  # a history without a queue column is all 'default'
        return {}
    return tables.first_rows(as_text(raw["queue"]), raw.index.to_numpy())


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
    settings = config if isinstance(config, ScenarioConfig) else validated_config(config, str(folder / CONFIG_FILES[0]))
    text = yaml.safe_dump(settings.model_dump(mode="json", exclude_unset=True), sort_keys=False, allow_unicode=True)
    (folder / CONFIG_FILES[0]).write_text(text, encoding="utf-8")
    tables = {AGENTS_FILE: agents, TIME_OFF_FILE: time_off, **(files or {})}
    for name, table in tables.items():
        if table is not None:
            to_csv(table.map(_cell_text), folder / name, index=False, lineterminator="\n")
    if previous_roster is not None:
        write_roster(previous_roster, folder / PREVIOUS_ROSTER_FILE)
    return folder


def validated_config(data: Mapping, name: str) -> ScenarioConfig:
    try:
        return ScenarioConfig.model_validate(data)
    except ValidationError as error:
        raise InputError(validation_problems(error, name)) from None


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
