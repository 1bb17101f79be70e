"""Planning calendar (scheduler): the center's weeks and their state, and the next week to plan."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from forecasts.methods import METHODS
from tabular import InputError
from scheduler.scenario import MAX_WEEKS
from wfm_app import context, header, horizon, planning, problems, solving, state, tables
from wfm_app.text import md

WHICH = {"next": "The next week", "pick": "Pick a Monday"}


def show_calendar(center: str) -> None:
    weeks = planning.calendar(context.store(), center)
    published = weeks[weeks["state"] == planning.PUBLISHED]["week"]
    to_plan = weeks[weeks["state"] != planning.PUBLISHED]["week"]
    left, right = st.columns(2)
    left.metric("Weeks published", len(published),
                help=", ".join(f"{week:%d %b}" for week in published) or "none yet")
    # The first week not published yet, planned or not (the button below plans the week after the last one).
    right.metric("Next week to publish", f"{to_plan.iloc[0]:%a %d %b %Y}" if len(to_plan) else "—")
    tables.show(weeks.drop(columns=["scenario_id"]), column_config={
        "week": st.column_config.DateColumn("week (Monday)", format="ddd DD MMM YYYY"),
        "versions": st.column_config.NumberColumn("roster versions")})


def plan_section(center: str, methods: list[str], time_limit: float) -> None:
    st.subheader("Plan a week")
    st.caption("A new week takes the center's agents, time off and rules as they are now, last week's published "
               "roster as its previous roster, and a demand forecast from the history (actuals included).")
    which = st.segmented_control("Week", list(WHICH), format_func=WHICH.get, key=state.PLAN_WHICH,
                                 default="next") or "next"
    week = planning.next_week(context.store(), center)
    if which == "pick":
        week = st.date_input("Monday", value=week, key=state.PLAN_DAY)
    count = st.number_input("Weeks to plan", min_value=1, max_value=MAX_WEEKS, value=1, key=state.PLAN_COUNT,
                            help="each week takes the one before as it is; roster them together below")
    label = f"Plan the week of {week:%d %b %Y}" if count == 1 else f"Plan {count} weeks from {week:%d %b %Y}"
    if st.button(label, key=state.PLAN_WEEK, type="primary", disabled=not methods, icon=":material/add:"):
        run(lambda: planning.plan_weeks(context.store(), center, week, int(count), context.user(), methods,
                                        time_limit), week)


def horizon_section(center: str) -> None:
    """Roster several planned weeks as one horizon, then publish them together."""
    st.subheader("Roster several weeks as one")
    st.caption("The solver plans the weeks together, so rest, consecutive days, nights and weekends hold across "
               "them; each week gets its part as a draft, and publishing publishes them all.")
    done = state.pop(state.HORIZON_DONE)
    if done:
        st.success(done, icon=":material/check_circle:")
    weeks = planning.calendar(context.store(), center, weeks_ahead=0)
    planned = list(weeks["week"])
    unpublished = [week for week, status in zip(planned, weeks["state"]) if status != planning.PUBLISHED]
    first_column, weeks_column, limit_column = st.columns(3)
    first = first_column.selectbox("First week", planned, key=state.HORIZON_FIRST,
                                   index=planned.index(unpublished[0]) if unpublished else 0,
                                   format_func=lambda day: f"{day:%a %d %b %Y}")
    weeks = weeks_column.number_input("Weeks", min_value=2, max_value=MAX_WEEKS, value=2, key=state.HORIZON_WEEKS)
    limit = limit_column.number_input("Time limit (seconds)", min_value=5, max_value=3600, value=30, step=5,
                                      key=state.HORIZON_TIME_LIMIT)
    if st.button(f"Roster {weeks} weeks as one", key=state.HORIZON_GENERATE, icon=":material/bolt:"):
        generate_horizon(center, first, int(weeks), float(limit))
    drafts = state.get(state.HORIZON_DRAFTS)
    if drafts and st.button(f"Publish the {len(drafts)} weeks", key=state.HORIZON_PUBLISH, type="primary",
                            icon=":material/publish:"):
        horizon.publish(context.store(), drafts, context.user())
        state.drop(state.HORIZON_DRAFTS)
        state.put(state.HORIZON_DONE, f"Published the {len(drafts)} weeks: agents see them under My shifts.")
        st.rerun()


def generate_horizon(center: str, first: dt.date, weeks: int, time_limit: float) -> None:
    store = context.store()
    try:
        chosen = horizon.horizon_weeks(store, center, first, weeks)
        scenario = horizon.horizon_scenario(store, chosen)
    except InputError as error:
        problems.show(error, "These weeks cannot be rostered together yet")
        return
    result, _ = solving.generate(scenario, time_limit, context.settings().solver_workers)
    if result.roster.empty:
        st.error("No roster for these weeks: " + (" ".join(result.infeasibility) or "try a longer time limit."),
                 icon=":material/block:")
        return
    state.put(state.HORIZON_DRAFTS, horizon.save_drafts(store, chosen, result.roster, context.user()))
    state.put(state.HORIZON_DONE, f"Drafts saved for the {weeks} weeks from {first:%d %b %Y} "
                                  f"({result.status.lower()}); check them on the Roster page, then publish.")
    st.rerun()


def methods_input() -> list[str]:
    return st.multiselect("Forecast methods", list(METHODS), default=list(METHODS), key=state.PLAN_METHODS,
                          help="Each is scored on held-out weeks; the lowest WAPE per queue is used.")


def time_limit_input() -> float:
    # Labelled apart from the horizon's "Time limit (seconds)" (the solver's) on the same page.
    return float(st.number_input(
        "Forecast time limit (s)", min_value=1, max_value=3600, value=planning.FORECAST_SECONDS, step=10,
        key=state.PLAN_TIME_LIMIT, help="For all the weeks planned at once. When it is up, the methods not yet "
                                        "scored are skipped (the slowest, mstl, comes last) and the best one scored "
                                        "is used; a note says what was skipped."))


def forecast_section(methods: list[str], time_limit: float) -> None:
    """A week chosen in the sidebar that has no demand yet (a new center's first week) gets one here."""
    info = context.store().scenario_info(context.scenario_id())
    if planning.week_state(context.store(), info) != planning.NO_DEMAND:
        return
    st.info(f"The week of {info.week_start:%d %b %Y} (chosen in the sidebar) has no demand yet.",
            icon=":material/info:")
    if st.button("Forecast its demand from the history", key=state.FORECAST_WEEK, disabled=not methods):
        def forecast() -> list[planning.PlannedWeek]:
            notes = planning.forecast_week(context.store(), info.id, context.user(), methods, time_limit)
            return [planning.PlannedWeek(info.id, notes)]
        run(forecast, info.week_start)


def run(plan, week: dt.date) -> None:
    """`plan()` returns the weeks planned; the sidebar chooses the first, and their notes are shown after the
    rerun."""
    with st.spinner(f"Forecasting the week of {week:%d %b %Y}…"):
        try:
            planned = plan()
        except InputError as error:
            problems.show(error)
            return
    state.put(state.PLANNED, week)
    state.put(state.PLAN_NOTES, [note for done in planned for note in done.notes])
    state.put(state.NEXT_WEEK, planned[0].scenario_id)
    st.rerun()


def show_plan_notes() -> None:
    """What the last planning click's forecasts said (e.g. the methods a time limit skipped), once."""
    for note in state.pop(state.PLAN_NOTES) or []:
        st.info(md(note), icon=":material/info:")


def page() -> None:
    center = header.center_header(
        "Planning calendar", "every week with its state; choose a week in the sidebar to work on it.", state.PLANNED,
        lambda week: f"The week of {week:%d %b %Y} has its demand; it is chosen in the sidebar.")
    show_plan_notes()
    show_calendar(center)
    methods = methods_input()
    time_limit = time_limit_input()
    forecast_section(methods, time_limit)
    plan_section(center, methods, time_limit)
    if context.may("generate"):
        horizon_section(center)


page()
