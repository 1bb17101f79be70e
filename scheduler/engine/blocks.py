"""Stage 4, queue blocks: with every shift and break fixed, which queue each agent works in each part of
its shift (CP-SAT). Runs when the scenario has deferred queues (email, social, back office), or when
`rules.realtime_queue_blocks` lets agents switch between realtime queues inside a shift.

An agent skilled for several queues that its shift's templates serve may switch queue inside the shift
(voice 08:00–12:00, email 12:00–16:30): a new block starts at an interval boundary where the agent is
on work, lasts at least `rules.min_queue_block_minutes` (up to where the next block starts, or the
shift's end) and a shift switches at most `rules.max_queue_switches_per_shift` times. The pass cuts
each shift into chunks of at least that length (`shift_chunks`) and gives each chunk one queue, so
every block is long enough by construction. A deferred queue is only worked inside its `open_hours`.

- Realtime queues: scheduled + short − over = required per interval, short in the priced tiers of
  `engine.pricing`, as the other stages count it.
- Deferred queues (`forecasts.backlog`'s definitions, in whole minutes of work): handled(t) ≤ the
  minutes its agents give it in t; what is handled by t never exceeds what has arrived by t (work
  cannot be done before it arrives); and by every deadline, the work due by then minus the work
  handled by then is work whose contacts miss their response time (`late_contact` per contact, a
  fifth of a realtime contact lost at the defaults: the phones come first; the work is still done,
  later). Deadlines past the horizon's end are moved to its end, so the model asks at least what
  the evaluation measures. A roster meeting every deadline here meets them under FIFO too: first in,
  first out answers at least as much by every moment as any other order.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from forecasts.backlog import deadline_intervals, open_intervals
from scheduler.costs import COST_SCALE
from scheduler.engine.block_start import starting_queues
from scheduler.engine.data import RosterData
from scheduler.engine.deferred import DeferredDue, deferred_due, deferred_work, first_in_first_out, meets_target
from scheduler.engine.run import Run, new_solver
from scheduler.roster import ROSTER_COLUMNS, RosterShift, shifts_from_roster
from scheduler.shifts import enumerate_shift_types

BLOCK_TIME_SHARE = 0.15  # of the time limit kept for this stage when it runs
HINTED_SOLUTION_SECONDS = 5.0  # at most, for reading back the starting point (a fraction of a second)
SWITCH_COST = 1  # scaled cost units per queue switch: a switch only where it gains something
SOLVED = ("OPTIMAL", "FEASIBLE")
CONTACT_SHARES = 1000  # a deferred queue's service level counts late contacts in thousandths


@dataclass(frozen=True)
class Chunk:
    """A stretch of a shift worked on one queue: it starts at the shift's start or at an interval
    boundary where the agent is on work, and lasts at least `rules.min_queue_block_minutes` (a shorter
    shift is one chunk). `counts`: (interval, coverage units) the agent gives in it, by the share of
    each interval worked (`RosterData.unit_minutes`); `clocks`: the start of each interval it touches,
    after midnight."""

    start: int
    end: int
    counts: tuple[tuple[int, int], ...]
    clocks: tuple[int, ...]


@dataclass(frozen=True)
class FlexShift:
    shift: RosterShift
    queues: tuple[str, ...]  # the queues it may serve
    chunks: tuple[Chunk, ...]


@dataclass
class BlockResult:
    roster: pd.DataFrame
    status: str
    short_cost: float  # realtime short staffing and deferred misses, in cost units
    over_cost: float
    measures: dict[str, float]  # short_hours, lost_contacts (deferred misses included), over_hours


Term = tuple[int, "cp_model.IntVar | None"]  # coverage units, given when the variable is 1 (None: always)


def expression(terms: list[Term]):
    """A sum of terms as a linear expression."""
    return sum((units if var is None else units * var for units, var in terms), start=0)


def most(terms: list[Term]) -> int:
    """The largest value a sum of terms can take."""
    return sum(units for units, _ in terms)


Measures = dict[str, list[tuple[cp_model.IntVar, float]]]  # a figure's variables and what one unit of each is


class Hints(dict):
    """A value for every variable of the pass (by index): the starting roster of `block_start`, so that
    the solver starts from it and only improves on it."""

    def set(self, var, value: int):
        self[var.Index()] = int(value)
        return var

    def of(self, terms: list[Term]) -> int:
        """The hinted value of a sum of terms."""
        return sum(units * (1 if var is None else self[var.Index()]) for units, var in terms)

    def value(self, var) -> int:
        return self[var.Index()]

    def objective(self, model: cp_model.CpModel) -> float:
        """The model's objective at the hinted values: a search cut short may stop at a worse solution."""
        proto = model.proto.objective
        values = [self[ref] if ref >= 0 else 1 - self[-ref - 1] for ref in proto.vars]
        total = proto.offset + sum(coefficient * value for coefficient, value in zip(proto.coeffs, values))
        return total * (proto.scaling_factor or 1)

    def apply(self, model: cp_model.CpModel) -> None:
        for index, value in self.items():
            model.add_hint(model.get_int_var_from_proto_index(index), value)


