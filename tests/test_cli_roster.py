"""`wfm roster`, `wfm check` and `wfm agent` end to end on a small scenario folder, and their answers
to contradicting rules, a timeout and bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import icalendar
import pandas as pd
import pytest
from typer.testing import CliRunner

import scheduler.solve
from wfm.cli import app
from scheduler.io import write_scenario
from scheduler.roster import ROSTER_COLUMNS, read_roster, write_roster
from scheduler.scenario import BreakRule, Scenario, TimeOff
from scheduler.solve import RosterResult
from tests.test_model_rules import EVERY_DAY, MONDAY, agent, demand, scenario

runner = CliRunner()
SOLVE = ["--time-limit", "3", "--workers", "1"]
OUTPUTS = ("requirements.csv", "roster.csv", "coverage.csv", "summary.json")
WEDNESDAY = MONDAY + dt.timedelta(days=2)
LUNCH = BreakRule(name="lunch", activity="lunch", minutes=60, paid=False, min_shift_hours=6,
                  earliest_offset_minutes=180, latest_offset_minutes=300)


def words(output: str) -> str:
    """The output with its whitespace collapsed: rich wraps long lines at the console width."""
    return " ".join(output.split())


def squeezed(text: str) -> str:
    """The text without any whitespace: rich also breaks a long file path in the middle."""
    return "".join(text.split())


def no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def write_folder(case: Scenario, folder: Path, agents: pd.DataFrame | None = None) -> Path:
    """A scenario folder holding `case` (its agents unless `agents` is given)."""
    if agents is None:
        agents = pd.DataFrame([person.model_dump() for person in case.agents])
    time_off = pd.DataFrame([leave.model_dump() for leave in case.time_off]) if case.time_off else None
    return write_scenario(folder, case.config, agents, time_off, files={"requirements.csv": case.requirements})


def small_case() -> Scenario:
    """Three agents, two needed 08:00-16:00 every day, an unpaid lunch, and Ann off all Wednesday."""
    leave = TimeOff(agent_id="a1", start=dt.datetime.combine(WEDNESDAY, dt.time()),
                    end=dt.datetime.combine(WEDNESDAY, dt.time()) + dt.timedelta(days=1), reason="dentist")
    people = [agent("a1", name="Ann", max_hours=40), agent("a2", name="Bea", max_hours=40),
              agent("a3", name="Cid", max_hours=40)]
    return scenario(people, demand(EVERY_DAY, 8, 16, required=2), breaks=(LUNCH,), time_off=(leave,))


def shift_runs(table: pd.DataFrame, agent_id: str) -> list[pd.DataFrame]:
    """The agent's shifts: runs of segments that join end to start."""
    mine = table[table["agent_id"] == agent_id].sort_values("start").reset_index(drop=True)
    runs: list[list[int]] = []
    for position, row in mine.iterrows():
        if runs and mine.loc[runs[-1][-1], "end"] == row["start"]:
            runs[-1].append(position)
        else:
            runs.append([position])
    return [mine.loc[run] for run in runs]


def run_roster(folder: Path, out: Path, exit_code: int):
    """`wfm roster` on a folder: the result, after checking its exit code and that no traceback shows."""
    result = runner.invoke(app, ["roster", "--scenario", str(folder), "--out", str(out), *SOLVE])
    assert result.exit_code == exit_code, result.output
    no_traceback(result)
    return result


@pytest.fixture(scope="module")
def rostered(tmp_path_factory):
    root = tmp_path_factory.mktemp("roster")
    folder = write_folder(small_case(), root / "scenario")
    out = root / "out"
    result = runner.invoke(app, ["roster", "--scenario", str(folder), "--out", str(out), *SOLVE])
    return result, folder, out


# --- roster and check on a feasible week ------------------------------------------------------


def test_roster_writes_the_four_files_and_a_summary(rostered):
    result, folder, out = rostered
    assert result.exit_code == 0, result.output
    no_traceback(result)
    for name in OUTPUTS:
        assert (out / name).is_file(), name
    report = json.loads((out / "summary.json").read_text())
    assert report["solver"]["status"] in {"OPTIMAL", "FEASIBLE"}
    assert report["solver"]["wall_seconds"] > 0
    hours = report["hours"]
    assert hours["required"] == 7 * 8 * 2
    assert 0 <= hours["short"] <= hours["required"]
    assert hours["coverage_pct"] == pytest.approx(100 * (1 - hours["short"] / hours["required"]), abs=1e-3)
    assert set(report["shifts_per_agent"]) == {"a1", "a2", "a3"}
    assert report["solver"]["status"] in result.output
    assert f"Coverage {hours['coverage_pct']:.1f}%" in words(result.output)

    roster = read_roster(out / "roster.csv")
    assert set(roster["agent_id"]) <= {"a1", "a2", "a3"}
    assert not roster.empty
    # The coverage file agrees with the roster: scheduled agents per interval from the work segments.
    coverage = pd.read_csv(out / "coverage.csv", parse_dates=["interval_start"])
    work = roster[roster["activity"] == "work"]
    for row in coverage.sample(20, random_state=0).itertuples():
        at = row.interval_start
        busy = ((work["start"] <= at) & (work["end"] >= at + pd.Timedelta(hours=1))).sum()
        assert row.scheduled == busy, row
    assert (coverage["short"] == (coverage["required"] - coverage["scheduled"]).clip(lower=0)).all()
    assert coverage["short"].sum() == pytest.approx(hours["short"])
    # Ann is off all Wednesday.
    ann = roster[roster["agent_id"] == "a1"]
    assert not (ann["start"].dt.date == WEDNESDAY).any()


