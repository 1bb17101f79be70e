"""The audit trail: who generated, edited and published rosters, changed rules, agents, time off,
demand tables and users, and when. Each row is added in the transaction of the change it records,
so a failed write leaves no row. Passwords never reach it (only that one was changed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from wfm.storage.schema import AuditRecord, utcnow

AUDIT_COLUMNS = ["at", "actor", "action", "center", "object", "details"]


def record(session: Session, action: str, what: str, *, actor: str | None, center: str | None,
           **details: Any) -> None:
    session.add(AuditRecord(at=utcnow(), actor=actor, action=action, center=center, object=what, details=details))


def log(session: Session, center: str | None, since: dt.datetime | None, limit: int) -> pd.DataFrame:
    """The newest `limit` rows, newest first (times naive UTC)."""
    query = select(*(getattr(AuditRecord, column) for column in AUDIT_COLUMNS)).order_by(AuditRecord.id.desc())
    if center is not None:
        query = query.where(AuditRecord.center == center)
    if since is not None:
        query = query.where(AuditRecord.at >= since)
    table = pd.DataFrame(session.execute(query.limit(limit)).all(), columns=AUDIT_COLUMNS)
    return table.astype({"at": "datetime64[ns]"})
