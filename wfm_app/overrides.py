"""Demand overrides of a week: a planner scales a queue's forecast over a day or a time range (a campaign),
with a note; the week's requirement is staffed from the forecast with its overrides applied.

The saved forecast stays as the methods made it, so removing an override gives back the requirement
without it. Every write goes through the store (its permission check and audit trail names who and when).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from forecasts.history import interval_minutes
from forecasts.overrides import DemandOverride, apply_overrides
from forecasts.staffing import StaffingConfig, staffing_requirements
from tabular import InputError, Problem
from wfm.storage import NotFound, StoredOverride, Store
from wfm_app.demand import FORECAST_COLOR, contacts_figure
from wfm_app.text import local_moment, plot_text

OVERRIDE_COLOR = "#d62728"
OVERRIDE_COLUMNS = ["id", "queue", "from", "to", "change", "note", "by", "added"]


def week_overrides(store: Store, scenario_id: int) -> list[DemandOverride]:
    return [stored.override for stored in store.list_demand_overrides(scenario_id)]


def requirement(forecast: pd.DataFrame, overrides: list[DemandOverride], staffing: StaffingConfig) -> pd.DataFrame:
    """The agents to schedule for the forecast with the overrides applied."""
    return staffing_requirements(apply_overrides(forecast, overrides), staffing, interval_minutes(forecast))


def restaff(store: Store, scenario_id: int, by: str) -> None:
    """The week's requirement again from its saved forecast and its overrides, at its service targets."""
    try:
        forecast = store.load_forecast(scenario_id)
    except NotFound:
        raise InputError(Problem("the week has no saved forecast to override; forecast it first (Planning calendar "
                                 "or Forecast and staffing)", column="forecast")) from None
    staffing = store.load_scenario_config(scenario_id).staffing_config()
    store.save_requirements(scenario_id, requirement(forecast, week_overrides(store, scenario_id), staffing), by=by)


def add(store: Store, scenario_id: int, override: dict, by: str) -> int:
    """Record the override and staff the week with it: both saved, or neither."""
    with store.transaction():
        override_id = store.add_demand_override(scenario_id, override, by=by)
        restaff(store, scenario_id, by)
    return override_id


def remove(store: Store, scenario_id: int, override_id: int, by: str) -> None:
    with store.transaction():
        store.remove_demand_override(override_id)
        restaff(store, scenario_id, by)


def override_fields(week_start: dt.date, day: int, start: dt.time, end: dt.time, percent: float, queue: str,
                    note: str) -> dict:
    """What the page's inputs say, as an override's fields: day `day` of the horizon from `start` to `end`
    (an end of 00:00 is the day's midnight), contacts changed by `percent` %."""
    first = dt.datetime.combine(week_start + dt.timedelta(days=day), start)
    last = dt.datetime.combine(week_start + dt.timedelta(days=day + (end == dt.time())), end)
    return {"queue": queue, "start": first, "end": last, "factor": 1 + percent / 100, "note": note}


def override_table(stored: list[StoredOverride], zone: dt.tzinfo = dt.UTC) -> pd.DataFrame:
    rows = [{"id": item.id, "queue": item.override.queue, "from": item.override.start, "to": item.override.end,
             "change": f"{item.override.percent:+.0f} %", "note": item.override.note, "by": item.created_by or "",
             "added": local_moment(item.created_at, zone)} for item in stored]
    return pd.DataFrame(rows, columns=OVERRIDE_COLUMNS)


def describe(item: StoredOverride) -> str:
    override = item.override
    end = f"{override.end:%H:%M}" if override.end.date() == override.start.date() else f"{override.end:%a %d %b %H:%M}"
    return f"{override.queue}: {override.start:%a %d %b %H:%M}–{end} {override.percent:+.0f} % ({override.note})"


def figure(forecast: pd.DataFrame, overrides: list[DemandOverride], queue: str) -> go.Figure:
    """The queue's forecast as the methods made it and as overridden, each override's range shaded."""
    mine = [override for override in overrides if override.queue == queue]
    future = forecast[forecast["queue"].astype(str) == queue]
    adjusted = apply_overrides(future, mine)
    chart = contacts_figure(f"Forecast and overrides: {plot_text(queue)}", [
        go.Scatter(x=future["interval_start"], y=future["contacts"].round(1), name="forecast",
                   line=dict(color=FORECAST_COLOR, width=1, dash="dot")),
        go.Scatter(x=adjusted["interval_start"], y=adjusted["contacts"].round(1), name="with overrides",
                   line=dict(color=OVERRIDE_COLOR, width=2))])
    return mark(chart, mine, queue)


def mark(chart: go.Figure, overrides: list[DemandOverride], queue: str) -> go.Figure:
    """Shade each override of the queue on a chart of its contacts, labelled with its change and note."""
    for override in overrides:
        if override.queue == queue:
            chart.add_vrect(x0=override.start, x1=override.end, fillcolor=OVERRIDE_COLOR, opacity=0.08,
                            line_width=0, annotation_text=plot_text(f"{override.percent:+.0f} % {override.note}"),
                            annotation_position="top left")
    return chart
