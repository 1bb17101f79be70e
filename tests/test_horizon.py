"""A horizon of N weeks rostered as one, stored as one version per week and published together."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from scheduler.check import check_roster
from scheduler.solve import solve_roster
from tabular import InputError
from wfm.storage import Store
from wfm_app import horizon, planning, state
from tests.test_app import open_app, texts
from tests.test_calendar import FAST, FIRST_WEEK, folder, states  # noqa: F401  (the fixture)

SECOND_WEEK = FIRST_WEEK + dt.timedelta(weeks=1)


def two_planned_weeks(store: Store) -> list:
    (first,) = store.list_scenarios("First")
    planning.forecast_week(store, first.id, "test", FAST)
    planning.roll_forward(store, "First", SECOND_WEEK, "test", FAST)
    return horizon.horizon_weeks(store, "First", FIRST_WEEK, 2)


def test_a_two_week_horizon_is_solved_as_one_and_stored_and_published_per_week(folder):
    with Store(folder) as store:
        weeks = two_planned_weeks(store)
        scenario = horizon.horizon_scenario(store, weeks)
        one_week = store.to_scenario(weeks[0].id).requirements
        assert scenario.config.weeks == 2 and len(scenario.requirements) == 2 * len(one_week)
        roster = solve_roster(scenario, time_limit=5, workers=1).roster
        assert check_roster(roster, scenario) == []
        versions = horizon.save_drafts(store, weeks, roster, "planner")
        assert states(store) == {FIRST_WEEK: planning.DRAFT, SECOND_WEEK: planning.DRAFT,
                                 SECOND_WEEK + dt.timedelta(weeks=1): planning.NOT_PLANNED}
        parts = [store.load_roster(version) for version in versions]
        assert sum(len(part) for part in parts) == len(roster)
        horizon.publish(store, versions, "planner")
        assert set(states(store).values()) == {planning.PUBLISHED, planning.NOT_PLANNED}
        second = store.to_scenario(weeks[1].id)  # the horizon's first week carries into its second
        pd.testing.assert_frame_equal(second.previous_roster, parts[0])
        assert check_roster(parts[1], second) == []


def test_a_night_shift_stays_whole_in_the_week_it_starts_in():
    sunday_night = pd.Timestamp(SECOND_WEEK) - pd.Timedelta(hours=2)
    roster = pd.DataFrame({
        "agent_id": ["A1"] * 3 + ["A2"], "name": ["Ann"] * 3 + ["Bob"], "queue": ["voice", "", "voice", "voice"],
        "activity": ["work", "break", "work", "work"],
        "start": [sunday_night, sunday_night + pd.Timedelta(hours=3), sunday_night + pd.Timedelta(hours=3.5),
                  pd.Timestamp(SECOND_WEEK) + pd.Timedelta(hours=8)],
        "end": [sunday_night + pd.Timedelta(hours=3), sunday_night + pd.Timedelta(hours=3.5),
                sunday_night + pd.Timedelta(hours=8), pd.Timestamp(SECOND_WEEK) + pd.Timedelta(hours=16)]})
    first, second = horizon.split_weeks(roster, FIRST_WEEK, 2)
    assert list(first["agent_id"]) == ["A1"] * 3 and list(second["agent_id"]) == ["A2"]


def test_a_horizon_needs_every_week_planned_with_its_demand(folder):
    with Store(folder) as store:
        with pytest.raises(InputError) as refused:
            horizon.horizon_weeks(store, "First", FIRST_WEEK, 2)
        messages = [problem.message for problem in refused.value.problems]
        assert messages == ["the week of 23 Nov 2026 has no demand yet; forecast it first",
                            "the week of 30 Nov 2026 is not planned yet; plan it on this page first"]
        with pytest.raises(InputError, match="2 to 6 weeks"):
            horizon.horizon_weeks(store, "First", FIRST_WEEK, 7)


# --- the page -------------------------------------------------------------------------------------


def test_the_calendar_plans_two_weeks_then_rosters_and_publishes_them_as_one_horizon(folder):
    at = open_app()
    at.switch_page("app_pages/calendar.py").run()
    at.multiselect(key=state.PLAN_METHODS).set_value(FAST).run()
    at.button(key=state.FORECAST_WEEK).click().run()
    at.number_input(key=state.PLAN_COUNT).set_value(1).run()
    at.button(key=state.PLAN_WEEK).click().run()
    assert not at.exception, [error.value for error in at.exception]
    at.number_input(key=state.HORIZON_WEEKS).set_value(2)
    at.number_input(key=state.HORIZON_TIME_LIMIT).set_value(5)
    at.selectbox(key=state.HORIZON_FIRST).set_value(FIRST_WEEK)
    at.button(key=state.HORIZON_GENERATE).click().run()
    assert not at.exception, [error.value for error in at.exception]
    assert "Drafts saved" in texts(at.success)
    at.button(key=state.HORIZON_PUBLISH).click().run()
    assert not at.exception, [error.value for error in at.exception]
    assert "Published the 2 weeks" in texts(at.success)
    with Store(folder) as store:
        assert list(states(store).values()) == [planning.PUBLISHED, planning.PUBLISHED, planning.NOT_PLANNED]


def test_the_calendar_shows_why_a_horizon_cannot_be_rostered(folder):
    at = open_app()
    at.switch_page("app_pages/calendar.py").run()
    at.number_input(key=state.HORIZON_WEEKS).set_value(2)
    at.button(key=state.HORIZON_GENERATE).click().run()
    assert not at.exception, [error.value for error in at.exception]
    assert "has no demand yet" in at.dataframe[-1].value.to_string()


def test_planning_weeks_in_a_row_forecasts_each(folder):
    with Store(folder) as store:
        planning.plan_weeks(store, "First", SECOND_WEEK, 2, "test", FAST)
        assert list(states(store).values())[1:] == [planning.FORECAST_SAVED, planning.FORECAST_SAVED,
                                                    planning.NOT_PLANNED]


def test_the_calendar_offers_the_first_week_not_published_to_publish_and_to_roster(folder):
    with Store(folder) as store:
        (first,) = store.list_scenarios("First")
        planning.forecast_week(store, first.id, "test", FAST)
        store.publish(store.save_roster(first.id, solve_roster(store.to_scenario(first.id), time_limit=5,
                                                               workers=1).roster, "test"), "test")
        planning.roll_forward(store, "First", SECOND_WEEK, "test", FAST)
    at = open_app()
    at.switch_page("app_pages/calendar.py").run()
    metric = next(metric for metric in at.metric if metric.label == "Next week to publish")
    assert metric.value == "Mon 30 Nov 2026"
    assert at.selectbox(key=state.HORIZON_FIRST).value == SECOND_WEEK
    assert at.button(key=state.PLAN_WEEK).label == "Plan the week of 07 Dec 2026"


def test_weeks_with_another_team_or_other_rules_are_not_rostered_as_one(folder):
    with Store(folder) as store:
        weeks = two_planned_weeks(store)
        second = weeks[1].id
        store.replace_agents(second, [agent for agent in store.load_agents(second) if agent.agent_id != "A3"])
        config = store.load_scenario_config(second)
        store.save_scenario_config(second, config.model_copy(
            update={"rules": config.rules.model_copy(update={"min_rest_hours": 12})}))
        with pytest.raises(InputError) as refused:
            horizon.horizon_scenario(store, weeks)
        (problem,) = refused.value.problems
        assert problem.message.startswith("the week of 30 Nov 2026 has other agents or contracts and rules than the "
                                          "week of 23 Nov 2026")
