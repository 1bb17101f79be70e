"""Judge a roster table against its scenario: coverage per interval, score by rule, fairness, hours.

Works on any roster (the solver's or a hand-edited one) and never asks the solver: the model,
the checker and this module share only the shift geometry of `scheduler.shifts`.

Definitions
- scheduled: agents on `work` in the queue, each by the share of the interval it works there (an
  agent on a 15-minute break in a 30-minute interval counts 0.5; one whose shift starts 10 minutes
  into it, 2/3). The engine counts the same (`shifts.Week.worked_minutes`). At the week's edges
  `shifts.Week` decides, as in the model: without a previous roster the week is cyclic (Sunday
  night's tail covers Monday morning); with one, its shifts running into this week count and this
  week's tail past Sunday midnight is dropped.
- service_level: `forecasts.staffing.rostered_service_level`: Erlang C (Erlang A for a queue with
  patience) with scheduled × (1 − shrinkage) agents on the phones, a fractional number read
  linearly between its whole neighbours, plus the contacts agents finish as they go off the phones,
  averaged over the spread of the number on the phones, less the chance that nobody is on them. An interval without contacts (or without a handle
  time) reads 1: nobody waits.
- short / over: max(0, required − scheduled) and max(0, scheduled − required), in agents (shares
  of agents too); the summary turns agent-intervals into agent-hours.
- lost contacts: contacts × (service level at the requirement − at the staffing), clipped at 0:
  the contacts that miss the answer target because of the shortfall.
- The week's service level of a queue is contact-weighted; a week without contacts reads 1.
- nights: shifts with `shifts.is_night`; weekend days: distinct weekend days a shift starts on
  (`scheduler.fairness`). Spreads (most − least loaded agent) are taken over the agents who may
  work nights (`fairness.night_agents`: `night_ok` and a night shift fits their window) and over
  all agents, respectively, counting the nights and weekend days the previous roster (one week or
  several) carried. Weekends worked (not a full weekend off)
  are reported per agent and spread among the agents of one contract.
- With `weeks: N` every figure is the horizon's: N weeks from week_start.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from forecasts import erlang
from forecasts.backlog import BacklogResult, fifo_backlog
from forecasts.staffing import QueueTarget, rostered_service_level
from scheduler import baseline
from scheduler import fairness as counting
from scheduler.check import hours_breaches, paid_minutes_by_week, shifts_by_agent
from scheduler.costs import SOFT_RULES
from scheduler.roster import RosterShift, shifts_from_roster, validate_roster
from scheduler.scenario import Agent, Scenario
from scheduler.shifts import Week, time_of_day

COVERAGE_COLUMNS = [
    "interval_start",
    "queue",
    "required",
    "scheduled",
    "service_level",
    "contacts",
    "aht_seconds",
    "short",
    "over",
    "required_service_level",
    "on_break",
]
# Added for the scenario's deferred queues (empty on realtime rows): `forecasts.backlog`'s figures.
DEFERRED_COLUMNS = ["arrivals", "handled", "backlog", "oldest_age_hours"]


# --------------------------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------------------------


def coverage_table(roster_df: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Required vs scheduled agents and the expected service level, per interval and queue.

    Every interval of the week appears for every queue of the scenario (and any other queue the
    requirements or the roster name); intervals the requirements leave out need no one.
    `required_service_level` is the service level the requirement itself would give."""
    roster = validate_roster(roster_df)
    week = Week(scenario.config.interval_minutes, scenario.cyclic, weeks=scenario.config.weeks)
    queues = _queues(scenario, roster)
    table = _demand_grid(scenario, queues, week)

    rows = _covering_rows(roster, scenario)
    worked = _minutes_on(rows[rows["activity"] == "work"], scenario, week)
    resting = _minutes_on(rows[rows["activity"].isin(("break", "lunch"))], scenario, week)
    intervals = np.repeat(np.arange(week.count), len(queues))  # the grid is interval-major
    table["scheduled"] = [worked[(queue, t)] / week.interval_minutes for queue, t in zip(table["queue"], intervals)]
    table["on_break"] = [resting[(queue, t)] / week.interval_minutes for queue, t in zip(table["queue"], intervals)]
    table["short"] = (table["required"] - table["scheduled"]).clip(lower=0)
    table["over"] = (table["scheduled"] - table["required"]).clip(lower=0)
    table["service_level"] = _service_level(table, "scheduled", scenario)
    table["required_service_level"] = _service_level(table, "required", scenario)
    table.attrs["interval_minutes"] = week.interval_minutes
    if not scenario.config.deferred_queues:
        return table[COVERAGE_COLUMNS]
    for queue in scenario.config.deferred_queues:
        _add_backlog(table, queue, scenario)
    return table[COVERAGE_COLUMNS + DEFERRED_COLUMNS]


