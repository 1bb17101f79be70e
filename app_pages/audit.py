"""Audit trail (schedulers and managers): who changed what and when, newest first."""

from __future__ import annotations

import streamlit as st

from wfm_app import audit, context, state, tables
from wfm_app.text import zone_name

st.title("Audit trail")
zone = context.viewer_zone()
trail = audit.trail_table(context.store().audit_log(limit=audit.SHOWN_ROWS), zone)
actions = st.multiselect("Actions", audit.actions(trail), key=state.AUDIT_ACTIONS,
                         placeholder="All actions")
shown = audit.with_actions(trail, actions)
st.caption(f"{len(shown)} of the latest {audit.SHOWN_ROWS} changes, newest first; times in {zone_name(zone)}.")
tables.show(shown, column_config={"when": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")})
