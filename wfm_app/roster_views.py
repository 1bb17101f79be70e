"""What the roster page shows about a roster: coverage, summary, violations, and tables made from them.

The numbers are `scheduler.evaluate`'s and `scheduler.check`'s; this module only arranges them in
tables a page can show, and computes them once per change of the roster (not on every rerun).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pandas as pd

from scheduler.check import Violation, check_roster
from scheduler.evaluate import coverage_table, summary
from scheduler.roster import RosterShift, shifts_from_roster
from scheduler.scenario import Scenario


@dataclass(frozen=True)
class RosterView:
    coverage: pd.DataFrame
    summary: dict
    violations: list[Violation]
    shifts: list[RosterShift]


def derive(roster: pd.DataFrame, scenario: Scenario, result=None) -> RosterView:
    return RosterView(
        coverage=coverage_table(roster, scenario),
        summary=summary(roster, scenario, result),
        violations=check_roster(roster, scenario),
        shifts=shifts_from_roster(roster, scenario),
    )


def shift_starts(table: pd.DataFrame) -> pd.Series:
    """For each row of a roster table, when its shift starts: segments of an agent that join end to start are
    one shift (`scheduler.roster.shifts_from_roster` cuts them alike)."""
    ordered = table.sort_values(["agent_id", "start"], kind="stable")
    first = (ordered["agent_id"] != ordered["agent_id"].shift()) | (ordered["start"] != ordered["end"].shift())
    return ordered["start"].where(first).ffill().reindex(table.index)


def fingerprint(scenario: Scenario) -> str:
    """Changes whenever anything the views depend on changes (rules, agents, time off, demand)."""
    digest = hashlib.sha256(scenario.config.model_dump_json().encode())
    for item in (*scenario.agents, *scenario.time_off):
        digest.update(item.model_dump_json().encode())
    digest.update(pd.util.hash_pandas_object(scenario.requirements, index=False).to_numpy().tobytes())
    if scenario.previous_roster is not None:
        digest.update(pd.util.hash_pandas_object(scenario.previous_roster, index=False).to_numpy().tobytes())
    return digest.hexdigest()


# --- tables ------------------------------------------------------------------------------------


def score_table(summary_dict: dict) -> pd.DataFrame:
    """The score by rule: amount in natural units, weighted cost, and the service level it costs."""
    rows = [{"rule": rule["rule"], "amount": rule["amount"], "unit": rule["unit"], "cost": rule["cost"],
             "solver cost": rule["solver_cost"], "service level": _effect(rule["service_level_points"])}
            for rule in summary_dict["rules"]]
    return pd.DataFrame(rows)


def _effect(points_lost: float | None) -> float | None:
    """The points a rule costs as its effect on the service level: a cost is negative, a gain positive."""
    return None if points_lost is None else 0.0 - points_lost


def fairness_table(summary_dict: dict, scenario: Scenario) -> pd.DataFrame:
    """One row per agent: paid hours (and over several weeks each week's) against the contract's weekly
    range, shifts, nights and weekend days."""
    nights = summary_dict["fairness"]["nights"]["by_agent"]
    weekends = summary_dict["fairness"]["weekend_days"]["by_agent"]
    shifts = summary_dict["shifts_per_agent"]
    night_ok = {agent.agent_id: agent.night_ok for agent in scenario.agents}
    rows = []
    for contract in summary_dict["contracts"]:
        agent_id = contract["agent_id"]
        weeks = contract.get("week_hours", [])
        several = len(weeks) > 1
        rows.append({"agent": f"{contract['name']} ({agent_id})", "paid h": contract["paid_hours"],
                     **({"paid h by week": " · ".join(f"{hours:g}" for hours in weeks)} if several else {}),
                     "contract h": f"{contract['min_hours']:g}–{contract['max_hours']:g}" + (" a week" if several else ""),
                     "hours": contract["status"], "shifts": shifts.get(agent_id, 0),
                     "nights": nights.get(agent_id) if night_ok.get(agent_id) else None,
                     "weekend days": weekends.get(agent_id, 0)})
    return pd.DataFrame(rows)


def service_table(summary_dict: dict) -> pd.DataFrame:
    """The week's expected service level per queue, in %, with the roster, at the requirement and the target."""
    rows = [{"queue": queue, "contacts": level["contacts"], "expected %": _percent(level["expected"]),
             "at requirement %": _percent(level["at_requirement"]), "target %": _percent(level["target"])}
            for queue, level in summary_dict["service_level"].items()]
    return pd.DataFrame(rows)


def deferred_table(summary_dict: dict) -> pd.DataFrame:
    """Per deferred queue: the share answered within the response time against the target, and the
    mean and 90th-percentile response time."""
    rows = [{"queue": queue, "contacts": round(figures["contacts"]), "response time h": figures["response_hours"],
             "answered in time %": _percent(figures["on_time"]), "target %": _percent(figures["target"]),
             "mean response h": figures["mean_response_hours"], "90th percentile h": figures["p90_response_hours"]}
            for queue, figures in summary_dict.get("deferred", {}).items()]
    return pd.DataFrame(rows).round(1)


def _percent(share: float | None) -> float | None:
    return None if share is None else 100 * share


def violation_table(violations: list[Violation], scenario: Scenario) -> pd.DataFrame:
    names = {agent.agent_id: agent.name for agent in scenario.agents}
    rows = [{"agent": f"{names.get(v.agent_id, v.agent_id)} ({v.agent_id})",
             "day": "week" if v.day is None else f"{v.day:%a %d %b}", "rule": v.rule.replace("_", " "),
             "what is wrong": v.message} for v in violations]
    return pd.DataFrame(rows, columns=["agent", "day", "rule", "what is wrong"])


def shift_list(shifts: list[RosterShift], scenario: Scenario) -> pd.DataFrame:
    """One row per shift: who, day, start, end, queue, breaks and paid hours."""
    rows = []
    for shift in shifts:
        start = scenario.timestamp(shift.start)
        breaks = ", ".join(f"{kind} {_clock(scenario, a)}–{_clock(scenario, b)}" for kind, a, b in shift.breaks)
        rows.append({"agent_id": shift.agent_id, "name": shift.name, "day": f"{start:%a}", "date": start.date(),
                     "start": f"{start:%H:%M}", "end": _clock(scenario, shift.end),
                     "hours": shift.length / 60, "paid hours": shift.paid_minutes(scenario.config) / 60,
                     "queue": ", ".join(shift.queues), "breaks": breaks})
    return pd.DataFrame(rows, columns=["agent_id", "name", "day", "date", "start", "end", "hours", "paid hours",
                                       "queue", "breaks"])


def _clock(scenario: Scenario, minutes: int) -> str:
    return f"{scenario.timestamp(minutes):%H:%M}"


def describe_shift(shift: RosterShift, scenario: Scenario) -> str:
    """`Mon 23 Nov 08:00–16:30 voice, lunch 12:00–12:30`: a shift in words."""
    start = scenario.timestamp(shift.start)
    breaks = "".join(f", {kind} {_clock(scenario, a)}" for kind, a, _ in shift.breaks)
    return f"{start:%a %d %b} {start:%H:%M}–{_clock(scenario, shift.end)} {', '.join(shift.queues)}{breaks}"


def day_label(scenario: Scenario, day: int) -> str:
    return f"{scenario.week_start + dt.timedelta(days=day):%a %d %b}"