def test_check_passes_the_written_roster(rostered):
    result, folder, out = rostered
    assert result.exit_code == 0, result.output
    checked = runner.invoke(app, ["check", str(out / "roster.csv"), "--scenario", str(folder)])
    assert checked.exit_code == 0, checked.output
    assert "no rule violated" in words(checked.output)


def test_a_replan_against_the_written_roster_changes_nothing_and_says_so(rostered, tmp_path):
    _, folder, out = rostered
    again = runner.invoke(app, ["roster", "--scenario", str(folder), "--out", str(tmp_path / "again"),
                                "--baseline", str(out / "roster.csv"), *SOLVE])
    assert again.exit_code == 0, again.output
    report = json.loads((tmp_path / "again" / "summary.json").read_text())
    assert report["changes"] == {"shifts": 0, "break_moves": 0, "by_agent": {}}
    assert read_roster(tmp_path / "again" / "roster.csv").equals(read_roster(out / "roster.csv"))
    assert "Changes from the baseline" not in again.output
    missing = runner.invoke(app, ["roster", "--scenario", str(folder), "--out", str(tmp_path / "none"),
                                  "--baseline", str(tmp_path / "nothing.csv"), *SOLVE])
    assert missing.exit_code == 2 and "nothing.csv" in squeezed(missing.output)
    no_traceback(missing)


def test_roster_and_check_over_several_weeks(tmp_path):
    two_weeks = scenario([agent("a1", name="Ann", max_hours=40), agent("a2", name="Bea", max_hours=40)],
                         demand(range(14), 8, 16), weeks=2)
    folder = write_folder(two_weeks, tmp_path / "scenario")
    one_week = runner.invoke(app, ["roster", "--scenario", str(folder), "--out", str(tmp_path / "one"),
                                   "--weeks", "1", *SOLVE])
    assert one_week.exit_code == 0, one_week.output
    assert read_roster(tmp_path / "one" / "roster.csv")["start"].max() < pd.Timestamp(MONDAY + dt.timedelta(days=7))
    result = runner.invoke(app, ["roster", "--scenario", str(folder), "--out", str(tmp_path / "out"), *SOLVE])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert report["hours"]["required"] == 14 * 8 and report["hours"]["short"] == 0
    roster = tmp_path / "out" / "roster.csv"
    checked = runner.invoke(app, ["check", str(roster), "--scenario", str(folder)])
    assert checked.exit_code == 0, checked.output
    as_one_week = runner.invoke(app, ["check", str(roster), "--scenario", str(folder), "--weeks", "1"])
    assert as_one_week.exit_code == 1 and "outside_week" in as_one_week.output


def test_check_names_the_agent_and_rule_of_a_hand_edit(rostered, tmp_path):
    result, folder, out = rostered
    assert result.exit_code == 0, result.output
    table = read_roster(out / "roster.csv")
    shifts = shift_runs(table, "a1")
    assert shifts, "Ann has no shift to move"
    moved = shifts[0]
    to_wednesday = pd.Timestamp(WEDNESDAY) - moved["start"].iloc[0].normalize()
    table.loc[(table["agent_id"] == "a1") & table["start"].isin(moved["start"]), ["start", "end"]] += to_wednesday
    edited = tmp_path / "edited.csv"
    write_roster(table, edited)

    checked = runner.invoke(app, ["check", str(edited), "--scenario", str(folder)])
    assert checked.exit_code == 1, checked.output
    no_traceback(checked)
    text = words(checked.output)
    assert "time_off" in text
    assert "Ann (a1) works Wed" in text and "during time off (dentist)" in text
    assert "(a2)" not in text and "(a3)" not in text
    assert "no rule violated" not in text


# --- agent --------------------------------------------------------------------------------------


