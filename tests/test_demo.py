"""The bundled sample center as a scenario folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfm.demo import DEMO_WEEK, TARGET_LOAD, covering_share, required_agent_hours, write_demo_scenario
from scheduler.io import load_scenario, read_config
from scheduler.scenario import MINUTES_PER_WEEK


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo_scenario(tmp_path_factory.mktemp("demo") / "scenario")


@pytest.fixture(scope="module")
def scenario(demo_folder: Path):
    return load_scenario(demo_folder)


def test_demo_loads_with_two_queues_and_demand_around_the_clock(scenario):
    assert scenario.config.week_start == DEMO_WEEK
    assert set(scenario.config.queues) == {"voice", "chat"}
    table = scenario.requirements
    assert len(table) == 2 * MINUTES_PER_WEEK // scenario.config.interval_minutes
    per_interval = table.groupby("interval_start")["required"].sum()
    assert (per_interval > 0).all()  # 24/7: someone is needed in every interval, nights included


def test_team_is_sized_to_the_demand(scenario):
    # 8 h shifts pay 7.5 h (unpaid 30-min lunch) and cover 6.5 h (each break costs a 30-min interval)
    assert covering_share(scenario.config) == pytest.approx(6.5 / 7.5)
    paid = required_agent_hours(scenario.requirements) / covering_share(scenario.config)
    load = paid / sum(agent.max_hours for agent in scenario.agents)
    assert abs(load - TARGET_LOAD) < 0.02
    assert sum(agent.min_hours for agent in scenario.agents) < paid < sum(agent.max_hours for agent in scenario.agents)


def test_team_mix(scenario):
    agents = scenario.agents
    size = len(agents)
    full_time = [agent for agent in agents if agent.min_hours == 36]
    students = [agent for agent in agents if agent.earliest_start is not None]
    assert len(full_time) == pytest.approx(size * 2 / 3, abs=1)
    assert len(students) == pytest.approx(size * 2 / 15, abs=1)
    assert sum("chat" in agent.skills and "voice" in agent.skills for agent in agents) == pytest.approx(size / 3, abs=1)
    assert 0 < sum(agent.skills == ("chat",) for agent in agents) < size / 5
    assert sum(not agent.night_ok for agent in agents) == pytest.approx(size * 0.15, abs=1)
    assert any(agent.preferred for agent in agents)
    assert len({agent.name for agent in agents}) == size
    assert {leave.reason for leave in scenario.time_off} == {"vacation", "doctor's appointment"}


def test_same_seed_same_folder_other_seed_other_team(demo_folder: Path, tmp_path: Path):
    again = write_demo_scenario(tmp_path / "again")
    other = write_demo_scenario(tmp_path / "other", seed=12)
    for name in ("scenario.yaml", "agents.csv", "time_off.csv", "forecast.csv"):
        assert (again / name).read_bytes() == (demo_folder / name).read_bytes()
    assert (other / "agents.csv").read_bytes() != (demo_folder / "agents.csv").read_bytes()


def test_history_as_demand(tmp_path: Path):
    folder = write_demo_scenario(tmp_path, demand="history")
    demand = read_config(folder).demand  # loading would run the full backtest: 12-35 s
    assert (demand.history, demand.special_days) == ("history.csv", "special_days.csv")
    assert (folder / demand.history).exists() and not (folder / "forecast.csv").exists()


def test_the_demo_with_its_deferred_queues_gives_the_solver_twice_the_time(tmp_path: Path):
    deferred = load_scenario(write_demo_scenario(tmp_path / "deferred", deferred=True))
    assert {name for name, queue in deferred.config.queues.items() if queue.deferred} == {"email", "social"}
    assert deferred.config.solver.time_limit_seconds == 60
    assert read_config(tmp_path / "deferred").solver.time_limit_seconds == 60  # written in its scenario.yaml


def test_the_realtime_demo_keeps_the_default_time_limit(scenario):
    assert scenario.config.solver.time_limit_seconds == 30
