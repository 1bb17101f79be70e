"""Column generation over weeks: groups, prices, pricing and diving, checked against an
independent account (the dual prices against GLOP's own reduced costs; weeks against the checker)."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.check import check_roster
from scheduler.engine import columns
from scheduler.engine.breaks import nominal_break_counts
from scheduler.engine.columns import Pricer, ShiftWorth, WeekSearch, agent_groups, assignment_of
from scheduler.engine.data import RosterData
from scheduler.engine.pricing import convex_minorant, missed_contacts, price_tiers
from scheduler.engine.result import roster_table
from scheduler.scenario import BreakRule, ShiftTemplate, Weights
from tests.test_model_rules import EVERY_DAY, agent, demand, scenario


def small_center():
    """Six agents, two of them alike twice over, a 7–23 demand with a lunch in every 8 h shift."""
    agents = [
        agent("a1", min_hours=24, max_hours=40), agent("a2", min_hours=24, max_hours=40),
        agent("b1", min_hours=8, max_hours=24, max_days=3), agent("b2", min_hours=8, max_hours=24, max_days=3),
        agent("c1", min_hours=0, max_hours=40, preferred="early"),
        agent("d1", min_hours=0, max_hours=40, night_ok=False),
    ]
    templates = (ShiftTemplate(name="day", earliest_start=dt.time(6), latest_start=dt.time(16),
                               start_step_minutes=60, lengths_hours=(4, 8)),)
    breaks = (BreakRule(name="lunch", activity="lunch", minutes=60, paid=False, min_shift_hours=8,
                        earliest_offset_minutes=180, latest_offset_minutes=300),)
    return scenario(agents, demand(EVERY_DAY, 7, 23, required=2), templates=templates, breaks=breaks)


@pytest.fixture(scope="module")
def data():
    return RosterData.build(small_center())


def test_alike_agents_share_a_group(data):
    groups = agent_groups(data, data.eligible)
    members = sorted(group.agent_ids for group in groups)
    assert members == [("a1", "a2"), ("b1", "b2"), ("c1",), ("d1",)]


def test_shift_values_add_the_prices_of_the_worked_intervals_less_the_cheapest_lunch(data):
    prices = {(queue, t): float(t % 5) for queue in data.queues for t in range(data.week.count)}
    k, queue = next((k, q) for k, q in data.eligible["a1"] if data.shifts[k].shift.length == 8 * 60)
    facts = data.shifts[k]
    lunch = min(sum(units * prices[queue, t] for t, units in option.lost) for option in facts.breaks[0])
    worth = ShiftWorth(data)
    expected = sum(units * prices[queue, t] for t, units in facts.cover) - lunch
    assert worth.of(worth.prices(prices))[worth.index[k, queue]] == pytest.approx(expected)


def test_master_prices_give_zero_reduced_cost_to_the_weeks_in_use(data):
    """At an optimum of the relaxation, every week strictly between its bounds has reduced cost 0:
    its cost (preferences, changes, fair shares) equals its group's price plus what its shifts are
    worth at the cover prices."""
    groups = agent_groups(data, data.eligible)
    with ThreadPoolExecutor(1) as pool:
        search = WeekSearch(data, groups, pool, lambda stage, objective: None, time.monotonic() + 60)
        assert search.first_weeks() == []
        search.generate(time.monotonic() + 20)
    master = search.master
    master.solve()
    members = master.member_prices()
    worth = search.worth.of(search.worth.prices(master.cover_prices()))
    checked = 0
    for (g, week), value in master.counts().items():
        if 1e-6 < value < groups[g].size - 1e-6:
            pricer = search.pricers[g]
            costs = dict(zip(pricer.shifts, pricer.costs))
            value = sum(worth[search.worth.index[key]] for key in week)
            fair_share = master.shares[g].cost(data, week)
            reduced = pricer.constant + sum(costs[key] for key in week) + fair_share - members[g] - value
            assert reduced == pytest.approx(0, abs=1e-6 * max(1.0, abs(members[g])))
            checked += 1
    assert checked > 0


def test_pricing_finds_a_week_that_keeps_every_hard_rule(data):
    case = data.scenario
    worth = ShiftWorth(data)
    prices = worth.of(worth.prices({(queue, t): 100.0 for queue in data.queues for t in range(data.week.count)}))
    for group in agent_groups(data, data.eligible):
        status, value, week = Pricer(data, group, worth).best_week(prices, 5)
        assert status == "OPTIMAL" and value > 0
        member = group.agent_ids[0]
        table = roster_table(data, {member: list(week)}, nominal_break_counts(data, {member: list(week)}))
        assert [v for v in check_roster(table, case) if v.agent_id == member] == []


def generated(data, groups, pool) -> WeekSearch:
    """The small center's column generation: first weeks, then up to 10 s of rounds."""
    search = WeekSearch(data, groups, pool, lambda stage, objective: None, time.monotonic() + 60)
    search.first_weeks()
    search.generate(time.monotonic() + 10)
    return search


