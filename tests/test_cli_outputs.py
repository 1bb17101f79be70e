"""Every `wfm` command checks where it will write before its long work starts, refuses a bad `--time-limit`,
and reports every failure (input, disk, Ctrl-C) in one short message, never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import scheduler.io
import scheduler.solve
import wfm.cli
import wfm.demo
from forecasts.sample import sample_history
from scheduler.roster import ROSTER_COLUMNS, write_roster
from scheduler.solve import RosterResult
from tests.test_cli_roster import no_traceback, small_case, squeezed, write_folder, words
from wfm.cli import app

runner = CliRunner()


def refused(args: list[str], *paths: Path) -> str:
    """`wfm args` exits 2 without a traceback, naming each of `paths`; returns its output."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    no_traceback(result)
    for path in paths:
        assert squeezed(str(path)) in squeezed(result.output), result.output
    return words(result.output)


@pytest.fixture
def no_long_work(monkeypatch):
    """Loading, solving and forecasting fail the test: a bad output must be refused before them."""
    def forbidden(*args, **kwargs):
        raise AssertionError("the long work started")

    monkeypatch.setattr(scheduler.io, "load_scenario", forbidden)
    monkeypatch.setattr(scheduler.solve, "solve_roster", forbidden)
    monkeypatch.setattr(wfm.cli, "run_forecast", forbidden)
    monkeypatch.setattr(wfm.cli, "read_forecast", forbidden)
    monkeypatch.setattr(wfm.demo, "demo_forecast", forbidden)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_folder(small_case(), tmp_path / "scenario")


def _unwritable_folder() -> Path | None:
    try:
        with tempfile.TemporaryFile(dir="/sys"):
            return None
    except OSError:
        return Path("/sys")


UNWRITABLE = _unwritable_folder()


# --- roster and demo --------------------------------------------------------------------------------


def test_roster_out_that_is_a_file(folder: Path, tmp_path: Path, no_long_work):
    out = tmp_path / "out"
    out.write_text("not a folder")
    assert "is a file, not a folder" in refused(["roster", "--scenario", str(folder), "--out", str(out)], out)


def test_roster_out_in_a_missing_folder(folder: Path, tmp_path: Path, no_long_work):
    out = tmp_path / "no" / "such" / "out"
    text = refused(["roster", "--scenario", str(folder), "--out", str(out)], out)
    assert "does not exist" in text and not (tmp_path / "no").exists()


def test_roster_output_file_that_is_a_folder(folder: Path, tmp_path: Path, no_long_work):
    out = tmp_path / "out"
    (out / "roster.csv").mkdir(parents=True)
    assert "is a folder" in refused(["roster", "--scenario", str(folder), "--out", str(out)], out / "roster.csv")


@pytest.mark.skipif(UNWRITABLE is None, reason="no folder refuses writing here")
def test_roster_out_that_cannot_be_written(folder: Path, no_long_work):
    out = UNWRITABLE / "wfm-out"
    assert "cannot be written" in refused(["roster", "--scenario", str(folder), "--out", str(out)], out)


def test_demo_out_that_is_a_file(tmp_path: Path, no_long_work):
    out = tmp_path / "demo"
    out.write_text("not a folder")
    refused(["demo", "--out", str(out)], out)
    assert out.read_text() == "not a folder"


def test_a_failed_write_after_the_solve_is_reported(folder: Path, tmp_path: Path, monkeypatch):
    def solved(case, time_limit=None, workers=None, progress=None):
        return RosterResult(roster=pd.DataFrame(columns=ROSTER_COLUMNS), status="FEASIBLE", objective=0.0,
                            best_bound=0.0, wall_seconds=0.1, lower_bound_short_hours=0.0, required_hours=0.0)

    def disk_full(*args):
        raise OSError(28, "No space left on device", str(tmp_path / "out" / "roster.csv"))

    monkeypatch.setattr(scheduler.solve, "solve_roster", solved)
    monkeypatch.setattr(wfm.cli, "write_roster_outputs", disk_full)
    text = refused(["roster", "--scenario", str(folder), "--out", str(tmp_path / "out")], tmp_path / "out" / "roster.csv")
    assert "No space left on device" in text


