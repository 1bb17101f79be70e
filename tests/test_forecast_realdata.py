"""The chosen method beats seasonal naive on real call volumes (fpp2 ``calls``, a North American
bank, 2003, summed to hours), on the last 4 weeks held out. Skipped when the data file is absent;
``benchmarks/bench_forecast_realdata.py`` is the full 30-minute, 8-week version."""

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
