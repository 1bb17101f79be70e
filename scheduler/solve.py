"""The roster engine's front door: `solve_roster(scenario)` runs the stages of `scheduler.engine`
and reports the result rule by rule.

1. Shift mix (`engine.mix`): how many agents work each shift type and queue, with every break
   placement free, under supply limits that keep it a relaxation of the agent problem. Its linear
   relaxation (GLOP) bounds from below how little short staffing any roster can reach (a weak
   bound: it knows no agent's rules). The shifts it uses (clock start, length, queue), on any day,
   are the agents' candidate shifts.
2. Named agents (`engine.columns`): agents with the same rules form groups; column generation
   finds, per group, valid weeks (a one-agent CP-SAT model priced at the duals of the master's
   linear relaxation), and diving rounds the master to whole weeks, pricing again as it goes.
   A center of at most `WHOLE_MODEL_AGENTS` agents is then solved as one exact CP-SAT model
   (`engine.whole_team`, every agent, breaks placed by the solver), hinted with that roster.
   Once a first roster is known, `engine.bound` proves a better bound on short staffing by
   column generation over every agent's valid weeks of all its eligible shifts (a Lagrangian
   bound, the master's LP value when it converged); the better of the two is reported.
3. Breaks (`engine.breaks`, CP-SAT): with the shifts fixed, every break is placed inside its
   window to protect coverage.
   Polishing (`engine.polish`, CP-SAT): with the time left, a few agents at a time are re-planned
   on one day (every shift they may work there, breaks placed), the rest held, wherever a step
   lowers short staffing or another cost without widening a spread; then
   `engine.result.roster_table` writes the roster. A roster the whole-team model proved optimal
   is left as it is.

Coverage is soft, so only an agent's own hard rules can contradict each other: an agent for
whom no valid week exists is named, with the rules and days, by `engine.diagnose`. Every stage,
the diagnosis included, keeps to the time limit (the diagnosis to at least `DIAGNOSIS_SECONDS`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from functools import partial

import pandas as pd

from scheduler.check import check_roster
from scheduler.costs import COST_SCALE
from scheduler.engine import diagnose
from scheduler.engine.bound import MIX_KIND, ShortBound, best_short_bound, mix_bound
from scheduler.engine.blocks import BLOCK_TIME_SHARE, assign_queue_blocks, has_blocks, response_warnings
from scheduler.engine.breaks import place_breaks
from scheduler.engine.columns import KnownWeeks, plan_weeks, candidate_options
from scheduler.engine.data import Assignment, BreakCounts, RosterData, assignment_of
from scheduler.engine.mix import solve_mix
from scheduler.engine.polish import polish_roster
from scheduler.engine.result import roster_table, score, total_cost
from scheduler.engine.run import Progress, Run, deterministic_clock, now
from scheduler.engine.weeks import plan_in_turn, plans_in_turn, short_bound_units
from scheduler.engine.whole_team import whole_model
from scheduler.roster import ROSTER_COLUMNS, validate_roster
from scheduler.scenario import Scenario


# of the time limit, kept for scoring the roster and writing its table after the break pass (a few
# seconds at 300 agents over 4 weeks)
FINISH_TIME_SHARE = 0.02
# The horizon's bound, week by week, after the weeks are planned and before their polish, which then has
# what the bound leaves (4 one-week LPs took 4.4 s of 120 on an idle machine and 33 s on a busy one:
# done first, they starved the weeks)
HORIZON_BOUND_TIME_SHARE = 0.05
# The horizon's polish, after its weeks planned in turn: the steps see the weeks' edges and the wrap,
# which no week's solve could change
HORIZON_POLISH_TIME_SHARE = 0.15
DIAGNOSIS_SECONDS = 5.0  # at least, for saying why agents have no valid week, even past the time limit


@dataclass(frozen=True)
class RosterResult:
    """A roster and how it was found.

    `objective` is the weighted cost (the sum of `costs`); `best_bound` a proven lower bound on it.
    `lower_bound_short_hours` is a proven lower bound on the short staffing of any roster, in
    agent-hours, and `bound_kind` says which bound it is (`engine.bound`); `terms` are the figures by rule (short_hours, lost_contacts, over_hours,
    night_spread, weekend_spread, preference_misses) and `costs` their weighted costs.
    `warnings` are sentences about what no roster can do (hours of a queue nobody may work).
    `infeasibility` explains, in sentences, hard rules that contradict each other (then the
    roster is empty and the status INFEASIBLE; UNKNOWN, with no sentences, when no week was found in
    time for some agent whose rules do not contradict). OPTIMAL means proven: the objective equals
    `best_bound`, either because one model held every agent with every shift it may work and was
    solved to optimality (breaks placed optimally too) or because the cost is all short staffing at
    the proven bound; otherwise FEASIBLE (a valid roster, how far from the best is not proven). `stage_seconds` are wall seconds per stage."""

    roster: pd.DataFrame
    status: str
    objective: float | None
    best_bound: float | None
    wall_seconds: float
    lower_bound_short_hours: float | None
    required_hours: float
    bound_kind: str | None = None
    terms: dict[str, float] = field(default_factory=dict)
    costs: dict[str, float] = field(default_factory=dict)
    infeasibility: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def short_hours(self) -> float | None:
        return self.terms.get("short_hours")

    @property
    def short_percent(self) -> float | None:
        return percent(self.short_hours, self.required_hours)

    @property
    def lower_bound_short_percent(self) -> float | None:
        return percent(self.lower_bound_short_hours, self.required_hours)


def percent(hours: float | None, required: float) -> float | None:
    if hours is None:
        return None
    return 100 * hours / required if required else 0.0


def solve_roster(
    scenario: Scenario,
    time_limit: float | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    deterministic: bool | None = None,
) -> RosterResult:
    """The best roster found within `time_limit` seconds (default: the scenario's solver settings).
    `deterministic` (default: `solver.deterministic`): the same roster on every run with the same
    inputs and seed, on one worker, the time limit counted in CP-SAT's deterministic seconds."""
    settings = scenario.config.solver
    limit = time_limit or settings.time_limit_seconds
    if settings.deterministic if deterministic is None else deterministic:
        with deterministic_clock():
            return solve_in(scenario, Run(limit, 1, settings.seed, progress))
    return solve_in(scenario, Run(limit, workers or settings.workers, settings.seed, progress))


def solve_in(scenario: Scenario, run: Run, prove_bound: bool = True, in_turn: bool = True,
             explain: bool = True) -> RosterResult:
    """The best roster found by the run's clock and time limit; without `prove_bound` the bound is the
    shift mix's (a week planned in turn: its own bound proves nothing of the horizon); without `in_turn`
    a horizon is solved as a whole even where `weeks.plans_in_turn`; without `explain` no time is spent
    saying why some agent got no week (a week planned in turn: the horizon's solve says it, if it must)."""
    data = RosterData.build(scenario)
    warnings = diagnose.uncovered_hours(data) + response_warnings(data)
    problems = diagnose.precheck(data)
    if problems:
        return no_roster(data, run, problems, warnings)
    if in_turn and plans_in_turn(data):
        return planned_in_turn(data, run, warnings)

    mix, mix_short_hours = solve_mix(data, run)
    known: KnownWeeks = {}
    options, weeks, stuck = plan_weeks(data, candidate_options(data, mix), run, known)
    if stuck:
        sentences = diagnose.explain(data, [group.members for group in stuck],
                                     max(run.deadline, now() + DIAGNOSIS_SECONDS), run.workers) if explain else []
        return no_roster(data, run, sentences, warnings)
    # The queue-block pass takes its time from the stages after the weeks', which it makes up for: the
    # bound (the switching master's: an agent may switch queue inside a shift) and what the break pass leaves.
    switching = has_blocks(data)  # the shift mix and the whole model know shifts of one queue only
    kept_for_blocks = BLOCK_TIME_SHARE * run.time_limit if switching else 0.0
    run.time_limit -= kept_for_blocks
    if prove_bound:
        short_bound = best_short_bound(data, known, mix_short_hours, run, switching)
    else:
        short_bound = None if switching else mix_bound(data, mix_short_hours)
    polished, proven = whole_model(data, weeks, options, run)
    assignment, breaks, breaks_status = cheaper_roster(data, weeks, polished, run)
    searched_every_shift = all(sorted(options[a]) == sorted(data.eligible[a]) for a in data.eligible)
    solved_whole = proven and assignment is polished and breaks_status == "OPTIMAL" and searched_every_shift
    if not solved_whole and prove_bound:  # a week planned in turn: the horizon is polished as a whole after
        # its weeks (polished alone, a week left the wrap's Sunday night uncovered in tests/test_weeks.py)
        until = run.deadline - FINISH_TIME_SHARE * run.time_limit
        assignment, breaks = polish_roster(data, assignment, breaks, run, until)
    if kept_for_blocks:
        run.time_limit += kept_for_blocks
    result = scored(data, run, roster_table(data, assignment, breaks), assignment, breaks, short_bound, warnings,
                    solved_whole and not switching, report=not switching)
    return with_queue_blocks(data, result, run) if switching else baseline_unless_cheaper(data, result)


def baseline_unless_cheaper(data: RosterData, result: RosterResult) -> RosterResult:
    """The baseline itself, scored alike, when it keeps every rule and the new roster is not strictly
    cheaper: a re-plan changes nothing it need not, even when its search was cut short (on a busy
    machine the search may stop at a roster that differs from the baseline at no gain)."""
    baseline = data.scenario.baseline
    if baseline is None or check_roster(baseline, data.scenario):
        return result
    assignment, breaks = assignment_of(data, baseline)
    terms, costs = score(data, assignment, breaks)
    objective = sum(costs.values())
    if result.objective < objective:
        return result
    status = "OPTIMAL" if objective <= result.best_bound + 1e-6 else "FEASIBLE"
    return replace(result, roster=validate_roster(baseline).sort_values(["agent_id", "start"], kind="stable")
                   .reset_index(drop=True), status=status, objective=objective, terms=terms, costs=costs)


def scored(data: RosterData, run: Run, roster: pd.DataFrame, assignment: Assignment, breaks: BreakCounts,
           short_bound: ShortBound | None, warnings: list[str], solved_whole: bool = False,
           report: bool = True) -> RosterResult:
    """The roster's result: its score by rule, and as bound the short staffing bound at its cheapest
    price (none without a proven `short_bound`), or the objective itself when `solved_whole` (the whole
    model was solved to optimality over every shift any agent may work)."""
    terms, costs = score(data, assignment, breaks)
    objective = sum(costs.values())
    bound = objective if solved_whole else objective_bound(data, short_bound)
    if report:
        run.report({"stage": "done", "solutions": 1, "objective": objective, "bound": bound})
    return RosterResult(
        roster=roster,
        status="OPTIMAL" if bound is not None and objective <= bound + 1e-6 else "FEASIBLE",
        objective=objective,
        best_bound=bound,
        wall_seconds=run.wall_seconds(),
        lower_bound_short_hours=None if short_bound is None else short_bound.units * data.unit_hours,
        bound_kind=None if short_bound is None else short_bound.kind,
        required_hours=data.required_hours,
        terms=terms,
        costs=costs,
        warnings=warnings,
        stage_seconds=dict(run.stage_seconds),
    )


def objective_bound(data: RosterData, short_bound: ShortBound | None) -> float | None:
    """A lower bound on the objective: the proven short units, each at the cheapest price of short staffing."""
    if short_bound is None:
        return None
    return short_bound.units * min((step.cost for steps in data.tiers.values() for step in steps), default=0) / COST_SCALE


def planned_in_turn(data: RosterData, run: Run, warnings: list[str]) -> RosterResult:
    """The horizon planned week by week (`engine.weeks`), scored over the whole horizon, with the shift
    mix's bound (`weeks.short_bound_units`)."""
    kept = (2 * FINISH_TIME_SHARE + HORIZON_BOUND_TIME_SHARE) * run.time_limit
    seconds = run.remaining() - kept - HORIZON_POLISH_TIME_SHARE * run.time_limit
    roster = plan_in_turn(data.scenario, run, seconds, partial(solve_in, prove_bound=False, explain=False))
    if roster is None:  # the weeks before left a week without a valid plan for someone: the whole horizon,
        # keeping this run's finishing share (its own share of a short remainder ran 12 s past 600)
        seconds = run.remaining() - FINISH_TIME_SHARE * run.time_limit
        whole = solve_in(data.scenario, Run(seconds, run.workers, run.seed, run.progress), in_turn=False)
        return replace(whole, wall_seconds=run.wall_seconds())
    finish = run.deadline - 2 * FINISH_TIME_SHARE * run.time_limit
    began = time.monotonic()
    short_bound = ShortBound(
        short_bound_units(data, min(finish, now() + HORIZON_BOUND_TIME_SHARE * run.time_limit)), MIX_KIND)
    run.stage_seconds["shift mix"] = time.monotonic() - began
    assignment, breaks = polish_roster(data, *assignment_of(data, roster), run, finish)
    return scored(data, run, roster_table(data, assignment, breaks), assignment, breaks, short_bound, warnings)


def with_queue_blocks(data: RosterData, planned: RosterResult, run: Run) -> RosterResult:
    """The planned roster with its shifts split into queue blocks (`engine.blocks`). Short and over
    staffing are then the block pass's (contacts missing their response time count as lost contacts
    of short staffing); the planned roster's bound is the switching master's, which holds with blocks."""
    blocks = assign_queue_blocks(data, planned.roster, run, keep=FINISH_TIME_SHARE * run.time_limit)
    costs = {**planned.costs, "short": blocks.short_cost, "over": blocks.over_cost}
    objective = sum(costs.values())
    bound = planned.best_bound
    run.report({"stage": "done", "solutions": 1, "objective": objective, "bound": bound})
    status = "OPTIMAL" if bound is not None and objective <= bound + 1e-6 else "FEASIBLE"
    return replace(planned, roster=blocks.roster, status=status, objective=objective,
                   terms={**planned.terms, **blocks.measures},
                   costs=costs, wall_seconds=run.wall_seconds(), stage_seconds=dict(run.stage_seconds))


def no_roster(data: RosterData, run: Run, sentences: list[str], warnings: list[str]) -> RosterResult:
    """No roster: INFEASIBLE when the sentences say which hard rules contradict each other,
    UNKNOWN (no week found in time for some agent) when there are none."""
    return RosterResult(
        roster=pd.DataFrame(columns=ROSTER_COLUMNS),
        status="INFEASIBLE" if sentences else "UNKNOWN",
        objective=None,
        best_bound=None,
        wall_seconds=run.wall_seconds(),
        lower_bound_short_hours=None,
        required_hours=data.required_hours,
        infeasibility=sentences,
        warnings=warnings,
        stage_seconds=dict(run.stage_seconds),
    )


def cheaper_roster(
    data: RosterData, dived: Assignment, polished: Assignment | None, run: Run
) -> tuple[Assignment, BreakCounts, str]:
    """Breaks for the dive's roster and, when there is one, the whole model's; the cheaper roster
    by its full score (the models' own objectives are not comparable)."""
    if polished is None:
        return dived, *place_breaks(data, dived, run, breaks_seconds(run))
    dived_breaks, dived_status = place_breaks(data, dived, run, 0.5 * breaks_seconds(run))
    polished_breaks, polished_status = place_breaks(data, polished, run, breaks_seconds(run))
    if total_cost(data, polished, polished_breaks) <= total_cost(data, dived, dived_breaks):
        return polished, polished_breaks, polished_status
    return dived, dived_breaks, dived_status


def breaks_seconds(run: Run) -> float:
    """What is left for the break pass once the roster's scoring and table are provided for."""
    return run.remaining() - FINISH_TIME_SHARE * run.time_limit
