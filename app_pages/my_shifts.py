"""My shifts (agent): the latest published roster of the week for one agent. Drafts never show here."""

from __future__ import annotations

import streamlit as st

from scheduler.roster import shifts_from_roster
from wfm_app import context, exports, figures, published, roster_views, state, tables
from wfm_app.text import md


def pick_agent(scenario) -> str:
    names = {agent.agent_id: agent.name for agent in scenario.agents}
    column, _ = st.columns([1, 2])
    return column.selectbox("I am", list(names), key=state.MY_AGENT, format_func=lambda a: f"{names[a]} ({a})")


def show_time_off(scenario, agent_id: str) -> None:
    """Vacation and other time off of the week, as such (with its reason), not as blank days."""
    for leave in published.time_off_rows(scenario, agent_id).itertuples(index=False):
        st.info(f"**{md(leave.reason.capitalize())}**: {leave[0]:%a %d %b %H:%M} to {leave[1]:%a %d %b %H:%M}",
                icon=":material/beach_access:")


def show_week(roster, agent_id: str, scenario, version) -> None:
    show_time_off(scenario, agent_id)
    mine = roster[roster["agent_id"].astype(str) == agent_id]
    if mine.empty:
        st.info("You have no shifts in this week's published roster.", icon=":material/beach_access:")
        return
    shifts = shifts_from_roster(mine, scenario)
    paid = sum(shift.paid_minutes(scenario.config) for shift in shifts) / 60
    agent = scenario.agent(agent_id)
    columns = st.columns(3)
    columns[0].metric("Shifts", len(shifts))
    columns[1].metric("Paid hours", f"{paid:g}", help=f"Your contract: {agent.min_hours:g}–{agent.max_hours:g} h")
    columns[2].metric("Published", f"{version.published_at:%d %b %H:%M} UTC", help=f"by {md(version.published_by)}")
    st.plotly_chart(figures.week_calendar(mine, scenario.config.week_start, list(scenario.config.queues)),
                    key="my-week")
    table = roster_views.shift_list(shifts, scenario).drop(columns=["agent_id", "name"])
    tables.show(table, column_config={
        "hours": st.column_config.NumberColumn(format="%g"), "paid hours": st.column_config.NumberColumn(format="%g")})
    stem = exports.file_stem(agent.name, scenario.config.week_start)
    st.download_button("Add to my calendar (iCalendar)", exports.agent_ics(mine, agent_id, scenario), f"{stem}.ics",
                       "text/calendar", icon=":material/event:")


def page() -> None:
    st.title("My shifts")
    store, scenario_id = context.store(), context.scenario_id()
    scenario = context.roster_frame()
    agent_id = pick_agent(scenario)
    version = store.latest_published(scenario_id)
    if version is None:
        st.info(f"The roster of the week of {scenario.config.week_start:%d %b %Y} is not published yet.",
                icon=":material/hourglass_empty:")
        return
    st.caption(f"Week of {scenario.config.week_start:%A %d %B %Y}, published version {version.number}.")
    show_week(store.load_roster(version.id), agent_id, scenario, version)


page()
