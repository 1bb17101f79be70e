"""What fairness counts per agent, shared by the engine and the evaluation: nights, weekend days and
weekends worked in a roster's shifts, and what the previous roster (one week or several) carried
into the horizon, so that the agent who had the last weekends gets the next ones off. Nights are
shared among the agents who may work one (`night_agents`)."""

from __future__ import annotations

from collections import Counter

from scheduler.availability import can_take
from scheduler.roster import RosterShift, shifts_from_roster
from scheduler.scenario import Agent, Scenario, WorkRules
from scheduler.shifts import enumerate_shift_types, is_night, is_weekend_day, weekend_touched


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


def night_agents(scenario: Scenario) -> list[Agent]:
    """The agents among whom nights are shared: `night_ok`, skilled for a queue of a night shift of
    the templates, and with a daily window that holds one. (An evening student with `night_ok` whose
    window ends at midnight can take no night: counting them would make the spread their colleagues'
    load.) Time off does not count: leave is not a reason to be given fewer nights later."""
    rules = scenario.config.rules
    nights = [shift for shift in enumerate_shift_types(scenario.config)
              if shift.day < 7 and is_night(shift.start, shift.end, rules)]
    return [agent for agent in scenario.agents if agent.night_ok and any(can_take(agent, shift) for shift in nights)]
