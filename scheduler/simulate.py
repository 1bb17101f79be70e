"""Discrete-event simulation of a roster: what Erlang's steady state per interval cannot show.

Erlang treats each interval alone, at steady state. This simulation follows the contacts and the
agents through the whole week instead, so that a queue carries over from one interval to the next,
breaks and shift changes fall inside intervals, and handle times spread as they do.

The model, per queue (queues are simulated independently):
- arrivals: Poisson at each interval's forecast rate (`contacts` per interval), uniform inside it;
- handle time: the arrival interval's AHT as the mean, exponential or lognormal with a given CV;
- FIFO; a chat queue gives each agent `concurrency` slots; the longest idle agent answers first;
- patience: exponential with mean `patience_seconds` where the queue sets one (a contact that has
  waited that long hangs up); without it a contact waits until answered;
- agents are on the phones exactly while the roster has them on `work` in that queue. An agent
  whose break or shift end comes during a contact finishes it first (and returns from the break at
  the roster's time). Shrinkage `random` takes each agent off the phones for the queue's
  `shrinkage` share of work time, in exponential on/off spells (off spells of mean 15 minutes),
  drawn anew in every replication; `none` keeps everyone on the phones.
- the horizon is the scenario's `weeks` (one by default; "the week" below); its edges follow the
  roster's rule (`shifts.Week`): a cyclic horizon is preceded and followed by copies of itself, a
  chained one by `previous_roster`. Monday 00:00 starts with the queue a day of warm-up leaves: the
  simulation starts on the Sunday before (at the horizon's last Sunday's rates) and only contacts
  arriving inside the horizon are counted.

Figures per interval (contacts counted in the interval they arrive in):
- service_level: share of offered contacts answered within `answer_seconds` (abandoned ones count
  as not answered, as in Erlang A); mean over replications with a contact in the interval, and
  the 95 % confidence interval of that mean (Student t); 1 when no replication had a contact;
- asa_seconds: mean wait of answered contacts (NaN when none was answered);
- abandon_rate: share of offered contacts that hung up;
- occupancy: busy slot-time / slot-time on the phones (the time agents finish contacts past their
  break or shift end counts as busy, not as on the phones, so it is capped at 1).
asa, abandonment and occupancy pool the replications (totals over totals).
"""

from __future__ import annotations

import heapq
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from forecasts.staffing import SHRINKAGE_SPELL_MINUTES, QueueTarget
from scheduler.evaluate import coverage_table, weighted_service
from scheduler.roster import validate_roster
from scheduler.scenario import MINUTES_PER_DAY, MINUTES_PER_WEEK, Scenario
from tabular import InputError, Problem, ProblemList

SIMULATION_COLUMNS = [
    "interval_start",
    "queue",
    "offered",
    "service_level",
    "service_level_low",
    "service_level_high",
    "asa_seconds",
    "abandon_rate",
    "occupancy",
]
WARM_UP_MINUTES = MINUTES_PER_DAY
CONFIDENCE = 0.95
WEEK_SECONDS = MINUTES_PER_WEEK * 60.0

Progress = Callable[[int, int, str], None]


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandleTime:
    """Handle-time distribution around each interval's AHT: `exponential` (CV 1) or `lognormal` with `cv`."""

    kind: Literal["exponential", "lognormal"] = "exponential"
    cv: float = 1.0

    def __str__(self) -> str:
        return self.kind if self.kind == "exponential" else f"lognormal:{self.cv:g}"

    def draw(self, rng: np.random.Generator, mean: np.ndarray) -> np.ndarray:
        if self.kind == "exponential":
            return rng.exponential(mean)
        sigma2 = math.log1p(self.cv**2)
        return rng.lognormal(np.log(mean) - sigma2 / 2, math.sqrt(sigma2))


def parse_handle_time(text: str) -> HandleTime:
    """`exponential` or `lognormal:CV` (CV > 0, e.g. `lognormal:0.8`), as `--handle-time` takes it."""
    kind, _, cv = text.strip().lower().partition(":")
    if kind == "exponential" and not cv:
        return HandleTime()
    if kind == "lognormal":
        try:
            value = float(cv)
        except ValueError:
            value = float("nan")
        if math.isfinite(value) and value > 0:
            return HandleTime("lognormal", value)
    raise InputError(Problem(f"--handle-time '{text}' is not a distribution; use exponential or lognormal:CV "
                             "with a coefficient of variation above 0, e.g. lognormal:0.8"))


