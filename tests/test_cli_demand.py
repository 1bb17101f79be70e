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


def test_forecast_under_a_time_limit_says_which_methods_it_skipped(sample_files, tmp_path):
    out = tmp_path / "forecast.csv"
    result = runner.invoke(app, ["forecast", str(sample_files["short"]), "--start", "2026-11-23",
                                 "--time-limit", "0.001", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out)) == 2 * 7 * 48
    assert "time limit 0.001 s reached during the backtest" in result.output and "mstl" in result.output
    refused = runner.invoke(app, ["forecast", str(sample_files["short"]), "--start", "2026-11-23",
                                  "--time-limit", "0", "--out", str(out)])
    assert refused.exit_code == 2 and "time limit must be a number of seconds above 0" in refused.output


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


# --- a forecast's prediction intervals, read back for staffing to a quantile --------------------


def quantile_targets(folder) -> str:
    path = folder / "targets.yaml"
    path.write_text("default:\n  service_level: 0.8\n  answer_seconds: 20\n  quantile: 0.8\n")
    return str(path)


def test_staff_to_a_quantile_reads_the_forecasts_bands(forecast_run, tmp_path):
    _, forecast_csv = forecast_run
    forecast = pd.read_csv(forecast_csv)
    assert {"contacts_lo80", "contacts_hi80", "contacts_lo95", "contacts_hi95"} <= set(forecast.columns)
    wide = forecast.assign(contacts_hi80=forecast["contacts"] * 1.5, contacts_hi95=forecast["contacts"] * 2)
    without = forecast.drop(columns=["contacts_lo80", "contacts_hi80", "contacts_lo95", "contacts_hi95"])
    required = {}
    for name, table in {"wide": wide, "without": without}.items():
        table.to_csv(tmp_path / f"{name}.csv", index=False)
        out = tmp_path / f"{name}_requirements.csv"
        result = runner.invoke(app, ["staff", str(tmp_path / f"{name}.csv"), "--config", quantile_targets(tmp_path),
                                     "--out", str(out)])
        assert result.exit_code == 0, result.output
        required[name] = pd.read_csv(out)
    busy = without["contacts"] > 20
    # the 80 % quantile = contacts × (1 + 0.5 × z(0.8) / z(0.9)): far above the Poisson quantile
    # that the file without bands gets
    assert (required["wide"]["required"][busy] > required["without"]["required"][busy]).mean() > 0.9
    assert required["wide"]["contacts"].tolist() == required["without"]["contacts"].tolist()  # the forecast itself


@pytest.mark.parametrize(("cells", "expected"), [
    ({"contacts_hi80": "-3"}, "row 2, column 'contacts_hi80': -3 is negative"),
    ({"contacts_lo95": "many"}, "row 2, column 'contacts_lo95': 'many' is not a number"),
    ({"contacts_hi95": ""}, "row 2, column 'contacts_hi95': is empty"),
    ({"contacts_lo80": "12"}, "row 2, column 'contacts_lo80': contacts_lo80 12 is above contacts 10"),
    ({"contacts_hi80": "9"}, "row 2, column 'contacts_hi80': contacts 10 is above contacts_hi80 9"),
    ({"contacts_hi95": "11"}, "row 2, column 'contacts_hi80': contacts_hi80 12 is above contacts_hi95 11"),
])
def test_bad_prediction_intervals_exit_2_with_a_located_message(tmp_path, cells, expected):
    row = {"interval_start": "2026-11-23 08:00", "queue": "voice", "contacts": "10", "aht_seconds": "300",
           "contacts_lo80": "8", "contacts_hi80": "12", "contacts_lo95": "6", "contacts_hi95": "14"}
    second = {**row, "interval_start": "2026-11-23 08:30"}
    path = tmp_path / "forecast.csv"
    pd.DataFrame([{**row, **cells}, second]).to_csv(path, index=False)
    result = runner.invoke(app, ["staff", str(path), "--config", quantile_targets(tmp_path),
                                 "--out", str(tmp_path / "requirements.csv")])
    assert result.exit_code == 2
    assert expected in " ".join(result.output.split())


def test_a_forecast_with_only_some_band_columns_is_refused(tmp_path):
    path = tmp_path / "forecast.csv"
    path.write_text("interval_start,queue,contacts,aht_seconds,contacts_hi80\n"
                    "2026-11-23 08:00,voice,10,300,12\n2026-11-23 08:30,voice,10,300,12\n")
    result = runner.invoke(app, ["staff", str(path), "--config", quantile_targets(tmp_path)])
    assert result.exit_code == 2
    assert "missing required column 'contacts_lo80'" in " ".join(result.output.split())
