"""The roster simulation against known queueing results, and its edges: no agents, concurrency,
patience, an agent going off mid-contact, determinism, bad input."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecasts import erlang
from tabular import InputError
from forecasts.staffing import QueueTarget
from scheduler.check import check_roster
from scheduler.io import load_scenario, write_scenario
from scheduler.roster import write_roster
from scheduler.scenario import Agent, Scenario, ScenarioConfig
from scheduler.simulate import (
    SIMULATION_COLUMNS,
    Arrivals,
    HandleTime,
    SimulationSettings,
    parse_handle_time,
    serve,
    simulate_roster,
)
from scheduler.solve import solve_roster
from wfm.cli import app, simulation_table
from wfm.demo import write_demo_scenario

MONDAY = dt.datetime(2026, 11, 30)
WEEK = pd.Timedelta(days=7)
FEW = SimulationSettings(replications=4, seed=1, shrinkage="none")


def steady_case(agents: int, contacts_per_hour: float, aht: float, **queue) -> tuple[pd.DataFrame, Scenario]:
    """A cyclic week at a constant rate, hourly intervals, `agents` on work all week in queue `q`."""
    config = ScenarioConfig(week_start=MONDAY.date(), interval_minutes=60, queues={"q": {"shrinkage": 0.0, **queue}},
                            demand={"requirements": "requirements.csv"})
    starts = pd.date_range(MONDAY, periods=7 * 24, freq="60min")
    requirements = pd.DataFrame({"interval_start": starts, "queue": "q", "contacts": contacts_per_hour,
                                 "aht_seconds": aht, "required": 0})
    people = tuple(Agent(agent_id=f"a{i}", name=f"A{i}", skills=("q",), min_hours=0, max_hours=84)
                   for i in range(max(agents, 1)))
    roster = pd.DataFrame([{"agent_id": f"a{i}", "name": f"A{i}", "queue": "q", "activity": "work",
                            "start": MONDAY, "end": MONDAY + WEEK} for i in range(agents)],
                          columns=["agent_id", "name", "queue", "activity", "start", "end"])
    return roster, Scenario(config=config, agents=people, requirements=requirements)


def within_error(simulated: dict, exact: float) -> None:
    """The exact value lies in the replications' confidence interval (widened by a point for the
    warm-up's and the week's edges)."""
    assert simulated["low"] - 0.01 <= exact <= simulated["high"] + 0.01, (simulated, exact)


def test_mm_n_steady_state_matches_erlang_c():
    roster, case = steady_case(agents=5, contacts_per_hour=80, aht=180)  # 4 Erlangs on 5 agents
    result = simulate_roster(roster, case, FEW)
    week = result.summary["queues"]["q"]
    within_error(week["service_level"], float(erlang.service_level(4.0, 5, 180, 20)))
    assert week["asa_seconds"] == pytest.approx(float(erlang.asa(4.0, 5, 180)), rel=0.15)
    assert week["occupancy"] == pytest.approx(0.8, abs=0.02)
    assert week["abandon_rate"] == 0
    assert list(result.intervals.columns) == SIMULATION_COLUMNS
    assert len(result.intervals) == 7 * 24


def test_lognormal_handle_times_keep_the_mean_and_change_the_spread():
    rng = np.random.default_rng(0)
    draws = HandleTime("lognormal", 0.5).draw(rng, np.full(200_000, 300.0))
    assert draws.mean() == pytest.approx(300, rel=0.01)
    assert draws.std() / draws.mean() == pytest.approx(0.5, rel=0.02)
    # Less spread waits less than exponential handle times at the same load.
    roster, case = steady_case(agents=5, contacts_per_hour=80, aht=180)
    steady = simulate_roster(roster, case, FEW).summary["queues"]["q"]
    calm = simulate_roster(roster, case, SimulationSettings(4, 1, HandleTime("lognormal", 0.3), "none"))
    assert calm.summary["queues"]["q"]["asa_seconds"] < steady["asa_seconds"]


@pytest.mark.parametrize("text", ["lognormal", "lognormal:0", "lognormal:x", "gamma:1", "exponential:2"])
def test_bad_handle_time_is_an_input_error(text):
    with pytest.raises(InputError, match="--handle-time"):
        parse_handle_time(text)
    assert parse_handle_time("Lognormal:0.8") == HandleTime("lognormal", 0.8)


def test_no_agents_answer_nothing():
    roster, case = steady_case(agents=0, contacts_per_hour=20, aht=180)
    week = simulate_roster(roster, case, FEW).summary["queues"]["q"]
    assert week["offered"] > 0
    assert week["service_level"]["mean"] == 0
    assert week["abandon_rate"] == 0 and week["occupancy"] == 0  # without patience they wait for ever
    roster, impatient = steady_case(agents=0, contacts_per_hour=20, aht=180, patience_seconds=60)
    result = simulate_roster(roster, impatient, FEW)
    assert result.summary["queues"]["q"]["abandon_rate"] == 1
    assert (result.intervals["service_level"] == 0).all()


def test_chat_concurrency_k_makes_n_agents_n_times_k_servers():
    # 3 agents with 2 chats each against 6 one-chat agents: the same M/M/6 queue.
    roster, chat = steady_case(agents=3, contacts_per_hour=90, aht=200, concurrency=2)  # 5 Erlangs
    exact = float(erlang.service_level(5.0, 6, 200, 20))
    within_error(simulate_roster(roster, chat, FEW).summary["queues"]["q"]["service_level"], exact)
    roster, voice = steady_case(agents=6, contacts_per_hour=90, aht=200)
    within_error(simulate_roster(roster, voice, FEW).summary["queues"]["q"]["service_level"], exact)


def test_patience_abandonment_matches_erlang_a():
    # 6 Erlangs on 6 agents would grow without bound in Erlang C; patience keeps it stable.
    roster, case = steady_case(agents=6, contacts_per_hour=120, aht=180, patience_seconds=120)
    week = simulate_roster(roster, case, FEW).summary["queues"]["q"]
    assert week["abandon_rate"] == pytest.approx(float(erlang.erlang_a_abandon_rate(6.0, 6, 180, 120)), abs=0.01)
    within_error(week["service_level"], float(erlang.erlang_a_service_level(6.0, 6, 180, 20, 120)))


def contacts(times, services, deadlines=None) -> Arrivals:
    times = np.array(times, dtype=float)
    deadlines = np.full(len(times), np.inf) if deadlines is None else np.array(deadlines, dtype=float)
    return Arrivals(times, np.zeros(len(times), int), np.array(services, dtype=float), deadlines)


def test_an_agent_going_off_finishes_the_contact_and_takes_no_other():
    # On 0-100 s: the first contact (10 s, lasting 200 s) is finished past 100 s; the second (50 s)
    # waits for the agent back at 400 s; the third (500 s) hangs up at 550 s, after the agent left at 450 s.
    spans = [np.array([[0.0, 100.0], [400.0, 450.0]])]
    answered = serve(contacts([10, 50, 500], [200, 30, 10], [np.inf, np.inf, 550]), spans, slots=1)
    assert answered.tolist() == [10, 400, np.inf]


def test_fifo_with_two_slots_and_the_longest_idle_agent_first():
    spans = [np.array([[0.0, 1000.0]]), np.array([[5.0, 1000.0]])]
    # Agent 0 has been idle longest and takes the first contact; the second goes to agent 1 (slot 2 of
    # agent 0 is also free), the third and fourth fill the slots, the fifth waits for the first to end.
    answered = serve(contacts([10, 11, 12, 13, 14], [100, 100, 100, 100, 100]), spans, slots=2)
    assert answered.tolist() == [10, 11, 12, 13, 110]


def test_a_seed_gives_the_same_figures_and_each_replication_its_own_stream():
    roster, case = steady_case(agents=3, contacts_per_hour=40, aht=200, patience_seconds=300, shrinkage=0.2)
    first = simulate_roster(roster, case, SimulationSettings(replications=3, seed=7))
    again = simulate_roster(roster, case, SimulationSettings(replications=3, seed=7))
    other = simulate_roster(roster, case, SimulationSettings(replications=3, seed=8))
    pd.testing.assert_frame_equal(first.intervals, again.intervals)
    assert not first.intervals.equals(other.intervals)
    # The first replication is the same whether alone or first of three.
    alone = simulate_roster(roster, case, SimulationSettings(replications=1, seed=7))
    stopped = simulate_roster(roster, case, SimulationSettings(replications=3, seed=7, time_limit=1e-9))
    pd.testing.assert_frame_equal(alone.intervals, stopped.intervals)


def test_random_shrinkage_takes_its_share_of_the_time_off_the_phones():
    # 10 agents, 30 % shrinkage: 7 on the phones on average; the load is light, so occupancy =
    # traffic / slots on the phones.
    roster, case = steady_case(agents=10, contacts_per_hour=40, aht=180, shrinkage=0.3)  # 2 Erlangs
    week = simulate_roster(roster, case, SimulationSettings(replications=2)).summary["queues"]["q"]
    assert week["occupancy"] == pytest.approx(2 / 7, rel=0.05)
    none = simulate_roster(roster, case, SimulationSettings(replications=2, shrinkage="none"))
    assert none.summary["queues"]["q"]["occupancy"] == pytest.approx(2 / 10, rel=0.05)


def test_a_queue_carries_over_into_the_next_interval():
    # Monday 08:00-09:00 brings 60 contacts of 5 minutes to one agent: most are answered after 09:00,
    # and nobody arriving 09:00-10:00 (1 contact an hour) is answered in time.
    roster, case = steady_case(agents=1, contacts_per_hour=1, aht=300)
    rush = case.requirements["interval_start"] == MONDAY + pd.Timedelta(hours=8)
    case.requirements.loc[rush, "contacts"] = 60
    intervals = simulate_roster(roster, case, FEW).intervals.set_index("interval_start")
    assert intervals.loc[MONDAY + pd.Timedelta(hours=9), "service_level"] < 0.2
    assert intervals.loc[MONDAY + pd.Timedelta(hours=9), "occupancy"] == pytest.approx(1, abs=0.01)


def test_unknown_agents_and_queues_in_the_roster_are_located():
    roster, case = steady_case(agents=2, contacts_per_hour=10, aht=180)
    roster.loc[1, "agent_id"] = "zz"
    roster.loc[0, "queue"] = "email"
    with pytest.raises(InputError) as error:
        simulate_roster(roster, case, FEW)
    found = {(problem.row, problem.column): problem.message for problem in error.value.problems}
    assert "unknown agent 'zz'" in found[(3, "agent_id")]
    assert "unknown queue 'email'" in found[(2, "queue")]


# --- wfm simulate -----------------------------------------------------------------------------------

runner = CliRunner()


def cli_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A scenario folder with a roster of two voice agents on a patient queue and one chat agent."""
    roster, case = steady_case(agents=2, contacts_per_hour=20, aht=180)
    config = case.config.model_copy(update={"queues": {"q": case.config.queues["q"],
                                                       "chat": QueueTarget(concurrency=2, patience_seconds=120)}})
    chat = pd.DataFrame({"interval_start": case.requirements["interval_start"], "queue": "chat", "contacts": 10.0,
                         "aht_seconds": 300.0, "required": 0})
    agents = pd.DataFrame([person.model_dump() for person in case.agents] +
                          [dict(agent_id="c1", name="C1", skills=["chat"], min_hours=0, max_hours=84)])
    folder = write_scenario(tmp_path / "scenario", config, agents,
                            files={"requirements.csv": pd.concat([case.requirements, chat])})
    lunch = [{"agent_id": "c1", "name": "C1", "queue": "chat", "activity": "work", "start": MONDAY,
              "end": MONDAY + pd.Timedelta(hours=12)},
             {"agent_id": "c1", "name": "C1", "queue": "", "activity": "lunch",
              "start": MONDAY + pd.Timedelta(hours=12), "end": MONDAY + pd.Timedelta(hours=13)}]
    write_roster(pd.concat([roster, pd.DataFrame(lunch)], ignore_index=True), tmp_path / "roster.csv")
    return folder, tmp_path / "roster.csv"


