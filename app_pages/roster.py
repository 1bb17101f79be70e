"""Roster (scheduler): generate, look, edit by hand, save versions, publish, compare and download. A manager
sees the same roster, versions and comparisons read-only: only a scheduler generates, edits and publishes.

Hand edits that break a hard rule are kept and flagged: the planner may know something the rules do
not (a swap agreed with the agent), so such a roster can be saved as a draft with its violations
listed; publishing it needs an explicit confirmation.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tabular import InputError
from wfm import plots
from scheduler.evaluate import bound_words
from scheduler.scenario import MINUTES_PER_DAY, Scenario
from scheduler.simulate import SimulationSettings, simulate_roster
from wfm.storage import RosterVersion
from wfm_app import (compare, context, editing, exports, figures, problems, published, roster_views, solving, state,
                     tables, working)
from wfm_app.roster_views import RosterView, day_label, describe_shift
from wfm_app.text import count, local_moment, md

SIMULATION_REPLICATIONS = (20, 50, 100)
GANTT_FRAME_PX = 720
GANTT_TOP_PX = 60  # room for the legend and the day labels above the bars
DAY_MS = 24 * 3600 * 1000


# --- cached work ---------------------------------------------------------------------------------
# Tabs all run on every rerun; these would otherwise be recomputed on each click. The keys hash the roster
# itself and the scenario's fingerprint (the cache is shared by all sessions); underscored arguments follow
# from those and are not hashed.


@st.cache_data(max_entries=16, show_spinner=False)
def cached_summary(roster: pd.DataFrame, fingerprint: str, _scenario: Scenario) -> dict:
    return roster_views.derive(roster, _scenario).summary


@st.cache_data(max_entries=4, show_spinner=False)
def cached_excel(roster: pd.DataFrame, fingerprint: str, _shifts: pd.DataFrame, _coverage: pd.DataFrame) -> bytes:
    return exports.roster_excel(roster, _shifts, _coverage)


# --- generating ----------------------------------------------------------------------------------


def generate_controls(scenario: Scenario) -> None:
    limit_column, button_column, hint_column = st.columns([1, 1, 3], vertical_alignment="bottom")
    # the scenario's own limit, as `wfm roster` takes it (the sample's deferred queues ask 60 s)
    time_limit = limit_column.number_input("Time limit (seconds)", min_value=5, max_value=3600, step=5,
                                           value=min(max(round(scenario.config.solver.time_limit_seconds), 5), 3600),
                                           key=state.TIME_LIMIT)
    hint_column.caption(f"{len(scenario.agents)} agents, week of {scenario.config.week_start:%a %d %b %Y}. "
                        "The solver keeps improving until the limit; longer limits give better rosters.")
    if button_column.button("Generate roster", type="primary", key=state.GENERATE, icon=":material/bolt:"):
        generate(scenario, float(time_limit))


def generate(scenario: Scenario, time_limit: float) -> None:
    result, events = solving.generate(scenario, time_limit, context.settings().solver_workers)
    state.put(state.ROSTER_PROGRESS, events)
    if result.roster.empty:  # INFEASIBLE, or no solution at all within the limit
        if result.infeasibility:
            st.error("No roster satisfies the hard rules. What contradicts:", icon=":material/block:")
            for sentence in result.infeasibility:
                st.markdown(f"- {md(sentence)}")
        else:
            st.error("The solver found no roster within the time limit; try a longer limit.", icon=":material/block:")
        return
    working.replace(result.roster, origin=None, saved=False, result=result)


# --- header: where the roster stands, save and publish --------------------------------------------


def origin_version() -> RosterVersion | None:
    origin = state.get(state.ROSTER_ORIGIN)
    return None if origin is None else context.store().get_version(origin)


def status_text(version: RosterVersion | None, view: RosterView) -> str:
    saved = state.get(state.ROSTER_SAVED)
    if version is None:
        where = "Generated roster, not saved yet" if state.get(state.ROSTER_RESULT) else "Edited roster, not saved yet"
    else:
        where = f"Version {version.number}, {version.status}" + ("" if saved else ", with unsaved edits")
    flags = f" · :red[{count(len(view.violations), 'rule violation')}]" if view.violations else " · no rule violated"
    result = state.get(state.ROSTER_RESULT)
    solver = "" if result is None else (f"  \n:gray[Solver: {result.status.lower()}, objective "
                                        f"{_amount(result.objective)}, "
                                        f"{bound_words(result.best_bound)}, "
                                        f"{result.wall_seconds:.1f} s]")
    return f"**{where}**{flags}{solver}"


def _amount(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def save_and_publish(scenario: Scenario, view: RosterView) -> None:
    version = origin_version()
    saved = bool(state.get(state.ROSTER_SAVED))
    text, save_column, publish_column = st.columns([4, 1, 1], vertical_alignment="center")
    text.markdown(status_text(version, view))
    solver_warnings()
    if not context.may("publish"):
        return
    if save_column.button("Save draft", key=state.SAVE_DRAFT, icon=":material/save:", disabled=saved):
        stored(save_draft, view)
    published = saved and version is not None and version.published
    confirmed = True
    if view.violations and not published:
        confirmed = st.checkbox(f"Publish despite {count(len(view.violations), 'rule violation')}",
                                key=state.PUBLISH_ANYWAY)
    if publish_column.button("Publish", key=state.PUBLISH, type="primary", icon=":material/publish:",
                             disabled=published or not confirmed):
        stored(publish, view)


def solver_warnings() -> None:
    """What no roster can do (e.g. hours of a queue nobody may work), as the solver found it."""
    result = state.get(state.ROSTER_RESULT)
    for sentence in [] if result is None else result.warnings:
        st.warning(md(sentence), icon=":material/warning:")


def stored(write, view: RosterView) -> None:
    """Save or publish; a refusal of the store (busy, not found) is shown and the roster kept on the page."""
    try:
        write(view)
    except InputError as error:
        problems.show(error, title="Nothing was saved; the roster is still here")
        return
    st.rerun()


def save_draft(view: RosterView) -> int:
    """A new version for a generated roster; for an edit, the draft it came from (or a new child draft of a
    published version, which the store never changes)."""
    store, by = context.store(), context.user()
    summary = {**view.summary, "violations": len(view.violations)}
    origin = state.get(state.ROSTER_ORIGIN)
    if origin is None:
        version_id = store.save_roster(context.scenario_id(), working.roster(), by, summary=summary)
    else:
        version_id = store.save_roster_edit(origin, working.roster(), by, summary=summary)
    working.mark_saved(version_id)
    return version_id


def publish(view: RosterView) -> None:
    version_id = state.get(state.ROSTER_ORIGIN) if state.get(state.ROSTER_SAVED) else save_draft(view)
    version = context.store().publish(version_id, context.user())
    st.toast(f"Published version {version.number}: agents see it under My shifts.", icon=":material/check_circle:")


def headline(view: RosterView) -> None:
    hours, bound = view.summary["hours"], view.summary["short_bound"]
    levels = view.summary["service_level"]
    columns = iter(st.columns(4))
    next(columns).metric("Coverage", f"{hours['coverage_pct']:.1f} %", help="1 − short / required agent-hours")
    short_help = (f"No roster can be short less than {bound['lower_bound_hours']:,.1f} h (solver's bound)"
                  if bound["lower_bound_hours"] is not None else "Agent-hours below the requirement")
    short_help += f"; {hours['short_on_breaks']:,.1f} h of it while agents of the queue are on a break or lunch"
    next(columns).metric("Short agent-hours", f"{hours['short']:,.1f}", help=short_help)
    next(columns).metric("Over agent-hours", f"{hours['over']:,.1f}")
    next(columns).metric("Contract breaches", view.summary["contract_breaches"],
                         help="Agents whose paid hours fall outside their contract")
    columns = iter(st.columns(max(4, len(levels))))  # a row of its own: four queues' labels would not fit
    deferred = view.summary.get("deferred", {})
    for queue, level in levels.items():
        measured = (f"Share answered within {deferred[queue]['response_hours']:g} h" if queue in deferred
                    else "Contact-weighted over the week")
        # The delta against the target turns red when the week falls short of it.
        next(columns).metric(f"Service level {md(queue)}", f"{level['expected']:.1%}",
                             delta=f"{100 * (level['expected'] - level['target']):+.1f} pp vs target",
                             help=f"{measured}; target {level['target']:.0%}")


# --- tabs -------------------------------------------------------------------------------------------


def gantt_tab(scenario: Scenario) -> None:
    table = working.roster()
    queues = list(scenario.config.queues)
    filter_column, legend_column = st.columns([1, 2], vertical_alignment="bottom")
    shown = filter_column.pills("Show agents serving", queues, selection_mode="multi", default=queues,
                                format_func=md, key=state.GANTT_QUEUES)
    legend_column.caption("Work coloured by queue, breaks grey, lunches brown; nights shaded blue-grey, the "
                          "weekend amber. Hover a bar for its times.")
    agents = table.loc[(table["activity"] == "work") & table["queue"].isin(shown or queues), "agent_id"]
    figure = plots.roster_gantt(table[table["agent_id"].isin(set(agents))], scenario)
    # The day axis sits on top, where a tall team's chart starts; the legend goes above it, clear of the labels.
    figure.update_layout(margin=dict(t=GANTT_TOP_PX, b=10, l=10, r=10),
                         legend=dict(orientation="h", yref="container", y=1, yanchor="top", x=0, xanchor="left"))
    figure.update_xaxes(tickformat="%a %d %b", dtick=DAY_MS, tick0=f"{scenario.config.week_start} 12:00",
                        showgrid=False, side="top")
    # A large team scrolls inside a frame, so the page's header and tabs stay in reach.
    tall = figure.layout.height > GANTT_FRAME_PX
    with st.container(height=GANTT_FRAME_PX, border=False) if tall else st.container(border=False):
        st.plotly_chart(figure, key="roster-gantt")


def coverage_tab(view: RosterView) -> None:
    deferred = view.summary.get("deferred", {})
    response_hours = {queue: figures["response_hours"] for queue, figures in deferred.items()}
    st.plotly_chart(plots.coverage_figure(view.coverage, response_hours=response_hours), key="roster-coverage")
    st.caption("Scheduled agents against the requirement per interval (short in red) and the service level "
               "expected with them (dotted, right axis)."
               + (" Deferred queues: contacts arriving and waiting, and how long the oldest has waited against "
                  "the response time (right axis)." if deferred else ""))
    if deferred:
        tables.show(roster_views.deferred_table(view.summary))
    tables.show(roster_views.service_table(view.summary), column_config={
        "contacts": st.column_config.NumberColumn(format="%.0f"),
        **{name: st.column_config.NumberColumn(format="%.1f")
           for name in ("expected %", "at requirement %", "target %")}})


def simulation_section(scenario: Scenario, view: RosterView) -> None:
    """Simulate the shown roster contact by contact and set its service level against Erlang's."""
    st.subheader("Simulated service level")
    choice, button, hint = st.columns([1, 1, 3], vertical_alignment="bottom")
    replications = choice.selectbox("Replications", SIMULATION_REPLICATIONS, index=1, key=state.SIMULATE_REPLICATIONS)
    hint.caption("Poisson arrivals at the forecast, FIFO queues carried over between intervals, breaks and shift "
                 "ends inside intervals, agents off the phones at random for the queue's shrinkage.")
    revision = (state.get(state.ROSTER_REVISION), roster_views.fingerprint(scenario))
    if button.button("Simulate", key=state.SIMULATE, icon=":material/play_arrow:"):
        bar = st.progress(0.0, text="Simulating")
        try:
            result = simulate_roster(working.roster(), scenario, SimulationSettings(replications=int(replications)),
                                     progress=lambda step, total, message: bar.progress(step / total, text=message))
        except InputError as error:  # e.g. a saved version naming an agent since removed
            problems.show(error, "This roster cannot be simulated")
            return
        finally:
            bar.empty()
        state.put(state.SIMULATION, (revision, result))
    shown = state.get(state.SIMULATION)
    if shown is None or shown[0] != revision:  # none yet, or made before the roster or the rules changed
        return
    result = shown[1]
    st.plotly_chart(plots.simulated_service_figure(result.intervals, view.coverage), key="roster-simulation")
    weeks = ", ".join(f"{queue} {week['service_level']['mean']:.1%} (Erlang {week['expected']:.1%})"
                      for queue, week in result.summary["queues"].items())
    st.caption(f"The week over {result.replications} replications: {weeks}. Erlang takes each interval alone at "
               "steady state, with whole agents on the phones.")


