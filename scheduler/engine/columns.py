"""Stage 2: named agents by column generation over weeks, and a diving heuristic: the first roster.

Agents with the same candidate shifts, contract, nights, preference, last week and baseline are
interchangeable: a *group*. A *week* (a column) is one valid set of shifts for a member.

- The *master problem* chooses how many members of each group work each known week; its linear
  relaxation (GLOP) also holds how many take each break at each offset, so breaks are staggered.
  Coverage rows stay short: one term per (group, week), not one per agent.
- *Pricing* asks each group for its valid week worth most at the master's dual prices: the
  one-agent CP-SAT model with every hard rule (`hard_rules.add_agent_rules`), built once per group.
  Weeks that would lower the relaxation join the master, until none would or time is up.
- *Diving* turns the relaxation into a roster: round up the most nearly whole week counts, solve
  again, price again while time allows, until every count is whole.

The first weeks come from a greedy pass over the groups, each against the demand the groups
before it left open; it also tells which agents have no valid week at all (for `diagnose`).

Fairness: each week is charged for its member's nights and weekends worked outside a band around
the team's average (`engine.shares`), re-centred on the relaxation after every round. In a horizon
of several weeks that repeats, every week found joins with its turns (the same weeks one, two, …
weeks later around the horizon): they are valid too, and rotating them is how agents take turns.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model
from scipy import sparse

from scheduler.costs import COST_SCALE
from scheduler.engine.data import Assignment, RosterData, agent_day_limit
from scheduler.engine.hard_rules import new_works
from scheduler.engine.run import Run, new_solver, now, thread_pool
from scheduler.engine.shares import NO_SHARES, AgentWeek, Shares, UnaryLoads, fair_shares
from scheduler.engine.soft_rules import change_prices, off_preference
from scheduler.engine.whole_team import WHOLE_MODEL_AGENTS
from scheduler.rules import add_agent_rules
from scheduler.scenario import MINUTES_PER_WEEK, Agent


KnownWeeks = dict[str, list[AgentWeek]]  # valid weeks per agent
PRICE_SCALE = 100  # pricing objectives count in 1/PRICE_SCALE of a scaled cost unit
FIRST_WEEK_SECONDS = 2.0  # to find a group its first valid week
# A first week need not be the best: within 2 % of it the greedy pass over a horizon of several weeks
# takes about half the time, leaving it to column generation.
FIRST_WEEK_GAP = 0.02
PRICING_SECONDS = 1.0
ROUND_UP_SHARE = 0.05  # of the fractional week counts rounded up at each diving step
GENERATE_TIME_SHARE = 0.45  # of the time limit, by when column generation stops
DIVE_PRICING_TIME_SHARE = 0.65  # of the time limit, by when diving stops pricing new weeks
DIVE_TIME_SHARE = 0.7  # of the time limit, by when diving rounds what is left at once
INTEGRAL = 1e-6
# The longest block of nights the weeks priced here hold (unless the scenario sets one; the polish and the
# whole-team model take the rules'): with the rules' 4, the fair shares no longer rotated the nights of
# alike agents (0 to 8 nights among 7 over 4 weeks, tests/test_shares.py). Weeks planned in turn hold it in
# their own polish too (`engine.weeks`). The bound prices every valid week.
PLANNED_NIGHT_BLOCK = 2


@dataclass(frozen=True)
class Group:
    """Interchangeable agents: the same candidate shifts and the same rules."""

    members: tuple[Agent, ...]
    options: tuple[tuple[int, str], ...]

    @property
    def agent(self) -> Agent:
        """Any member: it stands for all of them."""
        return self.members[0]

    @property
    def agent_ids(self) -> tuple[str, ...]:
        return tuple(agent.agent_id for agent in self.members)

    @property
    def size(self) -> int:
        return len(self.members)


def agent_groups(data: RosterData, options: dict[str, list[tuple[int, str]]], costs: bool = True) -> list[Group]:
    """Agents alike in their candidate shifts and hard rules, and with `costs` also in what their weeks
    cost (preference, baseline, what fairness carried); without, for pricing coverage alone (`engine.bound`)."""
    members: dict[tuple, list[Agent]] = defaultdict(list)
    for agent in data.agents:
        key = (
            tuple(sorted(options[agent.agent_id])),
            agent.min_hours, agent.max_hours, agent.max_days, agent.night_ok, data.previous.get(agent.agent_id),
            data.scenario.night_caps.get(agent.agent_id), data.scenario.night_floors.get(agent.agent_id),
        )
        if costs:
            key += (agent.preferred, tuple(sorted(data.baseline.get(agent.agent_id, {}).items())),
                    data.carried[agent.agent_id])
        members[key].append(agent)
    return [Group(tuple(agents), key[0]) for key, agents in members.items()]


def shift_costs(data: RosterData, group: Group, shifts) -> tuple[int, list[int]]:
    """Scaled cost of each (k, queue) for a member: the preference weight when off its preferred time
    and the change charge against its baseline; with the charge's constant, which every week of the
    member pays (`soft_rules.change_prices`)."""
    price = round(data.scenario.config.weights.preference * COST_SCALE)
    constant, changes = change_prices(data, group.agent.agent_id, shifts)
    return constant, [price * off_preference(data, group.agent.preferred, k) + change
                      for (k, _), change in zip(shifts, changes)]


def week_cost(data: RosterData, group: Group, week: AgentWeek) -> int:
    constant, costs = shift_costs(data, group, week)
    return constant + sum(costs)


class ShiftWorth:
    """What every (shift type, queue) is worth at a price per (queue, interval): its intervals,
    less each break at its cheapest offset. Sparse products, so that pricing all groups costs
    one pass over the shifts however many groups there are."""

    def __init__(self, data: RosterData):
        self.count = data.horizon
        self.queue_index = {queue: i for i, queue in enumerate(data.queues)}
        self.keys = sorted({key for options in data.eligible.values() for key in options})
        self.index = {key: i for i, key in enumerate(self.keys)}
        covered, lost, self.slot_of = [], [], []
        self.slot_starts = []
        for i, (k, queue) in enumerate(self.keys):
            covered.append([(self.column(queue, t), units) for t, units in data.shifts[k].cover])
            for slot in data.shifts[k].breaks:
                self.slot_starts.append(len(lost))
                self.slot_of.append(i)
                lost.extend([(self.column(queue, t), units) for t, units in option.lost] for option in slot)
        self.covered = incidence(covered, len(data.queues) * self.count)
        self.lost = incidence(lost, len(data.queues) * self.count)

    def column(self, queue: str, t: int) -> int:
        return self.queue_index[queue] * self.count + t

    def prices(self, by_interval: dict[tuple[str, int], float]) -> np.ndarray:
        array = np.zeros(len(self.queue_index) * self.count)
        for (queue, t), price in by_interval.items():
            array[self.column(queue, t)] = price
        return array

    def of(self, prices: np.ndarray) -> np.ndarray:
        """Worth per shift key (in the order of `keys`) at a price per column."""
        worth = self.covered @ prices
        if self.slot_starts:
            cheapest = np.minimum.reduceat(self.lost @ prices, self.slot_starts)
            np.subtract.at(worth, self.slot_of, cheapest)
        return worth


def incidence(rows: list[list[tuple[int, int]]], columns: int) -> sparse.csr_matrix:
    """A matrix with each row's (column, units) entries."""
    indptr = np.cumsum([0] + [len(row) for row in rows])
    indices = np.array([c for row in rows for c, _ in row], dtype=np.int64)
    values = np.array([units for row in rows for _, units in row], dtype=float)
    return sparse.csr_matrix((values, indices, indptr), shape=(len(rows), columns))


