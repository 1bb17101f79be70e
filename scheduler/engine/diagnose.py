"""Why no roster exists: which hard rule, for which agent and day, contradicts the others.

Coverage is soft, so the agents' rules never interact: a roster exists exactly when every agent,
alone, can be given a week that keeps all of its rules. Two steps:

- `precheck`: cheap arithmetic per agent: is there any shift it may work, and can the shifts it
  may work (one a day, as many days as allowed and as the rest between shifts leaves room for)
  add up to its contract hours?
- `explain`: for a group of alike agents whose one-agent model is infeasible, every rule (per day
  where it has one) gets an enforcement literal; CP-SAT's sufficient assumptions give a core,
  shrunk until each rule in it is needed (or the deadline comes), and the core is said in words.

`uncovered_hours` is no contradiction but a warning: hours of a queue's requirement that no
agent may work at all, whatever the roster.
"""

from __future__ import annotations

from typing import Sequence

from ortools.sat.python import cp_model

from scheduler.availability import time_off_clash, within_window
from scheduler.engine.data import RosterData, agent_day_limit, day_label
from scheduler.engine.hard_rules import new_works
from scheduler.engine.run import new_solver, now
from scheduler.rules import add_agent_rules, rule_phrase
from scheduler.scenario import DAY_NAMES, MINUTES_PER_DAY, MINUTES_PER_WEEK, Agent


SECONDS_PER_CHECK = 5.0  # at most, for one feasibility check of a core
NAMED_MEMBERS = 3  # a sentence names up to this many alike agents; of more, the first two and how many others


def who(agent: Agent) -> str:
    return f"{agent.name} ({agent.agent_id})"


def who_all(agents: Sequence[Agent]) -> str:
    """`Ann (A1)`, `Ann (A1) and Bo (A2)`, or the first few and how many other alike agents (with ids)."""
    if len(agents) <= NAMED_MEMBERS:
        return join([who(agent) for agent in agents])
    others = agents[NAMED_MEMBERS - 1:]
    return (", ".join(who(agent) for agent in agents[:NAMED_MEMBERS - 1])
            + f" and {len(others)} other agents with the same rules ({', '.join(a.agent_id for a in others)})")