def test_ctrl_c_prints_one_line(folder: Path, tmp_path: Path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(scheduler.io, "load_scenario", interrupted)
    result = runner.invoke(app, ["roster", "--scenario", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == wfm.cli.EXIT_INTERRUPTED
    no_traceback(result)
    assert result.output.strip() == "Interrupted."


@pytest.mark.parametrize("seconds", ["0", "-5", "nan", "inf", "-inf", "1e9", "3600.5"])
@pytest.mark.parametrize("command", ["roster", "demo"])
def test_bad_time_limit_is_refused_before_anything(folder: Path, tmp_path: Path, no_long_work, command, seconds):
    where = ["--scenario", str(folder)] if command == "roster" else []
    out = tmp_path / "out"
    text = refused([command, *where, "--out", str(out), "--time-limit", seconds])
    assert "--time-limit" in text and "at most 3,600" in text
    assert not out.exists()


@pytest.mark.parametrize("seconds", ["0", "-5", "nan", "3600.5"])
def test_a_bad_forecast_time_limit_of_the_demo_is_refused_before_anything(tmp_path: Path, no_long_work, seconds):
    out = tmp_path / "out"
    text = refused(["demo", "--out", str(out), "--forecast-time-limit", seconds])
    assert "--forecast-time-limit" in text and "the forecast's seconds" in text and "at most 3,600" in text
    assert not out.exists()


def test_the_demo_keeps_to_its_forecast_time_limit_and_says_what_it_cut_short(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(wfm.cli, "roster_scenario", lambda *args: 0)  # the forecast is what is tested
    out = tmp_path / "out"
    result = runner.invoke(app, ["demo", "--out", str(out), "--forecast-time-limit", "0.000001"])
    assert result.exit_code == 0, result.output
    said = words(result.output)
    assert "queue 'voice': prediction intervals calibrated on 4 of 9 weeks (time limit 1e-06 s)" in said
    forecast = pd.read_csv(out / "scenario" / "forecast.csv")
    assert sorted(forecast["queue"].unique()) == ["chat", "email", "social", "voice"]  # the deferred queues by default
    assert len(forecast) == 4 * 7 * 48
    unlimited = runner.invoke(app, ["demo", "--out", str(tmp_path / "unlimited")])
    assert unlimited.exit_code == 0 and "time limit" not in words(unlimited.output)


# --- forecast, staff and agent -----------------------------------------------------------------------


@pytest.fixture
def history(tmp_path: Path) -> Path:
    path = tmp_path / "history.csv"
    sample_history(weeks=6).to_csv(path, index=False)
    return path


def test_forecast_out_that_is_a_folder(history: Path, tmp_path: Path, no_long_work):
    refused(["forecast", str(history), "--start", "2026-11-23", "--out", str(tmp_path)], tmp_path)


def test_forecast_out_in_a_missing_folder(history: Path, tmp_path: Path, no_long_work):
    out = tmp_path / "no" / "such" / "forecast.csv"
    assert "does not exist" in refused(["forecast", str(history), "--start", "2026-11-23", "--out", str(out)], out.parent)


def test_staff_out_in_a_missing_folder(history: Path, tmp_path: Path, no_long_work):
    targets = tmp_path / "targets.yaml"
    targets.write_text("default:\n  service_level: 0.8\n")
    out = tmp_path / "no" / "such" / "requirements.csv"
    refused(["staff", str(history), "--config", str(targets), "--out", str(out)], out.parent)


def test_staff_out_in_a_new_folder_is_written(history: Path, tmp_path: Path):
    targets = tmp_path / "targets.yaml"
    targets.write_text("default:\n  service_level: 0.8\n")
    out = tmp_path / "new" / "requirements.csv"
    result = runner.invoke(app, ["staff", str(history), "--config", str(targets), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out)) > 0


def test_staff_names_the_interval_it_cannot_staff(tmp_path: Path):
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("interval_start,queue,contacts,aht_seconds\n2026-11-23 08:00,voice,10,300\n"
                        "2026-11-23 08:30,voice,900000,80000\n")
    targets = tmp_path / "targets.yaml"
    targets.write_text("default:\n  service_level: 0.8\n")
    text = refused(["staff", str(forecast), "--config", str(targets), "--out", str(tmp_path / "r.csv")], forecast)
    assert "queue 'voice', interval 2026-11-23 08:30" in text


@pytest.fixture
def roster_file(tmp_path: Path) -> Path:
    path = tmp_path / "roster.csv"
    write_roster(pd.DataFrame({"agent_id": ["a1"], "name": ["Ann"], "queue": ["voice"], "activity": ["work"],
                               "start": [pd.Timestamp("2026-11-23 08:00")], "end": [pd.Timestamp("2026-11-23 16:00")]}),
                 path)
    return path


def test_agent_ics_in_a_missing_folder(roster_file: Path, tmp_path: Path):
    ics = tmp_path / "no" / "such" / "week.ics"
    assert "does not exist" in refused(["agent", "a1", "--roster", str(roster_file), "--ics", str(ics)], ics.parent)


def test_agent_ics_that_is_a_folder(roster_file: Path, tmp_path: Path):
    refused(["agent", "a1", "--roster", str(roster_file), "--ics", str(tmp_path)], tmp_path)


def test_agent_ics_in_a_new_folder_is_written(roster_file: Path, tmp_path: Path):
    ics = tmp_path / "calendars" / "week.ics"
    result = runner.invoke(app, ["agent", "a1", "--roster", str(roster_file), "--ics", str(ics)])
    assert result.exit_code == 0, result.output
    assert ics.read_bytes().startswith(b"BEGIN:VCALENDAR")
