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
from wfm_app.text import md

# Each page with what a user must be allowed to see it (wfm.auth.PERMISSIONS); My shifts is an agent's own.
PAGES = [
    ("see_planning", st.Page("app_pages/forecast.py", title="Forecast and staffing", icon=":material/query_stats:",
                             url_path="forecast")),
    ("see_all_shifts", st.Page("app_pages/roster.py", title="Roster", icon=":material/calendar_month:",
                               url_path="roster")),
    ("see_planning", st.Page("app_pages/rules.py", title="Rules", icon=":material/rule:", url_path="rules")),
    ("see_audit", st.Page("app_pages/audit.py", title="Audit trail", icon=":material/history:", url_path="audit")),
]
MY_SHIFTS = st.Page("app_pages/my_shifts.py", title="My shifts", icon=":material/event:", url_path="my-shifts")


def pages(user: User) -> list[st.Page]:
    offered = [page for action, page in PAGES if context.may(action)]
    return offered + ([MY_SHIFTS] if user.agent_id is not None else [])


def sidebar() -> None:
    """Who is logged in, the logout button and the scenario picker."""
    with st.sidebar:
        st.title("wfm")
        login.logout_button()
        scenario_picker()


def scenario_picker() -> None:
    infos = context.scenarios()
    if len(infos) > 1:
        labels = {info.id: f"{info.name} · week of {info.week_start:%d %b %Y}" for info in infos}
        st.selectbox("Scenario", list(labels), key=state.SCENARIO_ID, format_func=labels.get)
    else:
        st.caption(f"**{md(infos[0].name)}** · week of {infos[0].week_start:%a %d %b %Y}")


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
        st.navigation(pages(user)).run()
    except NotAllowed as refused:  # a page offered what the role may not do: the store refused, nothing changed
        problems.show(refused, title="Not allowed: nothing was changed")
