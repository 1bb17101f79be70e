"""A horizon of N weeks rostered as one: the engine plans the weeks together (`weeks: N`), so rest, consecutive
days, nights and weekend fairness hold across them, and the roster is stored as one version per week.

Each week stays one of the store's scenarios: its part of the roster is its draft, publishing the horizon
publishes every part (one transaction), so each week's calendar state, its drift check and My shifts read
it as they read a week planned alone, and the week after the horizon carries its last week in.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from scheduler.scenario import MAX_WEEKS, Scenario
from tabular import InputError, Problem
from wfm.storage import RosterVersion, ScenarioInfo, Store
from wfm.storage import inputs
from wfm_app import planning
from wfm_app.roster_views import derive, shift_starts


def horizon_weeks(store: Store, center: str, first: dt.date, weeks: int) -> list[ScenarioInfo]:
    """The `weeks` planned weeks from `first`, each with its demand; InputError naming a week that is not."""
    if not 2 <= weeks <= MAX_WEEKS:
        raise InputError(Problem(f"{weeks} weeks: a horizon has 2 to {MAX_WEEKS} weeks", column="weeks"))
    planned = {info.week_start: info for info in store.list_scenarios(center)}
    chosen, problems = [], []
    for step in range(weeks):
        week = first + dt.timedelta(weeks=step)
        info = planned.get(week)
        if info is None:
            problems.append(Problem(f"the week of {week:%d %b %Y} is not planned yet; plan it on this page first",
                                    column="weeks"))
        elif planning.week_state(store, info) == planning.NO_DEMAND:
            problems.append(Problem(f"the week of {week:%d %b %Y} has no demand yet; forecast it first",
                                    column="weeks"))
        else:
            chosen.append(info)
    if problems:
        raise InputError(problems)
    return chosen


def horizon_scenario(store: Store, weeks: list[ScenarioInfo]) -> Scenario:
    """The weeks as one scenario: the first week's rules and agents (with `weeks: N`), every week's time off
    and requirement, and the roster published before the first week as the previous roster."""
    first = store.to_scenario(weeks[0].id)
    require_alike(store, weeks, first)
    config = inputs.scenario_config({**first.config.model_dump(), "weeks": len(weeks)})
    known = {agent.agent_id for agent in first.agents}
    time_off = dict.fromkeys(leave for info in weeks for leave in store.load_time_off(info.id)
                             if leave.agent_id in known)
    demand = pd.concat([store.load_requirements(info.id) for info in weeks], ignore_index=True)
    return Scenario(config=config, agents=first.agents, time_off=tuple(time_off),
                    requirements=inputs.week_requirements(demand, config, len(first.agents)),
                    previous_roster=first.previous_roster)


def require_alike(store: Store, weeks: list[ScenarioInfo], first: Scenario) -> None:
    """One solve takes one team and one set of rules: InputError naming each later week whose agents,
    contracts or rules differ from the first week's (its own would be ignored)."""
    problems = []
    for info in weeks[1:]:
        config = store.load_scenario_config(info.id).model_copy(update={"week_start": first.config.week_start})
        what = [name for name, differs in (("agents or contracts", store.load_agents(info.id) != first.agents),
                                           ("rules", config != first.config)) if differs]
        if what:
            problems.append(Problem(f"the week of {info.week_start:%d %b %Y} has other {' and '.join(what)} than the "
                                    f"week of {weeks[0].week_start:%d %b %Y}; make them alike on the Rules page or "
                                    "roster the weeks one by one", column="weeks"))
    if problems:
        raise InputError(problems)


def split_weeks(roster: pd.DataFrame, first: dt.date, weeks: int) -> list[pd.DataFrame]:
    """The roster's rows per week, each shift whole in the week it starts in (a Sunday night stays with its
    Sunday, its break after midnight too)."""
    week = (shift_starts(roster) - pd.Timestamp(first)) // pd.Timedelta(weeks=1)
    return [roster[week == step].reset_index(drop=True) for step in range(weeks)]


def save_drafts(store: Store, weeks: list[ScenarioInfo], roster: pd.DataFrame, by: str) -> list[int]:
    """One draft version per week, each with its week's summary: all saved, or none."""
    parts = split_weeks(roster, weeks[0].week_start, len(weeks))
    with store.transaction():
        return [store.save_roster(info.id, part, by, summary=week_summary(store, info.id, part))
                for info, part in zip(weeks, parts)]


def week_summary(store: Store, scenario_id: int, part: pd.DataFrame) -> dict:
    view = derive(part, store.to_scenario(scenario_id))
    return {**view.summary, "violations": len(view.violations)}


def publish(store: Store, version_ids: list[int], by: str) -> list[RosterVersion]:
    """Publish every week's version of the horizon together."""
    with store.transaction():
        return [store.publish(version_id, by) for version_id in version_ids]
