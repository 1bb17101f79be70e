"""Intraday repair (`scheduler.replan`): the frozen past, the absences, few changes, bad input; every
roster checked by the independent checker against the scenario with the absences."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from scheduler.check import check_roster
from scheduler.evaluate import coverage_table
from scheduler.replan import Absence, replan, with_absences
from scheduler.roster import ROSTER_COLUMNS, shifts_from_roster
from scheduler.scenario import BreakRule
from tabular import InputError
from tests.test_model_rules import MONDAY, agent, demand, scenario

WEEKDAYS = range(5)
START = dt.datetime.combine(MONDAY, dt.time())
WEDNESDAY = START + dt.timedelta(days=2)
LUNCH = BreakRule(name="lunch", activity="lunch", minutes=30, paid=False, min_shift_hours=6,
                  earliest_offset_minutes=180, latest_offset_minutes=300)


def at(day: int, hour: float) -> dt.datetime:
    return START + dt.timedelta(days=day, hours=hour)


def day_shift(agent_id: str, day: int, start: float = 8, lunch_at: float | None = None) -> list[dict]:
    """An 8 h voice shift's rows, with a 30 min lunch at `lunch_at` (hours) when given."""
    cuts = [start, start + 8] if lunch_at is None else [start, lunch_at, lunch_at + 0.5, start + 8]
    activities = ["work"] if lunch_at is None else ["work", "lunch", "work"]
    return [{"agent_id": agent_id, "name": agent_id.upper(), "queue": "voice", "activity": activity,
             "start": pd.Timestamp(at(day, begin)), "end": pd.Timestamp(at(day, end))}
            for activity, begin, end in zip(activities, cuts, cuts[1:])]


