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

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import stats
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from forecasts import erlang
from forecasts.errors import InputError, Problem

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


class QueueTarget(BaseModel):
    """Service target and staffing assumptions of one queue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    service_level: float = Field(0.8, gt=0, lt=1, description="share answered within answer_seconds")
    answer_seconds: float = Field(20, gt=0)
    max_occupancy: float = Field(0.85, gt=0, le=1)
    shrinkage: float = Field(0.3, ge=0, lt=1, description="share of paid time off the phones")
    max_asa_seconds: float | None = Field(None, gt=0)
    patience_seconds: float | None = Field(
        None, gt=0, description="average patience; when set, Erlang A (with abandonment) is used"
    )
    max_abandon: float | None = Field(None, gt=0, lt=1, description="Erlang A only")
    concurrency: int = Field(1, ge=1, le=20, description="contacts one agent handles at once (chat)")
    min_agents: int = Field(
        0, ge=0, description="agents on the phones in every interval (24/7 queues); leave 0 for queues that close"
    )
    quantile: float | None = Field(
        None, ge=0.5, le=0.99, description="staff to this quantile of contacts instead of the forecast mean"
    )

    @model_validator(mode="after")
    def _abandon_needs_patience(self) -> "QueueTarget":
        if self.max_abandon is not None and self.patience_seconds is None:
            raise ValueError("max_abandon needs patience_seconds (abandonment is modelled by Erlang A)")
        return self


class StaffingConfig(BaseModel):
    """Targets per queue; `default` fills every key a queue does not set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

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


def validation_problems(error: ValidationError, file: str | None = None) -> list[Problem]:
    """Turn pydantic's errors into located problems (dot path as the column)."""
    problems = []
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"])
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling)"
        problems.append(Problem(message, file=file, column=path or None))
    return problems


def load_staffing_config(path: str | Path) -> StaffingConfig:
    """Read a YAML (or JSON) staffing config; unknown keys and bad values are InputErrors."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise InputError(Problem("file not found", file=str(path))) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(f"not valid YAML: {exc}", file=str(path))) from None
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
    """Service level, ASA and occupancy with `on_phones` agents (fractional agents are floored)."""
    agents = np.floor(np.asarray(on_phones, dtype=float) + 1e-9)
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
    return pd.DataFrame(frame, index=index)


def staffing_requirements(
    forecast: pd.DataFrame, config: StaffingConfig, interval_minutes: int
) -> pd.DataFrame:
    """Required agents per interval and queue for a forecast table (`interval_start, queue, contacts, aht_seconds`)."""
    interval_seconds = interval_minutes * 60.0
    parts = [
        _queue_requirements(rows, config.target(str(queue)), interval_seconds)
        for queue, rows in forecast.groupby("queue", sort=False)
    ]
    if not parts:
        return pd.DataFrame(columns=REQUIREMENT_COLUMNS)
    table = pd.concat(parts).sort_values(["queue", "interval_start"]).reset_index(drop=True)
    table.attrs["interval_minutes"] = interval_minutes
    return table