def has_blocks(data: RosterData) -> bool:
    """Whether the queue-block stage runs: the scenario has deferred work, or lets agents switch between
    realtime queues inside a shift (`rules.realtime_queue_blocks`)."""
    config = data.scenario.config
    return bool(config.deferred_queues) or config.rules.realtime_queue_blocks


def assign_queue_blocks(data: RosterData, roster: pd.DataFrame, run: Run, keep: float) -> BlockResult:
    """The roster with each shift's work split into queue blocks that serve realtime peaks and deferred
    deadlines best, in the run's remaining time but `keep` seconds (for writing the roster); the shifts
    and breaks are unchanged."""
    shifts = shifts_from_roster(roster, data.scenario)
    flexible, fixed = split_shifts(data, shifts)
    model, hints = cp_model.CpModel(), Hints()
    on_queue = agents_on_queues(data, [], fixed, {})
    start = starting_queues(data, flexible, Counter({key: most(terms) for key, terms in on_queue.items()}))
    choice = {(i, j, q): hints.set(model.new_bool_var(f"x{i},{j},{q}"), q == start[i, j])
              for i, flex in enumerate(flexible) for j in range(len(flex.chunks)) for q in flex.queues}
    switches = add_block_rules(model, data, flexible, choice, hints)
    on_queue = agents_on_queues(data, flexible, fixed, choice)
    measures: Measures = defaultdict(list)
    short, over = add_realtime_coverage(model, data, on_queue, hints, measures)
    dues = {queue: deferred_due(data, queue) for queue in data.scenario.config.deferred_queues}
    missed = sum((add_deferred_deadlines(model, data, queue, due, on_queue, hints, measures)
                  for queue, due in dues.items()), start=0)
    model.minimize(short + over + missed + SWITCH_COST * sum(switches))
    hints.apply(model)
    status, solver = run.solve(model, run.remaining() - keep, "queue blocks", 1 / COST_SCALE)
    if (status not in SOLVED or solver.objective_value > hints.objective(model)
            or missed_targets(data, dues, on_queue, solver.value) - missed_targets(data, dues, on_queue, hints.value)):
        started = hinted_solution(model, run)
        if started[0] in SOLVED or status not in SOLVED:
            status, solver = started
    chosen = {(i, j): q for (i, j, q), var in choice.items() if solver.value(var)}
    return BlockResult(blocked_roster(data, roster, flexible, chosen), status,
                       (solver.value(short) + solver.value(missed)) / COST_SCALE, solver.value(over) / COST_SCALE,
                       {name: sum(solver.value(var) * per for var, per in terms) for name, terms in measures.items()})


def missed_targets(data: RosterData, dues: dict[str, DeferredDue], on_queue: dict, value) -> set[str]:
    """The deferred queues that a solution (`value` of each variable) leaves under their service level,
    each contact answered in turn (the model counts lateness more leniently, see `engine.deferred`)."""
    return {queue for queue, due in dues.items()
            if not meets_target(due, *first_in_first_out(due, queue_minutes(data, on_queue, queue, value)))}


def queue_minutes(data: RosterData, on_queue: dict, queue: str, value) -> np.ndarray:
    """Minutes of agents on the queue per interval, each variable at its `value`."""
    return np.array([data.unit_minutes * sum(units * (1 if var is None else value(var))
                                             for units, var in on_queue.get((queue, t), []))
                     for t in range(data.week.count)])


def hinted_solution(model: cp_model.CpModel, run: Run) -> tuple[str, cp_model.CpSolver]:
    """The starting point itself, every variable fixed to its hint (a valid assignment, found by
    propagation alone): what the pass keeps when its search found nothing better in the time it had."""
    solver = new_solver(HINTED_SOLUTION_SECONDS, run.workers)
    solver.parameters.fix_variables_to_their_hinted_value = True
    return solver.status_name(solver.solve(model)), solver


