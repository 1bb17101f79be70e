"""Living with a published week: mark an agent absent, and re-plan the rest of the week from a chosen moment
changing the published roster as little as it can (`scheduler.replan`); the changes (agent, old shift → new
shift) are shown before anything is saved, and publishing makes a new version.

An absence is kept as the week's time off (with its reason, in the audit trail). A re-plan hands the engine
as absences the time off the published roster breaks, from the moment on: the engine keeps the past and
the shifts under way, cuts the absent agent's shifts from the absence's start and re-plans the rest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from scheduler import replan as engine
from scheduler.check import Violation, check_roster
from scheduler.scenario import Scenario, TimeOff
from scheduler.solve import RosterResult, solve_roster
from tabular import InputError, Problem
from wfm.storage import RosterVersion, Store, inputs
from wfm_app.roster_views import shift_starts

# Runs `solve(scenario, time_limit=, workers=, progress=)` (the page: with its progress bar) and returns its result.
Generate = Callable[[Scenario, Callable[..., RosterResult]], RosterResult]
CHANGE_COLUMNS = ["agent", "change"]


@dataclass(frozen=True)
class Replan:
    """A re-planned roster, not saved yet: what it changes against the published version, and what it breaks."""

    published: RosterVersion
    moment: dt.datetime
    roster: pd.DataFrame
    changes: pd.DataFrame  # agent, change (`Mon 08:00 8h voice → Mon off`)
    violations: list[Violation]
    warnings: list[str]


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


def replan(store: Store, scenario_id: int, moment: dt.datetime, generate: Generate) -> Replan:
    """The week re-planned from `moment` against its published roster, after the absences it now has. When the
    published roster breaks the week's rules as they are now (changed after publishing), the engine cannot keep
    its past: the whole week is re-planned against it instead, with as few changes as the solver can, and said."""
    version = published_version(store, scenario_id)
    published = store.load_roster(version.id)
    scenario = store.to_scenario(scenario_id)
    absences, kept = absences_from(scenario, published, moment)
    repair = dataclasses.replace(scenario, time_off=kept)
    if engine.published_problems(repair, published):
        return whole_week(version, published, scenario, moment, generate)

    def solve(whole: Scenario, **run) -> RosterResult:
        return engine.replan(whole, published, moment, absences, **run)[0]

    result = generate(repair, solve)
    repaired = engine.with_absences(repair, published, moment, absences)
    return Replan(version, moment, result.roster, change_table(repaired, result.roster),
                  check_roster(result.roster, repaired), list(result.warnings))


def whole_week(version: RosterVersion, published: pd.DataFrame, scenario: Scenario, moment: dt.datetime,
               generate: Generate) -> Replan:
    against = dataclasses.replace(scenario, baseline=published)
    result = generate(against, solve_roster)
    if result.roster.empty:
        raise InputError(Problem(" ".join(result.infeasibility) or "the solver found no roster within the time "
                                 "limit; try a longer limit", column="re-plan"))
    note = ("The published roster breaks the week's rules, agents or time off as they are now, so its past cannot be "
            "kept as it is: the whole week was re-planned against it, changing as few shifts as the solver could.")
    return Replan(version, moment, result.roster, change_table(against, result.roster),
                  check_roster(result.roster, against), [note, *result.warnings])


def absences_from(scenario: Scenario, published: pd.DataFrame,
                  moment: dt.datetime) -> tuple[list[engine.Absence], tuple[TimeOff, ...]]:
    """The week's time off that the published roster breaks (a shift of the agent overlaps it), as absences
    from the moment on, for the engine to repair; and the time off the roster keeps, which stays time off."""
    starts = shift_starts(published)
    ends = published.groupby([published["agent_id"], starts])["end"].transform("max")
    absences, kept = [], []
    for leave in scenario.time_off:
        broken = ((published["agent_id"] == leave.agent_id) & (starts < pd.Timestamp(leave.end))
                  & (ends > pd.Timestamp(leave.start))).any()
        if not broken:
            kept.append(leave)
        elif leave.end > moment:
            absences.append(engine.Absence(leave.agent_id, max(leave.start, moment), leave.end))
    return absences, tuple(kept)


def change_table(scenario: Scenario, roster: pd.DataFrame) -> pd.DataFrame:
    """One row per changed agent-day: the agent (name and id) and `old → new`."""
    names = {agent.agent_id: agent.name for agent in scenario.agents}
    found = engine.changes(scenario, roster)
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