def score_tab(view: RosterView, scenario: Scenario) -> None:
    st.subheader("Score by rule")
    st.caption("What each soft rule costs with the objective weights, and what it does to the week's service "
               "level, in percentage points (pp).")
    tables.show(roster_views.score_table(view.summary), column_config={
        "amount": st.column_config.NumberColumn(format="%.1f"),
        **{name: st.column_config.NumberColumn(format="%.0f") for name in ("cost", "solver cost")},
        "service level": st.column_config.NumberColumn(format="%+.2f pp")})
    spreads = view.summary["fairness"]
    st.subheader("Fairness")
    st.caption(f"Nights per agent (who may work nights): {spreads['nights']['min']}–{spreads['nights']['max']}; "
               f"weekend days per agent: {spreads['weekend_days']['min']}–{spreads['weekend_days']['max']}.")
    tables.show(roster_views.fairness_table(view.summary, scenario))


def edit_tab(scenario: Scenario, view: RosterView) -> None:
    names = {agent.agent_id: agent.name for agent in scenario.agents}
    left, right = st.columns(2)
    agent_id = left.selectbox("Agent", list(names), key=state.EDIT_AGENT, format_func=lambda a: f"{names[a]} ({a})")
    day = right.selectbox("Day", range(7), key=state.EDIT_DAY, format_func=lambda d: day_label(scenario, d))
    current = [shift for shift in view.shifts if shift.agent_id == agent_id and shift.day == day]
    if state.get(state.EDIT_TARGET) != (agent_id, day):
        # Another agent or day: the pickers start from that shift, not from the previous pick.
        state.drop(state.EDIT_START, state.EDIT_LENGTH, state.EDIT_QUEUE)
        state.put(state.EDIT_TARGET, (agent_id, day))
    st.markdown("Now: " + md("; ".join(describe_shift(shift, scenario) for shift in current) or "off"))
    choice = shift_choice(scenario, day, current)
    apply_column, remove_column, undo_column = st.columns(3)
    if apply_column.button("Apply change", key=state.EDIT_APPLY, type="primary", disabled=choice is None):
        apply_edit(scenario, agent_id, day, choice)
    if remove_column.button("Remove shift", key=state.EDIT_REMOVE, disabled=not current):
        apply_edit(scenario, agent_id, day, None)
    if undo_column.button("Undo last edit", key=state.EDIT_UNDO, disabled=not state.get(state.ROSTER_UNDO)):
        working.undo()
        state.drop(state.EDIT_MESSAGE)
        st.rerun()
    edit_message(scenario)
    theirs = working.roster()[working.roster()["agent_id"] == agent_id]
    st.plotly_chart(figures.week_calendar(theirs, scenario.config.week_start, list(scenario.config.queues)),
                    key="edit-week")