def blocked_roster(data: RosterData, roster: pd.DataFrame, flexible: list[FlexShift],
                   chosen: dict[tuple[int, int], str]) -> pd.DataFrame:
    """The roster with the flexible shifts' rows replaced by their rows cut into the chosen blocks."""
    rows = [row for i, flex in enumerate(flexible)
            for row in block_rows(data, flex, [chosen[i, j] for j in range(len(flex.chunks))])]
    replaced = in_shifts(roster, data, [flex.shift for flex in flexible])
    parts = [part for part in (roster[~replaced], pd.DataFrame(rows, columns=ROSTER_COLUMNS)) if len(part)]
    table = pd.concat(parts, ignore_index=True) if parts else roster
    return table.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)


def in_shifts(roster: pd.DataFrame, data: RosterData, shifts: list[RosterShift]) -> pd.Series:
    """Per roster row, whether it belongs to one of the shifts."""
    starts = (pd.to_datetime(roster["start"]) - pd.Timestamp(data.scenario.week_start)) // pd.Timedelta(minutes=1)
    spans = defaultdict(list)
    for shift in shifts:
        spans[shift.agent_id].append((shift.start, shift.end))
    return pd.Series([any(a <= start < b for a, b in spans.get(agent_id, ()))
                      for agent_id, start in zip(roster["agent_id"], starts)], index=roster.index, dtype=bool)


def split_shifts(data: RosterData, shifts: list[RosterShift]) -> tuple[list[FlexShift], list[RosterShift]]:
    """Shifts whose agent may serve several queues in them (with their chunks), and the others."""
    served = {(kind.start, kind.length): kind.queues for kind in enumerate_shift_types(data.scenario.config)}
    skills = {agent.agent_id: agent.skills for agent in data.agents}
    flexible, fixed = [], []
    for shift in shifts:
        queues = tuple(q for q in served.get((shift.start, shift.length), ()) if q in skills.get(shift.agent_id, ()))
        if len(queues) > 1 and shift.queue in queues and data.scenario.config.rules.max_queue_switches_per_shift:
            flexible.append(FlexShift(shift, queues, shift_chunks(data, shift)))
        else:
            fixed.append(shift)
    return flexible, fixed


