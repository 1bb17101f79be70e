"""The proven bound on short staffing (`engine.bound`): it never exceeds the short staffing of a
roster, as the evaluation counts it, on small random centers (with queue blocks too), and matches
brute force on a tiny one; OPTIMAL is said only when the objective meets its proven bound."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.check import check_roster
import scheduler.engine.bound as bound_module
from scheduler.engine.bound import CONVERGED_KIND, SWITCHING, prove_short_bound
from scheduler.engine.data import RosterData
from scheduler.engine.result import roster_table
from scheduler.roster import ROSTER_COLUMNS, shifts_from_roster
from scheduler.evaluate import coverage_table, summary
from scheduler.scenario import BreakRule, ShiftTemplate, TimeOff
from scheduler.solve import solve_roster
from tests.test_model_rules import MONDAY, agent, demand, scenario, with_email

THREE_SHIFTS = (ShiftTemplate(name="8h", earliest_start=dt.time(6), latest_start=dt.time(22),
                              start_step_minutes=480, lengths_hours=(8,)),)


def short_intervals(roster, case) -> int:
    """Short agent-intervals of the realtime queues as the evaluation counts them (1-hour intervals)."""
    table = coverage_table(roster, case)
    return int(table.loc[~table["queue"].isin(case.config.deferred_queues), "short"].sum())


def tiny_center():
    """Two agents, shifts at 6, 14 and 22 h; a2 is off on Monday and Tuesday, so a1 alone could
    work Monday night and Tuesday morning, but not both: the 11 h rest (which the shift mix does
    not know) keeps them apart."""
    agents = [agent("a1", max_hours=16), agent("a2", max_hours=8)]
    monday = dt.datetime.combine(MONDAY, dt.time())
    off = (TimeOff(agent_id="a2", start=monday, end=monday + dt.timedelta(days=2)),)
    rows = demand([0], 22, 30, required=1) + demand([1], 6, 14, required=1) + demand([2], 6, 14, required=1)
    return scenario(agents, rows, templates=THREE_SHIFTS, time_off=off)


def brute_force_least_short(case) -> int:
    """Every valid week of each agent (the checker says which), every pair: the least short staffing."""
    data = RosterData.build(case)
    week_covers = []
    for member in case.agents:
        covers = []
        for size in range(3):
            for week in itertools.combinations(data.eligible[member.agent_id], size):
                table = roster_table(data, {member.agent_id: list(week)}, {})
                if not check_roster(table, case):
                    covers.append(coverage_table(table, case)["scheduled"].to_numpy())
        week_covers.append(np.array(covers))
    required = coverage_table(roster_table(data, {}, {}), case)["required"].to_numpy()
    first, second = week_covers
    totals = first[:, None, :] + second[None, :, :]
    return int(np.clip(required - totals, 0, None).sum(axis=2).min())


def test_bound_matches_brute_force_on_a_tiny_center():
    case = tiny_center()
    least = brute_force_least_short(case)
    assert least > 0
    result = solve_roster(case, time_limit=10, workers=1)
    assert result.lower_bound_short_hours <= least <= short_intervals(result.roster, case)
    assert result.lower_bound_short_hours == least == 8  # the LP over valid weeks is whole here
    assert result.bound_kind == CONVERGED_KIND


def random_center(draw, queues: tuple[str, ...] = ("voice",)) -> object:
    count = draw(st.integers(2, 5))
    agents = []
    for i in range(count):
        low = draw(st.sampled_from([0, 8, 16]))
        skills = tuple(queue for queue in queues if draw(st.booleans())) or queues[:1]
        agents.append(agent(f"a{i}", min_hours=low, max_hours=low + draw(st.sampled_from([8, 16, 24])),
                            night_ok=draw(st.booleans()), skills=skills))
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        day = draw(st.integers(0, 6))
        start = draw(st.integers(0, 20))
        rows += demand([day], start, start + draw(st.integers(2, 12)), required=draw(st.integers(1, 3)),
                       queue=draw(st.sampled_from(queues)))
    templates = (ShiftTemplate(name="day", earliest_start=dt.time(0), latest_start=dt.time(23),
                               start_step_minutes=120, lengths_hours=(4, 8)),)
    breaks = (BreakRule(name="lunch", activity="lunch", minutes=60, paid=False, min_shift_hours=8,
                        earliest_offset_minutes=180, latest_offset_minutes=300),)
    return scenario(agents, rows, templates=templates, breaks=breaks, queues=queues,
                    min_days_off=draw(st.integers(0, 3)))


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_bound_never_exceeds_a_rosters_short_staffing(data_strategy):
    case = random_center(data_strategy.draw)
    result = solve_roster(case, time_limit=4, workers=1)
    short = short_intervals(result.roster, case)
    assert result.lower_bound_short_hours <= short
    assert result.best_bound <= result.objective + 1e-6
    assert result.status == "FEASIBLE" or result.objective <= result.best_bound + 1e-6  # OPTIMAL only when proven
    report = summary(result.roster, case, result)
    assert report["short_bound"]["gap_pct"] >= 0
    assert report["short_bound"]["bound_kind"] == result.bound_kind


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_with_queue_blocks_the_bound_never_exceeds_a_rosters_short_staffing(data_strategy):
    """With a deferred queue, agents of several skills switch queue inside their shifts (`engine.blocks`):
    the bound is the switching master's, below the realtime short staffing of the roster with its blocks."""
    plain = random_center(data_strategy.draw, queues=("voice", "chat"))
    multi = [member.model_copy(update={"skills": (*member.skills, "email")}) for member in plain.agents]
    when = f"{MONDAY + dt.timedelta(days=data_strategy.draw(st.integers(0, 6)))} 09:00"
    case = with_email(replace(plain, agents=tuple(multi)), [(when, data_strategy.draw(st.integers(1, 12)))])
    result = solve_roster(case, time_limit=4, workers=1)
    assert result.lower_bound_short_hours is not None and result.bound_kind.endswith(SWITCHING)
    assert result.lower_bound_short_hours <= short_intervals(result.roster, case)
    assert result.best_bound <= result.objective + 1e-6
    assert result.status == "FEASIBLE" or result.objective <= result.best_bound + 1e-6


