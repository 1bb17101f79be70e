"""The least short staffing any roster can have, proven by column generation over every agent's
valid weeks (its contract, availability and every hard rule), not just the shift mix.

The *short master* is the column-generation master with one aim: fewest short coverage units
(`RosterData.unit_minutes`) of this week, each agent working one valid week of all its eligible shifts (not only the candidate
shifts of the mix), breaks at any offset. Any prices π of its coverage rows give a Lagrangian
bound that holds whatever weeks the master knows yet:

    L(π) = Σ π(q, t) · (required − fixed)(q, t)  −  Σ_groups size × max over valid weeks of π · cover(week)

with 0 ≤ π ≤ 1 in this week's intervals (one short unit costs 1) and π = 0 after it.
Pricing finds that maximum exactly (or an upper bound on it, when a pricing model runs out of
time); once no week would lower the master, L equals its linear optimum. When the master's weeks
leave no unit short, 0 is that optimum already (short staffing is never below it), proven with no
pricing. Short staffing is a whole number of units, so the bound is rounded up.

With queue blocks (deferred queues or `rules.realtime_queue_blocks`: `engine.blocks` lets an agent
switch queue inside a shift) a
shift serves no single queue, so the *switching master* relaxes further: each week gives its
member's presence per interval (its shifts' units less their breaks), which may go to any realtime
queue of the member's skills in any interval (`SwitchingMasterLP`); deferred work is left out (it
only takes presence away from the realtime queues). Its bound holds for every roster with blocks:

    L(π) = Σ π(q, t) · (required − fixed)(q, t) over realtime queues
           −  Σ_groups size × max over valid weeks of ρ · presence(week),   ρ(t) = max over its skills of π(q, t)

(ρ is the least price of presence that keeps moving it to a queue from paying: the transfers cost 0).
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from ortools.linear_solver import pywraplp

from scheduler.engine.columns import (
    AgentWeek, Group, KnownWeeks, MasterLP, Pricer, ShiftWorth, agent_groups, turned_weeks, week_turns)
from scheduler.engine.data import RosterData
from scheduler.engine.breaks import BREAK_TIME_SHARE
from scheduler.engine.run import Run, now, thread_pool

BOUND_PRICE_SCALE = 10_000  # pricing coefficients in 1/BOUND_PRICE_SCALE of a unit
PRICING_SECONDS = 1.0
NO_SHORT = 1e-9  # short units in an LP solution that count as none
MIX_KIND = "shift mix LP (no agent rules)"
LAGRANGIAN_KIND = "column generation, Lagrangian (every agent's rules)"
CONVERGED_KIND = "column generation LP, converged (every agent's rules)"
SWITCHING = "; an agent may switch to any realtime queue of its skills in any interval, as queue blocks do)"


@dataclass(frozen=True)
class ShortBound:
    """A proven lower bound on short units of this week, and which bound it is."""

    units: int
    kind: str


class ShortMasterLP(MasterLP):
    """The master with fewest short units of this week as its objective."""

    def counted(self, queue: str, t: int) -> bool:
        """Whether a short unit of (queue, t) counts: every queue's, in this week."""
        return t < self.data.week.count

    def cover_row(self, queue: str, t: int):
        data = self.data
        needed = data.required.get((queue, t), 0) - data.fixed_coverage.get((queue, t), 0)
        row = self.solver.Constraint(needed, needed)
        short = self.solver.NumVar(0, self.solver.infinity(), "")
        row.SetCoefficient(short, 1)
        self.objective.SetCoefficient(short, 1.0 if self.counted(queue, t) else 0.0)
        over = self.solver.NumVar(0, self.solver.infinity(), "")
        row.SetCoefficient(over, -1)
        return row

    def add(self, g: int, week: AgentWeek) -> bool:
        if not super().add(g, week):
            return False
        self.objective.SetCoefficient(self.weeks[g, week], 0.0)  # preferences do not count here
        return True