class Pricer:
    """A group's one-agent model under every hard rule; each call prices it at new shift values."""

    def __init__(self, data: RosterData, group: Group, worth: ShiftWorth):
        self.model = cp_model.CpModel()
        works = new_works(self.model, data, group.agent, group.options)
        add_agent_rules(self.model, data, group.agent, works)
        self.data, self.works = data, works
        self.loads: UnaryLoads | None = None  # made when a fair share first binds
        self.shifts = [(k, queue) for _, k, queue in works]
        self.known = frozenset(self.shifts)
        self.rows = np.array([worth.index[key] for key in self.shifts], dtype=np.int64)
        self.variables = list(works.values())
        self.constant, costs = shift_costs(data, group, self.shifts)
        self.costs = np.array(costs, dtype=float)

    def search(
        self, variables: list, coefficients: list[int], seconds: float, gap: float = 0.0
    ) -> tuple[int, cp_model.CpSolver, AgentWeek | None]:
        """Maximise Σ coefficients × variables over the valid weeks: (CP-SAT status, solver, the best
        week found or None). (Starting from the last week found made column generation converge more
        slowly: the search stays near it.)"""
        self.model.maximize(cp_model.LinearExpr.weighted_sum(variables, coefficients))
        solver = new_solver(seconds, workers=1)
        solver.parameters.relative_gap_limit = gap
        status = solver.solve(self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return status, solver, None
        return status, solver, tuple(sorted(key for key, var in zip(self.shifts, self.variables)
                                            if solver.boolean_value(var)))

    def best_week(
        self, worth: np.ndarray, seconds: float, gap: float = 0.0, shares: Shares = NO_SHARES
    ) -> tuple[str, float, AgentWeek]:
        """(status, worth, week): the valid week of greatest worth (`ShiftWorth.of`) less its
        cost (`week_cost` and the `shares`' charge; or within a relative `gap` of it); UNKNOWN without
        a week when no time is left."""
        if seconds <= 0:
            return "UNKNOWN", -math.inf, ()
        coefficients = np.rint(PRICE_SCALE * (worth[self.rows] - self.costs)).astype(np.int64).tolist()
        if self.loads is None and shares != NO_SHARES:
            self.loads = UnaryLoads(self.model, self.data, self.works)
        loads, load_costs, load_constant = self.loads.terms(shares) if self.loads else ([], [], 0)
        status, solver, week = self.search(
            self.variables + loads, coefficients + [-PRICE_SCALE * cost for cost in load_costs], seconds, gap)
        if week is None:
            return solver.status_name(status), -math.inf, ()
        return solver.status_name(status), solver.objective_value / PRICE_SCALE - self.constant - load_constant, week


class MasterLP:
    """min short + over + preference cost, such that each group's members work one week each."""

    def __init__(self, data: RosterData, groups: list[Group]):
        self.data, self.groups = data, groups
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.objective = self.solver.Objective()
        self.members = [self.solver.Constraint(group.size, group.size) for group in groups]
        self.cover: dict[tuple[str, int], pywraplp.Constraint] = {}
        self.links: dict[tuple[int, object, int], pywraplp.Constraint] = {}  # (k, where it counts, slot)
        self.weeks: dict[tuple[int, AgentWeek], pywraplp.Variable] = {}
        self.shares = [NO_SHARES] * len(groups)
        for queue in data.queues:
            for t in range(data.horizon):
                self.cover[queue, t] = self.cover_row(queue, t)
        self.objective.SetMinimization()

    def cover_row(self, queue: str, t: int) -> pywraplp.Constraint:
        """scheduled + short − over = required, short priced by tier."""
        data = self.data
        needed = data.required.get((queue, t), 0) - data.fixed_coverage.get((queue, t), 0)
        row = self.solver.Constraint(needed, needed)
        for step in data.tiers.get((queue, t), ()):
            short = self.solver.NumVar(0, step.units, "")
            row.SetCoefficient(short, 1)
            self.objective.SetCoefficient(short, step.cost)
        over = self.solver.NumVar(0, self.solver.infinity(), "")
        row.SetCoefficient(over, -1)
        self.objective.SetCoefficient(over, data.over_cost)
        return row

    def add(self, g: int, week: AgentWeek) -> bool:
        """Add a week for group g (False when it is known already)."""
        if (g, week) in self.weeks:
            return False
        group = self.groups[g]
        var = self.solver.NumVar(0, group.size, "")
        self.weeks[g, week] = var
        self.members[g].SetCoefficient(var, 1)
        self.objective.SetCoefficient(var, self.cost(g, week))
        for k, queue in week:
            where = self.counts_on(g, queue)
            if where is None:
                continue
            for t, units in self.data.shifts[k].cover:
                row = self.row(where, t)
                row.SetCoefficient(var, row.GetCoefficient(var) + units)
            for slot in range(len(self.data.shifts[k].breaks)):
                self.link(k, where, slot).SetCoefficient(var, -1)
        return True

    def counts_on(self, g: int, queue: str) -> object:
        """Where a group's shift on `queue` counts (`row`): its queue's coverage rows."""
        return queue

    def row(self, where: object, t: int) -> pywraplp.Constraint:
        return self.cover[where, t]

    def cost(self, g: int, week: AgentWeek) -> int:
        return week_cost(self.data, self.groups[g], week) + self.shares[g].cost(self.data, week)

    def reprice(self, shares: list[Shares]) -> None:
        """Charge every week by these shares from now on."""
        self.shares = shares
        for (g, week), var in self.weeks.items():
            self.objective.SetCoefficient(var, self.cost(g, week))

    def link(self, k: int, where: object, slot: int) -> pywraplp.Constraint:
        """Σ agents taking the break at each offset = agents on the shift (made on first use)."""
        if (k, where, slot) not in self.links:
            row = self.solver.Constraint(0, 0)
            for option in self.data.shifts[k].breaks[slot]:
                taken = self.solver.NumVar(0, self.solver.infinity(), "")
                row.SetCoefficient(taken, 1)
                for t, units in option.lost:
                    lost = self.row(where, t)
                    lost.SetCoefficient(taken, lost.GetCoefficient(taken) - units)
            self.links[k, where, slot] = row
        return self.links[k, where, slot]

    def solve(self) -> float:
        if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
            # GLOP's incremental solve from the last basis can fail ("ABNORMAL", seen on a 4-week horizon's
            # last week); without its presolve the same LP solved
            self.solver.SetSolverSpecificParametersAsString("use_preprocessing: false")
            status = self.solver.Solve()
            self.solver.SetSolverSpecificParametersAsString("")
            if status != pywraplp.Solver.OPTIMAL:
                raise RuntimeError("the master problem's linear relaxation has no optimum")
        return self.objective.Value()

    def member_prices(self) -> list[float]:
        return [row.dual_value() for row in self.members]

    def cover_prices(self) -> dict[tuple[str, int], float]:
        """What one more unit in each (queue, interval) is worth to the relaxation."""
        return {key: row.dual_value() for key, row in self.cover.items()}

    def counts(self) -> dict[tuple[int, AgentWeek], float]:
        return {key: var.solution_value() for key, var in self.weeks.items()}

    def fixed_members(self, g: int) -> int:
        return sum(round(var.lb()) for (h, _), var in self.weeks.items() if h == g)


@dataclass
class WeekSearch:
    """Column generation and diving for one roster, with a pricing model per group."""

    data: RosterData
    groups: list[Group]
    pool: ThreadPoolExecutor
    report: Callable[[str, float], None]
    deadline: float  # a `run.now()` instant: no pricing model solves past it
    workers: int = 1  # the pool's threads: over several weeks the greedy first pass prices this many groups at once

    def __post_init__(self) -> None:
        self.worth = ShiftWorth(self.data)
        planned = self.data if self.data.scenario.night_block else replace(
            self.data, scenario=replace(self.data.scenario, night_block=PLANNED_NIGHT_BLOCK))
        self.pricers = [Pricer(planned, group, self.worth) for group in self.groups]
        self.master = MasterLP(self.data, self.groups)
        # Small centers are finished by the whole-team model from the dive's roster; turns there made
        # that start worse in short runs (2 agents, 2 weeks, 3 s), so they serve larger centers only.
        self.turns = week_turns(self.data) if len(self.data.agents) > WHOLE_MODEL_AGENTS else []

    def add(self, g: int, week: AgentWeek) -> int:
        """Add a week of group g and its turns (`week_turns`) that the group may work; how many were new."""
        return sum(self.master.add(g, turned) for turned in turned_weeks(week, self.turns, self.pricers[g].known))

    def recentre_shares(self) -> float:
        """Centre the fair shares on the relaxation's weeks (`engine.shares`); the relaxation's
        objective at the new charges."""
        self.master.solve()
        members = [(group.agent, group.size) for group in self.groups]
        self.master.reprice(fair_shares(self.data, members, self.master.counts()))
        return self.master.solve()

    def first_weeks(self) -> list[Group]:
        """A week per group, greedily against the demand still open (over several weeks, where each
        search takes long, as many groups at once as there are workers); a group whose search ran out
        of time is tried again after the others with twice the time. The groups without a week: first
        those whose rules contradict each other, then those without a week by the deadline."""
        data = self.data
        open_need = {key: needed - data.fixed_coverage.get(key, 0) for key, needed in data.required.items()}
        contradicting: list[Group] = []
        pending = sorted(range(len(self.groups)), key=lambda g: len(self.groups[g].options))
        seconds = FIRST_WEEK_SECONDS
        at_once = self.workers if data.weeks > 1 else 1
        while pending and now() < self.deadline:
            late = []
            for first in range(0, len(pending), at_once):
                batch = pending[first:first + at_once]
                worth = self.worth.of(self.worth.prices({
                    (queue, t): data.tiers[queue, t][0].cost if open_need.get((queue, t), 0) > 0 else -data.over_cost
                    for queue in data.queues for t in range(data.horizon)
                }))

                def find(g: int, worth=worth):
                    return self.pricers[g].best_week(worth, min(seconds, self.deadline - now()), FIRST_WEEK_GAP)

                for g, (status, _, week) in zip(batch, self.pool.map(find, batch)):
                    if not week and status not in ("OPTIMAL", "FEASIBLE"):
                        (contradicting if status == "INFEASIBLE" else late).append(g)
                        continue
                    self.add(g, week)
                    for k, queue in week:
                        for t, units in data.shifts[k].nominal_cover():
                            open_need[queue, t] = open_need.get((queue, t), 0) - self.groups[g].size * units
            pending, seconds = late, 2 * seconds
        return [self.groups[g] for g in contradicting + pending]

    def price(self, groups: list[int]) -> int:
        """Price the given groups at the current duals (in parallel, none past the deadline); how
        many weeks joined."""
        members = self.master.member_prices()
        shift_worth = self.worth.of(self.worth.prices(self.master.cover_prices()))

        shares = self.master.shares

        def best(g: int):
            return self.pricers[g].best_week(shift_worth, min(PRICING_SECONDS, self.deadline - now()), shares=shares[g])

        added = 0
        for g, (_, value, week) in zip(groups, self.pool.map(best, groups)):
            if week and value > members[g] + 1 / PRICE_SCALE + 1e-9 * abs(members[g]):
                added += self.add(g, week)
        return added

    def generate(self, stop: float) -> None:
        """Price every group until no week would lower the relaxation, or `stop` (a round begun
        goes on to its end); the fair shares are centred on the relaxation at least once."""
        everyone = list(range(len(self.groups)))
        self.report("weeks", self.recentre_shares())
        while now() < stop and self.price(everyone):
            self.report("weeks", self.recentre_shares())

    def dive(self, pricing_deadline: float, stop: float) -> dict[tuple[int, AgentWeek], int]:
        """Round up the most nearly whole fractional counts (one week per group a step; weeks within
        their fair shares first), solve again and, before `pricing_deadline`, price the groups not yet
        fixed; until all are whole, or until `stop`, when every group's counts are rounded at once
        (`whole_counts`)."""
        while True:
            objective = self.master.solve()
            counts = self.master.counts()
            fractional = {key: value for key, value in counts.items() if value - math.floor(value + INTEGRAL) > INTEGRAL}
            if not fractional or now() >= stop:
                self.report("dive", objective)
                return whole_counts(self.groups, counts)
            for key, value in counts.items():  # keep what is whole already
                self.master.weeks[key].SetLb(math.floor(value + INTEGRAL))
            rounded: set[int] = set()
            for key in sorted(fractional, key=lambda key: (self.master.shares[key[0]].cost(self.data, key[1]) > 0,
                                                          math.floor(fractional[key]) - fractional[key])):
                if key[0] not in rounded:
                    self.master.weeks[key].SetLb(math.ceil(fractional[key]))
                    rounded.add(key[0])
                if len(rounded) >= max(1, ROUND_UP_SHARE * len(fractional)):
                    break
            if now() < pricing_deadline:
                self.master.solve()
                open_groups = [g for g, group in enumerate(self.groups) if self.master.fixed_members(g) < group.size]
                self.price(open_groups)


def whole_counts(groups: list[Group], counts: dict[tuple[int, AgentWeek], float]) -> dict[tuple[int, AgentWeek], int]:
    """Whole counts from the relaxation's: each group's counts rounded down, and its members left
    over given the weeks of largest remainder (so each member still works one of its weeks)."""
    whole = {key: math.floor(value + INTEGRAL) for key, value in counts.items()}
    for g, group in enumerate(groups):
        mine = sorted((key for key in counts if key[0] == g), key=lambda key: whole[key] - counts[key])
        for key in mine[: group.size - sum(whole[key] for key in mine)]:
            whole[key] += 1
    return {key: value for key, value in whole.items() if value}


def week_turns(data: RosterData) -> list[dict[int, int]]:
    """When a horizon of several weeks repeats, per r = 1 … weeks − 1 the map from each shift type to
    the same shift r weeks later, around the horizon. A valid week turned so stays valid: every rule
    holds alike in every week and wraps around the horizon's edges (only time off differs, which
    `turned_weeks` checks through the shifts the group may work)."""
    if not data.scenario.cyclic or data.weeks < 2:
        return []
    index = {(facts.shift.start, facts.shift.length): k for k, facts in enumerate(data.shifts)}
    horizon = data.scenario.config.horizon_minutes
    return [
        {k: index[(facts.shift.start + turn * MINUTES_PER_WEEK) % horizon, facts.shift.length]
         for k, facts in enumerate(data.shifts)}
        for turn in range(1, data.weeks)
    ]


def turned_weeks(week: AgentWeek, turns: list[dict[int, int]], allowed: frozenset[tuple[int, str]]) -> list[AgentWeek]:
    """The week and those of its turns whose every shift is `allowed`."""
    turned = (tuple(sorted((turn[k], queue) for k, queue in week)) for turn in turns)
    return [week] + [other for other in turned if all(key in allowed for key in other)]


def assignment_of(groups: list[Group], counts: dict[tuple[int, AgentWeek], int]) -> Assignment:
    """Hand each group's weeks to its members (they are interchangeable)."""
    assignment: Assignment = {}
    for g, group in enumerate(groups):
        weeks = [week for (h, week), count in sorted(counts.items()) if h == g for _ in range(count)]
        for agent_id, week in zip(group.agent_ids, weeks):
            assignment[agent_id] = list(week)
    return assignment




def candidate_options(data: RosterData, mix: dict[tuple[int, str], float]) -> dict[str, list[tuple[int, str]]]:
    """Per agent, the shifts of the mix (clock start, length and queue) on any day that it may work,
    and its baseline's shifts (keeping them must stay possible); all its eligible shifts when those
    could not make up its contract's minimum hours. (The linear mix is degenerate: it may put a
    shift on some days only where any day would do.)"""
    shapes = {(data.shifts[k].shift.clock_start, data.shifts[k].shift.length, queue) for k, queue in mix}
    options = {}
    for agent in data.agents:
        eligible = data.eligible[agent.agent_id]
        published = set(data.baseline.get(agent.agent_id, {}).values())
        pooled = [(k, q) for k, q in eligible
                  if (data.shifts[k].shift.clock_start, data.shifts[k].shift.length, q) in shapes or (k, q) in published]
        options[agent.agent_id] = pooled if reaches_contract(data, agent, pooled) else eligible
    return options


def reaches_contract(data: RosterData, agent: Agent, shifts: list[tuple[int, str]]) -> bool:
    """Whether the longest of these shifts on as many days as a week allows pay the contract's
    minimum: in every week, or over the horizon when contract hours are averaged."""
    longest: dict[int, int] = {}
    for k, _ in shifts:
        longest[data.shifts[k].day] = max(longest.get(data.shifts[k].day, 0), data.shifts[k].paid)
    limit = agent_day_limit(agent, data.scenario.config.rules)
    reachable = [sum(sorted((paid for day, paid in longest.items() if day // 7 == week), reverse=True)[:limit])
                 for week in range(data.weeks)]
    minimum = agent.min_hours * 60
    if data.scenario.config.rules.contract_hours == "horizon":
        return sum(reachable) >= minimum * data.weeks
    return min(reachable) >= minimum


def plan_weeks(
    data: RosterData, options: dict[str, list[tuple[int, str]]], run: Run, known: KnownWeeks | None = None
) -> tuple[dict[str, list[tuple[int, str]]], Assignment, list[Group]]:
    """A first roster by column generation and diving (this module), with the candidate
    shifts each agent ended up with; the groups of alike agents without any valid week (their
    rules contradict each other, or no week was found in time) come back instead, with no roster.
    `known`, when given, receives every valid week found, per agent (they seed `engine.bound`)."""
    began = time.monotonic()
    with thread_pool(run.workers) as pool:
        search = WeekSearch(data, agent_groups(data, options), pool, week_reporter(run), run.deadline, run.workers)
        stuck_groups = search.first_weeks()
        # the mix's shapes may not fit their rules: try every shift they may work, while time is left
        if stuck_groups and now() < run.deadline:
            options = options | {a: data.eligible[a] for group in stuck_groups for a in group.agent_ids}
            search = WeekSearch(data, agent_groups(data, options), pool, week_reporter(run), run.deadline, run.workers)
            stuck_groups = search.first_weeks()
        if stuck_groups:
            run.stage_seconds["weeks"] = time.monotonic() - began
            return options, {}, stuck_groups
        search.generate(run.started + GENERATE_TIME_SHARE * run.time_limit)
        counts = search.dive(run.started + DIVE_PRICING_TIME_SHARE * run.time_limit,
                             run.started + DIVE_TIME_SHARE * run.time_limit)
    if known is not None:
        for g, week in search.master.weeks:
            for agent_id in search.groups[g].agent_ids:
                known.setdefault(agent_id, []).append(week)
    run.stage_seconds["weeks"] = time.monotonic() - began
    return options, assignment_of(search.groups, counts), []


def week_reporter(run: Run) -> Callable[[str, float], None]:
    """Progress of the relaxation: its objective after each round of weeks or diving step."""
    rounds = {"count": 0}

    def report(stage: str, objective: float) -> None:
        rounds["count"] += 1
        run.report({"stage": stage, "solutions": rounds["count"], "objective": objective / COST_SCALE, "bound": 0.0})

    return report
