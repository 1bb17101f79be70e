"""What fairness counts per agent, shared by the engine and the evaluation: nights, weekend days and
weekends worked in a roster's shifts, and what the previous roster (one week or several) carried
into the horizon, so that the agent who had the last weekends gets the next ones off."""

from __future__ import annotations

from collections import Counter

from scheduler.roster import RosterShift, shifts_from_roster
from scheduler.scenario import Scenario, WorkRules
from scheduler.shifts import is_night, is_weekend_day, weekend_touched


def nights(shifts: list[RosterShift], rules: WorkRules) -> Counter:
    return Counter(shift.agent_id for shift in shifts if is_night(shift.start, shift.end, rules))


def weekend_days(shifts: list[RosterShift], rules: WorkRules) -> Counter:
    """Weekend days with a shift starting on them, per agent."""
    days = {(shift.agent_id, shift.day) for shift in shifts if is_weekend_day(shift.day, rules)}
    return Counter(agent_id for agent_id, _ in days)


def weekends_worked(shifts: list[RosterShift], rules: WorkRules) -> Counter:
    """Weekends that are not full weekends off (`shifts.weekend_touched`), per agent."""
    weekends = {(shift.agent_id, week) for shift in shifts
                if (week := weekend_touched(shift.start, shift.end, rules)) is not None}
    return Counter(agent_id for agent_id, _ in weekends)


def previous_shifts(scenario: Scenario) -> list[RosterShift]:
    """The previous roster's shifts that start before the horizon."""
    if scenario.previous_roster is None:
        return []
    return [shift for shift in shifts_from_roster(scenario.previous_roster, scenario, "previous roster")
            if shift.start < 0]


def carried(scenario: Scenario) -> tuple[Counter, Counter]:
    """(nights, weekend days) per agent in the previous roster."""
    before = previous_shifts(scenario)
    return nights(before, scenario.config.rules), weekend_days(before, scenario.config.rules)
