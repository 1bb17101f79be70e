"""Rules (manager): agents, contracts and skills, time off, shifts, breaks, work rules and objective weights.

Every change is validated by the scenario's pydantic models (through the store) and saved at once when
valid; an invalid one is listed as rows (what, where, why) and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from scheduler.scenario import DAY_NAMES
from tabular import InputError
from wfm_app import context, problems, rules, state, tables, text
from wfm_app.text import md

PREFERENCES = ["early", "day", "late", "night"]
EDITORS = {  # section: (base table key, editor widget key)
    "agents": (state.AGENTS_BASE, state.AGENTS_EDITOR),
    "time off": (state.TIME_OFF_BASE, state.TIME_OFF_EDITOR),
    "shift templates": (state.TEMPLATES_BASE, state.TEMPLATES_EDITOR),
    "breaks": (state.BREAKS_BASE, state.BREAKS_EDITOR),
}
FORMS = {"work rules": state.RULES_FORM, "objective weights": state.WEIGHTS_FORM}
RULE_LABELS = {
    "min_rest_hours": "Minimum rest between shifts (h)",
    "max_consecutive_days": "Most working days in a row",
    "min_days_off": "Days off per week, at least",
    "night_start": "Night window starts",
    "night_end": "Night window ends",
    "night_min_hours": "Hours in the window that make a night shift",
    "max_nights_per_week": "Most night shifts per week",
    "weekend_days": "Weekend days",
    "max_consecutive_nights": "Most nights in a row",
    "rest_after_nights_hours": "Rest after a block of nights (h)",
    "contract_hours": "Contract hours are kept",
    "max_week_hours": "Most paid hours in any one week (h)",
    "min_queue_block_minutes": "Shortest block of one queue in a shift (min)",
    "max_queue_switches_per_shift": "Most queue changes in a shift",
    "realtime_queue_blocks": "Voice ↔ chat blocks in shifts",
}
CONTRACT_HOURS = {"week": "every week", "horizon": "on average over the weeks planned"}
WEIGHT_LABELS = {
    "short_hour": "Per agent-hour short",
    "short_contact": "Per contact missing the answer target",
    "over_hour": "Per agent-hour over",
    "night_spread": "Per night of spread between agents",
    "weekend_spread": "Per weekend day of spread between agents",
    "preference": "Per shift outside the agent's preference",
    "late_contact": "Per email or message answered late",
    "change": "Per shift changed in a re-plan",
}
FORM_LABELS = {  # problems name a form's fields by their dotted path in the scenario, e.g. rules.min_rest_hours
    "work rules": {f"rules.{field}": label for field, label in RULE_LABELS.items()},
    "objective weights": {f"weights.{field}": label for field, label in WEIGHT_LABELS.items()},
}


def load_bases(scenario_id: int) -> None:
    """The editors' starting tables, read from the store when the page first shows a scenario (or on reload)."""
    if state.get(state.RULES_SCENARIO) == scenario_id:
        return
    store, config = context.store(), context.scenario_config()
    state.put(state.AGENTS_BASE, rules.rows_of(store.load_agents(scenario_id), rules.AGENT_COLUMNS))
    state.put(state.TIME_OFF_BASE, rules.rows_of(store.load_time_off(scenario_id), rules.TIME_OFF_COLUMNS))
    state.put(state.TEMPLATES_BASE, rules.rows_of(config.shift_templates, rules.TEMPLATE_COLUMNS))
    state.put(state.BREAKS_BASE, rules.rows_of(config.breaks, rules.BREAK_COLUMNS))
    state.drop(*(editor for _, editor in EDITORS.values()), state.RULES_PROBLEMS)
    state.drop(*[key for key in st.session_state if str(key).startswith(tuple(FORMS.values()))])
    state.put(state.RULES_SCENARIO, scenario_id)


def edits(editor_key: str) -> bool:
    """The editor holds a change worth saving (a freshly added empty row is still being filled in)."""
    changes = state.get(editor_key) or {}
    added = [row for row in changes.get("added_rows", []) if rules.typed(row)]
    return bool(changes.get("edited_rows") or changes.get("deleted_rows") or added)


