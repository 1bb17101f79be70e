"""Planning calendar (scheduler): the center's weeks and their state, and the next week to plan."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from forecasts.methods import METHODS
from tabular import InputError
from wfm_app import context, header, planning, problems, state, tables

WHICH = {"next": "The next week", "pick": "Pick a Monday"}


def show_calendar(center: str) -> None:
    weeks = planning.calendar(context.store(), center)
    published = weeks[weeks["state"] == planning.PUBLISHED]["week"]
    to_plan = weeks[weeks["state"] != planning.PUBLISHED]["week"]
    left, right = st.columns(2)
    left.metric("Weeks published", len(published),
                help=", ".join(f"{week:%d %b}" for week in published) or "none yet")
    right.metric("Next week to plan", f"{to_plan.iloc[0]:%a %d %b %Y}" if len(to_plan) else "—")
    tables.show(weeks.drop(columns=["scenario_id"]), column_config={
        "week": st.column_config.DateColumn("week (Monday)", format="ddd DD MMM YYYY"),
        "versions": st.column_config.NumberColumn("roster versions")})


def plan_section(center: str, methods: list[str]) -> None:
    st.subheader("Plan a week")
    st.caption("A new week takes the center's agents, time off and rules as they are now, last week's published "
               "roster as its previous roster, and a demand forecast from the history (actuals included).")
    which = st.segmented_control("Week", list(WHICH), format_func=WHICH.get, key=state.PLAN_WHICH,
                                 default="next") or "next"
    week = planning.next_week(context.store(), center)
    if which == "pick":
        week = st.date_input("Monday", value=week, key=state.PLAN_DAY)
    if st.button(f"Plan the week of {week:%d %b %Y}", key=state.PLAN_WEEK, type="primary", disabled=not methods,
                 icon=":material/add:"):
        run(lambda: planning.roll_forward(context.store(), center, week, context.user(), methods), week)


def methods_input() -> list[str]:
    return st.multiselect("Forecast methods", list(METHODS), default=list(METHODS), key=state.PLAN_METHODS,
                          help="Each is scored on held-out weeks; the lowest WAPE per queue is used.")


def forecast_section(methods: list[str]) -> None:
    """A week chosen in the sidebar that has no demand yet (a new center's first week) gets one here."""
    info = context.store().scenario_info(context.scenario_id())
    if planning.week_state(context.store(), info) != planning.NO_DEMAND:
        return
    st.info(f"The week of {info.week_start:%d %b %Y} (chosen in the sidebar) has no demand yet.",
            icon=":material/info:")
    if st.button("Forecast its demand from the history", key=state.FORECAST_WEEK, disabled=not methods):
        def forecast() -> int:
            planning.forecast_week(context.store(), info.id, context.user(), methods)
            return info.id
        run(forecast, info.week_start)


def run(plan, week: dt.date) -> None:
    with st.spinner(f"Forecasting the week of {week:%d %b %Y}…"):
        try:
            scenario_id = plan()
        except InputError as error:
            problems.show(error)
            return
    state.put(state.PLANNED, week)
    state.put(state.NEXT_WEEK, scenario_id)
    st.rerun()


def page() -> None:
    center = header.center_header(
        "Planning calendar", "every week with its state; choose a week in the sidebar to work on it.", state.PLANNED,
        lambda week: f"The week of {week:%d %b %Y} has its demand; it is chosen in the sidebar.")
    show_calendar(center)
    methods = methods_input()
    forecast_section(methods)
    plan_section(center, methods)


page()
