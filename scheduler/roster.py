"""The roster table and the shifts in it.

A roster has one row per activity segment:

    agent_id  the agent's id (as in agents.csv)
    name      the agent's name (for people reading the file; the checker goes by agent_id)
    queue     the queue worked; required on work rows, may be empty on break and lunch rows
    activity  work, break or lunch
    start     ISO-8601 local date-time without a time-zone offset, e.g. 2026-10-05T08:30:00
    end       same; after start

A shift is an agent's run of segments that join end to start (sorted by start): a gap between
two segments, however short, ends one shift and starts the next.

The CSV plumbing (reading a source, matching column names, locating problems by file, row and
column) is the `tabular` package's, so every input file reports mistakes the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from scheduler.scenario import MINUTES_PER_DAY, BreakRule, Scenario, ScenarioConfig
from tabular import (
    MAX_PROBLEMS,
    ProblemList,
    Source,
    as_text,
    normalize_columns,
    parse_datetimes,
    read_raw_csv,
    require_columns,
    source_name,
)
from tabular.spreadsheet import to_csv

ROSTER_COLUMNS = ["agent_id", "name", "queue", "activity", "start", "end"]
ACTIVITIES = ("work", "break", "lunch")
ISO_FORMAT = "%Y-%m-%dT%H:%M:%S"
_EXAMPLE_TIME = "2026-10-05T08:30:00"


def read_roster(source: Source, name: str | None = None) -> pd.DataFrame:
    """Read and validate a roster CSV (a path, bytes or a file-like object such as an upload).

    Returns `ROSTER_COLUMNS` in file order with `start`/`end` as datetime64[ns]; extra columns
    are dropped. A file with only the header row is an empty roster; a file without even a
    header is an error. Every problem raises InputError naming the file, row and column.
    """
    name = source_name(source, name, "roster")
    raw = read_raw_csv(source, name)
    return validate_roster(raw, name, raw.index.to_numpy())


def validate_roster(frame: pd.DataFrame, name: str = "roster", rows: np.ndarray | None = None) -> pd.DataFrame:
    """Validate a roster of raw cells (text or timestamps), e.g. one edited in the app.

    `rows` are the spreadsheet rows of the frame's rows for messages; by default its positions as a
    spreadsheet shows them (first data row = row 2). Returns the same as `read_roster`.
    """
    return _validate(frame, name, np.arange(len(frame)) + 2 if rows is None else np.asarray(rows))


def write_roster(roster: pd.DataFrame, path: str | Path | IO[str]) -> None:
    """Write a roster as CSV, sorted by agent then start, times as `YYYY-MM-DDTHH:MM:SS`.

    The roster is validated first, so a file written here always reads back. Text a spreadsheet would
    run as a formula gets a quote in front (`tabular.spreadsheet`; `restore` takes it off)."""
    table = validate_roster(roster).sort_values(["agent_id", "start"], kind="stable")
    to_csv(table, path, index=False, date_format=ISO_FORMAT)


def _validate(raw: pd.DataFrame, name: str, rows: np.ndarray) -> pd.DataFrame:
    problems = ProblemList(name)
    frame = normalize_columns(raw, ROSTER_COLUMNS, problems).reset_index(drop=True)
    require_columns(frame, ROSTER_COLUMNS, [], problems)
    problems.raise_if_any()

    text = {column: as_text(frame[column]) for column in ("agent_id", "name", "queue")}
    activity = as_text(frame["activity"]).str.lower()
    _check_cells(text["agent_id"], text["queue"], activity, rows, problems)
    start = parse_datetimes(as_text(frame["start"]), rows, "start", _EXAMPLE_TIME, problems)
    end = parse_datetimes(as_text(frame["end"]), rows, "end", _EXAMPLE_TIME, problems)
    problems.add_cells(
        "end", rows, end <= start, start, lambda begin: f"is not after the start ({begin:%Y-%m-%d %H:%M})"
    )
    problems.raise_if_any()

    roster = pd.DataFrame({**text, "activity": activity, "start": start, "end": end})[ROSTER_COLUMNS]
    # Overlaps are only meaningful once every time is readable.
    _check_overlaps(roster, rows, problems)
    problems.raise_if_any()
    return roster


def _check_cells(
    agent_id: pd.Series, queue: pd.Series, activity: pd.Series, rows: np.ndarray, problems: ProblemList
) -> None:
    problems.add_cells("agent_id", rows, agent_id == "", agent_id, lambda _: "is empty; give the agent's id")
    problems.add_cells(
        "activity",
        rows,
        ~activity.isin(ACTIVITIES),
        activity,
        lambda value: f"'{value}' is not an activity; use {', '.join(ACTIVITIES)}",
    )
    problems.add_cells(
        "queue", rows, (activity == "work") & (queue == ""), queue, lambda _: "is empty; a work segment needs a queue"
    )


def _check_overlaps(roster: pd.DataFrame, rows: np.ndarray, problems: ProblemList) -> None:
    """An agent cannot do two things at once: report each segment starting before an earlier one ends."""
    ordered = roster.assign(row=rows).sort_values(["agent_id", "start"], kind="stable")
    agents = ordered["agent_id"]
    latest_end = ordered.groupby("agent_id", sort=False)["end"].cummax()
    # The row holding the latest end so far is the one an overlapping segment collides with.
    holder = ordered["row"].where(ordered["end"] == latest_end).groupby(agents).ffill()
    earlier_end = latest_end.groupby(agents).shift()
    earlier_row = holder.groupby(agents).shift()
    clash = ordered["start"] < earlier_end
    for row, start, end, other in islice(
        zip(ordered["row"][clash], ordered["start"][clash], earlier_end[clash], earlier_row[clash]), MAX_PROBLEMS
    ):
        problems.add(
            f"starts at {start:%Y-%m-%d %H:%M}, before the same agent's segment in row {int(other)} ends "
            f"({end:%Y-%m-%d %H:%M}); an agent's segments must not overlap",
            row,
            "start",
        )


@dataclass(frozen=True)
class RosterShift:
    """One shift of a roster, in minutes from the week start.

    `queues` are the distinct queues of its work segments in order of appearance and `queue`
    the first of them ("" for a shift without work); `blocks` are its queue blocks (`queue_blocks`).
    `segments` are (activity, start, end) in order and join end to start."""

    agent_id: str
    name: str
    queue: str
    queues: tuple[str, ...]
    start: int
    end: int
    segments: tuple[tuple[str, int, int], ...]
    work_queues: tuple[tuple[str, int], ...] = ()  # (queue, start) of each work segment, in order

    @property
    def blocks(self) -> tuple[tuple[str, int, int], ...]:
        """(queue, start, end) of each queue block: a run of work segments on one queue, breaks between
        them included. The first block starts with the shift; each other starts with its first work
        segment and runs until the next block starts, the last until the shift ends."""
        starts: list[tuple[str, int]] = []
        for queue, start in self.work_queues:
            if not starts or starts[-1][0] != queue:
                starts.append((queue, start if starts else self.start))
        ends = [start for _, start in starts[1:]] + [self.end]
        return tuple((queue, start, end) for (queue, start), end in zip(starts, ends))

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def day(self) -> int:
        """The day it starts on (0 = Monday of the week; negative before, 7 and up after)."""
        return self.start // MINUTES_PER_DAY

    @property
    def breaks(self) -> tuple[tuple[str, int, int], ...]:
        return tuple(segment for segment in self.segments if segment[0] != "work")

    def paid_minutes(self, config: ScenarioConfig) -> int:
        """Length minus unpaid breaks.

        A break or lunch segment is unpaid when the break rules for a shift of this length give
        its activity an unpaid rule (the rule of the same duration if there is one, so a paid
        15-minute break and an unpaid 30-minute one of the same activity stay apart). Matching
        on the activity keeps a lunch unpaid when a hand edit got its duration wrong. For a
        shift with exactly the prescribed breaks this equals `config.paid_minutes(length)`."""
        rules = config.breaks_for(self.length)
        unpaid = sum(end - start for activity, start, end in self.breaks if _unpaid(activity, end - start, rules))
        return self.length - unpaid


def segment_rows(
    scenario: Scenario, agent_id: str, name: str, queue: str, pieces: list[tuple[str, int, int]]
) -> list[tuple]:
    """Roster rows (`ROSTER_COLUMNS`) of one shift's (activity, start, end) segments, in minutes."""
    return [(agent_id, name, queue, activity, scenario.timestamp(start), scenario.timestamp(end))
            for activity, start, end in pieces]


