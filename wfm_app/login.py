"""Logging in and out: the login form, the forced change of a one-time password, and the demo users of a
newcomer's first start.

A browser session keeps only its login token (`state.LOGIN_TOKEN`); the user is read from the store with
it on every run, so an expired, closed or removed login ends at the next click. Passwords go from the
form to the store and nowhere else: forms clear their fields when submitted, and nothing prints them
except the demo users' one-time passwords, which the terminal shows once on purpose.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tabular import InputError
from wfm.auth import LoginRefused, User
from wfm.first_run import OneTimeLogin, demo_users
from wfm.storage import Store
from wfm_app import context, state, tables
from wfm_app.text import md



def logged_in_user() -> User:
    """The user of this browser session's login; otherwise the login (or change-password) form, and the run stops."""
    store = context.store()
    token = state.get(state.LOGIN_TOKEN)
    if token is not None:
        try:
            return store.session_user(token)
        except LoginRefused as refused:
            forget_session(message(refused))
    if state.get(state.CHANGE_USERNAME):
        change_password_page(store)
    else:
        login_page(store)
    st.stop()


def logout_button() -> None:
    """In the sidebar: ends the login in the store and forgets everything this browser session held."""
    user = context.current_user()
    st.caption(f"Logged in as **{md(user.username)}** ({user.role})")
    if st.button("Log out", key=state.LOGOUT, icon=":material/logout:"):
        context.store().close_session(state.get(state.LOGIN_TOKEN))
        forget_session("You are logged out.")
        st.rerun()


def forget_session(why: str) -> None:
    """Drop the session state, so that the next person at this browser finds nothing of the last one's work."""
    clear_session_state()
    state.put(state.LOGIN_MESSAGE, why)


def clear_session_state() -> None:
    """Everything but the demo users' one-time passwords, which show until each user has chosen their own."""
    first_logins = state.get(state.FIRST_LOGINS)
    st.session_state.clear()
    if first_logins is not None:
        state.put(state.FIRST_LOGINS, first_logins)


def login_page(store: Store) -> None:
    st.title("Log in to wfm")
    if state.get(state.LOGIN_MESSAGE):
        st.info(state.get(state.LOGIN_MESSAGE), icon=":material/info:")
    show_first_logins(store)
    with st.form(state.LOGIN_FORM, clear_on_submit=True):
        username = st.text_input("Username", key=state.LOGIN_USERNAME)
        password = st.text_input("Password", type="password", key=state.LOGIN_PASSWORD)
        submitted = st.form_submit_button("Log in", type="primary", icon=":material/login:", key=state.LOGIN_SUBMIT)
    if submitted:
        log_in(store, username.strip(), password)


def log_in(store: Store, username: str, password: str) -> None:
    try:
        user = store.authenticate(username, password)
    except LoginRefused as refused:
        st.error(message(refused), icon=":material/block:")
        return
    if user.must_change_password:
        state.put(state.CHANGE_USERNAME, user.username)
    else:
        start_session(store, user)
    st.rerun()


def start_session(store: Store, user: User) -> None:
    clear_session_state()  # nothing of an earlier login of this browser session carries over
    state.put(state.LOGIN_TOKEN, store.open_session(user))


def change_password_page(store: Store) -> None:
    username = state.get(state.CHANGE_USERNAME)
    st.title("Choose your password")
    st.info(f"**{md(username)}**, you logged in with a one-time password: choose your own before going on "
            "(at least 10 characters).", icon=":material/key:")
    with st.form(state.CHANGE_FORM, clear_on_submit=True):
        old = st.text_input("One-time password", type="password", key=state.CHANGE_OLD)
        new = st.text_input("New password", type="password", key=state.CHANGE_NEW)
        again = st.text_input("New password again", type="password", key=state.CHANGE_AGAIN)
        submitted = st.form_submit_button("Change password and log in", type="primary", key=state.CHANGE_SUBMIT)
    if st.button("Back to the login"):
        forget_session("")
        st.rerun()
    if submitted:
        change_password(store, username, old, new, again)


def change_password(store: Store, username: str, old: str, new: str, again: str) -> None:
    if new != again:
        st.error("The two new passwords differ: type the same one twice.", icon=":material/block:")
        return
    if new == old:
        st.error("The new password is the one-time password: choose another.", icon=":material/block:")
        return
    try:
        user = store.change_password(username, old, new)
    except LoginRefused:
        st.error("The one-time password is wrong.", icon=":material/block:")
        return
    except InputError as refused:
        st.error(f"The new password {message(refused)}.", icon=":material/block:")
        return
    start_session(store, user)
    st.rerun()


def message(error: InputError) -> str:
    return "; ".join(problem.message for problem in error.problems)


# --- a newcomer's first start ------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def demo_logins(url: str) -> list[OneTimeLogin]:
    """Once per server and database: the demo users of a store that has no user yet (none otherwise),
    printed to the terminal that runs `streamlit run app.py`. The list is emptied by the first browser
    session shown it."""
    store = context.store()
    weeks = store.list_scenarios()
    try:  # in the first center: the sample center, on a first start
        logins = demo_users(store, weeks[0].center) if weeks else []
    except InputError:  # no agent to link the demo agent to: users come from `wfm user add`
        return []
    if logins:
        lines = [f"  {login.username:<10} {login.password}   ({describe(login)})" for login in logins]
        print("wfm: demo logins for the sample center; each is asked for a new password at first login:",
              *lines, sep="\n", flush=True)
    return logins


def show_first_logins(store: Store) -> None:
    if state.get(state.FIRST_LOGINS) is None:
        pending = demo_logins(store.url)
        state.put(state.FIRST_LOGINS, list(pending))
        pending.clear()
    users = store.list_users()
    waiting = {user.username for user in users if user.must_change_password}
    logins = [login for login in state.get(state.FIRST_LOGINS) if login.username in waiting]
    if logins:
        st.success("First start: these demo users were created for the sample center. Their one-time passwords "
                   "show only here and in the server's terminal; note them now. Each user chooses their own "
                   "password at first login.", icon=":material/key:")
        tables.show(pd.DataFrame([{"username": login.username, "one-time password": login.password,
                                   "role": describe(login)} for login in logins]))
    elif not users:
        st.warning("No user can log in yet. On the server, add one: `wfm user add NAME --role scheduler`.",
                   icon=":material/person_add:")


def describe(login: OneTimeLogin) -> str:
    return login.role if login.agent_id is None else f"{login.role} {login.agent_id}"
