"""The queue-block pass's starting point: each shift on the queue it was planned for, then, for each
deferred queue (the shortest response time first), every contact about to miss its response time
given a chunk of an agent who is idle on a realtime queue then (that queue over-staffed in every
interval of the chunk), within the shift's switch limit. If the queue still misses its service level
(the shift stages left its work unplanned), chunks of its skilled agents are taken from realtime
queues where that costs least, until it meets it or no chunk is left that can help."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Callable

import numpy as np

from forecasts.backlog import deadline_intervals, open_intervals
from scheduler.engine.data import RosterData
from scheduler.engine.deferred import DeferredDue, deferred_due, first_in_first_out, meets_target
from scheduler.engine.result import short_by_tier


def starting_queues(data: RosterData, flexible: list, counts: Counter) -> dict[tuple[int, int], str]:
    """Per (flexible shift, chunk), its queue to start from. `counts` are the coverage units of the shifts
    of one queue (and last week's) per (queue, interval); the flexible shifts' are added here."""
    chosen = {(i, j): planned_queue(data, flex, chunk) for i, flex in enumerate(flexible)
              for j, chunk in enumerate(flex.chunks)}
    counts = Counter(counts)
    for (i, j), queue in chosen.items():
        for t, units in flexible[i].chunks[j].counts:
            counts[queue, t] += units
    config = data.scenario.config
    for queue in sorted(config.deferred_queues, key=lambda name: config.queues[name].response_hours):
        due = deferred_due(data, queue)
        give_idle_chunks(data, flexible, chosen, counts, queue, due)
        meet_service_level(data, flexible, chosen, counts, queue, due)
    return chosen


def planned_queue(data: RosterData, flex, chunk) -> str:
    """The chunk's queue as planned: its shift's, unless that is a deferred queue closed in the chunk (a
    shift planned for it may start before it opens); then the first of the shift's queues open in it."""
    queues = data.scenario.config.queues
    open_in_chunk = [queue for queue in (flex.shift.queue, *flex.queues) if not queues[queue].deferred
                     or open_intervals(np.array(chunk.clocks), queues[queue].open_window()).all()]
    return open_in_chunk[0] if open_in_chunk else flex.shift.queue


def give_idle_chunks(data: RosterData, flexible: list, chosen: dict, counts: Counter, queue: str,
                     due: DeferredDue) -> None:
    """Move idle realtime chunks to the deferred `queue` while one of its contacts would be late."""
    def choose(window: np.ndarray, candidates: list) -> tuple[int, int] | None:
        return idle_chunk(data, flexible, chosen, counts, queue, window, candidates)

    move_while_late(data, flexible, chosen, counts, queue, due, choose, lambda due, handled, late: not late.any())


def meet_service_level(data: RosterData, flexible: list, chosen: dict, counts: Counter, queue: str,
                       due: DeferredDue) -> None:
    """Move realtime chunks to the deferred `queue`, the cheapest first, while it misses its service level
    (as the queue-block pass counts it, `engine.deferred`)."""
    def choose(window: np.ndarray, candidates: list) -> tuple[int, int] | None:
        return cheapest_chunk(data, flexible, chosen, counts, queue, window, candidates)

    move_while_late(data, flexible, chosen, counts, queue, due, choose, meets_target)


def move_while_late(data: RosterData, flexible: list, chosen: dict, counts: Counter, queue: str, due: DeferredDue,
                    choose: Callable, enough: Callable) -> None:
    """Until `enough(due, handled, late)` (`engine.deferred`'s figures of the queue, first in first out),
    move to the deferred `queue` the chunk `choose(window, candidates)` picks for the earliest late work
    some chunk can help: `window` marks the intervals where that work waits, `candidates` the chunks of
    shifts that may serve the queue working in them."""
    allowed = deadline_intervals(data.scenario.config.queues[queue].response_hours, data.week.interval_minutes)
    hopeless: set[int] = set()  # deadline intervals no chunk can help
    chunks_at = defaultdict(list)  # per interval, the chunks that may serve the queue working in it
    for i, flex in enumerate(flexible):
        if queue in flex.queues:
            for j, chunk in enumerate(flex.chunks):
                for t, _ in chunk.counts:
                    chunks_at[t].append((i, j))
    while True:
        capacity = np.array([counts[queue, t] for t in range(data.week.count)]) * data.unit_minutes
        handled, late = first_in_first_out(due, capacity)
        if enough(due, handled, late):
            return
        missed = [int(t) for t in np.flatnonzero(late) if t not in hopeless]
        if not missed:
            return
        window = np.zeros(data.week.count, dtype=bool)
        window[max(0, missed[0] - allowed + 1):missed[0] + 1] = True  # where the work late at missed[0] waits
        window &= due.arrived - np.cumsum(handled) > 0  # and more agents would answer more
        pick = choose(window, sorted({pick for t in np.flatnonzero(window) for pick in chunks_at[t]}))
        if pick is None:
            hopeless.add(missed[0])
        else:
            move(flexible, chosen, counts, pick, queue)


def cheapest_chunk(data: RosterData, flexible: list, chosen: dict, counts: Counter, queue: str,
                   window: np.ndarray, candidates: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Of the candidate chunks that may move to `queue` (`movable`), the one whose move costs its realtime
    queue least per unit it gives the `window`'s intervals."""
    best, best_price = None, 0.0
    for i, j in candidates:
        if not movable(data, flexible, chosen, queue, window, i, j):
            continue
        chunk, on = flexible[i].chunks[j], chosen[i, j]
        useful = sum(units for t, units in chunk.counts if t < len(window) and window[t])
        price = sum(realtime_cost(data, on, t, counts[on, t] - units) - realtime_cost(data, on, t, counts[on, t])
                    for t, units in chunk.counts) / useful
        if best is None or price < best_price:
            best, best_price = (i, j), price
    return best


def movable(data: RosterData, flexible: list, chosen: dict, queue: str, window: np.ndarray, i: int, j: int) -> bool:
    """Whether chunk j of flexible shift i may move to the deferred `queue` and help there: it is on a
    realtime queue, works in one of the `window`'s intervals, the queue is open through it, and the
    shift stays within its switches."""
    config = data.scenario.config
    chunk = flexible[i].chunks[j]
    return (not config.queues[chosen[i, j]].deferred
            and any(t < len(window) and window[t] for t, _ in chunk.counts)
            and open_intervals(np.array(chunk.clocks), config.queues[queue].open_window()).all()
            and switches_after(flexible[i], chosen, i, j, queue) <= config.rules.max_queue_switches_per_shift)


def realtime_cost(data: RosterData, queue: str, t: int, units: int) -> int:
    """Scaled cost of short and over staffing of a realtime queue in an interval with `units` on it."""
    gap = data.required.get((queue, t), 0) - units
    if gap <= 0:
        return -gap * data.over_cost
    return sum(taken * step.cost for taken, step in short_by_tier(data, (queue, t), gap))


def idle_chunk(data: RosterData, flexible: list, chosen: dict, counts: Counter, queue: str, window: np.ndarray,
               candidates: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Of the candidate chunks that may move to `queue` (`movable`), the earliest whose realtime queue is
    over-staffed through it."""
    best = None
    for i, j in candidates:
        chunk, on = flexible[i].chunks[j], chosen[i, j]
        if not movable(data, flexible, chosen, queue, window, i, j):
            continue
        if any(counts[on, t] - units < data.required.get((on, t), 0) for t, units in chunk.counts):
            continue
        if best is None or chunk.counts[0][0] < best[0]:
            best = (chunk.counts[0][0], i, j)
    return None if best is None else (best[1], best[2])


def switches_after(flex, chosen: dict, i: int, j: int, queue: str) -> int:
    queues = [queue if k == j else chosen[i, k] for k in range(len(flex.chunks))]
    return sum(a != b for a, b in zip(queues, queues[1:]))


def move(flexible: list, chosen: dict, counts: Counter, pick: tuple[int, int], queue: str) -> None:
    i, j = pick
    for t, units in flexible[i].chunks[j].counts:
        counts[chosen[i, j], t] -= units
        counts[queue, t] += units
    chosen[i, j] = queue
