"""A deferred queue's work as the queue-block pass counts it, in minutes of work: what arrives per
interval, what is due by each deadline, and the contacts its service level lets miss their response
time. The pass's model and its starting point (`block_start`) both count with it.

A week that follows a known one starts from the backlog given (`demand.backlog`, or none), and the
deadlines past its end are moved to its end, so the pass asks at least what the evaluation measures. A
repeating week (`wraps`) is counted as the evaluation counts it, between two like it: the work arriving
too late for its deadline to fall inside the week is carried into its start, all of it (what the week
answers of it before its end only helps), due at its deadline in the next week, first in line; and
every contact due inside the week must be answered by its end, or it would wait at the next week's
start too (`meets_target`).
"""

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
    wraps: bool  # the week repeats (no backlog given at its start)
    # The work in first-in-first-out order, in pieces of one arrival interval each: minutes, the interval
    # of their deadline (−1: due next week), and the minutes of one of their contacts.
    pieces: tuple[np.ndarray, np.ndarray, np.ndarray]


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
    """The queue's work arrived and due by each interval, the backlog carried in first (see the module's
    doc)."""
    count = data.week.count
    work, minutes_each = deferred_work(data, queue)
    target = data.scenario.config.queues[queue]
    allowed = deadline_intervals(target.response_hours, data.week.interval_minutes)
    carried = data.scenario.config.demand.backlog.get(queue, 0.0)
    wraps = data.scenario.cyclic and queue not in data.scenario.config.demand.backlog
    deadline = np.arange(count) + allowed - 1
    if wraps:  # the work due past the end comes first, due next week's copy of its deadline
        past_end = deadline >= count
        pieces = (np.concatenate([work[past_end], work]),
                  np.concatenate([np.minimum(deadline[past_end] - count, count - 1), np.where(past_end, -1, deadline)]),
                  np.concatenate([minutes_each[past_end], minutes_each]))
        carried_work = float(work[past_end].sum())
    else:
        carried_work = carried * float(minutes_each.mean())
        pieces = (np.concatenate([[carried_work], work]),
                  np.minimum(np.concatenate([[allowed - 1], deadline]), count - 1),
                  np.concatenate([[float(minutes_each.mean())], minutes_each]))
    is_due = pieces[1] >= 0
    due_at = np.bincount(pieces[1][is_due], weights=pieces[0][is_due], minlength=count)
    contacts = float((work / minutes_each).sum()) + carried
    return DeferredDue(minutes_each, np.ceil(np.cumsum(work) + carried_work - 1e-9).astype(int), due_at,
                       np.ceil(np.cumsum(due_at) - 1e-9).astype(int), (1 - target.service_level) * contacts, wraps,
                       pieces)


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


def meets_target(due: DeferredDue, handled: np.ndarray, late: np.ndarray) -> bool:
    """Whether `first_in_first_out`'s handling (and `late`) keeps the queue at its service level, each
    contact answered in turn (`fifo_late_contacts`), and, in a repeating week, answers by its end all the
    work due in it."""
    if due.wraps and handled.sum() < due.due[-1]:
        return False
    return not late.any() or fifo_late_contacts(due, handled) <= due.may_miss


def fifo_late_contacts(due: DeferredDue, handled: np.ndarray) -> float:
    """Contacts answered after their deadline when the minutes `handled` per interval answer them first in
    first out. (The pass's model counts late work as if the late contacts could wait while later ones are
    answered; in turn, a late contact also delays those behind it.)"""
    work, deadline, minutes = due.pieces
    ends = np.cumsum(work)
    is_due = deadline >= 0
    done = np.cumsum(handled)[deadline[is_due]]  # minutes answered by each piece's deadline
    late = np.clip(ends[is_due] - np.maximum(ends[is_due] - work[is_due], done), 0, work[is_due])
    return float((late / minutes[is_due]).sum())