@dataclass(frozen=True)
class SimulationSettings:
    replications: int = 100
    seed: int = 0
    handle_time: HandleTime = field(default_factory=HandleTime)
    shrinkage: Literal["random", "none"] = "random"
    time_limit: float | None = None  # seconds; replications not started by then are left out

    def __post_init__(self) -> None:
        if self.replications < 1:
            raise ValueError("a simulation needs at least one replication")
        if self.shrinkage not in ("random", "none"):
            raise ValueError(f"shrinkage '{self.shrinkage}' is neither random nor none")


@dataclass(frozen=True)
class SimulationResult:
    intervals: pd.DataFrame  # SIMULATION_COLUMNS
    summary: dict  # the week per queue, and how it was simulated
    replications: int  # done (fewer than asked when the time limit stopped it)


# --------------------------------------------------------------------------------------------
# The week's input per queue
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueModel:
    """One queue's demand and staffing, in seconds from the week start.

    `contacts`/`aht` are per interval of the week; `windows[i]` are agent i's (start, end) spans on
    work in this queue, merged and sorted, over the week and its edges."""

    name: str
    target: QueueTarget
    interval_seconds: float
    contacts: np.ndarray
    aht: np.ndarray
    windows: tuple[np.ndarray, ...]

    @property
    def count(self) -> int:
        return len(self.contacts)


