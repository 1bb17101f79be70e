"""The chosen method beats seasonal naive on real call volumes (fpp2 ``calls``, a North American
bank, 2003, summed to hours), on the last 4 weeks held out. Skipped when the data file is absent;
``benchmarks/bench_forecast_realdata.py`` is the full 30-minute, 8-week version; its ``--explain``
breakdown (each day's level against its intraday shape) is checked on a small grid."""

import numpy as np
import pandas as pd
import pytest

from forecasts.bank_calls import WHERE, before, data_path, held_out_weeks, load_bank_history
from forecasts.backtest import backtest, chosen_methods
from forecasts.methods import SeasonalNaive

HELD_OUT_WEEKS = 4
INTERVAL_MINUTES = 60  # the benchmark uses 30; hourly keeps this test quick (MSTL cost grows with slots)


@pytest.fixture(scope="module")
def bank_history() -> pd.DataFrame:
    path = data_path()
    if not path.is_file():
        pytest.skip(f"real call volume data not found at {path}: {WHERE}")
    return load_bank_history(path, INTERVAL_MINUTES)


def test_chosen_method_beats_seasonal_naive_on_held_out_weeks(bank_history):
    weeks = held_out_weeks(bank_history, HELD_OUT_WEEKS)
    _, summary = backtest(before(bank_history, weeks[0]), folds=HELD_OUT_WEEKS)
    chosen = chosen_methods(summary)["bank"]
    assert chosen != SeasonalNaive.name

    held_out, _ = backtest(bank_history, methods=[chosen, SeasonalNaive.name], folds=HELD_OUT_WEEKS)
    assert set(held_out["fold_start"]) == set(weeks)
    wape = held_out.groupby("method")["wape"].mean()
    assert wape[chosen] < wape[SeasonalNaive.name]


def test_day_breakdown_separates_each_days_level_from_its_intraday_shape():
    from benchmarks.bench_forecast_realdata import day_breakdown, exact_day_totals

    actual = np.full((1, 7, 4), np.nan)
    actual[0, 0] = [10, 20, 30, 40]  # Monday: 100 contacts
    actual[0, 1, 1:3] = 10  # Tuesday: half observed, 20 contacts
    forecast = np.full((1, 7, 4), 5.0)

    exact = exact_day_totals(actual, forecast)
    assert exact[0, 0] == pytest.approx([25] * 4)  # flat shape, Monday's total
    assert exact[0, 1] == pytest.approx([10] * 4)  # scaled on the observed slots only
    assert exact[0, 2] == pytest.approx([5] * 4)  # a day without data is left as it was

    table = day_breakdown(pd.Timestamp("2026-10-05"), actual, {"auto": forecast})
    assert list(table.index) == ["Mon 2026-10-05", "Tue 2026-10-06", "whole hold-out"]
    monday = table.loc["Mon 2026-10-05"]
    assert monday["contacts"] == 100
    assert monday["auto level"] == pytest.approx(0.2)
    assert monday["auto WAPE"] == pytest.approx(0.8)
    assert monday["auto exact level"] == pytest.approx(0.4)  # |10−25|+|20−25|+|30−25|+|40−25| over 100
    assert table.loc["Tue 2026-10-06", "auto exact level"] == pytest.approx(0.0)
    assert table.loc["whole hold-out", "contacts"] == 120
    assert table.loc["whole hold-out", "auto exact level"] == pytest.approx(40 / 120)
