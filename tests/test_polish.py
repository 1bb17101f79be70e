"""The polishing search (`engine.polish`): it lowers short staffing by re-planning a few agents at a
time, never raises the roster's cost, never widens a spread, and every roster it returns passes the
independent checker."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter

import pandas as pd

from scheduler.check import check_roster
from scheduler.engine.data import RosterData
from scheduler.engine.polish import NUDGE_START_MINUTES, Helpers, Step, improved, neighbourhood, polish_roster
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


def test_polish_steps_search_without_presolve_or_probing(monkeypatch):
    """On a busy machine CP-SAT's probing at the search's start took 0.85 s of a 1-s step (0.04 s of
    work): the step hardly searched."""
    import scheduler.engine.run as run_module
    made = []

    def recording_solver(*arguments, **keywords):
        solver = original(*arguments, **keywords)
        made.append(solver.parameters)
        return solver

    original = run_module.new_solver
    monkeypatch.setattr(run_module, "new_solver", recording_solver)
    case = misplaced_center()
    data = RosterData.build(case)
    assignment = {f"a{day + 1}": [shift_at(data, day, 13)] for day in range(3)}
    breaks = {(k, queue, 0, 240): 1 for shifts in assignment.values() for k, queue in shifts}
    polish_roster(data, assignment, breaks, Run(time_limit=20, workers=1, seed=0, progress=None), now() + 5)
    assert made
    assert all(not parameters.cp_model_presolve and parameters.cp_model_probing_level == 0 for parameters in made)


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


def full_monday_center():
    """Eight agents who may each work one 8-hour day, the requirement Monday 06–15 for four agents:
    m1–m4 work Monday inside it (m1 06–14), s1–s4 Monday 15–23 where nothing is required, t1–t2
    Tuesday (at their maximum: off on Monday, they cannot help it), and f1 has no shift yet."""
    agents = [agent(agent_id, max_hours=8, max_days=1)
              for agent_id in ("m1", "m2", "m3", "m4", "s1", "s2", "s3", "s4", "t1", "t2", "f1")]
    case = scenario(agents, demand([0], 6, 15, required=4), templates=EIGHT_HOURS, breaks=LUNCH)
    data = RosterData.build(case)
    starts = {"m1": (0, 6), "m2": (0, 7), "m3": (0, 6), "m4": (0, 7), "s1": (0, 15), "s2": (0, 15),
              "s3": (0, 15), "s4": (0, 15), "t1": (1, 6), "t2": (1, 6)}
    assignment = {agent_id: [shift_at(data, day, hour)] for agent_id, (day, hour) in starts.items()}
    breaks = {(k, queue, 0, 240): n for (k, queue), n in Counter(s for shifts in assignment.values() for s in shifts).items()}
    return data, assignment, breaks


def drawn_neighbourhoods(data, assignment, breaks, draws: int = 400, nudges: bool = False) -> list[Step]:
    """The steps drawn with seeds 0, 1, …: the nudges, or the others."""
    helpers = Helpers.of(data)
    steps = [neighbourhood(data, assignment, breaks, helpers, random.Random(seed)) for seed in range(draws)]
    return [step for step in steps if bool(step.near) == nudges]


def test_one_day_neighbourhoods_leave_out_agents_off_that_day_at_their_maximum():
    data, assignment, breaks = full_monday_center()
    assert score(data, assignment, breaks)[0]["short_hours"] > 0
    one_day = Counter(agent_id for step in drawn_neighbourhoods(data, assignment, breaks) if step.days == {0}
                      for agent_id in step.free)
    assert one_day["t1"] == one_day["t2"] == 0  # a step on Monday alone cannot give them a shift there
    assert one_day["f1"] > 0  # who has room may take one


def test_two_day_neighbourhoods_free_agents_who_may_move_a_day_onto_the_short_one():
    data, assignment, breaks = full_monday_center()
    two_days = [step.free for step in drawn_neighbourhoods(data, assignment, breaks) if step.days == {0, 1}]
    assert two_days and all({"t1", "t2"} & set(free) for free in two_days)  # Tuesday needs no one


def test_neighbourhoods_favour_agents_whose_shift_sits_in_over_staffing():
    data, assignment, breaks = full_monday_center()
    chosen = Counter(agent_id for step in drawn_neighbourhoods(data, assignment, breaks) for agent_id in step.free)
    spare = sum(chosen[agent_id] for agent_id in ("s1", "s2", "s3", "s4"))
    needed = sum(chosen[agent_id] for agent_id in ("m1", "m2", "m3", "m4"))
    assert spare > 2 * needed  # moving a shift from where no one is needed loses nothing


def test_nudges_free_agents_working_the_short_day_each_near_its_own_shift():
    data, assignment, breaks = full_monday_center()
    nudges = drawn_neighbourhoods(data, assignment, breaks, nudges=True)
    working_monday = {"m1", "m2", "m3", "m4", "s1", "s2", "s3", "s4"}
    assert nudges and all(0 in step.days and set(step.free) <= working_monday for step in nudges)
    assert all(data.shifts[assignment[agent_id][0][0]].shift == shift
               for step in nudges for agent_id, shift in step.near)


def test_a_nudge_moves_shifts_towards_the_demand_by_at_most_its_reach():
    """Three agents at 13:00 on Monday, the requirement 06–15: a nudge may start them two hours earlier,
    not at 06:00, and lowers the cost as far as it can."""
    agents = [agent(f"a{i}", max_hours=8, max_days=1) for i in (1, 2, 3)]
    case = scenario(agents, demand([0], 6, 15, required=3), templates=EIGHT_HOURS, breaks=LUNCH)
    data = RosterData.build(case)
    assignment = {f"a{i}": [shift_at(data, 0, 13)] for i in (1, 2, 3)}
    breaks = {(shift_at(data, 0, 13)[0], "voice", 0, 240): 3}
    step = Step(("a1", "a2", "a3"), frozenset({0}), tuple((f"a{i}", data.shifts[shift_at(data, 0, 13)[0]].shift)
                                                          for i in (1, 2, 3)))
    with deterministic_clock():
        run = Run(time_limit=20, workers=1, seed=0, progress=None)
        found, optimal = improved(data, assignment, breaks, step, run, 5)
    starts = sorted(data.shifts[k].shift.clock_start for shifts in found[0].values() for k, _ in shifts)
    assert optimal and starts == [13 * 60 - NUDGE_START_MINUTES] * 3
    assert total_cost(data, *found) < total_cost(data, assignment, breaks)
    assert check_roster(roster_table(data, *found), case) == []


def test_a_two_day_nudge_lengthens_one_shift_of_an_agent_at_its_maximum_by_shortening_another():
    """16 h a week: 8 h on Monday and Tuesday, where 06–13 and 06–15 are required. Only moving an
    hour from Monday to Tuesday covers both."""
    flexible = (ShiftTemplate(name="day", earliest_start=dt.time(0), latest_start=dt.time(23), start_step_minutes=60,
                              lengths_hours=(7, 8, 9)),)
    case = scenario([agent("a1", max_hours=16)], demand([0], 6, 13) + demand([1], 6, 15), templates=flexible)
    data = RosterData.build(case)
    eight = {day: next(k for k, facts in enumerate(data.shifts) if facts.day == day
                       and facts.shift.clock_start == 6 * 60 and facts.shift.length == 480) for day in (0, 1)}
    assignment = {"a1": [(eight[0], "voice"), (eight[1], "voice")]}
    step = Step(("a1",), frozenset({0, 1}), tuple(("a1", data.shifts[eight[day]].shift) for day in (0, 1)))
    assert step in drawn_neighbourhoods(data, assignment, {}, nudges=True)  # Monday is over-staffed
    with deterministic_clock():
        found, _ = improved(data, assignment, {}, step, Run(time_limit=20, workers=1, seed=0, progress=None), 5)
    assert sorted(data.shifts[k].shift.length for k, _ in found[0]["a1"]) == [7 * 60, 9 * 60]
    assert score(data, *found)[0]["short_hours"] == 0
    assert check_roster(roster_table(data, *found), case) == []


def test_polishing_moves_a_shift_from_a_day_without_demand_onto_the_short_day():
    """An agent at its maximum days, working Tuesday where nothing is required while Monday is
    uncovered: only a step on both days can move its shift, and it is moved."""
    case = scenario([agent("a1", max_hours=8, max_days=1)], demand([0], 6, 14, required=1),
                    templates=EIGHT_HOURS, breaks=LUNCH)
    data = RosterData.build(case)
    assignment = {"a1": [shift_at(data, 1, 6)]}
    breaks = {(k, queue, 0, 240): 1 for k, queue in assignment["a1"]}
    with deterministic_clock():
        run = Run(time_limit=20, workers=1, seed=0, progress=None)
        polished, placed = polish_roster(data, assignment, breaks, run, now() + 10)
    assert [data.shifts[k].day for k, _ in polished["a1"]] == [0]
    assert score(data, polished, placed)[0]["short_hours"] == 1  # the lunch hour
    assert check_roster(roster_table(data, polished, placed), case) == []


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
