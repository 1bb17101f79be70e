"""The Streamlit app, page by page, with `streamlit.testing.v1.AppTest`.

Each test points the app at its own data folder through `WFM_DATA_DIR`. Most use a tiny scenario
(five agents, two queues, a handful of shifts a day), so that a roster solves in seconds; the sample
center is imported once per session, by the app itself on its first start.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from pathlib import Path

import icalendar
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from forecasts.sample import sample_history
from scheduler.io import load_scenario
from scheduler.roster import read_roster
from scheduler.scenario import ScenarioConfig
from scheduler.solve import solve_roster
from tabular import InputError, Problem
from wfm.storage import Store
from wfm_app import compare, context, editing, exports, rules, state
from wfm_app.problems import problem_table
from wfm_app.settings import Settings

APP = Path(__file__).resolve().parents[1] / "app.py"
PAGES = {"forecast": "app_pages/forecast.py", "roster": "app_pages/roster.py", "rules": "app_pages/rules.py",
         "audit": "app_pages/audit.py", "my_shifts": "app_pages/my_shifts.py"}
PASSWORD = "tests-password-1"
TIMEOUT = 120  # AppTest's default of 3 s is too short for a solver run or the sample's first import
TIME_LIMIT = 5  # seconds: enough for the tiny scenario on two cores
WEEK = dt.date(2026, 11, 23)


# --- the tiny scenario --------------------------------------------------------------------------------


def tiny_config() -> ScenarioConfig:
    return ScenarioConfig(
        week_start=WEEK,
        interval_minutes=30,  # as the sample history, so the forecast page can save its demand here
        queues={"voice": {"shrinkage": 0.0}, "chat": {"shrinkage": 0.0, "concurrency": 2}},
        demand={"requirements": "requirements.csv"},
        shift_templates=[{"name": "day", "earliest_start": "07:00", "latest_start": "12:00",
                          "start_step_minutes": 60, "lengths_hours": [8]}],
    )


def tiny_agents() -> list[dict]:
    agents = [dict(agent_id=f"T{i}", name=f"Agent {i}", skills=["voice", "chat"], min_hours=16, max_hours=40)
              for i in range(1, 5)]
    return agents + [dict(agent_id="T5", name="Agent 5", skills=["voice"], min_hours=16, max_hours=40)]


def tiny_requirements() -> pd.DataFrame:
    starts = pd.date_range(pd.Timestamp(WEEK), periods=7 * 48, freq="30min")
    rows = []
    for start in starts:
        open_voice = 8 <= start.hour < 18
        open_chat = 10 <= start.hour < 16 and start.dayofweek < 5
        voice_agents = (2 if start.dayofweek < 5 else 1) * open_voice
        rows.append((start, "voice", 20.0 if open_voice else 0.0, 300.0, voice_agents))
        rows.append((start, "chat", 10.0 if open_chat else 0.0, 600.0, int(open_chat)))
    table = pd.DataFrame(rows, columns=["interval_start", "queue", "contacts", "aht_seconds", "required"])
    table.attrs["interval_minutes"] = 30
    return table


def build_tiny_store(data_dir: Path) -> int:
    with Store(data_dir) as store:
        scenario_id = store.create_scenario(tiny_config(), name="Tiny center")
        store.replace_agents(scenario_id, tiny_agents())
        store.replace_time_off(scenario_id, [dict(agent_id="T2", start=dt.datetime(2026, 11, 25),
                                                  end=dt.datetime(2026, 11, 26), reason="vacation")])
        store.save_requirements(scenario_id, tiny_requirements())
    return scenario_id


@pytest.fixture(scope="session")
def tiny_roster(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """A solved roster of the tiny scenario, for tests about what happens after generating."""
    folder = tmp_path_factory.mktemp("tiny-solve")
    scenario_id = build_tiny_store(folder)
    with Store(folder) as store:
        result = solve_roster(store.to_scenario(scenario_id), time_limit=TIME_LIMIT, workers=2)
    assert not result.roster.empty, result.status
    return result.roster


@pytest.fixture()
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder holding the tiny scenario; the app is pointed at it."""
    build_tiny_store(tmp_path)
    monkeypatch.setenv("WFM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WFM_DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder the app filled on its first start (the sample center)."""
    folder = tmp_path_factory.mktemp("sample")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WFM_DATA_DIR", str(folder))
        patch.delenv("WFM_DATABASE_URL", raising=False)
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
        assert not at.exception
    return folder


@pytest.fixture()
def sample(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WFM_DATA_DIR", str(sample_dir))
    monkeypatch.delenv("WFM_DATABASE_URL", raising=False)
    return sample_dir


def user_of(role: str, agent_id: str | None = None, username: str | None = None) -> str:
    """A user of that role in the app's data folder (an agent user for `agent_id`, default the first agent),
    with PASSWORD; added, or its password reset, as an administrator would with `wfm user`."""
    with Store(os.environ["WFM_DATA_DIR"]) as store:
        week = store.list_scenarios()[0]
        if role == "agent":
            agent_id = agent_id or store.load_agents(week.id)[0].agent_id
        username = username or (role if role != "agent" else f"agent-{agent_id}")
        if username in {user.username for user in store.list_users()}:
            store.set_password(username, PASSWORD)
        else:
            store.add_user(username, PASSWORD, role=role, center=week.center,
                           agent_id=agent_id if role == "agent" else None)
    return username


def log_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key=state.LOGIN_USERNAME).input(username)
    at.text_input(key=state.LOGIN_PASSWORD).input(password)
    return at.button(key=state.LOGIN_SUBMIT).click().run()


def open_app(role: str = "scheduler", page: str | None = None, *, agent_id: str | None = None,
             username: str | None = None) -> AppTest:
    """The app as a user of `role` sees it after logging in, on `page` (default: the role's first page)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    log_in(at, user_of(role, agent_id, username))
    if page is not None:
        at.switch_page(PAGES[page]).run()
    assert not at.exception, [error.value for error in at.exception]
    assert state.LOGOUT in keys(at), "the login did not succeed"
    return at


def keys(at: AppTest) -> set[str]:
    """Keys of every keyed element on the page and in the sidebar."""
    return {key for block in (at.main, at.sidebar) for node in _walk(block) if (key := getattr(node, "key", None))}


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def plotly_figures(at: AppTest) -> list[dict]:
    return [json.loads(element.proto.spec) for element in at.get("plotly_chart")]


def problems_shown(at: AppTest) -> pd.DataFrame:
    """The first problem table on the page (what, where, why)."""
    return next(frame.value for frame in at.dataframe if list(frame.value.columns) == ["what", "where", "why"])


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


def shown(markdown: str) -> str:
    """Markdown's text as the page shows it: escaped punctuation without its backslash, no word joiners."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


# --- pages and roles ----------------------------------------------------------------------------------


def test_first_start_imports_the_sample_center(sample: Path):
    with Store(sample) as store:
        infos = store.list_scenarios()
        assert [info.name for info in infos] == ["Sample center"]
        folder = load_scenario(sample / context.SAMPLE_FOLDER)  # what write_demo_scenario wrote on first start
        assert store.load_agents(infos[0].id) == folder.agents
        assert not store.load_requirements(infos[0].id).empty  # the roster page needs no forecast


@pytest.mark.parametrize(("role", "page", "title", "widgets"), [
    ("scheduler", None, "Forecast and staffing",
     {state.HISTORY_SOURCE, state.SPECIAL_DAYS_EDITOR, state.FORECAST_METHODS, state.FORECAST_TIME_LIMIT,
      state.RUN_FORECAST}),
    ("scheduler", "roster", "Roster", {state.TIME_LIMIT, state.GENERATE}),
    ("manager", "rules", "Rules",
     {state.AGENTS_EDITOR, state.TIME_OFF_EDITOR, state.TEMPLATES_EDITOR, state.BREAKS_EDITOR, state.RELOAD_RULES,
      f"{state.RULES_FORM}.min_rest_hours", f"{state.WEIGHTS_FORM}.short_hour"}),
    ("manager", "audit", "Audit trail", {state.AUDIT_ACTIONS}),
    ("agent", None, "My shifts", set()),
])
def test_each_page_renders_for_its_role_on_the_sample_center(sample, role, page, title, widgets):
    at = open_app(role, page)
    assert at.title[0].value == title
    assert widgets <= keys(at)


def test_the_roster_page_offers_the_scenarios_own_time_limit(sample):
    at = open_app("scheduler", "roster")
    assert at.number_input(key=state.TIME_LIMIT).value == 60  # the sample's deferred queues ask 60 s, as wfm demo


@pytest.mark.parametrize(("role", "allowed", "refused"), [
    ("scheduler", ["forecast", "roster", "rules", "audit"], ["my_shifts"]),
    ("manager", ["forecast", "roster", "rules", "audit"], ["my_shifts"]),
    ("agent", ["my_shifts"], ["forecast", "roster", "rules", "audit"]),
])
def test_the_role_decides_which_pages_show(tiny, role, allowed, refused):
    at = open_app(role)
    for page in allowed:
        at.switch_page(PAGES[page]).run()
        assert not at.exception
    for page in refused:
        with pytest.raises(ValueError, match="navigation page"):
            at.switch_page(PAGES[page])


# --- roster -------------------------------------------------------------------------------------------


def test_generating_a_roster_fills_the_gantt_and_the_coverage(tiny):
    at = open_app(page="roster")
    assert "No roster for this week yet" in texts(at.info)
    at.number_input(key=state.TIME_LIMIT).set_value(TIME_LIMIT)
    at.button(key=state.GENERATE).click().run(timeout=TIMEOUT)
    assert not at.exception, [error.value for error in at.exception]

    roster = at.session_state[state.ROSTER]
    assert not roster.empty and set(roster["agent_id"]) <= {f"T{i}" for i in range(1, 6)}
    events = at.session_state[state.ROSTER_PROGRESS]
    assert events and {"solutions", "objective", "bound"} <= set(events[-1])
    assert "Roster:" in at.status[0].label
    coverage = at.session_state[state.ROSTER_VIEW][1].coverage
    assert coverage["scheduled"].sum() > 0 and coverage["required"].sum() > 0

    figures = plotly_figures(at)
    gantt, coverage_chart = figures[0], figures[1]
    bars = [trace for trace in gantt["data"] if trace["type"] == "bar"]
    assert {trace["name"] for trace in bars} >= {"voice", "break", "lunch"}
    assert bars[0]["name"] == "voice"  # the scenario's first queue keeps the first colour
    assert any(trace["name"] == "required" for trace in coverage_chart["data"])
    assert {metric.label for metric in at.metric} >= {"Coverage", "Short agent-hours", "Service level voice",
                                                       "Service level chat"}
    assert "Generated roster, not saved yet" in texts(at.markdown)
    assert {"Roster (CSV)", "Roster (Excel)", "iCalendar"} <= {button.label for button in at.get("download_button")}


def put_roster(at: AppTest, roster: pd.DataFrame) -> AppTest:
    """Open the roster page with `roster` as a freshly generated, unsaved working roster."""
    at.session_state[state.ROSTER] = roster
    at.session_state[state.ROSTER_ORIGIN] = None
    at.session_state[state.ROSTER_SAVED] = False
    at.session_state[state.ROSTER_REVISION] = 1
    return at.run()


def test_save_publish_and_the_agent_sees_only_the_published_week(tiny, tiny_roster):
    at = put_roster(open_app(page="roster", username="sam"), tiny_roster)
    at.button(key=state.SAVE_DRAFT).click().run()
    with Store(tiny) as store:
        [version] = store.list_versions(1)
        assert (version.status, version.created_by) == ("draft", "sam")  # the logged-in user
    assert "Version 1, draft" in texts(at.markdown)

    agent = at.session_state[state.ROSTER]["agent_id"].iloc[0]
    mine = open_app("agent", agent_id=agent)
    assert "not published yet" in texts(mine.info)  # a draft is invisible to agents

    if state.PUBLISH_ANYWAY in keys(at):  # the solver's roster should break no rule, but that is not our test
        at.checkbox(key=state.PUBLISH_ANYWAY).check()
    at.button(key=state.PUBLISH).click().run()
    with Store(tiny) as store:
        assert store.latest_published(1).number == 1

    mine.run()
    assert not mine.exception
    [calendar] = plotly_figures(mine)
    series = {trace["name"] for trace in calendar["data"] if trace["type"] == "bar"}
    assert series & {"voice", "chat"} and series <= {"voice", "chat", "break", "lunch"}
    shifts = mine.dataframe[0].value
    assert len(shifts) == shifts["date"].nunique()  # one shift a day at most
    assert {"start", "end", "queue", "paid hours"} <= set(shifts.columns)
    assert [metric.label for metric in mine.metric][:2] == ["Shifts", "Paid hours"]
    assert mine.get("download_button")[0].proto.label.startswith("Add to my calendar")


def test_a_hand_edit_is_checked_at_once_and_can_be_kept_as_a_flagged_draft(tiny, tiny_roster):
    at = put_roster(open_app(page="roster"), tiny_roster)
    # Agent 5 serves voice only: moving their Monday to chat breaks the skill rule.
    at.selectbox(key=state.EDIT_AGENT).set_value("T5").run()
    at.selectbox(key=state.EDIT_DAY).set_value(0).run()
    at.selectbox(key=state.EDIT_QUEUE).set_value("chat").run()
    at.button(key=state.EDIT_APPLY).click().run()
    assert not at.exception
    warning = texts(at.warning)
    assert "Changed Agent 5's shift on Mon 23 Nov" in warning and "breaks" in warning
    assert "skilled only for voice" in texts(at.markdown)
    edited = at.session_state[state.ROSTER]
    monday = edited[(edited["agent_id"] == "T5") & (edited["start"].dt.date == WEEK)]
    assert set(monday.loc[monday["activity"] == "work", "queue"]) == {"chat"}
    assert re.search(r"\d+ rule violations?\b", texts(at.markdown))

    at.button(key=state.SAVE_DRAFT).click().run()  # kept as a draft, flagged
    with Store(tiny) as store:
        [version] = store.list_versions(1)
        assert store.roster_summary(version.id)["violations"] >= 1
    assert at.button(key=state.PUBLISH).disabled  # publishing it needs the confirmation
    at.checkbox(key=state.PUBLISH_ANYWAY).check().run()
    assert not at.button(key=state.PUBLISH).disabled

    at.button(key=state.EDIT_UNDO).click().run()
    assert at.session_state[state.ROSTER].equals(tiny_roster.reset_index(drop=True))


def test_compare_two_versions(tiny, tiny_roster):
    with Store(tiny) as store:
        scenario = store.to_scenario(1)
        first = store.save_roster(1, tiny_roster, "Sam")
        day = tiny_roster.loc[tiny_roster["agent_id"] == "T1", "start"].iloc[0].dayofweek
        second = store.save_roster(1, editing.replace_shift(tiny_roster, scenario, "T1", day, None), "Sam")
    at = open_app(page="roster")
    assert "Version 2, draft" in texts(at.markdown)  # opens the newest version
    changes = next(frame.value for frame in at.dataframe if "figure" in frame.value.columns)
    short = changes.set_index("figure").loc["scheduled agent-hours"]
    assert short["change"] < 0  # a shift fewer
    differences = next(frame.value for frame in at.dataframe if "second" in frame.value.columns
                       and "agent" in frame.value.columns)
    assert list(differences["agent"]) == ["Agent 1 (T1)"] and list(differences["second"]) == ["off"]
    assert (first, second) == (1, 2)


# --- rules --------------------------------------------------------------------------------------------


def stored_agents(data_dir: Path) -> list[dict]:
    with Store(data_dir) as store:
        return [agent.model_dump() for agent in store.load_agents(1)]


@pytest.mark.parametrize(("edits", "why"), [
    ({"edited_rows": {0: {"min_hours": 50, "max_hours": 10}}}, "min_hours 50 is above max_hours 10"),
    ({"edited_rows": {1: {"agent_id": "T1"}}}, "duplicate agent_id 'T1'"),
    ({"edited_rows": {2: {"skills": "voice;email"}}}, "unknown skill 'email'"),
    ({"deleted_rows": [1]}, "unknown agent 'T2'"),  # T2 has time off: deleting them would orphan it
])
def test_an_invalid_agent_edit_shows_the_problem_and_saves_nothing(tiny, edits, why):
    before = stored_agents(tiny)
    at = open_app("manager", "rules")
    at.session_state[state.AGENTS_EDITOR] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **edits}
    at.run()
    assert not at.exception
    assert "The agents were not saved" in texts(at.error)
    problems = problems_shown(at)
    assert problems["why"].str.contains(why, regex=False).any(), problems
    assert stored_agents(tiny) == before


