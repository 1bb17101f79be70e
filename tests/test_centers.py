"""The Centers page and the center chosen in the sidebar: a planner's own center from uploaded files."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tabular import InputError
from wfm.storage import Store
from wfm_app import centers, state
from tests.test_app import APP, TIMEOUT, problems_shown, texts

AGENTS = b"""agent_id,name,skills,min_hours,max_hours
A1,Ann,voice,16,40
A2,Bob,voice;chat,16,40
A3,Cid,chat,16,40
"""
TIME_OFF = b"""agent_id,start,end,reason
A2,2026-11-25,2026-11-25,vacation
"""
SETTINGS = b"""queues:
  voice:
    service_level: 0.8
  chat:
    concurrency: 2
shift_templates:
  - name: day
    earliest_start: 08:00
    latest_start: 10:00
    lengths_hours: [8]
"""
LAST_DAY = dt.date(2026, 11, 22)  # a Sunday: the first week to plan is the 23rd


def history_csv(weeks: int = 3, last_day: dt.date = LAST_DAY) -> bytes:
    """Voice and chat, 08:00–18:00 every day, 30-minute intervals, `weeks` weeks up to `last_day`."""
    days = pd.date_range(end=pd.Timestamp(last_day), periods=7 * weeks, freq="D")
    starts = [day + pd.Timedelta(minutes=30 * slot) for day in days for slot in range(16, 36)]
    rng = np.random.default_rng(3)
    rows = [f"{start:%Y-%m-%d %H:%M},{queue},{rng.integers(5, 30)},{300 if queue == 'voice' else 600}"
            for start in starts for queue in ("voice", "chat")]
    return ("interval_start,queue,contacts,aht_seconds\n" + "\n".join(rows) + "\n").encode()


@pytest.fixture()
def empty_store(tmp_path, monkeypatch):
    """A data folder holding one center, 'First', made from these files."""
    monkeypatch.setenv("WFM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WFM_DATABASE_URL", raising=False)
    files = centers.read_center_files(("agents.csv", AGENTS), ("history.csv", history_csv()))
    with Store(tmp_path) as store:
        centers.create_center(store, "First", files, "test", "history.csv")
    return tmp_path


def centers_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/centers.py").run()
    assert not at.exception, [error.value for error in at.exception]
    return at


def upload(at: AppTest, key: str, name: str, content: bytes) -> AppTest:
    at.file_uploader(key=key).set_value((name, content, "text/csv")).run()
    assert not at.exception, [error.value for error in at.exception]
    return at


def upload_valid(at: AppTest, *, agents: bytes = AGENTS, history: bytes | None = None) -> AppTest:
    upload(at, state.UPLOAD_AGENTS, "agents.csv", agents)
    return upload(at, state.UPLOAD_HISTORY, "history.csv", history or history_csv())


def stored_centers(folder) -> list[str]:
    with Store(folder) as store:
        return store.list_centers()


# --- reading the files ------------------------------------------------------------------------------


def test_files_without_settings_make_a_center_of_the_history_queues_starting_after_the_history():
    files = centers.read_center_files(("agents.csv", AGENTS), ("history.csv", history_csv()),
                                      ("time_off.csv", TIME_OFF))
    assert files.config.week_start == dt.date(2026, 11, 23)
    assert set(files.config.queues) == {"voice", "chat"}
    assert files.config.interval_minutes == 30
    assert [agent.agent_id for agent in files.agents] == ["A1", "A2", "A3"]
    assert files.time_off[0].reason == "vacation"


def test_uploaded_settings_give_the_rules_and_the_history_the_rest():
    files = centers.read_center_files(("agents.csv", AGENTS), ("history.csv", history_csv()),
                                      settings=("scenario.yaml", SETTINGS))
    assert files.config.queues["chat"].concurrency == 2
    assert files.config.shift_templates[0].name == "day"
    assert files.config.week_start == dt.date(2026, 11, 23)


def test_the_first_week_is_the_monday_after_the_history_ends_on_any_weekday():
    files = centers.read_center_files(("agents.csv", AGENTS), ("history.csv", history_csv(last_day=dt.date(2026, 11, 18))))
    assert files.config.week_start == dt.date(2026, 11, 23)


BAD_UPLOADS = [
    # (what is uploaded, file, row, column, words in the message)
    ({"agents": ("agents.csv", AGENTS.replace(b"A3,Cid,chat", b"A3,Cid,email"))}, "agents.csv", 4, "skills", "email"),
    ({"agents": ("agents.csv", AGENTS.replace(b"A1,Ann,voice,16,40", b"A1,Ann,voice,sixteen,40"))},
     "agents.csv", 2, "min_hours", "sixteen"),
    ({"agents": ("agents.csv", AGENTS + b"A1,Dup,voice,16,40\n")}, "agents.csv", 5, "agent_id", "A1"),
    ({"agents": ("agents.csv", b"agent_id,name\nA1,Ann\n")}, "agents.csv", None, "skills", "missing"),
    ({"agents": ("agents.csv", b"")}, "agents.csv", None, None, "empty"),
    ({"history": ("history.csv", history_csv().replace(b",voice,", b",voice,-3", 1))}, "history.csv", 2, None, ""),
    ({"history": ("history.csv", b"when,contacts\nmonday,3\n")}, "history.csv", None, "interval_start", ""),
    ({"time_off": ("time_off.csv", TIME_OFF.replace(b"A2", b"ZZ"))}, "time_off.csv", 2, "agent_id", "ZZ"),
    ({"time_off": ("time_off.csv", b"agent_id,start,end\nA1,2026-11-26,2026-11-25\n")}, "time_off.csv", 2, None, ""),
    ({"settings": ("scenario.yaml", SETTINGS + b"colour: red\n")}, "scenario.yaml", None, "colour", ""),
    ({"settings": ("scenario.yaml", b"queues: [voice\n")}, "scenario.yaml", None, None, "YAML"),
    ({"settings": ("scenario.yaml", b"- just\n- a list\n")}, "scenario.yaml", None, None, "mapping"),
    ({"settings": ("scenario.yaml", SETTINGS.replace(b"  chat:\n    concurrency: 2\n", b""))},
     "history.csv", None, "queue", "chat"),
    ({"settings": ("scenario.yaml", b"week_start: 2026-11-24\n")}, "scenario.yaml", None, "week_start", "Monday"),
    ({"settings": ("scenario.toml", b"queues = [\n")}, "scenario.toml", None, None, "TOML"),
]


@pytest.mark.parametrize(("change", "file", "row", "column", "words"), BAD_UPLOADS)
def test_every_problem_of_a_file_is_named_by_file_row_and_column(change, file, row, column, words):
    given = {"agents": ("agents.csv", AGENTS), "history": ("history.csv", history_csv())} | change
    with pytest.raises(InputError) as raised:
        centers.read_center_files(**given)
    located = [p for p in raised.value.problems if p.file == file]
    assert located, raised.value.problems
    problem = located[0]
    assert (problem.row, problem.column) == (row, column) or (row is None and column is None) or \
        (row is None and problem.column == column) or (column is None and problem.row == row), problem
    assert words.lower() in problem.message.lower() + str(problem.column).lower(), problem


def test_missing_agents_and_history_are_problems():
    with pytest.raises(InputError) as raised:
        centers.read_center_files(None, None)
    assert {problem.file for problem in raised.value.problems} == {"agents.csv", "history"}


# --- the page -----------------------------------------------------------------------------------------


def test_a_center_created_from_uploaded_files_is_chosen_in_the_sidebar(empty_store):
    at = centers_page()
    at.text_input(key=state.NEW_CENTER_NAME).set_value("North").run()
    upload_valid(at)
    upload(at, state.UPLOAD_TIME_OFF, "time_off.csv", TIME_OFF)
    assert "3 agents, 1 time-off" in texts(at.success)
    at.button(key=state.CREATE_CENTER).click().run()
    assert not at.exception
    assert "North" in texts(at.success)
    assert at.text_input(key=state.NEW_CENTER_NAME).value == ""  # ready for the next center
    assert at.sidebar.selectbox(key=state.CENTER).value == "North"
    assert set(at.sidebar.selectbox(key=state.CENTER).options) == {"First", "North"}
    assert "Week of Mon 23 Nov 2026" in at.sidebar.selectbox(key=state.SCENARIO_ID).options
    with Store(empty_store) as store:
        (week,) = store.list_scenarios("North")
        assert [agent.name for agent in store.load_agents(week.id)] == ["Ann", "Bob", "Cid"]
        assert len(store.load_time_off(week.id)) == 1
        assert len(store.load_history("North")) == len(centers.read_center_files(
            ("agents.csv", AGENTS), ("history.csv", history_csv())).history)


@pytest.mark.parametrize(("change", "file", "row", "column", "words"), BAD_UPLOADS)
def test_a_bad_upload_is_shown_as_rows_nothing_is_saved_and_the_fixed_file_is_taken(
        empty_store, change, file, row, column, words):
    at = centers_page()
    at.text_input(key=state.NEW_CENTER_NAME).set_value("North").run()
    upload_valid(at)
    keys = {"agents": state.UPLOAD_AGENTS, "history": state.UPLOAD_HISTORY, "time_off": state.UPLOAD_TIME_OFF,
            "settings": state.UPLOAD_SETTINGS}
    (part, (name, content)), = change.items()
    upload(at, keys[part], name, content)
    table = problems_shown(at)
    assert any(file in where for where in table["where"]), table
    assert not any(button.key == state.CREATE_CENTER for button in at.button)
    assert stored_centers(empty_store) == ["First"]
    fixed = {"agents": AGENTS, "history": history_csv(), "time_off": TIME_OFF, "settings": SETTINGS}[part]
    upload(at, keys[part], name.replace(".toml", ".yaml"), fixed)
    assert not [frame for frame in at.dataframe if list(frame.value.columns) == ["what", "where", "why"]]
    at.button(key=state.CREATE_CENTER).click().run()
    assert stored_centers(empty_store) == ["First", "North"]


@pytest.mark.parametrize("name", ["", "  ", "First"])
def test_an_empty_or_taken_center_name_is_refused(empty_store, name):
    at = centers_page()
    at.text_input(key=state.NEW_CENTER_NAME).set_value(name).run()
    upload_valid(at).button(key=state.CREATE_CENTER).click().run()
    assert not at.exception
    assert "center" in " ".join(problems_shown(at)["what"])
    assert stored_centers(empty_store) == ["First"]


def test_a_center_from_the_sample(empty_store):
    at = centers_page()
    at.text_input(key=state.NEW_CENTER_NAME).set_value("Demo").run()
    at.segmented_control(key=state.NEW_CENTER_SOURCE).set_value("sample").run()
    at.button(key=state.CREATE_CENTER).click().run()
    assert not at.exception
    assert at.sidebar.selectbox(key=state.CENTER).value == "Demo"
    with Store(empty_store) as store:
        (week,) = store.list_scenarios("Demo")
        assert not store.load_requirements(week.id).empty
        assert not store.load_history("Demo").empty


def test_deleting_a_center_asks_for_its_name(empty_store):
    at = centers_page()
    assert at.button(key=state.DELETE_CENTER).disabled
    at.text_input(key=state.DELETE_CONFIRM).set_value("Firs").run()
    assert at.button(key=state.DELETE_CENTER).disabled
    at.text_input(key=state.DELETE_CONFIRM).set_value("First").run()
    at.button(key=state.DELETE_CENTER).click().run()
    assert not at.exception
    assert stored_centers(empty_store) == []
    assert "create one" in texts(at.sidebar.caption)


def test_the_store_deletes_a_center_with_everything_it_owns_and_records_it(empty_store):
    with Store(empty_store) as store:
        (week,) = store.list_scenarios("First")
        store.delete_center("First")
        assert store.list_centers() == [] and store.list_scenarios() == []
        assert store.list_tables() == []
        with pytest.raises(InputError, match="not in the store"):
            store.load_agents(week.id)
        with pytest.raises(InputError, match="not in the store"):
            store.delete_center("First")
        trail = store.audit_log()
    assert trail.iloc[0]["action"] == "delete_center" and trail.iloc[0]["details"] == {"weeks": 1}


def test_the_store_refuses_a_second_center_of_the_same_name_and_keeps_nothing_of_it(empty_store):
    files = centers.read_center_files(("agents.csv", AGENTS), ("history.csv", history_csv()))
    with Store(empty_store) as store:
        with pytest.raises(InputError, match="exists already"):
            centers.create_center(store, " First ", files, "test", "history.csv")
        assert len(store.list_scenarios("First")) == 1
