"""`wfm forecast` and `wfm staff` end to end on the sample center, and their answers to bad input."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecasts.sample import sample_history, write_sample
from wfm.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    paths = write_sample(folder)
    short = folder / "history_short.csv"
    sample_history(weeks=6).to_csv(short, index=False)
    return {**paths, "short": short, "folder": folder}


@pytest.fixture(scope="module")
def forecast_run(sample_files):
    out = sample_files["folder"] / "forecast.csv"
    result = runner.invoke(
        app,
        ["forecast", str(sample_files["short"]), "--start", "2026-11-23", "--weeks", "2", "--out", str(out)],
    )
    return result, out


def test_forecast_writes_two_weeks_and_prints_backtest(forecast_run):
    result, out = forecast_run
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, parse_dates=["interval_start"])
    assert list(table.columns[:4]) == ["interval_start", "queue", "contacts", "aht_seconds"]
    assert "method" in table.columns
    assert set(table["queue"]) == {"voice", "chat"}
    assert len(table) == 2 * 2 * 7 * 48
    assert table["interval_start"].min() == pd.Timestamp("2026-11-23 00:00")
    for method in ("seasonal_naive", "weighted_profile", "mstl"):
        assert method in result.output
    assert "WAPE" in result.output


def test_staff_writes_requirements(forecast_run, sample_files, tmp_path):
    _, forecast_csv = forecast_run
    out = tmp_path / "requirements.csv"
    result = runner.invoke(
        app, ["staff", str(forecast_csv), "--config", str(sample_files["staffing"]), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    expected = ["interval_start", "queue", "contacts", "aht_seconds", "required", "service_level", "asa_seconds", "occupancy"]
    assert list(table.columns[: len(expected)]) == expected
    busy = table[table["contacts"] > 1]
    assert (busy["required"] >= 1).all()
    assert (busy["service_level"] >= 0.8 - 1e-9).all()


@pytest.mark.parametrize(
    "content, expected",
    [
        ("interval_start,queue,contacts\n2026-10-05 08:00,voice,3\n", "aht_seconds"),
        ("interval_start,contacts,aht_seconds\n2026-10-05 08:00,-3,200\n", "row 2"),
        ("interval_start,contacts,aht_seconds\nnot a date,3,200\n", "interval_start"),
        ("", "empty"),
    ],
)
def test_bad_history_exits_2_with_a_located_message(tmp_path, content, expected):
    path = tmp_path / "history.csv"
    path.write_text(content)
    result = runner.invoke(app, ["forecast", str(path), "--start", "2026-11-23"])
    assert result.exit_code == 2
    assert "history.csv" in result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_bad_staffing_config_exits_2(forecast_run, tmp_path):
    _, forecast_csv = forecast_run
    config = tmp_path / "targets.yaml"
    config.write_text("queues:\n  voice:\n    shrinkage: 1.5\n")
    result = runner.invoke(app, ["staff", str(forecast_csv), "--config", str(config)])
    assert result.exit_code == 2
    assert "queues.voice.shrinkage" in result.output


def test_missing_file_exits_2(tmp_path):
    result = runner.invoke(app, ["forecast", str(tmp_path / "nope.csv"), "--start", "2026-11-23"])
    assert result.exit_code == 2
    assert "nope.csv" in result.output
