"""Stage 4, queue blocks: with every shift and break fixed, which queue each agent works in each part of
its shift (CP-SAT). Runs when the scenario has deferred queues (email, social, back office).

An agent skilled for several queues that its shift's templates serve may switch queue inside the shift
(voice 08:00–12:00, email 12:00–16:30): a new block starts at an interval boundary where the agent is
on work, lasts at least `rules.min_queue_block_minutes` (up to where the next block starts, or the
shift's end) and a shift switches at most `rules.max_queue_switches_per_shift` times. A deferred
queue is only worked inside its `open_hours`.

- Realtime queues: scheduled + short − over = required per interval, short in the priced tiers of
  `engine.pricing`, as the other stages count it.
- Deferred queues (`forecasts.backlog`'s definitions, in whole minutes of work): handled(t) ≤ the
  minutes its agents give it in t; what is handled by t never exceeds what has arrived by t (work
  cannot be done before it arrives); and by every deadline, the work due by then minus the work
  handled by then is work whose contacts miss their response time (priced per contact and per hour
  of work). Deadlines past the horizon's end are moved to its end, so the model asks at least what
  the evaluation measures. A roster meeting every deadline here meets them under FIFO too: first in,
  first out answers at least as much by every moment as any other order.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from forecasts.backlog import deadline_intervals, open_intervals
from scheduler.costs import COST_SCALE
from scheduler.engine.data import RosterData
from scheduler.engine.run import Run
from scheduler.roster import ROSTER_COLUMNS, RosterShift, shifts_from_roster
from scheduler.shifts import enumerate_shift_types

BLOCK_TIME_SHARE = 0.25  # of the time limit kept for this stage when it runs
SWITCH_COST = 1  # scaled cost units per queue switch: a switch only where it gains something


@dataclass(frozen=True)
class Slot:
    """The part of a shift inside one interval: its minutes, the interval the agent counts toward there
    (None: a break touches it, or it is outside the grid) and whether a new block may start at it."""

    start: int
    end: int
    counts: int | None
    switchable: bool
    clock: int  # minutes after midnight of the interval's start


@dataclass(frozen=True)
class FlexShift:
    shift: RosterShift
    queues: tuple[str, ...]  # the queues it may serve
    slots: tuple[Slot, ...]


@dataclass
class BlockResult:
    roster: pd.DataFrame
    status: str
    short_cost: float  # realtime short staffing and deferred misses, in cost units
    over_cost: float


def has_blocks(data: RosterData) -> bool:
    """Whether the queue-block stage runs: the scenario has deferred work."""
    return bool(data.scenario.config.deferred_queues)


def assign_queue_blocks(data: RosterData, roster: pd.DataFrame, run: Run, seconds: float) -> BlockResult:
    """The roster with each shift's work split into queue blocks that serve realtime peaks and deferred
    deadlines best; the shifts and breaks are unchanged."""
    shifts = shifts_from_roster(roster, data.scenario)
    flexible, fixed = split_shifts(data, shifts)
    model = cp_model.CpModel()
    choice = {(i, j, q): model.new_bool_var(f"x{i},{j},{q}")
              for i, flex in enumerate(flexible) for j in range(len(flex.slots)) for q in flex.queues}
    switches = add_block_rules(model, data, flexible, choice)
    on_queue = agents_on_queues(data, flexible, fixed, choice)
    short, over = add_realtime_coverage(model, data, on_queue)
    missed = sum((add_deferred_deadlines(model, data, queue, on_queue) for queue in data.scenario.config.deferred_queues),
                 start=0)
    model.minimize(short + over + missed + SWITCH_COST * sum(switches))
    for (i, j, q), var in choice.items():
        model.add_hint(var, q == flexible[i].shift.queue)
    status, solver = run.solve(model, seconds, "queue blocks", 1 / COST_SCALE)
    if status not in ("OPTIMAL", "FEASIBLE"):
        raise RuntimeError("the queue-block pass found no assignment in time")
    chosen = {(i, j): q for (i, j, q), var in choice.items() if solver.value(var)}
    rows = [row for i, flex in enumerate(flexible)
            for row in block_rows(data, flex, [chosen[i, j] for j in range(len(flex.slots))])]
    replaced = in_shifts(roster, data, [flex.shift for flex in flexible])
    parts = [part for part in (roster[~replaced], pd.DataFrame(rows, columns=ROSTER_COLUMNS)) if len(part)]
    table = pd.concat(parts, ignore_index=True) if parts else roster
    table = table.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)
    return BlockResult(table, status, (solver.value(short) + solver.value(missed)) / COST_SCALE,
                       solver.value(over) / COST_SCALE)


def in_shifts(roster: pd.DataFrame, data: RosterData, shifts: list[RosterShift]) -> pd.Series:
    """Per roster row, whether it belongs to one of the shifts."""
    starts = (pd.to_datetime(roster["start"]) - pd.Timestamp(data.scenario.week_start)) // pd.Timedelta(minutes=1)
    spans = defaultdict(list)
    for shift in shifts:
        spans[shift.agent_id].append((shift.start, shift.end))
    return pd.Series([any(a <= start < b for a, b in spans.get(agent_id, ()))
                      for agent_id, start in zip(roster["agent_id"], starts)], index=roster.index, dtype=bool)


def split_shifts(data: RosterData, shifts: list[RosterShift]) -> tuple[list[FlexShift], list[RosterShift]]:
    """Shifts whose agent may serve several queues in them (their slots), and the others."""
    served = {(kind.start, kind.length): kind.queues for kind in enumerate_shift_types(data.scenario.config)}
    skills = {agent.agent_id: agent.skills for agent in data.agents}
    flexible, fixed = [], []
    for shift in shifts:
        queues = tuple(q for q in served.get((shift.start, shift.length), ()) if q in skills.get(shift.agent_id, ()))
        if len(queues) > 1 and shift.queue in queues and data.scenario.config.rules.max_queue_switches_per_shift:
            flexible.append(FlexShift(shift, queues, shift_slots(data, shift)))
        else:
            fixed.append(shift)
    return flexible, fixed


def shift_slots(data: RosterData, shift: RosterShift) -> tuple[Slot, ...]:
    size = data.week.interval_minutes
    work = [(start, end) for activity, start, end in shift.segments if activity == "work"]
    slots = []
    for t in range(shift.start // size, -(-shift.end // size)):
        begin, end = max(shift.start, t * size), min(shift.end, (t + 1) * size)
        whole = any(a <= t * size and (t + 1) * size <= b for a, b in work)
        counted = data.week.covered_intervals(t * size, (t + 1) * size) if whole else []
        at_work = any(a <= begin < b for a, b in work)
        slots.append(Slot(begin, end, counted[0] if counted else None, at_work, (t * size) % 1440))
    return tuple(slots)


def add_block_rules(model: cp_model.CpModel, data: RosterData, flexible: list[FlexShift], choice: dict) -> list:
    """One queue per slot; a block starts only where the agent is on work, lasts at least
    `min_queue_block_minutes` (the first block too, when the shift switches) and a shift has at most
    `max_queue_switches_per_shift` + 1 blocks; deferred queues only in their open hours. Returns the
    switch indicators."""
    rules = data.scenario.config.rules
    targets = data.scenario.config.queues
    switches = []
    for i, flex in enumerate(flexible):
        slots = flex.slots
        starts = []
        for j, slot in enumerate(slots):
            model.add_exactly_one(choice[i, j, q] for q in flex.queues)
            for q in flex.queues:
                if targets[q].deferred and not open_intervals(np.array([slot.clock]), targets[q].open_window())[0]:
                    model.add(choice[i, j, q] == 0)
        for q in flex.queues:
            for j, slot in enumerate(slots):
                begins = model.new_bool_var(f"block{i},{j},{q}")
                starts.append(begins)
                if j == 0:
                    model.add(begins == choice[i, 0, q])
                else:
                    model.add_bool_and([choice[i, j, q], choice[i, j - 1, q].Not()]).only_enforce_if(begins)
                    model.add_bool_or([choice[i, j, q].Not(), choice[i, j - 1, q], begins])
                    if not slot.switchable:
                        model.add(begins == 0)
                    switches.append(begins)
                last = next((e for e in range(j, len(slots))
                             if slots[e].end - slot.start >= rules.min_queue_block_minutes), None)
                if last is None:  # a block this late would be too short: only a shift that never switches has it
                    last = len(slots) - 1
                    if j > 0:
                        model.add(begins == 0)
                for e in range(j + 1, last + 1):
                    model.add_implication(begins, choice[i, e, q])
        model.add(sum(starts) <= rules.max_queue_switches_per_shift + 1)
    return switches


def agents_on_queues(data: RosterData, flexible: list[FlexShift], fixed: list[RosterShift],
                     choice: dict) -> dict[tuple[str, int], list]:
    """Per (queue, interval), who counts toward it: last week's shifts and the shifts of one queue as
    numbers, the slots of the others as their choice of queue."""
    on_queue: dict[tuple[str, int], list] = defaultdict(list)
    for key, count in data.fixed_coverage.items():
        on_queue[key].append(count)
    for shift in fixed:
        for activity, start, end in shift.segments:
            if activity == "work":
                for t in data.week.covered_intervals(start, end):
                    on_queue[shift.queue, t].append(1)
    for i, flex in enumerate(flexible):
        for j, slot in enumerate(flex.slots):
            if slot.counts is not None:
                for q in flex.queues:
                    on_queue[q, slot.counts].append(choice[i, j, q])
    return on_queue


def block_rows(data: RosterData, flex: FlexShift, queues: list[str]) -> list[tuple]:
    """The shift's roster rows with each work segment cut where its queue changes."""
    scenario, shift = data.scenario, flex.shift
    cuts = [slot.start for slot in flex.slots]

    def queue_at(minute: int) -> str:
        return queues[max(0, np.searchsorted(cuts, minute, side="right") - 1)]

    rows = []
    for activity, start, end in shift.segments:
        pieces = [start] + [c for c in cuts if start < c < end and queue_at(c) != queue_at(c - 1)] + [end]
        if activity != "work":
            pieces = [start, end]
        for begin, finish in zip(pieces, pieces[1:]):
            rows.append((shift.agent_id, shift.name, queue_at(begin), activity,
                         scenario.timestamp(begin), scenario.timestamp(finish)))
    return rows


