"""The wfm app: `streamlit run app.py`.

A thin router. Nothing shows until someone logs in (wfm_app.login); the logged-in user's role decides
which pages show, and every page runs as that user (`context.acting_as`), so that the store itself
refuses what the role may not do, whatever a page offers.
"""

from __future__ import annotations

import streamlit as st

from tabular import InputError
from wfm.auth import NotAllowed, User
from wfm_app import context, login, problems, state

# Each page with what a user must be allowed to see it (wfm.auth.PERMISSIONS); My shifts is an agent's own.
CENTERS = st.Page("app_pages/centers.py", title="Centers", icon=":material/domain:", url_path="centers")
PAGES = [
    ("see_planning", st.Page("app_pages/forecast.py", title="Forecast and staffing", icon=":material/query_stats:",
                             url_path="forecast")),
    ("see_all_shifts", st.Page("app_pages/roster.py", title="Roster", icon=":material/calendar_month:",
                               url_path="roster")),
    ("see_all_shifts", st.Page("app_pages/replan.py", title="Re-plan and absences", icon=":material/sync_alt:",
                               url_path="replan")),
    ("see_planning", st.Page("app_pages/calendar.py", title="Planning calendar", icon=":material/date_range:",
                             url_path="calendar")),
    ("see_planning", st.Page("app_pages/overrides.py", title="Demand overrides", icon=":material/tune:",
                             url_path="overrides")),
    ("see_planning", st.Page("app_pages/actuals.py", title="Actuals and accuracy", icon=":material/fact_check:",
                             url_path="actuals")),
    ("edit_rules", CENTERS),
    ("see_planning", st.Page("app_pages/rules.py", title="Rules", icon=":material/rule:", url_path="rules")),
    ("see_audit", st.Page("app_pages/audit.py", title="Audit trail", icon=":material/history:", url_path="audit")),
]
MY_SHIFTS = st.Page("app_pages/my_shifts.py", title="My shifts", icon=":material/event:", url_path="my-shifts")


def pages(user: User) -> list[st.Page]:
    offered = [page for action, page in PAGES if context.may(action)]
    return offered + ([MY_SHIFTS] if user.agent_id is not None else [])


def sidebar() -> None:
    """Who is logged in, the logout button and, for planners, the center and week pickers."""
    with st.sidebar:
        st.title("wfm")
        login.logout_button()
        if context.may("see_planning"):
            center_picker()
        else:  # an agent: their own center's weeks
            week_picker()


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
    week_picker()


def week_picker() -> None:
    state.put(state.SCENARIO_ID, context.scenario_id())
    labels = {info.id: f"Week of {info.week_start:%a %d %b %Y}" for info in context.scenarios()}
    st.selectbox("Week", list(labels), key=state.SCENARIO_ID, format_func=labels.get)


st.set_page_config(page_title="wfm", page_icon=":material/support_agent:", layout="wide")
# Streamlit's own CSV download of a table writes its cells as they are: an agent named =HYPERLINK(…) would be
# a live formula in Excel. The app's download buttons make such text inert (tabular.spreadsheet).
st.set_option("client.disableDataExport", True)
try:
    user = login.logged_in_user()  # or the login form, and the run stops
except InputError as error:  # the store cannot be used: not a wfm database, from a newer wfm, busy
    problems.show(error, title="The app's database cannot be opened")
    st.stop()
with context.acting_as(user):
    sidebar()
    try:
        st.navigation(pages(user) if context.center() else [CENTERS]).run()
    except NotAllowed as refused:  # a page offered what the role may not do: the store refused, nothing changed
        problems.show(refused, title="Not allowed: nothing was changed")
