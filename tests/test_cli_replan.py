"""`wfm replan` end to end: outputs, the changes printed, `wfm check` on its roster, and bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from scheduler.roster import read_roster, write_roster
from tests.test_cli_roster import no_traceback, squeezed, words, write_folder
from tests.test_replan import LUNCH, day_shift, published, two_needed
from wfm.cli import app

runner = CliRunner()
SOLVE = ["--time-limit", "5", "--workers", "1"]


@pytest.fixture
def center(tmp_path):
    """The scenario folder of `two_needed` (with lunches) and its published roster."""
    case, roster = two_needed(breaks=(LUNCH,))
    folder = write_folder(case, tmp_path / "scenario")
    write_roster(roster, tmp_path / "published.csv")
    return folder, tmp_path / "published.csv"


def replan(center, tmp_path, *options: str):
    folder, roster = center
    return runner.invoke(app, ["replan", "--scenario", str(folder), "--roster", str(roster), "--out",
                               str(tmp_path / "out"), *options, *SOLVE])


def test_replan_writes_the_repair_prints_its_changes_and_passes_the_check(center, tmp_path):
    result = replan(center, tmp_path, "--from", "2026-12-02 08:00", "--absent", "a1,,2026-12-03")
    assert result.exit_code == 0, result.output
    text = words(result.output)
    assert "a1: Wed 08:00 8h voice → Wed off" in text and "a1: Thu 08:00 8h voice → Thu off" in text
    assert "a3: Wed off → Wed 08:00 8h voice" in text
    out = tmp_path / "out"
    report = json.loads((out / "summary.json").read_text())
    assert report["changes"]["shifts"] == 4 and report["contract_breaches"] == 0
    absences = pd.read_csv(out / "absences.csv")
    assert absences.values.tolist() == [["a1", "2026-12-02T08:00:00", "2026-12-04T00:00:00", "absent"]]
    check = runner.invoke(app, ["check", str(out / "roster.csv"), "--scenario", str(center[0])])
    assert check.exit_code == 0, check.output
    assert "Counting the absences of" in check.output and "no rule violated" in check.output


def test_a_replan_without_absences_changes_nothing(center, tmp_path):
    result = replan(center, tmp_path, "--from", "2026-12-02 12:00")
    assert result.exit_code == 0, result.output
    assert "Changes from the baseline" not in result.output
    assert read_roster(tmp_path / "out" / "roster.csv").equals(read_roster(center[1]))


@pytest.mark.parametrize("options, message", [
    (["--from", "2026-12-02 08:00", "--absent", "zz"], "absence of zz from 2026-12-02 08:00: unknown agent 'zz'"),
    (["--from", "2026-12-02 08:00", "--absent", "a1,2026-12-03 10:00,2026-12-03 09:00"],
     "it ends (2026-12-03 09:00) before it starts"),
    (["--from", "2026-12-02 08:00", "--absent", "a1,next week"], "--absent a1,next week: 'next week' is not a date-time"),
    (["--from", "2026-12-02 08:00", "--absent", "a1,2026-12-03,2026-12-04,x"], "give AGENT_ID, AGENT_ID,FROM or"),
    (["--from", "2026-12-09 08:00"], "--from: 2026-12-09 08:00 is outside the horizon planned"),
    (["--from", "Wednesday"], "--from: 'Wednesday' is not a date-time"),
    (["--from", "2026-12-02 08:00", "--absent", "a1,2026-12-01 08:00"], "it starts before the re-plan's moment"),
])
def test_bad_input_is_a_located_message(center, tmp_path, options, message):
    result = replan(center, tmp_path, *options)
    assert result.exit_code == 2, result.output
    assert message in words(result.output)
    no_traceback(result)
    assert not (tmp_path / "out" / "roster.csv").exists()


def test_a_roster_of_another_scenario_is_refused_with_its_file(center, tmp_path):
    folder, _ = center
    other = tmp_path / "other.csv"
    write_roster(published(day_shift("x9", 0)), other)
    result = runner.invoke(app, ["replan", "--scenario", str(folder), "--roster", str(other), "--from",
                                 "2026-12-02 08:00", "--out", str(tmp_path / "out"), *SOLVE])
    assert result.exit_code == 2
    assert "other.csv" in squeezed(result.output) and "x9" in result.output
    no_traceback(result)


def test_check_names_a_missing_absences_file(center, tmp_path):
    folder, roster = center
    result = runner.invoke(app, ["check", str(roster), "--scenario", str(folder), "--absences",
                                 str(tmp_path / "nothing.csv")])
    assert result.exit_code == 2 and "nothing.csv" in squeezed(result.output)
    no_traceback(result)