def editor(section: str, save: Callable[[pd.DataFrame], None], column_config: dict) -> None:
    """An editable table saved at once when valid; its problems listed when not. A new row is saved only
    once it has every needed column: saving reloads the table, which would wipe a row still being typed."""
    base, key = EDITORS[section]
    edited = tables.data_editor(state.get(base), key, column_config, num_rows="dynamic", hide_index=True)
    if not edits(key):
        return
    unfinished = rules.unfinished_rows(state.get(key), rules.NEEDED[section], len(edited))
    if unfinished:
        unfinished_message(section, unfinished, column_config)
        return
    try:
        save(edited)
    except InputError as error:
        problems.show(error, f"The {section} were not saved: please fix these", tables.labels(column_config))
        return
    saved(section)


def unfinished_message(section: str, unfinished: dict[int, list[str]], column_config: dict) -> None:
    lines = [f"- row {row}: fill in {text.join_words([column_config[column]['label'] for column in missing])}"
             for row, missing in unfinished.items()]
    st.info("Not saved yet: new rows are saved once they are complete.\n" + "\n".join(lines),
            icon=":material/edit_note:")


def saved(section: str) -> None:
    """Start again from what the store now holds, and say so after the rerun."""
    state.drop(state.RULES_SCENARIO)
    state.put(state.RULES_SAVED, section)
    st.rerun()


def form_key(form: str, field: str) -> str:
    return f"{form}.{field}"


def form_problems(section: str) -> None:
    found = (state.get(state.RULES_PROBLEMS) or {}).get(section)
    if found:
        problems.show(found, f"The {section} were not saved: please fix these", FORM_LABELS[section])


def submit_form(section: str, **changes) -> None:
    try:
        rules.save_config(context.store(), context.scenario_id(), context.scenario_config(), section, **changes)
    except InputError as error:
        state.put(state.RULES_PROBLEMS, {section: error.problems})
        return
    saved(section)


def agents_section(scenario_id: int) -> None:
    queues = list(context.scenario_config().queues)
    st.caption(f"Contracts (paid hours and days per week), skills (queues: {md(', '.join(queues))}, separated by ;), "
               "nights, a daily availability window and a preferred time of day.")
    editor("agents", lambda rows: rules.save_agents(context.store(), scenario_id, rows), {
        "agent_id": st.column_config.TextColumn("id"),
        "name": st.column_config.TextColumn("name"),
        "skills": st.column_config.TextColumn("skills", help="queues separated by ;, e.g. voice;chat"),
        "min_hours": st.column_config.NumberColumn("min h/week"),
        "max_hours": st.column_config.NumberColumn("max h/week"),
        "max_days": st.column_config.NumberColumn("max days", help="empty: only the work rules limit them"),
        "night_ok": st.column_config.CheckboxColumn("nights", default=True),
        "earliest_start": st.column_config.TimeColumn("earliest start", format="HH:mm"),
        "latest_end": st.column_config.TimeColumn("latest end", format="HH:mm"),
        "preferred": st.column_config.SelectboxColumn("prefers", options=PREFERENCES),
    })


def time_off_section(scenario_id: int) -> None:
    agent_ids = list(state.get(state.AGENTS_BASE)["agent_id"])
    st.caption("Vacations, appointments and other absences: no shift may overlap them.")
    editor("time off", lambda rows: rules.save_time_off(context.store(), scenario_id, rows), {
        "agent_id": st.column_config.SelectboxColumn("agent", options=agent_ids),
        "start": st.column_config.TextColumn("from", help="date and time, e.g. 2026-11-26 09:00"),
        "end": st.column_config.TextColumn("until", help="date and time, e.g. 2026-11-26 17:00"),
        "reason": st.column_config.TextColumn("reason"),
    })