def shift_choice(scenario: Scenario, day: int, current: list) -> editing.ShiftChoice | None:
    """Start, length and queue pickers limited to what the shift templates offer that day."""
    offered = editing.offered_shifts(scenario.config, day)
    if not offered:
        st.warning("No shift template offers a shift on this day.")
        return None
    starts = list(offered)
    now = current[0] if current else None
    columns = st.columns(3)
    clock = now.start % MINUTES_PER_DAY if now else None
    start = columns[0].selectbox("Start", starts, key=state.EDIT_START, format_func=_clock,
                                 index=starts.index(clock) if clock in starts else 0)
    lengths = offered[start]
    length = columns[1].selectbox("Length", lengths, key=state.EDIT_LENGTH, format_func=lambda m: f"{m / 60:g} h",
                                  index=lengths.index(now.length) if now and now.length in lengths else 0)
    queues = list(scenario.config.queues)
    queue = columns[2].selectbox("Queue", queues, key=state.EDIT_QUEUE,
                                 index=queues.index(now.queue) if now and now.queue in queues else 0)
    return editing.ShiftChoice(start, length, queue)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def apply_edit(scenario: Scenario, agent_id: str, day: int, choice: editing.ShiftChoice | None) -> None:
    """Change the working roster and say at once what the checker thinks of the agent's week now."""
    edited = editing.replace_shift(working.roster(), scenario, agent_id, day, choice)
    working.replace(edited, origin=state.get(state.ROSTER_ORIGIN), saved=False,
                    result=state.get(state.ROSTER_RESULT), undoable=True)
    agent = scenario.agent(agent_id)
    what = "Removed" if choice is None else "Changed"
    state.put(state.EDIT_MESSAGE, (f"{what} {md(agent.name)}'s shift on {day_label(scenario, day)}.", agent_id))
    st.rerun()