def deferred_backlog(coverage: pd.DataFrame, queue: str, scenario: Scenario) -> BacklogResult:
    """The deferred queue's FIFO backlog with the roster's agents on it (`forecasts.backlog`): the week
    repeats when it is cyclic, unless `demand.backlog` gives what waits at its start."""
    rows = coverage[coverage["queue"] == queue]
    carried = scenario.config.demand.backlog.get(queue)
    return fifo_backlog(rows["contacts"].to_numpy(float), rows["aht_seconds"].to_numpy(float),
                        rows["scheduled"].to_numpy(float), scenario.config.interval_minutes,
                        scenario.config.queues[queue].response_hours, carried_in=carried or 0.0,
                        cyclic=scenario.cyclic and carried is None)


def _add_backlog(table: pd.DataFrame, queue: str, scenario: Scenario) -> None:
    """A deferred queue's rows: its backlog columns; judged by response time, not per interval, so
    short and over are 0 and `service_level` is the share of the interval's arrivals answered in time."""
    rows = table["queue"] == queue
    backlog = deferred_backlog(table[rows], queue, scenario)
    for column in DEFERRED_COLUMNS:
        table.loc[rows, column] = getattr(backlog, column)
    table.loc[rows, ["short", "over"]] = 0
    table.loc[rows, "service_level"] = backlog.on_time_share
    table.loc[rows, "required_service_level"] = 1.0


def _queues(scenario: Scenario, roster: pd.DataFrame) -> list[str]:
    """The scenario's queues in its order, then any other queue named by the demand or the roster."""
    named = set(scenario.requirements["queue"].astype(str)) | set(roster.loc[roster["activity"] == "work", "queue"])
    return list(scenario.config.queues) + sorted(named - set(scenario.config.queues))


def _demand_grid(scenario: Scenario, queues: list[str], week: Week) -> pd.DataFrame:
    starts = pd.date_range(scenario.week_start, periods=week.count, freq=f"{week.interval_minutes}min")
    grid = pd.MultiIndex.from_product([starts, queues], names=["interval_start", "queue"])
    numbers = {"contacts": float, "aht_seconds": float, "required": float}
    demand = scenario.requirements.astype({"queue": str, **numbers}).set_index(["interval_start", "queue"])
    table = demand[list(numbers)].reindex(grid).reset_index()
    return table.fillna({"contacts": 0.0, "required": 0.0}).astype({"required": int})