def test_with_queue_blocks_the_bound_lets_an_agent_switch_queue_inside_a_shift():
    """One 08:00–16:00 shift; voice needs the agent 08–12 and chat 12–16. A roster with queue blocks
    covers both, so a bound over shifts of one queue (at least 4 h short: each shift serves one queue)
    would be wrong; the switching master's is 0."""
    only_eight = (ShiftTemplate(name="d", earliest_start=dt.time(8), latest_start=dt.time(8), lengths_hours=(8,)),)
    rows = demand([0], 8, 12) + demand([0], 12, 16, queue="chat")
    case = with_email(scenario([agent(skills=("voice", "chat", "email"), max_hours=8)], rows, templates=only_eight,
                               queues=("voice", "chat")), [(f"{MONDAY} 08:00", 1)], response_hours=48)
    switched = pd.DataFrame([("a1", "A1", queue, "work", pd.Timestamp(f"{MONDAY} {start}"), pd.Timestamp(f"{MONDAY} {end}"))
                             for queue, start, end in (("voice", "08:00", "12:00"), ("chat", "12:00", "16:00"))],
                            columns=ROSTER_COLUMNS)
    assert check_roster(switched, case) == [] and short_intervals(switched, case) == 0
    data = RosterData.build(case)
    weeks = {"a1": [((k, queue),) for k, queue in data.eligible["a1"] if data.shifts[k].day == 0]}
    # 4 h of the queue the shift does not serve, and the email's hour (it counts deferred rows as short too)
    assert prove_short_bound(data, weeks, workers=1, seconds=5).units * data.unit_hours == 5
    switching = prove_short_bound(data, weeks, workers=1, seconds=5, switching=True)
    assert switching == bound_module.ShortBound(0, CONVERGED_KIND[:-1] + SWITCHING)
    result = solve_roster(case, time_limit=10, workers=1)
    assert result.lower_bound_short_hours == 0 and result.bound_kind.endswith(SWITCHING)


def test_realtime_queue_blocks_let_an_agent_switch_phone_queues_inside_a_shift():
    """Without deferred queues a shift serves one queue (the bound over such shifts is then exact here,
    4 h); with `rules.realtime_queue_blocks` the agent takes voice, then chat, and the bound is the
    switching master's 0."""
    only_eight = (ShiftTemplate(name="d", earliest_start=dt.time(8), latest_start=dt.time(8), lengths_hours=(8,)),)
    rows = demand([0], 8, 12) + demand([0], 12, 16, queue="chat")
    one_queue = scenario([agent(skills=("voice", "chat"), max_hours=8)], rows, templates=only_eight,
                         queues=("voice", "chat"))
    result = solve_roster(one_queue, time_limit=10, workers=1)
    assert short_intervals(result.roster, one_queue) == result.lower_bound_short_hours == 4
    switching = replace(one_queue, config=one_queue.config.model_copy(
        update={"rules": one_queue.config.rules.model_copy(update={"realtime_queue_blocks": True})}))
    result = solve_roster(switching, time_limit=10, workers=1)
    assert check_roster(result.roster, switching) == []
    assert [queue for queue, _, _ in shifts_from_roster(result.roster, switching)[0].blocks] == ["voice", "chat"]
    assert short_intervals(result.roster, switching) == result.lower_bound_short_hours == 0
    assert result.bound_kind.endswith(SWITCHING) and result.status == "OPTIMAL"


def test_weeks_that_leave_nothing_short_prove_the_bound_without_pricing(monkeypatch):
    """Short staffing is never below 0: when the known weeks cover everything, 0 is the LP's optimum
    over every valid week, and no pricing model is made (on a busy machine the rounds took the bound's
    whole share of the limit to arrive at the same 0)."""
    case = scenario([agent("a1", max_hours=16), agent("a2", max_hours=16)], demand([0, 1], 6, 14, required=2),
                    templates=THREE_SHIFTS)
    data = RosterData.build(case)
    morning = [(k, "voice") for k, facts in enumerate(data.shifts)
               if facts.day in (0, 1) and facts.shift.clock_start == 6 * 60]
    made = []
    monkeypatch.setattr(bound_module, "Pricer", lambda *arguments: made.append(arguments))
    proven = prove_short_bound(data, {"a1": [tuple(morning)], "a2": [tuple(morning)]}, workers=1, seconds=5)
    assert proven == bound_module.ShortBound(0, CONVERGED_KIND)
    assert made == []