def assert_every_agent_works_one_valid_week(data, groups, counts) -> None:
    assert all(isinstance(count, int) and count > 0 for count in counts.values())
    assert {g: sum(c for (h, _), c in counts.items() if h == g) for g in range(len(groups))} == {
        g: group.size for g, group in enumerate(groups)}
    assignment = assignment_of(groups, counts)
    assert sorted(assignment) == sorted(a.agent_id for a in data.agents)
    table = roster_table(data, assignment, nominal_break_counts(data, assignment))
    assert check_roster(table, data.scenario) == []


def test_diving_gives_every_agent_one_valid_week(data):
    groups = agent_groups(data, data.eligible)
    with ThreadPoolExecutor(2) as pool:
        search = generated(data, groups, pool)
        relaxed = search.master.solve()
        counts = search.dive(time.monotonic() + 10, time.monotonic() + 60)
    assert search.master.solve() >= relaxed - 1e-6  # whole counts cannot beat the relaxation
    assert_every_agent_works_one_valid_week(data, groups, counts)


@given(st.lists(st.floats(0, 100), min_size=1, max_size=12))
def test_convex_minorant_is_convex_below_and_meets_the_ends(values):
    values = np.array(values)
    hull = convex_minorant(np.arange(len(values)), values)
    assert np.all(hull <= values + 1e-9)
    assert hull[0] == pytest.approx(values[0]) and hull[-1] == pytest.approx(values[-1])
    assert np.all(np.diff(hull, 2) >= -1e-7)


@given(st.lists(st.floats(0, 50), min_size=1, max_size=15))
def test_missing_agents_never_cost_more_contacts_than_the_interval_can_lose(losses):
    missed = np.concatenate([[0.0], np.cumsum(losses)])
    tiers = price_tiers(np.arange(len(missed)), missed, Weights(), 30)
    assert sum(step.units for step in tiers) == len(losses)
    assert sum(step.units * step.lost_contacts for step in tiers) == pytest.approx(missed[-1], rel=1e-9, abs=1e-9)
    assert [step.cost for step in tiers] == sorted(step.cost for step in tiers)


def test_shortfalls_beyond_what_the_team_can_staff_are_not_priced_one_by_one():
    # 3 agents against 1,000,000 required: only shortfalls leaving 0–4 scheduled are evaluated, and
    # there the tiers' price stays below the contacts really lost (a convex minorant).
    target = small_center().config.queues["voice"]
    required, contacts, aht = np.array([1_000_000]), np.array([500.0]), np.array([300.0])
    began = time.monotonic()
    ((shorts, missed),) = missed_contacts(required, contacts, aht, target, 3600.0, staffable=3)
    tiers = price_tiers(shorts, missed, Weights(), 60)
    assert time.monotonic() - began < 5
    assert list(shorts) == [0] + list(range(999_996, 1_000_001))
    assert sum(step.units for step in tiers) == 1_000_000
    assert sum(step.units * step.lost_contacts for step in tiers) == pytest.approx(missed[-1])

    def priced(short: int) -> float:
        left, total = short, 0.0
        for step in tiers:
            total += min(left, step.units) * step.lost_contacts
            left -= min(left, step.units)
        return total

    assert all(priced(int(s)) <= m + 1e-6 for s, m in zip(shorts, missed))


def test_pricing_within_the_teams_reach_is_every_shortfall():
    target = small_center().config.queues["voice"]
    ((shorts, missed),) = missed_contacts(np.array([12]), np.array([100.0]), np.array([300.0]), target, 1800.0,
                                          staffable=11)
    assert list(shorts) == list(range(13))


def test_diving_out_of_time_rounds_every_group_at_once_and_every_agent_still_has_a_valid_week(data):
    groups = agent_groups(data, data.eligible)
    with ThreadPoolExecutor(2) as pool:
        counts = generated(data, groups, pool).dive(time.monotonic(), time.monotonic())
    assert_every_agent_works_one_valid_week(data, groups, counts)


def test_a_group_whose_first_search_runs_out_of_time_is_tried_again_with_more(data, monkeypatch):
    monkeypatch.setattr(columns, "FIRST_WEEK_SECONDS", 1e-4)  # far too short for any first search
    groups = agent_groups(data, data.eligible)
    with ThreadPoolExecutor(2) as pool:
        search = WeekSearch(data, groups, pool, lambda stage, objective: None, time.monotonic() + 60, 2)
        assert search.first_weeks() == []
    assert {g for g, _ in search.master.weeks} == set(range(len(groups)))
