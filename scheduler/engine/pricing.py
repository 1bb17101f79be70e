"""The price of short staffing: each missing agent of an interval costs its hours and the
contacts that miss the answer target because of it (Erlang on the queue's forecast), priced in
convex tiers so that a shortfall is spread thin rather than piled into a few intervals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasts.backlog import (deadline_intervals, just_in_time_agents, open_intervals, presence_intervals,
                               spread_over_windows)
from forecasts.staffing import rostered_service_level
from scheduler.costs import COST_SCALE, SOFT
from scheduler.scenario import Scenario
from scheduler.shifts import Week


SHORT_TIERS = 3  # the 1st, 2nd and 3rd-and-further missing agents of an interval are priced apart
DEFERRED_HOUR_SHARE = 0.3  # of a short agent-hour's price, for deferred work in the stages that plan the shifts


@dataclass(frozen=True)
class Tier:
    """One step of the convex short-staffing cost of an interval, in the models' coverage units
    (`RosterData.unit_minutes`: an agent-interval is `units` of them)."""

    units: int  # how many missing units this step holds
    cost: int  # scaled cost per missing unit
    lost_contacts: float  # contacts per missing unit that miss the answer target


def requirement_tiers(
    scenario: Scenario, week: Week, staffable: dict[str, int], units: int = 1
) -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], tuple[Tier, ...]]]:
    """Required units per (queue, interval) (`units` per agent) and the price of each missing unit.

    The s-th missing agent costs `short_hour` per agent-hour plus `short_contact` per contact that
    misses the answer target because of it (Erlang, from the queue's contacts, AHT and target).
    `staffable` is, per queue, how many agents could be on it at once: a shortfall that would take
    more of them scheduled cannot happen, so it is not priced one by one."""
    config = scenario.config
    table = scenario.requirements
    size = week.interval_minutes
    required: dict[tuple[str, int], int] = defaultdict(int)
    demand: dict[tuple[str, int], tuple[float, float]] = {}
    for row in table.itertuples(index=False):
        t = scenario.minutes(row.interval_start) // size
        if 0 <= t < week.count and row.queue in config.queues and row.required > 0:
            required[row.queue, t] += int(row.required)
            contacts = 0.0 if pd.isna(row.contacts) else float(row.contacts)
            aht = 0.0 if pd.isna(row.aht_seconds) or contacts <= 0 else float(row.aht_seconds)
            demand[row.queue, t] = (contacts, aht)
    tiers = {}
    for queue in config.queues:
        keys = [key for key in required if key[0] == queue]
        if not keys:
            continue
        if config.queues[queue].deferred:
            for key in keys:
                del required[key]
            required |= spread_requirement(scenario, week, queue, table)
            keys = [key for key in required if key[0] == queue]
            tiers |= {key: deferred_tier(required[key], config.weights, size, units) for key in keys}
            for key, tier in presence_tiers(scenario, week, queue, required, units).items():
                required[key], tiers[key] = 1, tier
            continue
        curves = missed_contacts(
            np.array([required[key] for key in keys]),
            np.array([demand[key][0] for key in keys]),
            np.array([demand[key][1] for key in keys]),
            config.queues[queue],
            size * 60.0,
            staffable.get(queue, 0),
        )
        for key, (shorts, missed) in zip(keys, curves):
            tiers[key] = price_tiers(shorts, missed, config.weights, size, units)
    return {key: needed * units for key, needed in required.items()}, tiers


def spread_requirement(scenario: Scenario, week: Week, queue: str, table: pd.DataFrame) -> dict[tuple[str, int], int]:
    """A deferred queue's agents per interval for the stages that plan the shifts: the requirement of
    its staffing targets (its work as it arrives) spread over each contact's response window
    (`forecasts.backlog.spread_over_windows`), in whole agents over the running total."""
    size = week.interval_minutes
    target = scenario.config.queues[queue]
    agents = per_interval(scenario, week, table[table["queue"] == queue], "required")
    is_open = open_intervals(np.arange(week.count) * size, target.open_window())
    center_works = per_interval(scenario, week, table, "required") > 0  # no shift is planned where none is
    spread = spread_over_windows(agents, is_open & center_works,
                                 deadline_intervals(target.response_hours, size), week.cyclic)
    required = just_in_time_agents(spread, is_open)
    return {(queue, int(t)): int(required[t]) for t in np.flatnonzero(required > 0)}


def per_interval(scenario: Scenario, week: Week, rows: pd.DataFrame, column: str) -> np.ndarray:
    """A column of requirement rows (blank and negative as 0) summed per interval of the week."""
    values = np.zeros(week.count)
    for start, value in zip(rows["interval_start"], rows[column]):
        t = scenario.minutes(start) // week.interval_minutes
        if 0 <= t < week.count and not pd.isna(value):
            values[t] += max(0.0, float(value))
    return values


def deferred_tier(required: int, weights, interval_minutes: int, units: int) -> tuple[Tier, ...]:
    """The price of a deferred queue's requirement (`spread_requirement`). Its contacts may be answered
    any time in their response window, so a missing agent costs a share of its hours only
    (`DEFERRED_HOUR_SHARE`), below any realtime interval's missing agent: these stages never take an
    agent off the phones for it, not even off a quiet night's chat; the work waits for a quieter hour
    of the phones, and the queue-block pass, which prices lateness for real, keeps the queue at its
    service level (from the phones' over-staffing first, else where they lose least)."""
    hours = SOFT["short"].scaled(weights, {"short_hours": DEFERRED_HOUR_SHARE * interval_minutes / 60 / units,
                                           "lost_contacts": 0.0})
    return (Tier(required * units, hours, 0.0),)


def presence_tiers(scenario: Scenario, week: Week, queue: str, required: dict, units: int) -> dict:
    """A deferred queue's intervals where an agent must be present for its contacts to be answered in
    time although their work alone asks none (`forecasts.backlog.presence_intervals`), each with its
    price: the agent's hours and the contacts that would then wait past their response time."""
    config, size = scenario.config, week.interval_minutes
    target = config.queues[queue]
    arrivals = per_interval(scenario, week, scenario.requirements[scenario.requirements["queue"] == queue], "contacts")
    allowed = deadline_intervals(target.response_hours, size)
    staffed = np.array([required.get((queue, t), 0) > 0 for t in range(week.count)])
    is_open = open_intervals(np.arange(week.count) * size, target.open_window())
    hours = SOFT["short"].scaled(config.weights, {"short_hours": size / 60 / units, "lost_contacts": 0.0})
    tiers = {}
    for t in np.flatnonzero(presence_intervals(arrivals, staffed, is_open, allowed, week.cyclic)):
        served = np.arange(t - allowed + 1, t + 1)  # the arrivals whose window it lies in
        served = served % week.count if week.cyclic else served[served >= 0]
        waiting = arrivals[served].sum() / units  # per coverage unit
        tiers[queue, int(t)] = (Tier(units, hours + round(COST_SCALE * config.weights.late_contact * waiting),
                                     waiting),)
    return tiers


def pricing_points(required: int, staffable: int) -> np.ndarray:
    """The numbers of missing agents worth pricing in an interval: 0 (fully staffed) and every
    shortfall that leaves at most `staffable` + 1 agents scheduled (more cannot be)."""
    first = max(1, required - staffable - 1)
    return np.concatenate([[0], np.arange(first, required + 1)]).astype(np.int64)


def missed_contacts(
    required, contacts, aht_seconds, target, interval_seconds: float, staffable: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per interval, (numbers of missing agents `pricing_points`, contacts that miss the answer
    target with that many short of the requirement), as `scheduler.evaluate` counts them
    (`rostered_service_level`). One Erlang evaluation for every point of every interval."""
    shorts = [pricing_points(int(needed), staffable) for needed in required]
    sizes = np.array([len(points) for points in shorts])
    owner = np.repeat(np.arange(len(shorts)), sizes)
    missing = np.concatenate(shorts)
    traffic = contacts * aht_seconds / interval_seconds  # Erlangs
    aht = np.where(aht_seconds > 0, aht_seconds, 1.0)
    level = rostered_service_level(traffic[owner], np.maximum(required[owner] - missing, 0), aht[owner], target,
                                   interval_seconds)
    answered = contacts[owner] * level
    firsts = np.cumsum(sizes) - sizes  # each interval's first point is 0 missing: fully staffed
    missed = answered[firsts][owner] - answered
    return list(zip(shorts, np.split(missed, np.cumsum(sizes)[:-1])))


def price_tiers(
    shorts: np.ndarray, missed: np.ndarray, weights, interval_minutes: int, units: int = 1
) -> tuple[Tier, ...]:
    """Tiers of the s-th missing agent's price, convex in s: the contacts lost follow the greatest
    convex minorant of `missed` (known at the numbers of missing agents `shorts`, 0 first and the
    requirement last), so the whole interval never loses more than all its contacts.
    The first SHORT_TIERS − 1 agents are priced one by one, the rest at their average; each agent
    is `units` coverage units at an equal share of its price (linear between whole agents, as the
    expected service level reads a fractional number of agents)."""
    hull = convex_minorant(shorts, np.maximum.accumulate(np.maximum(missed, 0.0)))
    required = int(shorts[-1])
    head = min(SHORT_TIERS - 1, required)
    marks = list(range(head + 1)) + ([required] if required > head else [])
    lost = np.interp(marks, shorts, hull)
    steps = [(1, lost[s + 1] - lost[s]) for s in range(head)]
    if required > head:
        steps.append((required - head, (lost[-1] - lost[head]) / (required - head)))
    hours = interval_minutes / 60 / units
    return tuple(
        Tier(agents * units, SOFT["short"].scaled(weights, {"short_hours": hours, "lost_contacts": float(loss) / units}),
             float(loss) / units)
        for agents, loss in steps
    )


def convex_minorant(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The greatest convex function below `values` at the increasing points `x` (lower hull,
    linear between its corners), at those points."""
    corners: list[int] = []
    for i in range(len(x)):
        while len(corners) >= 2:
            a, b = corners[-2], corners[-1]
            if (values[b] - values[a]) * (x[i] - x[a]) >= (values[i] - values[a]) * (x[b] - x[a]):
                corners.pop()
            else:
                break
        corners.append(i)
    return np.interp(x, x[corners], values[corners])
