"""Centers (scheduler): create a center from your own files or from the sample, and delete one."""

from __future__ import annotations

import streamlit as st

from tabular import InputError
from wfm_app import centers, context, problems, state
from wfm_app.text import md

SOURCES = {"files": "From my files", "sample": "From the sample"}


def uploads() -> dict[str, centers.Upload | None]:
    left, right = st.columns(2)
    return {
        "agents": centers.upload(left.file_uploader(
            "agents.csv (agent_id, name, skills, min_hours, max_hours, …)", type=["csv", "txt"],
            key=state.UPLOAD_AGENTS)),
        "history": centers.upload(left.file_uploader(
            "Interval history (interval_start, queue, contacts, aht_seconds)", type=["csv", "txt"],
            key=state.UPLOAD_HISTORY)),
        "time_off": centers.upload(right.file_uploader(
            "time_off.csv (optional: agent_id, start, end, reason)", type=["csv", "txt"], key=state.UPLOAD_TIME_OFF)),
        "settings": centers.upload(right.file_uploader(
            "scenario.yaml (optional: queues, shift templates, rules)", type=["yaml", "yml", "toml"],
            key=state.UPLOAD_SETTINGS)),
    }


def create_from_files(name: str) -> None:
    files = uploads()
    if not any(files.values()):
        st.info("Upload the team's agents.csv and an interval history; time off and rules are optional.")
        return
    try:
        checked = centers.read_center_files(**files)
    except InputError as error:
        problems.show(error, "These files have problems; nothing is saved until they are fixed")
        return
    st.success(f"{len(checked.agents)} agents, {len(checked.time_off)} time-off entries, "
               f"{len(checked.history):,} history intervals; the first week to plan starts "
               f"{checked.config.week_start:%a %d %b %Y}.", icon=":material/check_circle:")
    if st.button("Create the center", key=state.CREATE_CENTER, type="primary"):
        save(lambda: centers.create_center(context.store(), name, checked, context.user(), files["history"][0]), name)


def create_from_sample(name: str) -> None:
    st.caption("The bundled sample center: its team, rules, history and a first week with its demand.")
    if st.button("Create the center", key=state.CREATE_CENTER, type="primary"):
        save(lambda: context.import_sample(context.store(), str(context.settings().data_dir), name), name)


def save(create, name: str) -> None:
    try:
        create()
    except InputError as error:
        problems.show(error)
        return
    state.drop(state.NEW_CENTER_NAME, state.UPLOAD_AGENTS, state.UPLOAD_TIME_OFF, state.UPLOAD_HISTORY,
               state.UPLOAD_SETTINGS)  # the form starts empty for the next center
    state.put(state.CENTER_CREATED, name.strip())
    state.put(state.NEXT_CENTER, name.strip())
    st.rerun()


def delete_section(center: str) -> None:
    st.subheader("Delete a center")
    st.caption(f"Deletes **{md(center)}** (chosen in the sidebar) with all its weeks, rosters and history.")
    typed = st.text_input("Type the center's name to confirm", key=state.DELETE_CONFIRM)
    if st.button("Delete the center", key=state.DELETE_CENTER, disabled=typed.strip() != center,
                 icon=":material/delete:"):
        context.store().delete_center(center)
        state.drop(state.DELETE_CONFIRM)
        st.rerun()


def page() -> None:
    st.title("Centers")
    created = state.pop(state.CENTER_CREATED)
    if created:
        st.success(f"Center **{md(created)}** created; it is chosen in the sidebar.", icon=":material/check_circle:")
    st.subheader("Create a center")
    name = st.text_input("Center name", key=state.NEW_CENTER_NAME)
    source = st.segmented_control("Start", list(SOURCES), format_func=SOURCES.get, key=state.NEW_CENTER_SOURCE,
                                  default="files") or "files"
    (create_from_files if source == "files" else create_from_sample)(name)
    center = context.center()
    if center is not None:
        delete_section(center)


page()
