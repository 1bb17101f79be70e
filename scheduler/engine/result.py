"""A solution's score by rule (figures and weighted costs, as the models count them) and the
roster table it writes."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from scheduler.costs import COST_SCALE, SOFT
from scheduler.engine.data import Assignment, BreakCounts, RosterData, shift_counts
from scheduler.engine.pricing import Tier
from scheduler.engine.soft_rules import off_preference
from scheduler.roster import ROSTER_COLUMNS, segment_rows
from scheduler.shifts import break_slots, segments


def scheduled(data: RosterData, assignment: Assignment, breaks: BreakCounts) -> dict[tuple[str, int], int]:
    """Units counted per (queue, interval)."""
    cover: dict[tuple[str, int], int] = defaultdict(int, data.fixed_coverage)
    for (k, queue), count in shift_counts(assignment).items():
        for t, units in data.shifts[k].cover:
            cover[queue, t] += units * count
    for (k, queue, slot, offset), count in breaks.items():
        for t, units in data.shifts[k].break_lost(slot, offset):
            cover[queue, t] -= units * count
    return cover


def score(data: RosterData, assignment: Assignment, breaks: BreakCounts,
          cover: dict[tuple[str, int], int] | None = None) -> tuple[dict[str, float], dict[str, float]]:
    """The figures by rule (short hours, lost contacts, over hours, spreads, preference misses:
    the measures of `scheduler.costs`) and their costs as the models price them, in cost units;
    the costs add up to the model's objective. `cover`: the roster's `scheduled`, when known."""
    weights = data.scenario.config.weights
    cover = scheduled(data, assignment, breaks) if cover is None else cover
    short_units, over_units, lost, short_cost = gaps(data, cover, range(data.week.count))
    nights = fairness_loads(data, assignment, night=True)
    weekends = fairness_loads(data, assignment, night=False)
    preferred = {agent.agent_id: agent.preferred for agent in data.agents}
    misses = sum(
        off_preference(data, preferred[agent_id], k) for agent_id, shifts in assignment.items() for k, _ in shifts
    )
    terms = {
        "short_hours": short_units * data.unit_hours,
        "lost_contacts": lost,
        "over_hours": over_units * data.unit_hours,
        "night_spread": spread(nights),
        "weekend_spread": spread(weekends),
        "preference_misses": float(misses),
        "changes": float(sum(baseline_changes(data, agent.agent_id, assignment.get(agent.agent_id, []))
                             for agent in data.agents)),
    }
    costs = {"short": short_cost, "over": over_units * data.over_cost / COST_SCALE} | {
        name: terms[SOFT[name].measures[0]] * SOFT[name].unit_price(weights) / COST_SCALE
        for name in ("night_spread", "weekend_spread", "preference", "change")
    }
    return terms, costs


def gaps(data: RosterData, cover: dict[tuple[str, int], int], intervals: range) -> tuple[int, int, float, float]:
    """(short units, over units, lost contacts, short staffing's cost) over the intervals."""
    short_units = over_units = 0
    lost = short_cost = 0.0
    for queue in data.queues:
        for t in intervals:
            gap = data.required.get((queue, t), 0) - cover.get((queue, t), 0)
            over_units += max(0, -gap)
            short_units += max(0, gap)
            for taken, step in short_by_tier(data, (queue, t), gap):
                lost += taken * step.lost_contacts
                short_cost += taken * step.cost / COST_SCALE
    return short_units, over_units, lost, short_cost


def short_by_tier(data: RosterData, key: tuple[str, int], gap: int) -> list[tuple[int, Tier]]:
    """An interval's `gap` short units (none when it is not short) as (units, tier), the first tier first."""
    taken = []
    for step in data.tiers.get(key, ()):
        units = min(max(gap, 0), step.units)
        taken.append((units, step))
        gap -= units
    return taken


def baseline_changes(data: RosterData, agent_id: str, shifts: list[tuple[int, str]]) -> int:
    """Days whose shift differs from the baseline's (as `scheduler.baseline.changes` counts them)."""
    if data.scenario.baseline is None:
        return 0
    worked = {data.shifts[k].day: (k, queue) for k, queue in shifts}
    days = data.baseline.get(agent_id, {})
    return sum(1 for day in set(worked) | set(days) if day not in days or worked.get(day) != days[day]
               or days[day] is None)


def fairness_loads(data: RosterData, assignment: Assignment, night: bool) -> list[int]:
    """Nights per agent who may work nights, or weekend days per agent, with those carried from the previous
    roster (as `scheduler.evaluate` counts them)."""
    counted = (lambda facts: facts.night) if night else (lambda facts: facts.weekend)
    return [
        sum(1 for k, _ in assignment.get(agent.agent_id, []) if counted(data.shifts[k]))
        + (data.carried[agent.agent_id].nights if night else data.carried[agent.agent_id].weekend_days)
        for agent in data.agents
        if agent.agent_id in data.night_agents or not night
    ]


def spread(loads: list[int]) -> float:
    return float(max(loads) - min(loads)) if len(loads) > 1 else 0.0


def roster_table(data: RosterData, assignment: Assignment, breaks: BreakCounts) -> pd.DataFrame:
    """Stage 3: hand each agent of a shift type its break offsets (as many per offset as counted) and
    write the segments `agent_id, name, queue, activity, start, end`."""
    scenario = data.scenario
    names = {agent.agent_id: agent.name for agent in data.agents}
    holders: dict[tuple[int, str], list[str]] = defaultdict(list)
    for agent_id, shifts in assignment.items():
        for key in shifts:
            holders[key].append(agent_id)
    rows = []
    for (k, queue), agent_ids in sorted(holders.items()):
        facts = data.shifts[k]
        offsets_per_slot = [
            [o.offset for o in options for _ in range(breaks.get((k, queue, o.slot, o.offset), 0))]
            for options in facts.breaks
        ]
        slots = break_slots(scenario.config, facts.shift.length)
        for i, agent_id in enumerate(sorted(agent_ids)):
            chosen = [(slot.rule, offsets[i]) for slot, offsets in zip(slots, offsets_per_slot)]
            pieces = segments(facts.shift.start, facts.shift.length, chosen)
            rows += segment_rows(scenario, agent_id, names[agent_id], queue, pieces)
    table = pd.DataFrame(rows, columns=ROSTER_COLUMNS)
    return table.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)


def total_cost(data: RosterData, assignment: Assignment, breaks: BreakCounts) -> float:
    """The cost the models minimise: the score's, and next week's first hours a week that does not
    repeat covers (`data.next_monday_like_this_one`: dropping a Sunday night must cost what it costs)."""
    cover = scheduled(data, assignment, breaks)  # once: every polish step scores its roster
    _, over_units, _, short_cost = gaps(data, cover, range(data.week.count, data.horizon))
    return sum(score(data, assignment, breaks, cover)[1].values()) + short_cost + over_units * data.over_cost / COST_SCALE
