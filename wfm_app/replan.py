"""Living with a published week: mark an agent absent, and re-plan the rest of the week from a chosen moment
changing the published roster as little as it can; the changes (agent, old shift → new shift) are shown
before anything is saved, and publishing makes a new version.

The engine re-plans against the published roster as its baseline (`weights.change` per changed shift).
Shifts that start before the moment have been worked (or are being worked): they stay as published, except
those an absence now covers, which did not happen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pandas as pd

from scheduler.baseline import changes
from scheduler.check import Violation, check_roster
from scheduler.roster import shifts_from_roster
from scheduler.scenario import Scenario, TimeOff
from tabular import InputError, Problem
from wfm.storage import RosterVersion, Store, inputs
from wfm_app.roster_views import shift_starts

CHANGE_COLUMNS = ["agent", "change"]


@dataclass(frozen=True)
class Replan:
    """A re-planned roster, not saved yet: what it changes against the published version, and what it breaks."""

    published: RosterVersion
    moment: dt.datetime
    roster: pd.DataFrame
    changes: pd.DataFrame  # agent, change (`Mon 08:00–16:00 → off`)
    violations: list[Violation]


def published_version(store: Store, scenario_id: int) -> RosterVersion:
    version = store.latest_published(scenario_id)
    if version is None:
        raise InputError(Problem("the week has no published roster to re-plan; publish one first", column="week"))
    return version


def mark_absent(store: Store, scenario_id: int, agent_id: str, start: dt.datetime, end: dt.datetime,
                reason: str) -> None:
    """The absence joins the week's time off (the store checks it like any time off and records who)."""
    if not reason.strip():
        raise InputError(Problem("is empty; say why the agent is absent (e.g. sick)", "absence", column="reason"))
    leave = {"agent_id": agent_id, "start": start, "end": end, "reason": reason.strip()}
    try:  # checked alone first, so that a problem names the absence, not a row of the week's time off
        inputs.time_off([leave], {agent.agent_id for agent in store.load_agents(scenario_id)})
    except InputError as error:
        raise InputError([Problem(problem.message, "absence", column=problem.column)
                          for problem in error.problems]) from None
    store.replace_time_off(scenario_id, [*store.load_time_off(scenario_id), leave])


def replan(store: Store, scenario_id: int, moment: dt.datetime, solve) -> Replan:
    """The week re-planned from `moment` against its published roster; `solve(scenario)` runs the engine and
    returns its RosterResult (the page shows its progress)."""
    version = published_version(store, scenario_id)
    published = store.load_roster(version.id)
    scenario = dataclasses.replace(store.to_scenario(scenario_id), baseline=published)
    result = solve(scenario)
    if result.roster.empty:
        raise InputError(Problem(" ".join(result.infeasibility) or "the solver found no roster within the time "
                                 "limit; try a longer limit", column="re-plan"))
    roster = keep_the_past(published, result.roster, moment, scenario.time_off)
    return Replan(version, moment, roster, change_table(scenario, roster), check_roster(roster, scenario))


def keep_the_past(published: pd.DataFrame, replanned: pd.DataFrame, moment: dt.datetime,
                  time_off: tuple[TimeOff, ...]) -> pd.DataFrame:
    """Published shifts starting before `moment` (unless an absence covers them), the re-plan's after it."""
    before = published[(shift_starts(published) < pd.Timestamp(moment)) & ~absent(published, time_off)]
    after = replanned[shift_starts(replanned) >= pd.Timestamp(moment)]
    merged = pd.concat([before, after], ignore_index=True)
    return merged.sort_values(["agent_id", "start"], kind="stable", ignore_index=True)


def absent(roster: pd.DataFrame, time_off: tuple[TimeOff, ...]) -> pd.Series:
    """Rows of shifts that overlap their agent's time off."""
    starts = shift_starts(roster)
    ends = roster.groupby([roster["agent_id"], starts])["end"].transform("max")
    covered = pd.Series(False, index=roster.index)
    for leave in time_off:
        covered |= ((roster["agent_id"] == leave.agent_id) & (starts < pd.Timestamp(leave.end))
                    & (ends > pd.Timestamp(leave.start)))
    return covered


def change_table(scenario: Scenario, roster: pd.DataFrame) -> pd.DataFrame:
    """One row per changed agent-day: the agent (name and id) and `old → new`."""
    names = {agent.agent_id: agent.name for agent in scenario.agents}
    found = changes(scenario, shifts_from_roster(roster, scenario))
    rows = [{"agent": f"{names.get(agent_id, agent_id)} ({agent_id})", "change": change}
            for agent_id, days in found.items() for change in days]
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def save(store: Store, plan: Replan, by: str, *, publish: bool) -> RosterVersion:
    """The re-plan as a new version (a draft child of the published one), published when asked."""
    with store.transaction():
        version_id = store.save_roster_edit(plan.published.id, plan.roster, by,
                                            summary={"replanned_from": plan.moment.isoformat(),
                                                     "changes": len(plan.changes),
                                                     "violations": len(plan.violations)})
        return store.publish(version_id, by) if publish else store.get_version(version_id)
