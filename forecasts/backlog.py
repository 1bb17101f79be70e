"""Deferred work (email, social, back office): the backlog a staffing leaves, first in first out.

Nobody waits on the line for a deferred contact; it must be answered within the queue's
`response_hours`. Given per interval the contacts arriving, their handle time and the agents on
the queue, agents answer the oldest contacts first, each taking its own handle time:

- capacity of interval t: agents(t) × interval minutes of work;
- handled(t): contacts answered in t (the oldest first; contacts arriving in t may be answered in t);
- backlog(t): contacts waiting at the end of t; oldest_age_hours(t): how long the oldest of them
  has waited, from the start of its arrival interval to the end of t (0 without a backlog);
- a contact arriving in interval t and answered in interval u took (u − t + 1) intervals: counted
  from the start of its arrival interval to the end of the interval that answered it, so it never
  reads shorter than it was. It is on time when that is at most `response_hours`.

The share answered on time is over the contacts that were due in the period (answered, or still
waiting past their deadline); contacts still waiting but not yet due are left out. The roster
engine, the evaluation and the app all use this module, so they agree on every figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_EPS = 1e-9


@dataclass(frozen=True)
class BacklogResult:
    """Per interval: `arrivals, handled, backlog, oldest_age_hours`, and `on_time_share` of the
    interval's arrivals (1 when none arrived); for the period: contacts `due`, `missed`, the share
    answered `on_time`, the mean and 90th-percentile response time of the answered contacts (hours)."""

    arrivals: np.ndarray
    handled: np.ndarray
    backlog: np.ndarray
    oldest_age_hours: np.ndarray
    on_time_share: np.ndarray
    due: float
    missed: float
    mean_response_hours: float
    p90_response_hours: float

    @property
    def on_time(self) -> float:
        """Share of the contacts due that were answered within the response time (1 when none was due)."""
        return 1.0 - self.missed / self.due if self.due > _EPS else 1.0


@dataclass
class _Cohort:
    arrived: int  # interval
    waiting: float  # contacts
    minutes: float  # handle time of one, in minutes


def deadline_intervals(response_hours: float, interval_minutes: int) -> int:
    """Intervals a contact may take, its arrival interval included, and still be on time."""
    return max(1, int(np.floor(response_hours * 60 / interval_minutes + _EPS)))


def fifo_backlog(
    arrivals: np.ndarray,
    aht_seconds: np.ndarray,
    agents: np.ndarray,
    interval_minutes: int,
    response_hours: float,
    carried_in: float = 0.0,
    cyclic: bool = False,
) -> BacklogResult:
    """The backlog of one deferred queue over the intervals given (see the module's definitions).

    `carried_in` contacts wait at the start (counted as arrived in the first interval, at the queue's
    mean handle time). `cyclic`: the period repeats (a week without last week's roster), so the
    period before it leaves its backlog, and the period after it answers what is left: the figures
    are those of the middle of three copies."""
    arrivals = np.clip(np.nan_to_num(np.asarray(arrivals, dtype=float)), 0.0, None)
    minutes = np.nan_to_num(np.asarray(aht_seconds, dtype=float)) / 60.0
    agents = np.clip(np.nan_to_num(np.asarray(agents, dtype=float)), 0.0, None)
    n = len(arrivals)
    mean_minutes = float((arrivals * minutes).sum() / arrivals.sum()) if arrivals.sum() > _EPS else 1.0
    minutes = np.where(minutes > 0, minutes, mean_minutes)
    copies = 3 if cyclic else 1
    flow = _Flow(np.tile(arrivals, copies), np.tile(minutes, copies), np.tile(agents, copies) * interval_minutes,
                 deadline_intervals(response_hours, interval_minutes))
    if carried_in > 0 and not cyclic:
        flow.queue.append(_Cohort(0, float(carried_in), mean_minutes))
        flow.carried = float(carried_in)
    flow.run()
    first = n if cyclic else 0
    return flow.result(first, first + n, interval_minutes)


class _Flow:
    """The FIFO pass over the intervals, keeping per arrival interval what was answered when."""

    def __init__(self, arrivals: np.ndarray, minutes: np.ndarray, capacity: np.ndarray, allowed: int):
        self.arrivals, self.minutes, self.capacity, self.allowed = arrivals, minutes, capacity, allowed
        count = len(arrivals)
        self.handled = np.zeros(count)
        self.backlog = np.zeros(count)
        self.oldest = np.full(count, -1)
        self.queue: list[_Cohort] = []
        self.carried = 0.0
        # per arrival interval (−1: carried in): list of (answered interval, contacts)
        self.answers: dict[int, list[tuple[int, float]]] = {}

    def run(self) -> None:
        for t in range(len(self.arrivals)):
            if self.arrivals[t] > _EPS:
                self.queue.append(_Cohort(t, float(self.arrivals[t]), float(self.minutes[t])))
            self._serve(t)
            self.backlog[t] = sum(cohort.waiting for cohort in self.queue)
            self.oldest[t] = self.queue[0].arrived if self.queue else -1

    def _serve(self, t: int) -> None:
        left = float(self.capacity[t])
        while self.queue and left > _EPS:
            cohort = self.queue[0]
            answered = min(cohort.waiting, left / cohort.minutes)
            cohort.waiting -= answered
            left -= answered * cohort.minutes
            self.handled[t] += answered
            self.answers.setdefault(cohort.arrived, []).append((t, answered))
            if cohort.waiting <= _EPS:
                self.queue.pop(0)

    def result(self, first: int, end: int, interval_minutes: int) -> BacklogResult:
        hours = interval_minutes / 60
        times, weights = [], []
        due = missed = 0.0
        on_time_share = np.ones(end - first)
        waiting: dict[int, float] = {}
        for cohort in self.queue:
            waiting[cohort.arrived] = waiting.get(cohort.arrived, 0.0) + cohort.waiting
        for arrived in range(first, end):
            total = float(self.arrivals[arrived]) + (self.carried if arrived == first else 0.0)
            if total <= _EPS:
                continue
            late = 0.0
            for answered_in, contacts in self.answers.get(arrived, []):
                took = answered_in - arrived + 1
                times.append(took * hours)
                weights.append(contacts)
                late += contacts if took > self.allowed else 0.0
            overdue = arrived + self.allowed <= len(self.arrivals)  # its last interval was run
            left = waiting.get(arrived, 0.0)
            late += left if overdue else 0.0
            if overdue and left > _EPS:  # still waiting: its wait so far, a lower bound on its response time
                times.append((len(self.arrivals) - arrived) * hours)
                weights.append(left)
            counted = total - (0.0 if overdue else left)
            due += counted
            missed += late
            on_time_share[arrived - first] = 1.0 - late / counted if counted > _EPS else 1.0
        oldest = self.oldest[first:end]
        age = np.where(oldest >= 0, (np.arange(first, end) - oldest + 1) * hours, 0.0)
        return BacklogResult(
            arrivals=self.arrivals[first:end].copy(),
            handled=self.handled[first:end].copy(),
            backlog=self.backlog[first:end].copy(),
            oldest_age_hours=age,
            on_time_share=on_time_share,
            due=due,
            missed=missed,
            mean_response_hours=float(np.average(times, weights=weights)) if sum(weights) > _EPS else 0.0,
            p90_response_hours=weighted_quantile(np.array(times), np.array(weights), 0.9),
        )


def weighted_quantile(values: np.ndarray, weights: np.ndarray, share: float) -> float:
    """The smallest value with at least `share` of the weight at or below it (0 without weight)."""
    if weights.sum() <= _EPS:
        return 0.0
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, share * cumulative[-1] - _EPS)])


def open_intervals(clock_minutes: np.ndarray, window: tuple[int, int] | None) -> np.ndarray:
    """Which intervals (by their start, minutes after midnight) fall in a queue's open hours
    (`QueueTarget.open_window`; None: always open; an end at or before the start wraps midnight)."""
    clock = np.asarray(clock_minutes) % 1440
    if window is None:
        return np.ones(len(clock), dtype=bool)
    start, end = window
    return (clock >= start) & (clock < end) if start < end else (clock >= start) | (clock < end)


def just_in_time_agents(work_agents: np.ndarray, is_open: np.ndarray) -> np.ndarray:
    """Whole agents per interval that do the work as it arrives (work arriving while the queue is closed
    at the next opening), rounded up over the running total rather than interval by interval, so a
    trickle of contacts asks for one agent now and then, not in every interval."""
    done = np.zeros(len(work_agents), dtype=int)
    running = np.cumsum(np.nan_to_num(np.asarray(work_agents, dtype=float)))
    previous = 0
    for t, total in enumerate(running):
        if is_open[t]:
            previous = max(previous, int(np.ceil(total - 1e-9)))
        done[t] = previous
    return np.diff(done, prepend=0)


def presence_intervals(arrivals: np.ndarray, staffed: np.ndarray, is_open: np.ndarray, allowed: int,
                       cyclic: bool = False) -> np.ndarray:
    """Where one agent must be on the queue, besides the `staffed` intervals, so that every contact has
    someone on the queue inside its response window (its arrival interval and the `allowed` − 1 after
    it, those open): a trickle of contacts, whose work alone asks an agent now and then, needs someone
    present in every window all the same. The fewest such intervals: each window not yet reached gets
    its last open interval (`cyclic`: windows running past the end continue at the start)."""
    count = len(arrivals)
    present = np.asarray(staffed, dtype=bool).copy()
    marks = np.zeros(count, dtype=bool)
    for t in np.flatnonzero(np.asarray(arrivals, dtype=float) > _EPS):
        window = np.arange(t, t + allowed)
        window = window % count if cyclic else window[window < count]
        if present[window].any():
            continue
        reachable = window[is_open[window]]
        if len(reachable):
            marks[reachable[-1]] = present[reachable[-1]] = True
    return marks


def spread_over_windows(work: np.ndarray, is_open: np.ndarray, allowed: int, cyclic: bool = False) -> np.ndarray:
    """Each interval's work spread evenly over the open intervals of its response window (its arrival
    interval and the `allowed` − 1 after it; `cyclic`: windows running past the end continue at the
    start): any moment in the window serves, and an even spread does not pile the work up at the hours
    it arrives, which are the phones' peaks too. Work whose window is closed throughout stays where it
    arrived (to be done at the next opening)."""
    work = np.nan_to_num(np.asarray(work, dtype=float))
    count = len(work)
    spread = np.zeros(count)
    for t in np.flatnonzero(work > _EPS):
        window = np.arange(t, t + allowed)
        window = window % count if cyclic else window[window < count]
        reachable = window[is_open[window]]
        if len(reachable):
            np.add.at(spread, reachable, work[t] / len(reachable))
        else:
            spread[t] += work[t]
    return spread