def test_a_new_agent_row_waits_for_its_required_fields(tiny):
    before = stored_agents(tiny)
    at = open_app("manager", "rules")
    at.session_state[state.AGENTS_EDITOR] = {"edited_rows": {0: {"name": "Ada"}}, "deleted_rows": [],
                                            "added_rows": [{"agent_id": "T6", "name": "Agent 6"}]}
    at.run()
    assert not at.error
    assert "row 6: fill in skills, min h/week and max h/week" in texts(at.info)
    assert stored_agents(tiny) == before  # the edit of row 1 waits with it


def test_a_valid_agent_edit_is_saved_at_once(tiny):
    at = open_app("manager", "rules")
    at.session_state[state.AGENTS_EDITOR] = {"edited_rows": {0: {"name": "Ada Lovelace", "max_days": 4}},
                                            "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception and not at.error
    first = stored_agents(tiny)[0]
    assert (first["name"], first["max_days"]) == ("Ada Lovelace", 4)
    assert at.dataframe[0].value.loc[0, "name"] == "Ada Lovelace"  # the editor starts from the store again


def test_an_invalid_work_rule_is_refused_and_a_valid_one_saved(tiny):
    with Store(tiny) as store:
        before = store.load_scenario_config(1)
    at = open_app("manager", "rules")
    at.number_input(key=f"{state.RULES_FORM}.min_rest_hours").set_value(60.0)
    at.button[[button.label for button in at.button].index("Save work rules")].click().run()
    assert "The work rules were not saved" in texts(at.error)
    [problem] = problems_shown(at).to_dict("records")
    assert problem["what"] == "Minimum rest between shifts (h)" and problem["where"] == "work rules"
    assert "48" in problem["why"]
    with Store(tiny) as store:
        assert store.load_scenario_config(1) == before

    at.number_input(key=f"{state.RULES_FORM}.min_rest_hours").set_value(12.0)
    at.button[[button.label for button in at.button].index("Save work rules")].click().run()
    assert not at.error
    with Store(tiny) as store:
        assert store.load_scenario_config(1).rules.min_rest_hours == 12


def test_a_manager_sets_the_rotation_and_queue_block_rules(tiny):
    at = open_app("manager", "rules")
    at.number_input(key=f"{state.RULES_FORM}.max_consecutive_nights").set_value(3)
    at.selectbox(key=f"{state.RULES_FORM}.contract_hours").set_value("horizon")
    at.number_input(key=f"{state.RULES_FORM}.min_queue_block_minutes").set_value(90)
    at.button[[button.label for button in at.button].index("Save work rules")].click().run()
    assert not at.error and not at.exception
    with Store(tiny) as store:
        saved = store.load_scenario_config(1).rules
    assert (saved.max_consecutive_nights, saved.contract_hours, saved.min_queue_block_minutes) == (3, "horizon", 90)


def test_the_rules_and_weights_forms_keep_what_they_do_not_show():
    from scheduler.scenario import Weights, WorkRules

    current = WorkRules(max_consecutive_nights=2, contract_hours="horizon", min_rest_hours=11)
    saved = WorkRules(**rules.work_rules({"min_rest_hours": 12.0}, current))
    assert (saved.min_rest_hours, saved.max_consecutive_nights, saved.contract_hours) == (12, 2, "horizon")
    assert Weights(**rules.weights({"preference": 5.0}, Weights(change=900))).change == 900


def test_a_break_that_cannot_fit_its_shift_is_refused(tiny):
    with Store(tiny) as store:
        before = store.load_scenario_config(1)
    at = open_app("manager", "rules")
    # The lunch window would run past the end of a 6 h shift.
    lunch = list(at.session_state[state.BREAKS_BASE]["name"]).index("lunch")
    at.session_state[state.BREAKS_EDITOR] = {"edited_rows": {lunch: {"latest_offset_minutes": 400}},
                                            "added_rows": [], "deleted_rows": []}
    at.run()
    assert "The breaks were not saved" in texts(at.error)
    with Store(tiny) as store:
        assert store.load_scenario_config(1) == before


# --- forecast and staffing -------------------------------------------------------------------------------


def run_quick_forecast(at: AppTest) -> AppTest:
    """The sample history forecast with the two fast methods (the full backtest takes half a minute)."""
    at.multiselect(key=state.FORECAST_METHODS).set_value(["seasonal_naive", "weighted_profile"])
    at.button(key=state.RUN_FORECAST).click().run()
    assert not at.exception, [error.value for error in at.exception]
    return at


def test_forecast_backtest_heatmap_and_save_as_demand(tiny):
    at = run_quick_forecast(open_app())
    assert state.TARGETS_EDITOR in keys(at)
    assert at.status[0].label.startswith("Forecast done")

    accuracy = next(frame.value for frame in at.dataframe if "method" in frame.value.columns)
    assert set(accuracy["method"]) == {"seasonal_naive", "weighted_profile"}
    assert set(accuracy.columns) == {"method", "voice", "chat"}
    assert all(accuracy[queue].str.endswith("✓").sum() == 1 for queue in ("voice", "chat"))
    titles = [figure["layout"].get("title", {}).get("text", "") for figure in plotly_figures(at)]
    assert "Contacts per interval: voice" in titles and "Required agents: chat" in titles

    at.button(key=state.SAVE_REQUIREMENTS).click().run()
    assert "Saved as the demand" in texts(at.success)
    with Store(tiny) as store:
        saved = store.load_requirements(1)
        assert saved["required"].sum() > tiny_requirements()["required"].sum()  # the sample's demand now
        assert store.list_tables(scenario_id=1, kind="forecast")


def test_the_forecast_keeps_its_time_limit_and_says_what_it_skipped(tiny):
    at = open_app()
    at.multiselect(key=state.FORECAST_METHODS).set_value(["seasonal_naive", "weighted_profile", "mstl"])
    at.number_input(key=state.FORECAST_TIME_LIMIT).set_value(1)
    at.button(key=state.RUN_FORECAST).click().run()
    assert not at.exception, [error.value for error in at.exception]
    notes = shown(texts(at.info))
    assert "queue 'chat': time limit 1 s reached during the backtest; not tried:" in notes and "mstl" in notes


def test_an_invalid_history_upload_is_shown_as_rows_and_nothing_is_saved(tiny):
    at = open_app()
    at.segmented_control(key=state.HISTORY_SOURCE).set_value("upload").run()
    bad = b"interval_start,queue,contacts,aht_seconds\n2026-11-02 08:00,voice,-3,300\n2026-11-02 08:30,voice,x,300\n"
    at.file_uploader(key=state.HISTORY_UPLOAD).set_value(("calls.csv", bad, "text/csv")).run()
    assert not at.exception
    assert "calls.csv cannot be used" in shown(texts(at.error))
    problems = problems_shown(at)
    assert list(problems["where"]) == ["calls.csv, row 2", "calls.csv, row 3"]
    assert set(problems["what"]) == {"contacts"}
    assert state.RUN_FORECAST not in keys(at)
    with Store(tiny) as store:
        assert store.list_tables(kind="history") == []


def test_a_bad_service_target_is_shown_with_its_queue(tiny):
    at = run_quick_forecast(open_app())
    at.session_state[state.TARGETS_EDITOR] = {"edited_rows": {0: {"shrinkage": 1.5}}, "added_rows": [],
                                             "deleted_rows": []}
    at.run()
    problems = problems_shown(at)
    assert problems.loc[0, "what"] == "shrinkage" and "queue 'chat'" in problems.loc[0, "where"]
    at.session_state[state.TARGETS_EDITOR] = {"edited_rows": {0: {"service_level": 2}}, "added_rows": [],
                                             "deleted_rows": []}
    at.run()
    assert problems_shown(at).loc[0, "what"] == "service level"  # as the column is labelled
    assert state.SAVE_REQUIREMENTS not in keys(at)  # nothing to save until the targets are valid


# --- helpers --------------------------------------------------------------------------------------------


def test_settings_read_only_the_app_environment(tmp_path: Path):
    settings = Settings.from_env({"WFM_DATA_DIR": str(tmp_path), "WFM_SOLVER_WORKERS": "3"})
    assert settings.database_url.endswith(str(tmp_path / "wfm.db")) and settings.solver_workers == 3
    explicit = Settings.from_env({"WFM_DATABASE_URL": "sqlite:///:memory:"})
    assert explicit.database_url == "sqlite:///:memory:"


def test_editor_problems_name_the_table_row_a_manager_sees():
    error = InputError([Problem("too long", "scenario", None, "shift_templates.1.lengths_hours"),
                        Problem("duplicate", "agents", 3, "agent_id")])
    table = problem_table(rules.located(error, "shift templates").problems, {"lengths_hours": "lengths (h)"})
    assert table.to_dict("records") == [
        {"what": "lengths (h)", "where": "shift templates, row 2", "why": "too long"},
        {"what": "agent_id", "where": "agents, row 2", "why": "duplicate"},
    ]
    item = problem_table([Problem("not a number", "scenario", None, "rules.weekend_days.1")],
                         {"rules.weekend_days": "Weekend days"})
    assert item.loc[0, "what"] == "Weekend days, item 2"


def test_editor_rows_become_model_values():
    rows = pd.DataFrame({"agent_id": [" A1 ", None], "skills": ["voice; chat", None], "max_days": [float("nan"), None]})
    assert rules.records(rows) == [{"agent_id": "A1", "skills": ["voice", "chat"]}]


def test_downloads_read_back(tiny_roster, tmp_path):
    assert read_roster(exports.roster_csv(tiny_roster), "roster.csv").shape == tiny_roster.shape
    workbook = openpyxl.load_workbook(io.BytesIO(exports.roster_excel(tiny_roster, pd.DataFrame({"a": [1]}),
                                                                      pd.DataFrame({"b": [2]}))))
    assert workbook.sheetnames == ["shifts", "segments", "coverage"]
    build_tiny_store(tmp_path)
    with Store(tmp_path) as store:
        calendar = icalendar.Calendar.from_ical(exports.agent_ics(tiny_roster, "T1", store.to_scenario(1)))
    work_days = tiny_roster.loc[(tiny_roster["agent_id"] == "T1") & (tiny_roster["activity"] == "work"), "start"]
    assert len(calendar.walk("VEVENT")) == work_days.dt.date.nunique()  # one day shifts: an event per day


def test_shift_differences_ignore_unchanged_agents(tiny_roster, tmp_path):
    build_tiny_store(tmp_path)
    with Store(tmp_path) as store:
        scenario = store.to_scenario(1)
    assert compare.shift_differences(tiny_roster, tiny_roster, scenario).empty
    moved = editing.replace_shift(tiny_roster, scenario, "T3", 6, editing.ShiftChoice(9 * 60, 8 * 60, "voice"))
    differences = compare.shift_differences(tiny_roster, moved, scenario)
    assert list(differences["day"]) == ["Sun 29 Nov"]
    assert differences["second"].iloc[0].startswith("09:00–17:00 voice")


def sample_history_csv() -> bytes:
    return sample_history().to_csv(index=False, date_format="%Y-%m-%d %H:%M").encode()


def test_a_valid_history_upload_forecasts(tiny):
    at = open_app()
    at.segmented_control(key=state.HISTORY_SOURCE).set_value("upload").run()
    at.file_uploader(key=state.HISTORY_UPLOAD).set_value(("calls.csv", sample_history_csv(), "text/csv")).run()
    assert not at.exception, [error.value for error in at.exception]
    assert state.SPECIAL_DAYS_EDITOR in keys(at)  # an empty special-days table to fill in
    at = run_quick_forecast(at)
    assert at.status[0].label.startswith("Forecast done")
    assert any("method" in frame.value.columns for frame in at.dataframe)


def _editor_script(frame_json: str) -> None:
    import io

    import pandas as pd
    import streamlit as st

    from wfm_app import tables

    frame = pd.read_json(io.StringIO(frame_json), orient="split", convert_dates=False)
    tables.data_editor(frame, "editor", {
        "text": st.column_config.TextColumn("text"), "number": st.column_config.NumberColumn("number"),
        "flag": st.column_config.CheckboxColumn("flag"),
        "pick": st.column_config.SelectboxColumn("pick", options=["a"]),
        "day": st.column_config.DateColumn("day"), "clock": st.column_config.TimeColumn("clock"),
        "moment": st.column_config.DatetimeColumn("moment")}, num_rows="dynamic")


EDITOR_COLUMNS = ("text", "number", "flag", "pick", "day", "clock", "moment")


@pytest.mark.parametrize("frame", [
    pd.DataFrame({column: [] for column in EDITOR_COLUMNS}),
    pd.DataFrame({column: [float("nan")] * 2 for column in EDITOR_COLUMNS}),
    pd.DataFrame({"text": [0.8, None], "number": ["1", None], "flag": [True, None], "pick": [None, "a"]}),
], ids=["empty", "all missing", "mixed"])
def test_every_editor_accepts_empty_and_missing_columns(frame):
    at = AppTest.from_function(_editor_script, args=(frame.to_json(orient="split"),)).run()
    assert not at.exception, [error.value for error in at.exception]
    assert list(at.dataframe[0].value["text"].dropna()) in ([], ["0.8"])


@pytest.fixture()
def arrow_fixes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The tables Streamlit had to patch up for Arrow (mixed types in a column), by their columns."""
    from streamlit import dataframe_util

    fixed: list[list[str]] = []
    original = dataframe_util.fix_arrow_incompatible_column_types

    def record(frame, *args, **kwargs):
        fixed.append(list(frame.columns))
        return original(frame, *args, **kwargs)

    monkeypatch.setattr(dataframe_util, "fix_arrow_incompatible_column_types", record)
    return fixed


def test_every_table_has_one_type_per_column(tiny, tiny_roster, arrow_fixes):
    with Store(tiny) as store:
        agents = [{**agent, "night_ok": agent["agent_id"] != "T1"} for agent in tiny_agents()]
        store.replace_agents(1, agents)  # T1's nights are not applicable
        first = store.save_roster(1, tiny_roster, "Sam")
        store.publish(first, "Sam")
        store.save_roster_edit(first, tiny_roster, "Sam")  # a draft edited from version 1
    at = open_app(page="roster")
    versions = next(frame.value for frame in at.dataframe if "edited from" in frame.value.columns)
    assert list(versions["edited from"]) == ["", "version 1"]
    at = run_quick_forecast(open_app())
    open_app("manager", "rules")
    mine = open_app("agent", agent_id="T2")
    assert not mine.exception
    assert arrow_fixes == []


def test_a_formula_name_is_text_in_the_excel_export(tiny_roster):
    formula = '=HYPERLINK("http://e.com","Click")'
    roster = tiny_roster.assign(name=tiny_roster["name"].where(tiny_roster["agent_id"] != "T1", formula),
                                minutes=-1.5)
    workbook = openpyxl.load_workbook(io.BytesIO(exports.roster_excel(roster, roster, pd.DataFrame({"q": ["+x"]}))))
    names = [cell for row in workbook["segments"].iter_rows() for cell in row if "HYPERLINK" in str(cell.value)]
    assert names and all(cell.data_type == "s" and cell.value == "'" + formula for cell in names)
    assert all(cell.data_type != "f" for sheet in workbook for row in sheet.iter_rows() for cell in row)
    assert workbook["coverage"]["A2"].value == "'+x"
    minutes = [row[-1].value for row in workbook["shifts"].iter_rows(min_row=2)]
    assert set(minutes) == {-1.5}  # numbers stay numbers


MARKDOWN_NAME = "[x](http://e.com) ![i](http://e.com/i.png)"
MARKDOWN_USERNAME = MARKDOWN_NAME.replace(" ", "")  # usernames have no spaces


def markdown_texts(at: AppTest) -> list[str]:
    """Every text the page renders as Markdown: bodies, labels and help tooltips of all elements."""
    found = []
    for block in (at.main, at.sidebar):
        for node in _walk(block):
            proto = getattr(node, "proto", None)
            for field in ("body", "label", "help"):
                value = getattr(proto, field, None) if proto is not None else None
                if isinstance(value, str) and value:
                    found.append(value)
    return found


def links_or_images(texts_: list[str]) -> list[str]:
    from markdown_it import MarkdownIt

    parser = MarkdownIt()
    # Streamlit links URLs in the text after reading the escapes: an unbroken `://` would be a link.
    return [text for text in texts_ if "://" in re.sub(r"\\(.)", r"\1", text) or any(
        child.type in ("link_open", "image") for token in parser.parse(text) for child in token.children or [])]


def test_names_in_markdown_show_as_typed(tiny, tiny_roster):
    with Store(tiny) as store:
        store.replace_agents(1, [{**agent, "name": MARKDOWN_NAME} if agent["agent_id"] == "T5" else agent
                                 for agent in tiny_agents()])
    at = put_roster(open_app(page="roster", username=MARKDOWN_USERNAME), tiny_roster)
    at.selectbox(key=state.EDIT_AGENT).set_value("T5").run()
    at.selectbox(key=state.EDIT_DAY).set_value(0).run()
    at.selectbox(key=state.EDIT_QUEUE).set_value("chat").run()
    at.button(key=state.EDIT_APPLY).click().run()  # a warning naming the agent, and the rule they break
    assert "\\[x\\]" in texts(at.warning)
    bodies = markdown_texts(at)
    at.checkbox(key=state.PUBLISH_ANYWAY).check().run()
    at.button(key=state.PUBLISH).click().run()
    mine = open_app("agent", agent_id="T5")
    assert not mine.exception
    upload = open_app()
    upload.segmented_control(key=state.HISTORY_SOURCE).set_value("upload").run()
    upload.file_uploader(key=state.HISTORY_UPLOAD).set_value((f"{MARKDOWN_NAME}.csv", b"x\n1\n", "text/csv")).run()
    bodies += markdown_texts(mine) + markdown_texts(upload)
    assert any("http\\:" in text for text in bodies)  # the name was shown, escaped
    assert links_or_images(bodies) == []


def stored_time_off(data_dir: Path) -> list[dict]:
    with Store(data_dir) as store:
        return [leave.model_dump() for leave in store.load_time_off(1)]


def test_a_new_time_off_row_is_kept_until_complete_then_saved(tiny):
    before = stored_time_off(tiny)
    at = open_app("manager", "rules")
    assert list(at.session_state[state.TIME_OFF_BASE]["start"]) == ["2026-11-25 00:00"]  # typed as text
    typing = {"agent_id": "T1", "start": "2026-11-26 09:00", "end": None}
    at.session_state[state.TIME_OFF_EDITOR] = {"edited_rows": {}, "added_rows": [typing], "deleted_rows": []}
    at.run()
    assert not at.exception and not at.error
    assert "row 2: fill in until and reason" in texts(at.info)
    assert at.session_state[state.TIME_OFF_EDITOR]["added_rows"] == [typing]  # still in the editor
    assert stored_time_off(tiny) == before

    complete = {**typing, "end": "2026-11-26 12:30", "reason": "dentist"}
    at.session_state[state.TIME_OFF_EDITOR] = {"edited_rows": {}, "added_rows": [complete], "deleted_rows": []}
    at.run()
    assert not at.exception and not at.error and not at.info
    assert stored_time_off(tiny)[1] == {"agent_id": "T1", "start": dt.datetime(2026, 11, 26, 9),
                                        "end": dt.datetime(2026, 11, 26, 12, 30), "reason": "dentist"}


def test_roster_figures_read_as_a_planner_expects(tiny, tiny_roster):
    at = put_roster(open_app(page="roster"), tiny_roster)
    deltas = [metric.proto.delta for metric in at.metric if metric.label.startswith("Service level")]
    assert deltas and all(re.fullmatch(r"[+-]\d+\.\d pp vs target", delta) for delta in deltas)
    frames = [node.proto for block in (at.main, at.sidebar) for node in _walk(block)
              if type(node).__name__ == "Dataframe"]
    assert frames and all(frame.HasField("placeholder") and frame.placeholder == "" for frame in frames)
    score = next(frame.value for frame in at.dataframe if "rule" in frame.value.columns).set_index("rule")
    short = score.loc["short staffing"]
    assert short["service level"] <= 0 <= short["cost"]  # short staffing costs service level


def test_queue_names_in_figures_are_text_not_html():
    from wfm_app import demand, figures

    queue = '<a href="http://e.com">x</a>'
    history = pd.DataFrame({"interval_start": pd.to_datetime(["2026-11-16 08:00"]), "queue": [queue],
                            "contacts": [3.0]})
    figure = demand.history_forecast_figure(history, history.assign(interval_start=pd.Timestamp(WEEK)), queue)
    assert "<a" not in figure.layout.title.text and "&lt;a href" in figure.layout.title.text
    roster = pd.DataFrame({"queue": [queue], "activity": ["work"], "start": [pd.Timestamp("2026-11-23 08:00")],
                           "end": [pd.Timestamp("2026-11-23 16:00")]})
    calendar = figures.week_calendar(roster, WEEK, [queue])
    assert all("<a" not in str(trace.name) and "<a" not in str(trace.customdata) for trace in calendar.data)


def test_tables_offer_no_csv_download_of_raw_cells(tiny):
    import streamlit

    open_app()
    assert streamlit.get_option("client.disableDataExport")  # the app's own downloads quote formulas


def test_a_busy_store_is_a_message_and_the_roster_stays(tiny, tiny_roster, monkeypatch):
    from wfm.storage import StoreBusy

    def busy(*args, **kwargs):
        raise StoreBusy()

    monkeypatch.setattr(Store, "save_roster", busy)
    at = put_roster(open_app(page="roster"), tiny_roster)
    at.button(key=state.SAVE_DRAFT).click().run()
    assert not at.exception
    assert any("Nothing was saved" in error.value for error in at.error)
    assert at.session_state[state.ROSTER_SAVED] is False and len(at.session_state[state.ROSTER]) == len(tiny_roster)


def test_a_file_that_is_not_a_wfm_database_is_a_message(tmp_path, monkeypatch):
    (tmp_path / "wfm.db").write_bytes(b"agent_id,name\nA1,Ann\n" * 50)
    monkeypatch.setenv("WFM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WFM_DATABASE_URL", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("cannot be opened" in error.value for error in at.error)
    assert "not a wfm database" in " ".join(str(frame.value.to_dict()) for frame in at.dataframe)


def test_hours_nobody_may_work_are_said_on_the_roster_page(tiny, tiny_roster):
    from scheduler.solve import RosterResult

    at = open_app(page="roster")
    at.session_state[state.ROSTER_RESULT] = RosterResult(
        roster=tiny_roster, status="FEASIBLE", objective=1.0, best_bound=0.0, wall_seconds=1.0,
        lower_bound_short_hours=None, required_hours=100.0,
        warnings=["voice: no agent may work Mon 00:30–06:00 (only night shifts cover them)"])
    put_roster(at, tiny_roster)
    assert any("no agent may work Mon" in warning.value for warning in at.warning)
