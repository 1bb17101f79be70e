"""Re-plan and absences (planners): mark an agent absent, re-plan the rest of the published week from a chosen
moment with as few changes as possible, see each change before saving, and publish it as a new version."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from scheduler.replan import REPAIR_SECONDS
from scheduler.scenario import Scenario
from tabular import InputError
from wfm_app import context, header, problems, replan, roster_views, solving, state, tables
from wfm_app.text import count, md


def moment_input(label: str, day_key: str, time_key: str, first: dt.date, last: dt.date,
                 default: dt.date) -> dt.datetime:
    left, right = st.columns(2)
    day = left.date_input(label, value=default, min_value=first, max_value=last, key=day_key)
    clock = right.time_input(f"{label}: time", dt.time(0, 0), key=time_key, label_visibility="hidden")
    return dt.datetime.combine(day, clock)


def absence_section(scenario: Scenario) -> None:
    st.subheader("Mark an agent absent")
    names = {agent.agent_id: agent.name for agent in scenario.agents}
    week = scenario.config.week_start
    last = week + dt.timedelta(days=scenario.config.days)
    agent_id = st.selectbox("Agent", list(names), key=state.ABSENT_AGENT, format_func=lambda a: f"{names[a]} ({a})")
    start = moment_input("From", state.ABSENT_FROM_DAY, state.ABSENT_FROM_TIME, week, last, week)
    end = moment_input("To", state.ABSENT_TO_DAY, state.ABSENT_TO_TIME, week, last, week + dt.timedelta(days=1))
    reason = st.text_input("Reason", value="sick", key=state.ABSENT_REASON)
    if st.button("Mark absent", key=state.MARK_ABSENT, icon=":material/person_off:"):
        act(lambda: replan.mark_absent(context.store(), context.scenario_id(), agent_id, start, end, reason),
            f"{md(names[agent_id])} is absent from {start:%a %d %b %H:%M} to {end:%a %d %b %H:%M}; re-plan the week "
            "to cover it.")


def replan_section(scenario: Scenario) -> None:
    st.subheader("Re-plan the rest of the week")
    st.caption("Before the moment, and shifts under way at it, stay as published; an absent agent's shifts end where "
               "the absence starts; the other shifts from the moment on are re-planned, keeping as many published "
               "ones as the solver can.")
    week = scenario.config.week_start
    moment = moment_input("From", state.REPLAN_DAY, state.REPLAN_TIME, week,
                          week + dt.timedelta(days=scenario.config.days - 1), week)
    limit = st.number_input("Time limit (seconds)", min_value=1.0, max_value=3600.0, value=REPAIR_SECONDS, step=1.0,
                            key=state.REPLAN_TIME_LIMIT)
    if st.button(f"Re-plan from {moment:%a %d %b %H:%M}", key=state.REPLAN_RUN, type="primary",
                 icon=":material/sync:"):
        workers = context.settings().solver_workers
        try:
            plan = replan.replan(context.store(), context.scenario_id(), moment,
                                 lambda whole, solve: solving.generate(whole, float(limit), workers, solve)[0])
        except InputError as error:
            problems.show(error, "The week was not re-planned")
            return
        state.put(state.REPLAN, (context.scenario_id(), plan))


def changes_section(scenario: Scenario) -> None:
    kept = state.get(state.REPLAN)
    if kept is None or kept[0] != context.scenario_id():
        return
    plan = kept[1]
    st.subheader("Changes against the published roster")
    st.markdown(f"Version {plan.published.number} re-planned from {plan.moment:%a %d %b %H:%M}: "
                f"**{count(len(plan.changes), 'shift change')}**"
                + (f", :red[{count(len(plan.violations), 'rule violation')}]" if plan.violations else
                   ", no rule violated"))
    for warning in plan.warnings:
        st.warning(md(warning), icon=":material/warning:")
    tables.show(plan.changes)
    if plan.violations:
        tables.show(roster_views.violation_table(plan.violations, scenario))
    save_column, publish_column = st.columns(2)
    if save_column.button("Save as a draft", key=state.REPLAN_SAVE, icon=":material/save:"):
        save(plan, publish=False)
    if publish_column.button("Publish as a new version", key=state.REPLAN_PUBLISH, type="primary",
                             icon=":material/publish:"):
        save(plan, publish=True)


def save(plan: replan.Replan, *, publish: bool) -> None:
    def write() -> None:
        version = replan.save(context.store(), plan, context.user(), publish=publish)
        state.drop(state.REPLAN)
        state.put(state.REPLAN_DONE, f"Saved as version {version.number}, {version.status}"
                                     + (": agents see it under My shifts." if publish else "."))
    act(write, None)


def act(write, done: str | None) -> None:
    try:
        write()
    except InputError as error:
        problems.show(error, "Nothing was saved")
        return
    if done:
        state.put(state.REPLAN_DONE, done)
    st.rerun()


def page() -> None:
    header.center_header("Re-plan and absences", "repair the published week: mark absences, re-plan from a "
                         "moment with as few changes as possible, publish a new version.", state.REPLAN_DONE, str)
    try:
        scenario = context.scenario()
    except InputError as error:
        problems.show(error, "This week cannot be re-planned yet")
        return
    if context.store().latest_published(context.scenario_id()) is None:
        st.info(f"The week of {scenario.config.week_start:%d %b %Y} has no published roster yet: publish one on "
                "the Roster page (or the Planning calendar) first.", icon=":material/info:")
        return
    if context.may("edit_agents"):
        absence_section(scenario)
    if context.may("generate"):
        replan_section(scenario)
        changes_section(scenario)


page()
