"""Actuals and accuracy (scheduler): actual volumes of past weeks join the history; each week's forecast
is judged against them."""

from __future__ import annotations

import streamlit as st

from tabular import InputError
from wfm_app import actuals, context, header, problems, state, tables
from wfm_app.text import md


def upload_section(center: str) -> None:
    st.subheader("Upload actuals")
    st.caption("Actual interval volumes of past weeks, in the history format (interval_start, queue, contacts, "
               "aht_seconds). They join the center's history: an interval already there takes the actual.")
    upload = st.file_uploader("Actuals (CSV)", type=["csv", "txt"], key=state.UPLOAD_ACTUALS)
    if upload is not None and st.button("Add to the history", key=state.ADD_ACTUALS, type="primary"):
        try:
            added = actuals.add_actuals(context.store(), center, upload.getvalue(), upload.name, context.user())
        except InputError as error:
            problems.show(error, f"{md(upload.name)} cannot be used; nothing was saved")
            return
        state.put(state.ACTUALS_ADDED, added)
        st.rerun()


def accuracy_section(center: str) -> None:
    st.subheader("Forecast accuracy")
    table = actuals.accuracy(context.store(), center)
    if table.empty:
        st.info("No planned week has both a saved forecast and actuals yet.", icon=":material/info:")
        return
    tables.show(table, column_config={
        "week": st.column_config.DateColumn("week", format="ddd DD MMM YYYY"),
        "contacts_forecast": st.column_config.NumberColumn("forecast contacts", format="%.0f"),
        "contacts_actual": st.column_config.NumberColumn("actual contacts", format="%.0f"),
        "wape": st.column_config.NumberColumn("WAPE", format="percent", help="Σ|actual − forecast| / Σ actual"),
        "bias": st.column_config.NumberColumn("bias", format="percent",
                                              help="(Σ forecast − Σ actual) / Σ actual; above 0: forecast too high"),
    })
    left, right = st.columns(2)
    weeks = sorted({week.date() for week in table["week"]})
    week = left.selectbox("Week", weeks, key=state.ACCURACY_WEEK, format_func=lambda day: f"{day:%a %d %b %Y}")
    queues = sorted(table[table["week"].dt.date == week]["queue"])
    queue = right.selectbox("Queue", queues, key=state.ACCURACY_QUEUE)
    if queue is not None:
        forecast, history = actuals.week_forecast_and_history(context.store(), center, week)
        st.plotly_chart(actuals.week_figure(forecast, history, queue), key="accuracy-week")


def page() -> None:
    center = header.center_header("Actuals and accuracy", "how each week's saved forecast compares with what arrived.",
                                  state.ACTUALS_ADDED, lambda added: f"{added:,} actual intervals joined the history.")
    upload_section(center)
    accuracy_section(center)


page()
