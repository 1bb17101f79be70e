"""An agent's week as iCalendar and as terminal text."""

from __future__ import annotations

import datetime as dt

import icalendar
import pandas as pd
import pytest

from scheduler.ics import agent_calendar, agent_week_text
from tabular import InputError

STAMP = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.timezone.utc)


def segment(agent: str, queue: str, activity: str, start: str, end: str) -> dict:
    names = {"A1": "Anna Berg", "A2": "Ben Cole"}
    return {"agent_id": agent, "name": names[agent], "queue": queue, "activity": activity,
            "start": pd.Timestamp(start), "end": pd.Timestamp(end)}


@pytest.fixture
def roster() -> pd.DataFrame:
    return pd.DataFrame(
        [
            segment("A1", "voice", "work", "2026-11-23 08:00", "2026-11-23 10:00"),
            segment("A1", "", "break", "2026-11-23 10:00", "2026-11-23 10:15"),
            segment("A1", "voice", "work", "2026-11-23 10:15", "2026-11-23 12:00"),
            segment("A1", "", "lunch", "2026-11-23 12:00", "2026-11-23 12:30"),
            segment("A1", "voice", "work", "2026-11-23 12:30", "2026-11-23 16:30"),
            segment("A2", "voice", "work", "2026-11-23 09:00", "2026-11-23 13:00"),
            # A night across midnight: one shift, one event.
            segment("A1", "chat", "work", "2026-11-25 22:00", "2026-11-26 02:00"),
            segment("A1", "", "break", "2026-11-26 02:00", "2026-11-26 02:15"),
            segment("A1", "chat", "work", "2026-11-26 02:15", "2026-11-26 06:00"),
        ]
    )


def events(ics: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))


def test_one_event_per_shift_with_floating_local_times(roster: pd.DataFrame):
    day, night = events(agent_calendar(roster, "A1", stamp=STAMP))

    assert day.decoded("dtstart") == dt.datetime(2026, 11, 23, 8)
    assert day.decoded("dtend") == dt.datetime(2026, 11, 23, 16, 30)
    assert day.decoded("dtstart").tzinfo is None  # floating: 08:00 wherever the phone is
    assert str(day["summary"]) == "Shift 08:00–16:30 · voice"
    assert str(day["description"]).splitlines() == ["Break 10:00–10:15", "Lunch 12:00–12:30", "Paid: 8 h"]
    assert day.decoded("dtstamp") == STAMP

    assert night.decoded("dtstart") == dt.datetime(2026, 11, 25, 22)
    assert night.decoded("dtend") == dt.datetime(2026, 11, 26, 6)
    assert str(night["summary"]) == "Shift 22:00–06:00 · chat"


def test_uids_are_stable_and_distinct(roster: pd.DataFrame):
    first = [str(event["uid"]) for event in events(agent_calendar(roster, "A1"))]
    again = [str(event["uid"]) for event in events(agent_calendar(roster.iloc[::-1], "A1"))]
    assert first == again and len(set(first)) == 2
    assert first[0].startswith("A1-20261123T0800")


def test_time_zone_labels_the_local_times(roster: pd.DataFrame):
    ics = agent_calendar(roster, "A2", tz="Europe/Berlin")
    (event,) = events(ics)
    start = event.decoded("dtstart")
    assert start.replace(tzinfo=None) == dt.datetime(2026, 11, 23, 9)
    assert str(start.tzinfo) == "Europe/Berlin"
    assert b"BEGIN:VTIMEZONE" in ics


def test_week_text(roster: pd.DataFrame):
    lines = agent_week_text(roster, "A1").splitlines()
    assert lines[0] == "Anna Berg (A1), week of Mon 23 Nov 2026"
    assert len(lines) == 1 + 7 + 1
    assert lines[1].startswith("Mon 2026-11-23  08:00–16:30  voice")
    assert "8 h" in lines[1] and "break 10:00–10:15, lunch 12:00–12:30" in lines[1]
    assert lines[2] == "Tue 2026-11-24  off"
    assert lines[3].startswith("Wed 2026-11-25  22:00–06:00  chat")
    assert lines[-1] == "Total paid: 16 h in 2 shifts"


def test_unknown_agent(roster: pd.DataFrame):
    with pytest.raises(InputError, match="agent 'Z9' has no shift"):
        agent_calendar(roster, "Z9")
