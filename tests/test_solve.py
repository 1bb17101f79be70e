"""The solver's result: fields, progress events, time limit, determinism."""

from __future__ import annotations

import pandas as pd

from scheduler.check import check_roster
from scheduler.roster import ROSTER_COLUMNS
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
