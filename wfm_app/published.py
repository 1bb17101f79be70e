"""Living with a published roster: the week's inputs changed after publishing, and what that breaks."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scheduler.baseline import label, shape, shifts_by_day
from scheduler.check import Violation, check_roster
from scheduler.roster import shifts_from_roster
from scheduler.scenario import Scenario
from wfm.storage import RosterVersion, Store


@dataclass(frozen=True)
class Drift:
    """The published version, and the hard rules its shifts break under the week's inputs as they are now."""

    version: RosterVersion
    violations: list[Violation]


def drift(store: Store, scenario_id: int, scenario: Scenario) -> Drift | None:
    """None unless the week's rules, agents or time off were saved after its roster was last published."""
    version = store.latest_published(scenario_id)
    if version is None or store.scenario_info(scenario_id).updated_at <= version.published_at:
        return None
    return Drift(version, check_roster(store.load_roster(version.id), scenario))


def time_off_rows(scenario: Scenario, agent_id: str) -> pd.DataFrame:
    """The agent's time off that overlaps the week: from, to and reason (e.g. vacation)."""
    week_start = scenario.week_start
    week_end = week_start + pd.Timedelta(days=7)
    rows = [{"from": leave.start, "to": leave.end, "reason": leave.reason or "time off"}
            for leave in scenario.time_off
            if leave.agent_id == agent_id and leave.start < week_end and leave.end > week_start]
    return pd.DataFrame(rows, columns=["from", "to", "reason"])


def changed_shifts(scenario: Scenario, seen: pd.DataFrame, now: pd.DataFrame, agent_id: str) -> list[str]:
    """The agent's days whose shift differs between the version they saw and the one published now,
    as `Wed 08:00 8h voice → Wed off` (a break moved inside an unchanged shift is not a change)."""
    def days(roster: pd.DataFrame) -> dict:
        mine = roster[roster["agent_id"].astype(str) == agent_id]
        return shifts_by_day(scenario, shifts_from_roster(mine, scenario)).get(agent_id, {})

    before, after = days(seen), days(now)
    return [f"{label(day, before.get(day))} → {label(day, after.get(day))}"
            for day in sorted(set(before) | set(after))
            if day not in before or day not in after or shape(before[day]) != shape(after[day])]
