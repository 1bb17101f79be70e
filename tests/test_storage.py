"""The shared store: migrations, round trips, roster versions and all-or-nothing writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from scheduler.io import load_scenario, write_scenario
from scheduler.scenario import Agent, ScenarioConfig, TimeOff
from tabular import InputError
from tests.storage_backends import store_url  # noqa: F401  (a fixture: each test runs on SQLite and PostgreSQL)
from wfm.storage import NotFound, Store, database_url
from wfm.storage.migrate import current_revision, head_revision
from wfm.storage.schema import AgentRecord, Base

WEEK = dt.date(2026, 11, 23)  # a Monday
TABLES = {"centers", "scenarios", "agents", "time_off", "stored_tables", "roster_versions", "roster_rows", "users",
          "sessions", "audit"}


def config(**changes) -> ScenarioConfig:
    settings = {
        "week_start": WEEK,
        "interval_minutes": 60,
        "queues": {"voice": {}, "chat": {"concurrency": 2}},
        "demand": {"requirements": "requirements.csv"},
    }
    return ScenarioConfig.model_validate({**settings, **changes})


def agent(agent_id: str, **changes) -> Agent:
    values = {"agent_id": agent_id, "name": f"Agent {agent_id}", "skills": ("voice",), "min_hours": 0, "max_hours": 40}
    return Agent.model_validate({**values, **changes})


AGENTS = (
    agent("a1", skills=("voice", "chat"), earliest_start=dt.time(7), preferred="early"),
    agent("a2", night_ok=False, max_days=4, latest_end=dt.time(18, 30)),
)


def requirements(day: dt.date = WEEK) -> pd.DataFrame:
    starts = pd.date_range(pd.Timestamp(day) + pd.Timedelta(hours=8), periods=3, freq="60min")
    table = pd.DataFrame({
        "interval_start": list(starts) * 2,
        "queue": ["voice"] * 3 + ["chat"] * 3,
        "contacts": [10.0, 12.0, 9.0, 4.0, 5.0, 0.0],
        "aht_seconds": [300.0, 310.0, 290.0, 600.0, 620.0, float("nan")],
        "required": [3, 4, 3, 1, 2, 0],
        "service_level": [0.81, 0.85, 0.9, 0.8, 0.82, 1.0],
    })
    table.attrs["interval_minutes"] = 60
    return table


def roster(agent_id: str = "a1", day: dt.date = WEEK, queue: str = "voice") -> pd.DataFrame:
    start = pd.Timestamp(day) + pd.Timedelta(hours=8)
    hours = [(0, 4, "work"), (4, 4.5, "lunch"), (4.5, 8.5, "work")]
    return pd.DataFrame([
        {"agent_id": agent_id, "name": f"Agent {agent_id}", "queue": queue if activity == "work" else "",
         "activity": activity, "start": start + pd.Timedelta(hours=begin), "end": start + pd.Timedelta(hours=end)}
        for begin, end, activity in hours
    ])


@pytest.fixture
def store(store_url: str) -> Store:
    with Store.open(store_url) as opened:
        yield opened


@pytest.fixture
def scenario_id(store: Store) -> int:
    """A scenario with config, agents, time off and requirements."""
    created = store.create_scenario(config(), name="week 48", center="north")
    store.replace_agents(created, AGENTS)
    store.replace_time_off(created, [TimeOff(agent_id="a2", start=dt.datetime(2026, 11, 25), end=dt.datetime(2026, 11, 26),
                                             reason="dentist")])
    store.save_requirements(created, requirements(), by="planner")
    return created


# ---- where the database lives, and its schema -----------------------------------------------------


def test_a_fresh_database_gets_the_schema_from_the_migration(tmp_path: Path):
    with Store(tmp_path / "data") as store:
        assert (tmp_path / "data" / "wfm.db").is_file()
        assert TABLES <= set(inspect(store.engine).get_table_names())
        assert current_revision(store.engine) == head_revision() == "0003"


def test_opening_again_is_a_no_op_that_keeps_the_data(store_url: str):
    with Store.open(store_url) as store:
        scenario_id = store.create_scenario(config(), name="kept")
    with Store.open(store_url) as store:
        with store.engine.connect() as connection:
            revisions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert revisions == [head_revision()]
        assert store.load_scenario_config(scenario_id) == config()


def test_the_migration_builds_exactly_the_tables_the_models_describe(store: Store):
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_the_agents_table_stores_every_field_of_an_agent():
    columns = set(AgentRecord.__table__.columns.keys()) - {"id", "scenario_id", "position"}
    assert columns == set(Agent.model_fields)


def test_the_default_data_folder_is_wfm_data_in_the_working_directory(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Store() as store:
        store.create_scenario(config(), name="here")
    assert (tmp_path / "wfm-data" / "wfm.db").is_file()


def test_database_url_prefers_the_environment_variable(tmp_path: Path):
    assert database_url(tmp_path, {"WFM_DATABASE_URL": "postgresql://db/wfm"}) == "postgresql://db/wfm"
    assert database_url(tmp_path, {}) == f"sqlite:///{(tmp_path / 'wfm.db').resolve()}"
    with Store.open(database_url(tmp_path / "nested" / "folder", {})) as store:
        assert store.list_centers() == []


# ---- round trips ---------------------------------------------------------------------------------


def test_scenario_agents_and_time_off_round_trip(store: Store, scenario_id: int):
    assert store.load_scenario_config(scenario_id) == config()
    assert store.load_agents(scenario_id) == AGENTS
    assert store.load_time_off(scenario_id)[0].reason == "dentist"
    assert [(info.id, info.center, info.name) for info in store.list_scenarios("north")] == [(scenario_id, "north", "week 48")]
    assert store.list_centers() == ["north"]


def test_agents_from_an_edited_table_with_empty_cells(store: Store, scenario_id: int):
    table = pd.DataFrame([{**AGENTS[1].model_dump(), "max_days": float("nan"), "latest_end": None}])
    store.replace_agents(scenario_id, table)
    assert store.load_agents(scenario_id) == (agent("a2", night_ok=False),)


def test_tables_round_trip_with_their_types(store: Store, scenario_id: int):
    history = pd.DataFrame({
        "interval_start": pd.date_range("2026-11-02 08:00", periods=4, freq="30min"),
        "queue": ["1"] * 4,  # a queue named like a number stays text
        "contacts": [3.0, 4.0, 0.0, 5.0],
        "aht_seconds": [200.0, 210.5, float("nan"), 190.0],
    })
    store.save_history("north", history, name="november.csv", by="planner")
    loaded = store.load_history("north")
    pd.testing.assert_frame_equal(loaded, history, check_like=True)
    assert loaded.attrs["interval_minutes"] == 30

    forecast = history.assign(interval_start=history["interval_start"] + pd.Timedelta(days=21), method="seasonal_naive")
    store.save_forecast(scenario_id, forecast, by="planner")
    pd.testing.assert_frame_equal(store.load_forecast(scenario_id), forecast)

    stored = store.load_requirements(scenario_id)
    pd.testing.assert_frame_equal(stored, requirements())
    assert [(t.kind, t.name, t.row_count) for t in store.list_tables(center="north")] == [
        ("requirements", "requirements", 6), ("history", "november.csv", 4), ("forecast", "forecast", 4)]


def test_loading_what_was_never_saved_names_it(store: Store, scenario_id: int):
    with pytest.raises(NotFound, match="forecast"):
        store.load_forecast(scenario_id)
    with pytest.raises(NotFound, match="roster version 99"):
        store.load_roster(99)
    with pytest.raises(NotFound, match="scenario 99"):
        store.load_agents(99)


def test_to_scenario_builds_the_engines_scenario(store: Store, scenario_id: int):
    scenario = store.to_scenario(scenario_id)
    assert scenario.config == config() and scenario.agents == AGENTS
    assert [leave.agent_id for leave in scenario.time_off] == ["a2"]
    assert len(scenario.requirements) == 7 * 24 * 2  # every hour of the week for both queues
    monday_nine = scenario.requirements.set_index(["interval_start", "queue"]).loc[(pd.Timestamp("2026-11-23 09:00"), "voice")]
    assert monday_nine["required"] == 4 and scenario.requirements["required"].sum() == 13
    assert scenario.cyclic  # no last week's roster in the store


def test_to_scenario_takes_last_weeks_published_roster_of_the_center(store: Store, scenario_id: int):
    last_week = store.create_scenario(config(week_start=WEEK - dt.timedelta(days=7)), name="week 47", center="north")
    version = store.save_roster(last_week, roster(day=WEEK - dt.timedelta(days=7)), by="planner")
    assert store.to_scenario(scenario_id).previous_roster is None  # a draft does not count
    store.publish(version, by="lead")
    pd.testing.assert_frame_equal(store.to_scenario(scenario_id).previous_roster, store.load_roster(version))


def test_import_scenario_folder_stores_what_the_loader_reads(store: Store, tmp_path: Path):
    folder = tmp_path / "week48"
    folder.mkdir()
    (folder / "scenario.yaml").write_text(
        "week_start: 2026-11-23\ninterval_minutes: 60\nqueues: {voice: {}}\ndemand: {requirements: requirements.csv}\n")
    (folder / "agents.csv").write_text("agent_id,name,skills,min_hours,max_hours\na1,Ann,voice,0,40\n")
    (folder / "time_off.csv").write_text("agent_id,start,end,reason\na1,2026-11-24,2026-11-24,training\n")
    (folder / "requirements.csv").write_text("interval_start,queue,required\n2026-11-23 08:00,voice,2\n2026-11-23 09:00,voice,3\n")
    (folder / "previous_roster.csv").write_text(
        "agent_id,name,queue,activity,start,end\na1,Ann,voice,work,2026-11-22T20:00:00,2026-11-23T04:00:00\n")

    scenario_id = store.import_scenario_folder(folder, center="south", by="planner")

    loaded, stored = load_scenario(folder), store.to_scenario(scenario_id)
    assert store.scenario_info(scenario_id).name == "week48"
    assert (stored.config, stored.agents, stored.time_off) == (loaded.config, loaded.agents, loaded.time_off)
    pd.testing.assert_frame_equal(stored.requirements, loaded.requirements)
    pd.testing.assert_frame_equal(stored.previous_roster, loaded.previous_roster)


# ---- roster versions -----------------------------------------------------------------------------


def test_roster_versions_publish_and_edit(store: Store, scenario_id: int):
    first = store.save_roster(scenario_id, roster(), by="planner", summary={"short_hours": 1.5})
    pd.testing.assert_frame_equal(store.load_roster(first), roster())
    assert store.latest_published(scenario_id) is None

    draft_edit = roster(queue="chat")
    assert store.save_roster_edit(first, draft_edit, by="planner") == first  # a draft is edited in place
    pd.testing.assert_frame_equal(store.load_roster(first), draft_edit)
    assert store.roster_summary(first) == {}  # the old summary described the old rows

    published = store.publish(first, by="lead")
    assert (published.status, published.published_by, published.number) == ("published", "lead", 1)
    assert store.publish(first, by="someone else") == published  # publishing again changes nothing

    second = store.save_roster_edit(first, roster("a2"), by="planner", summary={"short_hours": 0})
    assert second != first
    pd.testing.assert_frame_equal(store.load_roster(first), draft_edit)  # the published one is unchanged
    pd.testing.assert_frame_equal(store.load_roster(second), roster("a2"))
    new = store.get_version(second)
    assert (new.status, new.parent_id, new.number, new.week_start) == ("draft", first, 2, WEEK)
    assert store.roster_summary(second) == {"short_hours": 0}
    assert store.latest_published(scenario_id).id == first

    store.publish(second, by="lead")
    assert store.latest_published(scenario_id, WEEK).id == second
    assert [v.status for v in store.list_versions(scenario_id)] == ["published", "published"]


def test_a_stored_roster_keeps_the_agents_it_was_saved_with(store: Store, scenario_id: int):
    """History is immutable: removing or renaming agents afterwards changes no stored version."""
    saved = pd.concat([roster("a1"), roster("a2", day=WEEK + dt.timedelta(days=1))], ignore_index=True)
    published = store.save_roster(scenario_id, saved, by="planner")
    store.publish(published, by="lead")
    draft = store.save_roster_edit(published, saved, by="planner")
    store.replace_agents(scenario_id, [agent("a2", name="Bea Renamed"), agent("a3")])  # a1 has left

    for version in (published, draft):
        loaded = store.load_roster(version)
        pd.testing.assert_frame_equal(loaded, saved)
        assert dict(zip(loaded["agent_id"], loaded["name"])) == {"a1": "Agent a1", "a2": "Agent a2"}
    next_week = store.create_scenario(config(week_start=WEEK + dt.timedelta(days=7)), name="week 49", center="north")
    store.replace_agents(next_week, [agent("a2")])
    store.save_requirements(next_week, requirements(WEEK + dt.timedelta(days=7)))
    pd.testing.assert_frame_equal(store.to_scenario(next_week).previous_roster, saved)


def test_roster_weeks_are_numbered_separately(store: Store, scenario_id: int):
    next_week = WEEK + dt.timedelta(days=7)
    store.save_roster(scenario_id, roster(), by="planner")
    other = store.save_roster(scenario_id, roster(day=next_week), by="planner", week=next_week)
    assert store.get_version(other).number == 1
    assert [v.id for v in store.list_versions(scenario_id, next_week)] == [other]
    with pytest.raises(InputError, match="Monday"):
        store.save_roster(scenario_id, roster(), by="planner", week=WEEK + dt.timedelta(days=1))


def test_an_empty_roster_round_trips(store: Store, scenario_id: int):
    empty = roster().iloc[0:0]
    loaded = store.load_roster(store.save_roster(scenario_id, empty, by="planner"))
    assert loaded.empty and list(loaded.columns) == list(roster().columns)


# ---- bad input and failed writes leave the previous state --------------------------------------


def test_a_bad_agent_row_rejects_the_whole_batch(store: Store, scenario_id: int):
    batch = [agent("a3").model_dump(), {**agent("a4").model_dump(), "max_hours": -1}, agent("a5", skills=("email",))]
    with pytest.raises(InputError) as raised:
        store.replace_agents(scenario_id, batch)
    assert [(p.row, p.column) for p in raised.value.problems] == [(3, "max_hours"), (4, "skills")]
    assert store.load_agents(scenario_id) == AGENTS


def test_agents_must_be_unique_and_skilled_in_the_scenarios_queues(store: Store, scenario_id: int):
    with pytest.raises(InputError) as raised:
        store.replace_agents(scenario_id, [agent("a3"), agent("a3"), agent("a4", skills=("email",))])
    assert [(p.row, p.column) for p in raised.value.problems] == [(3, "agent_id"), (4, "skills")]
    assert store.load_agents(scenario_id) == AGENTS


def test_bad_tables_raise_located_problems_and_save_nothing(store: Store, scenario_id: int):
    bad = requirements()
    bad.loc[4, "required"] = -2
    with pytest.raises(InputError) as raised:
        store.save_requirements(scenario_id, bad)
    assert [(p.row, p.column) for p in raised.value.problems] == [(6, "required")]
    bad = requirements()
    bad.loc[1, "queue"] = "email"
    bad.loc[5, "interval_start"] += pd.Timedelta(minutes=30)
    with pytest.raises(InputError) as raised:
        store.save_requirements(scenario_id, bad)
    assert [(p.row, p.column) for p in raised.value.problems] == [(3, "queue"), (7, "interval_start")]
    with pytest.raises(InputError, match="agent_id"):
        store.save_roster(scenario_id, roster(agent_id=""), by="planner")
    with pytest.raises(InputError, match="unknown agent 'zz'"):
        store.replace_time_off(scenario_id, [{"agent_id": "zz", "start": "2026-11-24", "end": "2026-11-25"}])
    assert len(store.list_tables(scenario_id=scenario_id)) == 1 and store.list_versions(scenario_id) == []
    assert len(store.load_time_off(scenario_id)) == 1


def test_a_unit_of_work_that_fails_half_way_changes_nothing(store: Store, scenario_id: int):
    version = store.save_roster(scenario_id, roster(), by="planner")
    with pytest.raises(InputError):
        with store.transaction():
            store.replace_agents(scenario_id, [agent("b1")])  # written ...
            store.publish(version, by="lead")  # ... and this ...
            store.replace_time_off(scenario_id, [{"agent_id": "a1", "start": "2026-11-24", "end": "2026-11-23"}])
    assert store.load_agents(scenario_id) == AGENTS
    assert store.get_version(version).status == "draft"
    assert len(store.load_time_off(scenario_id)) == 1


def test_an_exception_inside_the_unit_of_work_rolls_back(store: Store, scenario_id: int):
    with pytest.raises(RuntimeError, match="power cut"):
        with store.transaction():
            store.save_scenario_config(scenario_id, config(interval_minutes=30))
            store.save_roster(scenario_id, roster(), by="planner")
            raise RuntimeError("power cut")
    assert store.load_scenario_config(scenario_id) == config()
    assert store.list_versions(scenario_id) == []


def test_to_scenario_rechecks_parts_saved_at_different_times(store: Store, scenario_id: int):
    store.save_scenario_config(scenario_id, config(queues={"voice": {}}))
    with pytest.raises(InputError) as raised:
        store.to_scenario(scenario_id)
    assert [(p.row, p.column) for p in raised.value.problems] == [(2, "skills")]


def test_the_store_and_a_folder_take_finer_requirements_alike(store: Store, scenario_id: int, tmp_path: Path):
    quarter_hours = pd.DataFrame({
        "interval_start": pd.date_range(pd.Timestamp(WEEK) + pd.Timedelta(hours=8), periods=4, freq="15min"),
        "queue": "voice", "contacts": 5.0, "aht_seconds": [100.0, 300.0, 100.0, 300.0], "required": [1, 3, 2, 0],
    })
    store.save_requirements(scenario_id, quarter_hours)
    hour = store.to_scenario(scenario_id).requirements.query("queue == 'voice'").iloc[8]
    assert (hour["required"], hour["contacts"], hour["aht_seconds"]) == (3, 20.0, 200.0)

    folder = tmp_path / "folder"
    scenario = store.to_scenario(scenario_id)
    write_scenario(folder, config(demand={"requirements": "requirements.csv"}), pd.DataFrame(
        [agent.model_dump() for agent in AGENTS]), files={"requirements.csv": quarter_hours})
    pd.testing.assert_frame_equal(load_scenario(folder).requirements, scenario.requirements)


def test_the_store_refuses_what_a_folder_refuses(store: Store, scenario_id: int):
    too_many = requirements()
    too_many.loc[0, "required"] = 10 * len(AGENTS) + 1
    with pytest.raises(InputError, match=f"more than 10 times the scenario's {len(AGENTS)} agents"):
        store.save_requirements(scenario_id, too_many)
    this_week = roster()  # this week's Monday, given as last week's roster
    with pytest.raises(InputError, match="not before the week being planned") as raised:
        store.save_previous_roster(scenario_id, this_week)
    assert raised.value.problems[0].row == 2
    store.save_previous_roster(scenario_id, roster(day=WEEK - dt.timedelta(days=1)))