def shift_chunks(data: RosterData, shift: RosterShift) -> tuple[Chunk, ...]:
    """The shift cut into chunks (see `Chunk`): blocks are whole chunks, so every block is long enough."""
    size = data.week.interval_minutes
    shortest = data.scenario.config.rules.min_queue_block_minutes
    work = [(start, end) for activity, start, end in shift.segments if activity == "work"]
    cuts = [shift.start]
    for t in range(shift.start // size + 1, -(-shift.end // size)):
        boundary = t * size
        at_work = any(a <= boundary < b for a, b in work)
        if at_work and boundary - cuts[-1] >= shortest and shift.end - boundary >= shortest:
            cuts.append(boundary)
    chunks = []
    for begin, end in zip(cuts, cuts[1:] + [shift.end]):
        counted = [(max(a, begin), min(b, end)) for a, b in work if max(a, begin) < min(b, end)]
        chunks.append(Chunk(begin, end,
                            tuple(worked_units(data, counted)),
                            tuple((t * size) % 1440 for t in range(begin // size, -(-end // size)))))
    return tuple(chunks)


def worked_units(data: RosterData, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(interval, coverage units) worked in these spans of minutes, as the other stages count them."""
    worked: Counter = Counter()
    for start, end in spans:
        for t, minutes in data.week.worked_minutes(start, end):
            worked[t] += minutes // data.unit_minutes
    return sorted(worked.items())


def add_block_rules(model: cp_model.CpModel, data: RosterData, flexible: list[FlexShift], choice: dict,
                    hints: Hints) -> list:
    """One queue per chunk, at most `max_queue_switches_per_shift` switches a shift, deferred queues only
    inside their open hours. Returns the switch indicators."""
    rules = data.scenario.config.rules
    targets = data.scenario.config.queues
    switches = []
    for i, flex in enumerate(flexible):
        mine = []
        for j, chunk in enumerate(flex.chunks):
            model.add_exactly_one(choice[i, j, q] for q in flex.queues)
            for q in flex.queues:
                if targets[q].deferred and not open_intervals(np.array(chunk.clocks), targets[q].open_window()).all():
                    model.add(choice[i, j, q] == 0)
            if j > 0:
                differs = any(hints[choice[i, j, q].Index()] != hints[choice[i, j - 1, q].Index()]
                              for q in flex.queues)
                switch = hints.set(model.new_bool_var(f"switch{i},{j}"), differs)
                for q in flex.queues:  # a different queue than the chunk before means a switch
                    model.add_implication(choice[i, j, q], choice[i, j - 1, q]).only_enforce_if(switch.Not())
                mine.append(switch)
        model.add(sum(mine) <= rules.max_queue_switches_per_shift)
        switches += mine
    return switches


def agents_on_queues(data: RosterData, flexible: list[FlexShift], fixed: list[RosterShift],
                     choice: dict) -> dict[tuple[str, int], list]:
    """Per (queue, interval), who counts toward it: last week's shifts and the shifts of one queue as
    numbers, the chunks of the others as their choice of queue."""
    on_queue: dict[tuple[str, int], list] = defaultdict(list)
    for key, count in data.fixed_coverage.items():
        on_queue[key].append((count, None))
    for shift in fixed:
        for activity, start, end in shift.segments:
            if activity == "work":
                for t, units in worked_units(data, [(start, end)]):
                    on_queue[shift.queue, t].append((units, None))
    for i, flex in enumerate(flexible):
        for j, chunk in enumerate(flex.chunks):
            for t, units in chunk.counts:
                for q in flex.queues:
                    on_queue[q, t].append((units, choice[i, j, q]))
    return on_queue


def block_rows(data: RosterData, flex: FlexShift, queues: list[str]) -> list[tuple]:
    """The shift's roster rows with each work segment cut where its queue changes."""
    scenario, shift = data.scenario, flex.shift
    cuts = [chunk.start for chunk in flex.chunks]

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


def add_realtime_coverage(model: cp_model.CpModel, data: RosterData, on_queue: dict, hints: Hints,
                          measures: Measures) -> tuple:
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
            gap = needed - hints.of(terms)
            for tier, step in enumerate(data.tiers.get((queue, t), ())):
                taken = min(max(gap, 0), step.units)
                gap -= taken
                missing.append(hints.set(model.new_int_var(0, step.units, f"short({queue} t={t} tier {tier + 1})"),
                                         taken))
                short_terms.append(step.cost * missing[-1])
                measures["short_hours"].append((missing[-1], data.unit_hours))
                measures["lost_contacts"].append((missing[-1], step.lost_contacts))
            over = hints.set(model.new_int_var(0, most(terms),
                                               f"over({queue} t={t})"), max(0, -gap))
            over_terms.append(over)
            measures["over_hours"].append((over, data.unit_hours))
            model.add(expression(terms) + sum(missing) - over == needed)
    return sum(short_terms, start=0), data.over_cost * sum(over_terms, start=0)


def add_deferred_deadlines(model: cp_model.CpModel, data: RosterData, queue: str, due: DeferredDue, on_queue: dict,
                           hints: Hints, measures: Measures):
    """The deferred queue's handling and missed deadlines (see the module's doc), its work counted in
    `due`; returns their cost."""
    unit = data.unit_minutes
    # the roster as it came
    hinted_handled, hinted_late = first_in_first_out(due, queue_minutes(data, on_queue, queue, hints.value))
    handled_so_far, late_so_far = np.cumsum(hinted_handled), np.cumsum(hinted_late)
    weights = data.scenario.config.weights
    handled_by = missed_by = 0  # running totals, one variable each per interval (no sums of sums)
    cost, lates = [], []
    for t in range(data.week.count):
        agents = on_queue.get((queue, t), [])
        handled = hints.set(model.new_int_var(0, unit * most(agents), f"handled({queue} t={t})"), hinted_handled[t])
        model.add(handled <= unit * expression(agents))
        handled_by = running_total(model, handled_by, handled, int(due.arrived[t]), f"handled by({queue} t={t})",
                                   hints, handled_so_far[t])
        if due.due_at[t] > 0:
            most_late = max(int(math.ceil(due.due_at[t])), int(hinted_late[t]))
            late = hints.set(model.new_int_var(0, most_late, f"late({queue} t={t})"), hinted_late[t])
            missed_by = running_total(model, missed_by, late, int(due.due[t]), f"missed by({queue} t={t})",
                                      hints, late_so_far[t])
            model.add(missed_by + handled_by >= int(due.due[t]))
            # Each contact missing its response time costs late_contact; the work is still done, later.
            cost.append(max(1, round(COST_SCALE * weights.late_contact / due.minutes_each[t])) * late)
            measures["lost_contacts"].append((late, 1 / due.minutes_each[t]))
            lates.append((t, late, most_late))
    return sum(cost, start=0) + beyond_service_level(model, data, queue, due, lates, hints, handled_by)


def beyond_service_level(model: cp_model.CpModel, data: RosterData, queue: str, due: DeferredDue, lates: list,
                         hints: Hints, handled_by):
    """The cost of late contacts beyond those the queue's service level lets miss (in thousandths of a
    contact), and in a repeating week of the work left at its end: dearer than any realtime short
    staffing the work of those contacts could take, so the pass keeps every deferred queue at its
    service level whenever its agents' shifts can, taking the time from the realtime intervals where it
    costs least."""
    share = {t: max(1, round(CONTACT_SHARES / due.minutes_each[t])) for t, _, _ in lates}
    may_miss = int(CONTACT_SHARES * due.may_miss)
    hinted = sum(share[t] * hints.of([(1, late)]) for t, late, _ in lates) - may_miss
    most_beyond = max(0, hinted, sum(share[t] * bound for t, _, bound in lates) - may_miss)
    beyond = hints.set(model.new_int_var(0, most_beyond, f"beyond service level({queue})"), max(0, hinted))
    model.add(beyond >= sum((share[t] * late for t, late, _ in lates), start=0) - may_miss)
    if due.wraps:  # the work due in the week but left at its end, in thousandths of a contact
        left = hints.set(model.new_int_var(0, int(due.due[-1]), f"left at the end({queue})"),
                         max(0, int(due.due[-1]) - hints.of([(1, handled_by)])))
        model.add(left >= int(due.due[-1]) - handled_by)
        beyond += max(1, round(CONTACT_SHARES / float(due.minutes_each.mean()))) * left
    return beyond_price(data, due) * beyond


def beyond_price(data: RosterData, due: DeferredDue) -> int:
    """Scaled cost of a thousandth of a contact beyond the service level: twice what the dearest realtime
    coverage unit costs for the time that thousandth takes to answer."""
    config = data.scenario.config
    dearest = max((step.cost for (queue, _), steps in data.tiers.items() if not config.queues[queue].deferred
                   for step in steps), default=0)
    return math.ceil(2 * dearest * float(due.minutes_each.max()) / data.unit_minutes
                     / CONTACT_SHARES) + 1


def running_total(model: cp_model.CpModel, before, step, most: int, name: str, hints: Hints, value: int):
    """A variable holding `before` + `step`, at most `most`."""
    total = hints.set(model.new_int_var(0, max(0, most, int(value)), name), value)
    model.add(total == before + step)
    return total


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
        is_open = open_intervals(np.arange(data.week.count) * data.week.interval_minutes, target.open_window())
        most = sum(open_hours_within_reach(data, agent, is_open) for agent in skilled)
        where = f" inside its open hours ({target.open_hours})" if target.open_hours else ""
        if not skilled:
            sentences.append(f"{queue}: no agent is skilled for it, so none of its {total:,.0f} contacts is "
                             f"answered; its response target ({target.service_level:.0%} within "
                             f"{target.response_hours:g} h) cannot be met.")
        elif hours > most:
            sentences.append(f"{queue}: its {hours:,.1f} h of work are more than the {most:,.1f} h its "
                             f"{len(skilled)} skilled agents can work at most{where} (their max_hours, the "
                             f"shifts they may work), even with nothing else to do; its response target "
                             f"({target.service_level:.0%} within {target.response_hours:g} h) cannot be met.")
        else:
            sentences += closed_too_long(data, queue, contacts, total)
    return sentences


def open_hours_within_reach(data: RosterData, agent, is_open: np.ndarray) -> float:
    """The most hours the agent can give a queue open in `is_open`: the open intervals some shift the agent
    may work touches (availability, time off, nights and the rest as the engine knows them), within max_hours."""
    size, count = data.week.interval_minutes, data.week.count
    reach = {t % count if data.scenario.cyclic else t for k, _ in data.eligible[agent.agent_id]
             for t in data.shifts[k].covered}
    return min(agent.max_hours * data.weeks, sum(is_open[t] for t in reach if t < count) * size / 60)


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
