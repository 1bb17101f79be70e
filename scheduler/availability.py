"""Whether an agent may work a stretch of time: daily availability window and time off.

Shared by the model (to leave out shifts an agent cannot take) and the checker (to flag them).
"""

from __future__ import annotations

from scheduler.scenario import MINUTES_PER_DAY, Agent, Scenario, clock_minutes


def can_take(agent: Agent, shift) -> bool:
    """Whether the agent is skilled for a queue of the shift type (`shifts.ShiftType`) and its daily
    window holds it (time off aside)."""
    return bool(set(shift.queues) & set(agent.skills)) and within_window(agent, shift.start, shift.end)


def within_window(agent: Agent, start: int, end: int) -> bool:
    """[start, end) lies inside the agent's daily window, which may wrap midnight.

    Without a window the agent is available all day. With only `earliest_start`, shifts start no
    earlier; with only `latest_end`, they end by then on their own day."""
    if agent.earliest_start is None and agent.latest_end is None:
        return True
    day = start // MINUTES_PER_DAY
    lo = clock_minutes(agent.earliest_start) if agent.earliest_start else 0
    if agent.latest_end is None:
        return start - day * MINUTES_PER_DAY >= lo
    hi = clock_minutes(agent.latest_end) if agent.latest_end else MINUTES_PER_DAY
    if agent.latest_end is not None and hi <= lo:
        hi += MINUTES_PER_DAY  # the window wraps midnight
    # The shift may sit in the window opening on its own day or in the one that opened the day before.
    for opening in (day, day - 1):
        base = opening * MINUTES_PER_DAY
        if base + lo <= start and end <= base + hi:
            return True
    return False


def leaves_of(scenario: Scenario, agent_id: str) -> list[tuple[int, int, str]]:
    """The agent's time off and absences as [start, end) minutes of the week and their reasons."""
    return [(scenario.minutes(leave.start), scenario.minutes(leave.end), leave.reason or "time off")
            for leave in (*scenario.time_off, *scenario.absences) if leave.agent_id == agent_id]


def clash(leaves: list[tuple[int, int, str]], start: int, end: int) -> str | None:
    """The reason of the first of `leaves` (`leaves_of`) overlapping [start, end), or None."""
    return next((reason for lo, hi, reason in leaves if lo < end and start < hi), None)


def time_off_clash(scenario: Scenario, agent_id: str, start: int, end: int) -> str | None:
    """The reason of the first time off or absence overlapping [start, end), or None."""
    return clash(leaves_of(scenario, agent_id), start, end)