def add_realtime_coverage(model: cp_model.CpModel, data: RosterData, on_queue: dict) -> tuple:
    """Short (in its priced tiers) and over staffing of the realtime queues."""
    short_terms, over_terms = [], []
    for queue in data.queues:
        if data.scenario.config.queues[queue].deferred:
            continue
        for t in range(data.horizon):
            terms = on_queue.get((queue, t), [])
            needed = data.required.get((queue, t), 0)
            if not terms and needed == 0:
                continue
            missing = []
            for tier, step in enumerate(data.tiers.get((queue, t), ())):
                missing.append(model.new_int_var(0, step.agents, f"short({queue} t={t} tier {tier + 1})"))
                short_terms.append(step.cost * missing[-1])
            over = model.new_int_var(0, len(terms) + 1, f"over({queue} t={t})")
            over_terms.append(over)
            model.add(sum(terms) + sum(missing) - over == needed)
    return sum(short_terms, start=0), data.over_cost * sum(over_terms, start=0)


def add_deferred_deadlines(model: cp_model.CpModel, data: RosterData, queue: str, on_queue: dict):
    """The deferred queue's handling and missed deadlines (see the module's doc); returns their cost."""
    size, count = data.week.interval_minutes, data.week.count
    work, minutes_each = deferred_work(data, queue)
    target = data.scenario.config.queues[queue]
    allowed = deadline_intervals(target.response_hours, size)
    carried = data.scenario.config.demand.backlog.get(queue, 0.0) * float(minutes_each.mean())
    arrived = np.ceil(np.cumsum(work) + carried - 1e-9).astype(int)
    due_at = np.zeros(count)
    due_at[min(allowed - 1, count - 1)] += carried
    np.add.at(due_at, np.minimum(np.arange(count) + allowed - 1, count - 1), work)
    due = np.ceil(np.cumsum(due_at) - 1e-9).astype(int)
    weights = data.scenario.config.weights
    handled_by = missed_by = 0
    cost = []
    for t in range(count):
        capacity = sum(on_queue.get((queue, t), []))
        handled = model.new_int_var(0, size * len(on_queue.get((queue, t), [])), f"handled({queue} t={t})")
        model.add(handled <= size * capacity)
        handled_by = handled_by + handled
        model.add(handled_by <= int(arrived[t]))
        if due_at[t] > 0:
            late = model.new_int_var(0, int(math.ceil(due_at[t])), f"late({queue} t={t})")
            missed_by = missed_by + late
            model.add(missed_by + handled_by >= int(due[t]))
            per_minute = weights.short_contact / minutes_each[t] + weights.short_hour / 60
            cost.append(max(1, round(COST_SCALE * per_minute)) * late)
    return sum(cost, start=0)


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