class SwitchingMasterLP(ShortMasterLP):
    """The short master whose weeks give presence per (skill set, interval), moved to any realtime queue
    of the set by free transfers: Σ weeks' presence − breaks − Σ transfers ≥ 0 per (set, interval)."""

    def __init__(self, data: RosterData, groups: list[Group]):
        self.realtime = frozenset(data.queues) - frozenset(data.scenario.config.deferred_queues)
        super().__init__(data, groups)
        self.sets = [skill_set(self.realtime, group) for group in groups]
        self.presence: dict[tuple[frozenset[str], int], pywraplp.Constraint] = {}
        for skills in set(self.sets) - {frozenset()}:
            for t in range(data.horizon):
                row = self.presence[skills, t] = self.solver.Constraint(0, self.solver.infinity())
                for queue in skills:
                    moved = self.solver.NumVar(0, self.solver.infinity(), "")
                    row.SetCoefficient(moved, -1)
                    self.cover[queue, t].SetCoefficient(moved, 1)

    def counted(self, queue: str, t: int) -> bool:
        return queue in self.realtime and t < self.data.week.count

    def counts_on(self, g: int, queue: str) -> object:
        """A member's shift counts on its group's presence rows, whatever its queue (None: no realtime skill)."""
        return self.sets[g] or None

    def row(self, where: object, t: int) -> pywraplp.Constraint:
        return self.presence[where, t]


def skill_set(realtime: frozenset[str], group: Group) -> frozenset[str]:
    """The realtime queues a member of the group may serve."""
    return realtime & frozenset(group.agent.skills)


def most_cover(pricer: Pricer, worth: np.ndarray, seconds: float) -> tuple[float, AgentWeek]:
    """An upper bound on the worth of the group's best valid week (exact when solved to optimality,
    coefficients rounded up so that it stays an upper bound), and the best week found."""
    if seconds <= 0:
        return math.inf, ()
    coefficients = np.ceil(BOUND_PRICE_SCALE * worth[pricer.rows]).astype(np.int64).tolist()
    _, solver, week = pricer.search(pricer.variables, coefficients, seconds)
    if week is None:
        return math.inf, ()
    return solver.best_objective_bound / BOUND_PRICE_SCALE, week


@dataclass
class BoundSearch:
    """Column generation on the short master, keeping the best Lagrangian bound seen."""

    data: RosterData
    groups: list[Group]
    pool: ThreadPoolExecutor
    deadline: float  # a `run.now()` instant
    switching: bool = False  # queue blocks: the switching master

    def __post_init__(self) -> None:
        self.master = (SwitchingMasterLP if self.switching else ShortMasterLP)(self.data, self.groups)
        self.turns = week_turns(self.data)
        self.best = -math.inf
        self.converged = False

    @cached_property
    def worth(self) -> ShiftWorth:
        return ShiftWorth(self.data)

    @cached_property
    def pricers(self) -> list[Pricer]:
        """A pricing model per group, made when first priced (never, when the known weeks leave no unit short)."""
        return [Pricer(self.data, group, self.worth) for group in self.groups]

    def prices(self) -> dict[tuple[str, int], float]:
        """The master's duals, held inside [0, 1] where a short unit counts and 0 elsewhere, where L(π) is finite."""
        counted = self.master.counted
        return {(q, t): min(1.0, max(0.0, p)) if counted(q, t) else 0.0
                for (q, t), p in self.master.cover_prices().items()}

    def group_worths(self, prices: dict[tuple[str, int], float]) -> list[np.ndarray]:
        """What each group's (shift type, queue) is worth at these prices: its own queue's coverage, or
        with switching its presence at the best price among the group's skills, whatever the shift's queue."""
        by_queue = self.worth.prices(prices)
        if not self.switching:
            return [self.worth.of(by_queue)] * len(self.groups)
        by_queue = by_queue.reshape(len(self.worth.queue_index), -1)  # a row per queue (`ShiftWorth.column`)
        worths = {}
        for skills in set(self.master.sets):
            best = by_queue[[self.worth.queue_index[queue] for queue in skills]].max(axis=0, initial=0.0)
            worths[skills] = self.worth.of(np.tile(best, len(by_queue)))  # whatever the shift's queue
        return [worths[skills] for skills in self.master.sets]

    def round(self) -> bool:
        """One round: solve the master, price every group, keep L(π); whether weeks joined. When the
        master's weeks leave no unit short, its optimum is proven without pricing: short staffing is never
        below 0 (on a busy machine the pricing rounds took the bound's whole share of the limit to
        arrive at the same 0)."""
        data = self.data
        value = self.master.solve()
        if value <= NO_SHORT:
            self.best, self.converged = max(self.best, 0.0), True
            return False
        prices = self.prices()
        worths = self.group_worths(prices)
        members = self.master.member_prices()

        def best(g: int):
            return most_cover(self.pricers[g], worths[g], min(PRICING_SECONDS, self.deadline - now()))

        found = list(self.pool.map(best, range(len(self.groups))))
        needed = sum(p * (data.required.get(key, 0) - data.fixed_coverage.get(key, 0)) for key, p in prices.items())
        bound = needed - sum(group.size * upper for group, (upper, _) in zip(self.groups, found))
        self.best = max(self.best, bound)
        added = 0
        for g, (upper, week) in enumerate(found):
            if week and upper > members[g] + 1e-6:
                turned = turned_weeks(week, self.turns, self.pricers[g].known)
                added += sum(self.master.add(g, other) for other in turned)
        self.converged = not added and math.isfinite(bound) and bound >= value - 1e-6
        return bool(added)