def edit_message(scenario: Scenario) -> None:
    message = state.get(state.EDIT_MESSAGE)
    if not message:
        return
    text, agent_id = message
    theirs = [v for v in working.view(scenario).violations if v.agent_id == agent_id]
    if theirs:
        st.warning(f"{text} It breaks {len(theirs)} rule{'s' if len(theirs) > 1 else ''}; you may keep it as a "
                   "draft (flagged), or change it again:", icon=":material/warning:")
        for violation in theirs:
            st.markdown(f"- {md(violation.message)}")
    else:
        st.success(f"{text} The checker finds no rule broken for this agent.", icon=":material/check_circle:")


def violations_section(view: RosterView, scenario: Scenario) -> None:
    if view.violations:
        with st.expander(count(len(view.violations), "rule violation"), icon=":material/warning:"):
            tables.show(roster_views.violation_table(view.violations, scenario))


def versions_tab(scenario: Scenario) -> None:
    store, scenario_id = context.store(), context.scenario_id()
    versions = store.list_versions(scenario_id, scenario.config.week_start)
    if not versions:
        st.info("No saved version of this week yet: save the roster as a draft.")
        return
    tables.show(version_table(versions))
    by_id = {version.id: version for version in versions}

    def label(version_id: int) -> str:
        return f"Version {by_id[version_id].number} ({by_id[version_id].status})"

    pick, load = st.columns([3, 1], vertical_alignment="bottom")
    chosen = pick.selectbox("Open a version", list(by_id), index=len(versions) - 1, key=state.LOAD_VERSION,
                            format_func=label)
    if load.button("Open", key=state.LOAD_VERSION_BUTTON):
        working.replace(store.load_roster(chosen), origin=chosen, saved=True)
        st.rerun()
    if len(versions) >= 2:
        compare_versions(scenario, list(by_id), label)


