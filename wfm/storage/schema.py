"""The database tables (SQLAlchemy 2.0 ORM).

These classes are the source of truth for the Alembic migrations in `migrations/versions/`:
change a table here, then add a revision (a test compares the two).

Audit stamps (`created_at`, `published_at`, ...) are naive UTC, because SQLite keeps no time zone.
Roster and time-off times are the center's wall clock, naive, as in the rest of the scheduler.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Index, MetaData, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from wfm.auth import ROLES

# Named constraints let later migrations drop or alter them (SQLite's batch mode needs the names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TABLE_KINDS = ("history", "forecast", "requirements", "previous_roster")
ROSTER_STATUSES = ("draft", "published")
ACTIVITIES = ("work", "break", "lunch")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CenterRecord(Base):
    """A contact center: owns its histories and scenarios."""

    __tablename__ = "centers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ScenarioRecord(Base):
    """One planning week of a center: the validated `ScenarioConfig` as JSON."""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    week_start: Mapped[dt.date] = mapped_column(Date)  # copied from the config so it can be queried
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    center: Mapped[CenterRecord] = relationship()


class AgentRecord(Base):
    """One `scheduler.scenario.Agent` of a scenario; `position` keeps the order they were given in."""

    __tablename__ = "agents"
    __table_args__ = (UniqueConstraint("scenario_id", "agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    position: Mapped[int]
    agent_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    skills: Mapped[list[str]] = mapped_column(JSON)
    min_hours: Mapped[float]
    max_hours: Mapped[float]
    max_days: Mapped[int | None]
    night_ok: Mapped[bool]
    earliest_start: Mapped[dt.time | None] = mapped_column(Time)
    latest_end: Mapped[dt.time | None] = mapped_column(Time)
    preferred: Mapped[str | None] = mapped_column(String(20))


class TimeOffRecord(Base):
    """One `scheduler.scenario.TimeOff` of a scenario."""

    __tablename__ = "time_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    agent_id: Mapped[str] = mapped_column(String(100))
    start: Mapped[dt.datetime] = mapped_column(DateTime)
    end: Mapped[dt.datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text, default="")


class StoredTableRecord(Base):
    """A stored table (history, forecast, requirements, previous roster) as a CSV blob with its metadata.

    A history belongs to a center; the other kinds also name their scenario. Saving never overwrites:
    each save is a new row and loading takes the newest."""

    __tablename__ = "stored_tables"
    __table_args__ = (
        CheckConstraint(one_of("kind", TABLE_KINDS), name="kind"),
        Index(None, "center_id", "kind", "name"),
        Index(None, "scenario_id", "kind", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"))
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by: Mapped[str | None] = mapped_column(String(200))
    interval_minutes: Mapped[int | None]
    row_count: Mapped[int]
    csv: Mapped[str] = mapped_column(Text)


class RosterVersionRecord(Base):
    """One version of a week's roster. Published versions are frozen; edits make a new draft child."""

    __tablename__ = "roster_versions"
    __table_args__ = (
        UniqueConstraint("scenario_id", "week_start", "number"),
        CheckConstraint(one_of("status", ROSTER_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    week_start: Mapped[dt.date] = mapped_column(Date)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    published_by: Mapped[str | None] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("roster_versions.id", ondelete="SET NULL"))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


class RosterRowRecord(Base):
    """One segment of the roster table (`agent_id, name, queue, activity, start, end`)."""

    __tablename__ = "roster_rows"
    __table_args__ = (CheckConstraint(one_of("activity", ACTIVITIES), name="activity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("roster_versions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    agent_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    queue: Mapped[str] = mapped_column(String(100))
    activity: Mapped[str] = mapped_column(String(20))
    start: Mapped[dt.datetime] = mapped_column(DateTime)
    end: Mapped[dt.datetime] = mapped_column(DateTime)


class DemandOverrideRecord(Base):
    """A planner's scaling of a queue's forecast over a time range of a week (`forecasts.overrides`)."""

    __tablename__ = "demand_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    queue: Mapped[str] = mapped_column(String(100))
    start: Mapped[dt.datetime] = mapped_column(DateTime)
    end: Mapped[dt.datetime] = mapped_column(DateTime)
    factor: Mapped[float]
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))


class RosterSeenRecord(Base):
    """The published version of a week a user last saw (My shifts marks what changed since)."""

    __tablename__ = "roster_seen"
    __table_args__ = (UniqueConstraint("user_id", "scenario_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("roster_versions.id", ondelete="CASCADE"))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class UserRecord(Base):
    """Someone who logs in. A removed user is kept inactive (the audit trail names them), never deleted."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(one_of("role", ROLES), name="role"),
        CheckConstraint("(role = 'agent') = (agent_id IS NOT NULL)", name="agent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"))
    agent_id: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2id, never the password
    must_change_password: Mapped[bool]
    active: Mapped[bool]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    center: Mapped[CenterRecord] = relationship()


class SessionRecord(Base):
    """A login. The token is known only to the browser; the database keeps its SHA-256 digest."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)  # the absolute end, whatever the activity
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[UserRecord] = relationship()


class AuditRecord(Base):
    """Who changed what, when: written in the same transaction as the change, so one exists without the other
    never. Names are copied (not linked) so that the trail outlives renamed or removed things."""

    __tablename__ = "audit"
    __table_args__ = (Index(None, "center", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(String(200))  # None: a write made without a logged-in user
    action: Mapped[str] = mapped_column(String(50))
    center: Mapped[str | None] = mapped_column(String(200))
    object: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
