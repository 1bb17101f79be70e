"""Loading a scenario folder: config, agents, time off, previous roster, and the three demand sources."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest

from scheduler.io import load_scenario, write_scenario
from scheduler.scenario import ScenarioConfig
from tabular import InputError

WEEK = pd.Timestamp("2026-11-23")


def config(**overrides) -> dict:
    settings = {
        "week_start": "2026-11-23",
        "interval_minutes": 60,
        "queues": {"voice": {}, "chat": {"concurrency": 2, "answer_seconds": 60}},
        "demand": {"requirements": "requirements.csv"},
    }
    return {**settings, **overrides}


def agents() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"agent_id": "A1", "name": "Anna Berg", "skills": ["voice"], "min_hours": 30, "max_hours": 40,
             "max_days": 5, "night_ok": True, "earliest_start": None, "latest_end": None, "preferred": "early"},
            {"agent_id": "A2", "name": "Ben Cole", "skills": ["voice", "chat"], "min_hours": 10, "max_hours": 20,
             "max_days": None, "night_ok": False, "earliest_start": dt.time(8), "latest_end": dt.time(20),
             "preferred": None},
            {"agent_id": "A3", "name": "Cem Demir", "skills": ["chat"], "min_hours": 0, "max_hours": 12,
             "max_days": 3, "night_ok": "no", "earliest_start": "18:00", "latest_end": "02:00", "preferred": "late"},
        ]
    )


def requirements(hours: int = 24, queue: str = "voice", freq: str = "60min", start=WEEK) -> pd.DataFrame:
    starts = pd.date_range(start, periods=hours * pd.Timedelta("60min") // pd.Timedelta(freq), freq=freq)
    # 0, 1, 2, ... up to 29: at most ten times the three agents
    return pd.DataFrame({"interval_start": starts, "queue": queue, "required": [i % 30 for i in range(len(starts))]})


def time_off() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "agent_id": ["A1", "A2"],
            "start": ["2026-11-25", "2026-11-24 14:00"],
            "end": ["2026-11-26", "2026-11-24T16:00"],
            "reason": ["vacation", "doctor"],
        }
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_scenario(tmp_path / "scenario", config(), agents(), time_off(),
                          files={"requirements.csv": requirements()})


def problems_of(folder: Path) -> list:
    with pytest.raises(InputError) as caught:
        load_scenario(folder)
    return caught.value.problems


def the_problem(folder: Path, file: str, row: int | None, column: str | None, words: str):
    """The one problem of the load at (file, row, column), whose message says `words`."""
    found = [p for p in problems_of(folder) if Path(p.file).name == file and p.row == row and p.column == column]
    assert found, problems_of(folder)
    assert any(words in p.message for p in found), found
    return found[0]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, text
    path.write_text(text.replace(old, new, 1))


# --- happy path -------------------------------------------------------------------------------


def test_loads_config_agents_time_off_and_the_week_of_requirements(folder: Path):
    scenario = load_scenario(folder)

    assert scenario.config.interval_minutes == 60
    assert [agent.agent_id for agent in scenario.agents] == ["A1", "A2", "A3"]
    ben, cem = scenario.agent("A2"), scenario.agent("A3")
    assert ben.skills == ("voice", "chat") and not ben.night_ok and ben.earliest_start == dt.time(8)
    assert cem.latest_end == dt.time(2) and cem.preferred == "late" and cem.max_days == 3
    assert scenario.previous_roster is None and scenario.cyclic

    table = scenario.requirements
    assert list(table.columns) == ["interval_start", "queue", "contacts", "aht_seconds", "required"]
    assert len(table) == 7 * 24 * 2  # every interval of the week for both declared queues
    assert table.equals(table.sort_values(["interval_start", "queue"], ignore_index=True))
    voice = table[table["queue"] == "voice"].set_index("interval_start")["required"]
    assert voice[WEEK + pd.Timedelta(hours=5)] == 5
    assert voice[WEEK + pd.Timedelta(days=3)] == 0  # absent from the file: nobody needed
    assert (table.loc[table["queue"] == "chat", "required"] == 0).all()


def test_a_date_as_end_means_the_whole_day(tmp_path: Path):
    leave = pd.DataFrame({"agent_id": ["A1"], "start": ["2026-11-25"], "end": ["2026-11-25"], "reason": [""]})
    folder = write_scenario(tmp_path, config(), agents(), leave, files={"requirements.csv": requirements()})
    (day,) = load_scenario(folder).time_off
    assert (day.start, day.end) == (dt.datetime(2026, 11, 25), dt.datetime(2026, 11, 26))


def test_toml_config_and_unquoted_clock_times_in_yaml(tmp_path: Path, folder: Path):
    edit(folder / "scenario.yaml", "interval_minutes: 60\n",
         "interval_minutes: 60\nrules:\n  night_start: 21:30\nshift_templates:\n"
         "- {name: day, earliest_start: 7:00:00, latest_start: 16:00}\n")
    scenario = load_scenario(folder)
    assert scenario.config.rules.night_start == dt.time(21, 30)  # not 1290 seconds after midnight
    assert scenario.config.shift_templates[0].earliest_start == dt.time(7)
    assert scenario.config.shift_templates[0].latest_start == dt.time(16)

    (folder / "scenario.yaml").unlink()
    (folder / "scenario.toml").write_text(
        'week_start = 2026-11-23\ninterval_minutes = 60\n[queues.voice]\n[queues.chat]\n'
        '[demand]\nrequirements = "requirements.csv"\n'
    )
    assert set(load_scenario(folder).config.queues) == {"voice", "chat"}


def test_written_scenario_reads_back(tmp_path: Path):
    settings = ScenarioConfig.model_validate(config(rules={"min_rest_hours": 12, "night_start": "21:00"}))
    last_week = pd.DataFrame(
        {"agent_id": ["A1"], "name": ["Anna Berg"], "queue": ["voice"], "activity": ["work"],
         "start": [pd.Timestamp("2026-11-22 22:00")], "end": [pd.Timestamp("2026-11-23 06:00")]}
    )
    folder = write_scenario(tmp_path, settings, agents(), time_off(), last_week,
                            files={"requirements.csv": requirements()})
    scenario = load_scenario(folder)
    assert scenario.config == settings
    assert len(scenario.previous_roster) == 1 and not scenario.cyclic
    assert [leave.reason for leave in scenario.time_off] == ["vacation", "doctor"]


# --- bad input: every problem names file, row and column ---------------------------------------


@pytest.mark.parametrize(
    "old, new, row, column, words",
    [
        ("A2,Ben Cole", "A1,Ben Cole", 3, "agent_id", "duplicate agent_id 'A1'"),
        ("voice;chat", "voice;email", 3, "skills", "unknown skill 'email'"),
        ("08:00", "8h", 3, "earliest_start", "'8h' is not a time of day"),
        ("20:00", "25:00", 3, "latest_end", "not a time of day"),
        ("Anna Berg,voice,30", "Anna Berg,voice,-5", 2, "min_hours", "min hours must be at least 0"),
        ("Ben Cole,voice;chat,10,20", "Ben Cole,voice;chat,30,20", 3, "max_hours", "min_hours 30 is above max_hours 20"),
        (",no,18:00", ",nope,18:00", 4, "night_ok", "'nope' is not yes or no"),
        (",late\n", ",evening\n", 4, "preferred", "'early', 'day', 'late' or 'night'"),
        ("Anna Berg,voice,30,40", "Anna Berg,voice,thirty,40", 2, "min_hours", "must be a number"),
        ("A1,Anna Berg", "A1,", 2, "name", "is empty"),
        ("preferred\n", "preferred,team\n", 1, "team", "unknown column 'team'"),
    ],
)
def test_bad_agents(folder: Path, old, new, row, column, words):
    edit(folder / "agents.csv", old, new)
    the_problem(folder, "agents.csv", row, column, words)


def test_missing_column_and_empty_agents_file(folder: Path):
    agents().drop(columns="max_hours").map(str).to_csv(folder / "agents.csv", index=False)
    problem = the_problem(folder, "agents.csv", 1, "max_hours", "missing required column 'max_hours'")
    assert "agents.csv, row 1, column 'max_hours'" in str(problem)

    (folder / "agents.csv").write_text("")
    the_problem(folder, "agents.csv", None, None, "empty")
    (folder / "agents.csv").write_text("agent_id,name,skills,min_hours,max_hours\n")
    the_problem(folder, "agents.csv", None, None, "no agents")


def test_all_bad_agent_rows_are_reported_at_once(folder: Path):
    edit(folder / "agents.csv", "A2,Ben Cole", "A1,Ben Cole")
    edit(folder / "agents.csv", "08:00", "8h")
    edit(folder / "agents.csv", ",late\n", ",evening\n")
    rows = {(p.row, p.column) for p in problems_of(folder)}
    assert rows == {(3, "agent_id"), (3, "earliest_start"), (4, "preferred")}


@pytest.mark.parametrize(
    "old, new, row, column, words",
    [
        ("A2,2026-11-24 14:00", "Z9,2026-11-24 14:00", 3, "agent_id", "unknown agent 'Z9'"),
        ("2026-11-24T16:00", "2026-11-24T12:00", 3, "end", "is not after start"),
        ("2026-11-24 14:00", "tomorrow", 3, "start", "cannot read 'tomorrow'"),
    ],
)
def test_bad_time_off(folder: Path, old, new, row, column, words):
    edit(folder / "time_off.csv", old, new)
    the_problem(folder, "time_off.csv", row, column, words)


def test_unknown_agent_in_previous_roster(folder: Path):
    pd.DataFrame(
        {"agent_id": ["A1", "Z9"], "name": ["Anna Berg", "Zoe"], "queue": ["voice", "voice"],
         "activity": ["work", "work"], "start": ["2026-11-22T08:00:00"] * 2, "end": ["2026-11-22T16:00:00"] * 2}
    ).to_csv(folder / "previous_roster.csv", index=False)
    the_problem(folder, "previous_roster.csv", 3, "agent_id", "unknown agent 'Z9'")


def test_rows_of_the_previous_roster_count_blank_lines(folder: Path):
    header = "agent_id,name,queue,activity,start,end\n"
    row = "{},{},voice,work,2026-11-22T08:00:00,2026-11-22T16:00:00\n"
    (folder / "previous_roster.csv").write_text(header + row.format("A1", "Anna Berg") + "\n\n" + row.format("Z9", "Zoe"))
    the_problem(folder, "previous_roster.csv", 5, "agent_id", "unknown agent 'Z9'")


@pytest.mark.parametrize(
    "old, new, column, words",
    [
        ("interval_minutes: 60\n", "interval_minutes: 60\nrules:\n  min_rst_hours: 12\n",
         "rules.min_rst_hours", "unknown key"),
        ("interval_minutes: 60\n", "interval_minutes: 60\nrules:\n  min_rest_hours: -1\n",
         "rules.min_rest_hours", "rules → min rest hours must be at least 0"),
        ("2026-11-23", "2026-11-24", "week_start", "is a Tuesday"),
    ],
)
def test_bad_config(folder: Path, old, new, column, words):
    edit(folder / "scenario.yaml", old, new)
    problem = the_problem(folder, "scenario.yaml", None, column, words)
    assert not problem.message.startswith("Value error")


def test_problems_of_several_files_come_together(folder: Path):
    edit(folder / "agents.csv", "08:00", "8h")
    edit(folder / "time_off.csv", "2026-11-24 14:00", "tomorrow")
    assert {Path(p.file).name for p in problems_of(folder)} == {"agents.csv", "time_off.csv"}


# --- demand -----------------------------------------------------------------------------------


def test_requirements_with_an_undeclared_queue(tmp_path: Path):
    table = pd.concat([requirements(), requirements(queue="email")], ignore_index=True)
    folder = write_scenario(tmp_path, config(), agents(), files={"requirements.csv": table})
    problem = the_problem(folder, "requirements.csv", 26, "queue", "queue 'email' is not declared")
    assert "voice, chat" in problem.message


def test_bad_requirement_cells(tmp_path: Path):
    table = requirements().astype(object)
    table.loc[2, "required"] = "2.5"
    table.loc[3, "required"] = "-1"
    table.loc[4, "interval_start"] = "soon"
    folder = write_scenario(tmp_path, config(), agents(), files={"requirements.csv": table})
    assert {(p.row, p.column) for p in problems_of(folder)} == {(4, "required"), (5, "required"), (6, "interval_start")}


def test_coarser_requirements_are_refused(tmp_path: Path):
    folder = write_scenario(tmp_path, config(interval_minutes=30), agents(), files={"requirements.csv": requirements()})
    problem = the_problem(folder, "requirements.csv", None, "interval_start", "60-minute intervals")
    assert "interval_minutes: 30" in problem.message


def test_finer_requirements_take_the_peak_of_each_interval(tmp_path: Path):
    table = requirements(freq="15min")  # required 0, 1, 2, 3 in the first hour
    table["contacts"] = 10.0
    table["aht_seconds"] = [100.0, 300.0] * (len(table) // 2)
    folder = write_scenario(tmp_path, config(), agents(), files={"requirements.csv": table})
    first = load_scenario(folder).requirements.query("queue == 'voice'").iloc[0]
    assert (first["required"], first["contacts"], first["aht_seconds"]) == (3, 40.0, 200.0)


def test_rows_outside_the_week_are_dropped_and_a_week_without_rows_is_an_error(tmp_path: Path):
    table = requirements(hours=48, start=WEEK - pd.Timedelta(days=1))
    folder = write_scenario(tmp_path, config(), agents(), files={"requirements.csv": table})
    voice = load_scenario(folder).requirements.query("queue == 'voice'")
    assert voice["required"].iloc[0] == 24 and voice["interval_start"].min() == WEEK

    next_week = requirements(start=WEEK + pd.Timedelta(days=7))
    write_scenario(folder, config(), agents(), files={"requirements.csv": next_week})
    the_problem(folder, "requirements.csv", None, None, "no rows in the week of 2026-11-23")


def test_a_horizon_of_weeks_needs_demand_in_every_week_and_the_missing_ones_are_named(tmp_path: Path):
    two_weeks = pd.concat([requirements(), requirements(start=WEEK + pd.Timedelta(days=14))])
    folder = write_scenario(tmp_path, config(weeks=3), agents(), files={"requirements.csv": two_weeks})
    problem = the_problem(folder, "requirements.csv", None, None, "no rows in the week of 2026-11-30 ")
    assert "weeks: 3 plans every week from 2026-11-23" in problem.message
    scenario = load_scenario(folder, weeks=1)  # as `wfm roster --weeks 1` overrides it
    assert scenario.config.weeks == 1 and len(scenario.requirements) == 7 * 24 * 2
    with_the_gap = pd.concat([two_weeks, requirements(start=WEEK + pd.Timedelta(days=7))])
    write_scenario(folder, config(weeks=3), agents(), files={"requirements.csv": with_the_gap})
    assert len(load_scenario(folder).requirements) == 3 * 7 * 24 * 2
    with pytest.raises(InputError, match="--weeks 7: plan from 1 to 6 weeks"):
        load_scenario(folder, weeks=7)


def test_a_history_is_forecast_over_every_week_of_the_horizon(tmp_path: Path):
    from forecasts.sample import sample_history

    history = sample_history(weeks=2, interval_minutes=60)
    folder = write_scenario(tmp_path, config(demand={"history": "history.csv"}, weeks=2), agents(),
                            files={"history.csv": history})
    table = load_scenario(folder).requirements
    assert table["interval_start"].max() == WEEK + pd.Timedelta(days=14) - pd.Timedelta(hours=1)
    assert table[table["interval_start"] >= WEEK + pd.Timedelta(days=7)]["required"].gt(0).mean() > 0.5


def test_a_previous_roster_may_hold_several_weeks(folder: Path):
    roster_rows(("A1", "2026-11-02T08:00:00", "2026-11-02T16:00:00"),
                ("A1", "2026-11-20T08:00:00", "2026-11-20T16:00:00")).to_csv(folder / "previous_roster.csv",
                                                                             index=False)
    assert len(load_scenario(folder).previous_roster) == 2


def test_forecast_is_staffed_at_the_queue_targets(tmp_path: Path):
    starts = pd.date_range(WEEK, periods=4, freq="60min")
    forecast = pd.DataFrame({"interval_start": starts.repeat(2), "queue": ["voice", "chat"] * 4,
                             "contacts": [0.0, 0.0, 50.0, 50.0, 100.0, 100.0, 200.0, 200.0], "aht_seconds": 300.0,
                             "method": "test"})
    folder = write_scenario(tmp_path, config(demand={"forecast": "forecast.csv"}), agents(),
                            files={"forecast.csv": forecast})
    table = load_scenario(folder).requirements
    first_hours = table[table["interval_start"] < WEEK + pd.Timedelta(hours=4)]
    voice = first_hours.query("queue == 'voice'")["required"].tolist()
    chat = first_hours.query("queue == 'chat'")["required"].tolist()
    assert voice[0] == 0 and voice == sorted(voice) and voice[-1] > voice[1] > 0
    assert all(c < v for c, v in zip(chat[1:], voice[1:]))  # two chats at once need fewer agents
    assert table["required"].iloc[8:].eq(0).all()


def band_forecast(minutes: int = 60) -> pd.DataFrame:
    """Four busy hours of voice with an 80 % band up to half again the forecast."""
    starts = pd.date_range(WEEK, periods=4 * 60 // minutes, freq=f"{minutes}min")
    contacts = 100.0 * minutes / 60
    return pd.DataFrame({"interval_start": starts, "queue": "voice", "contacts": contacts, "aht_seconds": 300.0,
                         "contacts_lo80": 0.7 * contacts, "contacts_hi80": 1.5 * contacts,
                         "contacts_lo95": 0.5 * contacts, "contacts_hi95": 2.0 * contacts})


@pytest.mark.parametrize("minutes", [60, 15])
def test_a_forecasts_bands_set_the_contacts_staffed_to_a_quantile(tmp_path: Path, minutes: int):
    queues = {"voice": {"quantile": 0.8}, "chat": {}}
    with_bands = write_scenario(tmp_path / "bands", config(queues=queues, demand={"forecast": "f.csv"}),
                                agents(), files={"f.csv": band_forecast(minutes)})
    plain = write_scenario(tmp_path / "plain", config(queues=queues, demand={"forecast": "f.csv"}),
                           agents(), files={"f.csv": band_forecast(minutes).iloc[:, :4]})
    wide, poisson = (load_scenario(folder).requirements.query("queue == 'voice'").iloc[:4]
                     for folder in (with_bands, plain))
    assert (wide["contacts"] == 100.0).all() and (poisson["contacts"] == 100.0).all()  # 15-minute rows summed
    # the 80 % quantile of the band: 100 + 50 × z(0.8) / z(0.9) ≈ 133 contacts, against Poisson's 108
    assert (wide["required"] > poisson["required"]).all()


def test_a_forecasts_bad_bands_are_refused_at_their_cell(tmp_path: Path):
    forecast = band_forecast()
    forecast.loc[1, "contacts_hi80"] = 90.0
    folder = write_scenario(tmp_path, config(demand={"forecast": "forecast.csv"}), agents(),
                            files={"forecast.csv": forecast})
    the_problem(folder, "forecast.csv", 3, "contacts_hi80", "contacts 100 is above contacts_hi80 90")


def test_a_history_is_staffed_to_a_quantile_of_its_forecasts_bands(tmp_path: Path):
    from forecasts.forecast import forecast_history
    from forecasts.sample import sample_history
    from forecasts.staffing import staffing_requirements

    history = sample_history(weeks=6, interval_minutes=60)
    settings = config(queues={"voice": {"quantile": 0.9}, "chat": {"concurrency": 2}},
                      demand={"history": "history.csv"})
    folder = write_scenario(tmp_path, settings, agents(), files={"history.csv": history})
    loaded = load_scenario(folder)
    forecast = forecast_history(history, WEEK).forecast
    expected = staffing_requirements(forecast, ScenarioConfig.model_validate(settings).staffing_config(), 60)
    merged = loaded.requirements.merge(expected, on=["interval_start", "queue"], suffixes=("", "_expected"))
    assert len(merged) == len(loaded.requirements)
    assert (merged["required"] == merged["required_expected"]).all()


def test_history_is_forecast_then_staffed(tmp_path: Path):
    from forecasts.sample import sample_history

    history = sample_history(weeks=2, interval_minutes=60)  # too short to backtest: fast
    folder = write_scenario(tmp_path, config(demand={"history": "history.csv"}), agents(),
                            files={"history.csv": history})
    steps = []
    table = load_scenario(folder, progress=lambda step, total, message: steps.append(step)).requirements
    assert len(table) == 7 * 24 * 2 and steps
    assert table["required"].gt(0).mean() > 0.5  # a 24/7 center


def test_a_historys_forecast_keeps_the_scenarios_time_limit_and_says_so(tmp_path: Path):
    from forecasts.sample import sample_history

    history = sample_history(weeks=6, interval_minutes=60)
    settings = config(demand={"history": "history.csv", "forecast_time_limit_seconds": 0.001})
    loaded = load_scenario(write_scenario(tmp_path, settings, agents(), files={"history.csv": history}))
    assert len(loaded.requirements) == 7 * 24 * 2
    assert any("time limit 0.001 s" in note and "not tried" in note and "mstl" in note for note in loaded.notes)
    settings["demand"]["forecast_time_limit_seconds"] = 0
    with pytest.raises(InputError, match="demand → forecast time limit seconds must be more than 0"):
        write_scenario(tmp_path / "zero", settings, agents(), files={"history.csv": history})


def test_history_with_an_undeclared_queue(tmp_path: Path):
    from forecasts.sample import sample_history

    history = sample_history(weeks=2, interval_minutes=60)
    folder = write_scenario(tmp_path, config(queues={"voice": {}}, demand={"history": "history.csv"}), agents(),
                            files={"history.csv": history})
    # The sample history lists chat first; it was re-sorted on reading, the row is still the file's.
    the_problem(folder, "history.csv", 2, "queue", "queue 'chat' is not declared")


# --- input limits and what is refused ---------------------------------------------------------


@pytest.mark.parametrize("named", ["../outside.csv", "/etc/passwd", "../../../../etc/passwd", "link.csv"])
def test_a_demand_file_outside_the_folder_is_refused_unread(tmp_path: Path, named: str):
    folder = write_scenario(tmp_path / "scenario", config(demand={"forecast": named}), agents())
    secret = tmp_path / "outside.csv"
    secret.write_text("interval_start,queue,contacts,aht_seconds\nTOP SECRET,voice,1,1\n")
    (folder / "link.csv").symlink_to(secret)
    (problem,) = problems_of(folder)
    assert (problem.column, problem.file) == ("demand.forecast", str(folder))
    assert "outside the scenario folder" in problem.message and "SECRET" not in problem.message


def test_a_scenario_file_linked_from_outside_the_folder_is_refused(folder: Path, tmp_path: Path):
    outside = tmp_path / "agents.csv"
    (folder / "agents.csv").rename(outside)
    (folder / "agents.csv").symlink_to(outside)
    the_problem(folder, "agents.csv", None, None, "links to a file outside the scenario folder")


def test_a_special_file_as_demand_is_refused(folder: Path):
    (folder / "requirements.csv").unlink()
    os.mkfifo(folder / "requirements.csv")  # nobody writes to it: reading it would wait for ever
    the_problem(folder, "requirements.csv", None, None, "not a regular file")


def test_more_agents_than_the_limit_are_refused(folder: Path, monkeypatch):
    monkeypatch.setenv("WFM_MAX_AGENTS", "2")
    the_problem(folder, "agents.csv", None, None, "more than 2 agents (WFM_MAX_AGENTS)")


@pytest.mark.parametrize("column, value, words", [
    ("contacts", "1e308", "implausible"),
    ("contacts", "1e12", "implausible"),
    ("aht_seconds", "1e12", "not a plausible average handle time"),
    ("aht_seconds", "inf", "'inf' is not a number"),
    ("contacts", "nan", "'nan' is not a number"),
    ("required", "31", "more than 10 times the scenario's 3 agents"),
    ("required", "1e12", "more than 10 times the scenario's 3 agents"),
])
def test_implausible_requirement_numbers_are_refused_with_their_cell(tmp_path: Path, column: str, value: str,
                                                                     words: str):
    table = requirements().assign(contacts=10.0, aht_seconds=300.0).astype(object)
    table.loc[3, column] = value
    folder = write_scenario(tmp_path, config(), agents(), files={"requirements.csv": table})
    the_problem(folder, "requirements.csv", 5, column, words)


@pytest.mark.parametrize("column, value, words", [
    ("contacts", "1e308", "implausible"),
    ("aht_seconds", "90000", "not a plausible average handle time"),
])
def test_implausible_forecast_numbers_are_refused_with_their_cell(tmp_path: Path, column: str, value: str,
                                                                  words: str):
    starts = pd.date_range(WEEK, periods=4, freq="60min")
    forecast = pd.DataFrame({"interval_start": starts, "queue": "voice", "contacts": 50.0, "aht_seconds": 300.0})
    forecast = forecast.astype(object)
    forecast.loc[2, column] = value
    folder = write_scenario(tmp_path, config(demand={"forecast": "forecast.csv"}), agents(),
                            files={"forecast.csv": forecast})
    the_problem(folder, "forecast.csv", 4, column, words)


def roster_rows(*shifts: tuple[str, str, str]) -> pd.DataFrame:
    """A roster of work segments (agent, start, end)."""
    return pd.DataFrame([{"agent_id": agent, "name": agent, "queue": "voice", "activity": "work",
                          "start": start, "end": end} for agent, start, end in shifts])


def test_a_previous_roster_reaching_into_the_week_is_refused(folder: Path):
    roster_rows(
        ("A1", "2026-11-22T22:00:00", "2026-11-23T02:00:00"),  # Sunday night: may run into Monday
        ("A1", "2026-11-23T02:00:00", "2026-11-23T06:00:00"),  # ... still the same shift
        ("A2", "2026-11-23T08:00:00", "2026-11-23T16:00:00"),  # this week's Monday: refused
        ("A3", "2026-11-21T20:00:00", "2026-11-23T01:00:00"),  # from Saturday: refused
    ).to_csv(folder / "previous_roster.csv", index=False)
    problems = problems_of(folder)
    assert [(p.row, p.column) for p in problems] == [(4, "start"), (5, "start")]
    assert "not before the week being planned (from Monday 2026-11-23 00:00)" in problems[0].message
    assert "runs from 2026-11-21 20:00 to 2026-11-23 01:00, into the week being planned" in problems[1].message


def test_this_weeks_roster_fed_back_as_the_previous_one_is_refused(folder: Path):
    week = [("A1", f"2026-11-{day}T08:00:00", f"2026-11-{day}T16:00:00") for day in range(23, 28)]
    roster_rows(*week).to_csv(folder / "previous_roster.csv", index=False)
    assert {p.row for p in problems_of(folder)} == {2, 3, 4, 5, 6}


def test_a_previous_roster_of_another_week_says_what_it_would_do(folder: Path):
    roster_rows(("A1", "2026-11-02T08:00:00", "2026-11-02T16:00:00")).to_csv(folder / "previous_roster.csv",
                                                                             index=False)
    problem = the_problem(folder, "previous_roster.csv", None, None, "has no shift in the week before 2026-11-23")
    assert "no rest or consecutive days" in problem.message and "week of 2026-11-16" in problem.message

    roster_rows(("A1", "2030-01-07T08:00:00", "2030-01-07T16:00:00")).to_csv(folder / "previous_roster.csv",
                                                                             index=False)
    the_problem(folder, "previous_roster.csv", 2, "start", "starts at 2030-01-07 08:00, not before the week")


def test_an_empty_previous_roster_means_nobody_worked_last_week(folder: Path):
    roster_rows().reindex(columns=["agent_id", "name", "queue", "activity", "start", "end"]).to_csv(
        folder / "previous_roster.csv", index=False)
    scenario = load_scenario(folder)
    assert scenario.previous_roster.empty and not scenario.cyclic


def test_a_formula_like_agent_name_is_written_inert_and_read_back_as_typed(tmp_path: Path):
    named = agents().assign(name=['=HYPERLINK("http://x","Click")', "+1 555", "@home"])
    folder = write_scenario(tmp_path / "scenario", config(), named, files={"requirements.csv": requirements()})
    assert "'=HYPERLINK" in (folder / "agents.csv").read_text()  # a spreadsheet shows it as text
    assert [agent.name for agent in load_scenario(folder).agents] == named["name"].tolist()