def run_simulate(*arguments: str, exit_code: int):
    result = runner.invoke(app, ["simulate", *arguments])
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_cli_writes_the_intervals_and_the_week(tmp_path):
    folder, roster = cli_folder(tmp_path)
    out = tmp_path / "sim.csv"
    result = run_simulate("--scenario", str(folder), "--roster", str(roster), "--out", str(out),
                          "--replications", "3", "--handle-time", "lognormal:0.8", exit_code=0)
    table = pd.read_csv(out, parse_dates=["interval_start"])
    assert list(table.columns) == SIMULATION_COLUMNS and len(table) == 2 * 7 * 24
    summary = json.loads((tmp_path / "sim_summary.json").read_text())
    assert summary["replications"] == 3 and summary["handle_time"] == "lognormal:0.8"
    assert set(summary["queues"]) == {"q", "chat"}
    # The chat agent works Monday 00:00-12:00 only: after that every chat hangs up.
    chat = table[table["queue"] == "chat"].set_index("interval_start")
    assert chat.loc[MONDAY + pd.Timedelta(hours=14), "abandon_rate"] == 1
    assert chat.loc[MONDAY + pd.Timedelta(hours=2), "abandon_rate"] < 0.5
    assert "Simulated week" in result.output


def test_the_terminal_says_when_the_time_limit_cut_the_replications_short():
    assert simulation_table({"replications": 37, "replications_asked": 100, "queues": {}}).title == (
        "Simulated week (37 of 100 replications: the time limit was reached)")
    assert simulation_table({"replications": 100, "replications_asked": 100, "queues": {}}).title == (
        "Simulated week (100 replications)")


