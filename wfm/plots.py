"""Plotly figures of coverage, rosters and requirements for the Streamlit app: pure functions,
nothing rendered or written."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from scheduler.scenario import MINUTES_PER_DAY, Scenario, WorkRules, clock_minutes
from scheduler.shifts import is_weekend_day

SHORT_COLOR = "#d62728"
REQUIRED_COLOR = "#222222"
SERVICE_COLOR = "#2ca02c"
SERVICE_BAND = "rgba(44, 160, 44, 0.25)"
BREAK_COLORS = {"break": "#bbbbbb", "lunch": "#8c564b"}
QUEUE_COLORS = ("#1f77b4", "#ff7f0e", "#9467bd", "#17becf", "#bcbd22", "#e377c2")
NIGHT_SHADE = "rgba(40, 40, 120, 0.08)"
WEEKEND_SHADE = "rgba(200, 150, 0, 0.08)"


def coverage_figure(coverage_df: pd.DataFrame, queue: str | None = None,
                    response_hours: dict[str, float] | None = None) -> go.Figure:
    """Scheduled agents (bars, with the shortfall stacked on top in red) against the requirement
    (step line), and the expected service level on a secondary axis; one panel per queue. A deferred
    queue (one of `response_hours`, the coverage's backlog columns) shows its backlog instead, and how
    long its oldest contact has waited against the response time."""
    queues = [queue] if queue is not None else list(dict.fromkeys(coverage_df["queue"]))
    figure = make_subplots(rows=len(queues), cols=1, shared_xaxes=True, subplot_titles=queues,
                           specs=[[{"secondary_y": True}]] * len(queues))
    width = _interval_milliseconds(coverage_df["interval_start"])
    deferred = response_hours or {}
    for row, name in enumerate(queues, start=1):
        rows = coverage_df[coverage_df["queue"] == name].sort_values("interval_start")
        x = rows["interval_start"]
        first = row == 1  # one legend entry per series, not per panel
        if name in deferred:
            first_deferred = not any(other in deferred for other in queues[:row - 1])
            _backlog_panel(figure, row, rows, deferred[name], width, first_deferred)
            continue
        # Bars span their interval (offset 0) so they line up with the step line drawn from each start.
        bars = dict(x=x, width=width, offset=0, showlegend=first)
        figure.add_trace(go.Bar(name="scheduled", y=rows["scheduled"], marker_color=QUEUE_COLORS[0],
                                legendgroup="scheduled", **bars), row=row, col=1)
        figure.add_trace(go.Bar(name="short", y=rows["short"], base=rows["scheduled"], marker_color=SHORT_COLOR,
                                legendgroup="short", **bars), row=row, col=1)
        figure.add_trace(go.Scatter(name="required", x=x, y=rows["required"], mode="lines", line_shape="hv",
                                    line_color=REQUIRED_COLOR, legendgroup="required", showlegend=first),
                         row=row, col=1)
        figure.add_trace(go.Scatter(name="service level", x=x, y=rows["service_level"], mode="lines",
                                    line=dict(color=SERVICE_COLOR, dash="dot"), legendgroup="service level",
                                    showlegend=first), row=row, col=1, secondary_y=True)
        figure.update_yaxes(title_text="agents", row=row, col=1, secondary_y=False)
        figure.update_yaxes(title_text="service level", range=[0, 1.05], tickformat=".0%",
                            row=row, col=1, secondary_y=True)
    figure.update_layout(barmode="overlay", bargap=0, height=320 * len(queues), hovermode="x unified")
    return figure


def _backlog_panel(figure: go.Figure, row: int, rows: pd.DataFrame, response_hours: float, width: float,
                   first: bool) -> None:
    """A deferred queue: contacts arriving (bars) and waiting (line); on the right axis how long the
    oldest has waited, against the response time (dashed)."""
    x = rows["interval_start"]
    figure.add_trace(go.Bar(name="arrivals", x=x, y=rows["arrivals"], width=width, offset=0,
                            marker_color=QUEUE_COLORS[2], legendgroup="arrivals", showlegend=first), row=row, col=1)
    figure.add_trace(go.Scatter(name="backlog", x=x, y=rows["backlog"], mode="lines", line_shape="hv",
                                line_color=REQUIRED_COLOR, legendgroup="backlog", showlegend=first), row=row, col=1)
    figure.add_trace(go.Scatter(name="oldest waiting (h)", x=x, y=rows["oldest_age_hours"], mode="lines",
                                line=dict(color=SHORT_COLOR, dash="dot"), legendgroup="oldest", showlegend=first),
                     row=row, col=1, secondary_y=True)
    figure.add_trace(go.Scatter(name="response time", x=[x.min(), x.max()], y=[response_hours, response_hours],
                                mode="lines", line=dict(color=SHORT_COLOR, dash="dash"), legendgroup="limit",
                                showlegend=first), row=row, col=1, secondary_y=True)
    figure.update_yaxes(title_text="contacts", row=row, col=1, secondary_y=False)
    # An explicit range: a themed figure (Streamlit's) otherwise lines this axis's ticks up with the left one's.
    top = 1.05 * max(response_hours, float(rows["oldest_age_hours"].max() or 0))
    figure.update_yaxes(title_text="hours waited", range=[0, top], row=row, col=1, secondary_y=True)


def _interval_milliseconds(starts: pd.Series) -> float:
    """The interval length, from the smallest gap between starts (30 minutes for a single interval)."""
    gaps = np.diff(np.sort(pd.to_datetime(starts.unique())).astype("datetime64[ms]").astype(np.int64))
    return float(gaps[gaps > 0].min()) if (gaps > 0).any() else 30 * 60_000.0


def roster_gantt(roster_df: pd.DataFrame, scenario: Scenario | None = None) -> go.Figure:
    """One row per agent; work colored by queue, breaks and lunches in their own colors; nights and
    weekend days shaded. With a scenario, agents appear in its order, and each queue keeps the color
    (and legend place) of its place among the scenario's queues, whichever queues this roster uses."""
    rules = scenario.config.rules if scenario else WorkRules()
    roster = roster_df.assign(
        start=pd.to_datetime(roster_df["start"]), end=pd.to_datetime(roster_df["end"]),
        label=roster_df["name"].astype(str) + " (" + roster_df["agent_id"].astype(str) + ")",
    )
    roster["series"] = roster["queue"].where(roster["activity"] == "work", roster["activity"])
    worked = dict.fromkeys(roster.loc[roster["activity"] == "work", "queue"])
    queues = list(dict.fromkeys([*(scenario.config.queues if scenario else []), *worked]))
    colors = {**{queue: QUEUE_COLORS[i % len(QUEUE_COLORS)] for i, queue in enumerate(queues)}, **BREAK_COLORS}

    figure = go.Figure()
    order = [queue for queue in queues if queue in worked] + list(BREAK_COLORS)
    for series in [series for series in order if series in set(roster["series"])]:
        rows = roster[roster["series"] == series]
        figure.add_trace(go.Bar(
            name=str(series), orientation="h", y=rows["label"], base=rows["start"],
            x=(rows["end"] - rows["start"]).dt.total_seconds() * 1000,  # a date axis measures in ms
            marker_color=colors[series],
            customdata=np.column_stack([rows["activity"], rows["queue"], rows["start"].dt.strftime("%a %H:%M"),
                                        rows["end"].dt.strftime("%a %H:%M")]),
            hovertemplate="%{y}<br>%{customdata[0]} %{customdata[1]}<br>"
                          "%{customdata[2]}–%{customdata[3]}<extra></extra>",
        ))
    week_start = scenario.week_start if scenario else _monday_before(roster["start"].min())
    _shade_week(figure, week_start, rules)
    figure.update_layout(barmode="overlay", xaxis_type="date", height=max(300, 24 * roster["label"].nunique() + 120))
    figure.update_yaxes(categoryorder="array", categoryarray=_agent_order(roster, scenario), autorange="reversed")
    return figure


def _monday_before(when: pd.Timestamp) -> dt.datetime:
    return (when.normalize() - pd.Timedelta(days=when.weekday())).to_pydatetime()


def _agent_order(roster: pd.DataFrame, scenario: Scenario | None) -> list[str]:
    labels = dict(zip(roster["agent_id"].astype(str), roster["label"]))
    order = [agent.agent_id for agent in scenario.agents] if scenario else sorted(labels)
    return [labels[agent_id] for agent_id in order if agent_id in labels]


def _shade_week(figure: go.Figure, week_start: dt.datetime, rules: WorkRules) -> None:
    """Weekend days and the nightly window of every day (also the tail of the one opening on the
    Sunday before, cut at the week's start so the axis does not stretch back)."""
    night_start, night_end = clock_minutes(rules.night_start), clock_minutes(rules.night_end)
    if night_end <= night_start:
        night_end += MINUTES_PER_DAY
    for day in range(-1, 7):
        midnight = week_start + dt.timedelta(days=day)
        dusk = max(week_start, midnight + dt.timedelta(minutes=night_start))
        dawn = midnight + dt.timedelta(minutes=night_end)
        if dusk < dawn:
            figure.add_vrect(x0=dusk, x1=dawn, fillcolor=NIGHT_SHADE, line_width=0, layer="below")
        if day >= 0 and is_weekend_day(day, rules):
            figure.add_vrect(x0=midnight, x1=midnight + dt.timedelta(days=1), fillcolor=WEEKEND_SHADE,
                             line_width=0, layer="below")


def requirement_heatmap(requirements_df: pd.DataFrame, queue: str) -> go.Figure:
    """Required agents of one queue as a heatmap: one row per day, one column per time of day."""
    rows = requirements_df[requirements_df["queue"] == queue]
    starts = pd.to_datetime(rows["interval_start"])
    # Labels that sort chronologically, so the pivot's own sorting orders days and times.
    grid = rows.assign(day=starts.dt.strftime("%Y-%m-%d %a"), time=starts.dt.strftime("%H:%M"))
    table = grid.pivot_table(index="day", columns="time", values="required", aggfunc="max")
    figure = go.Figure(go.Heatmap(z=table.to_numpy(), x=list(table.columns), y=list(table.index),
                                  colorscale="Blues", colorbar_title="agents",
                                  hovertemplate="%{y} %{x}: %{z} agents<extra></extra>"))
    figure.update_layout(title=f"Required agents: {queue}", yaxis_autorange="reversed")
    return figure


def simulated_service_figure(simulation_df: pd.DataFrame, coverage_df: pd.DataFrame) -> go.Figure:
    """Simulated service level per interval (line = mean over replications, band = its 95 % interval)
    against the level Erlang expects of the same coverage (dotted); one panel per queue."""
    queues = list(dict.fromkeys(simulation_df["queue"]))
    figure = make_subplots(rows=len(queues), cols=1, shared_xaxes=True, subplot_titles=queues)
    for row, name in enumerate(queues, start=1):
        rows = simulation_df[simulation_df["queue"] == name].sort_values("interval_start")
        expected = coverage_df[coverage_df["queue"] == name].sort_values("interval_start")
        x, first = rows["interval_start"], row == 1
        # Where a single replication had a contact there is no interval: the band narrows to the mean.
        low = rows["service_level_low"].fillna(rows["service_level"])
        high = rows["service_level_high"].fillna(rows["service_level"])
        band = dict(x=x, mode="lines", line=dict(width=0, color=SERVICE_COLOR), line_shape="hv",
                    legendgroup="band", hoverinfo="skip")
        figure.add_trace(go.Scatter(name="95 % interval", y=high, showlegend=False, **band), row=row, col=1)
        figure.add_trace(go.Scatter(name="95 % interval", y=low, fill="tonexty", fillcolor=SERVICE_BAND,
                                    showlegend=first, **band), row=row, col=1)
        figure.add_trace(go.Scatter(name="simulated", x=x, y=rows["service_level"], mode="lines", line_shape="hv",
                                    line_color=SERVICE_COLOR, legendgroup="simulated", showlegend=first),
                         row=row, col=1)
        figure.add_trace(go.Scatter(name="expected (Erlang)", x=expected["interval_start"],
                                    y=expected["service_level"], mode="lines", line_shape="hv",
                                    line=dict(color=REQUIRED_COLOR, dash="dot"), legendgroup="expected",
                                    showlegend=first), row=row, col=1)
        figure.update_yaxes(title_text="service level", range=[0, 1.05], tickformat=".0%", row=row, col=1)
    figure.update_layout(height=320 * len(queues), hovermode="x unified")
    return figure
