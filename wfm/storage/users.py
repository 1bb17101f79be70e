"""Users and their sessions in the store's database (the rules themselves live in `wfm.auth`).

Functions here take an open SQLAlchemy session; `Store` wraps each in a unit of work and writes the
audit row in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tabular import InputError, Problem
from wfm import auth
from wfm.auth import LoginRefused, SessionPolicy, User
from wfm.storage.schema import AgentRecord, CenterRecord, ScenarioRecord, SessionRecord, UserRecord

EXPIRED = "Your session has expired: please log in again."
NOT_LOGGED_IN = "You are not logged in (or were logged out): please log in."
LAST_SEEN_EVERY = dt.timedelta(minutes=1)  # how often a session's activity is written: not on every page view


def user(record: UserRecord) -> User:
    return User(id=record.id, username=record.username, role=record.role, center=record.center.name,
                agent_id=record.agent_id, must_change_password=record.must_change_password)


def username(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InputError(Problem("is empty; choose a username", column="username"))
    if len(name.strip()) > 100 or any(character.isspace() for character in name.strip()):
        raise InputError(Problem(f"{name!r} is not a username: use up to 100 characters without spaces",
                                 column="username"))
    return name.strip()


def user_record(session: Session, name: str, *, active: bool = True) -> UserRecord | None:
    """The active (or removed) user of that name."""
    return session.scalar(select(UserRecord).where(UserRecord.username == name, UserRecord.active.is_(active)))


def existing_user(session: Session, name: str) -> UserRecord:
    record = user_record(session, name)
    if record is None:
        raise InputError(Problem(f"there is no user {name!r}", column="username"))
    return record


def check_role(role: str, agent_id: str | None, center: CenterRecord, session: Session) -> str | None:
    """The agent id to store: required for an agent user, and one of the center's agents; None otherwise."""
    if role not in auth.ROLES:
        raise InputError(Problem(f"{role!r} is not a role: choose {', '.join(auth.ROLES)}", column="role"))
    if role != "agent":
        if agent_id:
            raise InputError(Problem(f"only an agent user is linked to an agent, not a {role}", column="agent_id"))
        return None
    if not agent_id or not agent_id.strip():
        raise InputError(Problem("is empty: an agent user must name their agent_id", column="agent_id"))
    known = session.scalar(select(AgentRecord.id).join(ScenarioRecord).where(
        ScenarioRecord.center_id == center.id, AgentRecord.agent_id == agent_id.strip()).limit(1))
    if known is None:
        raise InputError(Problem(f"{agent_id.strip()!r} is not an agent of center {center.name!r}", column="agent_id"))
    return agent_id.strip()


def close_sessions(session: Session, user_id: int) -> None:
    session.execute(delete(SessionRecord).where(SessionRecord.user_id == user_id))


def open_session(session: Session, user_id: int, policy: SessionPolicy, now: dt.datetime) -> str:
    """A new session's token (the database keeps only its digest); sessions expired by now are deleted."""
    session.execute(delete(SessionRecord).where(
        (SessionRecord.expires_at <= now) | (SessionRecord.last_seen_at <= now - policy.idle)))
    token = auth.new_session_token()
    session.add(SessionRecord(token_digest=auth.token_digest(token), user_id=user_id, created_at=now,
                              expires_at=now + policy.absolute, last_seen_at=now))
    return token


def live_session(session: Session, token: str, policy: SessionPolicy, now: dt.datetime) -> SessionRecord:
    """The session of a token, unless it is unknown, closed, expired or its user removed."""
    record = session.scalar(select(SessionRecord).where(
        SessionRecord.token_digest == auth.token_digest(token if isinstance(token, str) else "")))
    if record is None or not record.user.active:
        raise LoginRefused(NOT_LOGGED_IN)
    if now >= record.expires_at or now - record.last_seen_at >= policy.idle:
        raise LoginRefused(EXPIRED)
    return record
