"""Demand overrides (planners): scale a queue's forecast for a day or a time range of the chosen week, with a
note; the week's requirement is staffed with them. Managers and schedulers add and remove them."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from tabular import InputError
from wfm.storage import NotFound
from wfm_app import context, header, overrides, problems, state, tables
from wfm_app.text import md


def add_section(week_start: dt.date, days: int, queues: list[str], step_minutes: int) -> None:
    st.subheader("Add an override")
    first, second, third = st.columns(3)
    queue = first.selectbox("Queue", queues, key=state.OVERRIDE_QUEUE)
    day = second.selectbox("Day", range(days), key=state.OVERRIDE_DAY,
                           format_func=lambda d: f"{week_start + dt.timedelta(days=d):%a %d %b}")
    percent = third.number_input("Change (%)", min_value=-100.0, max_value=900.0, value=20.0, step=5.0,
                                 key=state.OVERRIDE_PERCENT, help="+20 = 20 % more contacts; −100 = closed")
    step = dt.timedelta(minutes=step_minutes)
    start = first.time_input("From", dt.time(0, 0), step=step, key=state.OVERRIDE_FROM)
    end = second.time_input("To", dt.time(0, 0), step=step, key=state.OVERRIDE_TO,
                            help="00:00 is the end of the day: 00:00 to 00:00 is the whole day")
    note = third.text_input("Note", key=state.OVERRIDE_NOTE, placeholder="e.g. mailing campaign",
                            help="why the forecast is changed; kept with who added it and when")
    if st.button("Add override", key=state.OVERRIDE_ADD, type="primary", icon=":material/add:"):
        fields = overrides.override_fields(week_start, day, start, end, percent, queue, note)
        run(lambda: overrides.add(context.store(), context.scenario_id(), fields, context.user()),
            "The override was added and the week's requirement staffed with it.")


def list_section(stored) -> None:
    st.subheader("Overrides of the week")
    if not stored:
        st.info("No override yet: the requirement follows the forecast.", icon=":material/info:")
        return
    tables.show(overrides.override_table(stored, context.viewer_zone()).drop(columns=["id"]), column_config={
        "from": st.column_config.DatetimeColumn(format="ddd DD MMM HH:mm"),
        "to": st.column_config.DatetimeColumn(format="ddd DD MMM HH:mm"),
        "added": st.column_config.DatetimeColumn(format="DD MMM HH:mm")})
    if not context.may("edit_demand"):
        return
    by_id = {item.id: item for item in stored}
    pick, button = st.columns([3, 1], vertical_alignment="bottom")
    chosen = pick.selectbox("Override", list(by_id), key=state.OVERRIDE_PICK,
                            format_func=lambda item_id: overrides.describe(by_id[item_id]))
    if button.button("Remove override", key=state.OVERRIDE_REMOVE, icon=":material/delete:"):
        run(lambda: overrides.remove(context.store(), context.scenario_id(), chosen, context.user()),
            "The override was removed and the week's requirement staffed without it.")


def run(write, done: str) -> None:
    try:
        write()
    except InputError as error:
        problems.show(error, "Nothing was saved")
        return
    state.put(state.OVERRIDE_DONE, done)
    st.rerun()


def page() -> None:
    header.center_header("Demand overrides", "scale a queue's forecast for a day or a time range (a campaign, an "
                         "event); the week's requirement is staffed with the overrides.", state.OVERRIDE_DONE, str)
    store, scenario_id = context.store(), context.scenario_id()
    config = store.load_scenario_config(scenario_id)
    try:
        forecast = store.load_forecast(scenario_id)
    except NotFound:
        st.info(f"The week of {config.week_start:%d %b %Y} has no saved forecast yet: forecast it on the Planning "
                "calendar or the Forecast page first.", icon=":material/info:")
        return
    stored = store.list_demand_overrides(scenario_id)
    queues = list(dict.fromkeys(forecast["queue"].astype(str)))
    if context.may("edit_demand"):
        add_section(config.week_start, config.days, [queue for queue in queues if queue in config.queues],
                    config.interval_minutes)
    list_section(stored)
    shown = [item.override for item in stored]
    for tab, queue in zip(st.tabs([md(queue) for queue in queues]), queues):
        tab.plotly_chart(overrides.figure(forecast, shown, queue), key=f"overrides-{queue}")


page()
