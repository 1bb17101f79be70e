"""Audit trail (schedulers and managers): who changed what and when, newest first."""

from __future__ import annotations

import streamlit as st

from wfm_app import audit, context, state, tables

st.title("Audit trail")
trail = audit.trail_table(context.store().audit_log(limit=audit.SHOWN_ROWS))
actions = st.multiselect("Actions", audit.actions(trail), key=state.AUDIT_ACTIONS,
                         placeholder="All actions")
shown = audit.with_actions(trail, actions)
st.caption(f"{len(shown)} of the latest {audit.SHOWN_ROWS} changes, newest first; times in UTC.")
tables.show(shown, column_config={"when (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")})
