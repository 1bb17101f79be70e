"""Actual interval volumes of past weeks: they join the center's history, and each planned week's saved
forecast is judged against them (WAPE and bias per week and queue, and a plot of both)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from forecasts.accuracy import forecast_accuracy
from forecasts.history import read_history
from tabular import InputError, Problem
from wfm.storage import NotFound, Store
from wfm_app.demand import FORECAST_COLOR, contacts_figure
from wfm_app.text import plot_text

ACTUAL_COLOR = "#d62728"


def add_actuals(store: Store, center: str, content: bytes, name: str, by: str) -> int:
    """Read an actuals file (history format) and save the center's history with it: an interval in both
    takes the actual. Returns the number of actual intervals."""
    actuals = read_history(content, name)
    try:
        history = store.load_history(center)
    except NotFound:  # a center made from the sample before it kept a history: the actuals start one
        history = actuals.iloc[:0]
    minutes = history.attrs.get("interval_minutes")
    if minutes and actuals.attrs["interval_minutes"] != minutes:
        raise InputError(Problem(f"has {actuals.attrs['interval_minutes']}-minute intervals; the center's history "
                                 f"has {minutes}-minute ones: give the actuals in {minutes}-minute intervals", name,
                                 column="interval_start"))
    joined = pd.concat([history, actuals]).drop_duplicates(["interval_start", "queue"], keep="last")
    joined = joined.sort_values(["interval_start", "queue"]).reset_index(drop=True)
    store.save_history(center, joined, name=f"history with actuals of {name}", by=by)
    return len(actuals)


def accuracy(store: Store, center: str) -> pd.DataFrame:
    """Per planned week with a saved forecast and queue: forecast vs actual contacts, WAPE and bias, over the
    intervals that have actuals (a week without any is left out)."""
    try:
        history = store.load_history(center)
    except NotFound:
        return forecast_accuracy(empty_table(), empty_table())
    tables = [forecast_accuracy(week_forecast, history) for week_forecast in saved_forecasts(store, center)]
    return pd.concat(tables, ignore_index=True) if tables else forecast_accuracy(empty_table(), empty_table())


def saved_forecasts(store: Store, center: str) -> list[pd.DataFrame]:
    """The newest saved forecast of each week of the center."""
    return [store.load_forecast(info.id) for info in store.list_scenarios(center)
            if store.list_tables(scenario_id=info.id, kind="forecast")]


def week_forecast_and_history(store: Store, center: str, week: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The saved forecast of the center's week, and the center's history (actuals included)."""
    (info,) = [info for info in store.list_scenarios(center) if info.week_start == week]
    return store.load_forecast(info.id), store.load_history(center)


def empty_table() -> pd.DataFrame:
    return pd.DataFrame({"interval_start": pd.to_datetime([]), "queue": pd.Series([], dtype=str),
                         "contacts": pd.Series([], dtype=float)})


def week_figure(forecast: pd.DataFrame, history: pd.DataFrame, queue: str) -> go.Figure:
    """Forecast and actual contacts per interval of one queue over the forecast's week."""
    planned = forecast[forecast["queue"] == queue]
    start, end = planned["interval_start"].min(), planned["interval_start"].max()
    actual = history[(history["queue"] == queue) & history["interval_start"].between(start, end)]
    return contacts_figure(f"Forecast and actual contacts: {plot_text(queue)}", [
        go.Scatter(x=planned["interval_start"], y=np.round(planned["contacts"], 1), name="forecast",
                   line=dict(color=FORECAST_COLOR, width=2)),
        go.Scatter(x=actual["interval_start"], y=actual["contacts"], name="actual", line=dict(color=ACTUAL_COLOR, width=1)),
    ])