def version_table(versions: list[RosterVersion]) -> pd.DataFrame:
    numbers, zone = {version.id: version.number for version in versions}, context.viewer_zone()
    return pd.DataFrame([{
        "version": version.number, "status": version.status, "saved by": version.created_by,
        "saved": f"{local_moment(version.created_at, zone):%Y-%m-%d %H:%M}",
        "published": (f"{local_moment(version.published_at, zone):%Y-%m-%d %H:%M} by {version.published_by}"
                      if version.published_at else ""),
        "edited from": f"version {numbers[version.parent_id]}" if version.parent_id in numbers else "",
    } for version in versions])


def compare_versions(scenario: Scenario, version_ids: list[int], label) -> None:
    st.subheader("Compare two versions")
    first_column, second_column = st.columns(2)
    first = first_column.selectbox("First", version_ids, index=len(version_ids) - 2, key=state.COMPARE_A,
                                   format_func=label)
    second = second_column.selectbox("Second", version_ids, index=len(version_ids) - 1, key=state.COMPARE_B,
                                     format_func=label)
    store = context.store()
    rosters = [store.load_roster(version_id) for version_id in (first, second)]
    fingerprint = roster_views.fingerprint(scenario)
    summaries = [cached_summary(roster, fingerprint, scenario) for roster in rosters]
    tables.show(compare.figure_changes(*summaries), column_config={
        column: st.column_config.NumberColumn(format="%.2f") for column in ("first", "second", "change")})
    differences = compare.shift_differences(*rosters, scenario)
    st.caption(f"{len(differences)} agent-days differ.")
    tables.show(differences)


