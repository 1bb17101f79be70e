"""A planner's own center from uploaded files, checked by the validators a scenario folder goes through.

Each file is read as `scheduler.io` reads its file of a scenario folder (`scheduler.tables`,
`forecasts.history.read_history`, the scenario settings parser), so a center the page accepts is one
the CLI would accept too. Every problem of every file is collected before anything is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from forecasts.history import read_history
from scheduler import tables
from scheduler.io import parse_config_text, validated_config
from scheduler.scenario import Agent, ScenarioConfig, TimeOff
from tabular import MAX_AGENTS, InputError, Problem, read_raw_csv, read_text
from wfm.storage import Store

Upload = tuple[str, bytes]  # file name and content
# The store keeps a week's demand as its own table; the settings only need to name a source.
STORED_DEMAND = {"requirements": "requirements.csv"}


@dataclass(frozen=True)
class CenterFiles:
    config: ScenarioConfig  # of the first week to plan
    agents: tuple[Agent, ...]
    time_off: tuple[TimeOff, ...]
    history: pd.DataFrame


def read_center_files(agents: Upload | None, history: Upload | None, time_off: Upload | None = None,
                      settings: Upload | None = None) -> CenterFiles:
    """The center the files describe, or InputError with every problem of every file.

    The first week is the scenario's `week_start` when the settings give one, else the Monday after the
    history ends. Without settings the queues are the history's, with the default targets."""
    problems: list[Problem] = []
    if agents is None:
        problems.append(Problem("is missing; upload the team's agents.csv", "agents.csv"))
    if history is None:
        problems.append(Problem("is missing; upload the interval history (CSV)", "history"))
    past = collecting(problems, read_history, history[1], history[0]) if history else None
    config = collecting(problems, center_config, settings, past) if (settings or past is not None) else None
    if config is not None and past is not None:
        problems.extend(tables.undeclared_queues(past["queue"], {}, config, history[0]))
    team = collecting(problems, read_agents, agents, config) if agents and config else None
    known = {agent.agent_id for agent in team} if team is not None else None
    leave = collecting(problems, read_time_off, time_off, known) if time_off and known is not None else ()
    if problems:
        raise InputError(problems)
    return CenterFiles(config=config, agents=team, time_off=leave, history=past)


def collecting(problems: list[Problem], read: Callable, *args: Any) -> Any:
    """`read(*args)`, or None after adding its problems to `problems`."""
    try:
        return read(*args)
    except InputError as error:
        problems.extend(error.problems)
        return None


def center_config(settings: Upload | None, history: pd.DataFrame | None) -> ScenarioConfig:
    """The uploaded settings (or none) completed from the history: first week, queues, interval."""
    name, data = ("scenario.yaml", {}) if settings is None else (settings[0], settings_data(*settings))
    if history is not None:
        data.setdefault("week_start", next_monday(history["interval_start"].max().date()).isoformat())
        data.setdefault("interval_minutes", history.attrs["interval_minutes"])
        data.setdefault("queues", {queue: {} for queue in sorted(history["queue"].unique())})
    data.setdefault("demand", dict(STORED_DEMAND))
    return validated_config(data, name)


def settings_data(name: str, content: bytes) -> dict[str, Any]:
    data = parse_config_text(read_text(content, name), name)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(Problem("expected a mapping of settings (queues, shift_templates, rules, ...)", name))
    return data


def read_agents(upload: Upload, config: ScenarioConfig) -> tuple[Agent, ...]:
    name, content = upload
    raw = read_raw_csv(content, name, max_rows=MAX_AGENTS)
    return tables.agents(raw, raw.index.to_numpy(), name, config)


def read_time_off(upload: Upload, known_agents: set[str]) -> tuple[TimeOff, ...]:
    name, content = upload
    raw = read_raw_csv(content, name)
    return tables.time_off(raw, raw.index.to_numpy(), name, known_agents)


def next_monday(day: dt.date) -> dt.date:
    """The first Monday after `day`."""
    return day + dt.timedelta(days=7 - day.weekday())



def create_center(store: Store, name: str, files: CenterFiles, by: str, history_name: str) -> int:
    """Save the center checked by `read_center_files`; returns its first week's scenario id."""
    return store.create_center(name, files.config, files.agents, time_off=files.time_off, history=files.history,
                               history_name=history_name, by=by)


def upload(file: Any) -> Upload | None:
    """A Streamlit upload as (name, content); None when no file is chosen."""
    return None if file is None else (file.name, file.getvalue())