def test_a_horizon_of_two_weeks_is_simulated_week_after_week():
    # 5 agents in the first week, 6 in the second, at 4 Erlangs all along
    roster, case = steady_case(agents=6, contacts_per_hour=80, aht=180)
    case = dataclasses.replace(case, config=case.config.model_copy(update={"weeks": 2}),
                               requirements=pd.concat([case.requirements, case.requirements.assign(
                                   interval_start=case.requirements["interval_start"] + WEEK)], ignore_index=True))
    roster = pd.concat([roster[roster["agent_id"] != "a5"], roster.assign(start=MONDAY + WEEK, end=MONDAY + 2 * WEEK)],
                       ignore_index=True)
    result = simulate_roster(roster, case, FEW)
    assert len(result.intervals) == 2 * 7 * 24 and result.summary["weeks"] == 2
    assert result.intervals["interval_start"].iloc[-1] == MONDAY + 2 * WEEK - pd.Timedelta(hours=1)
    levels = result.intervals["service_level"]
    first, second = levels.iloc[:7 * 24].mean(), levels.iloc[7 * 24:].mean()
    assert first == pytest.approx(float(erlang.service_level(4.0, 5, 180, 20)), abs=0.03)
    assert second == pytest.approx(float(erlang.service_level(4.0, 6, 180, 20)), abs=0.03)
    assert result.summary["queues"]["q"]["offered"] == pytest.approx(2 * 7 * 24 * 80, rel=0.02)


