"""Logins: users with a role, password hashes, sessions that expire, and the roles the store enforces."""

from __future__ import annotations

import datetime as dt
import logging
import time

import pytest
from sqlalchemy import inspect, select, text

from tabular import InputError
from tests.storage_backends import store_url  # noqa: F401  (a fixture: each test runs on SQLite and PostgreSQL)
from tests.test_storage import AGENTS, WEEK, config, roster, scenario_id, store  # noqa: F401
from wfm.auth import PERMISSIONS, LoginRefused, NotAllowed, SessionPolicy, User, require
from wfm.storage import Store, users
from wfm.storage.schema import UserRecord

PASSWORD = "correct horse battery"


def add(store: Store, username: str, role: str, **options) -> User:
    return store.add_user(username, PASSWORD, role=role, center="north", **options)


def test_a_user_logs_in_with_the_right_password_only(store: Store, scenario_id: int):
    added = add(store, "sam", "scheduler")
    assert store.authenticate("sam", PASSWORD) == added
    assert (added.role, added.center, added.agent_id, added.must_change_password) == ("scheduler", "north", None, False)
    with pytest.raises(LoginRefused, match="^Wrong username or password.$"):
        store.authenticate("sam", "correct horse battery!")
    with pytest.raises(LoginRefused, match="^Wrong username or password.$"):  # the same words: nothing leaks
        store.authenticate("nobody", PASSWORD)


def test_an_agent_user_is_one_of_the_centers_agents(store: Store, scenario_id: int):
    assert add(store, "ann", "agent", agent_id="a1").agent_id == "a1"
    with pytest.raises(InputError, match="'zz' is not an agent of center 'north'"):
        add(store, "zed", "agent", agent_id="zz")
    with pytest.raises(InputError, match="agent user must name their agent_id"):
        add(store, "zed", "agent")
    with pytest.raises(InputError, match="only an agent user is linked to an agent"):
        add(store, "zed", "manager", agent_id="a2")
    with pytest.raises(InputError, match="'boss' is not a role"):
        add(store, "zed", "boss")
    assert [user.username for user in store.list_users()] == ["ann"]


def test_usernames_are_unique_and_passwords_long_enough(store: Store, scenario_id: int):
    add(store, "sam", "scheduler")
    with pytest.raises(InputError, match="'sam' already exists"):
        add(store, "sam", "manager")
    with pytest.raises(InputError, match="too short: choose at least 10 characters"):
        store.add_user("kim", "short", role="manager")
    with pytest.raises(InputError, match="not a username"):
        store.add_user("kim lee", PASSWORD, role="manager")
    assert [user.username for user in store.list_users("north")] == ["sam"]


def test_a_removed_user_is_refused_and_their_sessions_end(store: Store, scenario_id: int):
    token = store.open_session(add(store, "sam", "scheduler"))
    store.remove_user("sam")
    with pytest.raises(LoginRefused, match="^Wrong username or password.$"):
        store.authenticate("sam", PASSWORD)
    with pytest.raises(LoginRefused, match="not logged in"):
        store.session_user(token)
    assert store.list_users() == []
    again = add(store, "sam", "manager")  # the name can be given again
    assert store.authenticate("sam", PASSWORD) == again and again.role == "manager"


def test_a_new_password_replaces_the_old_one_and_ends_the_sessions(store: Store, scenario_id: int):
    token = store.open_session(add(store, "sam", "scheduler"))
    store.set_password("sam", "another long secret", must_change_password=True)
    with pytest.raises(LoginRefused):
        store.authenticate("sam", PASSWORD)
    with pytest.raises(LoginRefused):
        store.session_user(token)
    assert store.authenticate("sam", "another long secret").must_change_password
    with pytest.raises(LoginRefused):
        store.change_password("sam", "wrong old password", "a third long secret")
    changed = store.change_password("sam", "another long secret", "a third long secret")
    assert not changed.must_change_password
    with pytest.raises(InputError, match="there is no user 'kim'"):
        store.set_password("kim", PASSWORD)


def test_a_session_gives_its_user_until_it_is_closed(store: Store, scenario_id: int):
    sam = add(store, "sam", "scheduler")
    token = store.open_session(sam)
    assert store.session_user(token) == sam
    store.close_session(token)
    for refused in (token, "made-up token", ""):
        with pytest.raises(LoginRefused, match="not logged in"):
            store.session_user(refused)


def test_an_expired_session_is_refused(store_url: str):
    with Store.open(store_url, sessions=SessionPolicy(absolute=dt.timedelta(0))) as store:
        token = store.open_session(store.add_user("sam", PASSWORD, role="scheduler"))
        with pytest.raises(LoginRefused, match="Your session has expired: please log in again."):
            store.session_user(token)
    with Store.open(store_url, sessions=SessionPolicy(idle=dt.timedelta(seconds=1))) as store:
        token = store.open_session(store.authenticate("sam", PASSWORD))
        assert store.session_user(token).username == "sam"
        time.sleep(1.1)
        with pytest.raises(LoginRefused, match="expired"):
            store.session_user(token)


def test_activity_keeps_a_session_alive_until_its_absolute_end(store_url: str, monkeypatch):
    monkeypatch.setattr(users, "LAST_SEEN_EVERY", dt.timedelta(0))  # note every request, not once a minute
    policy = SessionPolicy(idle=dt.timedelta(seconds=1), absolute=dt.timedelta(seconds=3))
    with Store.open(store_url, sessions=policy) as store:
        sam = store.add_user("sam", PASSWORD, role="scheduler")
        opened = time.monotonic()
        token = store.open_session(sam)
        while time.monotonic() - opened < 2.7:  # a request every 0.4 s: never idle for 1 s
            time.sleep(0.4)
            if time.monotonic() - opened < 2.7:
                assert store.session_user(token) == sam
        time.sleep(max(0.0, 3.2 - (time.monotonic() - opened)))
        with pytest.raises(LoginRefused, match="expired"):
            store.session_user(token)


