"""Agents count toward an interval by the share of it they work (breaks, shift starts and ends
inside it), the same in the engine and in the evaluation: solved rosters are scored by the
evaluation (`scheduler.evaluate`) from the roster table alone, never from the model's variables."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.check import check_roster
from scheduler.engine.data import RosterData
from scheduler.evaluate import coverage_table, summary
from scheduler.scenario import BreakRule, ShiftTemplate
from scheduler.solve import solve_roster
from tests.test_model_rules import agent, demand, scenario

COFFEE = BreakRule(name="coffee", minutes=15, min_shift_hours=4, earliest_offset_minutes=60,
                   latest_offset_minutes=180)


def day_shifts(earliest: dt.time, latest: dt.time, step: int = 60, lengths=(8,)) -> tuple[ShiftTemplate, ...]:
    return (ShiftTemplate(name="day", earliest_start=earliest, latest_start=latest, start_step_minutes=step,
                          lengths_hours=lengths),)


def solved(case):
    result = solve_roster(case, time_limit=5, workers=1)
    assert check_roster(result.roster, case) == []
    return result, summary(result.roster, case, result)


def test_a_15_minute_break_in_an_hour_costs_a_quarter_of_an_agent_hour():
    case = scenario([agent()], demand([0], 8, 16), templates=day_shifts(dt.time(8), dt.time(8)), breaks=(COFFEE,))
    result, report = solved(case)
    coverage = coverage_table(result.roster, case)
    assert sorted(coverage.loc[coverage["required"] > 0, "scheduled"]) == [0.75] + [1.0] * 7
    assert report["hours"]["short"] == result.terms["short_hours"] == 0.25
    assert RosterData.build(case).unit_minutes == 15


def test_a_shift_starting_mid_interval_counts_for_the_half_it_works():
    # the only shift starts at 08:30: half an agent short at 08:00, half over at 16:00
    case = scenario([agent()], demand([0], 8, 16), templates=day_shifts(dt.time(8, 30), dt.time(8, 30)))
    result, report = solved(case)
    assert report["hours"]["short"] == result.terms["short_hours"] == 0.5
    assert report["hours"]["over"] == result.terms["over_hours"] == 0.5


def test_shrinkage_is_not_floored_in_the_expected_service_level():
    case = scenario([agent(f"a{i}") for i in range(4)], demand([0], 8, 16, required=4),
                    templates=day_shifts(dt.time(8), dt.time(8)))
    rows = case.requirements
    rows["contacts"], rows["aht_seconds"] = 20.0, 300.0  # 1.7 Erlangs: Erlang's 2 agents answer 26 %, 3 73 %
    result, report = solved(case)
    coverage = coverage_table(result.roster, case)
    busy = coverage[coverage["required"] > 0]
    assert (busy["scheduled"] == 4).all()
    assert (busy["service_level"] > 0.6).all()  # 4 × 0.7 = 2.8 on the phones, not 2


def random_center(draw):
    agents = [agent(f"a{i}", max_hours=draw(st.sampled_from([16, 24, 40]))) for i in range(draw(st.integers(1, 4)))]
    rows = []
    for _ in range(draw(st.integers(1, 3))):
        day, start = draw(st.integers(0, 6)), draw(st.integers(0, 18))
        rows += demand([day], start, start + draw(st.integers(2, 10)), required=draw(st.integers(1, 3)))
    templates = day_shifts(dt.time(0), dt.time(23), step=draw(st.sampled_from([15, 30, 45])), lengths=(4, 6.25, 8))
    return scenario(agents, rows, templates=templates, breaks=(COFFEE,), min_days_off=2)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_the_engine_and_the_evaluation_count_the_same_short_and_over_hours(data_strategy):
    case = random_center(data_strategy.draw)
    result, report = solved(case)
    assert result.terms["short_hours"] == pytest.approx(report["hours"]["short"])
    assert result.terms["over_hours"] == pytest.approx(report["hours"]["over"])
    assert result.lower_bound_short_hours <= report["hours"]["short"] + 1e-9