def test_cli_weeks_sets_the_horizon(tmp_path):
    folder, roster = cli_folder(tmp_path)
    demand = pd.read_csv(folder / "requirements.csv", parse_dates=["interval_start"])
    pd.concat([demand, demand.assign(interval_start=demand["interval_start"] + WEEK)]).to_csv(
        folder / "requirements.csv", index=False)
    out = tmp_path / "sim.csv"
    result = run_simulate("--scenario", str(folder), "--roster", str(roster), "--out", str(out),
                          "--replications", "2", "--weeks", "2", exit_code=0)
    table = pd.read_csv(out, parse_dates=["interval_start"])
    assert len(table) == 2 * 2 * 7 * 24  # two queues, two weeks (the second without agents)
    assert json.loads((tmp_path / "sim_summary.json").read_text())["weeks"] == 2
    assert "Simulated 2 weeks" in " ".join(result.output.split())
    refused = run_simulate("--scenario", str(folder), "--roster", str(roster), "--weeks", "9", exit_code=2)
    assert "weeks" in refused.output


@pytest.mark.parametrize("arguments, where", [
    (["--handle-time", "gamma"], "--handle-time"),
    (["--shrinkage", "some"], "--shrinkage"),
])
def test_cli_bad_options_exit_2(tmp_path, arguments, where):
    folder, roster = cli_folder(tmp_path)
    result = run_simulate("--scenario", str(folder), "--roster", str(roster), *arguments, exit_code=2)
    assert where in result.output


def test_cli_unknown_agent_and_missing_files_are_located(tmp_path):
    folder, roster = cli_folder(tmp_path)
    text = roster.read_text().replace("a1,", "zz,", 1)
    roster.write_text(text)
    result = run_simulate("--scenario", str(folder), "--roster", str(roster), "--out", str(tmp_path / "s.csv"),
                          exit_code=2)
    assert "unknown agent 'zz'" in result.output and "roster.csv" in "".join(result.output.split())
    assert not (tmp_path / "s.csv").exists()
    missing = run_simulate("--scenario", str(folder), "--roster", str(tmp_path / "nope.csv"), exit_code=2)
    assert "nope.csv" in "".join(missing.output.split())
    run_simulate("--scenario", str(tmp_path / "nowhere"), "--roster", str(roster), exit_code=2)


# --- the week's edges -------------------------------------------------------------------------------