def shifts_section(scenario_id: int) -> None:
    config = context.scenario_config()
    st.subheader("Shift templates")
    st.caption("Every start from earliest to latest start, every step, with each length (hours, separated by ;), "
               "on each day (mon;tue;…). Queues empty: all queues.")
    editor("shift templates", lambda rows: rules.save_config(
        context.store(), scenario_id, config, "shift templates", shift_templates=rules.records(rows)), {
        "name": st.column_config.TextColumn("name"),
        "days": st.column_config.TextColumn("days"),
        "earliest_start": st.column_config.TimeColumn("earliest start", format="HH:mm"),
        "latest_start": st.column_config.TimeColumn("latest start", format="HH:mm"),
        "start_step_minutes": st.column_config.NumberColumn("step (min)"),
        "lengths_hours": st.column_config.TextColumn("lengths (h)"),
        "queues": st.column_config.TextColumn("queues"),
    })
    st.subheader("Breaks")
    st.caption("Each shift of at least min shift hours (and below max) gets the break, starting inside its "
               "window (minutes after the shift starts). Unpaid breaks do not count towards paid hours.")
    editor("breaks", lambda rows: rules.save_config(
        context.store(), scenario_id, config, "breaks", breaks=rules.records(rows)), {
        "name": st.column_config.TextColumn("name"),
        "activity": st.column_config.SelectboxColumn("activity", options=["break", "lunch"], default="break"),
        "minutes": st.column_config.NumberColumn("minutes"),
        "paid": st.column_config.CheckboxColumn("paid", default=True),
        "min_shift_hours": st.column_config.NumberColumn("min shift h"),
        "max_shift_hours": st.column_config.NumberColumn("max shift h"),
        "earliest_offset_minutes": st.column_config.NumberColumn("earliest (min after start)"),
        "latest_offset_minutes": st.column_config.NumberColumn("latest (min after start)"),
    })


def work_rules_section() -> None:
    current = context.scenario_config().rules
    form = FORMS["work rules"]
    with st.form(form):
        columns = st.columns(3)
        values = {}
        for index, (field, label) in enumerate(RULE_LABELS.items()):
            value, key = getattr(current, field), form_key(form, field)
            with columns[index % 3]:
                if field == "weekend_days":
                    values[field] = st.multiselect(label, DAY_NAMES, default=list(value), key=key)
                elif field in ("night_start", "night_end"):
                    values[field] = st.time_input(label, value=value, key=key, step=1800)
                elif field == "contract_hours":
                    values[field] = st.selectbox(label, list(CONTRACT_HOURS), format_func=CONTRACT_HOURS.get,
                                                 index=list(CONTRACT_HOURS).index(value), key=key)
                elif isinstance(value, bool):
                    values[field] = st.checkbox(label, value=value, key=key)
                elif isinstance(value, int):
                    values[field] = st.number_input(label, value=value, step=1, key=key)
                else:
                    values[field] = st.number_input(label, value=float(value), step=0.5, key=key)
        submitted = st.form_submit_button("Save work rules", type="primary")
    if submitted:
        submit_form("work rules", rules=rules.work_rules(values, current))
    form_problems("work rules")


def weights_section() -> None:
    current = context.scenario_config().weights
    form = FORMS["objective weights"]
    st.caption("What the roster trades off: short staffing dominates, the rest break ties.")
    with st.form(form):
        columns = st.columns(3)
        values = {field: columns[index % 3].number_input(label, value=float(getattr(current, field)), step=5.0,
                                                         key=form_key(form, field))
                  for index, (field, label) in enumerate(WEIGHT_LABELS.items())}
        submitted = st.form_submit_button("Save weights", type="primary")
    if submitted:
        submit_form("objective weights", weights=rules.weights(values, current))
    form_problems("objective weights")


def header(scenario_id: int) -> None:
    st.title("Rules")
    agents = state.get(state.AGENTS_BASE)
    left, middle, right, button = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
    left.metric("Agents", len(agents))
    middle.metric("Contract hours per week", f"{agents['min_hours'].sum():,.0f}–{agents['max_hours'].sum():,.0f}")
    right.metric("Time off entries", len(state.get(state.TIME_OFF_BASE)))
    if button.button("Reload from the store", key=state.RELOAD_RULES, icon=":material/refresh:",
                     help="Discard unsaved edits and show what the store holds now"):
        state.drop(state.RULES_SCENARIO)
        st.rerun()
    if state.get(state.RULES_SAVED):
        st.toast(f"Saved the {state.get(state.RULES_SAVED)}.", icon=":material/check_circle:")
        state.drop(state.RULES_SAVED)


scenario_id = context.scenario_id()
load_bases(scenario_id)
header(scenario_id)
agents_tab, time_off_tab, shifts_tab, rules_tab, weights_tab = st.tabs(
    ["Agents", "Time off", "Shifts and breaks", "Work rules", "Objective weights"])
with agents_tab:
    agents_section(scenario_id)
with time_off_tab:
    time_off_section(scenario_id)
with shifts_tab:
    shifts_section(scenario_id)
with rules_tab:
    work_rules_section()
with weights_tab:
    weights_section()
