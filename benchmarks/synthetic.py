"""A seeded synthetic contact center of any size, for the roster benchmark.

Two queues (voice; chat with two chats per agent), 24/7 demand with morning and afternoon
peaks and quieter weekends, staffed with Erlang at the queues' targets, over `weeks` weeks (each
week's contacts drawn anew around the same shape). Contacts are scaled so the required agent-hours
are `load` (default 85 %) of the agents' contract maximum over those weeks.

Agents: full-timers (32–40 h, 5 days) and part-timers (16–24 h, 4 days); most handle voice,
some chat, some both; a share does not work nights, some have a daily window or a preferred
time of day, a few have a day of time off in the horizon.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from forecasts.staffing import QueueTarget, staffing_requirements
from scheduler.scenario import Agent, Demand, Scenario, ScenarioConfig, TimeOff

WEEK_START = dt.date(2026, 11, 30)
QUEUES = {"voice": QueueTarget(), "chat": QueueTarget(concurrency=2, answer_seconds=60)}
QUEUE_SHARE = {"voice": 0.7, "chat": 0.3}


def synthetic_scenario(
    agents: int, interval_minutes: int = 30, load: float = 0.85, seed: int = 0, weeks: int = 1
) -> Scenario:
    rng = np.random.default_rng(seed)
    config = ScenarioConfig(
        week_start=WEEK_START,
        weeks=weeks,
        interval_minutes=interval_minutes,
        queues=QUEUES,
        demand=Demand(requirements="requirements.csv"),
    )
    staff = tuple(synthetic_agent(i, rng) for i in range(agents))
    supply_hours = sum(agent.max_hours for agent in staff) * weeks
    return Scenario(
        config=config,
        agents=staff,
        requirements=scaled_requirements(config, load * supply_hours, rng),
        time_off=tuple(synthetic_time_off(staff, rng, weeks)),
    )


def synthetic_agent(i: int, rng: np.random.Generator) -> Agent:
    full_time = rng.random() < 0.7
    skills = rng.choice(["voice", "chat", "voice;chat"], p=[0.6, 0.15, 0.25]).split(";")
    windowed = rng.random() < 0.15
    return Agent(
        agent_id=f"A{i:04d}",
        name=f"Agent {i}",
        skills=tuple(skills),
        min_hours=32 if full_time else 16,
        max_hours=40 if full_time else 24,
        max_days=5 if full_time else 4,
        night_ok=rng.random() < 0.6,
        earliest_start=dt.time(7, 0) if windowed else None,
        latest_end=dt.time(19, 0) if windowed else None,
        preferred=rng.choice([None, "early", "day", "late"], p=[0.55, 0.15, 0.15, 0.15]),
    )


def synthetic_time_off(agents: tuple[Agent, ...], rng: np.random.Generator, weeks: int = 1) -> list[TimeOff]:
    leaves = []
    for agent in agents:
        if rng.random() < 0.1:
            day = dt.datetime.combine(WEEK_START, dt.time()) + dt.timedelta(days=int(rng.integers(0, 7 * weeks)))
            leaves.append(TimeOff(agent_id=agent.agent_id, start=day, end=day + dt.timedelta(days=1), reason="leave"))
    return leaves


def demand_shape(interval_minutes: int, weeks: int = 1) -> np.ndarray:
    """Relative contacts per interval of the weeks: two daily peaks, a quiet night, lighter weekends."""
    hours = np.arange(0, 7 * 24 * weeks, interval_minutes / 60)
    clock = hours % 24
    day = (hours // 24).astype(int) % 7
    daily = 0.06 + np.exp(-((clock - 10.5) / 2.5) ** 2) + 0.85 * np.exp(-((clock - 15) / 3) ** 2)
    weekly = np.where(day >= 5, 0.6, 1.0) * np.where(day == 0, 1.15, 1.0)
    return daily * weekly


def scaled_requirements(config: ScenarioConfig, target_hours: float, rng: np.random.Generator) -> pd.DataFrame:
    """Requirements whose agent-hours come to `target_hours` (contacts scaled by bisection)."""
    size = config.interval_minutes
    periods = 7 * 24 * 60 // size * config.weeks
    starts = pd.date_range(dt.datetime.combine(WEEK_START, dt.time()), periods=periods, freq=f"{size}min")
    shape = demand_shape(size, config.weeks) * rng.uniform(0.95, 1.05, len(starts))

    def requirements(scale: float) -> pd.DataFrame:
        forecast = pd.concat(
            pd.DataFrame({
                "interval_start": starts,
                "queue": queue,
                "contacts": scale * share * shape * size / 30,
                "aht_seconds": 300.0 if queue == "voice" else 600.0,
            })
            for queue, share in QUEUE_SHARE.items()
        )
        table = staffing_requirements(forecast, config.staffing_config(), size)
        return table[["interval_start", "queue", "contacts", "aht_seconds", "required"]]

    low, high = 1.0, 1.0
    while requirements(high)["required"].sum() * size / 60 < target_hours:
        high *= 2
    for _ in range(30):
        middle = (low + high) / 2
        if requirements(middle)["required"].sum() * size / 60 < target_hours:
            low = middle
        else:
            high = middle
    return requirements(high).reset_index(drop=True)