def work(agent_id: str, start: pd.Timestamp, end: pd.Timestamp) -> dict:
    return {"agent_id": agent_id, "name": agent_id.upper(), "queue": "q", "activity": "work", "start": start,
            "end": end}


def monday_night_level(roster: pd.DataFrame, case: Scenario) -> float:
    intervals = simulate_roster(roster, case, FEW).intervals.set_index("interval_start")
    return intervals.loc[MONDAY + pd.Timedelta(hours=2), "service_level"]


def test_a_cyclic_week_covers_monday_night_with_its_own_sunday_night():
    _, case = steady_case(agents=1, contacts_per_hour=4, aht=180)
    days = pd.DataFrame([work("a0", MONDAY + pd.Timedelta(hours=6), MONDAY + pd.Timedelta(days=6, hours=22))])
    assert monday_night_level(days, case) == 0
    sunday_night = work("a0", MONDAY + pd.Timedelta(days=6, hours=22), MONDAY + pd.Timedelta(days=7, hours=6))
    assert monday_night_level(pd.concat([days, pd.DataFrame([sunday_night])]), case) > 0.5


def test_a_chained_week_covers_monday_night_with_last_weeks_roster_only():
    _, case = steady_case(agents=1, contacts_per_hour=4, aht=180)
    this_week = pd.DataFrame([work("a0", MONDAY + pd.Timedelta(hours=6), MONDAY + pd.Timedelta(days=7, hours=6))])
    # Last week's Sunday is worked through (the simulation warms up on it), into Monday 06:00.
    last_week = pd.DataFrame([work("a0", MONDAY - pd.Timedelta(days=1), MONDAY + pd.Timedelta(hours=6))])
    assert monday_night_level(this_week, case) > 0.5  # cyclic: this Sunday night's tail
    chained = dataclasses.replace(case, previous_roster=last_week)
    assert monday_night_level(this_week, chained) > 0.5
    nobody = dataclasses.replace(case, previous_roster=last_week.iloc[:0])
    assert monday_night_level(this_week, nobody) == 0


# --- the sample center ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Scenario]:
    scenario = load_scenario(write_demo_scenario(tmp_path_factory.mktemp("demo") / "scenario"))
    result = solve_roster(scenario, time_limit=10, workers=2)
    assert check_roster(result.roster, scenario) == []
    return result.roster, scenario


def test_the_sample_roster_without_shrinkage_meets_erlang(sample):
    roster, scenario = sample
    # Without shrinkage Erlang's agents on the phones are whole, and the simulation should agree with it
    # over the week (it is a little better: an agent on work for part of an interval helps in it).
    queues = {name: target.model_copy(update={"shrinkage": 0.0}) for name, target in scenario.config.queues.items()}
    plain = dataclasses.replace(scenario, config=scenario.config.model_copy(update={"queues": queues}))
    result = simulate_roster(roster, plain, SimulationSettings(replications=5))
    for queue, week in result.summary["queues"].items():
        assert week["expected"] - 0.005 <= week["service_level"]["mean"] <= week["expected"] + 0.02, queue
        forecast = scenario.requirements.loc[scenario.requirements["queue"] == queue, "contacts"].sum()
        assert week["offered"] == pytest.approx(forecast, rel=0.03)


def test_the_sample_roster_with_random_shrinkage_meets_the_expected_service_level(sample):
    roster, scenario = sample
    result = simulate_roster(roster, scenario, SimulationSettings(replications=5))
    for week in result.summary["queues"].values():
        # The expectation counts shrinkage as a fraction of the agents, the contacts they finish going
        # off the phones and the chance nobody is on them (`forecasts.staffing.rostered_service_level`).
        assert abs(week["service_level"]["mean"] - week["expected"]) <= 0.03
        assert 0 < week["occupancy"] < 1
    low, level, high = (result.intervals[column] for column in ("service_level_low", "service_level",
                                                                "service_level_high"))
    # The interval is missing only where a single replication had a contact.
    assert ((low <= level + 1e-12) & (level <= high + 1e-12) | low.isna()).all()
    assert low.notna().mean() > 0.9


def test_the_time_limit_keeps_the_replications_done():
    roster, case = steady_case(agents=2, contacts_per_hour=10, aht=180)
    result = simulate_roster(roster, case, SimulationSettings(replications=5, time_limit=1e-9))
    assert result.replications == result.summary["replications"] == 1
    assert result.summary["replications_asked"] == 5
    assert result.intervals["service_level_low"].isna().all()  # one replication: no interval
