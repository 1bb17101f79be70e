"""A re-plan against a published roster (the baseline, `wfm roster --baseline`): the shift each agent
had on each day, and what a new roster changes. A shift changes when it is added, removed, or starts
at another time, runs another length or serves another queue; a break moved within an unchanged
shift is counted apart (the charge is per changed shift, `weights.change`)."""

from __future__ import annotations

from scheduler.roster import RosterShift, shifts_from_roster
from scheduler.scenario import DAY_NAMES, MINUTES_PER_DAY, Scenario

Shape = tuple[int, int, str]  # start, length, queue


def shifts_by_day(scenario: Scenario, shifts: list[RosterShift]) -> dict[str, dict[int, RosterShift]]:
    """Per agent, its shift on each day of the horizon (the first, should a hand edit put two)."""
    days: dict[str, dict[int, RosterShift]] = {}
    for shift in shifts:
        if 0 <= shift.start < scenario.config.horizon_minutes:
            days.setdefault(shift.agent_id, {}).setdefault(shift.day, shift)
    return days


def baseline_days(scenario: Scenario) -> dict[str, dict[int, RosterShift]]:
    """The baseline's shifts per agent and day (none without a baseline)."""
    if scenario.baseline is None:
        return {}
    return shifts_by_day(scenario, shifts_from_roster(scenario.baseline, scenario, "baseline roster"))


def shape(shift: RosterShift) -> Shape:
    return shift.start, shift.length, shift.queue


def changes(scenario: Scenario, shifts: list[RosterShift]) -> dict[str, list[str]]:
    """Per agent with a change, `old → new` for each day whose shift changed (`off` for none); nothing
    without a baseline."""
    if scenario.baseline is None:
        return {}
    old, new = baseline_days(scenario), shifts_by_day(scenario, shifts)
    found: dict[str, list[str]] = {}
    for agent in scenario.agents:
        before, after = old.get(agent.agent_id, {}), new.get(agent.agent_id, {})
        for day in sorted(set(before) | set(after)):
            was, now = before.get(day), after.get(day)
            if was is None or now is None or shape(was) != shape(now):
                found.setdefault(agent.agent_id, []).append(f"{label(day, was)} → {label(day, now)}")
    return found


def break_moves(scenario: Scenario, shifts: list[RosterShift]) -> int:
    """Unchanged shifts whose breaks moved."""
    old, new = baseline_days(scenario), shifts_by_day(scenario, shifts)
    return sum(
        1
        for agent_id, days in new.items()
        for day, now in days.items()
        if (was := old.get(agent_id, {}).get(day)) is not None and shape(was) == shape(now)
        and was.segments != now.segments
    )


def label(day: int, shift: RosterShift | None) -> str:
    """`Tue 08:00 8h voice` (with the week past the first), or `Tue off`."""
    week = f" (week {day // 7 + 1})" if day >= 7 else ""
    name = f"{DAY_NAMES[day % 7].title()}{week}"
    if shift is None:
        return f"{name} off"
    clock = shift.start % MINUTES_PER_DAY
    return f"{name} {clock // 60:02d}:{clock % 60:02d} {shift.length / 60:g}h {shift.queue}"
