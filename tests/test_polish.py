"""The polishing search (`engine.polish`): it lowers short staffing by re-planning a few agents at a
time, never raises the roster's cost, never widens a spread, and every roster it returns passes the
independent checker."""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd

from scheduler.check import check_roster
from scheduler.engine.data import RosterData
from scheduler.engine.polish import polish_roster
from scheduler.engine.result import roster_table, score, total_cost
from scheduler.engine.run import Run, deterministic_clock, now
from scheduler.evaluate import coverage_table
from scheduler.roster import ROSTER_COLUMNS
from scheduler.scenario import BreakRule, ShiftTemplate
from tests.test_model_rules import agent, demand, scenario

LUNCH = (BreakRule(name="lunch", activity="lunch", minutes=60, paid=False, min_shift_hours=8,
                   earliest_offset_minutes=180, latest_offset_minutes=300),)
EIGHT_HOURS = (ShiftTemplate(name="day", earliest_start=dt.time(0), latest_start=dt.time(23),
                             start_step_minutes=60, lengths_hours=(8,)),)


def shift_at(data: RosterData, day: int, hour: int, queue: str = "voice") -> tuple[int, str]:
    return next((k, queue) for k, facts in enumerate(data.shifts)
                if facts.day == day and facts.shift.clock_start == hour * 60 and facts.shift.length == 480)


def misplaced_center():
    """Three agents, each on a shift hours away from the demand of its day: the requirement is 06–15 on
    Monday to Wednesday, the agents start at 13:00 (a1 on Monday, a2 on Tuesday, a3 on Wednesday)."""
    agents = [agent(f"a{i}", max_hours=8, max_days=1) for i in (1, 2, 3)]
    rows = demand([0, 1, 2], 6, 15, required=1)
    return scenario(agents, rows, templates=EIGHT_HOURS, breaks=LUNCH)


def test_polishing_moves_misplaced_shifts_onto_the_demand_and_stays_valid():
    case = misplaced_center()
    data = RosterData.build(case)
    assignment = {f"a{day + 1}": [shift_at(data, day, 13)] for day in range(3)}
    breaks = {(k, queue, 0, 240): 1 for shifts in assignment.values() for k, queue in shifts}
    before = score(data, assignment, breaks)[0]["short_hours"]
    run = Run(time_limit=20, workers=1, seed=0, progress=None)
    polished, placed = polish_roster(data, assignment, breaks, run, now() + 10)
    after = score(data, polished, placed)[0]["short_hours"]
    assert before == 3 * 7  # each day 06–13 uncovered
    assert after < before
    assert total_cost(data, polished, placed) < total_cost(data, assignment, breaks)
    roster = roster_table(data, polished, placed)
    assert check_roster(roster, case) == []
    assert coverage_table(roster, case)["short"].sum() * 1.0 == after  # the evaluation reads the same
    assert run.stage_seconds["polish"] <= 10 + 2


def test_polishing_a_roster_it_cannot_improve_returns_it_unchanged():
    case = misplaced_center()
    data = RosterData.build(case)
    assignment = {f"a{day + 1}": [shift_at(data, day, 6)] for day in range(3)}
    breaks = {(k, queue, 0, 240): 1 for shifts in assignment.values() for k, queue in shifts}
    assert score(data, assignment, breaks)[0]["short_hours"] == 3 * 2  # 9 hours of demand, 7 worked
    run = Run(time_limit=60, workers=1, seed=0, progress=None)
    began = time.monotonic()
    polished, placed = polish_roster(data, assignment, breaks, run, now() + 60)
    assert polished is assignment and placed is breaks
    assert time.monotonic() - began < 20  # every neighbourhood was solved to optimality: it stops


def test_a_deterministic_polish_finds_the_same_roster_on_every_run():
    case = misplaced_center()
    data = RosterData.build(case)
    assignment = {f"a{day + 1}": [shift_at(data, day, 13)] for day in range(3)}
    breaks = {(k, queue, 0, 240): 1 for shifts in assignment.values() for k, queue in shifts}
    found = []
    for _ in range(2):
        with deterministic_clock():
            run = Run(time_limit=20, workers=1, seed=0, progress=None)
            found.append(polish_roster(data, assignment, breaks, run, now() + 2))
    assert found[0] == found[1]
    assert score(data, *found[0])[0]["short_hours"] < score(data, assignment, breaks)[0]["short_hours"]


def test_the_cost_a_polish_step_must_lower_counts_next_mondays_first_hours_a_chained_week_covers():
    # chained to a published week (not cyclic): next Monday's 00–06, which no Monday shift reaches,
    # is asked of this week's Sunday night, as the models ask it
    previous = pd.DataFrame(columns=ROSTER_COLUMNS)
    sixes = (ShiftTemplate(name="late", earliest_start=dt.time(6), latest_start=dt.time(22), start_step_minutes=60,
                           lengths_hours=(8,)),)
    case = scenario([agent("a1")], demand(range(7), 0, 6), sixes, previous=previous)
    data = RosterData.build(case)
    sunday_night = {"a1": [shift_at(data, 6, 22)]}
    assert data.horizon > data.week.count
    assert total_cost(data, sunday_night, {}) < total_cost(data, {"a1": []}, {})
    assert score(data, sunday_night, {})[0]["short_hours"] == score(data, {"a1": []}, {})[0]["short_hours"]
