"""An agent's week: as an iCalendar file for their phone, and as text for the terminal.

Both show shifts, not segments: a shift is a run of roster segments that join end to start
(`scheduler.roster.shifts_from_roster`), its breaks and lunch listed inside it.

Roster times are local wall-clock times. The calendar keeps them *floating* (no time zone: 08:00
stays 08:00 wherever the phone is) unless a time zone is given, which then labels them (it does
not convert them).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd

from scheduler.roster import RosterShift, shifts_from_roster
from scheduler.scenario import Scenario, ScenarioConfig
from tabular import InputError, Problem

PRODUCT_ID = "-//wfm//roster//EN"
UID_DOMAIN = "wfm.roster"


def agent_calendar(
    roster: pd.DataFrame,
    agent_id: str,
    tz: str | dt.tzinfo | None = None,
    config: ScenarioConfig | None = None,
    stamp: dt.datetime | None = None,
) -> bytes:
    """The agent's shifts as an iCalendar (RFC 5545) file: one event per shift.

    `tz` (an IANA name such as "Europe/Berlin", or a tzinfo) labels the local times; `config`
    gives the break rules that make a break paid or unpaid (default rules without one); `stamp`
    is the DTSTAMP (now, in UTC, by default). UIDs are built from agent and shift start, so a
    re-published roster updates the events already in a calendar instead of duplicating them."""
    scenario, shifts = _agent_shifts(roster, agent_id, config)
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    stamp = stamp or dt.datetime.now(dt.timezone.utc)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Shifts of {_agent_name(shifts, agent_id)}")
    for shift in shifts:
        calendar.add_component(_event(shift, scenario, zone, stamp))
    if zone is not None:
        calendar.add_missing_timezones()
    return calendar.to_ical()


def agent_week_text(roster: pd.DataFrame, agent_id: str, config: ScenarioConfig | None = None) -> str:
    """A terminal view of the agent's week: a line per day (shift or "off"), and the paid hours."""
    scenario, shifts = _agent_shifts(roster, agent_id, config)
    lines = [f"{_agent_name(shifts, agent_id)} ({agent_id}), week of {scenario.week_start:%a %d %b %Y}"]
    # A night starting the Sunday before the week (or a shift past its end) is shown too, in order.
    first_day = min([0] + [shift.day for shift in shifts])
    last_day = max([6] + [shift.day for shift in shifts])
    for day in range(first_day, last_day + 1):
        that_day = [_shift_line(shift, scenario) for shift in shifts if shift.day == day]
        if not that_day and 0 <= day < 7:
            that_day = [f"{scenario.week_start + dt.timedelta(days=day):%a %Y-%m-%d}  off"]
        lines += that_day
    total = sum(shift.paid_minutes(scenario.config) for shift in shifts) / 60
    lines.append(f"Total paid: {total:g} h in {len(shifts)} shifts")
    return "\n".join(lines)


def _agent_shifts(
    roster: pd.DataFrame, agent_id: str, config: ScenarioConfig | None
) -> tuple[Scenario, list[RosterShift]]:
    """The agent's shifts and the scenario frame they are measured in (minutes from its week start)."""
    mine = roster[roster["agent_id"].astype(str) == str(agent_id)]
    if mine.empty:
        raise InputError(Problem(f"agent '{agent_id}' has no shift in this roster", column="agent_id"))
    if config is None:
        first = pd.Timestamp(mine["start"].min())
        monday = (first - pd.Timedelta(days=first.dayofweek)).date()
        # Only the week start and the (default) break rules are needed here, not a demand.
        config = ScenarioConfig.model_construct(week_start=monday)
    scenario = Scenario(config=config, agents=(), requirements=pd.DataFrame())
    return scenario, shifts_from_roster(mine, scenario)


def _agent_name(shifts: list[RosterShift], agent_id: str) -> str:
    return next((shift.name for shift in shifts if shift.name), agent_id)


def _event(shift: RosterShift, scenario: Scenario, zone: dt.tzinfo | None, stamp: dt.datetime) -> icalendar.Event:
    start, end = (scenario.timestamp(minutes).replace(tzinfo=zone) for minutes in (shift.start, shift.end))
    event = icalendar.Event()
    event.add("uid", f"{shift.agent_id}-{start:%Y%m%dT%H%M}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", f"Shift {start:%H:%M}–{end:%H:%M} · {', '.join(shift.queues) or 'no queue'}")
    event.add("description", _description(shift, scenario))
    return event


def _description(shift: RosterShift, scenario: Scenario) -> str:
    lines = [f"{activity.capitalize()} {_span(scenario, start, end)}" for activity, start, end in shift.breaks]
    lines.append(f"Paid: {shift.paid_minutes(scenario.config) / 60:g} h")
    return "\n".join(lines)


def _shift_line(shift: RosterShift, scenario: Scenario) -> str:
    start = scenario.timestamp(shift.start)
    breaks = ", ".join(f"{activity} {_span(scenario, begin, end)}" for activity, begin, end in shift.breaks)
    queues = ", ".join(shift.queues) or "-"
    paid = shift.paid_minutes(scenario.config) / 60
    span = _span(scenario, shift.start, shift.end)
    return f"{start:%a %Y-%m-%d}  {span}  {queues:<12} {paid:>5g} h  {breaks}".rstrip()


def _span(scenario: Scenario, start: int, end: int) -> str:
    return f"{scenario.timestamp(start):%H:%M}–{scenario.timestamp(end):%H:%M}"