def test_a_weaker_hash_is_replaced_at_the_next_login(store: Store, monkeypatch):
    from argon2 import PasswordHasher

    from wfm import auth

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8192))
    store.add_user("sam", PASSWORD, role="scheduler")
    monkeypatch.undo()
    weak = stored_hash(store, "sam")
    assert auth.needs_rehash(weak)
    store.authenticate("sam", PASSWORD)
    assert stored_hash(store, "sam") != weak and not auth.needs_rehash(stored_hash(store, "sam"))


def stored_hash(store: Store, username: str) -> str:
    with store.engine.connect() as connection:
        return connection.scalar(select(UserRecord.password_hash).where(UserRecord.username == username))


def test_no_clear_password_or_token_reaches_the_database_or_the_logs(store: Store, scenario_id: int, caplog):
    caplog.set_level(logging.DEBUG)
    add(store, "ann", "agent", agent_id="a1")
    store.set_password("ann", "a second long secret")
    token = store.open_session(store.authenticate("ann", "a second long secret"))
    store.session_user(token)
    text_in_database = everything_in(store)
    for secret in (PASSWORD, "a second long secret", token):
        assert secret not in text_in_database
        assert secret not in caplog.text
    assert stored_hash(store, "ann").startswith("$argon2id$")


def everything_in(store: Store) -> str:
    """Every cell of every table, as text."""
    with store.engine.connect() as connection:
        return "\n".join(str(row) for table in inspect(connection).get_table_names()
                         for row in connection.execute(text(f'SELECT * FROM "{table}"')))


# ---- roles: the store enforces what each may do -------------------------------------------------------


def test_only_a_scheduler_generates_and_publishes(store: Store, scenario_id: int):
    scheduler, manager = add(store, "sam", "scheduler"), add(store, "max", "manager")
    with store.acting_as(scheduler):
        version = store.save_roster(scenario_id, roster(), by="sam")
    with store.acting_as(manager):
        with pytest.raises(NotAllowed, match="max is a manager and may not publish a roster; only a scheduler may"):
            store.publish(version, by="max")
        with pytest.raises(NotAllowed):
            store.save_roster(scenario_id, roster(), by="max")
        store.save_scenario_config(scenario_id, config(interval_minutes=30))  # a manager changes the rules
        assert not store.load_roster(version).empty  # and sees every shift
    assert store.get_version(version).status == "draft"
    with store.acting_as(scheduler):
        assert store.publish(version, by="sam").published


def test_an_agent_sees_only_their_own_published_shifts(store: Store, scenario_id: int):
    ann = add(store, "ann", "agent", agent_id="a1")
    both = roster("a1").pipe(lambda table: table._append(roster("a2", day=WEEK), ignore_index=True))
    draft = store.save_roster(scenario_id, both, by="planner")
    with store.acting_as(ann):
        with pytest.raises(NotAllowed, match="ann is an agent and may not see other agents' shifts or drafts"):
            store.load_roster(draft)
        assert store.list_versions(scenario_id) == []
        for refused in (lambda: store.load_agents(scenario_id), lambda: store.audit_log(),
                        lambda: store.replace_agents(scenario_id, AGENTS), lambda: store.publish(draft, by="ann")):
            with pytest.raises(NotAllowed):
                refused()
    store.publish(draft, by="planner")
    with store.acting_as(ann):
        assert set(store.load_roster(draft)["agent_id"]) == {"a1"}
        assert [version.id for version in store.list_versions(scenario_id)] == [draft]


def test_an_agent_of_another_center_sees_nothing_of_this_one(store: Store, scenario_id: int):
    south = store.create_scenario(config(), name="south week", center="south")
    store.replace_agents(south, AGENTS)
    version = store.save_roster(scenario_id, roster("a1"), by="planner")
    store.publish(version, by="planner")
    bea = store.add_user("bea", PASSWORD, role="agent", center="south", agent_id="a1")
    with store.acting_as(bea), pytest.raises(NotAllowed):
        store.load_roster(version)


def test_only_a_scheduler_manages_users_but_anyone_changes_their_own_password(store: Store, scenario_id: int):
    manager, ann = add(store, "max", "manager"), add(store, "ann", "agent", agent_id="a1")
    for user in (manager, ann):
        with store.acting_as(user):
            with pytest.raises(NotAllowed, match="may not add or remove users or reset passwords"):
                store.set_password("ann", "taken over by someone")
            with pytest.raises(NotAllowed):
                store.add_user("eve", PASSWORD, role="scheduler")
            with pytest.raises(NotAllowed):
                store.remove_user("max")
    assert store.change_password("ann", PASSWORD, "ann's own new secret").username == "ann"
    assert store.audit_log().iloc[0][["actor", "action"]].tolist() == ["ann", "set_password"]
    with store.acting_as(add(store, "sam", "scheduler")):
        store.remove_user("ann")
    assert [user.username for user in store.list_users()] == ["max", "sam"]


def test_every_permission_names_known_roles():
    assert all(roles and roles <= {"scheduler", "manager", "agent"} for roles in PERMISSIONS.values())
    assert PERMISSIONS["publish"] == {"scheduler"}
    require(User(1, "sam", "scheduler", "north", None, False), "publish")