def _covering_rows(roster: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """This week's rows plus, when the week is not cyclic, last week's (their tails reach into it)."""
    if scenario.previous_roster is None:
        return roster
    return pd.concat([validate_roster(scenario.previous_roster, "previous roster"), roster], ignore_index=True)


def _minutes_on(rows: pd.DataFrame, scenario: Scenario, week: Week) -> Counter:
    """Minutes of the roster rows per (queue, interval), as the engine counts work (`shifts.Week.worked_minutes`)."""
    minutes_on: Counter = Counter()
    for queue, start, end in zip(rows["queue"], rows["start"], rows["end"]):
        for t, minutes in week.worked_minutes(scenario.minutes(start), scenario.minutes(end)):
            minutes_on[queue, t] += minutes
    return minutes_on


def _service_level(table: pd.DataFrame, staffed: str, scenario: Scenario) -> pd.Series:
    """Expected service level per row with `table[staffed]` agents scheduled, after shrinkage."""
    targets = scenario.config.staffing_config()
    interval_seconds = scenario.config.interval_minutes * 60.0
    parts = []
    for queue, rows in table.groupby("queue", sort=False):
        target = targets.target(str(queue))
        aht = rows["aht_seconds"].fillna(0).to_numpy(dtype=float)
        # Without a handle time there is no load (Erlang needs AHT > 0): such an interval reads idle.
        contacts = np.where(aht > 0, rows["contacts"].to_numpy(dtype=float), 0.0)
        safe_aht = np.where(aht > 0, aht, 1.0)
        traffic = erlang.traffic(contacts, safe_aht, interval_seconds)
        level = rostered_service_level(traffic, rows[staffed].to_numpy(dtype=float), safe_aht, target, interval_seconds)
        parts.append(pd.Series(level, index=rows.index))
    return pd.concat(parts).reindex(table.index)


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


def summary(roster_df: pd.DataFrame, scenario: Scenario, result=None) -> dict:
    """Everything `summary.json` reports about a roster; `result` (a RosterResult) adds the solver's view.

    Keys: solver, hours (total and per queue), service_level (per queue vs target), rules (amount,
    weighted cost and service-level cost of each soft rule), total_cost, short_bound, fairness (spreads,
    weekends worked by contract, and per agent the horizon's weekends, weekend days and nights beside
    the carried ones), changes (against `scenario.baseline`: changed shifts, per agent `old → new`,
    and breaks moved within unchanged shifts),
    contracts (per agent: paid hours over the horizon and per week, status), contract_breaches,
    shifts_per_agent, warnings (the solver's sentences about what no
    roster can do, e.g. hours nobody may work)."""
    coverage = coverage_table(roster_df, scenario)
    shifts = shifts_from_roster(roster_df, scenario)
    minutes = scenario.config.interval_minutes
    targets = scenario.config.staffing_config()
    hours = _hours(coverage, minutes)
    fairness = _fairness(shifts, scenario)
    changed = baseline.changes(scenario, shifts)
    rules = _rules(coverage, hours, fairness, _unpreferred_shifts(shifts, scenario), changed, scenario, result)
    contracts = _contracts(shifts, scenario)
    return {
        "solver": _solver(result),
        "hours": {**hours, "by_queue": _per_queue(coverage, lambda queue, rows: _hours(rows, minutes))},
        "service_level": _per_queue(coverage, lambda queue, rows: _service(rows, targets.target(queue))),
        "rules": rules,
        "total_cost": _number(sum(rule["cost"] for rule in rules)),
        "short_bound": _short_bound(result, hours),
        "fairness": fairness,
        "contracts": contracts,
        "contract_breaches": sum(row["status"] in ("under", "over") for row in contracts),
        "shifts_per_agent": _per_agent(Counter(shift.agent_id for shift in shifts), scenario.agents),
        "changes": {"shifts": sum(len(lines) for lines in changed.values()),
                    "break_moves": baseline.break_moves(scenario, shifts), "by_agent": changed},
        "warnings": list(getattr(result, "warnings", [])),
        **_deferred_summary(coverage, scenario),
    }


def _deferred_summary(coverage: pd.DataFrame, scenario: Scenario) -> dict:
    """`deferred`: per deferred queue, the share of contacts answered within `response_hours` against
    its target, the contacts due and missed, and the mean and 90th-percentile response time (hours)."""
    if not scenario.config.deferred_queues:
        return {}
    figures = {}
    for queue in scenario.config.deferred_queues:
        target = scenario.config.queues[queue]
        backlog = deferred_backlog(coverage, queue, scenario)
        figures[queue] = {
            "contacts": _number(backlog.arrivals.sum()), "due": _number(backlog.due), "missed": _number(backlog.missed),
            "on_time": _number(backlog.on_time), "target": _number(target.service_level),
            "response_hours": _number(target.response_hours),
            "mean_response_hours": _number(backlog.mean_response_hours),
            "p90_response_hours": _number(backlog.p90_response_hours),
            "backlog_at_end": _number(backlog.backlog[-1] if len(backlog.backlog) else 0.0),
        }
    return {"deferred": figures}


def _number(value) -> float | None:
    """A JSON-safe float (NaN and missing read null), rounded for people reading the file."""
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return None
    return round(float(value), 4) + 0.0  # + 0.0 turns −0.0 into 0.0


def _solver(result) -> dict:
    fields = ("status", "objective", "best_bound", "wall_seconds")
    if result is None:
        return dict.fromkeys(fields)
    return {"status": str(result.status), **{field: _number(getattr(result, field)) for field in fields[1:]}}


def _hours(coverage: pd.DataFrame, interval_minutes: int) -> dict:
    """Required, scheduled, short and over agent-hours, coverage % = 1 − short / required, and the short
    hours while agents of the queue are on a break or lunch (where a break is what leaves it short)."""
    per_interval = interval_minutes / 60
    totals = {column: coverage[column].sum() * per_interval for column in ("required", "scheduled", "short", "over")}
    totals["short_on_breaks"] = np.minimum(coverage["short"], coverage["on_break"]).sum() * per_interval
    coverage_pct = 100 * (1 - totals["short"] / totals["required"]) if totals["required"] else 100.0
    return {**{column: _number(value) for column, value in totals.items()}, "coverage_pct": _number(coverage_pct)}


def weighted_service(coverage: pd.DataFrame, column: str) -> float:
    """Contact-weighted service level; 1 without contacts, as for a single quiet interval."""
    contacts = coverage["contacts"].sum()
    return float((coverage["contacts"] * coverage[column]).sum() / contacts) if contacts > 0 else 1.0


def _per_queue(coverage: pd.DataFrame, describe: Callable[[str, pd.DataFrame], dict]) -> dict:
    return {str(queue): describe(str(queue), rows) for queue, rows in coverage.groupby("queue", sort=False)}


def _service(coverage: pd.DataFrame, target: QueueTarget) -> dict:
    """The week's expected service level of a queue, at the requirement and the target."""
    return {
        "contacts": _number(coverage["contacts"].sum()),
        "expected": _number(weighted_service(coverage, "service_level")),
        "at_requirement": _number(weighted_service(coverage, "required_service_level")),
        "target": _number(target.service_level),
    }


def _service_effect(coverage: pd.DataFrame) -> tuple[float, float, float]:
    """(contacts lost to short staffing, points of weekly service level lost to it, points gained by
    over staffing), against the service level at full requirement."""
    difference = coverage["required_service_level"] - coverage["service_level"]
    lost = float((coverage["contacts"] * difference.clip(lower=0)).sum())
    gained = float((coverage["contacts"] * (-difference).clip(lower=0)).sum())
    contacts = coverage["contacts"].sum()
    if contacts <= 0:
        return lost, 0.0, 0.0
    return lost, 100 * lost / contacts, 100 * gained / contacts


def _rules(
    coverage: pd.DataFrame, hours: dict, fairness: dict, unpreferred: int, changed: dict[str, list[str]],
    scenario: Scenario, result
) -> list[dict]:
    """Each soft rule (`scheduler.costs.SOFT_RULES`): its amount in natural units, its cost from
    this roster's own measures, the service level it costs (percentage points of the week's
    level; negative is a gain) and, next to it, the cost the solver reported (the model prices
    lost contacts in tiers, so it may differ)."""
    solver_costs = getattr(result, "costs", None) or {}
    lost, short_points, over_points = _service_effect(coverage)
    measures = {
        "short_hours": hours["short"],
        "lost_contacts": lost,
        "over_hours": hours["over"],
        "night_spread": fairness["nights"]["spread"],
        "weekend_spread": fairness["weekend_days"]["spread"],
        "preference_misses": unpreferred,
        "changes": sum(len(lines) for lines in changed.values()),
    }
    points = {"short": short_points, "over": -over_points}
    extra = {"short": {"lost_contacts": _number(lost)}}
    return [
        {"rule": rule.label, "amount": _number(measures[rule.measures[0]]), "unit": rule.unit,
         **extra.get(rule.name, {}), "cost": _number(rule.cost(scenario.config.weights, measures)),
         "solver_cost": _number(solver_costs.get(rule.name)), "service_level_points": _number(points.get(rule.name))}
        for rule in SOFT_RULES
    ]


def _short_bound(result, hours: dict) -> dict:
    """The solver's proven lower bound on short agent-hours, and how far the roster is above it
    (in % of required agent-hours)."""
    bound = getattr(result, "lower_bound_short_hours", None)
    if bound is None:
        return {"lower_bound_hours": None, "gap_pct": None, "bound_kind": None}
    gap = 100 * (hours["short"] - bound) / hours["required"] if hours["required"] else 0.0
    return {"lower_bound_hours": _number(bound), "gap_pct": _number(gap), "bound_kind": getattr(result, "bound_kind", None)}


def _fairness(shifts: list[RosterShift], scenario: Scenario) -> dict:
    """Spreads of nights (among the agents who may work one) and weekend days, counting what the previous roster
    carried; weekends worked in the horizon and their spread among agents of one contract; and per
    agent, the horizon's counts beside the carried ones."""
    rules = scenario.config.rules
    nights, weekend_days = counting.nights(shifts, rules), counting.weekend_days(shifts, rules)
    weekends = counting.weekends_worked(shifts, rules)
    carried_nights, carried_weekend_days = counting.carried(scenario)
    return {
        "nights": _spread(nights + carried_nights, counting.night_agents(scenario)),
        "weekend_days": _spread(weekend_days + carried_weekend_days, scenario.agents),
        "weekends_worked_by_contract": {
            contract: {key: value for key, value in _spread(weekends, agents).items() if key != "by_agent"}
            for contract, agents in _by_contract(scenario.agents).items()
        },
        "agents": {
            agent.agent_id: {
                "weekends_worked": weekends[agent.agent_id], "weekend_days": weekend_days[agent.agent_id],
                "nights": nights[agent.agent_id], "carried_weekend_days": carried_weekend_days[agent.agent_id],
                "carried_nights": carried_nights[agent.agent_id],
            }
            for agent in scenario.agents
        },
    }


def _by_contract(agents: Iterable[Agent]) -> dict[str, list[Agent]]:
    """Agents by contract: `min–max h` (and `, max N days`)."""
    grouped: dict[str, list[Agent]] = {}
    for agent in agents:
        days = f", max {agent.max_days} days" if agent.max_days is not None else ""
        grouped.setdefault(f"{agent.min_hours:g}–{agent.max_hours:g} h{days}", []).append(agent)
    return grouped


def _per_agent(counts: Counter, agents: Iterable[Agent]) -> dict[str, int]:
    return {agent.agent_id: int(counts[agent.agent_id]) for agent in agents}


def _spread(counts: Counter, agents: Iterable[Agent]) -> dict:
    """min, max, max − min over `agents` (agents without any count as 0), and the count by agent."""
    by_agent = _per_agent(counts, agents)
    values = list(by_agent.values()) or [0]
    return {"min": min(values), "max": max(values), "spread": max(values) - min(values), "by_agent": by_agent}


def _unpreferred_shifts(shifts: list[RosterShift], scenario: Scenario) -> int:
    """Shifts outside the agent's preferred time of day (agents without a preference never count)."""
    rules = scenario.config.rules
    preferred = {agent.agent_id: agent.preferred for agent in scenario.agents if agent.preferred}
    return sum(
        shift.agent_id in preferred and time_of_day(shift.start, shift.end, rules) != preferred[shift.agent_id]
        for shift in shifts
    )


def _contracts(shifts: list[RosterShift], scenario: Scenario) -> list[dict]:
    """Paid hours of every agent over the horizon and in each week (`week_hours`) against the contract's
    weekly min and max, as `wfm check` holds them: each week's, or with `contract_hours: horizon` the
    average week's and no week above `max_week_hours` (the horizon's total against a week's maximum
    made every agent of a 4-week roster `over`); `absent` rather than `under` for an agent with an
    absence (`Scenario.absences`), which excuses the minimum."""
    config = scenario.config
    theirs = shifts_by_agent(shifts)
    absent = {absence.agent_id for absence in scenario.absences}
    rows = []
    for agent in scenario.agents:
        weeks = paid_minutes_by_week(theirs.get(agent.agent_id, []), config)
        breaches = hours_breaches(agent, weeks, config.rules, excused=set())
        status = ("over" if any(breach.over for breach in breaches)
                  else ("absent" if agent.agent_id in absent else "under") if breaches else "ok")
        rows.append({"agent_id": agent.agent_id, "name": agent.name, "paid_hours": _number(sum(weeks) / 60),
                     "week_hours": [_number(minutes / 60) for minutes in weeks],
                     "min_hours": _number(agent.min_hours), "max_hours": _number(agent.max_hours), "status": status})
    return rows


# --------------------------------------------------------------------------------------------
# Terminal
# --------------------------------------------------------------------------------------------


def terminal_summary(summary_dict: dict) -> str:
    """A few lines for the terminal (plain text: no markup brackets, the CLI prints through rich)."""
    solver, hours, bound, fairness = (summary_dict[key] for key in ("solver", "hours", "short_bound", "fairness"))
    lines = []
    if solver["status"] is not None:
        proven = {"OPTIMAL": " (proven: no roster costs less)", "FEASIBLE": " (a valid roster, not proven optimal)"}
        lines.append(f"Solver: {solver['status']}{proven.get(solver['status'], '')}, "
                     f"objective {_plain(solver['objective'], ',.0f')}, "
                     f"{bound_words(solver['best_bound'])}, {_plain(solver['wall_seconds'], '.1f')} s")
    lines.append(f"Coverage {hours['coverage_pct']:.1f}% of {hours['required']:,.1f} required agent-hours: "
                 f"{hours['short']:,.1f} h short, {hours['over']:,.1f} h over")
    if hours["short_on_breaks"]:
        lines.append(f"  {hours['short_on_breaks']:,.1f} h of the short staffing falls while agents of the queue are "
                     "on a break or lunch")
    if bound["lower_bound_hours"] is not None:
        kind = f" ({bound['bound_kind']})" if bound.get("bound_kind") else ""
        lines.append(f"Short staffing is at least {bound['lower_bound_hours']:,.1f} h{kind}; "
                     f"gap {bound['gap_pct']:.2f}% of required hours")
    levels = (f"{queue} {level['expected']:.1%} (target {level['target']:.0%})"
              for queue, level in summary_dict["service_level"].items())
    lines.append("Service level: " + ", ".join(levels))
    lines += [f"Deferred {queue}: {figures['on_time']:.1%} answered within {figures['response_hours']:g} h "
              f"(target {figures['target']:.0%}), mean {figures['mean_response_hours']:.1f} h, "
              f"90th percentile {figures['p90_response_hours']:.1f} h"
              for queue, figures in summary_dict.get("deferred", {}).items()]
    nights, weekend = fairness["nights"], fairness["weekend_days"]
    lines.append(f"Per agent: nights {nights['min']}–{nights['max']}, "
                 f"weekend days {weekend['min']}–{weekend['max']}")
    statuses = Counter(row["status"] for row in summary_dict["contracts"])
    lines.append(f"Contract hours: {summary_dict['contract_breaches']} breaches "
                 f"({statuses['under']} under, {statuses['over']} over)")
    changes = summary_dict["changes"]
    if changes["shifts"] or changes["break_moves"]:
        lines.append(f"Changes from the baseline: {changes['shifts']} shifts, "
                     f"{changes['break_moves']} breaks moved within unchanged shifts")
        lines += [f"  {agent_id}: {change}" for agent_id, changed in changes["by_agent"].items() for change in changed]
    lines += [f"Warning: {sentence}" for sentence in summary_dict.get("warnings", [])]
    return "\n".join(lines)


def bound_words(bound: float | None) -> str:
    """The solver's proven bound in words; `None`: nothing was proven (with queue blocks, no round of the
    switching master priced in time)."""
    return "no proven bound" if bound is None else f"proven bound {bound:,.0f}"


def _plain(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)