def test_agent_prints_the_week_and_writes_one_event_per_shift(rostered, tmp_path):
    result, _, out = rostered
    assert result.exit_code == 0, result.output
    table = read_roster(out / "roster.csv")
    worker = sorted(set(table["agent_id"]))[0]
    shifts = shift_runs(table, worker)
    ics = tmp_path / "week.ics"
    shown = runner.invoke(app, ["agent", worker, "--roster", str(out / "roster.csv"), "--ics", str(ics)])
    assert shown.exit_code == 0, shown.output
    assert f"({worker}), week of Mon 30 Nov 2026" in shown.output
    assert f"in {len(shifts)} shifts" in shown.output
    raw = ics.read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR")
    events = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert len(events) == len(shifts) == raw.count(b"BEGIN:VEVENT")
    starts = sorted(event.decoded("dtstart") for event in events)
    ends = sorted(event.decoded("dtend") for event in events)
    assert starts == sorted(shift["start"].iloc[0].to_pydatetime() for shift in shifts)
    assert ends == sorted(shift["end"].iloc[-1].to_pydatetime() for shift in shifts)


def test_agent_unknown_to_the_roster_exits_2(rostered, tmp_path):
    result, _, out = rostered
    assert result.exit_code == 0, result.output
    ics = tmp_path / "nobody.ics"
    shown = runner.invoke(app, ["agent", "zz9", "--roster", str(out / "roster.csv"), "--ics", str(ics)])
    assert shown.exit_code == 2
    no_traceback(shown)
    assert "zz9" in shown.output
    assert not ics.exists()


# --- no roster ------------------------------------------------------------------------------


def test_contradicting_rules_exit_1_naming_the_agent_and_rule(tmp_path):
    # 40 paid hours in 8 h shifts need 5 days; Ada may work 2.
    case = scenario([agent("a7", name="Ada", min_hours=40, max_days=2), agent("a8", name="Eve")],
                    demand([0], 8, 16))
    folder = write_folder(case, tmp_path / "scenario")
    out = tmp_path / "out"
    text = words(run_roster(folder, out, 1).output)
    assert "The hard rules contradict each other:" in text
    after = text.split("The hard rules contradict each other:", 1)[1]
    assert "Ada (a7)" in after and "max_days 2" in after
    assert "(a8)" not in text
    assert not out.exists()


def test_timeout_without_a_roster_exits_1_and_writes_nothing(tmp_path, monkeypatch):
    calls = []

    def timed_out(case, time_limit=None, workers=None, progress=None, deterministic=None):
        calls.append((time_limit, workers, deterministic))
        return RosterResult(roster=pd.DataFrame(columns=ROSTER_COLUMNS), status="UNKNOWN", objective=None,
                            best_bound=None, wall_seconds=3.2, lower_bound_short_hours=None,
                            required_hours=112.0)

    monkeypatch.setattr(scheduler.solve, "solve_roster", timed_out)
    folder = write_folder(small_case(), tmp_path / "scenario")
    out = tmp_path / "out"
    result = run_roster(folder, out, 1)
    assert calls == [(3.0, 1, None)]
    runner.invoke(app, ["roster", "--scenario", str(folder), "--out", str(out), *SOLVE, "--deterministic"])
    assert calls[-1] == (3.0, 1, True)
    text = words(result.output)
    assert "No roster was found within the time limit (3 s)" in text
    assert "--time-limit" in text
    assert "The hard rules contradict each other" not in text
    assert not out.exists()


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column, value, row, message, located",
    [
        ("min_hours", 50, 3, "min_hours 50 is above max_hours 40", "max_hours"),
        ("skills", ("voice", "email"), 4, "unknown skill 'email'", "skills"),
        ("night_ok", "sometimes", 2, "'sometimes' is not yes or no", "night_ok"),
    ],
)
def test_bad_agents_csv_exits_2_with_a_located_message(tmp_path, column, value, row, message, located):
    case = small_case()
    agents = pd.DataFrame([person.model_dump() for person in case.agents]).astype(object)
    agents.at[row - 2, column] = value
    folder = write_folder(case, tmp_path / "scenario", agents)
    out = tmp_path / "out"
    result = run_roster(folder, out, 2)
    text = words(result.output)
    assert "Input error" in text
    assert message in text
    assert squeezed(f"agents.csv, row {row}, column '{located}'") in squeezed(result.output)
    assert not out.exists()


def test_a_located_message_keeps_its_path_on_one_line(tmp_path):
    case = small_case()
    agents = pd.DataFrame([person.model_dump() for person in case.agents]).astype(object)
    agents.at[0, "skills"] = ("email",)
    folder = write_folder(case, tmp_path / ("a_long_folder_name_as_real_shared_drives_have" * 2) / "scenario",
                          agents)
    result = runner.invoke(app, ["roster", "--scenario", str(folder), "--out", str(tmp_path / "out"), *SOLVE])
    assert result.exit_code == 2
    assert any(f"{folder / 'agents.csv'}, row 2, column 'skills'" in line for line in result.output.splitlines()), \
        result.output


def test_missing_scenario_folder_exits_2(tmp_path):
    out = tmp_path / "out"
    result = run_roster(tmp_path / "nowhere", out, 2)
    assert "nowhere" in words(result.output) and "not found" in words(result.output)
    assert not out.exists()
