"""Who may do what: users' roles, the permission table, password hashing and session tokens.

The store enforces the same table as the app's menus (`require`), so a page that forgets a check
still cannot publish for a manager. Passwords are kept only as Argon2id hashes (argon2-cffi) and
session tokens only as SHA-256 digests: neither is ever written or logged in clear.

This module holds no database code; `wfm.storage` keeps the users, sessions and audit trail.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tabular import InputError, Problem

ROLES = ("scheduler", "manager", "agent")
PLANNERS = frozenset({"scheduler", "manager"})

# What each role may do. Only a scheduler builds and publishes rosters; a manager changes the rules,
# agents, time off and demand and sees everything; an agent sees only their own published shifts.
PERMISSIONS: dict[str, frozenset[str]] = {
    "generate": frozenset({"scheduler"}),  # save a new roster version (generated or imported)
    "edit_roster": frozenset({"scheduler"}),
    "publish": frozenset({"scheduler"}),
    "edit_rules": PLANNERS,  # scenarios and their configuration (queues, rules, week)
    "edit_agents": PLANNERS,  # agents and their time off
    "edit_demand": PLANNERS,  # history, forecast, requirements and last week's roster
    "see_planning": PLANNERS,  # agents, time off, demand tables, roster summaries
    "see_all_shifts": PLANNERS,  # every agent's shifts, drafts included (an agent: own published shifts)
    "see_audit": PLANNERS,
    "manage_users": frozenset({"scheduler"}),  # add and remove users, reset passwords (also `wfm user`)
}

MIN_PASSWORD_LENGTH = 10
WRONG_LOGIN = "Wrong username or password."  # the same for an unknown user: it tells nothing about who exists

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters


class NotAllowed(InputError):
    """The user's role may not do this; nothing was changed."""

    def __init__(self, user: User, action: str):
        super().__init__(Problem(f"{user.username} is {with_article(user.role)} and may not {ACTION_WORDS[action]}; "
                                 f"only {' or '.join(with_article(role) for role in sorted(PERMISSIONS[action]))} may."))


def with_article(role: str) -> str:
    return f"{'an' if role[0] in 'aeiou' else 'a'} {role}"


class LoginRefused(InputError):
    """A wrong password, an unknown or removed user, or a session that expired or was closed."""

    def __init__(self, message: str):
        super().__init__(Problem(message))


ACTION_WORDS = {
    "generate": "save a new roster",
    "edit_roster": "edit a roster",
    "publish": "publish a roster",
    "edit_rules": "change a scenario's rules",
    "edit_agents": "change agents or time off",
    "edit_demand": "change demand tables",
    "see_planning": "see the planning tables",
    "see_all_shifts": "see other agents' shifts or drafts",
    "see_audit": "see the audit trail",
    "manage_users": "add or remove users or reset passwords",
}


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str  # scheduler, manager or agent
    center: str
    agent_id: str | None  # the agent an agent user is, in `center`; None for the other roles
    must_change_password: bool  # a one-time password: the login page asks for a new one first


@dataclass(frozen=True)
class SessionPolicy:
    """How long a login lasts: `idle` without a request, and `absolute` at most since it was opened."""

    idle: dt.timedelta = dt.timedelta(hours=8)
    absolute: dt.timedelta = dt.timedelta(days=7)


def allowed(user: User, action: str) -> bool:
    return user.role in PERMISSIONS[action]


def require(user: User, action: str) -> None:
    """Raise NotAllowed unless the user's role may do `action` (a key of PERMISSIONS)."""
    if not allowed(user, action):
        raise NotAllowed(user, action)


def hash_password(password: str) -> str:
    """An Argon2id hash of a password strong enough (see `password_problem`)."""
    problem = password_problem(password)
    if problem:
        raise InputError(Problem(problem, column="password"))
    return _hasher.hash(password)


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        return f"is too short: choose at least {MIN_PASSWORD_LENGTH} characters"
    if not password.strip():
        return "is only spaces: choose a real password"
    return None


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether the password matches the hash (the library compares in constant time)."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """A hash made with weaker parameters than today's, to be replaced at the next successful login."""
    return _hasher.check_needs_rehash(stored_hash)


def hash_for_wrong_user() -> None:
    """Spend the time of a verification when the user is unknown, so that timing does not tell."""
    verify_password(dummy_hash(), "not the password")


@functools.cache
def dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a session token: a stolen database yields no usable session."""
    return hashlib.sha256(token.encode()).hexdigest()


def one_time_password() -> str:
    """A random password to hand over once (about 96 bits)."""
    return secrets.token_urlsafe(12)
