"""Absences and re-plans of a published week: the past stays as published, the absent agent's shifts go,
the changes are listed before saving, and publishing makes a new version."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from scheduler.solve import solve_roster
from scheduler.scenario import Scenario, ScenarioConfig
from tabular import InputError
from wfm.storage import Store
from wfm_app import planning, replan, state
from wfm_app.roster_views import shift_starts
from tests.test_app import open_app, problems_shown, texts
from tests.test_calendar import FAST, FIRST_WEEK, folder  # noqa: F401  (the fixture)

MOMENT = dt.datetime.combine(FIRST_WEEK + dt.timedelta(days=2), dt.time())  # Wednesday 00:00


def solve(scenario):
    return solve_roster(scenario, time_limit=5, workers=1)


def generate(scenario, solve_it):
    """What the page does, without its progress bar."""
    return solve_it(scenario, time_limit=5, workers=1, progress=None)


def published_week(store: Store) -> int:
    (first,) = store.list_scenarios("First")
    planning.forecast_week(store, first.id, "test", FAST)
    store.publish(store.save_roster(first.id, solve(store.to_scenario(first.id)).roster, "test"), "test")
    return first.id


def a_shift_after(roster: pd.DataFrame, moment: dt.datetime) -> tuple[str, pd.Timestamp]:
    """An agent and the start of one of their shifts after the moment."""
    starts = shift_starts(roster)
    row = roster[starts >= pd.Timestamp(moment)].iloc[0]
    return row["agent_id"], starts[row.name]


def test_an_absence_is_covered_by_a_replan_that_keeps_the_past_and_publishes_a_new_version(folder):
    with Store(folder) as store:
        scenario_id = published_week(store)
        published = store.load_roster(store.latest_published(scenario_id).id)
        agent_id, start = a_shift_after(published, MOMENT)
        replan.mark_absent(store, scenario_id, agent_id, start.to_pydatetime(),
                           (start + pd.Timedelta(hours=12)).to_pydatetime(), "sick")
        plan = replan.replan(store, scenario_id, MOMENT, generate)
        assert plan.violations == [] and plan.warnings == []
        mine = plan.roster[(plan.roster["agent_id"] == agent_id)]
        assert not ((mine["start"] < start + pd.Timedelta(hours=12)) & (mine["end"] > start)).any()
        past = lambda table: table[shift_starts(table) < pd.Timestamp(MOMENT)].reset_index(drop=True)
        pd.testing.assert_frame_equal(past(plan.roster), past(published))
        assert plan.changes["agent"].str.endswith(f"({agent_id})").any()
        assert plan.changes["change"].str.contains("→").all()
        version = replan.save(store, plan, "planner", publish=True)
        assert (version.number, version.status, version.parent_id) == (2, "published", plan.published.id)
        assert store.latest_published(scenario_id).id == version.id
        reason = [leave.reason for leave in store.load_time_off(scenario_id) if leave.agent_id == agent_id]
        assert "sick" in reason
        assert "replace_time_off" in set(store.audit_log("First")["action"])


def test_rules_changed_after_publishing_replan_the_whole_week_against_it_and_say_so(folder):
    with Store(folder) as store:
        scenario_id = published_week(store)
        config = store.load_scenario_config(scenario_id)
        store.save_scenario_config(scenario_id, config.model_copy(
            update={"rules": config.rules.model_copy(update={"max_consecutive_days": 2})}))
        plan = replan.replan(store, scenario_id, MOMENT, generate)
        assert plan.warnings[0].startswith("The published roster breaks the week's rules")
        assert plan.violations == [] and len(plan.changes) > 0


def test_time_off_the_published_roster_breaks_is_repaired_from_the_moment_and_kept_time_off_stays():
    from scheduler.scenario import TimeOff
    monday = dt.datetime.combine(FIRST_WEEK, dt.time())
    published = pd.DataFrame({"agent_id": ["A1", "A2"], "name": ["Ann", "Bob"], "queue": ["voice", "voice"],
                              "activity": ["work", "work"],
                              "start": [pd.Timestamp(MOMENT) + pd.Timedelta(hours=8)] * 2,
                              "end": [pd.Timestamp(MOMENT) + pd.Timedelta(hours=16)] * 2})
    sick = TimeOff(agent_id="A1", start=monday, end=MOMENT + dt.timedelta(days=1), reason="sick")
    away = TimeOff(agent_id="A2", start=monday, end=MOMENT, reason="vacation")
    scenario = Scenario(config=ScenarioConfig(week_start=FIRST_WEEK, demand={"requirements": "r.csv"}), agents=(),
                        requirements=pd.DataFrame(), time_off=(sick, away))
    absences, kept = replan.absences_from(scenario, published, MOMENT)
    assert [(absence.agent_id, absence.start, absence.end) for absence in absences] == [
        ("A1", MOMENT, MOMENT + dt.timedelta(days=1))]
    assert kept == (away,)


@pytest.mark.parametrize("agent_id, hours, reason, words", [
    ("A1", 8, " ", "say why"),
    ("A1", -8, "sick", "is not after start"),
    ("Z9", 8, "sick", "Z9"),
])
def test_a_bad_absence_is_refused_and_nothing_changes(folder, agent_id, hours, reason, words):
    with Store(folder) as store:
        (first,) = store.list_scenarios("First")
        before = store.load_time_off(first.id)
        with pytest.raises(InputError) as refused:
            replan.mark_absent(store, first.id, agent_id, MOMENT, MOMENT + dt.timedelta(hours=hours), reason)
        assert words in str(refused.value.problems)
        assert store.load_time_off(first.id) == before


def test_a_week_without_a_published_roster_cannot_be_replanned(folder):
    with Store(folder) as store:
        (first,) = store.list_scenarios("First")
        planning.forecast_week(store, first.id, "test", FAST)
        with pytest.raises(InputError, match="no published roster"):
            replan.replan(store, first.id, MOMENT, generate)


# --- the page -------------------------------------------------------------------------------------


def replan_page(role: str = "scheduler"):
    at = open_app(role)
    at.switch_page("app_pages/replan.py").run()
    assert not at.exception, [error.value for error in at.exception]
    return at


def test_the_page_says_an_unpublished_week_cannot_be_replanned(folder):
    with Store(folder) as store:
        (first,) = store.list_scenarios("First")
        planning.forecast_week(store, first.id, "test", FAST)
    at = replan_page()
    assert "has no published roster yet" in texts(at.info)


def test_the_page_marks_an_absence_replans_shows_the_changes_and_publishes(folder):
    with Store(folder) as store:
        scenario_id = published_week(store)
        agent_id, start = a_shift_after(store.load_roster(store.latest_published(scenario_id).id), MOMENT)
    at = replan_page()
    at.selectbox(key=state.ABSENT_AGENT).set_value(agent_id)
    at.date_input(key=state.ABSENT_FROM_DAY).set_value(start.date())
    at.date_input(key=state.ABSENT_TO_DAY).set_value(start.date() + dt.timedelta(days=1))
    at.button(key=state.MARK_ABSENT).click().run()
    assert "is absent from" in texts(at.success)
    at.date_input(key=state.REPLAN_DAY).set_value(MOMENT.date())
    at.number_input(key=state.REPLAN_TIME_LIMIT).set_value(5)
    at.button(key=state.REPLAN_RUN).click().run()
    assert not at.exception, [error.value for error in at.exception]
    changes = at.dataframe[0].value
    assert changes["agent"].str.endswith(f"({agent_id})").any()
    at.button(key=state.REPLAN_PUBLISH).click().run()
    assert "Saved as version 2, published" in texts(at.success)


def test_the_page_shows_a_bad_absence_as_problems(folder):
    with Store(folder) as store:
        published_week(store)
    at = replan_page()
    at.text_input(key=state.ABSENT_REASON).input("")
    at.button(key=state.MARK_ABSENT).click().run()
    assert "say why" in problems_shown(at).to_string()


def test_a_manager_marks_absences_but_does_not_replan(folder):
    with Store(folder) as store:
        published_week(store)
    at = replan_page("manager")
    assert at.button(key=state.MARK_ABSENT) is not None
    assert not [button for button in at.button if button.key == state.REPLAN_RUN]


# --- My shifts: what changed since the agent last looked -------------------------------------------


def my_shifts(agent_id: str):
    at = open_app("agent", agent_id=agent_id)
    assert not at.exception, [error.value for error in at.exception]
    return at


def test_my_shifts_marks_the_shifts_changed_since_the_agent_last_looked(folder):
    with Store(folder) as store:
        scenario_id = published_week(store)
        agent_id, start = a_shift_after(store.load_roster(store.latest_published(scenario_id).id), MOMENT)
    assert "Changed since you last looked" not in texts(my_shifts(agent_id).warning)  # first look: version 1
    with Store(folder) as store:
        replan.mark_absent(store, scenario_id, agent_id, start.to_pydatetime(),
                           (start + pd.Timedelta(hours=12)).to_pydatetime(), "sick")
        replan.save(store, replan.replan(store, scenario_id, MOMENT, generate), "planner", publish=True)
    at = my_shifts(agent_id)
    shown = texts(at.warning)
    assert "Changed since you last looked" in shown and "version 1 → 2" in shown
    assert f"{start:%a}".title() + " off" in shown.replace("\\", "")
    at.run()  # a rerun in the same session keeps the marks
    assert "Changed since you last looked" in texts(at.warning)
    assert "Changed since you last looked" not in texts(my_shifts(agent_id).warning)  # seen now


def test_only_a_logged_in_user_marks_a_published_version_seen(folder):
    with Store(folder) as store:
        scenario_id = published_week(store)
        version = store.latest_published(scenario_id)
        with pytest.raises(InputError, match="logged-in"):
            store.mark_seen(scenario_id, version.id)
        assert store.last_seen(scenario_id) is None
        draft = store.save_roster(scenario_id, store.load_roster(version.id), "test")
        agent = store.add_user("agent-a1", "agent-password-1", role="agent", center="First", agent_id="A1")
        with store.acting_as(agent):
            with pytest.raises(InputError):
                store.mark_seen(scenario_id, draft)
            store.mark_seen(scenario_id, version.id)
            store.mark_seen(scenario_id, version.id)  # again: still one row
            assert store.last_seen(scenario_id) == version.id


def test_an_agent_name_with_markdown_is_shown_as_typed_in_the_absence_message(folder):
    with Store(folder) as store:
        scenario_id = published_week(store)
        agents = [agent.model_copy(update={"name": "[x](http://e.com)"}) if agent.agent_id == "A1" else agent
                  for agent in store.load_agents(scenario_id)]
        store.replace_agents(scenario_id, agents)
    at = replan_page()
    at.selectbox(key=state.ABSENT_AGENT).set_value("A1")
    at.button(key=state.MARK_ABSENT).click().run()
    assert "\\[x\\]\\(http\\:" in texts(at.success)
