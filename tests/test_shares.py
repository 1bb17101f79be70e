"""Fairness in column generation over several weeks: fair shares (bands of nights and weekends
around the team's average), the turns of a week around a repeating horizon, and who shares the
nights. Rosters are judged by the checker and the evaluation, never by the model's variables."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from scheduler.check import check_roster
from scheduler.evaluate import summary
from scheduler.engine.breaks import nominal_break_counts
from scheduler.engine.columns import (
    Pricer,
    ShiftWorth,
    WeekSearch,
    agent_groups,
    assignment_of,
    turned_weeks,
    week_turns,
)
from scheduler.engine.data import RosterData
from scheduler.engine.result import roster_table
from scheduler.engine.shares import Band, Shares, night_count, weekend_count
from scheduler.scenario import ShiftTemplate, TimeOff
from tests.test_model_rules import MONDAY, agent, demand, scenario

THREE_SHIFTS = (ShiftTemplate(name="day", earliest_start=dt.time(6), latest_start=dt.time(22),
                              start_step_minutes=480, lengths_hours=(8,)),)


def round_the_clock(weeks: int, agents: int = 6, time_off=(), **rules):
    """Alike agents, one of them needed round the clock (a night shift every day) for `weeks` weeks."""
    team = [agent(f"a{i}", min_hours=16, max_hours=40) for i in range(agents)]
    return scenario(team, demand(range(7 * weeks), 6, 30), templates=THREE_SHIFTS, weeks=weeks,
                    time_off=time_off, **rules)


def test_a_band_costs_each_unit_outside_it_and_its_marginals_add_up():
    band = Band(low=2, high=4, price=10)
    assert [band.cost(load) for load in range(7)] == [20, 10, 0, 0, 0, 10, 20]
    for load in range(7):
        assert band.constant + sum(band.marginal(unit) for unit in range(1, load + 1)) == band.cost(load)


def test_pricing_charges_the_found_week_its_fair_share():
    data = RosterData.build(round_the_clock(weeks=2))
    group = agent_groups(data, data.eligible)[0]
    worth = ShiftWorth(data)
    rng = np.random.default_rng(1)
    prices = {(q, t): float(rng.integers(0, 50)) for q in data.queues for t in range(data.horizon)}
    values = worth.of(worth.prices(prices))
    pricer = Pricer(data, group, worth)
    shares = Shares(nights=Band(1, 2, 500), weekends=Band(0, 1, 300))
    status, value, week = pricer.best_week(values, 10, shares=shares)
    assert status == "OPTIMAL"
    expected = sum(values[worth.index[key]] for key in week) - shares.cost(data, week)
    assert value == pytest.approx(expected, abs=0.05 * len(week))
    assert night_count(data, week) <= 2 + 1 and weekend_count(data, week) <= 1 + 1


def test_a_turned_week_is_valid_in_a_repeating_horizon_unless_it_meets_time_off():
    leave_day = 9  # Wednesday of the second week
    start = dt.datetime.combine(MONDAY, dt.time()) + dt.timedelta(days=leave_day)
    leave = TimeOff(agent_id="a0", start=start, end=start + dt.timedelta(days=1), reason="leave")
    case = round_the_clock(weeks=3, agents=1, time_off=(leave,), max_consecutive_nights=2)
    data = RosterData.build(case)
    turns = week_turns(data)
    assert len(turns) == 2
    worth = ShiftWorth(data)
    pricer = Pricer(data, agent_groups(data, data.eligible)[0], worth)
    everything = worth.of(worth.prices({(q, t): 1.0 for q in data.queues for t in range(data.horizon)}))
    _, _, week = pricer.best_week(everything, 10)
    turned = turned_weeks(week, turns, pricer.known)
    assert turned[0] == week
    working_that_weekday = {data.shifts[k].day for k, _ in week} & {leave_day % 7, leave_day % 7 + 14}
    assert len(turned) == 3 - len(working_that_weekday)  # the turns onto the leave day are left out
    for other in turned:
        table = roster_table(data, {"a0": list(other)}, nominal_break_counts(data, {"a0": list(other)}))
        assert check_roster(table, case) == []


def test_no_turns_when_the_horizon_is_one_week_or_chained_to_a_previous_roster():
    assert week_turns(RosterData.build(round_the_clock(weeks=1))) == []


def plan_nights(case) -> dict:
    """Fairness (as the evaluation counts it) of the roster of column generation and diving."""
    data = RosterData.build(case)
    groups = agent_groups(data, data.eligible)
    with ThreadPoolExecutor(2) as pool:
        search = WeekSearch(data, groups, pool, lambda stage, objective: None, time.monotonic() + 120, 2)
        assert search.first_weeks() == []
        search.generate(time.monotonic() + 30)
        counts = search.dive(time.monotonic() + 10, time.monotonic() + 60)
    assignment = assignment_of(groups, counts)
    table = roster_table(data, assignment, nominal_break_counts(data, assignment))
    assert check_roster(table, case) == []
    return summary(table, case)["fairness"]


def test_column_generation_rotates_nights_and_weekends_between_alike_agents():
    """Seven alike agents, four weeks round the clock: 28 nights to share. Nothing in a week's cost
    tells the agents apart; only the fair shares make the weeks rotate (without them: 0 to 8 nights)."""
    fairness = plan_nights(round_the_clock(weeks=4, agents=7))
    assert fairness["nights"]["spread"] <= 2
    assert all(spread["spread"] <= 1 for spread in fairness["weekends_worked_by_contract"].values())


def test_nights_are_shared_among_the_agents_whose_window_holds_a_night():
    student = agent("s1", min_hours=0, max_hours=20, earliest_start=dt.time(15), latest_end=dt.time(0))
    case = scenario([agent("a1"), agent("a2"), student], demand(range(7), 6, 30), templates=THREE_SHIFTS)
    data = RosterData.build(case)
    assert data.night_agents == {"a1", "a2"}
    fairness = summary(roster_table(data, {}, {}), case)["fairness"]
    assert set(fairness["nights"]["by_agent"]) == {"a1", "a2"}
