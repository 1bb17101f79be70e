"""A newcomer's first start: demo logins for the sample center, so the app opens on a login page one
can pass. Each gets a random one-time password, returned once for the app or command line to show,
and must choose their own at first login."""

from __future__ import annotations

from dataclasses import dataclass

from tabular import InputError, Problem
from wfm.auth import one_time_password
from wfm.storage import Store

DEMO_ROLES = ("scheduler", "manager", "agent")


@dataclass(frozen=True)
class OneTimeLogin:
    username: str
    role: str
    agent_id: str | None
    password: str  # shown once; the store keeps only its hash


def demo_users(store: Store, center: str) -> list[OneTimeLogin]:
    """A scheduler, a manager and an agent (the first agent of the center's first scenario) named after
    their role, when the store has no user yet; none otherwise, since a second start must not reset
    anyone's password. All three or none are added."""
    if store.list_users():
        return []
    agent_id = first_agent(store, center)
    logins = [OneTimeLogin(role, role, agent_id if role == "agent" else None, one_time_password())
              for role in DEMO_ROLES]
    with store.transaction():
        for login in logins:
            store.add_user(login.username, login.password, role=login.role, center=center, agent_id=login.agent_id,
                           must_change_password=True)
    return logins


def first_agent(store: Store, center: str) -> str:
    for scenario in store.list_scenarios(center):
        agents = store.load_agents(scenario.id)
        if agents:
            return agents[0].agent_id
    raise InputError(Problem(f"center {center!r} has no agent yet: import the sample center first", column="center"))
