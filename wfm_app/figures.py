"""Figures the packages do not draw: an agent's week as a calendar (days down, hours across)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from wfm.plots import BREAK_COLORS, QUEUE_COLORS
from scheduler.scenario import MINUTES_PER_DAY
from wfm_app.text import plot_text


def week_calendar(roster: pd.DataFrame, week_start: dt.date, queues: list[str]) -> go.Figure:
    """One row per day of the week, 00:00 to 24:00 across; work coloured by queue, breaks in grey and
    brown. A night shift is split at midnight, so its morning part shows on the next day."""
    colors = {**{queue: QUEUE_COLORS[i % len(QUEUE_COLORS)] for i, queue in enumerate(queues)}, **BREAK_COLORS}
    days = [week_start + dt.timedelta(days=day) for day in range(7)]
    labels = [f"{day:%a %d %b}" for day in days]
    pieces = _day_pieces(roster, week_start)
    figure = go.Figure()
    for series, rows in pieces.groupby("series", sort=False):
        figure.add_trace(go.Bar(
            name=plot_text(series), orientation="h", y=[labels[day] for day in rows["day"]], base=rows["from_hour"],
            x=rows["to_hour"] - rows["from_hour"], marker_color=colors.get(series, "#999999"),
            customdata=rows[["activity", "text"]].to_numpy(),
            hovertemplate="%{y}<br>%{customdata[0]} %{customdata[1]}<extra></extra>",
        ))
    # Every day gets a row, even without a shift: a day off is part of the week.
    working = set(pieces["day"])
    figure.add_trace(go.Scatter(x=[12] * 7, y=labels, mode="text",
                                text=["" if day in working else "off" for day in range(7)],
                                textfont=dict(color="#888888"), showlegend=False, hoverinfo="skip"))
    figure.update_layout(barmode="overlay", height=360, margin=dict(t=30, b=40, l=10, r=10),
                         legend=dict(orientation="h", y=1.1, x=1, xanchor="right"))
    figure.update_xaxes(range=[0, 24], tickvals=list(range(0, 25, 2)),
                        ticktext=[f"{hour:02d}:00" for hour in range(0, 25, 2)], showgrid=True)
    figure.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed")
    return figure


def _day_pieces(roster: pd.DataFrame, week_start: dt.date) -> pd.DataFrame:
    """Segments cut at midnight, as (day, from_hour, to_hour) within the week; days outside are left out."""
    origin = pd.Timestamp(week_start)
    rows = []
    for segment in roster.itertuples(index=False):
        start = int((pd.Timestamp(segment.start) - origin).total_seconds() // 60)
        end = int((pd.Timestamp(segment.end) - origin).total_seconds() // 60)
        text = f"{pd.Timestamp(segment.start):%H:%M}–{pd.Timestamp(segment.end):%H:%M}"
        series = segment.queue if segment.activity == "work" else segment.activity
        while start < end:
            day, cut = start // MINUTES_PER_DAY, min(end, (start // MINUTES_PER_DAY + 1) * MINUTES_PER_DAY)
            if 0 <= day < 7:
                rows.append({"day": day, "from_hour": (start - day * MINUTES_PER_DAY) / 60,
                             "to_hour": (cut - day * MINUTES_PER_DAY) / 60, "series": series,
                             "activity": segment.activity,
                             "text": f"{plot_text(segment.queue)} {text}" if segment.activity == "work" else text})
            start = cut
    return pd.DataFrame(rows, columns=["day", "from_hour", "to_hour", "series", "activity", "text"])