def downloads_tab(scenario: Scenario, view: RosterView) -> None:
    table = working.roster()
    info = context.store().scenario_info(context.scenario_id())
    stem = exports.file_stem(info.name, scenario.config.week_start)
    shifts = roster_views.shift_list(view.shifts, scenario)
    csv_column, excel_column = st.columns(2)
    csv_column.download_button("Roster (CSV)", exports.roster_csv(table), f"{stem}.csv", "text/csv",
                               icon=":material/download:")
    workbook = cached_excel(table, roster_views.fingerprint(scenario), shifts, view.coverage)
    excel_column.download_button("Roster (Excel)", workbook, f"{stem}.xlsx",
                                 exports.EXCEL_MIME, icon=":material/table_view:")
    names = {agent.agent_id: agent.name for agent in scenario.agents if agent.agent_id in set(table["agent_id"])}
    if not names:
        return
    pick, download = st.columns([3, 1], vertical_alignment="bottom")
    agent_id = pick.selectbox("Calendar of", list(names), key=state.ICS_AGENT,
                              format_func=lambda a: f"{names[a]} ({a})")
    download.download_button("iCalendar", exports.agent_ics(table, agent_id, scenario), f"{stem}-{agent_id}.ics",
                             "text/calendar", icon=":material/event:")


def published_drift(scenario: Scenario) -> None:
    """Rules, agents or time off saved after publishing: say so, and list the published shifts they break."""
    changed = published.drift(context.store(), context.scenario_id(), scenario)
    if changed is None:
        return
    when = f"{local_moment(changed.version.published_at, context.viewer_zone()):%d %b %H:%M}"
    if not changed.violations:
        st.info(f"Rules, agents or time off changed after version {changed.version.number} was published ({when}); "
                "its shifts still keep every rule.", icon=":material/info:")
        return
    st.warning(f"Rules, agents or time off changed after version {changed.version.number} was published ({when}): "
               f"its shifts now have {count(len(changed.violations), 'rule violation')}.", icon=":material/warning:")
    tables.show(roster_views.violation_table(changed.violations, scenario))


# --- page -------------------------------------------------------------------------------------------


def page() -> None:
    st.title("Roster")
    store, scenario_id = context.store(), context.scenario_id()
    try:
        scenario = context.scenario()
    except InputError as error:
        problems.show(error, "This scenario cannot be rostered yet")
        st.stop()
    working.follow_scenario(scenario_id, store)
    published_drift(scenario)
    if context.may("generate"):
        generate_controls(scenario)
    if working.roster() is None:
        st.info("No roster for this week yet: generate one." if context.may("generate") else
                "No roster for this week yet: a scheduler generates it.", icon=":material/info:")
        st.stop()
    view = working.view(scenario)
    save_and_publish(scenario, view)
    headline(view)
    violations_section(view, scenario)
    tabs = st.tabs(["Roster", "Coverage", "Score and fairness", "Edit a shift", "Versions", "Downloads"])
    with tabs[0]:
        gantt_tab(scenario)
    with tabs[1]:
        coverage_tab(view)
        simulation_section(scenario, view)
    with tabs[2]:
        score_tab(view, scenario)
    with tabs[3]:
        if context.may("edit_roster"):
            edit_tab(scenario, view)
        else:
            st.info("Only a scheduler edits shifts.", icon=":material/lock:")
    with tabs[4]:
        versions_tab(scenario)
    with tabs[5]:
        downloads_tab(scenario, view)


page()
