"""The planning calendar: each week's state, rolling forward, and several centers side by side."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from streamlit.testing.v1 import AppTest

from scheduler.check import check_roster
from scheduler.solve import solve_roster
from tabular import InputError
from wfm.storage import Store
from wfm_app import centers, planning, state
from tests.test_app import open_app, problems_shown, shown, texts
from tests.test_centers import AGENTS, SETTINGS, TIME_OFF, history_csv
from tests.test_forecast_time_limit import FIT_SECONDS, slow_methods  # noqa: F401 (a fixture)

FIRST_WEEK = dt.date(2026, 11, 23)
FAST = ["seasonal_naive"]
SLOW = ["weighted_profile", "seasonal_naive", "slot_median_4"]  # the last two slow under `slow_methods`


def make_center(store: Store, name: str = "First", history_weeks: int = 3) -> int:
    files = centers.read_center_files(("agents.csv", AGENTS), ("history.csv", history_csv(history_weeks)),
                                      ("time_off.csv", TIME_OFF), ("scenario.yaml", SETTINGS))
    return centers.create_center(store, name, files, "test", "history.csv")


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("WFM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WFM_DATABASE_URL", raising=False)
    with Store(tmp_path) as store:
        make_center(store)
    return tmp_path


def calendar_page() -> AppTest:
    at = open_app()  # logged in as a scheduler
    at.switch_page("app_pages/calendar.py").run()
    assert not at.exception, [error.value for error in at.exception]
    at.multiselect(key=state.PLAN_METHODS).set_value(FAST).run()
    return at


def states(store: Store, center: str = "First") -> dict[dt.date, str]:
    table = planning.calendar(store, center, weeks_ahead=1)
    return dict(zip(table["week"], table["state"]))


# --- the calendar and rolling forward -------------------------------------------------------------


def test_each_week_goes_from_no_demand_to_forecast_draft_and_published(folder):
    with Store(folder) as store:
        (first,) = store.list_scenarios("First")
        assert states(store) == {FIRST_WEEK: planning.NO_DEMAND, FIRST_WEEK + dt.timedelta(weeks=1): planning.NOT_PLANNED}
        planning.forecast_week(store, first.id, "test", FAST)
        assert states(store)[FIRST_WEEK] == planning.FORECAST_SAVED
        roster = solve_roster(store.to_scenario(first.id), time_limit=5, workers=1).roster
        version = store.save_roster(first.id, roster, "test")
        assert states(store)[FIRST_WEEK] == planning.DRAFT
        store.publish(version, "test")
        assert states(store)[FIRST_WEEK] == planning.PUBLISHED


def test_rolling_forward_takes_the_team_and_rules_now_and_last_weeks_published_roster(folder):
    with Store(folder) as store:
        (first,) = store.list_scenarios("First")
        planning.forecast_week(store, first.id, "test", FAST)
        roster = solve_roster(store.to_scenario(first.id), time_limit=5, workers=1).roster
        store.publish(store.save_roster(first.id, roster, "test"), "test")
        store.replace_agents(first.id, [*store.load_agents(first.id),
                                        dict(agent_id="A4", name="Dee", skills=["voice"], min_hours=0, max_hours=40)])
        second = planning.roll_forward(store, "First", planning.next_week(store, "First"), "test", FAST)
        scenario = store.to_scenario(second.scenario_id)
        assert scenario.config.week_start == FIRST_WEEK + dt.timedelta(weeks=1)
        assert [agent.agent_id for agent in scenario.agents] == ["A1", "A2", "A3", "A4"]
        assert scenario.config.shift_templates == store.load_scenario_config(first.id).shift_templates
        assert scenario.previous_roster is not None and len(scenario.previous_roster) == len(roster)
        assert scenario.requirements["required"].sum() > 0  # forecast from the history
        assert planning.calendar(store, "First")["previous roster"].iloc[1] == "published week of 23 Nov"
        result = solve_roster(scenario, time_limit=5, workers=1)
        assert not check_roster(result.roster, scenario)  # rest across Monday is checked against the last week


@pytest.mark.parametrize(("week", "words"), [
    (dt.date(2026, 11, 25), "Wednesday"),
    (FIRST_WEEK, "planned already"),
    (dt.date(2026, 10, 5), "no interval before"),
])
def test_a_week_that_cannot_be_planned_is_refused_in_words(folder, week, words):
    with Store(folder) as store, pytest.raises(InputError) as raised:
        planning.roll_forward(store, "First", week, "test", FAST)
    assert words in str(raised.value)
    with Store(folder) as store:
        assert len(store.list_scenarios("First")) == 1


def test_planning_weeks_keeps_to_the_forecast_time_limit_and_says_what_it_skipped(tmp_path, slow_methods):
    with Store(tmp_path) as store:
        make_center(store, history_weeks=8)  # 4 backtest weeks
        clock = time.monotonic()
        planned = planning.plan_weeks(store, "First", FIRST_WEEK + dt.timedelta(weeks=1), 2, "test", SLOW, 0.6)
        seconds = time.monotonic() - clock
        # unlimited, the slow methods alone take 2 weeks × 2 queues × 4 folds × 2 methods × 0.15 s = 4.8 s;
        # limited, each week's 0.3 s may be overrun by a fit per queue, plus the staffing and saving
        assert seconds < 0.6 + 2 * 2 * FIT_SECONDS + 1.5
        for week, done in zip(("30 Nov 2026", "07 Dec 2026"), planned):
            skipped = [note for note in done.notes if "not tried" in note]
            assert skipped and all(note.startswith(f"week of {week}: queue ") for note in skipped)
            assert store.load_forecast(done.scenario_id)["contacts"].notna().all()
        (first,) = [info.id for info in store.list_scenarios("First") if info.week_start == FIRST_WEEK]
        notes = planning.forecast_week(store, first, "test", SLOW, 0.3)
        assert any("time limit 0.3 s" in note and "not tried" in note for note in notes)


def test_a_past_week_is_forecast_from_the_history_before_it(folder):
    with Store(folder) as store:
        second = planning.roll_forward(store, "First", dt.date(2026, 11, 16), "test", FAST)
        forecast = store.load_forecast(second.scenario_id)
        assert forecast["interval_start"].min() >= dt.datetime(2026, 11, 16)


# --- the page ---------------------------------------------------------------------------------------


def test_the_calendar_page_plans_the_next_week_and_chooses_it(folder):
    at = calendar_page()
    assert "no demand" in set(at.dataframe[0].value["state"])
    at.button(key=state.FORECAST_WEEK).click().run()
    assert not at.exception
    assert "forecast saved" in set(at.dataframe[0].value["state"])
    at.button(key=state.PLAN_WEEK).click().run()
    assert not at.exception
    assert "30 Nov 2026" in texts(at.success)
    assert at.sidebar.selectbox(key=state.SCENARIO_ID).value is not None
    with Store(folder) as store:
        chosen = store.scenario_info(at.sidebar.selectbox(key=state.SCENARIO_ID).value)
    assert chosen.week_start == dt.date(2026, 11, 30)
    assert list(at.dataframe[0].value["state"][:2]) == ["forecast saved", "forecast saved"]


def test_the_calendar_page_passes_its_forecast_time_limit_and_shows_what_was_skipped(tmp_path, monkeypatch,
                                                                                   slow_methods):
    monkeypatch.setenv("WFM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WFM_DATABASE_URL", raising=False)
    with Store(tmp_path) as store:
        make_center(store, history_weeks=8)
    at = calendar_page()
    assert at.number_input(key=state.PLAN_TIME_LIMIT).value == planning.FORECAST_SECONDS
    at.multiselect(key=state.PLAN_METHODS).set_value(SLOW).run()
    at.number_input(key=state.PLAN_TIME_LIMIT).set_value(1).run()
    at.button(key=state.PLAN_WEEK).click().run()
    assert not at.exception
    assert "30 Nov 2026" in texts(at.success)
    notes = shown(texts(at.info))
    assert "week of 30 Nov 2026: queue 'chat': time limit 1 s reached" in notes
    assert "not tried: seasonal_naive" in notes


def test_a_picked_day_that_is_no_monday_is_a_problem_row(folder):
    at = calendar_page()
    at.segmented_control(key=state.PLAN_WHICH).set_value("pick").run()
    at.date_input(key=state.PLAN_DAY).set_value(dt.date(2026, 12, 2)).run()
    at.button(key=state.PLAN_WEEK).click().run()
    assert not at.exception
    assert "Wednesday" in " ".join(problems_shown(at)["why"])


def test_the_sidebar_chooses_the_center_the_pages_work_on(folder):
    with Store(folder) as store:
        make_center(store, "Second")
        second_week = planning.roll_forward(store, "Second", FIRST_WEEK + dt.timedelta(weeks=1), "test", FAST)
    at = calendar_page()
    at.sidebar.selectbox(key=state.CENTER).set_value("Second").run()
    assert not at.exception
    assert len(at.sidebar.selectbox(key=state.SCENARIO_ID).options) == 2
    assert at.sidebar.selectbox(key=state.SCENARIO_ID).value == second_week.scenario_id
    assert "Second" in texts(at.caption)
    at.sidebar.selectbox(key=state.CENTER).set_value("First").run()
    assert len(at.sidebar.selectbox(key=state.SCENARIO_ID).options) == 1
