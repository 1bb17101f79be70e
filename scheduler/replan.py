"""Intraday repair (`wfm replan`): a published roster re-planned from a moment on, after absences.

`replan(scenario, published, from_time, absences)`:

- Everything before `from_time` stays exactly as published, and so does a shift under way at
  `from_time`, breaks included: it has started and its agent is at work.
- An absent agent loses every shift from the absence's start: a shift under way when the absence
  starts ends there (the agent goes home and does not come back that shift; a break the cut falls in
  goes too), a shift starting inside the absence is gone. The absent agent's other shifts stay as
  published (so the agent is not called in on the days around the absence).
- Every other agent's shifts from `from_time` on are re-planned in one CP-SAT model under every hard
  rule (the frozen shifts held fixed in it), starting from the published roster and charged
  `weights.change` for every shift that differs from it, as `wfm roster --baseline` does. So that the
  smallest change wins among equals (extending a shift by an hour before calling someone in for a day),
  a changed shift also costs `MOVED_HOUR_SHARE` of that charge per hour it moves (hours it gains or
  loses against the agent's published shift that day, or its length on a published day off). A shift
  kept unchanged keeps its breaks; new shifts get theirs from the model. Fairness spreads are not
  re-weighed: the re-plan weighs coverage, changes and preferences.

The absences join the scenario as `Scenario.absences` (`with_absences`): no work in them, a shift they
cut short passes the checker as the template shift it began as, and the weeks they touch are not held
to the contract minimum. Check a re-planned roster against that scenario.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from ortools.sat.python import cp_model

from scheduler import baseline
from scheduler.check import check_roster
from scheduler.costs import COST_SCALE, SOFT
from scheduler.engine.coverage import add_break_counts, add_coverage, over_staffing_cost, short_staffing_cost
from scheduler.engine.data import RosterData, ShiftFacts, units_of
from scheduler.engine.hard_rules import new_works
from scheduler.engine.result import roster_table
from scheduler.engine.run import Progress, Run
from scheduler.engine.soft_rules import change_prices, preference_cost
from scheduler.engine.whole_team import complete_hint
from scheduler.evaluate import coverage_table
from scheduler.roster import ROSTER_COLUMNS, RosterShift, segment_rows, shifts_from_roster
from scheduler.rules import add_agent_rules
from scheduler.scenario import Scenario, TimeOff
from scheduler.solve import RosterResult
from tabular import MAX_PROBLEMS, InputError, Problem

REPAIR_SECONDS = 5.0  # the default time limit: a repair is wanted within seconds
MOVED_HOUR_SHARE = 0.05  # of weights.change, per hour a changed shift moves from the published one
ABSENCE_REASON = "absent"
PUBLISHED = "published roster"

Key = tuple[str, int, str]  # agent, shift type, queue


@dataclass(frozen=True)
class Absence:
    """An agent absent from `start` until `end` (None: the end of the horizon)."""

    agent_id: str
    start: dt.datetime
    end: dt.datetime | None = None


def replan(
    scenario: Scenario,
    published: pd.DataFrame,
    from_time: dt.datetime,
    absences: Iterable[Absence] = (),
    time_limit: float | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> tuple[RosterResult, dict[str, list[str]]]:
    """The published roster (a roster table of the scenario's horizon) repaired from `from_time` on
    after the absences (see the module's description), in at most `time_limit` seconds (default
    `REPAIR_SECONDS`, or the scenario's solver limit when lower) on `workers` threads (default the
    scenario's). Returns the roster and, per agent with a change, `old → new` per changed day (as
    `scheduler.baseline.changes`). Bad input (a roster not of this scenario, `from_time` outside the
    horizon, an unknown agent, an absence ending before it starts or starting before `from_time`)
    raises InputError. `with_absences(scenario, published, from_time, absences)` is the scenario to
    check or evaluate the roster against."""
    settings = scenario.config.solver
    run = Run(time_limit or min(REPAIR_SECONDS, settings.time_limit_seconds), workers or settings.workers,
              settings.seed, progress)
    repair = with_absences(scenario, published, from_time, absences)
    plan = Plan.of(repair, scenario.minutes(from_time))
    data = RosterData.build(repair)
    data.fixed_coverage = plan.fixed_coverage(data)
    model = RepairModel.build(data, plan)
    status, chosen, free_breaks, objective, bound = model.solve(run)
    roster = repaired_roster(data, plan, chosen, free_breaks)
    return result(repair, data, run, roster, status, objective, bound), changes(repair, roster)


def with_absences(scenario: Scenario, published: pd.DataFrame, from_time: dt.datetime,
                  absences: Iterable[Absence]) -> Scenario:
    """The scenario of a re-plan: the published roster as its baseline, the absences (each to the end of
    the horizon when it has no end) as `Scenario.absences`. InputError when the inputs do not fit (see
    `replan`)."""
    horizon_end = scenario.timestamp(scenario.config.horizon_minutes)
    spans = [dataclasses.replace(absence, end=absence.end or horizon_end) for absence in absences]
    problems = moment_problems(scenario, from_time) + absence_problems(scenario, from_time, spans)
    problems += published_problems(scenario, published)
    if problems:
        raise InputError(problems[:MAX_PROBLEMS])
    return dataclasses.replace(scenario, baseline=published, absences=tuple(
        TimeOff(agent_id=span.agent_id, start=span.start, end=span.end, reason=ABSENCE_REASON) for span in spans))


def moment_problems(scenario: Scenario, from_time: dt.datetime) -> list[Problem]:
    first, end = scenario.week_start, scenario.timestamp(scenario.config.horizon_minutes)
    if first <= from_time < end:
        return []
    return [Problem(f"{from_time:%Y-%m-%d %H:%M} is outside the horizon planned, {first:%Y-%m-%d %H:%M} to "
                    f"{end:%Y-%m-%d %H:%M}; re-plan from a moment inside it", "--from")]


def absence_problems(scenario: Scenario, from_time: dt.datetime, absences: list[Absence]) -> list[Problem]:
    """An absence names a known agent, ends after it starts, and starts inside the horizon at or after
    `from_time` (before it the roster is frozen: what happened happened)."""
    known = {agent.agent_id for agent in scenario.agents}
    horizon_end = scenario.timestamp(scenario.config.horizon_minutes)
    problems = []
    for absence in absences:
        where = f"absence of {absence.agent_id} from {absence.start:%Y-%m-%d %H:%M}"
        if absence.agent_id not in known:
            problems.append(Problem(f"unknown agent '{absence.agent_id}': not one of the scenario's agents", where))
        elif absence.end <= absence.start:
            problems.append(Problem(f"it ends ({absence.end:%Y-%m-%d %H:%M}) before it starts", where))
        elif absence.start < from_time:
            problems.append(Problem(f"it starts before the re-plan's moment ({from_time:%Y-%m-%d %H:%M}), and the "
                                    "roster before that moment is kept as it was; start it then or later", where))
        elif absence.start >= horizon_end:
            problems.append(Problem(f"it starts after the horizon planned (it ends {horizon_end:%Y-%m-%d %H:%M})", where))
    return problems


def published_problems(scenario: Scenario, published: pd.DataFrame) -> list[Problem]:
    """A published roster fit to repair is a valid roster of this scenario's horizon (the repair keeps its
    frozen part, so that part must keep every rule)."""
    try:
        violations = check_roster(published, scenario)
    except InputError as error:
        return [dataclasses.replace(problem, file=PUBLISHED) for problem in error.problems]
    return [Problem(f"is not a valid roster of this scenario: {violation.message}", PUBLISHED)
            for violation in violations]


@dataclass
class Plan:
    """The published roster split for the repair: rows kept as they are (before the moment, under way
    at it, an absent agent's), the model agents' frozen shifts and their published shifts to re-plan."""

    start: int  # the re-plan's moment, in minutes from week_start
    scenario: Scenario
    kept_rows: list[tuple]
    kept_work: list[tuple[str, tuple[tuple[str, int, int], ...]]]  # (queue, segments) of the kept rows
    frozen: dict[str, list[RosterShift]]  # model agent -> shifts starting before the moment
    open: dict[str, dict[int, RosterShift]]  # model agent -> day -> published shift from the moment on
    absent: set[str]
    lost: list[RosterShift]  # the absent agents' published shifts the absences cut or took

    @classmethod
    def of(cls, repair: Scenario, start: int) -> "Plan":
        absences = defaultdict(list)
        for absence in repair.absences:
            absences[absence.agent_id].append((repair.minutes(absence.start), repair.minutes(absence.end)))
        plan = cls(start, repair, [], [], defaultdict(list), defaultdict(dict), set(absences), [])
        for shift in shifts_from_roster(repair.baseline, repair, PUBLISHED):
            if shift.agent_id in absences:
                kept = cut(shift, absences[shift.agent_id])
                plan.keep(shift, kept)
                if kept != shift.segments:
                    plan.lost.append(shift)
            elif shift.start < start:
                plan.keep(shift, shift.segments)
                plan.frozen[shift.agent_id].append(shift)
            else:
                plan.open[shift.agent_id][shift.day] = shift
        return plan

    def keep(self, shift: RosterShift, pieces: tuple[tuple[str, int, int], ...]) -> None:
        self.kept_rows += segment_rows(self.scenario, shift.agent_id, shift.name, shift.queue, list(pieces))
        self.kept_work.append((shift.queue, pieces))

    def fixed_coverage(self, data: RosterData) -> dict[tuple[str, int], int]:
        """The previous roster's coverage and that of the rows kept as they are."""
        coverage = defaultdict(int, data.fixed_coverage)
        for queue, pieces in self.kept_work:
            add_work(data, coverage, queue, pieces)
        return dict(coverage)


def cut(shift: RosterShift, absences: list[tuple[int, int]]) -> tuple[tuple[str, int, int], ...]:
    """The segments of an absent agent's shift before its first absence that overlaps it (all of them
    when none does), ending with work: the agent goes home at the absence, or at the break it falls in."""
    starts = [begin for begin, end in absences if begin < shift.end and end > shift.start]
    if not starts:
        return shift.segments
    until = min(starts)
    pieces = [(activity, begin, min(end, until)) for activity, begin, end in shift.segments if begin < until]
    while pieces and pieces[-1][0] != "work":
        pieces.pop()
    return tuple(pieces)


@dataclass
class RepairModel:
    """The model agents' shifts over the horizon (frozen ones fixed), their rules, coverage from the
    moment on, and the costs of short and over staffing, changes and preferences."""

    model: cp_model.CpModel
    works: dict[Key, cp_model.IntVar]
    published: set[Key]  # each model agent's published shifts from the moment on (hinted)
    frozen: set[Key]
    free_breaks: dict  # (k, queue, slot, offset) -> agents of new shifts taking the break there

    @classmethod
    def build(cls, data: RosterData, plan: Plan) -> "RepairModel":
        model = cp_model.CpModel()
        works: dict[Key, cp_model.IntVar] = {}
        frozen = {key for agent_id, shifts in plan.frozen.items() for key in shift_keys(data, agent_id, shifts)}
        published = {key for agent_id, days in plan.open.items()
                     for key in shift_keys(data, agent_id, days.values())}
        gaps = absence_gaps(data, plan)
        for agent in data.agents:
            if agent.agent_id in plan.absent:
                continue
            options = [(k, queue) for _, k, queue in sorted(key for key in frozen if key[0] == agent.agent_id)]
            options += [(k, queue) for k, queue in data.eligible[agent.agent_id]
                        if data.shifts[k].shift.start >= plan.start
                        and ((agent.agent_id, k, queue) in published or helps(data.shifts[k], queue, gaps))]
            mine = new_works(model, data, agent, options)
            add_agent_rules(model, data, agent, mine)
            works.update(mine)
        for key in frozen:
            model.add(works[key] == 1)
        keeps_breaks = {key: offsets for key in published if (offsets := published_offsets(data, plan, key))}
        free_breaks, coverage = add_repair_coverage(model, data, works, frozen, keeps_breaks)
        costs = [short_staffing_cost(data, coverage), over_staffing_cost(data, coverage),
                 preference_cost(data, works), change_cost(data, plan, works)]
        model.minimize(sum(costs))
        for key, var in works.items():
            model.add_hint(var, key in frozen or key in published)
        complete_hint(model)
        return cls(model, works, published, frozen, free_breaks)

    def solve(self, run: Run) -> tuple[str, set[Key], dict, float | None, float | None]:
        """Status, the shifts worked, the new shifts' break counts, objective and bound (cost units).
        Without a solution in time, the published roster less the absences (the hint, valid)."""
        status, solver = run.solve(self.model, run.remaining(), "repair", 1 / COST_SCALE, presolve=False)
        if status not in ("OPTIMAL", "FEASIBLE"):
            return status, self.frozen | self.published, {}, None, None
        chosen = {key for key, var in self.works.items() if solver.boolean_value(var)}
        breaks = {key: value for key, count in self.free_breaks.items() if (value := int(solver.value(count)))}
        # every cost is at least 0 (the model's constants included), whatever the search proved so far
        bound = max(0.0, solver.best_objective_bound / COST_SCALE)
        return status, chosen, breaks, solver.objective_value / COST_SCALE, bound


def absence_gaps(data: RosterData, plan: Plan) -> set[tuple[str, int]]:
    """(queue, interval) that the absences leave short of the requirement: the repair's candidate shifts
    cover one of them (the roster's other shortfalls were there when it was published)."""
    cover = defaultdict(int, data.fixed_coverage)
    for days in plan.open.values():
        for shift in days.values():
            add_work(data, cover, shift.queue, shift.segments)
    before = defaultdict(int, cover)
    for shift in plan.lost:
        add_work(data, before, shift.queue, shift.segments)
    return {key for key, needed in data.required.items() if before[key] > cover[key] and needed > cover[key]}


def add_work(data: RosterData, cover: dict[tuple[str, int], int], queue: str, pieces) -> None:
    """The work pieces' coverage units (an absence cutting a shift at a minute the unit does not
    divide counts to the unit before it)."""
    for activity, begin, end in pieces:
        for t, units in units_of(data.week.worked_minutes(begin, end), data.unit_minutes) if activity == "work" else ():
            cover[queue, t] += units


def helps(facts: ShiftFacts, queue: str, gaps: set[tuple[str, int]]) -> bool:
    """Whether a shift on the queue covers one of the gaps (breaks in the middle of their windows)."""
    return any((queue, t) in gaps for t, _ in facts.nominal_cover())


def shift_keys(data: RosterData, agent_id: str, shifts: Iterable[RosterShift]) -> list[Key]:
    """The (agent, shift type, queue) of published shifts, as the baseline maps them (every published
    shift is a template shift: the roster was checked)."""
    keys = []
    for shift in shifts:
        k, queue = data.baseline[agent_id][shift.day]
        keys.append((agent_id, k, queue))
    return keys


def published_offsets(data: RosterData, plan: Plan, key: Key) -> tuple[int, ...] | None:
    """The published shift's break offsets, one per break slot, when the model knows them all."""
    agent_id, k, _ = key
    facts = data.shifts[k]
    shift = plan.open[agent_id][facts.day]
    offsets = tuple(begin - shift.start for _, begin, _ in shift.breaks)
    known = len(offsets) == len(facts.breaks) and all(
        any(option.offset == offset for option in options) for offset, options in zip(offsets, facts.breaks))
    return offsets if known else None


def add_repair_coverage(model: cp_model.CpModel, data: RosterData, works: dict[Key, cp_model.IntVar],
                        frozen: set[Key], keeps_breaks: dict[Key, tuple[int, ...]]):
    """Coverage rows: the frozen shifts are in `data.fixed_coverage`; a published shift kept counts with
    its published breaks; the new shifts' breaks are placed by the model (counts per offset)."""
    free: dict[tuple[int, str], list] = defaultdict(list)
    for key, var in works.items():
        if key not in frozen and key not in keeps_breaks:
            free[key[1:]].append(var)
    counts: dict[tuple[int, str], object] = {key: sum(variables) for key, variables in free.items()}
    free_breaks = add_break_counts(model, data, counts, {key: len(variables) for key, variables in free.items()})
    breaks = dict(free_breaks)
    for (agent_id, k, queue), offsets in keeps_breaks.items():
        var = works[agent_id, k, queue]
        counts[k, queue] = counts.get((k, queue), 0) + var
        for slot, offset in enumerate(offsets):
            breaks[k, queue, slot, offset] = breaks.get((k, queue, slot, offset), 0) + var
    return free_breaks, add_coverage(model, data, counts, breaks)


def change_cost(data: RosterData, plan: Plan, works: dict[Key, cp_model.IntVar]) -> cp_model.LinearExprT:
    """`weights.change` per shift that differs from the published one (`soft_rules.change_prices`), and
    `MOVED_HOUR_SHARE` of it per hour of difference between the published shift of a day and the new
    one (a day off counting as no hours): the published length when a day is left off, plus the minutes
    the new shift works outside it, and the reverse, when it is another."""
    per_minute = MOVED_HOUR_SHARE * SOFT["change"].unit_price(data.scenario.config.weights) / 60
    by_agent: dict[str, list[tuple[Key, cp_model.IntVar]]] = defaultdict(list)
    for key, var in works.items():
        by_agent[key[0]].append((key, var))
    total = 0
    for agent_id, mine in by_agent.items():
        published = plan.open[agent_id]
        constant, prices = change_prices(data, agent_id, [key[1:] for key, _ in mine])
        moved = [round(per_minute * (moved_minutes(data, published, k) - was_length(data, published, k)))
                 for (_, k, _), _ in mine]
        constant += round(per_minute * sum(shift.length for shift in published.values()))
        total += constant + cp_model.LinearExpr.weighted_sum([var for _, var in mine],
                                                             [price + move for price, move in zip(prices, moved)])
    return total


def moved_minutes(data: RosterData, published: dict[int, RosterShift], k: int) -> int:
    """Minutes shift type k works that the agent's published shift of its day does not, and the reverse."""
    shift = data.shifts[k].shift
    was = published.get(shift.day)
    if was is None:
        return shift.length
    overlap = max(0, min(shift.end, was.end) - max(shift.start, was.start))
    return shift.length + was.length - 2 * overlap


def was_length(data: RosterData, published: dict[int, RosterShift], k: int) -> int:
    was = published.get(data.shifts[k].day)
    return 0 if was is None else was.length


def repaired_roster(data: RosterData, plan: Plan, chosen: set[Key], free_breaks: dict) -> pd.DataFrame:
    """The rows kept as they are, the published shifts kept with their breaks, and the new shifts with
    the breaks the model placed."""
    rows = list(plan.kept_rows)
    new: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for agent_id, k, queue in sorted(chosen):
        day = data.shifts[k].day
        was = plan.open.get(agent_id, {}).get(day)
        if data.shifts[k].shift.start < plan.start:
            continue  # frozen: among the kept rows
        if was is not None and data.baseline[agent_id][day] == (k, queue) and published_offsets(
                data, plan, (agent_id, k, queue)) is not None:
            rows += segment_rows(plan.scenario, agent_id, was.name, queue, list(was.segments))
        else:
            new[agent_id].append((k, queue))
    parts = [part for part in (pd.DataFrame(rows, columns=ROSTER_COLUMNS), roster_table(data, dict(new), free_breaks))
             if not part.empty]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=ROSTER_COLUMNS)
    return table.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)


def result(repair: Scenario, data: RosterData, run: Run, roster: pd.DataFrame, status: str,
           objective: float | None, bound: float | None) -> RosterResult:
    """The repair as a RosterResult, its figures measured on the roster itself (`evaluate`)."""
    coverage = coverage_table(roster, repair)
    hours = data.week.interval_minutes / 60
    gap = coverage["required"] - coverage["scheduled"]
    terms = {"short_hours": float(gap.clip(lower=0).sum() * hours), "over_hours": float((-gap).clip(lower=0).sum() * hours),
             "changes": float(sum(len(lines) for lines in changes(repair, roster).values()))}
    warnings = [] if objective is not None else [
        f"No repair was found within the time limit ({run.time_limit:g} s): the roster is the published one "
        "less the absences. Try a longer time limit."]
    return RosterResult(roster=roster, status=status, objective=objective, best_bound=bound,
                        wall_seconds=run.wall_seconds(), lower_bound_short_hours=None,
                        required_hours=data.required_hours, terms=terms, warnings=warnings,
                        stage_seconds=dict(run.stage_seconds))


def changes(repair: Scenario, roster: pd.DataFrame) -> dict[str, list[str]]:
    return baseline.changes(repair, shifts_from_roster(roster, repair))