def queue_models(roster: pd.DataFrame, scenario: Scenario) -> list[QueueModel]:
    """Every queue of the scenario, with the roster's agents on it (the roster is validated first)."""
    table = validate_roster(roster)
    check_names(table, scenario)
    spans = _work_spans(table, scenario)
    minutes = scenario.config.interval_minutes
    horizon = horizon_seconds(scenario)
    starts = pd.date_range(scenario.week_start, periods=int(horizon // 60) // minutes, freq=f"{minutes}min")
    demand = scenario.requirements.astype({"queue": str})
    models = []
    for queue, target in scenario.config.queues.items():
        rows = demand[demand["queue"] == queue].set_index("interval_start").reindex(starts)
        aht = rows["aht_seconds"].fillna(0).to_numpy(dtype=float)
        # Without a handle time there is no load (as Erlang reads it): such an interval stays idle.
        contacts = np.where(aht > 0, rows["contacts"].fillna(0).to_numpy(dtype=float), 0.0)
        mine = spans[spans["queue"] == queue]
        windows = tuple(_within_horizon(_merged(group[["start", "end"]].to_numpy(dtype=float)), horizon)
                        for _, group in mine.groupby("agent_id", sort=True))
        models.append(QueueModel(queue, target, minutes * 60.0, contacts, np.where(aht > 0, aht, 1.0), windows))
    return models


def check_names(roster: pd.DataFrame, scenario: Scenario, name: str = "roster", rows: np.ndarray | None = None) -> None:
    """Agents and queues of a (validated) roster must be the scenario's: a typo would silently drop an
    agent. `rows` are the rows' numbers in the file (default: as a spreadsheet shows the frame)."""
    rows = np.arange(len(roster)) + 2 if rows is None else rows
    problems = ProblemList(name)
    agents = roster["agent_id"].astype(str)
    problems.add_cells("agent_id", rows, ~agents.isin({agent.agent_id for agent in scenario.agents}), agents,
                       lambda value: f"unknown agent '{value}': not in agents.csv")
    queues, known = roster["queue"].astype(str), list(scenario.config.queues)
    problems.add_cells("queue", rows, (roster["activity"] == "work") & ~queues.isin(known), queues,
                       lambda value: f"unknown queue '{value}': the scenario's queues are {', '.join(known)}")
    problems.raise_if_any()


def horizon_seconds(scenario: Scenario) -> float:
    """The simulated horizon: the scenario's `weeks` from its week start."""
    return scenario.config.weeks * WEEK_SECONDS


def _work_spans(roster: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """agent_id, queue, start, end (seconds from the week start) of every work row in the horizon and
    at its edges: a cyclic horizon adds copies of itself before and after; a chained one adds last
    week's roster."""
    week_start = pd.Timestamp(scenario.week_start)
    spans = _seconds(roster, week_start)
    if scenario.cyclic:
        horizon = horizon_seconds(scenario)
        copies = [spans.assign(start=spans["start"] + shift, end=spans["end"] + shift)
                  for shift in (-horizon, 0.0, horizon)]
        return pd.concat(copies, ignore_index=True)
    previous = validate_roster(scenario.previous_roster, "previous roster")
    return pd.concat([_seconds(previous, week_start), spans], ignore_index=True)


def _seconds(roster: pd.DataFrame, week_start: pd.Timestamp) -> pd.DataFrame:
    work = roster[roster["activity"] == "work"]
    return pd.DataFrame({
        "agent_id": work["agent_id"].to_numpy(), "queue": work["queue"].to_numpy(),
        "start": (work["start"] - week_start).dt.total_seconds().to_numpy(),
        "end": (work["end"] - week_start).dt.total_seconds().to_numpy(),
    })


def _merged(spans: np.ndarray) -> np.ndarray:
    """Union of (start, end) spans as sorted, disjoint, non-touching spans."""
    spans = spans[np.argsort(spans[:, 0], kind="stable")]
    merged: list[list[float]] = []
    for start, end in spans.tolist():
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return np.array(merged, dtype=float).reshape(-1, 2)


def _within_horizon(spans: np.ndarray, horizon: float) -> np.ndarray:
    """Spans cut to the simulated time: from the warm-up's start to a day past the horizon (`horizon`
    seconds), which is time enough for the contacts of the last Sunday night to be answered or to hang up."""
    cut = np.clip(spans, -WARM_UP_MINUTES * 60.0, horizon + MINUTES_PER_DAY * 60.0)
    return cut[cut[:, 1] > cut[:, 0]]


# --------------------------------------------------------------------------------------------
# One replication of one queue
# --------------------------------------------------------------------------------------------

# Rows of a replication's tally (per interval of the week).
OFFERED, IN_TIME, ANSWERED, ABANDONED, WAIT, BUSY, ON_PHONES = range(7)
TALLY_ROWS = 7


@dataclass(frozen=True)
class Arrivals:
    """Contacts of one replication in arrival order, from the warm-up on (seconds from the week start)."""

    time: np.ndarray
    interval: np.ndarray  # interval of the week they arrive in; negative in the warm-up
    service: np.ndarray
    deadline: np.ndarray  # when they hang up (inf without patience)


def draw_arrivals(model: QueueModel, handle_time: HandleTime, rng: np.random.Generator) -> Arrivals:
    warm_up = int(WARM_UP_MINUTES * 60 // model.interval_seconds)
    index = np.arange(-warm_up, model.count)
    # Warm-up intervals take the week's own rates: the Sunday before looks like this Sunday.
    counts = rng.poisson(model.contacts[index % model.count])
    interval = np.repeat(index, counts)
    times = (interval + rng.random(len(interval))) * model.interval_seconds
    order = np.argsort(times, kind="stable")
    times, interval = times[order], interval[order]
    service = handle_time.draw(rng, model.aht[interval % model.count])
    patience = model.target.patience_seconds
    deadline = times + rng.exponential(patience, len(times)) if patience else np.full(len(times), np.inf)
    return Arrivals(times, interval, service, deadline)


def on_phones(windows: tuple[np.ndarray, ...], shrinkage: float, rng: np.random.Generator) -> list[np.ndarray]:
    """Each agent's work spans less random spells off the phones taking `shrinkage` of the time."""
    if shrinkage <= 0:
        return list(windows)
    return [_minus(spans, _off_spells(spans[0, 0], spans[-1, 1], shrinkage, rng)) if len(spans) else spans
            for spans in windows]


def _off_spells(start: float, end: float, shrinkage: float, rng: np.random.Generator) -> np.ndarray:
    """An alternating on/off process over [start, end], off `shrinkage` of the time in the long run
    (exponential spells, off ones of mean SHRINKAGE_SPELL_MINUTES), started in its stationary state."""
    mean_off = SHRINKAGE_SPELL_MINUTES * 60
    mean_on = mean_off * (1 - shrinkage) / shrinkage
    off_first = rng.random() < shrinkage
    means = np.array([mean_off, mean_on] if off_first else [mean_on, mean_off])
    spells, clock = [], start
    while clock < end:
        cycles = int((end - clock) / (mean_on + mean_off)) + 4
        edges = clock + np.concatenate([[0.0], np.cumsum(rng.exponential(np.tile(means, cycles)))])
        first_off = 0 if off_first else 1
        spells.append(np.column_stack([edges[first_off:-1:2], edges[first_off + 1::2]]))
        clock = edges[-1]
    return np.concatenate(spells)


def _minus(spans: np.ndarray, holes: np.ndarray) -> np.ndarray:
    """Disjoint spans less disjoint holes, as spans."""
    times = np.concatenate([spans[:, 0], spans[:, 1], holes[:, 0], holes[:, 1]])
    steps = np.concatenate([np.ones(len(spans)), -np.ones(len(spans)), -np.ones(len(holes)), np.ones(len(holes))])
    moments, position = np.unique(times, return_inverse=True)
    level = np.cumsum(np.bincount(position, weights=steps, minlength=len(moments)))
    inside = level == 1  # in a span and not in a hole
    before = np.concatenate([[False], inside[:-1]])
    return np.column_stack([moments[inside & ~before], moments[~inside & before]])


def serve(arrivals: Arrivals, spans: list[np.ndarray], slots: int) -> np.ndarray:
    """When each contact is answered (inf: never, it hung up or nobody came), FIFO, by agents on the
    phones during `spans` (each with `slots` contacts at once). The longest idle agent answers; an agent
    going off the phones finishes what it is handling."""
    change_time, change_agent, change_on = _changes(spans)
    changes = len(change_time)
    moments = np.concatenate([change_time, arrivals.time])
    # At the same moment an agent changes first, then a contact arrives.
    order = np.argsort(moments, kind="stable").tolist()
    moments_list = moments.tolist()
    agent_of, going_on = change_agent.tolist(), change_on.tolist()
    service, deadline = arrivals.service.tolist(), arrivals.deadline.tolist()
    answered = [math.inf] * len(service)

    ends: list[tuple[float, int]] = []  # (end of a contact, agent) heap
    busy = [0] * len(spans)
    on = [False] * len(spans)
    idle: dict[int, int] = {}  # agent -> idle slots, longest idle first
    queue: deque[int] = deque()
    push, pop = heapq.heappush, heapq.heappop

    def take_next(agent: int, now: float) -> None:
        while queue:
            contact = queue.popleft()
            if deadline[contact] >= now:  # else it hung up at its deadline
                answered[contact] = now
                busy[agent] += 1
                push(ends, (now + service[contact], agent))
                return
        idle[agent] = idle.get(agent, 0) + 1

    for event in order:
        now = moments_list[event]
        while ends and ends[0][0] <= now:
            end, agent = pop(ends)
            busy[agent] -= 1
            if on[agent]:
                take_next(agent, end)
        if event < changes:
            agent = agent_of[event]
            if going_on[event]:
                on[agent] = True
                for _ in range(slots - busy[agent]):
                    take_next(agent, now)
            else:
                on[agent] = False
                idle.pop(agent, None)
        elif idle:
            contact = event - changes
            agent = next(iter(idle))
            if idle[agent] == 1:
                del idle[agent]
            else:
                idle[agent] -= 1
            answered[contact] = now
            busy[agent] += 1
            push(ends, (now + service[contact], agent))
        else:
            queue.append(event - changes)
    return np.array(answered)


def _changes(spans: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(time, agent, on) of every agent's going on and off the phones, in time order (off first)."""
    agents = np.concatenate([np.full(2 * len(s), i) for i, s in enumerate(spans)] or [np.zeros(0, int)])
    times = np.concatenate([np.concatenate([s[:, 0], s[:, 1]]) for s in spans] or [np.zeros(0)])
    going_on = np.concatenate([np.repeat([True, False], len(s)) for s in spans] or [np.zeros(0, bool)])
    order = np.lexsort((going_on, times))
    return times[order], agents[order].astype(int), going_on[order]


def simulate_queue(model: QueueModel, settings: SimulationSettings, rng: np.random.Generator) -> np.ndarray:
    """One replication of one queue: its tally, TALLY_ROWS × intervals of the week."""
    arrivals = draw_arrivals(model, settings.handle_time, rng)
    shrinkage = model.target.shrinkage if settings.shrinkage == "random" else 0.0
    spans = on_phones(model.windows, shrinkage, rng)
    answered = serve(arrivals, spans, model.target.concurrency)
    return _tally(model, arrivals, answered, spans)


def _tally(model: QueueModel, arrivals: Arrivals, answered: np.ndarray, spans: list[np.ndarray]) -> np.ndarray:
    tally = np.zeros((TALLY_ROWS, model.count))
    week = arrivals.interval >= 0
    interval = arrivals.interval[week]
    wait = answered[week] - arrivals.time[week]
    was_answered = np.isfinite(wait)

    def per_interval(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(interval[mask], weights=None if weights is None else weights[mask], minlength=model.count)

    tally[OFFERED] = per_interval(np.ones(len(interval), bool))
    tally[IN_TIME] = per_interval(was_answered & (wait <= model.target.answer_seconds))
    tally[ANSWERED] = per_interval(was_answered)
    tally[ABANDONED] = per_interval(~was_answered & np.isfinite(arrivals.deadline[week]))
    tally[WAIT] = per_interval(was_answered, np.where(was_answered, wait, 0.0))
    served = np.isfinite(answered)
    edges = np.arange(model.count + 1) * model.interval_seconds
    tally[BUSY] = _time_inside(answered[served], answered[served] + arrivals.service[served], edges)
    all_spans = np.concatenate(spans) if spans else np.zeros((0, 2))
    tally[ON_PHONES] = model.target.concurrency * _time_inside(all_spans[:, 0], all_spans[:, 1], edges)
    return tally


def _time_inside(starts: np.ndarray, ends: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Total time the spans [starts, ends) spend in each interval between consecutive `edges`."""
    covered = _ramp(starts, edges) - _ramp(ends, edges)  # time covered before each edge
    return np.diff(covered)


def _ramp(points: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Σ max(0, edge − point) for each edge."""
    ordered = np.sort(points)
    before = np.searchsorted(ordered, edges)
    sums = np.concatenate([[0.0], np.cumsum(ordered)])
    return before * edges - sums[before]


# --------------------------------------------------------------------------------------------
# Replications
# --------------------------------------------------------------------------------------------


def replicate(models: list[QueueModel], settings: SimulationSettings, seed: np.random.SeedSequence) -> np.ndarray:
    """One replication of every queue: tallies, queues × TALLY_ROWS × intervals."""
    rng = np.random.default_rng(seed)
    return np.stack([simulate_queue(model, settings, rng) for model in models])


def simulate_roster(
    roster: pd.DataFrame,
    scenario: Scenario,
    settings: SimulationSettings = SimulationSettings(),
    progress: Progress | None = None,
) -> SimulationResult:
    """Simulate the roster's week `settings.replications` times; per interval and queue, and the week.

    Each replication has its own random stream (spawned from `settings.seed`), so the first k
    replications are the same whatever the number asked. Raises InputError when the roster names agents or
    queues the scenario does not know."""
    began = time.perf_counter()
    models = queue_models(roster, scenario)
    seeds = np.random.SeedSequence(settings.seed).spawn(settings.replications)
    tallies = _run(models, settings, seeds, progress or (lambda step, total, message: None))
    intervals = interval_table(models, tallies, scenario)
    summary = week_summary(models, tallies, expected_service(roster, scenario))
    summary.update(weeks=scenario.config.weeks, replications=len(tallies), replications_asked=settings.replications,
                   seed=settings.seed, handle_time=str(settings.handle_time), shrinkage=settings.shrinkage,
                   warm_up_hours=WARM_UP_MINUTES / 60, wall_seconds=round(time.perf_counter() - began, 2))
    return SimulationResult(intervals, summary, len(tallies))


def _run(models: list[QueueModel], settings: SimulationSettings, seeds: list, progress: Progress) -> np.ndarray:
    """Tallies of the replications done: all of them, or those done within the time limit (at least one).

    One process: at 100 replications of the sample center, two spawned processes were twice as slow
    (each imports the engine first; see the README's benchmark)."""
    began, tallies = time.perf_counter(), []
    for seed in seeds:
        tallies.append(replicate(models, settings, seed))
        progress(len(tallies), len(seeds), f"{len(tallies)} of {len(seeds)} replications")
        if settings.time_limit is not None and time.perf_counter() - began > settings.time_limit:
            break
    return np.stack(tallies)


# --------------------------------------------------------------------------------------------
# Figures over replications
# --------------------------------------------------------------------------------------------


def _mean_and_interval(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over replications (axis 0, NaN left out) and its 95 % Student-t interval; with no value the
    mean reads 1 (no contact, nobody waited), with one value the interval is NaN."""
    counted = np.sum(~np.isnan(values), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counted > 0, np.nansum(values, axis=0) / np.maximum(counted, 1), 1.0)
        spread = np.sqrt(np.nansum((values - mean) ** 2, axis=0) / (counted - 1))
        half = stats.t.ppf(0.5 + CONFIDENCE / 2, counted - 1) * spread / np.sqrt(counted)
    half = np.where(counted == 0, 0.0, np.where(counted == 1, np.nan, half))
    return mean, np.clip(mean - half, 0, 1), np.clip(mean + half, 0, 1)


def _ratio(numerator: np.ndarray, denominator: np.ndarray, empty: float) -> np.ndarray:
    numerator, denominator = np.asarray(numerator, float), np.asarray(denominator, float)
    out = np.full(np.shape(numerator), empty, dtype=float)
    return np.divide(numerator, denominator, out=out, where=denominator > 0)


def interval_table(models: list[QueueModel], tallies: np.ndarray, scenario: Scenario) -> pd.DataFrame:
    """SIMULATION_COLUMNS per interval and queue (interval-major, queues in the scenario's order)."""
    count = models[0].count if models else 0
    starts = pd.date_range(scenario.week_start, periods=count, freq=f"{scenario.config.interval_minutes}min")
    parts = []
    for position, model in enumerate(models):
        tally = tallies[:, position]  # replications × rows × intervals
        level, low, high = _mean_and_interval(_ratio(tally[:, IN_TIME], tally[:, OFFERED], np.nan))
        totals = tally.sum(axis=0)
        parts.append(pd.DataFrame({
            "interval_start": starts, "queue": model.name,
            "offered": totals[OFFERED] / len(tallies),
            "service_level": level, "service_level_low": low, "service_level_high": high,
            "asa_seconds": _ratio(totals[WAIT], totals[ANSWERED], np.nan),
            "abandon_rate": _ratio(totals[ABANDONED], totals[OFFERED], 0.0),
            "occupancy": np.clip(_ratio(totals[BUSY], totals[ON_PHONES], 0.0), 0.0, 1.0),
        }))
    if not parts:
        return pd.DataFrame(columns=SIMULATION_COLUMNS)
    table = pd.concat(parts).sort_values(["interval_start"], kind="stable").reset_index(drop=True)
    table.attrs["interval_minutes"] = scenario.config.interval_minutes
    return table[SIMULATION_COLUMNS]


def week_summary(models: list[QueueModel], tallies: np.ndarray, expected: dict[str, float]) -> dict:
    """The week per queue: service level (mean and 95 % interval over replications), against the
    target and Erlang's expectation for the same roster; ASA, abandonment and occupancy."""
    queues = {}
    for position, model in enumerate(models):
        week = tallies[:, position].sum(axis=2)  # replications × rows
        level, low, high = _mean_and_interval(_ratio(week[:, IN_TIME], week[:, OFFERED], np.nan))
        totals = week.sum(axis=0)
        queues[model.name] = {
            "offered": _rounded(totals[OFFERED] / len(week)),
            "service_level": {"mean": _rounded(level), "low": _rounded(low), "high": _rounded(high)},
            "target": _rounded(model.target.service_level),
            "expected": _rounded(expected.get(model.name)),
            "asa_seconds": _rounded(_ratio(totals[WAIT], totals[ANSWERED], np.nan)),
            "abandon_rate": _rounded(_ratio(totals[ABANDONED], totals[OFFERED], 0.0)),
            "occupancy": _rounded(np.clip(_ratio(totals[BUSY], totals[ON_PHONES], 0.0), 0.0, 1.0)),
        }
    return {"queues": queues}


def expected_service(roster: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """Erlang's contact-weighted service level of the week per queue for this roster (as summary.json)."""
    coverage = coverage_table(roster, scenario)
    return {str(queue): weighted_service(rows, "service_level") for queue, rows in coverage.groupby("queue")}


def _rounded(value) -> float | None:
    value = float(value) if value is not None else math.nan
    return None if math.isnan(value) else round(value, 4) + 0.0
