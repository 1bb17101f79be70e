"""Hand edits of a roster: replace or remove one agent's shift on one day.

The new shift gets the breaks its length is owed, each at the middle of its allowed window (on the
interval grid, as the solver places them), so that an edit changes only what the planner asked for.
Whether the result breaks a rule is for `scheduler.check` to say, not for this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scheduler.roster import ROSTER_COLUMNS, segment_rows, shifts_from_roster
from scheduler.scenario import MINUTES_PER_DAY, Scenario, ScenarioConfig
from scheduler.shifts import break_slots, enumerate_shift_types, middle, segments


@dataclass(frozen=True)
class ShiftChoice:
    """A replacement shift: start in minutes after midnight of its day, length in minutes, queue."""

    clock_start: int
    length: int
    queue: str


def offered_shifts(config: ScenarioConfig, day: int) -> dict[int, list[int]]:
    """Lengths offered by the templates for each start (minutes after midnight) on this day."""
    offered: dict[int, list[int]] = {}
    for kind in enumerate_shift_types(config):
        if kind.day == day:
            offered.setdefault(kind.clock_start, []).append(kind.length)
    return {start: sorted(set(lengths)) for start, lengths in sorted(offered.items())}


def shift_rows(scenario: Scenario, agent_id: str, day: int, choice: ShiftChoice) -> pd.DataFrame:
    """The roster rows of one shift with its breaks placed mid-window."""
    start = day * MINUTES_PER_DAY + choice.clock_start
    breaks = [(slot.rule, middle(slot.offsets)) for slot in break_slots(scenario.config, choice.length)]
    pieces = segments(start, choice.length, breaks)
    rows = segment_rows(scenario, agent_id, scenario.agent(agent_id).name, choice.queue, pieces)
    return pd.DataFrame(rows, columns=ROSTER_COLUMNS)


def replace_shift(roster: pd.DataFrame, scenario: Scenario, agent_id: str, day: int,
                  choice: ShiftChoice | None) -> pd.DataFrame:
    """The roster with the agent's shifts starting on `day` replaced by `choice` (removed when None)."""
    table = roster.drop(index=_rows_of_day(roster, scenario, agent_id, day))
    if choice is not None:
        added = shift_rows(scenario, agent_id, day, choice)
        # concat with an empty frame would lose the datetime dtypes (pandas warns about it)
        table = pd.concat([table, added], ignore_index=True) if not table.empty else added
    return table.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)[ROSTER_COLUMNS]


def _rows_of_day(roster: pd.DataFrame, scenario: Scenario, agent_id: str, day: int) -> list:
    """Index labels of the rows of the agent's shifts that start on `day` (a shift belongs to its start day)."""
    mine = roster[roster["agent_id"].astype(str) == agent_id]
    if mine.empty:
        return []
    labels = []
    for shift in shifts_from_roster(mine, scenario):
        if shift.day == day:
            begin, end = scenario.timestamp(shift.start), scenario.timestamp(shift.end)
            inside = (pd.to_datetime(mine["start"]) >= begin) & (pd.to_datetime(mine["end"]) <= end)
            labels += list(mine.index[inside])
    return labels
