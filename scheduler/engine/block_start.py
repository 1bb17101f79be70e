"""The queue-block pass's starting point: each shift on the queue it was planned for, then, for each
deferred queue (the shortest response time first), every contact about to miss its response time
given a chunk of an agent who is idle on a realtime queue then (that queue over-staffed in every
interval of the chunk), within the shift's switch limit. It never takes an agent a realtime queue
needs, so the solver starts from a roster at least as good on the phones, and better on deferred work."""

from __future__ import annotations

from collections import Counter

import numpy as np

from forecasts.backlog import deadline_intervals, fifo_backlog, open_intervals
from scheduler.engine.data import RosterData


def starting_queues(data: RosterData, flexible: list, counts: Counter) -> dict[tuple[int, int], str]:
    """Per (flexible shift, chunk), its queue to start from. `counts` are the coverage units of the shifts
    of one queue (and last week's) per (queue, interval); the flexible shifts' are added here."""
    chosen = {(i, j): flex.shift.queue for i, flex in enumerate(flexible) for j in range(len(flex.chunks))}
    counts = Counter(counts)
    for (i, j), queue in chosen.items():
        for t, units in flexible[i].chunks[j].counts:
            counts[queue, t] += units
    config = data.scenario.config
    for queue in sorted(config.deferred_queues, key=lambda name: config.queues[name].response_hours):
        give_idle_chunks(data, flexible, chosen, counts, queue)
    return chosen


def give_idle_chunks(data: RosterData, flexible: list, chosen: dict, counts: Counter, queue: str) -> None:
    """Move idle realtime chunks to the deferred `queue` while one of its contacts would be late."""
    from scheduler.engine.blocks import deferred_work  # one definition of the queue's work

    target = data.scenario.config.queues[queue]
    size, count = data.week.interval_minutes, data.week.count
    work, minutes_each = deferred_work(data, queue)
    allowed = deadline_intervals(target.response_hours, size)
    carried = data.scenario.config.demand.backlog.get(queue, 0.0)
    tried: set[tuple[int, int]] = set()
    hopeless: set[int] = set()  # arrival intervals no idle chunk can help
    while True:
        agents = np.array([counts[queue, t] for t in range(count)], dtype=float) / data.units
        backlog = fifo_backlog(work / minutes_each, minutes_each * 60, agents, size, target.response_hours,
                               carried_in=carried)
        late = [t for t in np.flatnonzero(backlog.on_time_share < 1 - 1e-9) if t not in hopeless]
        if not late:
            return
        first = int(late[0])
        pick = idle_chunk(data, flexible, chosen, counts, queue, first, min(first + allowed - 1, count - 1), tried)
        if pick is None:
            hopeless.add(first)
            continue
        tried.add(pick)
        move(flexible, chosen, counts, pick, queue)


def idle_chunk(data: RosterData, flexible: list, chosen: dict, counts: Counter, queue: str, first: int, last: int,
               tried: set) -> tuple[int, int] | None:
    """The earliest chunk inside [first, last] of a shift that may serve `queue`, on a realtime queue
    over-staffed through the chunk, whose move keeps the shift within its switches."""
    target = data.scenario.config.queues[queue]
    best = None
    for i, flex in enumerate(flexible):
        if queue not in flex.queues:
            continue
        for j, chunk in enumerate(flex.chunks):
            on = chosen[i, j]
            if (i, j) in tried or on == queue or not chunk.counts or data.scenario.config.queues[on].deferred:
                continue
            if not first <= chunk.counts[0][0] <= last:
                continue
            if not open_intervals(np.array(chunk.clocks), target.open_window()).all():
                continue
            if any(counts[on, t] - units < data.required.get((on, t), 0) for t, units in chunk.counts):
                continue
            if switches_after(flex, chosen, i, j, queue) > data.scenario.config.rules.max_queue_switches_per_shift:
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
