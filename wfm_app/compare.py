"""Two roster versions side by side: the shifts that differ and how the week's figures moved."""

from __future__ import annotations

import pandas as pd

from scheduler.roster import shifts_from_roster
from scheduler.scenario import Scenario
from wfm_app.roster_views import day_label, describe_shift

OFF = "off"


def shift_differences(first: pd.DataFrame, second: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """One row per agent and day whose shifts differ (start, length, queue or breaks)."""
    before, after = _by_agent_day(first, scenario), _by_agent_day(second, scenario)
    names = {agent.agent_id: agent.name for agent in scenario.agents}
    rows = [{"agent": f"{names.get(agent_id, agent_id)} ({agent_id})", "day": day_label(scenario, day),
             "first": before.get((agent_id, day), OFF), "second": after.get((agent_id, day), OFF)}
            for agent_id, day in sorted(set(before) | set(after))
            if before.get((agent_id, day)) != after.get((agent_id, day))]
    return pd.DataFrame(rows, columns=["agent", "day", "first", "second"])


def _by_agent_day(roster: pd.DataFrame, scenario: Scenario) -> dict[tuple[str, int], str]:
    described: dict[tuple[str, int], str] = {}
    for shift in shifts_from_roster(roster, scenario) if not roster.empty else []:
        key = (shift.agent_id, shift.day)
        text = describe_shift(shift, scenario).split(" ", 3)[3]  # without the day, which the row shows
        described[key] = f"{described[key]}; {text}" if key in described else text
    return described


def figure_changes(first: dict, second: dict) -> pd.DataFrame:
    """The week's coverage, short and over hours, service levels, breaches and cost: first, second, change."""
    rows = [
        ("coverage %", first["hours"]["coverage_pct"], second["hours"]["coverage_pct"]),
        ("scheduled agent-hours", first["hours"]["scheduled"], second["hours"]["scheduled"]),
        ("short agent-hours", first["hours"]["short"], second["hours"]["short"]),
        ("over agent-hours", first["hours"]["over"], second["hours"]["over"]),
    ]
    for queue, level in first["service_level"].items():
        other = second["service_level"].get(queue, {}).get("expected")
        rows.append((f"service level {queue} %", _percent(level["expected"]), _percent(other)))
    rows += [("contract breaches", first["contract_breaches"], second["contract_breaches"]),
             ("total cost", first["total_cost"], second["total_cost"])]
    table = pd.DataFrame(rows, columns=["figure", "first", "second"])
    table["change"] = table["second"] - table["first"]
    return table


def _percent(value: float | None) -> float | None:
    return None if value is None else 100 * value