def response_warnings(data: RosterData) -> list[str]:
    """Per deferred queue, a sentence when no roster can meet its response target: nobody skilled for
    it, more work than its agents' contracts hold, or contacts arriving while it is closed for longer
    than the response time."""
    sentences = []
    config = data.scenario.config
    for queue in config.deferred_queues:
        target = config.queues[queue]
        work, minutes_each = deferred_work(data, queue)
        contacts = work / minutes_each
        carried = config.demand.backlog.get(queue, 0.0)
        total = float(contacts.sum()) + carried
        if total <= 0:
            continue
        skilled = [agent for agent in data.agents if queue in agent.skills]
        hours = (work.sum() + carried * float(minutes_each.mean())) / 60
        most = sum(agent.max_hours for agent in skilled) * data.weeks
        if not skilled:
            sentences.append(f"{queue}: no agent is skilled for it, so none of its {total:,.0f} contacts is "
                             f"answered; its response target ({target.service_level:.0%} within "
                             f"{target.response_hours:g} h) cannot be met.")
        elif hours > most:
            sentences.append(f"{queue}: its {hours:,.1f} h of work are more than the {most:,.1f} paid hours its "
                             f"{len(skilled)} skilled agents may work at most (max_hours), even with nothing "
                             f"else to do; its response target ({target.service_level:.0%} within "
                             f"{target.response_hours:g} h) cannot be met.")
        else:
            sentences += closed_too_long(data, queue, contacts, total)
    return sentences


def closed_too_long(data: RosterData, queue: str, contacts: np.ndarray, total: float) -> list[str]:
    """Contacts whose whole response window falls in the queue's closed hours cannot be answered in time."""
    target = data.scenario.config.queues[queue]
    size = data.week.interval_minutes
    allowed = deadline_intervals(target.response_hours, size)
    count = len(contacts)
    is_open = open_intervals(np.arange(count) * size, target.open_window())
    reachable = np.array([is_open[t:t + allowed].any() or (data.scenario.cyclic and t + allowed > count
                                                          and is_open[:t + allowed - count].any())
                          for t in range(count)])
    lost = float(contacts[~reachable].sum())
    best = 1 - lost / total
    if best >= target.service_level:
        return []
    return [f"{queue}: {lost:,.0f} of its {total:,.0f} contacts arrive while it is closed (open_hours "
            f"{target.open_hours}) too long before it opens to be answered within {target.response_hours:g} h, "
            f"so at most {best:.0%} can be answered in time, below its {target.service_level:.0%} target."]