def _unpaid(activity: str, minutes: int, rules: tuple[BreakRule, ...]) -> bool:
    same_activity = [rule for rule in rules if rule.activity == activity]
    same_duration = [rule for rule in same_activity if rule.minutes == minutes]
    return any(not rule.paid for rule in same_duration or same_activity)


def shifts_from_roster(roster: pd.DataFrame, scenario: Scenario, name: str = "roster") -> list[RosterShift]:
    """The roster's shifts, sorted by agent then start (the roster is validated first)."""
    table = validate_roster(roster, name)
    # Whole minutes from the week start as `scenario.minutes` counts them, for all rows at once.
    week_start, minute = pd.Timestamp(scenario.week_start), pd.Timedelta(minutes=1)
    table = table.assign(start=(table["start"] - week_start) // minute, end=(table["end"] - week_start) // minute)
    table = table.sort_values(["agent_id", "start"], kind="stable")
    shifts: list[RosterShift] = []
    run: list[Any] = []
    for row in table.itertuples(index=False):
        if run and (row.agent_id != run[-1].agent_id or row.start != run[-1].end):
            shifts.append(_shift(run))
            run = []
        run.append(row)
    if run:
        shifts.append(_shift(run))
    return shifts


def _shift(rows: list[Any]) -> RosterShift:
    queues = tuple(dict.fromkeys(row.queue for row in rows if row.activity == "work"))
    return RosterShift(
        agent_id=rows[0].agent_id,
        name=next((row.name for row in rows if row.name), ""),
        queue=queues[0] if queues else "",
        queues=queues,
        start=int(rows[0].start),
        end=int(rows[-1].end),
        segments=tuple((row.activity, int(row.start), int(row.end)) for row in rows),
        work_queues=tuple((row.queue, int(row.start)) for row in rows if row.activity == "work"),
    )
