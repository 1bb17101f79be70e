"""Forecast accuracy against actuals, per week and queue (the app's actuals view).

Only intervals present in both tables are compared: an interval without an actual row is a gap
(not yet happened, or not reported), never a zero, and actuals outside the forecast are ignored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tabular import InputError, Problem

ACCURACY_COLUMNS = ["week", "queue", "contacts_forecast", "contacts_actual", "wape", "bias"]
KEYS = ["interval_start", "queue"]


def forecast_accuracy(forecast: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Per week (its Monday) and queue: summed forecast and actual contacts over the intervals both
    have, ``wape`` = Σ|actual − forecast| / Σ actual and ``bias`` = (Σ forecast − Σ actual) /
    Σ actual (positive: the forecast was too high); both NaN when no contact arrived.

    Both tables need ``interval_start`` (date-times), ``queue`` and ``contacts``, as a history or
    forecast table has them; raises InputError naming the table and the column otherwise.
    """
    _check_columns(forecast, "forecast")
    _check_columns(actuals, "actuals")
    both = forecast[KEYS + ["contacts"]].merge(actuals[KEYS + ["contacts"]], on=KEYS,
                                                suffixes=("_forecast", "_actual"))
    starts = both["interval_start"].dt.normalize()
    both["week"] = starts - pd.to_timedelta(starts.dt.dayofweek, unit="D")
    both["error"] = (both["contacts_actual"] - both["contacts_forecast"]).abs()
    table = both.groupby(["week", "queue"], as_index=False)[
        ["contacts_forecast", "contacts_actual", "error"]].sum()
    actual = table["contacts_actual"].where(table["contacts_actual"] > 0, np.nan)
    table["wape"] = table["error"] / actual
    table["bias"] = (table["contacts_forecast"] - table["contacts_actual"]) / actual
    return table[ACCURACY_COLUMNS]


def _check_columns(table: pd.DataFrame, name: str) -> None:
    """The table has the columns compared on, with date-times as interval starts."""
    missing = [column for column in KEYS + ["contacts"] if column not in table.columns]
    if missing:
        raise InputError([Problem(f"is missing; the {name} needs interval_start, queue and contacts",
                                  file=name, column=column) for column in missing])
    if not pd.api.types.is_datetime64_any_dtype(table["interval_start"]):
        raise InputError(Problem("must hold date-times (read the table with read_history)",
                                 file=name, column="interval_start"))
