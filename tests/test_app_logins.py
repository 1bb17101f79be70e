"""Logins in the app (AppTest): the login form, sessions that end, the first start's demo users, and
what each role sees and may do, checked on the server side: the store refuses what a role may not do
even when a page offers it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import wfm.storage.store as store_module
from wfm.storage import Store
from wfm_app import context, state
from tests.test_app import (  # noqa: F401 - tiny and tiny_roster are fixtures
    APP,
    PAGES,
    PASSWORD,
    TIMEOUT,
    keys,
    log_in,
    open_app,
    put_roster,
    texts,
    tiny,
    tiny_roster,
    user_of,
)


def login_form_shown(at: AppTest) -> bool:
    return {state.LOGIN_USERNAME, state.LOGIN_PASSWORD} <= keys(at) and state.LOGOUT not in keys(at)


def fresh_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()


def publish_tiny_roster(data_dir: Path, roster: pd.DataFrame) -> int:
    with Store(data_dir) as store:
        version_id = store.save_roster(1, roster, "sam")
        store.publish(version_id, "sam")
    return version_id


# --- logging in and out ------------------------------------------------------------------------------


def test_nothing_shows_before_a_login(tiny):
    at = fresh_app()
    assert not at.exception
    assert login_form_shown(at)
    assert [title.value for title in at.title] == ["Log in to wfm"]
    assert not at.sidebar.button and state.SCENARIO_ID not in keys(at)


@pytest.mark.parametrize("who", ["right-name", "nobody"])
def test_a_wrong_password_or_unknown_user_is_refused(tiny, who):
    at = fresh_app()
    username = user_of("scheduler") if who == "right-name" else "nobody"
    log_in(at, username, "not-the-password")
    assert not at.exception
    assert "Wrong username or password." in texts(at.error)
    assert login_form_shown(at) and state.LOGIN_TOKEN not in at.session_state


def test_logout_ends_the_session_in_the_store(tiny):
    at = open_app()
    token = at.session_state[state.LOGIN_TOKEN]
    at.button(key=state.LOGOUT).click().run()
    assert login_form_shown(at) and "You are logged out." in texts(at.info)
    with Store(tiny) as store, pytest.raises(store_module.LoginRefused):
        store.session_user(token)


def test_an_expired_session_returns_to_the_login_form(tiny, monkeypatch):
    at = open_app(page="roster")
    later = store_module.utcnow() + dt.timedelta(hours=9)  # past the 8 hours a session may stay idle
    monkeypatch.setattr(store_module, "utcnow", lambda: later)
    at.run()
    assert not at.exception
    assert login_form_shown(at) and "Your session has expired" in texts(at.info)
    assert state.ROSTER not in at.session_state  # nothing of the last login's work stays


def test_a_session_closed_in_the_store_or_forged_returns_to_the_login_form(tiny):
    at = open_app()
    with Store(tiny) as store:
        store.close_session(at.session_state[state.LOGIN_TOKEN])
    at.run()
    assert login_form_shown(at) and "You are not logged in" in texts(at.info)

    forged = fresh_app()
    forged.session_state[state.LOGIN_TOKEN] = "a-token-nobody-was-given"
    forged.run()
    assert login_form_shown(forged) and not forged.exception


def test_a_removed_user_is_logged_out_and_refused(tiny):
    at = open_app("agent", agent_id="T3")
    with Store(tiny) as store:
        store.remove_user("agent-T3")
    at.run()
    assert login_form_shown(at)
    log_in(at, "agent-T3")
    assert "Wrong username or password." in texts(at.error) and login_form_shown(at)


# --- the first start -----------------------------------------------------------------------------------


def test_the_first_start_shows_the_demo_logins_once_and_forces_a_new_password(tiny, capsys):
    first = fresh_app()
    [table] = [frame.value for frame in first.dataframe]
    assert list(table["username"]) == ["scheduler", "manager", "agent"]
    passwords = dict(zip(table["username"], table["one-time password"]))
    printed = capsys.readouterr().out
    assert all(password in printed for password in passwords.values())  # the terminal of `streamlit run`
    assert not fresh_app().dataframe  # a second browser session is not shown them

    log_in(first, "agent", passwords["agent"])
    assert [title.value for title in first.title] == ["Choose your password"]
    assert state.LOGIN_TOKEN not in first.session_state  # no session before the new password

    def change(old: str, new: str, again: str) -> AppTest:
        first.text_input(key=state.CHANGE_OLD).input(old)
        first.text_input(key=state.CHANGE_NEW).input(new)
        first.text_input(key=state.CHANGE_AGAIN).input(again)
        return first.button(key=state.CHANGE_SUBMIT).click().run()

    assert "differ" in texts(change(passwords["agent"], "agent-password-1", "agent-password-2").error)
    assert "too short" in texts(change(passwords["agent"], "short", "short").error)
    assert "one-time password is wrong" in texts(change("wrong-password", "agent-password-1",
                                                        "agent-password-1").error)
    change(passwords["agent"], "agent-password-1", "agent-password-1")
    assert not first.exception
    assert [title.value for title in first.title][0] == "My shifts" and state.LOGOUT in keys(first)
    with Store(tiny) as store:
        assert store.authenticate("agent", "agent-password-1").must_change_password is False
        audit = store.audit_log()
    assert "agent-password-1" not in audit.to_string() and passwords["agent"] not in audit.to_string()


# --- roles, enforced by the store ----------------------------------------------------------------------


def test_a_manager_sees_the_roster_read_only(tiny, tiny_roster):
    publish_tiny_roster(tiny, tiny_roster)
    at = open_app("manager", "roster")
    assert not at.exception
    assert {state.GENERATE, state.SAVE_DRAFT, state.PUBLISH, state.EDIT_APPLY}.isdisjoint(keys(at))
    assert "Version 1, published" in texts(at.markdown)  # the roster and its versions still show


def test_the_store_refuses_a_manager_who_reaches_the_publish_button(tiny, tiny_roster, monkeypatch):
    monkeypatch.setattr(context, "may", lambda action: True)  # a page that forgot to hide its buttons
    at = put_roster(open_app("manager", "roster"), tiny_roster)
    at.button(key=state.PUBLISH).click().run()
    assert not at.exception
    assert "Nothing was saved" in texts(at.error)
    assert "manager is a manager and may not save a new roster" in at.dataframe[0].value.to_string()
    with Store(tiny) as store:
        assert store.list_versions(1) == []


def test_a_forged_role_in_the_session_state_changes_nothing(tiny):
    at = open_app("agent", agent_id="T1")
    for key in ("role", "user", "user_name"):
        at.session_state[key] = "scheduler"
    at.run()
    for page in ("forecast", "roster", "rules", "audit"):
        with pytest.raises(ValueError, match="navigation page"):
            at.switch_page(PAGES[page])


def test_an_agent_sees_only_their_own_published_week(tiny, tiny_roster):
    mine = open_app("agent", agent_id="T2")
    assert "not published yet" in texts(mine.info)
    with Store(tiny) as store:
        store.save_roster(1, tiny_roster, "sam")  # a draft: invisible to agents
    mine.run()
    assert "not published yet" in texts(mine.info)

    publish_tiny_roster(tiny, tiny_roster)
    mine.run()
    assert not mine.exception
    assert [box.key for box in mine.selectbox] == [state.SCENARIO_ID]  # their center's weeks; no other agent
    theirs = tiny_roster[(tiny_roster["agent_id"] == "T2") & (tiny_roster["activity"] == "work")]
    shifts = mine.dataframe[0].value
    assert len(shifts) == theirs["start"].dt.date.nunique()
    names = set(tiny_roster["name"]) - {"Agent 2"}
    shown = " ".join(texts(elements) for elements in (mine.markdown, mine.caption, mine.metric))
    assert not any(name in shown for name in names)


def test_the_audit_trail_names_the_logged_in_user_newest_first(tiny, tiny_roster):
    at = open_app("manager", "rules")
    at.session_state[state.AGENTS_EDITOR] = {"edited_rows": {0: {"name": "Ada Lovelace"}}, "added_rows": [],
                                            "deleted_rows": []}
    at.run()
    publish_tiny_roster(tiny, tiny_roster)
    at.switch_page(PAGES["audit"]).run()
    assert not at.exception
    trail = at.dataframe[0].value
    assert list(trail.columns)[:4] == ["when", "who", "what", "object"]
    assert trail["when"].is_monotonic_decreasing
    assert list(trail["what"])[:2] == ["publish", "save_roster"]
    assert trail.loc[trail["what"] == "replace_agents", "who"].iloc[0] == "manager"  # who was logged in
    at.multiselect(key=state.AUDIT_ACTIONS).set_value(["publish"]).run()
    assert set(at.dataframe[0].value["what"]) == {"publish"}
    agent = open_app("agent")
    with pytest.raises(ValueError, match="navigation page"):
        agent.switch_page(PAGES["audit"])
    assert PASSWORD not in trail.to_string()


def test_stored_moments_read_on_the_viewers_clock():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from wfm_app.text import local_moment, local_moments

    berlin = ZoneInfo("Europe/Berlin")
    assert local_moment(dt.datetime(2026, 11, 26, 19, 35), berlin) == dt.datetime(2026, 11, 26, 20, 35)
    assert local_moment(dt.datetime(2026, 7, 1, 23, 30), berlin) == dt.datetime(2026, 7, 2, 1, 30)  # summer time
    moments = local_moments(pd.Series(pd.to_datetime(["2026-11-26 19:35", "2026-07-01 23:30"])), berlin)
    assert list(moments) == [pd.Timestamp("2026-11-26 20:35"), pd.Timestamp("2026-07-02 01:30")]
