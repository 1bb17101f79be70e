"""forecast_accuracy: forecast against actuals per week and queue, on hand-computed cases."""

import numpy as np
import pandas as pd
import pytest

from forecasts.accuracy import ACCURACY_COLUMNS, forecast_accuracy
from tabular import InputError


def table(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["interval_start", "queue", "contacts"])
    frame["interval_start"] = pd.to_datetime(frame["interval_start"])
    return frame


def test_wape_and_bias_per_week_and_queue():
    forecast = table([
        ("2026-11-23 09:00", "voice", 10.0), ("2026-11-29 23:30", "voice", 20.0),  # Mon and Sun: one week
        ("2026-11-30 09:00", "voice", 5.0),  # the next week
        ("2026-11-23 09:00", "chat", 4.0),
        ("2026-11-24 09:00", "chat", 6.0),  # no actual yet: left out
    ])
    actuals = table([
        ("2026-11-23 09:00", "voice", 12.0), ("2026-11-29 23:30", "voice", 15.0),
        ("2026-11-30 09:00", "voice", 0.0),
        ("2026-11-23 09:00", "chat", 5.0),
        ("2026-11-16 09:00", "chat", 99.0),  # outside the forecast: ignored
    ])
    result = forecast_accuracy(forecast, actuals)
    assert list(result.columns) == ACCURACY_COLUMNS
    rows = result.set_index(["week", "queue"])
    voice = rows.loc[(pd.Timestamp("2026-11-23"), "voice")]
    assert voice["contacts_forecast"] == 30.0 and voice["contacts_actual"] == 27.0
    assert voice["wape"] == pytest.approx((2 + 5) / 27)
    assert voice["bias"] == pytest.approx(3 / 27)
    chat = rows.loc[(pd.Timestamp("2026-11-23"), "chat")]
    assert chat["wape"] == pytest.approx(1 / 5) and chat["bias"] == pytest.approx(-1 / 5)
    quiet = rows.loc[(pd.Timestamp("2026-11-30"), "voice")]  # no contact arrived: no ratio
    assert quiet["contacts_forecast"] == 5.0 and np.isnan(quiet["wape"]) and np.isnan(quiet["bias"])
    assert len(result) == 3


def test_missing_columns_are_named():
    forecast = table([("2026-11-23 09:00", "voice", 10.0)])
    with pytest.raises(InputError, match=r"actuals, column 'queue': is missing"):
        forecast_accuracy(forecast, forecast.drop(columns="queue"))
    with pytest.raises(InputError, match=r"forecast, column 'interval_start': must hold date-times"):
        forecast_accuracy(forecast.astype({"interval_start": str}), forecast)
