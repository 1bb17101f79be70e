"""Coverage rows shared by the CP-SAT models: scheduled + short − over = required per (queue,
interval), in coverage units (`RosterData.unit_minutes`: each agent counts by the share of the
interval it works, as `scheduler.evaluate` counts), over counts per shift type and queue
(`count = Σ works`) and breaks over counts per (shift, queue, break, offset) that sum to the shift
count: the agents of one shift type are interchangeable, so `result.roster_table` hands the offsets
out afterwards."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.engine.data import RosterData
from scheduler.shifts import middle


@dataclass
class Coverage:
    """Break counts and the short/over variables of every (queue, interval)."""

    breaks: dict[tuple[int, str, int, int], cp_model.IntVar]  # (k, queue, slot, offset)
    short: dict[tuple[str, int, int], cp_model.IntVar]  # (queue, interval, tier)
    over: dict[tuple[str, int], cp_model.IntVar]


def add_break_counts(
    model: cp_model.CpModel, data: RosterData, counts: dict[tuple[int, str], object], upper: dict[tuple[int, str], int]
) -> dict[tuple[int, str, int, int], object]:
    """For every break of every shift in use, how many of its agents take it at each offset."""
    breaks = {}
    for (k, queue), count in counts.items():
        facts = data.shifts[k]
        for options in facts.breaks:
            if len(options) == 1:
                breaks[k, queue, options[0].slot, options[0].offset] = count
                continue
            chosen = []
            for option in options:
                name = f"break({facts.label} {queue} #{option.slot} +{option.offset}m)"
                chosen.append(model.new_int_var(0, upper[k, queue], name))
                breaks[k, queue, option.slot, option.offset] = chosen[-1]
            model.add(sum(chosen) == count)
    return breaks


def nominal_breaks(data: RosterData, counts: dict[tuple[int, str], object]) -> dict[tuple[int, str, int, int], object]:
    """Every break in the middle of its window: the placement the agent models assume (the break
    pass places breaks for real once the shifts are known)."""
    breaks = {}
    for (k, queue), count in counts.items():
        for options in data.shifts[k].breaks:
            nominal = middle(options)
            breaks[k, queue, nominal.slot, nominal.offset] = count
    return breaks


def add_coverage(
    model: cp_model.CpModel,
    data: RosterData,
    counts: dict[tuple[int, str], object],
    breaks: dict[tuple[int, str, int, int], object],
) -> Coverage:
    """scheduled(q, t) + short(q, t) − over(q, t) = required(q, t) in units, short split into priced tiers."""
    terms: dict[tuple[str, int], list] = defaultdict(list)
    for (k, queue), count in counts.items():
        for t, units in data.shifts[k].cover:
            terms[queue, t].append(units * count)
    for (k, queue, slot, offset), count in breaks.items():
        for t, units in data.shifts[k].break_lost(slot, offset):
            terms[queue, t].append(-units * count)
    short, over = {}, {}
    for queue in data.queues:
        for t in range(data.horizon):
            key = (queue, t)
            fixed = data.fixed_coverage.get(key, 0)
            needed = data.required.get(key, 0)
            if not terms[key] and needed == 0:
                continue
            missing = []
            for tier, step in enumerate(data.tiers.get(key, ())):
                short[queue, t, tier] = model.new_int_var(0, step.units, f"short({queue} t={t} tier {tier + 1})")
                missing.append(short[queue, t, tier])
            # an interval is covered by shifts of at most two days: at most two per agent
            over[key] = model.new_int_var(0, 2 * len(data.agents) * data.units + fixed, f"over({queue} t={t})")
            model.add(fixed + sum(terms[key]) + sum(missing) - over[key] == needed)
    return Coverage(breaks, short, over)


def short_staffing_cost(data: RosterData, coverage: Coverage) -> cp_model.LinearExprT:
    """Soft: each missing unit at its tier's price (service lost at that hour)."""
    keys = list(coverage.short)
    return cp_model.LinearExpr.weighted_sum(
        [coverage.short[key] for key in keys], [data.tiers[key[:2]][key[2]].cost for key in keys]
    )


def over_staffing_cost(data: RosterData, coverage: Coverage) -> cp_model.LinearExprT:
    """Soft: every unit above the requirement."""
    return data.over_cost * sum(coverage.over.values())
