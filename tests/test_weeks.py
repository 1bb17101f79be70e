"""A horizon of several weeks planned week by week (`scheduler.engine.weeks`): every rule over all the
weeks and the edges (the independent checker), the weekends off shared out by turns, the bound, and
the rules that look into the roster after the horizon."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

import pandas as pd

from scheduler.check import check_roster
from scheduler.engine.data import RosterData
from scheduler.engine.mix import build_mix_model, lp_relaxation
from scheduler.engine.weeks import plans_in_turn, short_bound_units, weekend_turn
from scheduler.engine.whole_team import WHOLE_MODEL_AGENTS
from scheduler.fairness import weekends_worked
from scheduler.roster import shifts_from_roster
from scheduler.scenario import MINUTES_PER_DAY, MINUTES_PER_WEEK, ShiftTemplate
from scheduler.solve import solve_roster
from tests.test_model_rules import EVERY_DAY, MONDAY, agent, demand, scenario

AGENTS = WHOLE_MODEL_AGENTS + 4


# No shift starts before 06:00: Monday's first hours are the Sunday night's before it.
SIX_TO_TEN = (ShiftTemplate(name="any", earliest_start=dt.time(6), latest_start=dt.time(22), start_step_minutes=60,
                            lengths_hours=(8,)),)


def round_the_clock(weeks: int, **rules):
    """More agents than the whole-team model takes, every hour of every day staffed, nights included."""
    rows = [row for week in range(weeks) for row in demand([7 * week + day for day in EVERY_DAY], 0, 24, required=5)]
    return scenario([agent(f"a{i:02d}", min_hours=16, max_hours=40) for i in range(AGENTS)], rows, SIX_TO_TEN,
                    weeks=weeks, min_days_off=2, **rules)


def test_a_cyclic_horizon_planned_week_by_week_keeps_every_rule_over_its_weeks_and_its_wrap():
    case = round_the_clock(3)
    assert plans_in_turn(RosterData.build(case))
    result = solve_roster(case, time_limit=30, workers=1)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert check_roster(result.roster, case) == []  # the last Sunday runs into the first Monday
    shifts = shifts_from_roster(result.roster, case)
    assert {shift.day // 7 for shift in shifts} == {0, 1, 2}
    assert any(shift.end > 3 * MINUTES_PER_WEEK for shift in shifts)  # Sunday nights wrap
    assert 0 <= result.lower_bound_short_hours <= result.terms["short_hours"]


def test_weekends_off_are_shared_out_so_each_agent_gets_its_own_and_works_its_turn():
    case = round_the_clock(4)  # two full weekends off each in four weeks
    result = solve_roster(case, time_limit=40, workers=1)
    assert check_roster(result.roster, case) == []
    worked = weekends_worked(shifts_from_roster(result.roster, case), case.config.rules)
    loads = [worked[agent.agent_id] for agent in case.agents]
    assert max(loads) <= 2 and max(loads) - min(loads) <= 1


def test_a_weekend_goes_first_to_those_with_most_weekends_free_then_fewest_carried():
    owed = {"a": 1, "b": 2, "c": 0, "d": 0, "e": 2}  # weeks left: 2; "b" and "e" owe both
    carried = Counter({"c": 3, "d": 1})
    assert weekend_turn(owed, 2, carried, set()) == ["d", "c"]  # 5 weekends free, 2 each: round(5 / 2) = 2
    assert weekend_turn(owed, 2, carried, {"a"}) == ["d", "c", "a"]  # a's last shift ran into the week


def test_the_weeks_bound_is_valid_and_no_weaker_than_nothing_when_the_team_is_too_small():
    rows = [row for week in range(2) for row in demand([7 * week + day for day in EVERY_DAY], 0, 24, required=12)]
    case = scenario([agent(f"a{i:02d}", min_hours=16, max_hours=40) for i in range(AGENTS)], rows, weeks=2,
                    min_days_off=2)
    data = RosterData.build(case)
    units = short_bound_units(data)
    whole = lp_relaxation(build_mix_model(data).model)[0]
    assert 0 < units <= whole + 1e-6  # the weeks' mixes relax the horizon's, which relaxes every roster
    result = solve_roster(case, time_limit=20, workers=1)
    assert check_roster(result.roster, case) == []
    assert result.lower_bound_short_hours == units * data.unit_hours <= result.terms["short_hours"]


def test_a_known_next_roster_bounds_rest_runs_and_nights_at_the_horizons_end():
    # Next Monday 06:00 the agent starts a day shift after working Monday to Thursday of next week's
    # start: this week's Sunday may end by 19:00 at the latest, and no night may end within 46 h of it.
    next_monday = pd.Timestamp(MONDAY) + pd.Timedelta(weeks=1)
    following = pd.DataFrame([{"agent_id": "a1", "name": "A1", "queue": "voice", "activity": "work",
                               "start": next_monday + pd.Timedelta(days=day, hours=6),
                               "end": next_monday + pd.Timedelta(days=day, hours=14)} for day in range(4)])
    case = dataclasses.replace(scenario([agent()], demand(EVERY_DAY, 0, 24), min_rest_hours=11,
                                        max_consecutive_days=6, previous=following.iloc[:0]), next_roster=following)
    result = solve_roster(case, time_limit=10, workers=1)
    shifts = shifts_from_roster(result.roster, case)
    first_next = 7 * MINUTES_PER_DAY + 6 * 60
    assert shifts and all(shift.end + 11 * 60 <= first_next for shift in shifts)
    nights = [shift for shift in shifts if shift.end % MINUTES_PER_DAY <= 6 * 60 and shift.end > shift.start]
    assert all(shift.end + 46 * 60 <= first_next for shift in nights)
    days = {shift.day for shift in shifts}
    assert not {4, 5, 6} <= days  # with next Monday to Thursday, three days in a row at the end make seven
