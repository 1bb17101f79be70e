"""The rules page's tables: scenario models shown as editor rows, edited rows turned back into models.

Validation is the models' and the store's (pydantic, `wfm.storage.inputs`); this module only
converts cells (a `voice;chat` cell is a tuple of skills) and says where a problem is in the table
a manager sees (its first row is row 1, as the editor shows it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

import pandas as pd

from scheduler.scenario import Agent, BreakRule, ScenarioConfig, ShiftTemplate, TimeOff, Weights, WorkRules
from tabular import InputError, Problem
from wfm.storage import Store

AGENT_COLUMNS = list(Agent.model_fields)
TIME_OFF_COLUMNS = list(TimeOff.model_fields)
TEMPLATE_COLUMNS = list(ShiftTemplate.model_fields)
BREAK_COLUMNS = list(BreakRule.model_fields)
LIST_SEPARATOR = ";"
# The columns a new editor row needs before it is saved: the model's required fields; for time off every
# column, so that a reason being typed is not lost to the reload that follows a save.
NEEDED = {
    "agents": [field for field, info in Agent.model_fields.items() if info.is_required()],
    "time off": TIME_OFF_COLUMNS,
    "shift templates": [field for field, info in ShiftTemplate.model_fields.items() if info.is_required()],
    "breaks": [field for field, info in BreakRule.model_fields.items() if info.is_required()],
}
# Fields edited as `a;b;c` text in a table (the editor has no list cells to type into).
LIST_FIELDS = {"skills", "days", "lengths_hours", "queues"}
TABLE_NAMES = {"agents": "agents", "time_off": "time off", "shift_templates": "shift templates", "breaks": "breaks"}


# --- models to editor rows ---------------------------------------------------------------------


def rows_of(models: Iterable, columns: list[str]) -> pd.DataFrame:
    """Editor rows: one per model, list fields as `a;b` text."""
    records = [{key: _cell(key, value) for key, value in model.model_dump().items()} for model in models]
    return pd.DataFrame(records, columns=columns)


def _cell(key: str, value):
    if key in LIST_FIELDS:
        return "" if value is None else LIST_SEPARATOR.join(f"{item:g}" if isinstance(item, float) else str(item)
                                                            for item in value)
    if isinstance(value, dt.datetime):
        # Typed as text: the grid's date-time picker garbles `2026-11-26 09:00` typed into it.
        return f"{value:%Y-%m-%d %H:%M}" + (f":{value:%S}" if value.second else "")
    return value


# --- rows still being typed ------------------------------------------------------------------------


def unfinished_rows(changes: dict, needed: list[str], rows_shown: int) -> dict[int, list[str]]:
    """Rows added in the editor (its `changes`) and typed into but still missing some of the `needed`
    columns, by the row number the editor shows (added rows come last): {row: [missing columns]}."""
    added = changes.get("added_rows", [])
    unfinished = {}
    for offset, row in enumerate(added):
        filled = typed(row)
        missing = [column for column in needed if column not in filled]
        if filled and missing:
            unfinished[rows_shown - len(added) + 1 + offset] = missing
    return unfinished


def typed(row: dict) -> set[str]:
    """The columns of an editor row that hold something."""
    return {key for key, value in row.items() if not _blank(value)}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


# --- editor rows to models ---------------------------------------------------------------------


def records(rows: pd.DataFrame) -> list[dict]:
    """The rows as dicts for the models: empty cells left out (the model's default or its 'required'
    error applies), list fields split, rows left wholly empty dropped."""
    result = []
    for record in rows.astype(object).where(rows.notna(), None).to_dict("records"):
        values = {key: _value(key, value) for key, value in record.items()}
        values = {key: value for key, value in values.items() if value is not None}
        if values:
            result.append(values)
    return result


def _value(key: str, value):
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if key in LIST_FIELDS:
            return [item.strip() for item in value.replace(",", LIST_SEPARATOR).split(LIST_SEPARATOR) if item.strip()]
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def located(error: InputError, table: str) -> InputError:
    """Problems renamed to the editor's terms: `shift_templates.0.lengths_hours` becomes shift templates,
    row 1, column lengths_hours; a store row (header = row 1) becomes the editor's row (first = row 1)."""
    return InputError([_locate(problem, table) for problem in error.problems])


def _locate(problem: Problem, table: str) -> Problem:
    parts = (problem.column or "").split(".")
    if parts[0] in TABLE_NAMES and len(parts) >= 2 and parts[1].isdigit():
        column = ".".join(parts[2:]) or None
        return Problem(problem.message, TABLE_NAMES[parts[0]], int(parts[1]) + 1, column)
    if problem.row is not None and problem.file in TABLE_NAMES:
        return Problem(problem.message, TABLE_NAMES[problem.file], problem.row - 1, problem.column)
    return Problem(problem.message, problem.file if problem.file != "scenario" else table, problem.row, problem.column)


# --- saving ----------------------------------------------------------------------------------------


def save_agents(store: Store, scenario_id: int, rows: pd.DataFrame) -> None:
    """The agents table, saved only if valid and if the stored time off still names known agents."""
    time_off = store.load_time_off(scenario_id)
    try:
        with store.transaction():
            store.replace_agents(scenario_id, records(rows))
            store.replace_time_off(scenario_id, time_off)  # refuses to orphan an agent's time off
    except InputError as error:
        raise located(error, "agents") from None


def save_time_off(store: Store, scenario_id: int, rows: pd.DataFrame) -> None:
    try:
        store.replace_time_off(scenario_id, records(rows))
    except InputError as error:
        raise located(error, "time off") from None


def save_config(store: Store, scenario_id: int, config: ScenarioConfig, table: str, **changes) -> None:
    """The scenario's config with some sections replaced, validated as a whole (cross-field rules
    such as break windows fitting every shift length span sections)."""
    try:
        store.save_scenario_config(scenario_id, {**config.model_dump(), **changes})
    except InputError as error:
        raise located(error, table) from None


def work_rules(values: dict, current: WorkRules) -> dict:
    """`WorkRules` with the form's values (the store validates them with the rest of the config); the
    rules the form does not show stay as they are."""
    return current.model_dump() | {key: values[key] for key in WorkRules.model_fields if key in values}


def weights(values: dict, current: Weights) -> dict:
    """`Weights` with the form's values; the weights the form does not show stay as they are."""
    return current.model_dump() | {key: values[key] for key in Weights.model_fields if key in values}