def published(*shifts: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([row for rows in shifts for row in rows], columns=ROSTER_COLUMNS)


def two_needed(breaks=()):
    """Two agents needed 08:00–16:00 on weekdays, worked by a1 and a2; a3 is free all week."""
    agents = [agent(name, max_hours=40) for name in ("a1", "a2", "a3")]
    case = scenario(agents, demand(WEEKDAYS, 8, 16, required=2), breaks=breaks)
    lunch = 12 if breaks else None
    roster = published(*[day_shift(name, day, lunch_at=lunch) for name in ("a1", "a2") for day in WEEKDAYS])
    return case, roster


def repaired(case, roster, when, absences):
    result, changed = replan(case, roster, when, absences, time_limit=10, workers=1)
    assert check_roster(result.roster, with_absences(case, roster, when, absences)) == []
    return result, changed


def short_hours(roster: pd.DataFrame, case) -> float:
    coverage = coverage_table(roster, case)
    return float((coverage["required"] - coverage["scheduled"]).clip(lower=0).sum())  # one-hour intervals


def rows_before(roster: pd.DataFrame, when: dt.datetime) -> pd.DataFrame:
    ended = roster[roster["end"] <= pd.Timestamp(when)]
    return ended.sort_values(["agent_id", "start"]).reset_index(drop=True)


def work_of(roster: pd.DataFrame, agent_id: str) -> pd.DataFrame:
    return roster[(roster["agent_id"] == agent_id) & (roster["activity"] == "work")]


def test_an_absence_is_covered_by_calling_in_the_free_agent_and_nothing_else():
    case, roster = two_needed()
    absences = [Absence("a1", WEDNESDAY, at(3, 24))]
    result, changed = repaired(case, roster, WEDNESDAY, absences)
    assert result.terms["short_hours"] == 0
    assert changed == {"a1": ["Wed 08:00 8h voice → Wed off", "Thu 08:00 8h voice → Thu off"],
                       "a3": ["Wed off → Wed 08:00 8h voice", "Thu off → Thu 08:00 8h voice"]}
    assert rows_before(result.roster, WEDNESDAY).equals(rows_before(roster, WEDNESDAY))
    a1 = work_of(result.roster, "a1")
    assert not ((a1["end"] > pd.Timestamp(WEDNESDAY)) & (a1["start"] < pd.Timestamp(at(4, 0)))).any()
    assert len(work_of(result.roster, "a1")) == 3  # Mon, Tue and Fri, as published


def test_a_shift_under_way_is_cut_where_the_absence_starts_and_the_rest_is_covered():
    case, roster = two_needed(breaks=(LUNCH,))
    noon = at(2, 12.25)  # inside a1's lunch (12:00–12:30): a1 goes home at the lunch
    result, changed = repaired(case, roster, noon, [Absence("a1", noon, at(2, 24))])
    a1_wednesday = result.roster[(result.roster["agent_id"] == "a1") & (result.roster["start"].dt.day == at(2, 0).day)]
    assert a1_wednesday[["activity", "start", "end"]].values.tolist() == [["work", pd.Timestamp(at(2, 8)),
                                                                          pd.Timestamp(at(2, 12))]]
    assert rows_before(result.roster, at(2, 12)).equals(rows_before(roster, at(2, 12)))
    assert changed["a1"] == ["Wed 08:00 8h voice → Wed 08:00 4h voice"]
    assert len(changed) == 2 and len(changed["a3"]) == 1  # a3 called in once to cover the afternoon
    # the lunches at noon, as published (half an agent each), and a1's half hour back from lunch at 12:30:
    # nobody may start before the moment of the re-plan (12:15), and shifts start on the hour
    assert result.terms["short_hours"] == short_hours(roster, case) + 0.5


def test_without_absences_nothing_changes():
    case, roster = two_needed(breaks=(LUNCH,))
    result, changed = repaired(case, roster, WEDNESDAY, [])
    assert changed == {}
    ordered = result.roster.sort_values(["agent_id", "start"]).reset_index(drop=True)
    assert ordered.equals(roster.sort_values(["agent_id", "start"]).reset_index(drop=True))


def test_the_absent_agents_cut_week_needs_the_absence_to_pass_the_checker():
    _, roster = two_needed(breaks=(LUNCH,))
    agents = [agent("a1", min_hours=32, max_hours=40), agent("a2", min_hours=32, max_hours=40), agent("a3", max_hours=40)]
    case = scenario(agents, demand(WEEKDAYS, 8, 16, required=2), breaks=(LUNCH,))
    noon = at(2, 12.5)
    result, _ = repaired(case, roster, noon, [Absence("a1", noon)])
    assert {(violation.rule, violation.agent_id) for violation in check_roster(result.roster, case)} == {
        ("shift_type", "a1"), ("contract_hours", "a1")}


@pytest.mark.parametrize("absences, when, message", [
    ([Absence("zz", WEDNESDAY)], WEDNESDAY, "unknown agent 'zz'"),
    ([Absence("a1", at(3, 8), at(2, 8))], WEDNESDAY, "it ends (2026-12-02 08:00) before it starts"),
    ([Absence("a1", at(1, 8))], WEDNESDAY, "it starts before the re-plan's moment"),
    ([], at(7, 0), "outside the horizon planned"),
    ([], at(-1, 12), "outside the horizon planned"),
])
def test_bad_absences_and_moments_are_located_messages(absences, when, message):
    case, roster = two_needed()
    with pytest.raises(InputError) as error:
        replan(case, roster, when, absences, time_limit=5, workers=1)
    assert message in str(error.value)


def test_a_roster_of_another_week_or_center_is_refused():
    case, roster = two_needed()
    other_week = roster.assign(start=roster["start"] + pd.Timedelta(days=7), end=roster["end"] + pd.Timedelta(days=7))
    with pytest.raises(InputError) as error:
        replan(case, other_week, WEDNESDAY, [], time_limit=5, workers=1)
    assert "published roster: is not a valid roster of this scenario" in str(error.value)
    assert "outside the week" in str(error.value)
    stranger = published(day_shift("x9", 0))
    with pytest.raises(InputError) as error:
        replan(case, pd.concat([roster, stranger]), WEDNESDAY, [], time_limit=5, workers=1)
    assert "x9" in str(error.value) and "not among the scenario's agents" in str(error.value)


def test_cut_shifts_read_back_as_shifts_of_their_day():
    case, roster = two_needed(breaks=(LUNCH,))
    noon = at(2, 13)
    result, _ = repaired(case, roster, noon, [Absence("a2", noon, at(2, 24))])
    cut = [shift for shift in shifts_from_roster(result.roster, case) if shift.agent_id == "a2" and shift.day == 2]
    assert [(shift.start, shift.length) for shift in cut] == [(2 * 1440 + 8 * 60, 5 * 60)]


def test_a_short_shift_passes_only_when_an_absence_begins_where_it_ends():
    case, roster = two_needed(breaks=(LUNCH,))
    short = published(day_shift("a3", 0)).assign(end=pd.Timestamp(at(0, 12)))  # 08:00–12:00, no template
    for begins, passes in [(at(0, 12), True), (at(0, 12.5), True), (at(0, 13), False), (at(0, 11), False)]:
        absent = with_absences(case, roster, START, [Absence("a3", begins, at(0, 20))])
        assert (check_roster(short, absent) == []) is passes, begins
