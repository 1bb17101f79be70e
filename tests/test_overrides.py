"""Demand overrides: a planner scales a queue's forecast over a time range, with a note; the week is staffed with
it, the audit trail keeps who and when, and removing it gives the requirement back."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from forecasts.overrides import DemandOverride, apply_overrides
from tabular import InputError
from wfm.auth import NotAllowed
from wfm.storage import Store, StoredOverride
from wfm_app import overrides, planning, state
from tests.test_app import open_app, problems_shown, sample, sample_dir, texts  # noqa: F401  (fixtures)
from tests.test_calendar import FAST, FIRST_WEEK, folder  # noqa: F401  (the fixture)

MONDAY_9 = dt.datetime.combine(FIRST_WEEK, dt.time(9))
CAMPAIGN = {"queue": "voice", "start": MONDAY_9, "end": MONDAY_9 + dt.timedelta(hours=3), "factor": 1.2,
            "note": "mailing campaign"}


def forecast_frame() -> pd.DataFrame:
    starts = pd.date_range(MONDAY_9 - dt.timedelta(hours=1), periods=10, freq="30min")
    return pd.DataFrame({"interval_start": list(starts) * 2, "queue": ["voice"] * 10 + ["chat"] * 10,
                         "contacts": 10.0, "aht_seconds": 300.0, "contacts_hi80": 12.0})


def test_an_override_scales_its_queue_in_its_range_only_and_overlapping_ones_multiply():
    campaign = DemandOverride(**CAMPAIGN)
    late = DemandOverride(**{**CAMPAIGN, "start": MONDAY_9 + dt.timedelta(hours=2),
                             "end": MONDAY_9 + dt.timedelta(hours=4), "factor": 2.0, "note": "tv"})
    adjusted = apply_overrides(forecast_frame(), [campaign, late])
    voice = adjusted[adjusted["queue"] == "voice"].set_index("interval_start")
    assert voice.loc[MONDAY_9 - dt.timedelta(minutes=30), "contacts"] == 10  # before
    assert voice.loc[MONDAY_9, "contacts"] == pytest.approx(12)  # first interval inside
    assert voice.loc[MONDAY_9 + dt.timedelta(hours=2), "contacts"] == pytest.approx(24)  # both
    assert voice.loc[MONDAY_9 + dt.timedelta(hours=3), "contacts"] == pytest.approx(20)  # the end is open: late only
    assert voice.loc[MONDAY_9, "contacts_hi80"] == pytest.approx(14.4)  # the prediction interval too
    assert (adjusted[adjusted["queue"] == "chat"]["contacts"] == 10).all()
    assert (forecast_frame()["contacts"] == 10).all()


def forecast_first_week(store: Store) -> int:
    (first,) = store.list_scenarios("First")
    planning.forecast_week(store, first.id, "test", FAST)
    return first.id


def window_required(store: Store, scenario_id: int) -> float:
    table = store.load_requirements(scenario_id)
    inside = (table["queue"] == "voice") & (table["interval_start"] >= MONDAY_9) & (
        table["interval_start"] < MONDAY_9 + dt.timedelta(hours=3))
    return table.loc[inside, "required"].sum(), table.loc[~inside, "required"].sum()


def test_adding_an_override_staffs_the_week_with_it_and_removing_it_gives_the_requirement_back(folder):
    with Store(folder) as store:
        scenario_id = forecast_first_week(store)
        before_inside, before_outside = window_required(store, scenario_id)
        override_id = overrides.add(store, scenario_id, {**CAMPAIGN, "factor": 3.0}, "planner")
        after_inside, after_outside = window_required(store, scenario_id)
        assert after_inside > before_inside and after_outside == before_outside
        (stored,) = store.list_demand_overrides(scenario_id)
        assert (stored.override.note, stored.created_by) == ("mailing campaign", "planner")
        overrides.remove(store, scenario_id, override_id, "planner")
        assert window_required(store, scenario_id) == (before_inside, before_outside)
        trail = store.audit_log("First")
        assert {"add_demand_override", "remove_demand_override"} <= set(trail["action"])
        added = trail[trail["action"] == "add_demand_override"].iloc[0]
        assert added["details"]["note"] == "mailing campaign" and added["details"]["factor"] == 3.0


def test_forecasting_the_week_again_keeps_its_overrides(folder):
    with Store(folder) as store:
        scenario_id = forecast_first_week(store)
        overrides.add(store, scenario_id, {**CAMPAIGN, "factor": 3.0}, "planner")
        overridden = window_required(store, scenario_id)
        planning.forecast_week(store, scenario_id, "test", FAST)
        assert window_required(store, scenario_id) == overridden


@pytest.mark.parametrize("change, column, words", [
    ({"queue": "email"}, "queue", "not a queue of the week"),
    ({"start": MONDAY_9 - dt.timedelta(days=3)}, "start", "not inside the planned days"),
    ({"end": MONDAY_9 + dt.timedelta(days=7)}, "start", "not inside the planned days"),
    ({"end": MONDAY_9}, None, "before it starts"),
    ({"note": "  "}, None, "say why"),
    ({"note": ""}, "note", ""),
    ({"factor": 11}, "factor", "at most 10"),
    ({"factor": -0.5}, "factor", "at least 0"),
    ({"factor": float("nan")}, "factor", ""),
])
def test_a_bad_override_is_refused_naming_its_field_and_nothing_changes(folder, change, column, words):
    with Store(folder) as store:
        scenario_id = forecast_first_week(store)
        required = window_required(store, scenario_id)
        with pytest.raises(InputError) as refused:
            overrides.add(store, scenario_id, {**CAMPAIGN, **change}, "planner")
        problem = refused.value.problems[0]
        assert words in problem.message and (column is None or problem.column == column)
        assert store.list_demand_overrides(scenario_id) == []
        assert window_required(store, scenario_id) == required


def test_a_week_without_a_forecast_cannot_be_overridden(folder):
    with Store(folder) as store:
        (first,) = store.list_scenarios("First")
        with pytest.raises(InputError, match="no saved forecast"):
            overrides.add(store, first.id, CAMPAIGN, "planner")
        assert store.list_demand_overrides(first.id) == []


def test_an_agent_may_not_add_an_override(folder):
    with Store(folder) as store:
        scenario_id = forecast_first_week(store)
        agent = store.add_user("agent-a1", "agent-password-1", role="agent", center="First", agent_id="A1")
        with store.acting_as(agent), pytest.raises(NotAllowed):
            store.add_demand_override(scenario_id, CAMPAIGN)
        assert store.list_demand_overrides(scenario_id) == []


# --- the page -------------------------------------------------------------------------------------


def overrides_page(role: str = "scheduler"):
    at = open_app(role)
    at.switch_page("app_pages/overrides.py").run()
    assert not at.exception, [error.value for error in at.exception]
    return at


def fill(at, note: str, percent: float = 20.0, start: dt.time = dt.time(9), end: dt.time = dt.time(12)):
    at.selectbox(key=state.OVERRIDE_QUEUE).set_value("voice")
    at.number_input(key=state.OVERRIDE_PERCENT).set_value(percent)
    at.time_input(key=state.OVERRIDE_FROM).set_value(start)
    at.time_input(key=state.OVERRIDE_TO).set_value(end)
    at.text_input(key=state.OVERRIDE_NOTE).input(note)
    at.button(key=state.OVERRIDE_ADD).click().run()
    assert not at.exception, [error.value for error in at.exception]
    return at


def test_the_page_says_a_week_without_forecast_has_nothing_to_override(folder):
    at = overrides_page()
    assert "has no saved forecast yet" in texts(at.info)


def test_the_page_adds_shows_plots_and_removes_an_override(folder):
    with Store(folder) as store:
        scenario_id = forecast_first_week(store)
    at = fill(overrides_page(), "mailing campaign")
    assert "The override was added" in texts(at.success)
    table = at.dataframe[0].value
    assert list(table["note"]) == ["mailing campaign"] and list(table["change"]) == ["+20 %"]
    assert list(table["by"]) == ["scheduler"]
    (voice,) = [chart.proto.spec for chart in at.get("plotly_chart") if "overrides: voice" in chart.proto.spec]
    assert "with overrides" in voice and "+20 % mailing campaign" in voice
    at.button(key=state.OVERRIDE_REMOVE).click().run()
    assert "The override was removed" in texts(at.success)
    with Store(folder) as store:
        assert store.list_demand_overrides(scenario_id) == []


@pytest.mark.parametrize("note, start, end, words", [
    ("", dt.time(9), dt.time(12), "note"),
    ("campaign", dt.time(12), dt.time(9), "before it starts"),
])
def test_the_page_shows_a_bad_override_as_problems_and_saves_nothing(folder, note, start, end, words):
    with Store(folder) as store:
        scenario_id = forecast_first_week(store)
    at = fill(overrides_page(), note, start=start, end=end)
    shown = problems_shown(at)
    assert words in " ".join(shown.astype(str).values.ravel())
    with Store(folder) as store:
        assert store.list_demand_overrides(scenario_id) == []


def test_a_manager_adds_overrides_too(folder):
    with Store(folder) as store:
        forecast_first_week(store)
    at = fill(overrides_page("manager"), "event")
    assert "The override was added" in texts(at.success)


def test_the_sample_centers_first_week_has_its_forecast_to_override(sample):
    with Store(sample) as store:
        (week,) = store.list_scenarios()
        forecast = store.load_forecast(week.id)
        assert set(forecast["queue"]) == set(store.load_scenario_config(week.id).queues)
        # Staffed again from it, the sample week's requirement is the one imported.
        again = overrides.requirement(forecast, [], store.load_scenario_config(week.id).staffing_config())
        assert again["required"].sum() == store.load_requirements(week.id)["required"].sum()


def test_an_override_is_described_with_its_days_when_it_runs_past_midnight():
    stored = StoredOverride(1, DemandOverride(**{**CAMPAIGN, "end": MONDAY_9 + dt.timedelta(hours=15)}),
                            dt.datetime(2026, 11, 20), "planner")
    assert overrides.describe(stored) == "voice: Mon 23 Nov 09:00–Tue 24 Nov 00:00 +20 % (mailing campaign)"
    stored = StoredOverride(1, DemandOverride(**CAMPAIGN), dt.datetime(2026, 11, 20), "planner")
    assert overrides.describe(stored) == "voice: Mon 23 Nov 09:00–12:00 +20 % (mailing campaign)"


def test_the_forecast_page_shades_the_weeks_overrides_on_its_plot(folder):
    with Store(folder) as store:
        scenario_id = forecast_first_week(store)
        overrides.add(store, scenario_id, CAMPAIGN, "planner")
    at = open_app()
    at.switch_page("app_pages/forecast.py").run()
    at.segmented_control(key=state.HISTORY_SOURCE).set_value("stored").run()
    at.multiselect(key=state.FORECAST_METHODS).set_value(FAST)
    at.button(key=state.RUN_FORECAST).click().run()
    assert not at.exception, [error.value for error in at.exception]
    (voice,) = [chart.proto.spec for chart in at.get("plotly_chart")
                if "Contacts per interval: voice" in chart.proto.spec]
    assert "+20 % mailing campaign" in voice
    assert "With the week's 1 demand override(s) applied" in texts(at.caption)
