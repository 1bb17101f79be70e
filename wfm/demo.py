"""The bundled sample center as a scenario folder: demand from the sample history, and a team to roster.

The team is sized to the demand: the paid hours that the week's required agent-hours take (breaks
included: a break takes its agent off every interval it touches) are about `TARGET_LOAD` of the
team's total `max_hours`, so that a good roster covers every interval, nights and weekends
included, with some slack for the shape of shifts. The mix of contracts follows a typical center: two thirds full-time,
a fifth part-time and the rest flexible students who work evenings; a third of the team also takes
chats, a few take chats only, about 15 % do no nights. Everything is drawn from a seeded RNG.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from forecasts.forecast import ForecastResult, Progress, forecast_history
from forecasts.sample import sample_history, sample_special_days, sample_staffing_config, write_sample
from forecasts.staffing import staffing_requirements
from scheduler.io import write_scenario
from scheduler.tables import AGENT_OPTIONAL, AGENT_REQUIRED
from scheduler.scenario import ScenarioConfig, SolverSettings

DEMO_WEEK = dt.date(2026, 11, 23)
INTERVAL_MINUTES = 30
TARGET_LOAD = 0.9  # paid hours the requirement takes / the team's total max_hours
# (the team's min_hours come to about 84 % of its max_hours: room both ways)
TYPICAL_SHIFT_MINUTES = 8 * 60
# The forecast the demo folder carries. A full backtest of every method takes 12-35 s on two busy cores;
# on the sample, weighted_profile's backtest WAPE is within 0.1 point of the best method's, in 0.2 s.
DEMO_METHODS = ("weighted_profile",)

# Contract: (share of the team, min_hours, choice of max_hours, max_days).
CONTRACTS = {
    "full-time": (10 / 15, 36, (40,), 5),
    "part-time": (3 / 15, 20, (25, 30), 5),
    "flexible": (2 / 15, 8, (16, 20), 4),
}
SKILL_SHARES = {"voice;chat": 1 / 3, "chat": 0.1}  # the rest: voice only
# With the deferred queues: some voice and chat agents also answer email or social messages.
DEFERRED_SKILL_SHARES = {"voice;chat;social": 0.4, "voice;email": 0.2, "chat;email": 0.05,
                         "chat": 0.07}
# the solver's default with the deferred queues: the stages that plan the shifts need about twice the time
DEFERRED_TIME_LIMIT = 60
NO_NIGHT_SHARE = 0.15
PREFERENCE_SHARE = 0.4
EVENING_WINDOW = (dt.time(15, 0), dt.time(0, 0))  # students: shifts from 15:00, ending by midnight

FIRST_NAMES = (
    "Anna", "Ben", "Chiara", "David", "Elif", "Finn", "Grace", "Hugo", "Ines", "Jonas", "Karin", "Luca",
    "Maja", "Nils", "Olga", "Paul", "Rosa", "Samir", "Tessa", "Umut", "Vera", "Wim", "Yara", "Zoe",
    "Amir", "Britt", "Carlos", "Dana", "Emil", "Fatima", "Goran", "Hanna", "Ivan", "Julia", "Kofi",
    "Lena", "Marco", "Nora", "Omar", "Pia",
)
LAST_NAMES = (
    "Berg", "Cole", "Demir", "Eriksen", "Fischer", "García", "Hansen", "Ivanova", "Jansen", "Kaya",
    "Larsen", "Meyer", "Nowak", "Okafor", "Peeters", "Quinn", "Rossi", "Schmidt", "Torres", "Uysal",
    "Varga", "Weber", "Xu", "Yilmaz", "Zimmer", "Andersson", "Bakker", "Costa", "Dubois", "Engel",
)


def write_demo_scenario(
    folder: str | Path, seed: int = 11, demand: Literal["forecast", "history"] = "forecast", weeks: int = 1,
    deferred: bool = False, load: float = TARGET_LOAD, forecast: pd.DataFrame | None = None,
) -> Path:
    """Write the sample center as a scenario folder for `weeks` weeks from `DEMO_WEEK`, and return it
    (the team is sized to the average week's demand).

    The folder holds the sample `history.csv`, `special_days.csv` and `staffing.yaml`,
    `scenario.yaml`, `agents.csv`, `time_off.csv` and, with `demand="forecast"` (the default, which
    loads in under a second), the week's `forecast.csv`, which scenario.yaml names as the demand.
    With `demand="history"` scenario.yaml names the history instead, and loading the scenario runs
    the full forecast backtest (12-35 s). `deferred`: the center answers email (within 24 h) and social
    messages (within 2 h) too, and some agents are skilled for them. `load`: the share of the team's
    max_hours the requirement takes (a lower load, a larger team). `forecast`: `demo_forecast(weeks,
    deferred).forecast` when the caller made it already (e.g. under a time limit)."""
    folder = Path(folder)
    write_sample(folder, deferred)  # history.csv, special_days.csv, staffing.yaml
    if forecast is None:
        forecast = demo_forecast(weeks, deferred).forecast
    files = {"forecast.csv": forecast} if demand == "forecast" else {}
    config = demo_config(demand, weeks, deferred)
    required = staffing_requirements(forecast, config.staffing_config(), INTERVAL_MINUTES)
    rng = np.random.default_rng(seed)
    skills = DEFERRED_SKILL_SHARES if deferred else SKILL_SHARES
    agents = demo_agents(required_agent_hours(required) / weeks / covering_share(config), rng, skills, load)
    write_scenario(folder, config, agents, demo_time_off(agents, rng), files=files)
    return folder


def demo_forecast(weeks: int = 1, deferred: bool = False, time_limit: float | None = None,
                  progress: Progress | None = None) -> ForecastResult:
    """The forecast of the demo weeks from the sample history and special days, within `time_limit` seconds
    (None: no limit); its notes say what a time limit cut short."""
    return forecast_history(sample_history(deferred=deferred), start=DEMO_WEEK, weeks=weeks,
                            special_days=sample_special_days(), methods=list(DEMO_METHODS), progress=progress,
                            time_limit=time_limit)


def demo_config(demand: Literal["forecast", "history"], weeks: int = 1, deferred: bool = False) -> ScenarioConfig:
    """scenario.yaml: the sample's queue targets, default shift templates, breaks and rules."""
    sources = {"forecast": {"forecast": "forecast.csv"},
               "history": {"history": "history.csv", "special_days": "special_days.csv"}}
    return ScenarioConfig(
        week_start=DEMO_WEEK,
        weeks=weeks,
        interval_minutes=INTERVAL_MINUTES,
        queues=sample_staffing_config(deferred)["queues"],
        demand=sources[demand],
        solver=SolverSettings(time_limit_seconds=DEFERRED_TIME_LIMIT) if deferred else SolverSettings(),
    )


def required_agent_hours(requirements: pd.DataFrame) -> float:
    """Agent-hours the requirements ask for: Σ required × interval length."""
    return float(requirements["required"].sum() * requirements.attrs["interval_minutes"] / 60)


def covering_share(config: ScenarioConfig) -> float:
    """Of a typical shift's paid minutes, the share that counts toward coverage: each break takes
    its agent off every interval it touches (with 30-minute intervals, a 15-minute break costs 30)."""
    size = config.interval_minutes
    lost = sum(-(-rule.minutes // size) * size for rule in config.breaks_for(TYPICAL_SHIFT_MINUTES))
    return (TYPICAL_SHIFT_MINUTES - lost) / config.paid_minutes(TYPICAL_SHIFT_MINUTES)


def demo_agents(paid_hours: float, rng: np.random.Generator, skills: dict[str, float] = SKILL_SHARES,
                load: float = TARGET_LOAD) -> pd.DataFrame:
    """The team, in `agents.csv` columns, sized so its max_hours are about paid_hours / load."""
    mean_max_hours = sum(share * np.mean(maxima) for share, _, maxima, _ in CONTRACTS.values())
    size = math.ceil(paid_hours / load / mean_max_hours)
    counts = _split(size, {kind: share for kind, (share, *_) in CONTRACTS.items()})
    rows = [_contract(kind, rng) for kind, count in counts.items() for _ in range(count)]
    team = pd.DataFrame(rows)
    team.insert(0, "agent_id", [f"A{number:03d}" for number in range(1, size + 1)])
    team.insert(1, "name", _names(size, rng))
    team["skills"] = rng.permutation(_shares_of(size, skills, rest="voice"))
    team["night_ok"] = rng.permutation(np.arange(size) >= round(NO_NIGHT_SHARE * size))
    team["preferred"] = [_preference(options, rng) for options in _preference_options(team)]
    return team[AGENT_REQUIRED + AGENT_OPTIONAL]


def _split(size: int, shares: dict[str, float]) -> dict[str, int]:
    """Whole counts in these shares that add up to `size` (the last one takes the rounding)."""
    counts = {name: round(share * size) for name, share in list(shares.items())[:-1]}
    last = list(shares)[-1]
    return {**counts, last: size - sum(counts.values())}


def _shares_of(size: int, shares: dict[str, float], rest: str) -> list[str]:
    counts = _split(size, {**shares, rest: 1 - sum(shares.values())})
    return [value for value, count in counts.items() for _ in range(count)]


def _contract(kind: str, rng: np.random.Generator) -> dict:
    _, min_hours, maxima, max_days = CONTRACTS[kind]
    earliest, latest = EVENING_WINDOW if kind == "flexible" else (None, None)
    return {"min_hours": min_hours, "max_hours": int(rng.choice(maxima)), "max_days": max_days,
            "earliest_start": earliest, "latest_end": latest}


def _names(size: int, rng: np.random.Generator) -> list[str]:
    picks = rng.choice(len(FIRST_NAMES) * len(LAST_NAMES), size=size, replace=False)
    return [f"{FIRST_NAMES[pick // len(LAST_NAMES)]} {LAST_NAMES[pick % len(LAST_NAMES)]}" for pick in picks]


def _preference_options(team: pd.DataFrame) -> list[list[str]]:
    """Preferences that make sense for each agent: students in an evening window prefer late shifts."""
    options = []
    for night_ok, window in zip(team["night_ok"], team["earliest_start"]):
        if window is not None:
            options.append(["late"])
        else:
            options.append(["early", "day", "late", "night"] if night_ok else ["early", "day", "late"])
    return options


def _preference(options: list[str], rng: np.random.Generator) -> str | None:
    return str(rng.choice(options)) if rng.random() < PREFERENCE_SHARE else None


def demo_time_off(agents: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Two vacations and a doctor's appointment for full-time agents drawn at random."""
    full_time = agents.loc[agents["min_hours"] == CONTRACTS["full-time"][1], "agent_id"]
    first, second, third = rng.choice(full_time.to_numpy(), size=3, replace=False)
    return pd.DataFrame(
        {
            "agent_id": [first, second, third],
            "start": ["2026-11-25", "2026-11-27", "2026-11-24 08:00"],
            "end": ["2026-11-26", "2026-11-27", "2026-11-24 11:00"],  # a date as end: the whole day
            "reason": ["vacation", "vacation", "doctor's appointment"],
        }
    )
