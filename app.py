"""The wfm app: `streamlit run app.py`.

A thin router. The role chosen in the sidebar decides which pages show; it is a view, not a login:
anyone who can open the app can choose any role.
"""

from __future__ import annotations

import streamlit as st

from tabular import InputError
from wfm_app import context, problems, state

ROLES = ("scheduler", "manager", "agent")
CENTERS = st.Page("app_pages/centers.py", title="Centers", icon=":material/domain:", url_path="centers")
PAGES = {
    "scheduler": [
        st.Page("app_pages/forecast.py", title="Forecast and staffing", icon=":material/query_stats:",
                url_path="forecast"),
        st.Page("app_pages/roster.py", title="Roster", icon=":material/calendar_month:", url_path="roster"),
        st.Page("app_pages/calendar.py", title="Planning calendar", icon=":material/date_range:",
                url_path="calendar"),
        st.Page("app_pages/actuals.py", title="Actuals and accuracy", icon=":material/fact_check:",
                url_path="actuals"),
        CENTERS,
    ],
    "manager": [
        st.Page("app_pages/rules.py", title="Rules", icon=":material/rule:", url_path="rules"),
    ],
    "agent": [
        st.Page("app_pages/my_shifts.py", title="My shifts", icon=":material/event:", url_path="my-shifts"),
    ],
}


def sidebar() -> str:
    """Role, name and scenario pickers; returns the role."""
    with st.sidebar:
        st.title("wfm")
        role = st.radio("Role", ROLES, key=state.ROLE, format_func=str.capitalize, horizontal=True,
                        help="Chooses the pages you see. This is not authentication.")
        st.text_input("Your name", key=state.USER_NAME, placeholder=role.capitalize(),
                      help="Recorded with the roster versions you save and publish.")
        center_picker()
        st.caption("Roles choose pages only; they are not a login.")
    return role


def center_picker() -> None:
    """The center, then its week; nothing to choose before the first center is created."""
    names = context.centers()
    if not names:
        st.caption("No center yet: create one on the Centers page.")
        return
    if state.get(state.NEXT_CENTER) in names:  # the center just created on the Centers page
        state.put(state.CENTER, state.pop(state.NEXT_CENTER))
    state.put(state.CENTER, context.center())  # a center deleted meanwhile is no choice any more
    st.selectbox("Center", names, key=state.CENTER)
    if state.get(state.NEXT_WEEK) is not None:  # a week just planned on the calendar
        state.put(state.SCENARIO_ID, state.pop(state.NEXT_WEEK))
    state.put(state.SCENARIO_ID, context.scenario_id())
    labels = {info.id: f"Week of {info.week_start:%a %d %b %Y}" for info in context.scenarios()}
    st.selectbox("Week", list(labels), key=state.SCENARIO_ID, format_func=labels.get)


st.set_page_config(page_title="wfm", page_icon=":material/support_agent:", layout="wide")
# Streamlit's own CSV download of a table writes its cells as they are: an agent named =HYPERLINK(…) would be
# a live formula in Excel. The app's download buttons make such text inert (tabular.spreadsheet).
st.set_option("client.disableDataExport", True)
try:
    role = sidebar()
except InputError as error:  # the store cannot be used: not a wfm database, from a newer wfm, busy
    problems.show(error, title="The app's database cannot be opened")
    st.stop()
st.navigation(PAGES[role] if context.center() else [CENTERS]).run()
