"""The solver's result: fields, progress events, time limit, determinism."""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd

from scheduler.check import check_roster
from scheduler.roster import ROSTER_COLUMNS
from scheduler.scenario import BreakRule, ShiftTemplate
from scheduler.solve import RosterResult, solve_roster
from tests.test_model_rules import EVERY_DAY, agent, demand, scenario


def small_center():
    return scenario([agent(f"a{i}", min_hours=16, max_hours=40) for i in range(4)],
                    demand(EVERY_DAY, 6, 22, required=2))


def test_result_fields():
    case = small_center()
    result = solve_roster(case, time_limit=10, workers=1)
    assert isinstance(result, RosterResult)
    assert list(result.roster.columns) == ROSTER_COLUMNS
    assert set(result.roster["activity"]) <= {"work", "break", "lunch"}
    assert pd.api.types.is_datetime64_any_dtype(result.roster["start"])
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert result.objective == sum(result.costs.values())
    assert result.best_bound <= result.objective
    assert set(result.terms) == {"short_hours", "lost_contacts", "over_hours", "night_spread",
                                 "weekend_spread", "preference_misses"}
    assert 0 <= result.lower_bound_short_hours <= result.terms["short_hours"]
    assert result.required_hours == 7 * 16 * 2
    assert result.short_percent == 100 * result.terms["short_hours"] / result.required_hours
    assert {"shift mix", "weeks", "breaks"} <= set(result.stage_seconds)
    assert result.infeasibility == []
    assert check_roster(result.roster, case) == []


def test_progress_events_are_delivered():
    events = []
    solve_roster(small_center(), time_limit=10, workers=1, progress=events.append)
    assert events
    assert all({"stage", "solutions", "objective", "bound", "seconds"} <= set(event) for event in events)
    assert events[0]["stage"] == "shift mix" and events[-1]["stage"] == "done"
    assert [e["seconds"] for e in events] == sorted(e["seconds"] for e in events)


def test_time_limit_is_respected():
    limit = 4.0
    case = scenario([agent(f"a{i}", min_hours=16, max_hours=40) for i in range(12)],
                    demand(EVERY_DAY, 0, 24, required=3))
    result = solve_roster(case, time_limit=limit, workers=2)
    assert result.wall_seconds < limit + 2.0
    assert check_roster(result.roster, case) == []


def test_deterministic_with_one_worker():
    first = solve_roster(small_center(), time_limit=10, workers=1)
    second = solve_roster(small_center(), time_limit=10, workers=1)
    assert first.status == "OPTIMAL"
    pd.testing.assert_frame_equal(first.roster, second.roster)
    assert first.objective == second.objective


def test_rest_no_contract_can_keep_is_explained_within_the_time_limit():
    # 48 h rest after every shift leaves room for 3 shifts a week, 28.5 paid hours at most: no
    # 36-hour contract can be kept. Twelve agents of different availability (no two alike).
    templates = (ShiftTemplate(name="day", earliest_start=dt.time(0), latest_start=dt.time(23),
                               start_step_minutes=60, lengths_hours=(4, 6, 8, 10)),)
    breaks = (BreakRule(name="lunch", activity="lunch", minutes=30, paid=False, min_shift_hours=6,
                        earliest_offset_minutes=180, latest_offset_minutes=240),)
    agents = [agent(f"a{i}", min_hours=36, max_hours=40, earliest_start=dt.time(i), latest_end=dt.time(23))
              for i in range(12)]
    case = scenario(agents, demand(EVERY_DAY, 8, 20, required=3), templates=templates, breaks=breaks,
                    min_rest_hours=48, min_days_off=2)
    limit = 5.0
    result = solve_roster(case, time_limit=limit, workers=2)
    assert result.wall_seconds < limit + 10
    assert result.status == "INFEASIBLE"
    assert len(result.infeasibility) == 12
    assert all("48 h rest" in sentence for sentence in result.infeasibility)


def test_a_requirement_of_a_million_agents_is_priced_and_solved_within_the_time_limit():
    rows = demand([0], 8, 9, required=1_000_000)
    case = scenario([agent(f"a{i}", max_hours=40) for i in range(3)], rows)
    case.requirements["contacts"] = 500.0
    case.requirements["aht_seconds"] = 300.0
    limit = 5.0
    began = time.monotonic()
    result = solve_roster(case, time_limit=limit, workers=2)
    assert time.monotonic() - began < limit + 10
    assert result.terms["short_hours"] == 1_000_000 - 3
    assert check_roster(result.roster, case) == []