def join(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def hours(minutes: float) -> str:
    return f"{minutes / 60:g} h"


def precheck(data: RosterData) -> list[str]:
    """Sentences for agents whose contract cannot be met whatever the other rules say."""
    sentences = []
    for agent in data.agents:
        if agent.min_hours <= 0:
            continue
        if not data.eligible[agent.agent_id]:
            sentences.append(f"{who(agent)}: no shift fits at all ({no_shift_reason(data, agent)}), "
                             f"but the contract asks for at least {agent.min_hours:g} paid hours.")
            continue
        if data.scenario.config.rules.contract_hours == "horizon" and data.weeks > 1:
            continue  # weeks may make up for each other: left to `explain`
        low, high = round(agent.min_hours * 60), round(agent.max_hours * 60)
        for week in range(data.weeks):
            totals = reachable_totals(data, agent, week)
            if not any(low <= total <= high for total in totals):
                sentences.append(hours_sentence(data, agent, totals, week))
                break
    return sentences


def no_shift_reason(data: RosterData, agent: Agent) -> str:
    """The first filter that leaves the agent without a shift: skills, window, nights, time off."""
    shifts = [facts for facts in data.shifts if set(facts.shift.queues) & set(agent.skills)]
    if not shifts:
        return f"no shift template serves their skills {', '.join(agent.skills)}"
    shifts = [facts for facts in shifts if within_window(agent, facts.shift.start, facts.shift.end)]
    if not shifts:
        return f"no shift template fits their availability {window(agent)}"
    if not agent.night_ok and all(facts.night for facts in shifts):
        return "every shift in their availability is a night and they do not work nights"
    return "time off covers every shift in their availability"


def window(agent: Agent) -> str:
    earliest = agent.earliest_start.strftime("%H:%M") if agent.earliest_start else "00:00"
    latest = agent.latest_end.strftime("%H:%M") if agent.latest_end else "24:00"
    return f"{earliest}–{latest}"


def best_paid_per_day(data: RosterData, agent: Agent, week: int) -> dict[int, set[int]]:
    """Per day of the week (0–6), the paid minutes of the shifts the agent may work then."""
    paid: dict[int, set[int]] = {day: set() for day in range(7)}
    for k, _ in data.eligible[agent.agent_id]:
        if data.shifts[k].day // 7 == week:
            paid[data.shifts[k].day % 7].add(data.shifts[k].paid)
    return paid


def rest_shift_limit(data: RosterData, agent: Agent) -> int:
    """The most shifts that fit in the week with `min_rest_hours` after each: every shift holds its
    length and the rest after it, one after another (around the week when it repeats)."""
    shortest = min(data.shifts[k].shift.length for k, _ in data.eligible[agent.agent_id])
    if data.scenario.cyclic:
        return MINUTES_PER_WEEK // (shortest + data.rest_minutes)
    return (MINUTES_PER_WEEK - 1) // (shortest + data.rest_minutes) + 1  # the last one's rest may end next week


def shift_limit(data: RosterData, agent: Agent) -> int:
    return min(agent_day_limit(agent, data.scenario.config.rules), rest_shift_limit(data, agent))


def reachable_totals(data: RosterData, agent: Agent, week: int) -> set[int]:
    """Paid minutes the agent can reach in a week with one eligible shift a day on at most as many
    days as its rules leave (a necessary condition: the days' order is not looked at)."""
    limit = shift_limit(data, agent)
    states = {(0, 0)}  # (days worked, paid minutes)
    for lengths in best_paid_per_day(data, agent, week).values():
        states |= {(days + 1, total + paid) for days, total in states if days < limit for paid in lengths}
    return {total for _, total in states}


def hours_sentence(data: RosterData, agent: Agent, totals: set[int], week: int) -> str:
    rules = data.scenario.config.rules
    limit = shift_limit(data, agent)
    paid = best_paid_per_day(data, agent, week)
    open_days = [DAY_NAMES[day].title() for day, lengths in paid.items() if lengths]
    closed = [DAY_NAMES[day].title() for day, lengths in paid.items() if not lengths]
    when = f" in week {week + 1}" if data.weeks > 1 else ""
    if rest_shift_limit(data, agent) < agent_day_limit(agent, rules):
        shortest = min(data.shifts[k].shift.length for k, _ in data.eligible[agent.agent_id])
        days_rule = f"{rules.min_rest_hours:g} h rest after each shift of at least {hours(shortest)}"
    elif agent.max_days is not None and agent.max_days <= 7 - rules.min_days_off:
        days_rule = f"max_days {agent.max_days}"
    else:
        days_rule = f"at least {rules.min_days_off} days off"
    why = [f"at most {min(limit, len(open_days))} working days ({days_rule}"
           + (f"; no shift fits on {', '.join(closed)}: {closed_reason(data, agent, closed, week)}" if closed else "")
           + ")"]
    longest = max(max(lengths) for lengths in paid.values() if lengths)
    why.append(f"the longest shift they may work pays {hours(longest)}")
    if max(totals) < agent.min_hours * 60:
        return (f"{who(agent)}: the contract asks for at least {agent.min_hours:g} paid hours, but at most "
                f"{hours(max(totals))} fit{when}: {' and '.join(why)}.")
    possible = ", ".join(hours(total) for total in sorted(totals)[:12] if total)
    return (f"{who(agent)}: no combination of shifts pays between {agent.min_hours:g} and {agent.max_hours:g} h{when} "
            f"(possible weeks pay {possible}); widen the contract hours or add shift lengths.")


def closed_reason(data: RosterData, agent: Agent, days: list[str], week: int) -> str:
    first = 7 * week
    on_leave = [
        day for day in days
        if time_off_clash(data.scenario, agent.agent_id, (first + DAY_NAMES.index(day.lower())) * MINUTES_PER_DAY,
                          (first + DAY_NAMES.index(day.lower()) + 1) * MINUTES_PER_DAY)
    ]
    if on_leave:
        return f"time off on {', '.join(on_leave)}"
    return f"availability {window(agent)}, skills or the night rule"


def uncovered_hours(data: RosterData) -> list[str]:
    """Per queue, a sentence for the required hours of the week that no agent may work (skills,
    nights, availability and time off leave every shift covering them to nobody), with why."""
    coverable = {(queue, t) for k, queue in {key for keys in data.eligible.values() for key in keys}
                 for t in data.shifts[k].covered}
    sentences = []
    for queue in data.queues:
        missing = [
            t for t in range(data.week.count)
            if data.required.get((queue, t), 0) > data.fixed_coverage.get((queue, t), 0) and (queue, t) not in coverable
        ]
        by_reason: dict[str, list[str]] = {}
        for run in runs(missing):
            by_reason.setdefault(uncovered_reason(data, queue, run[0]), []).append(span(data, run))
        sentences += [f"{queue}: no agent may work {join(spans)} ({reason}), so those hours stay short whatever "
                      f"the roster." for reason, spans in by_reason.items()]
    return sentences


def runs(intervals: list[int]) -> list[list[int]]:
    """Sorted intervals cut into runs of consecutive ones."""
    cut: list[list[int]] = []
    for t in intervals:
        if cut and t == cut[-1][-1] + 1:
            cut[-1].append(t)
        else:
            cut.append([t])
    return cut


def span(data: RosterData, run: list[int]) -> str:
    """`Mon 00:00–06:00`, or `Sun 22:00–Mon 06:00` across midnight."""
    size = data.week.interval_minutes
    start, end = run[0] * size, (run[-1] + 1) * size

    def day(minutes: int) -> str:
        return day_label(minutes // MINUTES_PER_DAY % data.days)

    def clock(minutes: int) -> str:
        return f"{minutes % MINUTES_PER_DAY // 60:02d}:{minutes % 60:02d}"

    same_day = (end - 1) // MINUTES_PER_DAY == start // MINUTES_PER_DAY
    return f"{day(start)} {clock(start)}–{'' if same_day else day(end) + ' '}{clock(end)}"


def uncovered_reason(data: RosterData, queue: str, t: int) -> str:
    """Why nobody may work interval t of the queue: the first of templates, skills, nights,
    availability and time off that leaves no one."""
    covering = [facts for facts in data.shifts if queue in facts.shift.queues and t in facts.covered]
    if not covering:
        return "no shift template covers them"
    skilled = [agent for agent in data.agents if queue in agent.skills]
    if not skilled:
        return f"no agent is skilled for {queue}"
    if all(facts.night for facts in covering) and not any(agent.night_ok for agent in skilled):
        return f"only night shifts cover them and none of the {len(skilled)} agents skilled for {queue} works nights"
    return f"the availability and time off of the agents skilled for {queue} leave them out"


def explain(data: RosterData, groups: Sequence[Sequence[Agent]], deadline: float, workers: int = 1) -> list[str]:
    """A sentence for every group of alike agents (one one-agent model stands for all its members)
    whose hard rules cannot all hold, naming the rules (and days); none for a group with a valid
    week, or whose contradiction was not proven by `deadline` (a `run.now()` instant)."""
    sentences = []
    for members in groups:
        if now() >= deadline:
            break
        core = agent_core(data, members[0], workers, deadline)
        if core:
            sentences.append(core_sentence(data, members, core))
    return sentences


def agent_core(data: RosterData, agent: Agent, workers: int, deadline: float) -> list[tuple[str, int | None]]:
    """The (rule, day) that together leave the agent no valid week (empty when it has one or
    nothing was proven by the deadline; not shrunk further once the deadline has come)."""
    model = cp_model.CpModel()
    works = new_works(model, data, agent, data.eligible[agent.agent_id])
    literals: dict[tuple[str, int | None], cp_model.IntVar] = {}

    def guard(rule: str, day: int | None = None) -> list:
        if (rule, day) not in literals:
            literals[rule, day] = model.new_bool_var(f"enforce({rule}, {day})")
        return [literals[rule, day]]

    add_agent_rules(model, data, agent, works, guard)
    verdict, solver = contradicts(model, list(literals.values()), workers, deadline)
    if verdict is not True:
        return []
    index = {literal.index: key for key, literal in literals.items()}
    core = [index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index]
    for key in list(core):  # shrink: drop every rule the contradiction does not need
        if contradicts(model, [literals[k] for k in core if k != key], workers, deadline)[0] is True:
            core.remove(key)
    return core


def contradicts(
    model: cp_model.CpModel, assumptions: list, workers: int, deadline: float
) -> tuple[bool | None, cp_model.CpSolver]:
    """(True when the assumed rules cannot hold together, False when they can, None when not
    known by the deadline; the solver)."""
    seconds = min(SECONDS_PER_CHECK, deadline - now())
    solver = new_solver(max(seconds, 0.0), workers)
    if seconds <= 0:
        return None, solver
    model.clear_assumptions()
    model.add_assumptions(assumptions)
    status = solver.solve(model)
    return {cp_model.INFEASIBLE: True, cp_model.OPTIMAL: False, cp_model.FEASIBLE: False}.get(status), solver


def core_sentence(data: RosterData, members: Sequence[Agent], core: list[tuple[str, int | None]]) -> str:
    agent = members[0]
    phrases = [rule_phrase(data, agent, rule, day) for rule, day in sorted(core, key=lambda k: (k[0], k[1] or 0))]
    return (f"{who_all(members)}: {join(phrases)} cannot all hold, given their availability {window(agent)}, "
            f"time off and the shift templates.")
