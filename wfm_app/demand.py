"""Tables and figures of the forecast and staffing page: editor tables in, package inputs out."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from pydantic import ValidationError

from forecasts.special_days import CLOSED, validate_special_days
from forecasts.staffing import QueueTarget, StaffingConfig
from tabular import InputError, Problem
from wfm_app.problems import from_validation
from wfm_app.text import plot_text

HISTORY_WEEKS_SHOWN = 4  # enough to see the weekly shape next to the forecast without squashing it
# Every field of a queue's target, kind first: a field left out of the editor would be lost when it saves.
TARGET_COLUMNS = ["queue", "kind", *(field for field in QueueTarget.model_fields if field != "kind")]
HISTORY_COLOR, FORECAST_COLOR = "#7f7f7f", "#1f77b4"


# --- special days ---------------------------------------------------------------------------


def special_days_rows(special_days: pd.DataFrame) -> pd.DataFrame:
    """The special-days editor table: date, effect (a multiplier or 'closed'), label."""
    return pd.DataFrame({
        "date": pd.to_datetime(special_days["date"]).dt.date,
        "effect": [f"{m:g}" if m > 0 else CLOSED for m in special_days["multiplier"]],
        "label": special_days["label"].astype(str),
    })


def special_days_from_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The edited table validated as a special-days file would be (InputError names row and column)."""
    blank = rows.isna() | (rows.astype(str).apply(lambda column: column.str.strip()) == "")
    kept = rows[~blank.all(axis=1)]  # a row added and left empty is no special day
    text = kept.astype(object).where(kept.notna(), "").astype(str)
    return validate_special_days(text.reset_index(drop=True), "special days")


# --- service targets ------------------------------------------------------------------------


def target_rows(queues: list[str], targets: dict[str, QueueTarget]) -> pd.DataFrame:
    """One editor row per queue; queues without a target start from the defaults."""
    rows = [{"queue": queue, **(targets.get(queue) or QueueTarget()).model_dump()} for queue in queues]
    return pd.DataFrame(rows).reindex(columns=TARGET_COLUMNS)


def targets_from_rows(rows: pd.DataFrame) -> StaffingConfig:
    """The edited targets as a StaffingConfig; bad values raise InputError (queue as the row)."""
    queues = {}
    for record in rows.astype(object).where(rows.notna(), None).to_dict("records"):
        queue = str(record.pop("queue"))
        queues[queue] = {key: value for key, value in record.items() if value is not None}
    try:
        return StaffingConfig.model_validate({"queues": queues})
    except ValidationError as error:
        raise InputError(_queue_rows(from_validation(error, "service targets"), list(queues))) from None


def _queue_rows(problems: list[Problem], queues: list[str]) -> list[Problem]:
    """`queues.chat.shrinkage` reads better as row chat's shrinkage: locate the row by its queue."""
    located = []
    for problem in problems:
        parts = (problem.column or "").split(".")
        if len(parts) >= 2 and parts[0] == "queues" and parts[1] in queues:  # a field, or the queue as a whole
            problem = Problem(problem.message, f"service targets, queue '{parts[1]}'",
                              queues.index(parts[1]) + 2, ".".join(parts[2:]) or None)
        located.append(problem)
    return located


# --- tables and figures -----------------------------------------------------------------------


def accuracy_table(accuracy: pd.DataFrame) -> pd.DataFrame:
    """Backtest WAPE as method × queue, the chosen method of each queue marked with ✓."""
    cells = accuracy.assign(cell=[_wape_cell(wape, chosen)
                                  for wape, chosen in zip(accuracy["wape"], accuracy["chosen"])])
    table = cells.pivot(index="method", columns="queue", values="cell")
    return table.reset_index().rename_axis(columns=None)


def _wape_cell(wape: float, chosen: bool) -> str:
    text = "n/a" if wape is None or (isinstance(wape, float) and math.isnan(wape)) else f"{wape:.1%}"
    return f"{text} ✓" if chosen else text


def _add_band(figure: go.Figure, future: pd.DataFrame, level: int, opacity: float) -> None:
    """The forecast's ``level`` % prediction interval as a band filled between its limits."""
    fill = f"rgba(31, 119, 180, {opacity})"  # FORECAST_COLOR, see-through
    for limit, name in (("lo", None), ("hi", f"{level} % interval")):
        figure.add_trace(go.Scatter(
            x=future["interval_start"], y=np.round(future[f"contacts_{limit}{level}"], 1), name=name,
            showlegend=name is not None, line=dict(width=0), fillcolor=fill, legendgroup=f"band{level}",
            fill="tonexty" if limit == "hi" else None, hoverinfo="skip"))


def history_forecast_figure(history: pd.DataFrame, forecast: pd.DataFrame, queue: str) -> go.Figure:
    """The last weeks of history and the forecast of one queue, contacts per interval, with the
    forecast's 95 % and 80 % prediction intervals as shaded bands when it has them."""
    past = history[history["queue"] == queue]
    past = past[past["interval_start"] >= past["interval_start"].max() - pd.Timedelta(weeks=HISTORY_WEEKS_SHOWN)]
    future = forecast[forecast["queue"] == queue]
    figure = contacts_figure(f"Contacts per interval: {plot_text(queue)}", [
        go.Scatter(x=past["interval_start"], y=past["contacts"], name="history", line=dict(color=HISTORY_COLOR, width=1))])
    for level, opacity in ((95, 0.12), (80, 0.25)):
        if f"contacts_hi{level}" in future:
            _add_band(figure, future, level, opacity)
    figure.add_trace(go.Scatter(x=future["interval_start"], y=np.round(future["contacts"], 1), name="forecast",
                                line=dict(color=FORECAST_COLOR, width=2)))
    return figure


def contacts_figure(title: str, traces: list[go.Scatter]) -> go.Figure:
    """Lines of contacts per interval under one title (`title` already safe for Plotly)."""
    figure = go.Figure(traces)
    figure.update_layout(title=title, height=340, hovermode="x unified", margin=dict(t=50, b=30),
                         legend=dict(orientation="h", y=1.12, x=1, xanchor="right"))
    figure.update_yaxes(title_text="contacts", rangemode="tozero")
    return figure
