"""My shifts (agent): the logged-in agent's own shifts in the latest published roster of the week.

The store gives an agent only their own rows of published versions of their center, so no other
agent's week can show here, whatever the page does. Drafts never show."""

from __future__ import annotations

import streamlit as st

from scheduler.roster import shifts_from_roster
from wfm_app import context, exports, figures, published, roster_views, state, tables
from wfm_app.text import local_moment, md


def show_time_off(scenario, agent_id: str) -> None:
    """Vacation and other time off of the week, as such (with its reason), not as blank days."""
    for leave in published.time_off_rows(scenario, agent_id).itertuples(index=False):
        st.info(f"**{md(leave.reason.capitalize())}**: {leave[0]:%a %d %b %H:%M} to {leave[1]:%a %d %b %H:%M}",
                icon=":material/beach_access:")


def seen_before(store, scenario_id: int, version) -> int | None:
    """The version the agent had seen before this one was first shown in this session (kept for the session,
    so that the marks stay while they look); the store then notes this one as seen."""
    kept = state.get(state.SEEN_BEFORE) or {}
    if scenario_id not in kept or kept[scenario_id][1] != version.id:
        kept[scenario_id] = (store.last_seen(scenario_id), version.id)
        store.mark_seen(scenario_id, version.id)
        state.put(state.SEEN_BEFORE, kept)
    return kept[scenario_id][0]


def show_changes(store, scenario_id: int, version, roster, agent_id: str, scenario) -> None:
    """Shifts changed since the agent last looked at this week's roster."""
    previous = seen_before(store, scenario_id, version)
    if previous is None or previous == version.id:
        return
    changed = published.changed_shifts(scenario, store.load_roster(previous), roster, agent_id)
    if changed:
        st.warning(f"**Changed since you last looked** (version {store.get_version(previous).number} → "
                   f"{version.number}):  \n" + "  \n".join(md(change) for change in changed),
                   icon=":material/change_circle:")


def show_week(roster, agent_id: str, scenario, version) -> None:
    show_time_off(scenario, agent_id)
    mine = roster[roster["agent_id"].astype(str) == agent_id]
    if mine.empty:
        st.info("You have no shifts in this week's published roster.", icon=":material/beach_access:")
        return
    shifts = shifts_from_roster(mine, scenario)
    paid = sum(shift.paid_minutes(scenario.config) for shift in shifts) / 60
    columns = st.columns(3)
    columns[0].metric("Shifts", len(shifts))
    columns[1].metric("Paid hours", f"{paid:g}")
    published_at = local_moment(version.published_at, context.viewer_zone())
    columns[2].metric("Published", f"{published_at:%d %b %H:%M}", help=f"by {md(version.published_by)}")
    st.plotly_chart(figures.week_calendar(mine, scenario.config.week_start, list(scenario.config.queues)),
                    key="my-week")
    table = roster_views.shift_list(shifts, scenario).drop(columns=["agent_id", "name"])
    tables.show(table, column_config={
        "hours": st.column_config.NumberColumn(format="%g"), "paid hours": st.column_config.NumberColumn(format="%g")})
    stem = exports.file_stem(shifts[0].name or agent_id, scenario.config.week_start)
    st.download_button("Add to my calendar (iCalendar)", exports.agent_ics(mine, agent_id, scenario), f"{stem}.ics",
                       "text/calendar", icon=":material/event:")


def page() -> None:
    st.title("My shifts")
    store, scenario_id, agent_id = context.store(), context.scenario_id(), context.current_user().agent_id
    scenario = context.roster_frame()
    version = store.latest_published(scenario_id)
    if version is None:
        st.info(f"The roster of the week of {scenario.config.week_start:%d %b %Y} is not published yet.",
                icon=":material/hourglass_empty:")
        return
    st.caption(f"Week of {scenario.config.week_start:%A %d %B %Y}, published version {version.number}.")
    roster = store.load_roster(version.id)
    show_changes(store, scenario_id, version, roster, agent_id, scenario)
    show_week(roster, agent_id, scenario, version)


page()