def prove_short_bound(
    data: RosterData, known: KnownWeeks, workers: int, seconds: float, switching: bool = False
) -> ShortBound | None:
    """The best Lagrangian bound on this week's short units found in `seconds`, the master
    starting from the `known` valid weeks per agent (a roster's among them, so that it is feasible);
    with `switching`, on realtime queues, for rosters with queue blocks; None when no round was priced in time."""
    deadline = now() + seconds
    groups = agent_groups(data, data.eligible, costs=False)  # 18 groups instead of 30-33 in the sample center
    with thread_pool(workers) as pool:
        search = BoundSearch(data, groups, pool, deadline, switching)
        for g, group in enumerate(groups):
            for week in {week for agent_id in group.agent_ids for week in known.get(agent_id, [])}:
                search.master.add(g, week)
        while now() < deadline and search.round():
            pass
    if not math.isfinite(search.best):
        return None
    kind = CONVERGED_KIND if search.converged else LAGRANGIAN_KIND
    return ShortBound(max(0, math.ceil(search.best - 1e-6)), kind[:-1] + SWITCHING if switching else kind)


BOUND_TIME_SHARE = 0.2  # of the time limit at most, for proving the bound once a first roster is known


def mix_bound(data: RosterData, mix_hours: float) -> ShortBound:
    """The shift mix's bound (`engine.mix`), in short units."""
    return ShortBound(round(mix_hours / data.unit_hours), MIX_KIND)


def best_short_bound(
    data: RosterData, known: KnownWeeks, mix_hours: float, run: Run, switching: bool = False
) -> ShortBound | None:
    """The better of the shift mix's bound (`mix_hours`) and the column generation's, the latter
    given BOUND_TIME_SHARE of the time limit at most (never the time the break pass needs). With
    `switching` (queue blocks) the switching master's alone, or None: the shift mix knows shifts of one queue."""
    began = time.monotonic()
    seconds = min(BOUND_TIME_SHARE * run.time_limit, run.remaining() - BREAK_TIME_SHARE * run.time_limit)
    proven = prove_short_bound(data, known, run.workers, seconds, switching) if seconds > 0 else None
    run.stage_seconds["bound"] = time.monotonic() - began
    if switching:
        return proven
    mix = mix_bound(data, mix_hours)
    return proven if proven is not None and proven.units >= mix.units else mix
