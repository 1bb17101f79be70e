"""Interval staffing requirements from a forecast and per-queue service targets.

The hand-off table (`requirements.csv`) has the columns
`interval_start, queue, contacts, aht_seconds, required, service_level, asa_seconds, occupancy`
(plus `abandon_rate` where a queue declares a patience).

`required` is the number of agents to *schedule* (grossed up for shrinkage);
`service_level`, `asa_seconds` and `occupancy` are what the agents actually on the
phones at that staffing, required × (1 − shrinkage), are expected to achieve.

Chat: a queue with `concurrency: k` lets one agent work k chats at once. Each chat
is a server in the queueing model (a chat holds its slot for its handle time), so
the Erlang maths sizes chat *slots*, and agents = ceil(slots / k).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator
from scipy import stats

from forecasts import erlang
from tabular import InputError, Problem, read_text
from forecasts.settings import Settings, parse_yaml, validation_problems

# Beyond these a value is a typing slip, not a contact center: a day of waiting; a thousand agents on
# the phones in every interval, the quietest night included (the roster engine's model also grows
# with the requirement: a floor of 10,000 takes it half a minute to build).
MAX_SECONDS = 86_400
MAX_MIN_AGENTS = 1_000
# Offered load (Erlangs) above which an interval would need more agents than any center has; the
# Erlang search would also take minutes to step that far.
MAX_TRAFFIC = 100_000

REQUIREMENT_COLUMNS = [
    "interval_start",
    "queue",
    "contacts",
    "aht_seconds",
    "required",
    "service_level",
    "asa_seconds",
    "occupancy",
]


class QueueTarget(Settings):
    """Service target and staffing assumptions of one queue."""

    service_level: float = Field(0.8, gt=0, lt=1, description="share answered within answer_seconds")
    answer_seconds: float = Field(20, gt=0, le=MAX_SECONDS)
    max_occupancy: float = Field(0.85, gt=0, le=1)
    shrinkage: float = Field(0.3, ge=0, lt=1, description="share of paid time off the phones")
    max_asa_seconds: float | None = Field(None, gt=0, le=MAX_SECONDS)
    patience_seconds: float | None = Field(
        None, gt=0, le=MAX_SECONDS, description="average patience; when set, Erlang A (with abandonment) is used"
    )
    max_abandon: float | None = Field(None, gt=0, lt=1, description="Erlang A only")
    concurrency: int = Field(1, ge=1, le=20, description="contacts one agent handles at once (chat)")
    min_agents: int = Field(
        0, ge=0, le=MAX_MIN_AGENTS,
        description="agents on the phones in every interval (24/7 queues); leave 0 for queues that close",
    )
    quantile: float | None = Field(
        None, ge=0.5, le=0.99, description="staff to this quantile of contacts instead of the forecast mean"
    )

    @model_validator(mode="after")
    def _abandon_needs_patience(self) -> "QueueTarget":
        if self.max_abandon is not None and self.patience_seconds is None:
            raise ValueError("max_abandon needs patience_seconds (abandonment is modelled by Erlang A)")
        return self


class StaffingConfig(Settings):
    """Targets per queue; `default` fills every key a queue does not set."""

    default: QueueTarget = QueueTarget()
    queues: dict[str, QueueTarget] = {}

    @model_validator(mode="before")
    @classmethod
    def _merge_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("queues"), dict):
            return data
        default = data.get("default") or {}
        if isinstance(default, QueueTarget):
            default = default.model_dump(exclude_unset=True)
        merged = {}
        for name, target in data["queues"].items():
            if isinstance(target, dict) and isinstance(default, dict):
                target = {**default, **target}
            merged[name] = target
        return {**data, "queues": merged}

    def target(self, queue: str) -> QueueTarget:
        return self.queues.get(queue, self.default)


def load_staffing_config(path: str | Path) -> StaffingConfig:
    """Read a YAML (or JSON) staffing config; unreadable text, repeated or unknown keys and bad values
    are InputErrors."""
    path = Path(path)
    data = parse_yaml(read_text(path, str(path)), str(path)) or {}
    if not isinstance(data, dict):
        raise InputError(Problem("expected a mapping with 'default' and/or 'queues'", file=str(path)))
    try:
        return StaffingConfig.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc, str(path))) from None


def _queue_requirements(rows: pd.DataFrame, target: QueueTarget, interval_seconds: float) -> pd.DataFrame:
    contacts = contacts_to_staff(rows, target.quantile)
    aht = rows["aht_seconds"].fillna(0).to_numpy(dtype=float)
    # Where nothing is offered the AHT is empty; any positive stand-in gives zero traffic.
    safe_aht = np.where((contacts > 0) & (aht > 0), aht, 1.0)
    traffic = erlang.traffic(np.where(contacts > 0, contacts, 0.0), safe_aht, interval_seconds)

    if target.patience_seconds is None:
        slots = erlang.required_agents(
            traffic,
            safe_aht,
            target.service_level,
            target.answer_seconds,
            max_occupancy=target.max_occupancy,
            max_asa=target.max_asa_seconds,
        )
    else:
        slots = erlang.erlang_a_required_agents(
            traffic,
            safe_aht,
            target.service_level,
            target.answer_seconds,
            target.patience_seconds,
            max_occupancy=target.max_occupancy,
            max_abandon=target.max_abandon,
        )
    on_phones = np.ceil(np.asarray(slots) / target.concurrency).astype(int)
    on_phones = np.maximum(on_phones, target.min_agents)
    required = gross_up(on_phones, target.shrinkage)

    out = rows[["interval_start", "queue", "contacts", "aht_seconds"]].copy()
    out["required"] = required
    out = out.join(expected_service(traffic, on_phones, safe_aht, target, index=rows.index))
    return out


def _checked_queue_requirements(
    rows: pd.DataFrame, queue: str, target: QueueTarget, interval_seconds: float, source: str | None
) -> pd.DataFrame:
    problems = _workload_problems(rows, queue, interval_seconds, source)
    if problems:
        raise InputError(problems)
    try:
        return _queue_requirements(rows, target, interval_seconds)
    except (ValueError, ArithmeticError) as error:
        raise InputError(_failure(rows, queue, target, interval_seconds, source, error)) from None


def _workload_problems(rows: pd.DataFrame, queue: str, interval_seconds: float, source: str | None) -> list[Problem]:
    """Intervals whose contacts and handle time no staffing can answer."""
    contacts = rows["contacts"].to_numpy(dtype=float)
    aht = rows["aht_seconds"].to_numpy(dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        erlangs = contacts * aht / interval_seconds
    good_contacts = np.isfinite(contacts) & (contacts >= 0)
    busy = good_contacts & (contacts > 0)
    good_aht = np.isfinite(aht) & (aht > 0)
    checks = [
        ("contacts", ~good_contacts, lambda i: f"{contacts[i]:g} is not a number of contacts (0 or more)"),
        ("aht_seconds", busy & ~good_aht,
         lambda i: f"{aht[i]:g} is not a handle time in seconds (above 0) for {contacts[i]:g} contacts"),
        ("contacts", busy & good_aht & ~(erlangs <= MAX_TRAFFIC),
         lambda i: f"{contacts[i]:g} contacts of {aht[i]:g} s are {erlangs[i]:,.4g} agents' worth of work "
                   f"(more than {MAX_TRAFFIC:,}); check contacts and aht_seconds"),
    ]
    starts = rows["interval_start"].to_numpy()
    return [
        Problem(f"queue '{queue}', interval {pd.Timestamp(starts[i]):%Y-%m-%d %H:%M}: {describe(i)}", source, column=column)
        for column, bad, describe in checks
        for i in np.flatnonzero(bad)
    ]


def _failure(rows: pd.DataFrame, queue: str, target: QueueTarget, interval_seconds: float,
             source: str | None, error: Exception) -> Problem:
    """The staffing maths failed on a queue: name the first interval it fails on alone."""
    for index in rows.index:
        try:
            _queue_requirements(rows.loc[[index]], target, interval_seconds)
        except (ValueError, ArithmeticError):
            where = f"queue '{queue}', interval {pd.Timestamp(rows.at[index, 'interval_start']):%Y-%m-%d %H:%M}"
            break
    else:
        where = f"queue '{queue}'"
    return Problem(f"{where}: cannot be staffed ({error}); check its contacts, aht_seconds and targets", source)
def contacts_to_staff(rows: pd.DataFrame, quantile: float | None) -> np.ndarray:
    """The forecast's contacts, or with a `quantile` that quantile of them: interpolated on the
    normal scale through the median (`contacts`), the 90 % and 97.5 % points (`contacts_hi80`,
    `contacts_hi95`, the forecast's prediction intervals) and extrapolated beyond; a forecast
    without those columns takes the Poisson quantile of `contacts` (the noise of counts alone)."""
    contacts = rows["contacts"].to_numpy(dtype=float)
    if quantile is None:
        return contacts
    if not {"contacts_hi80", "contacts_hi95"} <= set(rows.columns):
        return stats.poisson.ppf(quantile, np.clip(contacts, 0.0, None)).astype(float)
    z = stats.norm.ppf([0.5, 0.9, 0.975])
    points = np.stack([contacts, rows["contacts_hi80"].to_numpy(float), rows["contacts_hi95"].to_numpy(float)])
    wanted = stats.norm.ppf(quantile)
    segment = 0 if wanted <= z[1] else 1
    share = (wanted - z[segment]) / (z[segment + 1] - z[segment])
    return np.maximum(points[segment] + share * (points[segment + 1] - points[segment]), contacts)


def gross_up(on_phones: np.ndarray, shrinkage: float) -> np.ndarray:
    """Agents to schedule so that `on_phones` remain after shrinkage (exact for e.g. 14 / 0.7 = 20)."""
    return np.ceil(np.asarray(on_phones, dtype=float) / (1.0 - shrinkage) - 1e-9).astype(int)


def net_of_shrinkage(scheduled: np.ndarray, shrinkage: float) -> np.ndarray:
    """Agents expected on the phones when `scheduled` are rostered (may be fractional)."""
    return np.asarray(scheduled, dtype=float) * (1.0 - shrinkage)


def expected_service(
    traffic: np.ndarray,
    on_phones: np.ndarray,
    aht_seconds: np.ndarray,
    target: QueueTarget,
    index: pd.Index | None = None,
) -> pd.DataFrame:
    """Service level, ASA and occupancy with `on_phones` agents. A fractional number of agents (2.8
    on the phones: 4 scheduled at 30 % shrinkage, or an agent there part of the interval) reads
    linearly between its whole neighbours: 2.8 is 20 % of Erlang's 2 and 80 % of its 3, which
    matched a contact-by-contact simulation far better than the floor or a binomial mixture
    (README, *Simulation*)."""
    agents = np.asarray(on_phones, dtype=float)
    below = np.floor(agents + 1e-9)
    share = np.clip(agents - below, 0.0, 1.0)
    service = _whole_agents_service(traffic, below, aht_seconds, target)
    fractional = share > 1e-9
    if fractional.any():
        # rows of whole agents keep their own figures (an unstable neighbour's infinite ASA stays out)
        upper = _whole_agents_service(traffic, below + 1, aht_seconds, target)
        between = service.mul(1 - share, axis=0) + upper.mul(share, axis=0)
        service.loc[fractional] = between.loc[fractional]
    return service if index is None else service.set_axis(index)


SHRINKAGE_SPELL_MINUTES = 15.0  # shrinkage takes agents off the phones in spells of this mean length


def rostered_service_level(
    traffic: np.ndarray, scheduled: np.ndarray, aht_seconds: np.ndarray, target: QueueTarget, interval_seconds: float
) -> np.ndarray:
    """Expected service level of `scheduled` agents (each counted by the share of the interval it
    works, so possibly fractional) who are off the phones at random for the queue's shrinkage share
    of their time, in spells of SHRINKAGE_SPELL_MINUTES on average (as `scheduler.simulate` has them):
    - nobody is on the phones with probability shrinkage ** scheduled; a contact arriving then waits
      for somebody to come back, so it counts as not answered in time;
    - an agent going off the phones first finishes the contacts in hand, which adds shrinkage ×
      occupancy × AHT / (AHT + spell) of an agent per scheduled agent to those taking contacts;
    - the number on the phones, averaged over the interval, varies around its mean (`_on_phones_spread`):
      Erlang (`expected_service`, fractional agents read between whole ones) is averaged over that
      normal spread, given that somebody is on the phones (so at least one agent, or the mean).
    Against a contact-by-contact simulation of the sample center's rosters this reads the week
    within 0.4 points; floored agents read 4–7 points low, and Erlang at the mean number without
    these effects 1.4 (README, *Simulation*)."""
    scheduled = np.asarray(scheduled, dtype=float)
    traffic = np.asarray(traffic, dtype=float)
    aht = np.asarray(aht_seconds, dtype=float)
    shrinkage = target.shrinkage
    on_phones = net_of_shrinkage(scheduled, shrinkage)
    occupancy = np.clip(traffic / np.maximum(on_phones * target.concurrency, 1e-9), 0.0, 1.0)
    finishing = scheduled * shrinkage * occupancy * aht / (aht + SHRINKAGE_SPELL_MINUTES * 60)
    somebody = 1.0 - np.where(scheduled > 0, shrinkage**scheduled, 1.0)
    taking = np.where(somebody > 0, (on_phones + finishing) / np.maximum(somebody, 1e-12), 0.0)
    spread = _on_phones_spread(scheduled, shrinkage, interval_seconds)
    at_least = np.minimum(taking, 1.0)  # somebody is on the phones: the spread stays above one agent
    nodes, weights = np.polynomial.hermite_e.hermegauss(SPREAD_NODES)
    level = sum(weight * expected_service(traffic, np.maximum(taking + node * spread, at_least), aht, target)
                ["service_level"].to_numpy() for node, weight in zip(nodes, weights / weights.sum()))
    return np.where(traffic > 0, somebody * level, 1.0)


SPREAD_NODES = 9  # Gauss-Hermite points over the spread of agents on the phones
# Erlang's steady state at a dip of a few agents is harsher than a queue that has minutes to build
# up: counting half the variance matched a simulation of the sample center's rosters best (the whole
# of it read busy intervals 1.0–1.4 points low, none of it 1.0–1.5 points high; README, *Simulation*).
SPREAD_VARIANCE_SHARE = 0.5


def _on_phones_spread(scheduled: np.ndarray, shrinkage: float, interval_seconds: float) -> np.ndarray:
    """Standard deviation of the number on the phones averaged over an interval: each agent is on
    or off in exponential spells (SHRINKAGE_SPELL_MINUTES off on average), variance shrinkage ×
    (1 − shrinkage) at any moment and correlation time spell × (1 − shrinkage); the interval's
    average keeps 2/x · (1 − (1 − e^−x) / x) of that variance, x = interval / correlation time;
    SPREAD_VARIANCE_SHARE of it is counted."""
    memory = SHRINKAGE_SPELL_MINUTES * 60 * (1 - shrinkage)
    if shrinkage <= 0 or memory <= 0:
        return np.zeros(np.shape(scheduled))
    x = interval_seconds / memory
    kept = 2 / x * (1 - (1 - math.exp(-x)) / x) * SPREAD_VARIANCE_SHARE
    return np.sqrt(np.asarray(scheduled, dtype=float) * shrinkage * (1 - shrinkage) * kept)


def _whole_agents_service(traffic: np.ndarray, agents: np.ndarray, aht_seconds: np.ndarray,
                          target: QueueTarget) -> pd.DataFrame:
    """Erlang C (Erlang A with a patience) with a whole number of `agents` on the phones."""
    slots = agents * target.concurrency
    traffic = np.asarray(traffic, dtype=float)
    if target.patience_seconds is None:
        sl = erlang.service_level(traffic, slots, aht_seconds, target.answer_seconds)
        asa = erlang.asa(traffic, slots, aht_seconds)
        occupancy = erlang.occupancy(traffic, slots)
        extra = {}
    else:
        sl = erlang.erlang_a_service_level(traffic, slots, aht_seconds, target.answer_seconds, target.patience_seconds)
        # Under Erlang A the mean wait over all offered contacts stands in for the ASA.
        asa = erlang.erlang_a_average_wait(traffic, slots, aht_seconds, target.patience_seconds)
        abandon = erlang.erlang_a_abandon_rate(traffic, slots, aht_seconds, target.patience_seconds)
        occupancy = erlang.erlang_a_occupancy(traffic, slots, aht_seconds, target.patience_seconds)
        extra = {"abandon_rate": np.where(traffic > 0, abandon, 0.0)}
    idle = traffic <= 0
    frame = {
        "service_level": np.where(idle, 1.0, sl),
        "asa_seconds": np.where(idle, 0.0, asa),
        "occupancy": np.where(idle, 0.0, occupancy),
        **extra,
    }
    return pd.DataFrame(frame)


def staffing_requirements(
    forecast: pd.DataFrame, config: StaffingConfig, interval_minutes: int, source: str | None = None
) -> pd.DataFrame:
    """Required agents per interval and queue for a forecast table (`interval_start, queue, contacts, aht_seconds`).

    Contacts and handle times no queue could have (not numbers, or more work than `MAX_TRAFFIC` agents
    could do) are an InputError naming the queue and interval, with `source` (the forecast's name) as
    the file; so is any other failure of the staffing maths."""
    interval_seconds = interval_minutes * 60.0
    parts = [
        _checked_queue_requirements(rows, str(queue), config.target(str(queue)), interval_seconds, source)
        for queue, rows in forecast.groupby("queue", sort=False)
    ]
    if not parts:
        return pd.DataFrame(columns=REQUIREMENT_COLUMNS)
    table = pd.concat(parts).sort_values(["queue", "interval_start"]).reset_index(drop=True)
    table.attrs["interval_minutes"] = interval_minutes
    return table


def staffing_overview(requirements: pd.DataFrame, interval_minutes: int | None = None) -> pd.DataFrame:
    """Per queue: contacts, agent-hours to schedule, peak agents and the contact-weighted service level.

    A queue without contacts has no service level (NaN): nobody waits, so neither 0 (an alarm) nor 1
    (a success) would be true. `interval_minutes` defaults to the table's `attrs["interval_minutes"]`.
    """
    columns = ["queue", "contacts", "agent-hours", "peak agents", "service level"]
    if requirements.empty:
        return pd.DataFrame(columns=columns)
    hours = (interval_minutes or requirements.attrs["interval_minutes"]) / 60
    rows = []
    for queue, part in requirements.groupby("queue", sort=False):
        contacts = part["contacts"].clip(lower=0)
        total = float(contacts.sum())
        level = float((part["service_level"] * contacts).sum() / total) if total > 0 else np.nan
        rows.append((str(queue), round(total), float(part["required"].sum() * hours), int(part["required"].max()),
                     level))
    return pd.DataFrame(rows, columns=columns)
