"""A deferred queue's work as the queue-block pass counts it, in minutes of work: what arrives per
interval, what is due by each deadline (deadlines past the horizon's end moved to its end, so the pass
asks at least what the evaluation measures), and the contacts its service level lets miss their
response time. The pass's model and its starting point (`block_start`) both count with it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasts.backlog import deadline_intervals
from scheduler.engine.data import RosterData


@dataclass(frozen=True)
class DeferredDue:
    minutes_each: np.ndarray  # handle time of one contact, per interval (the queue's mean where none arrive)
    arrived: np.ndarray  # whole minutes of work arrived by the end of each interval
    due_at: np.ndarray  # minutes of work whose deadline falls in each interval
    due: np.ndarray  # whole minutes of work due by the end of each interval
    may_miss: float  # contacts that may miss their response time: (1 − service level) × every contact


def deferred_work(data: RosterData, queue: str) -> tuple[np.ndarray, np.ndarray]:
    """Minutes of work arriving per interval of the horizon, and the handle time (minutes) of one of
    its contacts (the queue's mean where none arrive)."""
    count, size = data.week.count, data.week.interval_minutes
    contacts, minutes = np.zeros(count), np.zeros(count)
    rows = data.scenario.requirements[data.scenario.requirements["queue"] == queue]
    for row in rows.itertuples(index=False):
        t = data.scenario.minutes(row.interval_start) // size
        if 0 <= t < count and not pd.isna(row.contacts) and row.contacts > 0 and not pd.isna(row.aht_seconds):
            contacts[t], minutes[t] = float(row.contacts), float(row.aht_seconds) / 60
    work = contacts * minutes
    mean = work.sum() / contacts.sum() if contacts.sum() > 0 else 1.0
    return work, np.where(minutes > 0, minutes, mean)


def deferred_due(data: RosterData, queue: str) -> DeferredDue:
    """The queue's work arrived and due by each interval, the backlog carried in counted as arrived and
    due with the first interval's contacts."""
    count = data.week.count
    work, minutes_each = deferred_work(data, queue)
    target = data.scenario.config.queues[queue]
    allowed = deadline_intervals(target.response_hours, data.week.interval_minutes)
    carried = data.scenario.config.demand.backlog.get(queue, 0.0)
    carried_work = carried * float(minutes_each.mean())
    due_at = np.zeros(count)
    due_at[min(allowed - 1, count - 1)] += carried_work
    np.add.at(due_at, np.minimum(np.arange(count) + allowed - 1, count - 1), work)
    contacts = float((work / minutes_each).sum()) + carried
    return DeferredDue(minutes_each, np.ceil(np.cumsum(work) + carried_work - 1e-9).astype(int), due_at,
                       np.ceil(np.cumsum(due_at) - 1e-9).astype(int), (1 - target.service_level) * contacts)


def first_in_first_out(due: DeferredDue, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whole minutes handled per interval with `capacity` minutes of agents on the queue (never more than
    has arrived), and the minutes of work missing their deadline in each deadline interval."""
    handled, late = np.zeros(len(capacity), dtype=int), np.zeros(len(capacity), dtype=int)
    handled_by = missed_by = 0
    for t, minutes in enumerate(capacity):
        handled[t] = min(int(minutes), int(due.arrived[t]) - handled_by)
        handled_by += handled[t]
        if due.due_at[t] > 0:
            late[t] = max(0, int(due.due[t]) - handled_by - missed_by)
            missed_by += late[t]
    return handled, late


def late_contacts(due: DeferredDue, late: np.ndarray) -> float:
    """Contacts of the late minutes per deadline interval."""
    return float((late / due.minutes_each).sum())
